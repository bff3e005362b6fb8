from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin

from msp.models import AuditEvent, Team, User


@admin.register(Team)
class TeamAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "is_active"]
    list_filter = ["is_active"]
    search_fields = ["name", "code", "areas"]
    prepopulated_fields = {"code": ["name"]}

    def has_delete_permission(self, request, obj=None) -> bool:
        return False  # deactivate instead: cases keep their team


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
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
