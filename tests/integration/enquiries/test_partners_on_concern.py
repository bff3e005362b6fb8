"""Involved agencies and information shares on a concern, before an enquiry
exists (issue 18): added from the concern page with the same forms and
rules, audited, only by those who may change the concern."""

import datetime

import pytest
from django.urls import reverse

from enquiries.factories import ConcernFactory, EnquiryFactory, OrganisationFactory
from enquiries.models import InformationShare, InvolvedAgency
from msp.models import AuditEvent

pytestmark = pytest.mark.django_db
YESTERDAY = datetime.date.today() - datetime.timedelta(days=1)


@pytest.fixture
def concern(team):
    return ConcernFactory(
        person__team=team,
        status="information_gathering",
        received_on=YESTERDAY - datetime.timedelta(days=3),
    )


def _url(name, concern):
    return reverse(f"enquiries:{name}", args=[concern.reference])


def test_practitioner_adds_an_agency_on_the_concern_page(client, practitioner, concern):
    police = OrganisationFactory(name="Shire Police")
    client.force_login(practitioner)
    page = client.get(concern.get_absolute_url())
    assert _url("concern_agency_add", concern) in page.content.decode()
    response = client.post(
        _url("concern_agency_add", concern),
        {"organisation": police.pk, "role": "police", "involved_from": ""},
    )
    assert response.status_code == 302
    agency = InvolvedAgency.objects.get()
    assert (agency.concern, agency.enquiry, agency.role) == (concern, None, "police")
    assert AuditEvent.objects.filter(
        action="create", summary__contains="Shire Police involved"
    ).exists()
    page = client.get(concern.get_absolute_url())
    assert "Shire Police (police)" in page.content.decode()


def test_a_share_on_the_concern_follows_the_same_rules(client, practitioner, concern):
    bank = OrganisationFactory(name="Castle Bank")
    client.force_login(practitioner)
    data = {
        "direction": "out",
        "organisation": bank.pk,
        "shared_on": YESTERDAY.isoformat(),
        "what": "Statements",
        "why": "Suspected financial abuse",
        "lawful_basis": "consent",
        "article6": "6_1_e",
        "special_condition": "none",
        "consent": "overridden",
        "override_ground": "crime",
        "not_asked_reason": "",
        "consent_decision": "",
        "adult_told": "yes",
        "adult_told_reason": "",
        "s45_request": "",
    }
    refused = client.post(_url("concern_share_add", concern), data)
    assert refused.status_code == 200
    assert "Consent cannot be the lawful basis" in refused.content.decode()
    assert not InformationShare.objects.exists()
    data["lawful_basis"] = "crime_prevention"
    client.post(_url("concern_share_add", concern), data)
    share = InformationShare.objects.get()
    assert share.concern == concern and share.enquiry is None
    assert AuditEvent.objects.filter(
        action="create", summary__contains="Information shared to Castle Bank"
    ).exists()


def test_only_those_who_may_change_the_concern(
    client, concern, other_team_practitioner, auditor
):
    client.force_login(other_team_practitioner)
    assert client.get(_url("concern_agency_add", concern)).status_code == 404
    assert client.get(_url("concern_share_add", concern)).status_code == 404
    client.force_login(auditor)
    assert client.get(_url("concern_agency_add", concern)).status_code in (403, 404)
    assert not InvolvedAgency.objects.exists()


def test_once_an_enquiry_exists_they_go_on_the_enquiry(client, practitioner, team):
    enquiry = EnquiryFactory(concern__person__team=team, status="planning")
    concern = enquiry.concern
    police = OrganisationFactory(name="Shire Police")
    client.force_login(practitioner)
    page = client.get(concern.get_absolute_url())
    assert _url("concern_agency_add", concern) not in page.content.decode()
    response = client.post(
        _url("concern_agency_add", concern),
        {"organisation": police.pk, "role": "police"},
    )
    assert response.status_code == 302
    assert not InvolvedAgency.objects.exists()
