"""The adult's own judgement, from their own page (issue 20): their outcomes,
and the feedback questions of the question bank.

The enquiries app keeps what the adult said (an ``AdultPageEntry``) and
announces it with ``enquiries.signals.adult_page_outcomes_rated``; this app,
which owns evaluation, records it: each desired outcome not yet evaluated
gets the adult's rating and comment, evaluated with the adult (or their
advocate or representative) and by no member of staff; the enquiry's answer
for SG4a part 2 is suggested from the ratings when it has none. An
evaluation staff already recorded is never overwritten: the worker sees the
adult's answer on the enquiry page and decides.

At the end, the adult also answers the feedback questions of the active
question bank (:func:`feedback`, an adult page at ``/my-page/feedback/``):
a ``FeedbackResponse`` given by the adult (or their advocate or
representative), ``collected_by`` "own page" (asked by nobody), once per
enquiry, counted by the MSP dashboard with every other response. The
enquiries app links to it through ``register_end_link`` (it never imports
this app).
"""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from enquiries import chronology
from enquiries.forms.adult_page import AdultForm
from enquiries.models import ChronologyEvent, Enquiry
from enquiries.selectors.voice import enquiry_desired_outcomes
from enquiries.services.adult_page import EVALUATION_STATUSES
from enquiries.views.adult_page import adult_page
from msp import audit
from outcomes.models import AgreementScale, FeedbackResponse
from outcomes.services import (
    active_questionnaire,
    link_to_enquiry,
    record_feedback,
    suggest_overall,
)

ACTOR = "adult's own page"


def record_adult_evaluation(sender, *, entry, enquiry: Enquiry, **kwargs) -> None:
    details = entry.details or {}
    ratings = {int(pk): value for pk, value in details.get("ratings", {}).items()}
    comments = {int(pk): value for pk, value in details.get("comments", {}).items()}
    given_by = details.get("given_by", "adult")
    now = timezone.now()
    with transaction.atomic():
        outcomes = list(enquiry_desired_outcomes(enquiry))
        recorded = 0
        for outcome in outcomes:
            if outcome.pk not in ratings or outcome.achieved:
                continue
            outcome.achieved = ratings[outcome.pk]
            outcome.evaluation_comment = comments.get(outcome.pk, "")
            outcome.evaluated_with = given_by
            outcome.evaluated_at = now
            outcome.evaluated_on = entry.given_on
            outcome.evaluated_by = None
            outcome.save(
                update_fields=[
                    "achieved",
                    "evaluation_comment",
                    "evaluated_with",
                    "evaluated_at",
                    "evaluated_on",
                    "evaluated_by",
                ]
            )
            audit.record(
                actor=None,
                actor_name=ACTOR,
                action="change",
                obj=outcome,
                summary="Desired outcome evaluated by the adult on their own page",
                changes={"achieved": ["", outcome.achieved]},
            )
            recorded += 1
        if not recorded:
            return
        overall = suggest_overall(o.achieved for o in outcomes)
        if overall and all(o.achieved for o in outcomes):
            updated = Enquiry.objects.filter(
                pk=enquiry.pk, outcomes_achieved=""
            ).update(outcomes_achieved=overall)
            if updated:
                audit.record(
                    actor=None,
                    actor_name=ACTOR,
                    action="change",
                    obj=enquiry,
                    summary="Outcomes achieved, as the adult judged on their own page",
                    changes={"outcomes_achieved": ["", overall]},
                )
        chronology.add(
            person=enquiry.concern.person,
            kind=ChronologyEvent.Kind.OUTCOMES,
            summary="The adult said on their own page how far their outcomes were achieved",
            link=link_to_enquiry(enquiry),
            happened_on=entry.given_on,
        )


# --- The feedback questions, answered on the adult's own page ----------------------

RESPONDENT_FOR_RECIPIENT = {
    "adult": FeedbackResponse.Respondent.ADULT,
    "advocate": FeedbackResponse.Respondent.ADVOCATE,
    "representative": FeedbackResponse.Respondent.REPRESENTATIVE,
}

# The scale in the adult's language (the question bank's own words are data,
# kept as the administrator wrote them).
SCALE = [
    (AgreementScale.STRONGLY_AGREE, gettext_lazy("Strongly agree")),
    (AgreementScale.AGREE, gettext_lazy("Agree")),
    (AgreementScale.NEITHER, gettext_lazy("Neither agree nor disagree")),
    (AgreementScale.DISAGREE, gettext_lazy("Disagree")),
    (AgreementScale.STRONGLY_DISAGREE, gettext_lazy("Strongly disagree")),
    (AgreementScale.DONT_KNOW, gettext_lazy("Don't know")),
    (AgreementScale.PREFER_NOT_TO_SAY, gettext_lazy("Prefer not to say")),
]


class AdultFeedbackForm(AdultForm):
    """One question per question of the active bank, and a comment."""

    def __init__(self, *args, questions=(), representative=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.questions = list(questions)
        for question in self.questions:
            self.fields[f"question_{question.pk}"] = forms.ChoiceField(
                label=(representative and question.representative_text)
                or question.text,
                choices=SCALE,
                widget=forms.RadioSelect,
                error_messages={
                    "required": gettext_lazy("Select an answer, or 'Prefer not to say'")
                },
            )
        self.fields["comment"] = forms.CharField(
            label=gettext_lazy(
                "Anything else you want to tell us (you do not have to)"
            ),
            required=False,
            max_length=2000,
            widget=forms.Textarea(attrs={"rows": 3}),
        )
        # The comment field is made after AdultForm's own pass.
        self.fields["comment"].widget.attrs["autocomplete"] = "off"

    def question_fields(self):
        return [self[f"question_{q.pk}"] for q in self.questions]

    def answers(self) -> dict[int, str]:
        return {q.pk: self.cleaned_data[f"question_{q.pk}"] for q in self.questions}


def feedback_from_own_page(enquiry: Enquiry) -> FeedbackResponse | None:
    return FeedbackResponse.objects.filter(
        enquiry=enquiry, collected_by=FeedbackResponse.CollectedBy.OWN_PAGE
    ).first()


def record_own_page_feedback(
    *, offer, questionnaire, answers: dict[int, str], comment: str
) -> FeedbackResponse:
    """The adult's answers as a feedback response given by the adult (or
    their advocate or representative) themself, asked by nobody: counted by
    the MSP dashboard like any other, and closing a feedback follow-up.
    Once per enquiry."""
    enquiry = offer.enquiry
    if enquiry.status not in EVALUATION_STATUSES:
        raise ValidationError(
            _("You can answer these when the work is nearly finished.")
        )
    with transaction.atomic():
        Enquiry.objects.select_for_update().filter(pk=enquiry.pk).first()
        if feedback_from_own_page(enquiry) is not None:
            raise ValidationError(_("You have already answered these questions."))
        return record_feedback(
            user=None,
            actor_name=ACTOR,
            enquiry=enquiry,
            questionnaire=questionnaire,
            respondent=RESPONDENT_FOR_RECIPIENT[offer.recipient],
            collected_by=FeedbackResponse.CollectedBy.OWN_PAGE,
            collector_name="",
            collected_on=timezone.localdate(),
            answers=answers,
            comment=comment,
        )


@adult_page
@require_http_methods(["GET", "POST"])
def feedback(request: HttpRequest, offer) -> HttpResponse:
    """The question bank's feedback questions, at the end (an adult page)."""
    context = {"offer": offer, "enquiry": offer.enquiry}
    if offer.enquiry.status not in EVALUATION_STATUSES:
        return render(request, "adult/too_early.html", context)
    questionnaire = active_questionnaire()
    if questionnaire is None or feedback_from_own_page(offer.enquiry) is not None:
        return render(
            request,
            "adult/feedback.html",
            {**context, "answered": questionnaire is not None},
        )
    form = AdultFeedbackForm(
        request.POST if request.method == "POST" else None,
        questions=questionnaire.questions.all(),
        representative=offer.recipient != "adult",
    )
    if request.method == "POST" and form.is_valid():
        try:
            record_own_page_feedback(
                offer=offer,
                questionnaire=questionnaire,
                answers=form.answers(),
                comment=form.cleaned_data["comment"],
            )
        except ValidationError as error:
            for problem in error.messages:
                form.add_error(None, problem)
        else:
            messages.success(request, _("Thank you. Your answers have been saved."))
            return redirect("enquiries:adult_home")
    return render(request, "adult/feedback.html", {**context, "form": form})
