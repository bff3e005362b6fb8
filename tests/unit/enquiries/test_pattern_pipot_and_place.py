"""Patterns (issue 19) matched on a PiPoT case and on a place's postcode:
postcodes kept in one shape, never for the adult's own home; thresholds and
windows; a PiPoT case counts its own concern and the concerns linked to it,
by record, never by the worker's name."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.http import Http404

from enquiries import codes
from enquiries.factories import (
    ConcernFactory,
    OrganisationFactory,
    PersonFactory,
    RiskFactory,
)
from enquiries.models import PatternFlag, PatternRule, PipotCase, PipotConcern, Risk
from enquiries.models.reference import normalise_uk_postcode
from enquiries.services import patterns
from enquiries.services import pipot as pipot_services
from msp.models import AuditEvent

pytestmark = pytest.mark.django_db

D = datetime.date


def rule(kind, threshold, months, active=True):
    found, _ = PatternRule.objects.update_or_create(
        kind=kind,
        defaults={"threshold": threshold, "window_months": months, "is_active": active},
    )
    return found


def at_place(postcode, day, person=None, location=codes.RiskLocation.COMMUNITY_SERVICE):
    concern = ConcernFactory(received_on=day, **({"person": person} if person else {}))
    risk = Risk(
        concern=concern,
        risk_type=codes.RiskType.PHYSICAL,
        location=location,
        source=codes.RiskSource.UNKNOWN,
        place_postcode=postcode,
        place_name="Riverside Day Centre",
    )
    risk.full_clean()
    risk.save()
    patterns.check_concern(concern)
    return concern


# Postcodes --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("ne1 4st", "NE1 4ST"),
        ("NE14ST", "NE1 4ST"),
        ("  sw1a   1aa ", "SW1A 1AA"),
        ("m1 1ae", "M1 1AE"),
        ("B33 8TH", "B33 8TH"),
        ("", ""),
    ],
)
def test_postcodes_are_kept_upper_case_with_one_space(typed, stored):
    assert normalise_uk_postcode(typed) == stored


@pytest.mark.parametrize("typed", ["NE1", "12345", "NE1 4S", "NE1 4STX", "Q-1 1AA"])
def test_a_postcode_of_the_wrong_shape_is_refused(typed):
    with pytest.raises(ValidationError):
        normalise_uk_postcode(typed)


def test_the_risk_keeps_the_normalised_postcode_and_never_for_the_own_home():
    concern = ConcernFactory()
    risk = Risk(
        concern=concern,
        risk_type=codes.RiskType.PHYSICAL,
        location=codes.RiskLocation.CARE_HOME_RESIDENTIAL,
        source=codes.RiskSource.UNKNOWN,
        place_postcode="ne2 1cd",
        place_name="  Larch House ",
    )
    risk.full_clean()
    assert (risk.place_postcode, risk.place_name) == ("NE2 1CD", "Larch House")
    risk.location = codes.RiskLocation.OWN_HOME
    with pytest.raises(ValidationError) as refused:
        risk.full_clean()
    assert "own home" in str(refused.value.message_dict["place_postcode"])
    risk.place_postcode = "not a postcode"
    risk.location = codes.RiskLocation.COMMUNITY
    with pytest.raises(ValidationError) as refused:
        risk.full_clean()
    assert "real postcode" in str(refused.value.message_dict["place_postcode"])


# The same place ------------------------------------------------------------------


def test_location_threshold_edge(team):
    rule("location", 3, 3)
    at_place("NE1 4ST", D(2026, 1, 10), PersonFactory(team=team))
    at_place("ne14st", D(2026, 2, 1), PersonFactory(team=team))
    assert not PatternFlag.objects.exists()  # two is one short
    third = at_place("NE1 4ST", D(2026, 4, 9), PersonFactory(team=team))
    flag = PatternFlag.objects.get()
    assert flag.kind == "location" and flag.postcode == "NE1 4ST"
    assert flag.person is None and flag.organisation is None
    assert flag.concern_count == 3 and flag.adult_count == 3
    assert third in flag.concerns.all()
    assert flag.rule_text == "3 or more concerns within 3 months"


def test_location_window_edge_is_exclusive(team):
    rule("location", 3, 3)
    at_place("NE1 4ST", D(2026, 1, 10))
    at_place("NE1 4ST", D(2026, 2, 1))
    # 10 January + 3 months = 10 April: outside the window.
    at_place("NE1 4ST", D(2026, 4, 10))
    assert not PatternFlag.objects.exists()
    # The window from 1 February holds 1 February, 10 April and this one.
    at_place("NE1 4ST", D(2026, 3, 1))
    flag = PatternFlag.objects.get()
    assert flag.concern_count == 4


def test_other_postcodes_and_the_same_adult_more_often_count_as_concerns(team):
    rule("location", 3, 3)
    person = PersonFactory(team=team)
    at_place("NE1 4ST", D(2026, 1, 10), person)
    at_place("NE1 4SU", D(2026, 1, 11), person)  # the next postcode: not the same
    at_place("NE1 4ST", D(2026, 1, 12), person)
    assert not PatternFlag.objects.filter(kind="location").exists()
    at_place("NE1 4ST", D(2026, 1, 13), person)
    flag = PatternFlag.objects.get(kind="location")
    assert (flag.concern_count, flag.adult_count) == (3, 1)


def test_the_place_name_alone_is_never_matched(team):
    rule("location", 2, 3)
    for day in (1, 2, 3):
        concern = ConcernFactory(received_on=D(2026, 1, day))
        RiskFactory(
            concern=concern,
            location=codes.RiskLocation.COMMUNITY_SERVICE,
            place_name="Riverside Day Centre",
        )
        patterns.check_concern(concern)
    assert not PatternFlag.objects.exists()


def test_a_switched_off_location_rule_raises_nothing(team):
    rule("location", 2, 3, active=False)
    at_place("NE1 4ST", D(2026, 1, 10))
    at_place("NE1 4ST", D(2026, 1, 11))
    assert not PatternFlag.objects.exists()


def test_the_enquiry_copy_carries_the_place(team, practitioner):
    from enquiries.services import people

    concern = ConcernFactory(
        person=PersonFactory(team=team),
        status="decided",
        decision="section_42",
        criterion_care_needs="yes",
        criterion_abuse="yes",
        criterion_unable_to_protect="yes",
    )
    people.add_alleged_risk(
        user=practitioner,
        concern=concern,
        data={
            "risk_type": codes.RiskType.PHYSICAL,
            "location": codes.RiskLocation.CARE_HOME_RESIDENTIAL,
            "source": codes.RiskSource.UNKNOWN,
            "place_postcode": "ne2 1cd",
            "place_name": "Larch House",
        },
    )
    enquiry = people.open_enquiry(user=practitioner, concern=concern, kind="section_42")
    (copy,) = enquiry.risks.all()
    assert (copy.place_postcode, copy.place_name) == ("NE2 1CD", "Larch House")


# The same PiPoT case ----------------------------------------------------------------


@pytest.fixture
def employer(db):
    return OrganisationFactory(name="Maple Court Care Home")


def pipot_case(concern, employer, name="Dana Whitlock"):
    return PipotCase.objects.create(
        concern=concern,
        subject_name=name,
        subject_role="Senior care assistant",
        subject_kind="paid",
        employer=employer,
        allegation="Rough handling",
        opened_on=concern.received_on,
    )


def test_a_pipot_case_and_a_linked_concern_about_another_adult_make_a_pattern(
    team, other_team, lead, employer
):
    rule("alleged_source", 2, 12)
    first = ConcernFactory(person=PersonFactory(team=team), received_on=D(2026, 1, 5))
    case = pipot_case(first, employer)
    second = ConcernFactory(
        person=PersonFactory(team=other_team), received_on=D(2026, 11, 30)
    )
    pipot_services.link_concern(user=lead, case=case, reference=second.reference)
    flag = PatternFlag.objects.get()
    assert flag.kind == "alleged_source" and flag.pipot_case == case
    assert flag.person is None
    assert set(flag.concerns.all()) == {first, second}
    assert flag.adult_count == 2
    assert AuditEvent.objects.filter(
        object_type="enquiries.PipotCase",
        summary__startswith="Linked another concern",
    ).exists()


def test_pipot_window_and_adults_edges(team, lead, employer):
    rule("alleged_source", 2, 12)
    adult = PersonFactory(team=team)
    first = ConcernFactory(person=adult, received_on=D(2025, 1, 5))
    case = pipot_case(first, employer)
    # The same adult again is one adult.
    again = ConcernFactory(person=adult, received_on=D(2025, 2, 5))
    pipot_services.link_concern(user=lead, case=case, reference=again.reference)
    # Another adult exactly 12 months after the first: outside its window,
    # but inside the window that starts on 5 February.
    late = ConcernFactory(person=PersonFactory(team=team), received_on=D(2026, 1, 5))
    pipot_services.link_concern(user=lead, case=case, reference=late.reference)
    flag = PatternFlag.objects.get()
    assert set(flag.concerns.all()) == {again, late}
    assert flag.adult_count == 2


def test_the_same_worker_name_on_two_cases_is_not_a_match(team, other_team, employer):
    rule("alleged_source", 2, 12)
    pipot_case(ConcernFactory(person=PersonFactory(team=team)), employer)
    other = ConcernFactory(person=PersonFactory(team=other_team))
    pipot_case(other, employer)
    patterns.check_concern(other)
    assert not PatternFlag.objects.exists()


def test_a_withdrawn_link_no_longer_counts(team, lead, employer):
    rule("alleged_source", 2, 12)
    case = pipot_case(ConcernFactory(person=PersonFactory(team=team)), employer)
    linked = ConcernFactory(person=PersonFactory(team=team))
    PipotConcern.objects.create(case=case, concern=linked, is_withdrawn=True)
    patterns.check_concern(linked)
    assert not PatternFlag.objects.exists()


def test_linking_needs_the_pipot_access_rule_and_a_visible_concern(
    team, other_team, practitioner, other_team_practitioner, employer
):
    rule("alleged_source", 2, 12)
    mine = ConcernFactory(person=PersonFactory(team=team))
    case = pipot_case(mine, employer)
    theirs = ConcernFactory(person=PersonFactory(team=other_team))
    # Not named on the case: it does not exist for them.
    with pytest.raises(Http404):
        pipot_services.link_concern(
            user=practitioner, case=case, reference=theirs.reference
        )
    case.named_workers.add(practitioner)
    # Named, but the other team's concern is not one they may see.
    with pytest.raises(ValidationError) as refused:
        pipot_services.link_concern(
            user=practitioner, case=case, reference=theirs.reference
        )
    assert "No concern you may see" in str(refused.value)
    with pytest.raises(ValidationError) as refused:
        pipot_services.link_concern(
            user=practitioner, case=case, reference=mine.reference
        )
    assert "arose from" in str(refused.value)
    another = ConcernFactory(person=PersonFactory(team=team))
    pipot_services.link_concern(
        user=practitioner, case=case, reference=another.reference
    )
    with pytest.raises(ValidationError) as refused:
        pipot_services.link_concern(
            user=practitioner, case=case, reference=another.reference
        )
    assert "already linked" in str(refused.value)
    assert PipotConcern.objects.count() == 1
    assert PatternFlag.objects.get().pipot_case == case


def test_a_person_record_and_a_pipot_case_are_separate_subjects(team, lead, employer):
    """One alleged source known both ways raises two flags, never one that
    mixes a person record's concerns with a PiPoT case's."""
    from enquiries.models import Relationship

    rule("alleged_source", 2, 12)
    carer = PersonFactory(team=team)
    concerns = []
    for _ in range(2):
        adult = PersonFactory(team=team)
        relation = Relationship.objects.create(
            person=adult, kind="paid_carer", name="Sam Carer", individual=carer
        )
        concern = ConcernFactory(person=adult)
        RiskFactory(concern=concern, source_relation=relation)
        concerns.append(concern)
    case = pipot_case(concerns[0], employer)
    pipot_services.link_concern(user=lead, case=case, reference=concerns[1].reference)
    patterns.check_concern(concerns[1])
    flags = PatternFlag.objects.order_by("pk")
    assert {(f.person_id, f.pipot_case_id) for f in flags} == {
        (carer.pk, None),
        (None, case.pk),
    }
