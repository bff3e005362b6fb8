"""Stage order of event dates (issue 15): a meeting, plan review, evaluation or
conclusion is never before the decision to make enquiries; the decision never
before the concern was received; the conclusion never before the last meeting
or review; nothing after the adult's death except what may follow it (the
outcome meeting, the evaluation, the conclusion). The same day is allowed."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from enquiries.factories import (
    ConcernFactory,
    DesiredOutcomeFactory,
    EnquiryFactory,
    PersonFactory,
    PersonViewFactory,
)
from enquiries.models import ChronologyEvent, Concern, Enquiry, Meeting, PlanReview

pytestmark = pytest.mark.django_db

TODAY = datetime.date.today()
RECEIVED = TODAY - datetime.timedelta(days=60)
DECIDED = TODAY - datetime.timedelta(days=45)
DAY = datetime.timedelta(days=1)


@pytest.fixture
def enquiry(team, practitioner):
    return EnquiryFactory(
        status="planning",
        team=team,
        allocated_to=practitioner,
        concern__person__team=team,
        concern__received_on=RECEIVED,
        started_on=DECIDED,
    )


def url(name, obj):
    return reverse(f"enquiries:{name}", args=[obj.reference])


def meeting_data(day, kind="strategy_discussion"):
    return {
        "kind": kind,
        "held_on": day.isoformat(),
        "format": "phone",
        "attendees": "Pat (council)",
        "adult_invited": "yes",
        "adult_attended": "yes",
        "lead_agency": "council",
    }


def test_meeting_not_before_the_decision(client, practitioner, enquiry):
    client.force_login(practitioner)
    refused = client.post(
        url("enquiry_meeting_add", enquiry), meeting_data(DECIDED - DAY)
    )
    assert refused.status_code == 200
    html = refused.content.decode()
    assert "govuk-error-summary" in html
    expected = (
        "The date of the meeting must be on or after the date of the decision "
        f"to make enquiries ({DECIDED:%-d %B %Y})"
    )
    assert expected in html
    assert not Meeting.objects.exists()
    allowed = client.post(url("enquiry_meeting_add", enquiry), meeting_data(DECIDED))
    assert allowed.status_code == 302
    assert Meeting.objects.get().held_on == DECIDED


def test_meeting_after_death_only_for_the_outcome_meeting(
    client, practitioner, enquiry
):
    died = DECIDED + datetime.timedelta(days=5)
    person = enquiry.concern.person
    type(person).objects.filter(pk=person.pk).update(date_of_death=died)
    client.force_login(practitioner)
    html = client.post(
        url("enquiry_meeting_add", enquiry), meeting_data(died + DAY)
    ).content.decode()
    assert (
        "The date of the meeting must be on or before the adult&#x27;s date of "
        f"death ({died:%-d %B %Y})"
    ) in html
    assert (
        client.post(url("enquiry_meeting_add", enquiry), meeting_data(died)).status_code
        == 302
    )
    # The outcome meeting (case conference) may follow the death.
    assert (
        client.post(
            url("enquiry_meeting_add", enquiry),
            meeting_data(died + DAY, kind="case_conference"),
        ).status_code
        == 302
    )
    assert Meeting.objects.count() == 2


def test_plan_review_not_before_the_decision(enquiry):
    review = PlanReview(
        enquiry=enquiry,
        reviewed_on=DECIDED - DAY,
        adult_view="Fine.",
        risk_rating="low",
        decision="continue",
    )
    with pytest.raises(ValidationError) as refused:
        review.full_clean()
    assert refused.value.message_dict["reviewed_on"] == [
        "The date of the review must be on or after the date of the decision "
        f"to make enquiries ({DECIDED:%-d %B %Y})"
    ]
    review.reviewed_on = DECIDED
    review.full_clean()
    review.reviewed_on = TODAY + DAY
    with pytest.raises(ValidationError, match="must be today or in the past"):
        review.full_clean()


def test_decision_may_be_on_the_day_the_concern_was_received(
    client, practitioner, team
):
    person = PersonFactory(team=team)
    concern = ConcernFactory(
        person=person,
        received_on=RECEIVED,
        criterion_care_needs="yes",
        criterion_abuse="yes",
        criterion_unable_to_protect="yes",
        status="information_gathering",
    )
    PersonViewFactory(person=person, concern=concern)
    client.force_login(practitioner)

    def decide(day):
        return client.post(
            url("concern_decision", concern),
            {
                "decision": "section_42",
                "decided_on": day.isoformat(),
                "decision_reason": "All three parts met.",
                "version": Concern.objects.get(pk=concern.pk).version,
            },
        )

    refused = decide(RECEIVED - DAY).content.decode()
    assert (
        "The date of the decision must be on or after the date the concern was "
        f"received ({RECEIVED:%-d %B %Y})"
    ) in refused
    assert decide(RECEIVED).status_code == 302
    assert Enquiry.objects.get(concern=concern).started_on == RECEIVED


def test_evaluation_not_before_the_decision(client, practitioner, enquiry):
    outcome = DesiredOutcomeFactory(
        person=enquiry.concern.person, enquiry=enquiry, stage="enquiry"
    )
    Enquiry.objects.filter(pk=enquiry.pk).update(status="in_progress")
    client.force_login(practitioner)
    evaluate = reverse("outcomes:evaluate", args=[enquiry.reference])

    def post(day):
        return client.post(
            evaluate,
            {
                "version": Enquiry.objects.get(pk=enquiry.pk).version,
                "evaluated_with": "adult",
                "evaluated_on": day.isoformat(),
                f"outcome_{outcome.pk}_achieved": "fully",
                f"outcome_{outcome.pk}_comment": "",
            },
        )

    html = post(DECIDED - DAY).content.decode()
    assert (
        "The date of the evaluation must be on or after the date of the "
        f"decision to make enquiries ({DECIDED:%-d %B %Y})"
    ) in html
    assert post(DECIDED).status_code == 302
    outcome.refresh_from_db()
    assert outcome.evaluated_on == DECIDED


def test_conclusion_not_before_the_last_meeting_or_review(
    client, practitioner, enquiry
):
    last = DECIDED + datetime.timedelta(days=10)
    Meeting.objects.create(
        enquiry=enquiry,
        kind="strategy_discussion",
        held_on=DECIDED,
        format="phone",
        attendees="Pat",
        adult_invited=True,
        adult_attended=True,
    )
    PlanReview.objects.create(
        enquiry=enquiry,
        reviewed_on=last,
        adult_view="Fine.",
        risk_rating="low",
        decision="close",
    )
    Enquiry.objects.filter(pk=enquiry.pk).update(status="plan_active")
    client.force_login(practitioner)
    response = client.post(
        url("enquiry_closure", enquiry),
        {
            "closure_reason": "risk_managed",
            "concluded_on": (last - DAY).isoformat(),
            "adult_view_on_closure": "agrees",
            "sar_considered": "no",
            "version": Enquiry.objects.get(pk=enquiry.pk).version,
        },
    )
    assert response.status_code == 200
    assert (
        "The date concluded must be on or after the last event recorded in the "
        f"enquiry: its findings, outcome, a meeting or a plan review ({last:%-d %B %Y})"
    ) in response.content.decode()
    saved = Enquiry.objects.get(pk=enquiry.pk)
    assert saved.status == "plan_active" and saved.concluded_on is None

    # The same day as the last review is allowed, and the enquiry may
    # conclude after the adult's death.
    type(enquiry.concern.person).objects.filter(pk=enquiry.concern.person_id).update(
        date_of_death=last - DAY
    )
    saved = Enquiry.objects.select_related("concern__person").get(pk=enquiry.pk)
    saved.concluded_on = last
    saved.clean()
    # Before the decision is refused with its own message.
    saved.concluded_on = DECIDED - DAY
    with pytest.raises(ValidationError) as refused:
        saved.clean()
    assert refused.value.message_dict["concluded_on"] == [
        "Date concluded must be on or after the date started"
    ]


def test_findings_and_outcome_dates_in_stage_order(
    client, practitioner, manager, enquiry
):
    Enquiry.objects.filter(pk=enquiry.pk).update(status="in_progress")
    client.force_login(practitioner)
    findings_url = url("enquiry_findings", enquiry)
    assert (
        'value="' + TODAY.isoformat() + '"' in client.get(findings_url).content.decode()
    )

    def findings(day):
        return client.post(
            findings_url,
            {
                "findings": "Her nephew used her card.",
                "findings_on": day.isoformat(),
                "spoken_to": "The bank",
                "seen_alone": "yes",
                "version": Enquiry.objects.get(pk=enquiry.pk).version,
            },
        )

    refused = findings(DECIDED - DAY).content.decode()
    assert (
        "The date of the findings must be on or after the date of the decision "
        f"to make enquiries ({DECIDED:%-d %B %Y})"
    ) in refused
    assert Enquiry.objects.get(pk=enquiry.pk).findings_on is None
    assert findings(DECIDED).status_code == 302
    assert Enquiry.objects.get(pk=enquiry.pk).findings_on == DECIDED
    line = ChronologyEvent.objects.get(summary="Enquiry findings recorded")
    assert line.happened_on == DECIDED and line.recorded_on == TODAY

    # The outcome may follow the adult's death; the findings may not.
    died = DECIDED + DAY
    person = enquiry.concern.person
    type(person).objects.filter(pk=person.pk).update(date_of_death=died)
    assert (
        "The date of the findings must be on or before the adult&#x27;s date of "
        f"death ({died:%-d %B %Y})"
    ) in findings(died + DAY).content.decode()
    response = client.post(
        url("enquiry_outcome", enquiry),
        {
            "risk_assessment_outcome": "risk_identified_action",
            "risk_result": "reduced",
            "outcome_on": (died + DAY).isoformat(),
            "lacked_capacity": "no",
            "version": Enquiry.objects.get(pk=enquiry.pk).version,
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    saved = Enquiry.objects.get(pk=enquiry.pk)
    assert saved.outcome_on == died + DAY
    client.force_login(manager)
    review = client.get(url("enquiry_closure_review", enquiry)).content.decode()
    assert f"Reached on {DECIDED:%-d %B %Y}" in review
    assert f"Decided on {died + DAY:%-d %B %Y}" in review

    # The conclusion is not before the outcome.
    saved = Enquiry.objects.select_related("concern__person").get(pk=enquiry.pk)
    saved.concluded_on = died
    with pytest.raises(ValidationError) as refused_conclusion:
        saved.clean()
    assert "its findings, outcome, a meeting or a plan review" in str(
        refused_conclusion.value
    )
