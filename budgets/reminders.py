"""Date-driven reminders for direct payments, run by ``manage.py send_reminders``.

Registered in :class:`budgets.apps.BudgetsConfig`. Each reminder goes to the
workers allocated to the person's open concerns and enquiries; when nobody
is, to the managers of the person's team, so a reminder never falls between
chairs. The key names the record and its due date: running twice raises
nothing new, and a changed due date is a new reminder.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Iterable, Iterator

from django.db.models import Q

from budgets.models import DirectPayment, PersonalAssistant, Review
from enquiries.models import Concern, Enquiry, Person
from msp.models import NotificationKind, User
from msp.notifications import Reminder, team_managers

# How long before the date the reminder is raised.
REVIEW_LEAD_DAYS = 14
DBS_LEAD_DAYS = 30


def responsible_for_people(person_ids: Iterable[int]) -> dict[int, list[User]]:
    """Who should hear about each adult's direct payment: the workers on their
    open concerns and enquiries, else their team's managers. Three queries
    whatever the number of people."""
    person_ids = set(person_ids)
    found: dict[int, dict[int, User]] = defaultdict(dict)
    concerns = Concern.objects.filter(
        person_id__in=person_ids, allocated_to__is_active=True
    ).exclude(status=Concern.Status.CLOSED)
    for concern in concerns.select_related("allocated_to"):
        found[concern.person_id][concern.allocated_to_id] = concern.allocated_to
    enquiries = Enquiry.objects.filter(
        concern__person_id__in=person_ids, allocated_to__is_active=True
    ).exclude(status=Enquiry.Status.CLOSED)
    for enquiry in enquiries.select_related("allocated_to", "concern"):
        found[enquiry.concern.person_id][enquiry.allocated_to_id] = enquiry.allocated_to
    without = person_ids - set(found)
    teams = dict(
        Person.objects.filter(pk__in=without, team__isnull=False).values_list(
            "pk", "team_id"
        )
    )
    managers: dict[int, list[User]] = defaultdict(list)
    if teams:
        for manager in team_managers(teams.values()).prefetch_related("teams"):
            for team in manager.teams.all():
                managers[team.pk].append(manager)
    result = {pk: list(users.values()) for pk, users in found.items()}
    for pk, team_id in teams.items():
        result[pk] = managers.get(team_id, [])
    return result


def reviews_due(today: datetime.date) -> Iterator[Reminder]:
    """Open direct-payment reviews due within two weeks or overdue."""
    reviews = list(
        Review.objects.filter(
            completed_on__isnull=True,
            due_on__lte=today + datetime.timedelta(days=REVIEW_LEAD_DAYS),
        )
        .exclude(direct_payment__status=DirectPayment.Status.ENDED)
        .select_related("direct_payment")
        .order_by("due_on", "pk")
    )
    who = responsible_for_people(r.direct_payment.person_id for r in reviews)
    for review in reviews:
        yield Reminder(
            recipients=who.get(review.direct_payment.person_id, []),
            kind=NotificationKind.DP_REVIEW_DUE,
            obj=review,
            due_on=review.due_on,
            key=f"dp_review_due:{review.pk}:{review.due_on.isoformat()}",
        )


def dbs_rechecks_due(today: datetime.date) -> Iterator[Reminder]:
    """Personal assistants still working whose DBS re-check is due within 30 days."""
    assistants = list(
        PersonalAssistant.objects.filter(
            dbs_recheck_due__isnull=False,
            dbs_recheck_due__lte=today + datetime.timedelta(days=DBS_LEAD_DAYS),
        )
        .filter(Q(ended_on__isnull=True) | Q(ended_on__gt=today))
        .exclude(direct_payment__status=DirectPayment.Status.ENDED)
        .select_related("direct_payment")
        .order_by("dbs_recheck_due", "pk")
    )
    who = responsible_for_people(a.direct_payment.person_id for a in assistants)
    for assistant in assistants:
        yield Reminder(
            recipients=who.get(assistant.direct_payment.person_id, []),
            kind=NotificationKind.DBS_RECHECK_DUE,
            obj=assistant,
            due_on=assistant.dbs_recheck_due,
            key=(
                f"dbs_recheck_due:{assistant.pk}:"
                f"{assistant.dbs_recheck_due.isoformat()}"
            ),
        )


def _payment_reference(record) -> str:
    return str(record.direct_payment.reference)


def register() -> None:
    from msp.notifications import register_reminder_source, register_subject

    # Both link to the direct payment's page, where reviews and assistants are.
    register_subject(Review, url_name="budgets:dp_detail", reference=_payment_reference)
    register_subject(
        PersonalAssistant, url_name="budgets:dp_detail", reference=_payment_reference
    )
    register_reminder_source("budgets.reviews_due", reviews_due)
    register_reminder_source("budgets.dbs_rechecks_due", dbs_rechecks_due)
