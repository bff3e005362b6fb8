"""seed_demo gives each demo login that works on cases a few notifications."""

import io

import pytest

from budgets.demo import create_demo_budgets
from msp import notifications, roles
from msp.factories import TeamFactory, UserFactory
from msp.models import Notification
from msp.notification_demo import create_demo_notifications

pytestmark = pytest.mark.django_db


def test_demo_logins_get_a_few_notifications_they_may_open():
    north = TeamFactory(code="north")
    south = TeamFactory(code="south")
    staff = {
        "practitioner": UserFactory(role=roles.PRACTITIONER, team=north),
        "manager": UserFactory(role=roles.TEAM_MANAGER, team=north),
        "lead": UserFactory(role=roles.SAFEGUARDING_LEAD),
        "teams": [north, south],
    }
    out = io.StringIO()
    create_demo_budgets(staff=staff, out=out)
    create_demo_notifications(staff=staff, out=out)
    for username in ("practitioner", "manager", "lead"):
        user = staff[username]
        shown = notifications.notification_page(user).rows
        assert len(shown) >= 2, username
        # One read, the rest new.
        assert notifications.unread_count(user) == len(shown) - 1
        assert all(row.url for row in shown)
    # Running it again adds nothing.
    before = Notification.objects.count()
    create_demo_notifications(staff=staff, out=out)
    assert Notification.objects.count() == before
