"""Date-driven reminders for outcomes, run by ``manage.py send_reminders``.

Registered in :class:`outcomes.apps.OutcomesConfig`. A feedback follow-up
(ask the adult for feedback after closure) goes to the worker the enquiry
was allocated to; when there is none (or they have left), to the managers
of the enquiry's team.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Iterator

from msp.models import NotificationKind, User
from msp.notifications import Reminder, team_managers
from outcomes.models import FeedbackFollowUp

# A week's notice before the follow-up is due.
FOLLOW_UP_LEAD_DAYS = 7


def feedback_follow_ups_due(today: datetime.date) -> Iterator[Reminder]:
    follow_ups = list(
        FeedbackFollowUp.objects.filter(
            completed_at__isnull=True,
            due_on__lte=today + datetime.timedelta(days=FOLLOW_UP_LEAD_DAYS),
        )
        .select_related("enquiry", "enquiry__allocated_to")
        .order_by("due_on", "pk")
    )
    unallocated_teams = {
        f.enquiry.team_id
        for f in follow_ups
        if not (f.enquiry.allocated_to and f.enquiry.allocated_to.is_active)
    }
    managers: dict[int, list[User]] = defaultdict(list)
    if unallocated_teams:
        for manager in team_managers(unallocated_teams).prefetch_related("teams"):
            for team in manager.teams.all():
                managers[team.pk].append(manager)
    for follow_up in follow_ups:
        worker = follow_up.enquiry.allocated_to
        recipients = (
            [worker]
            if worker and worker.is_active
            else managers.get(follow_up.enquiry.team_id, [])
        )
        yield Reminder(
            recipients=recipients,
            kind=NotificationKind.FEEDBACK_FOLLOW_UP_DUE,
            obj=follow_up,
            due_on=follow_up.due_on,
            key=(
                f"feedback_follow_up_due:{follow_up.pk}:{follow_up.due_on.isoformat()}"
            ),
        )


def _enquiry_reference(follow_up: FeedbackFollowUp) -> str:
    return str(follow_up.enquiry.reference)


def register() -> None:
    from msp.notifications import register_reminder_source, register_subject

    # The link opens the page where the feedback is recorded.
    register_subject(
        FeedbackFollowUp,
        url_name="outcomes:feedback_add",
        reference=_enquiry_reference,
    )
    register_reminder_source(
        "outcomes.feedback_follow_ups_due", feedback_follow_ups_due
    )
