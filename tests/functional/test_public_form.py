"""A member of the public raises a concern; a practitioner triages it.

Run in a real browser, with JavaScript on and off, and checked with axe on
every page of the journey, including its error states.
"""

import re

import pytest
from django.contrib.auth.models import Group, Permission
from django.core.cache import cache
from playwright.sync_api import expect

from enquiries import codes
from enquiries.models import Concern, PersonView, PublicSubmission
from msp import roles
from msp.factories import UserFactory


@pytest.fixture(autouse=True)
def _exit_to_a_local_page(settings):
    # The test machine has no internet: "Exit this page" goes to our own page.
    settings.EXIT_THIS_PAGE_URL = "/accessibility/"
    cache.clear()
    yield
    cache.clear()


def fill_journey(page, base, check):
    """Answer every question, checking each page (and one error) with axe."""
    page.goto(base + "/raise-a-concern/")
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Raise a safeguarding concern about an adult"
    )
    check(page)
    page.get_by_role("link", name="staying safe online").click()
    expect(page.get_by_role("heading", name="Staying safe online")).to_be_visible()
    check(page)
    page.get_by_role("link", name="Continue to raise a concern").click()
    expect(
        page.get_by_role("heading", name="Leaving this site quickly")
    ).to_be_visible()
    check(page)
    page.get_by_role("button", name="Continue").click()

    # Who are you? (with an error first)
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_role("heading", name="There is a problem")).to_be_visible()
    expect(page).to_have_title(re.compile("^Error: "))
    check(page)
    page.get_by_label("A family member").check()
    page.get_by_role("button", name="Continue").click()

    expect(page.get_by_role("heading", name="About the adult")).to_be_visible()
    page.get_by_label("Postcode (optional)").fill("nonsense")
    page.get_by_role("button", name="Continue").click()
    expect(
        page.get_by_role("link", name="Enter a real postcode, like NE1 4ST")
    ).to_be_visible()
    check(page)
    page.get_by_label("Their name, or what they are known as").fill("Mary Smith")
    page.get_by_label("Their approximate age (optional)").fill("82")
    page.get_by_label("Their address, or where they can be found").fill("1 High Street")
    page.get_by_label("Postcode (optional)").fill("NE1 4ST")
    page.get_by_role("button", name="Continue").click()

    expect(page.get_by_role("heading", name="What is happening?")).to_be_visible()
    check(page)
    page.get_by_label("What is happening?").fill("Her son takes her pension.")
    page.get_by_role("button", name="Continue").click()
    page.get_by_label("Where is it happening?").fill("At her home")
    check(page)
    page.get_by_role("button", name="Continue").click()
    page.get_by_label("Who is causing the harm, if you know? (optional)").fill(
        "Her son"
    )
    check(page)
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_text("call 999 now")).to_be_visible()
    check(page)
    page.get_by_label("No", exact=True).check()
    page.get_by_role("button", name="Continue").click()
    page.get_by_label("Yes", exact=True).check()
    page.get_by_label(re.compile("What does the adult want to happen")).fill(
        "She wants to keep her money."
    )
    check(page)
    page.get_by_role("button", name="Continue").click()
    page.get_by_label("Yes, you can contact me").check()
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_role("link", name="Enter your name")).to_be_visible()
    check(page)
    page.get_by_label("Your name").fill("Jo Smith")
    page.get_by_label("Phone number").fill("01632 960 001")
    page.get_by_role("button", name="Continue").click()

    expect(
        page.get_by_role(
            "heading", name="Check your answers before sending your concern"
        )
    ).to_be_visible()
    check(page)


def send_and_confirm(page, check):
    page.get_by_role("button", name="Send concern").click()
    expect(page.get_by_role("heading", name="Concern sent")).to_be_visible()
    check(page)
    submission = PublicSubmission.objects.get()
    expect(page.get_by_text(submission.reference)).to_be_visible()
    return submission


def _no_check(page):
    # axe needs JavaScript to run, so it checks these same pages (and their
    # error states) in test_public_form_with_javascript.
    return None


def test_public_form_without_javascript(browser, live_server, team):
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.set_default_timeout(10_000)
    fill_journey(page, live_server.url, _no_check)
    assert "govuk-frontend-supported" not in page.eval_on_selector(
        "body", "b => b.className"
    )
    # Change an answer from check-your-answers, then come back.
    page.get_by_role("link", name="Change name").click()
    expect(page.get_by_label("Their name, or what they are known as")).to_have_value(
        "Mary Smith"
    )
    page.get_by_label("Their name, or what they are known as").fill("Mary Jones")
    page.get_by_role("button", name="Save and return").click()
    expect(page.get_by_text("Mary Jones")).to_be_visible()
    # Answers are kept on Back.
    page.go_back()
    expect(page.get_by_label("Their name, or what they are known as")).to_have_value(
        "Mary Jones"
    )
    page.goto(live_server.url + "/raise-a-concern/check-your-answers/")
    submission = send_and_confirm(page, _no_check)
    assert submission.team == team
    assert submission.answers["name"] == "Mary Jones"
    context.close()


def test_public_form_with_javascript(page, live_server, assert_accessible, team):
    fill_journey(page, live_server.url, assert_accessible)
    assert "govuk-frontend-supported" in page.eval_on_selector(
        "body", "b => b.className"
    )
    submission = send_and_confirm(page, assert_accessible)
    assert submission.answers["adult_wants"] == "She wants to keep her money."


def _start_journey(page, base):
    page.goto(base + "/raise-a-concern/who-you-are/")
    page.get_by_label("A friend or neighbour").check()
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_role("heading", name="About the adult")).to_be_visible()


def _assert_exited_and_cleared(page, base):
    expect(page).to_have_url(base + "/accessibility/")
    expect(page.get_by_role("heading", name="Accessibility statement")).to_be_visible()
    page.goto(base + "/raise-a-concern/who-you-are/")
    expect(page.get_by_label("A friend or neighbour")).not_to_be_checked()


def test_exit_button_ends_the_session(page, live_server):
    _start_journey(page, live_server.url)
    page.get_by_role("button", name="Emergency Exit this page").click()
    _assert_exited_and_cleared(page, live_server.url)


def test_shift_three_times_exits(page, live_server):
    _start_journey(page, live_server.url)
    for _ in range(3):
        page.keyboard.press("Shift")
    _assert_exited_and_cleared(page, live_server.url)


def test_secondary_exit_link_from_the_keyboard(browser, live_server):
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    _start_journey(page, live_server.url)
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")
    expect(page.locator(":focus")).to_have_text("Exit this page")
    page.keyboard.press("Enter")
    _assert_exited_and_cleared(page, live_server.url)
    context.close()


def test_too_many_attempts_page(page, live_server, assert_accessible, settings, db):
    settings.PUBLIC_FORM_POSTS_LIMIT = 2
    page.goto(live_server.url + "/raise-a-concern/who-you-are/")
    for _ in range(2):
        page.get_by_role("button", name="Continue").click()
        expect(page.get_by_role("heading", name="There is a problem")).to_be_visible()
    page.get_by_role("button", name="Continue").click()
    expect(
        page.get_by_role("heading", name="Sorry, there have been too many attempts")
    ).to_be_visible()
    assert_accessible(page)


def test_honeypot_filled_by_a_bot_saves_nothing(page, live_server, team):
    page.goto(live_server.url + "/raise-a-concern/who-you-are/")
    page.get_by_label("A friend or neighbour").check()
    page.eval_on_selector("#id_website", "el => { el.value = 'http://spam.example' }")
    page.get_by_role("button", name="Continue").click()
    answers = {
        "Their name, or what they are known as": "Bot",
        "Their address, or where they can be found": "Nowhere",
    }
    for label, value in answers.items():
        page.get_by_label(label).fill(value)
    page.get_by_role("button", name="Continue").click()
    page.get_by_label("What is happening?").fill("Spam")
    page.get_by_role("button", name="Continue").click()
    page.get_by_label("Where is it happening?").fill("Spam")
    page.get_by_role("button", name="Continue").click()
    page.get_by_role("button", name="Continue").click()
    page.get_by_label("I do not know").check()
    page.get_by_role("button", name="Continue").click()
    page.get_by_label("I do not know").check()
    page.get_by_role("button", name="Continue").click()
    page.get_by_label("No, I want to stay anonymous").check()
    page.get_by_role("button", name="Continue").click()
    page.get_by_role("button", name="Send concern").click()
    expect(page.get_by_role("heading", name="Concern sent")).to_be_visible()
    assert PublicSubmission.objects.count() == 0


def _practitioner(team):
    # Live-server tests empty the database between tests: make sure the role
    # exists with its right, whatever ran before.
    group, _ = Group.objects.get_or_create(name=roles.PRACTITIONER)
    group.permissions.add(
        Permission.objects.get(content_type__app_label="msp", codename="manage_cases")
    )
    return UserFactory(username="pat", role=roles.PRACTITIONER, team=team)


def test_practitioner_converts_a_submission(
    page, live_server, sign_in, assert_accessible, team
):
    from enquiries.factories import PersonFactory
    from enquiries.services.intake import receive_submission

    practitioner = _practitioner(team)

    submission = receive_submission(
        answers={
            "relationship": "family",
            "organisation": "",
            "name": "Mary Smith",
            "age": "82",
            "date_of_birth": None,
            "address": "1 High Street",
            "postcode": "NE1 4ST",
            "town": "",
            "communication_needs": "",
            "what": "Her son takes her pension.",
            "where": "At her home",
            "harm_by": "Her son",
            "danger": "yes",
            "adult_knows": "yes",
            "adult_wants": "She wants to keep her money.",
            "contact": "anonymous",
            "contact_name": "",
            "phone": "",
            "email": "",
            "safe_to_email": False,
            "safe_contact": "",
        }
    )
    person = PersonFactory(given_name="Mary", family_name="Smith", team=team)
    sign_in(practitioner)
    page.goto(live_server.url + "/")
    page.get_by_role("link", name="Online concerns").click()
    expect(page.get_by_role("link", name=submission.reference)).to_be_visible()
    assert_accessible(page)
    page.get_by_role("link", name=submission.reference).click()
    expect(
        page.get_by_text("The referrer said the adult is in immediate danger")
    ).to_be_visible()
    assert_accessible(page)
    page.get_by_role("link", name="Search for the person").click()
    page.get_by_label("Name").fill("")
    page.get_by_role("button", name="Search").click()
    expect(page.get_by_role("heading", name="There is a problem")).to_be_visible()
    assert_accessible(page)
    page.get_by_label("Name").fill("smith")
    page.get_by_role("button", name="Search").click()
    assert_accessible(page)
    page.get_by_role("link", name=re.compile("Use this person.*Mary Smith")).click()
    assert_accessible(page)
    page.get_by_role("button", name="Convert into a concern").click()
    concern = Concern.objects.get()
    assert concern.person == person
    view = PersonView.objects.get(concern=concern)
    assert view.source == codes.ViewSource.REFERRER
    assert view.own_words is False
    assert view.views_text == "She wants to keep her money."
    page.goto(live_server.url + f"/intake/{submission.reference}/")
    expect(page.get_by_text("Converted into")).to_be_visible()


def test_lead_triages_unrouted_concerns(
    page, live_server, sign_in, assert_accessible, team
):
    from enquiries.services.intake import receive_submission

    group, _ = Group.objects.get_or_create(name=roles.SAFEGUARDING_LEAD)
    group.permissions.add(
        *Permission.objects.filter(
            content_type__app_label="msp",
            codename__in=["manage_cases", "view_all_cases"],
        )
    )
    lead = UserFactory(username="lee", role=roles.SAFEGUARDING_LEAD)
    base = {
        "relationship": "public",
        "organisation": "",
        "age": "",
        "date_of_birth": None,
        "address": "Somewhere",
        "postcode": "ZZ9 9ZZ",
        "town": "",
        "communication_needs": "",
        "what": "Worried about them.",
        "where": "Outside",
        "harm_by": "",
        "danger": "no",
        "adult_knows": "unknown",
        "adult_wants": "",
        "contact": "anonymous",
        "contact_name": "",
        "phone": "",
        "email": "",
        "safe_to_email": False,
        "safe_contact": "",
    }
    junk = receive_submission(answers={**base, "name": "Noisy Neighbours"})
    real = receive_submission(answers={**base, "name": "Ruth Unrouted"})
    sign_in(lead)
    page.goto(live_server.url + "/intake/?show=not-routed")
    expect(page.get_by_text("Not routed").first).to_be_visible()
    assert_accessible(page)

    page.get_by_role("link", name=junk.reference).click()
    page.get_by_role("link", name="Close as not a safeguarding matter").click()
    page.get_by_role("button", name="Close as not a safeguarding matter").click()
    expect(page.get_by_role("heading", name="There is a problem")).to_be_visible()
    assert_accessible(page)
    page.get_by_label("Why is this not a safeguarding matter?").fill("Noise only.")
    page.get_by_role("button", name="Close as not a safeguarding matter").click()
    expect(page.get_by_text(f"{junk.reference} closed")).to_be_visible()
    assert_accessible(page)

    page.get_by_role("link", name=real.reference).click()
    page.get_by_role("link", name="Add a new person").click()
    expect(page.get_by_label("First name")).to_have_value("Ruth")
    page.get_by_role("button", name="Add person and convert into a concern").click()
    expect(
        page.get_by_role("link", name="Select the team that will deal with it")
    ).to_be_visible()
    assert_accessible(page)
    page.get_by_label("Which team will deal with it?").select_option(label=team.name)
    page.get_by_role("button", name="Add person and convert into a concern").click()
    concern = Concern.objects.get()
    assert concern.team == team
    assert concern.person.full_name == "Ruth Unrouted"
    real.refresh_from_db()
    assert real.status == PublicSubmission.Status.CONVERTED
