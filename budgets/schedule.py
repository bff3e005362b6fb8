"""Reg 7 review dates, computed here and nowhere else.

The first review is due within 6 months of the first payment; after that,
no more than 12 months after the last review.
"""

from __future__ import annotations

import calendar
import datetime

FIRST_REVIEW_MONTHS = 6
REVIEW_INTERVAL_MONTHS = 12


def add_months(day: datetime.date, months: int) -> datetime.date:
    """``day`` moved by whole months, clamped to the end of a shorter month.

    31 August + 6 months is 28 (or 29) February, not 3 March.
    """
    index = day.year * 12 + (day.month - 1) + months
    year, month = divmod(index, 12)
    month += 1
    last_day = calendar.monthrange(year, month)[1]
    return datetime.date(year, month, min(day.day, last_day))


def next_review_due(
    *,
    first_payment_on: datetime.date,
    last_review_on: datetime.date | None = None,
) -> datetime.date:
    """When the next scheduled review is due."""
    if last_review_on is None:
        return add_months(first_payment_on, FIRST_REVIEW_MONTHS)
    return add_months(last_review_on, REVIEW_INTERVAL_MONTHS)
