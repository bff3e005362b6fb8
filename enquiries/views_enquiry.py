"""Pages for an open enquiry, from planning to closure, and large-scale enquiries.

Every record comes through :mod:`msp.access` (another team's record is 404, a
reader who tries to write is 403). Writes happen in
:mod:`enquiries.services_enquiry` and status changes in
:mod:`enquiries.workflow`.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Count, Prefetch, Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from budgets.selectors import links_for_concern
from enquiries import forms_enquiry as forms
from enquiries import services_enquiry as services
from enquiries import workflow
from enquiries.codes import Stage, YesNoDontKnow
from enquiries.models import (
    AdvocacyReferral,
    Allocation,
    CapacityAssessment,
    CausedEnquiry,
    DesiredOutcome,
    Enquiry,
    Meeting,
    OrganisationalEnquiry,
    PersonView,
    PlanAction,
    PlanReview,
    Risk,
)
from msp import audit
from msp.access import get_visible_or_404, require_write, visible
from msp.concurrency import EditConflict
from msp.models import Team

S = Enquiry.Status

# The stages shown on the enquiry's task list, the status that *is* each
# stage, and the page that records it.
STAGES = [
    (Stage.PLANNING, S.PLANNING, "enquiries:enquiry_planning"),
    (Stage.ENQUIRY, S.IN_PROGRESS, "enquiries:enquiry_findings"),
    (Stage.OUTCOME, S.OUTCOME_RECORDED, "enquiries:enquiry_outcome"),
    (Stage.PLAN, S.PLAN_ACTIVE, "enquiries:enquiry_plan"),
    (Stage.CLOSURE, S.CLOSURE_REQUESTED, "enquiries:enquiry_closure"),
]
STATUS_ORDER = [
    S.PLANNING,
    S.IN_PROGRESS,
    S.OUTCOME_RECORDED,
    S.PLAN_ACTIVE,
    S.CLOSURE_REQUESTED,
    S.CLOSED,
]
# Stages at which the adult's views can be recorded on an enquiry.
VIEW_STAGES = {
    Stage.PLANNING,
    Stage.ENQUIRY,
    Stage.OUTCOME,
    Stage.PLAN,
    Stage.REVIEW,
    Stage.CLOSURE,
}
# Where "move on" goes from each status, with the button's words.
NEXT_STEP = {
    S.PLANNING: (S.IN_PROGRESS, "Planning done: start the enquiry"),
    S.IN_PROGRESS: (S.OUTCOME_RECORDED, "Enquiry done: confirm the outcome"),
    S.OUTCOME_RECORDED: (S.PLAN_ACTIVE, "Put the safeguarding plan in place"),
}


# Fetching -----------------------------------------------------------------------


def _enquiries():
    return Enquiry.objects.select_related(
        "concern__person", "team", "allocated_to", "organisational_enquiry"
    )


def _enquiry(request: HttpRequest, reference) -> Enquiry:
    return get_visible_or_404(request.user, _enquiries(), reference=reference)


def _writable(request: HttpRequest, reference) -> Enquiry:
    require_write(request.user)
    return _enquiry(request, reference)


def _for_request(request: HttpRequest, reference) -> Enquiry:
    """The enquiry for a stage page: writable on POST, readable on GET."""
    if request.method == "POST":
        return _writable(request, reference)
    return _enquiry(request, reference)


MAX_ID = 2**63 - 1


def _id(value: int) -> int:
    """A record id from the URL, or 404 if it could not be a real one."""
    if not 0 < value <= MAX_ID:
        raise Http404("No such record")
    return value


def _closed_guard(request: HttpRequest, enquiry: Enquiry):
    """A closed enquiry cannot be changed: say so rather than show a form."""
    if enquiry.is_open:
        return None
    messages.error(request, "This enquiry is closed, so it cannot be changed.")
    return redirect(enquiry)


def _desired_outcomes(enquiry: Enquiry):
    return (
        DesiredOutcome.objects.filter(
            Q(enquiry=enquiry) | Q(concern_id=enquiry.concern_id),
            status=DesiredOutcome.Status.ACTIVE,
        )
        .select_related("category")
        .order_by("recorded_at", "id")
    )


def _views(enquiry: Enquiry, stage: str | None = None):
    views = (
        PersonView.objects.filter(
            Q(enquiry=enquiry) | Q(concern_id=enquiry.concern_id),
            superseded_by__isnull=True,
        )
        .select_related("recorded_by")
        .order_by("recorded_at", "id")
    )
    if stage:
        views = views.filter(stage=stage)
    return views


def _base_context(enquiry: Enquiry, stage: str | None = None) -> dict:
    context = {
        "enquiry": enquiry,
        "person": enquiry.concern.person,
        "desired_outcomes": list(_desired_outcomes(enquiry)),
        "exit_this_page": True,
    }
    if stage:
        context["stage"] = stage
        context["stage_label"] = Stage(stage).label
        context["stage_views"] = list(_views(enquiry, stage))
        next_step = NEXT_STEP.get(enquiry.status)
        stage_status = {s: st for s, st, _ in STAGES}.get(stage)
        # The enquiry stage moves on from the outcome page, once the outcome
        # is recorded.
        if next_step and stage_status == enquiry.status and stage != Stage.ENQUIRY:
            context["next_status"], context["next_label"] = next_step
    return context


# Errors and edit conflicts ------------------------------------------------------


def _add_errors(form, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)


def _display(record, name: str) -> str:
    getter = getattr(record, f"get_{name}_display", None)
    value = getter() if getter else getattr(record, name, "")
    if value is True:
        return "Yes"
    if value is False:
        return "No"
    if value in (None, ""):
        return "Not recorded"
    if isinstance(value, list):
        return ", ".join(str(v) for v in value) or "None"
    if isinstance(value, dict):
        return ", ".join(k for k, v in value.items() if v) or "None"
    return str(value)


def _conflict(form, conflict: EditConflict) -> list[tuple[str, str]]:
    """Keep what the user typed, point at the newer version, list what changed."""
    data = form.data.copy()
    data["version"] = str(conflict.current.version)
    form.data = data
    meta = conflict.current._meta
    changed = []
    for name in conflict.changed_fields:
        label = (
            form.fields[name].label
            if name in form.fields and form.fields[name].label
            else str(meta.get_field(name).verbose_name).capitalize()
        )
        changed.append((label, _display(conflict.current, name)))
    what = ", ".join(label for label, _ in changed) or "other details"
    form.add_error(
        None,
        f"Someone else saved this record while you were editing it ({what}). "
        "Your answers are kept below: check them against what was saved, "
        "then save again.",
    )
    return changed


def _attempt(form, action) -> tuple[bool, list]:
    """Run a service call; turn its refusals into form errors."""
    try:
        action()
    except EditConflict as conflict:
        return False, _conflict(form, conflict)
    except ValidationError as exc:
        _add_errors(form, exc)
    except workflow.TransitionNotAllowed as exc:
        form.add_error(None, str(exc))
    else:
        return True, []
    return False, []


def _form_page(
    request: HttpRequest,
    enquiry: Enquiry,
    form,
    *,
    title: str,
    stage: str | None = None,
    back: str = "",
    conflict=None,
    intro: str = "",
    status: int = 200,
) -> HttpResponse:
    context = _base_context(enquiry, stage)
    context.update(
        form=form,
        title=title,
        back=back or enquiry.get_absolute_url(),
        conflict=conflict or [],
        intro=intro,
    )
    return render(request, "enquiries/enquiry_form.html", context, status=status)


def _version(form) -> int | None:
    return form.cleaned_data.get("version")


def _fields(form, names) -> dict:
    return {name: form.cleaned_data[name] for name in names}


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
    audit.record_view(request, enquiry)
    views = list(_views(enquiry))
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
        direct_payment_links=list(links_for_concern(request.user, enquiry.concern)),
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
    if request.method == "POST":
        form = forms.StageViewForm(request.POST)
        if form.is_valid():
            ok, _ = _attempt(
                form,
                lambda: services.stage_view_create(
                    user=request.user,
                    enquiry=enquiry,
                    stage=stage,
                    data=form.cleaned_data,
                ),
            )
            if ok:
                messages.success(request, "The adult's views have been recorded")
                return redirect(back)
    else:
        form = forms.StageViewForm()
    return _form_page(
        request,
        enquiry,
        form,
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
    if request.method == "POST":
        form = forms.MeetingForm(request.POST, instance=Meeting(enquiry=enquiry))
        if form.is_valid():
            data = _fields(form, forms.MeetingForm.Meta.fields)
            ok, _ = _attempt(
                form,
                lambda: services.meeting_create(
                    user=request.user, enquiry=enquiry, data=data
                ),
            )
            if ok:
                messages.success(request, "Meeting recorded")
                return redirect("enquiries:enquiry_planning", enquiry.reference)
    else:
        form = forms.MeetingForm(initial={"lead_agency": enquiry.lead_agency})
    return _form_page(
        request,
        enquiry,
        form,
        title="Record a strategy discussion or meeting",
        stage=Stage.PLANNING,
        back=reverse("enquiries:enquiry_planning", args=[enquiry.reference]),
    )


def enquiry_caused_add(request: HttpRequest, reference) -> HttpResponse:
    enquiry = _for_request(request, reference)
    if guard := _closed_guard(request, enquiry):
        return guard
    if request.method == "POST":
        form = forms.CausedEnquiryForm(
            request.POST, instance=CausedEnquiry(enquiry=enquiry)
        )
        if form.is_valid():
            data = _fields(form, forms.CausedEnquiryForm.Meta.fields)
            ok, _ = _attempt(
                form,
                lambda: services.caused_enquiry_create(
                    user=request.user, enquiry=enquiry, data=data
                ),
            )
            if ok:
                messages.success(request, "Request to make enquiries recorded")
                return redirect("enquiries:enquiry_planning", enquiry.reference)
    else:
        form = forms.CausedEnquiryForm()
    return _form_page(
        request,
        enquiry,
        form,
        title="Ask an organisation to make enquiries",
        stage=Stage.PLANNING,
        back=reverse("enquiries:enquiry_planning", args=[enquiry.reference]),
    )


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
    conflict = []
    if request.method == "POST":
        form = forms.CausedEnquiryReportForm(request.POST, instance=caused)
        if form.is_valid():
            data = _fields(form, forms.CausedEnquiryReportForm.Meta.fields)
            ok, conflict = _attempt(
                form,
                lambda: services.caused_enquiry_update(
                    user=request.user,
                    caused=caused,
                    expected_version=_version(form),
                    data=data,
                ),
            )
            if ok:
                messages.success(request, "Report recorded")
                return redirect("enquiries:enquiry_planning", enquiry.reference)
    else:
        form = forms.CausedEnquiryReportForm(
            instance=caused, initial=forms.initial_version(caused)
        )
    return _form_page(
        request,
        enquiry,
        form,
        title=f"Report from {caused.organisation}",
        stage=Stage.PLANNING,
        back=reverse("enquiries:enquiry_planning", args=[enquiry.reference]),
        conflict=conflict,
    )


# Stage 5: the enquiry ------------------------------------------------------------


def enquiry_findings(request: HttpRequest, reference) -> HttpResponse:
    enquiry = _for_request(request, reference)
    conflict = []
    if request.method == "POST":
        if guard := _closed_guard(request, enquiry):
            return guard
        form = forms.FindingsForm(request.POST, instance=enquiry)
        if form.is_valid():
            data = _fields(form, forms.FindingsForm.Meta.fields)
            ok, conflict = _attempt(
                form,
                lambda: services.enquiry_record_findings(
                    user=request.user,
                    enquiry=enquiry,
                    expected_version=_version(form),
                    data=data,
                ),
            )
            if ok:
                messages.success(request, "Findings saved")
                return redirect("enquiries:enquiry_findings", enquiry.reference)
    else:
        form = forms.FindingsForm(
            instance=enquiry, initial=forms.initial_version(enquiry)
        )
    context = _base_context(enquiry, Stage.ENQUIRY)
    context.update(form=form, conflict=conflict, back_name="findings")
    return render(request, "enquiries/enquiry_findings.html", context)


# Stage 6: outcome -----------------------------------------------------------------


def enquiry_outcome(request: HttpRequest, reference) -> HttpResponse:
    enquiry = _for_request(request, reference)
    assessments = list(
        CapacityAssessment.objects.filter(enquiry=enquiry).order_by("assessed_on", "id")
    )
    suggestion = services.capacity_suggestion(enquiry, assessments)
    conflict = []
    if request.method == "POST":
        if guard := _closed_guard(request, enquiry):
            return guard
        form = forms.OutcomeForm(request.POST, instance=enquiry)
        if form.is_valid():
            data = _fields(form, forms.OutcomeForm.Meta.fields)
            ok, conflict = _attempt(
                form,
                lambda: services.enquiry_record_outcome(
                    user=request.user,
                    enquiry=enquiry,
                    expected_version=_version(form),
                    data=data,
                ),
            )
            if ok:
                messages.success(request, "Outcome saved")
                return redirect("enquiries:enquiry_outcome", enquiry.reference)
    else:
        form = forms.OutcomeForm(
            instance=enquiry,
            initial=forms.initial_version(enquiry),
            capacity_suggestion=suggestion,
            supported=services.has_support(enquiry),
        )
    context = _base_context(enquiry, Stage.OUTCOME)
    if enquiry.status == S.IN_PROGRESS:
        # The outcome is recorded while the enquiry is in progress; confirming
        # it moves the enquiry on.
        context["next_status"], context["next_label"] = NEXT_STEP[S.IN_PROGRESS]
    context.update(
        form=form,
        conflict=conflict,
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
    if request.method == "POST":
        form = forms.RiskForm(
            request.POST, instance=Risk(concern=enquiry.concern, enquiry=enquiry)
        )
        if form.is_valid():
            data = _fields(form, forms.RiskForm.Meta.fields)
            ok, _ = _attempt(
                form,
                lambda: services.risk_add(
                    user=request.user, enquiry=enquiry, data=data
                ),
            )
            if ok:
                messages.success(request, "Risk added to the enquiry")
                return redirect("enquiries:enquiry_outcome", enquiry.reference)
    else:
        form = forms.RiskForm()
    return _form_page(
        request,
        enquiry,
        form,
        title="Add a risk the enquiry found",
        stage=Stage.OUTCOME,
        back=reverse("enquiries:enquiry_outcome", args=[enquiry.reference]),
    )


@require_POST
def enquiry_risk_withdraw(request: HttpRequest, reference, risk_id: int):
    enquiry = _writable(request, reference)
    risk = Risk.objects.filter(enquiry=enquiry, pk=_id(risk_id)).first()
    if risk is None:
        raise Http404("No such risk")
    try:
        services.risk_withdraw(user=request.user, enquiry=enquiry, risk=risk)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, f"Withdrawn: {risk}")
    return redirect("enquiries:enquiry_outcome", enquiry.reference)


# Mental capacity and advocacy ----------------------------------------------------


def enquiry_capacity_add(request: HttpRequest, reference) -> HttpResponse:
    enquiry = _for_request(request, reference)
    if guard := _closed_guard(request, enquiry):
        return guard
    if request.method == "POST":
        form = forms.CapacityAssessmentForm(
            request.POST,
            instance=CapacityAssessment(enquiry=enquiry, person=enquiry.concern.person),
        )
        if form.is_valid():
            data = _fields(form, forms.CapacityAssessmentForm.Meta.fields)
            ok, _ = _attempt(
                form,
                lambda: services.capacity_assessment_create(
                    user=request.user, enquiry=enquiry, data=data
                ),
            )
            if ok:
                messages.success(request, "Capacity assessment recorded")
                return redirect(enquiry)
    else:
        form = forms.CapacityAssessmentForm()
    return _form_page(
        request,
        enquiry,
        form,
        title="Record a mental capacity assessment",
        intro="One specific decision, at this time. Assume capacity unless it is "
        "established that they lack it, and record the steps taken to help them "
        "decide.",
    )


def enquiry_advocacy_add(request: HttpRequest, reference) -> HttpResponse:
    enquiry = _for_request(request, reference)
    if guard := _closed_guard(request, enquiry):
        return guard
    if request.method == "POST":
        form = forms.AdvocacyForm(request.POST)
        if form.is_valid():
            ok, _ = _attempt(
                form,
                lambda: services.advocacy_assess(
                    user=request.user, enquiry=enquiry, data=form.model_data()
                ),
            )
            if ok:
                messages.success(request, "Advocacy decision recorded")
                return redirect(enquiry)
    else:
        form = forms.AdvocacyForm()
    return _form_page(
        request,
        enquiry,
        form,
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
    conflict = []
    if request.method == "POST":
        form = forms.AdvocacyProgressForm(request.POST, referral=referral)
        if form.is_valid():
            data = {k: v for k, v in form.cleaned_data.items() if k != "version"}
            ok, conflict = _attempt(
                form,
                lambda: services.advocacy_progress(
                    user=request.user,
                    referral=referral,
                    expected_version=_version(form),
                    data=data,
                ),
            )
            if ok:
                messages.success(request, "Advocacy updated")
                return redirect(enquiry)
    else:
        form = forms.AdvocacyProgressForm(
            referral=referral, initial=forms.initial_version(referral)
        )
    step = services.ADVOCACY_NEXT[referral.status]
    return _form_page(
        request,
        enquiry,
        form,
        title=f"Advocacy: {AdvocacyReferral.Status(step).label.lower()}",
        conflict=conflict,
    )


# Stage 7: safeguarding plan -----------------------------------------------------


def enquiry_plan(request: HttpRequest, reference) -> HttpResponse:
    enquiry = _for_request(request, reference)
    conflict = []
    if request.method == "POST":
        if guard := _closed_guard(request, enquiry):
            return guard
        form = forms.PlanAgreementForm(request.POST, instance=enquiry)
        if form.is_valid():
            data = _fields(form, forms.PlanAgreementForm.Meta.fields)
            ok, conflict = _attempt(
                form,
                lambda: services.enquiry_record_plan_agreement(
                    user=request.user,
                    enquiry=enquiry,
                    expected_version=_version(form),
                    data=data,
                ),
            )
            if ok:
                messages.success(request, "Plan agreement saved")
                return redirect("enquiries:enquiry_plan", enquiry.reference)
    else:
        form = forms.PlanAgreementForm(
            instance=enquiry, initial=forms.initial_version(enquiry)
        )
    context = _base_context(enquiry, Stage.PLAN)
    context.update(
        form=form,
        conflict=conflict,
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
    outcomes = _desired_outcomes(enquiry)
    conflict = []
    fields = [f for f in forms.PlanActionForm.Meta.fields if f != "desired_outcomes"]
    if request.method == "POST":
        form = forms.PlanActionForm(
            request.POST,
            instance=action or PlanAction(enquiry=enquiry),
            outcomes=outcomes,
        )
        if form.is_valid():
            data = _fields(form, fields)
            chosen = list(form.cleaned_data["desired_outcomes"])
            if action is None:
                call = lambda: services.plan_action_create(  # noqa: E731
                    user=request.user,
                    enquiry=enquiry,
                    data=data,
                    desired_outcomes=chosen,
                )
            else:
                call = lambda: services.plan_action_update(  # noqa: E731
                    user=request.user,
                    action=action,
                    expected_version=_version(form),
                    data=data,
                    desired_outcomes=chosen,
                )
            ok, conflict = _attempt(form, call)
            if ok:
                messages.success(request, "Plan action saved")
                return redirect("enquiries:enquiry_plan", enquiry.reference)
    elif action is None:
        form = forms.PlanActionForm(outcomes=outcomes)
    else:
        form = forms.PlanActionForm(
            instance=action,
            initial=forms.initial_version(action),
            outcomes=outcomes,
        )
    return _form_page(
        request,
        enquiry,
        form,
        title="Add a plan action" if action is None else "Update a plan action",
        stage=Stage.PLAN,
        back=reverse("enquiries:enquiry_plan", args=[enquiry.reference]),
        conflict=conflict,
    )


def enquiry_plan_action_add(request: HttpRequest, reference) -> HttpResponse:
    return _plan_action_page(request, reference, None)


def enquiry_plan_action_edit(request: HttpRequest, reference, action_id: int):
    return _plan_action_page(request, reference, action_id)


def enquiry_plan_review_add(request: HttpRequest, reference) -> HttpResponse:
    enquiry = _for_request(request, reference)
    if guard := _closed_guard(request, enquiry):
        return guard
    if request.method == "POST":
        form = forms.PlanReviewForm(request.POST, instance=PlanReview(enquiry=enquiry))
        if form.is_valid():
            data = _fields(form, forms.PlanReviewForm.Meta.fields)
            ok, _ = _attempt(
                form,
                lambda: services.plan_review_create(
                    user=request.user, enquiry=enquiry, data=data
                ),
            )
            if ok:
                messages.success(request, "Plan review recorded")
                return redirect("enquiries:enquiry_plan", enquiry.reference)
    else:
        form = forms.PlanReviewForm()
    return _form_page(
        request,
        enquiry,
        form,
        title="Review the safeguarding plan",
        stage=Stage.REVIEW,
        back=reverse("enquiries:enquiry_plan", args=[enquiry.reference]),
    )


# Stage 8: closure -------------------------------------------------------------------


def enquiry_closure(request: HttpRequest, reference) -> HttpResponse:
    """The practitioner's closure page: details, then ask a manager to sign off."""
    enquiry = _for_request(request, reference)
    conflict = []
    if request.method == "POST":
        if guard := _closed_guard(request, enquiry):
            return guard
        form = forms.ClosureForm(request.POST, instance=enquiry)
        if form.is_valid():
            ok, conflict = _attempt(
                form,
                lambda: services.enquiry_request_closure(
                    user=request.user,
                    enquiry=enquiry,
                    expected_version=_version(form),
                    data=form.model_data(),
                ),
            )
            if ok:
                messages.success(
                    request, "Closure requested: a manager will review and sign off"
                )
                return redirect(enquiry)
    else:
        form = forms.ClosureForm(
            instance=enquiry, initial=forms.initial_version(enquiry)
        )
    context = _base_context(enquiry, Stage.CLOSURE)
    context.update(
        form=form,
        conflict=conflict,
        can_request=enquiry.status in workflow.CLOSABLE_FROM,
        unevaluated=[o for o in context["desired_outcomes"] if not o.achieved],
    )
    return render(request, "enquiries/enquiry_closure.html", context)


def _review_context(request: HttpRequest, enquiry: Enquiry) -> dict:
    context = _base_context(enquiry)
    views = list(_views(enquiry))
    context.update(
        views_by_stage=[
            (label, [v for v in views if v.stage == value])
            for value, label in Stage.choices
            if any(v.stage == value for v in views)
        ],
        meetings=list(Meeting.objects.filter(enquiry=enquiry)),
        caused=list(
            CausedEnquiry.objects.filter(enquiry=enquiry).select_related("organisation")
        ),
        risks=list(Risk.objects.filter(enquiry=enquiry)),
        actions=list(
            PlanAction.objects.filter(enquiry=enquiry).prefetch_related(
                "desired_outcomes"
            )
        ),
        reviews=list(PlanReview.objects.filter(enquiry=enquiry)),
        checklist=[
            (label, bool(enquiry.closure_checklist.get(key)))
            for key, label in Enquiry.CLOSURE_CHECKLIST
        ],
        sign_off_problem=workflow.sign_off_problem(request.user, enquiry),
    )
    return context


def enquiry_closure_review(request: HttpRequest, reference) -> HttpResponse:
    """The manager's review screen: everything at a glance, then sign off or send back."""
    enquiry = _enquiry(request, reference)
    context = _review_context(request, enquiry)
    context["form"] = _send_back_form(enquiry)
    return render(request, "enquiries/enquiry_closure_review.html", context)


def _send_back_form(enquiry: Enquiry, data=None) -> forms.SendBackForm:
    form = forms.SendBackForm(data)
    form.helper.form_action = reverse(
        "enquiries:enquiry_send_back", args=[enquiry.reference]
    )
    return form


@require_POST
def enquiry_sign_off(request: HttpRequest, reference) -> HttpResponse:
    enquiry = _writable(request, reference)
    try:
        workflow.sign_off_closure(user=request.user, enquiry=enquiry)
    except workflow.TransitionNotAllowed as exc:
        messages.error(request, str(exc))
        return redirect("enquiries:enquiry_closure_review", enquiry.reference)
    messages.success(request, "Closure signed off: the enquiry is closed")
    return redirect(enquiry)


@require_POST
def enquiry_send_back(request: HttpRequest, reference) -> HttpResponse:
    enquiry = _writable(request, reference)
    form = _send_back_form(enquiry, request.POST)
    if form.is_valid():
        try:
            workflow.send_back_closure(
                user=request.user,
                enquiry=enquiry,
                reason=form.cleaned_data["reason"],
            )
        except workflow.TransitionNotAllowed as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, "Closure request sent back to the practitioner")
            return redirect(enquiry)
    context = _review_context(request, enquiry)
    context["form"] = form
    return render(request, "enquiries/enquiry_closure_review.html", context)


# Allocation ------------------------------------------------------------------------


def enquiry_allocate(request: HttpRequest, reference) -> HttpResponse:
    enquiry = _for_request(request, reference)
    if guard := _closed_guard(request, enquiry):
        return guard
    conflict = []
    if request.method == "POST":
        form = forms.AllocationForm(request.POST)
        if form.is_valid():
            ok, conflict = _attempt(
                form,
                lambda: services.enquiry_allocate(
                    user=request.user,
                    enquiry=enquiry,
                    expected_version=_version(form),
                    team=form.cleaned_data["team"],
                    worker=form.cleaned_data["worker"],
                    reason=form.cleaned_data["reason"],
                ),
            )
            if ok:
                messages.success(request, "Allocation saved")
                if visible(
                    request.user, Enquiry.objects.filter(pk=enquiry.pk)
                ).exists():
                    return redirect(enquiry)
                return redirect("home")
    else:
        form = forms.AllocationForm(
            initial={
                "team": enquiry.team_id,
                "worker": enquiry.allocated_to_id,
                "version": enquiry.version,
            }
        )
    return _form_page(
        request,
        enquiry,
        form,
        title="Allocate or transfer the enquiry",
        conflict=conflict,
    )


# Large-scale (organisational) enquiries ------------------------------------------

PAGE_SIZE = 50


def organisational_list(request: HttpRequest) -> HttpResponse:
    """Large-scale enquiries the user can see, newest first (keyset pages)."""
    queryset = (
        visible(request.user, OrganisationalEnquiry.objects.all())
        .select_related("organisation", "team", "lead")
        .annotate(linked=Count("enquiries"))
        .order_by("-id")
    )
    after = request.GET.get("before", "")
    if after.isdigit():
        queryset = queryset.filter(id__lt=_id(int(after)))
    rows = list(queryset[: PAGE_SIZE + 1])
    more = len(rows) > PAGE_SIZE
    rows = rows[:PAGE_SIZE]
    return render(
        request,
        "enquiries/organisational_list.html",
        {
            "rows": rows,
            "next_before": rows[-1].id if more else None,
            "can_write": request.user.has_perm("msp.manage_cases"),
        },
    )


def _user_teams(user):
    if user.has_perm("msp.view_all_cases"):
        return Team.objects.filter(is_active=True)
    return user.teams.filter(is_active=True)


def organisational_create(request: HttpRequest) -> HttpResponse:
    require_write(request.user)
    teams = _user_teams(request.user)
    if request.method == "POST":
        form = forms.OrganisationalEnquiryForm(
            request.POST,
            instance=OrganisationalEnquiry(lead=request.user),
            teams=teams,
        )
        if form.is_valid():
            data = _fields(form, forms.OrganisationalEnquiryForm.Meta.fields)
            try:
                org = services.organisational_create(
                    user=request.user, data={**data, "lead": request.user}
                )
            except ValidationError as exc:
                _add_errors(form, exc)
            else:
                messages.success(request, "Large-scale enquiry started")
                return redirect(org)
    else:
        form = forms.OrganisationalEnquiryForm(teams=teams)
    return render(
        request,
        "enquiries/organisational_form.html",
        {"form": form, "exit_this_page": True},
    )


def _organisational(request: HttpRequest, reference) -> OrganisationalEnquiry:
    return get_visible_or_404(
        request.user,
        OrganisationalEnquiry.objects.select_related("organisation", "team", "lead"),
        reference=reference,
    )


def _link_candidates(request: HttpRequest):
    return (
        visible(request.user, Enquiry.objects.all())
        .filter(organisational_enquiry__isnull=True)
        .exclude(status=S.CLOSED)
        .select_related("concern__person")
        .order_by("concern__person__family_name", "concern__person__given_name", "id")
    )


def _organisational_page(request, org, form=None, status=200):
    if form is None:
        form = forms.LinkEnquiryForm(candidates=_link_candidates(request)[:200])
    form.helper.form_action = reverse(
        "enquiries:organisational_link", args=[org.reference]
    )
    linked = list(
        visible(request.user, Enquiry.objects.filter(organisational_enquiry=org))
        .select_related("concern__person", "allocated_to")
        .order_by("concern__person__family_name", "id")
    )
    hidden = Enquiry.objects.filter(organisational_enquiry=org).count() - len(linked)
    return render(
        request,
        "enquiries/organisational_detail.html",
        {
            "org": org,
            "linked": linked,
            "hidden_count": hidden,
            "form": form,
            "can_write": request.user.has_perm("msp.manage_cases"),
            "exit_this_page": True,
        },
        status=status,
    )


def organisational_detail(request: HttpRequest, reference) -> HttpResponse:
    org = _organisational(request, reference)
    return _organisational_page(request, org)


@require_POST
def organisational_link(request: HttpRequest, reference) -> HttpResponse:
    require_write(request.user)
    org = _organisational(request, reference)
    form = forms.LinkEnquiryForm(request.POST, candidates=_link_candidates(request))
    if form.is_valid():
        try:
            services.organisational_link(
                user=request.user,
                organisational=org,
                enquiry=form.cleaned_data["enquiry"],
            )
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            messages.success(request, "Enquiry linked")
            return redirect(org)
    return _organisational_page(request, org, form=form)


@require_POST
def organisational_unlink(request: HttpRequest, reference, enquiry_reference):
    require_write(request.user)
    org = _organisational(request, reference)
    enquiry = get_visible_or_404(
        request.user,
        Enquiry.objects.filter(organisational_enquiry=org),
        reference=enquiry_reference,
    )
    try:
        services.organisational_unlink(
            user=request.user, organisational=org, enquiry=enquiry
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, "Enquiry unlinked")
    return redirect(org)
