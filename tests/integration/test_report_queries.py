"""Report queries run with settings fit for counting a year of records
(msp.db_routing.report_queries): more memory to group in, and parallel
workers priced as cheap, for the block only."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from enquiries.factories import PersonFactory
from msp.db_routing import REPORT_WORK_MEM, report_queries
from msp.factories import UserFactory
from msp.roles import SAFEGUARDING_LEAD
from outcomes import board, reports, sac

pytestmark = pytest.mark.django_db


def _setting(name: str) -> str:
    with connection.cursor() as cursor:
        cursor.execute(f"SHOW {name}")
        return cursor.fetchone()[0]


def test_the_settings_hold_inside_the_block_and_end_with_it():
    if connection.vendor != "postgresql":
        # SQLite has no such settings: the block changes nothing and runs.
        with report_queries(), CaptureQueriesContext(connection) as captured:
            pass
        assert [query["sql"] for query in captured] == []
        return
    before = {name: _setting(name) for name in ("work_mem", "parallel_setup_cost")}
    with report_queries():
        assert _setting("work_mem") == REPORT_WORK_MEM
        assert _setting("parallel_setup_cost") == "0"
        assert _setting("parallel_tuple_cost") == "0"
    after = {name: _setting(name) for name in ("work_mem", "parallel_setup_cost")}
    assert after == before
    assert before["work_mem"] != REPORT_WORK_MEM


def _sac_return(user):
    sac.compute_sac_return("2025-26")


def _dashboard(user):
    reports.dashboard(user, reports.ReportFilter.current_year())


def _board_reports(user):
    board.board_reports(user, board.BoardFilter(year="2025-26"))


@pytest.mark.parametrize("report", [_sac_return, _dashboard, _board_reports])
def test_the_year_reports_count_under_the_report_settings(report):
    PersonFactory()  # something to count
    user = UserFactory(role=SAFEGUARDING_LEAD)
    with CaptureQueriesContext(connection) as captured:
        report(user)
    statements = [query["sql"] for query in captured]
    counting = [
        position
        for position, sql in enumerate(statements)
        if sql.startswith("SELECT") and "enquiries_" in sql
    ]
    assert counting, "the report asked the database nothing"
    if connection.vendor != "postgresql":
        assert not any("set_config" in sql for sql in statements)
        return
    changes = [
        position for position, sql in enumerate(statements) if "set_config" in sql
    ]
    # Set before the first count, put back after the last (a query needing
    # more, the board's repeat concerns, sets and restores its own within).
    assert len(changes) % 2 == 0
    assert changes[0] < min(counting) and max(counting) < changes[-1]


def test_a_failing_report_leaves_the_settings_as_they_were():
    if connection.vendor != "postgresql":
        # SQLite: the error still reaches the caller and nothing was set.
        with (
            CaptureQueriesContext(connection) as captured,
            pytest.raises(ZeroDivisionError),
            report_queries(),
        ):
            raise ZeroDivisionError
        assert [query["sql"] for query in captured] == []
        return
    before = _setting("work_mem")
    with pytest.raises(ZeroDivisionError), report_queries():
        assert _setting("work_mem") == REPORT_WORK_MEM
        raise ZeroDivisionError
    assert _setting("work_mem") == before


def test_the_repeat_concerns_are_grouped_by_sorting():
    PersonFactory()
    user = UserFactory(role=SAFEGUARDING_LEAD)
    postgresql = connection.vendor == "postgresql"
    seen = []

    def note_setting(execute, sql, params, many, context):
        if sql.startswith("SELECT") and "LAG(" in sql:
            seen.append(("window", _setting("enable_hashagg") if postgresql else ""))
        return execute(sql, params, many, context)

    with connection.execute_wrapper(note_setting):
        board.board_reports(user, board.BoardFilter(year="2025-26"))
    if not postgresql:
        # SQLite has no such setting; the window query still runs once.
        assert seen == [("window", "")]
        return
    assert seen == [("window", "off")]
    assert _setting("enable_hashagg") == "on"
