from django.conf import settings


def service(request):
    """Names shown in every page's header and footer."""
    return {
        "service_name": settings.SERVICE_NAME,
        "council_name": settings.COUNCIL_NAME,
        "demo_mode": settings.DEMO_MODE,
        # The idle timeout, for the "you will be signed out" notice and warning.
        "session_idle_minutes": settings.SESSION_COOKIE_AGE // 60,
    }
