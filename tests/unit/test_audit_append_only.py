"""The audit trail is append-only: in the application, and in the database
itself (PostgreSQL and SQLite)."""

import pytest
from django.db import DatabaseError, connection, transaction

from msp import audit
from msp.models import AuditEvent, AuditTrailIsAppendOnly


@pytest.fixture
def event(practitioner):
    return audit.record(actor=practitioner, action="view", summary="Viewed a person")


@pytest.mark.django_db
def test_saved_line_cannot_be_changed(event):
    event.summary = "Nothing to see"
    with pytest.raises(AuditTrailIsAppendOnly):
        event.save()
    event.refresh_from_db()
    assert event.summary == "Viewed a person"


@pytest.mark.django_db
def test_line_cannot_be_deleted(event):
    with pytest.raises(AuditTrailIsAppendOnly):
        event.delete()
    assert AuditEvent.objects.filter(pk=event.pk).exists()


@pytest.mark.django_db
def test_bulk_update_and_delete_are_refused(event):
    with pytest.raises(AuditTrailIsAppendOnly):
        AuditEvent.objects.filter(pk=event.pk).update(summary="changed")
    with pytest.raises(AuditTrailIsAppendOnly):
        AuditEvent.objects.all().delete()
    assert AuditEvent.objects.get(pk=event.pk).summary == "Viewed a person"


@pytest.mark.django_db
def test_database_refuses_changes_that_bypass_the_application(event):
    """Raw SQL skips the model: the database's triggers stop it, on
    PostgreSQL and on SQLite alike (more in tests/integration/test_audit_guard.py)."""
    table = AuditEvent._meta.db_table
    for sql in (
        f"UPDATE {table} SET summary = 'rewritten' WHERE id = %s",  # noqa: S608
        f"DELETE FROM {table} WHERE id = %s",  # noqa: S608
    ):
        with (
            pytest.raises(DatabaseError, match="append-only"),
            transaction.atomic(),
            connection.cursor() as cursor,
        ):
            cursor.execute(sql, [event.pk])
    event.refresh_from_db()
    assert event.summary == "Viewed a person"
