"""Who holds a case before there is an enquiry: routing an online concern to
a team, and allocating a concern to a worker.

Both are for team managers and safeguarding leads (the ``allocate_work``
right, checked here as well as in the view). Each write runs in one
transaction with its audit line; the team or worker is told through a
notification (enquiries.notices). An enquiry's own allocation is
``enquiries.services.enquiry.allocate_enquiry``: a concern's allocation uses
the same history (:class:`~enquiries.models.Allocation`) and form.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction

from enquiries import chronology, notices
from enquiries.models import Allocation, ChronologyEvent, Concern, PublicSubmission
from enquiries.services.intake import AlreadyHandled
from msp import audit
from msp.access import require_write
from msp.concurrency import save_changes
from msp.models import Team
from msp.permissions import require_perm

ALLOCATE_REFUSAL = (
    "Only team managers and safeguarding leads route online concerns and "
    "allocate concerns."
)


def can_allocate(user) -> bool:
    from msp.roles import has_role_perm

    return has_role_perm(user, "allocate_work")


def _check_right(user) -> None:
    require_write(user)
    require_perm(user, "allocate_work", ALLOCATE_REFUSAL)


def route_submission(
    *, user, submission: PublicSubmission, team: Team, reason: str = ""
) -> PublicSubmission:
    """Send a new online concern to ``team``'s intake queue.

    An unrouted one needs only the team; moving one from another team needs a
    reason. The team's case workers are told.
    """
    _check_right(user)
    reason = reason.strip()
    with transaction.atomic():
        locked = PublicSubmission.objects.select_for_update().get(pk=submission.pk)
        if locked.status != PublicSubmission.Status.NEW:
            raise AlreadyHandled(locked)
        errors = {}
        if not team.is_active:
            errors["team"] = "Select a team that is still in use"
        elif locked.team_id == team.pk:
            errors["team"] = f"This online concern is already with {team}"
        if locked.team_id is not None and not reason:
            errors["reason"] = "Enter why the online concern is moving to another team"
        if errors:
            raise ValidationError(errors)
        before = audit.snapshot(locked, ["team_id"])
        previous = locked.team
        locked.team = team
        locked.save(update_fields=["team"])
        audit.record(
            actor=user,
            action="change",
            obj=locked,
            summary=(
                f"Online concern routed to {team}"
                if previous is None
                else f"Online concern moved from {previous} to {team}"
            )
            + (f": {reason}" if reason else ""),
            changes=audit.diff(before, audit.snapshot(locked, ["team_id"])),
        )
        notices.online_concern_routed(user=user, submission=locked)
    submission.team = team
    return locked


def allocate_concern(
    *,
    user,
    concern: Concern,
    expected_version: int | None,
    team: Team,
    worker,
    reason: str = "",
) -> Concern:
    """Allocate a concern to a worker, or move it to another team (which needs
    a reason). The allocation is kept in the same history as an enquiry's."""
    _check_right(user)
    if concern.status == Concern.Status.CLOSED:
        raise ValidationError("This concern is closed, so it cannot be allocated.")
    reason = reason.strip()
    errors = {}
    moving = team.pk != concern.team_id
    if moving and not reason:
        errors["reason"] = "Enter why the concern is moving to another team"
    if worker is not None and not worker.teams.filter(pk=team.pk).exists():
        errors["worker"] = f"Select someone who works in {team}"
    if errors:
        raise ValidationError(errors)
    summary = (f"Concern transferred to {team}" if moving else "Concern allocated") + (
        f" ({worker})" if worker else " (not yet allocated to a worker)"
    )
    with transaction.atomic():
        saved = save_changes(
            user=user,
            instance=concern,
            expected_version=expected_version,
            changes={"team": team, "allocated_to": worker},
            summary=summary,
        )
        allocation = Allocation.objects.create(
            concern=saved,
            team=team,
            worker=worker,
            reason=reason,
            allocated_by=user,
        )
        chronology.add(
            person=saved.person,
            kind=ChronologyEvent.Kind.CONCERN,
            summary=summary,
            user=user,
            link=saved.get_absolute_url(),
        )
        notices.concern_allocated(user=user, concern=saved, allocation_id=allocation.pk)
    return saved
