"""Notifications raised by events inside concerns and enquiries (issue 19).

The services call these inside their transaction, after the change is
saved; :func:`msp.notifications.notify` is idempotent on its key, so an event
replayed raises nothing new. Registered subjects (which records a
notification may be about) are added in :class:`enquiries.apps.EnquiriesConfig`.
"""

from __future__ import annotations

import datetime

from django.contrib.auth import get_user_model
from django.db.models import QuerySet
from django.utils import timezone

from enquiries.models import (
    BreakGlassGrant,
    Concern,
    ConsentDecision,
    Enquiry,
    PublicSubmission,
)
from msp import access, roles
from msp.models import NotificationKind, User
from msp.notifications import (
    notify,
    register_reminder_source,
    register_subject,
    team_managers,
)


def _leads_only(user: User, grants: QuerySet) -> QuerySet:
    """Break-the-glass grants are reviewed by safeguarding leads alone."""
    return grants if access.can_see_all_teams(user) else grants.none()


def register() -> None:
    register_subject(Enquiry, url_name="enquiries:enquiry_detail")
    register_subject(Concern, url_name="enquiries:concern_detail")
    register_subject(PublicSubmission, url_name="enquiries:intake_detail")
    register_subject(
        ConsentDecision,
        url_name="enquiries:override_open",
        reference=lambda consent: str(consent.pk),
    )
    register_subject(
        BreakGlassGrant,
        url_name="access_review",
        reference=lambda grant: str(grant.pk),
        scope=_leads_only,
    )
    from enquiries import reminders

    register_reminder_source("enquiries.stages_overdue", reminders.stages_overdue)
    register_reminder_source("enquiries.plan_actions_due", reminders.plan_actions_due)
    register_reminder_source("enquiries.plan_reviews_due", reminders.plan_reviews_due)
    from enquiries.services.patterns import recheck_changed_rules

    register_reminder_source("enquiries.patterns_rechecked", recheck_changed_rules)


def leads() -> QuerySet[User]:
    return get_user_model().objects.filter(
        is_active=True, groups__name=roles.SAFEGUARDING_LEAD
    )


def _today() -> datetime.date:
    return timezone.localdate()


def enquiry_allocated(*, user, enquiry: Enquiry, allocation_id: int) -> None:
    """Tell the worker an enquiry was allocated or transferred to them (not
    when they took it themselves). One notification per allocation."""
    worker = enquiry.allocated_to
    if worker is None or worker.pk == user.pk:
        return
    notify(
        [worker],
        NotificationKind.ALLOCATED,
        enquiry,
        _today(),
        key=f"allocated:enquiry:{enquiry.pk}:{allocation_id}",
    )


def closure_requested(*, user, enquiry: Enquiry) -> None:
    """Tell the managers of the enquiry's team that closure awaits their
    sign-off (not the person who asked). One per request for closure."""
    managers = [m for m in team_managers([enquiry.team_id]) if m.pk != user.pk]
    asked = enquiry.closure_requested_at or timezone.now()
    notify(
        managers,
        NotificationKind.CLOSURE_SIGN_OFF,
        enquiry,
        _today(),
        key=f"closure_sign_off:{enquiry.pk}:{asked.isoformat()}",
    )


def glass_broken(*, user, grant: BreakGlassGrant) -> None:
    """Tell the safeguarding leads a restricted record was opened and the
    access awaits their review (not the lead who opened it)."""
    notify(
        leads().exclude(pk=user.pk),
        NotificationKind.BREAK_GLASS_REVIEW,
        grant,
        _today(),
        key=f"break_glass_review:{grant.pk}",
    )


def online_concern_arrived(submission: PublicSubmission) -> None:
    """An online concern no area rule routed to a team: the leads route it.
    (A routed one is in its team's intake queue already.)"""
    if submission.team_id is not None:
        return
    notify(
        leads(),
        NotificationKind.ONLINE_CONCERN_NOT_ROUTED,
        submission,
        _today(),
        key=f"online_concern_not_routed:{submission.pk}",
    )


def team_case_workers(team_id: int) -> QuerySet[User]:
    """Active members of a team who may work on its cases."""
    return (
        get_user_model()
        .objects.filter(
            is_active=True,
            teams=team_id,
            groups__permissions__codename="manage_cases",
        )
        .distinct()
    )


def online_concern_routed(*, user, submission: PublicSubmission) -> None:
    """Tell the case workers of the team an online concern was routed (or
    moved) to that it is in their intake queue (not the person who routed it).
    One per routing."""
    if submission.team_id is None:
        return
    notify(
        team_case_workers(submission.team_id).exclude(pk=user.pk),
        NotificationKind.ONLINE_CONCERN_ROUTED,
        submission,
        _today(),
        key=(
            f"online_concern_routed:{submission.pk}:{submission.team_id}:"
            f"{timezone.now().isoformat()}"
        ),
    )


def concern_allocated(*, user, concern: Concern, allocation_id: int) -> None:
    """Tell the worker a concern was allocated or transferred to them (not
    when they took it themselves). One notification per allocation."""
    worker = concern.allocated_to
    if worker is None or worker.pk == user.pk:
        return
    notify(
        [worker],
        NotificationKind.ALLOCATED,
        concern,
        _today(),
        key=f"allocated:concern:{concern.pk}:{allocation_id}",
    )
