"""The database return against the independent reference, on varied data.

A seeded generator makes about 300 people with concerns, enquiries and
reviews over three financial years, with the awkward cases mixed in (no date
of birth, children, deaths, other councils' cases, risks missing a code,
unanswered questions, Other enquiries). The data go in through the import;
``compute_sac_return`` must then equal ``tests.support.sac_reference`` cell
by cell, in every year.
"""

from __future__ import annotations

import datetime
import io
import json
import random

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from enquiries import codes
from enquiries.interchange import import_cases
from outcomes.sac import compute_sac_return
from tests.support.sac_reference import compute_return

pytestmark = pytest.mark.django_db

YEARS = ("2022-23", "2023-24", "2024-25")
FIRST_DAY = datetime.date(2022, 4, 1)
LAST_DAY = datetime.date(2025, 3, 31)


def _maybe(rng: random.Random, value, chance_of_none: float):
    return None if rng.random() < chance_of_none else value


def _day_between(rng: random.Random, start: datetime.date, end: datetime.date):
    return start + datetime.timedelta(days=rng.randint(0, (end - start).days))


def synthetic_records(people: int = 300, seed: int = 20241) -> list[dict]:
    """Varied interchange records; the same seed gives the same records."""
    rng = random.Random(seed)
    records: list[dict] = []
    enquiries = 0
    for p in range(people):
        roll = rng.random()
        if roll < 0.08:
            born = None
        elif roll < 0.13:
            # Turns 18 somewhere in the period: some concerns out of scope.
            born = _day_between(
                rng, datetime.date(2004, 4, 1), datetime.date(2007, 3, 31)
            )
        else:
            born = _day_between(
                rng, datetime.date(1922, 1, 1), datetime.date(2000, 1, 1)
            )
            if rng.random() < 0.03:
                born = born.replace(month=2, day=29) if born.year % 4 == 0 else born
        conditions = rng.sample(
            ["autism", "asperger_hfa", "dementia", "mental_health", "autism"],
            k=rng.choice([0, 0, 0, 1, 2, 3]),
        )
        person = {
            "record": "person",
            "ref": f"P{p}",
            "given_name": "Synthetic",
            "family_name": f"Person {p}",
            "date_of_birth": born.isoformat() if born else None,
            "gender": _maybe(rng, rng.choice(codes.Gender.values), 0.05),
            "ethnicity": _maybe(rng, rng.choice(codes.Ethnicity.values), 0.05),
            "primary_support_reason": _maybe(
                rng, rng.choice(codes.SupportReason.values), 0.05
            ),
            "health_conditions": conditions,
        }
        latest = FIRST_DAY
        for c in range(rng.choice([1, 1, 1, 2, 2, 3])):
            received = _day_between(
                rng, FIRST_DAY - datetime.timedelta(days=60), LAST_DAY
            )
            concern_ref = f"C{p}-{c}"
            records.append(
                {
                    "record": "concern",
                    "ref": concern_ref,
                    "person": f"P{p}",
                    "received_on": received.isoformat(),
                    "in_our_area": rng.choice([True] * 12 + [False, None]),
                }
            )
            latest = max(latest, received)
            if rng.random() < 0.35:
                continue
            for number in range(rng.choice([1, 1, 1, 2])):
                started = received + datetime.timedelta(days=rng.randint(0, 50))
                concluded = None
                if rng.random() < 0.8:
                    concluded = started + datetime.timedelta(days=rng.randint(0, 200))
                latest = max(latest, concluded or started)
                outcome = _maybe(rng, rng.choice(codes.RiskOutcome.values), 0.08)
                identified = outcome in codes.RiskOutcome.risk_identified()
                risks = []
                for _ in range(rng.choice([0, 1, 1, 2, 3])):
                    risks.append(
                        {
                            "type": _maybe(
                                rng, rng.choice(codes.RiskType.values), 0.05
                            ),
                            "location": _maybe(
                                rng, rng.choice(codes.RiskLocation.values), 0.05
                            ),
                            "source": _maybe(
                                rng, rng.choice(codes.RiskSource.values), 0.05
                            ),
                        }
                    )
                desired = [
                    {
                        "text": f"Outcome {k}",
                        "achieved": _maybe(rng, rng.choice(codes.Achieved.values), 0.3),
                    }
                    for k in range(rng.choice([0, 0, 1, 1, 2]))
                ]
                records.append(
                    {
                        "record": "enquiry",
                        # Named after its concern: loading another seed
                        # updates the same enquiry of the same concern (an
                        # import never moves one to another concern).
                        "ref": f"E{p}-{c}-{number}",
                        "concern": concern_ref,
                        "kind": rng.choice(["section_42"] * 9 + ["other"]),
                        "started_on": started.isoformat(),
                        "concluded_on": concluded.isoformat() if concluded else None,
                        "risks": risks,
                        "risk_assessment_outcome": outcome,
                        "risk_result": _maybe(
                            rng, rng.choice(codes.RiskResult.values), 0.1
                        )
                        if identified
                        else None,
                        "lacked_capacity": _maybe(
                            rng, rng.choice(codes.YesNoDontKnow.values), 0.1
                        ),
                        "capacity_support": rng.choice([True, False, None]),
                        "asked_desired_outcomes": _maybe(
                            rng, rng.choice(codes.YesNoDontKnow.values), 0.1
                        ),
                        "desired_outcomes": desired,
                        "outcomes_achieved": _maybe(
                            rng, rng.choice(codes.Achieved.values), 0.2
                        ),
                    }
                )
                enquiries += 1
        if rng.random() < 0.1:
            died = latest + datetime.timedelta(days=rng.randint(0, 400))
            person["date_of_death"] = died.isoformat()
        # People may come after their concerns: forward references.
        records.append(person)
    for s in range(12):
        completed = _maybe(rng, _day_between(rng, FIRST_DAY, LAST_DAY), 0.15)
        records.append(
            {
                "record": "sar",
                "ref": f"S{s}",
                "completed_on": completed.isoformat() if completed else None,
                "individuals": [
                    {
                        "person": rng.choice([None, f"P{rng.randrange(people)}"]),
                        "died": rng.random() < 0.4,
                    }
                    for _ in range(rng.randint(0, 3))
                ],
            }
        )
    return records


def load(records: list[dict]) -> None:
    text = "".join(json.dumps(record) + "\n" for record in records)
    report = import_cases(io.StringIO(text), stdout=io.StringIO())
    assert report.ok, report.errors[:20]


def test_database_return_equals_the_reference_in_every_year():
    records = synthetic_records()
    load(records)
    for year in (*YEARS, "2021-22", "2025-26"):
        expected = compute_return(records, year)
        actual = compute_sac_return(year)
        assert list(actual) == list(expected)
        differences = {
            key: (actual[key], expected[key])
            for key in expected
            if actual[key] != expected[key]
        }
        assert differences == {}, year
    busy = compute_sac_return("2023-24")
    assert busy[("SG1f", "Total Number of Safeguarding Concerns", "")] > 100
    assert sum(v for k, v in busy.items() if k[0] == "SG3a") > 50


def _queries(year: str) -> int:
    with CaptureQueriesContext(connection) as context:
        compute_sac_return(year)
    return len(context.captured_queries)


def test_query_count_does_not_grow_with_the_data():
    load(synthetic_records(people=20, seed=1))
    small = _queries("2023-24")
    load(synthetic_records(people=200, seed=2))
    assert _queries("2023-24") == small
    assert small <= 25
