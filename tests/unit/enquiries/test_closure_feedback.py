"""Signing off a closure asks for the adult's feedback within 8 weeks."""

import datetime

import pytest

from enquiries import workflow
from enquiries.factories import EnquiryFactory, PersonViewFactory
from enquiries.models import Enquiry
from outcomes.models import FeedbackFollowUp


@pytest.fixture
def enquiry_awaiting_sign_off(team, practitioner):
    enquiry = EnquiryFactory(
        status="plan_active",
        concern__person__team=team,
        allocated_to=practitioner,
        closure_reason="risk_managed",
        adult_view_on_closure="agrees",
    )
    for stage in ("plan", "closure"):
        PersonViewFactory(person=enquiry.concern.person, enquiry=enquiry, stage=stage)
    workflow.request_closure(user=practitioner, enquiry=enquiry)
    return Enquiry.objects.get(pk=enquiry.pk)


def test_sign_off_creates_feedback_follow_up_due_within_eight_weeks(
    manager, enquiry_awaiting_sign_off, django_capture_on_commit_callbacks
):
    # The closure is announced once it is committed (enquiries.signals).
    with django_capture_on_commit_callbacks(execute=True):
        workflow.sign_off_closure(user=manager, enquiry=enquiry_awaiting_sign_off)
    follow_up = FeedbackFollowUp.objects.get(enquiry=enquiry_awaiting_sign_off)
    assert follow_up.due_on <= datetime.date.today() + datetime.timedelta(weeks=8)
    assert follow_up.due_on >= datetime.date.today()


def test_send_back_creates_no_follow_up(manager, enquiry_awaiting_sign_off):
    workflow.send_back_closure(
        user=manager, enquiry=enquiry_awaiting_sign_off, reason="Plan review missing"
    )
    assert not FeedbackFollowUp.objects.filter(
        enquiry=enquiry_awaiting_sign_off
    ).exists()
