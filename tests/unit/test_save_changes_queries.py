"""An edit saved with its version check and audit line: the record is read
once, with its adult, under a lock on the record alone; the audit line names
the adult; the last editor is not loaded."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from enquiries.factories import ConcernFactory, EnquiryFactory, PersonFactory
from enquiries.models import Concern
from msp.concurrency import save_changes
from msp.models import AuditEvent

pytestmark = pytest.mark.django_db


def _selects(queries) -> list[str]:
    return [q["sql"] for q in queries if q["sql"].lstrip().startswith("SELECT")]


def test_an_edit_reads_the_record_and_its_adult_once(practitioner):
    concern = ConcernFactory(updated_by=practitioner)
    version = concern.version
    with CaptureQueriesContext(connection) as queries:
        save_changes(
            user=practitioner,
            instance=concern,
            expected_version=concern.version,
            changes={"immediate_actions": "Moved to a safe place"},
            summary="Edited",
        )
    selects = _selects(queries)
    assert len(selects) == 1
    assert '"enquiries_person"' in selects[0]
    assert not any('FROM "msp_user"' in sql for sql in selects)
    event = AuditEvent.objects.latest("pk")
    assert event.person_ref == str(concern.person.reference)
    assert Concern.objects.get(pk=concern.pk).version == version + 1


def test_moving_a_record_to_another_adult_names_the_new_adult(practitioner):
    concern = ConcernFactory()
    other = PersonFactory(team=concern.person.team)
    save_changes(
        user=practitioner,
        instance=concern,
        expected_version=concern.version,
        changes={"person": other},
        summary="Moved",
    )
    assert AuditEvent.objects.latest("pk").person_ref == str(other.reference)


def test_a_record_reached_through_two_steps_names_its_adult(practitioner):
    enquiry = EnquiryFactory()
    save_changes(
        user=practitioner,
        instance=enquiry,
        expected_version=enquiry.version,
        changes={"lacked_capacity": "no"},
        summary="Edited",
    )
    person = enquiry.concern.person
    assert AuditEvent.objects.latest("pk").person_ref == str(person.reference)
