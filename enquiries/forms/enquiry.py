"""Forms for the stages of a section 42 enquiry."""

from __future__ import annotations

import datetime

from crispy_forms_gds.layout import Field, Fixed, Fluid, Size
from django import forms

from enquiries import codes
from enquiries.forms.base import (
    DateInput,
    bool_initial,
    date_field,
    make_helper,
    require,
    yes_no_field,
)
from enquiries.forms.concerns import clean_place, narrow_postcode
from enquiries.forms.partners import organisation_field
from enquiries.models import (
    AdvocacyReferral,
    CapacityAssessment,
    CausedEnquiry,
    Enquiry,
    Meeting,
    Organisation,
    OrganisationalEnquiry,
    PersonView,
    PlanAction,
    PlanReview,
    Risk,
    outstanding_requests,
)
from msp.editing import PLUMBING, VersionedForm
from msp.models import Team, User

# Stage 4: planning ---------------------------------------------------------


class MeetingForm(forms.ModelForm):
    held_on = date_field("Date of the discussion or meeting", required=True)
    adult_invited = yes_no_field(
        "Was the adult invited?",
        required=True,
        message="Select if the adult was invited",
    )
    adult_attended = yes_no_field(
        "Did the adult attend?", required=True, message="Select if the adult attended"
    )

    class Meta:
        model = Meeting
        fields = [
            "kind",
            "held_on",
            "format",
            "attendees",
            "adult_invited",
            "adult_attended",
            "how_views_brought",
            "lead_agency",
            "interim_protection",
            "decisions",
        ]
        widgets = {
            "kind": forms.RadioSelect,
            "format": forms.RadioSelect,
            "lead_agency": forms.RadioSelect,
        }
        labels = {"kind": "Type", "lead_agency": "Lead agency agreed"}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        require(
            self,
            {
                "kind": "Select the type of discussion or meeting",
                "format": "Select how it was held",
                "attendees": "Enter who attended and their organisations",
                "lead_agency": "Select the lead agency",
            },
        )
        self.fields["attendees"].help_text = "One a line, with their organisation"
        self.helper = make_helper(
            Field.radios("kind", legend_size=Size.SMALL),
            Field.text("held_on"),
            Field.radios("format", legend_size=Size.SMALL, inline=True),
            Field.textarea("attendees", rows=4),
            Field.radios("adult_invited", legend_size=Size.SMALL, inline=True),
            Field.radios("adult_attended", legend_size=Size.SMALL, inline=True),
            Field.textarea("how_views_brought", rows=3),
            Field.radios("lead_agency", legend_size=Size.SMALL),
            Field.textarea("interim_protection", rows=3),
            Field.textarea("decisions", rows=4),
            button="Save meeting",
        )

    def clean(self):
        data = super().clean()
        if data.get("adult_attended") and data.get("adult_invited") is False:
            self.add_error(
                "adult_invited", "Select yes if the adult attended the meeting"
            )
        if (
            data.get("adult_attended") is False
            and not (data.get("how_views_brought") or "").strip()
        ):
            self.add_error(
                "how_views_brought",
                "Enter how the adult's views were brought to the meeting",
            )
        return data


class CausedEnquiryForm(forms.ModelForm):
    """Asking a partner to make enquiries (s42(2)): the time is given in
    working days and the due date computed (weekends and bank holidays skipped)."""

    requested_on = date_field("Date requested", required=True)
    working_days = forms.IntegerField(
        label="Working days they have to respond",
        min_value=1,
        max_value=250,
        help_text="Weekends and bank holidays in England are not counted",
        error_messages={
            "required": "Enter how many working days they have to respond",
            "invalid": "Enter the number of working days as a whole number, like 20",
            "min_value": "Give at least 1 working day",
            "max_value": "Give no more than 250 working days",
        },
    )

    class Meta:
        model = CausedEnquiry
        fields = ["organisation", "scope", "requested_on", "working_days"]
        labels = {
            "organisation": "Organisation asked to make enquiries",
            "scope": "What they are asked to do or find out",
        }

    def __init__(self, *args, default_days: int = 20, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organisation"] = organisation_field(
            "Organisation asked to make enquiries"
        )
        if not self.is_bound:
            # An unsaved request's own fields are empty: fill them, keeping
            # anything passed in as initial data.
            for name, value in (
                ("working_days", default_days),
                ("requested_on", datetime.date.today()),
            ):
                if self.initial.get(name) in (None, ""):
                    self.initial[name] = value
        require(self, {"scope": "Enter what they are asked to do or find out"})
        self.helper = make_helper(
            Field.select("organisation"),
            Field.textarea("scope", rows=4),
            Field.text("requested_on"),
            Field.text("working_days", field_width=Fluid.ONE_QUARTER),
            button="Save request",
        )


class CausedEnquiryReportForm(VersionedForm, forms.ModelForm):
    report_received_on = date_field("Date the response was received", required=True)
    council_satisfied = yes_no_field(
        "Is the council satisfied with the response?",
        required=True,
        message="Select if the council is satisfied with the response",
    )

    class Meta:
        model = CausedEnquiry
        fields = ["report_received_on", "response_summary", "council_satisfied"]
        labels = {"response_summary": "Summary of their response"}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.is_bound and self.instance.pk:
            self.initial["council_satisfied"] = bool_initial(
                self.instance.council_satisfied
            )
        require(self, {"response_summary": "Enter a summary of their response"})
        self.helper = make_helper(
            Field.text("report_received_on"),
            Field.textarea("response_summary", rows=5),
            Field.radios("council_satisfied", legend_size=Size.SMALL, inline=True),
            button="Save response",
        )

    def clean(self):
        data = super().clean()
        received = data.get("report_received_on")
        if received and received < self.instance.requested_on:
            self.add_error(
                "report_received_on",
                "Date received must be on or after the date requested",
            )
        return data


# The adult's views at a stage ---------------------------------------------


class StageViewForm(forms.ModelForm):
    class Meta:
        model = PersonView
        fields = [
            "source",
            "source_name",
            "not_obtained_reason",
            "method",
            "given_on",
            "views_text",
            "own_words",
            "what_matters",
            "worries",
        ]
        widgets = {
            "source": forms.RadioSelect,
            "not_obtained_reason": forms.RadioSelect,
            "method": forms.RadioSelect,
            "given_on": DateInput,
        }
        labels = {
            "not_obtained_reason": "If the views could not be obtained, why not",
            "method": "How the views were given",
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        require(
            self,
            {
                "source": "Select whose views these are",
            },
        )
        self.fields["given_on"].label = "Date they gave their views (or were tried)"
        self.fields["given_on"].help_text = "If it was not today, enter the day it was."
        self.fields["given_on"].error_messages["invalid"] = (
            "Enter the date they gave their views as a real date, like 27 3 2024"
        )
        if not self.is_bound and self.initial.get("given_on") in (None, ""):
            self.initial["given_on"] = datetime.date.today()
        self.fields["views_text"].help_text = "Use their own words where you can"
        self.fields["not_obtained_reason"].choices = list(
            codes.ViewNotObtainedReason.choices
        )
        self.fields["method"].choices = list(codes.ViewMethod.choices)
        self.helper = make_helper(
            Field.radios("source", legend_size=Size.SMALL),
            Field.text("source_name", field_width=Fluid.TWO_THIRDS),
            Field.radios("not_obtained_reason", legend_size=Size.SMALL),
            Field.radios("method", legend_size=Size.SMALL),
            Field.text("given_on"),
            Field.textarea("views_text", rows=5),
            Field.checkbox("own_words"),
            Field.textarea("what_matters", rows=3),
            Field.textarea("worries", rows=3),
            button="Save views",
        )


# Stage 5: the enquiry -------------------------------------------------------


def _default_today(form: forms.ModelForm, name: str) -> None:
    """An event date: today unless recorded already; the hint says so."""
    field = form.fields[name]
    field.widget = DateInput()
    field.help_text = "If it was not today, enter the day it was"
    field.error_messages["invalid"] = (
        f"Enter {field.label.lower()} as a real date, like 27 3 2024"
    )
    if not form.is_bound and not getattr(form.instance, name):
        form.initial[name] = datetime.date.today()


class FindingsForm(VersionedForm, forms.ModelForm):
    seen_alone = yes_no_field("Was the adult seen alone?", required=False, unknown=True)

    class Meta:
        model = Enquiry
        fields = [
            "findings",
            "findings_on",
            "spoken_to",
            "seen_alone",
            "evidence_notes",
        ]
        labels = {
            "findings": "What the enquiry found",
            "findings_on": "Date of the findings",
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        require(self, {"findings": "Enter what the enquiry found"})
        _default_today(self, "findings_on")
        if not self.is_bound:
            self.initial["seen_alone"] = (
                bool_initial(self.instance.seen_alone) or "unknown"
            )
        self.fields["spoken_to"].help_text = "Names, roles and organisations"
        self.helper = make_helper(
            Field.textarea("findings", rows=6),
            Field.text("findings_on"),
            Field.textarea("spoken_to", rows=4),
            Field.radios("seen_alone", legend_size=Size.SMALL, inline=True),
            Field.textarea("evidence_notes", rows=4),
            button="Save findings",
        )


# Stage 6: outcome -------------------------------------------------------------

NOTIFICATIONS = [
    ("police", "Police"),
    ("cqc", "Care Quality Commission (CQC)"),
    ("dbs", "Disclosure and Barring Service (DBS)"),
    ("regulator", "Professional regulator"),
]


class OutcomeForm(VersionedForm, forms.ModelForm):
    notifications = forms.MultipleChoiceField(
        label="Who was notified",
        choices=NOTIFICATIONS,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    capacity_support = yes_no_field(
        "Was the adult supported by an advocate, family or friend?", required=False
    )

    class Meta:
        model = Enquiry
        fields = [
            "risk_assessment_outcome",
            "risk_result",
            "outcome_on",
            "action_about_source",
            "notifications",
            "lacked_capacity",
            "capacity_support",
        ]
        widgets = {
            "risk_assessment_outcome": forms.RadioSelect,
            "risk_result": forms.RadioSelect,
            "lacked_capacity": forms.RadioSelect,
        }
        labels = {
            "risk_assessment_outcome": "Outcome of the risk assessment",
            "risk_result": "Where a risk was identified: the result",
            "outcome_on": "Date of the outcome",
        }

    def __init__(
        self, *args, capacity_suggestion: str = "", supported: bool = False, **kwargs
    ):
        super().__init__(*args, **kwargs)
        require(
            self,
            {
                "risk_assessment_outcome": "Select the outcome of the risk assessment",
                "lacked_capacity": "Select whether the adult lacked capacity to "
                "make decisions about the enquiry",
            },
        )
        self.fields["risk_assessment_outcome"].choices = list(codes.RiskOutcome.choices)
        self.fields["risk_result"].choices = list(codes.RiskResult.choices)
        self.fields["lacked_capacity"].choices = list(codes.YesNoDontKnow.choices)
        _default_today(self, "outcome_on")
        self.fields[
            "risk_result"
        ].help_text = "Only when a risk was identified: did it remain, reduce or go?"
        if not self.is_bound:
            self.initial["capacity_support"] = bool_initial(
                self.instance.capacity_support
            )
            if not self.instance.lacked_capacity and capacity_suggestion:
                self.initial["lacked_capacity"] = capacity_suggestion
            if self.instance.capacity_support is None and supported:
                self.initial["capacity_support"] = "yes"
        self.helper = make_helper(
            Field.radios("risk_assessment_outcome", legend_size=Size.SMALL),
            Field.radios("risk_result", legend_size=Size.SMALL),
            Field.text("outcome_on"),
            Field.textarea("action_about_source", rows=4),
            Field.checkboxes("notifications", legend_size=Size.SMALL),
            Field.radios("lacked_capacity", legend_size=Size.SMALL),
            Field.radios("capacity_support", legend_size=Size.SMALL, inline=True),
            button="Save outcome",
        )

    def clean(self):
        data = super().clean()
        outcome = data.get("risk_assessment_outcome")
        result = data.get("risk_result")
        identified = outcome in codes.RiskOutcome.risk_identified()
        if outcome and identified and not result:
            self.add_error(
                "risk_result",
                "Select whether the risk remained, was reduced or was removed",
            )
        if (
            data.get("lacked_capacity") == "yes"
            and data.get("capacity_support") is None
        ):
            self.add_error(
                "capacity_support",
                "Select whether the adult was supported by an advocate, family or friend",
            )
        return data


class EnquiryRiskForm(forms.ModelForm):
    class Meta:
        model = Risk
        fields = [
            "risk_type",
            "location",
            "place_postcode",
            "place_name",
            "source",
            "source_person_name",
            "source_relationship",
            "source_organisation",
            "details",
        ]
        labels = {
            "place_postcode": "Postcode of the place where it happened (optional)",
            "place_name": "Name of the place (optional)",
        }
        help_texts = {
            "place_postcode": "Only if it was not the adult's own home, for "
            "example a care home, day centre or hospital.",
        }
        widgets = {"source": forms.RadioSelect}

    def clean(self):
        data = super().clean()
        clean_place(self)
        return data

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        require(
            self,
            {
                "risk_type": "Select the type of risk",
                "location": "Select where the risk is",
                "source": "Select the source of the risk",
            },
        )
        self.fields["source"].choices = list(codes.RiskSource.choices)
        self.fields["source_organisation"].queryset = Organisation.objects.filter(
            is_active=True
        )
        narrow_postcode(self)
        self.helper = make_helper(
            Field.select("risk_type"),
            Field.select("location"),
            Field.text("place_postcode", field_width=Fixed.TEN),
            Field.text("place_name", field_width=Fluid.TWO_THIRDS),
            Field.radios("source", legend_size=Size.SMALL),
            Field.text("source_person_name", field_width=Fluid.TWO_THIRDS),
            Field.text("source_relationship", field_width=Fluid.TWO_THIRDS),
            Field.select("source_organisation"),
            Field.textarea("details", rows=3),
            button="Add risk",
        )


# Mental capacity and advocacy -------------------------------------------------


ABILITY_LIMBS = [
    ("understand", "Can they understand the relevant information?"),
    ("retain", "Can they retain it?"),
    ("use_or_weigh", "Can they use or weigh it to make the decision?"),
    ("communicate", "Can they communicate their decision (by any means)?"),
]


class CapacityAssessmentForm(forms.ModelForm):
    assessed_on = date_field("Date assessed", required=True)
    reassess_by = date_field("Reassess by", required=False)
    impairment = yes_no_field(
        "Stage 1: is there an impairment of, or disturbance in the functioning of, "
        "the mind or brain?",
        required=True,
        message="Select if there is an impairment of the mind or brain",
    )

    class Meta:
        model = CapacityAssessment
        fields = [
            "decision_in_question",
            "assessed_on",
            "practicable_steps",
            "impairment",
            "impairment_evidence",
            "understand",
            "understand_evidence",
            "retain",
            "retain_evidence",
            "use_or_weigh",
            "use_or_weigh_evidence",
            "communicate",
            "communicate_evidence",
            "conclusion",
            "reassess_by",
            "best_interests_decision",
            "best_interests_consulted",
            "best_interests_decided_by",
        ]
        widgets = {
            "understand": forms.RadioSelect,
            "retain": forms.RadioSelect,
            "use_or_weigh": forms.RadioSelect,
            "communicate": forms.RadioSelect,
            "conclusion": forms.RadioSelect,
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        require(
            self,
            {
                "decision_in_question": "Enter the specific decision being assessed",
                "conclusion": "Select the conclusion",
            },
        )
        for name, label in ABILITY_LIMBS:
            self.fields[name].label = f"Stage 2: {label[0].lower()}{label[1:]}"
            self.fields[name].choices = list(CapacityAssessment.Ability.choices)
            self.fields[f"{name}_evidence"].label = "Evidence (their words if you can)"
        self.fields["conclusion"].choices = list(CapacityAssessment.Conclusion.choices)
        self.fields[
            "decision_in_question"
        ].help_text = (
            "One decision, for example: to take part in the safeguarding enquiry"
        )
        limbs = []
        for name, _label in ABILITY_LIMBS:
            limbs += [
                Field.radios(name, legend_size=Size.SMALL, inline=True),
                Field.textarea(f"{name}_evidence", rows=2),
            ]
        self.helper = make_helper(
            Field.text("decision_in_question"),
            Field.text("assessed_on"),
            Field.textarea("practicable_steps", rows=3),
            Field.radios("impairment", legend_size=Size.SMALL, inline=True),
            Field.textarea("impairment_evidence", rows=2),
            *limbs,
            Field.radios("conclusion", legend_size=Size.SMALL),
            Field.text("reassess_by"),
            Field.textarea("best_interests_decision", rows=3),
            Field.textarea("best_interests_consulted", rows=3),
            Field.text("best_interests_decided_by", field_width=Fluid.TWO_THIRDS),
            button="Save assessment",
        )


DIFFICULTIES = [
    ("difficulty_understanding", "Understanding the relevant information"),
    ("difficulty_retaining", "Retaining that information"),
    ("difficulty_weighing", "Using or weighing the information"),
    ("difficulty_communicating", "Communicating their views, wishes or feelings"),
]


class AdvocacyForm(forms.Form):
    difficulties = forms.MultipleChoiceField(
        label="Would the adult have substantial difficulty being involved in any of these?",
        help_text="Select all that apply. Leave empty if none.",
        choices=DIFFICULTIES,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    appropriate_person_available = yes_no_field(
        "Is there an appropriate person to support and represent them?",
        required=True,
        message="Select if there is an appropriate person",
    )
    appropriate_person_name = forms.CharField(
        label="Name of the appropriate person", required=False, max_length=200
    )
    kind = forms.ChoiceField(
        label="Type of advocacy if needed",
        choices=AdvocacyReferral.Kind.choices,
        widget=forms.RadioSelect,
        initial=AdvocacyReferral.Kind.CARE_ACT_S68,
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields[
            "appropriate_person_available"
        ].help_text = "Not someone paid or professionally engaged in their care"
        self.fields["kind"].error_messages["required"] = "Select the type of advocacy"
        self.helper = make_helper(
            Field.checkboxes("difficulties", legend_size=Size.SMALL),
            Field.radios(
                "appropriate_person_available", legend_size=Size.SMALL, inline=True
            ),
            Field.text("appropriate_person_name", field_width=Fluid.TWO_THIRDS),
            Field.radios("kind", legend_size=Size.SMALL),
            button="Save",
        )

    def clean(self):
        data = super().clean()
        if (
            data.get("appropriate_person_available")
            and not (data.get("appropriate_person_name") or "").strip()
        ):
            self.add_error(
                "appropriate_person_name", "Enter the name of the appropriate person"
            )
        return data

    def model_data(self) -> dict:
        data = self.cleaned_data
        chosen = set(data["difficulties"])
        values = {name: name in chosen for name, _ in DIFFICULTIES}
        values.update(
            appropriate_person_available=data["appropriate_person_available"],
            appropriate_person_name=data["appropriate_person_name"].strip(),
            kind=data["kind"],
        )
        return values


ADVOCACY_STEP_FIELDS = {
    AdvocacyReferral.Status.NEEDED: ["referred_on", "provider"],
    AdvocacyReferral.Status.REFERRED: ["allocated_on", "advocate_name"],
    AdvocacyReferral.Status.ALLOCATED: ["ended_on"],
}


class AdvocacyProgressForm(VersionedForm, forms.Form):
    referred_on = date_field("Date referred", required=True)
    provider = forms.CharField(
        label="Advocacy provider referred to", max_length=200, required=True
    )
    allocated_on = date_field("Date the advocate was allocated", required=True)
    advocate_name = forms.CharField(
        label="Advocate's name", max_length=200, required=True
    )
    ended_on = date_field("Date the advocacy ended", required=True)

    def __init__(self, *args, referral: AdvocacyReferral, **kwargs):
        super().__init__(*args, **kwargs)
        self.referral = referral
        self.fields["provider"].error_messages["required"] = (
            "Enter who the referral was made to"
        )
        self.fields["advocate_name"].error_messages["required"] = (
            "Enter the advocate's name"
        )
        keep = ADVOCACY_STEP_FIELDS.get(referral.status, [])
        for name in list(self.fields):
            if name not in keep and name not in PLUMBING:
                del self.fields[name]
        self.helper = make_helper(
            *[Field.text(name, field_width=Fluid.TWO_THIRDS) for name in keep],
            button="Save",
        )

    def clean(self):
        data = super().clean()
        referred_on = self.referral.referred_on
        for name in ("allocated_on", "ended_on"):
            if data.get(name) and referred_on and data[name] < referred_on:
                self.add_error(name, "Date must be on or after the date referred")
        return data


# Stage 7: safeguarding plan --------------------------------------------------


class PlanActionForm(VersionedForm, forms.ModelForm):
    due_on = date_field("Due date", required=True, message="Enter when it is due")
    desired_outcomes = forms.ModelMultipleChoiceField(
        label="Which of the adult's desired outcomes does it serve?",
        queryset=None,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    class Meta:
        model = PlanAction
        fields = [
            "description",
            "owner",
            "due_on",
            "status",
            "status_reason",
            "desired_outcomes",
        ]
        widgets = {"status": forms.RadioSelect}
        labels = {"description": "What will be done", "status_reason": "Why not done"}

    def __init__(self, *args, outcomes, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["desired_outcomes"].queryset = outcomes
        self.fields["desired_outcomes"].label_from_instance = lambda o: o.text
        require(
            self,
            {
                "description": "Enter what will be done",
                "owner": "Enter who will do it",
                "status": "Select the status",
            },
        )
        self.fields["status"].choices = list(PlanAction.Status.choices)
        self.helper = make_helper(
            Field.textarea("description", rows=3),
            Field.text("owner", field_width=Fluid.TWO_THIRDS),
            Field.text("due_on"),
            Field.radios("status", legend_size=Size.SMALL),
            Field.textarea("status_reason", rows=2),
            Field.checkboxes("desired_outcomes", legend_size=Size.SMALL),
            button="Save action",
        )

    def clean(self):
        data = super().clean()
        if (
            data.get("status") == PlanAction.Status.NOT_DONE
            and not (data.get("status_reason") or "").strip()
        ):
            self.add_error("status_reason", "Enter why the action was not done")
        return data


class PlanAgreementForm(VersionedForm, forms.ModelForm):
    plan_agreed_with_adult = yes_no_field(
        "Was the plan agreed with the adult?",
        required=True,
        message="Select if the plan was agreed with the adult",
    )

    class Meta:
        model = Enquiry
        fields = ["plan_agreed_with_adult", "plan_not_agreed_reason"]
        labels = {"plan_not_agreed_reason": "If not, why not"}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.initial["plan_agreed_with_adult"] = bool_initial(
                self.instance.plan_agreed_with_adult
            )
        self.helper = make_helper(
            Field.radios("plan_agreed_with_adult", legend_size=Size.SMALL, inline=True),
            Field.textarea("plan_not_agreed_reason", rows=3),
            button="Save agreement",
        )

    def clean(self):
        data = super().clean()
        if (
            data.get("plan_agreed_with_adult") is False
            and not (data.get("plan_not_agreed_reason") or "").strip()
        ):
            self.add_error(
                "plan_not_agreed_reason",
                "Enter why the plan was not agreed with the adult",
            )
        return data


class PlanReviewForm(forms.ModelForm):
    reviewed_on = date_field("Date of the review", required=True)
    next_review_on = date_field("Next review", required=False)

    class Meta:
        model = PlanReview
        fields = [
            "reviewed_on",
            "adult_view",
            "risk_rating",
            "decision",
            "notes",
            "next_review_on",
        ]
        widgets = {
            "risk_rating": forms.RadioSelect,
            "decision": forms.RadioSelect,
        }
        labels = {"risk_rating": "Risk now"}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        require(
            self,
            {
                "adult_view": "Enter the adult's view of the plan",
                "risk_rating": "Select how high the risk is now",
                "decision": "Select the decision",
            },
        )
        self.fields["risk_rating"].choices = list(PlanReview.RiskRating.choices)
        self.fields["decision"].choices = list(PlanReview.Decision.choices)
        self.fields["adult_view"].help_text = "In their own words where you can"
        self.helper = make_helper(
            Field.text("reviewed_on"),
            Field.textarea("adult_view", rows=4),
            Field.radios("risk_rating", legend_size=Size.SMALL, inline=True),
            Field.radios("decision", legend_size=Size.SMALL),
            Field.textarea("notes", rows=3),
            Field.text("next_review_on"),
            button="Save review",
        )

    def clean(self):
        data = super().clean()
        reviewed, following = data.get("reviewed_on"), data.get("next_review_on")
        if reviewed and following and following <= reviewed:
            self.add_error("next_review_on", "Next review must be after this review")
        return data


# Stage 8: closure --------------------------------------------------------------


class ClosureForm(VersionedForm, forms.ModelForm):
    checklist = forms.MultipleChoiceField(
        label="Closure checklist",
        help_text="Select everything that has been done or considered",
        choices=Enquiry.CLOSURE_CHECKLIST,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    sar_considered = yes_no_field(
        "Was a Safeguarding Adults Review considered?",
        required=True,
        message="Select if a Safeguarding Adults Review was considered",
    )
    open_requests_reason = forms.CharField(
        label="Why can the enquiry close while a request to a partner is "
        "still awaiting a response?",
        required=False,
        widget=forms.Textarea,
    )

    class Meta:
        model = Enquiry
        fields = [
            "closure_reason",
            "concluded_on",
            "adult_view_on_closure",
            "sar_considered",
            "lessons_learned",
        ]
        widgets = {
            "closure_reason": forms.RadioSelect,
            "adult_view_on_closure": forms.RadioSelect,
        }
        labels = {
            "closure_reason": "Reason for closure",
            "concluded_on": "Date the enquiry concluded",
            "adult_view_on_closure": "The adult's view on closure",
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        require(
            self,
            {
                "closure_reason": "Select the reason for closure",
                "adult_view_on_closure": "Select the adult's view on closure",
            },
        )
        self.fields["concluded_on"].widget = DateInput()
        self.fields["concluded_on"].help_text = (
            "The day the enquiry's work ended, if not today. The manager "
            "confirms it at sign-off; the SAC counts the enquiry in its year."
        )
        self.fields["concluded_on"].error_messages["invalid"] = (
            "Enter the date the enquiry concluded as a real date, like 27 3 2024"
        )
        if not self.is_bound and not self.instance.concluded_on:
            self.initial["concluded_on"] = datetime.date.today()
        self.fields["closure_reason"].choices = list(Enquiry.ClosureReason.choices)
        self.fields["adult_view_on_closure"].choices = list(
            Enquiry.ViewOnClosure.choices
        )
        if not self.is_bound:
            self.initial["checklist"] = [
                key for key, done in self.instance.closure_checklist.items() if done
            ]
            self.initial["sar_considered"] = (
                "yes" if self.instance.sar_considered else None
            )
        # Requests to partners still awaiting a response: closing asks why.
        self.open_requests = (
            list(
                outstanding_requests()
                .filter(enquiry=self.instance)
                .select_related("organisation")
            )
            if self.instance.pk
            else []
        )
        extra = []
        if self.open_requests:
            names = ", ".join(str(r.organisation) for r in self.open_requests)
            self.fields["open_requests_reason"].help_text = (
                f"Still awaiting a response: {names}. Chase or close the request "
                "from the partners page, or say why the enquiry can close anyway."
            )
            extra = [Field.textarea("open_requests_reason", rows=3)]
        else:
            del self.fields["open_requests_reason"]
        self.helper = make_helper(
            Field.radios("closure_reason", legend_size=Size.SMALL),
            Field.text("concluded_on"),
            Field.radios("adult_view_on_closure", legend_size=Size.SMALL),
            Field.checkboxes("checklist", legend_size=Size.SMALL),
            Field.radios("sar_considered", legend_size=Size.SMALL, inline=True),
            *extra,
            Field.textarea("lessons_learned", rows=4),
            button="Save and ask a manager to sign off",
        )

    def clean(self):
        data = super().clean()
        if self.open_requests and not (data.get("open_requests_reason") or "").strip():
            self.add_error(
                "open_requests_reason",
                "Enter why the enquiry can close while a request to a partner "
                "is still awaiting a response",
            )
        return data

    def model_data(self) -> dict:
        data = self.cleaned_data
        chosen = set(data["checklist"])
        return {
            "closure_reason": data["closure_reason"],
            "concluded_on": data.get("concluded_on"),
            "adult_view_on_closure": data["adult_view_on_closure"],
            "sar_considered": bool(data["sar_considered"]),
            "lessons_learned": data["lessons_learned"],
            "closure_checklist": {
                key: key in chosen for key, _label in Enquiry.CLOSURE_CHECKLIST
            },
        }


class SignOffForm(forms.Form):
    """The manager confirms (or corrects) the date the enquiry concluded."""

    concluded_on = date_field(
        "Date the enquiry concluded",
        required=False,
        message="Enter the date the enquiry concluded",
        help_text="As asked for with the closure request. Correct it if it is wrong.",
    )

    def __init__(self, *args, enquiry=None, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.is_bound and enquiry is not None:
            self.initial["concluded_on"] = enquiry.concluded_on or datetime.date.today()
        self.helper = make_helper(
            Field.text("concluded_on"), button="Sign off and close the enquiry"
        )


class SendBackForm(forms.Form):
    reason = forms.CharField(
        label="Why are you sending it back?",
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": "Enter why the closure request is being sent back"},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = make_helper(Field.textarea("reason", rows=3), button="Send back")
        self.helper.form_action = ""


# Allocation and large-scale enquiries ------------------------------------------


class AllocationForm(VersionedForm, forms.Form):
    team = forms.ModelChoiceField(
        label="Team",
        queryset=Team.objects.filter(is_active=True),
        error_messages={"required": "Select the team"},
    )
    worker = forms.ModelChoiceField(
        label="Worker",
        queryset=User.objects.none(),
        required=False,
        empty_label="Not yet allocated to a worker",
    )
    reason = forms.CharField(
        label="Reason",
        help_text="Needed when the enquiry moves to another team",
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        max_length=255,
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["worker"].queryset = (
            User.objects.filter(
                is_active=True,
                teams__isnull=False,
                groups__permissions__codename="manage_cases",
            )
            .distinct()
            .order_by("last_name", "first_name")
        )
        self.helper = make_helper(
            Field.select("team"),
            Field.select("worker"),
            Field.textarea("reason", rows=3),
            button="Save allocation",
        )

    def record_values(self, record) -> dict:
        return {"team": record.team, "worker": record.allocated_to}


class OrganisationalEnquiryForm(forms.ModelForm):
    started_on = date_field("Date started", required=True)
    placements_embargoed = yes_no_field(
        "Are new placements with this provider suspended (embargo)?",
        required=True,
        message="Select if new placements are suspended",
    )

    class Meta:
        model = OrganisationalEnquiry
        fields = [
            "organisation",
            "team",
            "trigger",
            "started_on",
            "placements_embargoed",
            "provider_actions",
        ]
        labels = {"organisation": "Provider", "trigger": "What prompted it"}

    def __init__(self, *args, teams, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["team"].queryset = teams
        self.fields["organisation"].queryset = Organisation.objects.filter(
            is_active=True
        )
        require(
            self,
            {
                "organisation": "Select the provider",
                "team": "Select the team leading it",
                "trigger": "Enter what prompted the large-scale enquiry",
            },
        )
        self.helper = make_helper(
            Field.select("organisation"),
            Field.select("team"),
            Field.textarea("trigger", rows=4),
            Field.text("started_on"),
            Field.radios("placements_embargoed", legend_size=Size.SMALL, inline=True),
            Field.textarea("provider_actions", rows=3),
            button="Start large-scale enquiry",
        )


class LinkEnquiryForm(forms.Form):
    enquiry = forms.ModelChoiceField(
        label="Enquiry to link",
        queryset=Enquiry.objects.none(),
        to_field_name="reference",
        error_messages={
            "required": "Select an enquiry to link",
            "invalid_choice": "Select an enquiry you can see that is not already linked",
        },
    )

    def __init__(self, *args, candidates, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["enquiry"].queryset = candidates
        self.fields["enquiry"].label_from_instance = lambda e: (
            f"{e.concern.person.full_name} – {e.get_kind_display()} "
            f"started {e.started_on:%-d %B %Y}"
        )
        self.helper = make_helper(Field.select("enquiry"), button="Link enquiry")
