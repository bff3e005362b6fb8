"""The adult's voice on a concern or an enquiry: views, desired outcomes and consent."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse

from enquiries import codes
from enquiries.forms.voice import (
    AskedOutcomesForm,
    ConfirmOverrideForm,
    ConsentForm,
    DesiredOutcomeForm,
    DesiredOutcomeReviseForm,
    DesiredOutcomeWithdrawForm,
    PersonViewCorrectionForm,
    PersonViewForm,
)
from enquiries.models import (
    ConsentDecision,
    DesiredOutcome,
    Enquiry,
    asked_outcomes_shown,
)
from enquiries.selectors import voice
from enquiries.services import people as services
from enquiries.views.common import (
    _case_stage,
    _get_case,
    _next_or,
)
from enquiries.views.people import _labels
from msp import editing
from msp.access import (
    require_write,
)
from msp.roles import has_role_perm

# The adult's views, desired outcomes and consent (for a concern or an enquiry) -----


def _case_context(case, person, back_url, case_type):
    return {
        "case": case,
        "case_type": case_type,
        "person": person,
        "caption": person.full_name,
        "back_url": back_url,
        "desired_outcomes": voice.current_desired_outcomes(case),
    }


def _voice_page(
    request, case_type, got, form, action, *, success, back_to, template=None, **page
) -> HttpResponse:
    """A form on the adult's voice, saved by a service call (msp.editing);
    then to ``?next=`` or the ``back_to`` list for this case."""
    case, person, _stages, back_url = got
    return editing.edit_page(
        request,
        form,
        action,
        success=success,
        done=_next_or(request, reverse(back_to, args=[case_type, case.reference])),
        page=lambda: render(
            request,
            template or "enquiries/form_page.html",
            {**_case_context(case, person, back_url, case_type), "form": form, **page},
        ),
    )


def view_list(request: HttpRequest, case_type: str, reference) -> HttpResponse:
    case, person, _stages, back_url = _get_case(request, case_type, reference)
    views = voice.case_views(case)
    return render(
        request,
        "enquiries/views_list.html",
        {
            **_case_context(case, person, back_url, case_type),
            "views": views,
            "can_write": has_role_perm(request.user, "manage_cases"),
        },
    )


def view_add(request: HttpRequest, case_type: str, reference) -> HttpResponse:
    require_write(request.user)
    got = _get_case(request, case_type, reference)
    case, _person, stages, _back = got
    stage = request.GET.get("stage")
    form = PersonViewForm(
        editing.bound_data(request),
        stages=stages,
        initial={"stage": stage if stage in stages else _case_stage(case)},
    )
    return _voice_page(
        request,
        case_type,
        got,
        form,
        lambda: services.record_views(
            user=request.user, case=case, data=form.cleaned_data
        ),
        success="The adult's views have been recorded",
        back_to="enquiries:view_list",
        title="Record the adult's views",
        intro="Use their own words where you can. If their views could not "
        "be obtained, choose that and say why.",
    )


def view_correct(
    request: HttpRequest, case_type: str, reference, view_id: int
) -> HttpResponse:
    require_write(request.user)
    got = _get_case(request, case_type, reference)
    case, _person, stages, _back = got
    original = case.views.filter(pk=view_id).first()
    if original is None:
        raise Http404("No such entry")
    form = PersonViewCorrectionForm(
        editing.bound_data(request),
        stages=stages,
        initial={name: getattr(original, name) for name in PersonViewForm.Meta.fields},
    )

    def correct():
        data = dict(form.cleaned_data)
        reason = data.pop("correction_reason")
        services.record_views(
            user=request.user,
            case=case,
            data=data,
            supersedes=original,
            correction_reason=reason,
        )

    return _voice_page(
        request,
        case_type,
        got,
        form,
        correct,
        success="Correction saved. The earlier entry is kept",
        back_to="enquiries:view_list",
        title="Correct an entry of the adult's views",
        intro="The earlier entry is kept and shown as superseded.",
    )


def desired_outcomes(request: HttpRequest, case_type: str, reference) -> HttpResponse:
    case, person, _stages, back_url = _get_case(request, case_type, reference)
    asked_form = None
    asked_shown, asked_derived = "", False
    can_write = has_role_perm(request.user, "manage_cases")
    if isinstance(case, Enquiry):
        asked_shown, asked_derived = asked_outcomes_shown(case)
        closed = case.status == Enquiry.Status.CLOSED
        # On a closed enquiry only a manager or lead may change the answer.
        may_answer = can_write and (
            not closed or has_role_perm(request.user, "sign_off_closure")
        )
        if request.method == "POST":
            require_write(request.user)
            asked_form = AskedOutcomesForm(request.POST, record=case)
            if editing.submit(
                request,
                asked_form,
                lambda: services.record_asked_outcomes(
                    user=request.user,
                    enquiry=case,
                    expected_version=asked_form.cleaned_data["version"],
                    answer=asked_form.cleaned_data["asked_desired_outcomes"],
                    reason=asked_form.cleaned_data["reason"],
                ),
                success="Answer saved",
            ):
                return redirect(request.path)
        elif may_answer:
            asked_form = AskedOutcomesForm(
                initial={"asked_desired_outcomes": asked_shown}, record=case
            )
        if asked_form is not None and closed:
            asked_form.fields["reason"].label = "Why are you answering or changing this"
            asked_form.fields["reason"].help_text = (
                "The enquiry is closed: a reason is needed for any answer. It is "
                "kept on the record and shown in the chronology"
            )
    elif request.method == "POST":
        raise Http404("Nothing to save here")
    history = voice.all_desired_outcomes(case)
    return render(
        request,
        "enquiries/desired_outcomes.html",
        {
            **_case_context(case, person, back_url, case_type),
            "history": history,
            "form": asked_form,
            "asked_shown": dict(codes.YesNoDontKnow.choices).get(asked_shown, ""),
            "asked_derived": asked_derived,
            "can_write": can_write,
        },
    )


def desired_outcome_add(
    request: HttpRequest, case_type: str, reference
) -> HttpResponse:
    require_write(request.user)
    got = _get_case(request, case_type, reference)
    case, _person, stages, _back = got
    form = DesiredOutcomeForm(
        editing.bound_data(request),
        stages=stages,
        initial={"stage": _case_stage(case)},
    )
    return _voice_page(
        request,
        case_type,
        got,
        form,
        lambda: services.add_desired_outcome(
            user=request.user, case=case, data=form.cleaned_data
        ),
        success="Desired outcome recorded",
        back_to="enquiries:desired_outcomes",
        title="What does the adult want to happen?",
        intro="Write it in their own words.",
    )


def _outcome(case, outcome_id) -> DesiredOutcome:
    outcome = voice.current_desired_outcomes(case).filter(pk=outcome_id).first()
    if outcome is None:
        raise Http404("No such current outcome")
    return outcome


def desired_outcome_revise(
    request: HttpRequest, case_type: str, reference, outcome_id: int
) -> HttpResponse:
    require_write(request.user)
    got = _get_case(request, case_type, reference)
    case, _person, stages, _back = got
    outcome = _outcome(case, outcome_id)
    form = DesiredOutcomeReviseForm(
        editing.bound_data(request),
        stages=stages,
        initial={"text": outcome.text, "stage": _case_stage(case)},
    )
    return _voice_page(
        request,
        case_type,
        got,
        form,
        lambda: services.revise_desired_outcome(
            user=request.user,
            outcome=outcome,
            text=form.cleaned_data["text"],
            reason=form.cleaned_data["reason"],
            stage=form.cleaned_data["stage"],
            enquiry=case if isinstance(case, Enquiry) else None,
        ),
        success="Desired outcome revised. History is kept",
        back_to="enquiries:desired_outcomes",
        title="Revise a desired outcome",
        intro=f"Currently: “{outcome.text}”",
    )


def desired_outcome_withdraw(
    request: HttpRequest, case_type: str, reference, outcome_id: int
) -> HttpResponse:
    require_write(request.user)
    got = _get_case(request, case_type, reference)
    case, _person, _stages, _back = got
    outcome = _outcome(case, outcome_id)
    form = DesiredOutcomeWithdrawForm(editing.bound_data(request))
    return _voice_page(
        request,
        case_type,
        got,
        form,
        lambda: services.withdraw_desired_outcome(
            user=request.user,
            outcome=outcome,
            reason=form.cleaned_data["reason"],
        ),
        success="Desired outcome withdrawn",
        back_to="enquiries:desired_outcomes",
        title="Withdraw a desired outcome",
        intro=f"“{outcome.text}”",
    )


def consent_list(request: HttpRequest, case_type: str, reference) -> HttpResponse:
    case, person, _stages, back_url = _get_case(request, case_type, reference)
    consents = list(voice.case_consents(case))
    for consent in consents:
        consent.grounds_display = _labels(
            ConsentDecision.OverrideGround, consent.override_grounds
        )
    return render(
        request,
        "enquiries/consent_list.html",
        {
            **_case_context(case, person, back_url, case_type),
            "consents": consents,
            "can_write": has_role_perm(request.user, "manage_cases"),
        },
    )


def consent_add(request: HttpRequest, case_type: str, reference) -> HttpResponse:
    require_write(request.user)
    got = _get_case(request, case_type, reference)
    case, _person, _stages, _back = got
    form = ConsentForm(editing.bound_data(request))
    return _voice_page(
        request,
        case_type,
        got,
        form,
        lambda: services.record_consent(
            user=request.user, case=case, data=form.cleaned_data
        ),
        success=lambda consent: (
            "Saved. The override needs a second person to confirm it"
            if consent.overridden
            else "Consent decision recorded"
        ),
        back_to="enquiries:consent_list",
        title="Record a consent decision",
        intro="Overriding the adult's decision needs grounds, reasons and a "
        "second person's confirmation.",
    )


def consent_confirm(
    request: HttpRequest, case_type: str, reference, consent_id: int
) -> HttpResponse:
    require_write(request.user)
    got = _get_case(request, case_type, reference)
    case, _person, _stages, _back = got
    consent = (
        case.consent_decisions.select_related(
            "recorded_by", "override_confirmed_by", "override_disagreed_by"
        )
        .filter(pk=consent_id, overridden=True)
        .first()
    )
    if consent is None:
        raise Http404("No such override")
    form = ConfirmOverrideForm(editing.bound_data(request))
    return _voice_page(
        request,
        case_type,
        got,
        form,
        lambda: services.confirm_consent_override(user=request.user, consent=consent),
        success="Override confirmed",
        back_to="enquiries:consent_list",
        template="enquiries/consent_confirm.html",
        consent=consent,
        grounds=_labels(ConsentDecision.OverrideGround, consent.override_grounds),
        same_person=consent.recorded_by_id == request.user.pk,
    )
