"""Writing an open enquiry's records: planning to closure.

Every function takes the acting ``user``, validates with ``full_clean()``,
saves inside one transaction and writes the audit line and the adult's
chronology in that same transaction. Status changes go through
:mod:`enquiries.workflow`; edits to an existing record go through
:func:`msp.concurrency.save_changes` so nobody overwrites a colleague's work.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models import Q
from django.utils import timezone

from enquiries import chronology, notices, workflow
from enquiries.codes import RiskOutcome, Stage
from enquiries.models import (
    AdvocacyReferral,
    Allocation,
    CapacityAssessment,
    CausedEnquiry,
    ChronologyEvent,
    DesiredOutcome,
    Enquiry,
    Meeting,
    OrganisationalEnquiry,
    PersonView,
    PlanAction,
    PlanReview,
    Risk,
)
from msp import audit
from msp.concurrency import save_changes
from msp.models import Team

Kind = ChronologyEvent.Kind


def ensure_open(enquiry: Enquiry) -> None:
    """Closed enquiries are a record of what happened: nothing more is added."""
    if not enquiry.is_open:
        raise ValidationError("This enquiry is closed, so it cannot be changed.")


def _note(*, user, enquiry: Enquiry, kind: str, summary: str, happened_on=None) -> None:
    chronology.add(
        person=enquiry.concern.person,
        kind=kind,
        summary=summary,
        user=user,
        link=enquiry.get_absolute_url(),
        happened_on=happened_on,
    )


def _create(
    *,
    user,
    instance: models.Model,
    enquiry: Enquiry,
    kind: str,
    summary: str,
    happened_on: str = "",
) -> models.Model:
    """Validate and save a new record, with its audit line and chronology entry."""
    ensure_open(enquiry)
    if hasattr(instance, "created_by_id"):
        instance.created_by = user
        instance.updated_by = user
    instance.full_clean()
    with transaction.atomic():
        instance.save()
        audit.record(
            actor=user,
            action="create",
            obj=instance,
            summary=summary,
            changes=audit.snapshot(instance),
        )
        _note(
            user=user,
            enquiry=enquiry,
            kind=kind,
            summary=summary,
            happened_on=(getattr(instance, happened_on, None) if happened_on else None),
        )
    return instance


def _change(
    *,
    user,
    instance: models.Model,
    enquiry: Enquiry,
    expected_version: int | None,
    changes: dict[str, Any],
    kind: str,
    summary: str,
    happened_on: str = "",
) -> models.Model:
    """Save edits to a record if nobody else saved it first (else EditConflict).

    ``happened_on`` names the changed field holding the day of the event, for
    the chronology entry."""
    ensure_open(enquiry)
    with transaction.atomic():
        saved = save_changes(
            user=user,
            instance=instance,
            expected_version=expected_version,
            changes=changes,
            summary=summary,
        )
        _note(
            user=user,
            enquiry=enquiry,
            kind=kind,
            summary=summary,
            happened_on=getattr(saved, happened_on) if happened_on else None,
        )
    return saved


def _on_the_day(data: dict[str, Any], name: str) -> dict[str, Any]:
    """An event date left empty is today."""
    if name in data and not data[name]:
        data = {**data, name: timezone.localdate()}
    return data


# The enquiry record itself -------------------------------------------------


def _stage_answers(
    *,
    user,
    enquiry: Enquiry,
    expected_version: int | None,
    data: dict[str, Any],
    kind: str,
    summary: str,
    day: str = "",
) -> Enquiry:
    """A stage's answers saved on the enquiry itself; ``day`` names the
    answer holding the day it happened (left empty, it is today)."""
    dated = bool(day) and day in data
    return _change(
        user=user,
        instance=enquiry,
        enquiry=enquiry,
        expected_version=expected_version,
        changes=_on_the_day(data, day) if dated else data,
        kind=kind,
        summary=summary,
        happened_on=day if dated else "",
    )


def record_findings(
    *, user, enquiry: Enquiry, expected_version: int | None, data: dict[str, Any]
) -> Enquiry:
    """Stage 5: what the enquiry found (and on which day), who was spoken
    to, evidence."""
    return _stage_answers(
        user=user,
        enquiry=enquiry,
        expected_version=expected_version,
        data=data,
        kind=Kind.ENQUIRY,
        summary="Enquiry findings recorded",
        day="findings_on",
    )


def record_outcome(
    *, user, enquiry: Enquiry, expected_version: int | None, data: dict[str, Any]
) -> Enquiry:
    """Stage 6: the risk assessment outcome (SAC SG2c/SG2e) and what was done."""
    outcome = data.get("risk_assessment_outcome", enquiry.risk_assessment_outcome)
    result = data.get("risk_result", enquiry.risk_result)
    if outcome in RiskOutcome.risk_identified() and not result:
        raise ValidationError(
            {
                "risk_result": "Select whether the risk remained, was reduced "
                "or was removed"
            }
        )
    return _stage_answers(
        user=user,
        enquiry=enquiry,
        expected_version=expected_version,
        data=data,
        kind=Kind.OUTCOME,
        summary="Enquiry outcome recorded",
        day="outcome_on",
    )


def record_plan_agreement(
    *, user, enquiry: Enquiry, expected_version: int | None, data: dict[str, Any]
) -> Enquiry:
    if (
        data.get("plan_agreed_with_adult") is False
        and not (data.get("plan_not_agreed_reason") or "").strip()
    ):
        raise ValidationError(
            {
                "plan_not_agreed_reason": "Enter why the plan was not agreed with the adult"
            }
        )
    return _stage_answers(
        user=user,
        enquiry=enquiry,
        expected_version=expected_version,
        data=data,
        kind=Kind.PLAN,
        summary="Safeguarding plan agreement recorded",
    )


def record_closure_details(
    *, user, enquiry: Enquiry, expected_version: int | None, data: dict[str, Any]
) -> Enquiry:
    """Closure reason, checklist, the adult's view, SAR considered, lessons."""
    return _stage_answers(
        user=user,
        enquiry=enquiry,
        expected_version=expected_version,
        data=data,
        kind=Kind.CLOSURE,
        summary="Closure details recorded",
    )


def ask_for_sign_off(
    *,
    user,
    enquiry: Enquiry,
    expected_version: int | None,
    data: dict[str, Any],
    open_requests_reason: str = "",
) -> Enquiry:
    """Save the closure details and ask a manager to sign off, or change nothing.

    A request to a partner still awaiting a response needs a reason to close
    anyway (kept on the request: :mod:`enquiries.services.partners`).
    """
    from enquiries.services import partners

    with transaction.atomic():
        partners.note_open_requests_at_closure(
            user=user, enquiry=enquiry, reason=open_requests_reason
        )
        saved = record_closure_details(
            user=user, enquiry=enquiry, expected_version=expected_version, data=data
        )
        closing = workflow.request_closure(user=user, enquiry=saved)
        notices.closure_requested(user=user, enquiry=closing)
        return closing


# Planning -----------------------------------------------------------------


def record_meeting(*, user, enquiry: Enquiry, data: dict[str, Any]) -> Meeting:
    meeting = Meeting(enquiry=enquiry, **data)
    return _create(
        user=user,
        instance=meeting,
        enquiry=enquiry,
        kind=Kind.MEETING,
        summary=f"{meeting.get_kind_display()} recorded ({meeting.held_on:%-d %B %Y})",
        happened_on="held_on",
    )


def add_caused_enquiry(
    *, user, enquiry: Enquiry, data: dict[str, Any]
) -> CausedEnquiry:
    caused = CausedEnquiry(enquiry=enquiry, **data)
    return _create(
        user=user,
        instance=caused,
        enquiry=enquiry,
        kind=Kind.ENQUIRY,
        summary=f"{caused.organisation} asked to make enquiries "
        f"(report due {caused.due_on:%-d %B %Y})",
    )


def change_caused_enquiry(
    *,
    user,
    caused: CausedEnquiry,
    expected_version: int | None,
    data: dict[str, Any],
) -> CausedEnquiry:
    return _change(
        user=user,
        instance=caused,
        enquiry=caused.enquiry,
        expected_version=expected_version,
        changes=data,
        kind=Kind.ENQUIRY,
        summary=f"Caused enquiry with {caused.organisation} updated",
    )


# The adult's views at a stage ---------------------------------------------


def record_stage_views(
    *, user, enquiry: Enquiry, stage: str, data: dict[str, Any]
) -> PersonView:
    view = PersonView(
        person=enquiry.concern.person,
        enquiry=enquiry,
        stage=stage,
        recorded_by=user,
        **data,
    )
    view.given_on = view.given_on or timezone.localdate()
    stage_label = Stage(stage).label.lower()
    summary = (
        f"Adult's views recorded at the {stage_label} stage"
        if view.was_obtained
        else f"Adult's views could not be obtained at the {stage_label} stage"
    )
    return _create(
        user=user,
        instance=view,
        enquiry=enquiry,
        kind=Kind.VIEWS,
        summary=summary,
        happened_on="given_on",
    )


# Outcome: the enquiry's own list of risks (what the SAC counts) -------------


def add_enquiry_risk(*, user, enquiry: Enquiry, data: dict[str, Any]) -> Risk:
    risk = Risk(concern=enquiry.concern, enquiry=enquiry, **data)
    return _create(
        user=user,
        instance=risk,
        enquiry=enquiry,
        kind=Kind.OUTCOME,
        summary=f"Risk added to the enquiry: {risk}",
    )


def withdraw_enquiry_risk(*, user, enquiry: Enquiry, risk: Risk) -> Risk:
    """Withdraw (never delete) a risk the enquiry found was not there."""
    ensure_open(enquiry)
    if risk.enquiry_id != enquiry.pk:
        raise ValidationError("That risk is not part of this enquiry.")
    if risk.is_withdrawn:
        raise ValidationError("That risk has already been withdrawn.")
    with transaction.atomic():
        Risk.objects.filter(pk=risk.pk).update(is_withdrawn=True)
        risk.is_withdrawn = True
        summary = f"Risk withdrawn from the enquiry: {risk}"
        audit.record(
            actor=user,
            action="change",
            obj=risk,
            summary=summary,
            changes={"is_withdrawn": [False, True]},
        )
        _note(user=user, enquiry=enquiry, kind=Kind.OUTCOME, summary=summary)
    return risk


# Mental capacity and advocacy ---------------------------------------------


def record_capacity_assessment(
    *, user, enquiry: Enquiry, data: dict[str, Any]
) -> CapacityAssessment:
    assessment = CapacityAssessment(
        person=enquiry.concern.person, enquiry=enquiry, **data
    )
    return _create(
        user=user,
        instance=assessment,
        enquiry=enquiry,
        kind=Kind.CAPACITY,
        summary=f"Capacity assessed: {assessment.decision_in_question} "
        f"({assessment.get_conclusion_display()})",
    )


def suggest_capacity_answer(enquiry: Enquiry, assessments) -> str:
    """What the assessments suggest for the SAC capacity question ("" if unclear)."""
    conclusions = {a.conclusion for a in assessments}
    if CapacityAssessment.Conclusion.LACKS_CAPACITY in conclusions:
        return "yes"
    if conclusions == {CapacityAssessment.Conclusion.HAS_CAPACITY}:
        return "no"
    if conclusions:
        return "dont_know"
    return ""


def has_support(enquiry: Enquiry) -> bool:
    """Whether an advocate, or an appropriate person, has supported the adult."""
    return AdvocacyReferral.objects.filter(
        Q(
            status__in=[
                AdvocacyReferral.Status.ALLOCATED,
                AdvocacyReferral.Status.ENDED,
            ]
        )
        | Q(appropriate_person_available=True),
        enquiry=enquiry,
    ).exists()


def assess_advocacy(
    *, user, enquiry: Enquiry, data: dict[str, Any]
) -> AdvocacyReferral:
    """Record substantial difficulty and the appropriate-person check.

    When an advocate is required (s68) the referral starts as "needed" and the
    enquiry page prompts for it; otherwise it is recorded as not needed.
    """
    referral = AdvocacyReferral(enquiry=enquiry, **data)
    referral.status = (
        AdvocacyReferral.Status.NEEDED
        if referral.advocate_required
        else AdvocacyReferral.Status.NOT_NEEDED
    )
    summary = (
        "Independent advocate needed: substantial difficulty and no appropriate person"
        if referral.advocate_required
        else "Advocacy considered: an independent advocate is not required"
    )
    return _create(
        user=user,
        instance=referral,
        enquiry=enquiry,
        kind=Kind.ADVOCACY,
        summary=summary,
    )


ADVOCACY_NEXT = {
    AdvocacyReferral.Status.NEEDED: AdvocacyReferral.Status.REFERRED,
    AdvocacyReferral.Status.REFERRED: AdvocacyReferral.Status.ALLOCATED,
    AdvocacyReferral.Status.ALLOCATED: AdvocacyReferral.Status.ENDED,
}


def record_advocacy_progress(
    *,
    user,
    referral: AdvocacyReferral,
    expected_version: int | None,
    data: dict[str, Any],
) -> AdvocacyReferral:
    """Move an advocacy referral on: needed → referred → allocated → ended."""
    to_status = ADVOCACY_NEXT.get(referral.status)
    if to_status is None:
        raise ValidationError(
            f"This advocacy referral is '{referral.get_status_display()}': "
            "there is no next step."
        )
    changes = dict(data)
    changes["status"] = to_status
    errors = {}
    if to_status == AdvocacyReferral.Status.REFERRED:
        if not changes.get("referred_on"):
            errors["referred_on"] = "Enter the date of the referral"
        if not (changes.get("provider") or "").strip():
            errors["provider"] = "Enter who the referral was made to"
    elif to_status == AdvocacyReferral.Status.ALLOCATED:
        if not changes.get("allocated_on"):
            errors["allocated_on"] = "Enter the date the advocate was allocated"
        if not (changes.get("advocate_name") or "").strip():
            errors["advocate_name"] = "Enter the advocate's name"
    elif not changes.get("ended_on"):
        errors["ended_on"] = "Enter the date the advocacy ended"
    if errors:
        raise ValidationError(errors)
    return _change(
        user=user,
        instance=referral,
        enquiry=referral.enquiry,
        expected_version=expected_version,
        changes=changes,
        kind=Kind.ADVOCACY,
        summary=f"Advocacy: {AdvocacyReferral.Status(to_status).label.lower()}",
    )


# Safeguarding plan ---------------------------------------------------------


def add_plan_action(
    *,
    user,
    enquiry: Enquiry,
    data: dict[str, Any],
    desired_outcomes: list[DesiredOutcome],
) -> PlanAction:
    with transaction.atomic():
        action = _create(
            user=user,
            instance=PlanAction(enquiry=enquiry, **data),
            enquiry=enquiry,
            kind=Kind.PLAN,
            summary=f"Plan action added: {data.get('description', '')[:120]}",
        )
        action.desired_outcomes.set(desired_outcomes)
    return action


def change_plan_action(
    *,
    user,
    action: PlanAction,
    expected_version: int | None,
    data: dict[str, Any],
    desired_outcomes: list[DesiredOutcome],
) -> PlanAction:
    if (
        data.get("status") == PlanAction.Status.NOT_DONE
        and not (data.get("status_reason") or "").strip()
    ):
        raise ValidationError({"status_reason": "Enter why the action was not done"})
    with transaction.atomic():
        saved = _change(
            user=user,
            instance=action,
            enquiry=action.enquiry,
            expected_version=expected_version,
            changes=data,
            kind=Kind.PLAN,
            summary=f"Plan action updated: {action.description[:120]}",
        )
        saved.desired_outcomes.set(desired_outcomes)
    return saved


def record_plan_review(*, user, enquiry: Enquiry, data: dict[str, Any]) -> PlanReview:
    """A plan review; the adult's view is also kept with their views at review."""
    review = PlanReview(enquiry=enquiry, **data)
    with transaction.atomic():
        _create(
            user=user,
            instance=review,
            enquiry=enquiry,
            kind=Kind.PLAN,
            summary=f"Safeguarding plan reviewed: risk now "
            f"{review.get_risk_rating_display().lower()}",
        )
        PersonView.objects.create(
            person=enquiry.concern.person,
            enquiry=enquiry,
            stage=Stage.REVIEW,
            source="adult",
            views_text=review.adult_view,
            recorded_by=user,
        )
    return review


# Allocation and transfer -----------------------------------------------------


def allocate_enquiry(
    *,
    user,
    enquiry: Enquiry,
    expected_version: int | None,
    team: Team,
    worker,
    reason: str = "",
) -> Enquiry:
    """Allocate to a worker, or transfer to another team (which needs a reason)."""
    ensure_open(enquiry)
    errors = {}
    if team.pk != enquiry.team_id and not reason.strip():
        errors["reason"] = "Enter why the enquiry is moving to another team"
    if worker is not None and not worker.teams.filter(pk=team.pk).exists():
        errors["worker"] = f"Select someone who works in {team}"
    if errors:
        raise ValidationError(errors)
    moving = team.pk != enquiry.team_id
    summary = (f"Enquiry transferred to {team}" if moving else "Enquiry allocated") + (
        f" ({worker})" if worker else " (not yet allocated to a worker)"
    )
    with transaction.atomic():
        saved = save_changes(
            user=user,
            instance=enquiry,
            expected_version=expected_version,
            changes={"team": team, "allocated_to": worker},
            summary=summary,
        )
        allocation = Allocation.objects.create(
            enquiry=saved,
            team=team,
            worker=worker,
            reason=reason.strip(),
            allocated_by=user,
        )
        _note(user=user, enquiry=saved, kind=Kind.ALLOCATION, summary=summary)
        notices.enquiry_allocated(user=user, enquiry=saved, allocation_id=allocation.pk)
    return saved


# Large-scale (organisational) enquiries ------------------------------------


def start_organisational_enquiry(
    *, user, data: dict[str, Any]
) -> OrganisationalEnquiry:
    org = OrganisationalEnquiry(**data, created_by=user, updated_by=user)
    org.full_clean()
    with transaction.atomic():
        org.save()
        audit.record(
            actor=user,
            action="create",
            obj=org,
            summary=f"Large-scale enquiry started about {org.organisation}",
            changes=audit.snapshot(org),
        )
    return org


def link_to_organisational(
    *, user, organisational: OrganisationalEnquiry, enquiry: Enquiry
) -> Enquiry:
    if organisational.status == OrganisationalEnquiry.Status.CLOSED:
        raise ValidationError("This large-scale enquiry is closed.")
    if enquiry.organisational_enquiry_id == organisational.pk:
        raise ValidationError("That enquiry is already linked.")
    if enquiry.organisational_enquiry_id is not None:
        raise ValidationError(
            "That enquiry is already part of another large-scale enquiry."
        )
    from enquiries.services.organisational import check_same_provider

    check_same_provider(organisational, enquiry)
    return _set_link(user=user, enquiry=enquiry, organisational=organisational)


def unlink_from_organisational(
    *, user, organisational: OrganisationalEnquiry, enquiry: Enquiry
) -> Enquiry:
    if organisational.status == OrganisationalEnquiry.Status.CLOSED:
        raise ValidationError(
            "This large-scale enquiry is closed, so its enquiries stay linked."
        )
    if enquiry.organisational_enquiry_id != organisational.pk:
        raise ValidationError("That enquiry is not part of this large-scale enquiry.")
    return _set_link(user=user, enquiry=enquiry, organisational=None)


def _set_link(
    *, user, enquiry: Enquiry, organisational: OrganisationalEnquiry | None
) -> Enquiry:
    with transaction.atomic():
        before = enquiry.organisational_enquiry_id
        Enquiry.objects.filter(pk=enquiry.pk).update(
            organisational_enquiry=organisational,
            version=models.F("version") + 1,
            updated_by=user,
            updated_at=timezone.now(),
        )
        enquiry.refresh_from_db()
        target = organisational or OrganisationalEnquiry.objects.get(pk=before)
        summary = (
            f"Linked to the large-scale enquiry about {target.organisation}"
            if organisational
            else f"Unlinked from the large-scale enquiry about {target.organisation}"
        )
        audit.record(
            actor=user,
            action="change",
            obj=enquiry,
            summary=summary,
            changes={
                "organisational_enquiry_id": [
                    before,
                    organisational.pk if organisational else None,
                ]
            },
        )
        _note(user=user, enquiry=enquiry, kind=Kind.ENQUIRY, summary=summary)
    return enquiry
