"""Large-scale (organisational) enquiries to the end (issue 18): edit,
meetings, actions, provider and regulator contact, conclusion, and the
manager's sign-off that closes it.

Starting one and linking adults' enquiries live in
:mod:`enquiries.services.enquiry`. Every write here checks the user's right
and writes its audit line in the same transaction.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Exists, OuterRef, QuerySet
from django.utils import timezone

from enquiries.models import (
    Enquiry,
    InvolvedAgency,
    OrganisationalAction,
    OrganisationalEnquiry,
    OrganisationalMeeting,
    Risk,
)
from msp import audit
from msp.concurrency import save_changes
from msp.permissions import require_perm

CLOSED_MESSAGE = "This large-scale enquiry is closed and can no longer be changed."


def names_provider(enquiries: QuerySet, organisational: OrganisationalEnquiry):
    """The enquiries whose concern names the provider on a risk still standing."""
    return enquiries.filter(
        Exists(
            Risk.objects.filter(
                concern=OuterRef("concern"),
                source_organisation_id=organisational.organisation_id,
                is_withdrawn=False,
            )
        )
    )


def check_same_provider(organisational: OrganisationalEnquiry, enquiry: Enquiry):
    """Refuse an enquiry whose risks do not name the large-scale enquiry's provider."""
    if not names_provider(
        Enquiry.objects.filter(pk=enquiry.pk), organisational
    ).exists():
        raise ValidationError(
            f"That enquiry cannot be linked: none of its risks names "
            f"{organisational.organisation} as the organisation alleged to have "
            f"caused harm. Record the provider on the adult's risk first."
        )


def _writable(user, organisational: OrganisationalEnquiry) -> None:
    require_perm(user, "manage_cases")
    if organisational.status == OrganisationalEnquiry.Status.CLOSED:
        raise ValidationError(CLOSED_MESSAGE)


def change_organisational(
    *,
    user,
    organisational: OrganisationalEnquiry,
    expected_version: int | None,
    data: dict[str, Any],
) -> OrganisationalEnquiry:
    """Edit what prompted it, the embargo, provider actions and contacts."""
    _writable(user, organisational)
    return save_changes(
        user=user,
        instance=organisational,
        expected_version=expected_version,
        changes=data,
        summary=f"Large-scale enquiry about {organisational.organisation} changed",
    )


def conclude_organisational(
    *,
    user,
    organisational: OrganisationalEnquiry,
    expected_version: int | None,
    data: dict[str, Any],
) -> OrganisationalEnquiry:
    """Record the conclusion (date and findings); a manager then signs it off."""
    _writable(user, organisational)
    concluded_on = data.get("concluded_on")
    if concluded_on and concluded_on < organisational.started_on:
        raise ValidationError(
            {"concluded_on": "The date it concluded must be on or after the start"}
        )
    if concluded_on and concluded_on > timezone.localdate():
        raise ValidationError(
            {"concluded_on": "The date it concluded must be today or in the past"}
        )
    return save_changes(
        user=user,
        instance=organisational,
        expected_version=expected_version,
        changes={**data, "status": OrganisationalEnquiry.Status.CONCLUDED},
        summary=f"Large-scale enquiry about {organisational.organisation} concluded",
    )


def close_organisational(
    *,
    user,
    organisational: OrganisationalEnquiry,
    expected_version: int | None,
) -> OrganisationalEnquiry:
    """A team manager's or lead's sign-off: the large-scale enquiry is closed."""
    require_perm(
        user,
        "sign_off_closure",
        "Only team managers and safeguarding leads can sign off a large-scale enquiry.",
    )
    if organisational.status != OrganisationalEnquiry.Status.CONCLUDED:
        raise ValidationError(
            "Record the conclusion (date and findings) before signing it off."
        )
    if organisational.actions.filter(status=OrganisationalAction.Status.OPEN).exists():
        raise ValidationError(
            "Mark every action done or cancelled before signing it off."
        )
    return save_changes(
        user=user,
        instance=organisational,
        expected_version=expected_version,
        changes={
            "status": OrganisationalEnquiry.Status.CLOSED,
            "closed_on": timezone.localdate(),
            "signed_off_by": user,
        },
        summary=f"Large-scale enquiry about {organisational.organisation} signed "
        f"off and closed",
    )


def agencies_for(organisational: OrganisationalEnquiry) -> QuerySet:
    """The agencies involved in the linked adults' cases (meeting attendees)."""
    return (
        InvolvedAgency.objects.filter(
            withdrawn_at__isnull=True,
            concern__enquiries__organisational_enquiry=organisational,
        )
        .select_related("organisation")
        .distinct()
        .order_by("organisation__name", "id")
    )


def _create(user, instance, organisational, summary: str, extra=None):
    instance.created_by = user
    instance.updated_by = user
    instance.full_clean()
    with transaction.atomic():
        instance.save()
        if extra:
            extra(instance)
        audit.record(
            actor=user,
            action="create",
            obj=organisational,
            summary=summary,
            changes=audit.snapshot(instance),
        )
    return instance


def record_meeting(
    *, user, organisational: OrganisationalEnquiry, data: dict[str, Any]
) -> OrganisationalMeeting:
    _writable(user, organisational)
    data = dict(data)
    attendees = list(data.pop("attendees", []) or [])
    allowed = set(agencies_for(organisational).values_list("pk", flat=True))
    if any(a.pk not in allowed for a in attendees):
        raise ValidationError(
            {"attendees": "Choose agencies involved in the linked adults' cases"}
        )
    if not attendees and not data.get("other_attendees", "").strip():
        raise ValidationError(
            {"other_attendees": "Choose the agencies attending or enter who attended"}
        )
    meeting = OrganisationalMeeting(organisational=organisational, **data)
    return _create(
        user,
        meeting,
        organisational,
        f"Large-scale enquiry meeting recorded ({meeting.held_on:%-d %B %Y})",
        extra=lambda m: m.attendees.set(attendees),
    )


def add_action(
    *, user, organisational: OrganisationalEnquiry, data: dict[str, Any]
) -> OrganisationalAction:
    _writable(user, organisational)
    action = OrganisationalAction(organisational=organisational, **data)
    return _create(
        user,
        action,
        organisational,
        f"Large-scale enquiry action added for {action.owner} "
        f"(due {action.due_on:%-d %B %Y})",
    )


def change_action(
    *,
    user,
    action: OrganisationalAction,
    expected_version: int | None,
    data: dict[str, Any],
) -> OrganisationalAction:
    _writable(user, action.organisational)
    return save_changes(
        user=user,
        instance=action,
        expected_version=expected_version,
        changes=data,
        summary=f"Large-scale enquiry action for {action.owner} updated",
    )
