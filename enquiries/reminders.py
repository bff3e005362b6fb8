"""Date-driven reminders about enquiries, run by ``manage.py send_reminders``
(registered in :func:`enquiries.notices.register`).

Each reminder's key names the record, what is due and the due date, so a
second run the same day (or the next) raises nothing new, and a new due date
is a new reminder. A reminder goes to the allocated worker; stage overdue
goes to the team's managers too; when nobody is allocated, to the managers.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Iterable, Iterator

from django.db.models import Exists, OuterRef

from enquiries import timescales
from enquiries.models import Enquiry, PlanAction, PlanReview, outstanding_requests
from msp.models import NotificationKind, User
from msp.notifications import Reminder, team_managers

PLAN_LEAD_DAYS = 7


def _managers_by_team(team_ids: Iterable[int]) -> dict[int, list[User]]:
    by_team: dict[int, list[User]] = defaultdict(list)
    team_ids = set(team_ids)
    if team_ids:
        for manager in team_managers(team_ids).prefetch_related("teams"):
            for team in manager.teams.all():
                if team.pk in team_ids:
                    by_team[team.pk].append(manager)
    return by_team


def _worker_else_managers(enquiry: Enquiry, managers: dict[int, list[User]]):
    worker = enquiry.allocated_to
    if worker is not None and worker.is_active:
        return [worker]
    return managers.get(enquiry.team_id, [])


def _open_enquiries():
    return Enquiry.objects.filter(
        status__in=list(timescales.STEP_FOR_ENQUIRY_STATUS)
    ).select_related("allocated_to")


def stages_overdue(today: datetime.date) -> Iterator[Reminder]:
    """Open enquiries whose current stage is past its timescale: the worker
    and the team's managers are told."""
    steps = timescales.load_timescales()
    # n working days are at least n calendar days: nothing started later can
    # be overdue yet.
    shortest = min(steps[s] for s in timescales.STEP_FOR_ENQUIRY_STATUS.values())
    candidates = list(
        _open_enquiries().filter(
            started_on__lt=today - datetime.timedelta(days=shortest)
        )
    )
    overdue = []
    for enquiry in candidates:
        due = timescales.enquiry_due(enquiry, steps)
        if timescales.is_overdue(due, today):
            overdue.append((enquiry, due))
    managers = _managers_by_team(e.team_id for e, _ in overdue)
    for enquiry, due in overdue:
        worker = enquiry.allocated_to
        people = [worker] if worker is not None and worker.is_active else []
        yield Reminder(
            recipients=people + managers.get(enquiry.team_id, []),
            kind=NotificationKind.STAGE_OVERDUE,
            obj=enquiry,
            due_on=due,
            key=f"stage_overdue:{enquiry.pk}:{enquiry.status}:{due.isoformat()}",
        )


def plan_actions_due(today: datetime.date) -> Iterator[Reminder]:
    """Plan actions not done, due within a week or overdue, on open enquiries."""
    actions = list(
        PlanAction.objects.filter(
            status__in=[PlanAction.Status.NOT_STARTED, PlanAction.Status.IN_PROGRESS],
            due_on__lte=today + datetime.timedelta(days=PLAN_LEAD_DAYS),
            enquiry__status__in=list(timescales.STEP_FOR_ENQUIRY_STATUS),
        )
        .select_related("enquiry__allocated_to")
        .order_by("due_on", "pk")
    )
    managers = _managers_by_team(
        a.enquiry.team_id for a in actions if a.enquiry.allocated_to_id is None
    )
    for action in actions:
        yield Reminder(
            recipients=_worker_else_managers(action.enquiry, managers),
            kind=NotificationKind.PLAN_ACTION_DUE,
            obj=action.enquiry,
            due_on=action.due_on,
            key=f"plan_action_due:{action.pk}:{action.due_on.isoformat()}",
        )


def plan_reviews_due(today: datetime.date) -> Iterator[Reminder]:
    """The next review a plan's latest review set, due within a week or
    overdue, on open enquiries."""
    later = PlanReview.objects.filter(
        enquiry_id=OuterRef("enquiry_id"), pk__gt=OuterRef("pk")
    )
    reviews = list(
        PlanReview.objects.filter(
            next_review_on__isnull=False,
            next_review_on__lte=today + datetime.timedelta(days=PLAN_LEAD_DAYS),
            enquiry__status__in=list(timescales.STEP_FOR_ENQUIRY_STATUS),
        )
        .exclude(Exists(later))
        .select_related("enquiry__allocated_to")
        .order_by("next_review_on", "pk")
    )
    managers = _managers_by_team(
        r.enquiry.team_id for r in reviews if r.enquiry.allocated_to_id is None
    )
    for review in reviews:
        yield Reminder(
            recipients=_worker_else_managers(review.enquiry, managers),
            kind=NotificationKind.PLAN_REVIEW_DUE,
            obj=review.enquiry,
            due_on=review.next_review_on,
            key=f"plan_review_due:{review.pk}:{review.next_review_on.isoformat()}",
        )


def partner_requests_overdue(today: datetime.date) -> Iterator[Reminder]:
    """Requests to partners (s42(2)) past their due date with no response, on
    open enquiries: the worker is told once per request (the key has no date,
    so chasing or a later run raises nothing new); with nobody allocated, the
    team's managers."""
    requests = list(
        outstanding_requests()
        .filter(
            due_on__lt=today,
            enquiry__status__in=list(timescales.STEP_FOR_ENQUIRY_STATUS),
        )
        .select_related("enquiry__allocated_to")
        .order_by("due_on", "pk")
    )
    managers = _managers_by_team(
        r.enquiry.team_id for r in requests if r.enquiry.allocated_to_id is None
    )
    for request in requests:
        yield Reminder(
            recipients=_worker_else_managers(request.enquiry, managers),
            kind=NotificationKind.PARTNER_REQUEST_OVERDUE,
            obj=request.enquiry,
            due_on=request.due_on,
            key=f"partner_request_overdue:{request.pk}",
        )
