"""Stages 4 and 5: planning, meetings, partners' enquiries and findings."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone

from enquiries.codes import Stage
from enquiries.forms import enquiry as forms
from enquiries.models import (
    CausedEnquiry,
    Meeting,
)
from enquiries.services import enquiry as services
from enquiries.services import partners
from enquiries.views.enquiry_base import (
    _base_context,
    _closed_guard,
    _edit_page,
    _enquiry,
    _fields,
    _for_request,
    _id,
    _stage_record,
    _version,
)
from enquiries.views.partners import directory_intro
from msp import editing

# Stage 4: planning ----------------------------------------------------------------


def enquiry_planning(request: HttpRequest, reference) -> HttpResponse:
    enquiry = _enquiry(request, reference)
    context = _base_context(enquiry, Stage.PLANNING)
    context.update(
        meetings=list(Meeting.objects.filter(enquiry=enquiry)),
        caused=list(
            CausedEnquiry.objects.filter(enquiry=enquiry).select_related("organisation")
        ),
        back_name="planning",
        today=timezone.localdate(),
    )
    return render(request, "enquiries/enquiry_planning.html", context)


def enquiry_meeting_add(request: HttpRequest, reference) -> HttpResponse:
    enquiry = _for_request(request, reference)
    if guard := _closed_guard(request, enquiry):
        return guard
    back = reverse("enquiries:enquiry_planning", args=[enquiry.reference])
    form = forms.MeetingForm(
        editing.bound_data(request),
        instance=Meeting(enquiry=enquiry),
        initial={"lead_agency": enquiry.lead_agency},
    )
    return _edit_page(
        request,
        enquiry,
        form,
        lambda: services.record_meeting(
            user=request.user,
            enquiry=enquiry,
            data=_fields(form, forms.MeetingForm.Meta.fields),
        ),
        success="Meeting recorded",
        done=back,
        title="Record a strategy discussion or meeting",
        stage=Stage.PLANNING,
        back=back,
    )


def enquiry_caused_add(request: HttpRequest, reference) -> HttpResponse:
    """Ask a partner to make enquiries (s42(2)), with working days to respond."""
    enquiry = _for_request(request, reference)
    if guard := _closed_guard(request, enquiry):
        return guard
    back = _back_to(request, enquiry)
    posted = request.method == "POST"
    form = forms.CausedEnquiryForm(
        editing.bound_data(request),
        instance=CausedEnquiry(enquiry=enquiry),
        initial=_picked_organisation(request),
        # Read from the timescales only to show a fresh form.
        **({} if posted else {"default_days": partners.default_working_days()}),
    )
    return _edit_page(
        request,
        enquiry,
        form,
        lambda: partners.ask_partner(
            user=request.user,
            enquiry=enquiry,
            data=_fields(form, forms.CausedEnquiryForm.Meta.fields),
        ),
        success=lambda saved: (
            f"Request to {saved.organisation} recorded: response due "
            f"{saved.due_on:%-d %B %Y}"
        ),
        done=back,
        title="Ask an organisation to make enquiries",
        stage=Stage.PLANNING,
        back=back,
        intro=directory_intro(request),
    )


def _picked_organisation(request: HttpRequest) -> dict:
    """The organisation just picked or added on the directory page, if any."""
    value = request.GET.get("organisation", "")
    return {"organisation": value} if value.isdigit() else {}


def _back_to(request: HttpRequest, enquiry) -> str:
    if request.GET.get("from") == "partners" or request.POST.get("from") == "partners":
        return reverse("enquiries:enquiry_partners", args=[enquiry.reference])
    return reverse("enquiries:enquiry_planning", args=[enquiry.reference])


def enquiry_caused_report(request: HttpRequest, reference, caused_id: int):
    enquiry = _for_request(request, reference)
    caused = (
        CausedEnquiry.objects.filter(enquiry=enquiry, pk=_id(caused_id))
        .select_related("organisation", "enquiry__concern__person")
        .first()
    )
    if caused is None:
        raise Http404("No such request")
    if guard := _closed_guard(request, enquiry):
        return guard
    back = reverse("enquiries:enquiry_partners", args=[enquiry.reference])
    form = forms.CausedEnquiryReportForm(editing.bound_data(request), instance=caused)
    return _edit_page(
        request,
        enquiry,
        form,
        lambda: partners.record_partner_response(
            user=request.user,
            request=caused,
            expected_version=_version(form),
            data=_fields(form, forms.CausedEnquiryReportForm.Meta.fields),
        ),
        success="Response recorded",
        done=back,
        title=f"Response from {caused.organisation}",
        stage=Stage.PLANNING,
        back=back,
    )


# Stage 5: the enquiry ------------------------------------------------------------


def enquiry_findings(request: HttpRequest, reference) -> HttpResponse:
    enquiry = _for_request(request, reference)
    done, form = _stage_record(
        request,
        enquiry,
        forms.FindingsForm,
        services.record_findings,
        success="Findings saved",
        page="enquiries:enquiry_findings",
    )
    if done:
        return done
    context = _base_context(enquiry, Stage.ENQUIRY)
    context.update(form=form, back_name="findings")
    return render(request, "enquiries/enquiry_findings.html", context)
