"""Changing who receives a direct payment, or its legal basis, keeps a history."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from budgets import services
from budgets.models import DirectPayment, RecipientChange
from enquiries.models import Relationship
from msp.models import AuditEvent
from tests.page_forms import form_values

pytestmark = pytest.mark.django_db


def test_adult_loses_capacity_and_a_deputy_receives_it(
    client, practitioner, payment, person
):
    deputy = Relationship.objects.create(person=person, kind="family", name="Ruth Moss")
    url = reverse("budgets:dp_recipient", args=[payment.reference])
    client.force_login(practitioner)
    detail = client.get(payment.get_absolute_url()).content.decode()
    assert url in detail
    shown = form_values(client.get(url).content.decode())
    data = {k: v for k, v in shown.items() if k != "csrfmiddlewaretoken"}
    data.update(
        legal_basis="s32_authorised",
        authority_basis="deputy",
        recipient_name="Ruth Moss",
        recipient_relationship="Daughter",
        recipient_relation=str(deputy.pk),
        reason="Court of Protection appointed her deputy after a stroke",
    )
    response = client.post(url, data)
    assert response.status_code == 302
    payment.refresh_from_db()
    assert payment.legal_basis == DirectPayment.LegalBasis.S32_AUTHORISED
    assert payment.recipient_relation == deputy
    change = RecipientChange.objects.get(direct_payment=payment)
    assert change.from_legal_basis == "s31_adult"
    assert change.to_legal_basis == "s32_authorised"
    assert change.from_recipient == "Ada Moss"
    assert "Ruth Moss (Daughter)" in change.to_recipient
    assert change.changed_by == practitioner
    audit = AuditEvent.objects.get(
        object_ref=str(payment.reference), summary__startswith="Changed who receives"
    )
    assert "legal_basis" in str(audit.changes)
    page = client.get(payment.get_absolute_url()).content.decode()
    assert "Recipient and legal basis history" in page
    assert "Court of Protection appointed her deputy after a stroke" in page


def test_errors_are_summarised_and_input_kept(client, practitioner, payment):
    url = reverse("budgets:dp_recipient", args=[payment.reference])
    client.force_login(practitioner)
    shown = form_values(client.get(url).content.decode())
    data = {k: v for k, v in shown.items() if k != "csrfmiddlewaretoken"}
    data.update(
        legal_basis="s32_authorised",
        recipient_name="",
        recipient_relationship="Daughter",
        reason="",
    )
    response = client.post(url, data)
    html = response.content.decode()
    assert response.status_code == 200
    assert "govuk-error-summary" in html
    assert "Enter why the recipient or basis changed" in html
    payment.refresh_from_db()
    assert payment.legal_basis == "s31_adult"
    assert not RecipientChange.objects.exists()
    # The section 32 rules still apply with a reason given.
    data["reason"] = "Lost capacity"
    html = client.post(url, data).content.decode()
    assert "Select the authority the authorised person has" in html
    assert "Enter the name of the nominated or authorised person" in html
    assert 'value="Daughter"' in html  # typed input kept


def test_service_checks_permission_reason_and_change(auditor, practitioner, payment):
    changes = {"legal_basis": "s31_nominated", "recipient_name": "Tom"}
    with pytest.raises(PermissionDenied):
        services.change_recipient(
            user=auditor,
            payment=payment,
            expected_version=payment.version,
            changes=changes,
            reason="x",
        )
    with pytest.raises(ValidationError):
        services.change_recipient(
            user=practitioner,
            payment=payment,
            expected_version=payment.version,
            changes=changes,
            reason=" ",
        )
    with pytest.raises(ValidationError):
        services.change_recipient(
            user=practitioner,
            payment=payment,
            expected_version=payment.version,
            changes={"legal_basis": "s31_adult"},
            reason="Nothing really",
        )
    assert not RecipientChange.objects.exists()
    assert not AuditEvent.objects.filter(
        summary__startswith="Changed who receives"
    ).exists()
