"""Changes made in Django admin to case records are in the audit trail."""

import pytest
from django.urls import reverse

from enquiries.factories import OrganisationFactory
from msp.models import AuditEvent


@pytest.mark.django_db
def test_admin_change_to_a_case_app_record_is_audited(client, administrator):
    organisation = OrganisationFactory(name="Sunrise Care Home")
    client.force_login(administrator)
    url = reverse("admin:enquiries_organisation_change", args=[organisation.pk])
    page = client.get(url)
    assert page.status_code == 200
    form = page.context["adminform"].form
    data = {name: form.initial.get(name) or "" for name in form.fields}
    data.update(name="Sunrise Nursing Home", kind="care_home", is_active="on")
    response = client.post(url, data)
    assert response.status_code == 302, response.content[:500]
    event = AuditEvent.objects.get(
        action="change", object_type="enquiries.Organisation"
    )
    assert event.actor == administrator
    assert event.changes["name"] == ["Sunrise Care Home", "Sunrise Nursing Home"]


@pytest.mark.django_db
def test_admin_cannot_delete_case_records(client, administrator):
    organisation = OrganisationFactory()
    client.force_login(administrator)
    url = reverse("admin:enquiries_organisation_delete", args=[organisation.pk])
    assert client.post(url, {"post": "yes"}).status_code == 403
    organisation.refresh_from_db()
