"""Cross-cutting pages: home, health check, exit, sign-in, static content."""

from django.conf import settings
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_not_required
from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET


@login_not_required
@never_cache
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    """Load balancers and monitoring: 200 when the app can reach its database."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception:  # noqa: BLE001 - any database failure means unhealthy
        return JsonResponse({"status": "error", "database": "unreachable"}, status=503)
    return JsonResponse({"status": "ok", "database": "ok"})


@login_not_required
@never_cache
@require_GET
def exit_this_page(request: HttpRequest) -> HttpResponse:
    """ "Exit this page": end the session, then go to a neutral website.

    A GET link by design (the GOV.UK component is a link); see
    docs/decisions/0004-exit-this-page.md.
    """
    logout(request)
    request.session.flush()
    response = redirect(settings.EXIT_THIS_PAGE_URL)
    response["Clear-Site-Data"] = '"cache", "storage"'
    return response


@login_not_required
def accessibility(request: HttpRequest) -> HttpResponse:
    return render(request, "msp/accessibility.html")


@login_not_required
def privacy(request: HttpRequest) -> HttpResponse:
    return render(request, "msp/privacy.html")
