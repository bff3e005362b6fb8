"""Demo records for trust: a restricted record, a broken glass waiting for
review, and a few lines of audit trail. Called by ``seed_demo``."""

from __future__ import annotations

import datetime

from django.db import transaction
from django.utils import timezone

from enquiries.factories import ConcernFactory, PersonFactory
from enquiries.models import BreakGlassGrant
from msp import audit
from msp.models import AuditEvent


def create_demo_trust(*, staff: dict, out) -> None:
    north = staff["teams"][0]
    with transaction.atomic():
        person = PersonFactory(
            team=north,
            given_name="Harriet",
            family_name="Vance",
            is_restricted=True,
            restriction_reason="Member of council staff",
        )
        person.permitted_users.add(staff["lead"])
        concern = ConcernFactory(
            person=person,
            team=north,
            summary="Reported by a colleague: unexplained injuries after a weekend.",
        )
        grant = BreakGlassGrant.objects.create(
            person=person,
            user=staff["colleague"],
            reason="Duty worker: the adult phoned in distress and nobody named "
            "on the record was in the office.",
            expires_at=timezone.now() + datetime.timedelta(hours=2),
        )
        audit.record(
            actor=staff["colleague"],
            action=AuditEvent.Action.BREAK_GLASS,
            obj=person,
            summary="Broke the glass for 2 hours",
            changes={"reason": grant.reason},
        )
        audit.record(
            actor=staff["lead"],
            action=AuditEvent.Action.VIEW,
            obj=person,
            summary="Viewed person",
        )
        audit.record(
            actor=staff["lead"],
            action=AuditEvent.Action.VIEW,
            obj=concern,
            summary="Viewed concern",
        )
        audit.record(
            actor=staff["colleague"],
            action=AuditEvent.Action.VIEW,
            obj=person,
            summary="Viewed person",
        )
    out.write(
        "Trust: 1 restricted person (named: lead), 1 broken glass awaiting "
        "the lead's review, 4 audit lines."
    )
