"""A practitioner finds no record, creates the person, records a concern with the
adult's views and wishes, applies the three-part test and decides on a section
42 enquiry. Every page visited is checked with axe."""

import importlib
import re

import pytest
from django.apps import apps as django_apps
from playwright.sync_api import expect

from enquiries.models import Concern, Enquiry, Person

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def _roles(transactional_db):
    """Live-server tests flush the database after each test, taking the roles'
    groups (made by a data migration) with it: put them back."""
    roles = importlib.import_module("msp.migrations.0002_roles")
    roles.create_roles(django_apps, None)


def test_concern_journey_to_section_42(
    page, live_server, sign_in, practitioner, assert_accessible
):
    sign_in(practitioner)
    page.goto(live_server.url + "/")
    assert_accessible(page)

    page.get_by_role("link", name="Find a person").first.click()
    expect(page.get_by_role("heading", name="Find a person")).to_be_visible()
    assert_accessible(page)
    page.get_by_label("Name").fill("Winifred Ashby")
    page.get_by_role("button", name="Search").click()
    expect(page.get_by_role("heading", name="No matching records")).to_be_visible()
    assert_accessible(page)

    page.get_by_role("link", name="Create a new record").click()
    expect(page.get_by_label("First name")).to_have_value("Winifred")
    assert_accessible(page)
    page.get_by_label("First name").fill("")
    page.get_by_role("button", name="Create record").click()
    expect(page.get_by_role("heading", name="There is a problem")).to_be_visible()
    assert_accessible(page)  # the error state
    page.get_by_label("First name").fill("Winifred")
    page.get_by_label("Date of birth", exact=True).fill("1938-11-20")
    page.check("input[name=gender][value=female]")
    page.get_by_label("Gender identity, in their own words (optional)").fill("Woman")
    page.get_by_label("Dementia").check()
    page.get_by_label("Large print").check()
    page.check("input[name=address_type][value=own_home]")
    page.get_by_role("button", name="Create record").click()
    expect(page.get_by_role("heading", name="Winifred Ashby")).to_be_visible()
    assert_accessible(page)
    person = Person.objects.get(family_name="Ashby")
    assert person.health_conditions == ["dementia"]

    page.get_by_role("link", name="Record a concern").click()
    assert_accessible(page)
    page.check("input[name=received_via][value=phone]")
    page.check("input[name=referrer_type][value=health]")
    page.get_by_label("Their name (optional)").fill("Dr Okoro")
    page.get_by_label("What happened").fill(
        "Bruising on both arms seen at the surgery."
    )
    page.check("input[name=adult_aware][value=yes]")
    page.get_by_role("button", name="Save and continue").click()
    expect(page.get_by_role("heading", name="Add an alleged risk")).to_be_visible()
    assert_accessible(page)
    page.check("input[name=risk_type][value=physical]")
    page.check("input[name=location][value=own_home]")
    page.check("input[name=source][value=known]")
    page.get_by_label("Name of the person alleged to have caused it (optional)").fill(
        "Gary Ashby"
    )
    page.get_by_role("button", name="Save and continue").click()
    expect(page).to_have_url(re.compile(r"/concerns/"))
    expect(page.get_by_text("Gary Ashby")).to_be_visible()
    assert_accessible(page)
    concern = Concern.objects.get(person=person)

    page.get_by_role("link", name="The adult's views").click()
    assert_accessible(page)
    page.get_by_role("link", name="Record the adult's views").click()
    assert_accessible(page)
    page.check("input[name=source][value=adult]")
    page.check("input[name=method][value=face_to_face]")
    page.get_by_label("What they said").fill("I don't want my son in trouble.")
    page.get_by_label("These are their own words").check()
    page.get_by_role("button", name="Save views").click()
    expect(page.get_by_text("“I don't want my son in trouble.”")).to_be_visible()
    assert_accessible(page)

    page.goto(live_server.url + concern.get_absolute_url())
    page.get_by_role("link", name="What the adult wants to happen").click()
    assert_accessible(page)
    page.get_by_role("link", name="Add a desired outcome").click()
    assert_accessible(page)
    page.get_by_label("What they want to happen, in their own words").fill(
        "I want to stay at home and for my son to get help."
    )
    page.check("input[name=expressed_by][value=adult]")
    page.get_by_role("button", name="Save desired outcome").click()
    expect(
        page.get_by_text("“I want to stay at home and for my son to get help.”").first
    ).to_be_visible()
    assert_accessible(page)

    page.goto(live_server.url + concern.get_absolute_url())
    page.get_by_role("link", name="Three-part test").click()
    assert_accessible(page)
    for name, reason in (
        ("criterion_care_needs", "Dementia; carers twice a day"),
        ("criterion_abuse", "Unexplained bruising"),
        ("criterion_unable_to_protect", "Cannot act on it because of memory loss"),
    ):
        page.check(f"input[name={name}][value=yes]")
        page.fill(f"textarea[name={name}_reason]", reason)
    page.get_by_role("button", name="Save the three-part test").click()
    expect(
        page.get_by_role("heading", name=re.compile("Concern received"))
    ).to_be_visible()
    assert_accessible(page)

    page.get_by_role("link", name="Decision").click()
    expect(page.get_by_text("I want to stay at home")).to_be_visible()  # their wishes
    assert_accessible(page)
    page.check("input[name=decision][value=section_42]")
    page.get_by_label("Reasons for the decision").fill("All three parts met.")
    page.get_by_role("button", name="Record the decision").click()
    expect(page.get_by_text("Section 42 enquiry").first).to_be_visible()
    assert_accessible(page)

    enquiry = Enquiry.objects.get(concern=concern)
    assert enquiry.kind == "section_42" and enquiry.status == "planning"
    assert enquiry.risks.count() == 1


def test_other_concern_pages_are_accessible(
    page,
    live_server,
    sign_in,
    practitioner,
    other_practitioner,
    team,
    assert_accessible,
):
    from django.urls import reverse

    from enquiries import chronology
    from enquiries.factories import ConcernFactory, PersonFactory, PersonViewFactory
    from enquiries.models import CaseNote, ConsentDecision, DesiredOutcome

    person = PersonFactory(team=team, given_name="Ada", family_name="Lowe")
    concern = ConcernFactory(person=person, allocated_to=practitioner)
    view = PersonViewFactory(person=person, concern=concern)
    outcome = DesiredOutcome.objects.create(
        person=person, concern=concern, stage="concern", text="Feel safe at night"
    )
    consent = ConsentDecision.objects.create(
        person=person,
        concern=concern,
        question="police_referral",
        answer="declined",
        overridden=True,
        override_grounds=["crime"],
        override_reason="Theft of savings",
        recorded_by=other_practitioner,
    )
    chronology.add(person=person, kind="note", summary="Visited at home")
    note = CaseNote.objects.create(
        person=person, text="Draft note", created_by=practitioner
    )
    sign_in(practitioner)
    urls = [
        reverse("enquiries:chronology", args=[person.reference]),
        reverse("enquiries:case_notes", args=[person.reference]),
        reverse("enquiries:case_note_edit", args=[person.reference, note.pk]),
        reverse("enquiries:person_edit", args=[person.reference]),
        reverse("enquiries:relationship_add", args=[person.reference]),
        reverse("enquiries:legal_authority_add", args=[person.reference]),
        reverse("enquiries:concern_edit", args=[concern.reference]),
        reverse("enquiries:view_correct", args=["concern", concern.reference, view.pk]),
        reverse(
            "enquiries:desired_outcome_revise",
            args=["concern", concern.reference, outcome.pk],
        ),
        reverse("enquiries:consent_list", args=["concern", concern.reference]),
        reverse("enquiries:consent_add", args=["concern", concern.reference]),
        reverse(
            "enquiries:consent_confirm", args=["concern", concern.reference, consent.pk]
        ),
        reverse("enquiries:queue", args=["decision"]),
    ]
    for url in urls:
        page.goto(live_server.url + url)
        expect(page).to_have_url(live_server.url + url)
        expect(page.locator("h1")).to_be_visible()
        assert_accessible(page)
    page.goto(live_server.url + urls[-2])
    page.get_by_role("button", name="Confirm the override").click()
    expect(page.get_by_role("heading", name="There is a problem")).to_be_visible()
    assert_accessible(page)
