"""Writing people, concerns, the adult's voice, the section 42 decision and notes.

Every function takes the acting ``user``, validates with ``full_clean()``,
and writes the audit line and the chronology entry in the same transaction.
Edits to existing records go through :func:`msp.concurrency.save_changes`.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import NoReverseMatch
from django.utils import timezone

from enquiries import chronology, codes, signals
from enquiries.codes import Stage
from enquiries.models import (
    Allocation,
    CaseNote,
    ChronologyEvent,
    Concern,
    ConsentDecision,
    DesiredOutcome,
    Enquiry,
    LegalAuthority,
    Person,
    PersonView,
    Relationship,
    Risk,
    asked_outcomes_shown,
)
from enquiries.selectors.voice import stage_has_view
from enquiries.services import patterns
from msp import audit
from msp.access import can_work_on_cases, require_write
from msp.concurrency import save_changes
from msp.permissions import require_perm

CONCERN_STAGES = (Stage.CONCERN, Stage.INFORMATION_GATHERING)


def _create(*, user, obj, summary: str):
    """Validate, save and audit a new record."""
    if hasattr(obj, "created_by_id"):
        obj.created_by = user
        obj.updated_by = user
    obj.full_clean()
    obj.save()
    audit.record(actor=user, action="create", obj=obj, summary=summary)
    return obj


# People ---------------------------------------------------------------------


def _note_on_person(*, user, person: Person, summary: str, **extra: Any) -> None:
    """A line in the adult's chronology about their record or their network."""
    chronology.add(
        person=person,
        kind=ChronologyEvent.Kind.CONCERN,
        summary=summary,
        user=user,
        link=person.get_absolute_url(),
        **extra,
    )


def create_person(
    *, user, data: dict[str, Any], summary: str = "Created person"
) -> Person:
    with transaction.atomic():
        person = _create(user=user, obj=Person(**data), summary=summary)
        _note_on_person(
            user=user, person=person, summary=f"Record created for {person.full_name}"
        )
    return person


def change_person(
    *, user, person: Person, expected_version: int, changes: dict[str, Any]
) -> Person:
    return save_changes(
        user=user,
        instance=person,
        expected_version=expected_version,
        changes=changes,
        summary="Changed person's details",
    )


def add_relationship(*, user, person: Person, data: dict[str, Any]) -> Relationship:
    with transaction.atomic():
        relationship = _create(
            user=user,
            obj=Relationship(person=person, **data),
            summary="Added a relationship",
        )
        _note_on_person(
            user=user,
            person=person,
            summary=f"Added to the adult's network: {relationship}",
        )
    return relationship


def change_relationship(
    *,
    user,
    relationship: Relationship,
    expected_version: int,
    changes: dict[str, Any],
) -> Relationship:
    """Correct or update someone in the adult's network (audited with the diff)."""
    require_write(user)
    with transaction.atomic():
        saved = save_changes(
            user=user,
            instance=relationship,
            expected_version=expected_version,
            changes=changes,
            summary="Changed a relationship",
        )
        _note_on_person(
            user=user,
            person=relationship.person,
            summary=f"Changed in the adult's network: {saved}",
        )
    return saved


def add_legal_authority(
    *, user, person: Person, data: dict[str, Any]
) -> LegalAuthority:
    starts, ends = data.get("starts_on"), data.get("ends_on")
    if starts and ends and ends < starts:
        raise ValidationError(
            {"ends_on": "End date must be on or after the start date"}
        )
    with transaction.atomic():
        authority = _create(
            user=user,
            obj=LegalAuthority(person=person, **data),
            summary="Added a legal authority",
        )
        _note_on_person(
            user=user,
            person=person,
            summary=f"Legal authority recorded: {authority}",
            significant=authority.concern_about_holder,
        )
    return authority


# Concerns and risks ---------------------------------------------------------


def record_concern(
    *,
    user,
    person: Person,
    data: dict[str, Any],
    adult_said: str = "",
    own_words: bool = False,
    summary: str = "Recorded a concern",
    occurred_at: datetime.datetime | None = None,
) -> Concern:
    """Record a concern, allocated to the user who records it; what the adult
    said, if passed on, becomes their first views. ``summary`` is the audit
    line; ``occurred_at`` dates the chronology line (default: now)."""
    with transaction.atomic():
        concern = Concern(person=person, allocated_to=user, **data)
        if concern.team_id is None:
            concern.team = person.team
        _create(user=user, obj=concern, summary=summary)
        chronology.add(
            person=person,
            kind=ChronologyEvent.Kind.CONCERN,
            summary=f"Concern received {concern.received_on:%-d %B %Y} "
            f"({concern.get_received_via_display().lower()})",
            user=user,
            link=concern.get_absolute_url(),
            significant=True,
            occurred_at=occurred_at,
        )
        patterns.check_concern(concern, user=user)
        if adult_said.strip():
            record_views(
                user=user,
                case=concern,
                data={
                    "stage": Stage.CONCERN,
                    "source": codes.ViewSource.REFERRER,
                    "views_text": adult_said,
                    "own_words": own_words,
                },
            )
    return concern


def change_concern(
    *, user, concern: Concern, expected_version: int, changes: dict[str, Any]
) -> Concern:
    with transaction.atomic():
        saved = save_changes(
            user=user,
            instance=concern,
            expected_version=expected_version,
            changes=changes,
            summary="Changed the concern",
        )
        patterns.check_concern(saved, user=user)
    return saved


def add_alleged_risk(*, user, concern: Concern, data: dict[str, Any]) -> Risk:
    subtype = data.get("subtype")
    if subtype is not None and subtype.risk_type != data.get("risk_type"):
        raise ValidationError(
            {"subtype": "Choose a local sub-type that belongs to the type of risk"}
        )
    with transaction.atomic():
        risk = Risk(concern=concern, **data)
        risk.full_clean()
        risk.save()
        audit.record(
            actor=user, action="create", obj=risk, summary="Recorded an alleged risk"
        )
        chronology.add(
            person=concern.person,
            kind=ChronologyEvent.Kind.CONCERN,
            summary=f"Alleged risk recorded: {risk.get_risk_type_display()}",
            user=user,
            link=concern.get_absolute_url(),
        )
        patterns.check_concern(concern, user=user)
        if risk.source_relation_id is not None:
            transaction.on_commit(
                lambda: signals.concern_source_recorded.send(
                    sender=Risk, risk=risk, user=user
                )
            )
    return risk


def record_three_part_test(
    *, user, concern: Concern, expected_version: int, changes: dict[str, Any]
) -> Concern:
    """Record the three-part test; the concern moves to information gathering."""
    if concern.decision:
        raise ValidationError("This concern has already been decided")
    changes = {**changes, "status": Concern.Status.INFORMATION_GATHERING}
    with transaction.atomic():
        concern = save_changes(
            user=user,
            instance=concern,
            expected_version=expected_version,
            changes=changes,
            summary="Recorded the section 42 three-part test",
        )
        chronology.add(
            person=concern.person,
            kind=ChronologyEvent.Kind.DECISION,
            summary="Three-part test recorded: "
            + ("all three parts met" if concern.three_part_test_met else "not all met"),
            user=user,
            link=concern.get_absolute_url(),
        )
    return concern


def has_concern_views(concern: Concern) -> bool:
    """The adult's views (or why they could not be had) are on record."""
    return any(stage_has_view(stage=stage, concern=concern) for stage in CONCERN_STAGES)


def record_decision(
    *, user, concern: Concern, expected_version: int, changes: dict[str, Any]
) -> Concern:
    """Record the decision; a section 42 or other enquiry opens the enquiry."""
    if concern.decision:
        raise ValidationError("This concern has already been decided")
    if not has_concern_views(concern):
        raise ValidationError(
            "Record the adult's views at the concern or information-gathering "
            "stage, or why they could not be obtained, before deciding"
        )
    decision = changes.get("decision")
    if decision != Concern.Decision.NO_ENQUIRY:
        changes = {**changes, "other_pathway": ""}
    changes = {
        **changes,
        "status": Concern.Status.DECIDED,
        "decided_by": user,
        "decided_at": timezone.now(),
        # The day it was decided; defaults to today, may be back-dated.
        "decided_on": changes.get("decided_on") or timezone.localdate(),
    }
    with transaction.atomic():
        concern = save_changes(
            user=user,
            instance=concern,
            expected_version=expected_version,
            changes=changes,
            summary=f"Decided: {Concern.Decision(decision).label}",
        )
        summary = f"Decision: {concern.get_decision_display()}"
        if concern.other_pathway:
            summary += f" ({concern.get_other_pathway_display().lower()})"
        chronology.add(
            person=concern.person,
            kind=ChronologyEvent.Kind.DECISION,
            summary=summary,
            user=user,
            link=concern.get_absolute_url(),
            significant=True,
            happened_on=concern.decided_on,
        )
        patterns.check_concern(concern, user=user)
        if decision == Concern.Decision.SECTION_42:
            open_enquiry(user=user, concern=concern, kind=Enquiry.Kind.SECTION_42)
        elif decision == Concern.Decision.OTHER_ENQUIRY:
            open_enquiry(user=user, concern=concern, kind=Enquiry.Kind.OTHER)
    return concern


def open_enquiry(*, user, concern: Concern, kind: str) -> Enquiry:
    """Start an enquiry from a decided concern, copying the alleged risks."""
    # The enquiry starts on the day of the decision, not the day it was typed.
    started_on = concern.decided_on or (
        timezone.localdate(concern.decided_at)
        if concern.decided_at
        else timezone.localdate()
    )
    with transaction.atomic():
        enquiry = Enquiry(
            concern=concern,
            kind=kind,
            kind_at_start=kind,
            team=concern.team,
            allocated_to=concern.allocated_to or user,
            started_on=started_on,
            status=Enquiry.Status.PLANNING,
            created_by=user,
            updated_by=user,
        )
        enquiry.full_clean()
        enquiry.save()
        copies = [
            Risk(
                concern=concern,
                enquiry=enquiry,
                risk_type=risk.risk_type,
                subtype_id=risk.subtype_id,
                location=risk.location,
                source=risk.source,
                source_person_name=risk.source_person_name,
                source_relationship=risk.source_relationship,
                source_organisation_id=risk.source_organisation_id,
                place_postcode=risk.place_postcode,
                place_name=risk.place_name,
                details=risk.details,
            )
            for risk in concern.risks.filter(enquiry__isnull=True, is_withdrawn=False)
        ]
        Risk.objects.bulk_create(copies)
        Allocation.objects.create(
            enquiry=enquiry,
            team=enquiry.team,
            worker=enquiry.allocated_to,
            reason="Enquiry opened",
            allocated_by=user,
        )
        audit.record(
            actor=user,
            action="create",
            obj=enquiry,
            summary=f"Opened {enquiry.get_kind_display().lower()}",
        )
        try:
            link = enquiry.get_absolute_url()
        except NoReverseMatch:  # enquiry pages not installed
            link = concern.get_absolute_url()
        chronology.add(
            person=concern.person,
            kind=ChronologyEvent.Kind.ENQUIRY,
            summary=f"{enquiry.get_kind_display()} started",
            user=user,
            link=link,
            significant=True,
            happened_on=enquiry.started_on,
        )
    return enquiry


# The adult's voice ------------------------------------------------------------


def _case_parts(case: Concern | Enquiry) -> dict[str, Any]:
    if isinstance(case, Enquiry):
        return {"enquiry": case, "person": case.concern.person}
    return {"concern": case, "person": case.person}


def record_views(
    *,
    user,
    case: Concern | Enquiry,
    data: dict[str, Any],
    supersedes: PersonView | None = None,
    correction_reason: str = "",
) -> PersonView:
    """Append the adult's views. A correction supersedes an entry; nothing is edited."""
    if supersedes is not None:
        if not correction_reason.strip():
            raise ValidationError(
                {"correction_reason": "Enter why the earlier entry is being corrected"}
            )
        if PersonView.objects.filter(supersedes=supersedes).exists():
            raise ValidationError(
                "That entry has already been corrected. Correct the newest entry"
            )
    parts = _case_parts(case)
    with transaction.atomic():
        view = PersonView(
            **parts,
            **data,
            supersedes=supersedes,
            correction_reason=correction_reason,
            recorded_by=user,
        )
        view.given_on = view.given_on or timezone.localdate()
        view.full_clean()
        view.save()
        action = "Corrected" if supersedes else "Recorded"
        audit.record(
            actor=user,
            action="create",
            obj=view,
            summary=f"{action} the adult's views ({view.get_stage_display()})",
        )
        if view.was_obtained:
            summary = f"{action} views ({view.get_source_display().lower()}) at {view.get_stage_display().lower()} stage"
        else:
            summary = (
                f"Views could not be obtained at {view.get_stage_display().lower()} "
                f"stage: {view.get_not_obtained_reason_display().lower()}"
            )
        chronology.add(
            person=parts["person"],
            kind=ChronologyEvent.Kind.VIEWS,
            summary=summary,
            user=user,
            link=case.get_absolute_url() if isinstance(case, Concern) else "",
            happened_on=view.given_on,
        )
    return view


def add_desired_outcome(
    *, user, case: Concern | Enquiry, data: dict[str, Any]
) -> DesiredOutcome:
    parts = _case_parts(case)
    with transaction.atomic():
        outcome = DesiredOutcome(**parts, **data, recorded_by=user)
        outcome.full_clean()
        outcome.save()
        audit.record(
            actor=user,
            action="create",
            obj=outcome,
            summary="Recorded a desired outcome",
        )
        chronology.add(
            person=parts["person"],
            kind=ChronologyEvent.Kind.OUTCOMES,
            summary=f"Desired outcome: “{outcome.text[:200]}”",
            user=user,
        )
    return outcome


def revise_desired_outcome(
    *,
    user,
    outcome: DesiredOutcome,
    text: str,
    reason: str,
    stage: str,
    enquiry: Enquiry | None = None,
) -> DesiredOutcome:
    """A revision is a new outcome that ``revises`` the old one (history kept)."""
    errors = {}
    if outcome.status != DesiredOutcome.Status.ACTIVE:
        raise ValidationError("Only a current desired outcome can be revised")
    if not text.strip():
        errors["text"] = "Enter what they want to happen now, in their words"
    if not reason.strip():
        errors["reason"] = "Enter why the desired outcome changed"
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        locked = DesiredOutcome.objects.select_for_update().get(pk=outcome.pk)
        if locked.status != DesiredOutcome.Status.ACTIVE:
            raise ValidationError("Someone else has already revised or withdrawn it")
        locked.status = DesiredOutcome.Status.REVISED
        locked.save(update_fields=["status"])
        new = DesiredOutcome(
            person=locked.person,
            concern=locked.concern,
            enquiry=enquiry or locked.enquiry,
            stage=stage,
            text=text,
            category=locked.category,
            expressed_by=locked.expressed_by,
            revises=locked,
            revision_reason=reason,
            recorded_by=user,
        )
        new.full_clean()
        new.save()
        audit.record(
            actor=user,
            action="change",
            obj=new,
            summary="Revised a desired outcome",
            changes={"text": [locked.text, text], "reason": reason},
        )
        chronology.add(
            person=locked.person,
            kind=ChronologyEvent.Kind.OUTCOMES,
            summary=f"Desired outcome revised ({reason[:80]}): “{text[:120]}”",
            user=user,
        )
    return new


def withdraw_desired_outcome(
    *, user, outcome: DesiredOutcome, reason: str
) -> DesiredOutcome:
    if not reason.strip():
        raise ValidationError({"reason": "Enter why the desired outcome was withdrawn"})
    with transaction.atomic():
        locked = DesiredOutcome.objects.select_for_update().get(pk=outcome.pk)
        if locked.status != DesiredOutcome.Status.ACTIVE:
            raise ValidationError("Only a current desired outcome can be withdrawn")
        locked.status = DesiredOutcome.Status.WITHDRAWN
        locked.withdrawal_reason = reason
        locked.save(update_fields=["status", "withdrawal_reason"])
        audit.record(
            actor=user,
            action="status",
            obj=locked,
            summary="Withdrew a desired outcome",
            changes={"status": ["active", "withdrawn"], "reason": reason},
        )
        chronology.add(
            person=locked.person,
            kind=ChronologyEvent.Kind.OUTCOMES,
            summary=f"Desired outcome withdrawn: {reason[:150]}",
            user=user,
        )
    return locked


def record_asked_outcomes(
    *, user, enquiry: Enquiry, expected_version: int, answer: str, reason: str = ""
) -> Enquiry:
    """Whether the adult (or their representative) was asked what they wanted
    to happen (SAC SG4a part 1).

    The answer shown on the record (typed earlier, or "yes" derived from the
    desired outcomes recorded in their words) changes only with a reason:
    kept on the enquiry, in the audit line and in the chronology. On a closed
    enquiry only a team manager or safeguarding lead may answer, always with
    a reason.
    """
    require_write(user)
    reason = reason.strip()
    if answer not in codes.YesNoDontKnow.values:
        raise ValidationError(
            {
                "asked_desired_outcomes": (
                    "Select whether the adult was asked what they wanted to happen"
                )
            }
        )
    closed = enquiry.status == Enquiry.Status.CLOSED
    if closed:
        require_perm(
            user,
            "sign_off_closure",
            "The enquiry is closed: only a team manager or safeguarding lead "
            "can change this answer.",
        )
    shown, derived = asked_outcomes_shown(enquiry)
    changing = answer != shown and bool(shown or closed)
    # A stale page is refused as a conflict (save_changes) before anything else.
    if changing and not reason and expected_version == enquiry.version:
        raise ValidationError(
            {
                "reason": (
                    "Enter why you are changing the answer"
                    + (" shown from the desired outcomes" if derived else "")
                )
            }
        )
    labels = dict(codes.YesNoDontKnow.choices)
    with transaction.atomic():
        saved = save_changes(
            user=user,
            instance=enquiry,
            expected_version=expected_version,
            changes={
                "asked_desired_outcomes": answer,
                "asked_desired_outcomes_reason": (
                    reason if changing else enquiry.asked_desired_outcomes_reason
                ),
            },
            summary=(
                "Changed whether the adult was asked what they wanted to happen"
                if changing
                else "Recorded whether the adult was asked what they want to happen"
            ),
        )
        if changing:
            before = labels.get(shown, "Not recorded") + (
                " (from the desired outcomes)" if derived else ""
            )
            chronology.add(
                person=saved.concern.person,
                kind=ChronologyEvent.Kind.OUTCOMES,
                summary=(
                    "Changed whether the adult was asked what they wanted to "
                    f"happen: {before} to {labels[answer]}. Reason: {reason}"
                ),
                user=user,
                link=saved.get_absolute_url(),
                significant=closed,
            )
    return saved


def record_consent(
    *, user, case: Concern | Enquiry, data: dict[str, Any]
) -> ConsentDecision:
    parts = _case_parts(case)
    with transaction.atomic():
        consent = ConsentDecision(**parts, **data, recorded_by=user)
        consent.decided_on = consent.decided_on or timezone.localdate()
        consent.full_clean()
        consent.save()
        audit.record(
            actor=user,
            action="create",
            obj=consent,
            summary=f"Recorded consent: {consent}",
        )
        summary = f"Consent to {consent.get_question_display().lower()}: {consent.get_answer_display().lower()}"
        if consent.overridden:
            summary += " (override awaiting confirmation)"
        chronology.add(
            person=parts["person"],
            kind=ChronologyEvent.Kind.CONSENT,
            summary=summary,
            user=user,
            significant=consent.overridden,
            happened_on=consent.decided_on,
        )
        if consent.overridden:
            from enquiries.services.overrides import notify_override_awaiting

            notify_override_awaiting(user=user, consent=consent)
    return consent


def confirm_consent_override(*, user, consent: ConsentDecision) -> ConsentDecision:
    """A second person with case-work rights confirms an override of a refusal."""
    if not consent.overridden:
        raise ValidationError("There is no override to confirm")
    if consent.override_confirmed_by_id:
        raise ValidationError("This override has already been confirmed")
    if consent.recorded_by_id == user.pk:
        raise ValidationError(
            "A different person must confirm the override: you recorded it"
        )
    if not can_work_on_cases(user):
        raise ValidationError("Only a practitioner or manager can confirm an override")
    with transaction.atomic():
        locked = ConsentDecision.objects.select_for_update().get(pk=consent.pk)
        if locked.override_confirmed_by_id:
            raise ValidationError("This override has already been confirmed")
        if locked.override_disagreed_by_id:
            raise ValidationError(
                "Someone has already disagreed with this override: it does not stand"
            )
        locked.override_confirmed_by = user
        locked.override_confirmed_at = timezone.now()
        locked.save(update_fields=["override_confirmed_by", "override_confirmed_at"])
        audit.record(
            actor=user,
            action="status",
            obj=locked,
            summary="Confirmed the override of the adult's decision",
        )
        chronology.add(
            person=locked.person,
            kind=ChronologyEvent.Kind.CONSENT,
            summary=f"Override confirmed: {locked.get_question_display().lower()}",
            user=user,
            significant=True,
        )
        from enquiries.services.overrides import settle_override_notices

        settle_override_notices(locked)
    return locked


# Case notes and chronology ----------------------------------------------------


def add_case_note(
    *, user, person: Person, text: str, significant: bool = False
) -> CaseNote:
    with transaction.atomic():
        note = _create(
            user=user,
            obj=CaseNote(person=person, text=text, significant=significant),
            summary="Wrote a draft case note",
        )
    return note


def change_case_note(
    *, user, note: CaseNote, expected_version: int, changes: dict[str, Any]
) -> CaseNote:
    if note.is_final:
        raise ValidationError("A finalised case note cannot be changed")
    return save_changes(
        user=user,
        instance=note,
        expected_version=expected_version,
        changes=changes,
        summary="Changed a draft case note",
    )


def finalise_case_note(*, user, note: CaseNote, expected_version: int) -> CaseNote:
    if note.is_final:
        raise ValidationError("This case note is already final")
    with transaction.atomic():
        note = save_changes(
            user=user,
            instance=note,
            expected_version=expected_version,
            changes={"is_final": True, "finalised_at": timezone.now()},
            summary="Finalised a case note",
        )
        chronology.add(
            person=note.person,
            kind=ChronologyEvent.Kind.NOTE,
            summary=f"Case note: {note.text[:200]}",
            user=user,
            significant=note.significant,
        )
    return note


def mark_chronology_event(
    *, user, event: ChronologyEvent, significant: bool
) -> ChronologyEvent:
    with transaction.atomic():
        before = event.significant
        event.significant = significant
        event.save(update_fields=["significant"])
        audit.record(
            actor=user,
            action="change",
            obj=event,
            summary="Marked a chronology event "
            + ("significant" if significant else "not significant"),
            changes={"significant": [before, significant]},
        )
    return event
