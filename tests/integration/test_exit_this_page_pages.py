"""Which pages carry "Exit this page", and what public pages send.

One switch (the @public_page decorator) turns on the Exit button, its script
and the no-store headers together; staff pages never have the button
(decision 0004).
"""

import datetime
import re

import pytest
from django.core.cache import cache
from django.urls import resolve, reverse

from enquiries.factories import EnquiryFactory, OrganisationFactory
from enquiries.models import OrganisationalEnquiry
from enquiries.views.public import STEPS
from msp.public_pages import is_public_page
from tests.support_urls import iter_patterns

EXIT_BUTTON = 'data-module="govuk-exit-this-page"'
EXIT_SCRIPT = "js/exit-this-page"
TYPED_INPUT = re.compile(r"<(?:input|textarea)\b[^>]*>", re.IGNORECASE)
FORM_TAG = re.compile(r"<form\b[^>]*>", re.IGNORECASE)


@pytest.fixture(autouse=True)
def _clear_rate_limits():
    cache.clear()
    yield
    cache.clear()


def public_paths() -> list[tuple[str, str]]:
    found = []
    for name, path in iter_patterns():
        if is_public_page(resolve(path).func):
            found.append((name, path))
    return found


def test_every_page_of_the_public_concern_form_is_marked_public():
    names = {name for name, _ in public_paths()}
    form_pages = {
        name
        for name, _ in iter_patterns()
        if name and name.startswith("enquiries:public_")
    }
    assert form_pages and form_pages <= names
    # Nothing for signed-in staff is public.
    assert not any(name.startswith(("enquiries:intake", "admin:")) for name in names)


def _assert_public_response(response, where):
    assert "no-store" in response["Cache-Control"], where
    assert "no-cache" in response["Cache-Control"], where
    assert response["Pragma"] == "no-cache", where
    assert "Expires" in response, where


@pytest.mark.django_db
def test_public_pages_are_never_stored_and_carry_exit(client):
    checked = 0
    for name, path in public_paths():
        if path.endswith("/sample/"):
            path = reverse("enquiries:public_step", args=["about-the-adult"])
        response = client.get(path)
        where = f"{path} ({name}) {response.status_code}"
        _assert_public_response(response, where)
        if response.status_code == 200:
            html = response.content.decode()
            assert EXIT_BUTTON in html, where
            assert "govuk-js-exit-this-page-skiplink" in html, where
            assert EXIT_SCRIPT in html, where
            checked += 1
    assert checked >= 4


@pytest.mark.django_db
def test_error_and_too_many_pages_are_not_stored_either(client, settings):
    response = client.post(
        reverse("enquiries:public_step", args=["about-the-adult"]),
        {"name": "Mary Smith", "postcode": "nonsense"},
    )
    assert response.status_code == 200 and "There is a problem" in (
        response.content.decode()
    )
    _assert_public_response(response, "error page")
    settings.PUBLIC_FORM_POSTS_LIMIT = 0
    response = client.post(
        reverse("enquiries:public_step", args=["about-the-adult"]), {"name": "x"}
    )
    assert response.status_code == 429
    _assert_public_response(response, "too many requests page")


@pytest.mark.django_db
@pytest.mark.parametrize("slug", [step.slug for step in STEPS])
def test_public_forms_ask_the_browser_to_keep_nothing(client, slug):
    response = client.get(reverse("enquiries:public_step", args=[slug]))
    assert response.status_code == 200
    html = response.content.decode()
    forms = FORM_TAG.findall(html)
    assert forms and all('autocomplete="off"' in tag for tag in forms)
    for tag in TYPED_INPUT.findall(html):
        kind = re.search(r'type="(\w+)"', tag)
        if kind and kind.group(1) in ("hidden", "radio", "checkbox"):
            continue  # nothing typed; radios and boxes follow their form
        assert 'autocomplete="off"' in tag, f"{slug}: {tag}"


@pytest.mark.django_db
def test_after_exit_the_public_form_shows_no_earlier_answer(client):
    about = reverse("enquiries:public_step", args=["about-the-adult"])
    client.post(
        reverse("enquiries:public_step", args=["who-you-are"]),
        {"relationship": "friend"},
    )
    client.post(about, {"name": "Mary Smith", "address": "1 High St"})
    assert "Mary Smith" in client.get(about).content.decode()
    response = client.get(reverse("exit"))
    assert response["Clear-Site-Data"] == '"cache", "storage"'
    assert "Mary Smith" not in client.get(about).content.decode()


@pytest.mark.django_db
def test_no_staff_page_carries_exit(client, practitioner, team):
    """Walks every URL as a practitioner, with real records on the enquiry
    stage and large-scale enquiry pages, which used to switch it on."""
    enquiry = EnquiryFactory(
        status="planning", concern__person__team=team, allocated_to=practitioner
    )
    org = OrganisationalEnquiry.objects.create(
        organisation=OrganisationFactory(name="Meadow View Care Home"),
        team=team,
        trigger="Night staffing",
        lead=practitioner,
        started_on=datetime.date.today(),
    )
    client.force_login(practitioner)
    paths = [
        path for _, path in iter_patterns() if not is_public_page(resolve(path).func)
    ]
    paths += [
        reverse("enquiries:enquiry_planning", args=[enquiry.reference]),
        reverse("enquiries:organisational_detail", args=[org.reference]),
        reverse("enquiries:organisational_create"),
    ]
    rendered = 0
    for path in paths:
        if path.startswith(("/admin/", "/exit/", "/sign-out/")):
            continue
        response = client.get(path)
        if response.status_code != 200 or not hasattr(response, "content"):
            continue
        html = response.content.decode(errors="replace")
        assert EXIT_BUTTON not in html, path
        assert "govuk-js-exit-this-page-skiplink" not in html, path
        assert EXIT_SCRIPT not in html, path
        rendered += 1
    assert rendered > 10
