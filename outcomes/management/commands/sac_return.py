"""``python manage.py sac_return --year 2024-25 [--output FILE]``: the SAC return as CSV."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from msp.db_routing import reads_from_replica
from outcomes import sac_spec
from outcomes.sac import compute_sac_return


class Command(BaseCommand):
    help = (
        "Write the Safeguarding Adults Collection return for a financial year as "
        "long CSV (table,category,subcategory,value), every cell including zeros."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--year", required=True, help="Financial year, written like 2024-25"
        )
        parser.add_argument("--output", "-o", default=None, help="File to write")

    @reads_from_replica
    def handle(self, *args, **options):
        try:
            cells = compute_sac_return(options["year"])
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
        output = options["output"]
        if output is None:
            sac_spec.write_long_csv(cells, self.stdout)
            return
        try:
            with open(output, "w", encoding="utf-8", newline="") as stream:
                sac_spec.write_long_csv(cells, stream)
        except OSError as exc:
            raise CommandError(f"Cannot write {output}: {exc.strerror}") from exc
