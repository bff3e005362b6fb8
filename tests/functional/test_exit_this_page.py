""" "Exit this page" leaves nothing behind for whoever picks up the device.

Each exit route (the button, Shift three times, and the link a keyboard user
reaches without JavaScript) is followed by pressing Back twice: no page may
show what was typed or the answers given before. Staff pages carry no Exit
button, and the skip link is the first thing Tab reaches on a public page.
"""

import pytest
from django.core.cache import cache
from django.urls import reverse
from playwright.sync_api import expect

from enquiries.factories import EnquiryFactory

NAME = "Mary Smith"
TYPED = "Her son takes her pension"


@pytest.fixture(autouse=True)
def _exit_to_a_local_page(settings):
    # The test machine has no internet: "Exit this page" goes to our own page.
    settings.EXIT_THIS_PAGE_URL = "/accessibility/"
    cache.clear()
    yield
    cache.clear()


def _answer_then_type(page, base):
    """Answer two questions, then type into the third without sending it."""
    page.goto(base + reverse("enquiries:public_step", args=["who-you-are"]))
    page.get_by_label("A friend or neighbour").check()
    page.get_by_role("button", name="Continue").click()
    page.get_by_label("Their name, or what they are known as").fill(NAME)
    page.get_by_label("Their address, or where they can be found").fill("1 High St")
    page.get_by_role("button", name="Continue").click()
    page.get_by_label("What is happening?").fill(TYPED)


def _fields_hold_nothing(page) -> None:
    """No text box holds anything, no choice is ticked, no answer is shown."""
    page.wait_for_load_state("load")
    values = page.eval_on_selector_all(
        "input:not([type=hidden]):not([type=radio]):not([type=checkbox]), textarea",
        "els => els.map(e => e.value).filter(v => v !== '')",
    )
    assert values == [], f"{page.url} shows {values}"
    ticked = page.eval_on_selector_all(
        "input[type=radio], input[type=checkbox]",
        "els => els.filter(e => e.checked).map(e => e.id)",
    )
    assert ticked == [], f"{page.url} has ticked {ticked}"
    text = page.inner_text("body")
    assert NAME not in text and TYPED not in text


def _back_twice_shows_nothing(page, base, first_back: str) -> None:
    expect(page).to_have_url(base + "/accessibility/")
    page.go_back()
    expect(page).to_have_url(base + first_back)
    _fields_hold_nothing(page)
    page.go_back()
    _fields_hold_nothing(page)


STEP = "/raise-a-concern/{}/"


# Browsers without the Navigation API take the script's other way of
# replacing the page; Chromium is run both ways.
WITHOUT_NAVIGATION_API = (
    "Object.defineProperty(window, 'navigation', {value: undefined});"
)


@pytest.fixture(params=["navigation API", "no navigation API"])
def exit_page(request, page):
    if request.param == "no navigation API":
        page.add_init_script(WITHOUT_NAVIGATION_API)
    return page


def test_exit_button_then_back_shows_nothing(exit_page, live_server):
    page = exit_page
    _answer_then_type(page, live_server.url)
    page.get_by_role("button", name="Emergency Exit this page").click()
    # The exit replaced the page it left: Back goes to the question before it.
    _back_twice_shows_nothing(page, live_server.url, STEP.format("about-the-adult"))


def test_shift_three_times_then_back_shows_nothing(exit_page, live_server):
    page = exit_page
    _answer_then_type(page, live_server.url)
    page.get_by_label("What is happening?").focus()
    for _ in range(3):
        page.keyboard.press("Shift")
    _back_twice_shows_nothing(page, live_server.url, STEP.format("about-the-adult"))


@pytest.mark.parametrize("route", ["button", "skip link"])
def test_exit_without_javascript_then_back_shows_nothing(browser, live_server, route):
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.set_default_timeout(10_000)
    _answer_then_type(page, live_server.url)
    if route == "button":
        page.get_by_role("button", name="Emergency Exit this page").click()
    else:  # the link a keyboard user reaches with Tab from the top
        page.locator(".govuk-js-exit-this-page-skiplink").focus()
        page.keyboard.press("Enter")
    # Without JavaScript the page cannot replace itself in the history, so
    # Back reaches it first: it is fetched again, and shows nothing.
    _back_twice_shows_nothing(page, live_server.url, STEP.format("what-is-happening"))
    context.close()


def test_back_within_the_form_still_shows_the_answers_given(page, live_server):
    """Clearing restored fields must not lose answers the visitor still has."""
    _answer_then_type(page, live_server.url)
    page.go_back()
    expect(page.get_by_label("Their name, or what they are known as")).to_have_value(
        NAME
    )


def test_public_page_has_exit_and_staff_page_does_not(
    page, live_server, sign_in, practitioner, team
):
    page.goto(live_server.url + reverse("enquiries:public_start"))
    expect(page.get_by_role("button", name="Emergency Exit this page")).to_be_visible()

    enquiry = EnquiryFactory(
        status="planning", concern__person__team=team, allocated_to=practitioner
    )
    sign_in(practitioner)
    stage_url = reverse("enquiries:enquiry_planning", args=[enquiry.reference])
    page.goto(live_server.url + stage_url)
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    expect(page.locator(".govuk-exit-this-page")).to_have_count(0)
    expect(page.get_by_text("Exit this page")).to_have_count(0)
    # Shift three times (someone typing capitals) does nothing here.
    for _ in range(3):
        page.keyboard.press("Shift")
    page.wait_for_timeout(500)
    expect(page).to_have_url(live_server.url + stage_url)
    page.reload()
    expect(page.get_by_text("Signed in as")).to_be_visible()


@pytest.mark.parametrize("javascript", [True, False])
def test_first_tab_on_a_public_page_is_the_skip_link(browser, live_server, javascript):
    context = browser.new_context(java_script_enabled=javascript)
    page = context.new_page()
    page.goto(live_server.url + reverse("enquiries:public_before_you_start"))
    # What the page tells a keyboard user without JavaScript is what happens.
    expect(page.get_by_text("press Tab twice at the top of the page")).to_be_visible()
    page.keyboard.press("Tab")
    expect(page.locator(":focus")).to_have_text("Skip to main content")
    page.keyboard.press("Tab")
    expect(page.locator(":focus")).to_have_text("Exit this page")
    context.close()
