"""``python manage.py export_cases [--output FILE]``: every record, interchange format."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from enquiries.interchange import export_cases


class Command(BaseCommand):
    help = (
        "Write every person, concern, enquiry and Safeguarding Adults Review as "
        "interchange JSON Lines (version 1) to standard output or --output."
    )

    def add_arguments(self, parser):
        parser.add_argument("--output", "-o", default=None, help="File to write")

    def handle(self, *args, **options):
        output = options["output"]
        if output is None:
            counts = export_cases(self.stdout)
        else:
            try:
                with open(output, "w", encoding="utf-8", newline="\n") as stream:
                    counts = export_cases(stream)
            except OSError as exc:
                raise CommandError(f"Cannot write {output}: {exc.strerror}") from exc
        summary = ", ".join(
            f"{kind} {counts[kind]}" for kind in ("person", "concern", "enquiry", "sar")
        )
        self.stderr.write(f"Exported: {summary}")
