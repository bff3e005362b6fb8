"""Issue 16, item 7 (and "reads that leave no trace"): the database itself
refuses to empty or rewrite the audit trail, on PostgreSQL and on SQLite, and
the app's own PostgreSQL role, granted as docs/operations.md says, can only
add to it and read it."""

import re
from pathlib import Path

import pytest
from django.core.checks import run_checks
from django.db import DatabaseError, connection, transaction

from msp import audit, audit_guard
from msp.models import AuditEvent

TABLE = AuditEvent._meta.db_table
OPERATIONS = Path(__file__).resolve().parents[2] / "docs" / "operations.md"


@pytest.fixture
def event(practitioner):
    return audit.record(actor=practitioner, action="view", summary="Viewed a person")


def _refused(sql, params=None, match="append-only"):
    with (
        pytest.raises(DatabaseError, match=match),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute(sql, params)


def _deploy_warnings():
    return {message.id for message in run_checks(include_deployment_checks=True)}


@pytest.mark.django_db
def test_raw_sql_cannot_change_or_delete_a_line_on_either_engine(event):
    _refused(f"UPDATE {TABLE} SET summary = 'rewritten' WHERE id = %s", [event.pk])  # noqa: S608
    _refused(f"DELETE FROM {TABLE} WHERE id = %s", [event.pk])  # noqa: S608
    _refused(f"DELETE FROM {TABLE}")  # noqa: S608 - SQLite's "truncate"
    event.refresh_from_db()
    assert event.summary == "Viewed a person"
    assert AuditEvent.objects.count() == 1


@pytest.mark.django_db(transaction=True)  # TRUNCATE needs no pending FK checks
def test_the_table_cannot_be_emptied_at_once(event, practitioner):
    if connection.vendor == "postgresql":
        _refused(f"TRUNCATE {TABLE}")
        # Emptying the users with CASCADE would take the trail with them.
        _refused("TRUNCATE msp_user CASCADE")
    else:  # SQLite has no TRUNCATE: DELETE without WHERE is its fast path
        _refused(f"DELETE FROM {TABLE} WHERE 1")  # noqa: S608
    assert AuditEvent.objects.filter(pk=event.pk).exists()


@pytest.mark.django_db
def test_triggers_dropped_by_a_table_rebuild_come_back_after_migrate(event):
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            for sql in audit_guard.drop_sql("sqlite"):
                cursor.execute(sql)
            # Unguarded for a moment, as after a table rebuild.
            sql = f"UPDATE {TABLE} SET summary = 'x' WHERE id = %s"  # noqa: S608
            cursor.execute(sql, [event.pk])
    audit_guard.ensure_sqlite_triggers(using=connection.alias)
    _refused(f"UPDATE {TABLE} SET summary = 'y' WHERE id = %s", [event.pk])  # noqa: S608
    _refused(f"DELETE FROM {TABLE} WHERE id = %s", [event.pk])  # noqa: S608


def _documented_grants(role: str, owner: str, database: str) -> list[str]:
    text = OPERATIONS.read_text()
    block = text.split("<!-- app-role-grants", 1)[1].split("```sql", 1)[1]
    block = block.split("```", 1)[0]
    sql = re.sub(r"--[^\n]*", "", block)
    sql = sql.replace("msp_owner", owner).replace("msp_app", role)
    sql = re.sub(r"DATABASE msp\b", f'DATABASE "{database}"', sql)
    return [statement.strip() for statement in sql.split(";") if statement.strip()]


@pytest.mark.django_db
def test_app_role_with_the_documented_grants_can_only_add_and_read(event, practitioner):
    if connection.vendor != "postgresql":
        # No roles on SQLite: the role check has nothing to say there.
        assert not _deploy_warnings() & {"msp.W010", "msp.W011", "msp.W012"}
        return
    # As the owner (here a superuser), the deploy check warns.
    assert "msp.W011" in _deploy_warnings()
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_user, current_database()")
        owner, database = cursor.fetchone()
        role = f"{database}_app"[:60]
        # Rolled back with the test's transaction, like everything here.
        cursor.execute(f'CREATE ROLE "{role}" NOLOGIN')
        for statement in _documented_grants(role, owner, database):
            cursor.execute(statement)
        cursor.execute(f'SET ROLE "{role}"')
    try:
        added = audit.record(actor=practitioner, action="view", summary="As the app")
        assert AuditEvent.objects.filter(pk=added.pk).exists()  # INSERT, SELECT
        denied = "permission denied|must be owner"
        for sql in (
            f"UPDATE {TABLE} SET summary = 'rewritten'",  # noqa: S608
            f"DELETE FROM {TABLE}",  # noqa: S608
            f"TRUNCATE {TABLE}",
            f"ALTER TABLE {TABLE} DISABLE TRIGGER USER",
            f"DROP TRIGGER msp_auditevent_append_only ON {TABLE}",
            "SET session_replication_role = replica",
        ):
            _refused(sql, match=denied)
        # The app's other tables work as usual.
        practitioner.first_name = "Changed"
        practitioner.save(update_fields=["first_name"])
        # And the deploy check is quiet for this role.
        assert not _deploy_warnings() & {"msp.W010", "msp.W011", "msp.W012"}
    finally:
        with connection.cursor() as cursor:
            cursor.execute("RESET ROLE")
    assert AuditEvent.objects.get(pk=event.pk).summary == "Viewed a person"
