"""Granting roles that can read case records: audited, and the leads told.

Administrators assign roles in Django admin. A role that opens case records
(see :data:`msp.roles.CASE_READING_ROLES`) is the right an insider would
want, so giving one writes its own audit line in the same transaction as the
change and, once it is saved, emails the safeguarding leads through the task
queue (a slow or broken mail server never holds up or undoes the change).
"""

from __future__ import annotations

import logging
from collections.abc import Iterable

from django.conf import settings
from django.contrib.auth.models import Group
from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone
from django_tasks import task

from msp import audit, roles
from msp.dates import format_day, format_time
from msp.models import AuditEvent, User

logger = logging.getLogger(__name__)


def record_roles_granted(
    *, actor: User, user: User, role_names: Iterable[str]
) -> list[str]:
    """Audit each case-reading role in ``role_names`` just given to ``user``
    and queue the leads' email. Call inside the transaction of the change.
    Returns the case-reading roles that were recorded."""
    granted = sorted(set(role_names).intersection(roles.CASE_READING_ROLES))
    for role in granted:
        audit.record(
            actor=actor,
            action=AuditEvent.Action.CHANGE,
            obj=user,
            summary=f"Gave {user.get_username()} the {role} role",
            changes={"role_granted": role, "user": user.get_username()},
        )
    if granted:
        actor_name = f"{actor.get_full_name()} ({actor.get_username()})".lstrip()
        now = timezone.localtime()
        at = f"{format_time(now)} on {format_day(now)}"
        transaction.on_commit(
            lambda: tell_leads_of_role_grant.enqueue(
                actor_name, user.get_username(), granted, at
            )
        )
    return granted


@task()
def tell_leads_of_role_grant(
    actor_name: str, username: str, role_names: list[str], at: str
) -> int:
    """Email the active safeguarding leads that case-reading roles were given."""
    leads = Group.objects.get(name=roles.SAFEGUARDING_LEAD).user_set.filter(
        is_active=True
    )
    recipients = [lead.email for lead in leads if lead.email]
    if not recipients:
        return 0
    role_list = " and ".join(role_names)
    return send_mail(
        subject="A role that can read case records was given",
        message=(
            f"{actor_name} gave the user {username} the {role_list} role at {at}.\n\n"
            "With it they can open case records. If you did not expect this, "
            "check with your system administrator and review the change in "
            "the audit trail.\n"
        ),
        from_email=settings.DEFAULT_FROM_EMAIL,
        recipient_list=recipients,
    )
