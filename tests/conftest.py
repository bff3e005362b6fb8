"""Personas shared by every test (the healthchecks alice/bob/charlie idea)."""

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
