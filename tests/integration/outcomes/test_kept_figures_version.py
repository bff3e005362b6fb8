"""Kept report figures stay kept through work that changes nothing they
count, and are dropped by every change that does (issue 21: on a busy
system, every sign-in or case note used to drop every user's kept SAC
return, dashboard and board reports)."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from enquiries.factories import EnquiryFactory, PersonFactory, RiskFactory
from enquiries.services.enquiry import withdraw_enquiry_risk
from enquiries.services.people import add_case_note
from msp import audit
from msp.models import AuditEvent
from outcomes import sac
from tests.support.sac_year import YEAR, concluded_in_year

PAGE = reverse("outcomes:sac_return")

pytestmark = pytest.mark.django_db


@pytest.fixture
def concluded(team):
    return concluded_in_year(team, lacked_capacity="")


def _counts_again(client) -> bool:
    """Whether showing the page counted the return again (a kept return is
    shown with no counting query)."""
    with CaptureQueriesContext(connection) as queries:
        response = client.get(PAGE, {"year": YEAR})
    assert response.status_code == 200
    return any("COUNT(" in query["sql"] for query in queries.captured_queries)


def test_work_that_changes_nothing_counted_keeps_the_return(
    client, lead, practitioner, concluded
):
    client.force_login(lead)
    assert _counts_again(client)
    person = concluded.concern.person
    # Someone signs in, looks at the adult, downloads a report, is refused,
    # writes a case note: none of it changes what the return counts.
    for action in ("login", "logout", "login_failed", "view", "download", "refused"):
        audit.record(actor=practitioner, action=action, obj=person)
    add_case_note(user=practitioner, person=person, text="Spoke to the adult.")
    assert not _counts_again(client)


def test_a_change_to_a_counted_record_made_past_save_drops_it(
    client, lead, practitioner, concluded
):
    # Withdrawing a risk is an UPDATE (no post_save): only its audit line
    # says that something counted changed.
    open_enquiry = EnquiryFactory(concern__person__team=concluded.concern.person.team)
    risk = RiskFactory(enquiry=open_enquiry, concern=open_enquiry.concern)
    client.force_login(lead)
    assert _counts_again(client)
    assert not _counts_again(client)
    withdraw_enquiry_risk(user=practitioner, enquiry=open_enquiry, risk=risk)
    assert _counts_again(client)


def test_a_line_about_no_one_record_drops_it(client, lead, practitioner, concluded):
    """An import writes in bulk and records one line about no record."""
    client.force_login(lead)
    assert _counts_again(client)
    audit.record(actor=practitioner, action="create", summary="Imported 3 concerns")
    assert _counts_again(client)


@pytest.mark.parametrize("action", ["create", "change", "status"])
def test_every_kind_of_change_line_to_a_counted_type_drops_it(
    client, lead, practitioner, concluded, action
):
    client.force_login(lead)
    assert _counts_again(client)
    audit.record(actor=practitioner, action=action, obj=concluded.concern)
    assert _counts_again(client)


def test_the_version_is_one_query_whatever_the_trail_holds(practitioner, concluded):
    for _ in range(30):
        audit.record(actor=practitioner, action="view", obj=concluded)
    with CaptureQueriesContext(connection) as queries:
        first = sac.data_version()
    assert len(queries) == 1
    audit.record(actor=practitioner, action="view", obj=concluded)
    assert sac.data_version() == first
    audit.record(actor=practitioner, action="change", obj=concluded)
    assert sac.data_version() != first


def test_the_index_holds_exactly_the_change_actions():
    index = next(
        index
        for index in AuditEvent._meta.indexes
        if index.name == "msp_audit_changes_by_type"
    )
    actions = set(dict(index.condition.children)["action__in"])
    assert actions == {"change", "create", "status"}
    assert actions <= set(AuditEvent.Action.values)


def _plan(sql: str, params) -> str:
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET LOCAL enable_seqscan = off")  # as on a long trail
            cursor.execute("EXPLAIN " + sql, params)
        else:
            cursor.execute("EXPLAIN QUERY PLAN " + sql, params)
        return "\n".join(str(row) for row in cursor.fetchall())


def test_the_latest_change_of_each_type_is_read_from_the_change_index(practitioner):
    """Not by walking the whole trail back from its newest line: a type
    with no change lines would read every line (34 ms at 12,000 lines, and
    growing with the trail, when the planner chose that walk)."""
    person = PersonFactory()
    # Statistics taken when the trail held change lines of one type only (as
    # after an import): a type then looks common among change lines...
    AuditEvent.objects.bulk_create(
        AuditEvent(actor=practitioner, action="create", object_type="enquiries.Person")
        for _ in range(2000)
    )
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE msp_auditevent")
    # ... and since then, lines that are not changes.
    AuditEvent.objects.bulk_create(
        AuditEvent(actor=practitioner, action="view", object_type="enquiries.Person")
        for _ in range(2000)
    )
    audit.record(actor=practitioner, action="change", obj=person)
    sql, params = sac._version_query(connection.vendor)
    plan = _plan(sql, params)
    assert "msp_audit_changes_by_type" in plan
    assert "msp_auditevent_pkey" not in plan
