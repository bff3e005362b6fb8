"""``python manage.py interchange_schemas [--check]``: publish the JSON Schemas.

Writes one ``<record type>.schema.json`` per record type of the interchange
format to ``docs/interchange/schemas/`` from ``enquiries.interchange_schemas``
(which reads the code lists the import uses). ``--check`` changes nothing and
fails if a published file is out of date.
"""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from enquiries.interchange_schemas import (
    build_schemas,
    render,
    schema_folder,
    write_schemas,
)


class Command(BaseCommand):
    help = "Write the interchange JSON Schemas to docs/interchange/schemas/."

    def add_arguments(self, parser):
        parser.add_argument(
            "--check",
            action="store_true",
            help="Fail if a published schema differs from the code, write nothing",
        )

    def handle(self, *args, **options):
        if options["check"]:
            stale = [
                kind
                for kind, schema in build_schemas().items()
                if not (path := schema_folder() / f"{kind}.schema.json").is_file()
                or path.read_text(encoding="utf-8") != render(schema)
            ]
            if stale:
                raise CommandError(
                    "Out of date: " + ", ".join(stale) + " (run interchange_schemas)"
                )
            self.stdout.write("The published schemas are up to date.")
            return
        for path in write_schemas():
            self.stdout.write(f"Wrote {path}")
