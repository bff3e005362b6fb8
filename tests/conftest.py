"""Personas shared by every test (the healthchecks alice/bob/charlie idea)."""

import os

import pytest

from msp import roles
from msp.factories import TeamFactory, UserFactory


@pytest.fixture
def team(db):
    return TeamFactory(name="North locality", code="north", areas="NE1\nNE2")


@pytest.fixture
def other_team(db):
    return TeamFactory(name="South locality", code="south", areas="SE1")


@pytest.fixture
def practitioner(team):
    return UserFactory(username="pat", role=roles.PRACTITIONER, team=team)


@pytest.fixture
def other_practitioner(team):
    return UserFactory(username="pam", role=roles.PRACTITIONER, team=team)


@pytest.fixture
def other_team_practitioner(other_team):
    return UserFactory(username="oscar", role=roles.PRACTITIONER, team=other_team)


@pytest.fixture
def manager(team):
    return UserFactory(username="mo", role=roles.TEAM_MANAGER, team=team)


@pytest.fixture
def lead(db):
    return UserFactory(username="lee", role=roles.SAFEGUARDING_LEAD)


@pytest.fixture
def auditor(db):
    return UserFactory(username="aud", role=roles.AUDITOR)


@pytest.fixture
def administrator(db):
    return UserFactory(username="ada", role=roles.ADMINISTRATOR)


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(items):
    """Browser journeys run last.

    They restore the migrated contents before each test and empty the
    database after it without re-running post_migrate (Django's serialized
    rollback), so a plain transactional test that came after one would find
    no roles, permissions or reference data. pytest-django has already put
    transactional tests after the others; this keeps that order and moves
    the journeys to the very end.
    """
    journeys = [item for item in items if "/tests/functional/" in str(item.path)]
    if journeys:
        others = [item for item in items if "/tests/functional/" not in str(item.path)]
        items[:] = others + journeys


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    """With MSP_NO_SKIPS set (CI's replica and Redis stage, where everything
    those tests need has been set up), a skipped test fails instead: that
    stage exists to run them, so it must not pass by skipping them."""
    outcome = yield
    report = outcome.get_result()
    if report.skipped and os.environ.get("MSP_NO_SKIPS"):
        reason = report.longrepr[2] if isinstance(report.longrepr, tuple) else ""
        report.outcome = "failed"
        report.longrepr = (
            f"skipped where nothing may be skipped (MSP_NO_SKIPS): {reason}"
        )
