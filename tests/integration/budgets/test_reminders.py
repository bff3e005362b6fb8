"""Direct-payment reminders: a review due and a personal assistant's DBS
re-check due reach the worker on the case (else the team's managers), once."""

import datetime

from django.core.management import call_command

from budgets import services
from budgets.models import Review
from enquiries.factories import ConcernFactory, EnquiryFactory
from msp import notifications
from msp.models import Notification, NotificationKind

TODAY = datetime.date(2026, 2, 20)


def _run(today=TODAY):
    call_command("send_reminders", date=today.isoformat(), no_digests=True)


def _told(kind):
    return sorted(
        Notification.objects.filter(kind=kind).values_list(
            "recipient__username", flat=True
        )
    )


def test_review_due_goes_to_the_team_managers_when_nobody_is_allocated(
    payment, manager, practitioner, other_team_practitioner
):
    review = Review.objects.get(direct_payment=payment)
    assert review.due_on == datetime.date(2026, 2, 28)  # six months after
    _run()
    assert _told(NotificationKind.DP_REVIEW_DUE) == ["mo"]
    notification = Notification.objects.get()
    assert notification.due_on == review.due_on
    assert notifications.link(notification) == payment.get_absolute_url()


def test_review_due_goes_to_the_allocated_worker(
    payment, person, manager, other_practitioner
):
    ConcernFactory(person=person, allocated_to=other_practitioner)
    _run()
    assert _told(NotificationKind.DP_REVIEW_DUE) == ["pam"]


def test_workers_on_open_enquiries_are_told_and_closed_ones_are_not(
    payment, person, practitioner, other_practitioner, manager
):
    EnquiryFactory(concern__person=person, allocated_to=practitioner)
    EnquiryFactory(
        concern__person=person, allocated_to=other_practitioner, concluded=True
    )
    _run()
    assert _told(NotificationKind.DP_REVIEW_DUE) == ["pat"]


def test_a_review_is_raised_two_weeks_before_it_is_due(payment, manager):
    _run(today=datetime.date(2026, 2, 13))  # 15 days before: too early
    assert not Notification.objects.exists()
    _run(today=datetime.date(2026, 2, 14))  # 14 days before
    assert Notification.objects.count() == 1


def test_running_twice_raises_each_reminder_once(payment, manager):
    _run()
    _run()
    _run(today=TODAY + datetime.timedelta(days=1))
    assert Notification.objects.count() == 1


def test_dbs_recheck_due_for_a_working_assistant(payment, practitioner, manager):
    services.add_assistant(
        user=practitioner,
        payment=payment,
        data={
            "name": "Rhiannon Pugh",
            "started_on": datetime.date(2025, 9, 1),
            "relationship": "none",
            "dbs_type": "enhanced_barred",
            "dbs_checked_on": datetime.date(2023, 3, 1),
            "dbs_certificate_reference": "001234567890",
            "dbs_recheck_due": datetime.date(2026, 3, 1),
        },
    )
    services.add_assistant(
        user=practitioner,
        payment=payment,
        data={
            "name": "Left Already",
            "started_on": datetime.date(2025, 9, 1),
            "ended_on": datetime.date(2026, 1, 1),
            "relationship": "none",
            "dbs_type": "basic",
            "dbs_checked_on": datetime.date(2023, 3, 1),
            "dbs_certificate_reference": "009999999999",
            "dbs_recheck_due": datetime.date(2026, 3, 1),
        },
    )
    _run()
    _run()
    assert _told(NotificationKind.DBS_RECHECK_DUE) == ["mo"]
    notification = Notification.objects.get(kind=NotificationKind.DBS_RECHECK_DUE)
    assert notification.due_on == datetime.date(2026, 3, 1)
    assert notifications.link(notification) == payment.get_absolute_url()
