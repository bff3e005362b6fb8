"""Reference SAC return computed from interchange records, in plain Python.

This is the independent check for the database implementation of the return:
it reads the same person / concern / enquiry / sar records as
``import_cases`` (``spec/interchange.md``), but counts them here with nothing
but dictionaries and sets. It shares only the table layout and code-to-label
translations in ``outcomes.sac_spec``; none of the counting.

Counting rules (``spec/sac.md`` sections 2, 3 and 7, and the decisions listed
at the end of ``spec/interchange.md``):

* A concern is in scope unless ``in_our_area`` is false or the person was
  under 18 on the day it was received. Enquiries follow their concern.
* SG1a-SG1e count distinct people once per column: concerns received in the
  year, Section 42 enquiries started in the year, Other enquiries started in
  the year. SG1f counts the concerns and enquiries themselves.
* SG2-SG4 count Section 42 enquiries concluded in the year. SG2a, SG2b and
  SG2ab1 count an enquiry once for each distinct (row, column) pair among its
  risks; SG2c, SG2e, SG3a and SG4a count it once by its enquiry-level answers.
* SG5 counts reviews completed in the year and the individuals in them.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date
from typing import Any

from outcomes.sac_spec import (
    CAPACITY_SUPPORT,
    CAPACITY_YES,
    CONCERNS_COLUMN,
    MSP_EXPRESSED,
    NO_COLUMN,
    OTHER_COLUMN,
    RISK_IDENTIFIED_OUTCOMES,
    S42_COLUMN,
    SAR_DIED,
    SAR_NOBODY_DIED,
    SAR_SOMEONE_DIED,
    SAR_SURVIVED,
    SG1F_ROW_BY_COLUMN,
    CellKey,
    age_band,
    age_on,
    capacity_label,
    empty_return,
    ethnicity_label,
    financial_year_bounds,
    gender_label,
    health_condition_labels,
    msp_achieved_label,
    msp_asked_label,
    risk_assessment_outcome_label,
    risk_location_label,
    risk_result_label,
    risk_source_label,
    risk_type_label,
    support_reason_label,
)

Record = Mapping[str, Any]

_RECORD_TYPES = ("person", "concern", "enquiry", "sar")
_KIND_COLUMNS = {"section_42": S42_COLUMN, "other": OTHER_COLUMN}


def _date(value: object, what: str) -> date | None:
    if value is None or isinstance(value, date):
        return value
    if isinstance(value, str):
        try:
            return date.fromisoformat(value)
        except ValueError:
            pass
    raise ValueError(f"{what}: not a YYYY-MM-DD date: {value!r}")


def _index(records: Iterable[Record]) -> dict[str, dict[str, Record]]:
    """Records by type and ref; a ref may be used before its record appears."""
    indexed: dict[str, dict[str, Record]] = {kind: {} for kind in _RECORD_TYPES}
    for record in records:
        kind = record.get("record")
        if kind not in indexed:
            raise ValueError(f"unknown record type {kind!r}")
        ref = record.get("ref")
        if not isinstance(ref, str) or not ref:
            raise ValueError(f"{kind} record without a ref: {record!r}")
        if ref in indexed[kind]:
            raise ValueError(f"duplicate {kind} ref {ref!r}")
        indexed[kind][ref] = record
    return indexed


def _referenced(table: dict[str, Record], ref: object, what: str) -> Record:
    if not isinstance(ref, str) or ref not in table:
        raise ValueError(f"{what} refers to a missing record {ref!r}")
    return table[ref]


def _within(day: date | None, start: date, end: date) -> bool:
    return day is not None and start <= day <= end


def _in_scope(concern: Record, person: Record) -> bool:
    """False for abuse in another council's area and for children.

    A missing date of birth cannot show the person is a child, so they stay.
    """
    if concern.get("in_our_area") is False:
        return False
    born = _date(person.get("date_of_birth"), f"person {person['ref']}")
    received = _date(concern.get("received_on"), f"concern {concern['ref']}")
    if received is None:
        raise ValueError(f"concern {concern['ref']}: received_on is required")
    return born is None or age_on(born, received) >= 18


def compute_return(records: Iterable[Record], year: str) -> dict[CellKey, int]:
    """Every cell of the SAC return for ``year`` (e.g. ``"2024-25"``)."""
    start, end = financial_year_bounds(year)
    indexed = _index(records)
    people, concerns = indexed["person"], indexed["concern"]
    cells = empty_return()

    # Concerns in scope, each with its person, whatever the year.
    scoped: dict[str, tuple[Record, Record]] = {}
    for ref, concern in concerns.items():
        person = _referenced(people, concern.get("person"), f"concern {ref}")
        if _in_scope(concern, person):
            scoped[ref] = (concern, person)

    # SG1: who was involved in each column, and how many cases.
    involved: dict[str, set[str]] = {
        CONCERNS_COLUMN: set(),
        S42_COLUMN: set(),
        OTHER_COLUMN: set(),
    }
    for concern, person in scoped.values():
        if _within(_date(concern["received_on"], "received_on"), start, end):
            involved[CONCERNS_COLUMN].add(person["ref"])
            cells[("SG1f", SG1F_ROW_BY_COLUMN[CONCERNS_COLUMN], NO_COLUMN)] += 1

    concluded_s42: list[Record] = []
    for ref, enquiry in indexed["enquiry"].items():
        _referenced(concerns, enquiry.get("concern"), f"enquiry {ref}")
        if enquiry["concern"] not in scoped:
            continue
        _, person = scoped[enquiry["concern"]]
        kind = enquiry.get("kind")
        if kind not in _KIND_COLUMNS:
            raise ValueError(f"enquiry {ref}: unknown kind {kind!r}")
        started = _date(enquiry.get("started_on"), f"enquiry {ref} started_on")
        if _within(started, start, end):
            column = _KIND_COLUMNS[kind]
            involved[column].add(person["ref"])
            cells[("SG1f", SG1F_ROW_BY_COLUMN[column], NO_COLUMN)] += 1
        concluded = _date(enquiry.get("concluded_on"), f"enquiry {ref} concluded_on")
        if kind == "section_42" and _within(concluded, start, end):
            concluded_s42.append(enquiry)

    for column, refs in involved.items():
        for ref in refs:
            _count_person(cells, people[ref], column, end)

    for enquiry in concluded_s42:
        _count_case_details(cells, enquiry)

    for ref, review in indexed["sar"].items():
        completed = _date(review.get("completed_on"), f"sar {ref} completed_on")
        if _within(completed, start, end):
            _count_review(cells, review)

    return cells


def _count_person(
    cells: dict[CellKey, int], person: Record, column: str, year_end: date
) -> None:
    """Add one individual to every SG1a-SG1e row that describes them."""
    where = f"person {person['ref']}"
    born = _date(person.get("date_of_birth"), f"{where} date_of_birth")
    died = _date(person.get("date_of_death"), f"{where} date_of_death")
    cells[("SG1a", age_band(born, died, year_end), column)] += 1
    cells[("SG1b", gender_label(person.get("gender")), column)] += 1
    cells[("SG1c", ethnicity_label(person.get("ethnicity")), column)] += 1
    psr = support_reason_label(person.get("primary_support_reason"))
    cells[("SG1d", psr, column)] += 1
    for condition in health_condition_labels(person.get("health_conditions")):
        cells[("SG1e", condition, column)] += 1


def _count_case_details(cells: dict[CellKey, int], enquiry: Record) -> None:
    """Add one concluded Section 42 enquiry to SG2a-SG4a."""
    type_source: set[tuple[str, str]] = set()
    location_source: set[tuple[str, str]] = set()
    type_location: set[tuple[str, str]] = set()
    for risk in enquiry.get("risks") or ():
        kind = risk.get("type")
        location = risk.get("location")
        source = risk.get("source")
        # A risk missing one of its three codes still counts in the tables
        # whose two dimensions it does have.
        if kind is not None and source is not None:
            type_source.add((risk_type_label(kind), risk_source_label(source)))
        if location is not None and source is not None:
            location_source.add(
                (risk_location_label(location), risk_source_label(source))
            )
        if kind is not None and location is not None:
            type_location.add((risk_type_label(kind), risk_location_label(location)))
    for table, pairs in (
        ("SG2a", type_source),
        ("SG2b", location_source),
        ("SG2ab1", type_location),
    ):
        for row, column in pairs:
            cells[(table, row, column)] += 1

    outcome_code = enquiry.get("risk_assessment_outcome")
    if outcome_code is not None:
        outcome = risk_assessment_outcome_label(outcome_code)
        cells[("SG2c", outcome, NO_COLUMN)] += 1
        result_code = enquiry.get("risk_result")
        if outcome in RISK_IDENTIFIED_OUTCOMES and result_code is not None:
            cells[("SG2e", risk_result_label(result_code), NO_COLUMN)] += 1

    capacity = capacity_label(enquiry.get("lacked_capacity"))
    cells[("SG3a", capacity, NO_COLUMN)] += 1
    if capacity == CAPACITY_YES and enquiry.get("capacity_support") is True:
        cells[("SG3a", CAPACITY_SUPPORT, NO_COLUMN)] += 1

    expressed = bool(enquiry.get("desired_outcomes"))
    asked_code = enquiry.get("asked_desired_outcomes")
    if asked_code is None and expressed:
        # No answer typed, but desired outcomes recorded in the adult's words
        # (the interchange records them as the adult's): the answer is
        # derived as "asked and outcomes expressed" (issue 15, outcomes/msp.py).
        asked_code = "yes"
    asked = msp_asked_label(asked_code, expressed)
    cells[("SG4a", asked, NO_COLUMN)] += 1
    achieved_code = enquiry.get("outcomes_achieved")
    if asked == MSP_EXPRESSED and achieved_code is not None:
        cells[("SG4a", msp_achieved_label(achieved_code), NO_COLUMN)] += 1


def _count_review(cells: dict[CellKey, int], review: Record) -> None:
    """Add one completed Safeguarding Adults Review to SG5a and SG5b."""
    individuals = review.get("individuals") or ()
    deaths = [individual.get("died") is True for individual in individuals]
    row = SAR_SOMEONE_DIED if any(deaths) else SAR_NOBODY_DIED
    cells[("SG5a", row, NO_COLUMN)] += 1
    for died in deaths:
        cells[("SG5b", SAR_DIED if died else SAR_SURVIVED, NO_COLUMN)] += 1
