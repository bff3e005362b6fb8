"""Writing personal budgets and direct payments.

Each function validates (``full_clean``) before saving, runs in one
transaction, and writes the audit line and the chronology entry in that
same transaction.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from budgets import schedule
from budgets.models import (
    ConcernLink,
    Condition,
    DirectPayment,
    DirectPaymentDocument,
    Ending,
    FamilyMemberException,
    PersonalAssistant,
    PersonalBudget,
    RecipientChange,
    Review,
    StatusChange,
)
from enquiries import chronology
from msp import audit
from msp.access import require_write
from msp.concurrency import save_changes

# Which status a direct payment may move to by a plain status change
# (ending has its own service: it needs a reason, notice and arrangements).
ALLOWED_STATUS_CHANGES = {
    DirectPayment.Status.ACTIVE: {
        DirectPayment.Status.SUSPENDED_INVESTIGATION,
        DirectPayment.Status.SUSPENDED,
    },
    DirectPayment.Status.SUSPENDED_INVESTIGATION: {
        DirectPayment.Status.ACTIVE,
        DirectPayment.Status.SUSPENDED,
    },
    DirectPayment.Status.SUSPENDED: {
        DirectPayment.Status.ACTIVE,
        DirectPayment.Status.SUSPENDED_INVESTIGATION,
    },
    DirectPayment.Status.ENDED: set(),
}


def _created(*, user, obj, summary: str, person, link: str) -> None:
    audit.record(actor=user, action="create", obj=obj, summary=summary)
    chronology.add(person=person, kind="budget", summary=summary, user=user, link=link)


def _stamp(obj, user) -> None:
    if getattr(user, "is_authenticated", False):
        obj.created_by = user
        obj.updated_by = user


def _save_new(*, user, obj, summary: str, person, link: str):
    """Validate and save a new record, with its audit line and a line in the
    adult's chronology, in one transaction."""
    _stamp(obj, user)
    obj.full_clean()
    with transaction.atomic():
        obj.save()
        _created(user=user, obj=obj, summary=summary, person=person, link=link)
    return obj


def create_budget(*, user, person, data: dict[str, Any]) -> PersonalBudget:
    budget = PersonalBudget(person=person, **data)
    return _save_new(
        user=user,
        obj=budget,
        summary=f"Personal budget recorded: £{budget.total_cost} total",
        person=person,
        link=budget.get_absolute_url(),
    )


def change_budget(
    *, user, budget: PersonalBudget, expected_version: int, changes: dict[str, Any]
) -> PersonalBudget:
    total = changes.get("total_cost", budget.total_cost)
    contribution = changes.get("adult_contribution", budget.adult_contribution)
    if total is not None and contribution is not None:
        changes = {**changes, "council_contribution": total - contribution}
    return save_changes(
        user=user,
        instance=budget,
        expected_version=expected_version,
        changes=changes,
        summary="Changed personal budget",
    )


def create_direct_payment(
    *, user, budget: PersonalBudget, data: dict[str, Any]
) -> DirectPayment:
    """A new payment with its statutory conditions and first review in place."""
    payment = DirectPayment(personal_budget=budget, person=budget.person, **data)
    _stamp(payment, user)
    payment.full_clean()
    with transaction.atomic():
        payment.save()
        first_review = schedule.next_review_due(
            first_payment_on=payment.first_payment_on
        )
        for kind in Condition.STATUTORY_KINDS:
            condition = Condition(
                direct_payment=payment,
                kind=kind,
                review_on=first_review,
                agreement=Condition.Agreement.NOT_ASKED,
            )
            _stamp(condition, user)
            condition.full_clean()
            condition.save()
        review = Review(
            direct_payment=payment,
            review_type=Review.Type.INITIAL,
            due_on=first_review,
        )
        _stamp(review, user)
        review.full_clean()
        review.save()
        StatusChange.objects.create(
            direct_payment=payment,
            from_status="",
            to_status=payment.status,
            reason="Direct payment set up",
            changed_by=user,
        )
        _created(
            user=user,
            obj=payment,
            summary=f"Direct payment set up: £{payment.amount} "
            f"{payment.get_frequency_display().lower()}",
            person=payment.person,
            link=payment.get_absolute_url(),
        )
    return payment


def change_direct_payment(
    *, user, payment: DirectPayment, expected_version: int, changes: dict[str, Any]
) -> DirectPayment:
    return save_changes(
        user=user,
        instance=payment,
        expected_version=expected_version,
        changes=changes,
        summary="Changed direct payment",
    )


RECIPIENT_FIELDS = (
    "legal_basis",
    "authority_basis",
    "recipient_name",
    "recipient_relationship",
    "recipient_relation",
)


def _recipient_summary(payment: DirectPayment) -> str:
    who = payment.recipient_display
    if payment.recipient_relationship:
        who = f"{who} ({payment.recipient_relationship})"
    if payment.authority_basis:
        who = f"{who}, {payment.get_authority_basis_display().lower()}"
    return who


def change_recipient(
    *,
    user,
    payment: DirectPayment,
    expected_version: int,
    changes: dict[str, Any],
    reason: str,
) -> DirectPayment:
    """Change who receives the payment and on what legal basis (s31/s32).

    Kept as a history line (before, after, who, why) on the payment as well
    as in the audit trail. Only the recipient fields may change here.
    """
    require_write(user)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": "Enter why the recipient or basis changed"})
    unknown = set(changes) - set(RECIPIENT_FIELDS)
    if unknown:
        raise ValueError(f"Not recipient fields: {sorted(unknown)}")
    if payment.is_ended:
        raise ValidationError("An ended payment cannot be changed")
    with transaction.atomic():
        before = DirectPayment.objects.get(pk=payment.pk)
        if all(getattr(before, name) == value for name, value in changes.items()):
            raise ValidationError(
                "Nothing has changed: change the recipient or the legal basis"
            )
        saved = save_changes(
            user=user,
            instance=payment,
            expected_version=expected_version,
            changes=changes,
            summary=f"Changed who receives the direct payment: {reason}",
        )
        saved = DirectPayment.objects.select_related("person").get(pk=saved.pk)
        RecipientChange.objects.create(
            direct_payment=saved,
            from_legal_basis=before.legal_basis,
            to_legal_basis=saved.legal_basis,
            from_recipient=_recipient_summary(before)[:300],
            to_recipient=_recipient_summary(saved)[:300],
            reason=reason,
            changed_by=user,
        )
        chronology.add(
            person=saved.person,
            kind="budget",
            summary=f"Direct payment recipient changed: {_recipient_summary(before)} "
            f"to {_recipient_summary(saved)}",
            user=user,
            link=saved.get_absolute_url(),
        )
    return saved


def change_status(
    *,
    user,
    payment: DirectPayment,
    to_status: str,
    reason: str,
    concern=None,
    expected_version: int | None = None,
) -> DirectPayment:
    """Move a payment to another status, recording who, when and why."""
    if not reason.strip():
        raise ValidationError({"reason": "Enter why the status is changing"})
    with transaction.atomic():
        current = DirectPayment.objects.select_for_update().get(pk=payment.pk)
        if expected_version is not None and current.version != expected_version:
            raise ValidationError(
                "Someone else changed this direct payment since you opened it. "
                "Check its status and try again"
            )
        if to_status not in ALLOWED_STATUS_CHANGES[current.status]:
            raise ValidationError(
                {
                    "to_status": f"A payment that is "
                    f"{current.get_status_display().lower()} cannot become "
                    f"{DirectPayment.Status(to_status).label.lower()}"
                }
            )
        from_status = current.status
        current.status = to_status
        current.version += 1
        current.updated_by = user
        current.save(update_fields=["status", "version", "updated_by", "updated_at"])
        StatusChange.objects.create(
            direct_payment=current,
            from_status=from_status,
            to_status=to_status,
            reason=reason,
            changed_by=user,
            concern=concern,
        )
        summary = f"Direct payment {current.get_status_display().lower()}: {reason}"
        audit.record(
            actor=user,
            action="status",
            obj=current,
            summary=summary,
            changes={"status": [from_status, to_status]},
        )
        chronology.add(
            person=current.person,
            kind="budget",
            summary=summary,
            user=user,
            link=current.get_absolute_url(),
            significant=True,
        )
    payment.status = current.status
    payment.version = current.version
    return current


def add_local_condition(
    *, user, payment: DirectPayment, data: dict[str, Any]
) -> Condition:
    condition = Condition(direct_payment=payment, kind=Condition.Kind.LOCAL, **data)
    return _save_new(
        user=user,
        obj=condition,
        summary=f"Condition added to direct payment: {condition.title}",
        person=payment.person,
        link=payment.get_absolute_url(),
    )


def record_condition_status(
    *,
    user,
    condition: Condition,
    expected_version: int,
    changes: dict[str, Any],
) -> Condition:
    """Mark a condition met, breached (which triggers a review) or removed."""
    status = changes.get("status")
    if status == Condition.Status.REMOVED and condition.is_statutory:
        raise ValidationError({"status": "A statutory condition cannot be removed"})
    if condition.status == Condition.Status.REMOVED:
        raise ValidationError({"status": "This condition has already been removed"})
    was_breached = condition.status == Condition.Status.BREACHED
    with transaction.atomic():
        saved = save_changes(
            user=user,
            instance=condition,
            expected_version=expected_version,
            changes=changes,
            summary=f"Condition {Condition.Status(status).label.lower()}: "
            f"{condition.title}",
        )
        payment = condition.direct_payment
        chronology.add(
            person=payment.person,
            kind="budget",
            summary=f"Condition {saved.get_status_display().lower()}: {saved.title}",
            user=user,
            link=payment.get_absolute_url(),
        )
        if status == Condition.Status.BREACHED and not was_breached:
            trigger_review(
                user=user,
                payment=payment,
                trigger=Review.Trigger.BREACH,
                condition=saved,
            )
    return saved


def add_family_exception(
    *, user, payment: DirectPayment, data: dict[str, Any]
) -> FamilyMemberException:
    exception = FamilyMemberException(
        direct_payment=payment, authorised_by=user, **data
    )
    return _save_new(
        user=user,
        obj=exception,
        summary="Regulation 3 exception: paying "
        f"{exception.family_member_name} ({exception.relationship}) is necessary",
        person=payment.person,
        link=payment.get_absolute_url(),
    )


def add_assistant(
    *, user, payment: DirectPayment, data: dict[str, Any]
) -> PersonalAssistant:
    assistant = PersonalAssistant(direct_payment=payment, **data)
    return _save_new(
        user=user,
        obj=assistant,
        summary=f"Personal assistant recorded: {assistant.name}",
        person=payment.person,
        link=payment.get_absolute_url(),
    )


def change_assistant(
    *,
    user,
    assistant: PersonalAssistant,
    expected_version: int,
    changes: dict[str, Any],
) -> PersonalAssistant:
    return save_changes(
        user=user,
        instance=assistant,
        expected_version=expected_version,
        changes=changes,
        summary=f"Changed personal assistant {assistant.name}",
    )


def trigger_review(
    *,
    user,
    payment: DirectPayment,
    trigger: str,
    concern=None,
    condition: Condition | None = None,
    today: datetime.date | None = None,
) -> Review:
    """A review due now; an open one for the same reason is not duplicated."""
    existing = payment.reviews.filter(
        completed_on__isnull=True,
        review_type=Review.Type.TRIGGERED,
        trigger=trigger,
        trigger_concern=concern,
        trigger_condition=condition,
    ).first()
    if existing:
        return existing
    review = Review(
        direct_payment=payment,
        review_type=Review.Type.TRIGGERED,
        trigger=trigger,
        trigger_concern=concern,
        trigger_condition=condition,
        due_on=today or datetime.date.today(),
    )
    _stamp(review, user)
    review.full_clean()
    with transaction.atomic():
        review.save()
        _created(
            user=user,
            obj=review,
            summary=f"Direct payment review triggered: {review.get_trigger_display()}",
            person=payment.person,
            link=payment.get_absolute_url(),
        )
    return review


def complete_review(
    *, user, review: Review, expected_version: int, changes: dict[str, Any]
) -> Review:
    """Record a review, then schedule the next one no more than 12 months on."""
    if not review.is_open:
        raise ValidationError("This review has already been recorded")
    with transaction.atomic():
        saved = save_changes(
            user=user,
            instance=review,
            expected_version=expected_version,
            changes={**changes, "completed_by": user},
            summary="Direct payment review recorded",
        )
        payment = DirectPayment.objects.get(pk=saved.direct_payment_id)
        chronology.add(
            person=payment.person,
            kind="budget",
            summary=f"Direct payment review: {saved.get_outcome_display()}",
            user=user,
            link=payment.get_absolute_url(),
        )
        if saved.outcome == Review.Outcome.SUSPEND and payment.status in (
            DirectPayment.Status.ACTIVE,
            DirectPayment.Status.SUSPENDED_INVESTIGATION,
        ):
            change_status(
                user=user,
                payment=payment,
                to_status=DirectPayment.Status.SUSPENDED,
                reason=f"Review outcome: {saved.findings[:200]}",
            )
        if not payment.is_ended and saved.outcome != Review.Outcome.END:
            _reschedule(user=user, payment=payment, last_review_on=saved.completed_on)
    return saved


def _reschedule(*, user, payment: DirectPayment, last_review_on) -> None:
    due = schedule.next_review_due(
        first_payment_on=payment.first_payment_on, last_review_on=last_review_on
    )
    scheduled = payment.reviews.filter(
        completed_on__isnull=True,
        review_type__in=[Review.Type.INITIAL, Review.Type.ANNUAL],
    )
    if scheduled.exists():
        # A triggered review counts as a review: the next scheduled one is
        # then due no more than 12 months after it.
        scheduled.update(due_on=due, review_type=Review.Type.ANNUAL)
        return
    review = Review(direct_payment=payment, review_type=Review.Type.ANNUAL, due_on=due)
    _stamp(review, user)
    review.full_clean()
    review.save()


def link_concern(
    *,
    user,
    payment: DirectPayment,
    concern,
    role: str,
    notes: str = "",
    matched_automatically: bool = False,
) -> ConcernLink:
    """Link a payment to a concern; any role but "context" triggers a review."""
    link = ConcernLink(
        direct_payment=payment,
        concern=concern,
        role=role,
        notes=notes,
        matched_automatically=matched_automatically,
    )
    _stamp(link, user)
    link.full_clean()
    with transaction.atomic():
        link.save()
        _created(
            user=user,
            obj=link,
            summary=f"Direct payment linked to a safeguarding concern: "
            f"{link.get_role_display().lower()}",
            person=payment.person,
            link=payment.get_absolute_url(),
        )
        if link.triggers_review:
            trigger_review(
                user=user,
                payment=payment,
                trigger=Review.Trigger.SAFEGUARDING,
                concern=concern,
            )
    return link


def link_payments_to_source(*, user, risk) -> list[ConcernLink]:
    """Link the adult's running payments whose recipient or personal assistant
    is the person a concern names as its alleged source of harm.

    Matched on the relationship record (``Risk.source_relation``), never on a
    name. Each link is made as "Link a safeguarding concern" would make it,
    so a review of the payment is triggered. A payment already linked in that
    role (and not withdrawn) is left as it is.
    """
    require_write(user)
    relation = risk.source_relation
    if relation is None:
        return []
    concern = risk.concern
    payments = DirectPayment.objects.filter(person_id=concern.person_id).exclude(
        status=DirectPayment.Status.ENDED
    )
    wanted: list[tuple[DirectPayment, str, str]] = []
    for payment in payments.filter(recipient_relation=relation):
        wanted.append(
            (
                payment,
                ConcernLink.Role.NOMINEE_SOURCE,
                f"Matched automatically: {relation.name} receives this payment",
            )
        )
    assistants = PersonalAssistant.objects.filter(
        direct_payment__in=payments, person_relation=relation
    ).select_related("direct_payment")
    for assistant in assistants:
        wanted.append(
            (
                assistant.direct_payment,
                ConcernLink.Role.PA_SOURCE,
                f"Matched automatically: {relation.name} is a personal assistant "
                "paid by this payment",
            )
        )
    made = []
    with transaction.atomic():
        for payment, role, notes in wanted:
            if payment.concern_links.filter(
                concern=concern, role=role, withdrawn_at__isnull=True
            ).exists():
                continue
            made.append(
                link_concern(
                    user=user,
                    payment=payment,
                    concern=concern,
                    role=role,
                    notes=notes,
                    matched_automatically=True,
                )
            )
    return made


def link_source_of_concern(sender, *, risk, user, **kwargs) -> None:
    """Receiver of ``enquiries.signals.concern_source_recorded`` (connected in
    ``BudgetsConfig.ready()``)."""
    link_payments_to_source(user=user, risk=risk)


def withdraw_link(*, user, link: ConcernLink, reason: str) -> ConcernLink:
    """Undo a wrong link (a wrong match, usually) with a reason; kept, not deleted.

    A review the link triggered stays due: it is recorded as any other review.
    """
    require_write(user)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": "Enter why this link is wrong"})
    with transaction.atomic():
        link = ConcernLink.objects.select_for_update().get(pk=link.pk)
        if link.is_withdrawn:
            raise ValidationError("This link has already been withdrawn")
        link.withdrawn_at = timezone.now()
        link.withdrawn_by = user
        link.withdrawn_reason = reason
        link.updated_by = user
        link.version += 1
        link.save(
            update_fields=[
                "withdrawn_at",
                "withdrawn_by",
                "withdrawn_reason",
                "updated_by",
                "updated_at",
                "version",
            ]
        )
        summary = (
            "Direct payment link to a safeguarding concern withdrawn "
            f"({link.get_role_display().lower()}): {reason}"
        )
        audit.record(actor=user, action="change", obj=link, summary=summary)
        payment = link.direct_payment
        chronology.add(
            person=payment.person,
            kind="budget",
            summary=summary,
            user=user,
            link=payment.get_absolute_url(),
        )
    return link


def suspend_pending_investigation(
    *, user, payment: DirectPayment, concern, reason: str
) -> DirectPayment:
    """One action from the enquiry: stop payments while the concern is looked into."""
    with transaction.atomic():
        if not payment.concern_links.filter(
            concern=concern, withdrawn_at__isnull=True
        ).exists():
            link_concern(
                user=user,
                payment=payment,
                concern=concern,
                role=ConcernLink.Role.CONTEXT,
                notes="Linked when payments were suspended pending investigation",
            )
        return change_status(
            user=user,
            payment=payment,
            to_status=DirectPayment.Status.SUSPENDED_INVESTIGATION,
            reason=reason,
            concern=concern,
        )


def end_direct_payment(*, user, payment: DirectPayment, data: dict[str, Any]) -> Ending:
    if payment.is_ended:
        raise ValidationError("This direct payment has already ended")
    ending = Ending(direct_payment=payment, **data)
    _stamp(ending, user)
    ending.full_clean()
    with transaction.atomic():
        ending.save()
        audit.record(
            actor=user,
            action="create",
            obj=ending,
            summary=f"Direct payment ending: {ending.get_reason_display()}",
        )
        _end_status(user=user, payment=payment, ending=ending)
    return ending


def _end_status(*, user, payment: DirectPayment, ending: Ending) -> None:
    with transaction.atomic():
        current = DirectPayment.objects.select_for_update().get(pk=payment.pk)
        from_status = current.status
        current.status = DirectPayment.Status.ENDED
        current.version += 1
        current.updated_by = user
        current.save(update_fields=["status", "version", "updated_by", "updated_at"])
        StatusChange.objects.create(
            direct_payment=current,
            from_status=from_status,
            to_status=current.status,
            reason=f"{ending.get_reason_display()}: {ending.reason_details}",
            changed_by=user,
        )
        summary = f"Direct payment ended: {ending.get_reason_display()}"
        audit.record(
            actor=user,
            action="status",
            obj=current,
            summary=summary,
            changes={"status": [from_status, current.status]},
        )
        chronology.add(
            person=current.person,
            kind="budget",
            summary=summary,
            user=user,
            link=current.get_absolute_url(),
            significant=True,
        )
    payment.status = current.status
    payment.version = current.version


def link_document(*, user, direct_payment: DirectPayment, document) -> None:
    """Hold ``document`` (already stored for the adult) with the direct payment.
    Called by the documents service inside its transaction."""
    require_write(user)
    DirectPaymentDocument.objects.create(
        direct_payment=direct_payment, document=document
    )
    audit.record(
        actor=user,
        action="change",
        obj=direct_payment,
        summary=f"Added a document to the direct payment: {document.title}"[:255],
        changes={"document": str(document.reference)},
    )
