"""Remove the files that case imports and exports leave behind.

Run every hour (cron or a scheduled worker job); safe to run at any time.
"""

from django.core.management.base import BaseCommand

from outcomes.tasks import clean_up_jobs


class Command(BaseCommand):
    help = (
        "Delete expired export files, checked uploads nobody confirmed, and the "
        "files of jobs whose background worker stopped (INTERCHANGE_JOB_HOURS)."
    )

    def handle(self, *args, **options):
        tidied = clean_up_jobs()
        self.stdout.write(f"{tidied} import or export job(s) tidied.")
