"""A practitioner takes an enquiry from planning to a closure request; a
manager reviews it and signs off. Every page visited is checked with axe."""

import datetime

from playwright.sync_api import expect

from enquiries.factories import (
    DesiredOutcomeFactory,
    EnquiryFactory,
    PersonViewFactory,
)
from enquiries.models import Enquiry

TODAY = datetime.date.today().isoformat()


def record_views(page, assert_accessible, words):
    page.get_by_role("link", name="Record the adult's views").click()
    assert_accessible(page)
    page.get_by_label("The adult", exact=True).check()
    page.get_by_label("Face to face").check()
    page.get_by_label("What they said").fill(words)
    page.get_by_role("button", name="Save views").click()
    expect(page.get_by_text(words)).to_be_visible()


def test_enquiry_from_planning_to_sign_off(
    live_server, sign_in, practitioner, manager, team, assert_accessible
):
    enquiry = EnquiryFactory(
        status="planning", concern__person__team=team, allocated_to=practitioner
    )
    person = enquiry.concern.person
    PersonViewFactory(person=person, concern=enquiry.concern)
    DesiredOutcomeFactory(
        person=person, concern=enquiry.concern, text="I want to stay in my flat."
    )
    page = sign_in(practitioner)

    page.goto(live_server.url + enquiry.get_absolute_url())
    expect(page.get_by_role("heading", level=1)).to_contain_text(person.full_name)
    expect(page.get_by_text("I want to stay in my flat.")).to_be_visible()
    assert_accessible(page)

    # Planning: a strategy discussion, and the adult's views.
    page.get_by_role("link", name="Planning").click()
    assert_accessible(page)
    page.get_by_role("link", name="Record a strategy discussion or meeting").click()
    page.get_by_label("Strategy discussion", exact=True).check()
    page.get_by_label("Date of the discussion or meeting").fill(TODAY)
    page.get_by_label("Phone", exact=True).check()
    page.get_by_label("Who attended, and their organisations").fill(
        "Pat (council)\nDC Khan (police)"
    )
    page.locator("#id_adult_invited_1").check()
    page.locator("#id_adult_attended_2").check()
    page.get_by_label("How the adult's views were brought to the meeting").fill(
        "Pat read out what she said on the phone."
    )
    page.get_by_label("The council").check()
    page.get_by_label("Interim protection plan").fill("Daily welfare calls")
    assert_accessible(page)
    page.get_by_role("button", name="Save meeting").click()
    expect(page.get_by_text("Daily welfare calls")).to_be_visible()
    record_views(page, assert_accessible, "I do not want him to visit any more.")
    page.get_by_role("button", name="Planning done: start the enquiry").click()

    # The enquiry: findings and the adult's views.
    expect(page.get_by_role("heading", name="The enquiry")).to_be_visible()
    assert_accessible(page)
    page.get_by_label("What the enquiry found").fill(
        "Her nephew took her bank card on three visits."
    )
    page.get_by_label("Who was spoken to").fill("The adult; her bank; the GP")
    page.locator("#id_seen_alone_1").check()
    page.get_by_role("button", name="Save findings").click()
    expect(page.get_by_text("Findings saved")).to_be_visible()
    record_views(page, assert_accessible, "I am glad you spoke to the bank.")
    page.get_by_role("link", name="record the outcome").click()

    # Outcome: SAC outcome and result, capacity, then views and move on.
    expect(page.get_by_role("heading", name="Outcome", exact=True)).to_be_visible()
    assert_accessible(page)
    page.get_by_label("Risk identified and action taken", exact=True).check()
    page.get_by_label("Risk reduced", exact=True).check()
    page.get_by_label("Police", exact=True).check()
    page.locator("#id_lacked_capacity_2").check()
    page.get_by_role("button", name="Save outcome").click()
    expect(page.get_by_text("Outcome saved")).to_be_visible()
    record_views(page, assert_accessible, "I feel safer now the card is cancelled.")
    page.get_by_role("button", name="Enquiry done: confirm the outcome").click()
    expect(page.get_by_text("The enquiry is now: Outcome recorded")).to_be_visible()
    page.get_by_role("button", name="Put the safeguarding plan in place").click()

    # Safeguarding plan: an action serving her desired outcome.
    expect(
        page.get_by_role("heading", name="Safeguarding plan", level=1)
    ).to_be_visible()
    assert_accessible(page)
    page.get_by_role("link", name="Add an action").click()
    page.get_by_label("What will be done").fill("Set up a third-party mandate")
    page.get_by_label("Who will do it").fill("Pat, with the bank")
    page.get_by_label("Due date").fill(TODAY)
    page.get_by_label("In progress").check()
    page.get_by_label("I want to stay in my flat.").check()
    assert_accessible(page)
    page.get_by_role("button", name="Save action").click()
    expect(
        page.get_by_role("cell", name="Set up a third-party mandate")
    ).to_be_visible()
    record_views(page, assert_accessible, "The plan is fine by me.")

    # Closure: views, details, then ask a manager.
    page.get_by_role("link", name="Ask for the enquiry to be closed").click()
    expect(page.get_by_role("heading", name="Closure", level=1)).to_be_visible()
    expect(page.get_by_text("has not been recorded")).to_be_visible()
    assert_accessible(page)
    record_views(page, assert_accessible, "I am happy for you to close it.")
    page.get_by_label("Risk removed or reduced and the adult is satisfied").check()
    page.get_by_label("Agrees with closure").check()
    page.get_by_label("The adult agrees to closure").check()
    page.locator("#id_sar_considered_2").check()
    page.get_by_role("textbox", name="Lessons learned").fill("Ask banks sooner.")
    page.get_by_role("button", name="Save and ask a manager to sign off").click()
    expect(page.get_by_text("Closure requested")).to_be_visible()
    assert_accessible(page)

    # The manager reviews and signs off.
    page = sign_in(manager)
    page.goto(live_server.url + enquiry.get_absolute_url())
    page.get_by_role("link", name="Review the closure request").click()
    expect(page.get_by_text("I am happy for you to close it.")).to_be_visible()
    expect(page.get_by_text("Set up a third-party mandate")).to_be_visible()
    assert_accessible(page)
    page.get_by_role("button", name="Sign off and close the enquiry").click()
    expect(page.get_by_text("Closure signed off")).to_be_visible()
    assert_accessible(page)

    enquiry.refresh_from_db()
    assert enquiry.status == Enquiry.Status.CLOSED
    assert enquiry.signed_off_by == manager
    assert enquiry.closure_requested_by == practitioner
    assert enquiry.plan_actions.get().desired_outcomes.get().text == (
        "I want to stay in my flat."
    )
    assert set(enquiry.views.values_list("stage", flat=True)) == {
        "planning",
        "enquiry",
        "outcome",
        "plan",
        "closure",
    }
