"""Stage 6: the outcome, risks, mental capacity and advocacy."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from enquiries.codes import Stage, YesNoDontKnow
from enquiries.forms import enquiry as forms
from enquiries.models import (
    AdvocacyReferral,
    CapacityAssessment,
    Risk,
)
from enquiries.services import enquiry as services
from enquiries.views.enquiry_base import (
    NEXT_STEP,
    S,
    _base_context,
    _closed_guard,
    _edit_page,
    _enquiry,
    _fields,
    _for_request,
    _id,
    _stage_record,
    _version,
    _writable,
)
from msp import editing
from msp.access import get_visible_or_404

# Stage 6: outcome -----------------------------------------------------------------


def enquiry_outcome(request: HttpRequest, reference) -> HttpResponse:
    enquiry = _for_request(request, reference)
    assessments = list(
        CapacityAssessment.objects.filter(enquiry=enquiry).order_by("assessed_on", "id")
    )
    suggestion = services.suggest_capacity_answer(enquiry, assessments)
    done, form = _stage_record(
        request,
        enquiry,
        forms.OutcomeForm,
        services.record_outcome,
        success="Outcome saved",
        page="enquiries:enquiry_outcome",
        capacity_suggestion=suggestion,
        supported=request.method != "POST" and services.has_support(enquiry),
    )
    if done:
        return done
    context = _base_context(enquiry, Stage.OUTCOME)
    if enquiry.status == S.IN_PROGRESS:
        # The outcome is recorded while the enquiry is in progress; confirming
        # it moves the enquiry on.
        context["next_status"], context["next_label"] = NEXT_STEP[S.IN_PROGRESS]
    context.update(
        form=form,
        back_name="outcome",
        risks=list(
            Risk.objects.filter(enquiry=enquiry).select_related(
                "source_organisation", "subtype"
            )
        ),
        assessments=assessments,
        capacity_suggestion=(YesNoDontKnow(suggestion).label if suggestion else ""),
    )
    return render(request, "enquiries/enquiry_outcome.html", context)


def enquiry_risk_add(request: HttpRequest, reference) -> HttpResponse:
    enquiry = _for_request(request, reference)
    if guard := _closed_guard(request, enquiry):
        return guard
    back = reverse("enquiries:enquiry_outcome", args=[enquiry.reference])
    form = forms.EnquiryRiskForm(
        editing.bound_data(request),
        instance=Risk(concern=enquiry.concern, enquiry=enquiry),
    )
    return _edit_page(
        request,
        enquiry,
        form,
        lambda: services.add_enquiry_risk(
            user=request.user,
            enquiry=enquiry,
            data=_fields(form, forms.EnquiryRiskForm.Meta.fields),
        ),
        success="Risk added to the enquiry",
        done=back,
        title="Add a risk the enquiry found",
        stage=Stage.OUTCOME,
        back=back,
    )


@require_POST
def enquiry_risk_withdraw(request: HttpRequest, reference, risk_id: int):
    enquiry = _writable(request, reference)
    risk = Risk.objects.filter(enquiry=enquiry, pk=_id(risk_id)).first()
    if risk is None:
        raise Http404("No such risk")
    try:
        services.withdraw_enquiry_risk(user=request.user, enquiry=enquiry, risk=risk)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, f"Withdrawn: {risk}")
    return redirect("enquiries:enquiry_outcome", enquiry.reference)


# Mental capacity and advocacy ----------------------------------------------------


def enquiry_capacity_detail(
    request: HttpRequest, reference, assessment_id: int
) -> HttpResponse:
    """One capacity assessment in full: the two-stage test and any best
    interests decision, as recorded."""
    enquiry = _enquiry(request, reference)
    assessment = get_visible_or_404(
        request.user,
        CapacityAssessment.objects.select_related("created_by"),
        pk=_id(assessment_id),
        enquiry=enquiry,
    )
    return render(
        request,
        "enquiries/capacity_detail.html",
        {
            "enquiry": enquiry,
            "person": enquiry.concern.person,
            "assessment": assessment,
            "abilities": [
                (
                    label,
                    getattr(assessment, f"get_{name}_display")() or "Not assessed",
                    getattr(assessment, f"{name}_evidence"),
                )
                for label, name in (
                    ("Understand the information", "understand"),
                    ("Retain it", "retain"),
                    ("Use or weigh it", "use_or_weigh"),
                    ("Communicate the decision", "communicate"),
                )
            ],
        },
    )


def enquiry_capacity_add(request: HttpRequest, reference) -> HttpResponse:
    enquiry = _for_request(request, reference)
    if guard := _closed_guard(request, enquiry):
        return guard
    form = forms.CapacityAssessmentForm(
        editing.bound_data(request),
        instance=CapacityAssessment(enquiry=enquiry, person=enquiry.concern.person),
    )
    return _edit_page(
        request,
        enquiry,
        form,
        lambda: services.record_capacity_assessment(
            user=request.user,
            enquiry=enquiry,
            data=_fields(form, forms.CapacityAssessmentForm.Meta.fields),
        ),
        success="Capacity assessment recorded",
        done=enquiry,
        title="Record a mental capacity assessment",
        intro="One specific decision, at this time. Assume capacity unless it is "
        "established that they lack it, and record the steps taken to help them "
        "decide.",
    )


def enquiry_advocacy_add(request: HttpRequest, reference) -> HttpResponse:
    enquiry = _for_request(request, reference)
    if guard := _closed_guard(request, enquiry):
        return guard
    form = forms.AdvocacyForm(editing.bound_data(request))
    return _edit_page(
        request,
        enquiry,
        form,
        lambda: services.assess_advocacy(
            user=request.user, enquiry=enquiry, data=form.model_data()
        ),
        success="Advocacy decision recorded",
        done=enquiry,
        title="Does the adult need an independent advocate?",
        intro="Care Act section 68: an independent advocate is needed when the "
        "adult would have substantial difficulty being involved and there is no "
        "appropriate person to support them. Substantial difficulty is not the "
        "same as lacking capacity.",
    )


def enquiry_advocacy_progress(request: HttpRequest, reference, referral_id: int):
    enquiry = _for_request(request, reference)
    referral = AdvocacyReferral.objects.filter(
        enquiry=enquiry, pk=_id(referral_id)
    ).first()
    if referral is None:
        raise Http404("No such advocacy referral")
    if guard := _closed_guard(request, enquiry):
        return guard
    if referral.status not in services.ADVOCACY_NEXT:
        messages.error(
            request,
            f"This advocacy referral is '{referral.get_status_display()}': "
            "there is no next step.",
        )
        return redirect(enquiry)
    form = forms.AdvocacyProgressForm(
        editing.bound_data(request), referral=referral, record=referral
    )
    step = services.ADVOCACY_NEXT[referral.status]
    return _edit_page(
        request,
        enquiry,
        form,
        lambda: services.record_advocacy_progress(
            user=request.user,
            referral=referral,
            expected_version=_version(form),
            data=editing.changes(form),
        ),
        success="Advocacy updated",
        done=enquiry,
        title=f"Advocacy: {AdvocacyReferral.Status(step).label.lower()}",
    )
