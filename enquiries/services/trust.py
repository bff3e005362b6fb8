"""Writes for restricted records: breaking the glass and reviewing it."""

from __future__ import annotations

import datetime
import logging

from django.conf import settings
from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django_tasks import task

from enquiries import notices
from enquiries.models import BreakGlassGrant, Person
from enquiries.selectors.trust import can_break_glass
from msp import access, audit, roles
from msp.dates import format_day, format_time
from msp.models import AuditEvent
from msp.permissions import require_perm

logger = logging.getLogger(__name__)

# Telling the leads by email: tries, and the wait before each retry (queued
# backend only; the embedded one runs the task once, in the request).
LEADS_EMAIL_ATTEMPTS = 5
LEADS_EMAIL_RETRY_MINUTES = (1, 5, 15, 60)

APPROPRIATE = "appropriate"
INAPPROPRIATE = "inappropriate"
REVIEW_VERDICTS = {
    APPROPRIATE: "Appropriate",
    INAPPROPRIATE: "Flagged as inappropriate",
}


def break_glass(*, user, person: Person, reason: str) -> BreakGlassGrant:
    """Give ``user`` time-limited access to a restricted adult, with a reason.

    The safeguarding leads are told by email (after the grant is saved) and
    the grant waits in their review queue.
    """
    if not can_break_glass(user, person):
        raise PermissionDenied("You cannot open this record.")
    reason = reason.strip()
    if len(reason) < 10:
        raise ValidationError({"reason": "Explain why you need to open this record"})
    with transaction.atomic():
        grant = BreakGlassGrant(
            person=person,
            user=user,
            reason=reason,
            expires_at=timezone.now()
            + datetime.timedelta(hours=settings.BREAK_GLASS_HOURS),
        )
        grant.full_clean()
        grant.save()
        access.forget_cached_access(user)
        audit.record(
            actor=user,
            action=AuditEvent.Action.BREAK_GLASS,
            obj=person,
            summary=f"Broke the glass for {settings.BREAK_GLASS_HOURS} hours",
            changes={"reason": reason, "expires_at": grant.expires_at.isoformat()},
        )
        # Through the task queue: a mail server that is down or slow never
        # turns a saved grant into an error page.
        transaction.on_commit(lambda: tell_leads_of_broken_glass.enqueue(grant.pk))
        notices.glass_broken(user=user, grant=grant)
    return grant


@task()
def tell_leads_of_broken_glass(grant_id: int, attempt: int = 1) -> bool:
    """Email the safeguarding leads that the glass was broken, retrying.

    A failed send is queued again after a growing wait, up to
    ``LEADS_EMAIL_ATTEMPTS`` tries; the last failure fails the task (seen in
    admin under task results). The grant waits in the leads' review queue
    whether or not the email arrives.
    """
    grant = BreakGlassGrant.objects.select_related("user").filter(pk=grant_id).first()
    if grant is None:
        return False
    try:
        _tell_leads(grant)
    except Exception:
        logger.exception(
            "Could not email the leads about broken glass (try %d)", attempt
        )
        queued = tell_leads_of_broken_glass.get_backend()
        if attempt >= LEADS_EMAIL_ATTEMPTS or not queued.supports_defer:
            raise
        wait = LEADS_EMAIL_RETRY_MINUTES[
            min(attempt, len(LEADS_EMAIL_RETRY_MINUTES)) - 1
        ]
        tell_leads_of_broken_glass.using(
            run_after=timezone.now() + datetime.timedelta(minutes=wait)
        ).enqueue(grant_id, attempt + 1)
        return False
    return True


def _tell_leads(grant: BreakGlassGrant) -> None:
    leads = Group.objects.get(name=roles.SAFEGUARDING_LEAD).user_set.filter(
        is_active=True
    )
    recipients = [lead.email for lead in leads if lead.email]
    if not recipients:
        return
    # No names or case details in email: the reviewer signs in to see them.
    send_mail(
        subject="A restricted record was opened: review needed",
        message=(
            f"{grant.user.get_full_name() or grant.user.get_username()} broke the "
            f"glass on a restricted record at {format_time(grant.granted_at)} on {format_day(grant.granted_at)}.\n\n"
            f"Review it in the access review queue: {reverse('access_reviews')}\n"
        ),
        from_email=settings.DEFAULT_FROM_EMAIL,
        recipient_list=recipients,
    )


def review_grant(
    *, reviewer, grant: BreakGlassGrant, verdict: str, notes: str
) -> BreakGlassGrant:
    """A safeguarding lead records whether opening the record was appropriate."""
    require_perm(
        reviewer, "view_all_cases", "Only a safeguarding lead can review access."
    )
    if verdict not in REVIEW_VERDICTS:
        raise ValidationError({"verdict": "Select whether the access was appropriate"})
    notes = notes.strip()
    if verdict == INAPPROPRIATE and not notes:
        raise ValidationError({"notes": "Enter why the access was inappropriate"})
    with transaction.atomic():
        locked = BreakGlassGrant.objects.select_for_update().get(pk=grant.pk)
        if locked.reviewed_at is not None:
            raise ValidationError("This access has already been reviewed")
        locked.reviewed_by = reviewer
        locked.reviewed_at = timezone.now()
        locked.review_outcome = f"{REVIEW_VERDICTS[verdict]}: {notes}"[:255].rstrip(
            ": "
        )
        locked.full_clean()
        locked.save()
        audit.record(
            actor=reviewer,
            action=AuditEvent.Action.CHANGE,
            obj=locked.person,
            summary=f"Reviewed broken glass by {locked.user}: {REVIEW_VERDICTS[verdict]}",
            changes={"verdict": verdict, "notes": notes},
        )
    return locked
