"""The enquiry's stage pages: access, happy paths, errors and edit conflicts."""

import datetime
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils.html import escape

from enquiries.factories import (
    DesiredOutcomeFactory,
    EnquiryFactory,
    OrganisationFactory,
    PersonViewFactory,
    RiskFactory,
)
from enquiries.models import (
    AdvocacyReferral,
    Allocation,
    CapacityAssessment,
    CausedEnquiry,
    ChronologyEvent,
    Enquiry,
    Meeting,
    PersonView,
    PlanAction,
    PlanReview,
    Risk,
)
from msp.models import AuditEvent

TODAY = datetime.date.today()


@pytest.fixture
def enquiry(team, practitioner):
    enquiry = EnquiryFactory(
        status="planning", concern__person__team=team, allocated_to=practitioner
    )
    person = enquiry.concern.person
    PersonViewFactory(person=person, concern=enquiry.concern)
    DesiredOutcomeFactory(
        person=person, concern=enquiry.concern, text="I want to feel safe at home."
    )
    return enquiry


def url(name, enquiry, *args):
    return reverse(f"enquiries:{name}", args=[enquiry.reference, *args])


def add_view(enquiry, stage):
    return PersonViewFactory(
        person=enquiry.concern.person, enquiry=enquiry, stage=stage
    )


# Which pages exist, and how each is reached ----------------------------------

GET_PAGES = [
    ("enquiry_detail", ()),
    ("enquiry_planning", ()),
    ("enquiry_meeting_add", ()),
    ("enquiry_caused_add", ()),
    ("enquiry_views_add", ("planning",)),
    ("enquiry_findings", ()),
    ("enquiry_outcome", ()),
    ("enquiry_risk_add", ()),
    ("enquiry_capacity_add", ()),
    ("enquiry_advocacy_add", ()),
    ("enquiry_plan", ()),
    ("enquiry_plan_action_add", ()),
    ("enquiry_plan_review_add", ()),
    ("enquiry_closure", ()),
    ("enquiry_closure_review", ()),
    ("enquiry_allocate", ()),
]
POST_PAGES = [
    *GET_PAGES[1:],
    ("enquiry_transition", ()),
    ("enquiry_sign_off", ()),
    ("enquiry_send_back", ()),
]
POST_PAGES = [p for p in POST_PAGES if p[0] not in {"enquiry_closure_review"}]


@pytest.mark.parametrize(("name", "args"), GET_PAGES)
def test_pages_need_sign_in(client, enquiry, name, args):
    response = client.get(url(name, enquiry, *args))
    assert response.status_code == 302
    assert response["Location"].startswith("/sign-in/")


@pytest.mark.parametrize(("name", "args"), GET_PAGES)
def test_pages_show_to_the_team_with_identity_and_outcomes(
    client, practitioner, enquiry, name, args
):
    client.force_login(practitioner)
    response = client.get(url(name, enquiry, *args))
    assert response.status_code == 200
    html = response.content.decode()
    assert escape(enquiry.concern.person.full_name) in html
    assert "I want to feel safe at home." in html


@pytest.mark.parametrize(("name", "args"), GET_PAGES)
def test_another_teams_enquiry_is_not_found(
    client, other_team_practitioner, enquiry, name, args
):
    client.force_login(other_team_practitioner)
    assert client.get(url(name, enquiry, *args)).status_code == 404


@pytest.mark.parametrize(("name", "args"), POST_PAGES)
def test_another_team_cannot_write(
    client, other_team_practitioner, enquiry, name, args
):
    client.force_login(other_team_practitioner)
    assert client.post(url(name, enquiry, *args), {}).status_code == 404
    enquiry.refresh_from_db()
    assert enquiry.version == 1


@pytest.mark.parametrize(("name", "args"), POST_PAGES)
def test_auditor_cannot_write(client, auditor, enquiry, name, args):
    client.force_login(auditor)
    assert client.post(url(name, enquiry, *args), {}).status_code == 403


def test_auditor_cannot_read_case_pages(client, auditor, enquiry):
    client.force_login(auditor)
    assert client.get(url("enquiry_detail", enquiry)).status_code in (403, 404)


def test_unknown_stage_for_views_is_not_found(client, practitioner, enquiry):
    client.force_login(practitioner)
    assert client.get(url("enquiry_views_add", enquiry, "nonsense")).status_code == 404


def test_action_pages_refuse_get(client, practitioner, enquiry):
    client.force_login(practitioner)
    for name in ("enquiry_transition", "enquiry_sign_off", "enquiry_send_back"):
        assert client.get(url(name, enquiry)).status_code == 405


# The enquiry page -------------------------------------------------------------


def test_enquiry_page_shows_task_list_and_views(client, practitioner, enquiry):
    client.force_login(practitioner)
    html = client.get(url("enquiry_detail", enquiry)).content.decode()
    assert "govuk-task-list" in html
    for stage in ("Planning", "Enquiry", "Outcome", "Safeguarding plan", "Closure"):
        assert f">{stage}</a>" in html
    assert "In progress" in html  # planning is the current stage
    assert "I just want to feel safe in my own home again." in html  # concern views


def test_enquiry_page_prompts_for_advocacy_when_required(client, practitioner, enquiry):
    client.force_login(practitioner)
    html = client.get(url("enquiry_detail", enquiry)).content.decode()
    assert "Consider whether" in html
    AdvocacyReferral.objects.create(
        enquiry=enquiry,
        difficulty_communicating=True,
        appropriate_person_available=False,
        status=AdvocacyReferral.Status.NEEDED,
    )
    html = client.get(url("enquiry_detail", enquiry)).content.decode()
    assert "needs an independent advocate" in html
    assert "Record the advocacy referral" in html


def _grow(enquiry, n):
    person = enquiry.concern.person
    for i in range(n):
        add_view(enquiry, "planning")
        DesiredOutcomeFactory(person=person, enquiry=enquiry, text=f"Outcome {i}")
        CapacityAssessment.objects.create(
            person=person,
            enquiry=enquiry,
            decision_in_question=f"Decision {i}",
            assessed_on=TODAY,
            impairment=False,
            conclusion="has_capacity",
        )
        AdvocacyReferral.objects.create(enquiry=enquiry, status="not_needed")
        Allocation.objects.create(enquiry=enquiry, team=enquiry.team, reason=str(i))


def test_enquiry_page_query_count_does_not_grow(
    client, practitioner, enquiry, django_assert_num_queries
):
    client.force_login(practitioner)
    _grow(enquiry, 1)
    client.get(url("enquiry_detail", enquiry))  # warm the session
    with CaptureQueriesContext(connection) as small:
        client.get(url("enquiry_detail", enquiry))
    _grow(enquiry, 6)
    with django_assert_num_queries(len(small.captured_queries)):
        response = client.get(url("enquiry_detail", enquiry))
    assert "Outcome 5" in response.content.decode()


# Planning ------------------------------------------------------------------------


def meeting_data(**overrides):
    data = {
        "kind": "strategy_discussion",
        "held_on": TODAY.isoformat(),
        "format": "phone",
        "attendees": "Pat (council)\nSam (police)",
        "adult_invited": "yes",
        "adult_attended": "no",
        "how_views_brought": "Pat shared what she said on Monday.",
        "lead_agency": "council",
        "interim_protection": "Daily calls from the home care agency.",
        "decisions": "Police to lead the criminal enquiry.",
    }
    data.update(overrides)
    return data


def test_record_meeting(client, practitioner, enquiry):
    client.force_login(practitioner)
    response = client.post(url("enquiry_meeting_add", enquiry), meeting_data())
    assert response.status_code == 302
    meeting = Meeting.objects.get(enquiry=enquiry)
    assert meeting.adult_invited is True and meeting.adult_attended is False
    assert AuditEvent.objects.filter(object_type="enquiries.Meeting").exists()
    assert ChronologyEvent.objects.filter(
        person=enquiry.concern.person, kind="meeting"
    ).exists()
    html = client.get(url("enquiry_planning", enquiry)).content.decode()
    assert "Daily calls from the home care agency." in html


def test_meeting_needs_how_views_were_brought_when_adult_absent(
    client, practitioner, enquiry
):
    client.force_login(practitioner)
    response = client.post(
        url("enquiry_meeting_add", enquiry),
        meeting_data(how_views_brought="", attendees="Kept attendee"),
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "There is a problem" in html
    assert "<title>Error: " in html
    assert "Enter how the adult&#x27;s views were brought to the meeting" in html
    assert "Kept attendee" in html
    assert not Meeting.objects.exists()


def test_caused_enquiry_and_report(client, practitioner, enquiry):
    client.force_login(practitioner)
    org = OrganisationFactory(name="Sunrise Care")
    response = client.post(
        url("enquiry_caused_add", enquiry),
        {
            "organisation": org.pk,
            "scope": "Review the care records for March",
            "requested_on": TODAY.isoformat(),
            "working_days": "20",
        },
    )
    assert response.status_code == 302
    caused = CausedEnquiry.objects.get(enquiry=enquiry)
    assert caused.working_days == 20 and caused.due_on > TODAY
    response = client.post(
        url("enquiry_caused_report", enquiry, caused.pk),
        {
            "report_received_on": TODAY.isoformat(),
            "response_summary": "Records checked: two missed visits.",
            "council_satisfied": "yes",
            "version": caused.version,
        },
    )
    assert response.status_code == 302
    caused.refresh_from_db()
    assert caused.report_received_on == TODAY and caused.council_satisfied is True


def test_caused_enquiry_with_no_working_days_is_refused(client, practitioner, enquiry):
    client.force_login(practitioner)
    org = OrganisationFactory()
    response = client.post(
        url("enquiry_caused_add", enquiry),
        {
            "organisation": org.pk,
            "scope": "Kept scope",
            "requested_on": TODAY.isoformat(),
            "working_days": "0",
        },
    )
    html = response.content.decode()
    assert "Give at least 1 working day" in html
    assert "Kept scope" in html
    assert not CausedEnquiry.objects.exists()


def test_caused_report_for_another_enquiry_is_not_found(
    client, practitioner, enquiry, team
):
    other = EnquiryFactory(concern__person__team=team)
    caused = CausedEnquiry.objects.create(
        enquiry=other,
        organisation=OrganisationFactory(),
        scope="x",
        requested_on=TODAY,
        due_on=TODAY,
    )
    client.force_login(practitioner)
    response = client.get(url("enquiry_caused_report", enquiry, caused.pk))
    assert response.status_code == 404


# Views at a stage and moving on ------------------------------------------------


def test_record_views_then_move_on(client, practitioner, enquiry):
    client.force_login(practitioner)
    blocked = client.post(
        url("enquiry_transition", enquiry),
        {"to_status": "in_progress", "back": "planning"},
        follow=True,
    )
    assert "Record the adult&#x27;s views for the planning stage" in (
        blocked.content.decode()
    )
    enquiry.refresh_from_db()
    assert enquiry.status == "planning"
    response = client.post(
        url("enquiry_views_add", enquiry, "planning"),
        {"source": "adult", "method": "phone", "views_text": "I want him to stop."},
    )
    assert response.status_code == 302
    assert PersonView.objects.filter(enquiry=enquiry, stage="planning").exists()
    response = client.post(
        url("enquiry_transition", enquiry),
        {"to_status": "in_progress", "back": "planning"},
    )
    assert response["Location"] == url("enquiry_findings", enquiry)
    enquiry.refresh_from_db()
    assert enquiry.status == "in_progress"


def test_views_form_needs_words_or_a_reason(client, practitioner, enquiry):
    client.force_login(practitioner)
    response = client.post(
        url("enquiry_views_add", enquiry, "planning"),
        {"source": "adult", "source_name": "Kept name"},
    )
    html = response.content.decode()
    assert "Enter what they said" in html and "Kept name" in html
    response = client.post(
        url("enquiry_views_add", enquiry, "planning"), {"source": "not_obtained"}
    )
    assert "Select why the views could not be obtained" in response.content.decode()
    assert not PersonView.objects.filter(enquiry=enquiry).exists()


def test_invalid_transition_is_a_message_not_an_error(client, practitioner, enquiry):
    client.force_login(practitioner)
    response = client.post(
        url("enquiry_transition", enquiry), {"to_status": "plan_active"}, follow=True
    )
    assert response.status_code == 200
    assert "cannot move to" in response.content.decode()
    for target in ("nonsense", "closure_requested", "closed"):
        response = client.post(
            url("enquiry_transition", enquiry), {"to_status": target}, follow=True
        )
        assert response.status_code == 200
        assert "Choose the next stage" in response.content.decode()
    enquiry.refresh_from_db()
    assert enquiry.status == "planning"


def test_closure_cannot_skip_sign_off_through_the_move_button(
    client, practitioner, team
):
    enquiry = EnquiryFactory(status="closure_requested", concern__person__team=team)
    add_view(enquiry, "closure")
    client.force_login(practitioner)
    client.post(url("enquiry_transition", enquiry), {"to_status": "closed"})
    enquiry.refresh_from_db()
    assert enquiry.status == "closure_requested"


# Stage 5: findings ---------------------------------------------------------------


def test_record_findings(client, practitioner, enquiry):
    client.force_login(practitioner)
    response = client.post(
        url("enquiry_findings", enquiry),
        {
            "findings": "Bruising consistent with a fall.",
            "spoken_to": "GP; daughter",
            "seen_alone": "yes",
            "evidence_notes": "Photos on file",
            "version": enquiry.version,
        },
    )
    assert response.status_code == 302
    enquiry.refresh_from_db()
    assert enquiry.findings == "Bruising consistent with a fall."
    assert enquiry.seen_alone is True
    assert enquiry.version == 2
    assert AuditEvent.objects.filter(
        object_ref=str(enquiry.reference), action="change"
    ).exists()


def test_findings_are_required(client, practitioner, enquiry):
    client.force_login(practitioner)
    response = client.post(
        url("enquiry_findings", enquiry),
        {"findings": "", "spoken_to": "Kept spoken", "version": enquiry.version},
    )
    html = response.content.decode()
    assert "Enter what the enquiry found" in html and "Kept spoken" in html


def test_findings_conflict_keeps_input_and_names_the_change(
    client, practitioner, enquiry
):
    client.force_login(practitioner)
    shown_version = enquiry.version
    Enquiry.objects.filter(pk=enquiry.pk).update(
        findings="Colleague's findings", version=shown_version + 1
    )
    response = client.post(
        url("enquiry_findings", enquiry),
        {"findings": "My findings", "version": shown_version},
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "Someone else saved this record" in html
    assert "My findings" in html  # kept
    assert "Colleague&#x27;s findings" in html  # what they saved
    assert f'name="version" value="{shown_version + 1}"' in html
    enquiry.refresh_from_db()
    assert enquiry.findings == "Colleague's findings"


# Stage 6: outcome ----------------------------------------------------------------


def outcome_data(enquiry, **overrides):
    data = {
        "risk_assessment_outcome": "risk_identified_action",
        "risk_result": "reduced",
        "action_about_source": "Carer dismissed; DBS referral made",
        "notifications": ["police", "dbs"],
        "lacked_capacity": "no",
        "version": enquiry.version,
    }
    data.update(overrides)
    return data


def test_record_outcome(client, practitioner, enquiry):
    client.force_login(practitioner)
    response = client.post(url("enquiry_outcome", enquiry), outcome_data(enquiry))
    assert response.status_code == 302
    enquiry.refresh_from_db()
    assert enquiry.risk_result == "reduced"
    assert enquiry.notifications == ["police", "dbs"]
    assert enquiry.lacked_capacity == "no"


def test_outcome_result_only_with_identified_risk(client, practitioner, enquiry):
    client.force_login(practitioner)
    response = client.post(
        url("enquiry_outcome", enquiry),
        outcome_data(enquiry, risk_assessment_outcome="no_risk_no_action"),
    )
    assert "Only record whether the risk remained" in response.content.decode()
    response = client.post(
        url("enquiry_outcome", enquiry), outcome_data(enquiry, risk_result="")
    )
    html = response.content.decode()
    assert "Select whether the risk remained, was reduced or was removed" in html
    assert "Carer dismissed; DBS referral made" in html
    enquiry.refresh_from_db()
    assert enquiry.risk_assessment_outcome == ""


def test_outcome_suggests_capacity_from_assessments(client, practitioner, enquiry):
    CapacityAssessment.objects.create(
        person=enquiry.concern.person,
        enquiry=enquiry,
        decision_in_question="Taking part in the enquiry",
        assessed_on=TODAY,
        impairment=True,
        understand="unable",
        understand_evidence="Could not recall the options",
        conclusion="lacks_capacity",
        best_interests_decision="Proceed with the enquiry",
    )
    client.force_login(practitioner)
    html = client.get(url("enquiry_outcome", enquiry)).content.decode()
    assert "suggest the answer" in html
    assert re.search(r'name="lacked_capacity"[^>]*value="yes"\s+checked', html)


def test_outcome_conflict(client, practitioner, enquiry):
    client.force_login(practitioner)
    data = outcome_data(enquiry)
    Enquiry.objects.filter(pk=enquiry.pk).update(
        lacked_capacity="yes", version=enquiry.version + 1
    )
    response = client.post(url("enquiry_outcome", enquiry), data)
    html = response.content.decode()
    assert "Someone else saved this record" in html
    assert "Carer dismissed; DBS referral made" in html


def test_add_and_withdraw_enquiry_risk(client, practitioner, enquiry):
    client.force_login(practitioner)
    response = client.post(
        url("enquiry_risk_add", enquiry),
        {"risk_type": "financial_material", "location": "own_home", "source": "known"},
    )
    assert response.status_code == 302
    risk = Risk.objects.get(enquiry=enquiry)
    assert risk.concern_id == enquiry.concern_id
    response = client.post(url("enquiry_risk_withdraw", enquiry, risk.pk))
    assert response.status_code == 302
    risk.refresh_from_db()
    assert risk.is_withdrawn is True
    assert Risk.objects.filter(pk=risk.pk).exists()  # never deleted


def test_risk_form_errors(client, practitioner, enquiry):
    client.force_login(practitioner)
    response = client.post(
        url("enquiry_risk_add", enquiry), {"source_person_name": "Kept Name"}
    )
    html = response.content.decode()
    assert "Select the type of risk" in html and "Kept Name" in html
    assert not Risk.objects.filter(enquiry=enquiry).exists()


def test_cannot_withdraw_a_concern_risk_through_the_enquiry(
    client, practitioner, enquiry
):
    concern_risk = RiskFactory(concern=enquiry.concern)
    client.force_login(practitioner)
    response = client.post(url("enquiry_risk_withdraw", enquiry, concern_risk.pk))
    assert response.status_code == 404
    concern_risk.refresh_from_db()
    assert concern_risk.is_withdrawn is False


# Capacity and advocacy ------------------------------------------------------------


def test_capacity_assessment_lacking_needs_best_interests(
    client, practitioner, enquiry
):
    client.force_login(practitioner)
    data = {
        "decision_in_question": "Kept decision",
        "assessed_on": TODAY.isoformat(),
        "impairment": "yes",
        "understand": "unable",
        "understand_evidence": "Could not say what the options were",
        "conclusion": "lacks_capacity",
    }
    response = client.post(url("enquiry_capacity_add", enquiry), data)
    html = response.content.decode()
    assert "Record the best interests decision" in html and "Kept decision" in html
    assert not CapacityAssessment.objects.exists()
    data["best_interests_decision"] = "Move to respite while the enquiry runs"
    response = client.post(url("enquiry_capacity_add", enquiry), data)
    assert response.status_code == 302
    assert CapacityAssessment.objects.get().person == enquiry.concern.person


def test_advocacy_needed_then_tracked_to_allocation(client, practitioner, enquiry):
    client.force_login(practitioner)
    response = client.post(
        url("enquiry_advocacy_add", enquiry),
        {
            "difficulties": ["difficulty_understanding", "difficulty_retaining"],
            "appropriate_person_available": "no",
            "kind": "care_act_s68",
        },
    )
    assert response.status_code == 302
    referral = AdvocacyReferral.objects.get(enquiry=enquiry)
    assert referral.status == "needed" and referral.advocate_required
    response = client.post(
        url("enquiry_advocacy_progress", enquiry, referral.pk),
        {
            "referred_on": TODAY.isoformat(),
            "provider": "Advocacy Now",
            "version": referral.version,
        },
    )
    assert response.status_code == 302
    referral.refresh_from_db()
    assert referral.status == "referred"
    response = client.post(
        url("enquiry_advocacy_progress", enquiry, referral.pk),
        {"allocated_on": "", "advocate_name": "", "version": referral.version},
    )
    assert "Enter the advocate&#x27;s name" in response.content.decode()
    referral.refresh_from_db()
    assert referral.status == "referred"


def test_advocacy_with_appropriate_person_is_not_needed(client, practitioner, enquiry):
    client.force_login(practitioner)
    response = client.post(
        url("enquiry_advocacy_add", enquiry),
        {"appropriate_person_available": "yes", "kind": "care_act_s68"},
    )
    assert "Enter the name of the appropriate person" in response.content.decode()
    client.post(
        url("enquiry_advocacy_add", enquiry),
        {
            "difficulties": ["difficulty_communicating"],
            "appropriate_person_available": "yes",
            "appropriate_person_name": "Her sister Jo",
            "kind": "care_act_s68",
        },
    )
    assert AdvocacyReferral.objects.get(enquiry=enquiry).status == "not_needed"


def test_advocacy_progress_conflict(client, practitioner, enquiry):
    referral = AdvocacyReferral.objects.create(enquiry=enquiry, status="needed")
    AdvocacyReferral.objects.filter(pk=referral.pk).update(
        provider="Other provider", version=2
    )
    client.force_login(practitioner)
    response = client.post(
        url("enquiry_advocacy_progress", enquiry, referral.pk),
        {"referred_on": TODAY.isoformat(), "provider": "My provider", "version": 1},
    )
    html = response.content.decode()
    assert "Someone else saved this record" in html and "My provider" in html


# Stage 7: plan -------------------------------------------------------------------


def test_plan_action_linked_to_desired_outcome(client, practitioner, enquiry):
    outcome = enquiry.concern.desired_outcomes.get()
    client.force_login(practitioner)
    response = client.post(
        url("enquiry_plan_action_add", enquiry),
        {
            "description": "Fit a key safe",
            "owner": "Housing",
            "due_on": (TODAY + datetime.timedelta(days=7)).isoformat(),
            "status": "not_started",
            "desired_outcomes": [outcome.pk],
        },
    )
    assert response.status_code == 302
    action = PlanAction.objects.get(enquiry=enquiry)
    assert list(action.desired_outcomes.all()) == [outcome]
    html = client.get(url("enquiry_plan", enquiry)).content.decode()
    assert "Fit a key safe" in html
    # Update it, and a stale version is a conflict.
    edit = url("enquiry_plan_action_edit", enquiry, action.pk)
    data = {
        "description": "Fit a key safe",
        "owner": "Housing",
        "due_on": TODAY.isoformat(),
        "status": "done",
        "version": action.version,
    }
    assert client.post(edit, data).status_code == 302
    action.refresh_from_db()
    assert action.status == "done" and action.desired_outcomes.count() == 0
    response = client.post(edit, {**data, "owner": "Stale owner"})
    html = response.content.decode()
    assert "Someone else saved this record" in html and "Stale owner" in html


def test_plan_action_not_done_needs_reason(client, practitioner, enquiry):
    client.force_login(practitioner)
    response = client.post(
        url("enquiry_plan_action_add", enquiry),
        {
            "description": "Kept description",
            "owner": "Housing",
            "due_on": TODAY.isoformat(),
            "status": "not_done",
        },
    )
    html = response.content.decode()
    assert "Enter why the action was not done" in html and "Kept description" in html


def test_plan_agreement_and_review(client, practitioner, enquiry):
    client.force_login(practitioner)
    response = client.post(
        url("enquiry_plan", enquiry),
        {"plan_agreed_with_adult": "no", "version": enquiry.version},
    )
    assert "Enter why the plan was not agreed" in response.content.decode()
    response = client.post(
        url("enquiry_plan", enquiry),
        {"plan_agreed_with_adult": "yes", "version": enquiry.version},
    )
    assert response.status_code == 302
    enquiry.refresh_from_db()
    assert enquiry.plan_agreed_with_adult is True
    response = client.post(
        url("enquiry_plan_review_add", enquiry),
        {
            "reviewed_on": TODAY.isoformat(),
            "adult_view": "I feel safer with the key safe.",
            "risk_rating": "low",
            "decision": "continue",
        },
    )
    assert response.status_code == 302
    assert PlanReview.objects.get(enquiry=enquiry).risk_rating == "low"
    assert PersonView.objects.filter(enquiry=enquiry, stage="review").exists()


def test_plan_agreement_conflict(client, practitioner, enquiry):
    client.force_login(practitioner)
    Enquiry.objects.filter(pk=enquiry.pk).update(
        plan_agreed_with_adult=False, version=2
    )
    response = client.post(
        url("enquiry_plan", enquiry), {"plan_agreed_with_adult": "yes", "version": 1}
    )
    assert "Someone else saved this record" in response.content.decode()


# Stage 8: closure ------------------------------------------------------------------


def closure_data(enquiry, **overrides):
    data = {
        "closure_reason": "risk_managed",
        "adult_view_on_closure": "agrees",
        "checklist": ["adult_agrees", "referrer_feedback"],
        "sar_considered": "yes",
        "lessons_learned": "Earlier contact with the GP would have helped.",
        "version": enquiry.version,
    }
    data.update(overrides)
    return data


def test_closure_page_warns_when_outcomes_not_evaluated(client, practitioner, enquiry):
    client.force_login(practitioner)
    html = client.get(url("enquiry_closure", enquiry)).content.decode()
    assert "has not been recorded" in html
    Enquiry.objects.filter(pk=enquiry.pk).update(outcomes_achieved="partially")
    html = client.get(url("enquiry_closure", enquiry)).content.decode()
    assert "Partially achieved" in html and "has not been recorded" not in html


def test_closure_request_needs_views_and_changes_nothing_otherwise(
    client, practitioner, enquiry
):
    client.force_login(practitioner)
    add_view(enquiry, "planning")
    response = client.post(url("enquiry_closure", enquiry), closure_data(enquiry))
    html = response.content.decode()
    assert "Record the adult&#x27;s views at closure" in html
    assert "Earlier contact with the GP would have helped." in html
    enquiry.refresh_from_db()
    assert enquiry.status == "planning" and enquiry.closure_reason == ""


def test_closure_request_then_manager_signs_off(client, practitioner, manager, enquiry):
    add_view(enquiry, "planning")
    add_view(enquiry, "closure")
    client.force_login(practitioner)
    response = client.post(url("enquiry_closure", enquiry), closure_data(enquiry))
    assert response.status_code == 302
    enquiry.refresh_from_db()
    assert enquiry.status == "closure_requested"
    assert enquiry.status_before_closure_request == "planning"
    assert enquiry.closure_checklist["adult_agrees"] is True
    assert enquiry.closure_checklist["lessons_learned"] is False
    # The practitioner cannot sign off their own request.
    client.post(url("enquiry_sign_off", enquiry))
    enquiry.refresh_from_db()
    assert enquiry.status == "closure_requested"
    client.force_login(manager)
    html = client.get(url("enquiry_closure_review", enquiry)).content.decode()
    assert "Sign off and close the enquiry" in html
    assert "I want to feel safe at home." in html
    response = client.post(url("enquiry_sign_off", enquiry))
    assert response.status_code == 302
    enquiry.refresh_from_db()
    assert enquiry.status == "closed"
    assert enquiry.signed_off_by == manager
    assert enquiry.concluded_on == TODAY
    # Closed: no more changes.
    response = client.post(
        url("enquiry_findings", enquiry),
        {"findings": "late", "version": enquiry.version},
        follow=True,
    )
    assert "This enquiry is closed" in response.content.decode()
    enquiry.refresh_from_db()
    assert enquiry.findings == ""


def test_manager_sends_back_with_reason(client, practitioner, manager, enquiry):
    Enquiry.objects.filter(pk=enquiry.pk).update(
        status="closure_requested",
        status_before_closure_request="plan_active",
        closure_requested_by=practitioner,
    )
    client.force_login(manager)
    response = client.post(url("enquiry_send_back", enquiry), {"reason": ""})
    assert "Enter why the closure request is being sent back" in (
        response.content.decode()
    )
    response = client.post(
        url("enquiry_send_back", enquiry), {"reason": "Evaluate outcomes first"}
    )
    assert response.status_code == 302
    enquiry.refresh_from_db()
    assert enquiry.status == "plan_active"
    assert enquiry.sent_back_reason == "Evaluate outcomes first"
    client.force_login(practitioner)
    html = client.get(url("enquiry_detail", enquiry)).content.decode()
    assert "Evaluate outcomes first" in html


def test_closure_form_errors_keep_input(client, practitioner, enquiry):
    client.force_login(practitioner)
    response = client.post(
        url("enquiry_closure", enquiry),
        closure_data(enquiry, closure_reason="", lessons_learned="Kept lessons"),
    )
    html = response.content.decode()
    assert "Select the reason for closure" in html and "Kept lessons" in html


def test_closure_conflict(client, practitioner, enquiry):
    add_view(enquiry, "planning")
    add_view(enquiry, "closure")
    Enquiry.objects.filter(pk=enquiry.pk).update(lessons_learned="Theirs", version=2)
    client.force_login(practitioner)
    response = client.post(
        url("enquiry_closure", enquiry), closure_data(enquiry, version=1)
    )
    assert "Someone else saved this record" in response.content.decode()
    enquiry.refresh_from_db()
    assert enquiry.status == "planning"


# Allocation --------------------------------------------------------------------


def test_allocate_within_team(client, practitioner, other_practitioner, enquiry):
    client.force_login(practitioner)
    response = client.post(
        url("enquiry_allocate", enquiry),
        {
            "team": enquiry.team_id,
            "worker": other_practitioner.pk,
            "version": enquiry.version,
        },
    )
    assert response.status_code == 302
    enquiry.refresh_from_db()
    assert enquiry.allocated_to == other_practitioner
    assert Allocation.objects.filter(enquiry=enquiry, worker=other_practitioner)
    assert ChronologyEvent.objects.filter(kind="allocation").exists()


def test_transfer_to_another_team_needs_reason(
    client, practitioner, other_team, other_team_practitioner, enquiry
):
    client.force_login(practitioner)
    data = {
        "team": other_team.pk,
        "worker": other_team_practitioner.pk,
        "version": enquiry.version,
    }
    response = client.post(url("enquiry_allocate", enquiry), data)
    assert "Enter why the enquiry is moving to another team" in (
        response.content.decode()
    )
    enquiry.refresh_from_db()
    assert enquiry.team != other_team
    response = client.post(
        url("enquiry_allocate", enquiry), {**data, "reason": "Adult moved south"}
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("home")
    enquiry.refresh_from_db()
    assert enquiry.team == other_team
    assert Allocation.objects.get(enquiry=enquiry).reason == "Adult moved south"


def test_allocation_worker_must_be_in_team(
    client, practitioner, other_team_practitioner, enquiry
):
    client.force_login(practitioner)
    response = client.post(
        url("enquiry_allocate", enquiry),
        {
            "team": enquiry.team_id,
            "worker": other_team_practitioner.pk,
            "version": enquiry.version,
        },
    )
    assert "Select someone who works in" in response.content.decode()


def test_allocation_conflict(client, practitioner, enquiry):
    Enquiry.objects.filter(pk=enquiry.pk).update(allocated_to=None, version=2)
    client.force_login(practitioner)
    response = client.post(
        url("enquiry_allocate", enquiry),
        {"team": enquiry.team_id, "worker": practitioner.pk, "version": 1},
    )
    assert "Someone else saved this record" in response.content.decode()
    assert not Allocation.objects.filter(enquiry=enquiry).exists()


def test_overdue_caused_enquiry_report_is_flagged(client, practitioner, enquiry):
    CausedEnquiry.objects.create(
        enquiry=enquiry,
        organisation=OrganisationFactory(name="Late Provider"),
        scope="Records",
        requested_on=TODAY - datetime.timedelta(days=30),
        due_on=TODAY - datetime.timedelta(days=2),
    )
    client.force_login(practitioner)
    html = client.get(url("enquiry_planning", enquiry)).content.decode()
    assert "Late Provider" in html and "Overdue" in html


def test_closure_review_shows_evaluation_of_each_outcome(client, manager, enquiry):
    outcome = enquiry.concern.desired_outcomes.get()
    outcome.achieved = "partially"
    outcome.evaluation_comment = "Better, but he still phones"
    outcome.save()
    client.force_login(manager)
    html = client.get(url("enquiry_closure_review", enquiry)).content.decode()
    assert "Partially achieved" in html and "Better, but he still phones" in html
    assert "not waiting for sign-off" in html  # no sign-off buttons yet
    assert "Sign off and close the enquiry" not in html


def test_impossible_record_ids_in_the_address_are_not_found(
    client, practitioner, enquiry
):
    client.force_login(practitioner)
    huge = 10**30
    for path in (
        url("enquiry_caused_report", enquiry, huge),
        url("enquiry_plan_action_edit", enquiry, huge),
        url("enquiry_advocacy_progress", enquiry, huge),
    ):
        assert client.get(path).status_code == 404
    assert client.post(url("enquiry_risk_withdraw", enquiry, huge)).status_code == 404


def test_caused_report_errors_and_conflict(client, practitioner, enquiry):
    caused = CausedEnquiry.objects.create(
        enquiry=enquiry,
        organisation=OrganisationFactory(),
        scope="Records",
        requested_on=TODAY,
        due_on=TODAY + datetime.timedelta(days=20),
    )
    report = url("enquiry_caused_report", enquiry, caused.pk)
    client.force_login(practitioner)
    early = (TODAY - datetime.timedelta(days=1)).isoformat()
    response = client.post(
        report,
        {"report_received_on": early, "council_satisfied": "no", "version": 1},
    )
    html = response.content.decode()
    assert "Date received must be on or after the date requested" in html
    assert f'value="{early}"' in html
    CausedEnquiry.objects.filter(pk=caused.pk).update(
        report_received_on=TODAY, version=2
    )
    response = client.post(
        report,
        {
            "report_received_on": TODAY.isoformat(),
            "response_summary": "Nothing found",
            "council_satisfied": "no",
            "version": 1,
        },
    )
    assert "Someone else saved this record" in response.content.decode()
    caused.refresh_from_db()
    assert caused.council_satisfied is None


def test_plan_review_errors_keep_input(client, practitioner, enquiry):
    client.force_login(practitioner)
    response = client.post(
        url("enquiry_plan_review_add", enquiry),
        {
            "reviewed_on": TODAY.isoformat(),
            "adult_view": "Kept view",
            "decision": "continue",
            "next_review_on": TODAY.isoformat(),
        },
    )
    html = response.content.decode()
    assert "Select how high the risk is now" in html
    assert "Next review must be after this review" in html
    assert "Kept view" in html
    assert not PlanReview.objects.exists()


def test_closure_page_links_to_the_outcome_evaluation(client, practitioner, enquiry):
    client.force_login(practitioner)
    html = client.get(url("enquiry_closure", enquiry)).content.decode()
    evaluate = reverse("outcomes:evaluate", args=[enquiry.reference])
    assert f'href="{evaluate}"' in html


def test_asking_a_partner_starts_from_today_and_the_usual_working_days(
    client, practitioner, enquiry
):
    """The new-request page fills in the date requested (today) and the
    working days they have to respond, as the stage's other pages do."""
    from enquiries.services import partners

    client.force_login(practitioner)
    form = client.get(url("enquiry_caused_add", enquiry)).context["form"]
    assert form["requested_on"].value() == TODAY
    assert form["working_days"].value() == partners.default_working_days()
