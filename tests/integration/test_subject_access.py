"""The subject access pack: everything held about one adult, with third-party
information flagged for redaction; for leads only; audited."""

import csv
import io
import zipfile

import pytest
from django.urls import reverse

from enquiries.factories import (
    ConcernFactory,
    EnquiryFactory,
    PersonFactory,
    PersonViewFactory,
    RiskFactory,
)
from enquiries.models import Relationship
from msp.models import AuditEvent


@pytest.fixture
def case(team):
    person = PersonFactory(team=team, given_name="Edna", family_name="Marsh")
    concern = ConcernFactory(
        person=person,
        team=team,
        referrer_name="Walter Bishop",
        referrer_contact="07700 900123",
        summary="Neighbour saw bruising on Edna's arms.",
    )
    RiskFactory(concern=concern, source_person_name="Gary Marsh")
    EnquiryFactory(concern=concern, team=team)
    PersonViewFactory(
        person=person, concern=concern, views_text="I want Gary to leave."
    )
    Relationship.objects.create(
        person=person, kind="family", name="Gary Marsh", contact_details="12 Quay St"
    )
    return person


@pytest.mark.django_db
def test_printable_pack_holds_everything_and_flags_third_parties(client, lead, case):
    client.force_login(lead)
    response = client.get(reverse("subject_access", args=[case.reference]))
    assert response.status_code == 200
    html = response.content.decode()
    for held in ("Edna", "Neighbour saw bruising", "I want Gary to leave."):
        assert held in html
    pack = response.context["pack"]
    titles = {section.title for section in pack.sections}
    assert {"People", "Concerns", "Enquiries", "Risks", "Relationships"} <= titles
    flagged = {
        value
        for section in pack.sections
        for record in section.records
        for _name, value, flag in record
        if flag == "third_party" and value
    }
    assert {"Walter Bishop", "07700 900123", "Gary Marsh", "12 Quay St"} <= flagged
    assert "Edna" not in flagged  # the adult's own name is not redacted
    event = AuditEvent.objects.get(action="export")
    assert event.actor == lead and event.person_ref == str(case.reference)


@pytest.mark.django_db
def test_zip_of_csvs_marks_columns_to_redact(client, lead, case):
    client.force_login(lead)
    response = client.get(reverse("subject_access_zip", args=[case.reference]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/zip"
    archive = zipfile.ZipFile(io.BytesIO(response.content))
    names = set(archive.namelist())
    assert {"README.txt", "enquiries-person.csv", "enquiries-concern.csv"} <= names
    rows = list(csv.reader(io.StringIO(archive.read("enquiries-concern.csv").decode())))
    header, marks, first = rows[0], rows[1], rows[2]
    assert marks[header.index("referrer_name")] == "REDACT: third party"
    assert marks[header.index("summary")] == "CHECK: free text"
    assert first[header.index("referrer_name")] == "Walter Bishop"
    assert AuditEvent.objects.filter(action="export", actor=lead).count() == 1


@pytest.mark.django_db
def test_only_leads_produce_packs_and_others_teams_get_404(
    client, practitioner, other_team_practitioner, auditor, case
):
    url = reverse("subject_access", args=[case.reference])
    client.force_login(practitioner)
    assert client.get(url).status_code == 403
    client.force_login(other_team_practitioner)
    assert client.get(url).status_code == 404
    client.force_login(auditor)
    assert client.get(url).status_code == 404
    assert not AuditEvent.objects.filter(action="export").exists()
