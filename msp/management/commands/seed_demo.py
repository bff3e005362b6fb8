"""Fill the database with a made-up caseload and one login per role."""

import importlib
import time

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction

from msp.demo import DEMO_LOGINS, create_demo_staff

# Hand-made demo records, one step per area, each reaching every page and
# state that area has. Each is ``function(*, staff, out) -> None``.
DEMO_STEPS = [
    "enquiries.demo.create_demo_caseload",
    "enquiries.public_demo.create_demo_submissions",
    "outcomes.demo.create_demo_outcomes",
    "outcomes.sar_demo.create_demo_sars",
    "budgets.demo.create_demo_budgets",
    "enquiries.trust_demo.create_demo_trust",
    "enquiries.adult_page_demo.create_demo_adult_page",
    "enquiries.patterns_demo.create_demo_patterns",
    "enquiries.documents_demo.create_demo_documents",
    "enquiries.letters_demo.create_demo_letters",
    "enquiries.pipot_demo.create_demo_pipot",
    "enquiries.organisational_demo.create_demo_organisational",
    # Last: reminders about the records above.
    "msp.notification_demo.create_demo_notifications",
]

# Printed again when the demo already exists: a fresh invitation to the demo
# adult's own page (each link works once). ``function(*, staff=None, out)``.
DEMO_REPRINTS = ["enquiries.adult_page_demo.print_demo_invitation"]


class Command(BaseCommand):
    help = (
        "Create demo logins (practitioner, manager, lead, auditor, admin) and a "
        "synthetic caseload. Demo mode only: refused in production. "
        "--people scales it (200,000 people is about 1,000,000 concerns)."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--people",
            type=int,
            default=300,
            help="Adults at risk in total (default 300). Beyond the hand-made "
            "demo caseload, people are bulk-generated with SAC proportions.",
        )
        parser.add_argument(
            "--years", type=int, default=3, help="Years of history for bulk records."
        )
        parser.add_argument("--seed", type=int, default=2024, help="Random seed.")
        parser.add_argument(
            "--bulk-only",
            action="store_true",
            help="Skip the hand-made records (benchmarks).",
        )

    def handle(
        self, *args, people: int, years: int, seed: int, bulk_only: bool, **options
    ):
        if not settings.DEMO_MODE:
            raise CommandError(
                "seed_demo only runs in demo mode (DEMO_MODE=true). It makes up "
                "people and logins, and must never run against a live database."
            )
        password = settings.DEMO_PASSWORD
        if len(password) < 12:
            raise CommandError("Set DEMO_PASSWORD (at least 12 characters).")
        if people < 0 or years < 1:
            raise CommandError("--people must be zero or more and --years at least 1.")
        from enquiries.models import Person

        if Person.objects.exists():
            self.stdout.write("People already exist: demo data not added again.")
            for dotted in DEMO_REPRINTS:
                module_name, function_name = dotted.rsplit(".", 1)
                getattr(importlib.import_module(module_name), function_name)(
                    staff=None, out=self.stdout
                )
            self._print_logins(password)
            return
        started = time.monotonic()
        with transaction.atomic():
            staff = create_demo_staff(password)
        if not bulk_only:
            for dotted in DEMO_STEPS:
                module_name, function_name = dotted.rsplit(".", 1)
                with transaction.atomic():
                    getattr(importlib.import_module(module_name), function_name)(
                        staff=staff, out=self.stdout
                    )
        remaining = people - Person.objects.count()
        if remaining > 0:
            from enquiries.bulk import create_bulk_caseload

            workers = [staff["practitioner"], staff["colleague"], staff["south_worker"]]
            counts = create_bulk_caseload(
                people=remaining,
                teams=staff["teams"],
                workers=workers,
                years=years,
                seed=seed,
                progress=lambda message: self.stderr.write(message),
            )
            self.stdout.write(
                "Bulk caseload: "
                + ", ".join(f"{count:,} {name}" for name, count in counts.items())
            )
            if connection.vendor == "postgresql":
                # Fresh statistics before the fills below read what was just
                # written: at 1,000,000 concerns the SAC fill took 317 s
                # without them and 153 s with them.
                with connection.cursor() as cursor:
                    cursor.execute("ANALYZE")
        # The SAC return's kept counts, as an installation fills them once
        # (decision 0037); from here every change keeps them.
        call_command("keep_sac_counts", stdout=self.stdout)
        # The dashboard's figure groups (decision 0038), filled now rather
        # than by the first report.
        call_command("keep_monthly_figures", stdout=self.stdout)
        self.stdout.write(f"Demo data ready in {time.monotonic() - started:.0f} s.")
        self._print_logins(password)

    def _print_logins(self, password: str) -> None:
        self.stdout.write(self.style.SUCCESS(f"Demo logins (password: {password}):"))
        for username, role, *_ in DEMO_LOGINS:
            self.stdout.write(f"  {username:<13} {role}")
