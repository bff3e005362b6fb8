"""Demo outcomes for ``seed_demo``: evaluations and feedback on closed enquiries.

Made-up data only. Uses the closed enquiries the enquiries demo made; if
there are none, makes a few for the first demo team.
"""

from __future__ import annotations

import datetime

from enquiries import codes
from enquiries.factories import DesiredOutcomeFactory, EnquiryFactory
from enquiries.models import Enquiry
from enquiries.selectors.voice import enquiry_desired_outcomes
from outcomes import services
from outcomes.models import AgreementScale, FeedbackResponse

RATING_PATTERNS: list[list[str]] = [
    ["fully", "fully"],
    ["fully", "partially"],
    ["not"],
    ["partially", "not", "fully"],
    ["fully"],
]
EVALUATED_WITH = ["adult", "representative", "adult", "advocate", "adult"]
ANSWER_PATTERNS: list[list[str]] = [
    ["strongly_agree", "agree", "agree", "strongly_agree", "agree", "strongly_agree"],
    ["agree", "neither", "disagree", "agree", "dont_know", "agree"],
    ["disagree", "agree", "agree", "strongly_disagree", "agree", "prefer_not_to_say"],
]
OUTCOME_WORDS = [
    "I want to feel safe when the carers come in.",
    "I want to keep seeing my grandson.",
    "I want my pension back in my own account.",
]


def _closed_enquiries(staff: dict) -> list[Enquiry]:
    closed = list(
        Enquiry.objects.filter(status=Enquiry.Status.CLOSED).select_related(
            "concern__person"
        )[:12]
    )
    if closed:
        return closed
    team = staff["teams"][0]
    today = datetime.date.today()
    made = []
    for weeks in (6, 10, 16, 24, 30):
        started = today - datetime.timedelta(weeks=weeks)
        made.append(
            EnquiryFactory(
                concluded=True,
                concern__person__team=team,
                concern__received_on=started - datetime.timedelta(days=2),
                started_on=started,
                concluded_on=started + datetime.timedelta(days=28),
                allocated_to=staff["practitioner"],
            )
        )
    return made


def create_demo_outcomes(*, staff: dict, out) -> None:
    enquiries = _closed_enquiries(staff)
    questionnaire = services.active_questionnaire()
    evaluated = feedback = follow_ups = 0
    for index, enquiry in enumerate(enquiries):
        person = enquiry.concern.person
        outcomes = list(enquiry_desired_outcomes(enquiry))
        pattern = RATING_PATTERNS[index % len(RATING_PATTERNS)]
        while len(outcomes) < len(pattern):
            outcomes.append(
                DesiredOutcomeFactory(
                    person=person,
                    enquiry=enquiry,
                    stage=codes.Stage.PLANNING,
                    text=OUTCOME_WORDS[len(outcomes) % len(OUTCOME_WORDS)],
                    recorded_by=enquiry.allocated_to,
                )
            )
        if enquiry.asked_desired_outcomes != codes.YesNoDontKnow.YES:
            Enquiry.objects.filter(pk=enquiry.pk).update(
                asked_desired_outcomes=codes.YesNoDontKnow.YES
            )
            enquiry.asked_desired_outcomes = codes.YesNoDontKnow.YES
        ratings = {
            outcome.pk: (
                pattern[position % len(pattern)],
                "They said this mattered most to them.",
            )
            for position, outcome in enumerate(outcomes)
        }
        enquiry.refresh_from_db()
        services.evaluate_outcomes(
            user=enquiry.allocated_to or staff["practitioner"],
            enquiry=enquiry,
            expected_version=enquiry.version,
            evaluated_with=EVALUATED_WITH[index % len(EVALUATED_WITH)],
            ratings=ratings,
            overall="",
        )
        evaluated += 1
        if questionnaire is not None and index % 2 == 0:
            answers = ANSWER_PATTERNS[(index // 2) % len(ANSWER_PATTERNS)]
            questions = list(questionnaire.questions.all())
            services.record_feedback(
                user=enquiry.allocated_to or staff["practitioner"],
                enquiry=enquiry,
                questionnaire=questionnaire,
                respondent=FeedbackResponse.Respondent.ADULT
                if index % 4 == 0
                else FeedbackResponse.Respondent.REPRESENTATIVE,
                collected_by=FeedbackResponse.CollectedBy.LEAD_AT_CLOSURE,
                collector_name="",
                collected_on=enquiry.concluded_on or enquiry.started_on,
                answers={
                    question.pk: answers[position % len(answers)]
                    if answers[position % len(answers)] in AgreementScale.values
                    else AgreementScale.DONT_KNOW
                    for position, question in enumerate(questions)
                },
            )
            feedback += 1
        elif services.ensure_feedback_follow_up(enquiry) is not None:
            follow_ups += 1
    out.write(
        f"Outcomes: {evaluated} enquiries evaluated with the adult, "
        f"{feedback} with feedback, {follow_ups} feedback follow-ups."
    )
