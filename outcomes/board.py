"""Reports for the Safeguarding Adults Board, beyond the SAC return.

Six reports for a financial year, each counted with aggregate queries over
the records the user may see (``msp.access.visible`` first, then the team a
safeguarding lead chose), so the number of queries is the same however many
records there are. The definitions are written on the page and in decision
0029; in short:

* Concerns are those received in the year (``received_on``), except those
  decided as "no enquiry: withdrawn or a duplicate" (never counted twice).
* By referral source: the concern's referrer type ("Not recorded" if blank).
* By provider: concerns whose risks (on the concern or its enquiry, not
  withdrawn) name an organisation as the source of risk; a concern naming
  two organisations counts once for each; the top :data:`TOP_PROVIDERS`,
  then every other organisation together (each concern once).
* Conversion: the decision on each concern received in the year: section 42
  enquiry, other enquiry, no enquiry, or not decided yet.
* Repeat concerns: adults with two or more concerns received in the year,
  and concerns received in the year about an adult who had another concern
  received in the 365 days before the day it was received (not the same
  day), among the concerns the user may see.
* Requests to partners (caused enquiries, s42(2)) due in the year: answered
  on or before the due date, answered late, closed without a response, or
  still outstanding (counted as they are today).
* Shares of information made or received in the year (``shared_on``), not
  withdrawn, by the plain-words lawful basis and direction.

For a safeguarding lead with no team chosen, the repeat concerns and the
concerns by referrer type and decision are read from counts kept per adult
with the SAC return's (:func:`counted_by_person`, decision 0039), less the
restricted adults hidden from the lead; everyone else's are counted here.
"""

from __future__ import annotations

import datetime
from collections import OrderedDict
from dataclasses import dataclass, field

from django.db.models import Count, F, Q, QuerySet, Sum, Window
from django.db.models.functions import Lag
from django.utils import timezone

from enquiries.models import CausedEnquiry, Concern, InformationShare, Risk
from msp.access import visible
from msp.dates import DaysBetween, financial_year_of
from msp.db_routing import report_queries
from outcomes import sac_spec

TOP_PROVIDERS = 10
REPEAT_DAYS = 365
# Concerns in the year that make an adult one "with several concerns".
SEVERAL = 2
NOT_RECORDED = "Not recorded"

Decision = Concern.Decision
Basis = InformationShare.LawfulBasis
Direction = InformationShare.Direction

SECTIONS: OrderedDict[str, str] = OrderedDict(
    (
        ("referral_source", "Concerns by referral source"),
        ("provider", "Concerns by provider"),
        ("conversion", "Concerns that led to an enquiry"),
        ("repeat", "Repeat concerns"),
        ("partner_requests", "Requests to partners answered on time"),
        ("shares", "Information shared, by lawful basis"),
    )
)


@dataclass(frozen=True)
class BoardFilter:
    """A financial year and, for a safeguarding lead, perhaps one team."""

    year: str
    team_id: int | None = None
    team_name: str = ""
    query: dict = field(default_factory=dict, compare=False)

    @property
    def start(self) -> datetime.date:
        return sac_spec.financial_year_bounds(self.year)[0]

    @property
    def end(self) -> datetime.date:
        return sac_spec.financial_year_bounds(self.year)[1]

    @property
    def description(self) -> str:
        text = f"{self.start:%-d %B %Y} to {self.end:%-d %B %Y}"
        return f"{text}, {self.team_name}" if self.team_name else text


# ---------------------------------------------------------------------------
# The records counted
# ---------------------------------------------------------------------------


def _counted(concerns: QuerySet[Concern]) -> QuerySet[Concern]:
    """``concerns`` less withdrawn ones and duplicates."""
    return concerns.exclude(
        decision=Decision.NO_ENQUIRY,
        other_pathway=Concern.OtherPathway.WITHDRAWN,
    )


def counted_concerns(user) -> QuerySet[Concern]:
    """Every concern the user may see, less withdrawn ones and duplicates."""
    return _counted(visible(user, Concern.objects.all()))


def _of_the_year(filters: BoardFilter) -> Q:
    """Received in the year, and the team's when a team is chosen."""
    condition = Q(received_on__range=(filters.start, filters.end))
    if filters.team_id:
        condition &= Q(team_id=filters.team_id)
    return condition


def year_concerns(user, filters: BoardFilter) -> QuerySet[Concern]:
    return counted_concerns(user).filter(_of_the_year(filters))


def _percent(count: int, total: int) -> float | None:
    return round(100 * count / total, 1) if total else None


def _row(label: str, count: int, total: int, **extra) -> dict:
    return {"label": label, "count": count, "percent": _percent(count, total), **extra}


# ---------------------------------------------------------------------------
# The reports
# ---------------------------------------------------------------------------


def source_and_decision(concerns: QuerySet[Concern]) -> dict[tuple[str, str], int]:
    """The concerns counted by referrer type and decision: one grouped query
    for both the referral-source and the conversion reports."""
    return {
        (source, decision): n
        for source, decision, n in concerns.values("referrer_type", "decision")
        .annotate(n=Count("pk"))
        .values_list("referrer_type", "decision", "n")
        .order_by()
    }


def _totals(grouped: dict[tuple[str, str], int], position: int) -> dict[str, int]:
    totals: dict[str, int] = {}
    for key, n in grouped.items():
        totals[key[position]] = totals.get(key[position], 0) + n
    return totals


def by_referral_source(grouped: dict[tuple[str, str], int]) -> dict:
    counts = _totals(grouped, 0)
    total = sum(counts.values())
    rows = [
        _row(label, counts.get(value, 0), total)
        for value, label in Concern.ReferrerType.choices
    ]
    rows.append(_row(NOT_RECORDED, counts.get("", 0), total))
    return {"rows": rows, "total": total}


def by_provider(
    concerns: QuerySet[Concern], top: int = TOP_PROVIDERS, total: int | None = None
) -> dict:
    risks = Risk.objects.filter(
        concern__in=concerns.values("pk"),
        is_withdrawn=False,
        source_organisation__isnull=False,
    )
    per_organisation = list(
        risks.values("source_organisation", "source_organisation__name")
        .annotate(n=Count("concern", distinct=True))
        .order_by("-n", "source_organisation__name", "source_organisation")
    )
    total = concerns.count() if total is None else total
    shown = per_organisation[:top]
    rows = [_row(line["source_organisation__name"], line["n"], total) for line in shown]
    # Concerns naming any organisation, and any but those shown: one query.
    outside = ~Q(
        source_organisation__in=[line["source_organisation"] for line in shown]
    )
    named = risks.aggregate(
        all=Count("concern", distinct=True),
        others=Count("concern", distinct=True, filter=outside),
    )
    others = named["others"]
    named = named["all"]
    if len(per_organisation) > top:
        rows.append(
            _row(
                f"Other organisations ({len(per_organisation) - top})",
                others,
                total,
                other=True,
            )
        )
    return {
        "rows": rows,
        "total": total,
        "named": named,
        "not_named": total - named,
        "organisations": len(per_organisation),
    }


def conversion(grouped: dict[tuple[str, str], int]) -> dict:
    counts = _totals(grouped, 1)
    total = sum(counts.values())
    s42 = counts.get(Decision.SECTION_42, 0)
    other = counts.get(Decision.OTHER_ENQUIRY, 0)
    none = counts.get(Decision.NO_ENQUIRY, 0)
    undecided = counts.get("", 0)
    decided = s42 + other + none
    rows = [
        _row("Section 42 enquiry", s42, total),
        _row("Other safeguarding enquiry", other, total),
        _row("No safeguarding enquiry", none, total),
        _row("Not decided yet", undecided, total),
    ]
    return {
        "rows": rows,
        "total": total,
        "decided": decided,
        "s42_rate": _percent(s42, decided),
        "enquiry_rate": _percent(s42 + other, decided),
    }


def repeats(user, filters: BoardFilter) -> dict:
    """Adults with several concerns in the year, and concerns that follow
    another about the same adult within :data:`REPEAT_DAYS`.

    Counted by the database in two queries that return one row each: the
    adults, from the year's concerns grouped by adult; the repeats, from
    each adult's days with a concern (:func:`_repeat_days`). Reading the
    year's (adult, day) pairs into Python instead cost 360 ms of a lead's
    first view at 1M concerns (100,000 concerns a year)."""
    concerns = year_concerns(user, filters)
    return _repeat_figures(_repeat_counts(counted_concerns(user), concerns, filters))


def _repeat_counts(
    counted: QuerySet[Concern], concerns: QuerySet[Concern], filters: BoardFilter
) -> dict[str, int]:
    """The repeat report's five counts: of the year's ``concerns``, looking
    back over the ``counted`` ones (:func:`_repeat_days`)."""
    figures = (
        concerns.order_by()
        .values("person_id")
        .annotate(n=Count("pk"))
        .aggregate(
            adults=Count("person_id"),
            total=Sum("n", default=0),
            several=Count("person_id", filter=Q(n__gte=SEVERAL)),
            about_several=Sum("n", filter=Q(n__gte=SEVERAL), default=0),
        )
    )
    days = _repeat_days(counted, filters, concerns)
    # The window needs each adult's days in order: group them by sorting.
    with report_queries(group_by_sorting=True):
        figures["repeats"] = days.aggregate(repeats=Sum("counted", default=0))[
            "repeats"
        ]
    return figures


def _repeat_figures(figures: dict[str, int]) -> dict:
    """The repeat-concerns report from its five counts (``adults``,
    ``total``, ``several``, ``about_several``, ``repeats``)."""
    adults, total = figures["adults"], figures["total"]
    return {
        "adults": adults,
        "total": total,
        "rows": [
            _row(
                "Adults with 2 or more concerns in the year",
                figures["several"],
                adults,
                of="adults",
            ),
            _row(
                "Concerns about those adults",
                figures["about_several"],
                total,
                of="concerns",
            ),
            _row(
                "Concerns about an adult with another concern in the "
                f"{REPEAT_DAYS} days before",
                figures["repeats"],
                total,
                of="concerns",
            ),
        ],
    }


def _repeat_days(
    counted: QuerySet[Concern],
    filters: BoardFilter,
    concerns: QuerySet[Concern] | None = None,
) -> QuerySet:
    """Each adult's days with a ``counted`` concern (those the user may see,
    in any team) from :data:`REPEAT_DAYS` before the year to its end, with
    ``counted``: how many of the year's concerns (in the team chosen) the
    day has, kept when the adult's previous day is close enough (not the
    same day). Adding ``counted`` up gives the repeat concerns.

    With a team chosen, only the adults of its ``concerns`` are looked at;
    with none, every adult in the window is one of the year's or adds
    nothing, so the adults are not looked up first."""
    earlier = counted.filter(
        received_on__range=(
            filters.start - datetime.timedelta(REPEAT_DAYS),
            filters.end,
        )
    )
    if filters.team_id:
        earlier = earlier.filter(person__in=concerns.values("person_id"))
    previous_day = Window(
        Lag("received_on"), partition_by=[F("person_id")], order_by="received_on"
    )
    days = (
        earlier.order_by()
        .values("person_id", "received_on")
        .annotate(
            counted=Count("pk", filter=_of_the_year(filters)),
            gap=DaysBetween(F("received_on"), previous_day),
        )
    )
    return days.filter(gap__lte=REPEAT_DAYS)


# ---------------------------------------------------------------------------
# Counted per person, for the kept counts (decision 0039)
# ---------------------------------------------------------------------------

# A concern's referrer type or decision outside today's choices: counted in
# the totals, in no row (as the reports above do).
UNKNOWN = "?"
_SOURCES = (*Concern.ReferrerType.values, "", UNKNOWN)
_DECISIONS = (*Decision.values, "", UNKNOWN)
REPEAT_CELLS: tuple[tuple[str, str, str], ...] = tuple(
    ("Board", name, "")
    for name in ("adults", "total", "several", "about_several", "repeats")
)
SOURCE_CELLS: tuple[tuple[str, str, str], ...] = tuple(
    ("Board source", source, decision) for source in _SOURCES for decision in _DECISIONS
)
PERSON_CELLS = REPEAT_CELLS + SOURCE_CELLS
"""What one adult adds to a year's board counts over every team: the repeat
report's five counts, and their concerns by referrer type and decision."""


def _source_cell(source: str, decision: str) -> tuple[str, str, str]:
    """The cell of :data:`SOURCE_CELLS` a concern counts in."""
    return (
        "Board source",
        source if source in _SOURCES else UNKNOWN,
        decision if decision in _DECISIONS else UNKNOWN,
    )


@dataclass(frozen=True)
class _Span:
    """Every day from ``start`` to ``end``, every team: a period for the
    functions above that take a :class:`BoardFilter`."""

    start: datetime.date
    end: datetime.date
    team_id: None = None


def counted_by_person(people: list[int]) -> dict[int, dict[tuple[str, tuple], int]]:
    """What each of ``people`` adds to :data:`PERSON_CELLS` in each financial
    year, counting every team's concerns (a safeguarding lead's board with
    no team chosen), as ``{(year, cell): n}``: the queries of
    :func:`_repeat_counts` and :func:`source_and_decision`, grouped by the
    adult and the day as well (three queries for every year at once), added
    up by the year the day falls in."""
    everyone = _counted(Concern.objects.filter(person_id__any_of=list(people)))
    found: dict[int, dict[tuple[str, tuple], int]] = {}

    def add(person: int, year: str, key: tuple, n: int) -> None:
        cells = found.setdefault(person, {})
        cells[(year, key)] = cells.get((year, key), 0) + n

    per_day = (
        everyone.order_by()
        .values("person_id", "received_on", "referrer_type", "decision")
        .annotate(n=Count("pk"))
        .values_list("person_id", "received_on", "referrer_type", "decision", "n")
    )
    in_year: dict[tuple[int, str], int] = {}
    first = last = None
    for person, day, source, decision, n in per_day:
        year = financial_year_of(day)
        add(person, year, _source_cell(source, decision), n)
        in_year[(person, year)] = in_year.get((person, year), 0) + n
        first, last = min(first or day, day), max(last or day, day)
    for (person, year), n in in_year.items():
        several = n >= SEVERAL
        add(person, year, ("Board", "adults", ""), 1)
        add(person, year, ("Board", "total", ""), n)
        add(person, year, ("Board", "several", ""), int(several))
        add(person, year, ("Board", "about_several", ""), n if several else 0)
    if first is None:
        return found
    with report_queries(group_by_sorting=True):
        days = _repeat_days(everyone, _Span(first, last)).values_list(
            "person_id", "received_on", "counted"
        )
        for person, day, counted in days:
            if counted:
                add(person, financial_year_of(day), ("Board", "repeats", ""), counted)
    return found


def council_counts(year: str) -> dict[tuple, int]:
    """:data:`PERSON_CELLS` for ``year`` counted afresh over every team and
    every adult, by the reports' own queries (to check the kept counts)."""
    filters = BoardFilter(year=year)
    counted = _counted(Concern.objects.all())
    concerns = counted.filter(_of_the_year(filters))
    cells = {
        ("Board", name, ""): n
        for name, n in _repeat_counts(counted, concerns, filters).items()
    }
    for (source, decision), n in source_and_decision(concerns).items():
        key = _source_cell(source, decision)
        cells[key] = cells.get(key, 0) + n
    return {key: n for key, n in cells.items() if n}


def _kept_counts(user, filters: BoardFilter) -> tuple[dict, dict] | None:
    """The repeat report's counts and the concerns by referrer type and
    decision, from the kept counts (decision 0039), for a user who sees every
    team and chose none: every adult's counts, less those of the restricted
    people hidden from the user. None otherwise, or when the kept counts are
    not ready: the caller counts afresh."""
    from msp.access import can_see_all_teams, hidden_restricted_ids
    from outcomes import sac_counts

    if filters.team_id or not (user.is_active and can_see_all_teams(user)):
        return None
    cells = sac_counts.kept_board(filters.year, hidden_restricted_ids(user))
    if cells is None:
        return None
    figures = {name: cells.get(("Board", name, ""), 0) for _b, name, _c in REPEAT_CELLS}
    grouped = {
        (source, decision): cells.get(("Board source", source, decision), 0)
        for _b, source, decision in SOURCE_CELLS
    }
    return figures, {key: n for key, n in grouped.items() if n}


def partner_requests(user, filters: BoardFilter, today: datetime.date) -> dict:
    requests = visible(user, CausedEnquiry.objects.all()).filter(
        due_on__range=(filters.start, filters.end)
    )
    if filters.team_id:
        requests = requests.filter(enquiry__team_id=filters.team_id)
    answered = Q(report_received_on__isnull=False)
    outstanding = Q(report_received_on__isnull=True, closed_on__isnull=True)
    counts = requests.aggregate(
        total=Count("pk"),
        on_time=Count("pk", filter=answered & Q(report_received_on__lte=F("due_on"))),
        late=Count("pk", filter=answered & Q(report_received_on__gt=F("due_on"))),
        closed=Count(
            "pk", filter=Q(report_received_on__isnull=True, closed_on__isnull=False)
        ),
        overdue=Count("pk", filter=outstanding & Q(due_on__lt=today)),
        waiting=Count("pk", filter=outstanding & Q(due_on__gte=today)),
    )
    total = counts["total"]
    return {
        "total": total,
        "answered": counts["on_time"] + counts["late"],
        "on_time_rate": _percent(counts["on_time"], counts["on_time"] + counts["late"]),
        "rows": [
            _row("Answered by the due date", counts["on_time"], total),
            _row("Answered after the due date", counts["late"], total),
            _row("Closed without a response", counts["closed"], total),
            _row("Outstanding, past the due date", counts["overdue"], total),
            _row("Outstanding, not yet due", counts["waiting"], total),
        ],
    }


def shares(user, filters: BoardFilter) -> dict:
    logged = visible(user, InformationShare.objects.all()).filter(
        shared_on__range=(filters.start, filters.end), withdrawn_at__isnull=True
    )
    if filters.team_id:
        logged = logged.filter(
            Q(concern__team_id=filters.team_id) | Q(enquiry__team_id=filters.team_id)
        )
    counts = {
        (basis, direction): n
        for basis, direction, n in logged.values("lawful_basis", "direction")
        .annotate(n=Count("pk"))
        .values_list("lawful_basis", "direction", "n")
        .order_by()
    }
    total = sum(counts.values())
    rows = []
    for value, label in Basis.choices:
        out = counts.get((value, Direction.OUT), 0)
        received = counts.get((value, Direction.IN), 0)
        rows.append(
            {
                **_row(label, out + received, total),
                "out": out,
                "in": received,
            }
        )
    return {
        "rows": rows,
        "total": total,
        "out": sum(row["out"] for row in rows),
        "in": sum(row["in"] for row in rows),
    }


def board_reports(user, filters: BoardFilter) -> dict:
    """Every board report for the year. A fixed number of queries, run with
    the report settings (:func:`msp.db_routing.report_queries`)."""
    today = timezone.localdate()
    with report_queries():
        concerns = year_concerns(user, filters)
        kept = _kept_counts(user, filters)
        if kept is None:
            repeat = repeats(user, filters)
            grouped = source_and_decision(concerns)
        else:
            repeat, grouped = _repeat_figures(kept[0]), kept[1]
        return {
            "referral_source": by_referral_source(grouped),
            "provider": by_provider(concerns, total=repeat["total"]),
            "conversion": conversion(grouped),
            "repeat": repeat,
            "partner_requests": partner_requests(user, filters, today),
            "shares": shares(user, filters),
            "today": today,
        }


def cached_board_reports(user, filters: BoardFilter) -> dict:
    """:func:`board_reports` kept like the dashboard's figures (per scope of
    access, filters and day; dropped as soon as a counted record changes;
    ten minutes at most). Downloads always count afresh."""
    from outcomes.sac import kept_report

    return kept_report("board", user, filters, lambda: board_reports(user, filters))


# ---------------------------------------------------------------------------
# Tables for the CSV and the workbook
# ---------------------------------------------------------------------------


def table(section: str, data: dict) -> tuple[list[str], list[list]]:
    """One report as a header and rows of plain values (CSV, Excel)."""
    report = data[section]

    def pct(value):
        return "" if value is None else value

    if section == "shares":
        header = ["Lawful basis", "Shared by us", "Received by us", "Total", "Percent"]
        rows = [
            [r["label"], r["out"], r["in"], r["count"], pct(r["percent"])]
            for r in report["rows"]
        ]
        rows.append(["All shares", report["out"], report["in"], report["total"], ""])
        return header, rows
    if section == "repeat":
        header = ["Figure", "Count", "Out of", "Percent"]
        rows = [
            [
                r["label"],
                r["count"],
                report["adults"] if r["of"] == "adults" else report["total"],
                pct(r["percent"]),
            ]
            for r in report["rows"]
        ]
        return header, rows
    first = {
        "referral_source": "Referral source",
        "provider": "Organisation named as source of risk",
        "conversion": "Decision on the concern",
        "partner_requests": "Request to a partner, due in the year",
    }[section]
    header = [first, "Count", "Percent"]
    rows = [[r["label"], r["count"], pct(r["percent"])] for r in report["rows"]]
    if section == "provider":
        rows.append(
            [
                "No organisation named",
                report["not_named"],
                pct(_percent(report["not_named"], report["total"])),
            ]
        )
    totals = {
        "referral_source": "All concerns received",
        "provider": "All concerns received",
        "conversion": "All concerns received",
        "partner_requests": "All requests due",
    }
    rows.append([totals[section], report["total"], ""])
    return header, rows


def plain_text(cell):
    """Text a spreadsheet would run as a formula is written as plain text."""
    if isinstance(cell, str) and cell[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + cell
    return cell


def workbook_bytes(data: dict, filters: BoardFilter) -> bytes:
    """The annual pack: one sheet per report, with its definition."""
    import io

    from openpyxl import Workbook
    from openpyxl.styles import Font

    bold = Font(bold=True)
    book = Workbook()
    book.remove(book.active)
    for key, title in SECTIONS.items():
        sheet = book.create_sheet(title[:31])
        sheet.append([f"{title}: {filters.description}"])
        sheet["A1"].font = bold
        sheet.append([DEFINITIONS[key]])
        sheet.append([])
        header, rows = table(key, data)
        sheet.append(header)
        for cell in sheet[sheet.max_row]:
            cell.font = bold
        for line in rows:
            sheet.append([None if cell == "" else plain_text(cell) for cell in line])
        sheet.column_dimensions["A"].width = 60
    stream = io.BytesIO()
    book.save(stream)
    return stream.getvalue()


DEFINITIONS: dict[str, str] = {
    "referral_source": (
        "Concerns received in the year, by who raised them (the referrer type "
        "recorded on the concern). Concerns decided as withdrawn or a "
        "duplicate are not counted."
    ),
    "provider": (
        "Concerns received in the year whose risks (on the concern or its "
        "enquiry, not withdrawn) name an organisation as the source of risk. "
        "A concern naming two organisations counts once for each; 'Other "
        f"organisations' counts each concern once. The top {TOP_PROVIDERS} "
        "organisations are shown by name."
    ),
    "conversion": (
        "Concerns received in the year, by the decision made on them (as it "
        "stands today): a section 42 enquiry, another safeguarding enquiry, no "
        "enquiry, or not decided yet. The conversion rate is enquiries as a "
        "share of the concerns decided."
    ),
    "repeat": (
        "Adults with two or more concerns received in the year; and concerns "
        "received in the year about an adult who had another concern received "
        f"in the {REPEAT_DAYS} days before it (not on the same day), which "
        "may be in the previous year. Only concerns you may see are counted, "
        "withdrawn and duplicate concerns never."
    ),
    "partner_requests": (
        "Requests to partners to make enquiries (Care Act s42(2)) whose due "
        "date is in the year, as they stand today: answered on or before the "
        "due date, answered after it, closed without a response, or still "
        "outstanding."
    ),
    "shares": (
        "Information shared with, or received from, other organisations in "
        "the year (the date it was shared), by the lawful basis recorded. "
        "Withdrawn entries are not counted."
    ),
}
