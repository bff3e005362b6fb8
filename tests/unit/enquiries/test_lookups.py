"""``__any_of``: the rows of ``__in``, sent as one array on PostgreSQL."""

import pytest
from django.db import connection

from enquiries.factories import ConcernFactory, PersonFactory
from enquiries.models import Concern, Person

pytestmark = pytest.mark.django_db


def test_any_of_finds_the_same_rows_as_in():
    people = PersonFactory.create_batch(4)
    concerns = [ConcernFactory(person=person) for person in people]
    wanted = {people[0].pk, people[2].pk}
    refs = {str(people[1].reference), str(people[3].reference)}

    assert set(Person.objects.filter(pk__any_of=wanted)) == {people[0], people[2]}
    assert set(Person.objects.filter(reference__any_of=refs)) == {
        people[1],
        people[3],
    }
    # Through a foreign key, by id or by instance.
    assert set(Concern.objects.filter(person_id__any_of=wanted)) == {
        concerns[0],
        concerns[2],
    }
    assert set(Concern.objects.filter(person__any_of=[people[3]])) == {concerns[3]}
    assert set(Concern.objects.exclude(person__any_of=wanted)) == {
        concerns[1],
        concerns[3],
    }


def test_a_subquery_works_as_with_in():
    people = PersonFactory.create_batch(2)
    concerns = [ConcernFactory(person=person) for person in people]
    first = Person.objects.filter(pk=people[0].pk)
    assert list(Concern.objects.filter(person__any_of=first)) == [concerns[0]]
    assert list(Person.objects.filter(pk__any_of=first.values("pk"))) == [people[0]]


def test_an_empty_list_matches_nothing():
    PersonFactory()
    assert list(Person.objects.filter(pk__any_of=[])) == []
    assert Person.objects.exclude(pk__any_of=[]).count() == 1


def test_on_postgresql_the_list_is_one_parameter():
    people = PersonFactory.create_batch(3)
    one_sql, one_params = Person.objects.filter(
        pk__any_of=[people[0].pk]
    ).query.sql_with_params()
    three_sql, three_params = Person.objects.filter(
        pk__any_of=[p.pk for p in people]
    ).query.sql_with_params()
    if connection.vendor == "postgresql":
        assert "= ANY(%s::bigint[])" in three_sql
        assert one_sql == three_sql
        # One array literal, written without adapting each id in Python.
        assert three_params == ("{" + ",".join(str(p.pk) for p in people) + "}",)
        assert list(Person.objects.filter(pk__any_of=[p.pk for p in people])) == (
            sorted(people, key=lambda p: (p.family_name, p.given_name))
        )
    else:
        assert three_sql.count("%s") == one_sql.count("%s") + 2


def test_ids_as_text_or_with_none_are_prepared_as_with_in():
    # Plain ints skip Django's value-by-value preparation; anything else
    # still gets it, so these match exactly as ``__in`` would.
    people = PersonFactory.create_batch(3)
    concerns = [ConcernFactory(person=person) for person in people]
    as_text = [str(people[0].pk), None, str(people[2].pk)]
    assert set(Concern.objects.filter(person_id__any_of=as_text)) == set(
        Concern.objects.filter(person_id__in=as_text)
    )
    assert set(Concern.objects.filter(person_id__any_of=as_text)) == {
        concerns[0],
        concerns[2],
    }
    assert set(Person.objects.filter(pk__any_of=(people[1].pk,))) == {people[1]}
