"""The board reports page, its CSVs, the annual pack (Excel) and the print page."""

import csv
import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from msp.models import AuditEvent
from outcomes import board
from outcomes.sac import last_complete_year
from tests.unit.outcomes.test_board import build_board_caseload

YEAR = {"year": "2025-26"}
SECTIONS = list(board.SECTIONS)


@pytest.fixture
def caseload(team, other_team):
    return build_board_caseload(team, other_team)


def _text(response) -> str:
    return response.content.decode()


def _csv(response) -> list[list[str]]:
    return list(csv.reader(io.StringIO(response.content.decode())))


@pytest.mark.django_db
class TestWhoMaySee:
    @pytest.mark.parametrize(
        ("name", "args"),
        [
            ("outcomes:board", []),
            ("outcomes:board_print", []),
            ("outcomes:board_xlsx", []),
            ("outcomes:board_csv", ["shares"]),
        ],
    )
    def test_practitioners_and_auditors_are_refused(
        self, client, caseload, practitioner, auditor, name, args
    ):
        for user in (practitioner, auditor):
            client.force_login(user)
            assert client.get(reverse(name, args=args), YEAR).status_code == 403
        assert not AuditEvent.objects.filter(action="download").exists()

    def test_linked_from_the_other_report_pages(self, client, manager):
        client.force_login(manager)
        html = _text(client.get(reverse("outcomes:dashboard")))
        assert f'href="{reverse("outcomes:board")}"' in html


@pytest.mark.django_db
class TestThePage:
    def test_a_manager_sees_each_report_with_chart_table_and_csv(
        self, client, caseload, manager
    ):
        client.force_login(manager)
        response = client.get(reverse("outcomes:board"), YEAR)
        html = _text(response)
        assert response.status_code == 200
        assert "your teams only" in html
        assert html.count('role="img"') == len(SECTIONS)
        for key in SECTIONS:
            assert f'id="table-{key}"' in html
            assert reverse("outcomes:board_csv", args=[key]) + "?year=2025-26" in html
        assert "75.0% of the 4 concerns decided led to an enquiry" in html
        assert "50.0% of the 2 requests answered" in html
        assert "Larch House" in html
        assert "365 days before it" in html  # the definition is on the page
        # A label shortened to fit the chart is read out in full.
        assert "Health (hospital, GP, community or me…</text>" in html
        assert "Health (hospital, GP, community or mental health): 0" in html
        assert reverse("outcomes:board_xlsx") in html
        assert reverse("outcomes:board_print") in html

    def test_default_is_the_last_complete_year(self, client, manager):
        client.force_login(manager)
        response = client.get(reverse("outcomes:board"))
        assert response.status_code == 200
        assert response.context["filters"].year == last_complete_year()

    def test_a_manager_cannot_pick_another_team(
        self, client, caseload, manager, other_team
    ):
        client.force_login(manager)
        response = client.get(
            reverse("outcomes:board"), {**YEAR, "team": other_team.pk}
        )
        html = _text(response)
        assert "Select a team from the list" in html
        assert "<title>Error: " in html
        assert 'role="img"' not in html

    def test_a_year_not_offered_is_refused_with_a_message(self, client, manager):
        client.force_login(manager)
        html = _text(client.get(reverse("outcomes:board"), {"year": "1999-00"}))
        assert "Select a financial year from the list" in html

    def test_a_lead_sees_every_team_or_one(self, client, caseload, lead, team):
        client.force_login(lead)
        html = _text(client.get(reverse("outcomes:board"), YEAR))
        assert "all teams" in html
        assert "Prevention or detection of crime" in html
        one = client.get(reverse("outcomes:board"), {**YEAR, "team": team.pk})
        assert one.context["data"]["shares"]["total"] == 3
        assert "North locality" in _text(one)

    def test_the_print_page_has_every_chart_and_table_and_no_downloads(
        self, client, caseload, manager
    ):
        client.force_login(manager)
        html = _text(client.get(reverse("outcomes:board_print"), YEAR))
        assert html.count('role="img"') == len(SECTIONS)
        assert html.count('class="app-print-section"') == len(SECTIONS)
        assert "Download this report" not in html
        assert "Annual report to the Safeguarding Adults Board" in html


@pytest.mark.django_db
class TestDownloads:
    def test_each_csv_has_the_reports_table_and_is_audited(
        self, client, caseload, manager
    ):
        client.force_login(manager)
        response = client.get(reverse("outcomes:board_csv", args=["shares"]), YEAR)
        assert response["Content-Type"].startswith("text/csv")
        assert "board-shares-2025-26.csv" in response["Content-Disposition"]
        rows = _csv(response)
        assert rows[0] == ["Report", "Information shared, by lawful basis"]
        assert rows[1] == ["Period", "1 April 2025 to 31 March 2026"]
        assert ["Consent", "1", "1", "2", "66.7"] in rows
        assert rows[-1] == ["All shares", "2", "1", "3", ""]
        event = AuditEvent.objects.get(action="download")
        assert event.actor == manager
        assert "Information shared, by lawful basis" in event.summary
        assert event.changes["filters"] == {"year": "2025-26"}

    @pytest.mark.parametrize(
        ("section", "line"),
        [
            ("referral_source", ["Family member", "2", "40.0"]),
            ("provider", ["Larch House", "2", "40.0"]),
            ("conversion", ["Section 42 enquiry", "2", "40.0"]),
            (
                "repeat",
                ["Adults with 2 or more concerns in the year", "1", "4", "25.0"],
            ),
            ("partner_requests", ["Answered after the due date", "1", "25.0"]),
        ],
    )
    def test_every_report_downloads(self, client, caseload, manager, section, line):
        client.force_login(manager)
        response = client.get(reverse("outcomes:board_csv", args=[section]), YEAR)
        assert line in _csv(response)

    def test_an_unknown_report_is_not_found(self, client, manager):
        client.force_login(manager)
        response = client.get(reverse("outcomes:board_csv", args=["everything"]), YEAR)
        assert response.status_code == 404

    def test_bad_filters_go_back_with_a_message_and_nothing_audited(
        self, client, manager
    ):
        client.force_login(manager)
        response = client.get(
            reverse("outcomes:board_xlsx"), {"year": "not a year"}, follow=True
        )
        assert "Correct the filters" in _text(response)
        assert not AuditEvent.objects.filter(action="download").exists()

    def test_the_annual_pack_has_a_sheet_per_report_and_is_audited(
        self, client, caseload, manager
    ):
        client.force_login(manager)
        response = client.get(reverse("outcomes:board_xlsx"), YEAR)
        assert response["Content-Type"].startswith(
            "application/vnd.openxmlformats-officedocument.spreadsheetml"
        )
        assert "board-reports-2025-26.xlsx" in response["Content-Disposition"]
        book = load_workbook(io.BytesIO(response.content))
        assert book.sheetnames == [title[:31] for title in board.SECTIONS.values()]
        sheet = book["Concerns that led to an enquiry"]
        rows = [list(row) for row in sheet.iter_rows(values_only=True)]
        assert rows[0][0] == (
            "Concerns that led to an enquiry: 1 April 2025 to 31 March 2026"
        )
        assert ["Not decided yet", 1, 20] in rows
        assert ["All concerns received", 5, None] in rows
        event = AuditEvent.objects.get(action="download")
        assert "board reports pack" in event.summary
        assert event.actor == manager


def _count(client, url, params) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url, params).status_code == 200
    return len(captured)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("name", "args"),
    [
        ("outcomes:board", []),
        ("outcomes:board_print", []),
        ("outcomes:board_xlsx", []),
        ("outcomes:board_csv", ["repeat"]),
    ],
)
def test_query_count_does_not_grow_with_the_caseload(
    client, team, other_team, manager, django_assert_num_queries, name, args
):
    from outcomes.sac import forget_cached_returns

    build_board_caseload(team, other_team)
    client.force_login(manager)
    url = reverse(name, args=args)
    forget_cached_returns()
    expected = _count(client, url, YEAR)
    for _ in range(3):
        build_board_caseload(team, other_team)
    forget_cached_returns()
    with django_assert_num_queries(expected):
        client.get(url, YEAR)


@pytest.mark.django_db
def test_figures_are_kept_until_a_counted_record_changes(
    client, caseload, manager, team
):
    from enquiries.factories import ConcernFactory, PersonFactory

    client.force_login(manager)
    url = reverse("outcomes:board")
    first = _count(client, url, YEAR)
    with CaptureQueriesContext(connection) as repeat:
        html = _text(client.get(url, YEAR))
    assert len(repeat) < first
    assert 'id="counted-at"' in html
    ConcernFactory(
        person=PersonFactory(team=team),
        received_on=board.BoardFilter(year="2025-26").start,
        referrer_type="anonymous",
    )
    response = client.get(url, YEAR)
    assert response.context["data"]["referral_source"]["total"] == 6
