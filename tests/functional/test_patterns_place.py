"""The same place: a practitioner records where the harm happened (a day
centre's postcode, typed loosely and once wrongly), the third concern at
that postcode within three months raises a flag, and the decision page shows
it with only what the practitioner may see (checked with axe)."""

import datetime

import pytest
from playwright.sync_api import expect

from enquiries import codes
from enquiries.factories import ConcernFactory, PersonFactory
from enquiries.models import PatternFlag, PatternRule, Risk
from enquiries.services import patterns

pytestmark = pytest.mark.django_db(transaction=True)


def test_third_concern_at_one_postcode_raises_a_place_pattern(
    page, live_server, sign_in, practitioner, team, other_team, assert_accessible
):
    PatternRule.objects.update_or_create(
        kind="location",
        defaults={"threshold": 3, "window_months": 3, "is_active": True},
    )
    today = datetime.date.today()
    for days_ago, person in (
        (40, PersonFactory(team=team, family_name="Ashdown")),
        (12, PersonFactory(team=other_team, family_name="Birtles")),
    ):
        concern = ConcernFactory(
            person=person, received_on=today - datetime.timedelta(days=days_ago)
        )
        Risk.objects.create(
            concern=concern,
            risk_type=codes.RiskType.PHYSICAL,
            location=codes.RiskLocation.COMMUNITY_SERVICE,
            source=codes.RiskSource.UNKNOWN,
            place_postcode="NE1 4ST",
        )
        patterns.check_concern(concern)
    assert not PatternFlag.objects.exists()
    third = ConcernFactory(
        person=PersonFactory(team=team, family_name="Cawley"), received_on=today
    )

    sign_in(practitioner)
    page.goto(f"{live_server.url}/concerns/{third.reference}/risks/add/")
    page.check("input[name=risk_type][value=physical]")
    page.check("input[name=location][value=community_service]")
    page.check("input[name=source][value=unknown]")
    postcode = page.get_by_label("Postcode of the place where it happened (optional)")
    postcode.fill("NE1 4")
    page.get_by_label("Name of the place (optional)").fill("Riverside Day Centre")
    page.get_by_role("button", name="Save and continue").click()
    expect(page.get_by_role("heading", name="There is a problem")).to_be_visible()
    expect(page.locator(".govuk-error-summary")).to_contain_text(
        "Enter a real postcode, like NE1 4ST"
    )
    # What was typed is kept.
    expect(page.get_by_label("Name of the place (optional)")).to_have_value(
        "Riverside Day Centre"
    )
    assert_accessible(page)
    page.get_by_label("Postcode of the place where it happened (optional)").fill(
        "ne14st"
    )
    page.get_by_role("button", name="Save and continue").click()
    expect(page.get_by_text("Risk recorded")).to_be_visible()
    flag = PatternFlag.objects.get(kind="location")
    assert flag.postcode == "NE1 4ST" and flag.concern_count == 3

    page.goto(f"{live_server.url}/concerns/{third.reference}/decision/")
    card = page.locator(".app-pattern-flag")
    expect(card).to_have_count(1)
    expect(card).to_contain_text("The same place")
    expect(card).to_contain_text("NE1 4ST")
    expect(card).to_contain_text("and 1 record you cannot see: ask a lead")
    expect(card.get_by_role("link", name="Ashdown")).to_be_visible()
    expect(card).not_to_contain_text("Birtles")
    assert_accessible(page)
