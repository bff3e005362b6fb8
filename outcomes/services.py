"""Writes for outcomes: evaluating desired outcomes with the adult, and feedback.

Each function checks its own rules, saves inside one transaction and writes
the audit trail and the adult's chronology in that same transaction.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Mapping

from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from enquiries import chronology, codes
from enquiries.models import (
    ChronologyEvent,
    Enquiry,
    event_date_problem,
)
from enquiries.selectors.voice import enquiry_desired_outcomes
from msp import audit
from msp.concurrency import save_changes
from outcomes.models import (
    FeedbackAnswer,
    FeedbackFollowUp,
    FeedbackQuestionnaire,
    FeedbackResponse,
)

FOLLOW_UP_WEEKS = 8
Achieved = codes.Achieved


def link_to_enquiry(enquiry: Enquiry) -> str:
    """The enquiry's page, or this app's evaluation page while it has none."""
    try:
        return enquiry.get_absolute_url()
    except NoReverseMatch:
        return reverse("outcomes:evaluate", args=[enquiry.reference])


def suggest_overall(ratings: Iterable[str]) -> str:
    """The enquiry-level answer the individual ratings point to.

    All fully achieved gives fully; all not achieved gives not; any other
    mix gives partially. No ratings gives no suggestion ("").
    """
    given = [rating for rating in ratings if rating]
    if not given:
        return ""
    if all(rating == Achieved.FULLY for rating in given):
        return Achieved.FULLY
    if all(rating == Achieved.NOT for rating in given):
        return Achieved.NOT
    return Achieved.PARTIALLY


def evaluate_outcomes(
    *,
    user,
    enquiry: Enquiry,
    expected_version: int | None,
    evaluated_with: str,
    ratings: Mapping[int, tuple[str, str]],
    overall: str,
    changed_reason: str = "",
    judgement_reason: str = "",
    evaluated_on: datetime.date | None = None,
) -> Enquiry:
    """Record how each outcome was achieved, and the enquiry-level answer.

    ``ratings`` maps a desired outcome's id to (achieved, the adult's
    comment). ``overall`` left empty takes the suggestion from the ratings;
    an answer different from the suggestion needs ``changed_reason``.
    Raises ``ValidationError`` or ``msp.concurrency.EditConflict``.
    """
    outcomes = list(enquiry_desired_outcomes(enquiry))
    errors: dict[str, str] = {}
    judgement_reason = judgement_reason.strip()
    by_judgement = evaluated_with == codes.ViewSource.NOT_OBTAINED
    if evaluated_with not in codes.ViewSource.values or (
        evaluated_with == codes.ViewSource.REFERRER
    ):
        errors["evaluated_with"] = "Select who took part in the evaluation"
    elif by_judgement and not judgement_reason:
        # Only when nobody can take part (the adult died or could not be
        # reached, and there is no representative) does the practitioner's
        # judgement stand in, with the reason on the record.
        errors["judgement_reason"] = (
            "Enter why nobody could take part in the evaluation, and what "
            "your judgement rests on"
        )
    if not by_judgement:
        judgement_reason = ""
    evaluated_on = evaluated_on or timezone.localdate()
    problem = event_date_problem(
        evaluated_on,
        received_on=enquiry.concern.received_on,
        decided_on=enquiry.started_on,
        what="The date of the evaluation",
    )
    if problem:
        errors["evaluated_on"] = problem
    for outcome in outcomes:
        achieved, _comment = ratings.get(outcome.pk, ("", ""))
        if achieved not in Achieved.values:
            errors[f"outcome_{outcome.pk}_achieved"] = (
                "Select whether this outcome was achieved"
            )
    if not outcomes:
        errors["__all__"] = "There are no desired outcomes to evaluate"
    suggestion = suggest_overall(ratings.get(o.pk, ("", ""))[0] for o in outcomes)
    overall = overall or suggestion
    changed_reason = changed_reason.strip()
    if overall and overall not in Achieved.values:
        errors["overall"] = "Select whether the outcomes were achieved"
    elif suggestion and overall != suggestion and not changed_reason:
        errors["changed_reason"] = (
            "Enter why the answer differs from what the ratings suggest "
            f"({Achieved(suggestion).label.lower()})"
        )
    if errors:
        raise ValidationError(errors)
    if overall == suggestion:
        changed_reason = ""
    now = timezone.now()
    with transaction.atomic():
        saved = save_changes(
            user=user,
            instance=enquiry,
            expected_version=expected_version,
            changes={
                "outcomes_achieved": overall,
                "outcomes_achieved_changed_reason": changed_reason,
                "outcomes_judgement_reason": judgement_reason,
            },
            summary="Outcomes evaluated with the adult",
        )
        for outcome in outcomes:
            achieved, comment = ratings[outcome.pk]
            before = audit.snapshot(
                outcome, ["achieved", "evaluation_comment", "evaluated_with"]
            )
            outcome.achieved = achieved
            outcome.evaluation_comment = comment.strip()
            outcome.evaluated_with = evaluated_with
            outcome.evaluated_at = now
            outcome.evaluated_on = evaluated_on
            outcome.evaluated_by = user
            changed = [
                "achieved",
                "evaluation_comment",
                "evaluated_with",
                "evaluated_at",
                "evaluated_on",
                "evaluated_by",
            ]
            # Only what this evaluation sets is validated: an outcome recorded
            # before a field became required must still be evaluable.
            outcome.full_clean(
                exclude=[f.name for f in outcome._meta.fields if f.name not in changed],
                validate_constraints=False,
            )
            outcome.save(update_fields=changed)
            after = audit.snapshot(
                outcome, ["achieved", "evaluation_comment", "evaluated_with"]
            )
            audit.record(
                actor=user,
                action="change",
                obj=outcome,
                summary="Desired outcome evaluated with the adult",
                changes=audit.diff(before, after),
            )
        who = (
            "by the practitioner's judgement (nobody could take part)"
            if by_judgement
            else f"with {codes.ViewSource(evaluated_with).label.lower()}"
        )
        chronology.add(
            person=saved.concern.person,
            kind=ChronologyEvent.Kind.OUTCOMES,
            summary=(
                f"Desired outcomes evaluated {who}: {Achieved(overall).label.lower()}"
            ),
            user=user,
            link=link_to_enquiry(saved),
            significant=True,
            happened_on=evaluated_on,
        )
    return saved


# ---------------------------------------------------------------------------
# Feedback on the experience
# ---------------------------------------------------------------------------


def active_questionnaire() -> FeedbackQuestionnaire | None:
    return FeedbackQuestionnaire.objects.filter(is_active=True).first()


def closed_on(enquiry: Enquiry) -> datetime.date:
    if enquiry.concluded_on:
        return enquiry.concluded_on
    if enquiry.signed_off_at:
        return timezone.localdate(enquiry.signed_off_at)
    return timezone.localdate()


def ask_feedback_after_closure(sender, *, enquiry: Enquiry, **kwargs) -> None:
    """Receiver of ``enquiries.signals.enquiry_closed`` (connected in
    ``OutcomesConfig.ready()``): a follow-up to ask for the adult's feedback."""
    ensure_feedback_follow_up(enquiry)


def ensure_feedback_follow_up(enquiry: Enquiry) -> FeedbackFollowUp | None:
    """Make sure a closed enquiry without feedback has a follow-up to ask for it.

    Due within 8 weeks of closure (MSP outcomes framework). Returns the
    follow-up, or None when the enquiry is not closed or already has
    feedback. Safe to call more than once.
    """
    if enquiry.status != Enquiry.Status.CLOSED:
        return None
    if FeedbackResponse.objects.filter(enquiry=enquiry).exists():
        return None
    existing = FeedbackFollowUp.objects.filter(enquiry=enquiry).first()
    if existing is not None:
        return existing
    closed = closed_on(enquiry)
    with transaction.atomic():
        follow_up = FeedbackFollowUp.objects.create(
            enquiry=enquiry,
            closed_on=closed,
            due_on=closed + datetime.timedelta(weeks=FOLLOW_UP_WEEKS),
        )
        audit.record(
            actor=None,
            action="create",
            obj=follow_up,
            summary="Feedback follow-up created: enquiry closed without feedback",
        )
    return follow_up


def create_missing_follow_ups() -> int:
    """Follow-ups for every closed enquiry without feedback or one already."""
    missing = Enquiry.objects.filter(status=Enquiry.Status.CLOSED).filter(
        feedback__isnull=True, feedback_follow_up__isnull=True
    )
    created = 0
    for enquiry in missing.iterator(chunk_size=500):
        if ensure_feedback_follow_up(enquiry) is not None:
            created += 1
    return created


def record_feedback(
    *,
    user,
    enquiry: Enquiry,
    questionnaire: FeedbackQuestionnaire,
    respondent: str,
    collected_by: str,
    collector_name: str,
    collected_on: datetime.date,
    answers: Mapping[int, str],
    comment: str = "",
    actor_name: str = "",
) -> FeedbackResponse:
    """Save one set of feedback answers, closing any follow-up that asked for it."""
    questions = list(questionnaire.questions.all())
    missing = {
        f"question_{q.pk}": "Select an answer, or prefer not to say"
        for q in questions
        if not answers.get(q.pk)
    }
    if missing:
        raise ValidationError(missing)
    if collected_on and collected_on > timezone.localdate():
        raise ValidationError({"collected_on": "Date asked must be today or earlier"})
    with transaction.atomic():
        response = FeedbackResponse(
            enquiry=enquiry,
            questionnaire=questionnaire,
            respondent=respondent,
            collected_by=collected_by,
            collector_name=collector_name.strip(),
            collected_on=collected_on,
            comment=comment.strip(),
            created_by=user,
            updated_by=user,
        )
        response.full_clean()
        response.save()
        for question in questions:
            answer = FeedbackAnswer(
                response=response, question=question, answer=answers[question.pk]
            )
            answer.full_clean()
            answer.save()
        audit.record(
            actor=user,
            actor_name=actor_name,
            action="create",
            obj=response,
            summary="Feedback on the experience of safeguarding recorded",
        )
        follow_up = (
            FeedbackFollowUp.objects.select_for_update()
            .filter(enquiry=enquiry, completed_at__isnull=True)
            .first()
        )
        if follow_up is not None:
            follow_up.completed_at = timezone.now()
            follow_up.completed_by = user
            follow_up.response = response
            follow_up.save(update_fields=["completed_at", "completed_by", "response"])
            audit.record(
                actor=user,
                actor_name=actor_name,
                action="status",
                obj=follow_up,
                summary="Feedback follow-up completed",
            )
        chronology.add(
            person=enquiry.concern.person,
            kind=ChronologyEvent.Kind.OUTCOMES,
            summary=(
                "Feedback on the experience of safeguarding given by "
                f"{response.get_respondent_display().lower()}"
            ),
            user=user,
            link=link_to_enquiry(enquiry),
        )
    return response
