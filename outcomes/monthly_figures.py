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
from collections import Counter
from collections.abc import Callable
from typing import TYPE_CHECKING

from django.db import transaction
from django.db.models import Max, Min, Q, QuerySet
from django.db.models.functions import TruncMonth
from django.db.models.signals import post_delete, post_save
from django_tasks import task

from enquiries import signals
from enquiries.models import Concern, Enquiry, Person
from enquiries.timescales import load_timescales
from msp.access import hidden_part, in_team_scope
from msp.dates import age_on
from msp.db_routing import PRIMARY, primary_reads, report_queries
from outcomes.figures import mark_months
from outcomes.keeping import Keeper
from outcomes.models import FigureMonthChange, MonthlyFigures, MonthlyFiguresState
from outcomes.sac_spec import AGE_BAND_LOWER_BOUNDS, AGE_BANDS, AGE_UNKNOWN

if TYPE_CHECKING:
    from outcomes.reports import EqualityTotals, MonthlyCounts

# Raise when a counting rule in outcomes.reports or outcomes.figures changes
# (a figure's condition, say): the figures are then filled again before they
# are read.
RULES_VERSION = 2
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


def _concluded_in(start: datetime.date, end: datetime.date) -> QuerySet[Enquiry]:
    return Enquiry.objects.filter(status=Closed, concluded_on__range=(start, end))


def counted(
    start: datetime.date, end: datetime.date, *, equality: bool = True
) -> list[MonthlyFigures]:
    """The rows of the enquiries concluded from ``start`` to ``end`` (whole
    months), counted afresh by the reports' own conditions
    (:func:`outcomes.reports.counted_by_month`) and, with ``equality``, the
    equality report's groups (:func:`equality_counted`; otherwise left to
    count when an equality report first needs them)."""
    from outcomes.reports import counted_by_month

    enquiries = _concluded_in(start, end)
    counts = counted_by_month(enquiries, (start, end), by=KEPT_BY)
    groups = equality_counted(enquiries) if equality else {}
    return [
        MonthlyFigures(
            month=month,
            team_id=team,
            kind=kind,
            counts=json.dumps(n),
            equality=(
                json.dumps(groups.get((team, kind, month), {}), sort_keys=True)
                if equality
                else None
            ),
        )
        for (team, kind, month), n in sorted(counts.items())
    ]


# ---------------------------------------------------------------------------
# The equality report's groups (kept with the figures)
# ---------------------------------------------------------------------------
#
# The equality tables count each period's enquiries by the adult's gender,
# ethnic group and primary support reason (as recorded now), and by their age
# band on the period's last day, or at death. The first three are the same
# whatever the period. The age band is not: the same month is counted in
# periods ending up to eleven months later, and an adult may reach 65, 75, 85
# or 95 in between. So an age group is kept as the band at the end of the
# month of conclusion and, when it changes within the next eleven months (at
# most once: the bands are ten years wide), the number of months until it
# does and the band it becomes: "age|65-74" or "age|65-74|3|75-84". A period
# ending k months after the month reads the later band when the change is at
# most k months away. Periods longer than twelve months are counted afresh.

# The most months a period may have for its equality tables to be read from
# the kept rows.
EQUALITY_MONTHS_KEPT = 12
# An equality report counts at most this many months live (months changed
# since they were counted, or whose groups wait): the report's own query over
# those months only. With more, it counts afresh and asks the worker to count
# them.
EQUALITY_REPORT_COUNTS_AT_MOST = 3


def months_after(month: datetime.date, later: int) -> datetime.date:
    """The first day of the month ``later`` months after ``month``'s."""
    index = month.year * 12 + month.month - 1 + later
    return datetime.date(index // 12, index % 12 + 1, 1)


def months_between(first: datetime.date, last: datetime.date) -> int:
    """How many months ``last``'s month is after ``first``'s."""
    return (last.year - first.year) * 12 + last.month - first.month


@functools.lru_cache(maxsize=1024)
def _month_ends(month: datetime.date) -> tuple[datetime.date, ...]:
    """The last days of ``month`` and of the eleven months after it."""
    return tuple(
        month_end(months_after(month, later)) for later in range(EQUALITY_MONTHS_KEPT)
    )


def band_on(
    birth: datetime.date | None, death: datetime.date | None, day: datetime.date
) -> str:
    """The age band of the equality tables (the SG1a rows) for someone born
    and perhaps dead on these dates, on ``day``: what
    :func:`outcomes.sac.annotate_age_band` works out in the database."""
    if birth is None:
        return AGE_UNKNOWN
    age = age_on(birth, day, death)
    for lower, band in AGE_BAND_LOWER_BOUNDS:
        if age >= lower:
            return band
    return AGE_BANDS[0]


def age_group(
    birth: datetime.date | None, death: datetime.date | None, month: datetime.date
) -> str:
    """The kept age group (see above) of an enquiry concluded in ``month``."""
    ends = _month_ends(month)
    band = band_on(birth, death, ends[0])
    if band_on(birth, death, ends[-1]) == band:
        return f"age|{band}"
    for later, day in enumerate(ends[1:], start=1):
        becomes = band_on(birth, death, day)
        if becomes != band:
            return f"age|{band}|{later}|{becomes}"
    raise AssertionError("unreachable: the band differs by the last month")


def group_in_period(key: str, month: datetime.date, end: datetime.date) -> tuple:
    """The (dimension, group) a kept group of ``month`` counts in, for a
    period ending on ``end`` (a month's last day, within eleven months)."""
    dimension, band, *change = key.split("|")
    if change and int(change[0]) <= months_between(month, end):
        return dimension, change[1]
    return dimension, band


def equality_counted(enquiries: QuerySet[Enquiry]) -> dict[tuple, dict[str, list]]:
    """The equality counts of ``enquiries`` (concluded, whole months) per
    team, kind and month (keyed like :func:`counted`'s rows): each group
    and the count of each measure (``outcomes.reports.EQUALITY_MEASURES``).
    One read of the enquiries with their adult's details; the groups are
    worked out here, by the same rules as the report's query."""
    from outcomes import msp
    from outcomes.reports import (
        DIMENSIONS,
        add_equality,
        as_day,
        equality_group,
        equality_measures,
    )

    person = "concern__person__"
    details = [
        path for dimension, (_t, path, _g) in DIMENSIONS.items() if dimension != "age"
    ]
    dimensions = [dimension for dimension in DIMENSIONS if dimension != "age"]
    rows = (
        msp.annotate_msp_asked(enquiries)
        .annotate(month=TruncMonth("concluded_on"))
        .values_list(
            *KEPT_BY,
            "month",
            f"{person}date_of_birth",
            f"{person}date_of_death",
            msp.ANNOTATION,
            "outcomes_achieved",
            *details,
        )
        .order_by()
    )
    # One row per enquiry, tallied by what it is counted by; each distinct
    # code and answer is then worked out once.
    tally: Counter[tuple] = Counter()
    split = len(KEPT_BY)
    for row in rows:
        month = as_day(row[split])
        place = (*row[:split], month)
        birth, death, answer, achieved, *codes = row[split + 1 :]
        measures = (answer, achieved)
        for dimension, code in zip(dimensions, codes, strict=True):
            tally[place, dimension, code, measures] += 1
        tally[place, "age", age_group(birth, death, month), measures] += 1
    found: dict[tuple, dict] = {}
    for (place, dimension, code, measures), n in tally.items():
        group = (
            code
            if dimension == "age"
            else f"{dimension}|{equality_group(dimension, code)}"
        )
        add_equality(
            found.setdefault(place, {}), group, equality_measures(*measures), n
        )
    return found


def _count_again(months: list[datetime.date]) -> None:
    """Replace the kept rows of ``months`` (under the state's lock); their
    equality counts are left for the next equality report
    (:func:`count_equality_again`), so a dashboard does not wait for them."""
    MonthlyFigures.objects.using(PRIMARY).filter(month__in=months).delete()
    rows = []
    with report_queries():
        for month in months:
            rows += counted(month, month_end(month), equality=False)
    MonthlyFigures.objects.using(PRIMARY).bulk_create(rows, batch_size=2000)


def _equality_waiting(rows: QuerySet[MonthlyFigures]) -> list[datetime.date]:
    """The months of ``rows`` whose equality counts wait to be counted."""
    from outcomes.reports import as_day

    months = (
        rows.filter(equality__isnull=True).order_by().values_list("month", flat=True)
    )
    return sorted({as_day(month) for month in months.distinct()})


def count_equality_again(months: list[datetime.date] | None = None) -> int:
    """Count the equality groups of ``months`` (by default every month
    waiting) and keep them, under the state's lock; how many months. Does
    nothing while the figures are not filled."""
    with primary_reads(), transaction.atomic(using=PRIMARY):
        if not KEEPER.lock_filled_state():
            return 0
        waiting = MonthlyFigures.objects.using(PRIMARY)
        if months is not None:
            waiting = waiting.filter(month__in=months)
        chosen = _equality_waiting(waiting)
        with report_queries():
            for month in chosen:
                groups = equality_counted(_concluded_in(month, month_end(month)))
                rows = list(MonthlyFigures.objects.using(PRIMARY).filter(month=month))
                for row in rows:
                    key = (row.team_id, row.kind, row.month)
                    row.equality = json.dumps(groups.get(key, {}), sort_keys=True)
                MonthlyFigures.objects.using(PRIMARY).bulk_update(rows, ["equality"])
    return len(chosen)


@task()
def count_equality_in_the_background() -> int:
    """:func:`count_equality_again`, run by the task worker (``db_worker``)."""
    return count_equality_again()


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


def _holds(filters) -> bool:
    """Whether the kept rows hold these filters (see the module)."""
    return not (
        filters.practitioner_id
        or filters.risk_type
        or filters.location
        or filters.source
        or not whole_months(filters.start, filters.end)
    )


def _rows_in_scope(user, filters) -> QuerySet[MonthlyFigures]:
    """The kept rows of the period in the teams ``user`` may see."""
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
    return rows.order_by()


def _hidden_from(user, filters) -> QuerySet[Enquiry]:
    """The enquiries the rows count that ``user`` may not see (about the
    restricted people hidden from them)."""
    return hidden_part(
        user, _as_filtered(in_team_scope(user, Enquiry.objects.all()), filters)
    )


def kept_equality(user, filters) -> EqualityTotals | None:
    """What :func:`outcomes.reports.equality_totals` would count for the
    enquiries ``user`` may see concluded under ``filters``: the kept groups
    of the period's months, and the months marked as changed or whose groups
    wait (a few) counted live by the report's own query, as a count afresh
    would, so a report never counts a whole month again for the rows. None
    when they cannot answer (filters they do not hold, a period longer than
    a year, not filled, or more months to count than
    :data:`EQUALITY_REPORT_COUNTS_AT_MOST`), and the caller counts afresh."""
    from outcomes.reports import (
        add_equality,
        as_day,
        concluded_enquiries,
        equality_combinations,
        equality_totals,
    )

    if not _holds(filters) or (
        months_between(filters.start, filters.end) >= EQUALITY_MONTHS_KEPT
    ):
        return None
    with primary_reads():
        if not KEEPER.is_filled():
            _ready_to_read()  # asks for a fill
            return None
        # The marks first: a month counted again after this read has its
        # groups waiting when the rows are read, so it is counted live too.
        marked = (
            FigureMonthChange.objects.using(PRIMARY)
            .filter(month__range=(filters.start, filters.end))
            .order_by()
            .values_list("month", flat=True)
            .distinct()
        )
        live = {as_day(month) for month in marked}
        rows = [
            (as_day(month), text)
            for month, text in _rows_in_scope(user, filters).values_list(
                "month", "equality"
            )
        ]
        live |= {month for month, text in rows if text is None}
        if len(live) > EQUALITY_REPORT_COUNTS_AT_MOST:
            count_changes_in_the_background.enqueue()
            count_equality_in_the_background.enqueue()
            return None
        totals: EqualityTotals = {}
        for month, text in rows:
            if month not in live:
                for key, counts in json.loads(text).items():
                    add_equality(
                        totals, group_in_period(key, month, filters.end), counts
                    )
        # Less the enquiries hidden from the user in the months kept.
        hidden = _hidden_from(user, filters)
        if live:
            hidden = hidden.exclude(_in_months(live))
        if hidden.exists():
            combinations = equality_combinations(hidden, filters.end)
            for key, counts in equality_totals(combinations).items():
                add_equality(totals, key, counts, -1)
        if live:
            fresh = concluded_enquiries(user, filters).filter(_in_months(live))
            for key, counts in equality_totals(
                equality_combinations(fresh, filters.end)
            ).items():
                add_equality(totals, key, counts)
    return totals


def _in_months(months: set[datetime.date]) -> Q:
    """Enquiries concluded in any of ``months`` (at least one)."""
    condition = Q()
    for month in sorted(months):
        condition |= Q(concluded_on__range=(month, month_end(month)))
    return condition


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

    if not _holds(filters):
        return None
    with primary_reads():
        if not _ready_to_read():
            return None
        found: MonthlyCounts = {}
        for month, counts in _rows_in_scope(user, filters).values_list(
            "month", "counts"
        ):
            total = found.setdefault(as_day(month), dict.fromkeys(MONTHLY_KEYS, 0))
            for key, n in json.loads(counts).items():
                total[key] += n
        # Less the enquiries about restricted people hidden from the user.
        hidden = _hidden_from(user, filters)
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
        count_equality_again()

        def keyed(rows) -> dict[tuple, dict]:
            return {
                (row.month, row.team_id, row.kind): {
                    **json.loads(row.counts),
                    **json.loads(row.equality or "{}"),
                }
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


def _mark_months_of(enquiries: QuerySet[Enquiry]) -> None:
    """Mark the months the concluded ones of ``enquiries`` count in."""
    mark_months(
        enquiries.filter(status=Closed)
        .order_by()
        .values_list("concluded_on", flat=True)
        .distinct()
    )


def _adult_changed(
    sender, instance: Person, created: bool = False, raw: bool = False, **kwargs
) -> None:
    """An adult's details the equality tables group by changed: the months
    of their concluded enquiries are counted again."""
    if raw or created:
        return
    if instance.reported_details != getattr(instance, "_loaded_reported_details", ()):
        _mark_months_of(Enquiry.objects.filter(concern__person=instance.pk))


def _concern_changed(
    sender, instance: Concern, created: bool = False, raw: bool = False, **kwargs
) -> None:
    """A concern moved to another adult (past the case pages: in admin, or
    by a bulk update): its enquiries are counted with the other adult's
    details."""
    loaded = getattr(instance, "_loaded_scope", (None,))[0]
    if not (raw or created) and instance.person_id != loaded:
        _mark_months_of(Enquiry.objects.filter(concern=instance.pk))


def _rows_written(sender, queryset: QuerySet, values: dict, when: str = "", **kw):
    """Adults' details, or concerns' adults, written past ``save()`` (an
    ``update()``, or adults created or overwritten in bulk by an import)."""
    if when == "before":
        return
    if sender is Person and (
        when == "created" or set(Person.REPORTED_FIELDS) & set(values)
    ):
        _mark_months_of(
            Enquiry.objects.filter(concern__person__in=queryset.values("pk"))
        )
    elif sender is Concern and {"person", "person_id"} & set(values):
        _mark_months_of(Enquiry.objects.filter(concern__in=queryset.values("pk")))


def connect() -> None:
    uid = "outcomes_monthly_figures"
    post_delete.connect(_enquiry_deleted, sender=Enquiry, dispatch_uid=f"{uid}_delete")
    post_save.connect(_adult_changed, sender=Person, dispatch_uid=f"{uid}_adult")
    post_save.connect(_concern_changed, sender=Concern, dispatch_uid=f"{uid}_concern")
    signals.case_rows_written.connect(_rows_written, dispatch_uid=f"{uid}_rows")
