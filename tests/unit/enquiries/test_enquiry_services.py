"""Services for an open enquiry: outcome rules, capacity, advocacy, allocation."""

import datetime

import pytest
from django.core.exceptions import ValidationError

from enquiries import workflow
from enquiries.factories import EnquiryFactory, OrganisationFactory, RiskFactory
from enquiries.models import (
    AdvocacyReferral,
    Allocation,
    CapacityAssessment,
    Enquiry,
    OrganisationalEnquiry,
    Risk,
)
from enquiries.services import enquiry as services
from msp.concurrency import EditConflict
from msp.models import AuditEvent

TODAY = datetime.date.today()


@pytest.fixture
def enquiry(team, practitioner):
    return EnquiryFactory(
        status="in_progress", concern__person__team=team, allocated_to=practitioner
    )


# Outcome: SAC SG2c / SG2e ---------------------------------------------------------


def test_result_required_when_a_risk_was_identified(practitioner, enquiry):
    with pytest.raises(ValidationError) as exc:
        services.record_outcome(
            user=practitioner,
            enquiry=enquiry,
            expected_version=enquiry.version,
            data={"risk_assessment_outcome": "risk_identified_no_action"},
        )
    assert "risk_result" in exc.value.message_dict


def test_result_refused_without_an_identified_risk(practitioner, enquiry):
    with pytest.raises(ValidationError) as exc:
        services.record_outcome(
            user=practitioner,
            enquiry=enquiry,
            expected_version=enquiry.version,
            data={
                "risk_assessment_outcome": "inconclusive_action",
                "risk_result": "reduced",
            },
        )
    assert "risk_result" in exc.value.message_dict
    enquiry.refresh_from_db()
    assert enquiry.risk_assessment_outcome == ""


def test_outcome_saved_with_result(practitioner, enquiry):
    services.record_outcome(
        user=practitioner,
        enquiry=enquiry,
        expected_version=enquiry.version,
        data={
            "risk_assessment_outcome": "risk_identified_action",
            "risk_result": "remained",
        },
    )
    enquiry.refresh_from_db()
    assert enquiry.risk_result == "remained"
    assert AuditEvent.objects.filter(summary="Enquiry outcome recorded").exists()


def test_stale_version_is_a_conflict(practitioner, enquiry):
    Enquiry.objects.filter(pk=enquiry.pk).update(version=5)
    with pytest.raises(EditConflict):
        services.record_findings(
            user=practitioner,
            enquiry=enquiry,
            expected_version=1,
            data={"findings": "x"},
        )


def test_closed_enquiry_cannot_be_changed(practitioner, team):
    closed = EnquiryFactory(concluded=True, concern__person__team=team)
    with pytest.raises(ValidationError, match="closed"):
        services.record_findings(
            user=practitioner,
            enquiry=closed,
            expected_version=None,
            data={"findings": "x"},
        )
    with pytest.raises(ValidationError, match="closed"):
        services.add_enquiry_risk(
            user=practitioner,
            enquiry=closed,
            data={"risk_type": "physical", "location": "own_home", "source": "known"},
        )


# The enquiry's own risks -------------------------------------------------------


def test_withdrawn_risk_is_kept(practitioner, enquiry):
    risk = RiskFactory(concern=enquiry.concern, enquiry=enquiry)
    services.withdraw_enquiry_risk(user=practitioner, enquiry=enquiry, risk=risk)
    assert Risk.objects.get(pk=risk.pk).is_withdrawn
    with pytest.raises(ValidationError, match="already"):
        services.withdraw_enquiry_risk(user=practitioner, enquiry=enquiry, risk=risk)


def test_concern_risk_is_not_the_enquirys_to_withdraw(practitioner, enquiry):
    risk = RiskFactory(concern=enquiry.concern)
    with pytest.raises(ValidationError, match="not part of this enquiry"):
        services.withdraw_enquiry_risk(user=practitioner, enquiry=enquiry, risk=risk)


# Mental capacity ------------------------------------------------------------------


def capacity(enquiry, **fields):
    data = {
        "decision_in_question": "Taking part in the enquiry",
        "assessed_on": TODAY,
        "impairment": True,
        "conclusion": "lacks_capacity",
    }
    data.update(fields)
    return data


def test_lacking_capacity_needs_an_impairment(practitioner, enquiry):
    with pytest.raises(ValidationError, match="impairment"):
        services.record_capacity_assessment(
            user=practitioner,
            enquiry=enquiry,
            data=capacity(
                enquiry,
                impairment=False,
                understand="unable",
                understand_evidence="x",
                best_interests_decision="y",
            ),
        )


def test_lacking_capacity_needs_a_functional_inability(practitioner, enquiry):
    with pytest.raises(ValidationError, match="unable to do"):
        services.record_capacity_assessment(
            user=practitioner, enquiry=enquiry, data=capacity(enquiry)
        )


def test_inability_needs_evidence_and_best_interests(practitioner, enquiry):
    with pytest.raises(ValidationError) as exc:
        services.record_capacity_assessment(
            user=practitioner,
            enquiry=enquiry,
            data=capacity(enquiry, retain="unable"),
        )
    assert "retain_evidence" in exc.value.message_dict
    assessment = services.record_capacity_assessment(
        user=practitioner,
        enquiry=enquiry,
        data=capacity(
            enquiry,
            retain="unable",
            retain_evidence="Forgot within a minute",
            best_interests_decision="Stay at home with more support",
        ),
    )
    assert assessment.person == enquiry.concern.person


def test_capacity_suggestion_follows_assessments(enquiry):
    def a(conclusion):
        return CapacityAssessment(conclusion=conclusion)

    assert services.suggest_capacity_answer(enquiry, []) == ""
    assert services.suggest_capacity_answer(enquiry, [a("has_capacity")]) == "no"
    assert (
        services.suggest_capacity_answer(
            enquiry, [a("has_capacity"), a("lacks_capacity")]
        )
        == "yes"
    )
    assert services.suggest_capacity_answer(enquiry, [a("fluctuating")]) == "dont_know"


# Advocacy ----------------------------------------------------------------------------


def test_advocate_needed_with_difficulty_and_no_appropriate_person(
    practitioner, enquiry
):
    referral = services.assess_advocacy(
        user=practitioner,
        enquiry=enquiry,
        data={"difficulty_weighing": True, "appropriate_person_available": False},
    )
    assert referral.advocate_required
    assert referral.status == AdvocacyReferral.Status.NEEDED


@pytest.mark.parametrize(
    "data",
    [
        {"difficulty_weighing": True, "appropriate_person_available": True},
        {"appropriate_person_available": False},
    ],
)
def test_advocate_not_needed_otherwise(practitioner, enquiry, data):
    referral = services.assess_advocacy(user=practitioner, enquiry=enquiry, data=data)
    assert referral.status == AdvocacyReferral.Status.NOT_NEEDED


def test_advocacy_moves_forward_only_with_dates(practitioner, enquiry):
    referral = AdvocacyReferral.objects.create(enquiry=enquiry, status="needed")
    with pytest.raises(ValidationError) as exc:
        services.record_advocacy_progress(
            user=practitioner, referral=referral, expected_version=1, data={}
        )
    assert set(exc.value.message_dict) == {"referred_on", "provider"}
    steps = [
        {"referred_on": TODAY, "provider": "Advocacy Now"},
        {"allocated_on": TODAY, "advocate_name": "Sam Advocate"},
        {"ended_on": TODAY},
    ]
    for data in steps:
        referral = services.record_advocacy_progress(
            user=practitioner,
            referral=referral,
            expected_version=referral.version,
            data=data,
        )
    assert referral.status == "ended" and referral.advocate_name == "Sam Advocate"
    with pytest.raises(ValidationError, match="no next step"):
        services.record_advocacy_progress(
            user=practitioner, referral=referral, expected_version=None, data={}
        )


# Allocation -------------------------------------------------------------------------


def test_transfer_needs_a_reason_and_a_worker_in_that_team(
    practitioner, other_team, other_team_practitioner, enquiry
):
    with pytest.raises(ValidationError) as exc:
        services.allocate_enquiry(
            user=practitioner,
            enquiry=enquiry,
            expected_version=enquiry.version,
            team=other_team,
            worker=practitioner,
        )
    assert set(exc.value.message_dict) == {"reason", "worker"}
    services.allocate_enquiry(
        user=practitioner,
        enquiry=enquiry,
        expected_version=enquiry.version,
        team=other_team,
        worker=other_team_practitioner,
        reason="Moved to the south",
    )
    enquiry.refresh_from_db()
    assert enquiry.team == other_team
    assert Allocation.objects.get(enquiry=enquiry).allocated_by == practitioner


# Closure request is all or nothing ---------------------------------------------------


def test_refused_closure_request_saves_nothing(practitioner, enquiry):
    with pytest.raises(workflow.TransitionNotAllowed):
        services.ask_for_sign_off(
            user=practitioner,
            enquiry=enquiry,
            expected_version=enquiry.version,
            data={"closure_reason": "no_role", "adult_view_on_closure": "agrees"},
        )
    enquiry.refresh_from_db()
    assert enquiry.closure_reason == "" and enquiry.status == "in_progress"


# Large-scale enquiries --------------------------------------------------------------


def test_an_enquiry_belongs_to_one_large_scale_enquiry(
    practitioner, manager, team, enquiry
):
    def make():
        return OrganisationalEnquiry.objects.create(
            organisation=OrganisationFactory(),
            team=team,
            trigger="Pattern",
            lead=manager,
            started_on=TODAY,
        )

    first, second = make(), make()
    for org in (first, second):  # the adult's risks name both providers
        RiskFactory(
            concern=enquiry.concern,
            source="service_provider",
            source_organisation=org.organisation,
        )
    services.link_to_organisational(
        user=practitioner, organisational=first, enquiry=enquiry
    )
    with pytest.raises(ValidationError, match="already linked"):
        services.link_to_organisational(
            user=practitioner, organisational=first, enquiry=enquiry
        )
    with pytest.raises(ValidationError, match="another large-scale"):
        services.link_to_organisational(
            user=practitioner, organisational=second, enquiry=enquiry
        )
    with pytest.raises(ValidationError, match="not part of"):
        services.unlink_from_organisational(
            user=practitioner, organisational=second, enquiry=enquiry
        )
    services.unlink_from_organisational(
        user=practitioner, organisational=first, enquiry=enquiry
    )
    enquiry.refresh_from_db()
    assert enquiry.organisational_enquiry is None
    assert enquiry.version == 3


def test_support_follows_advocacy_or_an_appropriate_person(enquiry):
    assert not services.has_support(enquiry)
    referral = AdvocacyReferral.objects.create(enquiry=enquiry, status="referred")
    assert not services.has_support(enquiry)
    referral.status = "allocated"
    referral.save()
    assert services.has_support(enquiry)
