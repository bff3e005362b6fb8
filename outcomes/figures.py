"""The per-enquiry figures the reports count, kept with the case records.

Counting a year afresh read, for each concluded enquiry, its views at every
stage, its advocacy referrals, feedback and desired outcomes, and the dates
its steps were timed by: at a million concerns that was most of a report's
first view. :class:`~outcomes.models.EnquiryFigures` keeps those values, one
row per closed enquiry, so a report reads one narrow row per enquiry instead
(decision 0033).

How the rows stay exact:

- :func:`refresh` recomputes the rows of some enquiries from the records, by
  the rules below (the only place they are written). It locks the enquiries
  first, so two changes to one enquiry are counted one after the other.
- Every save or delete of a record a value is read from calls it for that
  record's enquiries, in the same transaction (:func:`connect`, from
  ``OutcomesConfig.ready()``). Writes that bypass ``save()`` (the import, the
  generated data sets) send ``enquiries.signals.case_records_loaded``.
- A report counts the enquiries without a row as it counts the rest and,
  when there are any (closed before these rows existed, or loaded without
  them), keeps them with :func:`fill_missing` and counts again. That only
  inserts rows that do not exist, so it never overwrites a row
  :func:`refresh` wrote after a change.

``manage.py refresh_enquiry_figures`` recomputes every row (after an upgrade
that changes a rule or the bank holidays, say).
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from functools import cache

from django.db import transaction
from django.db.models import Exists, Min, OuterRef, Q, QuerySet
from django.db.models.functions import Coalesce, TruncDate
from django.db.models.signals import post_delete, post_save

from enquiries import codes, signals
from enquiries.models import (
    AdvocacyReferral,
    Concern,
    DesiredOutcome,
    Enquiry,
    PersonView,
    PlanAction,
)
from enquiries.timescales import working_days_taken
from outcomes.models import EnquiryFigures, FeedbackResponse, FigureMonthChange

# The stages whose views the dashboard counts, in the order it shows them.
VIEW_STAGES: tuple[str, ...] = (
    codes.Stage.PLANNING,
    codes.Stage.ENQUIRY,
    codes.Stage.OUTCOME,
    codes.Stage.PLAN,
    codes.Stage.CLOSURE,
)
STAGE_FIELDS: tuple[str, ...] = tuple(
    f"view_{kind}_{stage}" for stage in VIEW_STAGES for kind in ("any", "ok")
)
FLAG_FIELDS: tuple[str, ...] = (
    "advocate_allocated",
    "has_feedback",
    "has_unrated_outcome",
    "view_not_obtained",
    *STAGE_FIELDS,
)
# The field holding the working days each timed step took.
STEP_FIELDS: dict[str, str] = {
    "decision": "decision_days",
    "plan": "plan_days",
    "closure": "closure_days",
}
VALUE_FIELDS: tuple[str, ...] = ("concluded_on", *FLAG_FIELDS, *STEP_FIELDS.values())
BATCH = 2000


# ---------------------------------------------------------------------------
# The rules: each value from the records
# ---------------------------------------------------------------------------


def _current_views(stage: str | None = None) -> QuerySet[PersonView]:
    views = PersonView.objects.filter(
        enquiry=OuterRef("pk"), superseded_by__isnull=True
    )
    return views.filter(stage=stage) if stage else views


def _stage_without_obtained_view() -> Exists:
    """A stage whose current views all say "not obtained" (none obtained)."""
    obtained_at_same_stage = PersonView.objects.filter(
        enquiry=OuterRef("enquiry"),
        stage=OuterRef("stage"),
        superseded_by__isnull=True,
    ).exclude(source=codes.ViewSource.NOT_OBTAINED)
    return Exists(
        _current_views()
        .filter(stage__in=VIEW_STAGES, source=codes.ViewSource.NOT_OBTAINED)
        .exclude(Exists(obtained_at_same_stage))
    )


def _with_flags(enquiries: QuerySet[Enquiry]) -> QuerySet[Enquiry]:
    """Each of :data:`FLAG_FIELDS` as a database expression per enquiry."""
    allocated = Q(
        status__in=[
            AdvocacyReferral.Status.ALLOCATED,
            AdvocacyReferral.Status.ENDED,
        ]
    ) | Q(allocated_on__isnull=False)
    unrated = DesiredOutcome.objects.filter(
        status=DesiredOutcome.Status.ACTIVE, achieved=""
    )
    flags = {
        "advocate_allocated": Exists(
            AdvocacyReferral.objects.filter(allocated, enquiry=OuterRef("pk"))
        ),
        "has_feedback": Exists(FeedbackResponse.objects.filter(enquiry=OuterRef("pk"))),
        # Two EXISTS (each one index probe) rather than one over an OR.
        "has_unrated_outcome": Exists(unrated.filter(enquiry=OuterRef("pk")))
        | Exists(unrated.filter(concern_id=OuterRef("concern_id"))),
        "view_not_obtained": _stage_without_obtained_view(),
    }
    for stage in VIEW_STAGES:
        flags[f"view_any_{stage}"] = Exists(_current_views(stage))
        flags[f"view_ok_{stage}"] = Exists(
            _current_views(stage).exclude(source=codes.ViewSource.NOT_OBTAINED)
        )
    return enquiries.annotate(**flags)


@cache
def _closed_with_flags() -> QuerySet[Enquiry]:
    """Closed enquiries' dates and flags, never run as it is: built once
    (a dozen sub-queries take longer to build than to run for one
    enquiry) and narrowed to some enquiries by each caller."""
    return (
        _with_flags(Enquiry.objects.filter(status=Enquiry.Status.CLOSED))
        .order_by()
        .values("pk", "concern_id", "started_on", "concluded_on", *FLAG_FIELDS)
    )


def _computed(ids: list[int]) -> list[EnquiryFigures]:
    """The rows of the closed enquiries among ``ids`` (at most :data:`BATCH`).

    The timed steps: the decision on the concern (received to decided: the
    day of the decision, or for older records the day it was typed), the
    safeguarding plan (enquiry started to its first plan action typed) and
    the conclusion (started to concluded), each in working days; times come
    back as the local day, worked out by the database.
    """
    rows = list(_closed_with_flags().filter(pk__any_of=ids))
    if not rows:
        return []
    decisions = {
        pk: (received, decided)
        for pk, received, decided in Concern.objects.filter(
            pk__any_of=sorted({row["concern_id"] for row in rows})
        )
        .order_by()
        .values_list(
            "pk", "received_on", Coalesce("decided_on", TruncDate("decided_at"))
        )
    }
    first_plans = dict(
        PlanAction.objects.filter(enquiry_id__any_of=[row["pk"] for row in rows])
        .values("enquiry_id")
        .annotate(first=Min(TruncDate("created_at")))
        .values_list("enquiry_id", "first")
        .order_by()
    )
    found = []
    for row in rows:
        received, decided = decisions[row["concern_id"]]
        spans = {
            "decision_days": (received, decided),
            "plan_days": (row["started_on"], first_plans.get(row["pk"])),
            "closure_days": (row["started_on"], row["concluded_on"]),
        }
        found.append(
            EnquiryFigures(
                enquiry_id=row["pk"],
                concluded_on=row["concluded_on"],
                **{name: row[name] for name in FLAG_FIELDS},
                **{
                    name: None
                    if begin is None or end is None
                    else working_days_taken(begin, end)
                    for name, (begin, end) in spans.items()
                },
            )
        )
    return found


# ---------------------------------------------------------------------------
# Keeping the rows
# ---------------------------------------------------------------------------


def refresh(enquiry_ids: Iterable[int | None], *, forget_open: bool = False) -> None:
    """Recompute the rows of the closed enquiries among these; with
    ``forget_open``, also delete the rows of any that are not closed (an
    enquiry opened again in admin or by an import; the workflow never
    reopens one). A row left for an open enquiry is never read: reports
    count concluded enquiries only."""
    ids = sorted({pk for pk in enquiry_ids if pk is not None})
    for at in range(0, len(ids), BATCH):
        chunk = ids[at : at + BATCH]
        with transaction.atomic(savepoint=False):
            # Locked, so a change committed by someone else meanwhile is
            # waited for and then read, never counted over.
            concluded = dict(
                Enquiry.objects.select_for_update()
                .filter(pk__any_of=chunk, status=Enquiry.Status.CLOSED)
                .order_by("pk")
                .values_list("pk", "concluded_on")
            )
            closed = set(concluded)
            others = [pk for pk in chunk if pk not in closed]
            dropped = others if forget_open else []
            if not (closed or dropped):
                continue
            # The months they were counted in, and those they count in now.
            were_in = list(
                EnquiryFigures.objects.filter(
                    enquiry_id__any_of=sorted(closed) + dropped
                ).values_list("concluded_on", flat=True)
            )
            if dropped:
                EnquiryFigures.objects.filter(enquiry_id__any_of=dropped).delete()
            if closed:
                EnquiryFigures.objects.bulk_create(
                    _computed(sorted(closed)),
                    update_conflicts=True,
                    unique_fields=["enquiry"],
                    update_fields=[*VALUE_FIELDS, "counted_at"],
                )
            mark_months([*were_in, *concluded.values()])


def mark_months(days: Iterable[datetime.date | None]) -> None:
    """Mark the months of these days for the kept monthly figures to count
    again (``outcomes.monthly_figures``, decision 0038): one insert."""
    months = sorted({day.replace(day=1) for day in days if day is not None})
    if months:
        FigureMonthChange.objects.bulk_create(
            [FigureMonthChange(month=month) for month in months]
        )


def fill_missing(
    enquiries: QuerySet[Enquiry],
    period: tuple[datetime.date, datetime.date] | None = None,
) -> int:
    """Count and keep the rows missing for these (closed) enquiries; the
    number added. One query when none is missing. ``period``: the enquiries
    were concluded in it, so only the rows of that period are looked at (by
    their index) rather than every row kept."""
    kept = EnquiryFigures.objects.filter(enquiry=OuterRef("pk"))
    if period is not None:
        kept = kept.filter(concluded_on__range=period)
    missing = list(
        enquiries.filter(~Exists(kept)).order_by().values_list("pk", flat=True)
    )
    for at in range(0, len(missing), BATCH):
        EnquiryFigures.objects.bulk_create(
            _computed(missing[at : at + BATCH]), ignore_conflicts=True
        )
    return len(missing)


def refresh_all() -> int:
    """Recompute every closed enquiry's row; the number of enquiries."""
    ids = list(
        Enquiry.objects.filter(status=Enquiry.Status.CLOSED)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    refresh(ids)
    EnquiryFigures.objects.exclude(enquiry__status=Enquiry.Status.CLOSED).delete()
    return len(ids)


# ---------------------------------------------------------------------------
# What changes them
# ---------------------------------------------------------------------------


def _enquiries_of_concern(concern_id: int | None) -> list[int]:
    if concern_id is None:
        return []
    return list(
        Enquiry.objects.filter(concern_id=concern_id).values_list("pk", flat=True)
    )


def _enquiry_changed(sender, instance: Enquiry, raw: bool = False, **kwargs) -> None:
    """A closed enquiry is counted again; one that was concluded when read
    and is open now loses its row; saves of open cases cost nothing."""
    if raw:
        return
    if instance.status == Enquiry.Status.CLOSED:
        refresh([instance.pk])
    elif getattr(instance, "_saved_concluded_on", None) is not None:
        refresh([instance.pk], forget_open=True)


def _concern_changed(
    sender, instance: Concern, created: bool = False, raw: bool = False, **kwargs
) -> None:
    """Only the decision's dates count (a new concern has no enquiries yet)."""
    timing = instance.timing
    if raw or created or timing == getattr(instance, "_loaded_timing", None):
        instance._loaded_timing = timing
        return
    instance._loaded_timing = timing
    refresh(_enquiries_of_concern(instance.pk))


def _record_changed(sender, instance, raw: bool = False, **kwargs) -> None:
    """A view, plan action, advocacy referral or feedback on an enquiry."""
    if not raw:
        refresh([instance.enquiry_id])


def _outcome_changed(sender, instance: DesiredOutcome, raw=False, **kwargs) -> None:
    if not raw:
        refresh([instance.enquiry_id, *_enquiries_of_concern(instance.concern_id)])


# A concern's fields the figures read (the dates its decision is timed by).
_CONCERN_TIMING = frozenset({"received_on", "decided_on", "decided_at"})
# An enquiry's fields its kept figures read (its dates, whether closed, and
# its concern, whose decision dates time the first step).
_ENQUIRY_READ = frozenset(
    {"status", "concluded_on", "started_on", "concern", "concern_id"}
)


def _rows_written(sender, queryset: QuerySet, values: dict, when: str = "", **kw):
    """An ``update()`` or ``bulk_create()`` of enquiries, of concerns' timing
    or of desired outcomes (announced by their query set): their enquiries
    counted again as written (or, when nothing kept per enquiry changed,
    their months marked for the monthly figures)."""
    if when == "before":
        return
    if sender is Enquiry:
        if when == "after" and _ENQUIRY_READ & set(values):
            refresh(queryset.values_list("pk", flat=True), forget_open=True)
        else:
            # Nothing kept per enquiry changed (their outcome flags set in
            # bulk, say, or new rows whose figures are kept when counted):
            # their months are still counted again.
            mark_months(
                queryset.exclude(concluded_on__isnull=True)
                .order_by()
                .values_list("concluded_on", flat=True)
                .distinct()
            )
    elif sender is Concern and _CONCERN_TIMING & set(values):
        refresh(
            Enquiry.objects.filter(concern__in=queryset.values("pk")).values_list(
                "pk", flat=True
            )
        )
    elif sender is DesiredOutcome:
        written = queryset.values("enquiry_id", "concern_id")
        refresh(
            [
                *written.values_list("enquiry_id", flat=True),
                *Enquiry.objects.filter(
                    concern__in=written.values("concern_id")
                ).values_list("pk", flat=True),
            ]
        )


def _loaded(sender, enquiry_ids: Iterable[int], **kwargs) -> None:
    refresh(enquiry_ids, forget_open=True)


def connect() -> None:
    """Connect the receivers above (from ``OutcomesConfig.ready()``)."""
    uid = "outcomes_figures"
    post_save.connect(_enquiry_changed, sender=Enquiry, dispatch_uid=f"{uid}_enquiry")
    post_save.connect(_concern_changed, sender=Concern, dispatch_uid=f"{uid}_concern")
    for model in (PersonView, PlanAction, AdvocacyReferral, FeedbackResponse):
        for signal, name in ((post_save, "save"), (post_delete, "delete")):
            signal.connect(
                _record_changed,
                sender=model,
                dispatch_uid=f"{uid}_{model._meta.model_name}_{name}",
            )
    for signal, name in ((post_save, "save"), (post_delete, "delete")):
        signal.connect(
            _outcome_changed,
            sender=DesiredOutcome,
            dispatch_uid=f"{uid}_outcome_{name}",
        )
    signals.case_records_loaded.connect(_loaded, dispatch_uid=f"{uid}_loaded")
    signals.case_rows_written.connect(_rows_written, dispatch_uid=f"{uid}_rows")
