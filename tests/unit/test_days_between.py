"""``msp.dates.DaysBetween``: whole days between two dates counted by the
database, the same on SQLite and PostgreSQL, also against the previous row's
date in a window."""

import datetime

import pytest
from django.db.models import Count, F, Value, Window
from django.db.models.fields import DateField
from django.db.models.functions import Lag

from enquiries.factories import ConcernFactory, PersonFactory
from enquiries.models import Concern
from msp.dates import DaysBetween

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("later", "earlier", "days"),
    [
        (datetime.date(2025, 3, 1), datetime.date(2024, 2, 28), 367),  # leap day
        (datetime.date(2025, 3, 30), datetime.date(2025, 3, 29), 1),  # clocks change
        (datetime.date(2025, 1, 1), datetime.date(2025, 1, 1), 0),
        (datetime.date(2025, 1, 1), datetime.date(2025, 1, 31), -30),
    ],
)
def test_days_between_two_dates(later, earlier, days):
    ConcernFactory(received_on=later)
    gap = Concern.objects.annotate(
        gap=DaysBetween(F("received_on"), Value(earlier, output_field=DateField()))
    ).values_list("gap", flat=True)
    assert list(gap) == [days]


def test_days_since_the_previous_day_in_a_grouped_window():
    person = PersonFactory()
    days = [datetime.date(2025, 1, 1), datetime.date(2025, 1, 1)]
    days += [datetime.date(2025, 1, 5), datetime.date(2025, 2, 10)]
    for day in days:
        ConcernFactory(person=person, received_on=day)
    rows = (
        Concern.objects.filter(person=person)
        .order_by()
        .values("received_on")
        .annotate(
            n=Count("pk"),
            gap=DaysBetween(
                F("received_on"),
                Window(Lag("received_on"), order_by="received_on"),
            ),
        )
        .order_by("received_on")
    )
    # One row per day; the first has no day before it.
    assert [(row["n"], row["gap"]) for row in rows] == [(2, None), (1, 4), (1, 36)]
