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


class _UnreadCount:
    """The header's count of unread notifications, counted only if a page
    shows it (at most two queries, once per page). Counted up to 100 and shown
    as "99+" beyond 99: the header needs no exact figure, and counting a
    long unread backlog on every page would cost more as it grew."""

    SHOWN_UP_TO = 99

    def __init__(self, user):
        self._user = user
        self._value: int | None = None

    def __int__(self) -> int:
        if self._value is None:
            from msp.notifications import unread_count

            self._value = unread_count(self._user, up_to=self.SHOWN_UP_TO + 1)
        return self._value

    def __str__(self) -> str:
        value = int(self)
        return f"{self.SHOWN_UP_TO}+" if value > self.SHOWN_UP_TO else str(value)

    def __bool__(self) -> bool:
        return int(self) > 0


def notifications(request):
    """``unread_notifications`` for the header of staff pages."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {"unread_notifications": _UnreadCount(user)}
