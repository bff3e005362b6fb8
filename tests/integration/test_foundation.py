"""The base every page stands on: sign-in, deny by default, health, exit."""

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse

from msp import roles
from tests.support_urls import iter_patterns

# Pages that are deliberately public. Everything else must demand a login.
PUBLIC_PREFIXES = (
    "/healthz",
    "/exit/",
    "/sign-in/",
    "/accessibility/",
    "/privacy/",
    "/admin/",  # Django admin has its own sign-in page (staff only)
    "/raise-a-concern/",  # the public concern form
    "/password-reset/",
    "/my-page/",  # the adult's own page: its own sign-in (test_adult_page.py)
)


def test_healthz_reports_database_ok(client, db):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok"}
    assert "no-store" in response["Cache-Control"]


def test_home_requires_sign_in(client, db):
    response = client.get("/")
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


@pytest.mark.django_db
def test_every_url_requires_sign_in_unless_deliberately_public(client):
    checked = 0
    for name, path in iter_patterns():
        if path.startswith(PUBLIC_PREFIXES):
            continue
        for method in (client.get, client.post):
            response = method(path)
            assert response.status_code == 302, (name, path, response.status_code)
            assert response["Location"].startswith("/sign-in/"), (name, path)
        checked += 1
    assert checked >= 1


@pytest.mark.django_db
def test_sign_in_page_is_gov_uk_styled_and_signs_in(client, practitioner):
    page = client.get(reverse("login"))
    assert page.status_code == 200
    html = page.content.decode()
    assert "govuk-template" in html
    assert "build/css/app.css" in html
    assert "Skip to main content" in html
    assert "govuk-header__logotype" not in html  # no crown: a council, not gov.uk
    response = client.post(
        reverse("login"),
        {"username": "pat", "password": "correct horse battery staple"},
    )
    assert response.status_code == 302
    home = client.get(reverse("home"))
    assert home.status_code == 200
    assert "Signed in as" in home.content.decode()


@pytest.mark.django_db
def test_failed_sign_in_shows_error_summary_and_keeps_username(client, practitioner):
    response = client.post(reverse("login"), {"username": "pat", "password": "wrong"})
    html = response.content.decode()
    assert response.status_code == 200
    assert "There is a problem" in html
    assert "Enter a correct username and password" in html
    assert 'value="pat"' in html
    assert "<title>Error: " in html


@pytest.mark.django_db
def test_signed_in_pages_are_never_cached(client, practitioner):
    client.force_login(practitioner)
    response = client.get(reverse("home"))
    assert "no-store" in response["Cache-Control"]


@pytest.mark.django_db
def test_sign_out_is_post_only_and_ends_session(client, practitioner):
    client.force_login(practitioner)
    assert client.get(reverse("logout")).status_code == 405
    client.post(reverse("logout"))
    assert client.get(reverse("home")).status_code == 302


@pytest.mark.django_db
def test_exit_this_page_ends_session_and_goes_to_neutral_site(client, practitioner):
    client.force_login(practitioner)
    response = client.get(reverse("exit"))
    assert response.status_code == 302
    assert response["Location"] == "/exit-landing-for-tests/"
    assert "no-store" in response["Cache-Control"]
    assert client.get(reverse("home")).status_code == 302


@pytest.mark.django_db
def test_roles_exist_with_their_permissions():
    names = set(Group.objects.values_list("name", flat=True))
    assert set(roles.ALL_ROLES) <= names
    lead = Group.objects.get(name=roles.SAFEGUARDING_LEAD)
    codenames = set(lead.permissions.values_list("codename", flat=True))
    assert {"view_all_cases", "sign_off_closure", "view_reports"} <= codenames
    practitioner = Group.objects.get(name=roles.PRACTITIONER)
    assert "sign_off_closure" not in set(
        practitioner.permissions.values_list("codename", flat=True)
    )
    admin_perms = set(
        Group.objects.get(name=roles.ADMINISTRATOR).permissions.values_list(
            "codename", flat=True
        )
    )
    assert "change_team" in admin_perms
    assert not any(c.startswith("delete_") for c in admin_perms)
    assert "change_auditevent" not in admin_perms


@pytest.mark.django_db
def test_administrator_can_use_admin_but_practitioner_cannot(
    client, administrator, practitioner
):
    client.force_login(administrator)
    assert client.get("/admin/msp/team/").status_code == 200
    client.force_login(practitioner)
    assert client.get("/admin/msp/team/").status_code == 302
