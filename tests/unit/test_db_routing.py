"""Where reads and writes go with a read replica (msp/db_routing.py, decision
0018). These tests need no replica: they check the router's decisions."""

from __future__ import annotations

import pytest
from django.contrib.sessions.models import Session
from django.http import HttpResponse
from django.test import RequestFactory

from enquiries.models import Enquiry
from msp import db_routing
from msp.db_routing import (
    PRIMARY,
    REPLICA,
    SESSION_WRITE_LSN,
    ReplicaRouter,
    ReplicaState,
    choose_read_alias,
    reads_from_replica,
)
from msp.models import AuditEvent

CAUGHT_UP = ReplicaState(replay_lsn="0/5000000", backlog_seconds=0)


def choose(**overrides):
    arguments = {
        "configured": True,
        "state": CAUGHT_UP,
        "user_write_lsn": None,
        "max_lag_seconds": 60,
    }
    return choose_read_alias(**{**arguments, **overrides})


def test_reports_read_the_replica_when_it_is_up_to_date():
    assert choose() == REPLICA


@pytest.fixture
def no_replica(monkeypatch):
    monkeypatch.setattr(db_routing, "replica_configured", lambda: False)


def test_without_a_replica_everything_reads_the_primary(no_replica):
    assert choose(configured=False) == PRIMARY
    assert db_routing.decide(None) == PRIMARY
    with db_routing.replica_reads(None) as alias:
        assert alias == PRIMARY
        assert ReplicaRouter().db_for_read(Enquiry) == PRIMARY


def test_an_unreachable_replica_sends_reports_to_the_primary():
    assert choose(state=None) == PRIMARY


def test_a_server_that_is_not_a_replica_is_not_used():
    # pg_last_wal_replay_lsn() is NULL on a server that is not in recovery.
    assert choose(state=ReplicaState(replay_lsn=None, backlog_seconds=0)) == PRIMARY


def test_a_user_whose_change_is_not_replayed_yet_reads_the_primary():
    assert choose(user_write_lsn="0/5000001") == PRIMARY
    # WAL positions compare as numbers, not as text.
    assert choose(user_write_lsn="1/0") == PRIMARY
    assert choose(user_write_lsn="0/FFFFFF") == REPLICA
    assert choose(user_write_lsn="0/5000000") == REPLICA


def test_a_replica_replaying_an_old_backlog_is_not_used():
    lagging = ReplicaState(replay_lsn="0/5000000", backlog_seconds=61)
    assert choose(state=lagging) == PRIMARY
    assert choose(state=lagging, max_lag_seconds=120) == REPLICA


def test_router_sends_case_reads_where_the_report_decided():
    router = ReplicaRouter()
    assert router.db_for_read(Enquiry) == PRIMARY
    token = db_routing._read_from.set(REPLICA)
    try:
        assert router.db_for_read(Enquiry) == REPLICA
        assert router.db_for_read(AuditEvent) == REPLICA
        # Sign-in state is always the primary's.
        assert router.db_for_read(Session) == PRIMARY
        # Writes always go to the primary, even for an object read from the
        # replica.
        enquiry = Enquiry()
        enquiry._state.db = REPLICA
        assert router.db_for_write(Enquiry, instance=enquiry) == PRIMARY
    finally:
        db_routing._read_from.reset(token)
    assert router.db_for_read(Enquiry) == PRIMARY


def test_only_the_primary_is_migrated():
    router = ReplicaRouter()
    assert router.allow_migrate(REPLICA, "enquiries") is False
    assert router.allow_migrate(PRIMARY, "enquiries") is None


def _request(method="get", **session):
    request = getattr(RequestFactory(), method)("/")
    request.session = dict(session)
    return request


@pytest.fixture
def replica_configured(monkeypatch):
    monkeypatch.setattr(db_routing, "replica_configured", lambda: True)


def test_decorated_view_reads_the_replica_only_while_it_runs(
    replica_configured, monkeypatch
):
    monkeypatch.setattr(db_routing, "replica_state", lambda: CAUGHT_UP)
    seen = []

    @reads_from_replica
    def report(request):
        seen.append(db_routing.current_read_alias())
        return HttpResponse()

    report(_request())
    assert seen == [REPLICA]
    assert db_routing.current_read_alias() == PRIMARY


def test_read_your_writes_until_the_replica_has_the_change(
    replica_configured, monkeypatch
):
    state = {"lsn": "0/4FFFFFF"}
    monkeypatch.setattr(
        db_routing,
        "replica_state",
        lambda: ReplicaState(replay_lsn=state["lsn"], backlog_seconds=0),
    )
    request = _request(**{SESSION_WRITE_LSN: "0/5000000"})
    assert db_routing.decide(request) == PRIMARY
    assert request.session[SESSION_WRITE_LSN] == "0/5000000"
    state["lsn"] = "0/5000000"
    assert db_routing.decide(request) == REPLICA
    # Once replayed, the user's session no longer needs checking.
    assert SESSION_WRITE_LSN not in request.session
    # Another user, who changed nothing, read the replica all along.
    assert db_routing.decide(_request()) == REPLICA


def test_commands_read_the_replica(replica_configured, monkeypatch):
    monkeypatch.setattr(db_routing, "replica_state", lambda: CAUGHT_UP)
    with db_routing.replica_reads(None) as alias:
        assert alias == REPLICA
        assert db_routing.current_read_alias() == REPLICA


@pytest.mark.django_db
def test_middleware_keeps_the_write_position_after_a_request_that_wrote(
    replica_configured, monkeypatch, team
):
    monkeypatch.setattr(db_routing, "primary_lsn", lambda: "0/ABC")

    def writes(request):
        team.name = "Renamed"
        team.save()
        return HttpResponse()

    def only_reads(request):
        list(Enquiry.objects.all())
        return HttpResponse()

    for method, view, expected in [
        ("post", writes, "0/ABC"),
        ("post", only_reads, None),
        ("get", only_reads, None),
    ]:
        request = _request(method)
        db_routing.ReadYourWritesMiddleware(view)(request)
        assert request.session.get(SESSION_WRITE_LSN) == expected, (method, view)


def test_middleware_is_left_out_without_a_replica(no_replica):
    from django.core.exceptions import MiddlewareNotUsed

    with pytest.raises(MiddlewareNotUsed):
        db_routing.ReadYourWritesMiddleware(lambda request: HttpResponse())
