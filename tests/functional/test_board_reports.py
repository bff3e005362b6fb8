"""A manager finds the board reports, downloads the annual pack and prints it."""

import importlib
import io
from pathlib import Path

import pytest
from django.apps import apps as django_apps
from openpyxl import load_workbook
from playwright.sync_api import expect

from tests.unit.outcomes.test_board import build_board_caseload

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def _roles(transactional_db):
    """Live-server tests flush the database: put back the roles."""
    roles = importlib.import_module("msp.migrations.0002_roles")
    roles.create_roles(django_apps, None)


def test_manager_reads_downloads_and_prints_the_board_reports(
    live_server, sign_in, assert_accessible, manager, team, other_team
):
    build_board_caseload(team, other_team)
    page = sign_in(manager)
    page.goto(f"{live_server.url}/")
    page.get_by_role("link", name="Reports").click()
    page.get_by_role("link", name="Board reports").click()
    page.get_by_label("Financial year").select_option("2025-26")
    page.get_by_role("button", name="Show the reports").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Reports for the Safeguarding Adults Board"
    )
    expect(page.get_by_role("img", name="Repeat concerns")).to_be_visible()
    conversion = page.locator("#table-conversion")
    expect(conversion.get_by_role("row").filter(has_text="Section 42")).to_contain_text(
        "40.0%"
    )
    assert_accessible(page)

    with page.expect_download() as download_info:
        page.get_by_role("link", name="Every report as an Excel workbook").click()
    book = load_workbook(io.BytesIO(Path(download_info.value.path()).read_bytes()))
    assert len(book.sheetnames) == 6

    page.get_by_role("link", name="Every chart and table on one page").click()
    expect(page.get_by_role("img")).to_have_count(6)
    assert_accessible(page)
    page.emulate_media(media="print")
    expect(page.get_by_role("link", name="Back to the board reports")).to_be_hidden()
    expect(page.locator(".govuk-service-navigation")).to_be_hidden()
