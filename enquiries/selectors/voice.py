"""Reads about cases that several pages share. Always scoped by the caller
through ``msp.access.visible`` when listing records for a user."""

from __future__ import annotations

from django.db.models import Q, QuerySet

from enquiries.models import (
    Concern,
    ConsentDecision,
    DesiredOutcome,
    Enquiry,
    PersonView,
)


def stage_views(
    *, stage: str, concern: Concern | None = None, enquiry: Enquiry | None = None
):
    """The current (not superseded) views recorded for one stage of a case."""
    views = PersonView.objects.filter(stage=stage, superseded_by__isnull=True)
    if enquiry is not None:
        return views.filter(enquiry=enquiry)
    return views.filter(concern=concern)


def stage_has_view(
    *, stage: str, concern: Concern | None = None, enquiry: Enquiry | None = None
) -> bool:
    """A stage is complete only with the adult's views, or why they could not be had."""
    return stage_views(stage=stage, concern=concern, enquiry=enquiry).exists()


def _case_filter(case: Concern | Enquiry) -> Q:
    """A concern's own records, or an enquiry's with those of its concern
    (one case, one picture: what was said before the enquiry still counts)."""
    if isinstance(case, Enquiry):
        return Q(enquiry=case) | Q(concern_id=case.concern_id, enquiry__isnull=True)
    return Q(concern=case)


def case_views(case: Concern | Enquiry) -> QuerySet[PersonView]:
    """Every view recorded for the case, earliest first, concern stage included."""
    return (
        PersonView.objects.filter(_case_filter(case))
        .select_related("recorded_by", "superseded_by", "concern", "adult_page_entry")
        .order_by("recorded_at", "id")
    )


def case_consents(case: Concern | Enquiry) -> QuerySet[ConsentDecision]:
    """Every consent decision for the case (overrides included), concern stage
    included."""
    return (
        ConsentDecision.objects.filter(_case_filter(case))
        .select_related(
            "recorded_by",
            "override_confirmed_by",
            "override_disagreed_by",
            "concern",
        )
        .order_by("recorded_at", "id")
    )


def enquiry_views(enquiry: Enquiry, stage: str | None = None) -> QuerySet[PersonView]:
    """The current views recorded on an enquiry or its concern (at one stage
    if given), earliest first."""
    views = (
        PersonView.objects.filter(
            Q(enquiry=enquiry) | Q(concern_id=enquiry.concern_id),
            superseded_by__isnull=True,
        )
        .select_related("recorded_by", "adult_page_entry")
        .order_by("recorded_at", "id")
    )
    if stage:
        views = views.filter(stage=stage)
    return views


# The adult's desired outcomes ------------------------------------------------


def current_desired_outcomes(case: Concern | Enquiry) -> QuerySet[DesiredOutcome]:
    """The adult's current desired outcomes for a concern, or an enquiry
    (including those stated at its concern)."""
    outcomes = DesiredOutcome.objects.filter(status=DesiredOutcome.Status.ACTIVE)
    if isinstance(case, Enquiry):
        outcomes = outcomes.filter(
            Q(enquiry=case) | Q(concern=case.concern, enquiry__isnull=True)
        )
    else:
        outcomes = outcomes.filter(concern=case)
    return outcomes.select_related("category", "revises").order_by("recorded_at", "id")


def all_desired_outcomes(case: Concern | Enquiry) -> QuerySet[DesiredOutcome]:
    """Every desired outcome for the case, including revised and withdrawn ones."""
    if isinstance(case, Enquiry):
        outcomes = DesiredOutcome.objects.filter(
            Q(enquiry=case) | Q(concern=case.concern, enquiry__isnull=True)
        )
    else:
        outcomes = DesiredOutcome.objects.filter(concern=case)
    return outcomes.select_related("revises", "category").order_by("recorded_at", "id")


def enquiry_desired_outcomes(enquiry: Enquiry) -> QuerySet[DesiredOutcome]:
    """The current desired outcomes an enquiry's stages show and rate: its own
    and its concern's (revised and withdrawn ones are no longer wanted)."""
    return (
        DesiredOutcome.objects.filter(
            Q(enquiry=enquiry) | Q(concern_id=enquiry.concern_id),
            status=DesiredOutcome.Status.ACTIVE,
        )
        .select_related("category")
        .order_by("recorded_at", "id")
    )
