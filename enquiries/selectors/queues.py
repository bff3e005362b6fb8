"""The work queues: one page of a queue's rows, scoped to what the user may see.

A queue row carries what the queue shows as text (adult, dates, stage,
worker, due date and whether it is overdue), so the template only prints it.
"""

from __future__ import annotations

import datetime
from typing import Any

from enquiries import timescales
from enquiries.links import url_maker
from enquiries.models import Concern, Enquiry
from msp import paging
from msp.access import visible

PAGE_SIZE = 25

QUEUES = {
    "mine": "My cases",
    "my_concerns": "My concerns awaiting decision",
    "team": "My team's cases",
    "decision": "Awaiting decision",
    "signoff": "Awaiting sign-off",
}

# The columns a queue shows (a row's link, adult, dates, stage, worker, due
# date): a queue row need not load the whole concern, person and user.
_WORKER_COLUMNS = ("first_name", "last_name", "username")
QUEUE_CONCERN_COLUMNS = (
    "reference",
    "status",
    "received_on",
    "person__given_name",
    "person__family_name",
    *(f"allocated_to__{name}" for name in _WORKER_COLUMNS),
)
QUEUE_ENQUIRY_COLUMNS = (
    "reference",
    "kind",
    "status",
    "started_on",
    "concern__reference",
    "concern__person__given_name",
    "concern__person__family_name",
    *(f"allocated_to__{name}" for name in _WORKER_COLUMNS),
)


def queue_rows(
    user,
    name: str,
    *,
    after: str | None,
    scales: dict[str, Any],
    size: int | None = None,
) -> tuple[list[Concern] | list[Enquiry], str | None]:
    """One page of the queue ``name`` for ``user`` (oldest first, keyset
    paged after the cursor ``after``) and the cursor of the next page."""
    today = datetime.date.today()
    if name in ("decision", "my_concerns"):
        return _decision_rows(
            user,
            after=after,
            scales=scales,
            size=size,
            today=today,
            worker=user if name == "my_concerns" else None,
        )
    enquiries = (
        Enquiry.objects.exclude(status=Enquiry.Status.CLOSED)
        .select_related("concern__person", "allocated_to")
        .only(*QUEUE_ENQUIRY_COLUMNS)
    )
    if name == "mine":
        enquiries = enquiries.filter(allocated_to=user)
    elif name == "signoff":
        enquiries = enquiries.filter(status=Enquiry.Status.CLOSURE_REQUESTED)
    page = paging.keyset_page(
        visible(user, enquiries),
        after=after,
        key="started_on",
        size=size or PAGE_SIZE,
    )
    enquiry_link = url_maker("enquiries:enquiry_detail")
    for enquiry in page.rows:
        enquiry.due_on = timescales.enquiry_due(enquiry, scales)
        _set_queue_display(
            enquiry,
            today,
            url=enquiry_link(enquiry.reference),
            adult=enquiry.concern.person,
            begun_on=enquiry.started_on,
            stage=f"{enquiry.get_kind_display()}: "
            f"{enquiry.get_status_display().lower()}",
        )
    return page.rows, page.next_cursor


def _decision_rows(
    user,
    *,
    after: str | None,
    scales,
    size: int | None,
    today: datetime.date,
    worker=None,
) -> tuple[list[Concern], str | None]:
    """Concerns awaiting the decision, oldest first; only those allocated to
    ``worker`` when given."""
    undecided = Concern.objects.filter(
        status__in=[
            Concern.Status.RECEIVED,
            Concern.Status.INFORMATION_GATHERING,
        ]
    )
    if worker is not None:
        undecided = undecided.filter(allocated_to=worker)
    concerns = visible(
        user,
        undecided.select_related("person", "allocated_to").only(*QUEUE_CONCERN_COLUMNS),
    )
    page = paging.keyset_page(
        concerns, after=after, key="received_on", size=size or PAGE_SIZE
    )
    concern_link = url_maker("enquiries:concern_detail")
    for concern in page.rows:
        concern.due_on = timescales.concern_decision_due(concern.received_on, scales)
        _set_queue_display(
            concern,
            today,
            url=concern_link(concern.reference),
            adult=concern.person,
            begun_on=concern.received_on,
            stage=concern.get_status_display(),
        )
    return page.rows, page.next_cursor


_MONTHS = ("January", "February", "March", "April", "May", "June", "July")
_MONTHS += ("August", "September", "October", "November", "December")


def short_date(day: datetime.date | None) -> str:
    """``day`` as every page shows it: 7 March 2026 (msp.dates.format_day,
    the |day filter), without the formatter's cost on each queue row."""
    return f"{day.day} {_MONTHS[day.month - 1]} {day.year}" if day else ""


def _set_queue_display(row, today, *, url, adult, begun_on, stage) -> None:
    """What a queue row shows, as text, so the template only prints it."""
    row.url = url
    row.overdue = timescales.is_overdue(row.due_on, today)
    row.adult_name = adult.full_name
    row.begun_text = short_date(begun_on)
    row.stage_text = stage
    row.worker_text = str(row.allocated_to) if row.allocated_to else "Not allocated"
    row.due_text = short_date(row.due_on)
