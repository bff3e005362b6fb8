"""``python manage.py export_cases [--output FILE]``: every record, interchange format."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from enquiries.interchange import export_cases
from enquiries.interchange_archive import is_archive, write_archive
from msp.db_routing import reads_from_replica


class Command(BaseCommand):
    help = (
        "Write every person, concern, enquiry and Safeguarding Adults Review as "
        "interchange JSON Lines (version 2) to standard output or --output; "
        "documents' files go to the folder <output>.documents (or --documents), "
        "or, for an --output ending .zip, into that one archive."
    )

    def add_arguments(self, parser):
        parser.add_argument("--output", "-o", default=None, help="File to write")
        parser.add_argument(
            "--documents",
            default=None,
            help="Folder for the documents' files (default: <output>.documents; "
            "without it and without --output, documents are not exported)",
        )

    @reads_from_replica
    def handle(self, *args, **options):
        output = options["output"]
        documents = options["documents"]
        if output is None:
            counts = export_cases(self.stdout, documents=documents)
        elif is_archive(output):
            # One ZIP: the .jsonl file and its documents folder inside.
            try:
                counts = write_archive(output, export_cases)
            except OSError as exc:
                raise CommandError(f"Cannot write {output}: {exc.strerror}") from exc
        else:
            documents = documents or f"{output}.documents"
            try:
                with open(output, "w", encoding="utf-8", newline="\n") as stream:
                    counts = export_cases(stream, documents=documents)
            except OSError as exc:
                raise CommandError(f"Cannot write {output}: {exc.strerror}") from exc
        summary = ", ".join(
            f"{kind} {counts[kind]}"
            for kind in ("person", "concern", "enquiry", "sar", "document")
        )
        self.stderr.write(f"Exported: {summary}")
