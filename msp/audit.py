"""Writing the audit trail.

Services call :func:`record` inside the same transaction as the change they
make, so a change and its audit line are saved together or not at all. The
request (for IP address and browser) is taken from a context variable that
:class:`msp.middleware.AuditContextMiddleware` sets for each request.
"""

from __future__ import annotations

import contextvars
import datetime
import decimal
import uuid
from collections.abc import Iterable
from typing import Any

from django.db import models
from django.http import HttpRequest

from msp.models import AuditEvent

_current_request: contextvars.ContextVar[HttpRequest | None] = contextvars.ContextVar(
    "msp_current_request", default=None
)


def set_current_request(request: HttpRequest | None) -> contextvars.Token:
    return _current_request.set(request)


def reset_current_request(token: contextvars.Token) -> None:
    _current_request.reset(token)


def _client_ip(request: HttpRequest) -> str | None:
    return request.META.get("REMOTE_ADDR") or None


def _plain(value: Any) -> Any:
    """A JSON-safe form of a field value, for before/after records."""
    if isinstance(value, models.Model):
        return str(value.pk)
    if isinstance(
        value, datetime.date | datetime.datetime | uuid.UUID | decimal.Decimal
    ):
        return str(value)
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return value


def snapshot(instance: models.Model, fields: Iterable[str] | None = None) -> dict:
    """The current values of a record's concrete fields, JSON-safe."""
    names = fields or [
        f.attname for f in instance._meta.concrete_fields if not f.primary_key
    ]
    return {name: _plain(getattr(instance, name)) for name in names}


def diff(before: dict, after: dict) -> dict:
    """Only the fields that changed, as ``{field: [before, after]}``."""
    skip = {"updated_at", "version"}
    return {
        key: [before.get(key), after.get(key)]
        for key in after
        if key not in skip and before.get(key) != after.get(key)
    }


def record(
    *,
    actor,
    action: str,
    obj: models.Model | None = None,
    person_ref: str = "",
    summary: str = "",
    changes: dict | None = None,
) -> AuditEvent:
    """Append one line to the audit trail."""
    request = _current_request.get()
    object_ref = ""
    object_type = ""
    if obj is not None:
        object_type = obj._meta.label
        object_ref = str(getattr(obj, "reference", None) or obj.pk)
    if not person_ref and obj is not None:
        person_ref = _person_ref_of(obj)
    actor_obj = actor if getattr(actor, "is_authenticated", False) else None
    return AuditEvent.objects.create(
        actor=actor_obj,
        actor_name=(actor_obj.get_username() if actor_obj else "anonymous"),
        action=action,
        object_type=object_type,
        object_ref=object_ref,
        person_ref=person_ref,
        summary=summary[:255],
        changes=changes or {},
        ip_address=_client_ip(request) if request else None,
        user_agent=(request.META.get("HTTP_USER_AGENT", "")[:255] if request else ""),
    )


def _person_ref_of(obj: models.Model) -> str:
    """The adult's reference for a case record, following ``person`` links."""
    person = getattr(obj, "audit_person", None)
    if person is None:
        return ""
    return str(person.reference)
