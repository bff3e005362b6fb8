"""Stage 7: the safeguarding plan, its actions and reviews."""

from __future__ import annotations

from django.db.models import Prefetch
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse

from enquiries.codes import Stage
from enquiries.forms import enquiry as forms
from enquiries.models import (
    DesiredOutcome,
    PlanAction,
    PlanReview,
)
from enquiries.selectors.voice import enquiry_desired_outcomes
from enquiries.services import enquiry as services
from enquiries.views.enquiry_base import (
    _base_context,
    _closed_guard,
    _edit_page,
    _fields,
    _for_request,
    _id,
    _stage_record,
    _version,
)
from msp import editing

# Stage 7: safeguarding plan -----------------------------------------------------


def enquiry_plan(request: HttpRequest, reference) -> HttpResponse:
    enquiry = _for_request(request, reference)
    done, form = _stage_record(
        request,
        enquiry,
        forms.PlanAgreementForm,
        services.record_plan_agreement,
        success="Plan agreement saved",
        page="enquiries:enquiry_plan",
    )
    if done:
        return done
    context = _base_context(enquiry, Stage.PLAN)
    context.update(
        form=form,
        back_name="plan",
        actions=list(
            PlanAction.objects.filter(enquiry=enquiry).prefetch_related(
                Prefetch(
                    "desired_outcomes",
                    queryset=DesiredOutcome.objects.order_by("id"),
                )
            )
        ),
        reviews=list(PlanReview.objects.filter(enquiry=enquiry)),
    )
    return render(request, "enquiries/enquiry_plan.html", context)


def _plan_action_page(request: HttpRequest, reference, action_id: int | None):
    enquiry = _for_request(request, reference)
    action = None
    if action_id is not None:
        action = PlanAction.objects.filter(enquiry=enquiry, pk=_id(action_id)).first()
        if action is None:
            raise Http404("No such action")
    if guard := _closed_guard(request, enquiry):
        return guard
    outcomes = enquiry_desired_outcomes(enquiry)
    fields = [f for f in forms.PlanActionForm.Meta.fields if f != "desired_outcomes"]
    form = forms.PlanActionForm(
        editing.bound_data(request),
        instance=action or PlanAction(enquiry=enquiry),
        outcomes=outcomes,
    )

    def save():
        data = _fields(form, fields)
        chosen = list(form.cleaned_data["desired_outcomes"])
        if action is None:
            return services.add_plan_action(
                user=request.user,
                enquiry=enquiry,
                data=data,
                desired_outcomes=chosen,
            )
        return services.change_plan_action(
            user=request.user,
            action=action,
            expected_version=_version(form),
            data=data,
            desired_outcomes=chosen,
        )

    back = reverse("enquiries:enquiry_plan", args=[enquiry.reference])
    return _edit_page(
        request,
        enquiry,
        form,
        save,
        success="Plan action saved",
        done=back,
        title="Add a plan action" if action is None else "Update a plan action",
        stage=Stage.PLAN,
        back=back,
    )


def enquiry_plan_action_add(request: HttpRequest, reference) -> HttpResponse:
    return _plan_action_page(request, reference, None)


def enquiry_plan_action_edit(request: HttpRequest, reference, action_id: int):
    return _plan_action_page(request, reference, action_id)


def enquiry_plan_review_add(request: HttpRequest, reference) -> HttpResponse:
    enquiry = _for_request(request, reference)
    if guard := _closed_guard(request, enquiry):
        return guard
    back = reverse("enquiries:enquiry_plan", args=[enquiry.reference])
    form = forms.PlanReviewForm(
        editing.bound_data(request), instance=PlanReview(enquiry=enquiry)
    )
    return _edit_page(
        request,
        enquiry,
        form,
        lambda: services.record_plan_review(
            user=request.user,
            enquiry=enquiry,
            data=_fields(form, forms.PlanReviewForm.Meta.fields),
        ),
        success="Plan review recorded",
        done=back,
        title="Review the safeguarding plan",
        stage=Stage.REVIEW,
        back=back,
    )
