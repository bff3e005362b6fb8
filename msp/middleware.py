"""Cross-cutting middleware."""

from django.conf import settings
from django.contrib.auth import SESSION_KEY, logout
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, resolve_url
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import add_never_cache_headers

from msp import audit
from msp.signals import SESSION_LAST_SEEN, SESSION_LOGIN_AT


class NoStoreForSignedInUsersMiddleware:
    """Pages for signed-in users hold case data: never cache them.

    ``Cache-Control: no-store`` means that pressing Back after signing out (or
    after "Exit this page") cannot show case details from the browser cache.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        token = audit.set_current_request(request)
        try:
            response = self.get_response(request)
        finally:
            audit.reset_current_request(token)
        user = getattr(request, "user", None)
        if (user is not None and user.is_authenticated) or getattr(
            request, "never_cache", False
        ):
            add_never_cache_headers(response)
        return response


def two_factor_exempt(view):
    """Mark a view that a user signed in with only a password may still open
    (the two-factor enrolment and verification pages themselves)."""
    view.msp_two_factor_exempt = True
    return view


class SessionLimitsMiddleware:
    """End sessions that have gone on too long or whose account is disabled.

    - a disabled (inactive) account is signed out at its next request;
    - 30 minutes without a request signs the user out (idle limit; the
      session cookie also expires then, this is the server-side check).
      The last request's time is recorded to the minute
      (``SESSION_TOUCH_SECONDS``), so a session saves at most once a minute;
    - 12 hours after signing in the session ends however active it is.

    Signed-out users go to the sign-in page, which explains why.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        reason = self._reason_to_end(request)
        if reason:
            logout(request)
            return redirect(f"{resolve_url(settings.LOGIN_URL)}?signed_out={reason}")
        return self.get_response(request)

    def _reason_to_end(self, request) -> str:
        session = getattr(request, "session", None)
        if session is None:
            return ""
        user = request.user
        if not user.is_authenticated:
            # Django no longer loads an account once it has been disabled,
            # but its session is still there: end it.
            return "disabled" if session.get(SESSION_KEY) else ""
        if not user.is_active:
            return "disabled"
        now = timezone.now().timestamp()
        login_at = session.setdefault(SESSION_LOGIN_AT, now)
        last_seen = session.get(SESSION_LAST_SEEN, now)
        if now - login_at > settings.SESSION_ABSOLUTE_SECONDS:
            return "expired"
        if now - last_seen > settings.SESSION_COOKIE_AGE:
            return "idle"
        if SESSION_LAST_SEEN not in session or (
            now - last_seen >= settings.SESSION_TOUCH_SECONDS
        ):
            # Written (and the session saved) at most once a minute, not on
            # every request: reading a page should not cost a database write.
            session[SESSION_LAST_SEEN] = now
        return ""


class TwoFactorMiddleware:
    """With ``REQUIRE_2FA`` on, a password alone opens nothing.

    A user signed in with a password but not yet verified with a second factor
    is sent to enrol (no authenticator yet) or to enter a code. Public pages
    stay public; the admin site is covered too.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        if not settings.REQUIRE_2FA:
            return None
        user = request.user
        if not user.is_authenticated or user.is_verified():
            return None
        if getattr(view_func, "msp_two_factor_exempt", False):
            return None
        match = request.resolver_match
        if match and match.url_name == "logout" and not match.namespace:
            return None
        is_admin = bool(match and match.namespace == "admin")
        if not getattr(view_func, "login_required", True) and not is_admin:
            return None  # public pages: health check, exit, accessibility…
        from django_otp import user_has_device

        target = "two_factor_verify" if user_has_device(user) else "two_factor_setup"
        return redirect_to_login(
            request.get_full_path(),
            login_url=reverse(target),
            redirect_field_name="next",
        )


# Pages in the case apps that every signed-in member of staff may open.
OPEN_TO_ALL_STAFF = {"home"}


def case_app_modules() -> tuple[str, ...]:
    """Module prefixes of the case apps, named once in settings.MSP_CASE_APPS
    (the composition root), so the core names no domain app."""
    return tuple(f"{app}." for app in settings.MSP_CASE_APPS)


def own_access_check(view_func):
    """Mark a page of a case app that makes its own access decision and is not
    only for case workers (restricted records, the access reviews, the
    subject access pack, the person access log for auditors)."""
    view_func.msp_own_access_check = True
    return view_func


class CaseWorkersOnlyMiddleware:
    """Auditors and administrators never open case pages.

    An auditor reads the audit trail only; an administrator works in Django
    admin. Any page served by a case app (``settings.MSP_CASE_APPS``) is
    refused with 403 for a user who has neither ``manage_cases`` nor
    ``view_all_cases``, however the page itself scopes its records. Applied
    by module, so pages added later are covered without a change here.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        user = request.user
        if not user.is_authenticated:
            return None
        if not getattr(view_func, "login_required", True):
            return None  # public pages (the online concern form)
        if getattr(view_func, "msp_staff_page", False) and user.is_staff:
            return None  # administrators' pages in a case app (case import)
        module = getattr(view_func, "__module__", "") or ""
        if not module.startswith(case_app_modules()):
            return None
        if getattr(view_func, "msp_own_access_check", False):
            return None
        match = request.resolver_match
        if match and match.url_name in OPEN_TO_ALL_STAFF and not match.namespace:
            return None
        from msp import access

        if access.can_work_on_cases(user) or access.can_see_all_teams(user):
            return None
        raise PermissionDenied("Case records are for case workers only.")


class CaseReadAuditMiddleware:
    """Every read of a case page leaves a line in the audit trail.

    The access layer (``msp.access.get_visible_or_404``) notes each record it
    hands to a page and each lookup it refuses; once the page has been served
    this writes one "viewed" line per adult the page showed (so the person
    access log counts stage pages, budget pages, printouts and downloads, not
    only the main pages) and one "refused" line per refused lookup of a
    record that exists. Pages need no code of their own for this.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        audit.write_noted_reads(request, response)
        return response
