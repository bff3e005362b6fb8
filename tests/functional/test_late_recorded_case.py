"""A case recorded weeks after it happened, from the concern to the manager's
sign-off, all through the app (never Django admin): every event carries the
day it happened, and the chronology marks the late entries. Two pages are
checked with axe."""

import datetime
import importlib
import re

import pytest
from django.apps import apps as django_apps
from django.urls import reverse
from playwright.sync_api import expect

from enquiries.factories import PersonFactory
from enquiries.models import Concern, DesiredOutcome, Enquiry, Meeting

pytestmark = pytest.mark.django_db(transaction=True)

TODAY = datetime.date.today()
RECEIVED = TODAY - datetime.timedelta(days=61)  # about two months ago
VIEWS_GIVEN = TODAY - datetime.timedelta(days=58)
DECIDED = TODAY - datetime.timedelta(weeks=6)
MEETING = TODAY - datetime.timedelta(weeks=5)
FINDINGS = TODAY - datetime.timedelta(weeks=4)
OUTCOME = TODAY - datetime.timedelta(weeks=3)
EVALUATED = TODAY - datetime.timedelta(weeks=2)
CONCLUDED = TODAY - datetime.timedelta(weeks=1)


def day(value: datetime.date) -> str:
    return f"{value.day} {value:%B %Y}"


@pytest.fixture(autouse=True)
def _roles(transactional_db):
    """Live-server tests flush the database after each test, taking the roles'
    groups (made by a data migration) with it: put them back."""
    roles = importlib.import_module("msp.migrations.0002_roles")
    roles.create_roles(django_apps, None)


def record_views(page, words, given_on=None):
    page.get_by_role("link", name="Record the adult's views").click()
    page.check("input[name=source][value=adult]")
    page.check("input[name=method][value=face_to_face]")
    page.get_by_label("What they said").fill(words)
    if given_on:
        page.get_by_label("Date they gave their views (or were tried)").fill(
            given_on.isoformat()
        )
    page.get_by_role("button", name="Save views").click()
    expect(page.get_by_text(words).first).to_be_visible()


def test_a_case_recorded_late_from_concern_to_sign_off(
    page, live_server, sign_in, practitioner, manager, team, assert_accessible
):
    visited: list[str] = []
    page.on("request", lambda request: visited.append(request.url))
    person = PersonFactory(
        team=team,
        given_name="Iris",
        family_name="Marlow",
        date_of_birth=datetime.date(1940, 6, 2),
    )
    sign_in(practitioner)

    # The concern, received two months ago.
    page.goto(live_server.url + person.get_absolute_url())
    page.get_by_role("link", name="Record a concern").click()
    page.get_by_label("Date received").fill(RECEIVED.isoformat())
    page.check("input[name=received_via][value=phone]")
    page.check("input[name=referrer_type][value=health]")
    page.get_by_label("What happened").fill("Her nephew has been taking her pension.")
    page.check("input[name=adult_aware][value=yes]")
    page.get_by_role("button", name="Save and continue").click()
    expect(page.get_by_role("heading", name="Add an alleged risk")).to_be_visible()
    page.check("input[name=risk_type][value=financial_material]")
    page.check("input[name=location][value=own_home]")
    page.check("input[name=source][value=known]")
    page.get_by_role("button", name="Save and continue").click()
    expect(page).to_have_url(re.compile(r"/concerns/"))
    concern = Concern.objects.get(person=person)
    assert concern.received_on == RECEIVED

    page.get_by_role("link", name="The adult's views").click()
    record_views(page, "I want my money to be safe.", given_on=VIEWS_GIVEN)
    page.goto(live_server.url + concern.get_absolute_url())
    page.get_by_role("link", name="What the adult wants to happen").click()
    page.get_by_role("link", name="Add a desired outcome").click()
    page.get_by_label("What they want to happen, in their own words").fill(
        "I want to stay in my flat and keep my own bank card."
    )
    page.check("input[name=expressed_by][value=adult]")
    page.get_by_role("button", name="Save desired outcome").click()

    page.goto(live_server.url + concern.get_absolute_url())
    page.get_by_role("link", name="Three-part test").click()
    for name in (
        "criterion_care_needs",
        "criterion_abuse",
        "criterion_unable_to_protect",
    ):
        page.check(f"input[name={name}][value=yes]")
        page.fill(f"textarea[name={name}_reason]", "Met: see the concern.")
    page.get_by_role("button", name="Save the three-part test").click()

    # The decision, made six weeks ago; a day before the concern is refused.
    page.get_by_role("link", name="Decision").click()
    page.check("input[name=decision][value=section_42]")
    page.get_by_label("Reasons for the decision").fill("All three parts met.")
    page.get_by_label("Date of the decision").fill(
        (RECEIVED - datetime.timedelta(days=1)).isoformat()
    )
    page.get_by_role("button", name="Record the decision").click()
    expect(page.get_by_role("heading", name="There is a problem")).to_be_visible()
    expect(
        page.get_by_text("must be on or after the date the concern was received").first
    ).to_be_visible()
    assert_accessible(page)  # the decision page, in its error state
    page.get_by_label("Date of the decision").fill(DECIDED.isoformat())
    page.get_by_role("button", name="Record the decision").click()
    expect(page.get_by_text("Section 42 enquiry").first).to_be_visible()
    enquiry = Enquiry.objects.get(concern=concern)
    assert enquiry.started_on == DECIDED

    # Planning: the strategy discussion five weeks ago.
    page.goto(live_server.url + enquiry.get_absolute_url())
    page.get_by_role("link", name="Planning").click()
    page.get_by_role("link", name="Record a strategy discussion or meeting").click()
    page.get_by_label("Strategy discussion", exact=True).check()
    page.get_by_label("Date of the discussion or meeting").fill(MEETING.isoformat())
    page.get_by_label("Phone", exact=True).check()
    page.get_by_label("Who attended, and their organisations").fill("Pat (council)")
    page.locator("#id_adult_invited_1").check()
    page.locator("#id_adult_attended_1").check()
    page.get_by_label("The council").check()
    page.get_by_role("button", name="Save meeting").click()
    expect(page.get_by_text("Meeting recorded")).to_be_visible()
    assert Meeting.objects.get(enquiry=enquiry).held_on == MEETING
    record_views(page, "Please sort it out with the bank.", given_on=MEETING)
    page.get_by_role("button", name="Planning done: start the enquiry").click()

    # The enquiry, the outcome and the plan.
    expect(page.get_by_role("heading", name="The enquiry")).to_be_visible()
    page.get_by_label("What the enquiry found").fill("The nephew used her card.")
    page.get_by_label("Date of the findings").fill(FINDINGS.isoformat())
    page.get_by_label("Who was spoken to").fill("The adult; her bank")
    page.locator("#id_seen_alone_1").check()
    page.get_by_role("button", name="Save findings").click()
    expect(page.get_by_text("Findings saved")).to_be_visible()
    record_views(page, "The bank was helpful.")
    page.get_by_role("link", name="record the outcome").click()
    page.get_by_label("Risk identified and action taken", exact=True).check()
    page.get_by_label("Risk reduced", exact=True).check()
    page.get_by_label("Police", exact=True).check()
    page.get_by_label("Date of the outcome").fill(OUTCOME.isoformat())
    page.locator("#id_lacked_capacity_2").check()
    page.get_by_role("button", name="Save outcome").click()
    expect(page.get_by_text("Outcome saved")).to_be_visible()
    record_views(page, "I feel safer.")
    page.get_by_role("button", name="Enquiry done: confirm the outcome").click()
    page.get_by_role("button", name="Put the safeguarding plan in place").click()
    expect(
        page.get_by_role("heading", name="Safeguarding plan", level=1)
    ).to_be_visible()
    record_views(page, "The plan is fine.")

    # The outcomes evaluated with her two weeks ago.
    page.goto(live_server.url + enquiry.get_absolute_url())
    page.get_by_role(
        "link", name="Evaluate the desired outcomes with the adult"
    ).click()
    page.check("input[name=evaluated_with][value=adult]")
    page.locator("input[name$=_achieved][value=fully]").check()
    page.get_by_label("Date of the evaluation").fill(EVALUATED.isoformat())
    page.get_by_role("button", name=re.compile("Save")).click()
    expect(page.get_by_role("heading", name="There is a problem")).to_have_count(0)
    assert DesiredOutcome.objects.get(person=person).evaluated_on == EVALUATED

    # Closure, concluded a week ago, then the manager signs off.
    page.goto(
        live_server.url + reverse("enquiries:enquiry_plan", args=[enquiry.reference])
    )
    page.get_by_role("link", name="Ask for the enquiry to be closed").click()
    record_views(page, "You can close it.")
    page.get_by_label("Risk removed or reduced and the adult is satisfied").check()
    page.get_by_label("Agrees with closure").check()
    page.get_by_label("The adult agrees to closure").check()
    page.locator("#id_sar_considered_2").check()
    page.get_by_label("Date the enquiry concluded").fill(CONCLUDED.isoformat())
    page.get_by_role("button", name="Save and ask a manager to sign off").click()
    expect(page.get_by_text("Closure requested")).to_be_visible()

    page = sign_in(manager)
    page.goto(live_server.url + enquiry.get_absolute_url())
    page.get_by_role("link", name="Review the closure request").click()
    expect(page.get_by_label("Date the enquiry concluded")).to_have_value(
        CONCLUDED.isoformat()
    )
    page.get_by_role("button", name="Sign off and close the enquiry").click()
    expect(page.get_by_text("Closure signed off")).to_be_visible()

    enquiry.refresh_from_db()
    assert enquiry.status == Enquiry.Status.CLOSED
    assert (enquiry.started_on, enquiry.concluded_on) == (DECIDED, CONCLUDED)
    assert (enquiry.findings_on, enquiry.outcome_on) == (FINDINGS, OUTCOME)

    # The chronology: each event on the day it happened, marked as a late
    # entry recorded today.
    page.goto(live_server.url + person.get_absolute_url())
    page.get_by_role("link", name="Chronology").first.click()
    for happened in (DECIDED, MEETING, FINDINGS, OUTCOME, CONCLUDED):
        expect(
            page.locator(f"time[datetime='{happened.isoformat()}']").first
        ).to_have_text(day(happened))
    expect(page.get_by_text("Late entry").first).to_be_visible()
    expect(page.get_by_text(f"Recorded on {day(TODAY)}").first).to_be_visible()
    assert_accessible(page)

    assert not [url for url in visited if "/admin" in url]
