"""The intake queue: practitioners triage online concerns."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from enquiries import codes
from enquiries.factories import PersonFactory
from enquiries.models import (
    ChronologyEvent,
    Concern,
    DesiredOutcome,
    Person,
    PersonView,
    PublicSubmission,
)
from enquiries.services import intake as services_intake
from msp.models import AuditEvent

BASE_ANSWERS = {
    "relationship": "friend",
    "organisation": "",
    "name": "Mary Smith",
    "age": "82",
    "date_of_birth": None,
    "address": "1 High Street",
    "postcode": "NE1 4ST",
    "town": "",
    "communication_needs": "",
    "what": "Her son takes her pension every week.",
    "where": "At her home",
    "harm_by": "Her son",
    "danger": "no",
    "adult_knows": "yes",
    "adult_wants": "She wants to keep her money and still see her son.",
    "contact": "yes",
    "contact_name": "Jo Smith",
    "phone": "01632 960 001",
    "email": "",
    "safe_to_email": False,
    "safe_contact": "Evenings",
}


def make_submission(hours_ago=1, **changes):
    submission = services_intake.receive_submission(answers={**BASE_ANSWERS, **changes})
    PublicSubmission.objects.filter(pk=submission.pk).update(
        submitted_at=timezone.now() - datetime.timedelta(hours=hours_ago)
    )
    submission.refresh_from_db()
    return submission


def url(name, submission):
    return reverse(f"enquiries:{name}", args=[submission.reference])


@pytest.fixture
def north_submission(team, other_team):
    return make_submission(hours_ago=3)


@pytest.fixture
def south_submission(team, other_team):
    return make_submission(hours_ago=5, postcode="SE1 7PB", name="Sam South")


@pytest.fixture
def unrouted_submission(team, other_team):
    return make_submission(hours_ago=50, postcode="ZZ9 9ZZ", name="Una Routed")


def test_queue_shows_own_team_oldest_first_with_waiting_time(
    client, practitioner, team, other_team
):
    newer = make_submission(hours_ago=3, name="Newer Person")
    older = make_submission(hours_ago=50, name="Older Person")
    make_submission(hours_ago=5, postcode="SE1 7PB", name="Sam South")
    make_submission(hours_ago=6, postcode="ZZ9 9ZZ", name="Una Routed")
    client.force_login(practitioner)
    response = client.get(reverse("enquiries:intake_queue"))
    html = response.content.decode()
    assert response.status_code == 200
    assert html.index(older.reference) < html.index(newer.reference)
    assert "3 hours" in html and "2 days" in html
    assert "Sam South" not in html
    assert "Una Routed" not in html
    assert "Online concerns" in html  # navigation link


def test_lead_sees_every_team_and_unrouted(
    client, lead, north_submission, south_submission, unrouted_submission
):
    client.force_login(lead)
    html = client.get(reverse("enquiries:intake_queue")).content.decode()
    for submission in (north_submission, south_submission, unrouted_submission):
        assert submission.reference in html
    assert "Not routed" in html
    only = client.get(reverse("enquiries:intake_queue") + "?show=not-routed")
    text = only.content.decode()
    assert unrouted_submission.reference in text
    assert north_submission.reference not in text


def test_converted_and_closed_leave_the_queue(client, practitioner, team, other_team):
    waiting = make_submission(name="Still Waiting")
    done = make_submission(name="Already Done")
    services_intake.close_submission(
        user=practitioner, submission=done, reason="Not abuse", referrer_feedback=""
    )
    client.force_login(practitioner)
    html = client.get(reverse("enquiries:intake_queue")).content.decode()
    assert waiting.reference in html
    assert done.reference not in html


def test_queue_query_count_does_not_grow_with_rows(
    client, lead, team, other_team, django_assert_num_queries
):
    # One of each kind before the baseline (an unroutable one raises an
    # unread notification), so both requests' headers count the same way.
    make_submission(hours_ago=1)
    make_submission(hours_ago=2, postcode="")
    client.force_login(lead)
    with CaptureQueriesContext(connection) as baseline:
        client.get(reverse("enquiries:intake_queue"))
    for hours in range(3, 12):
        make_submission(hours_ago=hours, postcode="SE1 7PB" if hours % 2 else "")
    with django_assert_num_queries(len(baseline.captured_queries)):
        response = client.get(reverse("enquiries:intake_queue"))
    assert response.content.decode().count("/intake/SG-") == 11


def test_queue_pages_by_keyset(client, practitioner, team, other_team, monkeypatch):
    from enquiries.views import intake

    monkeypatch.setattr(intake, "PAGE_SIZE", 2)
    made = [make_submission(hours_ago=10 - n) for n in range(5)]
    client.force_login(practitioner)
    seen = []
    next_url = reverse("enquiries:intake_queue")
    while next_url:
        response = client.get(next_url)
        page = response.context["rows"]
        seen += [row["submission"].reference for row in page]
        query = response.context["next_url"]
        next_url = reverse("enquiries:intake_queue") + query if query else ""
    assert seen == [s.reference for s in made]
    bad = client.get(reverse("enquiries:intake_queue") + "?after=nonsense")
    assert bad.status_code == 200
    assert [r["submission"] for r in bad.context["rows"]] == made[:2]


def test_other_team_and_unrouted_are_404_for_a_practitioner(
    client, practitioner, south_submission, unrouted_submission
):
    client.force_login(practitioner)
    for submission in (south_submission, unrouted_submission):
        for name in (
            "intake_detail",
            "intake_match",
            "intake_new_person",
            "intake_close",
        ):
            assert client.get(url(name, submission)).status_code == 404, name
        response = client.post(url("intake_close", submission), {"reason": "Not abuse"})
        assert response.status_code == 404
    assert (
        client.get(reverse("enquiries:intake_detail", args=["SG-NOPE99"])).status_code
        == 404
    )


def test_lead_opens_unrouted(client, lead, unrouted_submission):
    client.force_login(lead)
    response = client.get(url("intake_detail", unrouted_submission))
    html = response.content.decode()
    assert response.status_code == 200
    assert "Not routed" in html
    assert "Una Routed" in html


def test_auditor_gets_403(client, auditor, north_submission):
    client.force_login(auditor)
    assert client.get(reverse("enquiries:intake_queue")).status_code == 403
    assert client.get(url("intake_detail", north_submission)).status_code == 403
    person = PersonFactory(team=north_submission.team)
    response = client.post(
        url("intake_convert", north_submission), {"person": str(person.reference)}
    )
    assert response.status_code == 403
    assert (
        client.post(
            url("intake_new_person", north_submission),
            {"given_name": "Mary", "family_name": "Smith"},
        ).status_code
        == 403
    )
    north_submission.refresh_from_db()
    assert north_submission.status == PublicSubmission.Status.NEW
    assert Concern.objects.count() == 0


def test_detail_shows_answers_and_likely_matches(
    client, practitioner, north_submission, team, other_team
):
    match = PersonFactory(
        given_name="Mary",
        family_name="Smith",
        team=team,
        date_of_birth=datetime.date.today().replace(
            year=datetime.date.today().year - 81
        )
        - datetime.timedelta(days=30),
    )
    hidden = PersonFactory(given_name="Mary", family_name="Smith", team=other_team)
    client.force_login(practitioner)
    response = client.get(url("intake_detail", north_submission))
    html = response.content.decode()
    assert "Her son takes her pension every week." in html
    assert str(match.reference) in html
    assert str(hidden.reference) not in html
    assert AuditEvent.objects.filter(
        action="view", object_ref=north_submission.reference, actor=practitioner
    ).exists()


def test_search_finds_people_the_user_can_see(
    client, practitioner, north_submission, team, other_team
):
    mine = PersonFactory(given_name="Albert", family_name="Jones", team=team)
    theirs = PersonFactory(given_name="Albert", family_name="Jones", team=other_team)
    client.force_login(practitioner)
    response = client.get(url("intake_match", north_submission), {"name": "jones"})
    html = response.content.decode()
    assert str(mine.reference) in html
    assert str(theirs.reference) not in html
    empty = client.get(url("intake_match", north_submission), {"name": ""})
    assert "Enter a name or a date of birth to search" in empty.content.decode()


def test_converting_to_an_existing_person_carries_views_across(
    client, practitioner, north_submission, team
):
    person = PersonFactory(given_name="Mary", family_name="Smith", team=team)
    answers_before = dict(north_submission.answers)
    client.force_login(practitioner)
    page = client.get(
        url("intake_convert", north_submission), {"person": person.reference}
    )
    assert page.status_code == 200
    assert "Convert into a concern about Mary Smith" in page.content.decode()
    response = client.post(
        url("intake_convert", north_submission), {"person": str(person.reference)}
    )
    assert response.status_code == 302

    concern = Concern.objects.get()
    assert concern.person == person
    assert concern.team == team
    assert concern.received_via == Concern.ReceivedVia.ONLINE_FORM
    assert (
        concern.received_on == timezone.localtime(north_submission.submitted_at).date()
    )
    assert concern.in_our_area is True
    assert concern.referrer_type == Concern.ReferrerType.FRIEND
    assert concern.referrer_name == "Jo Smith"
    assert "01632 960 001" in concern.referrer_contact
    assert concern.summary == "Her son takes her pension every week."
    assert concern.adult_aware == Concern.Aware.YES
    assert concern.created_by == practitioner

    view = PersonView.objects.get()
    assert view.concern == concern and view.person == person
    assert view.stage == codes.Stage.CONCERN
    assert view.source == codes.ViewSource.REFERRER
    assert view.own_words is False
    assert view.method == codes.ViewMethod.ONLINE_FORM
    assert view.views_text == "She wants to keep her money and still see her son."
    outcome = DesiredOutcome.objects.get()
    assert outcome.expressed_by == codes.ViewSource.REFERRER
    assert outcome.concern == concern

    north_submission.refresh_from_db()
    assert north_submission.status == PublicSubmission.Status.CONVERTED
    assert north_submission.concern == concern
    assert north_submission.handled_by == practitioner
    assert north_submission.answers == answers_before
    assert ChronologyEvent.objects.filter(person=person, kind="concern").count() == 1
    assert AuditEvent.objects.filter(
        object_ref=str(concern.reference), action="create"
    ).exists()
    assert AuditEvent.objects.filter(
        object_ref=north_submission.reference, action="status"
    ).exists()

    detail = client.get(url("intake_detail", north_submission)).content.decode()
    assert "Converted into" in detail
    assert "a concern about Mary Smith" in detail


def test_converting_twice_shows_a_clear_message(
    client, practitioner, north_submission, team
):
    person = PersonFactory(team=team)
    client.force_login(practitioner)
    data = {"person": str(person.reference)}
    client.post(url("intake_convert", north_submission), data)
    second = client.post(url("intake_convert", north_submission), data, follow=True)
    html = second.content.decode()
    assert "was already converted into a concern" in html
    assert "Nothing was changed" in html
    assert Concern.objects.count() == 1
    assert PersonView.objects.count() == 1


def test_service_refuses_a_second_conversion(practitioner, north_submission, team):
    person = PersonFactory(team=team)
    services_intake.convert_submission(
        user=practitioner, submission=north_submission, team=team, person=person
    )
    stale = PublicSubmission.objects.get(pk=north_submission.pk)
    stale.status = PublicSubmission.Status.NEW  # as read before the first convert
    with pytest.raises(services_intake.AlreadyHandled):
        services_intake.convert_submission(
            user=practitioner, submission=stale, team=team, person=person
        )
    assert Concern.objects.count() == 1


def test_cannot_convert_to_a_person_in_another_team(
    client, practitioner, north_submission, other_team
):
    stranger = PersonFactory(team=other_team)
    client.force_login(practitioner)
    response = client.post(
        url("intake_convert", north_submission), {"person": str(stranger.reference)}
    )
    assert response.status_code == 404
    assert Concern.objects.count() == 0


def test_new_person_is_created_and_converted(
    client, practitioner, north_submission, team
):
    client.force_login(practitioner)
    page = client.get(url("intake_new_person", north_submission)).content.decode()
    assert 'value="Mary"' in page and 'value="Smith"' in page
    response = client.post(
        url("intake_new_person", north_submission),
        {
            "given_name": "Mary",
            "family_name": "Smith",
            "date_of_birth": "1944-03-02",
            "address": "1 High Street",
            "postcode": "ne1 4st",
        },
    )
    assert response.status_code == 302
    person = Person.objects.get()
    assert person.team == team
    assert person.date_of_birth == datetime.date(1944, 3, 2)
    assert person.postcode == "NE1 4ST"
    assert Concern.objects.get().person == person


def test_new_person_form_errors(client, practitioner, north_submission):
    client.force_login(practitioner)
    response = client.post(
        url("intake_new_person", north_submission),
        {"given_name": "", "family_name": "Smith", "postcode": "bad"},
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "There is a problem" in html
    assert "Enter the adult&#x27;s first name" in html
    assert "Enter a real postcode" in html
    assert 'value="Smith"' in html
    assert Person.objects.count() == 0


def test_lead_must_choose_a_team_for_unrouted(
    client, lead, unrouted_submission, other_team
):
    client.force_login(lead)
    data = {"given_name": "Una", "family_name": "Routed"}
    response = client.post(url("intake_new_person", unrouted_submission), data)
    assert "Select the team that will deal with it" in response.content.decode()
    assert Person.objects.count() == 0
    response = client.post(
        url("intake_new_person", unrouted_submission),
        {**data, "team": other_team.pk},
    )
    assert response.status_code == 302
    concern = Concern.objects.get()
    assert concern.team == other_team
    assert concern.person.team == other_team


def test_anonymous_referrer_and_no_wishes(client, practitioner, team, other_team):
    submission = make_submission(
        contact="anonymous", contact_name="", phone="", adult_wants=""
    )
    person = PersonFactory(team=team)
    client.force_login(practitioner)
    client.post(url("intake_convert", submission), {"person": str(person.reference)})
    concern = Concern.objects.get()
    assert concern.referrer_anonymous is True
    assert concern.referrer_name == "" and concern.referrer_contact == ""
    assert PersonView.objects.count() == 0
    assert DesiredOutcome.objects.count() == 0


def test_close_as_not_safeguarding_records_feedback(
    client, practitioner, north_submission
):
    client.force_login(practitioner)
    empty = client.post(url("intake_close", north_submission), {"reason": ""})
    assert "Enter why this is not a safeguarding matter" in empty.content.decode()
    response = client.post(
        url("intake_close", north_submission),
        {
            "reason": "A dispute between neighbours, no care needs.",
            "referrer_feedback": "Phoned Jo and suggested mediation.",
        },
    )
    assert response["Location"] == reverse("enquiries:intake_queue")
    north_submission.refresh_from_db()
    assert north_submission.status == PublicSubmission.Status.CLOSED
    assert north_submission.referrer_feedback == "Phoned Jo and suggested mediation."
    assert north_submission.handled_by == practitioner
    assert AuditEvent.objects.filter(
        object_ref=north_submission.reference, action="status"
    ).exists()
    detail = client.get(url("intake_detail", north_submission)).content.decode()
    assert "Phoned Jo and suggested mediation." in detail
    again = client.post(
        url("intake_close", north_submission), {"reason": "Again"}, follow=True
    )
    assert "already closed" in again.content.decode()


def test_demo_submissions(db):
    import io

    from enquiries.public_demo import create_demo_submissions
    from msp.demo import create_demo_staff

    staff = create_demo_staff("correct horse battery staple")
    out = io.StringIO()
    create_demo_submissions(staff=staff, out=out)
    north, south = staff["teams"]
    subs = PublicSubmission.objects.all()
    assert subs.filter(team=north, status="new").exists()
    assert subs.filter(team=south, status="new").exists()
    assert subs.filter(team__isnull=True, status="new").exists()
    converted = subs.get(status="converted")
    assert converted.concern.views.get().source == codes.ViewSource.REFERRER
    assert subs.filter(status="closed").exists()
    assert "online concerns" in out.getvalue()


def test_converted_concern_is_allocated_and_has_chronology(
    client, practitioner, north_submission, team
):
    # The conversion goes through the concern, views and desired-outcome
    # services, so the concern lands in the converting worker's caseload and
    # the adult's chronology shows what was carried across.
    person = PersonFactory(given_name="Mary", family_name="Smith", team=team)
    client.force_login(practitioner)
    client.post(
        url("intake_convert", north_submission), {"person": str(person.reference)}
    )
    concern = Concern.objects.get()
    assert concern.allocated_to == practitioner
    kinds = set(
        ChronologyEvent.objects.filter(person=person).values_list("kind", flat=True)
    )
    assert {"concern", "views", "outcomes"} <= kinds
    chronology = client.get(
        reverse("enquiries:chronology", args=[person.reference])
    ).content.decode()
    assert "Desired outcome" in chronology
