"""Every case page carries the identity bar: who the case is about, their death
if recorded, and links to the person, the concern and the enquiry. Budget and
direct-payment pages link back to the person. The bar costs no query per row."""

import datetime
import re
from decimal import Decimal

import pytest
from django.urls import reverse

from budgets import services as budget_services
from enquiries.factories import (
    ConcernFactory,
    DesiredOutcomeFactory,
    EnquiryFactory,
    PersonFactory,
    PersonViewFactory,
)

pytestmark = pytest.mark.django_db

DIED = datetime.date(2026, 3, 6)


@pytest.fixture
def adult(team):
    return PersonFactory(
        team=team, given_name="Edith", family_name="Crane", date_of_death=DIED
    )


@pytest.fixture
def concern(adult, team):
    return ConcernFactory(
        person=adult, team=team, received_on=DIED - datetime.timedelta(days=20)
    )


def _bar(html: str) -> str:
    found = re.search(r'<div class="app-identity-bar">(.*?)</nav>', html, re.S)
    assert found, "no identity bar on the page"
    return found.group(1)


def _links(bar: str) -> dict[str, str]:
    return {
        re.sub(r"<.*", "", text).strip(): href
        for href, text in re.findall(
            r'<a class="govuk-link" href="([^"]+)">(.*?)</a>', bar, re.S
        )
    }


def _check(html, person, *, concern=None, enquiry=None):
    bar = _bar(html)
    assert person.full_name in bar
    assert "Died 6 March 2026" in bar
    links = _links(bar)
    assert links["Person"] == person.get_absolute_url()
    if concern is not None:
        assert links["Concern"] == concern.get_absolute_url()
    else:
        assert "Concern" not in links
    if enquiry is not None:
        assert links["Enquiry"] == enquiry.get_absolute_url()
    else:
        assert "Enquiry" not in links


CONCERN_PAGES = [
    ("enquiries:concern_detail", False),
    ("enquiries:concern_edit", False),
    ("enquiries:risk_add", False),
    ("enquiries:concern_test", False),
    ("enquiries:concern_decision", False),
    ("enquiries:view_list", True),
    ("enquiries:view_add", True),
    ("enquiries:desired_outcomes", True),
    ("enquiries:desired_outcome_add", True),
    ("enquiries:consent_list", True),
    ("enquiries:consent_add", True),
]


@pytest.mark.parametrize(("name", "by_case"), CONCERN_PAGES)
def test_concern_pages_carry_the_bar(client, practitioner, concern, name, by_case):
    client.force_login(practitioner)
    args = ["concern", concern.reference] if by_case else [concern.reference]
    response = client.get(reverse(name, args=args))
    assert response.status_code == 200
    _check(response.content.decode(), concern.person, concern=concern)


@pytest.mark.parametrize(
    "name",
    ["enquiries:view_list", "enquiries:desired_outcomes", "enquiries:consent_list"],
)
def test_enquiry_voice_pages_link_person_concern_and_enquiry(
    client, practitioner, adult, name
):
    enquiry = EnquiryFactory(
        status="planning", concern__person=adult, allocated_to=practitioner
    )
    client.force_login(practitioner)
    html = client.get(
        reverse(name, args=["enquiry", enquiry.reference])
    ).content.decode()
    _check(html, adult, concern=enquiry.concern, enquiry=enquiry)


def test_the_person_page_carries_the_bar(client, practitioner, adult):
    client.force_login(practitioner)
    html = client.get(adult.get_absolute_url()).content.decode()
    _check(html, adult)


def test_a_living_adult_has_no_death_in_the_bar(client, practitioner, team):
    living = PersonFactory(team=team, date_of_death=None)
    client.force_login(practitioner)
    bar = _bar(client.get(living.get_absolute_url()).content.decode())
    assert "Died" not in bar


@pytest.fixture
def payment(adult, practitioner):
    budget = budget_services.create_budget(
        user=practitioner,
        person=adult,
        data={
            "care_plan_reference": "CSP-7",
            "effective_from": datetime.date(2025, 4, 1),
            "total_cost": Decimal("1200.00"),
            "adult_contribution": Decimal("0.00"),
            "management": "direct_payment",
        },
    )
    return budget_services.create_direct_payment(
        user=practitioner,
        budget=budget,
        data={
            "legal_basis": "s31_adult",
            "payment_method": "card",
            "amount": Decimal("50.00"),
            "frequency": "weekly",
            "start_date": datetime.date(2025, 8, 25),
            "first_payment_on": datetime.date(2025, 8, 31),
            "person_wants": "Choose my own carer.",
        },
    )


def test_budget_and_direct_payment_pages_link_back_to_the_person(
    client, practitioner, adult, payment
):
    client.force_login(practitioner)
    for url in (
        reverse("budgets:person", args=[adult.reference]),
        reverse("budgets:budget_detail", args=[payment.personal_budget.reference]),
        reverse("budgets:dp_detail", args=[payment.reference]),
    ):
        response = client.get(url)
        assert response.status_code == 200, url
        _check(response.content.decode(), adult)


def test_the_concern_page_costs_no_more_queries_with_more_words(
    client, practitioner, concern, django_assert_max_num_queries
):
    client.force_login(practitioner)
    PersonViewFactory(person=concern.person, concern=concern)
    DesiredOutcomeFactory(person=concern.person, concern=concern)
    url = concern.get_absolute_url()
    client.get(url)
    with django_assert_max_num_queries(100) as few:
        client.get(url)
    for _ in range(4):
        PersonViewFactory(person=concern.person, concern=concern)
        DesiredOutcomeFactory(person=concern.person, concern=concern)
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert client.get(url).status_code == 200


def test_budget_form_pages_carry_the_adults_identity_bar(
    client, practitioner, adult, payment
):
    client.force_login(practitioner)
    budget = payment.personal_budget
    for url in (
        reverse("budgets:budget_create", args=[adult.reference]),
        reverse("budgets:budget_edit", args=[budget.reference]),
        reverse("budgets:dp_create", args=[budget.reference]),
        reverse("budgets:dp_edit", args=[payment.reference]),
        reverse("budgets:dp_end", args=[payment.reference]),
    ):
        response = client.get(url)
        assert response.status_code == 200, url
        _check(response.content.decode(), adult)
