"""PiPoT cases: opened from an enquiry or a concern, seen only by leads and
the workers named on them (enquiries.selectors.pipot), and a list of the
open ones."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse

from enquiries.forms import pipot as forms
from enquiries.models import Concern, Enquiry, PipotReferral
from enquiries.selectors import pipot as selectors
from enquiries.services import pipot as services
from enquiries.views.partners import directory_intro
from msp import editing
from msp.access import can_work_on_cases, get_visible_or_404, require_write


def _page(request, form, *, title: str, back: str, intro="", case=None):
    return render(
        request,
        "enquiries/pipot/form.html",
        {"form": form, "title": title, "back_url": back, "intro": intro, "case": case},
    )


def _case_page(request, case, form, action, *, success, **page) -> HttpResponse:
    """A form on a PiPoT case, saved by a service call (msp.editing); then
    back to the case."""
    return editing.edit_page(
        request,
        form,
        action,
        success=success,
        done=case,
        page=lambda: _page(
            request, form, back=case.get_absolute_url(), case=case, **page
        ),
    )


def _version(form) -> int | None:
    return form.cleaned_data.get("version")


def _open_page(request, *, enquiry=None, concern=None, back: str) -> HttpResponse:
    form = forms.PipotCaseForm(
        editing.bound_data(request),
        initial={"organisation": request.GET.get("organisation", "")},
    )
    if request.method == "GET" and request.GET.get("organisation", "").isdigit():
        form.initial["employer"] = request.GET["organisation"]
    return editing.edit_page(
        request,
        form,
        lambda: services.open_case(
            user=request.user,
            data=editing.changes(form),
            enquiry=enquiry,
            concern=concern,
        ),
        success="PiPoT case opened",
        page=lambda: _page(
            request,
            form,
            title="Alleged source is in a position of trust",
            back=back,
            intro=directory_intro(request),
        ),
    )


def open_from_enquiry(request: HttpRequest, reference) -> HttpResponse:
    if request.method == "POST":
        require_write(request.user)
    enquiry = get_visible_or_404(
        request.user,
        Enquiry.objects.select_related("concern__person"),
        reference=reference,
    )
    return _open_page(request, enquiry=enquiry, back=enquiry.get_absolute_url())


def open_from_concern(request: HttpRequest, reference) -> HttpResponse:
    if request.method == "POST":
        require_write(request.user)
    concern = get_visible_or_404(
        request.user, Concern.objects.select_related("person"), reference=reference
    )
    return _open_page(request, concern=concern, back=concern.get_absolute_url())


def pipot_list(request: HttpRequest) -> HttpResponse:
    page = selectors.open_cases_page(request.user, after=request.GET.get("after"))
    return render(
        request,
        "enquiries/pipot/list.html",
        {
            "rows": page.rows,
            "next_cursor": page.next_cursor,
            "is_lead": selectors.is_pipot_lead(request.user),
        },
    )


def pipot_detail(request: HttpRequest, reference) -> HttpResponse:
    case = selectors.get_pipot_case_or_404(request.user, reference)
    linked, linked_hidden = selectors.linked_concerns(request.user, case)
    return render(
        request,
        "enquiries/pipot/detail.html",
        {
            "case": case,
            "referrals": selectors.referrals(case),
            "workers": selectors.named_workers(case),
            "linked": linked,
            "linked_hidden": linked_hidden,
            "back_url": reverse("enquiries:pipot_list"),
        },
    )


def _writable_case(request, reference):
    if request.method == "POST":
        require_write(request.user)
    return selectors.get_pipot_case_or_404(request.user, reference)


def _closed(request, case) -> HttpResponse | None:
    if case.is_open:
        return None
    messages.error(request, "This PiPoT case is closed, so it cannot be changed.")
    return redirect(case)


def pipot_edit(request: HttpRequest, reference) -> HttpResponse:
    case = _writable_case(request, reference)
    if guard := _closed(request, case):
        return guard
    form = forms.PipotCaseChangeForm(editing.bound_data(request), instance=case)
    return _case_page(
        request,
        case,
        form,
        lambda: services.change_case(
            user=request.user,
            case=case,
            expected_version=_version(form),
            data=editing.changes(form),
        ),
        success="PiPoT case changed",
        title="Change the PiPoT case",
        intro=directory_intro(request),
    )


def referral_add(request: HttpRequest, reference) -> HttpResponse:
    case = _writable_case(request, reference)
    if guard := _closed(request, case):
        return guard
    form = forms.PipotReferralForm(editing.bound_data(request))
    return _case_page(
        request,
        case,
        form,
        lambda: services.add_referral(
            user=request.user, case=case, data=editing.changes(form)
        ),
        success="Referral recorded",
        title="Record a referral (DBS, regulator, police)",
    )


def referral_outcome(request: HttpRequest, reference, referral_id: int) -> HttpResponse:
    case = _writable_case(request, reference)
    referral = PipotReferral.objects.filter(case=case, pk=referral_id).first()
    if referral is None:
        raise Http404("No such record")
    form = forms.ReferralOutcomeForm(
        editing.bound_data(request),
        record=referral,
        initial={"outcome": referral.outcome, "outcome_on": referral.outcome_on},
    )
    return _case_page(
        request,
        case,
        form,
        lambda: services.record_referral_outcome(
            user=request.user,
            referral=referral,
            expected_version=_version(form),
            outcome=form.cleaned_data["outcome"],
            outcome_on=form.cleaned_data["outcome_on"],
        ),
        success="Referral outcome recorded",
        title=f"Outcome of the {referral.get_kind_display()} referral",
    )


def pipot_close(request: HttpRequest, reference) -> HttpResponse:
    case = _writable_case(request, reference)
    if guard := _closed(request, case):
        return guard
    form = forms.PipotCloseForm(editing.bound_data(request), record=case)
    return _case_page(
        request,
        case,
        form,
        lambda: services.close_case(
            user=request.user,
            case=case,
            expected_version=_version(form),
            outcome=form.cleaned_data["outcome"],
            outcome_on=form.cleaned_data["outcome_on"],
            outcome_notes=form.cleaned_data.get("outcome_notes", ""),
        ),
        success="PiPoT case closed",
        title="Close the PiPoT case",
    )


def name_worker(request: HttpRequest, reference) -> HttpResponse:
    case = _writable_case(request, reference)
    if guard := _closed(request, case):
        return guard
    form = forms.NameWorkerForm(editing.bound_data(request))
    return _case_page(
        request,
        case,
        form,
        lambda: services.name_worker(
            user=request.user, case=case, worker=form.cleaned_data["worker"]
        ),
        success="Worker named on the case",
        title="Name a worker on the PiPoT case",
    )


def link_concern(request: HttpRequest, reference) -> HttpResponse:
    """Link another adult's concern that names the same worker (patterns then
    count the adults across them; decision 0023)."""
    case = _writable_case(request, reference)
    if guard := _closed(request, case):
        return guard
    form = forms.LinkConcernForm(editing.bound_data(request))
    return _case_page(
        request,
        case,
        form,
        lambda: services.link_concern(
            user=request.user, case=case, reference=form.cleaned_data["concern"]
        ),
        success="Concern linked to the PiPoT case",
        title="Another concern naming this person",
        intro="A concern about another adult that alleges harm by the same "
        "person in a position of trust. Concerns are linked by their record, "
        "never by matching names: patterns then count the adults across them.",
    )


# Panels on the enquiry and concern pages (enquiries.panels) -------------------


def _panel(user, concern, *, add_url: str, is_open: bool) -> str | None:
    cases = selectors.cases_for_concern(user, concern)
    if not (is_open and can_work_on_cases(user)):
        add_url = ""
    if not (cases or add_url):
        return None
    return render_to_string(
        "enquiries/pipot/_panel.html", {"cases": cases, "add_url": add_url}
    )


def enquiry_panel(user, enquiry) -> str | None:
    """The way to open a PiPoT case, and the ones this user may see."""
    return _panel(
        user,
        enquiry.concern,
        add_url=reverse("enquiries:pipot_from_enquiry", args=[enquiry.reference]),
        is_open=enquiry.is_open,
    )


def concern_panel(user, concern) -> str | None:
    return _panel(
        user,
        concern,
        add_url=reverse("enquiries:pipot_from_concern", args=[concern.reference]),
        is_open=True,
    )
