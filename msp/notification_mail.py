"""E-mails about notifications, sent through the task queue.

An e-mail never says what a notification is about: no name, reference,
kind of record or date, only how many are waiting and a link to the
notifications page (the reader signs in to see the rest). Each
notification is e-mailed at most once (``Notification.emailed_at``); a
daily digest goes at most once a day (``ReminderDigest``). The row is
locked while its e-mail is sent, so two workers never send it twice; a
failed send rolls back and is retried after a growing wait.
"""

from __future__ import annotations

import datetime
import logging

from django.conf import settings
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef
from django.urls import reverse
from django.utils import timezone
from django_tasks import task

from msp.models import Notification, ReminderDigest, User

logger = logging.getLogger(__name__)

MAIL_ATTEMPTS = 5
MAIL_RETRY_MINUTES = (1, 5, 15, 60)


def notifications_url() -> str:
    return f"{settings.SITE_URL.rstrip('/')}{reverse('notifications')}"


def _send(user: User, count: int) -> None:
    waiting = "1 notification" if count == 1 else f"{count} notifications"
    send_mail(
        subject=f"{settings.SERVICE_NAME}: you have {waiting}",
        message=(
            f"You have {waiting} in {settings.SERVICE_NAME}.\n\n"
            f"Sign in to see them: {notifications_url()}\n\n"
            "For safety this e-mail does not say what they are about.\n"
            "Change how often you get these e-mails on the notifications page.\n"
        ),
        from_email=settings.DEFAULT_FROM_EMAIL,
        recipient_list=[user.email],
    )


def _retry(the_task, attempt: int, *args) -> bool:
    """Queue ``the_task`` again after a growing wait, or fail it for good."""
    backend = the_task.get_backend()
    if attempt >= MAIL_ATTEMPTS or not backend.supports_defer:
        raise
    wait = MAIL_RETRY_MINUTES[min(attempt, len(MAIL_RETRY_MINUTES)) - 1]
    the_task.using(run_after=timezone.now() + datetime.timedelta(minutes=wait)).enqueue(
        *args, attempt + 1
    )
    return False


def send_one(notification_id: int) -> bool:
    """E-mail one notification to its recipient, once. True if sent now."""
    from msp.notifications import visible_notifications

    with transaction.atomic():
        notification = (
            Notification.objects.select_for_update()
            .select_related("recipient")
            .filter(pk=notification_id, emailed_at__isnull=True, read_at__isnull=True)
            .first()
        )
        if notification is None:
            return False
        user = notification.recipient
        if (
            not user.email
            or user.reminder_email != User.ReminderEmail.IMMEDIATE
            or not visible_notifications(user).filter(pk=notification.pk).exists()
        ):
            return False
        _send(user, 1)
        notification.emailed_at = timezone.now()
        notification.save(update_fields=["emailed_at"])
    return True


@task()
def email_notification(notification_id: int, attempt: int = 1) -> bool:
    """Send the immediate e-mail for one notification (retried on failure)."""
    try:
        return send_one(notification_id)
    except Exception:
        logger.exception(
            "Could not e-mail notification %d (try %d)", notification_id, attempt
        )
        return _retry(email_notification, attempt, notification_id)


def send_digest(user_id: int, day: datetime.date) -> int:
    """One e-mail counting ``user``'s new notifications, at most once a day.

    Counts unread notifications not yet e-mailed whose record the user may
    still see, marks them e-mailed, and records the digest, all in one
    transaction: a failed send leaves nothing marked. Returns how many the
    e-mail counted (0: nothing sent).
    """
    from msp.notifications import visible_notifications

    user = User.objects.filter(pk=user_id, is_active=True).first()
    if user is None or not user.email:
        return 0
    if user.reminder_email != User.ReminderEmail.DAILY:
        return 0
    with transaction.atomic():
        pending = list(
            visible_notifications(user)
            .filter(emailed_at__isnull=True, read_at__isnull=True)
            .select_for_update(of=("self",))
            .values_list("pk", flat=True)
        )
        if not pending:
            return 0
        try:
            with transaction.atomic():
                ReminderDigest.objects.create(
                    recipient=user, day=day, notifications=len(pending)
                )
        except IntegrityError:
            return 0  # Today's digest has gone already.
        _send(user, len(pending))
        Notification.objects.filter(pk__in=pending).update(emailed_at=timezone.now())
    return len(pending)


@task()
def email_digest(user_id: int, day: str, attempt: int = 1) -> int:
    """Send ``user``'s daily digest for ``day`` (ISO date), retried on failure."""
    try:
        return send_digest(user_id, datetime.date.fromisoformat(day))
    except Exception:
        logger.exception(
            "Could not send the digest to user %d (try %d)", user_id, attempt
        )
        _retry(email_digest, attempt, user_id, day)
        return 0


def queue_digests(day: datetime.date) -> int:
    """Queue a digest for everyone who wants one and has something new."""
    new = Notification.objects.filter(
        recipient=OuterRef("pk"), emailed_at__isnull=True, read_at__isnull=True
    )
    waiting = (
        User.objects.filter(
            Exists(new), is_active=True, reminder_email=User.ReminderEmail.DAILY
        )
        .exclude(email="")
        .exclude(reminder_digests__day=day)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    users = list(waiting)
    for pk in users:
        email_digest.enqueue(pk, day.isoformat())
    return len(users)
