from axes.admin import AccessAttemptAdmin
from axes.models import AccessAttempt
from axes.utils import reset
from django.contrib import admin, messages
from django.contrib.auth.admin import GroupAdmin as DjangoGroupAdmin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.models import Group

from msp import audit, services_roles
from msp.admin_audit import AuditedAdminMixin
from msp.models import AuditEvent, Notification, ReminderDigest, Team, User


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

    # Rights nobody may change on their own account, and rights only a
    # superuser may see or give (issue 16: an Administrator gave themselves
    # the Safeguarding lead role and ticked "superuser").
    OWN_ACCOUNT_LOCKED = ["groups", "is_superuser", "is_staff", "user_permissions"]
    SUPERUSER_ONLY = ["is_superuser", "user_permissions"]

    def has_delete_permission(self, request, obj=None) -> bool:
        return False  # disable the account instead: the audit trail names them

    def has_change_permission(self, request, obj=None) -> bool:
        # Only a superuser changes a superuser's account (its password too).
        if obj is not None and obj.is_superuser and not request.user.is_superuser:
            return False
        return super().has_change_permission(request, obj)

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        if request.user.is_superuser:
            return fieldsets
        return [
            (name, {**options, "fields": self._without_superuser_only(options)})
            for name, options in fieldsets
        ]

    def _without_superuser_only(self, options: dict) -> list:
        return [f for f in options["fields"] if f not in self.SUPERUSER_ONLY]

    def get_readonly_fields(self, request, obj=None):
        readonly = list(super().get_readonly_fields(request, obj))
        if obj is not None and obj.pk == request.user.pk:
            readonly += [
                name
                for name in self.OWN_ACCOUNT_LOCKED
                if request.user.is_superuser or name not in self.SUPERUSER_ONLY
            ]
        return readonly

    def save_related(self, request, form, formsets, change):
        user = form.instance
        before = set(user.groups.values_list("name", flat=True)) if change else set()
        super().save_related(request, form, formsets, change)
        after = set(user.groups.values_list("name", flat=True))
        services_roles.record_roles_granted(
            actor=request.user, user=user, role_names=after - before
        )


# Which rights a role carries: only superusers change it, or an Administrator
# could add "view all cases" to their own role.
admin.site.unregister(Group)


@admin.register(Group)
class RoleAdmin(AuditedAdminMixin, DjangoGroupAdmin):
    def get_readonly_fields(self, request, obj=None):
        readonly = list(super().get_readonly_fields(request, obj))
        if not request.user.is_superuser:
            readonly.append("permissions")
        return readonly


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


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Notification)
class NotificationAdmin(ReadOnlyAdmin):
    """Read-only, for support: who was told what kind of thing, and when
    (no case details are stored on a notification; decision 0030)."""

    list_display = [
        "created_at",
        "recipient",
        "kind",
        "due_on",
        "read_at",
        "emailed_at",
    ]
    list_filter = ["kind"]
    search_fields = ["recipient__username"]
    date_hierarchy = "created_at"
    list_select_related = ["recipient"]
    exclude = ["content_type", "object_id", "object_ref"]


@admin.register(ReminderDigest)
class ReminderDigestAdmin(ReadOnlyAdmin):
    list_display = ["day", "recipient", "notifications", "sent_at"]
    search_fields = ["recipient__username"]
    list_select_related = ["recipient"]


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
