"""Check past concerns against the pattern rules (after an import or a bulk
load, which bypass the services that check each concern as it is saved)."""

import datetime

from django.core.management.base import BaseCommand, CommandError

from enquiries.services import patterns


class Command(BaseCommand):
    help = (
        "Check concerns received since a day (default: within the longest rule's "
        "window) against the active pattern rules. Safe to run twice."
    )

    def add_arguments(self, parser):
        parser.add_argument("--since", help="First day received, as YYYY-MM-DD.")

    def handle(self, *args, since=None, **options):
        day = None
        if since:
            try:
                day = datetime.date.fromisoformat(since)
            except ValueError as exc:
                raise CommandError("Give --since as a date, like 2026-04-01") from exc
        checked = patterns.check_all(since=day)
        self.stdout.write(f"Checked {checked} concerns against the pattern rules.")
