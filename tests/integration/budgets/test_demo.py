"""The demo data gives a manager something in every direct payments list."""

import datetime
import io

import pytest

from budgets import selectors
from budgets.demo import create_demo_budgets
from budgets.models import Condition, DirectPayment, PersonalBudget
from msp import roles
from msp.factories import TeamFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_demo_budgets_fill_the_manager_lists():
    north = TeamFactory(code="north")
    south = TeamFactory(code="south")
    staff = {
        "practitioner": UserFactory(role=roles.PRACTITIONER, team=north),
        "manager": UserFactory(role=roles.TEAM_MANAGER, team=north),
        "teams": [north, south],
    }
    out = io.StringIO()
    create_demo_budgets(staff=staff, out=out)
    manager = staff["manager"]
    assert PersonalBudget.objects.filter(person__team=north).count() == 8
    assert DirectPayment.objects.filter(status="suspended_investigation").count() == 1
    assert (
        selectors.reviews_due(manager).filter(due_on__lt=datetime.date.today()).exists()
    )
    assert selectors.conditions_breached(manager).count() == 1
    assert selectors.linked_to_open_safeguarding(manager).get().role == "pa_source"
    assert selectors.family_exceptions_due(manager).count() == 1
    unjustified = selectors.local_conditions_unjustified(manager)
    assert [c.agreement for c in unjustified] == [Condition.Agreement.DISAGREED]
    # Running it again changes nothing.
    create_demo_budgets(staff=staff, out=out)
    assert PersonalBudget.objects.count() == 8
