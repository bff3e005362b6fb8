"""Writing the adult's chronology. Services call :func:`add` as things happen."""

from __future__ import annotations

import datetime

from django.utils import timezone

from enquiries.models import ChronologyEvent, Person


def add(
    *,
    person: Person,
    kind: str,
    summary: str,
    user=None,
    link: str = "",
    occurred_at: datetime.datetime | None = None,
    happened_on: datetime.date | None = None,
    significant: bool = False,
) -> ChronologyEvent:
    """One chronology line. ``happened_on`` is the day of the event when it was
    recorded on a later day (a late entry keeps both: when it happened and
    when it was typed in)."""
    now = timezone.now()
    if occurred_at is None and happened_on and happened_on != timezone.localdate(now):
        # Midday of the day it happened: the time of day is not known.
        occurred_at = timezone.make_aware(
            datetime.datetime.combine(happened_on, datetime.time(12))
        )
    return ChronologyEvent.objects.create(
        person=person,
        kind=kind,
        summary=summary[:255],
        link=link,
        recorded_by=user if getattr(user, "is_authenticated", False) else None,
        occurred_at=occurred_at or now,
        recorded_at=now,
        significant=significant,
    )
