"""Concerns: recording, risks, the three-part test and the decision to make enquiries."""

from __future__ import annotations

import datetime

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse

from enquiries import panels, timescales
from enquiries.forms.concerns import (
    ConcernCreateForm,
    ConcernForm,
    DecisionForm,
    RiskForm,
    ThreePartTestForm,
)
from enquiries.models import (
    Concern,
)
from enquiries.selectors.voice import current_desired_outcomes
from enquiries.services import people as services
from enquiries.views.common import enquiry_url, form_page
from enquiries.views.patterns import decision_panel
from enquiries.views.people import _person
from msp import editing
from msp.access import (
    get_visible_or_404,
    require_write,
)
from msp.roles import has_role_perm

# Concerns -------------------------------------------------------------------------


def _concern(request, reference) -> Concern:
    return get_visible_or_404(
        request.user,
        Concern.objects.select_related("person", "team", "allocated_to", "decided_by"),
        reference=reference,
    )


def concern_create(request: HttpRequest, reference) -> HttpResponse:
    require_write(request.user)
    person = _person(request, reference)
    form = ConcernCreateForm(
        editing.bound_data(request), initial={"received_on": datetime.date.today()}
    )

    def record():
        data = dict(form.cleaned_data)
        data.pop("version", None)
        adult_said = data.pop("adult_said")
        own_words = data.pop("adult_said_own_words")
        return services.record_concern(
            user=request.user,
            person=person,
            data=data,
            adult_said=adult_said,
            own_words=own_words,
        )

    return editing.edit_page(
        request,
        form,
        record,
        success="Concern recorded. Now record the risks",
        done=lambda concern: reverse("enquiries:risk_add", args=[concern.reference]),
        page=lambda: form_page(
            request,
            form,
            title="Record a concern",
            caption=person.full_name,
            back_url=person.get_absolute_url(),
        ),
    )


def _concern_page(request, concern, form, title: str, **extra) -> HttpResponse:
    """A form about a concern, on the shared form page."""
    return form_page(
        request,
        form,
        title=title,
        caption=concern.person.full_name,
        back_url=concern.get_absolute_url(),
        desired_outcomes=current_desired_outcomes(concern),
        concern=concern,
        **extra,
    )


def concern_detail(request: HttpRequest, reference) -> HttpResponse:
    concern = _concern(request, reference)
    views = list(
        concern.views.select_related("recorded_by", "superseded_by").order_by(
            "recorded_at", "id"
        )
    )
    enquiries = [(e, enquiry_url(e)) for e in concern.enquiries.all()]
    decision_due = timescales.concern_decision_due(
        concern.received_on, timescales.load_timescales()
    )
    return render(
        request,
        "enquiries/concern_detail.html",
        {
            "concern": concern,
            "person": concern.person,
            "risks": concern.risks.filter(enquiry__isnull=True).select_related(
                "subtype", "source_organisation"
            ),
            "views": views,
            "views_recorded": services.has_concern_views(concern),
            "desired_outcomes": current_desired_outcomes(concern),
            "consents": concern.consent_decisions.select_related(
                "override_confirmed_by"
            ),
            "enquiries": enquiries,
            "allocations": list(
                concern.allocations.select_related("team", "worker", "allocated_by")
            ),
            "can_write": has_role_perm(request.user, "manage_cases"),
            "decision_due": decision_due,
            "decision_overdue": timescales.is_overdue(decision_due),
            "panels": panels.panels("concern", request.user, concern),
        },
    )


def concern_edit(request: HttpRequest, reference) -> HttpResponse:
    require_write(request.user)
    concern = _concern(request, reference)
    form = ConcernForm(
        editing.bound_data(request),
        instance=editing.instance_for(request, concern),
    )
    return editing.edit_page(
        request,
        form,
        lambda: services.change_concern(
            user=request.user,
            concern=concern,
            expected_version=form.cleaned_data["version"],
            changes=editing.changes(form),
        ),
        success="Concern saved",
        done=concern,
        page=lambda: _concern_page(request, concern, form, "Change the concern"),
    )


def risk_add(request: HttpRequest, reference) -> HttpResponse:
    require_write(request.user)
    concern = _concern(request, reference)
    if request.method == "POST":
        form = RiskForm(request.POST, person=concern.person)
        if editing.submit(
            request,
            form,
            lambda: services.add_alleged_risk(
                user=request.user, concern=concern, data=form.cleaned_data
            ),
            success="Risk recorded",
        ):
            if "add_another" in request.POST:
                return redirect(reverse("enquiries:risk_add", args=[concern.reference]))
            return redirect(concern)
    else:
        form = RiskForm(person=concern.person)
    risks = concern.risks.filter(enquiry__isnull=True)
    return render(
        request,
        "enquiries/risk_form.html",
        {
            "form": form,
            "concern": concern,
            "risks": risks,
            "title": "Add an alleged risk",
            "caption": concern.person.full_name,
            "back_url": concern.get_absolute_url(),
            "desired_outcomes": current_desired_outcomes(concern),
        },
    )


def _versioned_concern_page(
    request, reference, form_class, service, title, intro, panel=None
):
    require_write(request.user)
    concern = _concern(request, reference)
    if concern.decision:
        messages.info(request, "This concern has already been decided")
        return redirect(concern)
    form = form_class(
        editing.bound_data(request),
        instance=editing.instance_for(request, concern),
    )
    return editing.edit_page(
        request,
        form,
        lambda: service(
            user=request.user,
            concern=concern,
            expected_version=form.cleaned_data["version"],
            changes=editing.changes(form),
        ),
        success="Saved",
        done=concern,
        page=lambda: _concern_page(
            request,
            concern,
            form,
            title,
            intro=intro,
            pattern_panel=panel(request.user, concern) if panel else None,
        ),
    )


def concern_test(request: HttpRequest, reference) -> HttpResponse:
    return _versioned_concern_page(
        request,
        reference,
        ThreePartTestForm,
        services.record_three_part_test,
        "Information gathering: the section 42 three-part test",
        "Judge each part separately and give your reasons. A section 42 enquiry "
        "needs all three.",
    )


def concern_decision(request: HttpRequest, reference) -> HttpResponse:
    require_write(request.user)
    concern = _concern(request, reference)
    parts = [
        ("needs for care and support", concern.get_criterion_care_needs_display()),
        ("abuse or neglect", concern.get_criterion_abuse_display()),
        (
            "unable to protect themselves",
            concern.get_criterion_unable_to_protect_display(),
        ),
    ]
    intro = "Three-part test: " + "; ".join(
        f"{name}: {str(answer or 'not recorded').lower()}" for name, answer in parts
    )
    intro += ". This is a public-law decision: give your reasons."
    if concern.person.date_of_death:
        intro += (
            f" {concern.person.full_name} is recorded as having died on "
            f"{concern.person.date_of_death:%-d %B %Y}: an enquiry can only "
            "start on or before that day. Check the date of death before "
            "starting one."
        )
    if not services.has_concern_views(concern):
        intro += (
            " The adult's views, or why they could not be obtained, must be "
            "recorded before you can decide."
        )
    return _versioned_concern_page(
        request,
        reference,
        DecisionForm,
        services.record_decision,
        "Decide what happens next",
        intro,
        panel=decision_panel,
    )
