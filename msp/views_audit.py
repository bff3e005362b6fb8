"""Audit pages: search the trail, CSV export. (Who opened a person's record
is the person access log in ``enquiries.views.trust``.)

Read-only. The trail is large, so pages use keyset pagination on
(``at``, ``id``): "Older entries" carries the last id seen, never an offset.
"""

from __future__ import annotations

import csv
import datetime

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Count, Max, Q
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import render
from django.utils import timezone

from msp import audit
from msp.forms import AuditSearchForm
from msp.models import AuditEvent
from msp.permissions import require_perm
from msp.roles import has_role_perm

PAGE_SIZE = 50
EXPORT_LIMIT = 50_000
# A run of refused attempts: this many by one user on one adult within the
# window is listed for leads and auditors (how snooping is found).
REFUSED_RUN_ATTEMPTS = 3
REFUSED_RUN_DAYS = 30
REFUSED_RUNS_SHOWN = 50


def _require_auditor(user) -> None:
    require_perm(user, "view_audit", "Only auditors can read the audit trail.")


def refused_runs(
    *, attempts: int = REFUSED_RUN_ATTEMPTS, days: int = REFUSED_RUN_DAYS
) -> list[dict]:
    """Users refused ``attempts`` times or more on one adult within the last
    ``days`` days, most attempts first (one grouped query)."""
    since = timezone.now() - datetime.timedelta(days=days)
    return list(
        AuditEvent.objects.filter(action=AuditEvent.Action.REFUSED, at__gte=since)
        .exclude(person_ref="")
        .values("person_ref", "actor_name")
        .annotate(attempts=Count("id"), last=Max("at"))
        .filter(attempts__gte=attempts)
        .order_by("-attempts", "-last")[:REFUSED_RUNS_SHOWN]
    )


def _runs_context() -> dict:
    return {
        "runs": refused_runs(),
        "run_attempts": REFUSED_RUN_ATTEMPTS,
        "run_days": REFUSED_RUN_DAYS,
    }


def refused_attempts(request: HttpRequest) -> HttpResponse:
    """Runs of refused attempts on one adult, for leads and auditors."""
    user = request.user
    if not (has_role_perm(user, "view_audit") or has_role_perm(user, "view_all_cases")):
        raise PermissionDenied("Only safeguarding leads and auditors see this.")
    return render(request, "audit/refused.html", _runs_context())


def _filtered(form: AuditSearchForm):
    events = AuditEvent.objects.all()
    if not form.is_bound:
        return events
    if not form.is_valid():
        return events.none()
    data = form.cleaned_data
    if data["user"]:
        events = events.filter(actor_name__iexact=data["user"].strip())
    if data["person"]:
        events = events.filter(person_ref=str(data["person"]))
    if data["action"]:
        events = events.filter(action=data["action"])
    zone = timezone.get_current_timezone()
    if data["date_from"]:
        start = datetime.datetime.combine(data["date_from"], datetime.time.min, zone)
        events = events.filter(at__gte=start)
    if data["date_to"]:
        # The whole of the last day, without adding a day (the form keeps dates
        # within 1900-2099, but no date can overflow here either).
        end = datetime.datetime.combine(data["date_to"], datetime.time.max, zone)
        events = events.filter(at__lte=end)
    return events


def page_of_events(events, before: str | None):
    """One page, newest first, starting after the event ``before`` (an id)."""
    events = events.order_by("-at", "-id")
    if before and before.isdigit():
        anchor = AuditEvent.objects.filter(pk=int(before)).values("at", "id").first()
        if anchor:
            events = events.filter(
                Q(at__lt=anchor["at"]) | Q(at=anchor["at"], id__lt=anchor["id"])
            )
    rows = list(events[: PAGE_SIZE + 1])
    older = rows[PAGE_SIZE - 1].pk if len(rows) > PAGE_SIZE else None
    return rows[:PAGE_SIZE], older


def audit_log(request: HttpRequest) -> HttpResponse:
    _require_auditor(request.user)
    form = AuditSearchForm(request.GET or None)
    if request.GET and not form.is_valid():
        events, older = [], None
    else:
        events, older = page_of_events(_filtered(form), request.GET.get("before"))
    query = request.GET.copy()
    query.pop("before", None)
    return render(
        request,
        "audit/log.html",
        {
            "form": form,
            "events": events,
            "older": older,
            "query": query.urlencode(),
            "searched": bool(request.GET),
            **_runs_context(),
        },
    )


class _Echo:
    def write(self, value):
        return value


def audit_export(request: HttpRequest) -> HttpResponse:
    """The filtered trail as CSV. The export is itself audited."""
    _require_auditor(request.user)
    form = AuditSearchForm(request.GET or None)
    if request.GET and not form.is_valid():
        return render(
            request,
            "audit/log.html",
            {"form": form, "events": [], "older": None, "searched": True},
            status=400,
        )
    events = _filtered(form).order_by("-at", "-id")[:EXPORT_LIMIT]
    with transaction.atomic():
        audit.record(
            actor=request.user,
            action=AuditEvent.Action.EXPORT,
            summary="Exported the audit trail as CSV",
            changes={"filters": {k: v for k, v in request.GET.items() if v}},
        )
    writer = csv.writer(_Echo())
    header = [
        "at",
        "user",
        "action",
        "record_type",
        "record_reference",
        "person_reference",
        "summary",
        "ip_address",
        "user_agent",
    ]

    def rows():
        yield writer.writerow(header)
        for event in events.iterator(chunk_size=2000):
            yield writer.writerow(
                [
                    _safe(v)
                    for v in (
                        event.at.isoformat(),
                        event.actor_name,
                        event.action,
                        event.object_type,
                        event.object_ref,
                        event.person_ref,
                        event.summary,
                        event.ip_address or "",
                        event.user_agent,
                    )
                ]
            )

    response = StreamingHttpResponse(rows(), content_type="text/csv")
    response["Content-Disposition"] = 'attachment; filename="audit-trail.csv"'
    return response


def _safe(value: str) -> str:
    if value and value[0] in "=+-@\t\r":
        return "'" + value
    return value
