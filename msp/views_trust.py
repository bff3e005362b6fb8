"""Restricted records: breaking the glass, the leads' review queue, and the
subject access pack."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone

from enquiries.models import BreakGlassGrant, Person
from msp import access, audit, services_trust, subject_access
from msp.forms import AccessReviewForm, BreakGlassForm
from msp.models import AuditEvent


def _restricted_person_in_scope_or_404(user, person_reference) -> Person:
    """The restricted adult, if they are in the user's team scope; else 404.

    Resolved without the restriction filter on purpose: the page must know the
    record exists to offer the glass. It shows nothing but that it is restricted.
    """
    try:
        person = Person.objects.get(reference=person_reference, is_restricted=True)
    except (Person.DoesNotExist, ValueError, ValidationError) as exc:
        raise Http404("No such record") from exc
    if not access.in_team_scope(user, Person.objects.filter(pk=person.pk)).exists():
        raise Http404("No such record")
    return person


def break_glass(request: HttpRequest, person_reference) -> HttpResponse:
    person = _restricted_person_in_scope_or_404(request.user, person_reference)
    already = access.visible(request.user, Person.objects.filter(pk=person.pk)).exists()
    if already:
        return redirect(person.get_absolute_url())
    access.require_write(request.user)
    form = BreakGlassForm(request.POST or None)
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
        "msp/break_glass.html",
        {
            "form": form,
            "person_reference": person.reference,
            "break_glass_hours": settings.BREAK_GLASS_HOURS,
        },
    )


def _require_lead(user) -> None:
    if not access.can_see_all_teams(user):
        raise PermissionDenied("Only safeguarding leads review access.")


def access_reviews(request: HttpRequest) -> HttpResponse:
    _require_lead(request.user)
    waiting = BreakGlassGrant.objects.filter(reviewed_at__isnull=True).select_related(
        "user", "person"
    )
    recent = (
        BreakGlassGrant.objects.filter(reviewed_at__isnull=False)
        .select_related("user", "person", "reviewed_by")
        .order_by("-reviewed_at")[:20]
    )
    return render(
        request,
        "msp/access_reviews.html",
        {"waiting": waiting, "recent": recent, "now": timezone.now()},
    )


def access_review(request: HttpRequest, grant_id: int) -> HttpResponse:
    _require_lead(request.user)
    grant = get_object_or_404(
        BreakGlassGrant.objects.select_related("user", "person"), pk=grant_id
    )
    if grant.reviewed_at is not None:
        return redirect("access_reviews")
    form = AccessReviewForm(request.POST or None)
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
    return render(request, "msp/access_review.html", {"form": form, "grant": grant})


def _subject_access_person(request: HttpRequest, person_reference) -> Person:
    person = access.get_visible_or_404(
        request.user, Person.objects, reference=person_reference
    )
    _require_lead(request.user)
    return person


def subject_access_pack(request: HttpRequest, person_reference) -> HttpResponse:
    person = _subject_access_person(request, person_reference)
    pack = subject_access.build_pack(person)
    audit.record(
        actor=request.user,
        action=AuditEvent.Action.EXPORT,
        obj=person,
        summary="Produced a subject access pack (printable page)",
    )
    return render(request, "msp/subject_access.html", {"person": person, "pack": pack})


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
