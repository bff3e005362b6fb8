"""Restricted records: breaking the glass, the leads' review queue, the
subject access pack and the person access log (who opened this record)."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db.models import Count, Max, Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone

from enquiries import subject_access
from enquiries.forms.trust import AccessReviewForm, BreakGlassForm
from enquiries.models import BreakGlassGrant, Person
from enquiries.selectors import trust as selectors
from enquiries.services import trust as services_trust
from msp import access, audit
from msp.editing import bound_data
from msp.middleware import own_access_check
from msp.models import AuditEvent
from msp.permissions import require_perm
from msp.roles import has_role_perm
from msp.views_audit import page_of_events


def _restricted_person_in_scope_or_404(user, person_reference) -> Person:
    person = selectors.restricted_person_in_scope(user, person_reference)
    if person is None:
        raise Http404("No such record")
    return person


@own_access_check
def break_glass(request: HttpRequest, person_reference) -> HttpResponse:
    person = _restricted_person_in_scope_or_404(request.user, person_reference)
    already = access.visible(request.user, Person.objects.filter(pk=person.pk)).exists()
    if already:
        return redirect(person.get_absolute_url())
    access.require_write(request.user)
    form = BreakGlassForm(bound_data(request))
    if request.method == "POST" and form.is_valid():
        try:
            services_trust.break_glass(
                user=request.user, person=person, reason=form.cleaned_data["reason"]
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            return redirect(person.get_absolute_url())
    return render(
        request,
        "enquiries/trust/break_glass.html",
        {
            "form": form,
            "person_reference": person.reference,
            "break_glass_hours": settings.BREAK_GLASS_HOURS,
        },
    )


def _require_lead(user) -> None:
    require_perm(user, "view_all_cases", "Only safeguarding leads review access.")


@own_access_check
def access_reviews(request: HttpRequest) -> HttpResponse:
    _require_lead(request.user)
    waiting = selectors.grants_waiting_review()
    recent = selectors.grants_recently_reviewed()
    return render(
        request,
        "enquiries/trust/access_reviews.html",
        {"waiting": waiting, "recent": recent, "now": timezone.now()},
    )


@own_access_check
def access_review(request: HttpRequest, grant_id: int) -> HttpResponse:
    _require_lead(request.user)
    grant = get_object_or_404(
        BreakGlassGrant.objects.select_related("user", "person"), pk=grant_id
    )
    if grant.reviewed_at is not None:
        return redirect("access_reviews")
    form = AccessReviewForm(bound_data(request))
    if request.method == "POST" and form.is_valid():
        try:
            services_trust.review_grant(
                reviewer=request.user,
                grant=grant,
                verdict=form.cleaned_data["verdict"],
                notes=form.cleaned_data["notes"],
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            return redirect("access_reviews")
    return render(
        request, "enquiries/trust/access_review.html", {"form": form, "grant": grant}
    )


def _subject_access_person(request: HttpRequest, person_reference) -> Person:
    person = access.get_visible_or_404(
        request.user, Person.objects, reference=person_reference
    )
    _require_lead(request.user)
    return person


@own_access_check
def subject_access_pack(request: HttpRequest, person_reference) -> HttpResponse:
    person = _subject_access_person(request, person_reference)
    pack = subject_access.build_pack(person)
    audit.record(
        actor=request.user,
        action=AuditEvent.Action.EXPORT,
        obj=person,
        summary="Produced a subject access pack (printable page)",
    )
    return render(
        request, "enquiries/trust/subject_access.html", {"person": person, "pack": pack}
    )


@own_access_check
def subject_access_zip(request: HttpRequest, person_reference) -> HttpResponse:
    person = _subject_access_person(request, person_reference)
    pack = subject_access.build_pack(person)
    content = subject_access.as_zip(pack)
    audit.record(
        actor=request.user,
        action=AuditEvent.Action.EXPORT,
        obj=person,
        summary="Downloaded a subject access pack (ZIP of CSV files)",
    )
    response = HttpResponse(content, content_type="application/zip")
    response["Content-Disposition"] = (
        f'attachment; filename="subject-access-{person.reference}.zip"'
    )
    return response


@own_access_check
def audit_person(request: HttpRequest, person_reference) -> HttpResponse:
    """Who has accessed this person's record, for leads and auditors."""
    user = request.user
    if has_role_perm(user, "view_audit"):
        person = None  # auditors see the trail, not the case record
    else:
        person = access.get_visible_or_404(
            user, Person.objects, reference=person_reference
        )
        require_perm(
            user, "view_all_cases", "Only safeguarding leads and auditors see this."
        )
    events = AuditEvent.objects.filter(person_ref=str(person_reference))
    by_user = (
        events.values("actor_name")
        .annotate(
            views=Count("id", filter=Q(action=AuditEvent.Action.VIEW)),
            refused=Count("id", filter=Q(action=AuditEvent.Action.REFUSED)),
            actions=Count("id"),
            last=Max("at"),
        )
        .order_by("-last")
    )
    rows, older = page_of_events(events, request.GET.get("before"))
    return render(
        request,
        "audit/person.html",
        {
            "person": person,
            "person_reference": person_reference,
            "by_user": by_user,
            "events": rows,
            "older": older,
        },
    )
