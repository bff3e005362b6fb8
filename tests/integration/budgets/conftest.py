"""Shared set-up for the budgets tests: a person in the team with a payment."""

import datetime
from decimal import Decimal

import pytest

from budgets import services
from budgets.models import LocalConditionType
from enquiries.factories import ConcernFactory, PersonFactory


@pytest.fixture
def person(team):
    return PersonFactory(team=team, given_name="Ada", family_name="Moss")


@pytest.fixture
def budget(person, practitioner):
    return services.create_budget(
        user=practitioner,
        person=person,
        data={
            "care_plan_reference": "CSP-100",
            "effective_from": datetime.date(2025, 4, 1),
            "total_cost": Decimal("15600.00"),
            "adult_contribution": Decimal("2600.50"),
            "management": "direct_payment",
        },
    )


PAYMENT_DATA = {
    "legal_basis": "s31_adult",
    "payment_method": "card",
    "amount": Decimal("250.00"),
    "frequency": "weekly",
    "start_date": datetime.date(2025, 8, 25),
    "first_payment_on": datetime.date(2025, 8, 31),
    "person_wants": "Choose my own carer and go swimming on Tuesdays.",
}


@pytest.fixture
def payment(budget, practitioner):
    return services.create_direct_payment(
        user=practitioner, budget=budget, data=dict(PAYMENT_DATA)
    )


@pytest.fixture
def concern(person):
    return ConcernFactory(person=person)


@pytest.fixture
def receipts_type(db):
    return LocalConditionType.objects.get(code="keep-records")


def local_condition_data(condition_type, **overrides):
    return {
        "local_type": condition_type,
        "risk_answered": "Receipts went missing last year",
        "why_nothing_less": "A monthly statement alone did not show spending",
        "agreement": "agreed",
        "person_view": "Fine, I keep them in a folder anyway.",
        "review_on": datetime.date(2026, 2, 28),
        **overrides,
    }
