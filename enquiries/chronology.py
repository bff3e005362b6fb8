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
    significant: bool = False,
) -> ChronologyEvent:
    return ChronologyEvent.objects.create(
        person=person,
        kind=kind,
        summary=summary[:255],
        link=link,
        recorded_by=user if getattr(user, "is_authenticated", False) else None,
        occurred_at=occurred_at or timezone.now(),
        significant=significant,
    )
