"""Issue 16, item 4: every date filter answers boundary dates with a clear
message, never a 500 (``/audit/?date_to=9999-12-31`` used to overflow)."""

import pytest
from django.test import Client
from django.urls import reverse

BOUNDARY = ["0001-01-01", "9999-12-31", "10000-01-01", "2024-02-30", "31/12/9999", "x"]

# (url name, parameter names, role fixture) for every GET date filter.
DATE_FILTERS = [
    ("audit_log", ("date_from", "date_to"), "auditor"),
    ("audit_export", ("date_from", "date_to"), "auditor"),
    ("outcomes:dashboard", ("date_from", "date_to"), "manager"),
    ("outcomes:dashboard_csv", ("date_from", "date_to"), "manager"),
    ("outcomes:drilldown", ("date_from", "date_to"), "manager"),
    ("outcomes:equality", ("date_from", "date_to"), "manager"),
    ("outcomes:equality_csv", ("date_from", "date_to"), "manager"),
    ("outcomes:exceptions", ("date_from", "date_to"), "manager"),
    ("outcomes:sac_return", ("year",), "manager"),
    ("outcomes:sac_download_csv", ("year",), "manager"),
    ("outcomes:sac_download_xlsx", ("year",), "manager"),
]

YEARS = ["0001-02", "9999-00", "9998-99", "2024-25x", "-1"]


def _queries(params):
    if params == ("year",):
        return [{"year": year} for year in YEARS]
    queries = []
    for value in BOUNDARY:
        queries.append({params[0]: value})
        queries.append({params[1]: value})
        queries.append({params[0]: "2024-04-01", params[1]: value})
        queries.append({params[0]: value, params[1]: "2025-03-31"})
    queries.append({params[0]: "0001-01-01", params[1]: "9999-12-31"})
    queries.append({params[0]: "9999-12-31", params[1]: "9999-12-31"})
    return queries


@pytest.mark.django_db
@pytest.mark.parametrize(("name", "params", "role"), DATE_FILTERS)
def test_boundary_dates_never_give_a_500(name, params, role, request):
    client = Client(raise_request_exception=False)
    client.force_login(request.getfixturevalue(role))
    url = reverse(name)
    for query in _queries(params):
        response = client.get(url, query, follow=True)
        assert response.status_code < 500, (url, query)


@pytest.mark.django_db
@pytest.mark.parametrize("value", ["0001-01-01", "9999-12-31"])
def test_audit_search_says_what_dates_it_accepts(client, auditor, value):
    client.force_login(auditor)
    for param in ("date_from", "date_to"):
        response = client.get(reverse("audit_log"), {param: value})
        html = response.content.decode()
        assert response.status_code == 200
        assert "govuk-error-summary" in html
        assert "Enter a date between 1 January 1900 and 31 December 2099" in html
        exported = client.get(reverse("audit_export"), {param: value})
        assert exported.status_code == 400
        assert "Enter a date between" in exported.content.decode()


@pytest.mark.django_db
def test_audit_search_still_finds_by_ordinary_dates(client, auditor):
    from msp import audit
    from msp.models import AuditEvent

    audit.record(actor=auditor, action=AuditEvent.Action.EXPORT, summary="Marker")
    client.force_login(auditor)
    response = client.get(
        reverse("audit_log"), {"date_from": "1900-01-01", "date_to": "2099-12-31"}
    )
    assert "Marker" in response.content.decode()


@pytest.mark.django_db
def test_dashboard_says_what_dates_it_accepts(client, manager):
    client.force_login(manager)
    response = client.get(
        reverse("outcomes:dashboard"),
        {"date_from": "9999-12-01", "date_to": "9999-12-31"},
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "govuk-error-summary" in html
    assert "Enter a date between 1 January 1900 and 31 December 2099" in html
