from axes.admin import AccessAttemptAdmin
from axes.models import AccessAttempt
from axes.utils import reset
from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin

from msp import audit
from msp.admin_audit import AuditedAdminMixin
from msp.models import AuditEvent, Team, User


@admin.register(Team)
class TeamAdmin(AuditedAdminMixin, admin.ModelAdmin):
    list_display = ["name", "code", "is_active"]
    list_filter = ["is_active"]
    search_fields = ["name", "code", "areas"]
    prepopulated_fields = {"code": ["name"]}

    def has_delete_permission(self, request, obj=None) -> bool:
        return False  # deactivate instead: cases keep their team


@admin.register(User)
class UserAdmin(AuditedAdminMixin, DjangoUserAdmin):
    list_display = [
        "username",
        "first_name",
        "last_name",
        "email",
        "is_active",
        "is_staff",
    ]
    list_filter = ["is_active", "is_staff", "groups", "teams"]
    search_fields = ["username", "first_name", "last_name", "email"]
    filter_horizontal = ["groups", "user_permissions", "teams"]
    fieldsets = (
        *DjangoUserAdmin.fieldsets,
        ("Work", {"fields": ["job_title", "teams"]}),
    )

    def has_delete_permission(self, request, obj=None) -> bool:
        return False  # disable the account instead: the audit trail names them


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    """Read-only: the audit trail is append-only."""

    list_display = [
        "at",
        "actor_name",
        "action",
        "object_type",
        "object_ref",
        "summary",
    ]
    list_filter = ["action", "object_type"]
    search_fields = ["actor_name", "object_ref", "person_ref", "summary"]
    date_hierarchy = "at"
    list_select_related = ["actor"]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


# Sign-in lockouts (django-axes): administrators see who is locked out and
# unlock them with an action; the unlock is recorded in the audit trail.
admin.site.unregister(AccessAttempt)


@admin.register(AccessAttempt)
class LockoutAdmin(AccessAttemptAdmin):
    actions = ["unlock"]

    @admin.action(description="Unlock the selected sign-ins", permissions=["change"])
    def unlock(self, request, queryset):
        count = 0
        for attempt in queryset:
            count += reset(username=attempt.username, ip=attempt.ip_address)
            audit.record(
                actor=request.user,
                action=AuditEvent.Action.CHANGE,
                summary=f"Unlocked sign-in for {attempt.username or attempt.ip_address}",
                changes={"username": attempt.username, "ip": attempt.ip_address},
            )
        messages.success(request, f"Unlocked {count} locked-out sign-in(s).")

    def has_change_permission(self, request, obj=None) -> bool:
        return request.user.has_perm("axes.change_accessattempt")
