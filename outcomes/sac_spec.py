"""Shape and vocabulary of the Safeguarding Adults Collection (SAC) return.

The SAC is England's annual statutory count of adult safeguarding activity.
This module says *what* the return contains; it does not count anything from
the database. It holds:

* every table of the long-CSV output contract (``spec/interchange.md``), each
  with its row labels and column labels, in the order the return is written;
* the translations from interchange codes (the values stored on people,
  concerns, enquiries and reviews) to SAC labels;
* small helpers shared by the ORM implementation of the return and by the
  independent reference implementation used in tests: financial-year bounds,
  age bands, an all-zero return, the CSV writer and the internal consistency
  checks.

Labels follow ``spec/sac.md`` section 3. Where that file marks a label as
uncertain, the choice made here is noted next to the label. The module is
plain Python and must stay free of Django imports.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import date
from types import MappingProxyType
from typing import TextIO

from msp.dates import age_on  # noqa: F401 - one age rule for the whole project

CellKey = tuple[str, str, str]
"""A cell of the return: (table, category, subcategory)."""

NO_COLUMN = ""
"""The subcategory of every cell in a table that has no columns."""


@dataclass(frozen=True)
class SacTable:
    """One SAC table: its code, a short title, and its row and column labels."""

    code: str
    title: str
    rows: tuple[str, ...]
    columns: tuple[str, ...] = (NO_COLUMN,)

    def cells(self) -> Iterator[CellKey]:
        """Every cell of the table, row by row, columns in order."""
        for row in self.rows:
            for column in self.columns:
                yield (self.code, row, column)


# ---------------------------------------------------------------------------
# Column and row labels
# ---------------------------------------------------------------------------

# SG1a-SG1e columns. The template words them "Individuals Involved In ..."; the
# output contract uses NHS England's ENQUIRY_TYPE values instead.
CONCERNS_COLUMN = "Safeguarding Concerns"
S42_COLUMN = "Section 42 Enquiries"
OTHER_COLUMN = "Other Enquiries"
SG1_COLUMNS: tuple[str, ...] = (CONCERNS_COLUMN, S42_COLUMN, OTHER_COLUMN)

# The exact wording of the unknown band is uncertain in sac.md ("Age unknown"
# or "Age Unknown"); sac.md's own list uses "Age unknown", so that is used.
AGE_UNKNOWN = "Age unknown"
AGE_BANDS: tuple[str, ...] = ("18-64", "65-74", "75-84", "85-94", "95+", AGE_UNKNOWN)

GENDER_NOT_KNOWN = "Not Known"
GENDERS: tuple[str, ...] = ("Male", "Female", GENDER_NOT_KNOWN)

ETHNICITY_REFUSED = "Refused"
ETHNICITY_NOT_KNOWN = "Undeclared / Not Known"
ETHNIC_GROUPS: tuple[str, ...] = (
    "White",
    "Mixed / Multiple",
    "Asian / Asian British",
    "Black / African / Caribbean / Black British",
    "Other Ethnic Group",
    ETHNICITY_REFUSED,
    ETHNICITY_NOT_KNOWN,
)

SUPPORT_REASON_NOT_KNOWN = "Not Known"
SUPPORT_REASON_GROUPS: tuple[str, ...] = (
    "Physical Support",
    "Sensory Support",
    "Support with Memory and Cognition",
    "Learning Disability Support",
    "Mental Health Support",
    "Social Support",
    "No Support Reason",
    SUPPORT_REASON_NOT_KNOWN,
)

# Only the two mandatory SG1e rows could be confirmed; the voluntary
# health-condition rows are unknown, so other conditions are not reported.
AUTISM = (
    "Learning, Developmental or Intellectual Disability "
    "(Autism excluding Asperger's Syndrome/ High Functioning Autism)"
)
ASPERGER = (
    "Learning, Developmental or Intellectual Disability "
    "(Asperger's Syndrome/ High Functioning Autism)"
)
HEALTH_CONDITIONS: tuple[str, ...] = (AUTISM, ASPERGER)

SG1F_CONCERNS = "Total Number of Safeguarding Concerns"
SG1F_S42 = "Total Number of Section 42 Safeguarding Enquiries"
SG1F_OTHER = "Total Number of Other Safeguarding Enquiries"
SG1F_ROWS: tuple[str, ...] = (SG1F_CONCERNS, SG1F_S42, SG1F_OTHER)

RISK_TYPES: tuple[str, ...] = (
    "Physical Abuse",
    "Sexual Abuse",
    "Psychological Abuse",
    "Financial or Material Abuse",
    "Discriminatory Abuse",
    "Organisational Abuse",
    "Neglect and Acts of Omission",
    "Domestic Abuse",
    "Sexual Exploitation",
    "Modern Slavery",
    "Self-Neglect",
)

RISK_LOCATIONS: tuple[str, ...] = (
    "Own Home",
    "In the Community",
    "Community Service",
    "Care Home - Nursing",
    "Care Home - Residential",
    "Hospital - Acute",
    "Hospital - Mental Health",
    "Hospital - Community",
    "Other",
)

SOURCE_SERVICE_PROVIDER = "Service Provider"
SOURCE_KNOWN = "Other - Known to individual"
SOURCE_UNKNOWN = "Other - Unknown to individual"
RISK_SOURCES: tuple[str, ...] = (SOURCE_SERVICE_PROVIDER, SOURCE_KNOWN, SOURCE_UNKNOWN)

OUTCOME_RISK_IDENTIFIED_ACTION = "Risk identified and action taken"
OUTCOME_RISK_IDENTIFIED_NO_ACTION = "Risk identified and no action taken"
# sac.md gives NHS England's database wording ("Risk Assessment inconclusive
# ...") with a council variant ("Risk - Assessment ..."); the database wording
# is used.
RISK_ASSESSMENT_OUTCOMES: tuple[str, ...] = (
    OUTCOME_RISK_IDENTIFIED_ACTION,
    OUTCOME_RISK_IDENTIFIED_NO_ACTION,
    "Risk Assessment inconclusive and action taken",
    "Risk Assessment inconclusive and no action taken",
    "No risk identified and action taken",
    "No risk identified and no action taken",
    "Enquiry ceased at individual's request and no action taken",
)
RISK_IDENTIFIED_OUTCOMES: tuple[str, ...] = (
    OUTCOME_RISK_IDENTIFIED_ACTION,
    OUTCOME_RISK_IDENTIFIED_NO_ACTION,
)

RISK_RESULTS: tuple[str, ...] = ("Risk remained", "Risk reduced", "Risk removed")

CAPACITY_YES = "Yes, they lacked capacity"
CAPACITY_NOT_RECORDED = "Not recorded"
CAPACITY_ANSWERS: tuple[str, ...] = (
    CAPACITY_YES,
    "No, they did not lack capacity",
    "Don't know",
    CAPACITY_NOT_RECORDED,
)
# A subset of CAPACITY_YES, reported as a fifth row of SG3a. It is not one of
# the four answers, so it is left out when SG3a is summed to a total.
CAPACITY_SUPPORT = (
    "Of the enquiries recorded as Yes, in how many of these cases was support "
    "provided by an advocate, family or friend"
)
SG3A_ROWS: tuple[str, ...] = (*CAPACITY_ANSWERS, CAPACITY_SUPPORT)

# SG4a part 1. NHS England's database writes "Don't Know" and "Not Recorded";
# sac.md and interchange.md both use "Don't know" and "Not recorded", which is
# what is written here.
MSP_EXPRESSED = "Yes they were asked and outcomes were expressed"
MSP_NOT_EXPRESSED = "Yes they were asked but no outcomes were expressed"
MSP_NOT_RECORDED = "Not recorded"
MSP_ASKED: tuple[str, ...] = (
    MSP_EXPRESSED,
    MSP_NOT_EXPRESSED,
    "No",
    "Don't know",
    MSP_NOT_RECORDED,
)
# SG4a part 2, only for enquiries in MSP_EXPRESSED. Both parts are rows of the
# single table SG4a, part 1 first.
MSP_ACHIEVED: tuple[str, ...] = ("Fully achieved", "Partially achieved", "Not achieved")
SG4A_ROWS: tuple[str, ...] = (*MSP_ASKED, *MSP_ACHIEVED)

SAR_SOMEONE_DIED = "Where one or more individuals died"
SAR_NOBODY_DIED = "Where no individuals died"
SAR_REVIEWS: tuple[str, ...] = (SAR_SOMEONE_DIED, SAR_NOBODY_DIED)
SAR_DIED = "Who suffered serious harm and died"
SAR_SURVIVED = "Who suffered serious harm and survived"
SAR_INDIVIDUALS: tuple[str, ...] = (SAR_DIED, SAR_SURVIVED)


# ---------------------------------------------------------------------------
# The tables, in output order
# ---------------------------------------------------------------------------

TABLES: tuple[SacTable, ...] = (
    SacTable("SG1a", "Individuals by age band", AGE_BANDS, SG1_COLUMNS),
    SacTable("SG1b", "Individuals by gender", GENDERS, SG1_COLUMNS),
    SacTable("SG1c", "Individuals by ethnicity", ETHNIC_GROUPS, SG1_COLUMNS),
    SacTable(
        "SG1d",
        "Individuals by primary support reason",
        SUPPORT_REASON_GROUPS,
        SG1_COLUMNS,
    ),
    SacTable("SG1e", "Individuals by health condition", HEALTH_CONDITIONS, SG1_COLUMNS),
    SacTable("SG1f", "Concerns raised and enquiries commenced", SG1F_ROWS),
    SacTable(
        "SG2a",
        "Concluded S42 enquiries: type and source of risk",
        RISK_TYPES,
        RISK_SOURCES,
    ),
    SacTable(
        "SG2b",
        "Concluded S42 enquiries: location and source of risk",
        RISK_LOCATIONS,
        RISK_SOURCES,
    ),
    SacTable(
        "SG2ab1",
        "Concluded S42 enquiries: type and location of risk",
        RISK_TYPES,
        RISK_LOCATIONS,
    ),
    SacTable(
        "SG2c",
        "Concluded S42 enquiries: risk assessment outcome",
        RISK_ASSESSMENT_OUTCOMES,
    ),
    SacTable("SG2e", "Concluded S42 enquiries: risk outcome", RISK_RESULTS),
    SacTable("SG3a", "Concluded S42 enquiries: mental capacity", SG3A_ROWS),
    SacTable(
        "SG4a", "Concluded S42 enquiries: Making Safeguarding Personal", SG4A_ROWS
    ),
    SacTable("SG5a", "Safeguarding Adult Reviews completed", SAR_REVIEWS),
    SacTable("SG5b", "Individuals in Safeguarding Adult Reviews", SAR_INDIVIDUALS),
)

TABLES_BY_CODE: Mapping[str, SacTable] = MappingProxyType(
    {table.code: table for table in TABLES}
)


# ---------------------------------------------------------------------------
# Interchange codes -> SAC labels
# ---------------------------------------------------------------------------


def _frozen(pairs: Mapping[str, str]) -> Mapping[str, str]:
    return MappingProxyType(dict(pairs))


GENDER_LABELS = _frozen({"male": "Male", "female": "Female", "not_known": "Not Known"})

# Code list E. "white_roma" is not in any SAC source (sac.md); interchange.md
# places it under White, which is followed here.
_WHITE, _MIXED, _ASIAN, _BLACK, _OTHER_ETHNIC = ETHNIC_GROUPS[:5]
ETHNICITY_GROUPS = _frozen(
    {
        "white_british": _WHITE,
        "white_irish": _WHITE,
        "white_gypsy_traveller": _WHITE,
        "white_roma": _WHITE,
        "white_other": _WHITE,
        "mixed_white_black_caribbean": _MIXED,
        "mixed_white_black_african": _MIXED,
        "mixed_white_asian": _MIXED,
        "mixed_other": _MIXED,
        "asian_indian": _ASIAN,
        "asian_pakistani": _ASIAN,
        "asian_bangladeshi": _ASIAN,
        "asian_chinese": _ASIAN,
        "asian_other": _ASIAN,
        "black_african": _BLACK,
        "black_caribbean": _BLACK,
        "black_other": _BLACK,
        "other_arab": _OTHER_ETHNIC,
        "other_any": _OTHER_ETHNIC,
        "refused": ETHNICITY_REFUSED,
        "not_known": ETHNICITY_NOT_KNOWN,
    }
)

# Code list P.
(
    _PHYSICAL,
    _SENSORY,
    _MEMORY,
    _LEARNING,
    _MENTAL_HEALTH,
    _SOCIAL,
    _NO_REASON,
    _PSR_NOT_KNOWN,
) = SUPPORT_REASON_GROUPS
SUPPORT_REASON_GROUP_BY_CODE = _frozen(
    {
        "physical_access_mobility": _PHYSICAL,
        "physical_personal_care": _PHYSICAL,
        "sensory_visual": _SENSORY,
        "sensory_hearing": _SENSORY,
        "sensory_dual": _SENSORY,
        "memory_cognition": _MEMORY,
        "learning_disability": _LEARNING,
        "mental_health": _MENTAL_HEALTH,
        "social_substance_misuse": _SOCIAL,
        "social_asylum_seeker": _SOCIAL,
        "social_isolation_other": _SOCIAL,
        "no_support_reason": _NO_REASON,
        "not_known": _PSR_NOT_KNOWN,
    }
)

# Health conditions reported in SG1e. Any other code on a person is valid
# data but has no SG1e row, so it is not counted.
HEALTH_CONDITION_LABELS = _frozen({"autism": AUTISM, "asperger_hfa": ASPERGER})

# Code lists T, L, S and O are in the same order as the SAC rows.
RISK_TYPE_LABELS = _frozen(
    dict(
        zip(
            (
                "physical",
                "sexual",
                "psychological",
                "financial_material",
                "discriminatory",
                "organisational",
                "neglect_omission",
                "domestic",
                "sexual_exploitation",
                "modern_slavery",
                "self_neglect",
            ),
            RISK_TYPES,
            strict=True,
        )
    )
)
RISK_LOCATION_LABELS = _frozen(
    dict(
        zip(
            (
                "own_home",
                "community",
                "community_service",
                "care_home_nursing",
                "care_home_residential",
                "hospital_acute",
                "hospital_mental_health",
                "hospital_community",
                "other",
            ),
            RISK_LOCATIONS,
            strict=True,
        )
    )
)
RISK_SOURCE_LABELS = _frozen(
    {
        **dict(
            zip(("service_provider", "known", "unknown"), RISK_SOURCES, strict=True)
        ),
        # Self-neglect: the adult themself is "known to the individual"
        # (docs/sac.md).
        "self": SOURCE_KNOWN,
    }
)
RISK_ASSESSMENT_OUTCOME_LABELS = _frozen(
    dict(
        zip(
            (
                "risk_identified_action",
                "risk_identified_no_action",
                "inconclusive_action",
                "inconclusive_no_action",
                "no_risk_action",
                "no_risk_no_action",
                "ceased_at_request",
            ),
            RISK_ASSESSMENT_OUTCOMES,
            strict=True,
        )
    )
)
RISK_RESULT_LABELS = _frozen(
    dict(zip(("remained", "reduced", "removed"), RISK_RESULTS, strict=True))
)
# lacked_capacity; null (not recorded) is handled by capacity_label().
CAPACITY_LABELS = _frozen(
    dict(zip(("yes", "no", "dont_know"), CAPACITY_ANSWERS[:3], strict=True))
)
# asked_desired_outcomes "no" and "dont_know"; "yes" depends on whether any
# outcome was expressed and null means not recorded (see msp_asked_label()).
MSP_ASKED_LABELS = _frozen({"no": MSP_ASKED[2], "dont_know": MSP_ASKED[3]})
MSP_ACHIEVED_LABELS = _frozen(
    dict(zip(("fully", "partially", "not"), MSP_ACHIEVED, strict=True))
)

ENQUIRY_KINDS: tuple[str, ...] = ("section_42", "other")
ENQUIRY_KIND_COLUMNS = _frozen({"section_42": S42_COLUMN, "other": OTHER_COLUMN})
SG1F_ROW_BY_COLUMN = _frozen(
    {CONCERNS_COLUMN: SG1F_CONCERNS, S42_COLUMN: SG1F_S42, OTHER_COLUMN: SG1F_OTHER}
)


def _lookup(labels: Mapping[str, str], code: str, what: str) -> str:
    try:
        return labels[code]
    except KeyError:
        allowed = ", ".join(sorted(labels))
        message = f"unknown {what} code {code!r} (expected one of: {allowed})"
        raise ValueError(message) from None


def gender_label(code: str | None) -> str:
    """SG1b row for a gender code; a missing gender is "Not Known"."""
    if code is None:
        return GENDER_NOT_KNOWN
    return _lookup(GENDER_LABELS, code, "gender")


def ethnicity_label(code: str | None) -> str:
    """SG1c row for an ethnicity code; missing is "Undeclared / Not Known"."""
    if code is None:
        return ETHNICITY_NOT_KNOWN
    return _lookup(ETHNICITY_GROUPS, code, "ethnicity")


def support_reason_label(code: str | None) -> str:
    """SG1d row for a primary support reason code; missing is "Not Known"."""
    if code is None:
        return SUPPORT_REASON_NOT_KNOWN
    return _lookup(SUPPORT_REASON_GROUP_BY_CODE, code, "primary support reason")


def health_condition_labels(codes: Iterable[str] | None) -> tuple[str, ...]:
    """Distinct SG1e rows for a person's health conditions, in table order.

    Conditions with no SG1e row are ignored; a repeated code counts once.
    """
    present = {
        HEALTH_CONDITION_LABELS[code]
        for code in codes or ()
        if code in HEALTH_CONDITION_LABELS
    }
    return tuple(label for label in HEALTH_CONDITIONS if label in present)


def risk_type_label(code: str) -> str:
    return _lookup(RISK_TYPE_LABELS, code, "type of risk")


def risk_location_label(code: str) -> str:
    return _lookup(RISK_LOCATION_LABELS, code, "location of risk")


def risk_source_label(code: str) -> str:
    return _lookup(RISK_SOURCE_LABELS, code, "source of risk")


def risk_assessment_outcome_label(code: str) -> str:
    return _lookup(RISK_ASSESSMENT_OUTCOME_LABELS, code, "risk assessment outcome")


def risk_result_label(code: str) -> str:
    return _lookup(RISK_RESULT_LABELS, code, "risk result")


def capacity_label(code: str | None) -> str:
    """SG3a answer for ``lacked_capacity``; null is "Not recorded"."""
    if code is None:
        return CAPACITY_NOT_RECORDED
    return _lookup(CAPACITY_LABELS, code, "lacked capacity")


def msp_asked_label(code: str | None, outcomes_expressed: bool) -> str:
    """SG4a part-1 row for ``asked_desired_outcomes``.

    ``outcomes_expressed`` is whether the enquiry records at least one desired
    outcome; it only matters when the answer is "yes".
    """
    if code is None:
        return MSP_NOT_RECORDED
    if code == "yes":
        return MSP_EXPRESSED if outcomes_expressed else MSP_NOT_EXPRESSED
    return _lookup(MSP_ASKED_LABELS, code, "asked desired outcomes")


def msp_achieved_label(code: str) -> str:
    """SG4a part-2 row for ``outcomes_achieved``."""
    return _lookup(MSP_ACHIEVED_LABELS, code, "outcomes achieved")


# ---------------------------------------------------------------------------
# Dates and ages
# ---------------------------------------------------------------------------

_YEAR_PATTERN = re.compile(r"(\d{4})-(\d{2})")


def financial_year_bounds(year: str) -> tuple[date, date]:
    """First and last day of a financial year written like ``"2024-25"``."""
    match = _YEAR_PATTERN.fullmatch(year) if isinstance(year, str) else None
    if match is None:
        raise ValueError(f"financial year must be written like '2024-25', got {year!r}")
    first, second = int(match.group(1)), int(match.group(2))
    if second != (first + 1) % 100:
        raise ValueError(
            f"financial year {year!r} must name two consecutive years, "
            f"e.g. '{first}-{(first + 1) % 100:02d}'"
        )
    if not 1 <= first < 9999:
        raise ValueError(f"financial year {year!r} is out of range")
    return date(first, 4, 1), date(first + 1, 3, 31)


# Lower bound of each SG1a band above 18-64, oldest first.
AGE_BAND_LOWER_BOUNDS: tuple[tuple[int, str], ...] = (
    (95, "95+"),
    (85, "85-94"),
    (75, "75-84"),
    (65, "65-74"),
)


def age_band(
    date_of_birth: date | None, date_of_death: date | None, year_end: date
) -> str:
    """SG1a row for a person: age on ``year_end`` (31 March), or age at death.

    No date of birth gives "Age unknown". A person who would be under 18 is
    outside the SAC, so that raises ValueError rather than inventing a band.
    """
    if date_of_birth is None:
        return AGE_UNKNOWN
    day = year_end if date_of_death is None else min(date_of_death, year_end)
    age = age_on(date_of_birth, year_end, date_of_death)
    if age < 18:
        raise ValueError(
            f"age {age} on {day.isoformat()} is under 18: outside the SAC return"
        )
    for lower, band in AGE_BAND_LOWER_BOUNDS:
        if age >= lower:
            return band
    return "18-64"


# ---------------------------------------------------------------------------
# The return as a whole
# ---------------------------------------------------------------------------


def all_cells() -> Iterator[CellKey]:
    """Every cell of the return in canonical (output) order."""
    for table in TABLES:
        yield from table.cells()


def empty_return() -> dict[CellKey, int]:
    """Every cell of the return, in canonical order, set to 0."""
    return dict.fromkeys(all_cells(), 0)


def _unknown_cells(cells: Mapping[CellKey, int]) -> list[CellKey]:
    known = set(all_cells())
    return [key for key in cells if key not in known]


def write_long_csv(cells: Mapping[CellKey, int], file: TextIO) -> None:
    """Write the return as ``table,category,subcategory,value`` CSV.

    Every cell is written in canonical order; cells missing from ``cells`` are
    written as 0. A key that is not a cell of the return raises ValueError, so
    a mistyped label cannot silently disappear from the output.
    """
    unknown = _unknown_cells(cells)
    if unknown:
        raise ValueError(f"not cells of the SAC return: {unknown!r}")
    writer = csv.writer(file, lineterminator="\n")
    writer.writerow(("table", "category", "subcategory", "value"))
    for key in all_cells():
        writer.writerow((*key, cells.get(key, 0)))


# ---------------------------------------------------------------------------
# Internal consistency checks (sac.md 7.4, with the invariants of 7.3)
# ---------------------------------------------------------------------------


def _column_total(cells: Mapping[CellKey, int], code: str, column: str) -> int:
    return sum(cells.get((code, row, column), 0) for row in TABLES_BY_CODE[code].rows)


def _rows_total(cells: Mapping[CellKey, int], code: str, rows: Iterable[str]) -> int:
    columns = TABLES_BY_CODE[code].columns
    return sum(cells.get((code, row, column), 0) for row in rows for column in columns)


def _table_total(cells: Mapping[CellKey, int], code: str) -> int:
    return _rows_total(cells, code, TABLES_BY_CODE[code].rows)


def consistency_problems(cells: Mapping[CellKey, int]) -> list[str]:
    """Human-readable problems found by the internal checks; empty if none.

    Missing cells count as 0. The conversion-rate message asks for review
    rather than reporting an error: an enquiry can come from a concern raised
    in an earlier year, so a rate above 100% can be genuine.
    """
    problems: list[str] = []

    for key in _unknown_cells(cells):
        problems.append(f"{key!r} is not a cell of the SAC return")
    for key, value in cells.items():
        if value < 0:
            problems.append(f"{key!r} is negative ({value})")

    # SG1a-SG1d describe the same individuals, one row each per column.
    for column in SG1_COLUMNS:
        totals = {
            code: _column_total(cells, code, column)
            for code in ("SG1a", "SG1b", "SG1c", "SG1d")
        }
        if len(set(totals.values())) > 1:
            listed = ", ".join(f"{code} {total}" for code, total in totals.items())
            problems.append(
                f"individuals in '{column}' differ between tables: {listed}"
            )

    # Individuals cannot outnumber cases.
    for column in SG1_COLUMNS:
        people = _column_total(cells, "SG1a", column)
        row = SG1F_ROW_BY_COLUMN[column]
        cases = cells.get(("SG1f", row, NO_COLUMN), 0)
        if people > cases:
            problems.append(
                f"SG1a '{column}' counts {people} individuals but SG1f "
                f"'{row}' only {cases} cases"
            )

    concerns = cells.get(("SG1f", SG1F_CONCERNS, NO_COLUMN), 0)
    enquiries = cells.get(("SG1f", SG1F_S42, NO_COLUMN), 0) + cells.get(
        ("SG1f", SG1F_OTHER, NO_COLUMN), 0
    )
    if enquiries > concerns:
        problems.append(
            f"for review: {enquiries} enquiries commenced against {concerns} "
            "concerns raised (conversion rate above 100%)"
        )

    concluded = _rows_total(cells, "SG3a", CAPACITY_ANSWERS)

    identified = _rows_total(cells, "SG2c", RISK_IDENTIFIED_OUTCOMES)
    results = _table_total(cells, "SG2e")
    if results != identified:
        problems.append(
            f"SG2e total {results} differs from the {identified} enquiries where "
            "a risk was identified (SG2c rows 1 and 2)"
        )
    outcomes = _table_total(cells, "SG2c")
    if outcomes != concluded:
        problems.append(
            f"SG2c total {outcomes} differs from the {concluded} concluded "
            "Section 42 enquiries (SG3a): some have no risk assessment outcome"
        )

    for code in ("SG2a", "SG2b"):
        counted = _table_total(cells, code)
        if counted < concluded:
            problems.append(
                f"{code} total {counted} is less than the {concluded} concluded "
                "Section 42 enquiries (SG3a): some have no recorded risk"
            )

    lacked = cells.get(("SG3a", CAPACITY_YES, NO_COLUMN), 0)
    supported = cells.get(("SG3a", CAPACITY_SUPPORT, NO_COLUMN), 0)
    if supported > lacked:
        problems.append(
            f"SG3a advocate, family or friend support ({supported}) exceeds "
            f"'{CAPACITY_YES}' ({lacked})"
        )

    asked = _rows_total(cells, "SG4a", MSP_ASKED)
    if asked != concluded:
        problems.append(
            f"SG4a part 1 total {asked} differs from SG3a total {concluded} "
            "(both count every concluded Section 42 enquiry once)"
        )
    expressed = cells.get(("SG4a", MSP_EXPRESSED, NO_COLUMN), 0)
    achieved = _rows_total(cells, "SG4a", MSP_ACHIEVED)
    if achieved != expressed:
        problems.append(
            f"SG4a part 2 total {achieved} differs from '{MSP_EXPRESSED}' ({expressed})"
        )

    reviews_with_death = cells.get(("SG5a", SAR_SOMEONE_DIED, NO_COLUMN), 0)
    died = cells.get(("SG5b", SAR_DIED, NO_COLUMN), 0)
    if died < reviews_with_death:
        problems.append(
            f"SG5b '{SAR_DIED}' ({died}) is less than SG5a "
            f"'{SAR_SOMEONE_DIED}' ({reviews_with_death})"
        )

    return problems
