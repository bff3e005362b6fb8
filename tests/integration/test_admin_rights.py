"""Issue 16, item 2: nobody gives themselves more rights in Django admin.

Only superusers see or give "superuser" and individual permissions; nobody
changes their own roles, staff or superuser status; giving a role that reads
case records is audited and the safeguarding leads are told by email.
"""

import pytest
from django.contrib.auth.models import Group, Permission
from django.urls import reverse
from django_tasks_db.models import DBTaskResult

from msp import roles
from msp.factories import UserFactory
from msp.models import AuditEvent, User


def _change_url(user):
    return reverse("admin:msp_user_change", args=[user.pk])


def _post_user(client, user, **changes):
    """Submit the user's admin form as the page shows it, with ``changes``."""
    page = client.get(_change_url(user))
    assert page.status_code == 200
    form = page.context["adminform"].form
    data = {}
    for name in form.fields:
        value = form.initial.get(name)
        if name in ("groups", "user_permissions", "teams"):
            data[name] = [getattr(v, "pk", v) for v in (value or [])]
        elif name.startswith("is_"):
            if value:
                data[name] = "on"
        elif name in ("last_login", "date_joined"):
            if value:
                data[f"{name}_0"] = value.strftime("%Y-%m-%d")
                data[f"{name}_1"] = value.strftime("%H:%M:%S")
        elif value is not None and name != "password":
            data[name] = value
    data.update(changes)
    return client.post(_change_url(user), data)


def _group(name):
    return Group.objects.get(name=name)


@pytest.fixture
def superuser(db):
    return UserFactory(username="root", is_superuser=True, is_staff=True)


@pytest.mark.django_db
def test_administrator_cannot_give_themselves_a_role_or_superuser(
    client, administrator, lead, team, mailoutbox
):
    client.force_login(administrator)
    page = client.get(_change_url(administrator))
    html = page.content.decode()
    form = page.context["adminform"].form
    # The page neither shows nor accepts the rights it must not change.
    for name in ("groups", "is_superuser", "is_staff", "user_permissions"):
        assert name not in form.fields
    assert 'name="is_superuser"' not in html and "Superuser status" not in html

    everything = list(Permission.objects.values_list("pk", flat=True))
    response = _post_user(
        client,
        administrator,
        first_name="Ada",
        groups=[_group(roles.SAFEGUARDING_LEAD).pk],
        is_superuser="on",
        user_permissions=everything,
    )
    assert response.status_code == 302
    administrator = User.objects.get(pk=administrator.pk)
    assert administrator.first_name == "Ada"  # the rest of the form still saves
    assert administrator.role_names == [roles.ADMINISTRATOR]
    assert not administrator.is_superuser
    assert administrator.user_permissions.count() == 0
    assert not administrator.has_perm("msp.view_all_cases")
    assert mailoutbox == []


@pytest.mark.django_db
def test_administrator_cannot_make_anyone_superuser_or_grant_single_permissions(
    client, administrator, practitioner
):
    client.force_login(administrator)
    page = client.get(_change_url(practitioner))
    form = page.context["adminform"].form
    assert "groups" in form.fields  # roles of others: yes
    assert "is_superuser" not in form.fields
    assert "user_permissions" not in form.fields
    view_all = Permission.objects.get(codename="view_all_cases")
    response = _post_user(
        client, practitioner, is_superuser="on", user_permissions=[view_all.pk]
    )
    assert response.status_code == 302
    practitioner = User.objects.get(pk=practitioner.pk)
    assert not practitioner.is_superuser
    assert not practitioner.has_perm("msp.view_all_cases")


@pytest.mark.django_db
def test_administrator_cannot_change_a_superusers_account(
    client, administrator, superuser
):
    client.force_login(administrator)
    assert client.get(_change_url(superuser)).status_code == 200  # view only
    response = client.post(_change_url(superuser), {"username": "taken-over"})
    assert response.status_code == 403
    password_url = reverse("admin:auth_user_password_change", args=[superuser.pk])
    password_url = password_url.replace("/auth/user/", "/msp/user/")
    assert client.get(password_url).status_code == 403
    assert User.objects.get(pk=superuser.pk).username == "root"


@pytest.mark.django_db
def test_administrator_cannot_add_case_rights_to_a_role(client, administrator):
    client.force_login(administrator)
    admin_group = _group(roles.ADMINISTRATOR)
    view_all = Permission.objects.get(codename="view_all_cases")
    url = reverse("admin:auth_group_change", args=[admin_group.pk])
    assert "permissions" not in client.get(url).context["adminform"].form.fields
    before = set(admin_group.permissions.values_list("pk", flat=True))
    response = client.post(
        url, {"name": admin_group.name, "permissions": [*before, view_all.pk]}
    )
    assert response.status_code == 302
    assert set(admin_group.permissions.values_list("pk", flat=True)) == before
    assert not admin_group.permissions.filter(codename="view_all_cases").exists()


@pytest.mark.django_db
def test_superuser_may_grant_superuser_but_not_change_their_own_rights(
    client, superuser, practitioner
):
    client.force_login(superuser)
    assert "is_superuser" in (
        client.get(_change_url(practitioner)).context["adminform"].form.fields
    )
    assert _post_user(client, practitioner, is_superuser="on").status_code == 302
    assert User.objects.get(pk=practitioner.pk).is_superuser

    own = client.get(_change_url(superuser)).context["adminform"].form
    for name in ("groups", "is_superuser", "is_staff", "user_permissions"):
        assert name not in own.fields
    data_changes = {"groups": [_group(roles.AUDITOR).pk]}
    assert _post_user(client, superuser, **data_changes).status_code == 302
    superuser = User.objects.get(pk=superuser.pk)
    assert superuser.is_superuser and superuser.is_staff
    assert superuser.role_names == []


@pytest.mark.django_db
def test_giving_a_case_reading_role_is_audited_and_the_leads_are_told(
    client,
    administrator,
    lead,
    other_team_practitioner,
    mailoutbox,
    django_capture_on_commit_callbacks,
):
    client.force_login(administrator)
    with django_capture_on_commit_callbacks(execute=True):
        response = _post_user(
            client,
            other_team_practitioner,
            groups=[_group(roles.PRACTITIONER).pk, _group(roles.SAFEGUARDING_LEAD).pk],
        )
    assert response.status_code == 302
    event = AuditEvent.objects.get(summary="Gave oscar the Safeguarding lead role")
    assert event.actor == administrator
    assert event.changes["role_granted"] == roles.SAFEGUARDING_LEAD
    # The role kept (Practitioner) was not given now, so no line for it.
    assert not AuditEvent.objects.filter(summary__contains="the Practitioner role")

    assert len(mailoutbox) == 1
    email = mailoutbox[0]
    assert lead.email in email.to
    assert "oscar" in email.body and "Safeguarding lead" in email.body
    assert administrator.get_username() in email.body


@pytest.mark.django_db
def test_giving_a_role_that_reads_no_cases_tells_nobody(
    client,
    administrator,
    lead,
    practitioner,
    mailoutbox,
    django_capture_on_commit_callbacks,
):
    client.force_login(administrator)
    with django_capture_on_commit_callbacks(execute=True):
        response = _post_user(
            client,
            practitioner,
            groups=[_group(roles.PRACTITIONER).pk, _group(roles.AUDITOR).pk],
        )
    assert response.status_code == 302
    assert set(User.objects.get(pk=practitioner.pk).role_names) == {
        roles.PRACTITIONER,
        roles.AUDITOR,
    }
    assert not AuditEvent.objects.filter(changes__has_key="role_granted").exists()
    assert mailoutbox == []


@pytest.mark.django_db(transaction=True)
def test_the_leads_email_is_queued_not_sent_in_the_request(
    client, administrator, lead, practitioner, settings, mailoutbox
):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    client.force_login(administrator)
    response = _post_user(client, practitioner, groups=[_group(roles.TEAM_MANAGER).pk])
    assert response.status_code == 302
    assert mailoutbox == []
    queued = DBTaskResult.objects.get()
    assert queued.task_path.endswith("tell_leads_of_role_grant")


def test_case_reading_roles_are_the_roles_that_open_cases():
    assert set(roles.CASE_READING_ROLES) == {
        roles.PRACTITIONER,
        roles.TEAM_MANAGER,
        roles.SAFEGUARDING_LEAD,
    }
