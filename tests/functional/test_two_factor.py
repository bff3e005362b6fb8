"""In a real browser: turning on two-factor authentication, signing in with a
code, and the warning before an idle session ends."""

import base64
import importlib
import re

import pytest
from django_otp.oath import totp
from playwright.sync_api import expect

create_roles = importlib.import_module("msp.migrations.0002_roles").create_roles

PASSWORD = "correct horse battery staple"


def _code(secret_text: str, drift: int = 0) -> str:
    key = base64.b32decode(secret_text.replace(" ", ""))
    return f"{totp(key, drift=drift):06d}"


def _password_sign_in(page, live_server):
    page.goto(live_server.url + "/sign-in/")
    page.get_by_label("Username").fill("pat")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()


@pytest.fixture(autouse=True)
def roles_exist(transactional_db):
    """Browser tests flush the database between tests, taking with it the
    role groups the migrations made: make them again."""
    from django.apps import apps

    create_roles(apps, None)


@pytest.fixture
def csp_violations(page):
    """Anything the Content-Security-Policy blocked, as the browser reports it."""
    blocked = []
    page.on(
        "console",
        lambda message: (
            blocked.append(message.text)
            if "Content Security Policy" in message.text
            else None
        ),
    )
    return blocked


@pytest.fixture
def two_factor_required(settings):
    settings.REQUIRE_2FA = True
    # Without the 1-second wait django-otp imposes after a wrong code.
    settings.OTP_TOTP_THROTTLE_FACTOR = 0


def test_enrol_then_sign_in_with_a_code(
    page,
    live_server,
    practitioner,
    two_factor_required,
    assert_accessible,
    csp_violations,
):
    _password_sign_in(page, live_server)
    expect(page).to_have_url(re.compile(r"/account/two-factor/set-up/"))
    expect(page.get_by_role("img", name=re.compile("QR code"))).to_be_visible()
    assert_accessible(page)
    secret = page.locator("#totp-secret").inner_text()

    page.get_by_label("Enter the 6-digit code from the app").fill("123")
    page.get_by_role("button", name="Turn on two-factor authentication").click()
    expect(page.get_by_role("heading", name="There is a problem")).to_be_visible()
    assert_accessible(page)

    page.get_by_label("Enter the 6-digit code from the app").fill(_code(secret))
    page.get_by_role("button", name="Turn on two-factor authentication").click()
    expect(
        page.get_by_role("heading", name="Two-factor authentication is on")
    ).to_be_visible()
    expect(page.locator("#backup-codes li")).to_have_count(10)
    assert_accessible(page)
    page.get_by_role("link", name="I have kept my codes, continue").click()
    expect(page.get_by_text("Signed in as")).to_be_visible()

    page.get_by_role("button", name="Sign out").click()
    _password_sign_in(page, live_server)
    expect(page.get_by_role("heading", name="Enter your security code")).to_be_visible()
    assert_accessible(page)
    # The code for the next 30-second step (this step's code was just used).
    page.get_by_label("Code from your authenticator app").fill(_code(secret, drift=1))
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_text("Signed in as")).to_be_visible()
    assert csp_violations == []


def test_warning_before_an_idle_session_ends(
    page, live_server, practitioner, sign_in, assert_accessible, csp_violations
):
    page.clock.install()
    sign_in(practitioner)
    page.goto(live_server.url + "/")
    expect(page.get_by_text("You will be signed out after 30 minutes")).to_be_visible()
    dialog = page.get_by_role("dialog", name="You will be signed out soon")
    expect(dialog).to_be_hidden()

    page.clock.fast_forward("25:01")
    expect(dialog).to_be_visible()
    assert_accessible(page)
    dialog.get_by_role("button", name="Stay signed in").click()
    expect(dialog).to_be_hidden()

    page.clock.fast_forward("30:01")
    expect(page).to_have_url(re.compile(r"/sign-in/\?signed_out=idle"))
    expect(page.get_by_text("had not done anything for 30 minutes")).to_be_visible()
    page.goto(live_server.url + "/")
    expect(page).to_have_url(re.compile(r"/sign-in/"))  # really signed out
    assert csp_violations == []
