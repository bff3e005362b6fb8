"""Recompute the figures the reports keep for each closed enquiry.

The figures are kept up to date as records change (outcomes.figures); run
this after an upgrade that changes how a figure is worked out or the bank
holidays a timescale skips, or after loading records by hand past the
application. Safe to run at any time: each batch is one short transaction.
"""

from django.core.management.base import BaseCommand

from outcomes.figures import refresh_all


class Command(BaseCommand):
    help = (
        "Recompute the per-enquiry figures (views per stage, advocacy, feedback, "
        "working days per step) that the dashboard and exceptions count."
    )

    def handle(self, *args, **options):
        counted = refresh_all()
        self.stdout.write(f"Figures counted again for {counted} closed enquiries.")
