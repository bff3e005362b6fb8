"""Administrators reach the case import page, though not the case pages."""

import pytest
from django.urls import reverse


@pytest.mark.django_db
def test_administrator_opens_import_page_but_not_case_pages(client, administrator):
    client.force_login(administrator)
    assert client.get(reverse("outcomes:import_upload")).status_code == 200
    assert client.get(reverse("outcomes:sac_return")).status_code == 403
    assert client.get(reverse("enquiries:person_search")).status_code == 403


@pytest.mark.django_db
def test_practitioner_cannot_open_import_page(client, practitioner):
    client.force_login(practitioner)
    assert client.get(reverse("outcomes:import_upload")).status_code == 403


@pytest.mark.django_db
def test_auditor_cannot_open_import_page(client, auditor):
    client.force_login(auditor)
    assert client.get(reverse("outcomes:import_upload")).status_code == 403
