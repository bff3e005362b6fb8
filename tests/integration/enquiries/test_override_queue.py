"""Consent overrides awaiting a second person: the managers who can confirm
are told, their queue, confirming, and disagreeing with a reason."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from enquiries.factories import ConcernFactory, PersonFactory
from enquiries.models import ChronologyEvent, ConsentDecision
from enquiries.services import people as services
from msp import roles
from msp.factories import UserFactory
from msp.models import AuditEvent, Notification

pytestmark = pytest.mark.django_db


@pytest.fixture
def concern(team, practitioner):
    return ConcernFactory(person=PersonFactory(team=team), allocated_to=practitioner)


def override(user, case, question="police_referral"):
    return services.record_consent(
        user=user,
        case=case,
        data={
            "question": question,
            "answer": "declined",
            "overridden": True,
            "override_grounds": ["crime"],
            "override_reason": "Her son is taking her pension.",
        },
    )


def confirm_url(consent):
    return reverse(
        "enquiries:consent_confirm",
        args=["concern", consent.concern.reference, consent.pk],
    )


def disagree_url(consent):
    return reverse(
        "enquiries:consent_disagree",
        args=["concern", consent.concern.reference, consent.pk],
    )


def test_the_team_managers_are_told_once(practitioner, manager, concern, other_team):
    UserFactory(username="far", role=roles.TEAM_MANAGER, team=other_team)
    consent = override(practitioner, concern)
    told = Notification.objects.filter(kind="consent_override")
    assert list(told.values_list("recipient__username", flat=True)) == ["mo"]
    assert told.get().key == f"consent_override:{consent.pk}"
    # A consent that is not overridden tells nobody.
    services.record_consent(
        user=practitioner,
        case=concern,
        data={"question": "closure", "answer": "consented"},
    )
    assert told.count() == 1


def test_a_manager_who_recorded_it_is_not_told(manager, concern, lead):
    override(manager, concern)
    # No other manager in the team: the leads are told instead.
    recipients = Notification.objects.values_list("recipient__username", flat=True)
    assert list(recipients) == ["lee"]


def test_the_notification_opens_the_override(client, practitioner, manager, concern):
    consent = override(practitioner, concern)
    client.force_login(manager)
    page = client.get(reverse("notifications")).content.decode()
    link = reverse("enquiries:override_open", args=[consent.pk])
    assert link in page
    response = client.get(link)
    assert response.status_code == 302 and response.url == confirm_url(consent)


def test_queue_lists_overrides_in_scope_oldest_first(
    client, practitioner, manager, concern, other_team
):
    first = override(practitioner, concern, "police_referral")
    second = override(practitioner, concern, "marac_referral")
    elsewhere = ConcernFactory(person=PersonFactory(team=other_team))
    foreign_worker = UserFactory(
        username="oz", role=roles.PRACTITIONER, team=other_team
    )
    override(foreign_worker, elsewhere)
    client.force_login(manager)
    page = client.get(reverse("enquiries:overrides_queue")).content.decode()
    assert page.count("Referral to the police") == 1
    assert page.index(confirm_url(first)) < page.index(confirm_url(second))
    assert confirm_url(first) in page
    assert str(elsewhere.reference) not in page
    services.confirm_consent_override(user=manager, consent=first)
    page = client.get(reverse("enquiries:overrides_queue")).content.decode()
    assert confirm_url(first) not in page and confirm_url(second) in page


def test_queue_is_for_managers_and_leads(client, practitioner, lead, concern):
    override(practitioner, concern)
    client.force_login(practitioner)
    assert client.get(reverse("enquiries:overrides_queue")).status_code == 403
    client.force_login(lead)
    page = client.get(reverse("enquiries:overrides_queue")).content.decode()
    assert "Referral to the police" in page


def test_queue_pages_with_a_constant_number_of_queries(
    client, practitioner, manager, concern
):
    override(practitioner, concern)
    client.force_login(manager)
    url = reverse("enquiries:overrides_queue")
    client.get(url)
    with CaptureQueriesContext(connection) as one:
        client.get(url)
    for _ in range(30):
        override(practitioner, ConcernFactory(person=concern.person))
    with CaptureQueriesContext(connection) as many:
        first_page = client.get(url)
    assert len(many) == len(one)
    page = first_page.content.decode()
    assert page.count("Referral to the police") == 25 and "?after=" in page
    cursor = first_page.context["page"].next_cursor
    rest = client.get(url, {"after": cursor}).content.decode()
    assert rest.count("Referral to the police") == 6


def test_disagreeing_needs_a_reason(client, practitioner, manager, concern):
    consent = override(practitioner, concern)
    client.force_login(manager)
    response = client.post(disagree_url(consent), {"reason": "   "})
    assert "Enter why the override should not stand" in response.content.decode()
    consent.refresh_from_db()
    assert consent.override_pending_confirmation


def test_disagreeing_is_recorded_audited_and_the_practitioner_told(
    client, practitioner, manager, concern
):
    consent = override(practitioner, concern)
    client.force_login(manager)
    assert "I do not agree with this override" in (
        client.get(confirm_url(consent)).content.decode()
    )
    response = client.post(
        disagree_url(consent),
        {"reason": "No crime is alleged; she can decide this herself."},
    )
    assert response.status_code == 302
    consent.refresh_from_db()
    assert consent.override_not_agreed and not consent.override_pending_confirmation
    assert consent.override_disagreed_by == manager
    assert consent.override_disagreement_reason.startswith("No crime")
    line = AuditEvent.objects.get(
        object_type="enquiries.ConsentDecision", action="status"
    )
    assert line.actor == manager and line.changes["reason"].startswith("No crime")
    assert ChronologyEvent.objects.filter(
        summary__startswith="Override not agreed"
    ).exists()
    told = Notification.objects.get(kind="consent_override_not_agreed")
    assert told.recipient == practitioner
    # The manager's own "awaiting" notice is settled.
    assert Notification.objects.get(kind="consent_override").read_at is not None
    listing = client.get(
        reverse("enquiries:consent_list", args=["concern", concern.reference])
    ).content.decode()
    assert "Override not agreed: the adult's decision stands" in listing
    # It can no longer be confirmed, nor disagreed with twice.
    client.post(confirm_url(consent), {"confirm": "on"})
    consent.refresh_from_db()
    assert consent.override_confirmed_by is None
    again = client.post(disagree_url(consent), {"reason": "Twice"})
    assert "did not agree" in again.content.decode()
    assert (
        AuditEvent.objects.filter(
            object_type="enquiries.ConsentDecision", action="status"
        ).count()
        == 1
    )
    assert not client.get(reverse("enquiries:overrides_queue")).context["rows"]


def test_who_may_disagree(
    client, practitioner, auditor, other_team_practitioner, concern
):
    consent = override(practitioner, concern)
    client.force_login(practitioner)
    own = client.post(disagree_url(consent), {"reason": "Changed my mind"})
    assert "a different colleague must review it" in own.content.decode()
    client.force_login(auditor)
    assert client.post(disagree_url(consent), {"reason": "x"}).status_code == 403
    client.force_login(other_team_practitioner)
    assert client.post(disagree_url(consent), {"reason": "x"}).status_code == 404
    consent.refresh_from_db()
    assert consent.override_pending_confirmation
    assert not ConsentDecision.objects.filter(
        override_disagreed_by__isnull=False
    ).exists()


def test_shares_already_made_on_the_override_are_named(
    client, practitioner, manager, concern
):
    from enquiries.factories import OrganisationFactory
    from enquiries.models.partners import InformationShare

    consent = override(practitioner, concern)
    police = OrganisationFactory(name="County Police", kind="police")
    share = InformationShare.objects.create(
        concern=concern,
        organisation=police,
        direction="out",
        shared_on=concern.received_on,
        what="Bank statements showing the withdrawals",
        why="To report the theft",
        lawful_basis="crime_prevention",
        article6="6_1_e",
        special_condition="none",
        consent="overridden",
        override_ground="crime",
        consent_decision=consent,
        adult_told="yes",
    )
    client.force_login(manager)
    page = client.get(disagree_url(consent)).content.decode()
    assert "Already shared on the strength of this override" in page
    assert "Bank statements showing the withdrawals" in page and "County Police" in page
    client.post(disagree_url(consent), {"reason": "Not a crime; her choice."})
    line = AuditEvent.objects.get(
        object_type="enquiries.ConsentDecision", action="status"
    )
    assert line.changes["already_shared"] == [str(share.reference)]
    assert ChronologyEvent.objects.filter(
        summary__contains="Already shared with County Police: tell them"
    ).exists()
    share.refresh_from_db()
    assert share.withdrawn_at is None  # what was sent stays on record
