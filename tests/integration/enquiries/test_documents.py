"""Documents held with a case: upload checks, scoped and audited downloads,
withdrawal (never deletion), the chronology and the subject access pack."""

import datetime
import hashlib
import io
import zipfile

import pytest
from django.core.files.storage import storages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from enquiries.documents_demo import tiny_pdf, tiny_png
from enquiries.factories import ConcernFactory, EnquiryFactory, PersonFactory
from enquiries.models import ChronologyEvent, Document, DocumentKind, Meeting
from enquiries.services import documents as services
from msp.models import AuditEvent

pytestmark = pytest.mark.django_db

PDF = tiny_pdf("GP letter", "Falls clinic, 3 March")
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff" + b"\x00" * 200


def eicar_finder(fileobj):
    """Test double for a virus scanner: finds the EICAR test string."""
    return "Eicar-Test-Signature" if b"EICAR-STANDARD" in fileobj.read() else ""


def scanner_down(fileobj):
    from enquiries.scanning import ScannerUnavailable

    raise ScannerUnavailable("no answer")


@pytest.fixture(autouse=True)
def storage_dir(settings, tmp_path):
    """Each test's documents in their own folder, to see exactly what is stored."""
    folder = tmp_path / "documents"
    settings.STORAGES = {
        **settings.STORAGES,
        "documents": {
            "BACKEND": "msp.storage.PrivateFileSystemStorage",
            "OPTIONS": {"location": str(folder)},
        },
    }
    return folder


def stored_files(folder):
    return (
        sorted(p for p in folder.rglob("*") if p.is_file()) if folder.exists() else []
    )


@pytest.fixture
def person(team):
    return PersonFactory(team=team, given_name="Mary", family_name="Okafor")


@pytest.fixture
def kind(db):
    return DocumentKind.objects.get(code="medical")


def form_data(name="gp-letter.pdf", content=PDF, **overrides):
    data = {
        "file": SimpleUploadedFile(name, content, content_type="application/pdf"),
        "title": "GP letter about falls",
        "kind": DocumentKind.objects.get(code="medical").pk,
        "document_date": "2025-03-03",
        "provided_by": "Dr Shah, Riverside Surgery",
        "sensitivity": "ask_first",
        "sensitivity_reason": "Ask Dr Shah first",
    }
    data.update(overrides)
    return data


def upload(client, person, **overrides):
    return client.post(
        reverse("enquiries:person_document_add", args=[person.reference]),
        form_data(**overrides),
    )


def store(user, person, content=PDF, name="a.pdf", **fields):
    values = {
        "title": "Bank statement",
        "kind": DocumentKind.objects.get(code="financial"),
        "document_date": datetime.date(2025, 2, 1),
        "provided_by": "Her son",
        "sensitivity": "yes",
    }
    values.update(fields)
    return services.store_document(
        user=user,
        person=person,
        upload=SimpleUploadedFile(name, content),
        **values,
    )


# Upload ---------------------------------------------------------------------


def test_a_pdf_is_stored_with_its_checksum_audit_and_chronology(
    client, practitioner, person, storage_dir
):
    client.force_login(practitioner)
    response = upload(client, person)
    assert response.status_code == 302
    document = Document.objects.get()
    assert document.content_type == "application/pdf"
    assert document.size == len(PDF)
    assert document.sha256 == hashlib.sha256(PDF).hexdigest()
    assert document.uploaded_by == practitioner
    # Stored under a name that says nothing about the adult or the file.
    assert "gp-letter" not in document.storage_name
    assert "Okafor" not in document.storage_name
    assert storages["documents"].open(document.storage_name).read() == PDF
    assert AuditEvent.objects.filter(
        action="create", object_type="enquiries.Document"
    ).exists()
    event = ChronologyEvent.objects.get(kind="document")
    assert event.happened_on == datetime.date(2025, 3, 3)
    assert "GP letter about falls" in event.summary
    page = client.get(person.get_absolute_url()).content.decode()
    assert "GP letter about falls" in page
    assert "Dr Shah, Riverside Surgery" in page


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        (
            "letter.pdf",
            tiny_png(),
            "The selected file is a PNG file but its name ends &#x27;.pdf&#x27;",
        ),
        (
            "letter.pdf",
            EXE,
            "The selected file must be a PDF, JPEG, PNG, Word (DOCX) or "
            "OpenDocument text (ODT)",
        ),
        ("notes.txt", b"Just some text\n", "The selected file must be a PDF"),
        ("empty.pdf", b"", "The selected file is empty"),
    ],
)
def test_a_file_is_refused_by_its_content_and_nothing_is_stored(
    client, practitioner, person, storage_dir, name, content, message
):
    client.force_login(practitioner)
    response = upload(client, person, name=name, content=content)
    assert response.status_code == 200
    html = response.content.decode()
    assert message in html
    assert "govuk-error-summary" in html
    # What was typed is kept for the next try.
    assert "GP letter about falls" in html
    assert not Document.objects.exists()
    assert stored_files(storage_dir) == []
    assert not ChronologyEvent.objects.filter(kind="document").exists()


def test_plain_text_is_accepted_when_a_council_allows_it(
    client, practitioner, person, settings
):
    settings.DOCUMENT_ALLOWED_TYPES = ["pdf", "txt"]
    client.force_login(practitioner)
    response = upload(client, person, name="notes.txt", content=b"Visit notes\n")
    assert response.status_code == 302
    assert Document.objects.get().content_type == "text/plain"


def test_a_word_document_is_recognised_from_its_content(practitioner, person):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<w:document/>")
    document = store(practitioner, person, content=buffer.getvalue(), name="s.docx")
    assert document.content_type.endswith("wordprocessingml.document")
    # A ZIP that merely claims to be .docx is not.
    plain_zip = io.BytesIO()
    with zipfile.ZipFile(plain_zip, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/x.txt", "not a document")
    with pytest.raises(services.ValidationError):
        store(practitioner, person, content=plain_zip.getvalue(), name="t.docx")


def test_a_file_over_the_size_limit_is_refused(
    client, practitioner, person, settings, storage_dir
):
    settings.DOCUMENT_MAX_MB = 1
    client.force_login(practitioner)
    big = PDF + b"%" * (1024 * 1024)
    response = upload(client, person, content=big)
    assert "The selected file must be smaller than 1MB" in response.content.decode()
    assert not Document.objects.exists()
    assert stored_files(storage_dir) == []


def test_the_limit_for_all_of_an_adults_documents_is_kept(
    client, practitioner, person, settings, storage_dir
):
    settings.DOCUMENT_CASE_MAX_MB = 1
    store(practitioner, person, content=PDF + b"%" * 700_000)
    client.force_login(practitioner)
    response = upload(client, person, content=PDF + b"%" * 400_000)
    html = response.content.decode()
    assert "would come to more than 1MB" in html
    assert Document.objects.count() == 1
    assert len(stored_files(storage_dir)) == 1


def test_an_infected_file_is_refused_and_nothing_is_stored(
    client, practitioner, person, settings, storage_dir
):
    settings.DOCUMENT_VIRUS_SCANNER = (
        "tests.integration.enquiries.test_documents.eicar_finder"
    )
    client.force_login(practitioner)
    infected = PDF + b"X5O!P%@AP[4\\PZX54(P^)7CC)7}$EICAR-STANDARD-ANTIVIRUS-TEST-FILE!"
    response = upload(client, person, content=infected)
    assert "The selected file contains a virus" in response.content.decode()
    assert not Document.objects.exists()
    assert stored_files(storage_dir) == []
    # A clean file passes the same scanner.
    assert upload(client, person).status_code == 302


def test_a_file_is_refused_when_the_scanner_cannot_answer(
    client, practitioner, person, settings, storage_dir
):
    settings.DOCUMENT_VIRUS_SCANNER = (
        "tests.integration.enquiries.test_documents.scanner_down"
    )
    client.force_login(practitioner)
    response = upload(client, person)
    assert "could not be checked for viruses" in response.content.decode()
    assert not Document.objects.exists()
    assert stored_files(storage_dir) == []


def test_no_file_is_left_when_saving_the_record_fails(
    practitioner, person, storage_dir, monkeypatch
):
    def broken(**kwargs):
        raise RuntimeError("database went away")

    monkeypatch.setattr(services.chronology, "add", broken)
    with pytest.raises(RuntimeError):
        store(practitioner, person)
    assert not Document.objects.exists()
    assert stored_files(storage_dir) == []


def test_no_record_is_saved_when_the_file_cannot_be_written(
    practitioner, person, monkeypatch
):
    def full_disk(name, content, max_length=None):
        raise OSError("No space left on device")

    monkeypatch.setattr(services.documents_storage(), "save", full_disk)
    with pytest.raises(OSError):
        store(practitioner, person)
    assert not Document.objects.exists()
    assert not AuditEvent.objects.filter(object_type="enquiries.Document").exists()


def test_the_page_says_so_when_the_storage_fails(
    client, practitioner, person, monkeypatch
):
    def full_disk(name, content, max_length=None):
        raise OSError("No space left on device")

    monkeypatch.setattr(services.documents_storage(), "save", full_disk)
    client.force_login(practitioner)
    response = upload(client, person)
    assert response.status_code == 200
    assert "could not be saved: try again later" in response.content.decode()
    assert not Document.objects.exists()


def test_a_missing_file_is_not_a_crash(client, practitioner, person):
    document = store(practitioner, person)
    storages["documents"].delete(document.storage_name)
    client.force_login(practitioner)
    response = client.get(
        reverse("enquiries:document_download", args=[document.reference])
    )
    assert response.status_code == 404


def test_a_reader_who_may_not_write_cannot_upload(client, auditor, person):
    client.force_login(auditor)
    response = upload(client, person)
    assert response.status_code in (403, 404)
    assert not Document.objects.exists()


def test_the_reason_is_needed_when_it_may_not_be_shared(client, practitioner, person):
    client.force_login(practitioner)
    response = upload(client, person, sensitivity="no", sensitivity_reason="")
    assert "Say why it may not be shared" in response.content.decode()
    assert not Document.objects.exists()


# Concern, enquiry and meeting ----------------------------------------------


def test_documents_of_a_concern_and_of_an_enquirys_meeting(
    client, practitioner, team, storage_dir
):
    enquiry = EnquiryFactory(concern__person__team=team, team=team)
    concern = enquiry.concern
    meeting = Meeting.objects.create(
        enquiry=enquiry,
        kind="strategy_discussion",
        held_on=datetime.date(2025, 3, 1),
        format="phone",
        attendees="Police, GP",
        adult_invited=True,
        adult_attended=False,
    )
    client.force_login(practitioner)
    response = client.post(
        reverse("enquiries:concern_document_add", args=[concern.reference]),
        form_data(title="Police report 1234"),
    )
    assert response.status_code == 302
    response = client.post(
        reverse("enquiries:enquiry_document_add", args=[enquiry.reference]),
        form_data(title="Strategy minutes", meeting=meeting.pk),
    )
    assert response.status_code == 302
    minutes = Document.objects.get(title="Strategy minutes")
    assert (minutes.meeting, minutes.enquiry, minutes.concern) == (
        meeting,
        enquiry,
        concern,
    )
    concern_page = client.get(
        reverse("enquiries:concern_detail", args=[concern.reference])
    ).content.decode()
    assert "Police report 1234" in concern_page
    assert "Strategy minutes" in concern_page  # the enquiry came from it
    enquiry_page = client.get(enquiry.get_absolute_url()).content.decode()
    assert "Strategy minutes" in enquiry_page
    assert "Police report 1234" not in enquiry_page


# Download ---------------------------------------------------------------------


def test_a_download_is_audited_and_never_cached(client, practitioner, person):
    document = store(practitioner, person, sensitivity="no", sensitivity_reason="x")
    client.force_login(practitioner)
    response = client.get(
        reverse("enquiries:document_download", args=[document.reference])
    )
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF
    assert response["Content-Disposition"] == (
        'attachment; filename="Bank statement.pdf"'
    )
    assert "no-store" in response["Cache-Control"].split(", ")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Type"] == "application/pdf"
    line = AuditEvent.objects.get(action="download")
    assert line.actor == practitioner
    assert line.object_ref == str(document.reference)
    assert line.person_ref == str(person.reference)


def test_the_file_has_no_public_address(practitioner, person):
    document = store(practitioner, person)
    with pytest.raises(ValueError):
        storages["documents"].url(document.storage_name)


def test_another_teams_document_is_not_found(
    client, practitioner, other_team_practitioner, person
):
    document = store(practitioner, person)
    client.force_login(other_team_practitioner)
    for name in ("document_detail", "document_download", "document_withdraw"):
        response = client.get(reverse(f"enquiries:{name}", args=[document.reference]))
        assert response.status_code == 404
    assert not AuditEvent.objects.filter(action="download").exists()
    assert AuditEvent.objects.filter(action="refused").exists()


def test_a_restricted_adults_documents_are_hidden(
    client, practitioner, other_practitioner, person
):
    document = store(practitioner, person)
    person.is_restricted = True
    person.save()
    person.permitted_users.add(practitioner)
    client.force_login(other_practitioner)
    response = client.get(
        reverse("enquiries:document_download", args=[document.reference])
    )
    assert response.status_code == 404
    client.force_login(practitioner)
    response = client.get(
        reverse("enquiries:document_download", args=[document.reference])
    )
    assert response.status_code == 200


# Withdrawal -------------------------------------------------------------------


def test_withdrawing_keeps_the_file_and_hides_it_from_the_list(
    client, practitioner, lead, person, storage_dir
):
    document = store(practitioner, person, title="Wrong person's letter")
    client.force_login(practitioner)
    url = reverse("enquiries:document_withdraw", args=[document.reference])
    response = client.post(url, {"reason": ""})
    assert "Enter why the document is withdrawn" in response.content.decode()
    response = client.post(url, {"reason": "Uploaded to the wrong person"})
    assert response.status_code == 302
    document.refresh_from_db()
    assert document.withdrawn_by == practitioner
    assert document.withdrawn_reason == "Uploaded to the wrong person"
    # Kept: the row and the file.
    assert storages["documents"].exists(document.storage_name)
    assert len(stored_files(storage_dir)) == 1
    page = client.get(person.get_absolute_url()).content.decode()
    assert document.get_absolute_url() not in page
    assert (
        client.get(
            reverse("enquiries:document_download", args=[document.reference])
        ).status_code
        == 404
    )
    # A safeguarding lead still sees it, marked withdrawn, with the reason.
    client.force_login(lead)
    page = client.get(person.get_absolute_url()).content.decode()
    assert document.get_absolute_url() in page
    assert 'govuk-tag--grey">Withdrawn' in page
    detail = client.get(document.get_absolute_url()).content.decode()
    assert "Uploaded to the wrong person" in detail
    assert AuditEvent.objects.filter(
        action="status", object_ref=str(document.reference)
    ).exists()


def test_a_document_cannot_be_deleted_in_admin(admin_client, practitioner, person):
    document = store(practitioner, person)
    response = admin_client.post(
        reverse("admin:enquiries_document_delete", args=[document.pk]), {"post": "yes"}
    )
    assert response.status_code in (403, 302)
    assert Document.objects.filter(pk=document.pk).exists()


# Lists: a fixed number of queries --------------------------------------------


def test_the_person_page_costs_the_same_with_more_documents(
    client, practitioner, person, django_assert_max_num_queries
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    store(practitioner, person)
    client.force_login(practitioner)
    client.get(person.get_absolute_url())
    with CaptureQueriesContext(connection) as one:
        client.get(person.get_absolute_url())
    for n in range(5):
        store(practitioner, person, title=f"Statement {n}", content=PDF + b"%" * n)
    with django_assert_max_num_queries(len(one.captured_queries)):
        html = client.get(person.get_absolute_url()).content.decode()
    assert "Statement 4" in html


def test_the_enquiry_page_costs_the_same_with_more_documents(
    client, practitioner, team, django_assert_max_num_queries
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    enquiry = EnquiryFactory(concern__person__team=team, team=team)
    person = enquiry.concern.person
    store(practitioner, person, enquiry=enquiry)
    client.force_login(practitioner)
    url = enquiry.get_absolute_url()
    client.get(url)
    with CaptureQueriesContext(connection) as one:
        client.get(url)
    for n in range(5):
        store(
            practitioner,
            person,
            enquiry=enquiry,
            title=f"Report {n}",
            content=PDF + b"%" * n,
        )
    with django_assert_max_num_queries(len(one.captured_queries)):
        html = client.get(url).content.decode()
    assert "Report 4" in html


# Subject access ---------------------------------------------------------------


def test_the_subject_access_pack_holds_the_files_flagged(client, lead, person):
    store(lead, person, title="Her own statement", adults_own=True)
    store(
        lead,
        person,
        title="Police report",
        content=tiny_pdf("Police report"),
        sensitivity="no",
        sensitivity_reason="Names the alleged source of harm",
    )
    client.force_login(lead)
    page = client.get(reverse("subject_access", args=[person.reference]))
    html = page.content.decode()
    assert "WITHHOLD OR REDACT" in html
    assert "Names the alleged source of harm" in html
    response = client.get(reverse("subject_access_zip", args=[person.reference]))
    archive = zipfile.ZipFile(io.BytesIO(response.content))
    names = archive.namelist()
    shared = [n for n in names if n.startswith("documents/may-be-shared/")]
    withheld = [n for n in names if n.startswith("documents/not-to-be-shared/")]
    assert len(shared) == 1 and shared[0].endswith("Her own statement.pdf")
    assert len(withheld) == 1
    assert archive.read(withheld[0]) == tiny_pdf("Police report")
    listing = archive.read("enquiries-document.csv").decode()
    assert "release_note" in listing
    assert "WITHHOLD OR REDACT" in listing


def test_the_upload_form_works_for_a_concern_without_javascript(
    client, practitioner, team
):
    concern = ConcernFactory(person__team=team, team=team)
    client.force_login(practitioner)
    html = client.get(
        reverse("enquiries:concern_document_add", args=[concern.reference])
    ).content.decode()
    assert 'enctype="multipart/form-data"' in html
    assert 'type="file"' in html
    assert "govuk-file-upload" in html


# Demo data ------------------------------------------------------------------


def test_seed_demo_holds_a_few_real_documents(settings, storage_dir):
    from django.core.management import call_command

    settings.DEMO_MODE = True
    settings.DEMO_PASSWORD = "demo-password-for-tests"
    call_command("seed_demo", people=0, stdout=io.StringIO())
    held = Document.objects.all()
    assert held.count() >= 4
    kinds = {d.kind.code for d in held}
    assert {"medical", "photo", "police_report"} <= kinds
    assert held.filter(withdrawn_at__isnull=False).count() == 1
    assert held.filter(sensitivity="no").exists()
    assert held.filter(adults_own=True).exists()
    for document in held:
        content = storages["documents"].open(document.storage_name).read()
        assert hashlib.sha256(content).hexdigest() == document.sha256
    assert ChronologyEvent.objects.filter(kind="document").count() >= 4
