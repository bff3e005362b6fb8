"""Sign-in throttling: which failures a successful sign-in forgives.

django-axes, with ``AXES_RESET_ON_SUCCESS`` and lockout by username *and*
address, deletes on a successful sign-in every failure that matches either
the username or the address: one person signing in from a shared address
wiped the failures recorded against everyone else's accounts from it, so an
attacker with one valid account could guess a colleague's password without
limit (issue 16, decision 0016).

Here a successful sign-in forgives only the signed-in account's own failures
from the same address: a user's typing mistakes are forgiven once they get
in, and nothing recorded against another account, or against this account
from elsewhere, is touched.
"""

from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_client_username
from axes.models import AccessAttempt
from django.http import HttpRequest


class OwnFailuresOnlyHandler(AxesDatabaseHandler):
    """The database handler, with a narrower reset on success."""

    def reset_user_attempts(
        self, request: HttpRequest, credentials: dict | None = None
    ) -> int:
        username = get_client_username(request, credentials)
        if not username:
            return 0
        count, _ = AccessAttempt.objects.filter(
            username=username, ip_address=request.axes_ip_address
        ).delete()
        return count
