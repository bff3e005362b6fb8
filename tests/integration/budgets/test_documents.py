"""A direct payment's documents: held as the adult's documents, linked from
budgets (enquiries never imports budgets)."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from budgets.models import DirectPaymentDocument
from enquiries.documents_demo import tiny_pdf
from enquiries.models import Document, DocumentKind
from msp.models import AuditEvent

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def storage_dir(settings, tmp_path):
    settings.STORAGES = {
        **settings.STORAGES,
        "documents": {
            "BACKEND": "msp.storage.PrivateFileSystemStorage",
            "OPTIONS": {"location": str(tmp_path / "documents")},
        },
    }
    return tmp_path / "documents"


def _post(client, payment, content, name="agreement.pdf"):
    return client.post(
        reverse("budgets:dp_document_add", args=[payment.reference]),
        {
            "file": SimpleUploadedFile(name, content),
            "title": "Signed direct payment agreement",
            "kind": DocumentKind.objects.get(code="financial").pk,
            "document_date": "2025-08-20",
            "provided_by": "Ada Moss",
            "sensitivity": "yes",
            "adults_own": "on",
        },
    )


def test_a_document_is_added_to_a_direct_payment(client, practitioner, payment):
    client.force_login(practitioner)
    response = _post(client, payment, tiny_pdf("Agreement"))
    assert response.status_code == 302
    link = DirectPaymentDocument.objects.select_related("document").get()
    assert link.direct_payment == payment
    assert link.document.person == payment.person
    assert link.document.adults_own
    assert AuditEvent.objects.filter(
        action="change", summary__contains="Added a document to the direct payment"
    ).exists()
    page = client.get(reverse("budgets:dp_detail", args=[payment.reference]))
    assert "Signed direct payment agreement" in page.content.decode()
    # Also on the adult's own page, like any of their documents.
    person_page = client.get(payment.person.get_absolute_url()).content.decode()
    assert "Signed direct payment agreement" in person_page


def test_a_refused_file_leaves_no_document_and_no_link(
    client, practitioner, payment, storage_dir
):
    client.force_login(practitioner)
    response = _post(client, payment, b"MZ" + b"\x00" * 100)
    assert response.status_code == 200
    assert "The selected file must be a" in response.content.decode()
    assert not Document.objects.exists()
    assert not DirectPaymentDocument.objects.exists()
    assert [p for p in storage_dir.rglob("*") if p.is_file()] == []


def test_another_team_cannot_add_to_the_payment(
    client, other_team_practitioner, payment
):
    client.force_login(other_team_practitioner)
    response = _post(client, payment, tiny_pdf("Agreement"))
    assert response.status_code == 404
    assert not Document.objects.exists()
