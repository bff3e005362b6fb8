"""The dashboard's figures kept counted per month, team and kind (decision 0038).

A report's first view counted the period's concluded enquiries afresh for
the user's scope of access: at a million concerns, a year's 30,000
enquiries read and grouped for every dashboard and exceptions page after any
change to a case. Every figure is a count of enquiries, and an enquiry is
in one team, of one kind, concluded in one month, so each figure is kept
counted per month, team and kind (:class:`~outcomes.models.MonthlyFigures`,
counted by :func:`outcomes.reports.grouped_enquiries`, the reports' own
query), and a report adds up the rows of its period and of the teams the
user may see, less the enquiries about restricted people hidden from them
(counted live: they are few).

How they stay exact:

- **Changes mark their month in the writing transaction.** Every change
  to what a figure reads about a concluded enquiry recomputes its kept
  per-enquiry figures (:func:`outcomes.figures.refresh`: saves, and
  ``update()`` of enquiries, concerns' timing and desired outcomes, which
  their query set announces), which marks the month it was counted in and
  the month it counts in now (:class:`~outcomes.models.FigureMonthChange`);
  so does the deletion of an enquiry.
- **Marked months are counted again before the figures are read**
  (:func:`count_changes`): under the lock of the one
  :class:`~outcomes.models.MonthlyFiguresState` row, each marked month is
  counted afresh from the committed records and replaces the kept rows; the
  marks read are removed in the same transaction. A report counts a few
  months itself (:data:`REPORT_COUNTS_AT_MOST`); with more waiting, it
  counts afresh and a background task counts them.
- **Filled when first needed.** Until they are filled, or when the figures,
  the counting rules or the timescales (which decide "within" or "late")
  have changed, reports count afresh and a background task fills them (ten
  seconds at a million concerns); ``manage.py keep_monthly_figures`` fills,
  checks and counts changes on demand.

Filters they do not hold (a worker, a type of risk, its location or source;
a period that is not whole months) are counted afresh as before.
"""

from __future__ import annotations

import datetime
import functools
import hashlib
import json
from collections.abc import Callable
from typing import TYPE_CHECKING

from django.db.models import Max, Min, QuerySet
from django.db.models.signals import post_delete
from django_tasks import task

from enquiries.models import Enquiry
from enquiries.timescales import load_timescales
from msp.access import hidden_part, in_team_scope
from msp.db_routing import PRIMARY, primary_reads, report_queries
from outcomes.figures import mark_months
from outcomes.keeping import Keeper
from outcomes.models import FigureMonthChange, MonthlyFigures, MonthlyFiguresState

if TYPE_CHECKING:
    from outcomes.reports import MonthlyCounts

# Raise when a counting rule in outcomes.reports or outcomes.figures changes
# (a figure's condition, say): the figures are then filled again before they
# are read.
RULES_VERSION = 1
# Months counted again in one transaction.
BATCH = 12
# A report counts at most this many changed months itself (at a million
# concerns a month takes about 25 ms); with more, it counts afresh.
REPORT_COUNTS_AT_MOST = 6
# What a row is kept by, besides its month.
KEPT_BY: tuple[str, ...] = ("team_id", "kind")
Closed = Enquiry.Status.CLOSED


@functools.cache
def _rules() -> str:
    """The rules as text, the same in every process. (Not the figures'
    conditions: their repr shows sets, whose order differs from one process
    to the next; a changed condition raises RULES_VERSION instead.)"""
    from outcomes.reports import GROUPED_FIELDS, MONTHLY_KEYS

    return f"{RULES_VERSION}|{GROUPED_FIELDS!r}|{MONTHLY_KEYS!r}"


def rules_fingerprint() -> str:
    """Changes with :data:`RULES_VERSION`, the figures counted, and the
    timescales configured now (one small query)."""
    text = f"{_rules()}|{sorted(load_timescales().items())!r}"
    return hashlib.sha256(text.encode()).hexdigest()[:32]


def month_end(month: datetime.date) -> datetime.date:
    following = (month.replace(day=28) + datetime.timedelta(days=4)).replace(day=1)
    return following - datetime.timedelta(days=1)


def whole_months(start: datetime.date, end: datetime.date) -> bool:
    """Whether ``start`` to ``end`` is made of whole months."""
    return start.day == 1 and end == month_end(end.replace(day=1)) and start <= end


# ---------------------------------------------------------------------------
# Counting months
# ---------------------------------------------------------------------------


def counted(start: datetime.date, end: datetime.date) -> list[MonthlyFigures]:
    """The rows of the enquiries concluded from ``start`` to ``end`` (whole
    months), counted afresh by the reports' own conditions
    (:func:`outcomes.reports.counted_by_month`)."""
    from outcomes.reports import counted_by_month

    enquiries = Enquiry.objects.filter(status=Closed, concluded_on__range=(start, end))
    counts = counted_by_month(enquiries, (start, end), by=KEPT_BY)
    return [
        MonthlyFigures(month=month, team_id=team, kind=kind, counts=json.dumps(n))
        for (team, kind, month), n in sorted(counts.items())
    ]


def _count_again(months: list[datetime.date]) -> None:
    """Replace the kept rows of ``months`` (under the state's lock)."""
    MonthlyFigures.objects.using(PRIMARY).filter(month__in=months).delete()
    rows = []
    with report_queries():
        for month in months:
            rows += counted(month, month_end(month))
    MonthlyFigures.objects.using(PRIMARY).bulk_create(rows, batch_size=2000)


KEEPER = Keeper(
    state=MonthlyFiguresState,
    marks=FigureMonthChange,
    marked="month",
    rules=rules_fingerprint,
    count_again=_count_again,
    batch=BATCH,
    batch_marks=1000,
    report_counts_at_most=REPORT_COUNTS_AT_MOST,
)


def is_filled() -> bool:
    """Whether the figures are filled under today's rules and timescales."""
    return KEEPER.is_filled()


def count_changes() -> int:
    """Count again every month marked since the last time; the number of
    months. Does nothing while the figures are not filled (:func:`is_filled`)."""
    return KEEPER.count_changes()


def count_waiting_changes() -> int:
    """For the scheduled ``keep_monthly_figures --changes``: count the marked
    months now, or drop the marks while the figures are not filled."""
    return KEEPER.count_waiting_changes()


@task()
def count_changes_in_the_background() -> int:
    """:func:`count_changes`, run by the task worker (``db_worker``)."""
    return count_changes()


@task()
def fill_in_the_background() -> int:
    """:func:`fill`, run by the task worker (``db_worker``)."""
    return fill()


def _ready_to_read() -> bool:
    """Whether a report may read the kept figures now
    (:meth:`~outcomes.keeping.Keeper.ready_to_read`): the first report to
    find them unfilled, or filled under other rules or timescales, queues
    one fill and counts afresh meanwhile."""
    return KEEPER.ready_to_read(count_changes_in_the_background, fill_in_the_background)


# ---------------------------------------------------------------------------
# Reading: what a user's report adds up
# ---------------------------------------------------------------------------


def kept(user, filters) -> MonthlyCounts | None:
    """What :func:`outcomes.reports.monthly_counts` would count for the
    enquiries ``user`` may see concluded under ``filters``, added up from
    the kept rows; None when they cannot answer (filters they do not hold,
    or not ready: see the module), and the caller counts afresh."""
    from outcomes.reports import (
        MONTHLY_KEYS,
        as_day,
        grouped_enquiries,
        monthly_counts,
    )

    if (
        filters.practitioner_id
        or filters.risk_type
        or filters.location
        or filters.source
        or not whole_months(filters.start, filters.end)
    ):
        return None
    with primary_reads():
        if not _ready_to_read():
            return None
        rows = in_team_scope(
            user,
            MonthlyFigures.objects.using(PRIMARY).filter(
                month__range=(filters.start, filters.end)
            ),
        )
        if filters.team_id:
            rows = rows.filter(team_id=filters.team_id)
        if filters.kind:
            rows = rows.filter(kind=filters.kind)
        found: MonthlyCounts = {}
        for month, counts in rows.order_by().values_list("month", "counts"):
            total = found.setdefault(as_day(month), dict.fromkeys(MONTHLY_KEYS, 0))
            for key, n in json.loads(counts).items():
                total[key] += n
        # Less the enquiries about restricted people hidden from the user.
        hidden = hidden_part(
            user, _as_filtered(in_team_scope(user, Enquiry.objects.all()), filters)
        )
        if hidden.exists():
            groups = grouped_enquiries(
                hidden, (filters.start, filters.end), stages=True, timescales=True
            )
            for month, counts in monthly_counts(groups).items():
                # (A month with no kept row: a hidden enquiry concluded since
                # the marks were counted, a moment ago.)
                total = found.setdefault(month, dict.fromkeys(MONTHLY_KEYS, 0))
                for key, n in counts.items():
                    total[key] -= n
    return found


def _as_filtered(enquiries: QuerySet[Enquiry], filters) -> QuerySet[Enquiry]:
    enquiries = enquiries.filter(
        status=Closed, concluded_on__range=(filters.start, filters.end)
    )
    if filters.team_id:
        enquiries = enquiries.filter(team_id=filters.team_id)
    if filters.kind:
        enquiries = enquiries.filter(kind=filters.kind)
    return enquiries


# ---------------------------------------------------------------------------
# Filling and checking (manage.py keep_monthly_figures)
# ---------------------------------------------------------------------------


def fill(report: Callable[[str], None] = lambda _: None) -> int:
    """Count every month afresh and keep the figures; the number of rows.
    Reports count afresh until it ends; changes made meanwhile leave marks,
    counted after it."""
    fill_id = KEEPER.start_filling([MonthlyFigures])
    rules = rules_fingerprint()
    span = (
        Enquiry.objects.using(PRIMARY)
        .filter(status=Closed)
        .aggregate(first=Min("concluded_on"), last=Max("concluded_on"))
    )
    kept = 0
    with primary_reads(), report_queries():
        start = span["first"].replace(day=1) if span["first"] else None
        while start is not None and start <= span["last"]:
            # A year at a time: one query per twelve months.
            end = month_end(
                (start.replace(day=28) + datetime.timedelta(days=335)).replace(day=1)
            )
            with KEEPER.filling_batch(fill_id):
                rows = counted(start, end)
                MonthlyFigures.objects.using(PRIMARY).bulk_create(rows, batch_size=2000)
            kept += len(rows)
            report(f"{start:%B %Y} to {end:%B %Y}: {len(rows):,} rows")
            start = end + datetime.timedelta(days=1)
    KEEPER.end_filling(rules, fill_id)
    return kept


def differences(start: datetime.date, end: datetime.date) -> list[tuple]:
    """Rows of the months ``start`` to ``end`` whose kept counts differ from
    a count afresh, as (month, team, kind, kept, afresh); empty when they
    agree (or nothing is kept)."""
    with primary_reads():
        if not _ready_to_read():
            return []

        def keyed(rows) -> dict[tuple, dict]:
            return {
                (row.month, row.team_id, row.kind): json.loads(row.counts)
                for row in rows
            }

        kept_rows = keyed(
            MonthlyFigures.objects.using(PRIMARY).filter(month__range=(start, end))
        )
        afresh = keyed(counted(start, end))
    return [
        (*key, kept_rows.get(key), afresh.get(key))
        for key in sorted(set(kept_rows) | set(afresh))
        if kept_rows.get(key) != afresh.get(key)
    ]


# ---------------------------------------------------------------------------
# What marks a month besides outcomes.figures.refresh (OutcomesConfig.ready())
# ---------------------------------------------------------------------------


def _enquiry_deleted(sender, instance: Enquiry, **kwargs) -> None:
    mark_months([instance.concluded_on, getattr(instance, "_saved_concluded_on", None)])


def connect() -> None:
    uid = "outcomes_monthly_figures"
    post_delete.connect(_enquiry_deleted, sender=Enquiry, dispatch_uid=f"{uid}_delete")
