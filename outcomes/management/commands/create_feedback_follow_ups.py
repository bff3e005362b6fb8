"""Create feedback follow-ups for closed enquiries that have neither feedback
nor a follow-up yet. Safe to run as often as you like (e.g. nightly)."""

from django.core.management.base import BaseCommand

from outcomes.services import create_missing_follow_ups


class Command(BaseCommand):
    help = (
        "Create a feedback follow-up (due 8 weeks after closure) for every closed "
        "enquiry without feedback. Idempotent."
    )

    def handle(self, *args, **options):
        created = create_missing_follow_ups()
        self.stdout.write(f"Feedback follow-ups created: {created}")
