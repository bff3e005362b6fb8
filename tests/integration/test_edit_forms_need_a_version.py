"""Every edit form refuses a post without the version it was drawn at.

Found by attacking it (issue 16): four budget forms took a post with no
``version`` and ``save_changes`` skipped the lost-update check. Every form
class that edits a saved record (every subclass of ``msp.editing.VersionedForm``)
is found by walking the subclasses, so a form added later without a page here
fails this test. Each page is opened, then posted back exactly as shown but
without ``version``: the answer is the page again with the "out of date"
message, and the record is unchanged.
"""

import datetime

import pytest
from django.urls import reverse

from budgets import forms as budget_forms
from budgets import services as budget_services
from budgets.models import PersonalAssistant
from enquiries.factories import (
    ConcernFactory,
    DesiredOutcomeFactory,
    EnquiryFactory,
    OrganisationFactory,
)
from enquiries.forms import allocation as allocation_forms
from enquiries.forms import concerns as concern_forms
from enquiries.forms import enquiry as forms_enquiry
from enquiries.forms import organisational as org_forms
from enquiries.forms import partners as partner_forms
from enquiries.forms import people as people_forms
from enquiries.forms import pipot as pipot_forms
from enquiries.forms import voice as voice_forms
from enquiries.models import (
    AdvocacyReferral,
    CaseNote,
    CausedEnquiry,
    InvolvedAgency,
    OrganisationalAction,
    OrganisationalEnquiry,
    PipotCase,
    PlanAction,
    Relationship,
    S45Request,
    SafeguardingAdultsReview,
)
from msp.concurrency import STALE_PAGE_MESSAGE
from msp.editing import VersionedForm
from outcomes import forms as outcome_forms
from outcomes import forms_sac, forms_sar
from tests.integration.budgets.conftest import budget, payment, person  # noqa: F401
from tests.page_forms import form_values

pytestmark = pytest.mark.django_db
TODAY = datetime.date.today()

# Forms that only ever create a record (no saved version to be out of date with).
CREATE_ONLY = {
    people_forms.PersonCreateForm,
    concern_forms.ConcernCreateForm,
    budget_forms.DirectPaymentForm,
    budget_forms.LocalConditionForm,
    budget_forms.FamilyExceptionForm,
    budget_forms.ConcernLinkForm,
    budget_forms.EndingForm,
}


def _subclasses(cls):
    for sub in cls.__subclasses__():
        yield sub
        yield from _subclasses(sub)


def _edit_forms():
    found = set()
    for cls in _subclasses(VersionedForm):
        if cls.__module__.startswith(("enquiries.", "budgets.", "outcomes.", "msp.")):
            found.add(cls)
    return found - CREATE_ONLY - {budget_forms.GovForm}


@pytest.fixture
def world(team, practitioner, person, payment):  # noqa: F811 (fixtures)
    concern = ConcernFactory(person=person)
    enquiry = EnquiryFactory(
        status="in_progress",
        concern__person=person,
        allocated_to=practitioner,
        findings="Findings",
    )
    DesiredOutcomeFactory(concern=enquiry.concern)
    plan_enquiry = EnquiryFactory(status="plan_active", concern__person__team=team)
    assistant = budget_services.add_assistant(
        user=practitioner,
        payment=payment,
        data={
            "name": "Sam Moss",
            "started_on": datetime.date(2025, 9, 1),
            "relationship": "friend",
            "same_household": False,
        },
    )
    return {
        "person": person,
        "concern": concern,
        "enquiry": enquiry,
        "plan_enquiry": plan_enquiry,
        "relationship": Relationship.objects.create(
            person=person, kind="family", name="Tom Moss"
        ),
        "note": CaseNote.objects.create(
            person=person, text="Draft", created_by=practitioner
        ),
        "caused": CausedEnquiry.objects.create(
            enquiry=enquiry,
            organisation=OrganisationFactory(),
            scope="Check the rota",
            requested_on=TODAY,
            due_on=TODAY,
        ),
        "referral": AdvocacyReferral.objects.create(
            enquiry=enquiry, status=AdvocacyReferral.Status.NEEDED
        ),
        "action": PlanAction.objects.create(
            enquiry=plan_enquiry, description="Visit", owner="Sam", due_on=TODAY
        ),
        "budget": payment.personal_budget,
        "payment": payment,
        "condition": payment.conditions.first(),
        "review": payment.reviews.first(),
        "assistant": PersonalAssistant.objects.get(pk=assistant.pk),
        "sar": (sar := SafeguardingAdultsReview.objects.create(title="Review R")),
        "sar_recommendation": sar.recommendations.create(
            text="Share notes", owner="NHS trust", due_on=TODAY
        ),
        "agency": InvolvedAgency.objects.create(
            concern=enquiry.concern,
            enquiry=enquiry,
            organisation=OrganisationFactory(),
            role="police",
        ),
        "s45": S45Request.objects.create(
            concern=enquiry.concern,
            enquiry=enquiry,
            organisation=OrganisationFactory(),
            direction="received",
            requested_on=TODAY,
            due_on=TODAY,
            what_requested="Chronology",
        ),
        "pipot": (
            pipot := PipotCase.objects.create(
                concern=enquiry.concern,
                enquiry=enquiry,
                subject_name="Dana Whitlock",
                subject_role="Care assistant",
                subject_kind="paid",
                employer=OrganisationFactory(),
                allegation="Rough handling",
                opened_on=TODAY,
            )
        ),
        "pipot_referral": pipot.referrals.create(kind="dbs", referred_on=TODAY),
        "org": (
            org := OrganisationalEnquiry.objects.create(
                organisation=OrganisationFactory(),
                team=enquiry.team,
                trigger="Pattern of concerns",
                lead=practitioner,
                started_on=TODAY,
                status="concluded",
                concluded_on=TODAY,
                findings_summary="Found",
            )
        ),
        "org_action": OrganisationalAction.objects.create(
            organisational=org, description="Audit", owner="Ann", due_on=TODAY
        ),
    }


def _r(name, *args):
    return reverse(name, args=args)


# Each edit form: the page that shows it, and the record it changes.
PAGES = {
    people_forms.PersonForm: lambda w: (
        _r("enquiries:person_edit", w["person"].reference),
        w["person"],
    ),
    people_forms.RelationshipChangeForm: lambda w: (
        _r(
            "enquiries:relationship_edit",
            w["person"].reference,
            w["relationship"].pk,
        ),
        w["relationship"],
    ),
    voice_forms.CaseNoteForm: lambda w: (
        _r("enquiries:case_note_edit", w["person"].reference, w["note"].pk),
        w["note"],
    ),
    concern_forms.ConcernForm: lambda w: (
        _r("enquiries:concern_edit", w["concern"].reference),
        w["concern"],
    ),
    concern_forms.ThreePartTestForm: lambda w: (
        _r("enquiries:concern_test", w["concern"].reference),
        w["concern"],
    ),
    concern_forms.DecisionForm: lambda w: (
        _r("enquiries:concern_decision", w["concern"].reference),
        w["concern"],
    ),
    voice_forms.AskedOutcomesForm: lambda w: (
        _r("enquiries:desired_outcomes", "enquiry", w["enquiry"].reference),
        w["enquiry"],
    ),
    forms_enquiry.CausedEnquiryReportForm: lambda w: (
        _r("enquiries:enquiry_caused_report", w["enquiry"].reference, w["caused"].pk),
        w["caused"],
    ),
    partner_forms.InvolvedAgencyChangeForm: lambda w: (
        _r("enquiries:agency_edit", w["enquiry"].reference, w["agency"].pk),
        w["agency"],
    ),
    partner_forms.WithdrawForm: lambda w: (
        _r("enquiries:agency_withdraw", w["enquiry"].reference, w["agency"].pk),
        w["agency"],
    ),
    partner_forms.RequestChaseForm: lambda w: (
        _r("enquiries:request_chase", w["enquiry"].reference, w["caused"].pk),
        w["caused"],
    ),
    partner_forms.RequestCloseForm: lambda w: (
        _r("enquiries:request_close", w["enquiry"].reference, w["caused"].pk),
        w["caused"],
    ),
    partner_forms.S45DecisionForm: lambda w: (
        _r("enquiries:s45_decide", w["enquiry"].reference, w["s45"].pk),
        w["s45"],
    ),
    forms_enquiry.FindingsForm: lambda w: (
        _r("enquiries:enquiry_findings", w["enquiry"].reference),
        w["enquiry"],
    ),
    forms_enquiry.OutcomeForm: lambda w: (
        _r("enquiries:enquiry_outcome", w["enquiry"].reference),
        w["enquiry"],
    ),
    forms_enquiry.AdvocacyProgressForm: lambda w: (
        _r(
            "enquiries:enquiry_advocacy_progress",
            w["enquiry"].reference,
            w["referral"].pk,
        ),
        w["referral"],
    ),
    forms_enquiry.PlanActionForm: lambda w: (
        _r(
            "enquiries:enquiry_plan_action_edit",
            w["plan_enquiry"].reference,
            w["action"].pk,
        ),
        w["action"],
    ),
    forms_enquiry.PlanAgreementForm: lambda w: (
        _r("enquiries:enquiry_plan", w["plan_enquiry"].reference),
        w["plan_enquiry"],
    ),
    forms_enquiry.ClosureForm: lambda w: (
        _r("enquiries:enquiry_closure", w["plan_enquiry"].reference),
        w["plan_enquiry"],
    ),
    forms_enquiry.AllocationForm: lambda w: (
        _r("enquiries:enquiry_allocate", w["enquiry"].reference),
        w["enquiry"],
    ),
    allocation_forms.ConcernAllocationForm: lambda w: (
        _r("enquiries:concern_allocate", w["concern"].reference),
        w["concern"],
    ),
    outcome_forms.EvaluationForm: lambda w: (
        _r("outcomes:evaluate", w["enquiry"].reference),
        w["enquiry"],
    ),
    forms_sac.ReviewForm: lambda w: (
        _r("outcomes:sar_edit", w["sar"].reference),
        w["sar"],
    ),
    forms_sar.DecisionForm: lambda w: (
        _r("outcomes:sar_decision", w["sar"].reference),
        w["sar"],
    ),
    forms_sar.DoneForm: lambda w: (
        _r(
            "outcomes:sar_recommendation_done",
            w["sar"].reference,
            w["sar_recommendation"].pk,
        ),
        w["sar_recommendation"],
    ),
    pipot_forms.PipotCaseChangeForm: lambda w: (
        _r("enquiries:pipot_edit", w["pipot"].reference),
        w["pipot"],
    ),
    pipot_forms.PipotCloseForm: lambda w: (
        _r("enquiries:pipot_close", w["pipot"].reference),
        w["pipot"],
    ),
    pipot_forms.ReferralOutcomeForm: lambda w: (
        _r(
            "enquiries:pipot_referral_outcome",
            w["pipot"].reference,
            w["pipot_referral"].pk,
        ),
        w["pipot_referral"],
    ),
    budget_forms.BudgetForm: lambda w: (
        _r("budgets:budget_edit", w["budget"].reference),
        w["budget"],
    ),
    budget_forms.DirectPaymentChangeForm: lambda w: (
        _r("budgets:dp_edit", w["payment"].reference),
        w["payment"],
    ),
    budget_forms.RecipientForm: lambda w: (
        _r("budgets:dp_recipient", w["payment"].reference),
        w["payment"],
    ),
    budget_forms.StatusForm: lambda w: (
        _r("budgets:dp_status", w["payment"].reference),
        w["payment"],
    ),
    budget_forms.ConditionStatusForm: lambda w: (
        _r("budgets:condition_status", w["condition"].reference),
        w["condition"],
    ),
    budget_forms.AssistantForm: lambda w: (
        _r("budgets:assistant_edit", w["assistant"].reference),
        w["assistant"],
    ),
    budget_forms.ReviewForm: lambda w: (
        _r("budgets:review_complete", w["review"].reference),
        w["review"],
    ),
    org_forms.OrganisationalEditForm: lambda w: (
        _r("enquiries:organisational_edit", w["org"].reference),
        w["org"],
    ),
    org_forms.ConclusionForm: lambda w: (
        _r("enquiries:organisational_conclude", w["org"].reference),
        w["org"],
    ),
    org_forms.SignOffForm: lambda w: (
        _r("enquiries:organisational_sign_off", w["org"].reference),
        w["org"],
    ),
    org_forms.ActionStatusForm: lambda w: (
        _r(
            "enquiries:organisational_action_edit",
            w["org"].reference,
            w["org_action"].pk,
        ),
        w["org_action"],
    ),
}


def test_every_edit_form_has_a_page_here():
    missing = sorted(cls.__qualname__ for cls in _edit_forms() - set(PAGES))
    assert not missing, f"edit forms with no page in this test: {missing}"


@pytest.mark.parametrize("form_class", list(PAGES), ids=lambda c: c.__qualname__)
def test_post_without_version_is_refused(client, lead, world, form_class):
    url, record = PAGES[form_class](world)
    client.force_login(lead)
    page = client.get(url)
    assert page.status_code == 200, url
    shown = form_values(page.content.decode())
    assert "version" in shown, f"{url} does not carry the version"
    data = {
        name: values
        for name, values in shown.items()
        if name not in ("version", "base", "csrfmiddlewaretoken")
    }
    before = type(record).objects.get(pk=record.pk).version
    response = client.post(url, data)
    assert response.status_code == 200, url
    assert STALE_PAGE_MESSAGE in response.content.decode()
    assert type(record).objects.get(pk=record.pk).version == before
