"""Background tasks for case imports and exports, and their cleanup.

Each task claims its job by moving it from "queued" to a running status in
one UPDATE, so a task run twice does nothing the second time. Whatever
happens inside, the job ends with a status the page can show (a crash marks
it failed with a plain message; the details go to the log), and the
uploaded file is removed unless a checked file is waiting for its
uploader to confirm. ``clean_up_jobs`` (run by ``manage.py send_reminders``
or ``manage.py cleanup_jobs``) removes what is left behind: checked files
never confirmed, expired exports, and jobs whose worker died.
"""

from __future__ import annotations

import datetime
import json
import logging
import os
from collections.abc import Callable

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django_tasks import task

from enquiries.interchange import (
    ImportReport,
    export_cases,
    import_cases,
    private_upload_folder,
)
from enquiries.interchange_archive import ArchiveError, import_source, write_archive
from enquiries.models import (
    Concern,
    Document,
    Enquiry,
    Person,
    SafeguardingAdultsReview,
)
from outcomes import jobs
from outcomes.models import InterchangeJob

logger = logging.getLogger(__name__)

Status = InterchangeJob.Status

CRASHED = {
    InterchangeJob.Kind.IMPORT: (
        "The import stopped because of an unexpected error. Nothing was "
        "imported and the uploaded file has been removed. Try again; if it "
        "happens again, tell your system administrator the time it happened."
    ),
    InterchangeJob.Kind.EXPORT: (
        "The export stopped because of an unexpected error and no file was "
        "kept. Try again; if it happens again, tell your system administrator "
        "the time it happened."
    ),
}
ABANDONED = (
    "The job did not finish within {hours} hours (the background worker may "
    "have stopped). Its file has been removed; start again."
)
ERRORS_KEPT = 500  # problems kept on the job (the page shows them; the count is kept)
EXPORT_EVERY = 1000  # records between progress notes while exporting


def _claim(job_id: int, running: str) -> InterchangeJob | None:
    claimed = InterchangeJob.objects.filter(pk=job_id, status=Status.QUEUED).update(
        status=running, updated_at=timezone.now()
    )
    if not claimed:
        return None
    return InterchangeJob.objects.select_related("team", "created_by").get(pk=job_id)


def _progress_writer(job: InterchangeJob) -> Callable[[str, int, int | None], None]:
    """A progress callback: notes the figures beside the file (always) and on
    the job row (when not inside the import's transaction)."""
    target = jobs.progress_path(job)

    def note(stage: str, done: int, total: int | None) -> None:
        if stage == "checking":
            job.lines_read = done
        else:
            job.records_done = done
            job.records_total = total
        figures = {
            "lines": job.lines_read,
            "records": job.records_done,
            "total": job.records_total,
        }
        temporary = target.with_suffix(".tmp")
        try:
            temporary.write_text(json.dumps(figures))
            os.replace(temporary, target)
        except OSError:
            logger.warning("Could not note the progress of job %s", job.pk)
        if not transaction.get_connection().in_atomic_block:
            InterchangeJob.objects.filter(pk=job.pk).update(
                lines_read=job.lines_read,
                records_done=job.records_done,
                records_total=job.records_total,
                updated_at=timezone.now(),
            )

    return note


def _report_of(report) -> dict:
    return {
        "ok": report.ok,
        "errors": report.errors[:ERRORS_KEPT],
        "error_count": len(report.errors),
        "summary": report.summary_lines()[: ERRORS_KEPT + 1],
        "lines": report.lines,
        "records": dict(report.records),
        "created": dict(report.created),
        "updated": dict(report.updated),
        "unchanged": dict(report.unchanged),
    }


def _finish(job: InterchangeJob, status: str, **fields) -> None:
    job.status = status
    for name, value in fields.items():
        setattr(job, name, value)
    if status != Status.CHECKED_OK:
        job.finished_at = timezone.now()
    job.save()


def _run(job_id: int, running: str, body: Callable[[InterchangeJob], None]) -> str:
    job = _claim(job_id, running)
    if job is None:
        return "not queued"
    try:
        body(job)
    except Exception:
        logger.exception("%s job %s failed", job.get_kind_display(), job.pk)
        job.report = {**job.report, "ok": False}
        _finish(job, Status.FAILED, message=CRASHED[job.kind])
    finally:
        jobs.progress_path(job).unlink(missing_ok=True)
        keep = job.status == Status.CHECKED_OK or (
            job.kind == InterchangeJob.Kind.EXPORT and job.status == Status.DONE
        )
        if not keep:
            jobs.remove_file(job)
            InterchangeJob.objects.filter(pk=job.pk).update(stored_path="")
    return job.status


def _import_upload(job: InterchangeJob, **options) -> ImportReport:
    """Import (or check) the stored upload: a JSON Lines file, or a ZIP
    archive holding one and its documents' folder (version 2)."""
    try:
        with import_source(job.stored_path) as (path, documents):
            return import_cases(
                path,
                documents=documents,
                user=job.created_by,
                team_code=job.team.code if job.team else None,
                progress=_progress_writer(job),
                **options,
            )
    except ArchiveError as exc:
        return ImportReport(errors=[f"archive: {exc}"])


def _check(job: InterchangeJob) -> None:
    report = _import_upload(job, dry_run=True)
    _finish(
        job,
        Status.CHECKED_OK if report.ok else Status.CHECKED_ERRORS,
        report={**_report_of(report), "checked": True},
        lines_read=report.lines,
        records_total=report.records.total(),
    )


def _import(job: InterchangeJob) -> None:
    report = _import_upload(job, source_name=job.file_name)
    _finish(
        job,
        Status.DONE if report.ok else Status.FAILED,
        report={**_report_of(report), "checked": True, "imported": report.ok},
        lines_read=report.lines,
        records_done=sum(report.created.values()) + sum(report.updated.values()),
        message="" if report.ok else "The file could not be imported.",
    )


class _CountingStream:
    """Passes writes to a file, noting progress every so many records."""

    def __init__(self, out, note: Callable[[int], None]):
        self.out = out
        self.note = note
        self.written = 0

    def write(self, text: str) -> int:
        self.written += text.count("\n")
        if self.written % EXPORT_EVERY == 0:
            self.note(self.written)
        return self.out.write(text)


def _export(job: InterchangeJob) -> None:
    folder = private_upload_folder()
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    # With documents, one ZIP archive: the file and its documents' folder.
    archive = Document.objects.exists()
    path = folder / f"export-{job.reference}.{'zip' if archive else 'jsonl'}"
    job.stored_path = str(path)
    if archive:
        job.file_name = job.file_name.removesuffix(".jsonl") + ".zip"
    total = sum(
        model.objects.count()
        for model in (Person, Concern, Enquiry, SafeguardingAdultsReview)
    )
    InterchangeJob.objects.filter(pk=job.pk).update(
        stored_path=job.stored_path, records_total=total, file_name=job.file_name
    )
    note = _progress_writer(job)
    if archive:
        path.touch(mode=0o600)
        counts = write_archive(
            path,
            lambda stream, documents: export_cases(
                _CountingStream(stream, lambda n: note("export", n, total)),
                documents=documents,
            ),
            # Named as the download is, so it unpacks as cases.jsonl and
            # cases.jsonl.documents/ side by side.
            name=job.file_name.removesuffix(".zip") + ".jsonl",
        )
        os.chmod(path, 0o600)
    else:
        with path.open("w", encoding="utf-8") as out:
            os.chmod(path, 0o600)
            counts = export_cases(
                _CountingStream(out, lambda n: note("export", n, total))
            )
    done = sum(counts.values())
    hours = settings.INTERCHANGE_EXPORT_HOURS
    _finish(
        job,
        Status.DONE,
        records_done=done,
        records_total=done,
        report={"ok": True, "records": dict(counts)},
        expires_at=timezone.now() + datetime.timedelta(hours=hours),
    )


@task()
def check_import(job_id: int) -> str:
    """Check an uploaded file (a dry run of the whole import)."""
    return _run(job_id, Status.CHECKING, _check)


@task()
def run_import(job_id: int) -> str:
    """Import a checked file its uploader confirmed."""
    return _run(job_id, Status.IMPORTING, _import)


@task()
def run_export(job_id: int) -> str:
    """Write every case record to an interchange file in the private folder."""
    return _run(job_id, Status.EXPORTING, _export)


def clean_up_jobs(now: datetime.datetime | None = None) -> int:
    """Remove files left behind; returns how many jobs were tidied.

    - a checked file nobody confirmed within ``INTERCHANGE_JOB_HOURS``;
    - a job still queued or running after that long (its worker died): failed;
    - an export whose download time (``INTERCHANGE_EXPORT_HOURS``) is over.
    """
    now = now or timezone.now()
    stale = now - datetime.timedelta(hours=settings.INTERCHANGE_JOB_HOURS)
    tidied = 0
    for job in InterchangeJob.objects.filter(
        status__in=[*InterchangeJob.RUNNING, Status.CHECKED_OK], updated_at__lt=stale
    ):
        jobs.remove_file(job)
        message = (
            "The checked file was not imported in time and has been removed; "
            "upload it again."
            if job.status == Status.CHECKED_OK
            else ABANDONED.format(hours=settings.INTERCHANGE_JOB_HOURS)
        )
        _finish(job, Status.FAILED, message=message)
        tidied += 1
    for job in InterchangeJob.objects.filter(
        kind=InterchangeJob.Kind.EXPORT, expires_at__lte=now
    ).exclude(stored_path=""):
        jobs.remove_expired_export(job)
        tidied += 1
    _remove_orphans(now, stale)
    return tidied


def _remove_orphans(now: datetime.datetime, stale: datetime.datetime) -> None:
    """Files in the private folder that no job names (an upload whose job was
    never saved), once they are older than the job limit."""
    folder = private_upload_folder()
    if not folder.is_dir():
        return
    named = set(
        InterchangeJob.objects.exclude(stored_path="").values_list(
            "stored_path", flat=True
        )
    )
    cutoff = stale.timestamp()
    for path in folder.iterdir():
        try:
            old = path.stat().st_mtime < cutoff
        except OSError:
            continue
        if old and path.is_file() and str(path) not in named:
            path.unlink(missing_ok=True)


__all__ = [
    "check_import",
    "clean_up_jobs",
    "run_export",
    "run_import",
]
