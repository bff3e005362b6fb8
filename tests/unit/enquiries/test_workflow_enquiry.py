"""The enquiry's status machine: allowed moves, views required, closure sign-off."""

import datetime

import pytest

from enquiries import workflow
from enquiries.factories import EnquiryFactory, PersonViewFactory
from enquiries.models import ChronologyEvent, Enquiry
from msp import roles
from msp.factories import UserFactory
from msp.models import AuditEvent

S = Enquiry.Status


@pytest.fixture
def enquiry(team, practitioner):
    return EnquiryFactory(
        status="planning", concern__person__team=team, allocated_to=practitioner
    )


def views_at(enquiry, *stages):
    for stage in stages:
        PersonViewFactory(person=enquiry.concern.person, enquiry=enquiry, stage=stage)


def test_moving_on_needs_the_views_for_the_stage_being_left(practitioner, enquiry):
    with pytest.raises(workflow.TransitionNotAllowed, match="planning stage"):
        workflow.transition(user=practitioner, enquiry=enquiry, to_status=S.IN_PROGRESS)
    enquiry.refresh_from_db()
    assert enquiry.status == S.PLANNING


def test_a_view_not_obtained_with_a_reason_counts(practitioner, enquiry):
    PersonViewFactory(
        person=enquiry.concern.person,
        enquiry=enquiry,
        stage="planning",
        source="not_obtained",
        not_obtained_reason="unsafe",
        views_text="",
    )
    workflow.transition(user=practitioner, enquiry=enquiry, to_status=S.IN_PROGRESS)
    enquiry.refresh_from_db()
    assert enquiry.status == S.IN_PROGRESS
    assert enquiry.version == 2


def test_views_from_another_stage_do_not_count(practitioner, enquiry):
    views_at(enquiry, "enquiry")
    with pytest.raises(workflow.TransitionNotAllowed):
        workflow.transition(user=practitioner, enquiry=enquiry, to_status=S.IN_PROGRESS)


def test_transition_is_audited_and_in_the_chronology(practitioner, enquiry):
    views_at(enquiry, "planning")
    workflow.transition(user=practitioner, enquiry=enquiry, to_status=S.IN_PROGRESS)
    event = AuditEvent.objects.get(action="status", object_ref=str(enquiry.reference))
    assert event.changes["status"] == ["planning", "in_progress"]
    assert ChronologyEvent.objects.filter(
        person=enquiry.concern.person, summary__contains="Enquiry in progress"
    ).exists()


@pytest.mark.parametrize(
    ("start", "target"),
    [
        ("planning", "outcome_recorded"),
        ("planning", "closed"),
        ("in_progress", "plan_active"),
        ("plan_active", "planning"),
        ("closed", "planning"),
        ("closed", "closure_requested"),
    ],
)
def test_moves_the_workflow_does_not_allow(practitioner, team, start, target):
    enquiry = EnquiryFactory(status=start, concern__person__team=team)
    views_at(enquiry, "planning", "enquiry", "outcome", "plan", "closure")
    with pytest.raises(workflow.TransitionNotAllowed, match="cannot move to"):
        workflow.transition(user=practitioner, enquiry=enquiry, to_status=target)


def test_outcome_must_be_recorded_before_outcome_recorded(practitioner, team):
    enquiry = EnquiryFactory(status="in_progress", concern__person__team=team)
    views_at(enquiry, "enquiry")
    with pytest.raises(workflow.TransitionNotAllowed, match="outcome of the risk"):
        workflow.transition(
            user=practitioner, enquiry=enquiry, to_status=S.OUTCOME_RECORDED
        )
    Enquiry.objects.filter(pk=enquiry.pk).update(
        risk_assessment_outcome="risk_identified_action"
    )
    enquiry.refresh_from_db()
    with pytest.raises(workflow.TransitionNotAllowed, match="remained"):
        workflow.transition(
            user=practitioner, enquiry=enquiry, to_status=S.OUTCOME_RECORDED
        )
    Enquiry.objects.filter(pk=enquiry.pk).update(risk_result="removed")
    enquiry.refresh_from_db()
    workflow.transition(
        user=practitioner, enquiry=enquiry, to_status=S.OUTCOME_RECORDED
    )
    assert enquiry.status == S.OUTCOME_RECORDED


def ready_for_closure(enquiry, status="plan_active"):
    Enquiry.objects.filter(pk=enquiry.pk).update(
        status=status, closure_reason="risk_managed", adult_view_on_closure="agrees"
    )
    enquiry.refresh_from_db()
    views_at(
        enquiry, {"planning": "planning", "plan_active": "plan"}[status], "closure"
    )
    return enquiry


def test_closure_request_remembers_where_it_came_from(practitioner, enquiry):
    ready_for_closure(enquiry)
    workflow.request_closure(user=practitioner, enquiry=enquiry)
    enquiry.refresh_from_db()
    assert enquiry.status == S.CLOSURE_REQUESTED
    assert enquiry.status_before_closure_request == S.PLAN_ACTIVE
    assert enquiry.closure_requested_by == practitioner


def test_closure_can_be_requested_from_planning(practitioner, enquiry):
    ready_for_closure(enquiry, status="planning")
    workflow.request_closure(user=practitioner, enquiry=enquiry)
    assert enquiry.status == S.CLOSURE_REQUESTED


def test_closure_request_needs_reason_view_and_closure_views(practitioner, enquiry):
    views_at(enquiry, "planning")
    with pytest.raises(workflow.TransitionNotAllowed, match="reason for closure"):
        workflow.request_closure(user=practitioner, enquiry=enquiry)
    Enquiry.objects.filter(pk=enquiry.pk).update(
        closure_reason="risk_managed", adult_view_on_closure="agrees"
    )
    enquiry.refresh_from_db()
    with pytest.raises(workflow.TransitionNotAllowed, match="views at closure"):
        workflow.request_closure(user=practitioner, enquiry=enquiry)


def test_manager_signs_off_and_concluded_date_is_set(practitioner, manager, enquiry):
    ready_for_closure(enquiry)
    workflow.request_closure(user=practitioner, enquiry=enquiry)
    workflow.sign_off_closure(user=manager, enquiry=enquiry)
    enquiry.refresh_from_db()
    assert enquiry.status == S.CLOSED
    assert enquiry.signed_off_by == manager
    assert enquiry.signed_off_at is not None
    assert enquiry.concluded_on == datetime.date.today()


def test_sign_off_keeps_a_concluded_date_already_recorded(
    practitioner, manager, enquiry
):
    ready_for_closure(enquiry)
    concluded = enquiry.started_on + datetime.timedelta(days=1)
    Enquiry.objects.filter(pk=enquiry.pk).update(concluded_on=concluded)
    enquiry.refresh_from_db()
    workflow.request_closure(user=practitioner, enquiry=enquiry)
    workflow.sign_off_closure(user=manager, enquiry=enquiry)
    enquiry.refresh_from_db()
    assert enquiry.concluded_on == concluded


def test_practitioner_without_permission_cannot_sign_off(
    practitioner, other_practitioner, enquiry
):
    ready_for_closure(enquiry)
    workflow.request_closure(user=practitioner, enquiry=enquiry)
    with pytest.raises(workflow.TransitionNotAllowed, match="team manager"):
        workflow.sign_off_closure(user=other_practitioner, enquiry=enquiry)


def test_manager_who_requested_cannot_sign_off(manager, enquiry):
    ready_for_closure(enquiry)
    workflow.request_closure(user=manager, enquiry=enquiry)
    with pytest.raises(workflow.TransitionNotAllowed, match="You asked"):
        workflow.sign_off_closure(user=manager, enquiry=enquiry)
    enquiry.refresh_from_db()
    assert enquiry.status == S.CLOSURE_REQUESTED


def test_allocated_manager_cannot_sign_off(practitioner, manager, team):
    enquiry = EnquiryFactory(
        status="planning", concern__person__team=team, allocated_to=manager
    )
    ready_for_closure(enquiry)
    workflow.request_closure(user=practitioner, enquiry=enquiry)
    with pytest.raises(workflow.TransitionNotAllowed, match="allocated worker"):
        workflow.sign_off_closure(user=manager, enquiry=enquiry)
    lead = UserFactory(username="lead2", role=roles.SAFEGUARDING_LEAD)
    workflow.sign_off_closure(user=lead, enquiry=enquiry)
    assert enquiry.status == S.CLOSED


def test_send_back_restores_the_previous_status_and_keeps_reason(
    practitioner, manager, team
):
    enquiry = EnquiryFactory(status="in_progress", concern__person__team=team)
    views_at(enquiry, "enquiry", "closure")
    Enquiry.objects.filter(pk=enquiry.pk).update(
        closure_reason="no_role", adult_view_on_closure="disagrees"
    )
    enquiry.refresh_from_db()
    workflow.request_closure(user=practitioner, enquiry=enquiry)
    with pytest.raises(workflow.TransitionNotAllowed, match="Enter why"):
        workflow.send_back_closure(user=manager, enquiry=enquiry, reason="  ")
    workflow.send_back_closure(user=manager, enquiry=enquiry, reason="Speak to GP")
    enquiry.refresh_from_db()
    assert enquiry.status == S.IN_PROGRESS
    assert enquiry.sent_back_reason == "Speak to GP"
    assert AuditEvent.objects.filter(summary__contains="Speak to GP").exists()


def test_requester_cannot_send_back_their_own_request(manager, enquiry):
    ready_for_closure(enquiry)
    workflow.request_closure(user=manager, enquiry=enquiry)
    with pytest.raises(workflow.TransitionNotAllowed):
        workflow.send_back_closure(user=manager, enquiry=enquiry, reason="oops")


def test_closure_cannot_be_requested_twice(practitioner, enquiry):
    ready_for_closure(enquiry)
    workflow.request_closure(user=practitioner, enquiry=enquiry)
    with pytest.raises(workflow.TransitionNotAllowed, match="cannot be put forward"):
        workflow.request_closure(user=practitioner, enquiry=enquiry)


def test_sign_off_judges_the_saved_record_not_a_stale_copy(manager, enquiry):
    ready_for_closure(enquiry)
    stale = Enquiry.objects.get(pk=enquiry.pk)  # opened before the request
    workflow.request_closure(user=manager, enquiry=enquiry)
    with pytest.raises(workflow.TransitionNotAllowed, match="You asked"):
        workflow.sign_off_closure(user=manager, enquiry=stale)
    enquiry.refresh_from_db()
    assert enquiry.status == S.CLOSURE_REQUESTED


def test_sign_off_is_a_significant_chronology_entry(practitioner, manager, enquiry):
    ready_for_closure(enquiry)
    workflow.request_closure(user=practitioner, enquiry=enquiry)
    workflow.sign_off_closure(user=manager, enquiry=enquiry)
    entry = ChronologyEvent.objects.get(kind="closure", person=enquiry.concern.person)
    assert entry.significant and str(manager) in entry.summary
