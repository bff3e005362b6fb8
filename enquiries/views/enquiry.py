"""The enquiry page, moving between stages and the adult's views at a stage."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from enquiries import panels, workflow
from enquiries.codes import Stage
from enquiries.forms import enquiry as forms
from enquiries.models import (
    AdvocacyReferral,
    Allocation,
    Enquiry,
    OrganisationalEnquiry,
)
from enquiries.selectors.voice import enquiry_views
from enquiries.services import enquiry as services
from enquiries.views.enquiry_base import (
    NEXT_STEP,
    STAGES,
    STATUS_ORDER,
    VIEW_STAGES,
    S,
    _base_context,
    _closed_guard,
    _edit_page,
    _enquiry,
    _writable,
)
from msp import editing

# The enquiry page ------------------------------------------------------------


def _task_status(enquiry: Enquiry, stage_status: str, has_views: bool) -> str:
    current = STATUS_ORDER.index(enquiry.status)
    mine = STATUS_ORDER.index(stage_status)
    if enquiry.status == S.CLOSED:
        return (
            "Completed"
            if has_views or stage_status == S.CLOSURE_REQUESTED
            else ("Not done")
        )
    if mine < current:
        return "Completed"
    if mine == current:
        return (
            "Awaiting sign-off"
            if enquiry.status == S.CLOSURE_REQUESTED
            else "In progress"
        )
    return "Not yet started"


def enquiry_detail(request: HttpRequest, reference) -> HttpResponse:
    enquiry = _enquiry(request, reference)
    views = list(enquiry_views(enquiry))
    by_stage: dict[str, list] = {}
    for view in views:
        by_stage.setdefault(view.stage, []).append(view)
    tasks = [
        {
            "label": Stage(stage).label,
            "url": reverse(url_name, args=[enquiry.reference]),
            "status": _task_status(enquiry, stage_status, stage in by_stage),
            "views": bool(by_stage.get(stage)),
        }
        for stage, stage_status, url_name in STAGES
    ]
    advocacy = list(enquiry.advocacy_referrals.order_by("created_at", "id"))
    context = _base_context(enquiry)
    context.update(
        tasks=tasks,
        views_by_stage=[
            (label, by_stage[value])
            for value, label in Stage.choices
            if value in by_stage
        ],
        capacity=list(enquiry.capacity_assessments.order_by("assessed_on", "id")),
        advocacy=advocacy,
        advocate_needed=[
            r for r in advocacy if r.status == AdvocacyReferral.Status.NEEDED
        ],
        allocations=list(
            Allocation.objects.filter(enquiry=enquiry).select_related(
                "team", "worker", "allocated_by"
            )
        ),
        organisational=(
            OrganisationalEnquiry.objects.select_related("organisation").get(
                pk=enquiry.organisational_enquiry_id
            )
            if enquiry.organisational_enquiry_id
            else None
        ),
        panels=panels.panels("enquiry", request.user, enquiry),
    )
    return render(request, "enquiries/enquiry_detail.html", context)


# Moving between stages ------------------------------------------------------------


@require_POST
def enquiry_transition(request: HttpRequest, reference) -> HttpResponse:
    enquiry = _writable(request, reference)
    to_status = request.POST.get("to_status", "")
    back = request.POST.get("back", "")
    if to_status not in {target for target, _label in NEXT_STEP.values()}:
        # Closure, sign-off and sending back have their own pages and rules.
        messages.error(request, "Choose the next stage to move the enquiry to.")
        return redirect(enquiry)
    try:
        workflow.transition(user=request.user, enquiry=enquiry, to_status=to_status)
    except workflow.TransitionNotAllowed as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, f"The enquiry is now: {S(to_status).label}")
    pages = {
        S.IN_PROGRESS: "enquiries:enquiry_findings",
        S.OUTCOME_RECORDED: "enquiries:enquiry_outcome",
        S.PLAN_ACTIVE: "enquiries:enquiry_plan",
    }
    if back in {"planning", "findings", "outcome", "plan"}:
        target = pages.get(enquiry.status) or f"enquiries:enquiry_{back}"
        return redirect(target, enquiry.reference)
    return redirect(enquiry)


# The adult's views at a stage ---------------------------------------------------


def enquiry_views_add(request: HttpRequest, reference, stage: str) -> HttpResponse:
    if stage not in VIEW_STAGES:
        raise Http404("No such stage")
    if request.method == "POST":
        enquiry = _writable(request, reference)
    else:
        enquiry = _enquiry(request, reference)
    if guard := _closed_guard(request, enquiry):
        return guard
    back = _stage_page(enquiry, stage)
    form = forms.StageViewForm(editing.bound_data(request))
    return _edit_page(
        request,
        enquiry,
        form,
        lambda: services.record_stage_views(
            user=request.user,
            enquiry=enquiry,
            stage=stage,
            data=form.cleaned_data,
        ),
        success="The adult's views have been recorded",
        done=back,
        title=f"The adult's views: {Stage(stage).label.lower()}",
        stage=stage,
        back=back,
        intro="Record what the adult said, in their own words where you can, or "
        "why their views could not be obtained.",
    )


def _stage_page(enquiry: Enquiry, stage: str) -> str:
    names = {s: url for s, _, url in STAGES}
    names[Stage.REVIEW] = "enquiries:enquiry_plan"
    return reverse(names[stage], args=[enquiry.reference])
