"""Raise the date-driven reminders and send the daily e-mail digests.

Run once a day (cron or a scheduled worker job). Safe to run again: each
reminder has a key unique per recipient, and a digest goes at most once a
day per person.
"""

import datetime

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from msp.notification_mail import queue_digests
from msp.notifications import notify, reminder_sources


class Command(BaseCommand):
    help = (
        "Raise date-driven reminders (direct-payment reviews, DBS re-checks, "
        "feedback follow-ups…) and queue the daily e-mail digests. Safe to run twice."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--date",
            help="Run as if today were this date (YYYY-MM-DD); default today.",
        )
        parser.add_argument(
            "--no-digests",
            action="store_true",
            help="Raise reminders only; send no digest e-mails.",
        )

    def handle(self, *args, date=None, no_digests=False, **options):
        try:
            today = datetime.date.fromisoformat(date) if date else timezone.localdate()
        except ValueError as exc:
            raise CommandError("--date must be a date like 2025-03-31") from exc
        total = 0
        for name, source in sorted(reminder_sources().items()):
            created = 0
            for reminder in source(today):
                created += len(
                    notify(
                        reminder.recipients,
                        reminder.kind,
                        reminder.obj,
                        reminder.due_on,
                        reminder.key,
                    )
                )
            total += created
            self.stdout.write(f"{name}: {created} new notifications")
        digests = 0 if no_digests else queue_digests(today)
        self.stdout.write(f"{total} new notifications; {digests} daily digests queued.")
