"""Feedback follow-up reminders reach the enquiry's worker, else its managers."""

import datetime

from django.core.management import call_command

from enquiries.factories import EnquiryFactory, PersonFactory
from msp import notifications
from msp.models import Notification, NotificationKind
from outcomes.models import FeedbackFollowUp

DUE = datetime.date(2026, 3, 2)


def _follow_up(team, worker=None):
    enquiry = EnquiryFactory(
        concern__person=PersonFactory(team=team), concluded=True, allocated_to=worker
    )
    return FeedbackFollowUp.objects.create(
        enquiry=enquiry, closed_on=DUE - datetime.timedelta(days=56), due_on=DUE
    )


def _run(today):
    call_command("send_reminders", date=today.isoformat(), no_digests=True)


def _told():
    return sorted(
        Notification.objects.filter(
            kind=NotificationKind.FEEDBACK_FOLLOW_UP_DUE
        ).values_list("recipient__username", flat=True)
    )


def test_follow_up_due_goes_to_the_worker_once(team, practitioner, manager):
    follow_up = _follow_up(team, worker=practitioner)
    _run(DUE - datetime.timedelta(days=8))
    assert _told() == []
    _run(DUE - datetime.timedelta(days=7))
    _run(DUE)
    assert _told() == ["pat"]
    notification = Notification.objects.get()
    assert notifications.link(notification).endswith(
        f"/enquiry/{follow_up.enquiry.reference}/feedback/"
    )


def test_unallocated_follow_up_goes_to_the_team_managers(
    team, manager, other_team, other_team_practitioner
):
    _follow_up(team)
    _run(DUE)
    assert _told() == ["mo"]


def test_a_completed_follow_up_raises_nothing(team, practitioner):
    follow_up = _follow_up(team, worker=practitioner)
    follow_up.completed_at = datetime.datetime(2026, 2, 1, tzinfo=datetime.UTC)
    follow_up.save()
    _run(DUE)
    assert _told() == []
