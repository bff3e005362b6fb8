"""The enquiry's stages and the transitions allowed between them.

Status changes happen only through :func:`transition`, which checks the move
is allowed, that the stage being left has the adult's views recorded (or why
they could not be), and records who and when in the audit trail and the
chronology. Timescales never block a transition: the adult's pace matters.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable

from django.db import transaction
from django.utils import timezone

from enquiries import chronology
from enquiries.codes import RiskOutcome, Stage
from enquiries.models import ChronologyEvent, Enquiry
from enquiries.selectors.voice import stage_has_view
from enquiries.signals import enquiry_closed
from msp import audit
from msp.roles import has_role_perm

S = Enquiry.Status

ALLOWED: dict[str, set[str]] = {
    S.PLANNING: {S.IN_PROGRESS, S.CLOSURE_REQUESTED},
    S.IN_PROGRESS: {S.OUTCOME_RECORDED, S.CLOSURE_REQUESTED},
    S.OUTCOME_RECORDED: {S.PLAN_ACTIVE, S.CLOSURE_REQUESTED},
    S.PLAN_ACTIVE: {S.CLOSURE_REQUESTED},
    # A manager may send a closure request back to the stage it came from.
    S.CLOSURE_REQUESTED: {
        S.CLOSED,
        S.PLANNING,
        S.IN_PROGRESS,
        S.OUTCOME_RECORDED,
        S.PLAN_ACTIVE,
    },
    S.CLOSED: set(),
}

# The stage whose views must be recorded before leaving each status.
STAGE_OF_STATUS: dict[str, str] = {
    S.PLANNING: Stage.PLANNING,
    S.IN_PROGRESS: Stage.ENQUIRY,
    S.OUTCOME_RECORDED: Stage.OUTCOME,
    S.PLAN_ACTIVE: Stage.PLAN,
    S.CLOSURE_REQUESTED: Stage.CLOSURE,
}


class TransitionNotAllowed(Exception):
    """A status change that the workflow does not allow, with a clear reason."""


def check_transition(enquiry: Enquiry, to_status: str) -> None:
    if to_status not in ALLOWED.get(enquiry.status, set()):
        raise TransitionNotAllowed(
            f"An enquiry that is '{enquiry.get_status_display()}' cannot move to "
            f"'{S(to_status).label}'."
        )
    leaving_stage = STAGE_OF_STATUS.get(enquiry.status)
    going_back = enquiry.status == S.CLOSURE_REQUESTED and to_status != S.CLOSED
    if (
        leaving_stage
        and not going_back
        and not stage_has_view(stage=leaving_stage, enquiry=enquiry)
    ):
        raise TransitionNotAllowed(
            f"Record the adult's views for the {Stage(leaving_stage).label.lower()} "
            "stage, or why they could not be obtained, before moving on."
        )
    if to_status == S.OUTCOME_RECORDED:
        if not enquiry.risk_assessment_outcome:
            raise TransitionNotAllowed(
                "Record the outcome of the risk assessment before moving on."
            )
        if (
            enquiry.risk_assessment_outcome in RiskOutcome.risk_identified()
            and not enquiry.risk_result
        ):
            raise TransitionNotAllowed(
                "Record whether the risk remained, was reduced or was removed "
                "before moving on."
            )


def transition(
    *,
    user,
    enquiry: Enquiry,
    to_status: str,
    reason: str = "",
    fields: dict | Callable[[Enquiry], dict] | None = None,
    guard: Callable[[Enquiry], None] | None = None,
) -> Enquiry:
    """Move an enquiry to a new status, or raise :class:`TransitionNotAllowed`.

    ``fields`` are other values saved with the status change (who asked for
    closure, who signed it off…), in the same row lock and audit line; a
    callable gets the locked row. ``guard`` may refuse the move, judged on the
    locked row so two people acting at once cannot both get through.
    """
    with transaction.atomic():
        locked = Enquiry.objects.select_for_update().get(pk=enquiry.pk)
        check_transition(locked, to_status)
        if guard is not None:
            guard(locked)
        fields = (fields(locked) if callable(fields) else fields) or {}
        before = locked.status
        before_fields = audit.snapshot(locked, fields.keys()) if fields else {}
        locked.status = to_status
        for name, value in fields.items():
            setattr(locked, name, value)
        locked.version += 1
        locked.updated_by = user
        locked.save(
            update_fields=["status", "version", "updated_by", "updated_at", *fields]
        )
        summary = f"Enquiry moved from {S(before).label} to {S(to_status).label}"
        if reason:
            summary += f": {reason}"
        changes = {"status": [before, to_status], "reason": reason}
        if fields:
            changes.update(audit.diff(before_fields, audit.snapshot(locked, fields)))
        audit.record(
            actor=user,
            action="status",
            obj=locked,
            summary=summary,
            changes=changes,
        )
        chronology.add(
            person=locked.concern.person,
            kind=ChronologyEvent.Kind.ENQUIRY,
            summary=summary,
            user=user,
            link=locked.get_absolute_url(),
        )
    enquiry.status = locked.status
    enquiry.version = locked.version
    for name in fields:
        setattr(enquiry, name, getattr(locked, name))
    return locked


# Closure: a practitioner asks, a manager who is neither the requester nor the
# allocated worker signs off or sends it back to where it came from.

CLOSABLE_FROM = {S.PLANNING, S.IN_PROGRESS, S.OUTCOME_RECORDED, S.PLAN_ACTIVE}


def request_closure(*, user, enquiry: Enquiry) -> Enquiry:
    """Ask a manager to sign off closure, remembering the stage it came from."""

    def ready(locked: Enquiry) -> None:
        if locked.status not in CLOSABLE_FROM:
            raise TransitionNotAllowed(
                f"An enquiry that is '{locked.get_status_display()}' cannot be put "
                "forward for closure."
            )
        if not locked.closure_reason or not locked.adult_view_on_closure:
            raise TransitionNotAllowed(
                "Record the reason for closure and the adult's view on closure first."
            )
        if not stage_has_view(stage=Stage.CLOSURE, enquiry=locked):
            raise TransitionNotAllowed(
                "Record the adult's views at closure, or why they could not be "
                "obtained, before asking for sign-off."
            )

    if enquiry.status not in CLOSABLE_FROM:
        ready(enquiry)  # a clear message, not "cannot move to"
    return transition(
        user=user,
        enquiry=enquiry,
        to_status=S.CLOSURE_REQUESTED,
        guard=ready,
        fields=lambda locked: {
            "status_before_closure_request": locked.status,
            "closure_requested_by": user,
            "closure_requested_at": timezone.now(),
            "sent_back_reason": "",
        },
    )


def sign_off_problem(user, enquiry: Enquiry) -> str:
    """Why ``user`` may not sign off this enquiry's closure ("" if they may)."""
    if not has_role_perm(user, "sign_off_closure"):
        return "Only a team manager or safeguarding lead can sign off closure."
    if enquiry.closure_requested_by_id == user.pk:
        return "You asked for this enquiry to be closed, so another manager must sign it off."
    if enquiry.allocated_to_id == user.pk:
        return "You are the allocated worker, so another manager must sign it off."
    return ""


def _may_sign_off(user):
    def guard(locked: Enquiry) -> None:
        problem = sign_off_problem(user, locked)
        if problem:
            raise TransitionNotAllowed(problem)

    return guard


def sign_off_closure(
    *, user, enquiry: Enquiry, concluded_on: datetime.date | None = None
) -> Enquiry:
    """Close the enquiry, confirming the date it concluded.

    ``concluded_on`` is the manager's confirmed date; without it the date
    asked for with the closure request stands (or today). Raises
    ``ValidationError`` for an impossible date (in the future, before the
    enquiry started or the concern was received).
    """
    _may_sign_off(user)(enquiry)  # a clear refusal before anything is locked
    if concluded_on is not None:
        probe = Enquiry.objects.select_related("concern__person").get(pk=enquiry.pk)
        probe.concluded_on = concluded_on
        probe.clean()
    with transaction.atomic():
        closed = transition(
            user=user,
            enquiry=enquiry,
            to_status=S.CLOSED,
            reason="closure signed off",
            guard=_may_sign_off(user),
            fields=lambda locked: {
                "signed_off_by": user,
                "signed_off_at": timezone.now(),
                "concluded_on": concluded_on
                or locked.concluded_on
                or max(timezone.localdate(), locked.started_on),
            },
        )
        chronology.add(
            person=closed.concern.person,
            kind=ChronologyEvent.Kind.CLOSURE,
            summary=f"Closure signed off by {user}",
            user=user,
            link=closed.get_absolute_url(),
            significant=True,
            happened_on=closed.concluded_on,
        )
        # Other apps react once the closure is saved (outcomes asks for the
        # adult's feedback within 8 weeks).
        transaction.on_commit(
            lambda: enquiry_closed.send(sender=Enquiry, enquiry=closed, user=user)
        )
    return closed


def send_back_closure(*, user, enquiry: Enquiry, reason: str) -> Enquiry:
    """Return a closure request to the stage it came from, with the reason."""
    _may_sign_off(user)(enquiry)
    if not reason.strip():
        raise TransitionNotAllowed("Enter why the closure request is being sent back.")
    with transaction.atomic():
        locked = Enquiry.objects.select_for_update().get(pk=enquiry.pk)
        back_to = locked.status_before_closure_request or S.IN_PROGRESS
        return transition(
            user=user,
            enquiry=enquiry,
            to_status=back_to,
            reason=f"closure sent back: {reason.strip()}",
            guard=_may_sign_off(user),
            fields={
                "sent_back_reason": reason.strip(),
                "status_before_closure_request": "",
            },
        )
