"""The budget pages: access, forms, safeguarding actions and manager lists."""

import datetime
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils.html import escape

from budgets import services
from budgets.models import (
    Condition,
    DirectPayment,
    PersonalBudget,
)
from budgets.selectors import links_for_concern, links_for_person
from enquiries.documents_demo import tiny_pdf
from enquiries.factories import ConcernFactory, PersonFactory
from enquiries.models import DocumentKind
from enquiries.services.documents import store_document
from msp.models import AuditEvent
from tests.integration.budgets.conftest import PAYMENT_DATA, local_condition_data

pytestmark = pytest.mark.django_db
TODAY = datetime.date.today()


def _pages(payment, concern):
    review = payment.reviews.first()
    condition = payment.conditions.first()
    return [
        reverse("budgets:person", args=[payment.person.reference]),
        reverse("budgets:budget_create", args=[payment.person.reference]),
        reverse("budgets:budget_detail", args=[payment.personal_budget.reference]),
        reverse("budgets:budget_edit", args=[payment.personal_budget.reference]),
        reverse("budgets:dp_create", args=[payment.personal_budget.reference]),
        reverse("budgets:dp_detail", args=[payment.reference]),
        reverse("budgets:dp_edit", args=[payment.reference]),
        reverse("budgets:dp_status", args=[payment.reference]),
        reverse("budgets:dp_end", args=[payment.reference]),
        reverse("budgets:condition_add", args=[payment.reference]),
        reverse("budgets:assistant_add", args=[payment.reference]),
        reverse("budgets:link_add", args=[payment.reference]),
        reverse("budgets:condition_status", args=[condition.reference]),
        reverse("budgets:review_complete", args=[review.reference]),
        reverse(
            "budgets:suspend_pending_investigation",
            args=[payment.reference, concern.reference],
        ),
        reverse("budgets:link_from_concern", args=[concern.reference]),
    ]


WRITE_PAGES = slice(1, None)


def test_practitioner_in_the_team_can_open_every_page(
    client, practitioner, payment, concern
):
    client.force_login(practitioner)
    for url in _pages(payment, concern):
        assert client.get(url).status_code == 200, url


def test_other_team_gets_404_everywhere(
    client, other_team_practitioner, payment, concern
):
    client.force_login(other_team_practitioner)
    for url in _pages(payment, concern):
        assert client.get(url).status_code == 404, url
        assert client.post(url, {}).status_code == 404, url


def test_auditor_gets_403_on_every_write(client, auditor, payment, concern):
    client.force_login(auditor)
    for url in _pages(payment, concern)[WRITE_PAGES]:
        if url.endswith(f"{payment.personal_budget.reference}/"):
            continue  # budget detail is a read page
        if "/direct-payments/" in url and url.endswith(f"{payment.reference}/"):
            continue
        assert client.post(url, {}).status_code == 403, url
    assert DirectPayment.objects.get().status == "active"


def test_a_concern_in_another_team_makes_the_payment_visible_to_that_team(
    client, other_team, other_team_practitioner, payment
):
    ConcernFactory(person=payment.person, team=other_team)
    client.force_login(other_team_practitioner)
    url = reverse("budgets:dp_detail", args=[payment.reference])
    assert client.get(url).status_code == 200


def test_lead_sees_every_team(client, lead, payment):
    client.force_login(lead)
    assert (
        client.get(reverse("budgets:dp_detail", args=[payment.reference])).status_code
        == 200
    )


def test_create_budget_shows_errors_and_keeps_input(client, practitioner, person):
    client.force_login(practitioner)
    url = reverse("budgets:budget_create", args=[person.reference])
    response = client.post(
        url,
        {
            "care_plan_reference": "CSP-7",
            "effective_from": "2025-04-01",
            "total_cost": "100.00",
            "adult_contribution": "150.00",
            "management": "mixed",
        },
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "There is a problem" in html and "<title>Error: " in html
    assert "must not be more than the total cost" in html
    assert 'value="CSP-7"' in html
    assert not PersonalBudget.objects.exists()
    response = client.post(
        url,
        {
            "care_plan_reference": "CSP-7",
            "effective_from": "2025-04-01",
            "total_cost": "100.005",
            "adult_contribution": "-1",
            "management": "mixed",
        },
    )
    html = response.content.decode()
    assert "to the nearest penny" in html and "must be £0 or more" in html


def test_create_budget_and_payment_through_the_pages(client, practitioner, person):
    client.force_login(practitioner)
    response = client.post(
        reverse("budgets:budget_create", args=[person.reference]),
        {
            "care_plan_reference": "CSP-8",
            "effective_from": "2025-04-01",
            "total_cost": "1000.00",
            "adult_contribution": "100.00",
            "management": "direct_payment",
        },
    )
    budget = PersonalBudget.objects.get()
    assert response.status_code == 302 and budget.council_contribution == Decimal(
        "900.00"
    )
    response = client.post(
        reverse("budgets:dp_create", args=[budget.reference]),
        {
            "legal_basis": "s32_authorised",
            "payment_method": "managed",
            "amount": "80.00",
            "frequency": "weekly",
            "start_date": "2025-05-01",
            "first_payment_on": "2025-05-02",
            "person_wants": "Go to the day centre I like",
        },
    )
    html = response.content.decode()
    assert "Select the authority the authorised person has" in html
    assert "Enter the name of the nominated or authorised person" in html
    assert not DirectPayment.objects.exists()


def test_detail_shows_choice_next_to_conditions_and_warns(
    client, practitioner, payment, receipts_type
):
    services.add_local_condition(
        user=practitioner,
        payment=payment,
        data=local_condition_data(
            receipts_type, agreement="disagreed", person_view="No."
        ),
    )
    client.force_login(practitioner)
    html = client.get(
        reverse("budgets:dp_detail", args=[payment.reference])
    ).content.decode()
    assert "What the person wants to be able to do" in html
    assert "Choose my own carer and go swimming on Tuesdays." in html
    assert "2 statutory conditions and 1 local condition in force" in html
    assert "1 local condition the person has not agreed to" in html


def test_statutory_condition_form_offers_no_removal(client, practitioner, payment):
    condition = payment.conditions.get(kind="plan_needs")
    client.force_login(practitioner)
    url = reverse("budgets:condition_status", args=[condition.reference])
    assert 'value="removed"' not in client.get(url).content.decode()
    response = client.post(
        url,
        {
            "status": "removed",
            "removed_on": TODAY.isoformat(),
            "removed_reason": "x",
            "version": condition.version,
        },
    )
    assert response.status_code == 200
    condition.refresh_from_db()
    assert condition.status == Condition.Status.MET


def test_link_from_payment_page_with_pa_role_triggers_review(
    client, practitioner, payment, concern
):
    client.force_login(practitioner)
    response = client.post(
        reverse("budgets:link_add", args=[payment.reference]),
        {"concern": concern.pk, "role": "pa_source", "notes": ""},
        follow=True,
    )
    assert "A review of the payment is now due" in response.content.decode()
    assert payment.reviews.filter(trigger="safeguarding", due_on=TODAY).exists()


def test_link_from_the_concern(client, practitioner, payment, concern):
    client.force_login(practitioner)
    client.post(
        reverse("budgets:link_from_concern", args=[concern.reference]),
        {"direct_payment": payment.pk, "role": "nominee_source"},
    )
    assert [link.role for link in links_for_concern(practitioner, concern)] == [
        "nominee_source"
    ]
    assert payment.reviews.filter(trigger="safeguarding").exists()


def test_suspend_pending_investigation_confirms_then_suspends(
    client, practitioner, payment, concern
):
    client.force_login(practitioner)
    url = reverse(
        "budgets:suspend_pending_investigation",
        args=[payment.reference, concern.reference],
    )
    page = client.get(url).content.decode()
    assert "Suspend payments pending investigation" in page
    payment.refresh_from_db()
    assert payment.status == "active"  # opening the page changes nothing
    response = client.post(url, {"reason": ""})
    assert "Enter why payments are suspended" in response.content.decode()
    client.post(url, {"reason": "PA alleged to be taking money"})
    payment.refresh_from_db()
    assert payment.status == "suspended_investigation"


def test_suspend_with_a_concern_about_someone_else_is_404(
    client, practitioner, payment, team
):
    other = ConcernFactory(person=PersonFactory(team=team))
    client.force_login(practitioner)
    url = reverse(
        "budgets:suspend_pending_investigation",
        args=[payment.reference, other.reference],
    )
    assert client.post(url, {"reason": "x"}).status_code == 404


def test_edit_conflict_keeps_input_and_names_the_change(
    client, practitioner, manager, payment
):
    client.force_login(practitioner)
    stale = payment.version
    services.change_direct_payment(
        user=manager,
        payment=payment,
        expected_version=payment.version,
        changes={"amount": Decimal("300.00")},
    )
    response = client.post(
        reverse("budgets:dp_edit", args=[payment.reference]),
        {
            "payment_method": "card",
            "amount": "275.00",
            "frequency": "weekly",
            "person_wants": "Swim on Tuesdays",
            "version": stale,
        },
    )
    html = response.content.decode()
    assert "Someone else saved this record" in html and "Amount" in html
    assert 'value="275.00"' in html
    payment.refresh_from_db()
    assert payment.amount == Decimal("300.00")


def test_practitioner_cannot_see_manager_views(client, practitioner):
    client.force_login(practitioner)
    assert client.get(reverse("budgets:manager")).status_code == 403
    assert (
        client.get(reverse("budgets:manager_report", args=["reviews-due"])).status_code
        == 403
    )
    assert (
        client.get(
            reverse("budgets:manager_report_csv", args=["reviews-due"])
        ).status_code
        == 403
    )


def test_unknown_report_is_404(client, manager):
    client.force_login(manager)
    assert (
        client.get(reverse("budgets:manager_report", args=["nope"])).status_code == 404
    )


def test_safeguarding_panel_selector_for_person(
    practitioner, other_team_practitioner, payment, concern
):
    services.link_concern(
        user=practitioner, payment=payment, concern=concern, role="misuse"
    )
    assert len(links_for_person(practitioner, payment.person)) == 1
    assert len(links_for_person(other_team_practitioner, payment.person)) == 0


def _payment_for_new_person(team, user, *, first_payment_on):
    person = PersonFactory(team=team)
    budget = services.create_budget(
        user=user,
        person=person,
        data={
            "care_plan_reference": "CSP",
            "effective_from": datetime.date(2024, 1, 1),
            "total_cost": Decimal("1000"),
            "adult_contribution": Decimal("0"),
            "management": "direct_payment",
        },
    )
    return services.create_direct_payment(
        user=user,
        budget=budget,
        data={
            **PAYMENT_DATA,
            "start_date": first_payment_on,
            "first_payment_on": first_payment_on,
        },
    )


def test_manager_sees_due_and_overdue_reviews_of_their_team_only(
    client, manager, practitioner, other_team, other_team_practitioner
):
    overdue = _payment_for_new_person(
        manager.teams.get(), practitioner, first_payment_on=datetime.date(2024, 1, 5)
    )
    _payment_for_new_person(
        other_team, other_team_practitioner, first_payment_on=datetime.date(2024, 1, 5)
    )
    _payment_for_new_person(manager.teams.get(), practitioner, first_payment_on=TODAY)
    client.force_login(manager)
    html = client.get(
        reverse("budgets:manager_report", args=["reviews-due"])
    ).content.decode()
    assert escape(overdue.person.full_name) in html
    assert html.count("Overdue") == 1


def _make_reports_rows(team, user, other_concern_team, n):
    for _ in range(n):
        payment = _payment_for_new_person(
            team, user, first_payment_on=datetime.date(2024, 1, 5)
        )
        concern = ConcernFactory(person=payment.person, team=team)
        ConcernFactory(person=payment.person, team=other_concern_team)
        services.link_concern(
            user=user, payment=payment, concern=concern, role="pa_source"
        )
        condition = payment.conditions.get(kind="plan_needs")
        services.record_condition_status(
            user=user,
            condition=condition,
            expected_version=condition.version,
            changes={"status": "breached", "breached_on": TODAY, "breach_details": "x"},
        )


@pytest.mark.parametrize(
    "slug",
    [
        "reviews-due",
        "conditions-breached",
        "open-safeguarding",
        "family-exceptions",
        "unjustified-conditions",
    ],
)
def test_manager_lists_use_a_constant_number_of_queries(
    client, manager, practitioner, other_team, django_assert_num_queries, slug
):
    team = manager.teams.get()
    _make_reports_rows(team, practitioner, other_team, 2)
    client.force_login(manager)
    url = reverse("budgets:manager_report", args=[slug])
    client.get(url)
    # 8 + the header's count of unread notifications.
    with django_assert_num_queries(9) as small:
        client.get(url)
    _make_reports_rows(team, practitioner, other_team, 4)
    with django_assert_num_queries(len(small.captured_queries)):
        client.get(url)


def test_manager_lists_are_paged_by_keyset(client, manager, practitioner, monkeypatch):
    from msp import paging

    monkeypatch.setattr(paging, "PAGE_SIZE", 2)
    team = manager.teams.get()
    names = []
    for day in (5, 6, 7):
        payment = _payment_for_new_person(
            team, practitioner, first_payment_on=datetime.date(2024, 1, day)
        )
        names.append(payment.person.full_name)
    client.force_login(manager)
    url = reverse("budgets:manager_report", args=["reviews-due"])
    first = client.get(url)
    html = first.content.decode()
    assert names[0] in html and names[1] in html and names[2] not in html
    cursor = first.context["next_cursor"]
    second = client.get(url, {"after": cursor}).content.decode()
    assert names[2] in second and names[0] not in second
    assert client.get(url, {"after": "rubbish"}).status_code == 200


def test_csv_download_is_audited(client, manager, practitioner):
    _payment_for_new_person(
        manager.teams.get(), practitioner, first_payment_on=datetime.date(2024, 1, 5)
    )
    client.force_login(manager)
    response = client.get(reverse("budgets:manager_report_csv", args=["reviews-due"]))
    body = b"".join(
        response.streaming_content if response.streaming else [response.content]
    )
    assert response["Content-Type"].startswith("text/csv")
    assert b"Overdue" in body
    assert AuditEvent.objects.filter(action="download", actor=manager).exists()


def test_payment_page_has_a_constant_number_of_queries(
    client, practitioner, payment, receipts_type, django_assert_num_queries
):
    client.force_login(practitioner)
    url = reverse("budgets:dp_detail", args=[payment.reference])
    client.get(url)
    # 17 (with the recipient history and the documents held) + the audit of
    # the view + the header's count of notifications.
    with django_assert_num_queries(19) as small:
        client.get(url)
    for i in range(3):
        services.add_local_condition(
            user=practitioner, payment=payment, data=local_condition_data(receipts_type)
        )
        services.add_assistant(
            user=practitioner,
            payment=payment,
            data={
                "name": f"PA {i}",
                "started_on": datetime.date(2025, 9, 1),
                "relationship": "none",
            },
        )
        concern = ConcernFactory(person=payment.person)
        services.link_concern(
            user=practitioner, payment=payment, concern=concern, role="misuse"
        )
        services.change_status(
            user=practitioner, payment=payment, to_status="suspended", reason="x"
        )
        services.change_status(
            user=practitioner, payment=payment, to_status="active", reason="y"
        )
        payment.refresh_from_db()
        services.change_recipient(
            user=practitioner,
            payment=payment,
            expected_version=payment.version,
            changes={"legal_basis": "s31_nominated", "recipient_name": f"N {i}"},
            reason="A new nominee",
        )
        store_document(
            user=practitioner,
            person=payment.person,
            upload=SimpleUploadedFile(f"s{i}.pdf", tiny_pdf(f"Statement {i}")),
            title=f"Statement {i}",
            kind=DocumentKind.objects.get(code="financial"),
            document_date=datetime.date(2025, 9, 1),
            provided_by="Bank",
            sensitivity="yes",
            also=lambda document: services.link_document(
                user=practitioner, direct_payment=payment, document=document
            ),
        )
    with django_assert_num_queries(len(small.captured_queries)):
        assert "Statement 2" in client.get(url).content.decode()


def test_person_page_has_a_constant_number_of_queries(
    client, practitioner, payment, django_assert_num_queries
):
    client.force_login(practitioner)
    url = reverse("budgets:person", args=[payment.person.reference])
    client.get(url)
    # 13: the page's reads plus the one audit line of this read, plus the
    # header's count of unread notifications.
    with django_assert_num_queries(13) as small:
        client.get(url)
    for _ in range(3):
        budget = services.create_budget(
            user=practitioner,
            person=payment.person,
            data={
                "care_plan_reference": "CSP",
                "effective_from": datetime.date(2024, 1, 1),
                "total_cost": Decimal("1000"),
                "adult_contribution": Decimal("0"),
                "management": "mixed",
            },
        )
        services.create_direct_payment(
            user=practitioner, budget=budget, data=dict(PAYMENT_DATA)
        )
    with django_assert_num_queries(len(small.captured_queries)):
        client.get(url)


def test_opening_a_direct_payment_is_recorded_in_the_audit_trail(
    client, practitioner, payment
):
    from msp.models import AuditEvent

    client.force_login(practitioner)
    client.get(reverse("budgets:dp_detail", args=[payment.reference]))
    event = AuditEvent.objects.filter(action="view").latest("id")
    assert event.actor == practitioner
    assert event.object_ref == str(payment.reference)
