"""Every enquiries model is in the admin, and case records cannot be deleted there."""

import pytest
from django.apps import apps
from django.contrib import admin
from django.contrib.auth.models import Permission
from django.test import RequestFactory

from enquiries.factories import PersonFactory


def test_every_enquiries_model_is_registered_with_lists_and_filters():
    for model in apps.get_app_config("enquiries").get_models():
        assert model in admin.site._registry, model.__name__
        model_admin = admin.site._registry[model]
        assert model_admin.list_display != ("__str__",), model.__name__
        assert model_admin.list_filter, model.__name__
        assert model_admin.search_fields, model.__name__


def test_case_records_cannot_be_deleted_in_admin(db, administrator):
    request = RequestFactory().get("/admin/")
    request.user = administrator
    for model in apps.get_app_config("enquiries").get_models():
        if model.__name__ == "StageTimescale":
            continue
        assert not admin.site._registry[model].has_delete_permission(request), model


def _case_reader_in_admin(user):
    """Case records in admin are for roles that read cases (here a lead given
    admin access and the enquiries rights), never for administrators."""
    user.is_staff = True
    user.save()
    user.user_permissions.add(
        *Permission.objects.filter(content_type__app_label="enquiries")
    )
    return user


@pytest.mark.django_db
def test_admin_person_page_shows_audit_fields_read_only(client, lead):
    person = PersonFactory()
    client.force_login(_case_reader_in_admin(lead))
    response = client.get(f"/admin/enquiries/person/{person.pk}/change/")
    assert response.status_code == 200
    html = response.content.decode()
    assert 'name="version"' not in html  # audit fields are read-only
    assert "Version" in html


@pytest.mark.django_db
def test_every_enquiries_changelist_opens(client, lead):
    PersonFactory()
    client.force_login(_case_reader_in_admin(lead))
    for model in apps.get_app_config("enquiries").get_models():
        url = f"/admin/enquiries/{model._meta.model_name}/"
        assert client.get(url).status_code == 200, url
