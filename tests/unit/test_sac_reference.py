"""The SAC return's shared definitions and its reference implementation.

Each scenario is a handful of interchange records with hand-counted cells. The
worked examples are those of spec/sac.md section 4 and the edge cases those of
section 7.3. No database and no Django: these run under any pytest setup.
"""

from __future__ import annotations

import ast
import csv
import io
from collections.abc import Iterable
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from outcomes.sac_spec import (
    ENQUIRY_KIND_COLUMNS,
    ETHNICITY_GROUPS,
    GENDER_LABELS,
    RISK_LOCATION_LABELS,
    RISK_SOURCE_LABELS,
    RISK_TYPE_LABELS,
    SUPPORT_REASON_GROUP_BY_CODE,
    TABLES,
    CellKey,
    age_band,
    all_cells,
    consistency_problems,
    empty_return,
    ethnicity_label,
    financial_year_bounds,
    gender_label,
    msp_asked_label,
    risk_type_label,
    write_long_csv,
)
from tests.support.sac_reference import compute_return

Record = dict[str, Any]

YEAR = "2024-25"
CONCERNS = "Safeguarding Concerns"
S42 = "Section 42 Enquiries"
OTHER = "Other Enquiries"
SG1F_CONCERNS = ("SG1f", "Total Number of Safeguarding Concerns", "")
SG1F_S42 = ("SG1f", "Total Number of Section 42 Safeguarding Enquiries", "")
SG1F_OTHER = ("SG1f", "Total Number of Other Safeguarding Enquiries", "")
AUTISM = (
    "Learning, Developmental or Intellectual Disability "
    "(Autism excluding Asperger's Syndrome/ High Functioning Autism)"
)
ASPERGER = (
    "Learning, Developmental or Intellectual Disability "
    "(Asperger's Syndrome/ High Functioning Autism)"
)
SP = "Service Provider"
KNOWN = "Other - Known to individual"
UNKNOWN = "Other - Unknown to individual"
EXPRESSED = "Yes they were asked and outcomes were expressed"
NOT_EXPRESSED = "Yes they were asked but no outcomes were expressed"

# A date of birth that falls in the 75-84 band on every 31 March from 2023
# to 2026, so a scenario spanning years keeps one band.
BORN = "1945-08-01"


# ---------------------------------------------------------------------------
# Record builders
# ---------------------------------------------------------------------------


def person(
    ref: str = "p1",
    *,
    born: str | None = BORN,
    died: str | None = None,
    gender: str | None = "female",
    ethnicity: str | None = "white_british",
    psr: str | None = "physical_personal_care",
    conditions: Iterable[str] = (),
) -> Record:
    return {
        "record": "person",
        "ref": ref,
        "given_name": "Unknown",
        "family_name": "Unknown",
        "date_of_birth": born,
        "date_of_death": died,
        "gender": gender,
        "ethnicity": ethnicity,
        "primary_support_reason": psr,
        "health_conditions": list(conditions),
    }


def concern(
    ref: str, person_ref: str, received: str, *, in_our_area: bool | None = True
) -> Record:
    return {
        "record": "concern",
        "ref": ref,
        "person": person_ref,
        "received_on": received,
        "in_our_area": in_our_area,
    }


def risk(
    type_: str = "physical", location: str = "own_home", source: str = "known"
) -> dict[str, str]:
    return {"type": type_, "location": location, "source": source}


def enquiry(
    ref: str,
    concern_ref: str,
    started: str,
    *,
    kind: str = "section_42",
    concluded: str | None = None,
    risks: Iterable[dict[str, str]] = (),
    outcome: str | None = "risk_identified_action",
    result: str | None = "reduced",
    capacity: str | None = "no",
    support: bool = False,
    asked: str | None = "yes",
    outcomes: Iterable[str] = ("To feel safe at home",),
    achieved: str | None = "fully",
) -> Record:
    """An enquiry; concluded ones default to complete, consistent answers."""
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
        "desired_outcomes": [{"text": text, "achieved": None} for text in outcomes],
        "outcomes_achieved": achieved,
    }


def sar(ref: str, completed: str | None, *died: bool) -> Record:
    return {
        "record": "sar",
        "ref": ref,
        "completed_on": completed,
        "individuals": [{"person": None, "died": flag} for flag in died],
    }


def concluded_case(
    n: int, concluded: str = "2024-10-01", **answers: Any
) -> list[Record]:
    """Person, concern and one concluded S42 enquiry, all numbered ``n``."""
    return [
        person(f"p{n}"),
        concern(f"c{n}", f"p{n}", "2024-05-01"),
        enquiry(f"e{n}", f"c{n}", "2024-05-02", concluded=concluded, **answers),
    ]


# ---------------------------------------------------------------------------
# Expectation helpers
# ---------------------------------------------------------------------------


def nonzero(cells: dict[CellKey, int]) -> dict[CellKey, int]:
    return {key: value for key, value in cells.items() if value}


def table(cells: dict[CellKey, int], code: str) -> dict[tuple[str, str], int]:
    """The non-zero cells of one table, keyed by (category, subcategory)."""
    return {
        (row, column): value
        for (name, row, column), value in cells.items()
        if name == code and value
    }


def individual(
    column: str,
    band: str = "75-84",
    gender: str = "Female",
    ethnicity: str = "White",
    psr: str = "Physical Support",
    count: int = 1,
) -> dict[CellKey, int]:
    """The SG1a-SG1d cells that one (or ``count``) individuals add to."""
    return {
        ("SG1a", band, column): count,
        ("SG1b", gender, column): count,
        ("SG1c", ethnicity, column): count,
        ("SG1d", psr, column): count,
    }


def expect(*parts: dict[CellKey, int]) -> dict[CellKey, int]:
    total: dict[CellKey, int] = {}
    for part in parts:
        for key, value in part.items():
            total[key] = total.get(key, 0) + value
    return total


def default_case_details(count: int = 1) -> dict[CellKey, int]:
    """Cells added by ``count`` concluded enquiries with the default answers."""
    return {
        ("SG2a", "Physical Abuse", KNOWN): count,
        ("SG2b", "Own Home", KNOWN): count,
        ("SG2ab1", "Physical Abuse", "Own Home"): count,
        ("SG2c", "Risk identified and action taken", ""): count,
        ("SG2e", "Risk reduced", ""): count,
        ("SG3a", "No, they did not lack capacity", ""): count,
        ("SG4a", EXPRESSED, ""): count,
        ("SG4a", "Fully achieved", ""): count,
    }


# ---------------------------------------------------------------------------
# outcomes.sac_spec: layout, code lists, helpers
# ---------------------------------------------------------------------------


def test_tables_are_those_of_the_output_contract_in_order() -> None:
    assert [t.code for t in TABLES] == [
        "SG1a", "SG1b", "SG1c", "SG1d", "SG1e", "SG1f", "SG2a", "SG2b",
        "SG2ab1", "SG2c", "SG2e", "SG3a", "SG4a", "SG5a", "SG5b",
    ]  # fmt: skip
    shapes = {t.code: (len(t.rows), len(t.columns)) for t in TABLES}
    assert shapes == {
        "SG1a": (6, 3), "SG1b": (3, 3), "SG1c": (7, 3), "SG1d": (8, 3),
        "SG1e": (2, 3), "SG1f": (3, 1), "SG2a": (11, 3), "SG2b": (9, 3),
        "SG2ab1": (11, 9), "SG2c": (7, 1), "SG2e": (3, 1), "SG3a": (5, 1),
        "SG4a": (8, 1), "SG5a": (2, 1), "SG5b": (2, 1),
    }  # fmt: skip
    without_columns = ("SG1f", "SG2c", "SG2e", "SG3a", "SG4a", "SG5a", "SG5b")
    for t in TABLES:
        assert len(set(t.rows)) == len(t.rows), t.code
        assert len(set(t.columns)) == len(t.columns), t.code
        assert (t.columns == ("",)) == (t.code in without_columns), t.code


def test_selected_labels_are_exact() -> None:
    by_code = {t.code: t for t in TABLES}
    assert by_code["SG1a"].rows == (
        "18-64", "65-74", "75-84", "85-94", "95+", "Age unknown",
    )  # fmt: skip
    assert by_code["SG1a"].columns == (CONCERNS, S42, OTHER)
    assert by_code["SG1e"].rows == (AUTISM, ASPERGER)
    assert by_code["SG2a"].columns == (SP, KNOWN, UNKNOWN)
    assert by_code["SG2c"].rows[6] == (
        "Enquiry ceased at individual's request and no action taken"
    )
    assert by_code["SG3a"].rows == (
        "Yes, they lacked capacity",
        "No, they did not lack capacity",
        "Don't know",
        "Not recorded",
        "Of the enquiries recorded as Yes, in how many of these cases was "
        "support provided by an advocate, family or friend",
    )
    assert by_code["SG4a"].rows == (
        EXPRESSED, NOT_EXPRESSED, "No", "Don't know", "Not recorded",
        "Fully achieved", "Partially achieved", "Not achieved",
    )  # fmt: skip
    assert by_code["SG5b"].rows == (
        "Who suffered serious harm and died",
        "Who suffered serious harm and survived",
    )


def test_code_lists_match_the_interchange_format() -> None:
    assert set(GENDER_LABELS) == {"male", "female", "not_known"}
    assert len(ETHNICITY_GROUPS) == 21
    assert ETHNICITY_GROUPS["white_roma"] == "White"
    assert ETHNICITY_GROUPS["other_arab"] == "Other Ethnic Group"
    assert ETHNICITY_GROUPS["refused"] == "Refused"
    assert ETHNICITY_GROUPS["not_known"] == "Undeclared / Not Known"
    assert len(SUPPORT_REASON_GROUP_BY_CODE) == 13
    assert SUPPORT_REASON_GROUP_BY_CODE["social_isolation_other"] == "Social Support"
    assert list(RISK_TYPE_LABELS) == [
        "physical", "sexual", "psychological", "financial_material",
        "discriminatory", "organisational", "neglect_omission", "domestic",
        "sexual_exploitation", "modern_slavery", "self_neglect",
    ]  # fmt: skip
    assert RISK_TYPE_LABELS["neglect_omission"] == "Neglect and Acts of Omission"
    assert RISK_LOCATION_LABELS["community"] == "In the Community"
    assert RISK_LOCATION_LABELS["hospital_community"] == "Hospital - Community"
    assert dict(RISK_SOURCE_LABELS) == {
        "service_provider": SP,
        "known": KNOWN,
        "unknown": UNKNOWN,
        "self": KNOWN,  # self-neglect: the adult themself
    }
    assert dict(ENQUIRY_KIND_COLUMNS) == {"section_42": S42, "other": OTHER}


def test_missing_codes_map_to_the_not_known_rows() -> None:
    assert gender_label(None) == "Not Known"
    assert ethnicity_label(None) == "Undeclared / Not Known"
    assert msp_asked_label(None, outcomes_expressed=True) == "Not recorded"


def test_unknown_codes_are_rejected_clearly() -> None:
    with pytest.raises(ValueError, match="unknown ethnicity code 'martian'"):
        ethnicity_label("martian")
    with pytest.raises(ValueError, match="unknown type of risk code 'bad'"):
        risk_type_label("bad")


def test_financial_year_bounds() -> None:
    assert financial_year_bounds("2024-25") == (date(2024, 4, 1), date(2025, 3, 31))
    assert financial_year_bounds("1999-00") == (date(1999, 4, 1), date(2000, 3, 31))


@pytest.mark.parametrize(
    "text", ["2024", "2024-26", "2024/25", "24-25", "2024-2025", " 2024-25", ""]
)
def test_financial_year_bounds_rejects_bad_strings(text: str) -> None:
    with pytest.raises(ValueError, match="financial year"):
        financial_year_bounds(text)


YEAR_END = date(2025, 3, 31)


@pytest.mark.parametrize(
    ("born", "expected"),
    [
        (date(2007, 3, 31), "18-64"),  # 18th birthday on 31 March
        (date(1960, 4, 1), "18-64"),  # 65 on 1 April: after the year end
        (date(1960, 3, 31), "65-74"),
        (date(1950, 4, 1), "65-74"),
        (date(1950, 3, 31), "75-84"),
        (date(1940, 4, 1), "75-84"),
        (date(1940, 3, 31), "85-94"),
        (date(1935, 6, 30), "85-94"),  # sac.md 4.4: age 89
        (date(1930, 4, 1), "85-94"),
        (date(1930, 3, 31), "95+"),
        (date(1920, 1, 1), "95+"),
    ],
)
def test_age_band_on_31_march(born: date, expected: str) -> None:
    assert age_band(born, None, YEAR_END) == expected


def test_age_band_uses_age_at_death() -> None:
    # sac.md 4.4: born 15 March 1930, died 1 February 2025: 94, not 95.
    assert age_band(date(1930, 3, 15), date(2025, 2, 1), YEAR_END) == "85-94"
    assert age_band(date(1930, 3, 15), None, YEAR_END) == "95+"
    # A death after the year end does not change the age on 31 March.
    assert age_band(date(1930, 3, 15), date(2025, 5, 1), YEAR_END) == "95+"


def test_age_band_unknown_and_leap_day() -> None:
    assert age_band(None, None, YEAR_END) == "Age unknown"
    assert age_band(None, date(2024, 6, 1), YEAR_END) == "Age unknown"
    # Born 29 February 1960: 65 on 1 March 2025 (2025 has no 29 February).
    assert age_band(date(1960, 2, 29), date(2025, 2, 28), YEAR_END) == "18-64"
    assert age_band(date(1960, 2, 29), date(2025, 3, 1), YEAR_END) == "65-74"


def test_age_band_refuses_children() -> None:
    with pytest.raises(ValueError, match="under 18"):
        age_band(date(2007, 4, 1), None, YEAR_END)


def test_empty_return_has_every_cell_at_zero_in_order() -> None:
    cells = empty_return()
    assert len(cells) == 267
    assert set(cells.values()) == {0}
    keys = list(cells)
    assert keys == list(all_cells())
    assert keys[0] == ("SG1a", "18-64", CONCERNS)
    assert keys[1] == ("SG1a", "18-64", S42)
    assert keys[-1] == ("SG5b", "Who suffered serious harm and survived", "")


def test_write_long_csv_writes_every_cell_with_exact_header() -> None:
    cells = {
        ("SG1a", "95+", OTHER): 4,
        ("SG2ab1", "Self-Neglect", "Own Home"): 12,
        ("SG5a", "Where no individuals died", ""): 1,
    }
    out = io.StringIO()
    write_long_csv(cells, out)
    text = out.getvalue()
    assert text.startswith("table,category,subcategory,value\n")
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0] == ["table", "category", "subcategory", "value"]
    body = rows[1:]
    assert len(body) == 267
    assert [tuple(row[:3]) for row in body] == list(all_cells())
    values = {tuple(row[:3]): row[3] for row in body}
    assert values[("SG1a", "95+", OTHER)] == "4"
    assert values[("SG2ab1", "Self-Neglect", "Own Home")] == "12"
    assert values[("SG5a", "Where no individuals died", "")] == "1"
    assert sum(value == "0" for value in values.values()) == 264
    # Labels containing commas survive quoting.
    assert values[("SG1e", AUTISM, S42)] == "0"
    assert f'SG1e,"{AUTISM}",{S42},0' in text


def test_write_long_csv_rejects_a_mistyped_cell() -> None:
    with pytest.raises(ValueError, match="not cells of the SAC return"):
        write_long_csv({("SG1a", "Age Unknown", CONCERNS): 1}, io.StringIO())


def test_shared_code_never_imports_django() -> None:
    root = Path(__file__).resolve().parents[2]
    for relative in ("outcomes/sac_spec.py", "tests/support/sac_reference.py"):
        tree = ast.parse((root / relative).read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                names = [node.module or ""]
            else:
                continue
            assert not any(n.split(".")[0] == "django" for n in names), relative


# ---------------------------------------------------------------------------
# sac.md 4.1: Mr X
# ---------------------------------------------------------------------------


def test_mr_x_three_s42_enquiries_counts_once_per_column() -> None:
    records = [person("x", gender="male", conditions=["autism", "diabetes"])]
    for n, month in enumerate(("05", "08", "11"), start=1):
        records.append(concern(f"c{n}", "x", f"2024-{month}-01"))
        records.append(enquiry(f"e{n}", f"c{n}", f"2024-{month}-03"))
    cells = compute_return(records, YEAR)
    assert nonzero(cells) == expect(
        individual(CONCERNS, gender="Male"),
        individual(S42, gender="Male"),
        {("SG1e", AUTISM, CONCERNS): 1, ("SG1e", AUTISM, S42): 1},
        {SG1F_CONCERNS: 3, SG1F_S42: 3},
    )


def test_person_with_both_autism_codes_is_in_both_sg1e_rows_once() -> None:
    records = [
        person(conditions=["autism", "asperger_hfa", "autism"]),
        concern("c1", "p1", "2024-06-01"),
    ]
    assert table(compute_return(records, YEAR), "SG1e") == {
        (AUTISM, CONCERNS): 1,
        (ASPERGER, CONCERNS): 1,
    }


# ---------------------------------------------------------------------------
# sac.md 4.2 and 4.4: sources and types of risk
# ---------------------------------------------------------------------------


def test_physical_abuse_by_agency_carer_and_stranger() -> None:
    records = concluded_case(
        1,
        risks=[
            risk("physical", "own_home", "service_provider"),
            risk("physical", "own_home", "unknown"),
        ],
    )
    cells = compute_return(records, YEAR)
    assert table(cells, "SG2a") == {
        ("Physical Abuse", SP): 1,
        ("Physical Abuse", UNKNOWN): 1,
    }
    assert table(cells, "SG2b") == {("Own Home", SP): 1, ("Own Home", UNKNOWN): 1}
    # Both risks share type and location: one count in the cross-tab.
    assert table(cells, "SG2ab1") == {("Physical Abuse", "Own Home"): 1}


def test_stranger_and_unpaid_family_carer() -> None:
    records = concluded_case(
        1,
        risks=[
            risk("psychological", "community", "unknown"),
            risk("psychological", "own_home", "known"),
        ],
    )
    cells = compute_return(records, YEAR)
    assert table(cells, "SG2a") == {
        ("Psychological Abuse", KNOWN): 1,
        ("Psychological Abuse", UNKNOWN): 1,
    }
    assert table(cells, "SG2b") == {
        ("In the Community", UNKNOWN): 1,
        ("Own Home", KNOWN): 1,
    }
    assert table(cells, "SG2ab1") == {
        ("Psychological Abuse", "In the Community"): 1,
        ("Psychological Abuse", "Own Home"): 1,
    }


def test_two_strangers_count_once() -> None:
    records = concluded_case(
        1,
        risks=[
            risk("financial_material", "community", "unknown"),
            risk("financial_material", "community", "unknown"),
        ],
    )
    cells = compute_return(records, YEAR)
    assert table(cells, "SG2a") == {("Financial or Material Abuse", UNKNOWN): 1}
    assert table(cells, "SG2b") == {("In the Community", UNKNOWN): 1}
    assert table(cells, "SG2ab1") == {
        ("Financial or Material Abuse", "In the Community"): 1
    }


def test_several_types_count_once_each_and_repeats_once() -> None:
    records = concluded_case(
        1,
        risks=[
            risk("physical", "care_home_nursing", "service_provider"),
            risk("physical", "care_home_nursing", "service_provider"),
            risk("neglect_omission", "care_home_nursing", "service_provider"),
            risk("financial_material", "care_home_nursing", "known"),
        ],
    )
    cells = compute_return(records, YEAR)
    assert table(cells, "SG2a") == {
        ("Physical Abuse", SP): 1,
        ("Neglect and Acts of Omission", SP): 1,
        ("Financial or Material Abuse", KNOWN): 1,
    }
    assert table(cells, "SG2b") == {
        ("Care Home - Nursing", SP): 1,
        ("Care Home - Nursing", KNOWN): 1,
    }
    assert table(cells, "SG2ab1") == {
        ("Physical Abuse", "Care Home - Nursing"): 1,
        ("Neglect and Acts of Omission", "Care Home - Nursing"): 1,
        ("Financial or Material Abuse", "Care Home - Nursing"): 1,
    }


def test_physical_by_paid_care_worker_and_financial_by_son() -> None:
    records = concluded_case(
        1,
        risks=[
            risk("physical", "own_home", "service_provider"),
            risk("financial_material", "own_home", "known"),
        ],
    )
    assert table(compute_return(records, YEAR), "SG2a") == {
        ("Physical Abuse", SP): 1,
        ("Financial or Material Abuse", KNOWN): 1,
    }


def test_gp_and_assessment_staff_are_never_service_provider() -> None:
    # The GP (known to her) and the council's assessor (not known) are coded
    # "known" and "unknown" at source: SAC "Other", never "Service Provider".
    records = concluded_case(
        1,
        risks=[
            risk("neglect_omission", "hospital_community", "known"),
            risk("organisational", "hospital_acute", "unknown"),
        ],
    )
    cells = compute_return(records, YEAR)
    assert table(cells, "SG2a") == {
        ("Neglect and Acts of Omission", KNOWN): 1,
        ("Organisational Abuse", UNKNOWN): 1,
    }
    assert not any(column == SP for _, column in table(cells, "SG2b"))


def test_self_neglect_source_is_the_person_known_to_themselves() -> None:
    records = concluded_case(1, risks=[risk("self_neglect", "own_home", "known")])
    cells = compute_return(records, YEAR)
    assert table(cells, "SG2a") == {("Self-Neglect", KNOWN): 1}
    assert table(cells, "SG2ab1") == {("Self-Neglect", "Own Home"): 1}


def test_risk_missing_a_code_counts_where_its_other_codes_allow() -> None:
    records = concluded_case(
        1, risks=[{"type": "sexual", "location": "other", "source": None}]
    )
    cells = compute_return(records, YEAR)
    assert table(cells, "SG2a") == {}
    assert table(cells, "SG2b") == {}
    assert table(cells, "SG2ab1") == {("Sexual Abuse", "Other"): 1}


# ---------------------------------------------------------------------------
# sac.md 4.3: concern and enquiry, large-scale enquiries, two councils
# ---------------------------------------------------------------------------


def test_concern_leading_to_enquiry_counts_as_both() -> None:
    records = [
        person(),
        concern("c1", "p1", "2024-06-01"),
        enquiry("e1", "c1", "2024-06-10"),
    ]
    assert nonzero(compute_return(records, YEAR)) == expect(
        individual(CONCERNS),
        individual(S42),
        {SG1F_CONCERNS: 1, SG1F_S42: 1},
    )


def test_large_scale_care_home_enquiry_counts_each_resident() -> None:
    records: list[Record] = []
    for n in (1, 2, 3):
        records.append(person(f"r{n}", born="1935-01-01"))
        records.append(concern(f"c{n}", f"r{n}", "2024-09-01"))
        risks = [risk("organisational", "care_home_residential", "service_provider")]
        if n == 3:
            risks.append(
                risk("neglect_omission", "care_home_residential", "service_provider")
            )
        records.append(
            enquiry(f"e{n}", f"c{n}", "2024-09-02", concluded="2025-01-15", risks=risks)
        )
    cells = compute_return(records, YEAR)
    assert nonzero(cells) == expect(
        individual(CONCERNS, band="85-94", count=3),
        individual(S42, band="85-94", count=3),
        {SG1F_CONCERNS: 3, SG1F_S42: 3},
        {
            ("SG2a", "Organisational Abuse", SP): 3,
            ("SG2a", "Neglect and Acts of Omission", SP): 1,
            ("SG2b", "Care Home - Residential", SP): 3,
            ("SG2ab1", "Organisational Abuse", "Care Home - Residential"): 3,
            ("SG2ab1", "Neglect and Acts of Omission", "Care Home - Residential"): 1,
            ("SG2c", "Risk identified and action taken", ""): 3,
            ("SG2e", "Risk reduced", ""): 3,
            ("SG3a", "No, they did not lack capacity", ""): 3,
            ("SG4a", EXPRESSED, ""): 3,
            ("SG4a", "Fully achieved", ""): 3,
        },
    )


def test_only_the_council_where_the_abuse_occurred_counts() -> None:
    records = [
        # Placed by us in another council's area and abused there: theirs.
        person("away"),
        concern("c-away", "away", "2024-07-01", in_our_area=False),
        enquiry("e-away", "c-away", "2024-07-02", concluded="2024-08-01"),
        # Placed here by another council and abused here: ours.
        person("placed", gender="male"),
        concern("c-placed", "placed", "2024-07-01", in_our_area=True),
        # in_our_area absent or null takes its default, true.
        person("plain", gender="not_known"),
        {
            "record": "concern",
            "ref": "c-plain",
            "person": "plain",
            "received_on": "2024-07-05",
        },
        concern("c-null", "plain", "2024-08-05", in_our_area=None),
    ]
    assert nonzero(compute_return(records, YEAR)) == expect(
        individual(CONCERNS, gender="Male"),
        individual(CONCERNS, gender="Not Known"),
        {SG1F_CONCERNS: 3},
    )


def test_person_with_concerns_only_elsewhere_is_not_counted_at_all() -> None:
    records = [
        person("p1"),
        concern("c1", "p1", "2024-07-01", in_our_area=False),
        concern("c2", "p1", "2024-09-01", in_our_area=False),
    ]
    assert nonzero(compute_return(records, YEAR)) == {}


# ---------------------------------------------------------------------------
# sac.md 4.4 (and 7.3): which year
# ---------------------------------------------------------------------------


def test_mrs_y_concern_and_enquiry_in_different_years() -> None:
    records = [
        person("y"),
        concern("c1", "y", "2025-02-10"),
        enquiry("e1", "c1", "2025-04-03", concluded="2025-06-20"),
    ]
    assert nonzero(compute_return(records, "2024-25")) == expect(
        individual(CONCERNS), {SG1F_CONCERNS: 1}
    )
    assert nonzero(compute_return(records, "2025-26")) == expect(
        individual(S42), {SG1F_S42: 1}, default_case_details()
    )


def test_mr_z_enquiry_commenced_in_one_year_concluded_in_the_next() -> None:
    records = [
        person("z", gender="male"),
        concern("c1", "z", "2023-10-20"),
        enquiry("e1", "c1", "2023-11-01", concluded="2024-05-15"),
    ]
    assert nonzero(compute_return(records, "2023-24")) == expect(
        individual(CONCERNS, gender="Male"),
        individual(S42, gender="Male"),
        {SG1F_CONCERNS: 1, SG1F_S42: 1},
    )
    assert nonzero(compute_return(records, "2024-25")) == default_case_details()
    assert nonzero(compute_return(records, "2025-26")) == {}


def test_ms_w_enquiry_still_open_at_31_march() -> None:
    records = [
        person("w"),
        concern("c1", "w", "2025-02-25"),
        enquiry("e1", "c1", "2025-03-01"),
    ]
    assert nonzero(compute_return(records, "2024-25")) == expect(
        individual(CONCERNS), individual(S42), {SG1F_CONCERNS: 1, SG1F_S42: 1}
    )
    assert nonzero(compute_return(records, "2025-26")) == {}
    records[2] = enquiry("e1", "c1", "2025-03-01", concluded="2025-06-01")
    assert nonzero(compute_return(records, "2025-26")) == default_case_details()


def test_same_person_in_concerns_s42_and_other_columns() -> None:
    records = [
        person("p1", born="1990-02-02", ethnicity="black_caribbean", psr=None),
        concern("may", "p1", "2024-05-10"),
        concern("sep", "p1", "2024-09-10"),
        enquiry("other", "may", "2024-05-20", kind="other"),
        enquiry("s42", "sep", "2024-09-20"),
    ]
    who = {
        "band": "18-64",
        "ethnicity": "Black / African / Caribbean / Black British",
        "psr": "Not Known",
    }
    assert nonzero(compute_return(records, YEAR)) == expect(
        individual(CONCERNS, **who),
        individual(S42, **who),
        individual(OTHER, **who),
        {SG1F_CONCERNS: 2, SG1F_S42: 1, SG1F_OTHER: 1},
    )


def test_year_boundaries_are_inclusive() -> None:
    records = [
        person("p1"),
        concern("first", "p1", "2024-04-01"),
        concern("last", "p1", "2025-03-31"),
        concern("before", "p1", "2024-03-31"),
        concern("after", "p1", "2025-04-01"),
        enquiry("e-first", "first", "2024-04-01", concluded="2025-03-31"),
        enquiry("e-before", "before", "2024-03-31", concluded="2024-03-31"),
        enquiry("e-after", "last", "2025-04-01", concluded="2025-04-01"),
        enquiry("e-on", "before", "2024-03-31", concluded="2024-04-01"),
    ]
    cells = compute_return(records, YEAR)
    assert cells[SG1F_CONCERNS] == 2
    assert cells[SG1F_S42] == 1
    assert cells[("SG1a", "75-84", CONCERNS)] == 1
    assert table(cells, "SG3a") == {("No, they did not lack capacity", ""): 2}


def test_other_enquiry_counts_in_sg1_only() -> None:
    records = [
        person(),
        concern("c1", "p1", "2024-06-01"),
        enquiry("e1", "c1", "2024-06-02", kind="other", concluded="2024-12-01"),
    ]
    assert nonzero(compute_return(records, YEAR)) == expect(
        individual(CONCERNS), individual(OTHER), {SG1F_CONCERNS: 1, SG1F_OTHER: 1}
    )


# ---------------------------------------------------------------------------
# sac.md 4.4 and 7.3: ages and demographics
# ---------------------------------------------------------------------------


def test_age_examples_through_the_return() -> None:
    records = [
        person("alive", born="1935-06-30"),
        concern("c1", "alive", "2024-06-01"),
        person("dead", born="1930-03-15", died="2025-02-01"),
        concern("c2", "dead", "2024-06-01"),
        person("undated", born=None),
        concern("c3", "undated", "2024-06-01"),
    ]
    assert table(compute_return(records, YEAR), "SG1a") == {
        ("85-94", CONCERNS): 2,
        ("Age unknown", CONCERNS): 1,
    }


def test_birthday_between_concern_and_31_march_changes_the_band() -> None:
    records = [
        person("p1", born="1960-03-01"),  # 64 at the concern, 65 by 31 March
        concern("c1", "p1", "2024-06-01"),
        person("p2", born="1960-04-01"),  # still 64 on 31 March
        concern("c2", "p2", "2024-06-01"),
    ]
    assert table(compute_return(records, YEAR), "SG1a") == {
        ("65-74", CONCERNS): 1,
        ("18-64", CONCERNS): 1,
    }


def test_death_before_31_march_freezes_the_age() -> None:
    records = [
        person("p1", born="1950-03-20", died="2025-03-10"),  # died at 74
        concern("c1", "p1", "2024-06-01"),
    ]
    assert table(compute_return(records, YEAR), "SG1a") == {("65-74", CONCERNS): 1}


def test_under_18_on_the_concern_date_is_out_of_scope_everywhere() -> None:
    records = [
        # 17 when the concern came in, 18 by 31 March: excluded, with its
        # enquiry, in this year and when the enquiry concludes next year.
        person("teen", born="2006-09-01"),
        concern("c1", "teen", "2024-07-01"),
        enquiry("e1", "c1", "2024-07-05", concluded="2025-05-01"),
        # Concern received on the 18th birthday: in scope.
        person("adult", born="2006-08-01"),
        concern("c2", "adult", "2024-08-01"),
        # Concern at 17 in the previous year, enquiry started this year.
        person("late", born="2006-05-01"),
        concern("c3", "late", "2024-03-01"),
        enquiry("e3", "c3", "2024-05-02", concluded="2024-06-01"),
    ]
    assert nonzero(compute_return(records, YEAR)) == expect(
        individual(CONCERNS, band="18-64"), {SG1F_CONCERNS: 1}
    )
    assert nonzero(compute_return(records, "2025-26")) == {}


def test_missing_demographics_fall_into_the_not_known_rows() -> None:
    records = [
        person("blank", born=None, gender=None, ethnicity=None, psr=None),
        concern("c1", "blank", "2024-06-01"),
        person("refused", ethnicity="refused", psr="no_support_reason"),
        concern("c2", "refused", "2024-06-01"),
        {"record": "person", "ref": "bare", "given_name": "A", "family_name": "B"},
        concern("c3", "bare", "2024-06-01"),
    ]
    assert nonzero(compute_return(records, YEAR)) == expect(
        individual(
            CONCERNS,
            band="Age unknown",
            gender="Not Known",
            ethnicity="Undeclared / Not Known",
            psr="Not Known",
            count=2,
        ),
        individual(CONCERNS, ethnicity="Refused", psr="No Support Reason"),
        {SG1F_CONCERNS: 3},
    )


def test_counts_are_exact_not_rounded() -> None:
    records = [person()] + [
        concern(f"c{n}", "p1", f"2024-{n + 4:02d}-01") for n in range(7)
    ]
    cells = compute_return(records, YEAR)
    assert cells[SG1F_CONCERNS] == 7
    assert cells[("SG1a", "75-84", CONCERNS)] == 1


# ---------------------------------------------------------------------------
# sac.md 4.4 and 7.3: outcomes, capacity, Making Safeguarding Personal
# ---------------------------------------------------------------------------


def test_risk_identified_no_action_and_risk_remained() -> None:
    records = concluded_case(1, outcome="risk_identified_no_action", result="remained")
    cells = compute_return(records, YEAR)
    assert table(cells, "SG2c") == {("Risk identified and no action taken", ""): 1}
    assert table(cells, "SG2e") == {("Risk remained", ""): 1}


def test_risk_removed_after_action() -> None:
    records = concluded_case(1, outcome="risk_identified_action", result="removed")
    assert table(compute_return(records, YEAR), "SG2e") == {("Risk removed", ""): 1}


@pytest.mark.parametrize(
    ("code", "label"),
    [
        ("inconclusive_action", "Risk Assessment inconclusive and action taken"),
        ("inconclusive_no_action", "Risk Assessment inconclusive and no action taken"),
        ("no_risk_action", "No risk identified and action taken"),
        ("no_risk_no_action", "No risk identified and no action taken"),
    ],
)
def test_no_risk_or_inconclusive_never_reaches_sg2e(code: str, label: str) -> None:
    # A stray risk_result on such an enquiry is ignored.
    records = concluded_case(1, outcome=code, result="reduced")
    cells = compute_return(records, YEAR)
    assert table(cells, "SG2c") == {(label, ""): 1}
    assert table(cells, "SG2e") == {}


def test_enquiry_ceased_at_request_is_a_concluded_enquiry() -> None:
    records = concluded_case(
        1,
        outcome="ceased_at_request",
        result="remained",
        asked="yes",
        outcomes=(),
        achieved=None,
    )
    cells = compute_return(records, YEAR)
    assert table(cells, "SG2c") == {
        ("Enquiry ceased at individual's request and no action taken", ""): 1
    }
    assert table(cells, "SG2e") == {}
    assert table(cells, "SG3a") == {("No, they did not lack capacity", ""): 1}
    assert table(cells, "SG4a") == {(NOT_EXPRESSED, ""): 1}


def test_lacked_capacity_with_advocate_support() -> None:
    records = concluded_case(1, capacity="yes", support=True)
    assert table(compute_return(records, YEAR), "SG3a") == {
        ("Yes, they lacked capacity", ""): 1,
        (
            "Of the enquiries recorded as Yes, in how many of these cases was "
            "support provided by an advocate, family or friend",
            "",
        ): 1,
    }


def test_support_counts_only_when_capacity_was_lacking() -> None:
    records = [
        *concluded_case(1, capacity="no", support=True),
        *concluded_case(2, capacity="dont_know", support=True),
        *concluded_case(3, capacity=None, support=True),
        *concluded_case(4, capacity="yes", support=False),
    ]
    assert table(compute_return(records, YEAR), "SG3a") == {
        ("Yes, they lacked capacity", ""): 1,
        ("No, they did not lack capacity", ""): 1,
        ("Don't know", ""): 1,
        ("Not recorded", ""): 1,
    }


def test_asked_outcomes_expressed_and_partially_achieved() -> None:
    records = concluded_case(1, asked="yes", achieved="partially")
    assert table(compute_return(records, YEAR), "SG4a") == {
        (EXPRESSED, ""): 1,
        ("Partially achieved", ""): 1,
    }


def test_asked_but_no_outcomes_expressed() -> None:
    # outcomes_achieved is ignored when nothing was expressed.
    records = concluded_case(1, asked="yes", outcomes=(), achieved="fully")
    assert table(compute_return(records, YEAR), "SG4a") == {(NOT_EXPRESSED, ""): 1}


def test_not_asked_dont_know_and_not_recorded() -> None:
    records = [
        *concluded_case(1, asked="no", achieved="fully"),
        *concluded_case(2, asked="dont_know", outcomes=(), achieved=None),
        *concluded_case(3, asked=None, outcomes=(), achieved=None),
        *concluded_case(4, asked="yes", achieved="not"),
        # No answer typed but outcomes recorded in the adult's words: derived
        # as asked and expressed (issue 15).
        *concluded_case(5, asked=None, achieved="not"),
    ]
    assert table(compute_return(records, YEAR), "SG4a") == {
        ("No", ""): 1,
        ("Don't know", ""): 1,
        ("Not recorded", ""): 1,
        (EXPRESSED, ""): 2,
        ("Not achieved", ""): 2,
    }


# ---------------------------------------------------------------------------
# SG5: Safeguarding Adults Reviews
# ---------------------------------------------------------------------------


def test_safeguarding_adult_reviews_completed_in_the_year() -> None:
    records = [
        sar("s1", "2024-07-01", True, False, False),
        sar("s2", "2025-03-31", False),
        sar("s3", "2024-11-11"),
        sar("s4", "2024-03-31", True),  # previous year
        sar("s5", None, True),  # not completed
    ]
    assert nonzero(compute_return(records, YEAR)) == {
        ("SG5a", "Where one or more individuals died", ""): 1,
        ("SG5a", "Where no individuals died", ""): 2,
        ("SG5b", "Who suffered serious harm and died", ""): 1,
        ("SG5b", "Who suffered serious harm and survived", ""): 3,
    }


# ---------------------------------------------------------------------------
# Input checks of the reference implementation
# ---------------------------------------------------------------------------


def test_records_may_refer_forward_and_bad_references_fail() -> None:
    forward = [
        enquiry("e1", "c1", "2024-06-02"),
        concern("c1", "p1", "2024-06-01"),
        person("p1"),
    ]
    assert compute_return(forward, YEAR)[SG1F_S42] == 1
    with pytest.raises(ValueError, match="missing record 'nobody'"):
        compute_return([concern("c1", "nobody", "2024-06-01")], YEAR)
    with pytest.raises(ValueError, match="duplicate person ref 'p1'"):
        compute_return([person("p1"), person("p1")], YEAR)
    with pytest.raises(ValueError, match="unknown kind 'informal'"):
        compute_return(
            [
                person(),
                concern("c1", "p1", "2024-06-01"),
                enquiry("e1", "c1", "2024-06-02", kind="informal"),
            ],
            YEAR,
        )


# ---------------------------------------------------------------------------
# sac.md 7.4: internal consistency
# ---------------------------------------------------------------------------


def mixed_records() -> list[Record]:
    """Several people, years, kinds, outcomes and reviews together."""
    return [
        # Concluded S42 enquiries with a spread of answers.
        *concluded_case(1),
        *concluded_case(
            2,
            outcome="risk_identified_no_action",
            result="remained",
            capacity="yes",
            support=True,
            achieved="partially",
            risks=[
                risk("physical", "own_home", "service_provider"),
                risk("physical", "own_home", "unknown"),
                risk("domestic", "own_home", "known"),
            ],
        ),
        *concluded_case(3, outcome="no_risk_no_action", result=None, asked="no"),
        *concluded_case(4, outcome="ceased_at_request", result=None, outcomes=()),
        *concluded_case(
            5,
            outcome="inconclusive_action",
            result=None,
            capacity=None,
            asked=None,
            outcomes=(),
        ),
        # Started last year, concluded this year.
        person("old", born="1930-01-01", gender="male", conditions=["asperger_hfa"]),
        concern("c-old", "old", "2024-01-10"),
        enquiry("e-old", "c-old", "2024-02-01", concluded="2024-04-20"),
        # Open enquiries and an Other enquiry; a second concern for p1.
        concern("c1b", "p1", "2025-01-05"),
        enquiry("e1b", "c1b", "2025-01-06", kind="other"),
        person("young", born="1999-09-09", ethnicity="asian_indian", psr=None),
        concern("c-young", "young", "2024-12-01"),
        enquiry("e-young", "c-young", "2024-12-02"),
        # Excluded records.
        person("child", born="2010-01-01"),
        concern("c-child", "child", "2024-06-01"),
        concern("c-away", "old", "2024-06-01", in_our_area=False),
        sar("s1", "2024-09-09", True, False),
        sar("s2", "2025-02-02", False),
    ]


def test_mixed_fixture_is_consistent() -> None:
    cells = compute_return(mixed_records(), YEAR)
    assert consistency_problems(cells) == []
    # Six concluded S42 enquiries: e1-e5 and e-old. SG3a's four answers and
    # SG4a part 1 each count every one of them once.
    capacity = ("Yes, they lacked capacity", "No, they did not lack capacity")
    capacity += ("Don't know", "Not recorded")
    part_one = (EXPRESSED, NOT_EXPRESSED, "No", "Don't know", "Not recorded")
    assert sum(cells[("SG3a", row, "")] for row in capacity) == 6
    assert sum(cells[("SG4a", row, "")] for row in part_one) == 6
    assert cells[SG1F_CONCERNS] == 7
    assert cells[SG1F_S42] == 6
    assert cells[SG1F_OTHER] == 1
    assert table(cells, "SG2c") == {
        ("Risk identified and action taken", ""): 2,
        ("Risk identified and no action taken", ""): 1,
        ("Risk Assessment inconclusive and action taken", ""): 1,
        ("No risk identified and no action taken", ""): 1,
        ("Enquiry ceased at individual's request and no action taken", ""): 1,
    }
    assert table(cells, "SG2e") == {("Risk reduced", ""): 2, ("Risk remained", ""): 1}
    assert table(cells, "SG4a") == {
        (EXPRESSED, ""): 3,
        (NOT_EXPRESSED, ""): 1,
        ("No", ""): 1,
        ("Not recorded", ""): 1,
        ("Fully achieved", ""): 2,
        ("Partially achieved", ""): 1,
    }
    assert table(cells, "SG1a") == {
        ("75-84", CONCERNS): 5,
        ("75-84", S42): 5,
        ("75-84", OTHER): 1,
        ("18-64", CONCERNS): 1,
        ("18-64", S42): 1,
    }
    assert table(cells, "SG1e") == {}


def test_empty_return_is_consistent() -> None:
    assert consistency_problems(empty_return()) == []


def _broken(changes: dict[CellKey, int]) -> list[str]:
    cells = compute_return(mixed_records(), YEAR)
    for key, delta in changes.items():
        cells[key] = cells.get(key, 0) + delta
    return consistency_problems(cells)


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({("SG1b", "Male", S42): 1}, f"individuals in '{S42}' differ between tables"),
        ({("SG1d", "Not Known", OTHER): 1}, "SG1d 2"),
        ({SG1F_S42: -2}, "counts 6 individuals but SG1f"),
        ({SG1F_OTHER: 5}, "conversion rate above 100%"),
        ({("SG2e", "Risk removed", ""): 1}, "SG2e total 4 differs"),
        ({("SG2c", "No risk identified and action taken", ""): 1}, "SG2c total 7"),
        ({("SG2a", "Physical Abuse", KNOWN): -5}, "SG2a total"),
        ({("SG2b", "Own Home", KNOWN): -5}, "SG2b total"),
        (
            {
                (
                    "SG3a",
                    "Of the enquiries recorded as Yes, in how many of these cases "
                    "was support provided by an advocate, family or friend",
                    "",
                ): 1
            },
            "advocate, family or friend support (2) exceeds",
        ),
        ({("SG4a", "No", ""): 1}, "SG4a part 1 total 7 differs from SG3a total 6"),
        ({("SG4a", "Not achieved", ""): 1}, "SG4a part 2 total 4 differs"),
        ({("SG5b", "Who suffered serious harm and died", ""): -1}, "SG5b"),
        ({("SG1a", "18-64", "Everyone"): 1}, "is not a cell of the SAC return"),
        ({("SG2e", "Risk reduced", ""): -3}, "is negative"),
    ],
)
def test_consistency_problems_are_reported(
    changes: dict[CellKey, int], message: str
) -> None:
    problems = _broken(changes)
    assert problems
    assert any(message in problem for problem in problems), problems
