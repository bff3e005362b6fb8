"""A consent override's second person: who is told, and disagreeing with it.

Confirming is ``enquiries.services.people.confirm_consent_override``. Here:
telling the managers who can confirm (:func:`notify_override_awaiting`), and the
other answer a second person may give, :func:`disagree_consent_override`:
the override does not stand and the adult's decision is respected
(docs/decisions/0023-override-disagreement-and-patterns.md).
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from enquiries import chronology
from enquiries.models import ChronologyEvent, ConsentDecision
from enquiries.selectors.overrides import shares_resting_on
from msp import audit
from msp.access import can_work_on_cases
from msp.models import Notification, NotificationKind
from msp.notifications import notify, team_managers


def _team_id(consent: ConsentDecision) -> int:
    if consent.enquiry_id:
        return consent.enquiry.team_id
    return consent.concern.team_id


def awaiting_key(consent: ConsentDecision) -> str:
    return f"consent_override:{consent.pk}"


def notify_override_awaiting(*, user, consent: ConsentDecision) -> None:
    """Tell the managers of the case's team (not the person who recorded it)
    that an override awaits a second person. Once per override."""
    if not consent.overridden:
        return
    managers = [m for m in team_managers([_team_id(consent)]) if m.pk != user.pk]
    if not managers:
        # No manager in the team: the safeguarding leads confirm.
        from enquiries.notices import leads

        managers = list(leads().exclude(pk=user.pk))
    notify(
        managers,
        NotificationKind.CONSENT_OVERRIDE,
        consent,
        consent.decided_on or timezone.localdate(),
        key=awaiting_key(consent),
    )


def settle_override_notices(consent: ConsentDecision) -> None:
    """The override was confirmed or not agreed: the other managers' notices
    about it are marked read (nothing is left for them to do)."""
    Notification.objects.filter(key=awaiting_key(consent), read_at__isnull=True).update(
        read_at=timezone.now()
    )


def disagree_consent_override(
    *, user, consent: ConsentDecision, reason: str
) -> ConsentDecision:
    """A second person does not agree with the override of the adult's decision.

    Recorded with the reason (required), audited and in the chronology; the
    override does not stand, so the adult's decision (their refusal, or the
    best-interests position for someone unable to consent) is what the
    record shows. The practitioner who recorded the override is told.
    """
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": "Enter why the override should not stand"})
    if not consent.overridden:
        raise ValidationError("There is no override to disagree with")
    if consent.recorded_by_id == user.pk:
        raise ValidationError(
            "A different person must review the override: you recorded it"
        )
    if not can_work_on_cases(user):
        raise ValidationError("Only a practitioner or manager can review an override")
    with transaction.atomic():
        locked = ConsentDecision.objects.select_for_update().get(pk=consent.pk)
        if locked.override_confirmed_by_id:
            raise ValidationError("This override has already been confirmed")
        if locked.override_disagreed_by_id:
            raise ValidationError("Someone has already disagreed with this override")
        locked.override_disagreed_by = user
        locked.override_disagreed_at = timezone.now()
        locked.override_disagreement_reason = reason
        locked.save(
            update_fields=[
                "override_disagreed_by",
                "override_disagreed_at",
                "override_disagreement_reason",
            ]
        )
        # Shares already made on its strength stay on record (what was sent
        # cannot be unsent); they are named so the practitioner goes back to
        # each agency.
        shared = list(shares_resting_on(locked))
        changes = {
            "override": ["awaiting confirmation", "not agreed"],
            "reason": reason,
        }
        if shared:
            changes["already_shared"] = [str(share.reference) for share in shared]
        audit.record(
            actor=user,
            action="status",
            obj=locked,
            summary="Did not agree with the override of the adult's decision",
            changes=changes,
        )
        summary = (
            "Override not agreed, the adult's decision stands: "
            f"{locked.get_question_display().lower()}"
        )
        if shared:
            agencies = ", ".join(sorted({str(s.organisation) for s in shared}))
            summary += f". Already shared with {agencies}: tell them"
        chronology.add(
            person=locked.person,
            kind=ChronologyEvent.Kind.CONSENT,
            summary=summary[:255],
            user=user,
            significant=True,
        )
        settle_override_notices(locked)
        notify(
            [locked.recorded_by] if locked.recorded_by_id != user.pk else [],
            NotificationKind.CONSENT_OVERRIDE_NOT_AGREED,
            locked,
            timezone.localdate(),
            key=f"consent_override_not_agreed:{locked.pk}",
        )
    return locked
