"""Reg 7 review dates: 6 months after the first payment, then 12 after the last."""

import datetime

import pytest

from budgets.schedule import add_months, next_review_due

D = datetime.date


@pytest.mark.parametrize(
    ("start", "months", "expected"),
    [
        (D(2025, 1, 15), 6, D(2025, 7, 15)),
        (D(2025, 8, 31), 6, D(2026, 2, 28)),  # February is short
        (D(2027, 8, 31), 6, D(2028, 2, 29)),  # leap year
        (D(2025, 3, 31), 6, D(2025, 9, 30)),  # 30-day month
        (D(2025, 7, 10), 6, D(2026, 1, 10)),  # crosses the year
        (D(2024, 2, 29), 12, D(2025, 2, 28)),  # leap day a year on
        (D(2025, 12, 31), 12, D(2026, 12, 31)),
    ],
)
def test_add_months_clamps_to_the_end_of_a_short_month(start, months, expected):
    assert add_months(start, months) == expected


def test_first_review_is_six_months_after_the_first_payment():
    assert next_review_due(first_payment_on=D(2025, 8, 31)) == D(2026, 2, 28)


def test_later_reviews_are_twelve_months_after_the_last_review():
    due = next_review_due(first_payment_on=D(2025, 1, 1), last_review_on=D(2025, 5, 20))
    assert due == D(2026, 5, 20)
