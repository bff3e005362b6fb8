"""A capacity assessment can be opened in full from the enquiry page."""

import datetime

import pytest
from django.urls import reverse

from enquiries.factories import EnquiryFactory
from enquiries.models import CapacityAssessment
from msp.models import AuditEvent

pytestmark = pytest.mark.django_db


@pytest.fixture
def assessment(team, practitioner):
    enquiry = EnquiryFactory(
        status="planning", concern__person__team=team, allocated_to=practitioner
    )
    return CapacityAssessment.objects.create(
        person=enquiry.concern.person,
        enquiry=enquiry,
        decision_in_question="Where to live",
        assessed_on=datetime.date.today(),
        practicable_steps="Easy-read leaflet, quiet room, her daughter present",
        impairment=True,
        impairment_evidence="Vascular dementia, diagnosed 2023",
        understand="unable",
        understand_evidence="Could not say what a care home is after three tries",
        retain="able",
        conclusion="lacks_capacity",
        best_interests_decision="Trial stay at Elm House for four weeks",
        best_interests_consulted="Daughter agrees; GP agrees",
        best_interests_decided_by="Social worker",
    )


def _url(assessment):
    return reverse(
        "enquiries:enquiry_capacity_detail",
        args=[assessment.enquiry.reference, assessment.pk],
    )


def test_the_whole_assessment_is_shown_from_the_enquiry_page(
    client, practitioner, assessment
):
    client.force_login(practitioner)
    enquiry_page = client.get(assessment.enquiry.get_absolute_url()).content.decode()
    assert _url(assessment) in enquiry_page
    html = client.get(_url(assessment)).content.decode()
    for text in (
        "Easy-read leaflet, quiet room, her daughter present",
        "Vascular dementia, diagnosed 2023",
        "Could not say what a care home is after three tries",
        "Lacks capacity for this decision",
        "Trial stay at Elm House for four weeks",
        "Daughter agrees; GP agrees",
        "Not assessed",  # use or weigh, communicate
    ):
        assert text in html, text
    assert AuditEvent.objects.filter(
        action="view", person_ref=str(assessment.person.reference)
    ).exists()


def test_other_teams_and_other_enquiries_get_404(
    client, other_team_practitioner, practitioner, assessment, team
):
    client.force_login(other_team_practitioner)
    assert client.get(_url(assessment)).status_code == 404
    other = EnquiryFactory(concern__person__team=team)
    client.force_login(practitioner)
    url = reverse(
        "enquiries:enquiry_capacity_detail", args=[other.reference, assessment.pk]
    )
    assert client.get(url).status_code == 404
    huge = reverse(
        "enquiries:enquiry_capacity_detail",
        args=[assessment.enquiry.reference, 2**70],
    )
    assert client.get(huge).status_code == 404
