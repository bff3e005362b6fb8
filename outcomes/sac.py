"""The SAC return counted from practice records with aggregate ORM queries.

``compute_sac_return(year)`` asks the database a fixed number of grouped
questions (about twenty, whatever the size of the data) and turns the small
grouped answers into SAC cells with the code-to-label maps of
``outcomes.sac_spec``. No query walks every enquiry in Python.

Model mapping (see ``docs/sac.md``):

* Person: gender, ethnicity, primary_support_reason, health_conditions (a JSON
  list), date_of_birth, date_of_death. An empty string is "not recorded".
* Concern: received_on (drives the SG1 year), in_our_area, person.
* Enquiry: kind_at_start for SG1, kind for SG2-SG4, started_on, concluded_on,
  risk_assessment_outcome, risk_result, lacked_capacity, capacity_support,
  asked_desired_outcomes, outcomes_achieved. "Outcomes expressed" means at
  least one desired outcome not withdrawn, recorded on the enquiry or on its
  concern with no enquiry named.
* Risk rows that name the enquiry and are not withdrawn.
* SafeguardingAdultsReview.completed_on and its SarIndividual rows.

Scope: concerns where the abuse happened in our area and the person was 18 or
over on the day the concern was received (or has no date of birth). Enquiries
follow their concern. The age tests are done in SQL from the year, month and
day parts of the dates, so they behave the same on SQLite and PostgreSQL.

Health conditions: people are grouped by their whole ``health_conditions``
list (one GROUP BY on the JSON column, which both SQLite's text and
PostgreSQL's jsonb support), and each distinct list is expanded to SG1e rows
in Python. The answer has one row per distinct list, not per person.

The page keeps a counted return in the Django cache for up to ten minutes
(:func:`cached_sac_return`), keyed on the year and a cheap data version
(:func:`data_version`), so an edit shows on the next view. Tables SG1 to SG4
are read from counts kept per person and year once they are filled
(:func:`sac_return`, :mod:`outcomes.sac_counts`); the ``sac_return`` command
always counts afresh. The data-quality list
(:func:`data_quality`) counts each check with one aggregate and lists a
bounded page of records per check, moving on by keyset.

This module also holds the small services of the SAR register (create, edit,
add an individual), which feed SG5.
"""

from __future__ import annotations

import datetime
import functools
import hashlib
import uuid
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Sequence
from operator import itemgetter
from typing import TypeVar

from django.db import transaction
from django.db.models import (
    BooleanField,
    Case,
    CharField,
    Count,
    Exists,
    F,
    OuterRef,
    Q,
    QuerySet,
    Value,
    When,
)
from django.urls import reverse

from enquiries.codes import RiskSource
from enquiries.models import (
    AdvocacyReferral,
    CausedEnquiry,
    Concern,
    DesiredOutcome,
    Enquiry,
    InformationShare,
    Organisation,
    Person,
    PersonView,
    PlanAction,
    Risk,
    SafeguardingAdultsReview,
    SarIndividual,
    StageTimescale,
)
from msp import audit
from msp.concurrency import save_changes
from msp.dates import annotate_age, born_by, financial_year_of
from msp.db_routing import report_queries
from outcomes import msp, sac_spec
from outcomes.models import FeedbackAnswer, FeedbackQuestion, FeedbackResponse
from outcomes.sac_spec import CellKey

# ---------------------------------------------------------------------------
# Scope
# ---------------------------------------------------------------------------


def in_scope(queryset: QuerySet, prefix: str = "") -> QuerySet:
    """Keep the rows whose concern (``prefix`` leads to it) the return counts:
    in our area, and about someone 18 or over on the day it was received (or
    with no date of birth).

    ``Concern.adult_on_receipt`` holds the age test (derived from the dates,
    see decision 0013), so this reads two columns of the concern and never
    joins the person table. Callers narrow ``queryset`` by date first.
    """
    return queryset.filter(
        **{f"{prefix}in_our_area": True, f"{prefix}adult_on_receipt": True}
    )


def concerns_received(start: datetime.date, end: datetime.date) -> QuerySet[Concern]:
    """In-scope concerns received in the year."""
    return in_scope(Concern.objects.filter(received_on__range=(start, end)))


def enquiries_started(start: datetime.date, end: datetime.date) -> QuerySet[Enquiry]:
    """In-scope enquiries (either kind) started in the year."""
    return in_scope(Enquiry.objects.filter(started_on__range=(start, end)), "concern__")


def concluded_s42(start: datetime.date, end: datetime.date) -> QuerySet[Enquiry]:
    """In-scope Section 42 enquiries (by their current kind) concluded in the year."""
    return in_scope(
        Enquiry.objects.filter(
            kind=Enquiry.Kind.SECTION_42, concluded_on__range=(start, end)
        ),
        "concern__",
    )


# ---------------------------------------------------------------------------
# Age band in SQL
# ---------------------------------------------------------------------------


def annotate_age_band(
    queryset: QuerySet,
    *,
    on: datetime.date,
    birth: str = "date_of_birth",
    death: str = "date_of_death",
    name: str = "_band",
) -> QuerySet:
    """``queryset`` with ``name`` = the SG1a row (:func:`sac_spec.age_band`)
    of the dates at the ORM paths ``birth`` and ``death``: age on ``on``, or
    at death if that came first.

    For everyone alive on ``on`` the band is a comparison of the date of
    birth with a date worked out once here (:func:`msp.dates.born_by`);
    only people who died before it have their age computed
    (:func:`msp.dates.annotate_age`). Computing every person's age for each
    band tested cost about 40 ms of a year's 70,000 people at 1M concerns.
    """
    queryset = annotate_age(queryset, on=on, birth=birth, death=death, name="_age")
    at_death = Case(
        *(
            When(_age__gte=lower, then=Value(band))
            for lower, band in sac_spec.AGE_BAND_LOWER_BOUNDS
        ),
        default=Value("18-64"),
        output_field=CharField(),
    )
    cutoffs = (
        (born_by(lower, on), band) for lower, band in sac_spec.AGE_BAND_LOWER_BOUNDS
    )
    alive = (
        When(**{f"{birth}__lte": cutoff}, then=Value(band))
        for cutoff, band in cutoffs
        if cutoff is not None  # a band no one can be in (a year like 0001-02)
    )
    band = Case(
        When(**{f"{birth}__isnull": True}, then=Value(sac_spec.AGE_UNKNOWN)),
        When(**{f"{death}__lt": on}, then=at_death),
        *alive,
        default=Value("18-64"),
        output_field=CharField(),
    )
    return queryset.annotate(**{name: band})


def _people_with_band(people: QuerySet[Person], year_end: datetime.date) -> QuerySet:
    """SG1a row: age on 31 March, or at death if that came first."""
    return annotate_age_band(people, on=year_end)


# ---------------------------------------------------------------------------
# Labels for possibly-empty codes
# ---------------------------------------------------------------------------


def _code(value: str | None) -> str | None:
    """An empty string in a code field means not recorded."""
    return value or None


# ---------------------------------------------------------------------------
# The return
# ---------------------------------------------------------------------------


def compute_sac_return(year: str) -> dict[CellKey, int]:
    """Every cell of the SAC return for ``year`` (e.g. ``"2024-25"``), counted
    afresh from the records.

    Raises ValueError for a badly written year.
    """
    start, end = sac_spec.financial_year_bounds(year)
    cells = sac_spec.empty_return()

    def add(_person: int | None, key: CellKey, n: int) -> None:
        cells[key] += n

    with report_queries():
        _count_sg1(add, start, end)
        _count_case_details(add, start, end)
        count_reviews(cells, start, end)
    return cells


def count_by_person(
    year: str,
    people: Sequence[int] | None = None,
    *,
    received: bool = True,
    concluded: bool = True,
) -> dict[int, Counter[CellKey]]:
    """What each person adds to tables SG1 to SG4 of ``year``: the queries of
    :func:`compute_sac_return`, each grouped by the person as well, for
    ``people`` (their ids; None: everyone). The sum over everyone is the
    return's SG1 to SG4, cell for cell: every count in those tables is of
    people, concerns or enquiries, and each concern and enquiry is about one
    person. ``outcomes.sac_counts`` keeps the return from these.

    ``received=False`` leaves out SG1 (for people with no concern received
    and no enquiry started in the year), ``concluded=False`` SG2 to SG4 (no
    enquiry concluded in it): their queries would find nothing."""
    start, end = sac_spec.financial_year_bounds(year)
    found: dict[int, Counter[CellKey]] = defaultdict(Counter)

    def add(person: int | None, key: CellKey, n: int) -> None:
        if key not in _ALL_CELLS:
            raise KeyError(key)  # as the return's own dictionary would
        found[person][key] += n

    if received:
        _count_sg1(add, start, end, people, by_person=True)
    if concluded:
        _count_case_details(add, start, end, people, by_person=True)
    return found


_ALL_CELLS = frozenset(sac_spec.all_cells())
# Adds ``n`` to a cell for a person (None when not counting by person).
AddCount = Callable[[int | None, CellKey, int], None]


def _of_people(queryset: QuerySet, path: str, people: Sequence[int] | None):
    if people is None:
        return queryset
    return queryset.filter(**{f"{path}__any_of": list(people)})


def _sg1_people(
    start: datetime.date, end: datetime.date, people: Sequence[int] | None
) -> dict[str, QuerySet]:
    concerns = _of_people(concerns_received(start, end), "person_id", people)

    def started(kind: str) -> QuerySet:
        return (
            _of_people(enquiries_started(start, end), "concern__person_id", people)
            .filter(kind_at_start=kind)
            .values("concern__person_id")
        )

    return {
        sac_spec.CONCERNS_COLUMN: Person.objects.filter(
            pk__in=concerns.values("person_id")
        ),
        sac_spec.S42_COLUMN: Person.objects.filter(
            pk__in=started(Enquiry.Kind.SECTION_42)
        ),
        sac_spec.OTHER_COLUMN: Person.objects.filter(
            pk__in=started(Enquiry.Kind.OTHER)
        ),
    }


def _person_rows_with_band(people: QuerySet[Person], year_end: datetime.date):
    """Each person's SG1 row, the band from :func:`sac_spec.age_band` (the
    rule :func:`annotate_age_band` writes in SQL; like the SQL, an age under
    18, which the return's scope never counts, falls in "18-64")."""
    rows = people.order_by().values(
        "pk",
        "date_of_birth",
        "date_of_death",
        "gender",
        "ethnicity",
        "primary_support_reason",
        "health_conditions",
    )
    for row in rows:
        try:
            band = sac_spec.age_band(
                row["date_of_birth"], row["date_of_death"], year_end
            )
        except ValueError:
            band = "18-64"
        yield {**row, "_band": band, "n": 1}


def _count_sg1(
    add: AddCount,
    start: datetime.date,
    end: datetime.date,
    people: Sequence[int] | None = None,
    *,
    by_person: bool = False,
) -> None:
    for column, found in _sg1_people(start, end, people).items():
        # SG1a-SG1e: one grouped query; a person is in exactly one group.
        if by_person:
            # One row per person, their band worked out here by the rule
            # itself: for a few people, building the band's SQL (an age
            # expression per band) took longer than counting them.
            groups = _person_rows_with_band(found, end)
        else:
            groups = (
                _people_with_band(found, end)
                .order_by()
                .values(
                    "_band",
                    "gender",
                    "ethnicity",
                    "primary_support_reason",
                    "health_conditions",
                )
                .annotate(n=Count("pk"))
            )
        for group in groups:
            n, person = group["n"], group.get("pk")
            add(person, ("SG1a", group["_band"], column), n)
            gender = sac_spec.gender_label(_code(group["gender"]))
            add(person, ("SG1b", gender, column), n)
            ethnicity = sac_spec.ethnicity_label(_code(group["ethnicity"]))
            add(person, ("SG1c", ethnicity, column), n)
            psr = sac_spec.support_reason_label(_code(group["primary_support_reason"]))
            add(person, ("SG1d", psr, column), n)
            codes = group["health_conditions"]
            if isinstance(codes, list):
                for label in sac_spec.health_condition_labels(codes):
                    add(person, ("SG1e", label, column), n)

    concerns = _of_people(concerns_received(start, end), "person_id", people)
    if by_person:
        per_person = concerns.order_by().values("person_id").annotate(n=Count("pk"))
        for group in per_person:
            add(
                group["person_id"],
                ("SG1f", sac_spec.SG1F_CONCERNS, sac_spec.NO_COLUMN),
                group["n"],
            )
    else:
        n = concerns.count()
        add(None, ("SG1f", sac_spec.SG1F_CONCERNS, sac_spec.NO_COLUMN), n)
    started = (
        _of_people(enquiries_started(start, end), "concern__person_id", people)
        .order_by()
        .values("kind_at_start", *(("concern__person_id",) if by_person else ()))
        .annotate(n=Count("pk"))
    )
    for group in started:
        column = sac_spec.ENQUIRY_KIND_COLUMNS.get(group["kind_at_start"])
        if column is not None:
            row = sac_spec.SG1F_ROW_BY_COLUMN[column]
            key = ("SG1f", row, sac_spec.NO_COLUMN)
            add(group.get("concern__person_id"), key, group["n"])


_RISK_DIMENSIONS = ("risk_type", "location", "sac_source")
_RISK_LABELS = (
    sac_spec.risk_type_label,
    sac_spec.risk_location_label,
    sac_spec.risk_source_label,
)
# Each table and the two dimensions (by position) it crosses.
_RISK_TABLES = (("SG2a", 0, 2), ("SG2b", 1, 2), ("SG2ab1", 0, 1))
_ROW_AND_COLUMN = itemgetter(0, 1)


def _count_case_details(
    add: AddCount,
    start: datetime.date,
    end: datetime.date,
    people: Sequence[int] | None = None,
    *,
    by_person: bool = False,
) -> None:
    concluded = _of_people(concluded_s42(start, end), "concern__person_id", people)
    who = ("concern__person_id",) if by_person else ()
    # SG2a, SG2b and SG2ab1 count the enquiries with a risk in each pair of
    # (type, location, source). One query reads the three of each of the
    # year's risks, and the three tables are counted from them here, rather
    # than three grouped queries over the same risks (at 1M concerns: 0.63 s
    # -> 0.2 s). The sets below make an enquiry count once per cell, so the
    # query need not sort the risks to drop repeats.
    combinations = (
        Risk.objects.filter(
            enquiry__any_of_array=concluded.values("pk"), is_withdrawn=False
        )
        .annotate(
            # Self-neglect: the adult themself is "known to the individual"
            # (docs/sac.md, "Source of risk").
            sac_source=Case(
                When(source=RiskSource.ADULT_THEMSELF, then=Value(RiskSource.KNOWN)),
                default=F("source"),
            )
        )
        .order_by()
        .values_list("enquiry_id", *_RISK_DIMENSIONS, *(f"enquiry__{p}" for p in who))
    )
    rows = list(combinations)
    person_of = {row[0]: row[4] for row in rows} if by_person else {}
    for table, row_at, column_at in _RISK_TABLES:
        # An enquiry counts once in a cell however many of its risks fall
        # there: the set of (row, column, enquiry) says which. (Built with
        # itemgetter, not a comprehension: a third of the time at 1M.)
        found = set(map(itemgetter(row_at + 1, column_at + 1, 0), rows))
        row_label, column_label = _RISK_LABELS[row_at], _RISK_LABELS[column_at]
        if by_person:
            counted = Counter(
                (row, column, person_of[enquiry]) for row, column, enquiry in found
            )
        else:
            counted = Counter(map(_ROW_AND_COLUMN, found))
        for cell, n in counted.items():
            row, column = cell[0], cell[1]
            if row and column:  # a risk with no location, say, is left out
                person = cell[2] if by_person else None
                add(person, (table, row_label(row), column_label(column)), n)

    # SG2c, SG2e, SG3a and SG4a: one grouped query over the year's concluded
    # enquiries (a group per combination of the answers these tables read),
    # rather than one query per table over the same enquiries.
    groups = (
        concluded.order_by()
        .annotate(
            # No answer typed, but an outcome recorded from the adult or
            # their representative: "asked and outcomes expressed"
            # (outcomes.msp); it counts only where the return counts
            # outcomes as expressed, so a derived answer is always that.
            _derived=Case(
                When(msp.derived_asked(), then=Value(True)),
                default=Value(False),
                output_field=BooleanField(),
            ),
        )
        .values(
            *who,
            "risk_assessment_outcome",
            "risk_result",
            "lacked_capacity",
            "capacity_support",
            # A desired outcome, not withdrawn, on the enquiry or on its
            # concern with no enquiry named: the stored, derived flag
            # (enquiries.models.outcomes_counted_for, decision 0034).
            "outcomes_expressed",
            "_derived",
            "asked_desired_outcomes",
            "outcomes_achieved",
        )
        .annotate(n=Count("pk"))
    )
    for group in groups:
        n, person = group["n"], group.get("concern__person_id")
        outcome_code = _code(group["risk_assessment_outcome"])
        if outcome_code is not None:
            outcome = sac_spec.risk_assessment_outcome_label(outcome_code)
            add(person, ("SG2c", outcome, sac_spec.NO_COLUMN), n)
            result_code = _code(group["risk_result"])
            if outcome in sac_spec.RISK_IDENTIFIED_OUTCOMES and result_code is not None:
                result = sac_spec.risk_result_label(result_code)
                add(person, ("SG2e", result, sac_spec.NO_COLUMN), n)

        answer = sac_spec.capacity_label(_code(group["lacked_capacity"]))
        add(person, ("SG3a", answer, sac_spec.NO_COLUMN), n)
        if answer == sac_spec.CAPACITY_YES and group["capacity_support"] is True:
            add(person, ("SG3a", sac_spec.CAPACITY_SUPPORT, sac_spec.NO_COLUMN), n)

        was_expressed = group["outcomes_expressed"]
        asked_code = (
            "yes"
            if was_expressed and group["_derived"]
            else group["asked_desired_outcomes"]
        )
        asked = sac_spec.msp_asked_label(_code(asked_code), was_expressed)
        add(person, ("SG4a", asked, sac_spec.NO_COLUMN), n)
        achieved_code = _code(group["outcomes_achieved"])
        if asked == sac_spec.MSP_EXPRESSED and achieved_code is not None:
            achieved = sac_spec.msp_achieved_label(achieved_code)
            add(person, ("SG4a", achieved, sac_spec.NO_COLUMN), n)


def count_reviews(
    cells: dict[CellKey, int], start: datetime.date, end: datetime.date
) -> None:
    reviews = SafeguardingAdultsReview.objects.filter(completed_on__range=(start, end))
    with_death = (
        reviews.order_by()
        .annotate(_deaths=Count("individuals", filter=Q(individuals__died=True)))
        .aggregate(
            died=Count("pk", filter=Q(_deaths__gt=0)),
            total=Count("pk"),
        )
    )
    cells[("SG5a", sac_spec.SAR_SOMEONE_DIED, sac_spec.NO_COLUMN)] += with_death["died"]
    cells[("SG5a", sac_spec.SAR_NOBODY_DIED, sac_spec.NO_COLUMN)] += (
        with_death["total"] - with_death["died"]
    )
    individuals = (
        SarIndividual.objects.filter(review__in=reviews.values("pk"))
        .order_by()
        .values("died")
        .annotate(n=Count("pk"))
    )
    for group in individuals:
        row = sac_spec.SAR_DIED if group["died"] else sac_spec.SAR_SURVIVED
        cells[("SG5b", row, sac_spec.NO_COLUMN)] += group["n"]


# ---------------------------------------------------------------------------
# Years
# ---------------------------------------------------------------------------


def last_complete_year(today: datetime.date | None = None) -> str:
    today = today or datetime.date.today()
    current = financial_year_of(today)
    first = int(current[:4]) - 1
    return f"{first}-{(first + 1) % 100:02d}"


def years_with_data(today: datetime.date | None = None) -> list[str]:
    """Financial years from the earliest record to the current one, newest first."""
    from django.db.models import Min

    today = today or datetime.date.today()
    earliest = [
        Concern.objects.aggregate(d=Min("received_on"))["d"],
        Enquiry.objects.aggregate(d=Min("started_on"))["d"],
        SafeguardingAdultsReview.objects.aggregate(d=Min("completed_on"))["d"],
    ]
    known = [day for day in earliest if day is not None and day <= today]
    first_day = min(known, default=today)
    first = int(financial_year_of(first_day)[:4])
    last = int(financial_year_of(today)[:4])
    return [f"{y}-{(y + 1) % 100:02d}" for y in range(last, first - 1, -1)]


# ---------------------------------------------------------------------------
# Layout for pages and workbooks: row groups with totals
# ---------------------------------------------------------------------------

# Tables whose rows are not all parts of one whole: each tuple is a group of
# rows and the label of that group's total (None: no total).
_ROW_GROUPS: dict[str, tuple[tuple[tuple[str, ...], str | None], ...]] = {
    "SG3a": (
        (sac_spec.CAPACITY_ANSWERS, "Total concluded Section 42 enquiries"),
        ((sac_spec.CAPACITY_SUPPORT,), None),
    ),
    "SG4a": (
        (sac_spec.MSP_ASKED, "Total concluded Section 42 enquiries"),
        (sac_spec.MSP_ACHIEVED, "Total where outcomes were expressed"),
    ),
}


def table_layout(cells: dict[CellKey, int]) -> list[dict]:
    """Every table with its rows, row totals and column totals, for display."""
    layout = []
    for table in sac_spec.TABLES:
        has_columns = table.columns != (sac_spec.NO_COLUMN,)
        groups = _ROW_GROUPS.get(table.code, ((table.rows, "Total"),))
        sections = []
        for rows, total_label in groups:
            body = []
            for row in rows:
                values = [cells.get((table.code, row, c), 0) for c in table.columns]
                body.append({"label": row, "values": values, "total": sum(values)})
            totals = None
            if total_label is not None:
                column_totals = [
                    sum(line["values"][i] for line in body)
                    for i in range(len(table.columns))
                ]
                totals = {
                    "label": total_label,
                    "values": column_totals,
                    "total": sum(column_totals),
                }
            sections.append({"rows": body, "totals": totals})
        layout.append(
            {
                "code": table.code,
                "title": table.title,
                "columns": table.columns if has_columns else (),
                "has_columns": has_columns,
                # Wide cross-tabulations use smaller text to fit the page.
                "compact": len(table.columns) > 3,
                "sections": sections,
            }
        )
    return layout


# ---------------------------------------------------------------------------
# Data quality: records that leave the return incomplete
# ---------------------------------------------------------------------------

DATA_QUALITY_LIMIT = 20
"""Records listed per check on one page; "show more" moves on by keyset."""


def _age_unknown_people(start: datetime.date, end: datetime.date) -> QuerySet[Person]:
    """The people SG1 counts as "Age unknown" in the year: from the kept
    counts once filled (:func:`outcomes.sac_counts.people_with_age_unknown`,
    a list of a few ids, read after counting the marked changes), otherwise
    found afresh."""
    from outcomes import sac_counts

    kept = sac_counts.people_with_age_unknown(financial_year_of(start))
    if kept is not None:
        return Person.objects.filter(date_of_birth__isnull=True, pk__any_of=kept)
    # Afresh: with no date of birth the age test passes, so the scope is
    # just "in our area"; EXISTS per person lets the date-of-birth index
    # pick the few people first, rather than collecting the year's people.
    return Person.objects.filter(date_of_birth__isnull=True).filter(
        Exists(
            Concern.objects.filter(
                person=OuterRef("pk"),
                received_on__range=(start, end),
                in_our_area=True,
            )
        )
        | Exists(
            Enquiry.objects.filter(
                concern__person=OuterRef("pk"),
                started_on__range=(start, end),
                concern__in_our_area=True,
            )
        )
    )


def data_quality_checks(start: datetime.date, end: datetime.date) -> list[dict]:
    """Named checks, each with an unscoped queryset of the records at fault.

    ``condition`` is the same test as a filter on the year's concluded
    Section 42 enquiries (None for the people check), so every enquiry
    check can be counted in one aggregate query.
    The caller scopes every queryset with ``msp.access.visible``.
    """
    concluded = concluded_s42(start, end)
    with_risks = Exists(Risk.objects.filter(enquiry=OuterRef("pk"), is_withdrawn=False))
    people_in_year = _age_unknown_people(start, end)
    conditions = {
        "capacity": Q(lacked_capacity=""),
        "outcome": Q(risk_assessment_outcome=""),
        "result": Q(
            risk_assessment_outcome__in=[
                "risk_identified_action",
                "risk_identified_no_action",
            ],
            risk_result="",
        ),
        "asked": Q(asked_desired_outcomes="") & ~msp.derived_asked(),
        "achieved": Q(outcomes_expressed=True)
        & (Q(asked_desired_outcomes="yes") | msp.derived_asked())
        & Q(outcomes_achieved=""),
        "risks": ~Q(with_risks),
    }
    titles = {
        "capacity": "Concluded Section 42 enquiries with no answer about mental capacity (SG3a)",
        "outcome": "Concluded Section 42 enquiries with no risk assessment outcome (SG2c)",
        "result": "Risk identified but no result recorded (SG2e)",
        "asked": "Concluded Section 42 enquiries with no answer about desired outcomes (SG4a)",
        "achieved": "Outcomes expressed but not evaluated at closure (SG4a part 2)",
        "risks": "Concluded Section 42 enquiries with no recorded risk (SG2a, SG2b)",
    }
    checks = [
        {
            "key": key,
            "title": titles[key],
            "records": concluded.filter(condition),
            "condition": condition,
        }
        for key, condition in conditions.items()
    ]
    checks.append(
        {
            "key": "dob",
            "title": "People counted this year with no date of birth (SG1a Age unknown)",
            "records": people_in_year,
            "condition": None,
        }
    )
    return checks


DATA_QUALITY_KEYS = (
    "capacity",
    "outcome",
    "result",
    "asked",
    "achieved",
    "risks",
    "dob",
)


def data_quality(
    user,
    start: datetime.date,
    end: datetime.date,
    *,
    more: str | None = None,
    after: str | None = None,
    limit: int | None = None,
) -> list[dict]:
    """The checks that found records ``user`` can see, each with its count and
    the first ``limit`` records; for the check named ``more``, the records
    after the cursor ``after`` (:mod:`msp.paging`). Enquiries are listed by
    the day they were concluded, people by when they were first recorded.

    A fixed number of queries however many records are at fault: one
    aggregate counts every enquiry check, one bounded query per enquiry check
    with anything to show, and one query for the people check that counts its
    records and lists the first of them together (a window count over the
    rows before the limit), so its access test runs once, not twice.

    Enquiries are paged by (concluded on, id) rather than by id alone: by id,
    PostgreSQL walked the primary key from the oldest enquiry ever recorded,
    discarding every earlier year's (248,000 rows at 1M concerns), because
    the year's enquiries all sit at the end of that order.
    """
    from django.db.models import Count, Window

    from msp.access import visible
    from msp.paging import keyset_page

    limit = limit or DATA_QUALITY_LIMIT
    checks = data_quality_checks(start, end)
    enquiry_checks = [check for check in checks if check["condition"] is not None]
    counts = visible(user, concluded_s42(start, end)).aggregate(
        **{
            check["key"]: Count("pk", filter=check["condition"])
            for check in enquiry_checks
        }
    )
    found = []
    for check in checks:
        cursor = after if check["key"] == more else None
        records = visible(user, check["records"])
        key = "pk"
        if records.model is Enquiry:
            records, key = records.select_related("concern__person"), "concluded_on"
        if check["condition"] is None and cursor is None:
            # The people check's first page and its count in one query.
            page = keyset_page(
                records.annotate(_found=Window(Count("pk"))),
                after=None,
                key=key,
                size=limit,
            )
            total = page.rows[0]._found if page.rows else 0
        else:
            if check["condition"] is None:
                total = records.count()
            else:
                total = counts[check["key"]] or 0
            if not total:
                continue
            page = keyset_page(records, after=cursor, key=key, size=limit)
        if not total:
            continue
        found.append(
            {
                "key": check["key"],
                "title": check["title"],
                "total": total,
                "items": [_data_quality_item(row, check["key"]) for row in page.rows],
                "continued": page.continued,
                "next_after": page.next_cursor,
            }
        )
    return found


# Where each check's gap is fixed, when not on the record's own page.
FIX_PAGES = {"asked": "enquiries:desired_outcomes", "achieved": "outcomes:evaluate"}


def _data_quality_item(record, key: str = "") -> dict:
    if isinstance(record, Person):
        label = record.full_name
    else:
        day = record.concluded_on
        label = (
            f"{record.concern.person.full_name}: {record.get_kind_display()} "
            f"concluded {day.day} {day:%B %Y}"
        )
    if key == "asked":
        url = reverse(FIX_PAGES[key], args=["enquiry", record.reference])
    elif key == "achieved":
        url = reverse(FIX_PAGES[key], args=[record.reference])
    else:
        url = record.get_absolute_url()
    return {"label": label, "url": url}


# ---------------------------------------------------------------------------
# The return, kept for a short time for the page
# ---------------------------------------------------------------------------

T = TypeVar("T")

CACHE_SECONDS = 10 * 60
_CACHE_PREFIX = "sac-return"
_TOKEN_KEY = f"{_CACHE_PREFIX}:token"
# Every table the return, the MSP dashboard and the board reports read (their
# figures are kept the same way: outcomes.reports.cached_dashboard,
# outcomes.board.cached_board_reports).
_COUNTED_MODELS = (
    Person,
    Concern,
    Enquiry,
    Risk,
    DesiredOutcome,
    SafeguardingAdultsReview,
    SarIndividual,
    PersonView,
    PlanAction,
    AdvocacyReferral,
    FeedbackResponse,
    FeedbackAnswer,
    FeedbackQuestion,
    StageTimescale,
    CausedEnquiry,
    InformationShare,
    Organisation,
)


def data_version() -> str:
    """A cheap fingerprint of the records the return and the dashboard count.

    One query of index lookups: the highest primary key of every table the
    return reads (catches new rows, including bulk inserts); the latest
    audited change to a record of each of those types, and the latest audited
    change about no one record (an import's line), which every service
    records in the same transaction as the change, including updates that
    bypass ``save()``; and a token replaced whenever a counted record is
    saved or deleted through the ORM.

    Audit lines that change nothing counted leave the version as it was
    (decision 0036): an adult signing in to their own page, someone looking
    at a record, downloading a report or being refused, and changes to
    records no report counts (a case note, a document, a letter). On a busy
    system these are most of the lines, and each used to drop every user's
    kept figures.
    """
    from django.db import connections, router

    from msp.models import AuditEvent

    # The database the figures are counted from (the replica for reports,
    # decision 0018): a version read from the primary while a lagging replica
    # counts would keep old figures under the new version.
    connection = connections[router.db_for_read(AuditEvent)]
    sql, params = _version_query(connection.vendor)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        row = cursor.fetchone()
    return ":".join(str(value) for value in (_token(), *row))


@functools.cache
def _version_query(vendor: str) -> tuple[str, tuple[str, ...]]:
    """The SQL of :func:`data_version` (the same for every call, so written
    once per database vendor) and its parameters: the audited record types.

    The latest audited change is one probe of the index
    ``msp_audit_changes_by_type`` per record type, in a sub-query run for
    each type (one plan, not one per type). The actions are written into the
    SQL as the index's condition is, so that both databases see the index
    applies. Names come from model metadata and quoted; the actions are code
    constants: no user input reaches this SQL.
    """
    from django.db import connections, router

    from msp.models import AUDIT_CHANGES_INDEX, RECORD_CHANGE_ACTIONS, AuditEvent

    quote = connections[router.db_for_read(AuditEvent)].ops.quote_name
    parts = []
    for model in _COUNTED_MODELS:
        column, table = quote(model._meta.pk.column), quote(model._meta.db_table)
        parts.append(f"(SELECT MAX({column}) FROM {table})")  # noqa: S608
    audit = AuditEvent._meta
    pk = quote(audit.pk.column)
    object_type = quote(audit.get_field("object_type").column)
    action = quote(audit.get_field("action").column)
    if not all(name.isalpha() for name in RECORD_CHANGE_ACTIONS):
        raise ValueError("audit actions are written into SQL: letters only")
    actions = ", ".join(f"'{name}'" for name in RECORD_CHANGE_ACTIONS)
    # "": a line about no one record (an import's), then each counted type.
    types = ("", *(model._meta.label for model in _COUNTED_MODELS))
    rows = ", ".join(["(%s)"] * len(types))
    # The type is matched as a range of one value and the lines taken in the
    # index's order (type, id): only that index gives this order, so
    # PostgreSQL cannot walk the primary key back through every line instead
    # (it did, 34 ms, when the audit table's statistics were stale and
    # "object_type = t.column1" looked common; a type with no change lines
    # then meant reading the whole trail). SQLite, which keeps no statistics
    # unless asked, is told the index by name.
    index = quote(AUDIT_CHANGES_INDEX)
    source = f"{quote(audit.db_table)} a"
    if vendor == "sqlite":
        source += f" INDEXED BY {index}"
    parts.append(
        f"(SELECT MAX((SELECT a.{pk} FROM {source}"  # noqa: S608
        f" WHERE a.{object_type} >= t.column1 AND a.{object_type} <= t.column1"
        f" AND a.{action} IN ({actions})"
        f" ORDER BY a.{object_type} DESC, a.{pk} DESC LIMIT 1))"
        f" FROM (VALUES {rows}) t)"
    )
    return "SELECT " + ", ".join(parts), types


def _token() -> str:
    from django.core.cache import cache

    token = cache.get(_TOKEN_KEY)
    if token is None:
        cache.add(_TOKEN_KEY, uuid.uuid4().hex, None)
        token = cache.get(_TOKEN_KEY) or ""
    return token


def forget_cached_returns(**_kwargs) -> None:
    """Make every cached return out of date (a new token changes every key)."""
    from django.core.cache import cache

    cache.set(_TOKEN_KEY, uuid.uuid4().hex, None)


def _forget_now_and_on_commit(**_kwargs) -> None:
    # Now, and again after the commit: a page counted between the two saw
    # the data before the change and must not be kept.
    forget_cached_returns()
    transaction.on_commit(forget_cached_returns)


def kept_until_changed(parts: Iterable[object], compute: Callable[[], T]) -> T:
    """``compute()``, kept in the cache under ``parts`` while nothing counted
    changes (:func:`data_version`) and for at most ``CACHE_SECONDS``."""
    from django.core.cache import cache

    raw = ":".join(str(part) for part in (*parts, data_version()))
    key = f"{_CACHE_PREFIX}:{hashlib.sha256(raw.encode()).hexdigest()}"
    kept = cache.get(key)
    if kept is not None:
        return kept
    value = compute()
    cache.set(key, value, CACHE_SECONDS)
    return value


def kept_report(name: str, user, filters, compute: Callable[[], dict]) -> dict:
    """A report page's figures, ``compute()`` with ``counted_at``, kept per
    report ``name``, scope of access (:func:`msp.access.scope_key`: two
    managers who see the same records share them), filters (every field of
    the filter dataclass that compares: a filter added later is part of the
    key without a change here) and day, while nothing counted changes
    (:func:`kept_until_changed`). For the pages: downloads count afresh."""
    from dataclasses import fields

    from django.utils import timezone

    from msp.access import scope_key

    def count() -> dict:
        return {**compute(), "counted_at": timezone.now()}

    chosen = [getattr(filters, f.name) for f in fields(filters) if f.compare]
    parts = (name, scope_key(user), *chosen, timezone.localdate())
    return kept_until_changed(parts, count)


def sac_return(year: str) -> dict[CellKey, int]:
    """The return for ``year``, for the page and its downloads: from the kept
    counts (:mod:`outcomes.sac_counts`, decision 0037) once they are filled,
    otherwise counted afresh (:func:`compute_sac_return`). The two agree cell
    for cell; ``manage.py keep_sac_counts --check`` compares them."""
    from outcomes import sac_counts

    kept = sac_counts.kept_return(year)
    return kept if kept is not None else compute_sac_return(year)


def cached_sac_return(year: str) -> tuple[dict[CellKey, int], datetime.datetime]:
    """The return for ``year`` and when it was counted, from the cache when
    nothing counted has changed since and it is under ``CACHE_SECONDS`` old.

    For the page only: the downloads read :func:`sac_return` each time, and
    the ``sac_return`` command counts afresh (:func:`compute_sac_return`).
    """
    from django.utils import timezone

    sac_spec.financial_year_bounds(year)  # ValueError for a bad year
    return kept_until_changed(
        ("return", year), lambda: (sac_return(year), timezone.now())
    )


def cached_data_quality(
    user,
    start: datetime.date,
    end: datetime.date,
    *,
    more: str | None = None,
    after: str | None = None,
) -> list[dict]:
    """:func:`data_quality` for ``user``, kept like the return: per scope of
    access (the list shows only what the user may see: :func:`scope_key`
    changes with their role, teams, and the restricted records hidden from
    them, so a break-glass grant that ends changes it), year and cursor,
    dropped as soon as a counted record changes."""
    from msp.access import scope_key

    return kept_until_changed(
        ("quality", scope_key(user), start.isoformat(), more, after),
        lambda: data_quality(user, start, end, more=more, after=after),
    )


def connect() -> None:
    """Drop the kept figures whenever a counted record changes; called from
    ``OutcomesConfig.ready()`` (never at import time)."""
    from django.db.models.signals import m2m_changed, post_delete, post_save

    # Who may see a restricted person changes what the data-quality list shows.
    m2m_changed.connect(
        _forget_now_and_on_commit,
        sender=Person.permitted_users.through,
        dispatch_uid="sac-return-permitted-users",
    )

    for model in _COUNTED_MODELS:
        for signal in (post_save, post_delete):
            signal.connect(
                _forget_now_and_on_commit,
                sender=model,
                dispatch_uid=f"sac-return-{model.__name__}-{signal is post_save}",
            )


# ---------------------------------------------------------------------------
# SAR register services (SG5)
# ---------------------------------------------------------------------------


def create_review(
    *,
    user,
    title: str,
    commissioned_on: datetime.date | None,
    completed_on: datetime.date | None,
    reviewer: str = "",
) -> SafeguardingAdultsReview:
    with transaction.atomic():
        review = SafeguardingAdultsReview(
            title=title,
            reviewer=reviewer,
            commissioned_on=commissioned_on,
            completed_on=completed_on,
            created_by=user,
            updated_by=user,
        )
        review.full_clean()
        review.save()
        audit.record(
            actor=user,
            action="create",
            obj=review,
            summary=f"Added Safeguarding Adults Review '{title}'"[:255],
        )
    return review


def update_review(
    *, user, review: SafeguardingAdultsReview, expected_version: int, changes: dict
) -> SafeguardingAdultsReview:
    """Raises ``msp.concurrency.EditConflict`` if someone saved it first."""
    from outcomes.sar import check_commissioning

    check_commissioning(review, changes)
    return save_changes(
        user=user,
        instance=review,
        expected_version=expected_version,
        changes=changes,
        summary="Changed Safeguarding Adults Review",
    )


def add_individual(
    *, user, review: SafeguardingAdultsReview, person: Person | None, died: bool
) -> SarIndividual:
    with transaction.atomic():
        individual = SarIndividual(review=review, person=person, died=died)
        individual.full_clean()
        individual.save()
        audit.record(
            actor=user,
            action="change",
            obj=review,
            person_ref=str(person.reference) if person else "",
            summary="Added an individual to a Safeguarding Adults Review",
            changes={"individual": ["", "died" if died else "survived"]},
        )
    return individual


def reviews_with_counts(reviews: Iterable[SafeguardingAdultsReview] | QuerySet):
    return reviews.annotate(
        died_count=Count("individuals", filter=Q(individuals__died=True)),
        survived_count=Count("individuals", filter=Q(individuals__died=False)),
    )


# ---------------------------------------------------------------------------
# Excel workbook: one sheet per table, laid out as on the page
# ---------------------------------------------------------------------------


def workbook_bytes(cells: dict[CellKey, int], year: str) -> bytes:
    import io

    from openpyxl import Workbook
    from openpyxl.styles import Font

    bold = Font(bold=True)
    book = Workbook()
    book.remove(book.active)
    for table in table_layout(cells):
        sheet = book.create_sheet(table["code"])
        sheet.append([f"{table['code']}: {table['title']} ({year})"])
        sheet["A1"].font = bold
        header = ["Category", *(table["columns"] or ("Count",))]
        if table["has_columns"]:
            header.append("Total")
        sheet.append(header)
        for cell in sheet[2]:
            cell.font = bold
        for section in table["sections"]:
            lines = list(section["rows"])
            if section["totals"]:
                lines.append(section["totals"])
            for line in lines:
                values = list(line["values"])
                if table["has_columns"]:
                    values.append(line["total"])
                sheet.append([line["label"], *values])
                if line is section["totals"]:
                    for cell in sheet[sheet.max_row]:
                        cell.font = bold
        sheet.column_dimensions["A"].width = 60
    stream = io.BytesIO()
    book.save(stream)
    return stream.getvalue()
