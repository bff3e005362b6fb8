"""Which records a team reaches through each access path (msp.access.visible).

A person is in a team's scope through their own team, any of their concerns'
teams, or any enquiry's team (a case transferred to another team); records
hanging off a person follow the same paths. Each record is listed once.
"""

import pytest
from django.db import connection

from enquiries import chronology
from enquiries.factories import ConcernFactory, EnquiryFactory, PersonFactory
from enquiries.models import ChronologyEvent, Concern, Enquiry, Person, PersonNameWord
from enquiries.selectors import trust
from msp import access

pytestmark = pytest.mark.django_db


def test_person_reached_only_through_a_concern_in_the_team(
    practitioner, team, other_team
):
    person = PersonFactory(team=other_team)
    ConcernFactory(person=person, team=other_team)
    assert not access.visible(practitioner, Person.objects.all()).exists()
    ConcernFactory(person=person, team=team)
    ConcernFactory(person=person, team=team)
    # Two concerns in the team: the person is still listed once.
    assert list(access.visible(practitioner, Person.objects.all())) == [person]


def test_person_reached_only_through_an_enquiry_in_the_team(
    practitioner, other_team_practitioner, team, other_team
):
    person = PersonFactory(team=other_team)
    concern = ConcernFactory(person=person, team=other_team)
    EnquiryFactory(concern=concern, team=team)
    assert list(access.visible(practitioner, Person.objects.all())) == [person]
    # The concern itself stays with the other team.
    assert not access.visible(practitioner, Concern.objects.all()).exists()
    assert list(access.visible(practitioner, Enquiry.objects.all())) == list(
        Enquiry.objects.all()
    )
    assert list(access.visible(other_team_practitioner, Person.objects.all())) == [
        person
    ]


def test_chronology_follows_the_person_through_their_concerns(
    practitioner, team, other_team
):
    person = PersonFactory(team=other_team)
    chronology.add(person=person, kind="note", summary="Visited")
    events = ChronologyEvent.objects.filter(person=person)
    assert not access.visible(practitioner, events).exists()
    ConcernFactory(person=person, team=team)
    ConcernFactory(person=person, team=team)
    visible_events = list(access.visible(practitioner, events))
    assert len(visible_events) == events.count() >= 1


def test_restricted_person_reached_through_a_concern_is_hidden_but_in_scope(
    practitioner, team, other_team
):
    person = PersonFactory(team=other_team, is_restricted=True)
    ConcernFactory(person=person, team=team)
    assert not access.visible(practitioner, Person.objects.all()).exists()
    assert list(access.in_team_scope(practitioner, Person.objects.all())) == [person]
    matches = trust.restricted_matches(practitioner, Person.objects.all())
    assert [stub.reference for stub in matches.stubs] == [str(person.reference)]
    person.permitted_users.add(practitioner)
    assert list(access.visible(practitioner, Person.objects.all())) == [person]
    assert not trust.restricted_matches(practitioner, Person.objects.all())


def test_person_reached_through_an_enquiry_on_a_later_concern(
    practitioner, team, other_team
):
    """The two-reverse-step path (a person's concerns' enquiries) finds the
    enquiry on any of the person's concerns, and records reached through the
    person (their name words) follow it; people of other teams stay out."""
    person = PersonFactory(team=other_team, given_name="Ada", family_name="Quill")
    ConcernFactory(person=person, team=other_team)
    second = ConcernFactory(person=person, team=other_team)
    stranger = PersonFactory(team=other_team)
    EnquiryFactory(concern=ConcernFactory(person=stranger, team=other_team))
    assert not access.visible(practitioner, Person.objects.all()).exists()
    EnquiryFactory(concern=second, team=team)
    assert list(access.visible(practitioner, Person.objects.all())) == [person]
    words = access.visible(practitioner, PersonNameWord.objects.all())
    assert {word.person_id for word in words} == {person.pk}


def test_two_reverse_steps_probe_each_candidates_own_rows():
    """On PostgreSQL the enquiry test gathers the candidate's concerns first
    (``= ANY(ARRAY(...))``), a shape the planner cannot turn into a hash of
    every enquiry of the team against every concern (1.6 s at 1M concerns,
    0.14-0.19 s in this shape); elsewhere it is a plain ``IN``."""
    condition = access._team_condition(Person, "concerns__enquiries__team", [1])
    sql = str(Person.objects.filter(condition).query)
    if connection.vendor == "postgresql":
        assert '"concern_id" = ANY(ARRAY(SELECT' in sql
    else:
        assert '"concern_id" IN (SELECT' in sql
