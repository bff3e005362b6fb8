"""Browser tests: Playwright driving Debian's chromium against live_server.

No browser is ever downloaded: CHROMIUM_PATH (default /usr/bin/chromium) is
the browser. Accessibility is checked with axe-core (bundled by
axe-playwright-python, so it works offline) at the WCAG 2.2 A and AA tags.
"""

import os

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.conf import settings
from django.test import Client

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]


def pytest_collection_modifyitems(items):
    for item in items:
        if "functional" in str(item.fspath):
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    if not os.path.exists(CHROMIUM):
        pytest.fail(
            f"Browser tests need Chromium at {CHROMIUM} "
            "(Debian: apt-get install chromium), or set CHROMIUM_PATH."
        )
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM,
        "args": [
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
        ],
    }


@pytest.fixture
def sign_in(page, live_server):
    """Sign a user in by giving the browser a session cookie (fast path)."""

    def _sign_in(user):
        client = Client()
        client.force_login(user)
        cookie = client.cookies[settings.SESSION_COOKIE_NAME]
        page.context.add_cookies(
            [
                {
                    "name": settings.SESSION_COOKIE_NAME,
                    "value": cookie.value,
                    "url": live_server.url,
                }
            ]
        )
        return page

    return _sign_in


_axe = Axe()


@pytest.fixture
def assert_accessible():
    """Fail with axe's report if the current page has any WCAG 2.2 A/AA violation."""

    def _check(page):
        results = _axe.run(
            page, options={"runOnly": {"type": "tag", "values": WCAG_TAGS}}
        )
        assert results.violations_count == 0, f"{page.url}\n{results.generate_report()}"

    return _check


@pytest.fixture(scope="session")
def _migrated_contents(django_db_setup):
    """The database as the migrations left it (reference data included),
    serialized once when the test database was made."""
    from django.db import connection

    return getattr(connection, "_test_serialized_contents", None)


@pytest.fixture(autouse=True)
def _migrated_contents_on_this_connection(_migrated_contents):
    """After some journeys (seen after the direct-payment one) the test's
    connection object no longer holds the serialized contents, so a later
    test would start with no reference data; give them back before the
    database is set up for the test."""
    from django.db import connection

    if _migrated_contents is not None:
        connection._test_serialized_contents = _migrated_contents


@pytest.fixture(autouse=True)
def _reference_data_restored(
    _migrated_contents_on_this_connection, django_db_serialized_rollback
):
    """Browser tests run against live_server in a transactional database,
    which is emptied after each test; the reference data the migrations
    seeded (document kinds, local condition types, code lists) is put back
    before each one, so no test depends on running before another."""
