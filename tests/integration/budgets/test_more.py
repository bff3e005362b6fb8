"""Admin safeguards, review outcomes and ending a payment through the pages."""

import datetime

import pytest
from django.contrib import admin
from django.urls import reverse

from budgets.models import (
    ConcernLink,
    Condition,
    DirectPayment,
    LocalConditionType,
    Review,
    StatusChange,
)
from budgets.reports import csv_safe

pytestmark = pytest.mark.django_db
TODAY = datetime.date.today()


@pytest.mark.parametrize(
    "model",
    [Condition, ConcernLink, DirectPayment, LocalConditionType, Review, StatusChange],
)
def test_admin_never_deletes_budget_records(model, rf, administrator):
    model_admin = admin.site._registry[model]
    request = rf.get("/admin/")
    request.user = administrator
    assert model_admin.has_delete_permission(request) is False


def test_default_local_condition_types_are_seeded():
    names = set(LocalConditionType.objects.values_list("code", flat=True))
    assert {
        "separate-account",
        "keep-records",
        "not-named-party",
        "return-surplus",
    } <= names


def test_review_outcome_suspend_suspends_and_schedules_next(
    client, practitioner, payment
):
    review = payment.reviews.get()
    client.force_login(practitioner)
    response = client.post(
        reverse("budgets:review_complete", args=[review.reference]),
        {
            "completed_on": TODAY.isoformat(),
            "depth": "full",
            "findings": "Spending does not match the plan",
            "person_view": "I was in hospital and could not keep track.",
            "outcome": "suspend",
            "version": review.version,
        },
    )
    assert response.status_code == 302
    payment.refresh_from_db()
    assert payment.status == "suspended"
    assert payment.reviews.filter(
        completed_on__isnull=True, review_type="annual"
    ).exists()


def test_review_form_errors_keep_input(client, practitioner, payment):
    review = payment.reviews.get()
    client.force_login(practitioner)
    response = client.post(
        reverse("budgets:review_complete", args=[review.reference]),
        {
            "completed_on": TODAY.isoformat(),
            "findings": "Some findings",
            "outcome": "repayment",
            "version": review.version,
        },
    )
    html = response.content.decode()
    assert "There is a problem" in html and "Some findings" in html
    assert "Enter the amount to be repaid" in html
    review.refresh_from_db()
    assert review.completed_on is None


def test_end_payment_through_the_page(client, practitioner, payment):
    client.force_login(practitioner)
    url = reverse("budgets:dp_end", args=[payment.reference])
    response = client.post(
        url,
        {
            "reason": "breach",
            "reason_details": "Money repeatedly spent on things outside the plan",
            "ended_on": TODAY.isoformat(),
            "notice_days": "28",
            "repayment_amount": "120.00",
            "alternative_arrangements": "Council-arranged care from next week",
        },
    )
    assert "Select why repayment is asked for" in response.content.decode()
    payment.refresh_from_db()
    assert payment.status == "active"
    client.post(
        url,
        {
            "reason": "breach",
            "reason_details": "Money repeatedly spent on things outside the plan",
            "ended_on": TODAY.isoformat(),
            "notice_days": "28",
            "repayment_amount": "120.00",
            "repayment_reason": "misused",
            "alternative_arrangements": "Council-arranged care from next week",
        },
    )
    payment.refresh_from_db()
    assert payment.status == "ended"
    html = client.get(
        reverse("budgets:dp_detail", args=[payment.reference])
    ).content.decode()
    assert "Council-arranged care from next week" in html
    assert "Change status" not in html


def test_practitioner_cannot_record_a_regulation_3_exception(
    client, practitioner, manager, payment
):
    client.force_login(practitioner)
    url = reverse("budgets:family_exception_add", args=[payment.reference])
    assert client.get(url).status_code == 403
    client.force_login(manager)
    response = client.post(
        url,
        {
            "family_member_name": "Sam Moss",
            "relationship": "Brother",
            "covers": "both",
            "necessity_reasons": "No other carer speaks BSL",
            "authorised_on": TODAY.isoformat(),
            "review_on": (TODAY + datetime.timedelta(days=90)).isoformat(),
        },
    )
    assert response.status_code == 302
    assert payment.family_exceptions.get().authorised_by == manager


def test_assistant_page_warns_about_close_family(client, practitioner, payment):
    client.force_login(practitioner)
    response = client.post(
        reverse("budgets:assistant_add", args=[payment.reference]),
        {
            "name": "Kit Moss",
            "started_on": "2025-09-01",
            "relationship": "spouse",
            "dbs_type": "none",
            "dbs_request": "not_requested",
        },
    )
    html = response.content.decode()
    assert "regulation 3" in html and 'value="Kit Moss"' in html
    assert not payment.assistants.exists()


def test_bad_dates_get_a_clear_message(client, practitioner, person):
    client.force_login(practitioner)
    response = client.post(
        reverse("budgets:budget_create", args=[person.reference]),
        {"care_plan_reference": "X", "effective_from": "2025-02-30"},
    )
    assert response.status_code == 200
    assert "as a real date" in response.content.decode()


def test_csv_cells_cannot_start_a_formula():
    assert csv_safe("=HYPERLINK(1)") == "'=HYPERLINK(1)"
    assert csv_safe("Ada Moss") == "Ada Moss"
