"""What safeguarding achieved: the figures behind the managers' MSP dashboard.

Every figure is counted from aggregate queries over the enquiries the user
may see (``msp.access.visible`` is applied to the base queryset first), so the
number of queries stays the same however many enquiries there are. Each
countable figure is a named condition (:data:`FIGURES`), so the dashboard, its
CSV and the drill-down list of enquiries behind a figure all use one
definition: the drill-down filters with it in the database; the dashboard
counts the enquiries grouped by every value the conditions read (one
``GROUP BY`` query) and adds the groups that meet each condition
(:func:`compile_condition`); the same query adds up the per-stage view
figures and the timescales. Values read from other records (views,
advocacy, feedback, desired outcomes, working days per step) come from each
enquiry's kept figures (``outcomes.figures``, decision 0033), not from
sub-queries over those records.

"Concluded" means closed (signed off) with a conclusion date in the period.
An enquiry sent back from "awaiting sign-off" is open again, so it is not
concluded.
"""

from __future__ import annotations

import datetime
import functools
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field

from django.db import router
from django.db.models import (
    Count,
    Exists,
    F,
    FilteredRelation,
    OuterRef,
    Q,
    QuerySet,
)
from django.db.models.functions import TruncMonth

from enquiries import codes
from enquiries.models import (
    Enquiry,
    PersonView,
    Risk,
)
from enquiries.timescales import load_timescales
from msp.access import visible
from msp.dates import financial_year_of
from msp.db_routing import report_queries
from outcomes import figures, msp, sac, sac_spec
from outcomes.figures import VIEW_STAGES
from outcomes.models import (
    AgreementScale,
    EnquiryFigures,
    FeedbackAnswer,
    FeedbackResponse,
)

WORKING_DAYS = True

Closed = Enquiry.Status.CLOSED
Achieved = codes.Achieved


AGE_OPEN_BANDS: tuple[tuple[str, str, int, int | None], ...] = (
    ("under_4", "Under 4 weeks", 0, 28),
    ("4_to_12", "4 to 12 weeks", 28, 84),
    ("12_to_26", "12 to 26 weeks", 84, 182),
    ("over_26", "Over 26 weeks", 182, None),
)
OPEN_STATUSES: tuple[str, ...] = tuple(
    status for status in Enquiry.Status.values if status != Closed
)


# ---------------------------------------------------------------------------
# Filters
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class ReportFilter:
    """The period and the slices a manager chose. Period = conclusion date."""

    start: datetime.date
    end: datetime.date
    team_id: int | None = None
    practitioner_id: int | None = None
    kind: str = ""
    risk_type: str = ""
    location: str = ""
    source: str = ""
    by: str = "month"
    query: dict = field(default_factory=dict, compare=False)

    @classmethod
    def current_year(cls) -> ReportFilter:
        start, end = sac_spec.financial_year_bounds(
            financial_year_of(datetime.date.today())
        )
        return cls(start=start, end=end)

    @property
    def description(self) -> str:
        return f"{self.start:%-d %B %Y} to {self.end:%-d %B %Y}"


def scoped_enquiries(user, filters: ReportFilter) -> QuerySet[Enquiry]:
    """Enquiries the user may see, sliced by team, worker, kind and risk."""
    queryset = visible(user, Enquiry.objects.all())
    if filters.team_id:
        queryset = queryset.filter(team_id=filters.team_id)
    if filters.practitioner_id:
        queryset = queryset.filter(allocated_to_id=filters.practitioner_id)
    if filters.kind:
        queryset = queryset.filter(kind=filters.kind)
    risk = {
        name: value
        for name, value in (
            ("risk_type", filters.risk_type),
            ("location", filters.location),
            ("source", filters.source),
        )
        if value
    }
    if risk:
        # One risk matching all chosen slices (as SAC SG2 crosses them).
        queryset = queryset.filter(
            Exists(
                Risk.objects.filter(enquiry=OuterRef("pk"), is_withdrawn=False, **risk)
            )
        )
    return queryset


def concluded_enquiries(user, filters: ReportFilter) -> QuerySet[Enquiry]:
    return scoped_enquiries(user, filters).filter(
        status=Closed, concluded_on__range=(filters.start, filters.end)
    )


def open_enquiries(user, filters: ReportFilter) -> QuerySet[Enquiry]:
    return scoped_enquiries(user, filters).exclude(status=Closed)


# ---------------------------------------------------------------------------
# Figures: one definition for the dashboard, its CSV and its drill-downs
# ---------------------------------------------------------------------------


# The per-enquiry values every figure's condition is written in (besides the
# enquiry's own fields, the MSP answer and the kept figures). The dashboard
# groups the enquiries by these values and tests each group once.
GROUPED_FIELDS: tuple[str, ...] = (
    msp.ANNOTATION,
    "outcomes_achieved",
    "risk_assessment_outcome",
    "risk_result",
    "lacked_capacity",
    "capacity_support",
    "advocate_allocated",
    "adult_view_on_closure",
    "has_feedback",
    "has_unrated_outcome",
    "view_not_obtained",
)


def annotate_for_figures(
    queryset: QuerySet[Enquiry],
    stages: tuple[str, ...] = (),
    period: tuple[datetime.date, datetime.date] | None = None,
) -> QuerySet[Enquiry]:
    """Everything the figure conditions need, per enquiry: the MSP answer
    (from the enquiry's own fields) and the values kept in its
    :class:`~outcomes.models.EnquiryFigures` row (``outcomes.figures``; see
    :func:`with_figures_kept`).

    ``stages``: also whether each of these stages has current views
    (``view_any_<stage>``) and obtained ones (``view_ok_<stage>``), for the
    list of enquiries behind a per-stage figure. ``period``: the enquiries
    were concluded in it, so only the kept rows of that period are read (by
    their index) rather than every row kept.
    """
    queryset = _join_kept(queryset, period)
    kept_in = _kept_name(period)
    kept = [name for name in GROUPED_FIELDS if name in figures.FLAG_FIELDS]
    for stage in stages:
        kept += [f"view_any_{stage}", f"view_ok_{stage}"]
    return queryset.annotate(
        **{msp.ANNOTATION: msp.msp_asked_expression()},
        **{name: F(f"{kept_in}__{name}") for name in kept},
    )


def _join_kept(
    queryset: QuerySet[Enquiry], period: tuple[datetime.date, datetime.date] | None
) -> QuerySet[Enquiry]:
    """``queryset`` joined to its kept figures of ``period`` only, when given
    (read as :func:`_kept_name`): those rows are found by their conclusion
    date's index instead of every row kept being read."""
    if period is None:
        return queryset
    in_period = Q(figures__concluded_on__range=period)
    return queryset.annotate(_kept=FilteredRelation("figures", condition=in_period))


def _kept_name(period: tuple[datetime.date, datetime.date] | None) -> str:
    return "figures" if period is None else "_kept"


@dataclass(frozen=True)
class Figure:
    key: str
    label: str
    condition: Q
    denominator: str | None = None
    section: str = ""
    # Per-stage figures are counted over the views (one grouped query), not
    # per enquiry; their condition needs ``annotate_for_figures(stages=...)``.
    stage: str = ""


def _risk_identified() -> Q:
    return Q(risk_assessment_outcome__in=codes.RiskOutcome.risk_identified())


def _lacked() -> Q:
    return Q(lacked_capacity=codes.YesNoDontKnow.YES)


def _no_evaluation() -> Q:
    return Q(**{msp.ANNOTATION: msp.EXPRESSED}) & (
        Q(outcomes_achieved="") | Q(has_unrated_outcome=True)
    )


def _closure_without_view() -> Q:
    return Q(adult_view_on_closure__in=["", Enquiry.ViewOnClosure.NOT_OBTAINABLE])


def _build_figures() -> OrderedDict[str, Figure]:
    asked = msp.ANNOTATION
    figures: list[Figure] = [
        Figure("concluded", "Concluded enquiries", Q(), None, "Enquiries"),
        Figure(
            "asked",
            "The adult (or their representative) was asked what they wanted",
            Q(**{f"{asked}__in": [msp.EXPRESSED, msp.NOT_EXPRESSED]}),
            "concluded",
            "Making Safeguarding Personal",
        ),
    ]
    for category in msp.CATEGORIES:
        figures.append(
            Figure(
                f"asked_{category}",
                msp.LABELS[category],
                Q(**{asked: category}),
                "concluded",
                "Asked about desired outcomes (SAC SG4a)",
            )
        )
    expressed = Q(**{asked: msp.EXPRESSED})
    for value, label in Achieved.choices:
        figures.append(
            Figure(
                f"achieved_{value}",
                label,
                expressed & Q(outcomes_achieved=value),
                f"asked_{msp.EXPRESSED}",
                "Were the outcomes the adult wanted achieved?",
            )
        )
    figures.append(
        Figure(
            "no_evaluation",
            "Outcomes expressed but not evaluated with the adult",
            _no_evaluation(),
            f"asked_{msp.EXPRESSED}",
            "Were the outcomes the adult wanted achieved?",
        )
    )
    figures.append(
        Figure(
            "risk_identified",
            "A risk was identified",
            _risk_identified(),
            "concluded",
            "Risk",
        )
    )
    for value, label in codes.RiskResult.choices:
        figures.append(
            Figure(
                f"risk_{value}",
                label,
                _risk_identified() & Q(risk_result=value),
                "risk_identified",
                "Risk",
            )
        )
    figures += [
        Figure(
            "lacked_capacity",
            "The adult lacked capacity to make decisions about the enquiry",
            _lacked(),
            "concluded",
            "Capacity and advocacy",
        ),
        Figure(
            "advocate_when_lacking",
            "An advocate, family member or friend supported them",
            _lacked() & (Q(capacity_support=True) | Q(advocate_allocated=True)),
            "lacked_capacity",
            "Capacity and advocacy",
        ),
        Figure(
            "view_on_closure",
            "The adult's view on closure was recorded",
            Q(
                adult_view_on_closure__in=[
                    Enquiry.ViewOnClosure.AGREES,
                    Enquiry.ViewOnClosure.DISAGREES,
                ]
            ),
            "concluded",
            "The adult's views",
        ),
        Figure(
            "closure_without_view",
            "Closed without the adult's view",
            _closure_without_view(),
            "concluded",
            "The adult's views",
        ),
        Figure(
            "view_not_obtained",
            "A stage was completed with the adult's views not obtained",
            Q(view_not_obtained=True),
            "concluded",
            "The adult's views",
        ),
        Figure(
            "feedback_given",
            "Feedback on their experience was given",
            Q(has_feedback=True),
            "concluded",
            "Feedback",
        ),
    ]
    for stage in VIEW_STAGES:
        label = codes.Stage(stage).label
        figures.append(
            Figure(
                f"stage_{stage}",
                f"{label} stage: views recorded",
                Q(**{f"view_any_{stage}": True}),
                None,
                "Views recorded per stage",
                stage=stage,
            )
        )
        figures.append(
            Figure(
                f"stage_ok_{stage}",
                f"{label} stage: the adult's (or representative's) views obtained",
                Q(**{f"view_ok_{stage}": True}),
                f"stage_{stage}",
                "Views recorded per stage",
                stage=stage,
            )
        )
    return OrderedDict((figure.key, figure) for figure in figures)


FIGURES = _build_figures()
EXCEPTION_KEYS = ("no_evaluation", "view_not_obtained", "closure_without_view")


@dataclass(frozen=True)
class OpenFigure:
    key: str
    label: str
    status: str
    band: tuple[str, str, int, int | None]

    def condition(self, today: datetime.date) -> Q:
        _key, _label, low, high = self.band
        condition = Q(status=self.status, started_on__lte=today - _days(low))
        if high is not None:
            condition &= Q(started_on__gt=today - _days(high))
        return condition


def _days(n: int) -> datetime.timedelta:
    return datetime.timedelta(days=n)


def open_figure(key: str) -> OpenFigure | None:
    """``open_<status>__<band>`` (drill-down of open enquiries by stage and age)."""
    if not key.startswith("open_") or "__" not in key:
        return None
    status, band_key = key[len("open_") :].split("__", 1)
    band = next((b for b in AGE_OPEN_BANDS if b[0] == band_key), None)
    if status not in OPEN_STATUSES or band is None:
        return None
    label = f"Open: {Enquiry.Status(status).label}, {band[1].lower()}"
    return OpenFigure(key, label, status, band)


# ---------------------------------------------------------------------------
# The dashboard
# ---------------------------------------------------------------------------


@dataclass
class Row:
    key: str
    label: str
    count: int
    out_of: int | None = None
    section: str = ""
    drill: bool = True

    @property
    def percent(self) -> float | None:
        if self.out_of in (None, 0):
            return None
        return round(100 * self.count / self.out_of, 1)


def compile_condition(condition: Q) -> Callable[[dict], bool]:
    """A figure's condition as a Python test over one group's fetched values.

    The figure conditions are plain ``Q`` objects (so drill-downs filter with
    them in the database); this reads them over the values fetched by
    :func:`grouped_enquiries`. Only the lookups the figures use are known:
    exact and ``__in``; anything else is an error, never a guess.
    """
    tests: list[Callable[[dict], bool]] = []
    for child in condition.children:
        if isinstance(child, Q):
            tests.append(compile_condition(child))
            continue
        lookup, wanted = child
        name, _sep, operator = lookup.rpartition("__")
        if operator == "in":
            options = tuple(wanted)
            tests.append(lambda values, n=name, w=options: values[n] in w)
        elif operator == "exact" or not name:
            field_name = name or lookup
            tests.append(lambda values, n=field_name, w=wanted: values[n] == w)
        else:
            raise ValueError(f"Figure lookup {lookup!r} is not supported")
    if condition.connector not in (Q.AND, Q.OR):
        raise ValueError(f"Figure connector {condition.connector!r} is not supported")
    combine = any if condition.connector == Q.OR else all
    negated = condition.negated

    def test(values: dict) -> bool:
        result = combine(each(values) for each in tests)
        return not result if negated else result

    return test


def matches(condition: Q, values: dict) -> bool:
    """Whether one group of :func:`grouped_enquiries` meets ``condition``."""
    return compile_condition(condition)(values)


def grouped_enquiries(
    queryset: QuerySet[Enquiry],
    period: tuple[datetime.date, datetime.date] | None = None,
    *,
    stages: bool = False,
    timescales: bool = False,
) -> list[dict]:
    """The enquiries counted by month and by every value a figure reads.

    One query; each group has the values of :data:`GROUPED_FIELDS`, ``month``
    (of conclusion), ``n`` (how many enquiries) and, added up over the
    group: with ``stages``, the enquiries with views at each stage
    (``stage_<stage>``) and obtained ones (``stage_ok_<stage>``); with
    ``timescales``, for each timed step those within, later than and without
    a timing (``<step>_within``, ``<step>_late``, ``<step>_none``, against
    the timescales configured now). Enquiries whose figures were not kept yet
    are counted and kept first, then the query runs again.
    """
    for _attempt in range(2):
        counted = annotate_for_figures(queryset, period=period)
        kept_in = _kept_name(period)
        not_kept = Q(**{f"{kept_in}__enquiry__isnull": True})
        groups = list(
            counted.annotate(month=TruncMonth("concluded_on"))
            .values("month", *GROUPED_FIELDS)
            .annotate(
                n=Count("pk"),
                not_kept=Count("pk", filter=not_kept),
                **_kept_totals(kept_in, stages=stages, timescales=timescales),
            )
            .order_by()
        )
        if not any(group["not_kept"] for group in groups):
            break
        queryset = with_figures_kept(queryset, period)
    return groups


def with_figures_kept(
    queryset: QuerySet[Enquiry],
    period: tuple[datetime.date, datetime.date] | None = None,
) -> QuerySet[Enquiry]:
    """``queryset`` (concluded in ``period``, when given) once every enquiry
    in it has its figures kept; read from the primary database when some
    were added just now (a replica may not have them yet, decision 0018)."""
    if figures.fill_missing(queryset, period):
        return queryset.using(router.db_for_write(EnquiryFigures))
    return queryset


def _kept_totals(kept_in: str, *, stages: bool, timescales: bool) -> dict[str, Count]:
    totals = {}
    for stage in VIEW_STAGES if stages else ():
        for kind, key in (("any", "stage"), ("ok", "stage_ok")):
            condition = Q(**{f"{kept_in}__view_{kind}_{stage}": True})
            totals[f"{key}_{stage}"] = Count("pk", filter=condition)
    configured = load_timescales() if timescales else {}
    for step, name in figures.STEP_FIELDS.items() if timescales else ():
        taken, days = f"{kept_in}__{name}", configured[step]
        totals[f"{step}_within"] = Count("pk", filter=Q(**{f"{taken}__lte": days}))
        totals[f"{step}_late"] = Count("pk", filter=Q(**{f"{taken}__gt": days}))
        totals[f"{step}_none"] = Count("pk", filter=Q(**{f"{taken}__isnull": True}))
    return totals


STAGE_KEYS: tuple[str, ...] = tuple(
    f"{key}_{stage}" for stage in VIEW_STAGES for key in ("stage", "stage_ok")
)
TIMESCALE_KEYS: tuple[str, ...] = tuple(
    f"{step}_{kind}"
    for step in figures.STEP_FIELDS
    for kind in ("within", "late", "none")
)


def stage_counts_from_groups(groups: list[dict]) -> dict[str, int]:
    """The per-stage figures, added up over the groups."""
    return {key: sum(group[key] for group in groups) for key in STAGE_KEYS}


_GROUP_TESTS: dict[str, Callable[[dict], bool]] = {
    key: compile_condition(figure.condition)
    for key, figure in FIGURES.items()
    if not figure.stage
}


@functools.lru_cache(maxsize=8192)
def _figures_met(values: tuple) -> tuple[str, ...]:
    """The figures (but the per-stage ones) whose condition a group with
    these :data:`GROUPED_FIELDS` values meets. The conditions read nothing
    else, so each combination is tested once per process: a year has a few
    hundred combinations, tested for every month, team and kind."""
    group = dict(zip(GROUPED_FIELDS, values, strict=True))
    return tuple(key for key, test in _GROUP_TESTS.items() if test(group))


def counts_from_groups(groups: list[dict]) -> dict[str, int]:
    """Every figure but the per-stage ones, added up over the groups."""
    counts = dict.fromkeys(_GROUP_TESTS, 0)
    for group in groups:
        for key in _figures_met(tuple(group[name] for name in GROUPED_FIELDS)):
            counts[key] += group["n"]
    return counts


def figure_counts(
    queryset: QuerySet[Enquiry],
    keys: tuple[str, ...] | None = None,
    period: tuple[datetime.date, datetime.date] | None = None,
) -> dict[str, int]:
    """Every figure in :data:`FIGURES`, counted by one grouped query; with
    ``keys``, at least those figures (the per-stage ones are left out when
    none of them is a per-stage figure)."""
    stages = keys is None or any(FIGURES[key].stage for key in keys)
    groups = grouped_enquiries(queryset, period, stages=stages)
    counts = counts_from_groups(groups)
    if stages:
        counts.update(stage_counts_from_groups(groups))
    return counts


def rows_for(counts: dict[str, int], keys: list[str] | None = None) -> list[Row]:
    rows = []
    for key in keys or list(FIGURES):
        figure = FIGURES[key]
        rows.append(
            Row(
                key=key,
                label=figure.label,
                count=counts[key],
                out_of=counts[figure.denominator] if figure.denominator else None,
                section=figure.section,
            )
        )
    return rows


# Each measure of the table by month, and the figure it is.
PERIOD_MEASURES: dict[str, str] = {
    "concluded": "concluded",
    "asked": "asked",
    "fully": f"achieved_{Achieved.FULLY}",
    "partially": f"achieved_{Achieved.PARTIALLY}",
    "not_achieved": f"achieved_{Achieved.NOT}",
}
# Everything counted per month: each figure but the per-stage ones (tested
# on the groups' values), and the per-stage and timescale totals.
MONTHLY_KEYS: tuple[str, ...] = (*_GROUP_TESTS, *STAGE_KEYS, *TIMESCALE_KEYS)

MonthlyCounts = dict[datetime.date, dict[str, int]]


def as_day(value: datetime.date | datetime.datetime) -> datetime.date:
    """A month as the database gave it (a date, or on some backends a
    datetime) as a date."""
    return value.date() if isinstance(value, datetime.datetime) else value


def monthly_counts(groups: list[dict]) -> MonthlyCounts:
    """The groups of :func:`grouped_enquiries` as :data:`MONTHLY_KEYS`
    counted per month of conclusion (totals not counted are 0)."""
    by_month: dict[datetime.date, list[dict]] = {}
    for group in groups:
        by_month.setdefault(as_day(group["month"]), []).append(group)
    totals = (*STAGE_KEYS, *TIMESCALE_KEYS)
    return {
        month: {
            **counts_from_groups(in_month),
            **{key: sum(group.get(key, 0) for group in in_month) for key in totals},
        }
        for month, in_month in by_month.items()
    }


def counted_by_month(
    queryset: QuerySet[Enquiry],
    period: tuple[datetime.date, datetime.date],
    by: tuple[str, ...] = (),
) -> dict[tuple, dict[str, int]]:
    """:data:`MONTHLY_KEYS` for the enquiries of ``queryset`` (concluded in
    ``period``) per month and per their fields ``by``, keyed ``(*by,
    month)``, counted by the database: each figure's condition as a
    filtered count (the very conditions the drill-downs filter by), so a
    month of a large council comes back as a few rows, not its few hundred
    groups (the kept monthly figures, decision 0038)."""
    queryset = with_figures_kept(queryset, period)
    counted = annotate_for_figures(queryset, period=period)
    rows = (
        counted.annotate(month=TruncMonth("concluded_on"))
        .values("month", *by)
        .annotate(
            # Named apart: a figure may share its name with a value another
            # figure's condition reads.
            **{
                f"n_{key}": Count("pk", filter=FIGURES[key].condition)
                for key in _GROUP_TESTS
            },
            **{
                f"n_{key}": total
                for key, total in _kept_totals(
                    _kept_name(period), stages=True, timescales=True
                ).items()
            },
        )
        .order_by()
    )
    return {
        (*(row[name] for name in by), as_day(row["month"])): {
            key: row[f"n_{key}"] for key in MONTHLY_KEYS
        }
        for row in rows
    }


def added_up(monthly: MonthlyCounts) -> dict[str, int]:
    """:data:`MONTHLY_KEYS` over every month."""
    return {
        key: sum(counts.get(key, 0) for counts in monthly.values())
        for key in MONTHLY_KEYS
    }


def by_period(queryset: QuerySet[Enquiry], filters: ReportFilter) -> list[dict]:
    """Concluded enquiries per month (or quarter) with how outcomes were achieved."""
    groups = grouped_enquiries(queryset, (filters.start, filters.end))
    return periods_from_monthly(monthly_counts(groups), filters)


def periods_from_monthly(monthly: MonthlyCounts, filters: ReportFilter) -> list[dict]:
    found = {
        (month.year, month.month): {
            name: counts.get(key, 0) for name, key in PERIOD_MEASURES.items()
        }
        for month, counts in monthly.items()
    }
    buckets: OrderedDict[str, dict] = OrderedDict()
    year, month = filters.start.year, filters.start.month
    while (year, month) <= (filters.end.year, filters.end.month):
        if filters.by == "quarter":
            first_month = month - (month - 1) % 3
            label = f"{datetime.date(year, first_month, 1):%b}–" + (
                f"{datetime.date(year, first_month + 2, 1):%b %Y}"
            )
        else:
            label = f"{datetime.date(year, month, 1):%b %Y}"
        bucket = buckets.setdefault(
            label,
            {
                "label": label,
                "concluded": 0,
                "asked": 0,
                "fully": 0,
                "partially": 0,
                "not_achieved": 0,
            },
        )
        for name in ("concluded", "asked", "fully", "partially", "not_achieved"):
            bucket[name] += found.get((year, month), {}).get(name, 0)
        month += 1
        if month == 13:
            year, month = year + 1, 1
    return list(buckets.values())


def feedback_summary(queryset: QuerySet[Enquiry]) -> dict:
    """Answers to each feedback question, for feedback on these enquiries."""
    answers = (
        FeedbackAnswer.objects.filter(response__enquiry__in=queryset.values("pk"))
        .values("question__text", "question__order", "answer")
        .annotate(n=Count("pk"))
        .order_by("question__order", "question__text")
    )
    questions: OrderedDict[str, dict] = OrderedDict()
    for row in answers:
        entry = questions.setdefault(
            row["question__text"],
            {
                "question": row["question__text"],
                "counts": dict.fromkeys(AgreementScale.values, 0),
                "total": 0,
            },
        )
        entry["counts"][row["answer"]] += row["n"]
        entry["total"] += row["n"]
    for entry in questions.values():
        positive = sum(entry["counts"][value] for value in AgreementScale.positive())
        entry["agree"] = positive
        entry["agree_percent"] = (
            round(100 * positive / entry["total"], 1) if entry["total"] else None
        )
        entry["cells"] = [entry["counts"][value] for value in AgreementScale.values]
    respondents = dict(
        FeedbackResponse.objects.filter(enquiry__in=queryset.values("pk"))
        .values("respondent")
        .annotate(n=Count("pk"))
        .values_list("respondent", "n")
    )
    return {
        "questions": list(questions.values()),
        "scale": AgreementScale.choices,
        "respondents": [
            (label, respondents.get(value, 0))
            for value, label in FeedbackResponse.Respondent.choices
        ],
    }


TIMESCALE_STEPS: dict[str, str] = {
    "decision": "Decision on the concern",
    "plan": "Safeguarding plan in place",
    "closure": "Enquiry concluded",
}
LATE_KEYS: dict[str, str] = {f"late_{step}": step for step in TIMESCALE_STEPS}


def timescale_summary(totals: dict[str, int]) -> list[dict]:
    """Decision, plan and closure within timescale, in working days, from
    the totals of :func:`added_up`."""
    days = load_timescales()
    summary = []
    for step, label in TIMESCALE_STEPS.items():
        tally = {kind: totals[f"{step}_{kind}"] for kind in ("within", "late", "none")}
        measured = tally["within"] + tally["late"]
        summary.append(
            {
                "step": step,
                "key": f"late_{step}",
                "label": label,
                "days": days[step],
                **tally,
                "percent": round(100 * tally["within"] / measured, 1)
                if measured
                else None,
            }
        )
    return summary


def late(queryset: QuerySet[Enquiry], step: str) -> QuerySet[Enquiry]:
    """The enquiries whose ``step`` took longer than its timescale."""
    days = load_timescales()[step]
    return queryset.filter(**{f"figures__{figures.STEP_FIELDS[step]}__gt": days})


def open_by_stage(user, filters: ReportFilter) -> list[dict]:
    """Open enquiries now, by status and how long since they started."""
    today = datetime.date.today()
    aggregates = {}
    for band in AGE_OPEN_BANDS:
        # The status is grouped by values(); only the age condition is needed.
        condition = Q(started_on__lte=today - _days(band[2]))
        if band[3] is not None:
            condition &= Q(started_on__gt=today - _days(band[3]))
        aggregates[band[0]] = Count("pk", filter=condition)
    counts = {
        row["status"]: row
        for row in open_enquiries(user, filters)
        .values("status")
        .annotate(**aggregates)
        .order_by()
    }
    table = []
    for status in OPEN_STATUSES:
        row = counts.get(status, {})
        cells = [
            {
                "key": f"open_{status}__{band[0]}",
                "band": band[1],
                "count": row.get(band[0], 0),
            }
            for band in AGE_OPEN_BANDS
        ]
        table.append(
            {
                "status": status,
                "label": Enquiry.Status(status).label,
                "cells": cells,
                "total": sum(cell["count"] for cell in cells),
            }
        )
    return table


def concluded_monthly(user, filters: ReportFilter) -> tuple[MonthlyCounts, bool]:
    """:data:`MONTHLY_KEYS` per month for the enquiries concluded under
    ``filters`` that ``user`` may see, and whether they were read from the
    kept monthly figures (:func:`outcomes.monthly_figures.kept`, decision
    0038: when they hold these filters) rather than counted afresh. The two
    agree."""
    from outcomes import monthly_figures

    kept = monthly_figures.kept(user, filters)
    if kept is not None:
        return kept, True
    groups = grouped_enquiries(
        concluded_enquiries(user, filters),
        (filters.start, filters.end),
        stages=True,
        timescales=True,
    )
    return monthly_counts(groups), False


def _figure_counts_of(totals: dict[str, int]) -> dict[str, int]:
    """The dashboard's ``counts``: every figure, the per-stage ones too."""
    return {key: totals[key] for key in (*_GROUP_TESTS, *STAGE_KEYS)}


def dashboard(user, filters: ReportFilter) -> dict:
    """Every figure on the dashboard. A fixed number of queries (and a few
    more when enquiries are counted whose figures were not kept yet)."""
    with report_queries():
        concluded = concluded_enquiries(user, filters)
        monthly, _from_kept = concluded_monthly(user, filters)
        totals = added_up(monthly)
        counts = _figure_counts_of(totals)
        sections: OrderedDict[str, list[Row]] = OrderedDict()
        for row in rows_for(counts):
            sections.setdefault(row.section, []).append(row)
        return {
            "counts": counts,
            "sections": sections,
            "periods": periods_from_monthly(monthly, filters),
            "feedback": feedback_summary(concluded),
            "timescales": timescale_summary(totals),
            "working_days": WORKING_DAYS,
            "open": open_by_stage(user, filters),
            "open_bands": [band[1] for band in AGE_OPEN_BANDS],
        }


def cached_dashboard(user, filters: ReportFilter) -> dict:
    """:func:`dashboard`, kept while nothing counted changes (for the page).

    Kept per scope of access (:func:`msp.access.scope_key`: two managers who
    see the same records share the figures), filters and day (open enquiries
    are counted as they are today), for at most ten minutes, and dropped as
    soon as a counted record changes (:func:`outcomes.sac.data_version`), as
    the SAC page's return is. The figures are counts only, never a person's
    details. ``counted_at`` says when they were counted; the CSV download
    always counts afresh.
    """
    from outcomes.sac import kept_report

    return kept_report("dashboard", user, filters, lambda: dashboard(user, filters))


# ---------------------------------------------------------------------------
# Exceptions: where the adult's voice is missing
# ---------------------------------------------------------------------------

EXCEPTION_PAGE = 20
"""Enquiries listed under each exception; "See all" opens the drill-down."""


def exceptions(user, filters: ReportFilter) -> dict:
    """Each exception figure's count, and the ids of its newest enquiries
    (the drill-down's first page: newest first)."""
    monthly, from_kept = concluded_monthly(user, filters)
    counts = _figure_counts_of(added_up(monthly))
    period = (filters.start, filters.end)
    # Counting kept every enquiry's figures of the period: either afresh
    # (grouped_enquiries keeps those missing) or from the monthly figures
    # (every month they hold was counted so; a closure since kept its own).
    # Read from the primary when counted afresh (just-kept rows may not have
    # reached a replica yet).
    concluded = concluded_enquiries(user, filters)
    if not from_kept:
        concluded = with_figures_kept(concluded, period)
    # A figure that counts no enquiry lists none: no need to look.
    newest = {
        key: list(
            _concluded_behind(concluded, key, period)
            .order_by("-pk")
            .values_list("pk", flat=True)[:EXCEPTION_PAGE]
        )
        if counts[key]
        else []
        for key in EXCEPTION_KEYS
    }
    return {"counts": counts, "newest": newest}


def cached_exceptions(user, filters: ReportFilter) -> dict:
    """:func:`exceptions` for the page, kept like the dashboard. Only counts
    and record ids are kept: the enquiries listed are read again on every
    view (:func:`listed_enquiries`), through the access rules."""
    from outcomes.sac import kept_report

    return kept_report("exceptions", user, filters, lambda: exceptions(user, filters))


def listed_enquiries(user, ids: list[int]) -> dict[int, Enquiry]:
    """The enquiries ``ids`` that ``user`` may see, with what a list shows
    (adult, team, worker), by id: one query."""
    rows = visible(user, Enquiry.objects.filter(pk__in=ids)).select_related(
        "concern__person", "team", "allocated_to"
    )
    return {enquiry.pk: enquiry for enquiry in rows}


# ---------------------------------------------------------------------------
# Equality: who gets the outcomes they want?
# ---------------------------------------------------------------------------


DIMENSIONS: OrderedDict[str, tuple[str, str, tuple[str, ...]]] = OrderedDict(
    (
        ("age", ("Age band", "age_band", sac_spec.AGE_BANDS)),
        ("gender", ("Gender", "concern__person__gender", sac_spec.GENDERS)),
        (
            "ethnicity",
            ("Ethnic group", "concern__person__ethnicity", sac_spec.ETHNIC_GROUPS),
        ),
        (
            "support_reason",
            (
                "Primary support reason",
                "concern__person__primary_support_reason",
                sac_spec.SUPPORT_REASON_GROUPS,
            ),
        ),
    )
)

_LABEL_OF = {
    "gender": sac_spec.gender_label,
    "ethnicity": sac_spec.ethnicity_label,
    "support_reason": sac_spec.support_reason_label,
}


def equality_group(dimension: str, code: str) -> str:
    """The group of the equality table ``dimension`` that a person's code
    (or, for age, the band) falls in."""
    if dimension == "age":
        return code
    try:
        return _LABEL_OF[dimension](code or None)
    except ValueError:
        return _LABEL_OF[dimension](None)


# How the adult judged their outcomes, as the equality tables name it.
_ACHIEVED_MEASURES = {
    Achieved.FULLY: "fully",
    Achieved.PARTIALLY: "partially",
    Achieved.NOT: "not_achieved",
}
# What each group of an equality table counts, in this order.
EQUALITY_MEASURES = (
    "concluded",
    "asked",
    "expressed",
    *_ACHIEVED_MEASURES.values(),  # fully, partially, not_achieved
)
# Each table's counts: (dimension, group) -> one count per measure.
EqualityTotals = dict[tuple[str, str], list[int]]


def equality_measures(answer: str, achieved: str) -> tuple[int, ...]:
    """What one enquiry with this SG4a answer and judgement of its outcomes
    adds to each of :data:`EQUALITY_MEASURES` (1 or 0)."""
    asked = answer in (msp.EXPRESSED, msp.NOT_EXPRESSED)
    expressed = answer == msp.EXPRESSED
    measure = _ACHIEVED_MEASURES.get(achieved) if expressed else None
    return (
        1,
        int(asked),
        int(expressed),
        *(int(measure == name) for name in EQUALITY_MEASURES[3:]),
    )


def add_equality(
    totals: EqualityTotals, key: tuple[str, str], counts: list[int] | tuple, n: int = 1
) -> None:
    """Add ``counts`` (one per measure) ``n`` times to the group ``key``."""
    entry = totals.setdefault(key, [0] * len(EQUALITY_MEASURES))
    for position, count in enumerate(counts):
        entry[position] += n * count


def equality_combinations(
    enquiries: QuerySet[Enquiry], on: datetime.date
) -> list[dict]:
    """``enquiries`` grouped by every dimension (the adult's age band on
    ``on``, or at death: the SAC return's rule) and by the two values the
    measures test (SG4a's answer, outcomes achieved), with ``n``: one read,
    the answer's expression worked out once per enquiry as a group key, not
    once per measure."""
    concluded = sac.annotate_age_band(
        msp.annotate_msp_asked(enquiries),
        on=on,
        birth="concern__person__date_of_birth",
        death="concern__person__date_of_death",
        name="age_band",
    )
    paths = [path for _title, path, _groups in DIMENSIONS.values()]
    return list(
        concluded.values(*paths, msp.ANNOTATION, "outcomes_achieved")
        .annotate(n=Count("pk"))
        .order_by()
    )


def equality_totals(combinations: list[dict]) -> EqualityTotals:
    """Each table's counts from :func:`equality_combinations`."""
    totals: EqualityTotals = {}
    for row in combinations:
        counts = equality_measures(row[msp.ANNOTATION], row["outcomes_achieved"])
        for dimension, (_title, path, _groups) in DIMENSIONS.items():
            add_equality(
                totals,
                (dimension, equality_group(dimension, row[path])),
                counts,
                row["n"],
            )
    return totals


def equality_tables(totals: EqualityTotals) -> list[dict]:
    """The equality tables: every group of every dimension, with its counts,
    how many were evaluated and the two percentages."""
    tables = []
    for dimension, (title, _path, groups) in DIMENSIONS.items():
        rows = []
        for group in groups:
            counts = totals.get((dimension, group), [0] * len(EQUALITY_MEASURES))
            entry = dict(zip(EQUALITY_MEASURES, counts, strict=True)) | {"group": group}
            evaluated = entry["fully"] + entry["partially"] + entry["not_achieved"]
            entry["evaluated"] = evaluated
            entry["fully_percent"] = (
                round(100 * entry["fully"] / evaluated, 1) if evaluated else None
            )
            entry["asked_percent"] = (
                round(100 * entry["asked"] / entry["concluded"], 1)
                if entry["concluded"]
                else None
            )
            rows.append(entry)
        tables.append({"key": dimension, "title": title, "rows": rows})
    return tables


def equality(user, filters: ReportFilter) -> list[dict]:
    """Outcomes achieved by age band, gender, ethnic group and support
    reason: from the kept monthly figures when they hold these filters
    (:func:`outcomes.monthly_figures.kept_equality`), otherwise counted
    afresh. The two agree."""
    from outcomes import monthly_figures

    totals = monthly_figures.kept_equality(user, filters)
    if totals is None:
        totals = equality_totals(
            equality_combinations(concluded_enquiries(user, filters), filters.end)
        )
    return equality_tables(totals)


# ---------------------------------------------------------------------------
# Drill-down: the enquiries behind a figure
# ---------------------------------------------------------------------------


def figure_label(key: str) -> str | None:
    if key in FIGURES:
        return FIGURES[key].label
    if key in LATE_KEYS:
        return f"{TIMESCALE_STEPS[LATE_KEYS[key]]}: later than its timescale"
    figure = open_figure(key)
    return figure.label if figure else None


def cached_equality(user, filters: ReportFilter) -> dict:
    """:func:`equality` for the page (``tables``), kept like the dashboard:
    counts only. The CSV download always counts afresh."""
    from outcomes.sac import kept_report

    return kept_report(
        "equality", user, filters, lambda: {"tables": equality(user, filters)}
    )


def enquiries_behind(user, filters: ReportFilter, key: str) -> QuerySet[Enquiry]:
    """The enquiries a figure counts (access rules applied). KeyError if unknown."""
    period = (filters.start, filters.end)
    if key in FIGURES or key in LATE_KEYS:
        concluded = with_figures_kept(concluded_enquiries(user, filters), period)
        return _concluded_behind(concluded, key, period)
    figure = open_figure(key)
    if figure is None:
        raise KeyError(key)
    return open_enquiries(user, filters).filter(figure.condition(datetime.date.today()))


def _concluded_behind(
    concluded: QuerySet[Enquiry], key: str, period: tuple[datetime.date, datetime.date]
) -> QuerySet[Enquiry]:
    """The enquiries of ``concluded`` (their figures kept, concluded in
    ``period``) that the figure or late step ``key`` counts."""
    if key in LATE_KEYS:
        return late(concluded, LATE_KEYS[key])
    figure = FIGURES[key]
    stages = (figure.stage,) if figure.stage else ()
    return annotate_for_figures(concluded, stages=stages, period=period).filter(
        figure.condition
    )


def stages_not_obtained(enquiries: list[Enquiry]) -> dict[int, list[str]]:
    """For a page of enquiries: the stages whose views were not obtained (one query)."""
    rows = PersonView.objects.filter(
        enquiry__in=[e.pk for e in enquiries],
        superseded_by__isnull=True,
        source=codes.ViewSource.NOT_OBTAINED,
    ).values_list("enquiry_id", "stage", "not_obtained_reason")
    found: dict[int, list[str]] = {}
    for enquiry_id, stage, reason in rows:
        text = codes.Stage(stage).label
        if reason:
            text += f" ({codes.ViewNotObtainedReason(reason).label.lower()})"
        found.setdefault(enquiry_id, []).append(text)
    return found


def csv_rows(data: dict) -> list[tuple]:
    """Every dashboard figure as (section, figure, count, out of, percent)."""
    rows: list[tuple] = []
    for section, section_rows in data["sections"].items():
        for row in section_rows:
            rows.append(
                (
                    section,
                    row.label,
                    row.count,
                    "" if row.out_of is None else row.out_of,
                    "" if row.percent is None else row.percent,
                )
            )
    for period in data["periods"]:
        for name, label in (
            ("concluded", "Concluded enquiries"),
            ("asked", "Asked about desired outcomes"),
            ("fully", "Fully achieved"),
            ("partially", "Partially achieved"),
            ("not_achieved", "Not achieved"),
        ):
            rows.append((f"Over time: {period['label']}", label, period[name], "", ""))
    for question in data["feedback"]["questions"]:
        for (_value, label), count in zip(
            data["feedback"]["scale"], question["cells"], strict=True
        ):
            rows.append(
                (
                    f"Feedback: {question['question']}",
                    label,
                    count,
                    question["total"],
                    round(100 * count / question["total"], 1)
                    if question["total"]
                    else "",
                )
            )
    for label, count in data["feedback"]["respondents"]:
        rows.append(("Feedback: who answered", label, count, "", ""))
    for step in data["timescales"]:
        measured = step["within"] + step["late"]
        rows.append(
            (
                "Timescales",
                f"{step['label']} within {step['days']} working days",
                step["within"],
                measured,
                "" if step["percent"] is None else step["percent"],
            )
        )
    for status_row in data["open"]:
        for band, cell in zip(data["open_bands"], status_row["cells"], strict=True):
            rows.append(
                (
                    f"Open enquiries: {status_row['label']}",
                    band,
                    cell["count"],
                    "",
                    "",
                )
            )
    return rows
