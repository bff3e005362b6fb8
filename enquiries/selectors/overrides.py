"""The managers' queue: consent overrides awaiting a second person."""

from __future__ import annotations

from django.db.models import QuerySet

from enquiries.models import ConsentDecision
from enquiries.models.partners import InformationShare
from msp.access import visible


def overrides_awaiting(user) -> QuerySet[ConsentDecision]:
    """Overrides neither confirmed nor disagreed with, that ``user`` may see,
    oldest first (read from a partial index of just those rows)."""
    waiting = ConsentDecision.objects.filter(
        overridden=True,
        override_confirmed_by__isnull=True,
        override_disagreed_by__isnull=True,
    )
    return visible(user, waiting).select_related(
        "person", "concern", "enquiry", "recorded_by"
    )


def shares_resting_on(consent: ConsentDecision) -> QuerySet[InformationShare]:
    """Information already shared by us on the strength of ``consent`` (not
    withdrawn): what the practitioner must go back to the agency about when
    the override does not stand."""
    return (
        InformationShare.objects.filter(
            consent_decision=consent,
            direction=InformationShare.Direction.OUT,
            withdrawn_at__isnull=True,
        )
        .select_related("organisation")
        .order_by("shared_on", "pk")
    )
