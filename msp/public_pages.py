"""Pages for the public (someone who may be at risk), marked by one decorator.

``@public_page`` is the single switch for everything such a page needs
(decision 0004):

- no sign-in is needed;
- nothing is kept for the Back button: ``Cache-Control: no-store`` (which
  also keeps the page out of the browser's back/forward cache) and
  ``Pragma: no-cache`` for old proxies, so a page seen again after "Exit this
  page" is fetched afresh from a server that no longer has the answers;
- the base template shows "Exit this page" and loads the script that clears
  fields restored from history and makes the exit replace the page it left.

Staff pages never carry the Exit button: the base template reads the marker
from the request, which only this decorator sets, so a view's context cannot
switch it on.
"""

from collections.abc import Callable
from functools import wraps

from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, HttpResponse
from django.utils.cache import add_never_cache_headers

MARKER = "msp_public_page"


def mark_public_response(response: HttpResponse) -> HttpResponse:
    """The headers every public page sends: nothing stored, nothing restored."""
    add_never_cache_headers(response)
    response["Pragma"] = "no-cache"
    return response


def public_page(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Mark ``view`` as a public page (see the module docstring)."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        setattr(request, MARKER, True)
        return mark_public_response(view(request, *args, **kwargs))

    setattr(wrapped, MARKER, True)
    return login_not_required(wrapped)


def is_public_page(view: Callable) -> bool:
    return bool(getattr(view, MARKER, False))
