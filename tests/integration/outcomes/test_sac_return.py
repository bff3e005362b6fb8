"""The SAC return counted from the database: worked examples and edge cases.

Each scenario is loaded through the interchange import (the way councils
bring their history in), or built with the factories where it exercises
something only the app records (withdrawn risks, a kind changed after the
start, empty answers). The expected cells are counted by hand from
spec/sac.md sections 4 and 7.3.
"""

from __future__ import annotations

import datetime
import io
import json
from collections.abc import Iterable
from typing import Any

import pytest

from enquiries.factories import (
    ConcernFactory,
    DesiredOutcomeFactory,
    EnquiryFactory,
    PersonFactory,
    RiskFactory,
)
from enquiries.interchange import import_cases
from outcomes.sac import compute_sac_return
from outcomes.sac_spec import consistency_problems

pytestmark = pytest.mark.django_db

Record = dict[str, Any]
YEAR = "2024-25"
CONCERNS, S42, OTHER = (
    "Safeguarding Concerns",
    "Section 42 Enquiries",
    "Other Enquiries",
)
SG1F_CONCERNS = ("SG1f", "Total Number of Safeguarding Concerns", "")
SG1F_S42 = ("SG1f", "Total Number of Section 42 Safeguarding Enquiries", "")
SG1F_OTHER = ("SG1f", "Total Number of Other Safeguarding Enquiries", "")
SP, KNOWN, UNKNOWN = (
    "Service Provider",
    "Other - Known to individual",
    "Other - Unknown to individual",
)
EXPRESSED = "Yes they were asked and outcomes were expressed"
NOT_EXPRESSED = "Yes they were asked but no outcomes were expressed"
BORN = "1945-08-01"  # 75-84 on every 31 March from 2023 to 2026


# ---------------------------------------------------------------------------
# Interchange builders
# ---------------------------------------------------------------------------


def person(ref="p1", *, born=BORN, died=None, gender="female", conditions=()):
    return {
        "record": "person",
        "ref": ref,
        "given_name": "Test",
        "family_name": ref.upper(),
        "date_of_birth": born,
        "date_of_death": died,
        "gender": gender,
        "ethnicity": "white_british",
        "primary_support_reason": "physical_personal_care",
        "health_conditions": list(conditions),
    }


def concern(ref, person_ref, received, *, in_our_area=True):
    return {
        "record": "concern",
        "ref": ref,
        "person": person_ref,
        "received_on": received,
        "in_our_area": in_our_area,
    }


def risk(type_="physical", location="own_home", source="known"):
    return {"type": type_, "location": location, "source": source}


def enquiry(
    ref,
    concern_ref,
    started,
    *,
    kind="section_42",
    concluded=None,
    risks: Iterable[dict] = (),
    outcome="risk_identified_action",
    result="reduced",
    capacity="no",
    support=False,
    asked="yes",
    outcomes: Iterable[str] = ("To feel safe at home",),
    achieved="fully",
) -> Record:
    return {
        "record": "enquiry",
        "ref": ref,
        "concern": concern_ref,
        "kind": kind,
        "started_on": started,
        "concluded_on": concluded,
        "risks": list(risks) or [risk()],
        "risk_assessment_outcome": outcome,
        "risk_result": result,
        "lacked_capacity": capacity,
        "capacity_support": support,
        "asked_desired_outcomes": asked,
        "desired_outcomes": [{"text": t, "achieved": None} for t in outcomes],
        "outcomes_achieved": achieved,
    }


def concluded_case(n: int, concluded="2024-10-01", **answers) -> list[Record]:
    return [
        person(f"p{n}"),
        concern(f"c{n}", f"p{n}", "2024-05-01"),
        enquiry(f"e{n}", f"c{n}", "2024-05-02", concluded=concluded, **answers),
    ]


def load(records: Iterable[Record]) -> None:
    text = "".join(json.dumps(record) + "\n" for record in records)
    report = import_cases(io.StringIO(text), stdout=io.StringIO())
    assert report.ok, report.errors


def table(cells, code: str) -> dict[tuple[str, str], int]:
    return {
        (row, column): value
        for (name, row, column), value in cells.items()
        if name == code and value
    }


def column_people(cells, column: str) -> dict[str, int]:
    """SG1a totals for one column (individuals)."""
    return sum(v for (t, _, c), v in cells.items() if t == "SG1a" and c == column)


# ---------------------------------------------------------------------------
# Worked examples, spec/sac.md section 4
# ---------------------------------------------------------------------------


def test_mr_x_three_s42_enquiries_is_one_individual_three_cases():
    load(
        [
            person("x"),
            concern("c1", "x", "2024-04-10"),
            concern("c2", "x", "2024-07-10"),
            concern("c3", "x", "2024-11-10"),
            enquiry("e1", "c1", "2024-04-11"),
            enquiry("e2", "c2", "2024-07-11"),
            enquiry("e3", "c3", "2024-11-11"),
        ]
    )
    cells = compute_sac_return(YEAR)
    for code in ("SG1a", "SG1b", "SG1c", "SG1d"):
        assert sum(v for (r, c), v in table(cells, code).items() if c == S42) == 1
    assert table(cells, "SG1a") == {("75-84", CONCERNS): 1, ("75-84", S42): 1}
    assert cells[SG1F_S42] == 3
    assert cells[SG1F_CONCERNS] == 3


def test_mrs_y_concern_in_one_year_enquiry_in_the_next():
    load(
        [
            person("y"),
            concern("c", "y", "2025-02-10"),
            enquiry("e", "c", "2025-04-03", concluded="2025-06-20"),
        ]
    )
    first = compute_sac_return("2024-25")
    assert table(first, "SG1a") == {("75-84", CONCERNS): 1}
    assert (first[SG1F_CONCERNS], first[SG1F_S42]) == (1, 0)
    assert table(first, "SG3a") == {}
    second = compute_sac_return("2025-26")
    assert table(second, "SG1a") == {("75-84", S42): 1}
    assert (second[SG1F_CONCERNS], second[SG1F_S42]) == (0, 1)
    assert table(second, "SG3a") == {("No, they did not lack capacity", ""): 1}
    assert table(second, "SG4a") == {(EXPRESSED, ""): 1, ("Fully achieved", ""): 1}


def test_mr_z_commenced_in_one_year_concluded_in_the_next():
    load(
        [
            person("z"),
            concern("c", "z", "2023-10-30"),
            enquiry("e", "c", "2023-11-01", concluded="2024-05-15"),
        ]
    )
    cells = compute_sac_return(YEAR)
    assert {k[0] for k, v in cells.items() if v} == {
        "SG2a",
        "SG2b",
        "SG2ab1",
        "SG2c",
        "SG2e",
        "SG3a",
        "SG4a",
    }
    earlier = compute_sac_return("2023-24")
    assert earlier[SG1F_S42] == 1
    assert table(earlier, "SG3a") == {}


def test_ms_w_still_open_at_31_march_counts_in_sg1_only():
    load(
        [person("w"), concern("c", "w", "2025-03-01"), enquiry("e", "c", "2025-03-01")]
    )
    cells = compute_sac_return(YEAR)
    assert table(cells, "SG1a") == {("75-84", CONCERNS): 1, ("75-84", S42): 1}
    assert cells[SG1F_S42] == 1
    assert not any(
        v for k, v in cells.items() if k[0].startswith(("SG2", "SG3", "SG4"))
    )


def test_same_person_in_concerns_s42_and_other_columns():
    load(
        [
            person("p"),
            concern("may", "p", "2024-05-01"),
            concern("sep", "p", "2024-09-01"),
            enquiry("other", "may", "2024-05-10", kind="other"),
            enquiry("s42", "sep", "2024-09-05"),
        ]
    )
    cells = compute_sac_return(YEAR)
    assert table(cells, "SG1b") == {
        ("Female", CONCERNS): 1,
        ("Female", S42): 1,
        ("Female", OTHER): 1,
    }
    assert (cells[SG1F_CONCERNS], cells[SG1F_S42], cells[SG1F_OTHER]) == (2, 1, 1)


@pytest.mark.parametrize(
    ("born", "died", "band"),
    [
        ("1935-06-30", None, "85-94"),  # 89 on 31 March 2025
        ("1930-03-15", "2025-02-01", "85-94"),  # 94 at death, not 95
        (None, None, "Age unknown"),
        ("1929-03-31", None, "95+"),  # 96th birthday on the last day
        ("1960-01-01", None, "65-74"),  # 64 at the concern, 65 by 31 March
        ("1960-04-01", None, "18-64"),  # 65 only on 1 April, the next year
    ],
)
def test_age_band_on_31_march_or_at_death(born, died, band):
    load(
        [
            person("p", born=born, died=died),
            concern("c", "p", "2024-05-01"),
        ]
    )
    assert table(compute_sac_return(YEAR), "SG1a") == {(band, CONCERNS): 1}


def test_physical_by_paid_care_worker_and_financial_by_son():
    load(
        concluded_case(
            1,
            risks=[
                risk("physical", source="service_provider"),
                risk("financial_material"),
            ],
        )
    )
    assert table(compute_sac_return(YEAR), "SG2a") == {
        ("Physical Abuse", SP): 1,
        ("Financial or Material Abuse", KNOWN): 1,
    }


def test_physical_by_agency_carer_and_by_stranger_counts_in_each_source():
    load(
        concluded_case(
            1,
            risks=[
                risk("physical", source="service_provider"),
                risk("physical", location="community", source="unknown"),
            ],
        )
    )
    cells = compute_sac_return(YEAR)
    assert table(cells, "SG2a") == {
        ("Physical Abuse", SP): 1,
        ("Physical Abuse", UNKNOWN): 1,
    }
    assert table(cells, "SG2b") == {
        ("Own Home", SP): 1,
        ("In the Community", UNKNOWN): 1,
    }
    assert table(cells, "SG2ab1") == {
        ("Physical Abuse", "Own Home"): 1,
        ("Physical Abuse", "In the Community"): 1,
    }


def test_two_strangers_count_once_and_repeated_types_once():
    load(
        concluded_case(
            1,
            risks=[
                risk("psychological", source="unknown"),
                risk("psychological", source="unknown"),
                risk("sexual", source="unknown"),
            ],
        )
    )
    assert table(compute_sac_return(YEAR), "SG2a") == {
        ("Psychological Abuse", UNKNOWN): 1,
        ("Sexual Abuse", UNKNOWN): 1,
    }


def test_risk_identified_no_action_and_risk_remained():
    load(concluded_case(1, outcome="risk_identified_no_action", result="remained"))
    cells = compute_sac_return(YEAR)
    assert table(cells, "SG2c") == {("Risk identified and no action taken", ""): 1}
    assert table(cells, "SG2e") == {("Risk remained", ""): 1}


@pytest.mark.parametrize(
    ("code", "row"),
    [
        ("no_risk_no_action", "No risk identified and no action taken"),
        ("inconclusive_action", "Risk Assessment inconclusive and action taken"),
        (
            "ceased_at_request",
            "Enquiry ceased at individual's request and no action taken",
        ),
    ],
)
def test_outcomes_without_an_identified_risk_never_reach_sg2e(code, row):
    load(concluded_case(1, outcome=code, result=None))
    cells = compute_sac_return(YEAR)
    assert table(cells, "SG2c") == {(row, ""): 1}
    assert table(cells, "SG2e") == {}


def test_lacked_capacity_with_advocate_and_support_only_counts_with_yes():
    load(
        [
            *concluded_case(1, capacity="yes", support=True),
            *concluded_case(2, capacity="no", support=True),
            *concluded_case(3, capacity=None),
        ]
    )
    assert table(compute_sac_return(YEAR), "SG3a") == {
        ("Yes, they lacked capacity", ""): 1,
        ("No, they did not lack capacity", ""): 1,
        ("Not recorded", ""): 1,
        (
            "Of the enquiries recorded as Yes, in how many of these cases was "
            "support provided by an advocate, family or friend",
            "",
        ): 1,
    }


def test_making_safeguarding_personal_answers():
    load(
        [
            *concluded_case(1, achieved="partially"),
            *concluded_case(2, outcomes=(), achieved=None),
            *concluded_case(3, asked="no", outcomes=(), achieved=None),
            *concluded_case(4, asked="dont_know", outcomes=(), achieved=None),
            *concluded_case(5, asked=None, outcomes=(), achieved=None),
        ]
    )
    cells = compute_sac_return(YEAR)
    assert table(cells, "SG4a") == {
        (EXPRESSED, ""): 1,
        (NOT_EXPRESSED, ""): 1,
        ("No", ""): 1,
        ("Don't know", ""): 1,
        ("Not recorded", ""): 1,
        ("Partially achieved", ""): 1,
    }
    assert consistency_problems(cells) == []


# ---------------------------------------------------------------------------
# Edge cases, spec/sac.md section 7.3
# ---------------------------------------------------------------------------


def test_person_with_both_autism_codes_is_in_both_sg1e_rows_once():
    load(
        [
            person("p", conditions=["autism", "asperger_hfa", "dementia", "autism"]),
            concern("c", "p", "2024-06-01"),
        ]
    )
    rows = table(compute_sac_return(YEAR), "SG1e")
    assert sorted(rows.values()) == [1, 1]
    assert {column for _, column in rows} == {CONCERNS}


def test_only_the_council_where_the_abuse_occurred_counts():
    load(
        [
            person("away"),
            concern("c-away", "away", "2024-06-01", in_our_area=False),
            enquiry("e-away", "c-away", "2024-06-02", concluded="2024-09-01"),
            person("here"),
            concern("c-here", "here", "2024-06-01"),
        ]
    )
    cells = compute_sac_return(YEAR)
    assert table(cells, "SG1a") == {("75-84", CONCERNS): 1}
    assert cells[SG1F_S42] == 0
    assert table(cells, "SG3a") == {}


def test_under_18_on_the_concern_date_is_out_of_scope_even_after_turning_18():
    load(
        [
            person("young", born="2006-09-01"),
            concern("c", "young", "2024-06-01"),  # 17 on the day received
            enquiry("e", "c", "2024-09-10", concluded="2024-12-01"),  # 18 by now
            person("adult", born="2006-06-01"),
            concern("c2", "adult", "2024-06-01"),  # 18th birthday that day
        ]
    )
    cells = compute_sac_return(YEAR)
    assert table(cells, "SG1a") == {("18-64", CONCERNS): 1}
    assert cells[SG1F_CONCERNS] == 1
    assert cells[SG1F_S42] == 0
    assert table(cells, "SG3a") == {}


def test_year_boundaries_are_inclusive():
    load(
        [
            person("a"),
            concern("first", "a", "2024-04-01"),
            concern("last", "a", "2025-03-31"),
            concern("before", "a", "2024-03-31"),
            concern("after", "a", "2025-04-01"),
        ]
    )
    assert compute_sac_return(YEAR)[SG1F_CONCERNS] == 2


def test_missing_demographics_fall_into_the_not_known_rows():
    load(
        [
            {
                "record": "person",
                "ref": "p",
                "given_name": "Unknown",
                "family_name": "Unknown",
            },
            concern("c", "p", "2024-06-01"),
        ]
    )
    cells = compute_sac_return(YEAR)
    assert table(cells, "SG1a") == {("Age unknown", CONCERNS): 1}
    assert table(cells, "SG1b") == {("Not Known", CONCERNS): 1}
    assert table(cells, "SG1c") == {("Undeclared / Not Known", CONCERNS): 1}
    assert table(cells, "SG1d") == {("Not Known", CONCERNS): 1}


def test_large_scale_care_home_enquiry_counts_each_resident():
    records = []
    for n in range(3):
        records += [
            person(f"r{n}"),
            concern(f"c{n}", f"r{n}", "2024-06-01"),
            enquiry(
                f"e{n}",
                f"c{n}",
                "2024-06-02",
                concluded="2024-08-01",
                risks=[risk("organisational", "care_home_nursing", "service_provider")],
            ),
        ]
    load(records)
    cells = compute_sac_return(YEAR)
    assert column_people(cells, S42) == 3
    assert table(cells, "SG2b") == {("Care Home - Nursing", SP): 3}


def test_other_enquiries_never_reach_sg2_to_sg4():
    load(
        [
            person("p"),
            concern("c", "p", "2024-05-01"),
            enquiry("e", "c", "2024-05-02", kind="other", concluded="2024-07-01"),
        ]
    )
    cells = compute_sac_return(YEAR)
    assert cells[SG1F_OTHER] == 1
    assert not any(
        v for k, v in cells.items() if k[0].startswith(("SG2", "SG3", "SG4"))
    )


def test_kind_changed_after_start_counts_by_start_in_sg1_and_by_end_in_sg2():
    load(
        [
            person("p"),
            concern("c", "p", "2024-05-01"),
            {
                **enquiry("e", "c", "2024-05-02", concluded="2024-08-01"),
                "kind_at_start": "other",
            },
        ]
    )
    cells = compute_sac_return(YEAR)
    assert (cells[SG1F_S42], cells[SG1F_OTHER]) == (0, 1)
    assert table(cells, "SG3a") == {("No, they did not lack capacity", ""): 1}


def test_safeguarding_adult_reviews_completed_in_the_year():
    load(
        [
            person("p"),
            {
                "record": "sar",
                "ref": "s1",
                "completed_on": "2024-07-01",
                "individuals": [
                    {"person": "p", "died": True},
                    {"person": None, "died": False},
                ],
            },
            {
                "record": "sar",
                "ref": "s2",
                "completed_on": "2025-01-01",
                "individuals": [],
            },
            {
                "record": "sar",
                "ref": "s3",
                "completed_on": "2025-06-01",
                "individuals": [],
            },
            {"record": "sar", "ref": "s4", "completed_on": None, "individuals": []},
        ]
    )
    cells = compute_sac_return(YEAR)
    assert table(cells, "SG5a") == {
        ("Where one or more individuals died", ""): 1,
        ("Where no individuals died", ""): 1,
    }
    assert table(cells, "SG5b") == {
        ("Who suffered serious harm and died", ""): 1,
        ("Who suffered serious harm and survived", ""): 1,
    }


# ---------------------------------------------------------------------------
# Records made in the app: withdrawn rows, empty answers, concern-level outcomes
# ---------------------------------------------------------------------------


def _app_enquiry(**kwargs):
    enquiry = EnquiryFactory(
        concluded=True,
        # Factory ages are relative to today: pin an adult birth date.
        concern__person__date_of_birth=datetime.date(1950, 1, 1),
        concern__received_on="2024-05-01",
        started_on="2024-05-02",
        concluded_on="2024-09-01",
        **kwargs,
    )
    return enquiry


def test_withdrawn_risks_are_not_counted():
    enquiry = _app_enquiry()
    RiskFactory(concern=enquiry.concern, enquiry=enquiry, risk_type="physical")
    RiskFactory(
        concern=enquiry.concern, enquiry=enquiry, risk_type="sexual", is_withdrawn=True
    )
    RiskFactory(concern=enquiry.concern, risk_type="financial_material")  # alleged only
    assert table(compute_sac_return(YEAR), "SG2a") == {("Physical Abuse", KNOWN): 1}


def test_empty_answers_are_not_recorded():
    _app_enquiry(
        lacked_capacity="", asked_desired_outcomes="", risk_assessment_outcome=""
    )
    cells = compute_sac_return(YEAR)
    assert table(cells, "SG3a") == {("Not recorded", ""): 1}
    assert table(cells, "SG4a") == {("Not recorded", ""): 1}
    assert table(cells, "SG2c") == {}


def test_outcomes_expressed_counts_live_outcomes_on_the_enquiry_or_its_concern():
    withdrawn_only = _app_enquiry()
    DesiredOutcomeFactory(
        person=withdrawn_only.concern.person,
        enquiry=withdrawn_only,
        status="withdrawn",
    )
    on_concern = _app_enquiry()
    DesiredOutcomeFactory(person=on_concern.concern.person, concern=on_concern.concern)
    cells = compute_sac_return(YEAR)
    assert table(cells, "SG4a") == {
        (EXPRESSED, ""): 1,
        (NOT_EXPRESSED, ""): 1,
        ("Fully achieved", ""): 1,
    }


def test_factory_people_and_concerns_without_enquiries():
    ConcernFactory(
        received_on="2024-06-01",
        person=PersonFactory(gender="male", date_of_birth=datetime.date(1950, 1, 1)),
    )
    cells = compute_sac_return(YEAR)
    assert table(cells, "SG1b") == {("Male", CONCERNS): 1}


def test_bad_year_is_refused():
    with pytest.raises(ValueError, match="2024-25"):
        compute_sac_return("2024")


def test_self_neglect_by_the_adult_themself_counts_as_known_to_individual():
    # docs/sac.md: the adult themself is "Other - Known to individual"; with
    # a son also a source of the same type the pair still counts once.
    load(
        concluded_case(
            1,
            risks=[
                risk("self_neglect", source="self"),
                risk("self_neglect", source="known"),
            ],
        )
    )
    cells = compute_sac_return(YEAR)
    assert table(cells, "SG2a") == {("Self-Neglect", KNOWN): 1}
    assert table(cells, "SG2b") == {("Own Home", KNOWN): 1}
