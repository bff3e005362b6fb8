"""Every URL, for every role: the right class of answer, never an error.

The URL resolver is walked (``tests.support_urls.iter_patterns``), so pages
added later are covered without changing this file. With sample arguments
most detail pages answer 404; what matters here is that nothing fails with a
500, anonymous users are sent to sign in, and auditors and administrators
never get a case page.
"""

import pytest
from django.urls import resolve

from tests.support_urls import iter_patterns

PUBLIC_PREFIXES = (
    "/healthz",
    "/exit/",
    "/sign-in/",
    "/accessibility/",
    "/privacy/",
    "/admin/",
    "/raise-a-concern/",
    "/password-reset/",
    # The adult's own page: its own sign-in (an invitation and a code).
    "/my-page/",
)
CASE_APP_MODULES = ("enquiries.", "outcomes.", "budgets.")
ROLES = [
    "anonymous",
    "practitioner",
    "manager",
    "lead",
    "auditor",
    "administrator",
    "other_team_practitioner",
]


def _is_case_page(path: str) -> bool:
    match = resolve(path)
    module = getattr(match.func, "__module__", "") or ""
    public = not getattr(match.func, "login_required", True)
    # Administrators' pages inside a case app (the case import) are for staff.
    staff_page = getattr(match.func, "msp_staff_page", False)
    # Restricted-record and access-log pages decide access themselves (they
    # lived in msp before the restructuring, docs/decisions/0019).
    staff_page = staff_page or getattr(match.func, "msp_own_access_check", False)
    return (
        module.startswith(CASE_APP_MODULES)
        and not public
        and not staff_page
        and match.url_name != "home"
    )


def _urls():
    for name, path in iter_patterns():
        if name is None or path.startswith("/admin/"):
            continue  # Django admin: covered by its own permission tests
        yield name, path


@pytest.mark.django_db
@pytest.mark.parametrize("role", ROLES)
def test_every_url_answers_each_role_sensibly(client, request, role):
    user = None if role == "anonymous" else request.getfixturevalue(role)
    if user is not None:
        client.force_login(user)
    client.raise_request_exception = False
    problems = []
    checked = 0
    for name, path in _urls():
        for method in ("get", "post"):
            response = getattr(client, method)(path)
            status = response.status_code
            checked += 1
            where = f"{method.upper()} {path} ({name}): {status}"
            if status >= 500:
                problems.append(f"server error {where}")
            elif role == "anonymous" and not path.startswith(PUBLIC_PREFIXES):
                if status != 302 or not response["Location"].startswith("/sign-in/"):
                    problems.append(f"not sent to sign in {where}")
            elif (
                role in ("auditor", "administrator")
                and _is_case_page(path)
                and status != 403
            ):
                problems.append(f"case page not refused {where}")
            if user is not None and user.is_authenticated:
                # Stay signed in for the next request (sign-out is in the list).
                client.force_login(user)
    assert checked > 100
    assert problems == [], "\n".join(problems)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("role", "url_name", "expected"),
    [
        ("auditor", "audit_log", 200),
        ("lead", "audit_log", 403),
        ("practitioner", "audit_log", 403),
        ("manager", "audit_log", 403),
        ("administrator", "audit_log", 403),
        ("lead", "access_reviews", 200),
        ("practitioner", "access_reviews", 403),
        ("manager", "access_reviews", 403),
        ("auditor", "access_reviews", 403),
    ],
)
def test_trust_pages_open_only_to_their_roles(
    client, request, role, url_name, expected
):
    from django.urls import reverse

    client.force_login(request.getfixturevalue(role))
    assert client.get(reverse(url_name)).status_code == expected
