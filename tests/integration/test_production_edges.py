"""Issue 16, item 8: the service's own 500 page, the health check over plain
HTTP, and deploy checks for the demo switch and two-factor."""

from unittest import mock

import pytest
from django.core.checks.registry import registry
from django.test import Client, RequestFactory, override_settings
from django.urls import reverse

from msp import errors
from msp.checks import audit_table_role_check, demo_and_two_factor_check

SECRET = "database password is hunter2"


@pytest.fixture
def broken_page():
    """The accessibility statement fails with an error naming a secret."""
    with mock.patch("msp.views.render", side_effect=RuntimeError(SECRET)):
        yield reverse("accessibility")


@pytest.mark.django_db
def test_a_failing_page_shows_the_services_own_error_page(broken_page, settings):
    settings.SERVICE_NAME = "Safeguarding adults in Exampleshire"
    client = Client(raise_request_exception=False)
    response = client.get(broken_page)
    html = response.content.decode()
    assert response.status_code == 500
    assert "Sorry, there is a problem with the service" in html
    assert "Safeguarding adults in Exampleshire" in html
    assert "call 999" in html
    assert 'href="/static/build/css/app.css"' in html
    # Nothing about the failure leaks.
    for leak in (SECRET, "RuntimeError", "Traceback", "msp/views.py", broken_page):
        assert leak not in html


def test_the_error_page_needs_no_database_user_or_session():
    # No django_db mark: any query here would fail the test.
    request = RequestFactory().get("/anything/")  # no user, no session
    response = errors.server_error(request)
    assert response.status_code == 500
    assert "Sorry, there is a problem with the service" in response.content.decode()


def test_the_error_page_falls_back_to_plain_text_if_it_cannot_be_drawn():
    request = RequestFactory().get("/")
    with mock.patch("msp.errors.loader.get_template", side_effect=OSError("disk")):
        response = errors.server_error(request)
    assert response.status_code == 500
    assert "Sorry, there is a problem with the service" in response.content.decode()
    assert "disk" not in response.content.decode()


@pytest.mark.django_db
def test_health_check_answers_over_plain_http_when_https_is_enforced(settings):
    settings.SECURE_SSL_REDIRECT = True
    client = Client()  # middleware is built with the setting above
    health = client.get("/healthz")
    assert health.status_code == 200
    assert health.json()["status"] == "ok"
    # Every other page still moves to HTTPS.
    sign_in = client.get(reverse("login"))
    assert sign_in.status_code == 301
    assert sign_in["Location"].startswith("https://")
    assert client.get("/healthz/").status_code in (301, 404)  # only the exact path


def _ids(**overrides):
    with override_settings(**overrides):
        return {message.id for message in demo_and_two_factor_check()}


def test_the_checks_run_with_check_deploy_only():
    deploy = registry.get_checks(include_deployment_checks=True)
    assert demo_and_two_factor_check in deploy
    assert audit_table_role_check in deploy
    assert demo_and_two_factor_check not in registry.get_checks()


def test_deploy_check_warns_when_the_demo_is_on_in_production():
    found = _ids(DEBUG=False, DEMO_MODE=True, REQUIRE_2FA=True)
    assert "msp.W001" in found
    assert "msp.W002" not in found


def test_deploy_check_warns_when_two_factor_is_off_in_production():
    found = _ids(DEBUG=False, DEMO_MODE=False, REQUIRE_2FA=False)
    assert "msp.W002" in found
    assert "msp.W001" not in found


def test_deploy_check_is_quiet_for_production_settings_and_for_development():
    with override_settings(DEBUG=False, DEMO_MODE=False, REQUIRE_2FA=True):
        assert demo_and_two_factor_check() == []
    with override_settings(DEBUG=True, DEMO_MODE=True, REQUIRE_2FA=False):
        assert demo_and_two_factor_check() == []
