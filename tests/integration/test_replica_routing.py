"""Reports read a real streaming replica; what a user changed reads the primary
(decision 0018).

Runs only with ``DATABASE_REPLICA_URL`` set to a standby of the test
database's cluster (``scripts/replica.sh``; .ci/run does both). The replica's
replay is paused to make it lag on purpose.
"""

from __future__ import annotations

import io
import time
from contextlib import contextmanager

import pytest
from django.conf import settings
from django.core.management import call_command
from django.db import connections
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from enquiries.factories import PersonFactory
from enquiries.models import Person
from msp import db_routing
from msp.db_routing import PRIMARY, REPLICA, SESSION_WRITE_LSN
from outcomes import sac, sac_spec
from outcomes.models import EnquiryFigures, SacPersonChange
from tests.support.sac_year import concluded_in_year as _concluded

pytestmark = [
    pytest.mark.skipif(
        REPLICA not in settings.DATABASES,
        reason="needs a streaming replica: set DATABASE_REPLICA_URL "
        "(scripts/replica.sh makes one on port 5433)",
    ),
    pytest.mark.django_db(transaction=True, databases=[PRIMARY, REPLICA]),
]

YEAR = "2024-25"
CSV = reverse("outcomes:sac_download_csv")
DASHBOARD = reverse("outcomes:dashboard")
PAGE = reverse("outcomes:sac_return")


def _one(alias: str, sql: str, params=()):
    with connections[alias].cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchone()[0]


def wait_for_replica() -> None:
    """Until the replica has replayed everything committed so far."""
    target = _one(PRIMARY, "SELECT pg_current_wal_lsn()::text")
    for _ in range(200):
        if _one(REPLICA, "SELECT pg_last_wal_replay_lsn() >= %s::pg_lsn", [target]):
            return
        time.sleep(0.05)
    raise AssertionError("the replica did not catch up within 10 seconds")


@contextmanager
def replay_paused():
    """The replica stops replaying (it lags) until the block ends."""
    _one(REPLICA, "SELECT pg_wal_replay_pause()::text")
    try:
        for _ in range(100):
            if _one(REPLICA, "SELECT pg_get_wal_replay_pause_state()") == "paused":
                break
            time.sleep(0.05)
        yield
    finally:
        _one(REPLICA, "SELECT pg_wal_replay_resume()::text")


@pytest.fixture(autouse=True)
def _fresh():
    db_routing.forget_replica_down()
    yield
    _one(REPLICA, "SELECT pg_wal_replay_resume()::text")


def _reads_enquiries(context: CaptureQueriesContext) -> bool:
    return any('"enquiries_enquiry"' in q["sql"] for q in context.captured_queries)


def test_the_replica_is_a_standby_of_the_same_database():
    assert _one(REPLICA, "SELECT pg_is_in_recovery()") is True
    assert _one(PRIMARY, "SELECT pg_is_in_recovery()") is False
    assert _one(REPLICA, "SELECT current_database()") == _one(
        PRIMARY, "SELECT current_database()"
    )


def test_reports_read_the_replica_and_case_pages_the_primary(client, lead, team):
    enquiry = _concluded(team)
    wait_for_replica()
    client.force_login(lead)
    with (
        CaptureQueriesContext(connections[REPLICA]) as on_replica,
        CaptureQueriesContext(connections[PRIMARY]) as on_primary,
    ):
        response = client.get(CSV, {"year": YEAR})
    assert response.status_code == 200
    assert _reads_enquiries(on_replica)
    assert not _reads_enquiries(on_primary)
    # The download's audit line is written to the primary.
    assert any("INSERT" in q["sql"] for q in on_primary.captured_queries)

    with (
        CaptureQueriesContext(connections[REPLICA]) as on_replica,
        CaptureQueriesContext(connections[PRIMARY]) as on_primary,
    ):
        response = client.get(enquiry.get_absolute_url())
    assert response.status_code == 200
    assert on_replica.captured_queries == []
    assert _reads_enquiries(on_primary)


def test_the_dashboard_keeps_figures_it_lacks_on_the_primary(client, lead, team):
    # Enquiries closed before their figures were kept (decision 0033): the
    # dashboard reads the replica, finds them missing, keeps them on the
    # primary (a standby takes no writes) and counts them from there, since
    # the replica (paused here) may not have them yet.
    enquiries = [_concluded(team) for _ in range(3)]
    EnquiryFigures.objects.all().delete()
    wait_for_replica()
    client.force_login(lead)
    with (
        replay_paused(),
        CaptureQueriesContext(connections[REPLICA]) as on_replica,
        CaptureQueriesContext(connections[PRIMARY]) as on_primary,
    ):
        response = client.get(DASHBOARD, {"year": YEAR})
    assert response.status_code == 200
    assert _reads_enquiries(on_replica)
    assert any(
        "INSERT" in q["sql"] and "outcomes_enquiryfigures" in q["sql"]
        for q in on_primary.captured_queries
    )
    assert EnquiryFigures.objects.using(PRIMARY).count() == len(enquiries)
    data = response.context["data"]
    assert data["counts"]["concluded"] == len(enquiries)
    # Counted from the kept figures, read back from the primary: each
    # enquiry's conclusion is timed (none left without its figures).
    closure = next(step for step in data["timescales"] if step["step"] == "closure")
    assert closure["within"] + closure["late"] == len(enquiries)


def test_a_user_sees_their_own_change_before_the_replica_has_it(
    client, manager, lead, team
):
    _concluded(team)
    wait_for_replica()
    other = client.__class__()
    other.force_login(lead)
    client.force_login(manager)
    before = other.get(CSV, {"year": YEAR}).content
    assert client.get(CSV, {"year": YEAR}).content == before

    with replay_paused():
        response = client.post(
            reverse("outcomes:sar_add"),
            {
                "title": "Review of Mr A",
                "commissioned_on": "2024-01-10",
                "completed_on": "2024-11-01",
            },
        )
        assert response.status_code == 302
        assert SESSION_WRITE_LSN in client.session
        # The manager who added the review counts it at once (primary)...
        mine = client.get(CSV, {"year": YEAR}).content
        assert mine != before
        page = client.get(PAGE, {"year": YEAR}).content.decode()
        # ...while a colleague still reads the lagging replica.
        assert other.get(CSV, {"year": YEAR}).content == before
        assert other.get(PAGE, {"year": YEAR}).content.decode() != page

    wait_for_replica()
    assert other.get(CSV, {"year": YEAR}).content == mine
    # The kept figures of the page change with the replica, not before.
    assert _sg5(other.get(PAGE, {"year": YEAR}).content.decode()) == _sg5(page)
    with CaptureQueriesContext(connections[REPLICA]) as on_replica:
        assert client.get(CSV, {"year": YEAR}).content == mine
    assert _reads_enquiries(on_replica)
    assert SESSION_WRITE_LSN not in client.session


def _sg5(html: str) -> str:
    return html.split('id="table-SG5a"')[1].split("</table>")[0]


def test_commands_read_the_replica(team):
    PersonFactory(team=team, family_name="Alreadythere")
    wait_for_replica()
    with replay_paused():
        PersonFactory(team=team, family_name="Notreplayed")
        output = io.StringIO()
        call_command("export_cases", stdout=output, stderr=io.StringIO())
        assert "Alreadythere" in output.getvalue()
        assert "Notreplayed" not in output.getvalue()
    wait_for_replica()
    output = io.StringIO()
    call_command("export_cases", stdout=output, stderr=io.StringIO())
    assert "Notreplayed" in output.getvalue()


def test_kept_sac_counts_are_counted_on_the_primary_whatever_the_replica_has(
    client, lead, team
):
    # The SAC return's kept counts (decision 0037) are counted and read on
    # the primary: a report counts the marked people from the records as
    # committed there, never from a lagging replica (it would count an old
    # state and drop the mark for good).
    enquiry = _concluded(team)
    call_command("keep_sac_counts", stdout=io.StringIO())
    wait_for_replica()
    client.force_login(lead)
    before = client.get(CSV, {"year": YEAR}).content.decode()
    assert "SG1a,Age unknown,Safeguarding Concerns,0" in before
    with replay_paused():
        Person.objects.filter(pk=enquiry.concern.person_id).update(date_of_birth=None)
        assert SacPersonChange.objects.using(PRIMARY).exists()
        with CaptureQueriesContext(connections[PRIMARY]) as on_primary:
            after = client.get(CSV, {"year": YEAR}).content.decode()
    assert "SG1a,Age unknown,Safeguarding Concerns,1" in after
    assert any("outcomes_saccount" in q["sql"] for q in on_primary.captured_queries)
    assert not SacPersonChange.objects.using(PRIMARY).exists()
    afresh = io.StringIO()
    sac_spec.write_long_csv(sac.compute_sac_return(YEAR), afresh)
    assert after.splitlines() == afresh.getvalue().splitlines()


def test_monthly_figures_are_counted_on_the_primary_whatever_the_replica_has(
    client, lead, team
):
    # The dashboard's monthly figures (decision 0038) likewise: a month
    # marked by a change is counted from the primary's records, even while
    # the replica has not replayed the change.
    from enquiries.models import Enquiry
    from outcomes import monthly_figures, reports
    from outcomes.models import FigureMonthChange

    enquiry = _concluded(team)
    monthly_figures.fill()
    wait_for_replica()
    start, end = sac_spec.financial_year_bounds(YEAR)
    filters = reports.ReportFilter(start=start, end=end)
    before = reports.added_up(reports.concluded_monthly(lead, filters)[0])
    with replay_paused():
        # Opened again (in admin, say): no longer concluded.
        Enquiry.objects.filter(pk=enquiry.pk).update(
            status=Enquiry.Status.CLOSURE_REQUESTED
        )
        assert FigureMonthChange.objects.using(PRIMARY).exists()
        kept, from_kept = reports.concluded_monthly(lead, filters)
    assert from_kept
    assert not FigureMonthChange.objects.using(PRIMARY).exists()
    after = reports.added_up(kept)
    assert after["concluded"] == before["concluded"] - 1 >= 0
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(monthly_figures, "kept", lambda *args: None)
        afresh = reports.added_up(reports.concluded_monthly(lead, filters)[0])
    assert after == afresh
