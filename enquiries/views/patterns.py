"""Patterns (cumulative-risk flags): the leads' list, one flag, acknowledging
it; the panels on the person and decision pages; the provider page."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.views.decorators.http import require_GET

from enquiries.forms.patterns import AcknowledgePatternForm, RelationshipRecordForm
from enquiries.models import (
    Concern,
    Enquiry,
    Organisation,
    OrganisationalEnquiry,
    Person,
)
from enquiries.models.patterns import PatternRule
from enquiries.selectors import patterns as selectors
from enquiries.services import patterns as services
from enquiries.views.common import enquiry_url
from msp import audit, editing
from msp.access import get_visible_or_404, require_write, visible
from msp.paging import keyset_page
from msp.permissions import require_perm

LIST_SIZE = 20
PROVIDER_PAGE_SIZE = 25
STATUSES = {
    "open": ("Not yet acknowledged", {"acknowledged_at__isnull": True}),
    "acknowledged": ("Acknowledged", {"acknowledged_at__isnull": False}),
    "all": ("All", {}),
}


def panel(user, flags, *, heading: str, intro: str = "") -> str | None:
    """The flags as a panel for another page (``None`` when there are none)."""
    flags = selectors.explain(user, list(flags))
    if not flags:
        return None
    return render_to_string(
        "enquiries/_pattern_panel.html",
        {
            "flags": flags,
            "heading": heading,
            "intro": intro,
            "can_acknowledge": services.can_acknowledge(user),
        },
    )


def person_panel(user, person) -> str | None:
    """Patterns that include this adult's concerns (person page)."""
    return panel(
        user,
        selectors.flags_about_person(user, person)[:10],
        heading="Patterns",
        intro="Concerns about this adult, or about the same source, provider or place, "
        "that add up.",
    )


def decision_panel(user, concern: Concern) -> str | None:
    """Patterns this concern is part of (the decision page, before deciding)."""
    return panel(
        user,
        selectors.flags_about_concern(user, concern)[:10],
        heading="Patterns this concern is part of",
        intro="Consider them in your decision: each one says which concerns made it.",
    )


def _ack_form(flag, data=None) -> AcknowledgePatternForm:
    form = AcknowledgePatternForm(data)
    form.helper.form_action = reverse("enquiries:pattern_acknowledge", args=[flag.pk])
    return form


def _require_list_access(user) -> None:
    require_perm(
        user,
        "sign_off_closure",
        "Only team managers and safeguarding leads see the patterns list.",
    )


@require_GET
def pattern_list(request: HttpRequest) -> HttpResponse:
    _require_list_access(request.user)
    status = request.GET.get("status", "open")
    if status not in STATUSES:
        status = "open"
    kind = request.GET.get("kind", "")
    flags = selectors.flags_for(request.user).filter(**STATUSES[status][1])
    if kind in PatternRule.Kind.values:
        flags = flags.filter(kind=kind)
    else:
        kind = ""
    page = keyset_page(
        flags, after=request.GET.get("after"), descending=True, size=LIST_SIZE
    )
    return render(
        request,
        "enquiries/pattern_list.html",
        {
            "flags": selectors.explain(request.user, page.rows),
            "page": page,
            "status": status,
            "statuses": [(key, label) for key, (label, _f) in STATUSES.items()],
            "kind": kind,
            "kinds": PatternRule.Kind.choices,
            "rules": PatternRule.objects.filter(is_active=True),
            "can_acknowledge": services.can_acknowledge(request.user),
        },
    )


@require_GET
def pattern_detail(request: HttpRequest, flag_id: int) -> HttpResponse:
    flag = selectors.get_flag_or_404(request.user, flag_id)
    selectors.explain(request.user, [flag])
    # The page names the adults of the concerns shown: one read line each.
    for concern in flag.shown:
        audit.note_read(concern)
    return render(
        request,
        "enquiries/pattern_detail.html",
        {
            "flag": flag,
            "can_acknowledge": services.can_acknowledge(request.user),
            "form": _ack_form(flag),
        },
    )


def pattern_acknowledge(request: HttpRequest, flag_id: int) -> HttpResponse:
    require_perm(
        request.user,
        "sign_off_closure",
        "Only team managers and safeguarding leads acknowledge patterns.",
    )
    flag = selectors.get_flag_or_404(request.user, flag_id)
    if flag.is_acknowledged:
        messages.info(request, "This pattern has already been acknowledged")
        return redirect("enquiries:pattern_detail", flag.pk)
    if request.method == "POST":
        form = _ack_form(flag, request.POST)
        if form.is_valid():
            try:
                services.acknowledge_pattern(
                    user=request.user, flag=flag, note=form.cleaned_data["note"]
                )
            except ValidationError as exc:
                editing.add_errors(form, exc)
            else:
                messages.success(request, "Pattern acknowledged")
                return redirect("enquiries:pattern_detail", flag.pk)
    else:
        form = _ack_form(flag)
    selectors.explain(request.user, [flag])
    return render(
        request,
        "enquiries/pattern_detail.html",
        {"flag": flag, "can_acknowledge": True, "form": form},
    )


@require_GET
def organisation_detail(request: HttpRequest, organisation_id: int) -> HttpResponse:
    """A provider: the concerns and enquiries about it over time (only those
    the user may see), newest first, and its patterns."""
    user = request.user
    require_perm(user, "manage_cases")
    organisation = get_object_or_404(Organisation, pk=organisation_id)
    about = services._alleged(source_organisation=organisation).values("concern_id")
    concerns = visible(user, Concern.objects.filter(pk__in=about)).select_related(
        "person"
    )
    organisational_enquiries = visible(
        user, OrganisationalEnquiry.objects.filter(organisation=organisation)
    )
    if not (concerns.exists() or organisational_enquiries.exists()):
        # Nothing about it that this user may see: the page says nothing.
        raise Http404("No such organisation")
    # One "viewed" line naming the provider (the page lists several adults).
    audit.note_read(organisation, summary="Viewed the provider page")
    page = keyset_page(
        concerns,
        after=request.GET.get("after"),
        key="received_on",
        descending=True,
        size=PROVIDER_PAGE_SIZE,
    )
    enquiries: dict[int, list[Enquiry]] = {}
    if page.rows:
        for enquiry in visible(
            user, Enquiry.objects.filter(concern__in=page.rows)
        ).select_related("concern"):
            enquiry.url = enquiry_url(enquiry)
            enquiries.setdefault(enquiry.concern_id, []).append(enquiry)
    for concern in page.rows:
        concern.enquiry_list = enquiries.get(concern.pk, [])
    flags = selectors.flags_for(user).filter(organisation=organisation)[:10]
    return render(
        request,
        "enquiries/organisation_detail.html",
        {
            "organisation": organisation,
            "page": page,
            "concerns": page.rows,
            "organisational_enquiries": organisational_enquiries.order_by("-id")[:10],
            "pattern_panel": panel(user, flags, heading="Patterns"),
        },
    )


def relationship_record(
    request: HttpRequest, reference, relationship_id: int
) -> HttpResponse:
    """Link someone in the adult's network to their own person record, so
    that patterns find them across adults (never by their name)."""
    require_write(request.user)
    person = get_visible_or_404(request.user, Person.objects.all(), reference=reference)
    relationship = get_object_or_404(
        person.relationships.select_related("individual"), pk=relationship_id
    )
    if request.method == "POST":
        form = RelationshipRecordForm(request.POST)
        if form.is_valid():
            try:
                services.link_relationship_record(
                    user=request.user,
                    relationship=relationship,
                    reference=form.cleaned_data["reference"],
                )
            except ValidationError as exc:
                editing.add_errors(form, exc)
            else:
                messages.success(request, "Saved")
                return redirect(person)
    else:
        initial = (
            {"reference": relationship.individual.reference}
            if relationship.individual
            else {}
        )
        form = RelationshipRecordForm(initial=initial)
    return render(
        request,
        "enquiries/form_page.html",
        {
            "form": form,
            "title": f"{relationship.name}: their own record",
            "intro": "If they are known to us in their own right, link them to "
            "their record. Concerns naming them as the alleged source are then "
            "added up across adults; names are never matched.",
            "caption": person.full_name,
            "back_url": person.get_absolute_url(),
        },
    )
