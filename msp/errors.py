"""The server error page (``handler500`` in msp/urls.py).

Django's own handler renders ``500.html`` too, but with no context at all;
this one adds the service's name and stylesheet, from settings only. It never
touches the request's user, the session or the database, and it shows
nothing about what went wrong. If even this page cannot be drawn, a plain
page is sent.
"""

from __future__ import annotations

import logging

from django.conf import settings
from django.http import HttpRequest, HttpResponseServerError
from django.template import loader
from django.templatetags.static import static
from django.views.decorators.csrf import requires_csrf_token

logger = logging.getLogger(__name__)

PLAIN = (
    "<!DOCTYPE html><html lang='en-GB'><head><meta charset='utf-8'>"
    "<title>Sorry, there is a problem with the service</title></head><body>"
    "<h1>Sorry, there is a problem with the service</h1><p>Try again later.</p>"
    "</body></html>"
)


def _stylesheet() -> str:
    try:
        return static("build/css/app.css")
    except Exception:  # noqa: BLE001 - e.g. a missing static manifest
        return ""


@requires_csrf_token
def server_error(request: HttpRequest, template_name: str = "500.html"):
    try:
        body = loader.get_template(template_name).render(
            {
                "service_name": settings.SERVICE_NAME,
                "council_name": settings.COUNCIL_NAME,
                "stylesheet": _stylesheet(),
            }
        )
    except Exception:  # noqa: BLE001 - the error page must not fail in turn
        logger.exception("Could not draw the server error page")
        body = PLAIN
    return HttpResponseServerError(body)
