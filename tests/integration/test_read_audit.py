"""Every read of a case page leaves exactly one audit line naming the adult,
and every refused attempt on a record that exists is on the trail too.

The URL resolver is walked (as in the IDOR test), so pages added later are
covered without a change here: every GET of a URL that takes a record
reference, by a practitioner of the record's own team, that answers 200 must
write one "viewed" line for the adult, whatever page it is (stage pages,
chronology, case notes, budget pages, printouts, downloads).
"""

from __future__ import annotations

import pytest
from django.urls import reverse

from msp.models import AuditEvent
from tests.integration.test_idor import (
    _has_record_reference,
    _paths,
    _patterns,
    make_team_b_world,
)

# Pages about a record that concerns no single adult (a large-scale enquiry
# or the provider page names a provider): their one line names the record,
# not a person.
NO_SINGLE_ADULT = {
    "organisational_detail",
    "organisational_edit",
    "organisational_conclude",
    "organisational_sign_off",
    "organisational_meeting_add",
    "organisational_action_add",
    "organisational_action_edit",
    "organisation_detail",
}

# Pages that must be among those read (a walk that reached none of them would
# prove nothing).
MUST_BE_READ = {
    "person_detail",
    "concern_detail",
    "enquiry_detail",
    "chronology",
    "case_notes",
    "view_list",
    "consent_list",
    "desired_outcomes",
    "enquiry_findings",
    "enquiry_planning",
    "enquiry_outcome",
    "enquiry_plan",
    "enquiry_capacity_add",
    "person",
    "budget_detail",
    "dp_detail",
}


@pytest.mark.django_db
def test_every_case_page_read_writes_one_line_naming_the_adult(
    client, other_team, other_team_practitioner
):
    world = make_team_b_world(other_team, other_team_practitioner)
    person_ref = str(world["enquiries.Person"].reference)
    client.force_login(other_team_practitioner)
    read, wrong = set(), []
    for name, route in _patterns():
        if route.startswith(("admin/", "raise-a-concern/")):
            continue
        if not _has_record_reference(route):
            continue
        for path in _paths(route, world):
            before = AuditEvent.objects.order_by("-id").values_list("id", flat=True)
            last = before.first() or 0
            response = client.get(path)
            if response.status_code != 200:
                continue
            lines = list(AuditEvent.objects.filter(id__gt=last))
            views = [line for line in lines if line.action == "view"]
            expected = "" if name in NO_SINGLE_ADULT else person_ref
            naming = [line for line in views if line.person_ref == expected]
            if len(naming) != 1 or len(views) != len(naming):
                wrong.append(f"{path} ({name}): {[v.summary for v in views]}")
            read.add(name)
    assert wrong == [], "\n".join(wrong)
    assert read >= MUST_BE_READ, sorted(MUST_BE_READ - read)


@pytest.mark.django_db
def test_a_page_that_fetches_several_records_of_one_adult_writes_one_line(
    client, practitioner, team
):
    from enquiries.factories import EnquiryFactory

    enquiry = EnquiryFactory(concern__person__team=team, concern__team=team, team=team)
    client.force_login(practitioner)
    url = reverse("enquiries:enquiry_findings", args=[enquiry.reference])
    assert client.get(url).status_code == 200
    line = AuditEvent.objects.get(action="view")
    assert line.person_ref == str(enquiry.concern.person.reference)
    assert line.changes["path"] == url
    assert "findings" in line.summary


@pytest.mark.django_db
def test_writes_leave_their_own_line_not_a_read(client, practitioner, team):
    from enquiries.factories import PersonFactory

    person = PersonFactory(team=team)
    client.force_login(practitioner)
    client.post(reverse("enquiries:person_edit", args=[person.reference]), {})
    assert not AuditEvent.objects.filter(action="view").exists()


@pytest.mark.django_db
def test_refused_attempts_name_the_record_and_are_shown_to_leads(
    client, practitioner, other_team, lead
):
    from enquiries.factories import EnquiryFactory

    enquiry = EnquiryFactory(
        concern__person__team=other_team, concern__team=other_team, team=other_team
    )
    person = enquiry.concern.person
    client.force_login(practitioner)
    for url in (
        person.get_absolute_url(),
        reverse("enquiries:enquiry_findings", args=[enquiry.reference]),
        reverse("enquiries:chronology", args=[person.reference]),
    ):
        assert client.get(url).status_code == 404
    refused = AuditEvent.objects.filter(action="refused", actor=practitioner)
    assert refused.count() == 3
    assert {line.person_ref for line in refused} == {str(person.reference)}
    assert not AuditEvent.objects.filter(action="view").exists()
    # A record that does not exist at all is not an attempt on anyone.
    client.get(reverse("enquiries:person_detail", args=[enquiry.reference]))
    assert AuditEvent.objects.filter(action="refused").count() == 3

    client.force_login(lead)
    page = client.get(reverse("audit_person", args=[person.reference]))
    assert page.status_code == 200
    text = page.content.decode()
    assert "Refused access" in text
    assert practitioner.get_username() in text
    assert page.context["by_user"][0]["refused"] == 3


@pytest.mark.django_db
def test_search_results_write_one_line_per_person_shown_in_one_insert(
    client, practitioner, team, other_team
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from enquiries.factories import PersonFactory

    shown = [PersonFactory(team=team, family_name="Marsden") for _ in range(3)]
    hidden = PersonFactory(team=other_team, family_name="Marsden")
    client.force_login(practitioner)
    url = reverse("enquiries:person_search")
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, {"name": "marsden"})
    assert response.status_code == 200
    lines = AuditEvent.objects.filter(action="view", actor=practitioner)
    assert {line.person_ref for line in lines} == {str(p.reference) for p in shown}
    assert lines.count() == 3
    assert str(hidden.reference) not in {line.person_ref for line in lines}
    assert all("Listed" in line.summary for line in lines)
    inserts = [
        q["sql"] for q in queries.captured_queries if "msp_auditevent" in q["sql"]
    ]
    assert len(inserts) == 1 and inserts[0].startswith("INSERT")

    # Twice as many people shown: still one insert, and the page's query
    # count does not grow with them.
    for _ in range(3):
        PersonFactory(team=team, family_name="Marsden")
    with CaptureQueriesContext(connection) as more:
        client.get(url, {"name": "marsden"})
    assert len(more.captured_queries) == len(queries.captured_queries)
    assert AuditEvent.objects.filter(action="view").count() == 3 + 6


@pytest.mark.django_db
def test_a_search_with_no_results_or_not_run_writes_nothing(client, practitioner):
    client.force_login(practitioner)
    url = reverse("enquiries:person_search")
    client.get(url)
    client.get(url, {"name": "Nobody"})
    assert not AuditEvent.objects.filter(action="view").exists()


@pytest.mark.django_db
def test_likely_duplicates_shown_on_the_new_person_form_are_recorded(
    client, practitioner, team
):
    import datetime

    from enquiries.factories import PersonFactory
    from tests.integration.enquiries.test_people import person_data

    twin = PersonFactory(
        team=team,
        given_name="Ada",
        family_name="Ashby",
        date_of_birth=datetime.date(1940, 3, 1),
    )
    client.force_login(practitioner)
    response = client.post(
        reverse("enquiries:person_create"),
        person_data(
            given_name="Ada",
            family_name="Ashby",
            date_of_birth="1940-03-01",
            team=team.pk,
        ),
    )
    assert response.status_code == 200
    assert "The adult may already have a record" in response.content.decode()
    line = AuditEvent.objects.get(action="view")
    assert line.person_ref == str(twin.reference)


@pytest.mark.django_db
def test_runs_of_refused_attempts_on_one_person_are_listed_for_leads_and_auditors(
    client, practitioner, manager, other_team, lead, auditor
):
    import datetime
    from unittest import mock

    from django.utils import timezone

    from enquiries.factories import PersonFactory

    watched = PersonFactory(team=other_team)
    twice = PersonFactory(team=other_team)
    client.force_login(practitioner)
    for _ in range(3):
        assert client.get(watched.get_absolute_url()).status_code == 404
    for _ in range(2):
        assert client.get(twice.get_absolute_url()).status_code == 404
    # Two attempts by someone else on the watched person: a run is one user's.
    client.force_login(manager)
    for _ in range(2):
        client.get(watched.get_absolute_url())
    # Old attempts fall out of the 30-day window.
    long_ago = timezone.now() - datetime.timedelta(days=31)
    client.force_login(practitioner)
    with mock.patch("django.utils.timezone.now", return_value=long_ago):
        for _ in range(3):
            client.get(twice.get_absolute_url())

    client.force_login(auditor)
    home = client.get(reverse("audit_log"))
    assert [(r["actor_name"], r["attempts"]) for r in home.context["runs"]] == [
        (practitioner.get_username(), 3)
    ]
    assert home.context["runs"][0]["person_ref"] == str(watched.reference)
    text = home.content.decode()
    assert "Runs of refused attempts" in text
    assert reverse("audit_person", args=[watched.reference]) in text
    # The search filters refused attempts alone.
    refused = client.get(reverse("audit_log"), {"action": "refused"})
    events = refused.context["events"]
    assert len(events) == 3 + 2 + 2 + 3
    assert {e.action for e in events} == {"refused"}

    client.force_login(lead)
    page = client.get(reverse("audit_refused"))
    assert page.status_code == 200
    assert str(watched.reference) in page.content.decode()
    assert str(twice.reference) not in page.content.decode()
    client.force_login(practitioner)
    assert client.get(reverse("audit_refused")).status_code == 403
