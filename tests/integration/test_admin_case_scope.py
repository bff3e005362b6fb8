"""Case records in Django admin: only for roles that read cases, scoped and
audited like the app's own pages; administrators keep configuration only."""

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse

from enquiries.factories import ConcernFactory, PersonFactory
from msp.models import AuditEvent


def _staff_with_person_rights(user):
    user.is_staff = True
    user.save()
    user.user_permissions.add(
        *Permission.objects.filter(
            content_type__app_label="enquiries",
            codename__in=["view_person", "change_person", "view_concern"],
        )
    )
    return user


@pytest.mark.django_db
def test_administrator_cannot_read_case_records_in_admin(client, administrator, team):
    person = PersonFactory(team=team, is_restricted=True)
    concern = ConcernFactory(person=person, team=team)
    client.force_login(administrator)
    index = client.get(reverse("admin:index"))
    assert index.status_code == 200
    text = index.content.decode()
    assert "Organisations" in text  # configuration stays theirs
    assert reverse("admin:enquiries_person_changelist") not in text
    for url in (
        reverse("admin:enquiries_person_changelist"),
        reverse("admin:enquiries_person_change", args=[person.pk]),
        reverse("admin:enquiries_concern_change", args=[concern.pk]),
    ):
        assert client.get(url).status_code == 403, url
    assert not AuditEvent.objects.filter(action="view").exists()


@pytest.mark.django_db
def test_case_reader_sees_only_their_scope_in_admin_and_is_audited(
    client, practitioner, team, other_team
):
    _staff_with_person_rights(practitioner)
    mine = PersonFactory(team=team, family_name="Ownteam")
    theirs = PersonFactory(team=other_team, family_name="Otherteam")
    restricted = PersonFactory(team=team, family_name="Hidden", is_restricted=True)
    client.force_login(practitioner)

    listing = client.get(reverse("admin:enquiries_person_changelist"))
    assert listing.status_code == 200
    text = listing.content.decode()
    assert "Ownteam" in text
    assert "Otherteam" not in text
    assert "Hidden" not in text

    page = client.get(reverse("admin:enquiries_person_change", args=[mine.pk]))
    assert page.status_code == 200
    line = AuditEvent.objects.get(action="view")
    assert (line.actor, line.person_ref) == (practitioner, str(mine.reference))

    for other in (theirs, restricted):
        response = client.get(reverse("admin:enquiries_person_change", args=[other.pk]))
        # Admin answers "no such record" by going back to its index.
        assert response.status_code == 302
        assert other.family_name not in client.get(response.url).content.decode()
    assert AuditEvent.objects.filter(action="view").count() == 1
