"""The database's own guard on the audit trail (decisions 0005 and 0016).

On PostgreSQL, triggers refuse UPDATE and DELETE of any row
(``msp/migrations/0003``) and TRUNCATE of the table (``0005``). They stop
raw SQL and bulk calls, but not the table's owner or a superuser, who can
disable a trigger: production runs the app as a role that does not own the
table and may only INSERT and SELECT it (``docs/operations.md``), and the
deploy check in :mod:`msp.checks` warns when it does.

On SQLite (the embedded default), triggers refuse UPDATE and DELETE too
(SQLite has no TRUNCATE; ``DELETE FROM`` without ``WHERE`` fires them).
SQLite drops a table's triggers when a migration rebuilds the table, so they
are put back after every ``migrate`` (:func:`ensure_sqlite_triggers`).
"""

from __future__ import annotations

TABLE = "msp_auditevent"

PG_TRUNCATE_TRIGGER = "msp_auditevent_no_truncate"
PG_CREATE_TRUNCATE = f"""
DROP TRIGGER IF EXISTS {PG_TRUNCATE_TRIGGER} ON {TABLE};
CREATE TRIGGER {PG_TRUNCATE_TRIGGER}
    BEFORE TRUNCATE ON {TABLE}
    FOR EACH STATEMENT EXECUTE FUNCTION msp_auditevent_append_only();
"""
PG_DROP_TRUNCATE = f"DROP TRIGGER IF EXISTS {PG_TRUNCATE_TRIGGER} ON {TABLE};"

SQLITE_TRIGGERS = {
    f"{TABLE}_no_{operation.lower()}": f"""
CREATE TRIGGER IF NOT EXISTS {TABLE}_no_{operation.lower()}
BEFORE {operation} ON {TABLE}
BEGIN
    SELECT RAISE(ABORT, '{TABLE} is append-only: {operation} refused');
END;
"""
    for operation in ("UPDATE", "DELETE")
}


def create_sql(vendor: str) -> list[str]:
    """The statements that add this module's triggers on ``vendor``."""
    if vendor == "postgresql":
        return [PG_CREATE_TRUNCATE]
    if vendor == "sqlite":
        return list(SQLITE_TRIGGERS.values())
    return []


def drop_sql(vendor: str) -> list[str]:
    if vendor == "postgresql":
        return [PG_DROP_TRUNCATE]
    if vendor == "sqlite":
        return [f"DROP TRIGGER IF EXISTS {name}" for name in SQLITE_TRIGGERS]
    return []


def create_triggers(schema_editor) -> None:
    for sql in create_sql(schema_editor.connection.vendor):
        schema_editor.execute(sql, params=None)


def drop_triggers(schema_editor) -> None:
    for sql in drop_sql(schema_editor.connection.vendor):
        schema_editor.execute(sql, params=None)


def ensure_sqlite_triggers(sender=None, using: str = "default", **kwargs) -> None:
    """post_migrate: put the SQLite triggers back if a rebuild dropped them."""
    from django.db import connections

    connection = connections[using]
    if connection.vendor != "sqlite" or TABLE not in (
        connection.introspection.table_names()
    ):
        return
    with connection.cursor() as cursor:
        for sql in create_sql("sqlite"):
            cursor.execute(sql)
