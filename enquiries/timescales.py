"""How long each stage should take, in working days (configurable; warn, never block).

Working days skip weekends and the bank holidays of England and Wales. The
number of days per step comes from :class:`~enquiries.models.StageTimescale`
rows, falling back to the defaults below (domain reference, section 1.10).
"""

from __future__ import annotations

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
