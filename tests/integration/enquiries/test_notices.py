"""Notifications raised by events inside enquiries (issue 19): allocated or
transferred to me, closure awaiting my sign-off. Each is raised once, to the
right people, never to the person who acted, and never reveals a record the
recipient can no longer see."""

import pytest

from enquiries import notices
from enquiries.services import enquiry as services
from msp import notifications
from msp.factories import UserFactory
from msp.models import Notification
from tests.integration.enquiries.test_enquiry_pages import (
    add_view,
    closure_data,
    url,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def enquiry(team, practitioner):
    from enquiries.factories import EnquiryFactory, PersonViewFactory

    enquiry = EnquiryFactory(
        status="planning", concern__person__team=team, allocated_to=practitioner
    )
    PersonViewFactory(person=enquiry.concern.person, concern=enquiry.concern)
    return enquiry


def _kinds(user):
    return [n.kind for n in notifications.visible_notifications(user)]


def test_allocation_tells_the_worker_once_and_not_the_allocator(
    client, practitioner, other_practitioner, manager, enquiry
):
    client.force_login(manager)
    data = {"team": enquiry.team_id, "worker": other_practitioner.pk}
    response = client.post(
        url("enquiry_allocate", enquiry), {**data, "version": enquiry.version}
    )
    assert response.status_code == 302
    assert _kinds(other_practitioner) == ["allocated"]
    assert _kinds(manager) == [] and _kinds(practitioner) == []
    note = Notification.objects.get()
    assert note.object_ref == str(enquiry.reference)
    # The same event replayed raises nothing new.
    enquiry.refresh_from_db()
    allocation = enquiry.allocations.order_by("-id").first()
    notices.enquiry_allocated(
        user=manager, enquiry=enquiry, allocation_id=allocation.pk
    )
    assert Notification.objects.count() == 1
    # Taking a case yourself tells nobody.
    services.allocate_enquiry(
        user=practitioner,
        enquiry=enquiry,
        expected_version=enquiry.version,
        team=enquiry.team,
        worker=practitioner,
    )
    assert _kinds(practitioner) == []


def test_a_transfer_tells_the_new_worker_and_the_old_one_sees_nothing_after(
    practitioner, other_team, other_team_practitioner, manager, enquiry
):
    services.allocate_enquiry(
        user=manager,
        enquiry=enquiry,
        expected_version=enquiry.version,
        team=other_team,
        worker=other_team_practitioner,
        reason="Moved area",
    )
    assert _kinds(other_team_practitioner) == ["allocated"]
    enquiry.refresh_from_db()
    # Moved back: the other team's worker may no longer see it, so the
    # notification is no longer listed or counted for them.
    services.allocate_enquiry(
        user=manager,
        enquiry=enquiry,
        expected_version=enquiry.version,
        team=practitioner.teams.get(),
        worker=practitioner,
        reason="Moved back",
    )
    assert _kinds(other_team_practitioner) == []
    assert notifications.unread_count(other_team_practitioner) == 0
    assert _kinds(practitioner) == ["allocated"]


def test_closure_request_tells_the_team_managers_once(
    client, practitioner, manager, team, other_team, enquiry
):
    other_manager = UserFactory(username="om", role="Team manager", team=other_team)
    second_manager = UserFactory(username="m2", role="Team manager", team=team)
    add_view(enquiry, "planning")
    add_view(enquiry, "closure")
    client.force_login(practitioner)
    response = client.post(url("enquiry_closure", enquiry), closure_data(enquiry))
    assert response.status_code == 302
    assert _kinds(manager) == ["closure_sign_off"]
    assert _kinds(second_manager) == ["closure_sign_off"]
    assert _kinds(other_manager) == [] and _kinds(practitioner) == []
    enquiry.refresh_from_db()
    notices.closure_requested(user=practitioner, enquiry=enquiry)
    assert Notification.objects.filter(kind="closure_sign_off").count() == 2
    client.force_login(manager)
    page = client.get("/notifications/").content.decode()
    assert "Closure awaiting your sign-off" in page
    assert enquiry.get_absolute_url() in page


def test_break_the_glass_tells_the_leads_to_review_once(
    client, practitioner, manager, lead, team
):
    from django.urls import reverse

    from enquiries.factories import PersonFactory
    from enquiries.services import trust

    second_lead = UserFactory(username="l2", role="Safeguarding lead")
    person = PersonFactory(team=team, is_restricted=True, restriction_reason="Staff")
    grant = trust.break_glass(
        user=practitioner, person=person, reason="Urgent safeguarding visit today"
    )
    assert _kinds(lead) == ["break_glass_review"]
    assert _kinds(second_lead) == ["break_glass_review"]
    assert _kinds(practitioner) == [] and _kinds(manager) == []
    notices.glass_broken(user=practitioner, grant=grant)
    assert Notification.objects.count() == 2
    # Only leads may see the review, even if a notification reached someone
    # who is no longer a lead.
    note = Notification.objects.get(recipient=lead)
    assert notifications.link(note) == reverse("access_review", args=[grant.pk])
    lead.groups.clear()
    lead = type(lead).objects.get(pk=lead.pk)
    assert notifications.unread_count(lead) == 0


def test_an_unrouted_online_concern_tells_the_leads_a_routed_one_does_not(
    lead, practitioner, team
):
    from enquiries.services.intake import receive_submission

    answers = {"name": "Ruth Unrouted", "postcode": "ZZ9 9ZZ", "town": "Nowhere"}
    unrouted = receive_submission(answers=answers)
    assert unrouted.team is None
    assert _kinds(lead) == ["online_concern_not_routed"]
    assert _kinds(practitioner) == []
    notices.online_concern_arrived(unrouted)
    assert Notification.objects.count() == 1
    team.areas = "AB1"
    team.save()
    routed = receive_submission(answers={**answers, "postcode": "AB1 2CD"})
    assert routed.team == team
    assert Notification.objects.count() == 1


def _run(day):
    from django.core.management import call_command

    call_command("send_reminders", date=day.isoformat(), no_digests=True)


def test_stage_overdue_tells_the_worker_and_the_team_managers_once(
    practitioner, manager, team, other_team
):
    import datetime

    from enquiries.factories import EnquiryFactory

    other_manager = UserFactory(username="om", role="Team manager", team=other_team)
    today = datetime.date(2026, 6, 1)
    late = EnquiryFactory(
        status="planning",
        concern__person__team=team,
        team=team,
        allocated_to=practitioner,
        started_on=today - datetime.timedelta(days=60),
    )
    EnquiryFactory(  # on time: started today
        status="planning",
        concern__person__team=team,
        team=team,
        allocated_to=practitioner,
        started_on=today,
    )
    _run(today)
    _run(today)
    sent = Notification.objects.filter(kind="stage_overdue")
    assert sorted(n.recipient.username for n in sent) == sorted(
        [practitioner.username, manager.username]
    )
    assert {n.object_ref for n in sent} == {str(late.reference)}
    assert _kinds(other_manager) == []


def test_plan_action_and_plan_review_due_tell_the_worker_once(
    practitioner, manager, team
):
    import datetime

    from enquiries.factories import EnquiryFactory
    from enquiries.models import PlanAction, PlanReview

    today = datetime.date(2026, 6, 1)
    enquiry = EnquiryFactory(
        status="plan_active",
        concern__person__team=team,
        team=team,
        allocated_to=practitioner,
        started_on=today,
    )
    PlanAction.objects.create(
        enquiry=enquiry, description="Cancel the card", owner="Bank", due_on=today
    )
    PlanAction.objects.create(
        enquiry=enquiry,
        description="Later",
        owner="GP",
        due_on=today + datetime.timedelta(days=30),
    )
    PlanAction.objects.create(
        enquiry=enquiry, description="Done", owner="GP", due_on=today, status="done"
    )
    first = PlanReview.objects.create(
        enquiry=enquiry,
        reviewed_on=today - datetime.timedelta(days=60),
        adult_view="Fine",
        risk_rating="low",
        decision="continue",
        next_review_on=today - datetime.timedelta(days=30),
    )
    PlanReview.objects.create(  # the latest review moved the next one on
        enquiry=enquiry,
        reviewed_on=today - datetime.timedelta(days=30),
        adult_view="Fine",
        risk_rating="low",
        decision="continue",
        next_review_on=today + datetime.timedelta(days=3),
    )
    _run(today)
    _run(today)
    assert sorted(_kinds(practitioner)) == ["plan_action_due", "plan_review_due"]
    assert _kinds(manager) == []
    review_note = Notification.objects.get(kind="plan_review_due")
    assert review_note.due_on == today + datetime.timedelta(days=3)
    assert review_note.key.split(":")[1] != str(first.pk)
