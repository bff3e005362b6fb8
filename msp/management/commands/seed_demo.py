"""Fill the database with a made-up caseload and one login per role."""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from msp.demo import DEMO_LOGINS, create_demo_staff


class Command(BaseCommand):
    help = (
        "Create demo logins (practitioner, manager, lead, auditor, admin) and a "
        "synthetic caseload. Demo mode only: refused in production."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--people",
            type=int,
            default=60,
            help="How many adults at risk to create (default 60).",
        )
        parser.add_argument("--seed", type=int, default=2024, help="Random seed.")

    def handle(self, *args, people: int, seed: int, **options):
        if not settings.DEMO_MODE:
            raise CommandError(
                "seed_demo only runs in demo mode (DEMO_MODE=true). It makes up "
                "people and logins, and must never run against a live database."
            )
        password = settings.DEMO_PASSWORD
        if len(password) < 12:
            raise CommandError("Set DEMO_PASSWORD (at least 12 characters).")
        if people < 0:
            raise CommandError("--people must be zero or more.")
        with transaction.atomic():
            staff = create_demo_staff(password)
        self.stdout.write(f"Teams: {', '.join(t.name for t in staff['teams'])}")
        self.stdout.write(self.style.SUCCESS(f"Demo logins (password: {password}):"))
        for username, role, *_ in DEMO_LOGINS:
            self.stdout.write(f"  {username:<13} {role}")
