"""Dates every app counts the same way: a person's age and the financial year.

Age is computed here once: :func:`age_on` in Python (the person pages, the
intake match, the SAC return's own rules in ``outcomes.sac_spec``) and
:func:`annotate_age`, its twin in SQL, and :func:`born_by`, the same rule
turned round (the latest date of birth for an age), which the SAC return's
tables and the equality dashboard compare dates of birth with for everyone
still alive. All count completed years, on the day asked or at death
if that came first; someone born on 29 February becomes a year older on
1 March in other years, as in English law.
"""

from __future__ import annotations

import datetime

from django.db.models import Case, F, Func, IntegerField, Q, QuerySet, Value, When
from django.db.models.functions import ExtractDay, ExtractMonth, ExtractYear


def age_on(
    date_of_birth: datetime.date,
    day: datetime.date,
    date_of_death: datetime.date | None = None,
) -> int:
    """Age in completed years on ``day``, or at death if that came first."""
    if date_of_death is not None and date_of_death < day:
        day = date_of_death
    birthday_to_come = (day.month, day.day) < (date_of_birth.month, date_of_birth.day)
    return day.year - date_of_birth.year - int(birthday_to_come)


def born_by(age: int, day: datetime.date) -> datetime.date | None:
    """The latest date of birth of someone at least ``age`` on ``day`` by
    :func:`age_on`'s rule: ``age_on(birth, day) >= age`` exactly when
    ``birth <= born_by(age, day)``. A database compares a date of birth with
    it instead of working out each person's age. On 29 February of a year
    ``age`` years after a non-leap year it is 28 February (no one was born
    on the 29th that year). None when it would fall before year 1 (no date
    of birth is that early)."""
    year = day.year - age
    if year < datetime.MINYEAR:
        return None
    try:
        return day.replace(year=year)
    except ValueError:
        return day.replace(year=year, day=28)


def financial_year_of(day: datetime.date) -> str:
    """The English financial year (1 April to 31 March) holding ``day``,
    as ``"2024-25"``."""
    first = day.year if day.month >= 4 else day.year - 1
    return f"{first}-{(first + 1) % 100:02d}"


def annotate_age(
    queryset: QuerySet,
    *,
    on: datetime.date,
    birth: str = "date_of_birth",
    death: str = "date_of_death",
    name: str = "_age",
) -> QuerySet:
    """``queryset`` with ``name`` = :func:`age_on` of the dates at the ORM
    paths ``birth`` and ``death``, computed by the database (NULL with no
    date of birth)."""
    parts = {
        f"{name}_b_y": ExtractYear(birth),
        f"{name}_b_m": ExtractMonth(birth),
        f"{name}_b_d": ExtractDay(birth),
        f"{name}_d_y": ExtractYear(death),
        f"{name}_d_m": ExtractMonth(death),
        f"{name}_d_d": ExtractDay(death),
    }
    b_m, b_d = F(f"{name}_b_m"), F(f"{name}_b_d")
    to_come_on_day = Case(
        When(
            Q(**{f"{name}_b_m__gt": on.month})
            | Q(**{f"{name}_b_m": on.month, f"{name}_b_d__gt": on.day}),
            then=Value(1),
        ),
        default=Value(0),
        output_field=IntegerField(),
    )
    to_come_at_death = Case(
        When(
            Q(**{f"{name}_d_m__lt": b_m})
            | Q(**{f"{name}_d_m": b_m, f"{name}_d_d__lt": b_d}),
            then=Value(1),
        ),
        default=Value(0),
        output_field=IntegerField(),
    )
    age = Case(
        When(
            **{f"{death}__lt": on},
            then=F(f"{name}_d_y") - F(f"{name}_b_y") - to_come_at_death,
        ),
        default=Value(on.year) - F(f"{name}_b_y") - to_come_on_day,
        output_field=IntegerField(),
    )
    return queryset.annotate(**parts).annotate(**{name: age})


# -- How dates are shown -----------------------------------------------------
# One format everywhere (GOV.UK style): "6 May 2025"; a moment as
# "6 May 2025, 2:30pm". Templates use the filters of the same names
# (msp/templatetags/msp_dates.py, built into every template).


class DaysBetween(Func):
    """Days from the second date to the first, in SQL (an integer; NULL when
    either is NULL). The second may be a window function, e.g. the previous
    row's date (``Lag``), over grouped columns."""

    arity = 2
    output_field = IntegerField()
    template = "(%(expressions)s)"
    arg_joiner = " - "  # PostgreSQL: date - date is a number of days

    def as_sqlite(self, compiler, connection, **extra_context):
        return self.as_sql(
            compiler,
            connection,
            template="CAST(julianday(%(expressions)s) AS INTEGER)",
            arg_joiner=") - julianday(",
            **extra_context,
        )

    def get_group_by_cols(self):
        if self.contains_over_clause:
            return []  # SQL allows no window function in GROUP BY
        return super().get_group_by_cols()


def format_day(value: datetime.date | datetime.datetime | None) -> str:
    """``6 May 2025`` (a datetime is shown as its local day)."""
    if value is None or value == "":
        return ""
    from django.utils import dateformat

    if isinstance(value, datetime.datetime):
        value = _local(value)
    # Django's formatter: the month's name in the active language, in the
    # form a date takes ("E": "6 grudnia 2025" in Polish, not "Grudzień").
    return dateformat.format(value, "j E Y")


def format_time(
    value: datetime.datetime | datetime.time | None, *, seconds=False
) -> str:
    """``2:30pm``, ``midday``, ``midnight`` (``2:30:15pm`` with seconds)."""
    if value is None or value == "":
        return ""
    if isinstance(value, datetime.datetime):
        value = _local(value)
    if value.minute == 0 and value.second == 0 and value.hour in (0, 12):
        return "midnight" if value.hour == 0 else "midday"
    hour = value.hour % 12 or 12
    shown = f"{hour}:{value.minute:02d}"
    if seconds:
        shown += f":{value.second:02d}"
    return shown + ("am" if value.hour < 12 else "pm")


def format_when(value: datetime.datetime | None, *, seconds=False) -> str:
    """``6 May 2025, 2:30pm``: a moment, in local time."""
    if value is None or value == "":
        return ""
    if not isinstance(value, datetime.datetime):
        return format_day(value)
    value = _local(value)
    return f"{format_day(value)}, {format_time(value, seconds=seconds)}"


def _local(value: datetime.datetime) -> datetime.datetime:
    from django.utils import timezone

    return timezone.localtime(value) if timezone.is_aware(value) else value
