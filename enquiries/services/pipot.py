"""Writing PiPoT cases (decision 0026).

A case is opened by someone who may work on the adult's enquiry or concern;
they are named on it. After that only leads and the named workers may change
it. Each write checks that, validates with ``full_clean()`` and writes its
audit line in the same transaction. Nothing is deleted; a case ends by being
closed with an outcome.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404
from django.utils import timezone

from enquiries.models import Concern, Enquiry, PipotCase, PipotConcern, PipotReferral
from enquiries.selectors import pipot as selectors
from enquiries.services import patterns
from msp import audit
from msp.access import can_work_on_cases, require_write, visible
from msp.concurrency import save_changes

CASE_FIELDS = (
    "subject_name",
    "subject_role",
    "subject_kind",
    "employer",
    "allegation",
    "opened_on",
    "employer_notified_on",
    "employer_actions",
)


def _not_future(day: datetime.date | None, field: str, what: str) -> None:
    if day and day > timezone.localdate():
        raise ValidationError({field: f"{what} must be today or in the past"})


def _may_change(user, case: PipotCase) -> None:
    require_write(user)
    if not selectors.pipot_cases(user).filter(pk=case.pk).exists():
        raise Http404("No such record")


def open_case(
    *,
    user,
    data: dict[str, Any],
    enquiry: Enquiry | None = None,
    concern: Concern | None = None,
) -> PipotCase:
    """Open a PiPoT case from an enquiry or a concern the user may see."""
    require_write(user)
    if enquiry is not None:
        if not visible(user, Enquiry.objects.filter(pk=enquiry.pk)).exists():
            raise Http404("No such record")
        concern = enquiry.concern
    elif (
        concern is None
        or not visible(user, Concern.objects.filter(pk=concern.pk)).exists()
    ):
        raise Http404("No such record")
    values = {k: v for k, v in data.items() if k in CASE_FIELDS}
    _not_future(values.get("opened_on"), "opened_on", "The date opened")
    _not_future(
        values.get("employer_notified_on"),
        "employer_notified_on",
        "The date the employer was told",
    )
    case = PipotCase(concern=concern, enquiry=enquiry, created_by=user, **values)
    case.full_clean()
    with transaction.atomic():
        case.save()
        case.named_workers.add(user)
        audit.record(
            actor=user,
            action="create",
            obj=case,
            summary=f"PiPoT case opened ({case.subject_role}, {case.employer})",
        )
    return case


def change_case(
    *, user, case: PipotCase, expected_version, data: dict[str, Any]
) -> PipotCase:
    """Change the worker, the employer's notification and actions."""
    _may_change(user, case)
    if not case.is_open:
        raise ValidationError("This PiPoT case is closed.")
    values = {k: v for k, v in data.items() if k in CASE_FIELDS}
    _not_future(values.get("opened_on"), "opened_on", "The date opened")
    _not_future(
        values.get("employer_notified_on"),
        "employer_notified_on",
        "The date the employer was told",
    )
    with transaction.atomic():
        return save_changes(
            user=user,
            instance=case,
            expected_version=expected_version,
            changes=values,
            summary="PiPoT case changed",
        )


def name_worker(*, user, case: PipotCase, worker) -> None:
    """Name another worker on the case (a lead or a named worker may)."""
    _may_change(user, case)
    if not (worker.is_active and can_work_on_cases(worker)):
        raise ValidationError({"worker": "Choose someone who works on cases"})
    with transaction.atomic():
        case.named_workers.add(worker)
        audit.record(
            actor=user,
            action="change",
            obj=case,
            summary=f"Named {worker.get_username()} on the PiPoT case",
        )


def add_referral(*, user, case: PipotCase, data: dict[str, Any]) -> PipotReferral:
    _may_change(user, case)
    if not case.is_open:
        raise ValidationError("This PiPoT case is closed.")
    referral = PipotReferral(
        case=case,
        created_by=user,
        kind=data.get("kind") or "",
        organisation=data.get("organisation"),
        referred_on=data.get("referred_on"),
        outcome=(data.get("outcome") or "").strip(),
        outcome_on=data.get("outcome_on"),
    )
    _not_future(referral.referred_on, "referred_on", "The date referred")
    _not_future(referral.outcome_on, "outcome_on", "The date of the outcome")
    if referral.referred_on and referral.referred_on < case.opened_on:
        raise ValidationError(
            {"referred_on": "The date referred must be on or after the case was opened"}
        )
    referral.full_clean()
    with transaction.atomic():
        referral.save()
        audit.record(
            actor=user,
            action="create",
            obj=case,
            summary=f"PiPoT referral recorded: {referral.get_kind_display()}",
        )
    return referral


def record_referral_outcome(
    *, user, referral: PipotReferral, expected_version, outcome: str, outcome_on
) -> PipotReferral:
    _may_change(user, referral.case)
    _not_future(outcome_on, "outcome_on", "The date of the outcome")
    if not (outcome or "").strip():
        raise ValidationError({"outcome": "Enter the outcome of the referral"})
    with transaction.atomic():
        return save_changes(
            user=user,
            instance=referral,
            expected_version=expected_version,
            changes={"outcome": outcome.strip(), "outcome_on": outcome_on},
            summary=f"PiPoT referral outcome: {referral.get_kind_display()}",
        )


def close_case(
    *,
    user,
    case: PipotCase,
    expected_version,
    outcome: str,
    outcome_on: datetime.date | None,
    outcome_notes: str = "",
) -> PipotCase:
    """Close the case; it needs an outcome and its date."""
    _may_change(user, case)
    if not case.is_open:
        raise ValidationError("This PiPoT case is already closed.")
    if not outcome:
        raise ValidationError({"outcome": "Select the outcome before closing the case"})
    if not outcome_on:
        raise ValidationError({"outcome_on": "Enter the date of the outcome"})
    _not_future(outcome_on, "outcome_on", "The date of the outcome")
    with transaction.atomic():
        return save_changes(
            user=user,
            instance=case,
            expected_version=expected_version,
            changes={
                "status": PipotCase.Status.CLOSED,
                "outcome": outcome,
                "outcome_on": outcome_on,
                "outcome_notes": (outcome_notes or "").strip(),
                "closed_at": timezone.now(),
                "closed_by": user,
            },
            summary=f"PiPoT case closed: {PipotCase.Outcome(outcome).label}",
        )


def link_concern(*, user, case: PipotCase, reference) -> PipotConcern:
    """Say that another concern (``reference``: the concern's reference, as on
    its page) alleges harm by the same person in a position of trust. Only a
    lead or a named worker, and only a concern they may see; audited on the
    case. Patterns then count the adults across the case's concerns
    (decision 0023): the linked concern is checked at once."""
    _may_change(user, case)
    concern = None
    if reference is not None:
        concern = visible(user, Concern.objects.filter(reference=reference)).first()
    if concern is None:
        raise ValidationError({"concern": "No concern you may see has that address"})
    if concern.pk == case.concern_id:
        raise ValidationError(
            {"concern": "That is the concern this PiPoT case arose from"}
        )
    if PipotConcern.objects.filter(case=case, concern=concern).exists():
        raise ValidationError(
            {"concern": "That concern is already linked to this PiPoT case"}
        )
    link = PipotConcern(case=case, concern=concern, linked_by=user)
    link.full_clean()
    with transaction.atomic():
        link.save()
        audit.record(
            actor=user,
            action="change",
            obj=case,
            summary="Linked another concern naming the person in a position of trust",
            changes={"concern": [None, str(concern.reference)]},
        )
        patterns.check_concern(concern, user=user)
    return link
