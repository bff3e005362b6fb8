"""Interchange: an import may update a concern or an enquiry but not move it
to another adult or concern (decision 0041): the records made with it (views,
desired outcomes, risks, documents) name the adult and the concern too, and
would stay with the first adult."""

from __future__ import annotations

import copy

import pytest

from enquiries.models import Concern, DesiredOutcome, Enquiry, Person, Risk
from tests.integration.test_interchange_risk_places import (
    CONCERN,
    ENQUIRY,
    PERSON,
    run,
)

pytestmark = pytest.mark.django_db

OTHER_PERSON = {**PERSON, "ref": "P2", "given_name": "Bea", "family_name": "Other"}
OTHER_CONCERN = {**CONCERN, "ref": "C2", "person": "P2"}


@pytest.fixture
def imported():
    enquiry = copy.deepcopy(ENQUIRY)
    enquiry["desired_outcomes"] = [{"text": "Feel safe at home", "source": "adult"}]
    report = run(PERSON, CONCERN, enquiry)
    assert report.ok, report.errors
    return enquiry


def _as_it_is() -> list:
    return [
        list(Concern.objects.values_list("pk", "person_id")),
        list(Enquiry.objects.values_list("pk", "concern_id", "version")),
        list(Risk.objects.values_list("pk", "concern_id", "is_withdrawn")),
        list(DesiredOutcome.objects.values_list("pk", "person_id", "concern_id")),
        Person.objects.count(),
    ]


def test_an_enquiry_is_not_moved_to_another_concern(imported):
    before = _as_it_is()
    moved = {**imported, "concern": "C2"}
    report = run(PERSON, CONCERN, OTHER_PERSON, OTHER_CONCERN, moved)
    assert not report.ok
    assert report.errors == [
        "line 5: concern: enquiry 'E1' is recorded here under another concern; "
        "an import does not move an enquiry and the records made with it to "
        "another concern: import it under a new ref, or leave concern as it was"
    ]
    assert _as_it_is() == before  # nothing imported, not even the new adult


def test_a_concern_is_not_moved_to_another_adult(imported):
    before = _as_it_is()
    report = run(PERSON, OTHER_PERSON, {**CONCERN, "person": "P2"}, imported)
    assert not report.ok
    assert report.errors[0].startswith(
        "line 3: person: concern 'C1' is recorded here under another adult"
    )
    assert _as_it_is() == before


def test_the_same_owner_imports_again_and_a_new_ref_is_a_new_record(imported):
    assert run(PERSON, CONCERN, imported).ok
    again = {**imported, "ref": "E2", "concern": "C2"}
    report = run(PERSON, CONCERN, OTHER_PERSON, OTHER_CONCERN, again)
    assert report.ok, report.errors
    new = Enquiry.objects.get(source_ref="E2")
    assert new.concern.person.given_name == "Bea"
    assert set(new.risks.values_list("concern__person__given_name", flat=True)) == {
        "Bea"
    }
