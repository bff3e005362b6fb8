"""Consent overrides awaiting a second person: the managers' queue, and
disagreeing with an override (confirming is ``voice.consent_confirm``)."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET

from enquiries.forms.voice import DisagreeOverrideForm
from enquiries.models import ConsentDecision
from enquiries.selectors.overrides import overrides_awaiting, shares_resting_on
from enquiries.services import overrides as services
from enquiries.views.common import _get_case
from enquiries.views.people import _labels
from msp import editing
from msp.access import get_visible_or_404, require_write
from msp.paging import keyset_page
from msp.permissions import require_perm

QUEUE_SIZE = 25


def _confirm_url(consent: ConsentDecision) -> str:
    if consent.enquiry_id:
        return reverse(
            "enquiries:consent_confirm",
            args=["enquiry", consent.enquiry.reference, consent.pk],
        )
    return reverse(
        "enquiries:consent_confirm",
        args=["concern", consent.concern.reference, consent.pk],
    )


@require_GET
def overrides_queue(request: HttpRequest) -> HttpResponse:
    """Managers' and leads' queue: overrides no second person has answered."""
    require_perm(
        request.user,
        "sign_off_closure",
        "Only team managers and safeguarding leads see this queue.",
    )
    page = keyset_page(
        overrides_awaiting(request.user),
        after=request.GET.get("after"),
        key="recorded_at",
        size=QUEUE_SIZE,
    )
    for consent in page.rows:
        consent.confirm_url = _confirm_url(consent)
    return render(
        request,
        "enquiries/overrides_queue.html",
        {"page": page, "rows": page.rows},
    )


@require_GET
def override_open(request: HttpRequest, consent_id: int) -> HttpResponse:
    """Where a notification about an override leads: its case's page for
    confirming or disagreeing (404 if the user may not see it)."""
    consent = get_visible_or_404(
        request.user,
        ConsentDecision.objects.select_related("concern", "enquiry"),
        pk=consent_id,
        overridden=True,
    )
    return redirect(_confirm_url(consent))


def consent_disagree(
    request: HttpRequest, case_type: str, reference, consent_id: int
) -> HttpResponse:
    require_write(request.user)
    case, person, _stages, back_url = _get_case(request, case_type, reference)
    consent = (
        case.consent_decisions.select_related(
            "recorded_by", "override_confirmed_by", "override_disagreed_by"
        )
        .filter(pk=consent_id, overridden=True)
        .first()
    )
    if consent is None:
        raise Http404("No such override")
    confirm_url = reverse(
        "enquiries:consent_confirm", args=[case_type, case.reference, consent.pk]
    )
    form = DisagreeOverrideForm(editing.bound_data(request))
    return editing.edit_page(
        request,
        form,
        lambda: services.disagree_consent_override(
            user=request.user,
            consent=consent,
            reason=form.cleaned_data["reason"],
        ),
        success="Recorded: the override does not stand, and the practitioner "
        "has been told",
        done=reverse("enquiries:consent_list", args=[case_type, case.reference]),
        page=lambda: render(
            request,
            "enquiries/consent_disagree.html",
            {
                "case": case,
                "case_type": case_type,
                "caption": person.full_name,
                "back_url": confirm_url,
                "form": form,
                "consent": consent,
                "grounds": _labels(
                    ConsentDecision.OverrideGround, consent.override_grounds
                ),
                "same_person": consent.recorded_by_id == request.user.pk,
                "shares": list(shares_resting_on(consent)),
            },
        ),
    )
