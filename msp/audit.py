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

from django.core.exceptions import ValidationError
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


def _line(
    *,
    actor,
    action: str,
    obj: models.Model | None = None,
    person_ref: str = "",
    summary: str = "",
    changes: dict | None = None,
    actor_name: str = "",
) -> AuditEvent:
    """One audit line, not yet saved. ``actor_name`` names an actor who is
    not a member of staff (the adult on their own page)."""
    request = _current_request.get()
    object_ref = ""
    object_type = ""
    if obj is not None:
        object_type = obj._meta.label
        object_ref = str(getattr(obj, "reference", None) or obj.pk)
    if not person_ref and obj is not None:
        person_ref = _person_ref_of(obj)
    actor_obj = actor if getattr(actor, "is_authenticated", False) else None
    return AuditEvent(
        actor=actor_obj,
        actor_name=(
            actor_obj.get_username() if actor_obj else (actor_name or "anonymous")
        ),
        action=action,
        object_type=object_type,
        object_ref=object_ref,
        person_ref=person_ref,
        summary=summary[:255],
        changes=changes or {},
        ip_address=_client_ip(request) if request else None,
        user_agent=(request.META.get("HTTP_USER_AGENT", "")[:255] if request else ""),
    )


def record(
    *,
    actor,
    action: str,
    obj: models.Model | None = None,
    person_ref: str = "",
    summary: str = "",
    changes: dict | None = None,
    actor_name: str = "",
) -> AuditEvent:
    """Append one line to the audit trail."""
    line = _line(
        actor=actor,
        action=action,
        obj=obj,
        person_ref=person_ref,
        summary=summary,
        changes=changes,
        actor_name=actor_name,
    )
    line.save(force_insert=True)
    return line


def _person_ref_of(obj: models.Model) -> str:
    """The adult's reference for a case record, following ``person`` links."""
    person = getattr(obj, "audit_person", None)
    if person is None:
        return ""
    return str(person.reference)


# --- Reads and refused attempts, noted during a request ----------------------
#
# The access layer notes every case record it hands to a page and every
# lookup it refuses; the middleware writes the lines once the response is
# ready, so each page read leaves exactly one line per adult whatever number
# of records the page fetched, and pages need no code of their own.

_READS = "_msp_case_reads"
_LISTED = "_msp_case_listed"
_REFUSED = "_msp_refused_reads"


def _read_key(obj: models.Model) -> str:
    return _person_ref_of(obj) or f"{obj._meta.label}:{obj.pk}"


def note_read(obj: models.Model, *, summary: str = "") -> None:
    """Remember that the page being served shows ``obj`` (GET/HEAD only:
    a write leaves its own audit line)."""
    request = current_request()
    if request is None or request.method not in ("GET", "HEAD"):
        return
    request.__dict__.setdefault(_READS, []).append((obj, summary))


def note_listed(records: Iterable[models.Model]) -> None:
    """Remember that the page being served lists ``records`` (search results
    that name people): each adult shown gets a "viewed" line, written with
    the page's other reads in one insert. Give records whose adult is at hand
    without a query (people, or records fetched with their person). Any
    method: a form re-shown with possible matches lists people too."""
    request = current_request()
    if request is None:
        return
    request.__dict__.setdefault(_LISTED, []).extend(records)


def note_refused(model: type[models.Model], lookup: dict[str, Any]) -> None:
    """Remember that a lookup of an existing ``model`` record was refused
    (out of the user's scope, or restricted)."""
    request = current_request()
    if request is None:
        return
    request.__dict__.setdefault(_REFUSED, []).append((model, lookup))


def write_noted_reads(request: HttpRequest, response) -> None:
    """Write what :func:`note_read`, :func:`note_listed` and
    :func:`note_refused` remembered: one line per adult the page showed (all
    in one insert) and one per refused lookup."""
    reads = request.__dict__.pop(_READS, None)
    listed = request.__dict__.pop(_LISTED, None)
    refused = request.__dict__.pop(_REFUSED, None)
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return
    path = request.get_full_path()[:500]
    lines: list[AuditEvent] = []
    if response.status_code < 400:
        written: set[str] = set()
        shown = [(obj, summary) for obj, summary in reads or ()]
        shown += [(obj, "") for obj in listed or ()]
        for index, (obj, summary) in enumerate(shown):
            key = _read_key(obj)
            if key in written:
                continue
            written.add(key)
            if not summary and index >= len(reads or ()):
                summary = _page_summary(request, obj, listed=True)
            lines.append(
                _line(
                    actor=user,
                    action=AuditEvent.Action.VIEW,
                    obj=obj,
                    person_ref=_person_ref_of(obj),
                    summary=summary or _page_summary(request, obj),
                    changes={"path": path},
                )
            )
    if lines:
        AuditEvent.objects.bulk_create(lines)
    for model, lookup in refused or ():
        try:
            target = model._base_manager.filter(**lookup).first()
        except (ValueError, TypeError, ValidationError):
            target = None  # a malformed reference: nothing was there to refuse
        if target is None:
            continue
        record(
            actor=user,
            action=AuditEvent.Action.REFUSED,
            obj=target,
            summary=f"Refused access to {target._meta.verbose_name}",
            changes={"path": path, "method": request.method},
        )


def _page_summary(
    request: HttpRequest, obj: models.Model, *, listed: bool = False
) -> str:
    match = getattr(request, "resolver_match", None)
    page = ""
    if match is not None and match.url_name:
        page = match.url_name.replace("_", " ")
    noun = obj._meta.verbose_name
    if listed:
        return f"Listed {noun} in results ({page})" if page else f"Listed {noun}"
    return f"Viewed {noun} ({page})" if page else f"Viewed {noun}"


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
