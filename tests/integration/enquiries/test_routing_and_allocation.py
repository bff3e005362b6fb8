"""Without Django admin: a lead or manager routes an online concern to a team,
and allocates a concern (one converted from an online concern) to a worker.
Practitioners may do neither: 403 and nothing changes."""

import pytest
from django.urls import reverse

from enquiries.factories import ConcernFactory, PersonFactory
from enquiries.models import Allocation, ChronologyEvent, Concern, PublicSubmission
from msp import notifications
from msp.factories import UserFactory
from msp.models import AuditEvent, Notification
from tests.page_forms import form_values

pytestmark = pytest.mark.django_db

ANSWERS = {
    "name": "Mary Smith",
    "postcode": "ZZ9 9ZZ",
    "what": "Her son takes her pension every week.",
    "adult_wants": "She wants to keep her money.",
    "contact": "no",
}


def _submission(team=None, reference="SG-ABC347"):
    return PublicSubmission.objects.create(
        reference=reference, answers=dict(ANSWERS), area="ZZ9 9ZZ", team=team
    )


def _route_url(submission):
    return reverse("enquiries:intake_route", args=[submission.reference])


def _kinds(user):
    return [n.kind for n in notifications.visible_notifications(user)]


# Routing an online concern --------------------------------------------------


def test_a_lead_routes_an_unrouted_online_concern_and_the_team_is_told(
    client, lead, team, practitioner, manager
):
    submission = _submission()
    client.force_login(lead)
    detail = client.get(
        reverse("enquiries:intake_detail", args=[submission.reference])
    ).content.decode()
    assert _route_url(submission) in detail and "Route to a team" in detail

    page = client.get(_route_url(submission))
    assert page.status_code == 200
    response = client.post(_route_url(submission), {"team": team.pk, "reason": ""})
    assert response.status_code == 302

    submission.refresh_from_db()
    assert submission.team == team
    line = AuditEvent.objects.get(action="change", object_ref=submission.reference)
    assert line.summary == f"Online concern routed to {team}"
    assert line.actor == lead
    # The team's case workers are told; it is now in their intake queue.
    assert _kinds(practitioner) == ["online_concern_routed"]
    assert _kinds(manager) == ["online_concern_routed"]
    assert not Notification.objects.filter(recipient=lead).exists()
    client.force_login(practitioner)
    queue = client.get(reverse("enquiries:intake_queue")).content.decode()
    assert submission.reference in queue


def test_a_manager_moves_their_teams_online_concern_with_a_reason(
    client, manager, team, other_team
):
    south_worker = UserFactory(username="sam", role="Practitioner", team=other_team)
    submission = _submission(team=team)
    client.force_login(manager)
    refused = client.post(_route_url(submission), {"team": other_team.pk})
    assert refused.status_code == 200
    page = refused.content.decode()
    assert "Enter why the online concern is moving to another team" in page
    submission.refresh_from_db()
    assert submission.team == team

    moved = client.post(
        _route_url(submission), {"team": other_team.pk, "reason": "Adult lives south"}
    )
    # The manager can no longer see it: back to their queue.
    assert moved.status_code == 302 and moved.url == reverse("enquiries:intake_queue")
    submission.refresh_from_db()
    assert submission.team == other_team
    assert AuditEvent.objects.filter(
        summary__contains="Adult lives south", object_ref=submission.reference
    ).exists()
    assert _kinds(south_worker) == ["online_concern_routed"]


def test_routing_to_the_same_team_changes_nothing(client, lead, team):
    submission = _submission(team=team)
    client.force_login(lead)
    response = client.post(_route_url(submission), {"team": team.pk, "reason": "x"})
    assert response.status_code == 200
    assert f"This online concern is already with {team}" in response.content.decode()
    assert not AuditEvent.objects.filter(object_ref=submission.reference).exists()


def test_a_practitioner_may_not_route_an_online_concern(
    client, practitioner, team, other_team
):
    submission = _submission(team=team)
    client.force_login(practitioner)
    detail = client.get(
        reverse("enquiries:intake_detail", args=[submission.reference])
    ).content.decode()
    assert _route_url(submission) not in detail
    assert client.get(_route_url(submission)).status_code == 403
    response = client.post(
        _route_url(submission), {"team": other_team.pk, "reason": "r"}
    )
    assert response.status_code == 403
    submission.refresh_from_db()
    assert submission.team == team
    assert not Notification.objects.exists()
    assert not AuditEvent.objects.filter(
        action="change", object_ref=submission.reference
    ).exists()


def test_an_online_concern_already_converted_cannot_be_routed(client, lead, team):
    submission = _submission(team=team)
    PublicSubmission.objects.filter(pk=submission.pk).update(status="closed")
    client.force_login(lead)
    response = client.post(_route_url(submission), {"team": team.pk})
    assert response.status_code == 302
    submission.refresh_from_db()
    assert submission.team == team and submission.status == "closed"


# Allocating a concern ------------------------------------------------------


@pytest.fixture
def converted(team, lead):
    """A concern converted from an online concern, held by the lead who
    converted it."""
    concern = ConcernFactory(
        person=PersonFactory(team=team),
        team=team,
        received_via=Concern.ReceivedVia.ONLINE_FORM,
        allocated_to=lead,
    )
    _submission(team=team)
    PublicSubmission.objects.filter(reference="SG-ABC347").update(
        status="converted", concern=concern
    )
    return concern


def _allocate_url(concern):
    return reverse("enquiries:concern_allocate", args=[concern.reference])


def _allocation_data(client, concern, **changes):
    shown = form_values(client.get(_allocate_url(concern)).content.decode())
    data = {k: v for k, v in shown.items() if k != "csrfmiddlewaretoken"}
    data.update(changes)
    return data


def test_a_manager_allocates_a_converted_concern_to_a_worker(
    client, manager, practitioner, converted
):
    client.force_login(manager)
    page = client.get(converted.get_absolute_url()).content.decode()
    assert _allocate_url(converted) in page
    data = _allocation_data(client, converted, worker=str(practitioner.pk))
    response = client.post(_allocate_url(converted), data)
    assert response.status_code == 302
    converted.refresh_from_db()
    assert converted.allocated_to == practitioner
    allocation = Allocation.objects.get(concern=converted)
    assert allocation.worker == practitioner and allocation.allocated_by == manager
    assert AuditEvent.objects.filter(
        action="change", summary=f"Concern allocated ({practitioner})"
    ).exists()
    assert ChronologyEvent.objects.filter(
        person=converted.person, summary=f"Concern allocated ({practitioner})"
    ).exists()
    assert _kinds(practitioner) == ["allocated"]
    shown = client.get(converted.get_absolute_url()).content.decode()
    assert str(practitioner) in shown
    history = shown.split("Allocation history", 1)[1].split("</details>", 1)[0]
    assert f"{converted.team}, {practitioner}" in history
    assert f"(by {manager})" in history
    # The worker now finds it in their own list, on the home page and in full.
    client.force_login(practitioner)
    home = client.get(reverse("home")).content.decode()
    assert "My concerns awaiting decision" in home
    assert converted.get_absolute_url() in home
    mine = client.get(reverse("enquiries:queue", args=["my_concerns"]))
    assert converted.get_absolute_url() in mine.content.decode()


def test_my_concerns_lists_only_those_allocated_to_me(
    client, manager, practitioner, converted
):
    client.force_login(practitioner)
    assert (
        "My concerns awaiting decision"
        not in client.get(reverse("home")).content.decode()
    )
    mine = client.get(reverse("enquiries:queue", args=["my_concerns"]))
    assert converted.get_absolute_url() not in mine.content.decode()
    team = client.get(reverse("enquiries:queue", args=["decision"]))
    assert converted.get_absolute_url() in team.content.decode()


def test_moving_a_concern_to_another_team_needs_a_reason_and_a_worker_there(
    client, lead, practitioner, other_team, converted
):
    client.force_login(lead)
    data = _allocation_data(
        client, converted, team=str(other_team.pk), worker=str(practitioner.pk)
    )
    response = client.post(_allocate_url(converted), data)
    assert response.status_code == 200
    page = response.content.decode()
    assert "Enter why the concern is moving to another team" in page
    assert f"Select someone who works in {other_team}" in page
    converted.refresh_from_db()
    assert converted.team != other_team and converted.allocated_to == lead
    assert not Allocation.objects.filter(concern=converted).exists()


def test_a_practitioner_may_not_allocate_a_concern(
    client, practitioner, other_practitioner, converted
):
    client.force_login(practitioner)
    assert _allocate_url(converted) not in (
        client.get(converted.get_absolute_url()).content.decode()
    )
    assert client.get(_allocate_url(converted)).status_code == 403
    response = client.post(
        _allocate_url(converted),
        {
            "team": converted.team_id,
            "worker": other_practitioner.pk,
            "version": converted.version,
        },
    )
    assert response.status_code == 403
    converted.refresh_from_db()
    assert converted.allocated_to.username == "lee"
    assert not Allocation.objects.exists()
    assert not Notification.objects.exists()


def test_allocation_service_refuses_a_practitioner_too(
    practitioner, other_practitioner, converted
):
    from django.core.exceptions import PermissionDenied

    from enquiries.services import allocation

    with pytest.raises(PermissionDenied):
        allocation.allocate_concern(
            user=practitioner,
            concern=converted,
            expected_version=converted.version,
            team=converted.team,
            worker=other_practitioner,
        )
    with pytest.raises(PermissionDenied):
        allocation.route_submission(
            user=practitioner,
            submission=_submission(reference="SG-XYZ789"),
            team=converted.team,
        )
    assert not Allocation.objects.exists()
