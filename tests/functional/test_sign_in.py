"""A member of staff signs in, sees the home page and signs out."""

import re

from playwright.sync_api import expect


def test_sign_in_home_and_sign_out(page, live_server, practitioner, assert_accessible):
    page.goto(live_server.url + "/")
    expect(page).to_have_url(re.compile(r"/sign-in/"))
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
    assert "govuk-frontend-supported" in page.eval_on_selector(
        "body", "b => b.className"
    )
    assert_accessible(page)

    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name="There is a problem")).to_be_visible()
    assert_accessible(page)

    page.get_by_label("Username").fill("pat")
    page.get_by_label("Password").fill("correct horse battery staple")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_text("Signed in as")).to_be_visible()
    assert_accessible(page)

    page.get_by_role("button", name="Sign out").click()
    expect(page).to_have_url(re.compile(r"/sign-in/"))
    page.goto(live_server.url + "/")
    expect(page).to_have_url(re.compile(r"/sign-in/"))
