"""Small rules behind the public form and the intake queue."""

import datetime
import re

import pytest
from django import forms

from enquiries.services.intake import make_reference_code, route
from enquiries.views.intake import waiting_time
from enquiries.views.public import normalise_postcode, postcode_district

NOW = datetime.datetime(2026, 11, 26, 12, 0, tzinfo=datetime.UTC)


@pytest.mark.parametrize(
    ("delta", "words"),
    [
        (datetime.timedelta(seconds=30), "0 minutes"),
        (datetime.timedelta(minutes=1), "1 minute"),
        (datetime.timedelta(minutes=40), "40 minutes"),
        (datetime.timedelta(hours=1, minutes=5), "1 hour"),
        (datetime.timedelta(hours=3), "3 hours"),
        (datetime.timedelta(hours=47), "47 hours"),
        (datetime.timedelta(days=2, hours=3), "2 days"),
        (datetime.timedelta(days=15), "15 days"),
    ],
)
def test_waiting_time_in_words(delta, words):
    assert waiting_time(NOW - delta, NOW) == words


@pytest.mark.parametrize(
    ("raw", "clean"),
    [("ne1 4st", "NE1 4ST"), ("SW1A1AA", "SW1A 1AA"), (" m1  1ae ", "M1 1AE")],
)
def test_postcodes_are_normalised(raw, clean):
    assert normalise_postcode(raw) == clean


@pytest.mark.parametrize("raw", ["", "NE1", "12345", "NE1 4STX", "<b>NE1 4ST</b>"])
def test_bad_postcodes_are_refused(raw):
    with pytest.raises(forms.ValidationError):
        normalise_postcode(raw)


def test_postcode_district_is_the_outward_code():
    assert postcode_district("SW1A 1AA") == "SW1A"
    assert postcode_district("") == ""


def test_references_are_short_and_unambiguous():
    codes = {make_reference_code() for _ in range(500)}
    assert len(codes) > 490
    for code in codes:
        assert re.fullmatch(r"SG-[A-Z0-9]{6}", code)
        assert not set(code[3:]) & set("0O1IL5S2Z")


def test_route_matches_postcode_district_then_area_name(team, other_team):
    assert route({"postcode": "NE2 9ZZ"}) == ("NE2", team)
    assert route({"postcode": "SE1 7PB", "town": "anywhere"}) == ("SE1", other_team)
    other_team.areas = "SE1\nSouthtown"
    other_team.save()
    assert route({"postcode": "", "town": " SOUTHTOWN "}) == ("SOUTHTOWN", other_team)
    assert route({"postcode": "ZZ9 9ZZ"}) == ("ZZ9", None)
    assert route({}) == ("", None)


def test_inactive_teams_are_not_routed_to(team):
    team.is_active = False
    team.save()
    assert route({"postcode": "NE1 4ST"}) == ("NE1", None)
