"""The access layer's rules for restricted records."""

import pytest

from enquiries.factories import PersonFactory
from enquiries.models import Concern, Person
from msp import access


@pytest.mark.django_db
def test_restricted_matches_counts_beyond_the_stub_limit(practitioner, team):
    PersonFactory.create_batch(3, team=team, is_restricted=True)
    PersonFactory(team=team)
    matches = access.restricted_matches(practitioner, Person.objects.all(), limit=2)
    assert matches.count == 3
    assert len(matches.stubs) == 2
    assert bool(matches)


@pytest.mark.django_db
def test_restricted_matches_only_takes_people(practitioner):
    with pytest.raises(TypeError):
        access.restricted_matches(practitioner, Concern.objects.all())


@pytest.mark.django_db
def test_who_may_break_the_glass(
    practitioner, lead, auditor, other_team_practitioner, team
):
    person = PersonFactory(team=team, is_restricted=True)
    ordinary = PersonFactory(team=team)
    assert access.can_break_glass(practitioner, person)
    assert access.can_break_glass(lead, person)  # leads are not named by default
    assert not access.can_break_glass(other_team_practitioner, person)
    assert not access.can_break_glass(auditor, person)
    assert not access.can_break_glass(practitioner, ordinary)


@pytest.mark.django_db
def test_team_scope_ignores_restriction_but_visible_does_not(practitioner, team):
    person = PersonFactory(team=team, is_restricted=True)
    assert list(access.in_team_scope(practitioner, Person.objects.all())) == [person]
    assert list(access.visible(practitioner, Person.objects.all())) == []
