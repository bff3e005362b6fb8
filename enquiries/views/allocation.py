"""Routing an online concern to a team and allocating a concern to a worker,
without Django admin (team managers and safeguarding leads)."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from enquiries.forms.allocation import ConcernAllocationForm, RouteForm
from enquiries.models import Concern, PublicSubmission
from enquiries.services import allocation as services
from enquiries.services.intake import AlreadyHandled
from enquiries.views.common import form_page
from enquiries.views.concerns import _concern
from enquiries.views.intake import _already_handled, _get_submission
from msp import editing
from msp.access import require_write, visible
from msp.permissions import require_perm


def _check_right(request: HttpRequest) -> None:
    require_write(request.user)
    require_perm(request.user, "allocate_work", services.ALLOCATE_REFUSAL)


@require_http_methods(["GET", "POST"])
def route(request: HttpRequest, reference: str) -> HttpResponse:
    _check_right(request)
    submission = _get_submission(request, reference)
    if submission.status != PublicSubmission.Status.NEW:
        return _already_handled(request, AlreadyHandled(submission))
    routed = submission.team_id is not None
    form = RouteForm(request.POST if request.method == "POST" else None, routed=routed)
    if request.method == "POST" and form.is_valid():
        try:
            services.route_submission(
                user=request.user,
                submission=submission,
                team=form.cleaned_data["team"],
                reason=form.cleaned_data["reason"],
            )
        except AlreadyHandled as exc:
            return _already_handled(request, exc)
        except ValidationError as exc:
            editing.add_errors(form, exc)
        else:
            messages.success(
                request,
                f"Online concern {submission.reference} routed to "
                f"{form.cleaned_data['team']}",
            )
            if visible(
                request.user, PublicSubmission.objects.filter(pk=submission.pk)
            ).exists():
                return redirect("enquiries:intake_detail", submission.reference)
            return redirect("enquiries:intake_queue")
    return render(
        request,
        "intake/route.html",
        {"form": form, "submission": submission, "routed": routed},
    )


@require_http_methods(["GET", "POST"])
def concern_allocate(request: HttpRequest, reference) -> HttpResponse:
    _check_right(request)
    concern = _concern(request, reference)
    if concern.status == Concern.Status.CLOSED:
        messages.error(request, "This concern is closed, so it cannot be allocated.")
        return redirect(concern)
    form = ConcernAllocationForm(
        editing.bound_data(request),
        initial={"team": concern.team_id, "worker": concern.allocated_to_id},
        record=concern,
    )
    return editing.edit_page(
        request,
        form,
        lambda: services.allocate_concern(
            user=request.user,
            concern=concern,
            expected_version=form.cleaned_data.get("version"),
            team=form.cleaned_data["team"],
            worker=form.cleaned_data["worker"],
            reason=form.cleaned_data["reason"],
        ),
        success="Allocation saved",
        # Transferred to a team this user cannot see: back to their home page.
        done=lambda _saved: (
            concern
            if visible(request.user, Concern.objects.filter(pk=concern.pk)).exists()
            else "home"
        ),
        page=lambda: form_page(
            request,
            form,
            title="Allocate or transfer the concern",
            caption=concern.person.full_name,
            back_url=concern.get_absolute_url(),
            concern=concern,
        ),
    )
