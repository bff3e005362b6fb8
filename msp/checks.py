"""Project system checks for production (``manage.py check --deploy``).

``docs/operations.md`` asks for ``check --deploy --fail-level WARNING`` to
print nothing before go-live. Run it with the app servers' own settings and
``DATABASE_URL``, so the database check looks at the role the app uses.
"""

from __future__ import annotations

from django.conf import settings
from django.core.checks import Tags, Warning, register
from django.db import DatabaseError, connections

from msp import audit_guard


@register(Tags.security, deploy=True)
def demo_and_two_factor_check(app_configs=None, **kwargs) -> list[Warning]:
    """The demo switch and missing two-factor have no place in production."""
    if settings.DEBUG:
        return []
    warnings = []
    if settings.DEMO_MODE:
        warnings.append(
            Warning(
                "DEMO_MODE is on with DEBUG off.",
                hint="DEMO_MODE allows seed_demo, shows the demo banner and turns "
                "two-factor off by default: never set it in production.",
                id="msp.W001",
            )
        )
    if not settings.REQUIRE_2FA:
        warnings.append(
            Warning(
                "Two-factor sign-in is off (REQUIRE_2FA) with DEBUG off.",
                hint="Unset REQUIRE_2FA (it defaults to on when DEBUG is off) so "
                "a password alone opens no case record.",
                id="msp.W002",
            )
        )
    return warnings


@register(Tags.security, deploy=True)
def audit_table_role_check(app_configs=None, databases=None, **kwargs):
    """On PostgreSQL, the app's role must not own, nor be able to change,
    the audit table: an owner can disable its triggers (or TRUNCATE)."""
    connection = connections["default"]
    if connection.vendor != "postgresql":
        return []
    try:
        with connection.cursor() as cursor:
            cursor.execute(
                """
                SELECT current_user,
                       pg_has_role(current_user, c.relowner, 'USAGE'),
                       has_table_privilege(c.oid, 'UPDATE')
                       OR has_table_privilege(c.oid, 'DELETE')
                       OR has_table_privilege(c.oid, 'TRUNCATE')
                FROM pg_class c
                WHERE c.oid = to_regclass(%s)
                """,
                [audit_guard.TABLE],
            )
            row = cursor.fetchone()
    except DatabaseError as error:
        return [
            Warning(
                f"Could not check who owns the audit table: {error}",
                id="msp.W010",
            )
        ]
    if row is None:  # not migrated yet
        return []
    role, owns, can_change = row
    if owns:
        return [
            Warning(
                f"The database role the app uses ({role}) owns the audit table "
                f"{audit_guard.TABLE}, or is a superuser, so it can disable the "
                "table's triggers and empty or rewrite the audit trail.",
                hint="Run migrations as the owner role and the app as a role "
                "with only INSERT and SELECT on the audit table: see "
                "docs/operations.md, 'Database roles'.",
                id="msp.W011",
            )
        ]
    if can_change:
        return [
            Warning(
                f"The database role the app uses ({role}) may UPDATE, DELETE or "
                f"TRUNCATE the audit table {audit_guard.TABLE}.",
                hint="REVOKE ALL ON msp_auditevent FROM the app role, then "
                "GRANT SELECT, INSERT: see docs/operations.md, 'Database roles'.",
                id="msp.W012",
            )
        ]
    return []
