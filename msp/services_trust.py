"""Writes for restricted records: breaking the glass and reviewing it."""

from __future__ import annotations

import datetime

from django.conf import settings
from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from enquiries.models import BreakGlassGrant, Person
from msp import access, audit, roles
from msp.models import AuditEvent

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
    if not access.can_break_glass(user, person):
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
        transaction.on_commit(lambda: _tell_leads(grant))
    return grant


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
            f"glass on a restricted record at {timezone.localtime(grant.granted_at):%H:%M on %d %B %Y}.\n\n"
            f"Review it in the access review queue: {reverse('access_reviews')}\n"
        ),
        from_email=settings.DEFAULT_FROM_EMAIL,
        recipient_list=recipients,
    )


def review_grant(
    *, reviewer, grant: BreakGlassGrant, verdict: str, notes: str
) -> BreakGlassGrant:
    """A safeguarding lead records whether opening the record was appropriate."""
    if not access.can_see_all_teams(reviewer):
        raise PermissionDenied("Only a safeguarding lead can review access.")
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
