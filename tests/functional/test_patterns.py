"""Three concerns about one provider within a month: the third risk recorded
names the provider, a flag is raised, and a safeguarding lead sees it on the
patterns page (checked with axe) and acknowledges it with a note."""

import datetime
import importlib

import pytest
from django.apps import apps as django_apps
from playwright.sync_api import expect

from enquiries import codes
from enquiries.factories import (
    ConcernFactory,
    OrganisationFactory,
    PersonFactory,
    RiskFactory,
)
from enquiries.models import PatternFlag, PatternRule
from enquiries.services import patterns

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def _data_from_migrations(transactional_db):
    """Live-server tests flush the database after each test, taking what data
    migrations made: put back the roles and the pattern rules."""
    importlib.import_module("msp.migrations.0002_roles").create_roles(django_apps, None)
    importlib.import_module(
        "enquiries.migrations.0019_patterns_and_override_disagreement"
    ).add_default_rules(django_apps, None)


def test_three_concerns_about_a_provider_raise_a_flag_a_lead_acknowledges(
    page, live_server, sign_in, practitioner, lead, team, assert_accessible
):
    assert PatternRule.objects.get(kind="organisation").explanation == (
        "3 or more concerns within a month"
    )
    home = OrganisationFactory(name="Larch House")
    today = datetime.date.today()
    for days_ago, name in ((20, "Ashdown"), (9, "Birtles")):
        concern = ConcernFactory(
            person=PersonFactory(team=team, family_name=name),
            received_on=today - datetime.timedelta(days=days_ago),
        )
        RiskFactory(
            concern=concern,
            source=codes.RiskSource.SERVICE_PROVIDER,
            source_organisation=home,
            source_person_name="",
        )
        patterns.check_concern(concern)
    assert not PatternFlag.objects.exists()
    third = ConcernFactory(
        person=PersonFactory(team=team, family_name="Cawley"), received_on=today
    )

    # The practitioner records the third concern's alleged risk.
    sign_in(practitioner)
    page.goto(f"{live_server.url}/concerns/{third.reference}/risks/add/")
    page.check("input[name=risk_type][value=neglect_omission]")
    page.check("input[name=location][value=care_home_residential]")
    page.check("input[name=source][value=service_provider]")
    page.get_by_label("The provider organisation (optional)").select_option(
        label="Larch House"
    )
    page.get_by_role("button", name="Save and continue").click()
    expect(page.get_by_text("Neglect", exact=False).first).to_be_visible()
    flag = PatternFlag.objects.get()
    assert flag.organisation == home and flag.concern_count == 3

    # The lead finds it on the patterns page and acknowledges it.
    page.context.clear_cookies()
    sign_in(lead)
    page.goto(f"{live_server.url}/")
    page.get_by_role("link", name="Patterns").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Patterns")
    card = page.locator(".app-pattern-flag")
    expect(card).to_have_count(1)
    expect(card).to_contain_text("Larch House")
    expect(card).to_contain_text("3 concerns")
    for name in ("Ashdown", "Birtles", "Cawley"):
        expect(card.get_by_role("link", name=name)).to_be_visible()
    assert_accessible(page)

    card.get_by_role("link", name="Acknowledge").click()
    page.get_by_role("button", name="Acknowledge the pattern").click()
    expect(page.get_by_role("heading", name="There is a problem")).to_be_visible()
    assert_accessible(page)
    page.get_by_label("What have you considered or decided?").fill(
        "Contracts told; large-scale enquiry to be considered on Monday."
    )
    page.get_by_role("button", name="Acknowledge the pattern").click()
    expect(page.get_by_text("Pattern acknowledged")).to_be_visible()
    expect(page.locator(".app-pattern-flag")).to_contain_text(
        "Contracts told; large-scale enquiry"
    )
    assert_accessible(page)
    flag.refresh_from_db()
    assert flag.acknowledged_by == lead
