"""``python manage.py import_cases FILE``: load cases in the interchange format."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from enquiries.interchange import import_cases
from enquiries.interchange_archive import ArchiveError, is_archive, opened_archive


class Command(BaseCommand):
    help = (
        "Import people, concerns, enquiries and Safeguarding Adults Reviews from "
        "an interchange file (JSON Lines, version 1 or 2). All or nothing: any "
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
            "--documents",
            default=None,
            help="Folder of the documents' files, named by sha256 (default: "
            "FILE.documents beside the file, when there is one)",
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
        arguments = {
            "stdout": self.stdout,
            "stderr": self.stderr,
            "team_code": options["team"],
            "dry_run": options["dry_run"],
            "source_name": Path(name).name if name != "-" else "standard input",
        }
        if name != "-" and is_archive(name):
            # A .zip from export_cases: its .jsonl file and documents folder.
            try:
                with opened_archive(source) as (jsonl, documents):
                    report = import_cases(jsonl, documents=documents, **arguments)
            except ArchiveError as exc:
                raise CommandError(f"{name}: {exc}") from exc
        else:
            report = import_cases(source, documents=options["documents"], **arguments)
        if not report.ok:
            raise CommandError(
                f"Import failed with {len(report.errors)} problem(s); nothing was changed."
            )
