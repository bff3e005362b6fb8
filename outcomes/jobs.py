"""Case imports and exports run as background tasks: who may, and the writes.

An administrator uploads an interchange file; it is kept in the private
upload folder and checked by a task (a dry run); once it has no problems the
uploader confirms and a second task imports it. An export writes the whole
interchange file to the private folder for download until it expires. The
tasks themselves, and the cleanup of files left behind, are in
``outcomes.tasks``.
"""

from __future__ import annotations

import contextlib
import datetime
import json
import logging
import os
import uuid
from pathlib import Path

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import QuerySet
from django.http import Http404
from django.utils import timezone

from enquiries.interchange import copy_upload, private_upload_folder
from msp import audit, roles
from msp.models import AuditEvent, Team, User
from outcomes.models import InterchangeJob

logger = logging.getLogger(__name__)

NOT_QUEUED = (
    "The job could not be started because the background task queue is not "
    "available. Nothing was changed; try again later."
)


def may_transfer_cases(user) -> bool:
    """Administrators import and export case records (nobody else)."""
    return user.is_authenticated and (
        user.is_staff or user.groups.filter(name=roles.ADMINISTRATOR).exists()
    )


def require_transfer(user) -> None:
    if not may_transfer_cases(user):
        raise PermissionDenied("Only administrators can import or export case records")


# --- Reads ------------------------------------------------------------------


def visible_jobs(user: User) -> QuerySet[InterchangeJob]:
    """The jobs ``user`` may see: their own (and none at all without the right)."""
    if not may_transfer_cases(user):
        return InterchangeJob.objects.none()
    return InterchangeJob.objects.filter(created_by=user)


def get_job_or_404(user: User, reference: uuid.UUID) -> InterchangeJob:
    job = visible_jobs(user).filter(reference=reference).first()
    if job is None:
        raise Http404("No such job")
    return job


def in_folder(path: str) -> Path | None:
    """``path`` if it is a file inside the private upload folder, else None."""
    if not path:
        return None
    candidate = Path(path)
    if private_upload_folder().resolve() not in candidate.resolve().parents:
        return None
    return candidate


def progress_path(job: InterchangeJob) -> Path:
    return private_upload_folder() / f"job-{job.reference}.progress.json"


def live_progress(job: InterchangeJob) -> dict:
    """Lines read, records so far, total and percentage of a job.

    While a task runs inside its import transaction its figures cannot be
    saved to the job row (they would be invisible, or rolled back by a dry
    run), so the task also writes them to a small file beside the upload.
    """
    figures = {
        "lines": job.lines_read,
        "records": job.records_done,
        "total": job.records_total,
    }
    if job.running:
        with contextlib.suppress(OSError, ValueError):
            figures.update(json.loads(progress_path(job).read_text()))
    total = figures.get("total")
    figures["percent"] = min(100, figures["records"] * 100 // total) if total else None
    return figures


# --- Writes -----------------------------------------------------------------


def _enqueue(the_task, job: InterchangeJob) -> None:
    """Queue the job's task; if the queue refuses, fail the job plainly
    (the page then says so) rather than answer the request with an error."""
    try:
        the_task.enqueue(job.pk)
    except Exception:
        logger.exception("Could not queue %s job %s", job.kind, job.pk)
        remove_file(job)
        InterchangeJob.objects.filter(pk=job.pk).update(
            status=InterchangeJob.Status.FAILED,
            stored_path="",
            message=NOT_QUEUED,
            finished_at=timezone.now(),
        )


def remove_file(job: InterchangeJob) -> None:
    """Delete the job's file (and progress note); the caller saves the job."""
    path = in_folder(job.stored_path)
    if path is not None:
        path.unlink(missing_ok=True)
    progress_path(job).unlink(missing_ok=True)
    job.stored_path = ""


def remove_expired_export(job: InterchangeJob) -> None:
    """Delete an export's file once its download time is over."""
    remove_file(job)
    job.save(update_fields=["stored_path", "updated_at"])


def start_import(*, user: User, upload, team: Team | None) -> InterchangeJob:
    """Keep the uploaded file privately and queue its check."""
    from outcomes.tasks import check_import

    require_transfer(user)
    path = copy_upload(upload)
    try:
        with transaction.atomic():
            job = InterchangeJob.objects.create(
                kind=InterchangeJob.Kind.IMPORT,
                created_by=user,
                file_name=os.path.basename(upload.name)[:255],
                stored_path=path,
                team=team,
            )
            audit.record(
                actor=user,
                action=AuditEvent.Action.CREATE,
                obj=job,
                summary=f"Uploaded {job.file_name} to import case records",
            )
            transaction.on_commit(lambda: _enqueue(check_import, job))
    except BaseException:
        Path(path).unlink(missing_ok=True)
        raise
    return job


def confirm_import(*, user: User, job: InterchangeJob) -> bool:
    """Queue the real import of a checked file. False if it is not ready."""
    from outcomes.tasks import run_import

    require_transfer(user)
    if job.created_by_id != user.pk:
        raise PermissionDenied("Only the person who uploaded the file can import it")
    if in_folder(job.stored_path) is None or not Path(job.stored_path).is_file():
        return False
    with transaction.atomic():
        claimed = InterchangeJob.objects.filter(
            pk=job.pk, status=InterchangeJob.Status.CHECKED_OK
        ).update(status=InterchangeJob.Status.QUEUED, updated_at=timezone.now())
        if not claimed:
            return False
        audit.record(
            actor=user,
            action=AuditEvent.Action.STATUS,
            obj=job,
            summary=f"Confirmed the import of {job.file_name}",
        )
        transaction.on_commit(lambda: _enqueue(run_import, job))
    return True


def start_export(*, user: User) -> InterchangeJob:
    """Queue an export of every case record to a file in the private folder."""
    from outcomes.tasks import run_export

    require_transfer(user)
    stamp = timezone.localtime().strftime("%Y-%m-%d-%H%M")
    with transaction.atomic():
        job = InterchangeJob.objects.create(
            kind=InterchangeJob.Kind.EXPORT,
            created_by=user,
            file_name=f"case-records-{stamp}.jsonl",
        )
        audit.record(
            actor=user,
            action=AuditEvent.Action.EXPORT,
            obj=job,
            summary="Started an export of every case record",
        )
        transaction.on_commit(lambda: _enqueue(run_export, job))
    return job


def export_expired(job: InterchangeJob, now: datetime.datetime | None = None) -> bool:
    now = now or timezone.now()
    return job.expires_at is None or job.expires_at <= now


def record_download(*, user: User, job: InterchangeJob) -> None:
    audit.record(
        actor=user,
        action=AuditEvent.Action.DOWNLOAD,
        obj=job,
        summary=f"Downloaded the export of every case record ({job.file_name})",
    )
