"""What every case page shares: fetching a concern or an enquiry, the next URL, its stage."""

from __future__ import annotations

import uuid

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import NoReverseMatch
from django.utils.http import url_has_allowed_host_and_scheme

from enquiries import codes
from enquiries.models import (
    Concern,
    Enquiry,
)
from msp.access import (
    get_visible_or_404,
)

CONCERN_STAGES = [codes.Stage.CONCERN, codes.Stage.INFORMATION_GATHERING]
ENQUIRY_STAGES = [
    codes.Stage.PLANNING,
    codes.Stage.ENQUIRY,
    codes.Stage.OUTCOME,
    codes.Stage.PLAN,
    codes.Stage.REVIEW,
    codes.Stage.CLOSURE,
]
ENQUIRY_STATUS_STAGE = {
    Enquiry.Status.PLANNING: codes.Stage.PLANNING,
    Enquiry.Status.IN_PROGRESS: codes.Stage.ENQUIRY,
    Enquiry.Status.OUTCOME_RECORDED: codes.Stage.OUTCOME,
    Enquiry.Status.PLAN_ACTIVE: codes.Stage.PLAN,
    Enquiry.Status.CLOSURE_REQUESTED: codes.Stage.CLOSURE,
    Enquiry.Status.CLOSED: codes.Stage.CLOSURE,
}


# Helpers ------------------------------------------------------------------------


def form_page(
    request: HttpRequest, form, *, title: str, caption: str, back_url: str, **extra
) -> HttpResponse:
    """A form on the shared case form page, under the adult's name (or the
    record's) as its caption."""
    return render(
        request,
        "enquiries/form_page.html",
        {
            "form": form,
            "title": title,
            "caption": caption,
            "back_url": back_url,
            **extra,
        },
    )


def _next_or(request: HttpRequest, default: str) -> str:
    """Where to go after saving: a safe ``?next=`` on this site, else ``default``.

    Enquiry pages link here with ``?next=`` so the practitioner returns to them.
    """
    wanted = request.GET.get("next", "")
    if wanted and url_has_allowed_host_and_scheme(
        wanted, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return wanted
    return default


def enquiry_url(enquiry: Enquiry) -> str:
    """The enquiry's page, or its concern's page until enquiry pages exist."""
    try:
        return enquiry.get_absolute_url()
    except NoReverseMatch:
        return enquiry.concern.get_absolute_url()


def _get_case(request: HttpRequest, case_type: str, reference: uuid.UUID):
    if case_type == "concern":
        case = get_visible_or_404(
            request.user,
            Concern.objects.select_related("person", "team"),
            reference=reference,
        )
        return case, case.person, CONCERN_STAGES, case.get_absolute_url()
    if case_type == "enquiry":
        case = get_visible_or_404(
            request.user,
            Enquiry.objects.select_related("concern__person", "team"),
            reference=reference,
        )
        return case, case.concern.person, ENQUIRY_STAGES, enquiry_url(case)
    raise Http404("No such record")


def _case_stage(case) -> str:
    if isinstance(case, Enquiry):
        return ENQUIRY_STATUS_STAGE[case.status]
    if case.status == Concern.Status.RECEIVED:
        return codes.Stage.CONCERN
    return codes.Stage.INFORMATION_GATHERING
