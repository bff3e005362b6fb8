"""The SG1a age band worked out by the database equals the SAC rule.

``outcomes.sac.annotate_age_band`` compares a living person's date of birth
with :func:`msp.dates.born_by` and works out the age only of people who died
first; these tests hold both to :func:`msp.dates.age_on` and
``sac_spec.age_band`` on awkward dates (29 February, birthdays on the day,
deaths before, on and after the day).
"""

import datetime
import random

import pytest

from enquiries.factories import PersonFactory
from enquiries.models import Person
from msp.dates import age_on, born_by
from outcomes import sac, sac_spec

DAYS = [
    datetime.date(2025, 3, 31),
    datetime.date(2024, 2, 29),
    datetime.date(2025, 2, 28),
    datetime.date(2025, 3, 1),
    datetime.date(2023, 12, 31),
]


def _random_day(rng: random.Random, first: int, last: int) -> datetime.date:
    start = datetime.date(first, 1, 1)
    return start + datetime.timedelta(
        days=rng.randint(0, (datetime.date(last, 12, 31) - start).days)
    )


def test_born_by_is_the_last_birthday_old_enough():
    rng = random.Random(20261205)
    births = [datetime.date(1932, 2, 29), datetime.date(1960, 3, 1)]
    births += [_random_day(rng, 1900, 2010) for _ in range(400)]
    for day in DAYS + [_random_day(rng, 2000, 2030) for _ in range(40)]:
        for age in (18, 64, 65, 75, 85, 95, 100):
            cutoff = born_by(age, day)
            assert age_on(cutoff, day) >= age
            assert age_on(cutoff + datetime.timedelta(days=1), day) < age
            for birth in births:
                assert (age_on(birth, day) >= age) == (birth <= cutoff), (
                    birth,
                    day,
                    age,
                )


def test_born_by_before_year_one_is_no_date():
    assert born_by(95, datetime.date(50, 3, 31)) is None
    assert born_by(49, datetime.date(50, 3, 31)) == datetime.date(1, 3, 31)


def test_born_by_on_29_february():
    # 95 years before 29 February 2024 is 1929, which had no 29 February.
    assert born_by(95, datetime.date(2024, 2, 29)) == datetime.date(1929, 2, 28)
    assert born_by(96, datetime.date(2024, 2, 29)) == datetime.date(1928, 2, 29)


@pytest.mark.django_db
def test_the_database_band_equals_the_sac_rule():
    rng = random.Random(31)
    year_end = datetime.date(2025, 3, 31)
    expected = {}
    edges = [born_by(age, year_end) for age, _ in sac_spec.AGE_BAND_LOWER_BOUNDS]
    births = [None, datetime.date(1932, 2, 29), *edges]
    births += [edge + datetime.timedelta(days=1) for edge in edges]
    births += [_random_day(rng, 1915, 2000) for _ in range(60)]
    for birth in births:
        for death in (None, year_end, year_end - datetime.timedelta(days=1), "random"):
            if death == "random":
                death = _random_day(rng, 2005, 2030)
            if birth is not None and death is not None and death < birth:
                continue
            if birth is not None and age_on(birth, year_end, death) < 18:
                continue
            person = PersonFactory(date_of_birth=birth, date_of_death=death)
            expected[person.pk] = sac_spec.age_band(birth, death, year_end)
    counted = dict(
        sac.annotate_age_band(Person.objects.all(), on=year_end).values_list(
            "pk", "_band"
        )
    )
    assert counted == expected
    # Every band came up, and deaths before the day took the slow path.
    assert set(expected.values()) == {
        sac_spec.AGE_UNKNOWN,
        "18-64",
        *(band for _, band in sac_spec.AGE_BAND_LOWER_BOUNDS),
    }
