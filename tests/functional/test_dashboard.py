"""A manager looks at what safeguarding achieved, filters it and downloads it."""

import csv
import importlib
import io
from pathlib import Path

import pytest
from django.apps import apps as django_apps
from playwright.sync_api import expect

from enquiries.factories import DesiredOutcomeFactory, EnquiryFactory
from tests.unit.outcomes.test_reports import build_caseload

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def _data_from_migrations(transactional_db):
    """Live-server tests flush the database after each test, taking with it
    what data migrations made: put back the roles and the question bank."""
    roles = importlib.import_module("msp.migrations.0002_roles")
    bank = importlib.import_module(
        "outcomes.migrations.0002_default_feedback_questions"
    )
    roles.create_roles(django_apps, None)
    bank.create_bank(django_apps, None)


@pytest.fixture
def caseload(team, other_team, manager):
    return build_caseload(team, other_team, manager)


def test_manager_filters_the_dashboard_and_downloads_the_figures(
    live_server, sign_in, assert_accessible, manager, caseload
):
    page = sign_in(manager)
    page.goto(f"{live_server.url}/")
    page.get_by_role("link", name="Reports").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(
        "Making Safeguarding Personal"
    )
    assert_accessible(page)

    page.get_by_text("Filter the figures").click()
    page.get_by_label("Financial year").select_option("2025-26")
    page.get_by_role("button", name="Apply filters").click()
    expect(page.get_by_text("1 April 2025", exact=True)).to_be_visible()
    # The pattern figures follow the period chosen.
    expect(page.locator("#pattern-figures caption")).to_contain_text(
        "1 April 2025 to 31 March 2026"
    )
    asked = page.get_by_role("row").filter(
        has_text="The adult (or their representative) was asked"
    )
    expect(asked).to_contain_text("80.0%")
    expect(page.locator("svg.app-chart").first).to_have_attribute("role", "img")

    with page.expect_download() as download_info:
        page.get_by_role("link", name="Download every figure (CSV)").click()
    download = download_info.value
    rows = list(csv.reader(io.StringIO(Path(download.path()).read_text())))
    concluded = next(row for row in rows if row[1] == "Concluded enquiries")
    assert concluded[2] == "5"

    page.get_by_role("link", name="Fully achieved").first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Fully achieved")
    expect(page.get_by_role("link", name="Ann Testperson")).to_be_visible()
    expect(page.get_by_text("Hal Testperson")).to_have_count(0)
    assert_accessible(page)


def test_equality_and_exceptions_pages_are_accessible(
    live_server, sign_in, assert_accessible, manager, caseload
):
    page = sign_in(manager)
    page.goto(f"{live_server.url}/outcomes/equality/?year=2025-26")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Equality")
    expect(page.get_by_role("img").first).to_be_visible()
    assert_accessible(page)
    page.get_by_role("link", name="Exceptions").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Exceptions")
    expect(page.get_by_role("link", name="Eve Testperson")).to_be_visible()
    assert_accessible(page)


def test_practitioner_evaluates_outcomes_with_the_adult(
    live_server, sign_in, assert_accessible, practitioner, team
):
    enquiry = EnquiryFactory(
        concern__person__team=team,
        status="closure_requested",
        asked_desired_outcomes="yes",
    )
    for text in ("I want to feel safe at night.", "I want my money back."):
        DesiredOutcomeFactory(person=enquiry.concern.person, enquiry=enquiry, text=text)
    page = sign_in(practitioner)
    page.goto(f"{live_server.url}/outcomes/enquiry/{enquiry.reference}/evaluate/")
    assert_accessible(page)
    outcome_1 = page.get_by_role("group", name="Outcome 1: was it achieved?")
    outcome_1.get_by_label("Fully achieved").check()
    outcome_2 = page.get_by_role("group", name="Outcome 2: was it achieved?")
    outcome_2.get_by_label("Not achieved").check()
    page.get_by_label("What they said about outcome 1 (optional)").fill(
        "I sleep with the light off now."
    )
    page.get_by_label("The adult", exact=True).check()
    overall = page.get_by_role(
        "group", name="Were the outcomes the adult wanted achieved?"
    )
    overall.get_by_label("Fully achieved").check()
    page.get_by_role("button", name="Save evaluation").click()
    expect(page.get_by_role("alert")).to_contain_text(
        "Enter why the answer differs from what the ratings suggest"
    )
    assert_accessible(page)
    page.get_by_label("Why is this different").fill(
        "She says feeling safe was the only thing that mattered."
    )
    page.get_by_role("button", name="Save evaluation").click()
    expect(page.get_by_text("Outcomes evaluated with the adult")).to_be_visible()
    enquiry.refresh_from_db()
    assert enquiry.outcomes_achieved == "fully"
