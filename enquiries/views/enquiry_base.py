"""What every enquiry page shares: fetching an enquiry, its stage, errors and edit conflicts."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from enquiries import workflow
from enquiries.codes import Stage
from enquiries.models import (
    Enquiry,
)
from enquiries.selectors.voice import enquiry_desired_outcomes, enquiry_views
from msp import editing
from msp.access import get_visible_or_404, require_write

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


def _base_context(enquiry: Enquiry, stage: str | None = None) -> dict:
    context = {
        "enquiry": enquiry,
        "person": enquiry.concern.person,
        "desired_outcomes": list(enquiry_desired_outcomes(enquiry)),
    }
    if stage:
        context["stage"] = stage
        context["stage_label"] = Stage(stage).label
        context["stage_views"] = list(enquiry_views(enquiry, stage))
        next_step = NEXT_STEP.get(enquiry.status)
        stage_status = {s: st for s, st, _ in STAGES}.get(stage)
        # The enquiry stage moves on from the outcome page, once the outcome
        # is recorded.
        if next_step and stage_status == enquiry.status and stage != Stage.ENQUIRY:
            context["next_status"], context["next_label"] = next_step
    return context


# Errors and edit conflicts ------------------------------------------------------


# What a service may refuse with besides a ValidationError.
REFUSALS = (workflow.TransitionNotAllowed,)


def _attempt(form, action) -> bool:
    """Run a service call; its refusals become form errors (msp.editing)."""
    return editing.run(form, action, refusals=REFUSALS)


def _edit_page(
    request: HttpRequest,
    enquiry: Enquiry,
    form,
    action: Callable[[], Any],
    *,
    success: str | Callable[[Any], str],
    done: Any,
    title: str,
    stage: str | None = None,
    back: str = "",
    intro: str = "",
) -> HttpResponse:
    """An enquiry page with one form saved by a service call: the save is
    :func:`msp.editing.edit_page`; the page is :func:`_form_page`."""
    return editing.edit_page(
        request,
        form,
        action,
        success=success,
        done=done,
        refusals=REFUSALS,
        page=lambda: _form_page(
            request,
            enquiry,
            form,
            title=title,
            stage=stage,
            back=back,
            intro=intro,
        ),
    )


def _stage_record(
    request: HttpRequest,
    enquiry: Enquiry,
    form_class,
    service: Callable[..., Enquiry],
    *,
    success: str,
    page: str,
    **get_kwargs: Any,
) -> tuple[HttpResponse | None, Any]:
    """A stage's answers on the enquiry itself (findings, outcome, plan
    agreement): the form, and on a POST the service call (a closed enquiry is
    refused), then back to the stage's ``page``. Returns the response to send,
    if any, and the form to show. ``get_kwargs`` go to the form on a GET.
    """
    posted = request.method == "POST"
    if posted and (guard := _closed_guard(request, enquiry)):
        return guard, None
    form = form_class(
        editing.bound_data(request), instance=enquiry, **({} if posted else get_kwargs)
    )
    saved = editing.submit(
        request,
        form,
        lambda: service(
            user=request.user,
            enquiry=enquiry,
            expected_version=_version(form),
            data=_fields(form, form_class.Meta.fields),
        ),
        success=success,
        refusals=REFUSALS,
    )
    return (redirect(page, enquiry.reference) if saved else None), form


def _form_page(
    request: HttpRequest,
    enquiry: Enquiry,
    form,
    *,
    title: str,
    stage: str | None = None,
    back: str = "",
    intro: str = "",
    status: int = 200,
) -> HttpResponse:
    context = _base_context(enquiry, stage)
    context.update(
        form=form,
        title=title,
        back=back or enquiry.get_absolute_url(),
        intro=intro,
    )
    return render(request, "enquiries/enquiry_form.html", context, status=status)


def _version(form) -> int | None:
    return form.cleaned_data.get("version")


def _fields(form, names) -> dict:
    return {name: form.cleaned_data[name] for name in names}
