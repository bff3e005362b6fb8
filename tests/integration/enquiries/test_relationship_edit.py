"""A practitioner corrects someone in the adult's network without admin."""

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from enquiries.factories import PersonFactory
from enquiries.models import Relationship
from enquiries.services import people
from msp.models import AuditEvent
from tests.page_forms import form_values

pytestmark = pytest.mark.django_db


@pytest.fixture
def adult(team):
    return PersonFactory(team=team)


@pytest.fixture
def son(adult):
    return Relationship.objects.create(person=adult, kind="family", name="Tom Mos")


def _url(adult, relation):
    return reverse("enquiries:relationship_edit", args=[adult.reference, relation.pk])


def test_practitioner_corrects_a_name_from_the_person_page(
    client, practitioner, adult, son
):
    client.force_login(practitioner)
    person_page = client.get(adult.get_absolute_url()).content.decode()
    assert _url(adult, son) in person_page
    shown = form_values(client.get(_url(adult, son)).content.decode())
    data = {k: v for k, v in shown.items() if k != "csrfmiddlewaretoken"}
    data.update(name="Tom Moss", lives_with_adult="on")
    response = client.post(_url(adult, son), data)
    assert response.status_code == 302
    son.refresh_from_db()
    assert son.name == "Tom Moss" and son.lives_with_adult
    line = AuditEvent.objects.get(action="change", summary="Changed a relationship")
    assert "Tom Mos" in str(line.changes) and "Tom Moss" in str(line.changes)


def test_a_blank_name_is_refused_with_the_error_summary(
    client, practitioner, adult, son
):
    client.force_login(practitioner)
    shown = form_values(client.get(_url(adult, son)).content.decode())
    data = {k: v for k, v in shown.items() if k != "csrfmiddlewaretoken"}
    data.update(name="", contact_details="07700 900123")
    response = client.post(_url(adult, son), data)
    html = response.content.decode()
    assert response.status_code == 200
    assert "govuk-error-summary" in html
    assert "07700 900123" in html  # typed input kept
    son.refresh_from_db()
    assert son.name == "Tom Mos"


def test_readers_and_other_teams_cannot_change_it(
    client, auditor, other_team_practitioner, adult, son
):
    client.force_login(other_team_practitioner)
    assert client.get(_url(adult, son)).status_code == 404
    client.force_login(auditor)
    assert client.post(_url(adult, son), {"name": "X"}).status_code == 403
    with pytest.raises(PermissionDenied):
        people.change_relationship(
            user=auditor, relationship=son, expected_version=son.version, changes={}
        )


def test_someone_elses_relationship_is_not_found_through_this_adult(
    client, practitioner, adult, team
):
    other = Relationship.objects.create(
        person=PersonFactory(team=team), kind="friend", name="Jo"
    )
    client.force_login(practitioner)
    assert client.get(_url(adult, other)).status_code == 404
