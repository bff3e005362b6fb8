"""A replica that is down: reports read the primary (decision 0018).

``DATABASE_REPLICA_URL`` points at a closed port; the test needs no replica
and runs on SQLite and PostgreSQL alike.
"""

from __future__ import annotations

import pytest
from django.conf import settings
from django.db import connections

from msp import db_routing
from msp.db_routing import PRIMARY, REPLICA


@pytest.fixture(scope="module", autouse=True)
def replica_on_a_closed_port():
    """Configured before the test's database access is set up, as settings
    would configure it; removed again after this module."""
    configured = settings.DATABASES.get(REPLICA)
    if configured is not None:  # a real replica: set it aside for now
        connections[REPLICA].close()
        del connections[REPLICA]
    settings.DATABASES[REPLICA] = {
        **connections[PRIMARY].settings_dict,
        "ENGINE": "django.db.backends.postgresql",
        "HOST": "127.0.0.1",
        "PORT": 1,  # nothing listens on port 1
        "NAME": "msp",
        "USER": "msp",
        "OPTIONS": {"connect_timeout": 2},
        "TEST": {"MIRROR": PRIMARY},
    }
    db_routing.forget_replica_down()
    yield
    db_routing.forget_replica_down()
    connections[REPLICA].close()
    del connections[REPLICA]
    if configured is None:
        del settings.DATABASES[REPLICA]
    else:
        settings.DATABASES[REPLICA] = configured


@pytest.mark.django_db(transaction=True, databases=[PRIMARY, REPLICA])
def test_reports_still_work_from_the_primary_when_the_replica_is_down(
    client, lead, caplog
):
    assert db_routing.replica_configured()
    client.force_login(lead)
    response = client.get("/outcomes/")
    assert response.status_code == 200
    assert b"Concluded enquiries" in response.content
    assert "Replica database unavailable" in caplog.text
    assert db_routing.replica_marked_down()
    caplog.clear()
    response = client.get("/outcomes/sac/", {"year": "2024-25"})
    assert response.status_code == 200
    # Remembered as down for a while: no new attempt, no new warning.
    assert "Replica database unavailable" not in caplog.text
    assert db_routing.decide(None) == PRIMARY
