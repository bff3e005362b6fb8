"""Restricted records: hidden in search, the glass broken with a reason,
time-limited access, leads told and reviewing it."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from enquiries.factories import PersonFactory
from enquiries.models import BreakGlassGrant, Person
from enquiries.selectors import trust
from msp import access
from msp.models import AuditEvent


@pytest.fixture
def restricted(team, lead):
    person = PersonFactory(
        team=team,
        given_name="Rowena",
        family_name="Quill",
        is_restricted=True,
        restriction_reason="Member of staff",
    )
    person.permitted_users.add(lead)
    return person


def _url(person):
    return reverse("break_glass", args=[person.reference])


@pytest.mark.django_db
def test_search_admits_a_restricted_match_exists_but_shows_no_details(
    practitioner, restricted
):
    found = Person.objects.filter(family_name__icontains="quill")
    assert list(access.visible(practitioner, found)) == []
    matches = trust.restricted_matches(practitioner, found)
    assert matches.count == 1
    assert matches.stubs[0].reference == str(restricted.reference)
    assert matches.stubs[0].break_glass_url == _url(restricted)
    assert "Quill" not in repr(matches)


@pytest.mark.django_db
def test_other_teams_are_not_even_told_a_restricted_match_exists(
    other_team_practitioner, restricted
):
    found = Person.objects.filter(family_name__icontains="quill")
    assert trust.restricted_matches(other_team_practitioner, found).count == 0


@pytest.mark.django_db
def test_named_user_sees_the_record_and_is_not_offered_the_glass(
    client, lead, restricted
):
    found = Person.objects.filter(pk=restricted.pk)
    assert list(access.visible(lead, found)) == [restricted]
    assert trust.restricted_matches(lead, found).count == 0
    client.force_login(lead)
    response = client.get(_url(restricted))
    assert response.status_code == 302
    assert response["Location"] == restricted.get_absolute_url()


@pytest.mark.django_db
def test_break_glass_page_shows_only_that_the_record_is_restricted(
    client, practitioner, restricted
):
    client.force_login(practitioner)
    response = client.get(_url(restricted))
    html = response.content.decode()
    assert response.status_code == 200
    assert "This record is restricted" in html
    for detail in ("Rowena", "Quill", "Member of staff", restricted.postcode):
        assert detail not in html


@pytest.mark.django_db
def test_break_glass_needs_a_reason_and_changes_nothing_without_one(
    client, practitioner, restricted, mailoutbox
):
    client.force_login(practitioner)
    response = client.post(_url(restricted), {"reason": "  "})
    html = response.content.decode()
    assert response.status_code == 200
    assert "There is a problem" in html
    assert "Enter why you need to open this record" in html
    assert not BreakGlassGrant.objects.exists()
    assert mailoutbox == []


@pytest.mark.django_db(transaction=True)
def test_breaking_the_glass_opens_the_record_for_two_hours_and_tells_leads(
    client, practitioner, lead, restricted, mailoutbox, settings
):
    settings.BREAK_GLASS_HOURS = 2
    client.force_login(practitioner)
    reason = "Adult rang the duty line in distress; I am the duty worker today."
    response = client.post(_url(restricted), {"reason": reason})
    assert response.status_code == 302
    assert response["Location"] == restricted.get_absolute_url()

    grant = BreakGlassGrant.objects.get()
    assert grant.user == practitioner and grant.reason == reason
    hours = (grant.expires_at - grant.granted_at) / datetime.timedelta(hours=1)
    assert 1.99 < hours <= 2.01
    assert list(access.visible(practitioner, Person.objects.all())) == [restricted]

    event = AuditEvent.objects.get(action=AuditEvent.Action.BREAK_GLASS)
    assert event.actor == practitioner
    assert event.person_ref == str(restricted.reference)
    assert event.changes["reason"] == reason

    assert len(mailoutbox) == 1
    assert mailoutbox[0].to == [lead.email]
    assert "review" in mailoutbox[0].subject.lower()
    assert "Quill" not in mailoutbox[0].body  # no case details by email


@pytest.mark.django_db
def test_access_ends_when_the_grant_expires(practitioner, restricted):
    BreakGlassGrant.objects.create(
        person=restricted,
        user=practitioner,
        reason="Needed it earlier today",
        expires_at=timezone.now() - datetime.timedelta(minutes=1),
    )
    assert not access.visible(practitioner, Person.objects.all()).exists()


@pytest.mark.django_db
def test_other_team_cannot_break_the_glass(client, other_team_practitioner, restricted):
    client.force_login(other_team_practitioner)
    assert client.get(_url(restricted)).status_code == 404
    assert client.post(_url(restricted), {"reason": "x" * 40}).status_code == 404
    assert not BreakGlassGrant.objects.exists()


@pytest.mark.django_db
def test_unrestricted_or_unknown_people_have_no_break_glass_page(
    client, practitioner, team
):
    client.force_login(practitioner)
    ordinary = PersonFactory(team=team)
    assert client.get(_url(ordinary)).status_code == 404
    assert client.get("/access/break-glass/not-a-uuid/").status_code == 404


@pytest.mark.django_db
def test_lead_reviews_and_flags_inappropriate_access(
    client, lead, practitioner, restricted
):
    grant = BreakGlassGrant.objects.create(
        person=restricted,
        user=practitioner,
        reason="Curious about a colleague",
        expires_at=timezone.now() + datetime.timedelta(hours=2),
    )
    client.force_login(lead)
    queue = client.get(reverse("access_reviews")).content.decode()
    assert "Curious about a colleague" in queue
    review_url = reverse("access_review", args=[grant.pk])

    missing_notes = client.post(review_url, {"verdict": "inappropriate", "notes": ""})
    assert "Enter why the access was inappropriate" in missing_notes.content.decode()
    grant.refresh_from_db()
    assert grant.reviewed_at is None

    done = client.post(
        review_url, {"verdict": "inappropriate", "notes": "No work reason given"}
    )
    assert done.status_code == 302
    grant.refresh_from_db()
    assert grant.reviewed_by == lead
    assert grant.review_outcome.startswith("Flagged as inappropriate")
    assert "No work reason given" in grant.review_outcome
    event = AuditEvent.objects.get(summary__startswith="Reviewed broken glass")
    assert event.changes == {
        "verdict": "inappropriate",
        "notes": "No work reason given",
    }
    queue = client.get(reverse("access_reviews")).content.decode()
    assert "Nothing is waiting for review" in queue


@pytest.mark.django_db
def test_only_leads_review(client, practitioner, manager, restricted):
    grant = BreakGlassGrant.objects.create(
        person=restricted,
        user=practitioner,
        reason="Duty call",
        expires_at=timezone.now() + datetime.timedelta(hours=2),
    )
    client.force_login(manager)
    url = reverse("access_review", args=[grant.pk])
    assert client.post(url, {"verdict": "appropriate"}).status_code == 403
    grant.refresh_from_db()
    assert grant.reviewed_at is None


@pytest.mark.django_db
def test_review_queue_queries_do_not_grow_with_the_queue(
    client, lead, practitioner, team, django_assert_num_queries
):
    def grants(n):
        for _ in range(n):
            BreakGlassGrant.objects.create(
                person=PersonFactory(team=team, is_restricted=True),
                user=practitioner,
                reason="Duty call",
                expires_at=timezone.now() + datetime.timedelta(hours=2),
            )

    client.force_login(lead)
    grants(2)
    client.get(reverse("access_reviews"))  # warm the session and permissions
    with CaptureQueriesContext(connection) as small:
        client.get(reverse("access_reviews"))
    grants(5)
    with django_assert_num_queries(len(small)):
        response = client.get(reverse("access_reviews"))
    assert len(response.context["waiting"]) == 7


@pytest.mark.django_db
def test_search_snippet_links_to_the_glass_without_details(practitioner, restricted):
    from django.template.loader import render_to_string

    found = Person.objects.filter(family_name__icontains="quill")
    html = render_to_string(
        "enquiries/trust/_restricted_matches.html",
        {"matches": trust.restricted_matches(practitioner, found)},
    )
    assert "1 restricted record matches" in html
    assert _url(restricted) in html
    assert "Quill" not in html and "Rowena" not in html
    empty = render_to_string(
        "enquiries/trust/_restricted_matches.html",
        {"matches": trust.restricted_matches(practitioner, Person.objects.none())},
    )
    assert empty.strip() == ""
