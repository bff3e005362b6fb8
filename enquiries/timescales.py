"""How long each stage should take, in working days (configurable; warn, never block).

Working days skip weekends and the bank holidays of England and Wales. The
number of days per step comes from :class:`~enquiries.models.StageTimescale`
rows, falling back to the defaults below (domain reference, section 1.10).
"""

from __future__ import annotations

import bisect
import datetime
from functools import lru_cache

import holidays

from enquiries.models import Enquiry, StageTimescale

DEFAULT_WORKING_DAYS: dict[str, int] = {
    StageTimescale.Step.DECISION: 2,
    StageTimescale.Step.STRATEGY: 5,
    StageTimescale.Step.CAUSED_REPORT: 20,
    StageTimescale.Step.PLAN: 7,
    StageTimescale.Step.FIRST_REVIEW: 30,
    StageTimescale.Step.CLOSURE: 28,
}

# The timescale that applies while an enquiry is at each status.
STEP_FOR_ENQUIRY_STATUS: dict[str, str] = {
    Enquiry.Status.PLANNING: StageTimescale.Step.STRATEGY,
    Enquiry.Status.IN_PROGRESS: StageTimescale.Step.CLOSURE,
    Enquiry.Status.OUTCOME_RECORDED: StageTimescale.Step.PLAN,
    Enquiry.Status.PLAN_ACTIVE: StageTimescale.Step.CLOSURE,
    Enquiry.Status.CLOSURE_REQUESTED: StageTimescale.Step.CLOSURE,
}


@lru_cache(maxsize=32)
def _bank_holidays(year: int) -> frozenset[datetime.date]:
    # England and Wales share one list of bank holidays.
    return frozenset(holidays.country_holidays("GB", subdiv="ENG", years=year))


def is_working_day(day: datetime.date) -> bool:
    return day.weekday() < 5 and day not in _bank_holidays(day.year)


@lru_cache(maxsize=8192)
def add_working_days(start: datetime.date, n: int) -> datetime.date:
    """The date ``n`` working days after ``start`` (``start`` itself never counts)."""
    day = start
    remaining = n
    while remaining > 0:
        day += datetime.timedelta(days=1)
        if is_working_day(day):
            remaining -= 1
    return day


def working_days_taken(begin: datetime.date, end: datetime.date) -> int:
    """How many working days a step took from ``begin`` to ``end``: the
    smallest ``n`` with ``end <= add_working_days(begin, n)`` (0 when ``end``
    is not after ``begin``). So a step is within a timescale of ``n`` working
    days exactly when it took ``n`` or fewer.

    Counted by arithmetic (weekdays by whole weeks, bank holidays by a sorted
    list) rather than day by day, so a report can time thousands of steps.
    """
    if end <= begin:
        return 0
    first, last = begin.toordinal() + 1, end.toordinal() - 1  # strictly between
    weekdays = _weekdays_to(last) - _weekdays_to(first - 1) if last >= first else 0
    holidays_between = 0
    for year in range(begin.year, end.year + 1):
        days = _weekday_holidays(year)
        low = bisect.bisect_right(days, begin)
        high = bisect.bisect_left(days, end)
        holidays_between += max(0, high - low)
    return weekdays - holidays_between + 1


def _weekdays_to(ordinal: int) -> int:
    """Weekdays from 1 January of year 1 (a Monday) to the day ``ordinal``."""
    return ordinal // 7 * 5 + min(ordinal % 7, 5)


@lru_cache(maxsize=64)
def _weekday_holidays(year: int) -> tuple[datetime.date, ...]:
    return tuple(sorted(day for day in _bank_holidays(year) if day.weekday() < 5))


def load_timescales() -> dict[str, int]:
    """Working days per step: configured rows over the defaults (one query)."""
    configured = dict(StageTimescale.objects.values_list("step", "working_days"))
    return {**DEFAULT_WORKING_DAYS, **configured}


def concern_decision_due(
    received_on: datetime.date, timescales: dict[str, int]
) -> datetime.date:
    return add_working_days(received_on, timescales[StageTimescale.Step.DECISION])


def enquiry_due(enquiry: Enquiry, timescales: dict[str, int]) -> datetime.date | None:
    """When the enquiry's current stage is due, counted from its start."""
    step = STEP_FOR_ENQUIRY_STATUS.get(enquiry.status)
    if step is None:
        return None
    return add_working_days(enquiry.started_on, timescales[step])


def is_overdue(due: datetime.date | None, today: datetime.date | None = None) -> bool:
    return due is not None and due < (today or datetime.date.today())
