"""The access layer's rules for restricted records."""

import pytest

from enquiries.factories import PersonFactory
from enquiries.models import Concern, Person
from enquiries.selectors import trust
from enquiries.services import trust as services_trust
from msp import access, audit


@pytest.mark.django_db
def test_restricted_matches_counts_beyond_the_stub_limit(practitioner, team):
    PersonFactory.create_batch(3, team=team, is_restricted=True)
    PersonFactory(team=team)
    matches = trust.restricted_matches(practitioner, Person.objects.all(), limit=2)
    assert matches.count == 3
    assert len(matches.stubs) == 2
    assert bool(matches)


@pytest.mark.django_db
def test_restricted_matches_only_takes_people(practitioner):
    with pytest.raises(TypeError):
        trust.restricted_matches(practitioner, Concern.objects.all())


@pytest.mark.django_db
def test_who_may_break_the_glass(
    practitioner, lead, auditor, other_team_practitioner, team
):
    person = PersonFactory(team=team, is_restricted=True)
    ordinary = PersonFactory(team=team)
    assert trust.can_break_glass(practitioner, person)
    assert trust.can_break_glass(lead, person)  # leads are not named by default
    assert not trust.can_break_glass(other_team_practitioner, person)
    assert not trust.can_break_glass(auditor, person)
    assert not trust.can_break_glass(practitioner, ordinary)


@pytest.mark.django_db
def test_team_scope_ignores_restriction_but_visible_does_not(practitioner, team):
    person = PersonFactory(team=team, is_restricted=True)
    assert list(access.in_team_scope(practitioner, Person.objects.all())) == [person]
    assert list(access.visible(practitioner, Person.objects.all())) == []


@pytest.mark.django_db
def test_hidden_restricted_records_are_looked_up_once_per_request(
    practitioner, team, rf, django_assert_num_queries
):
    hidden = PersonFactory(team=team, is_restricted=True)
    shown = PersonFactory(team=team)
    access.team_ids(practitioner)
    practitioner.has_perm("msp.manage_cases")  # permissions cached as usual
    token = audit.set_current_request(rf.get("/"))
    try:
        with django_assert_num_queries(3):  # the hidden ids once, then 2 lists
            assert list(access.visible(practitioner, Person.objects.all())) == [shown]
            assert access.visible(practitioner, Concern.objects.all()).count() == 0
    finally:
        audit.reset_current_request(token)
    assert access.hidden_restricted_ids(practitioner) == [hidden.pk]


@pytest.mark.django_db
def test_breaking_the_glass_shows_the_record_within_the_same_request(
    practitioner, team, rf
):
    person = PersonFactory(team=team, is_restricted=True)
    token = audit.set_current_request(rf.get("/"))
    try:
        assert not access.visible(practitioner, Person.objects.all()).exists()
        services_trust.break_glass(
            user=practitioner, person=person, reason="Police called about her today"
        )
        assert list(access.visible(practitioner, Person.objects.all())) == [person]
    finally:
        audit.reset_current_request(token)


@pytest.mark.django_db
def test_outside_a_request_access_changes_show_at_once(practitioner, team):
    person = PersonFactory(team=team, is_restricted=True)
    assert not access.visible(practitioner, Person.objects.all()).exists()
    person.permitted_users.add(practitioner)
    assert list(access.visible(practitioner, Person.objects.all())) == [person]
