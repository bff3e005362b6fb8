"""Interchange: a risk's place (postcode and name, issue 19) is optional in
the file: imported normalised, exported only when recorded, checked like the
risk form, and a file without places keeps the places recorded here."""

from __future__ import annotations

import copy
import io
import json

import pytest

from enquiries.interchange import export_cases, import_cases
from enquiries.models import Risk

pytestmark = pytest.mark.django_db

PERSON = {
    "record": "person",
    "ref": "P1",
    "given_name": "Ada",
    "family_name": "Lovelace",
    "date_of_birth": "1940-02-01",
}
CONCERN = {
    "record": "concern",
    "ref": "C1",
    "person": "P1",
    "received_on": "2024-06-01",
}
ENQUIRY = {
    "record": "enquiry",
    "ref": "E1",
    "concern": "C1",
    "kind": "section_42",
    "started_on": "2024-06-03",
    "risks": [
        {
            "type": "physical",
            "location": "care_home_residential",
            "source": "service_provider",
            "place_postcode": "ne2  1cd",
            "place_name": "Larch House",
        },
        {"type": "financial_material", "location": "own_home", "source": "known"},
    ],
}


def run(*records):
    text = "".join(json.dumps(r) + "\n" for r in records)
    return import_cases(io.StringIO(text), stdout=io.StringIO())


def exported_enquiry() -> dict:
    stream = io.StringIO()
    export_cases(stream)
    lines = [json.loads(line) for line in stream.getvalue().splitlines()]
    return next(line for line in lines if line["record"] == "enquiry")


def test_places_are_imported_normalised_and_exported_only_when_recorded():
    report = run(PERSON, CONCERN, ENQUIRY)
    assert report.ok, report.errors
    places = set(Risk.objects.values_list("place_postcode", "place_name"))
    assert places == {("NE2 1CD", "Larch House"), ("", "")}
    risks = exported_enquiry()["risks"]
    assert risks[0]["place_postcode"] == "NE2 1CD"
    assert risks[0]["place_name"] == "Larch House"
    assert "place_postcode" not in risks[1] and "place_name" not in risks[1]
    # Importing the same again changes nothing.
    before = list(Risk.objects.values_list("pk", "is_withdrawn"))
    assert run(PERSON, CONCERN, ENQUIRY).ok
    assert list(Risk.objects.values_list("pk", "is_withdrawn")) == before


@pytest.mark.parametrize(
    ("risk", "message"),
    [
        (
            {"location": "community", "place_postcode": "NE2"},
            "risks[0].place_postcode: must be a UK postcode",
        ),
        (
            {"location": "own_home", "place_postcode": "NE2 1CD"},
            "risks[0].place_postcode: not allowed with location own_home",
        ),
    ],
)
def test_a_bad_place_is_refused_and_nothing_changes(risk, message):
    enquiry = copy.deepcopy(ENQUIRY)
    enquiry["risks"] = [{"type": "physical", "source": "unknown", **risk}]
    report = run(PERSON, CONCERN, enquiry)
    assert not report.ok
    assert any(message in error for error in report.errors), report.errors
    assert not Risk.objects.exists()


def test_a_file_without_places_keeps_the_places_recorded_here():
    assert run(PERSON, CONCERN, ENQUIRY).ok
    older = copy.deepcopy(ENQUIRY)
    for risk in older["risks"]:
        risk.pop("place_postcode", None)
        risk.pop("place_name", None)
    assert run(PERSON, CONCERN, older).ok
    kept = Risk.objects.filter(is_withdrawn=False, enquiry__isnull=False)
    assert set(kept.values_list("place_postcode", flat=True)) == {"NE2 1CD", ""}
