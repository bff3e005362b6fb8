"""Fill, or check, the SAC return's kept counts (outcomes.sac_counts).

Until the counts are filled, the SAC page and its downloads count each year
afresh; once filled, they read the kept counts, which every change to a
case record keeps up to date. Run it once after installing (the demo and the
benchmark data sets run it), after an upgrade whose notes say the return's
rules changed, and after loading records by hand past the application.
``--check`` counts every year afresh and compares, cell for cell.
``--changes`` counts the changes marked since the last report (run it from
cron every few minutes, so a report's first view finds few); while the
counts are not filled it drops the marks, which the fill makes needless.
"""

from django.core.management.base import BaseCommand, CommandError

from outcomes import sac, sac_counts
from outcomes.keeping import FillReplaced


class Command(BaseCommand):
    help = (
        "Count every person's part of the SAC return (tables SG1 to SG4) and keep "
        "it, or with --check compare the kept counts with a count afresh."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--check",
            action="store_true",
            help="Compare the kept counts of every year with a count afresh.",
        )
        parser.add_argument(
            "--changes",
            action="store_true",
            help="Count the changes marked since the last report now.",
        )

    def handle(self, *args, check=False, changes=False, verbosity=1, **options):
        if check:
            return self._check()
        if changes and sac_counts.KEEPER.fill_abandoned():
            # The last fill stopped without finishing (its process died, or
            # the task asked for never ran): the scheduled run fills again.
            self.stderr.write("The last fill stopped without finishing: filling again.")
        elif changes:
            done = sac_counts.count_waiting_changes()
            if sac_counts.is_filled():
                self.stdout.write(f"{done} people counted again.")
            else:
                self.stdout.write(f"Not filled: {done} waiting changes dropped.")
            return None
        report = self.stdout.write if verbosity > 1 else (lambda _: None)
        try:
            people = sac_counts.fill(report=report)
        except FillReplaced as replaced:
            raise CommandError(
                "Another fill started while this one ran: this one stopped "
                "and the other carries on."
            ) from replaced
        self.stdout.write(f"SAC counts kept: {people} people counted.")

    def _check(self) -> None:
        if not sac_counts.is_filled():
            raise CommandError(
                "The SAC counts are not filled: run manage.py keep_sac_counts."
            )
        wrong = 0
        for year in sac.years_with_data():
            for (table, row, column), kept, afresh in sac_counts.differences(year):
                wrong += 1
                self.stdout.write(
                    f"{year} {table} {row} / {column or '-'}: kept {kept}, "
                    f"counted afresh {afresh}"
                )
        if wrong:
            raise CommandError(
                f"{wrong} cells differ: run manage.py keep_sac_counts to fill again."
            )
        self.stdout.write("The kept SAC counts agree with a count afresh.")
