"""Reads about cases that several pages share. Always scoped by the caller
through ``msp.access.visible`` when listing records for a user."""

from __future__ import annotations

from enquiries.models import Concern, Enquiry, PersonView


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
