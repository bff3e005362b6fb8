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
import functools
import uuid
from collections.abc import Iterable
from typing import Any

from django.db import models, transaction
from django.http import HttpRequest

from msp.models import AuditEvent

_current_request: contextvars.ContextVar[HttpRequest | None] = contextvars.ContextVar(
    "msp_current_request", default=None
)


def set_current_request(request: HttpRequest | None) -> contextvars.Token:
    return _current_request.set(request)


def reset_current_request(token: contextvars.Token) -> None:
    _current_request.reset(token)


def current_request() -> HttpRequest | None:
    """The request being served, if any (None in commands and tasks)."""
    return _current_request.get()


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


# Secrets are never copied into the audit trail.
NEVER_RECORDED = {"password"}


def snapshot(instance: models.Model, fields: Iterable[str] | None = None) -> dict:
    """The current values of a record's concrete fields, JSON-safe."""
    names = fields or [
        f.attname
        for f in instance._meta.concrete_fields
        if not f.primary_key and f.attname not in NEVER_RECORDED
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


def record_view(request: HttpRequest, obj: models.Model, *, summary: str = "") -> None:
    """Note that ``request.user`` opened ``obj``'s page (person, concern, enquiry,
    budget…). Call it in the view once the object has passed the access check::

        person = access.get_visible_or_404(request.user, Person.objects, reference=ref)
        audit.record_view(request, person)
    """
    record(
        actor=request.user,
        action=AuditEvent.Action.VIEW,
        obj=obj,
        summary=summary or f"Viewed {obj._meta.verbose_name}",
    )


def audited_download(*, action: str = "export", summary: str):
    """Decorator for views that hand over data (CSV exports, report downloads).

    A line is written only when the view answers 200, so a refused or failed
    request records nothing::

        @audited_download(action="download", summary="Downloaded the SAC return")
        def sac_download(request): ...
    """
    if action not in (AuditEvent.Action.EXPORT, AuditEvent.Action.DOWNLOAD):
        raise ValueError("action must be 'export' or 'download'")

    def decorator(view):
        @functools.wraps(view)
        def wrapped(request, *args, **kwargs):
            response = view(request, *args, **kwargs)
            if response.status_code == 200:
                record(
                    actor=request.user,
                    action=action,
                    summary=summary,
                    changes={"path": request.get_full_path()[:500]},
                )
            return response

        return wrapped

    return decorator


def bulk_change(*, actor, queryset, summary: str, **changes) -> int:
    """Change many records at once and write one audit line per record.

    The safety net for bulk updates (``queryset.update`` skips ``save()`` and
    so skips the services): use this instead, in one transaction.
    """
    names = list(changes)
    with transaction.atomic():
        rows = list(queryset.select_for_update())
        befores = {row.pk: snapshot(row, names) for row in rows}
        count = queryset.model._base_manager.filter(
            pk__in=[row.pk for row in rows]
        ).update(**changes)
        for row in rows:
            for name, value in changes.items():
                setattr(row, name, value)
            record(
                actor=actor,
                action=AuditEvent.Action.CHANGE,
                obj=row,
                summary=summary,
                changes=diff(befores[row.pk], snapshot(row, names)),
            )
    return count


class RecordViewMixin:
    """For class-based detail views: the object shown is recorded as viewed.

    Put it before ``DetailView`` in the bases; ``get_object`` must already
    apply the access check (``msp.access.get_visible_or_404``).
    """

    def get_object(self, queryset=None):
        obj = super().get_object(queryset)
        record_view(self.request, obj)
        return obj
