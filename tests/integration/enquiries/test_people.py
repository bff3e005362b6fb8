"""People: search, create (with the duplicate check), detail, edit, relationships,
legal authorities, chronology and case notes."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils.html import escape

from enquiries import chronology
from enquiries.factories import ConcernFactory, PersonFactory
from enquiries.models import (
    CaseNote,
    ChronologyEvent,
    LegalAuthority,
    Person,
    Relationship,
)
from msp.models import AuditEvent

pytestmark = pytest.mark.django_db

VALID_NHS = "9434765919"


@pytest.fixture
def person(team):
    return PersonFactory(
        given_name="Edith",
        family_name="Marsden",
        date_of_birth=datetime.date(1941, 5, 2),
        team=team,
        nhs_number=VALID_NHS,
    )


@pytest.fixture
def outsider(other_team):
    return PersonFactory(given_name="Edith", family_name="Marlow", team=other_team)


def person_data(**overrides):
    data = {
        "given_name": "Winifred",
        "family_name": "Ashby",
        "date_of_birth": "1938-11-20",
        "gender": "female",
        "ethnicity": "white_british",
        "primary_support_reason": "memory_cognition",
        "health_conditions": ["dementia"],
        "communication_needs": ["large_print"],
        "address_type": "own_home",
        "nhs_number": "",
    }
    data.update(overrides)
    return data


def test_person_pages_need_sign_in(client, person):
    for name in ("person_detail", "person_edit", "chronology", "case_notes"):
        response = client.get(reverse(f"enquiries:{name}", args=[person.reference]))
        assert response.status_code == 302
        assert response["Location"].startswith("/sign-in/")


def test_search_finds_own_team_people_by_name_dob_and_nhs(
    client, practitioner, person, outsider
):
    client.force_login(practitioner)
    url = reverse("enquiries:person_search")
    by_name = client.get(url, {"name": "edith"}).content.decode()
    assert "Edith Marsden" in by_name
    assert "Edith Marlow" not in by_name  # another team's record stays hidden
    by_dob = client.get(url, {"date_of_birth": "1941-05-02"}).content.decode()
    assert "Edith Marsden" in by_dob
    by_nhs = client.get(url, {"nhs_number": "943 476 5919"}).content.decode()
    assert "Edith Marsden" in by_nhs
    none = client.get(url, {"name": "Nobody"}).content.decode()
    assert "No matching records" in none
    assert "Create a new record" in none


def test_search_with_nothing_entered_explains(client, practitioner):
    client.force_login(practitioner)
    response = client.get(reverse("enquiries:person_search"), {"name": ""})
    assert "Enter a name, date of birth, NHS number or reference" in (
        response.content.decode()
    )


def test_lead_searches_every_team(client, lead, person, outsider):
    client.force_login(lead)
    html = client.get(reverse("enquiries:person_search"), {"name": "edith"}).content
    assert b"Edith Marsden" in html and b"Edith Marlow" in html


def test_auditor_cannot_search_or_create(client, auditor):
    client.force_login(auditor)
    assert client.get(reverse("enquiries:person_search")).status_code == 403
    response = client.post(reverse("enquiries:person_create"), person_data())
    assert response.status_code == 403
    assert not Person.objects.exists()


def test_create_person_saves_sac_fields_audit_and_chronology(
    client, practitioner, team
):
    client.force_login(practitioner)
    response = client.post(
        reverse("enquiries:person_create"),
        person_data(team=team.pk, gender_identity="woman", nhs_number="943 476 5919"),
    )
    person = Person.objects.get(family_name="Ashby")
    assert response.status_code == 302
    assert response["Location"] == person.get_absolute_url()
    assert person.team == team
    assert person.health_conditions == ["dementia"]
    assert person.nhs_number == VALID_NHS
    assert person.created_by == practitioner
    assert AuditEvent.objects.filter(
        action="create", object_ref=str(person.reference)
    ).exists()
    assert person.chronology.count() == 1
    detail = client.get(person.get_absolute_url()).content.decode()
    assert "Dementia" in detail and "Support with memory and cognition" in detail


def test_create_shows_likely_duplicates_before_creating(
    client, practitioner, team, person
):
    client.force_login(practitioner)
    data = person_data(
        given_name="Edie",
        family_name="Marsdon",
        date_of_birth="1941-05-02",
        team=team.pk,
    )
    first = client.post(reverse("enquiries:person_create"), data)
    html = first.content.decode()
    assert first.status_code == 200
    assert "The adult may already have a record" in html
    assert "Edith Marsden" in html
    assert Person.objects.count() == 1
    confirmed = client.post(
        reverse("enquiries:person_create"), {**data, "confirm_new": "on"}
    )
    assert confirmed.status_code == 302
    assert Person.objects.count() == 2


def test_duplicates_in_another_team_are_counted_not_shown(
    client, practitioner, team, outsider
):
    outsider.date_of_birth = datetime.date(1950, 1, 1)
    outsider.save()
    client.force_login(practitioner)
    data = person_data(
        given_name="Edith",
        family_name="Marlow",
        date_of_birth="1950-01-01",
        team=team.pk,
    )
    html = client.post(reverse("enquiries:person_create"), data).content.decode()
    assert "1 possible match held by another team" in html
    assert outsider.get_absolute_url() not in html


def test_create_invalid_shows_errors_and_keeps_input(client, practitioner, team):
    client.force_login(practitioner)
    response = client.post(
        reverse("enquiries:person_create"),
        person_data(given_name="", nhs_number="1234567890", team=team.pk),
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "There is a problem" in html
    assert "<title>Error: " in html
    assert "Enter first name" in html
    assert "Enter a valid NHS number" in html
    assert 'value="Ashby"' in html
    assert "None of these is the person" not in html  # no duplicates to confirm
    assert not Person.objects.exists()


def test_other_team_person_is_404(client, practitioner, outsider):
    client.force_login(practitioner)
    for name in ("person_detail", "person_edit", "chronology", "case_notes"):
        url = reverse(f"enquiries:{name}", args=[outsider.reference])
        assert client.get(url).status_code == 404


def test_edit_person_saves_and_audits(client, practitioner, person):
    client.force_login(practitioner)
    data = person_data(
        given_name="Edith",
        family_name="Marsden",
        date_of_birth="1941-05-02",
        version=person.version,
        first_language="Welsh",
    )
    response = client.post(
        reverse("enquiries:person_edit", args=[person.reference]), data
    )
    assert response.status_code == 302
    person.refresh_from_db()
    assert person.first_language == "Welsh"
    assert person.version == 2
    assert AuditEvent.objects.filter(action="change", object_ref=str(person.reference))


def test_edit_person_conflict_keeps_input_and_names_change(
    client, practitioner, other_practitioner, person
):
    client.force_login(practitioner)
    stale_version = person.version
    Person.objects.filter(pk=person.pk).update(
        version=stale_version + 1, postcode="NE9 9ZZ", updated_by=other_practitioner
    )
    data = person_data(
        given_name="Edith",
        family_name="Marsden",
        date_of_birth="1941-05-02",
        postcode="NE1 1AA",
        version=stale_version,
    )
    response = client.post(
        reverse("enquiries:person_edit", args=[person.reference]), data
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "saved this record while you were editing" in html
    assert "NE9 9ZZ" in html  # what the other person saved
    assert 'value="NE1 1AA"' in html  # what this user typed
    person.refresh_from_db()
    assert person.postcode == "NE9 9ZZ"
    retry = client.post(
        reverse("enquiries:person_edit", args=[person.reference]),
        {**data, "version": stale_version + 1},
    )
    assert retry.status_code == 302
    person.refresh_from_db()
    assert person.postcode == "NE1 1AA"


def test_auditor_cannot_edit_person(client, auditor, person):
    client.force_login(auditor)
    url = reverse("enquiries:person_edit", args=[person.reference])
    assert client.post(url, person_data(version=1)).status_code == 403


def test_add_relationship_and_legal_authority(client, practitioner, person):
    client.force_login(practitioner)
    client.post(
        reverse("enquiries:relationship_add", args=[person.reference]),
        {"kind": "unpaid_carer", "name": "Joan Marsden", "is_appropriate_person": "on"},
    )
    client.post(
        reverse("enquiries:legal_authority_add", args=[person.reference]),
        {"kind": "lpa_property", "holder_name": "Carl Marsden"},
    )
    assert Relationship.objects.get(person=person).is_appropriate_person
    assert LegalAuthority.objects.get(person=person).holder_name == "Carl Marsden"
    html = client.get(person.get_absolute_url()).content.decode()
    assert "Joan Marsden" in html and "Carl Marsden" in html


def test_legal_authority_end_before_start_is_refused(client, practitioner, person):
    client.force_login(practitioner)
    response = client.post(
        reverse("enquiries:legal_authority_add", args=[person.reference]),
        {
            "kind": "deputy_property",
            "holder_name": "A Deputy",
            "starts_on": "2024-05-01",
            "ends_on": "2024-01-01",
        },
    )
    assert "End date must be on or after the start date" in response.content.decode()
    assert not LegalAuthority.objects.exists()


def test_chronology_filters_by_kind_and_marks_significant(client, practitioner, person):
    chronology.add(person=person, kind="concern", summary="Concern from GP")
    event = chronology.add(person=person, kind="note", summary="Visited at home")
    client.force_login(practitioner)
    url = reverse("enquiries:chronology", args=[person.reference])
    filtered = client.get(url, {"kind": "note"}).content.decode()
    assert "Visited at home" in filtered and "Concern from GP" not in filtered
    client.post(
        reverse("enquiries:chronology_mark", args=[person.reference, event.pk]),
        {"significant": "yes"},
    )
    event.refresh_from_db()
    assert event.significant
    assert "Significant" in client.get(url).content.decode()


def test_auditor_cannot_mark_chronology(client, auditor, person):
    event = chronology.add(person=person, kind="note", summary="Visited")
    client.force_login(auditor)
    url = reverse("enquiries:chronology_mark", args=[person.reference, event.pk])
    assert client.post(url, {"significant": "yes"}).status_code == 403


def test_chronology_pages_with_constant_queries(
    client, practitioner, person, django_assert_num_queries
):
    client.force_login(practitioner)
    url = reverse("enquiries:chronology", args=[person.reference])
    for n in range(3):
        chronology.add(person=person, kind="note", summary=f"Event {n}")
    client.get(url)
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    for n in range(40):
        chronology.add(
            person=person, kind="note", summary=f"More {n}", user=practitioner
        )
    with django_assert_num_queries(len(few)):
        response = client.get(url)
    assert len(response.context["events"]) == 25
    after = response.context["next_after"]
    second = client.get(url, {"after": after})
    assert len(second.context["events"]) == 43 - 25
    seen = {e.pk for e in response.context["events"]} | {
        e.pk for e in second.context["events"]
    }
    assert len(seen) == ChronologyEvent.objects.filter(person=person).count()


def test_case_note_draft_edit_then_finalise_is_append_only(
    client, practitioner, person
):
    client.force_login(practitioner)
    notes_url = reverse("enquiries:case_notes", args=[person.reference])
    client.post(notes_url, {"text": "Phoned Edith, no answer."})
    note = CaseNote.objects.get(person=person)
    assert not note.is_final
    edit_url = reverse("enquiries:case_note_edit", args=[person.reference, note.pk])
    client.post(edit_url, {"text": "Phoned Edith twice, no answer.", "version": 1})
    note.refresh_from_db()
    assert note.text == "Phoned Edith twice, no answer."
    client.post(
        reverse("enquiries:case_note_finalise", args=[person.reference, note.pk]),
        {"version": note.version},
    )
    note.refresh_from_db()
    assert note.is_final
    client.post(edit_url, {"text": "Rewritten", "version": note.version})
    note.refresh_from_db()
    assert note.text == "Phoned Edith twice, no answer."
    assert person.chronology.filter(kind="note").exists()


def test_case_note_conflict_keeps_input(client, practitioner, person):
    note = CaseNote.objects.create(person=person, text="First draft", version=2)
    client.force_login(practitioner)
    edit_url = reverse("enquiries:case_note_edit", args=[person.reference, note.pk])
    response = client.post(edit_url, {"text": "My version", "version": 1})
    html = response.content.decode()
    assert "saved this record while you were editing" in html
    assert "My version" in html
    note.refresh_from_db()
    assert note.text == "First draft"


def test_case_note_empty_shows_error(client, practitioner, person):
    client.force_login(practitioner)
    response = client.post(
        reverse("enquiries:case_notes", args=[person.reference]), {"text": ""}
    )
    assert "Enter case note" in response.content.decode()
    assert not CaseNote.objects.exists()


def test_person_detail_lists_concerns(client, practitioner, person):
    ConcernFactory(person=person, summary="Bruises noticed")
    client.force_login(practitioner)
    html = client.get(person.get_absolute_url()).content.decode()
    assert "Concern received" in html


def test_search_and_notes_have_constant_queries(
    client, practitioner, person, team, django_assert_num_queries
):
    client.force_login(practitioner)
    search = reverse("enquiries:person_search")
    notes = reverse("enquiries:case_notes", args=[person.reference])

    def add(n):
        for i in range(n):
            PersonFactory(given_name="Edith", family_name=f"Jones{i}", team=team)
            CaseNote.objects.create(
                person=person, text=f"Note {i}", created_by=practitioner
            )

    add(1)
    counts = []
    for url, params in ((search, {"name": "edith"}), (notes, {})):
        client.get(url, params)
        with CaptureQueriesContext(connection) as few:
            client.get(url, params)
        counts.append(len(few))
    add(30)
    with django_assert_num_queries(counts[0]):
        response = client.get(search, {"name": "edith"})
    assert len(response.context["results"]) == 32
    with django_assert_num_queries(counts[1]):
        response = client.get(notes)
    assert len(response.context["notes"]) == 25
    assert response.context["next_after"]


def test_chronology_mark_is_post_only(client, practitioner, person):
    event = chronology.add(person=person, kind="note", summary="Visited")
    client.force_login(practitioner)
    url = reverse("enquiries:chronology_mark", args=[person.reference, event.pk])
    assert client.get(url).status_code == 405


def test_search_checks_access_past_many_hidden_matches(
    client, practitioner, team, other_team, monkeypatch
):
    from enquiries.selectors import people as search

    # Small chunks so the visible people sit several chunks into the matches.
    monkeypatch.setattr(search, "SEARCH_CHUNK", 2)
    for i in range(5):
        PersonFactory(given_name="Ida", family_name=f"Aardvark{i}", team=other_team)
    mine = [
        PersonFactory(given_name="Ida", family_name=name, team=team)
        for name in ("Zephyr", "Yates", "young")
    ]
    client.force_login(practitioner)
    response = client.get(reverse("enquiries:person_search"), {"name": "ida"})
    # Only the practitioner's own team, in name order ignoring case.
    assert [p.family_name for p in response.context["results"]] == [
        "Yates",
        "young",
        "Zephyr",
    ]
    assert not response.context["truncated"]
    html = response.content.decode()
    assert "Aardvark" not in html
    assert all(escape(p.family_name) in html for p in mine)


def test_search_reaches_every_namesake_past_the_first_look(
    client, practitioner, team, other_team, monkeypatch
):
    from enquiries.selectors import people as search

    # Same names on both sides of the first look: the next look carries on
    # after the last person seen (by id), skipping and repeating no one.
    monkeypatch.setattr(search, "SEARCH_CHUNK", 2)
    hidden = [PersonFactory(given_name="Ida", family_name="Able", team=other_team)]
    mine = [PersonFactory(given_name="Ida", family_name="Able", team=team)]
    hidden.append(PersonFactory(given_name="Ida", family_name="Able", team=other_team))
    mine += [
        PersonFactory(given_name="ida", family_name="ABLE", team=team) for _ in "ab"
    ]
    client.force_login(practitioner)
    response = client.get(reverse("enquiries:person_search"), {"name": "Ida Able"})
    assert sorted(p.pk for p in response.context["results"]) == sorted(
        p.pk for p in mine
    )
    assert not response.context["truncated"]


def test_search_with_too_many_matches_asks_for_more_detail(
    client, practitioner, team, monkeypatch
):
    from enquiries.selectors import people as search

    monkeypatch.setattr(search, "SEARCH_CANDIDATES", 3)
    for i in range(4):
        PersonFactory(given_name="Olive", family_name=f"Quill{i}", team=team)
    client.force_login(practitioner)
    response = client.get(reverse("enquiries:person_search"), {"name": "olive"})
    assert [p.family_name for p in response.context["results"]] == [
        "Quill0",
        "Quill1",
        "Quill2",
    ]
    assert response.context["truncated"]
    assert "Add more details to narrow the search" in response.content.decode()


def test_search_by_reference_finds_exactly_that_person(
    client, practitioner, person, team
):
    PersonFactory(given_name="Edith", family_name="Marsh", team=team)
    client.force_login(practitioner)
    response = client.get(
        reverse("enquiries:person_search"), {"reference": str(person.reference)}
    )
    assert response.context["results"] == [person]
