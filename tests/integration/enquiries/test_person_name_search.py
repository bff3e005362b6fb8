"""The name search (issue 21): what it finds, and its words kept in step with
every way a name is written."""

from __future__ import annotations

import io
import json
import random

import pytest
from django.urls import reverse

from enquiries.factories import PersonFactory
from enquiries.interchange import import_cases
from enquiries.models import Person, PersonNameWord, refresh_name_words
from enquiries.models.people import name_words
from enquiries.selectors.people import SEARCH_LIMIT, first_visible, matching_people

pytestmark = pytest.mark.django_db


def found(client, name: str) -> str:
    """The names the search page lists (not the form's hint)."""
    response = client.get(reverse("enquiries:person_search"), {"name": name})
    results = response.context["results"]
    assert ("No matching records" in response.content.decode()) == (not results)
    return "; ".join(person.full_name for person in results) or "No matching records"


def test_a_name_is_found_from_the_start_of_any_of_its_words(client, lead, team):
    PersonFactory(team=team, given_name="Joan", family_name="Smith")
    PersonFactory(team=team, given_name="John", family_name="Smith-Hall")
    PersonFactory(team=team, given_name="Anna", family_name="Goldsmith")
    PersonFactory(
        team=team, given_name="Margaret", family_name="O'Neill", preferred_name="Peggy"
    )
    client.force_login(lead)
    page = found(client, "smi")
    assert "Joan Smith" in page and "John Smith-Hall" in page
    assert "Goldsmith" not in page  # not from the middle of a word
    assert "Smith-Hall" in found(client, "hall")
    both = found(client, "jo smi")
    assert "Joan Smith" in both and "John Smith-Hall" in both
    assert "Joan Smith" not in found(client, "joan hall")
    assert "O'Neill" in found(client, "peggy")
    assert "O'Neill" in found(client, "neill")
    assert "O'Neill" in found(client, "o'neill")
    assert "No matching records" in found(client, "mith")


def test_a_changed_name_is_found_by_its_new_name_only(client, lead, team):
    person = PersonFactory(team=team, given_name="Ida", family_name="Able")
    person.family_name = "Baker"
    person.save()
    client.force_login(lead)
    assert "Ida Baker" in found(client, "baker")
    assert "No matching records" in found(client, "able")
    person.preferred_name = "Dolly"
    person.save(update_fields=["preferred_name"])
    assert "Ida Baker" in found(client, "dolly")


def test_people_imported_or_renamed_by_an_import_are_found(client, lead, team):
    lines = [
        {"record": "person", "ref": "P1", "given_name": "Ada", "family_name": "Li"},
        {"record": "person", "ref": "P2", "given_name": "Bo", "family_name": "Chan"},
    ]
    assert import_cases(io.StringIO("\n".join(map(json.dumps, lines)))).ok
    renamed = {**lines[1], "family_name": "Chang"}
    assert import_cases(io.StringIO(json.dumps(renamed))).ok
    assert set(matching_people(name="li").values_list("source_ref", flat=True)) == {
        "P1"
    }
    assert set(matching_people(name="chang").values_list("source_ref", flat=True)) == {
        "P2"
    }
    assert not matching_people(name="chan").exclude(family_name="Chang").exists()
    client.force_login(lead)
    assert "Ada Li" in found(client, "ada")


def test_the_kept_words_equal_a_fresh_count_after_random_edits(team):
    """Whatever the edits, the words kept equal the words of the names now."""
    rng = random.Random(21)
    names = ["Smith", "Jones", "Smith-Jones", "O'Brien", "Li", "Ng", ""]
    people = [PersonFactory(team=team) for _ in range(12)]
    for _ in range(60):
        person = rng.choice(people)
        field = rng.choice(["given_name", "family_name", "preferred_name"])
        value = rng.choice(names) or ("" if field == "preferred_name" else "X")
        setattr(person, field, value)
        if rng.random() < 0.3:
            Person.objects.filter(pk=person.pk).update(**{field: value})
            refresh_name_words([person.pk])  # what bulk writers call
        else:
            person.save()
    for person in Person.objects.all():
        kept = set(
            PersonNameWord.objects.filter(person=person).values_list("word", flat=True)
        )
        assert kept == name_words(
            person.given_name, person.family_name, person.preferred_name
        )
        keys = set(
            PersonNameWord.objects.filter(person=person).values_list(
                "family_key", "given_key"
            )
        )
        assert keys == {(person.family_name.upper(), person.given_name.upper())}


def test_a_common_surname_shows_the_first_page_in_name_order(lead, team):
    for index in range(SEARCH_LIMIT + 5):
        PersonFactory(team=team, given_name=f"Given{index:03d}", family_name="Smith")
    PersonFactory(team=team, given_name="Aaron", family_name="Smithers")
    people, more = first_visible(
        lead, matching_people(name="smith"), name_alone="smith"
    )
    assert more and len(people) == SEARCH_LIMIT
    assert [p.given_name for p in people[:2]] == ["Given000", "Given001"]
    assert all(p.family_name == "Smith" for p in people)
    # The same people as the search that reads people's rows in name order.
    rows, _ = first_visible(lead, matching_people(name="smith"))
    assert [p.pk for p in rows] == [p.pk for p in people]


def test_archived_people_are_not_found(lead, team):
    PersonFactory(team=team, given_name="Vera", family_name="Lynn", is_archived=True)
    assert first_visible(lead, matching_people(name="vera"), name_alone="vera") == (
        [],
        False,
    )


def test_the_two_reads_merge_into_name_order_with_each_person_once(team):
    """Exact words and longer ones, read in short pieces, give every match
    once in name order: the same as sorting every matching word by hand."""
    from enquiries.selectors.people import _by_name

    rng = random.Random(7)
    families = ["Smith", "Smithers", "Smith-Smithson", "Smyth", "Jones", "Smith Jones"]
    for _ in range(40):
        PersonFactory(
            team=team,
            given_name=rng.choice(["Ann", "Bob", "Smithy", "Zoe"]),
            family_name=rng.choice(families),
        )
    for terms in (["SMITH"], ["SMI"], ["SMITH", "ZOE"], ["JONES"]):
        expected = sorted(
            {
                (w.family_key, w.given_key, w.person_id)
                for w in PersonNameWord.objects.all()
                if w.word.startswith(terms[0])
                and all(
                    any(
                        other.word.startswith(term)
                        for other in PersonNameWord.objects.filter(
                            person_id=w.person_id
                        )
                    )
                    for term in terms[1:]
                )
            }
        )
        for limit in (1, 3, 50):
            got, after = [], None
            while True:
                rows = _by_name(terms, after, limit)
                got += rows
                if len(rows) < limit:
                    break
                after = rows[-1]
            assert got == expected, (terms, limit)
