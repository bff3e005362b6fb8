"""Case imports and exports run as background jobs (issue 16 item 6, issue 17).

With the immediate task backend a queued task runs as soon as the
transaction that queued it commits; ``django_capture_on_commit_callbacks``
runs those callbacks inside the test's transaction.
"""

from __future__ import annotations

import datetime
import io
import json
import tempfile
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from enquiries import interchange
from enquiries.factories import ConcernFactory
from enquiries.models import Concern, Person
from msp import roles
from msp.factories import UserFactory
from msp.models import AuditEvent
from outcomes import jobs, tasks
from outcomes.models import InterchangeJob

GOOD = "\n".join(
    json.dumps(r)
    for r in (
        {"record": "person", "ref": "P1", "given_name": "A", "family_name": "B"},
        {"record": "concern", "ref": "C1", "person": "P1", "received_on": "2024-06-01"},
    )
)
BAD = GOOD + "\n" + json.dumps({"record": "concern", "ref": "C2", "person": "P9"})


@pytest.fixture(autouse=True)
def private_folder(tmp_path, monkeypatch):
    """Uploads and exports go to this test's own temporary folder."""
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    return tmp_path / "msp-imports"


@pytest.fixture
def run_tasks(django_capture_on_commit_callbacks):
    """Run the tasks queued inside the block (as a worker would, at once)."""
    return lambda: django_capture_on_commit_callbacks(execute=True)


def _upload(client, text, run_tasks=None, name="cases.jsonl"):
    def post():
        return client.post(
            reverse("outcomes:import_upload"),
            {"file": SimpleUploadedFile(name, text.encode("utf-8"))},
        )

    if run_tasks is None:
        response = post()
    else:
        with run_tasks():
            response = post()
    assert response.status_code == 302
    return response["Location"]


def _files(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir()) if folder.exists() else []


# --- Import ------------------------------------------------------------------


def test_upload_is_queued_and_its_page_refreshes_until_checked(
    client, administrator, run_tasks, private_folder
):
    client.force_login(administrator)
    url = _upload(client, GOOD)  # the check is queued, not run
    job = InterchangeJob.objects.get()
    assert job.status == InterchangeJob.Status.QUEUED
    assert job.created_by == administrator
    assert job.file_name == "cases.jsonl"
    assert Path(job.stored_path).is_file()
    html = client.get(url).content.decode()
    assert '<meta http-equiv="refresh" content="5">' in html
    assert 'role="status"' in html
    assert "Waiting to start" in html
    # The worker picks it up.
    with run_tasks():
        tasks.check_import.enqueue(job.pk)
    response = client.get(url)
    html = response.content.decode()
    assert "no-store" in response["Cache-Control"]
    assert 'http-equiv="refresh"' not in html
    assert "person: 1 to create" in html
    assert "Import the records" in html
    assert Person.objects.count() == 0


def test_a_running_job_shows_how_far_it_has_gone(client, administrator, run_tasks):
    client.force_login(administrator)
    url = _upload(client, GOOD)
    job = InterchangeJob.objects.get()
    InterchangeJob.objects.filter(pk=job.pk).update(
        status=InterchangeJob.Status.IMPORTING
    )
    job.refresh_from_db()
    # As the task notes it from inside the import's transaction.
    tasks._progress_writer(job)("checking", 20_000, None)
    tasks._progress_writer(job)("importing", 5_000, 20_000)
    html = client.get(url).content.decode()
    assert "Importing the records" in html
    assert "25% done: 20,000 lines read, 5,000 records processed of 20,000" in html
    assert '<meta http-equiv="refresh"' in html


def test_bad_file_reports_every_problem_imports_nothing_and_is_removed(
    client, administrator, run_tasks, private_folder
):
    client.force_login(administrator)
    url = _upload(client, BAD, run_tasks)
    job = InterchangeJob.objects.get()
    assert job.status == InterchangeJob.Status.CHECKED_ERRORS
    html = client.get(url).content.decode()
    assert "There is a problem with cases.jsonl" in html
    assert "line 3: received_on: is required" in html
    assert "line 3: person: no person with ref &#x27;P9&#x27;" in html
    assert "Import the records" not in html
    assert Person.objects.count() == 0
    assert job.stored_path == ""
    assert _files(private_folder) == []
    # Nothing left to confirm.
    confirm = reverse("outcomes:import_confirm", args=[job.reference])
    response = client.post(confirm, follow=True)
    assert "Upload the file again" in response.content.decode()
    assert Person.objects.count() == 0


def test_good_file_is_imported_once_confirmed_and_then_removed(
    client, administrator, run_tasks, private_folder
):
    client.force_login(administrator)
    url = _upload(client, GOOD, run_tasks)
    job = InterchangeJob.objects.get()
    assert job.status == InterchangeJob.Status.CHECKED_OK
    assert len(_files(private_folder)) == 1  # kept for the confirmation
    confirm = reverse("outcomes:import_confirm", args=[job.reference])
    with run_tasks():
        response = client.post(confirm)
    assert response["Location"] == url
    html = client.get(url).content.decode()
    assert "Import complete" in html
    assert "person: 1 created" in html
    assert Concern.objects.get().source_ref == "C1"
    job.refresh_from_db()
    assert job.status == InterchangeJob.Status.DONE
    assert job.finished_at is not None
    assert job.report["created"] == {"person": 1, "concern": 1}
    assert _files(private_folder) == []
    assert AuditEvent.objects.filter(summary__startswith="Imported case records from")


def test_a_crashing_check_fails_the_job_plainly_and_removes_the_file(
    client, administrator, run_tasks, private_folder, monkeypatch
):
    def crash(*args, **kwargs):
        raise RuntimeError("disk on fire at /secret/path")

    monkeypatch.setattr(tasks, "import_cases", crash)
    client.force_login(administrator)
    url = _upload(client, GOOD, run_tasks)
    response = client.get(url)
    assert response.status_code == 200
    html = response.content.decode()
    assert "The import failed" in html
    assert "unexpected error. Nothing was imported" in html
    assert "disk on fire" not in html and "Traceback" not in html
    assert 'http-equiv="refresh"' not in html
    assert InterchangeJob.objects.get().status == InterchangeJob.Status.FAILED
    assert _files(private_folder) == []


def test_a_crashing_import_after_confirming_fails_and_removes_the_file(
    client, administrator, run_tasks, private_folder, monkeypatch
):
    client.force_login(administrator)
    url = _upload(client, GOOD, run_tasks)
    job = InterchangeJob.objects.get()
    monkeypatch.setattr(
        tasks, "import_cases", lambda *a, **k: (_ for _ in ()).throw(OSError("x"))
    )
    with run_tasks():
        client.post(reverse("outcomes:import_confirm", args=[job.reference]))
    html = client.get(url).content.decode()
    assert "The import failed" in html
    assert Person.objects.count() == 0
    assert _files(private_folder) == []


def test_only_the_uploader_sees_or_confirms_the_job(
    client, administrator, run_tasks, practitioner
):
    client.force_login(administrator)
    url = _upload(client, GOOD, run_tasks)
    job = InterchangeJob.objects.get()
    other_admin = UserFactory(username="ada2", role=roles.ADMINISTRATOR)
    client.force_login(other_admin)
    assert client.get(url).status_code == 404
    confirm = reverse("outcomes:import_confirm", args=[job.reference])
    assert client.post(confirm).status_code == 404
    assert (
        "cases.jsonl"
        not in client.get(reverse("outcomes:import_upload")).content.decode()
    )
    client.force_login(practitioner)
    assert client.get(url).status_code == 403
    assert client.post(confirm).status_code == 403
    assert Person.objects.count() == 0


def test_import_cases_reports_progress(private_folder, monkeypatch, db):
    monkeypatch.setattr(interchange, "PROGRESS_EVERY", 1)
    calls = []
    report = interchange.import_cases(
        io.StringIO(GOOD), progress=lambda *args: calls.append(args)
    )
    assert report.ok
    assert ("checking", 1, None) in calls
    assert ("checking", 2, None) in calls
    assert ("importing", 1, 2) in calls
    assert calls[-1] == ("importing", 2, 2)


# --- Cleanup -------------------------------------------------------------------


def test_cleanup_removes_unconfirmed_and_abandoned_uploads(
    client, administrator, run_tasks, private_folder
):
    client.force_login(administrator)
    _upload(client, GOOD, run_tasks)  # checked, never confirmed
    _upload(client, GOOD)  # queued; its worker never came
    checked, queued = InterchangeJob.objects.order_by("pk")
    assert len(_files(private_folder)) == 2
    # Not yet old enough.
    assert tasks.clean_up_jobs() == 0
    later = timezone.now() + datetime.timedelta(hours=25)
    assert tasks.clean_up_jobs(now=later) == 2
    assert _files(private_folder) == []
    for job in (checked, queued):
        job.refresh_from_db()
        assert job.status == InterchangeJob.Status.FAILED
        assert job.stored_path == ""
    assert "upload it again" in checked.message
    assert "did not finish within 24 hours" in queued.message


def test_cleanup_command_runs(capsys, db):
    from django.core.management import call_command

    call_command("cleanup_jobs")
    assert "0 import or export job(s) tidied." in capsys.readouterr().out


# --- Export --------------------------------------------------------------------


def _export(client, run_tasks) -> InterchangeJob:
    with run_tasks():
        response = client.post(reverse("outcomes:export_start"))
    job = InterchangeJob.objects.get(kind=InterchangeJob.Kind.EXPORT)
    assert response["Location"] == reverse("outcomes:job_detail", args=[job.reference])
    return job


def test_export_produces_a_file_downloaded_with_audit_and_safe_headers(
    client, administrator, run_tasks, private_folder
):
    ConcernFactory.create_batch(2)
    client.force_login(administrator)
    assert client.get(reverse("outcomes:export_start")).status_code == 200
    job = _export(client, run_tasks)
    job.refresh_from_db()
    assert job.status == InterchangeJob.Status.DONE
    assert job.expires_at > timezone.now() + datetime.timedelta(hours=23)
    assert job.report["records"] == {"person": 2, "concern": 2}
    assert Path(job.stored_path).parent == private_folder
    html = client.get(reverse("outcomes:job_detail", args=[job.reference])).content
    assert b"Your export is ready" in html
    assert b"4 records" in html
    download = reverse("outcomes:export_download", args=[job.reference])
    before = AuditEvent.objects.filter(action=AuditEvent.Action.DOWNLOAD).count()
    response = client.get(download)
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment;")
    assert job.file_name in response["Content-Disposition"]
    assert "no-store" in response["Cache-Control"]
    lines = b"".join(response.streaming_content).decode().splitlines()
    expected = io.StringIO()
    interchange.export_cases(expected)
    assert lines == expected.getvalue().splitlines()
    assert len(lines) == 5  # the version 2 header, then the four records
    line = AuditEvent.objects.filter(action=AuditEvent.Action.DOWNLOAD).latest("pk")
    assert AuditEvent.objects.filter(action=AuditEvent.Action.DOWNLOAD).count() == (
        before + 1
    )
    assert line.actor == administrator
    assert line.object_ref == str(job.reference)


def test_expired_export_is_refused_clearly_and_deleted(
    client, administrator, run_tasks, private_folder
):
    client.force_login(administrator)
    job = _export(client, run_tasks)
    job.refresh_from_db()
    path = Path(job.stored_path)
    assert path.is_file()
    InterchangeJob.objects.filter(pk=job.pk).update(
        expires_at=timezone.now() - datetime.timedelta(minutes=1)
    )
    download = reverse("outcomes:export_download", args=[job.reference])
    response = client.get(download, follow=True)
    html = response.content.decode()
    assert "This export has expired and its file has been deleted" in html
    assert "Download case-records" not in html
    assert not path.exists()
    assert not AuditEvent.objects.filter(action=AuditEvent.Action.DOWNLOAD).exists()


def test_cleanup_deletes_exports_when_their_time_is_over(
    client, administrator, run_tasks, private_folder
):
    client.force_login(administrator)
    job = _export(client, run_tasks)
    job.refresh_from_db()
    assert tasks.clean_up_jobs() == 0
    assert Path(job.stored_path).is_file()
    later = timezone.now() + datetime.timedelta(hours=24, minutes=1)
    assert tasks.clean_up_jobs(now=later) == 1
    assert _files(private_folder) == []
    job.refresh_from_db()
    assert job.stored_path == ""


def test_another_administrator_cannot_download_an_export(
    client, administrator, run_tasks, auditor
):
    client.force_login(administrator)
    job = _export(client, run_tasks)
    download = reverse("outcomes:export_download", args=[job.reference])
    client.force_login(UserFactory(username="ada2", role=roles.ADMINISTRATOR))
    assert client.get(download).status_code == 404
    client.force_login(auditor)
    assert client.get(download).status_code == 403
    assert client.post(reverse("outcomes:export_start")).status_code == 403
    assert not AuditEvent.objects.filter(action=AuditEvent.Action.DOWNLOAD).exists()


def test_a_crashing_export_fails_plainly_and_keeps_no_file(
    client, administrator, run_tasks, private_folder, monkeypatch
):
    def crash(stream):
        stream.write('{"record": "person"}\n')
        raise RuntimeError("database went away")

    monkeypatch.setattr(tasks, "export_cases", crash)
    client.force_login(administrator)
    job = _export(client, run_tasks)
    response = client.get(reverse("outcomes:job_detail", args=[job.reference]))
    assert response.status_code == 200
    assert b"The export failed" in response.content
    assert b"database went away" not in response.content
    assert _files(private_folder) == []
    job.refresh_from_db()
    assert job.status == InterchangeJob.Status.FAILED


def test_jobs_are_listed_only_for_their_owner(administrator, db):
    job = InterchangeJob.objects.create(
        kind=InterchangeJob.Kind.EXPORT, created_by=administrator, file_name="x"
    )
    other = UserFactory(username="ada2", role=roles.ADMINISTRATOR)
    assert list(jobs.visible_jobs(administrator)) == [job]
    assert list(jobs.visible_jobs(other)) == []


def test_a_queue_that_refuses_the_task_fails_the_job_plainly(
    client, administrator, run_tasks, private_folder, monkeypatch
):
    class Refusing:
        def enqueue(self, *args):
            raise ConnectionError("queue table missing")

    monkeypatch.setattr(tasks, "check_import", Refusing())
    client.force_login(administrator)
    url = _upload(client, GOOD, run_tasks)
    response = client.get(url)
    assert response.status_code == 200
    assert b"background task queue is not available" in response.content
    assert InterchangeJob.objects.get().status == InterchangeJob.Status.FAILED
    assert _files(private_folder) == []


def test_the_private_folder_can_be_set(
    client, administrator, run_tasks, tmp_path, settings
):
    shared = tmp_path / "shared-volume"
    settings.INTERCHANGE_FOLDER = str(shared)
    client.force_login(administrator)
    _upload(client, GOOD, run_tasks)
    job = InterchangeJob.objects.get()
    assert Path(job.stored_path).parent == shared
    assert _files(shared) == [Path(job.stored_path).name]


def test_a_file_with_many_problems_keeps_the_first_and_counts_them_all(
    client, administrator, run_tasks
):
    many = "\n".join(
        json.dumps({"record": "person", "ref": f"P{n}"}) for n in range(600)
    )
    client.force_login(administrator)
    html = client.get(_upload(client, many, run_tasks)).content.decode()
    job = InterchangeJob.objects.get()
    assert job.report["error_count"] == 1200  # given and family name on each line
    assert len(job.report["errors"]) == 500
    assert "1200 problems found" in html
    assert "Showing the first 500 problems" in html


# --- Version 2: documents travel in one ZIP archive ------------------------


def test_an_export_with_documents_is_a_zip_that_imports_back(
    client, administrator, run_tasks, private_folder, tmp_path
):
    import hashlib
    import zipfile

    from django.core.management import call_command

    from enquiries.models import Document

    content = b"A GP letter.\n"
    sha = hashlib.sha256(content).hexdigest()
    source = tmp_path / "in.jsonl"
    letter = {
        "record": "document",
        "ref": "D1",
        "person": "P1",
        "concern": "C1",
        "title": "GP letter",
        "kind": "letter",
        "document_date": "2024-06-02",
        "provided_by": "GP",
        "sensitivity": "yes",
        "content_type": "text/plain",
        "size": len(content),
        "sha256": sha,
    }
    source.write_text(GOOD + "\n" + json.dumps(letter) + "\n", encoding="utf-8")
    (tmp_path / "in.jsonl.documents").mkdir()
    (tmp_path / "in.jsonl.documents" / sha).write_bytes(content)
    assert interchange.import_cases(source).ok
    client.force_login(administrator)
    job = _export(client, run_tasks)
    job.refresh_from_db()
    assert job.status == InterchangeJob.Status.DONE
    assert job.file_name.endswith(".zip") and job.stored_path.endswith(".zip")
    response = client.get(reverse("outcomes:export_download", args=[job.reference]))
    assert response["Content-Type"] == "application/zip"
    data = b"".join(response.streaming_content)
    name = job.file_name.removesuffix(".zip") + ".jsonl"
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        assert archive.read(f"{name}.documents/{sha}") == content
    # Into an empty database through the upload page: the document comes too.
    call_command("flush", interactive=False, verbosity=0)
    client.force_login(UserFactory(is_staff=True))
    with run_tasks():
        response = client.post(
            reverse("outcomes:import_upload"),
            {"file": SimpleUploadedFile("cases.zip", data)},
        )
    upload = InterchangeJob.objects.get(kind=InterchangeJob.Kind.IMPORT)
    assert upload.status == InterchangeJob.Status.CHECKED_OK, upload.report
    with run_tasks():
        client.post(reverse("outcomes:import_confirm", args=[upload.reference]))
    upload.refresh_from_db()
    assert upload.status == InterchangeJob.Status.DONE, upload.report
    document = Document.objects.get()
    assert document.title == "GP letter" and document.sha256 == sha


def test_a_zip_that_is_not_an_export_is_reported_and_imports_nothing(
    client, administrator, run_tasks
):
    import zipfile

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("a.jsonl", GOOD)
        archive.writestr("b.jsonl", GOOD)
    client.force_login(administrator)
    with run_tasks():
        client.post(
            reverse("outcomes:import_upload"),
            {"file": SimpleUploadedFile("cases.zip", buffer.getvalue())},
        )
    job = InterchangeJob.objects.get(kind=InterchangeJob.Kind.IMPORT)
    assert job.status == InterchangeJob.Status.CHECKED_ERRORS
    assert job.report["errors"] == [
        "archive: the archive must hold exactly one .jsonl file at its top"
    ]
    assert Person.objects.count() == 0
