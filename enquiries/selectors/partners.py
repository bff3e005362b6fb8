"""Scoped reads about partners: the worker's queue of overdue requests to
partners (s42(2) caused enquiries)."""

from __future__ import annotations

import datetime

from enquiries.links import url_maker
from enquiries.models import CausedEnquiry, Enquiry, outstanding_requests
from msp import paging
from msp.access import visible
from msp.dates import format_day

PAGE_SIZE = 25
PARTNER_QUEUE = {"partners": "Requests to partners overdue"}

_COLUMNS = (
    "requested_on",
    "due_on",
    "report_received_on",
    "closed_on",
    "organisation__name",
    "enquiry__reference",
    "enquiry__status",
    "enquiry__concern__person__given_name",
    "enquiry__concern__person__family_name",
    "enquiry__allocated_to__first_name",
    "enquiry__allocated_to__last_name",
    "enquiry__allocated_to__username",
)


def overdue_requests(today: datetime.date):
    """Requests on open enquiries past their due date with no response."""
    return (
        outstanding_requests()
        .filter(due_on__lt=today)
        .exclude(enquiry__status=Enquiry.Status.CLOSED)
    )


def overdue_request_rows(
    user, *, after: str | None, size: int | None = None
) -> tuple[list[CausedEnquiry], str | None]:
    """The user's overdue requests to partners (on enquiries allocated to
    them), the longest overdue first, keyset paged on the due date."""
    today = datetime.date.today()
    requests = (
        overdue_requests(today)
        .filter(enquiry__allocated_to=user)
        .select_related(
            "organisation", "enquiry__concern__person", "enquiry__allocated_to"
        )
        .only(*_COLUMNS)
    )
    page = paging.keyset_page(
        visible(user, requests), after=after, key="due_on", size=size or PAGE_SIZE
    )
    link = url_maker("enquiries:enquiry_partners")
    for row in page.rows:
        enquiry = row.enquiry
        row.url = link(enquiry.reference)
        row.overdue = True
        row.adult_name = enquiry.concern.person.full_name
        row.begun_text = format_day(row.requested_on)
        row.stage_text = f"Asked: {row.organisation.name}"
        row.allocated_to = enquiry.allocated_to
        row.worker_text = str(enquiry.allocated_to) if enquiry.allocated_to else ""
        row.due_text = format_day(row.due_on)
    return page.rows, page.next_cursor
