"""One permission check for views and services: a role's permission or 403.

Roles (msp.roles) grant ``msp.<codename>`` permissions; a page or a service
that needs one calls :func:`require_perm` (or wraps a view in
:func:`perm_required`) instead of writing its own role check.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse

from msp.roles import has_role_perm

# Why a permission is refused, in the words the 403 page shows.
REFUSALS = {
    "view_reports": "Only team managers and safeguarding leads see reports.",
}


def require_perm(user, codename: str, message: str = "") -> None:
    """Raise PermissionDenied (403) unless the user's roles grant ``codename``."""
    if not has_role_perm(user, codename):
        raise PermissionDenied(
            message or REFUSALS.get(codename, "You do not have permission to do this.")
        )


def perm_required(codename: str) -> Callable:
    """View decorator: :func:`require_perm` on the signed-in user first."""

    def decorator(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @wraps(view)
        def wrapped(request: HttpRequest, *args, **kwargs) -> HttpResponse:
            require_perm(request.user, codename)
            return view(request, *args, **kwargs)

        return wrapped

    return decorator
