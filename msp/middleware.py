"""Cross-cutting middleware."""

from django.utils.cache import add_never_cache_headers

from msp import audit


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
