"""Stage 8: closure, the manager's sign-off, and allocation."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from enquiries import panels, workflow
from enquiries.codes import Stage
from enquiries.forms import enquiry as forms
from enquiries.models import (
    Enquiry,
)
from enquiries.selectors.closure import closure_review
from enquiries.services import enquiry as services
from enquiries.views.enquiry_base import (
    REFUSALS,
    _base_context,
    _closed_guard,
    _edit_page,
    _enquiry,
    _for_request,
    _version,
    _writable,
)
from msp import editing
from msp.access import visible

# Stage 8: closure -------------------------------------------------------------------


def enquiry_closure(request: HttpRequest, reference) -> HttpResponse:
    """The practitioner's closure page: details, then ask a manager to sign off."""
    enquiry = _for_request(request, reference)
    if request.method == "POST" and (guard := _closed_guard(request, enquiry)):
        return guard
    form = forms.ClosureForm(editing.bound_data(request), instance=enquiry)

    def page() -> HttpResponse:
        context = _base_context(enquiry, Stage.CLOSURE)
        context.update(
            form=form,
            can_request=enquiry.status in workflow.CLOSABLE_FROM,
            unevaluated=[o for o in context["desired_outcomes"] if not o.achieved],
            panels=panels.panels("enquiry_closure", request.user, enquiry),
        )
        return render(request, "enquiries/enquiry_closure.html", context)

    return editing.edit_page(
        request,
        form,
        lambda: services.ask_for_sign_off(
            user=request.user,
            enquiry=enquiry,
            expected_version=_version(form),
            data=form.model_data(),
            open_requests_reason=form.cleaned_data.get("open_requests_reason", ""),
        ),
        success="Closure requested: a manager will review and sign off",
        done=enquiry,
        refusals=REFUSALS,
        page=page,
    )


def _review_context(request: HttpRequest, enquiry: Enquiry) -> dict:
    context = _base_context(enquiry)
    context.update(
        closure_review(enquiry),
        panels=panels.panels("enquiry_closure_review", request.user, enquiry),
        sign_off_problem=workflow.sign_off_problem(request.user, enquiry),
    )
    return context


def enquiry_closure_review(request: HttpRequest, reference) -> HttpResponse:
    """The manager's review screen: everything at a glance, then sign off or send back."""
    enquiry = _enquiry(request, reference)
    context = _review_context(request, enquiry)
    context["form"] = _send_back_form(enquiry)
    context["sign_off_form"] = _sign_off_form(enquiry)
    return render(request, "enquiries/enquiry_closure_review.html", context)


def _sign_off_form(enquiry: Enquiry, data=None) -> forms.SignOffForm:
    form = forms.SignOffForm(data, enquiry=enquiry)
    form.helper.form_action = reverse(
        "enquiries:enquiry_sign_off", args=[enquiry.reference]
    )
    return form


def _send_back_form(enquiry: Enquiry, data=None) -> forms.SendBackForm:
    form = forms.SendBackForm(data)
    form.helper.form_action = reverse(
        "enquiries:enquiry_send_back", args=[enquiry.reference]
    )
    return form


@require_POST
def enquiry_sign_off(request: HttpRequest, reference) -> HttpResponse:
    enquiry = _writable(request, reference)
    form = _sign_off_form(enquiry, request.POST)
    if form.is_valid():
        try:
            workflow.sign_off_closure(
                user=request.user,
                enquiry=enquiry,
                concluded_on=form.cleaned_data["concluded_on"],
            )
        except workflow.TransitionNotAllowed as exc:
            messages.error(request, str(exc))
            return redirect("enquiries:enquiry_closure_review", enquiry.reference)
        except ValidationError as exc:
            for message in getattr(exc, "message_dict", {}).get(
                "concluded_on", exc.messages
            ):
                form.add_error("concluded_on", message)
        else:
            messages.success(request, "Closure signed off: the enquiry is closed")
            return redirect(enquiry)
    context = _review_context(request, enquiry)
    context["form"] = _send_back_form(enquiry)
    context["sign_off_form"] = form
    return render(request, "enquiries/enquiry_closure_review.html", context)


@require_POST
def enquiry_send_back(request: HttpRequest, reference) -> HttpResponse:
    enquiry = _writable(request, reference)
    form = _send_back_form(enquiry, request.POST)
    if editing.submit(
        request,
        form,
        lambda: workflow.send_back_closure(
            user=request.user,
            enquiry=enquiry,
            reason=form.cleaned_data["reason"],
        ),
        success="Closure request sent back to the practitioner",
        refusals=REFUSALS,
    ):
        return redirect(enquiry)
    context = _review_context(request, enquiry)
    context["form"] = form
    context["sign_off_form"] = _sign_off_form(enquiry)
    return render(request, "enquiries/enquiry_closure_review.html", context)


# Allocation ------------------------------------------------------------------------


def enquiry_allocate(request: HttpRequest, reference) -> HttpResponse:
    enquiry = _for_request(request, reference)
    if guard := _closed_guard(request, enquiry):
        return guard
    form = forms.AllocationForm(
        editing.bound_data(request),
        initial={"team": enquiry.team_id, "worker": enquiry.allocated_to_id},
        record=enquiry,
    )
    return _edit_page(
        request,
        enquiry,
        form,
        lambda: services.allocate_enquiry(
            user=request.user,
            enquiry=enquiry,
            expected_version=_version(form),
            team=form.cleaned_data["team"],
            worker=form.cleaned_data["worker"],
            reason=form.cleaned_data["reason"],
        ),
        success="Allocation saved",
        # Transferred to a team this user cannot see: back to their home page.
        done=lambda _saved: (
            enquiry
            if visible(request.user, Enquiry.objects.filter(pk=enquiry.pk)).exists()
            else "home"
        ),
        title="Allocate or transfer the enquiry",
    )
