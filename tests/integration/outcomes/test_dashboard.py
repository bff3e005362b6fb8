"""The managers' MSP dashboard, equality and exceptions pages, drill-downs and CSVs."""

import csv
import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from msp.models import AuditEvent
from outcomes import monthly_figures
from tests.unit.outcomes.test_reports import _concluded, build_caseload

YEAR = {"year": "2025-26"}
REPORT_PAGES = [
    "outcomes:dashboard",
    "outcomes:dashboard_csv",
    "outcomes:equality",
    "outcomes:equality_csv",
    "outcomes:exceptions",
    "outcomes:follow_ups",
]


@pytest.fixture
def caseload(team, other_team, manager):
    return build_caseload(team, other_team, manager)


def _text(response) -> str:
    return response.content.decode()


@pytest.mark.django_db
class TestWhoMaySeeReports:
    @pytest.mark.parametrize("name", REPORT_PAGES)
    def test_practitioners_and_auditors_are_refused(
        self, client, practitioner, auditor, name
    ):
        for user in (practitioner, auditor):
            client.force_login(user)
            assert client.get(reverse(name)).status_code == 403
        response = client.get(reverse("outcomes:drilldown"), {"figure": "concluded"})
        assert response.status_code == 403

    def test_reports_link_only_for_those_who_may_see_them(
        self, client, practitioner, manager
    ):
        link = f'href="{reverse("outcomes:dashboard")}"'
        client.force_login(manager)
        assert link in _text(client.get(reverse("home")))
        client.force_login(practitioner)
        assert link not in _text(client.get(reverse("home")))


@pytest.mark.django_db
class TestDashboard:
    def test_shows_the_figures_for_the_managers_team(self, client, caseload, manager):
        client.force_login(manager)
        response = client.get(reverse("outcomes:dashboard"), YEAR)
        html = _text(response)
        assert response.status_code == 200
        assert "your teams only" in html
        assert "Yes they were asked and outcomes were expressed" in html
        assert "80.0%" in html  # 4 of 5 concluded enquiries asked
        assert 'role="img"' in html and "<desc" in html
        assert "figure=achieved_fully" in html

    def test_bad_filters_show_an_error_and_no_figures(self, client, caseload, manager):
        client.force_login(manager)
        response = client.get(
            reverse("outcomes:dashboard"),
            {"date_from": "2025-09-01", "date_to": "2025-04-01"},
        )
        html = _text(response)
        assert response.status_code == 200
        assert "There is a problem" in html
        assert "The end of the period must be on or after its start" in html
        assert "<title>Error: " in html
        assert "Download every figure" not in html

    def test_a_manager_cannot_pick_another_team(
        self, client, caseload, manager, other_team
    ):
        client.force_login(manager)
        response = client.get(
            reverse("outcomes:dashboard"), {**YEAR, "team": other_team.pk}
        )
        assert "Select a valid choice" in _text(response)
        assert "Download every figure" not in _text(response)

    def test_date_range_instead_of_year(self, client, caseload, manager):
        client.force_login(manager)
        response = client.get(
            reverse("outcomes:dashboard_csv"),
            {"date_from": "2025-07-01", "date_to": "2025-07-31"},
        )
        rows = list(csv.reader(io.StringIO(response.content.decode())))
        concluded = next(r for r in rows if r[1] == "Concluded enquiries")
        assert concluded[2] == "1"  # only Cat concluded in July

    def test_csv_download_has_every_figure_and_is_audited(
        self, client, caseload, manager
    ):
        client.force_login(manager)
        response = client.get(reverse("outcomes:dashboard_csv"), YEAR)
        assert response["Content-Type"].startswith("text/csv")
        assert "attachment" in response["Content-Disposition"]
        rows = list(csv.reader(io.StringIO(response.content.decode())))
        by_label = {
            row[1]: row
            for row in rows
            if len(row) == 5 and not row[0].startswith("Over time")
        }
        assert by_label["Fully achieved"][2:] == ["1", "3", "33.3"]
        assert ["Over time: Jun 2025", "Concluded enquiries", "4", "", ""] in rows
        assert by_label["Closed without the adult's view"][2] == "2"
        assert any(row[0].startswith("Feedback: Do you feel safer?") for row in rows)
        assert any(row[0] == "Timescales" for row in rows)
        event = AuditEvent.objects.get(action="download")
        assert event.actor == manager
        assert "MSP dashboard" in event.summary

    def test_invalid_filters_on_download_go_back_with_a_message(self, client, manager):
        client.force_login(manager)
        response = client.get(
            reverse("outcomes:dashboard_csv"), {"date_from": "not a date"}, follow=True
        )
        assert "Correct the filters" in _text(response)
        assert not AuditEvent.objects.filter(action="download").exists()


@pytest.mark.django_db
class TestDrillDown:
    def test_manager_sees_only_their_teams_enquiries(self, client, caseload, manager):
        client.force_login(manager)
        response = client.get(
            reverse("outcomes:drilldown"), {**YEAR, "figure": "achieved_fully"}
        )
        html = _text(response)
        assert "Ann Testperson" in html
        assert "Hal Testperson" not in html

    def test_lead_sees_every_team(self, client, caseload, lead):
        client.force_login(lead)
        response = client.get(
            reverse("outcomes:drilldown"), {**YEAR, "figure": "achieved_fully"}
        )
        assert "Hal Testperson" in _text(response)

    def test_unknown_figure_or_page_is_not_found(self, client, caseload, manager):
        client.force_login(manager)
        url = reverse("outcomes:drilldown")
        assert client.get(url, {"figure": "everything"}).status_code == 404
        response = client.get(url, {"figure": "concluded", "after": "x1"})
        assert response.status_code == 404

    def test_pages_follow_on_by_key(self, client, caseload, lead):
        client.force_login(lead)
        first = client.get(
            reverse("outcomes:drilldown"), {**YEAR, "figure": "concluded"}
        )
        assert first.context["next_after"] is None  # six fit on one page
        last = first.context["enquiries"][-1].pk
        rest = client.get(
            reverse("outcomes:drilldown"),
            {**YEAR, "figure": "concluded", "after": last},
        )
        assert "No enquiries on this page" in _text(rest)


@pytest.mark.django_db
class TestEqualityAndExceptions:
    def test_equality_shows_groups_with_a_table_beside_each_chart(
        self, client, caseload, manager
    ):
        client.force_login(manager)
        html = _text(client.get(reverse("outcomes:equality"), YEAR))
        for group in ("85-94", "Age unknown", "Asian / Asian British", "Male"):
            assert group in html
        assert html.count('role="img"') == 4
        assert html.count('<table class="govuk-table">') == 4

    def test_equality_csv_is_audited(self, client, caseload, manager):
        client.force_login(manager)
        response = client.get(reverse("outcomes:equality_csv"), YEAR)
        assert "Asian / Asian British" in response.content.decode()
        assert AuditEvent.objects.filter(
            action="download", summary__contains="equality"
        ).exists()

    def test_exceptions_link_to_each_enquiry(self, client, caseload, manager):
        client.force_login(manager)
        html = _text(client.get(reverse("outcomes:exceptions"), YEAR))
        assert "Outcomes expressed but not evaluated with the adult: 1" in html
        assert "Closed without the adult&#x27;s view: 2" in html
        assert "Planning (unsafe to contact the adult)" in html
        assert "Eve Testperson" in html and "Bob Testperson" in html


def _count_queries(client, url, params) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url, params).status_code == 200
    return len(captured)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("name", "params"),
    [
        ("outcomes:dashboard", YEAR),
        ("outcomes:equality", YEAR),
        ("outcomes:exceptions", YEAR),
        ("outcomes:dashboard_csv", YEAR),
        ("outcomes:drilldown", {**YEAR, "figure": "concluded"}),
    ],
)
def test_query_count_does_not_grow_with_the_caseload(
    client, team, other_team, manager, django_assert_num_queries, name, params
):
    # The kept monthly figures filled (as the first report would, once), so
    # both views count the same changed months again (decision 0038).
    monthly_figures.fill()
    build_caseload(team, other_team, manager)
    client.force_login(manager)
    url = reverse(name)
    expected = _count_queries(client, url, params)
    for _ in range(3):
        build_caseload(team, other_team, manager)
    with django_assert_num_queries(expected):
        client.get(url, params)


@pytest.mark.django_db
class TestDashboardFiguresAreKeptUntilARecordChanges:
    def test_a_repeat_view_reuses_the_figures_until_an_enquiry_is_concluded(
        self, client, caseload, manager, team
    ):
        client.force_login(manager)
        url = reverse("outcomes:dashboard")
        first = _count_queries(client, url, YEAR)
        with CaptureQueriesContext(connection) as repeat:
            html = _text(client.get(url, YEAR))
        assert len(repeat) < first
        # Nothing counted (but the header's count of unread notifications).
        assert not any(
            "COUNT(" in q["sql"] and "msp_notification" not in q["sql"] for q in repeat
        )
        assert "80.0%" in html  # 4 of 5 asked
        assert 'id="counted-at"' in html
        _concluded(team, "Ivy")
        assert "83.3%" in _text(client.get(url, YEAR))  # 5 of 6 asked

    def test_users_who_see_different_records_never_share_figures(
        self, client, caseload, manager, lead
    ):
        client.force_login(lead)
        assert "all teams" in _text(client.get(reverse("outcomes:dashboard"), YEAR))
        client.force_login(manager)
        html = _text(client.get(reverse("outcomes:dashboard"), YEAR))
        assert "your teams only" in html
        assert "80.0%" in html

    def test_a_restricted_record_counts_once_the_manager_is_named_on_it(
        self, client, caseload, manager, team
    ):
        hidden = _concluded(team, "Ivy", concern__person__is_restricted=True)
        client.force_login(manager)
        url = reverse("outcomes:dashboard")
        assert "80.0%" in _text(client.get(url, YEAR))
        hidden.concern.person.permitted_users.add(manager)
        assert "83.3%" in _text(client.get(url, YEAR))


def _counted(queries) -> bool:
    """Whether a request counted report figures (the header's count of unread
    notifications aside)."""
    return any(
        "COUNT(" in q["sql"] and "msp_notification" not in q["sql"] for q in queries
    )


@pytest.mark.django_db
class TestExceptionsAndEqualityAreKeptLikeTheDashboard:
    @pytest.mark.parametrize("name", ["outcomes:exceptions", "outcomes:equality"])
    def test_a_repeat_view_counts_nothing_until_an_enquiry_is_concluded(
        self, client, caseload, manager, team, name
    ):
        client.force_login(manager)
        url = reverse(name)
        with CaptureQueriesContext(connection) as first:
            client.get(url, YEAR)
        assert _counted(first)
        with CaptureQueriesContext(connection) as repeat:
            html = _text(client.get(url, YEAR))
        assert not _counted(repeat)
        assert len(repeat) < len(first)
        assert 'id="counted-at"' in html
        _concluded(team, "Ivy")
        with CaptureQueriesContext(connection) as after:
            client.get(url, YEAR)
        assert _counted(after)

    def test_kept_exceptions_list_only_records_the_user_may_see_now(
        self, client, caseload, manager, other_team
    ):
        client.force_login(manager)
        url = reverse("outcomes:exceptions")
        html = _text(client.get(url, YEAR))
        assert "Closed without the adult&#x27;s view: 2" in html
        assert "Eve Testperson" in html
        # Eve's enquiry moves to another team past save() (as a database fix
        # would): nothing counted says so and the manager's scope is the
        # same, so the counts stay kept, but the list is read again through
        # the access rules and no longer shows her.
        from enquiries.models import Enquiry

        Enquiry.objects.filter(concern__person__given_name="Eve").update(
            team=other_team
        )
        with CaptureQueriesContext(connection) as repeat:
            html = _text(client.get(url, YEAR))
        assert not _counted(repeat)
        assert "Closed without the adult&#x27;s view: 2" in html
        assert "Eve Testperson" not in html
        assert "Bob Testperson" in html
