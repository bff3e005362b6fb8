"""Fill, check, or bring up to date the dashboard's kept monthly figures
(outcomes.monthly_figures, decision 0038).

Reports fill them by themselves when first needed (a background task) and
again after the timescales change; this command fills them at once (the
demo and the benchmark data sets run it). ``--check`` counts every month
afresh and compares, row for row. ``--changes`` counts the months marked
since the last report, and the equality groups of the months counted again
since the last equality report (from cron, beside ``keep_sac_counts
--changes``, so a report's first view finds few).
"""

from django.core.management.base import BaseCommand, CommandError
from django.db.models import Max, Min

from enquiries.models import Enquiry
from outcomes import monthly_figures
from outcomes.keeping import FillReplaced


class Command(BaseCommand):
    help = (
        "Count the dashboard's figures per month, team and kind and keep them, "
        "or with --check compare the kept figures with a count afresh."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--check",
            action="store_true",
            help="Compare the kept figures of every month with a count afresh.",
        )
        parser.add_argument(
            "--changes",
            action="store_true",
            help="Count the months marked since the last report now.",
        )

    def handle(self, *args, check=False, changes=False, verbosity=1, **options):
        if check:
            return self._check()
        if changes and monthly_figures.KEEPER.fill_abandoned():
            # The last fill stopped without finishing (its process died, or
            # the task asked for never ran): the scheduled run fills again.
            self.stderr.write("The last fill stopped without finishing: filling again.")
        elif changes:
            done = monthly_figures.count_waiting_changes()
            if monthly_figures.is_filled():
                groups = monthly_figures.count_equality_again()
                self.stdout.write(
                    f"{done} months counted again; "
                    f"the equality groups of {groups} months."
                )
            else:
                self.stdout.write(f"Not filled: {done} waiting changes dropped.")
            return None
        report = self.stdout.write if verbosity > 1 else (lambda _: None)
        try:
            rows = monthly_figures.fill(report=report)
        except FillReplaced as replaced:
            raise CommandError(
                "Another fill started while this one ran: this one stopped "
                "and the other carries on."
            ) from replaced
        self.stdout.write(f"Monthly figures kept: {rows} rows counted.")

    def _check(self) -> None:
        if not monthly_figures.is_filled():
            raise CommandError(
                "The monthly figures are not filled: "
                "run manage.py keep_monthly_figures."
            )
        span = Enquiry.objects.filter(status=Enquiry.Status.CLOSED).aggregate(
            first=Min("concluded_on"), last=Max("concluded_on")
        )
        if span["first"] is None:
            self.stdout.write("No concluded enquiries: nothing to compare.")
            return
        start = span["first"].replace(day=1)
        end = monthly_figures.month_end(span["last"].replace(day=1))
        wrong = monthly_figures.differences(start, end)
        for month, team, kind, kept, afresh in wrong:
            self.stdout.write(
                f"{month:%B %Y}, team {team}, {kind}: kept {kept}, "
                f"counted afresh {afresh}"
            )
        if wrong:
            raise CommandError(
                f"{len(wrong)} months differ: run manage.py keep_monthly_figures "
                "to fill again."
            )
        self.stdout.write("The kept monthly figures agree with a count afresh.")
