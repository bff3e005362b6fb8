"""The audit trail: admin changes, bulk changes, views and downloads are
recorded; auditors search it, see who opened a person's record, export it."""

import csv
import datetime
import io

import pytest
from django.contrib.auth.models import Group
from django.db import connection
from django.http import HttpResponse
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from enquiries.factories import ConcernFactory, PersonFactory
from enquiries.models import Concern
from msp import audit, roles
from msp.models import AuditEvent, Team


@pytest.mark.django_db
def test_admin_change_is_recorded_with_before_and_after(client, administrator, team):
    client.force_login(administrator)
    url = reverse("admin:msp_team_change", args=[team.pk])
    response = client.post(
        url,
        {
            "name": "North and coast",
            "code": team.code,
            "areas": "NE1",
            "is_active": "on",
        },
        REMOTE_ADDR="10.1.2.3",
        HTTP_USER_AGENT="Firefox test",
    )
    assert response.status_code == 302
    event = AuditEvent.objects.get(object_type="msp.Team")
    assert event.action == "change"
    assert event.actor == administrator
    assert event.changes["name"] == ["North locality", "North and coast"]
    assert event.ip_address == "10.1.2.3"
    assert event.user_agent == "Firefox test"


@pytest.mark.django_db
def test_admin_user_change_records_roles_but_never_the_password(
    client, administrator, practitioner
):
    client.force_login(administrator)
    lead_group = Group.objects.get(name=roles.SAFEGUARDING_LEAD)
    page = client.get(reverse("admin:msp_user_change", args=[practitioner.pk]))
    form = page.context["adminform"].form
    data = {
        name: value
        for name, value in form.initial.items()
        if value is not None and name not in ("groups", "user_permissions", "teams")
    }
    data.update(
        {
            "username": practitioner.username,
            "date_joined_0": practitioner.date_joined.strftime("%Y-%m-%d"),
            "date_joined_1": practitioner.date_joined.strftime("%H:%M:%S"),
            "groups": [lead_group.pk],
            "teams": list(practitioner.teams.values_list("pk", flat=True)),
            "is_active": "on",
        }
    )
    data.pop("last_login", None)
    data.pop("date_joined", None)
    response = client.post(
        reverse("admin:msp_user_change", args=[practitioner.pk]), data
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    event = AuditEvent.objects.get(
        object_type="msp.User", action="change", summary="Changed user in admin"
    )
    assert event.changes["groups"][1] == [str(lead_group.pk)]
    assert "password" not in event.changes
    assert "pbkdf2" not in str(event.changes) and "md5$" not in str(event.changes)


@pytest.mark.django_db
def test_admin_delete_attempt_is_refused_and_recorded(client, administrator, team):
    client.force_login(administrator)
    response = client.post(reverse("admin:msp_team_delete", args=[team.pk]))
    assert response.status_code == 403
    assert Team.objects.filter(pk=team.pk).exists()
    event = AuditEvent.objects.get(action="delete_attempt")
    assert event.actor == administrator and event.object_type == "msp.Team"


@pytest.mark.django_db
def test_bulk_change_writes_one_line_per_record(practitioner, team, other_team):
    concerns = ConcernFactory.create_batch(3, person__team=team, team=team)
    count = audit.bulk_change(
        actor=practitioner,
        queryset=Concern.objects.filter(pk__in=[c.pk for c in concerns]),
        summary="Moved to the south team",
        team=other_team,
    )
    assert count == 3
    assert set(Concern.objects.values_list("team", flat=True)) == {other_team.pk}
    events = AuditEvent.objects.filter(summary="Moved to the south team")
    assert {e.object_ref for e in events} == {str(c.reference) for c in concerns}
    assert {e.person_ref for e in events} == {str(c.person.reference) for c in concerns}
    assert all(
        e.changes == {"team": [str(team.pk), str(other_team.pk)]} for e in events
    )


@pytest.mark.django_db
def test_a_page_read_names_the_viewer_the_person_and_where_from(
    client, practitioner, team
):
    person = PersonFactory(team=team)
    client.force_login(practitioner)
    response = client.get(
        person.get_absolute_url(), REMOTE_ADDR="192.0.2.7", HTTP_USER_AGENT="Edge"
    )
    assert response.status_code == 200
    event = AuditEvent.objects.get(action="view")
    assert (event.action, event.actor, event.person_ref) == (
        "view",
        practitioner,
        str(person.reference),
    )
    assert (event.ip_address, event.user_agent) == ("192.0.2.7", "Edge")


@pytest.mark.django_db
def test_audited_download_records_only_what_was_handed_over(practitioner):
    @audit.audited_download(action="download", summary="Downloaded the SAC return")
    def download(request, ok):
        return HttpResponse("data", status=200 if ok else 403)

    request = RequestFactory().get("/outcomes/sac.xlsx?year=2025")
    request.user = practitioner
    download(request, ok=False)
    assert not AuditEvent.objects.exists()
    download(request, ok=True)
    event = AuditEvent.objects.get()
    assert event.action == "download"
    assert event.changes == {"path": "/outcomes/sac.xlsx?year=2025"}


@pytest.fixture
def trail(practitioner, manager):
    person = PersonFactory()
    for i in range(120):
        audit.record(
            actor=practitioner if i % 2 else manager,
            action="view" if i % 3 else "change",
            obj=person,
            summary=f"Entry {i:03d}",
        )
    return person


def _summaries(response):
    return [e.summary for e in response.context["events"]]


@pytest.mark.django_db
def test_audit_log_pages_with_keyset_and_constant_queries(client, auditor, trail):
    client.force_login(auditor)
    first = client.get(reverse("audit_log"))
    assert first.status_code == 200
    page1 = _summaries(first)
    assert page1[0] == "Entry 119" and len(page1) == 50
    older = first.context["older"]
    assert f"before={older}" in first.content.decode()

    with CaptureQueriesContext(connection) as page2_queries:
        second = client.get(reverse("audit_log"), {"before": older})
    page2 = _summaries(second)
    assert page2[0] == "Entry 069" and len(page2) == 50
    third = client.get(reverse("audit_log"), {"before": second.context["older"]})
    page3 = _summaries(third)
    assert page3[-1] == "Entry 000" and len(page3) == 20
    assert third.context["older"] is None
    assert not set(page1) & set(page2) | set(page2) & set(page3)
    with CaptureQueriesContext(connection) as page3_queries:
        client.get(reverse("audit_log"), {"before": second.context["older"]})
    assert len(page3_queries) == len(page2_queries)  # no N+1 over rows
    assert all("OFFSET" not in q["sql"].upper() for q in page2_queries)


@pytest.mark.django_db
def test_audit_log_filters_by_user_person_action_and_dates(
    client, auditor, practitioner, trail
):
    other = PersonFactory()
    audit.record(actor=practitioner, action="view", obj=other, summary="Other person")
    client.force_login(auditor)
    by_user = _summaries(client.get(reverse("audit_log"), {"user": "pat"}))
    assert by_user and all(int(s[-3:]) % 2 == 1 for s in by_user if s.startswith("E"))
    by_person = _summaries(
        client.get(reverse("audit_log"), {"person": str(other.reference)})
    )
    assert by_person == ["Other person"]
    changes = client.get(reverse("audit_log"), {"action": "change"})
    assert all(e.action == "change" for e in changes.context["events"])
    tomorrow = (datetime.date.today() + datetime.timedelta(days=1)).isoformat()
    assert _summaries(client.get(reverse("audit_log"), {"date_from": tomorrow})) == []


@pytest.mark.django_db
def test_audit_log_rejects_bad_filters_with_an_error_summary(client, auditor, trail):
    client.force_login(auditor)
    response = client.get(
        reverse("audit_log"),
        {"person": "not-a-ref", "date_from": "2026-02-10", "date_to": "2026-01-01"},
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "There is a problem" in html
    assert "Enter a person reference" in html
    assert "‘To’ must be the same as or after ‘from’" in html
    assert 'value="not-a-ref"' in html


@pytest.mark.django_db
def test_csv_export_contains_the_filtered_trail_and_is_itself_audited(
    client, auditor, trail
):
    client.force_login(auditor)
    response = client.get(reverse("audit_export"), {"action": "change"})
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv"
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert rows[0][:3] == ["at", "user", "action"]
    assert len(rows) == 1 + 40
    assert {row[2] for row in rows[1:]} == {"change"}
    export = AuditEvent.objects.get(action="export")
    assert export.actor == auditor
    assert export.changes == {"filters": {"action": "change"}}


@pytest.mark.django_db
def test_who_has_accessed_a_person_for_leads_and_auditors(
    client, auditor, lead, practitioner, other_team_practitioner, team
):
    person = PersonFactory(team=team)
    for _ in range(3):
        audit.record(actor=practitioner, action="view", obj=person, summary="Viewed")
    url = reverse("audit_person", args=[person.reference])
    for reader in (auditor, lead):
        client.force_login(reader)
        response = client.get(url)
        assert response.status_code == 200
        rows = list(response.context["by_user"])
        assert rows[0]["actor_name"] == "pat" and rows[0]["views"] == 3
    client.force_login(practitioner)
    assert client.get(url).status_code == 403
    client.force_login(other_team_practitioner)
    assert client.get(url).status_code == 404


@pytest.mark.django_db
def test_opening_case_pages_is_recorded_and_refusals_are_not(
    client, practitioner, other_team_practitioner, team
):
    from enquiries.factories import EnquiryFactory

    enquiry = EnquiryFactory(concern__person__team=team, concern__team=team, team=team)
    person, concern = enquiry.concern.person, enquiry.concern
    client.force_login(other_team_practitioner)
    assert client.get(person.get_absolute_url()).status_code == 404
    # The refused attempt is on the trail (for leads and auditors); no read is.
    refused = AuditEvent.objects.get()
    assert (refused.action, refused.actor, refused.person_ref) == (
        "refused",
        other_team_practitioner,
        str(person.reference),
    )
    assert refused.changes["path"] == person.get_absolute_url()
    client.force_login(practitioner)
    for url in (
        person.get_absolute_url(),
        concern.get_absolute_url(),
        reverse("enquiries:enquiry_detail", args=[enquiry.reference]),
    ):
        assert client.get(url, REMOTE_ADDR="192.0.2.9").status_code == 200
    events = AuditEvent.objects.filter(action="view").order_by("id")
    assert [e.object_type for e in events] == [
        "enquiries.Person",
        "enquiries.Concern",
        "enquiries.Enquiry",
    ]
    assert {e.person_ref for e in events} == {str(person.reference)}
    assert {e.ip_address for e in events} == {"192.0.2.9"}
    assert all(e.actor == practitioner for e in events)
