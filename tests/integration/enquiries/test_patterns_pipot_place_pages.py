"""Patterns about a PiPoT case or a place on the pages: the case named only
to those its access rule admits (others see "a record you cannot see"), the
place's postcode on the risk form (GOV.UK errors, typed input kept), linking
another concern on the PiPoT page, and the decision page's query count."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from enquiries import codes
from enquiries.factories import ConcernFactory, OrganisationFactory, PersonFactory
from enquiries.models import PatternFlag, PatternRule, PipotCase, Risk
from enquiries.services import patterns
from enquiries.services import pipot as pipot_services
from msp.models import AuditEvent

pytestmark = pytest.mark.django_db

TODAY = datetime.date.today()


def text(response):
    """The page's text with runs of white space as one space."""
    return " ".join(response.content.decode().split())


def days_ago(n):
    return TODAY - datetime.timedelta(days=n)


@pytest.fixture(autouse=True)
def rules(db):
    PatternRule.objects.filter(kind="alleged_source").update(
        threshold=2, window_months=12
    )
    PatternRule.objects.filter(kind="location").update(
        threshold=3, window_months=3, is_active=True
    )


def at_place(postcode, person, n):
    concern = ConcernFactory(person=person, received_on=days_ago(n))
    Risk.objects.create(
        concern=concern,
        risk_type=codes.RiskType.PHYSICAL,
        location=codes.RiskLocation.COMMUNITY_SERVICE,
        source=codes.RiskSource.UNKNOWN,
        place_postcode=postcode,
    )
    patterns.check_concern(concern)
    return concern


@pytest.fixture
def pipot_flag(team, other_team, lead):
    """A PiPoT case from another team's concern, and my team's concern
    linked to it by a lead."""
    theirs = ConcernFactory(
        person=PersonFactory(team=other_team, family_name="Birtles"),
        received_on=days_ago(40),
    )
    case = PipotCase.objects.create(
        concern=theirs,
        subject_name="Dana Whitlock",
        subject_role="Senior care assistant",
        subject_kind="paid",
        employer=OrganisationFactory(name="Maple Court"),
        allegation="Rough handling",
        opened_on=days_ago(39),
    )
    mine = ConcernFactory(
        person=PersonFactory(team=team, family_name="Ashdown"),
        received_on=days_ago(5),
    )
    pipot_services.link_concern(user=lead, case=case, reference=mine.reference)
    return PatternFlag.objects.get(pipot_case=case), case, mine


def test_a_viewer_outside_the_pipot_rule_never_learns_the_case(
    client, practitioner, pipot_flag
):
    flag, _case, mine = pipot_flag
    client.force_login(practitioner)
    for url in (
        reverse("enquiries:concern_decision", args=[mine.reference]),
        mine.person.get_absolute_url(),
        reverse("enquiries:pattern_detail", args=[flag.pk]),
    ):
        page = text(client.get(url))
        assert "The same alleged source, across adults" in page
        assert "a person whose record you cannot see" in page
        # The other adult's concern and the PiPoT case itself.
        assert "and 2 records you cannot see: ask a lead" in page
        assert "Dana Whitlock" not in page
        assert "Birtles" not in page
        assert "Ashdown" in page
        assert "/pipot/" not in page


def test_a_named_worker_sees_the_case_they_are_named_on(
    client, practitioner, pipot_flag
):
    flag, case, mine = pipot_flag
    case.named_workers.add(practitioner)
    client.force_login(practitioner)
    page = text(
        client.get(reverse("enquiries:concern_decision", args=[mine.reference]))
    )
    assert "Dana Whitlock (person in a position of trust)" in page
    assert case.get_absolute_url() in page
    # The case is theirs to see; the other team's concern is still not.
    assert "and 1 record you cannot see: ask a lead" in page
    assert "Birtles" not in page


def test_a_lead_sees_everything_in_the_pattern(client, lead, pipot_flag):
    flag, case, _mine = pipot_flag
    client.force_login(lead)
    page = text(client.get(reverse("enquiries:pattern_list") + "?kind=alleged_source"))
    assert "Dana Whitlock (person in a position of trust)" in page
    assert "Birtles" in page and "Ashdown" in page
    assert "you cannot see" not in page
    # Naming the PiPoT case is audited, like opening it.
    assert AuditEvent.objects.filter(
        object_type="enquiries.PipotCase",
        summary="PiPoT case named in a pattern",
        actor=lead,
    ).exists()


def test_linking_a_concern_on_the_pipot_page(client, lead, team, other_team):
    first = ConcernFactory(person=PersonFactory(team=other_team))
    case = PipotCase.objects.create(
        concern=first,
        subject_name="Dana Whitlock",
        subject_role="Carer",
        subject_kind="agency",
        employer=OrganisationFactory(),
        allegation="Theft",
        opened_on=days_ago(2),
    )
    other = ConcernFactory(
        person=PersonFactory(team=team, family_name="Ashdown"),
        received_on=days_ago(1),
    )
    client.force_login(lead)
    url = reverse("enquiries:pipot_link_concern", args=[case.reference])
    page = client.get(url).content.decode()
    assert "The other concern's web address" in page
    refused = client.post(url, {"concern": "the one from Tuesday"})
    body = refused.content.decode()
    assert refused.status_code == 200
    assert "govuk-error-summary" in body
    assert "the one from Tuesday" in body  # what they typed is kept
    address = "https://example.org" + other.get_absolute_url()
    response = client.post(url, {"concern": address})
    assert response.status_code == 302
    detail = client.get(case.get_absolute_url()).content.decode()
    assert "Other concerns naming this person" in detail
    assert "Ashdown" in detail
    assert PatternFlag.objects.get().pipot_case == case


def test_the_location_flag_on_the_pages(client, practitioner, team, other_team):
    mine = at_place("NE1 4ST", PersonFactory(team=team, family_name="Ashdown"), 20)
    at_place("NE1 4ST", PersonFactory(team=other_team, family_name="Birtles"), 10)
    at_place("NE1 4ST", PersonFactory(team=other_team, family_name="Cawley"), 1)
    flag = PatternFlag.objects.get(kind="location")
    client.force_login(practitioner)
    page = text(
        client.get(reverse("enquiries:concern_decision", args=[mine.reference]))
    )
    assert "The same place: the place with postcode NE1 4ST" in page
    assert "3 concerns about 3 adults" in page
    assert "and 2 records you cannot see: ask a lead" in page
    assert "Birtles" not in page
    assert flag.postcode in client.get(mine.person.get_absolute_url()).content.decode()


def test_decision_page_query_count_does_not_grow_with_flags(
    client, practitioner, team, lead
):
    person = PersonFactory(team=team)
    employer = OrganisationFactory()

    def pipot_about(concern):
        case = PipotCase.objects.create(
            concern=ConcernFactory(person=PersonFactory(team=team)),
            subject_name="Someone",
            subject_role="Carer",
            subject_kind="paid",
            employer=employer,
            allegation="Theft",
            opened_on=days_ago(60),
        )
        pipot_services.link_concern(user=lead, case=case, reference=concern.reference)

    concern = at_place("NE1 4ST", person, 1)
    at_place("NE1 4ST", PersonFactory(team=team), 2)
    at_place("NE1 4ST", PersonFactory(team=team), 3)
    pipot_about(concern)
    client.force_login(practitioner)
    url = reverse("enquiries:concern_decision", args=[concern.reference])
    client.get(url)
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    for postcode in ("NE2 1CD", "NE3 5EF"):
        Risk.objects.create(
            concern=concern,
            risk_type=codes.RiskType.PHYSICAL,
            location=codes.RiskLocation.HOSPITAL_ACUTE,
            source=codes.RiskSource.UNKNOWN,
            place_postcode=postcode,
        )
        at_place(postcode, PersonFactory(team=team), 4)
        at_place(postcode, PersonFactory(team=team), 5)
    patterns.check_concern(concern)
    pipot_about(concern)
    pipot_about(concern)
    with CaptureQueriesContext(connection) as many:
        page = client.get(url).content.decode()
    assert page.count("app-pattern-flag") == 6
    assert len(many) == len(few)


def test_the_risk_form_takes_a_place_postcode(client, practitioner, team):
    concern = ConcernFactory(person=PersonFactory(team=team))
    client.force_login(practitioner)
    url = reverse("enquiries:risk_add", args=[concern.reference])
    page = client.get(url).content.decode()
    assert "Postcode of the place where it happened (optional)" in page
    assert "Only if it was not the adult's own home" in page
    assert "govuk-input--width-10" in page
    answers = {
        "risk_type": codes.RiskType.PHYSICAL,
        "location": codes.RiskLocation.CARE_HOME_RESIDENTIAL,
        "source": codes.RiskSource.UNKNOWN,
        "place_postcode": "NE1 XYZ",
        "place_name": "Larch House",
    }
    refused = client.post(url, answers).content.decode()
    assert "govuk-error-summary" in refused
    assert "Enter a real postcode, like NE1 4ST, or leave it empty" in refused
    assert 'value="NE1 XYZ"' in refused and 'value="Larch House"' in refused
    at_home = client.post(
        url, {**answers, "place_postcode": "ne1 4st", "location": "own_home"}
    ).content.decode()
    assert "Leave the postcode empty when it happened in the adult" in at_home
    assert not Risk.objects.filter(concern=concern).exists()
    response = client.post(url, {**answers, "place_postcode": " ne1  4st "})
    assert response.status_code == 302
    risk = Risk.objects.get(concern=concern)
    assert (risk.place_postcode, risk.place_name) == ("NE1 4ST", "Larch House")


def test_the_enquiry_risk_form_takes_a_place_postcode(client, practitioner, team):
    from enquiries.factories import EnquiryFactory

    enquiry = EnquiryFactory(
        concern__person__team=team,
        concern__team=team,
        team=team,
        allocated_to=practitioner,
    )
    client.force_login(practitioner)
    url = reverse("enquiries:enquiry_risk_add", args=[enquiry.reference])
    answers = {
        "risk_type": codes.RiskType.PHYSICAL,
        "location": codes.RiskLocation.HOSPITAL_ACUTE,
        "source": codes.RiskSource.UNKNOWN,
        "place_postcode": "NE1",
        "place_name": "Ward 9",
    }
    refused = client.post(url, answers).content.decode()
    assert "Enter a real postcode, like NE1 4ST, or leave it empty" in refused
    assert 'value="Ward 9"' in refused
    assert client.post(url, {**answers, "place_postcode": "ne7 7dn"}).status_code == 302
    risk = Risk.objects.get(enquiry=enquiry)
    assert (risk.place_postcode, risk.place_name) == ("NE7 7DN", "Ward 9")
