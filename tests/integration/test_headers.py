"""Security headers on every page: a Content-Security-Policy without inline
script (nonces only), no framing, a referrer policy, and no caching of
signed-in pages."""

import re

import pytest
from django.urls import reverse

from tests.support_urls import iter_patterns

SCRIPT_TAG = re.compile(r"<script\b([^>]*)>", re.IGNORECASE)


def _policy(response) -> dict[str, list[str]]:
    header = response["Content-Security-Policy"]
    directives = {}
    for part in header.split(";"):
        name, *values = part.strip().split()
        directives[name] = values
    return directives


def _check_page(response, where):
    problems = []
    policy = _policy(response)
    if policy.get("frame-ancestors") != ["'none'"]:
        problems.append(f"framing allowed {where}")
    scripts = policy.get("script-src", [])
    if "'unsafe-inline'" in scripts or "'unsafe-eval'" in scripts:
        problems.append(f"unsafe script-src {where}")
    if response.get("X-Frame-Options") != "DENY":
        problems.append(f"no X-Frame-Options {where}")
    if response.get("Referrer-Policy") != "same-origin":
        problems.append(f"no Referrer-Policy {where}")
    if "text/html" in response.get("Content-Type", ""):
        nonces = {v[len("'nonce-") : -1] for v in scripts if v.startswith("'nonce-")}
        for attributes in SCRIPT_TAG.findall(response.content.decode()):
            found = re.search(r'nonce="([^"]+)"', attributes)
            if not found or found.group(1) not in nonces:
                problems.append(f"script without the page's nonce {where}")
    return problems


@pytest.mark.django_db
def test_every_page_a_signed_in_user_opens_has_the_security_headers(
    client, practitioner
):
    client.force_login(practitioner)
    problems = []
    checked = 0
    for name, path in iter_patterns():
        if path.startswith(("/admin/", "/exit/", "/sign-out/")):
            continue
        response = client.get(path)
        where = f"{path} ({name}) {response.status_code}"
        problems += _check_page(response, where)
        if "no-store" not in response.get("Cache-Control", ""):
            problems.append(f"signed-in page may be cached {where}")
        checked += 1
    assert checked > 50
    assert problems == []


@pytest.mark.django_db
def test_home_page_scripts_carry_the_nonce_from_the_header(client, practitioner):
    client.force_login(practitioner)
    response = client.get(reverse("home"))
    nonce = next(v for v in _policy(response)["script-src"] if v.startswith("'nonce-"))[
        len("'nonce-") : -1
    ]
    html = response.content.decode()
    assert html.count(f'nonce="{nonce}"') >= 3  # inline bootstrap, GOV.UK, timeout
    assert "js/session-timeout.js" in html
    assert "You will be signed out after 30 minutes of inactivity" in html
    assert (
        client.get(reverse("home"))["Content-Security-Policy"]
        != response["Content-Security-Policy"]
    )  # a fresh nonce per response


@pytest.mark.django_db
def test_public_pages_have_the_headers_but_may_be_cached_only_when_signed_out(
    client,
):
    for url in (reverse("login"), reverse("accessibility"), reverse("password_reset")):
        response = client.get(url)
        assert response.status_code == 200
        assert _check_page(response, url) == []
