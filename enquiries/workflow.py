"""The enquiry's stages and the transitions allowed between them.

Status changes happen only through :func:`transition`, which checks the move
is allowed, that the stage being left has the adult's views recorded (or why
they could not be), and records who and when in the audit trail and the
chronology. Timescales never block a transition: the adult's pace matters.
"""

from __future__ import annotations

from django.db import transaction

from enquiries import chronology
from enquiries.codes import Stage
from enquiries.models import ChronologyEvent, Enquiry
from enquiries.selectors import stage_has_view
from msp import audit

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


def transition(*, user, enquiry: Enquiry, to_status: str, reason: str = "") -> Enquiry:
    """Move an enquiry to a new status, or raise :class:`TransitionNotAllowed`."""
    with transaction.atomic():
        locked = Enquiry.objects.select_for_update().get(pk=enquiry.pk)
        check_transition(locked, to_status)
        before = locked.status
        locked.status = to_status
        locked.version += 1
        locked.updated_by = user
        locked.save(update_fields=["status", "version", "updated_by", "updated_at"])
        summary = f"Enquiry moved from {S(before).label} to {S(to_status).label}"
        if reason:
            summary += f": {reason}"
        audit.record(
            actor=user,
            action="status",
            obj=locked,
            summary=summary,
            changes={"status": [before, to_status], "reason": reason},
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
    return locked
