"""Signal receivers for sign-in.

Sign-in attempts themselves are logged by django-axes (AccessLog and
AccessAttempt, visible in admin); here we only note when the session began,
for the 12-hour absolute session limit. Connected in ``MspConfig.ready()``.
"""

from django.utils import timezone

SESSION_LOGIN_AT = "msp_login_at"
SESSION_LAST_SEEN = "msp_last_seen"


def note_session_start(sender, request, user, **kwargs):
    if request is not None and hasattr(request, "session"):
        now = timezone.now().timestamp()
        request.session[SESSION_LOGIN_AT] = now
        request.session[SESSION_LAST_SEEN] = now
