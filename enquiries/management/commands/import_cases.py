"""``python manage.py import_cases FILE``: load cases in the interchange format."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from enquiries.interchange import import_cases


class Command(BaseCommand):
    help = (
        "Import people, concerns, enquiries and Safeguarding Adults Reviews from "
        "an interchange file (JSON Lines, version 1). All or nothing: any "
        "invalid line and nothing changes."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="Path to the .jsonl file ('-' for stdin)")
        parser.add_argument(
            "--team",
            dest="team",
            default=None,
            help="Code of the team new records belong to (default: the first "
            "active team, or a new 'Imported records' team if there is none)",
        )
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="Check the file and report what would change, then change nothing",
        )

    def handle(self, *args, **options):
        name = options["file"]
        if name == "-":
            import sys

            source = sys.stdin.buffer
        else:
            path = Path(name)
            if not path.is_file():
                raise CommandError(f"No such file: {name}")
            source = path
        report = import_cases(
            source,
            stdout=self.stdout,
            stderr=self.stderr,
            team_code=options["team"],
            dry_run=options["dry_run"],
            source_name=Path(name).name if name != "-" else "standard input",
        )
        if not report.ok:
            raise CommandError(
                f"Import failed with {len(report.errors)} problem(s); nothing was changed."
            )
