from django.apps import AppConfig
from django.db.models.signals import post_migrate


class MspConfig(AppConfig):
    name = "msp"
    verbose_name = "Accounts, teams and audit"

    def ready(self) -> None:
        # After every app's migrations (and after test databases are flushed),
        # so roles and their rights always exist and cover every model.
        post_migrate.connect(sync_roles, dispatch_uid="msp_sync_roles")
        from msp import audit_guard, checks  # noqa: F401 - registers the checks

        # SQLite drops a table's triggers when a migration rebuilds it.
        post_migrate.connect(
            audit_guard.ensure_sqlite_triggers, dispatch_uid="msp_audit_guard"
        )
        from django.contrib.auth.signals import user_logged_in

        from msp import (
            lookups,  # noqa: F401 - registers __any_of
            signals,
        )

        # Note when each session began (the absolute session limit).
        user_logged_in.connect(
            signals.note_session_start, dispatch_uid="msp_session_started"
        )


def sync_roles(sender, **kwargs) -> None:
    """Create the role groups with their rights (idempotent)."""
    from django.contrib.auth.models import Group, Permission

    from msp.roles import ALL_ROLES, ROLE_PERMISSIONS

    granted = {
        permission.codename: permission
        for permission in Permission.objects.filter(content_type__app_label="msp")
    }
    for role in ALL_ROLES:
        group, _ = Group.objects.get_or_create(name=role)
        wanted = [granted[c] for c in ROLE_PERMISSIONS[role] if c in granted]
        if wanted:
            group.permissions.add(*wanted)
    grant_administrator_permissions(sender, **kwargs)


def grant_administrator_permissions(sender, **kwargs) -> None:
    """Administrators configure everything in admin but delete nothing.

    Run after every migrate, so models added later are covered too. Audit
    records are read-only for everyone.
    """
    from django.conf import settings
    from django.contrib.auth.models import Group, Permission

    from msp.models import Team
    from msp.roles import ADMINISTRATOR

    group, _ = Group.objects.get_or_create(name=ADMINISTRATOR)
    wanted = Permission.objects.filter(
        content_type__app_label__in=[
            "msp",
            *settings.MSP_CASE_APPS,
            "auth",
            # Unlock sign-ins (django-axes) and reset a lost authenticator.
            "axes",
            "otp_totp",
            "otp_static",
        ],
        codename__regex=r"^(add|change|view)_",
    ).exclude(content_type__model__in=["auditevent", "viewaccessrecord"])
    # The role permissions on Team (view_all_cases, view_audit, view_reports…)
    # start with "view_" too, but are roles' rights, not admin rights.
    role_rights = [codename for codename, _ in Team._meta.permissions]
    wanted = wanted.exclude(codename__in=role_rights)
    group.permissions.add(*wanted)
    group.permissions.remove(
        *Permission.objects.filter(
            content_type__app_label="msp", codename__in=role_rights
        )
    )
