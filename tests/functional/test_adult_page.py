"""The adult's own page end to end: a practitioner offers it (safety first)
and prints the letter; the adult signs in with the code sent to their phone
and their date of birth, reads the easy-read plan, agrees to it and adds
their words; the worker sees both on the enquiry. Every adult page (and the
practitioner's) is checked with axe."""

import datetime
import re

from playwright.sync_api import expect

from enquiries import sms
from enquiries.factories import DesiredOutcomeFactory, EnquiryFactory
from enquiries.models import AdultPageEntry, PlanAction


def test_adult_signs_in_agrees_to_the_plan_and_adds_their_words(
    live_server, sign_in, browser, practitioner, team, assert_accessible
):
    sms.outbox.clear()
    enquiry = EnquiryFactory(
        status="plan_active",
        concern__person__team=team,
        concern__person__date_of_birth=datetime.date(1950, 4, 2),
        allocated_to=practitioner,
    )
    person = enquiry.concern.person
    outcome = DesiredOutcomeFactory(
        person=person, enquiry=enquiry, text="I want to feel safe at home"
    )
    action = PlanAction.objects.create(
        enquiry=enquiry,
        description="Fit a door chain",
        owner="Housing repairs team",
        due_on=datetime.date.today() + datetime.timedelta(days=7),
    )
    action.desired_outcomes.add(outcome)

    # The practitioner offers the page, answering the safety questions.
    page = sign_in(practitioner)
    page.goto(live_server.url + enquiry.get_absolute_url())
    page.get_by_role("link", name="Offer the adult their own page").click()
    assert_accessible(page)
    page.locator("#id_harm_source_cannot_see_contact_1").check()
    page.locator("#id_adult_said_yes_1").check()
    page.get_by_label("How do you know it is safe?").fill(
        "Spoke to her alone; the phone is hers."
    )
    page.get_by_label("The adult", exact=True).check()
    page.get_by_label("The adult agreed").check()
    page.get_by_label("Text message").check()
    page.get_by_label("Mobile phone number").fill("07700 900982")
    page.locator("#id_contact_confirmed_1").check()
    page.locator("#id_withhold_sharing_2").check()
    page.get_by_role("button", name="Offer the page").click()
    expect(page.get_by_text("The page is offered")).to_be_visible()
    assert_accessible(page)
    page.get_by_label("Printed letter").check()
    page.get_by_role("button", name="Send the invitation").click()
    expect(page.get_by_role("heading", name="Your own page")).to_be_visible()
    assert_accessible(page)
    link = re.search(r"/my-page/start/\S+/", page.locator("main").inner_text()).group(0)

    # The adult, on their own device (no staff sign-in).
    adult = browser.new_context().new_page()
    adult.goto(live_server.url + link)
    expect(adult.get_by_role("heading", name="Sign in to your page")).to_be_visible()
    expect(adult.get_by_role("button", name="Exit this page")).to_be_visible()
    assert_accessible(adult)
    adult.get_by_role("button", name="Send me a code").click()
    assert_accessible(adult)
    code = re.search(r"\b(\d{6})\b", sms.outbox[-1].body).group(1)
    adult.get_by_label("Your code").fill(code)
    adult.get_by_label("Your date of birth").fill("1950-04-02")
    adult.get_by_role("button", name="Sign in", exact=True).click()
    expect(adult.get_by_role("heading", name="Your page", level=1)).to_be_visible()
    expect(adult.get_by_text("I want to feel safe at home")).to_be_visible()
    assert_accessible(adult)

    # The easy-read plan, and agreeing to it.
    adult.get_by_role("link", name="Read your plan in easy read").click()
    expect(adult.get_by_text("Fit a door chain")).to_be_visible()
    assert_accessible(adult)
    adult.get_by_label("Yes, I agree").check()
    adult.get_by_role("button", name="Send my answer").click()
    expect(adult.get_by_text("Your answer has been saved")).to_be_visible()
    assert_accessible(adult)
    adult.goto(live_server.url + "/my-page/plan/")
    assert_accessible(adult)

    # Their words.
    adult.goto(live_server.url + "/my-page/")
    adult.get_by_role("link", name="Tell us what you think").click()
    assert_accessible(adult)
    adult.get_by_role("button", name="Send").click()
    assert_accessible(adult)  # the error summary
    adult.get_by_label("What do you want to tell us?").fill(
        "I want the chain fitted before Christmas."
    )
    adult.get_by_role("button", name="Send").click()
    expect(adult.get_by_text("Your worker will read what you wrote")).to_be_visible()

    # Every other page of theirs.
    for path in (
        "/my-page/who-has-looked/",
        "/my-page/information-shared/",
        "/my-page/call-back/",
        "/my-page/how-did-it-go/",
        "/my-page/language/",
        "/my-page/documents/",
        "/my-page/feedback/",
    ):
        adult.goto(live_server.url + path)
        expect(adult.get_by_role("button", name="Exit this page")).to_be_visible()
        assert_accessible(adult)
    adult.goto(live_server.url + "/my-page/")
    adult.get_by_role("button", name="Larger text").click()
    assert "app-large-text" in adult.locator("html").get_attribute("class")
    assert_accessible(adult)
    adult.get_by_role("button", name="Standard text size").click()
    adult.get_by_role("button", name="Polski").click()
    expect(adult.get_by_role("heading", name="Twoja strona", level=1)).to_be_visible()
    assert adult.locator("html").get_attribute("lang") == "pl"
    assert_accessible(adult)
    body = adult.locator("body").inner_text().lower()
    assert "safeguarding" not in body
    adult.get_by_role("button", name="English").click()
    adult.get_by_role("button", name="Sign out").click()
    expect(adult.get_by_role("heading", name="You are signed out")).to_be_visible()
    assert_accessible(adult)
    adult.goto(live_server.url + link)
    expect(adult.get_by_role("heading", name="This link does not work")).to_be_visible()
    assert_accessible(adult)

    # The worker sees both on the enquiry, marked as from the adult's page.
    page.goto(live_server.url + enquiry.get_absolute_url())
    panel = page.locator("#adult-page-entries")
    expect(panel).to_contain_text("I want the chain fitted before Christmas.")
    expect(panel).to_contain_text("Agreed to the plan")
    expect(panel).to_contain_text("From the adult's own page")
    assert AdultPageEntry.objects.filter(kind="plan_agreed").count() == 1


def test_without_javascript_the_adult_signs_in_answers_and_exits(
    live_server, browser, practitioner, team, settings
):
    """Every step works with JavaScript off; "Exit this page" (a plain link)
    ends the adult's session."""
    settings.EXIT_THIS_PAGE_URL = "/accessibility/"
    sms.outbox.clear()
    enquiry = EnquiryFactory(
        status="plan_active",
        concern__person__team=team,
        concern__person__date_of_birth=datetime.date(1961, 9, 30),
        allocated_to=practitioner,
    )
    PlanAction.objects.create(
        enquiry=enquiry,
        description="Weekly visit from the district nurse",
        owner="Community nursing",
        due_on=datetime.date.today() + datetime.timedelta(days=3),
    )
    from enquiries.services import adult_page as services

    offer = services.offer_page(
        user=practitioner,
        enquiry=enquiry,
        data={
            "harm_source_cannot_see_contact": True,
            "adult_said_yes": True,
            "safety_notes": "Asked her alone.",
            "recipient": "adult",
            "authority": "adult_agreed",
            "code_by": "sms",
            "mobile": "07700900123",
            "contact_confirmed": True,
            "withhold_sharing": False,
        },
    )
    link = services.invite(user=practitioner, offer=offer, sent_by="letter").link

    page = browser.new_context(java_script_enabled=False).new_page()
    page.goto(live_server.url + link)
    page.get_by_role("button", name="Send me a code").click()
    code = re.search(r"\b(\d{6})\b", sms.outbox[-1].body).group(1)
    page.get_by_label("Your code").fill(code)
    page.get_by_label("Your date of birth").fill("1961-09-30")
    page.get_by_role("button", name="Sign in", exact=True).click()
    expect(page.get_by_role("heading", name="Your page", level=1)).to_be_visible()
    page.get_by_role("link", name="Read your plan", exact=True).click()
    page.get_by_label("No, I do not agree").check()
    page.get_by_label("What do you not agree with?").fill("Fortnightly is enough.")
    page.get_by_role("button", name="Send my answer").click()
    expect(page.get_by_text("Your answer has been saved")).to_be_visible()
    assert AdultPageEntry.objects.get().text == "Fortnightly is enough."
    page.get_by_role("button", name="Larger text").click()
    assert "app-large-text" in page.locator("html").get_attribute("class")
    page.get_by_role("button", name="Polski").click()
    expect(page.get_by_role("heading", name="Twój plan", level=1)).to_be_visible()
    page.get_by_role("button", name="Wyjdź z tej strony").click()
    expect(page).to_have_url(live_server.url + "/accessibility/")
    page.goto(live_server.url + "/my-page/")
    expect(page.get_by_role("heading", name="You are signed out")).to_be_visible()
