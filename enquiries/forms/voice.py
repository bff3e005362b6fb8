"""Forms for the adult's voice: views, desired outcomes, consent; and case notes."""

from __future__ import annotations

import datetime

from django import forms

from enquiries import codes
from enquiries.models import (
    CaseNote,
    ConsentDecision,
    DesiredOutcome,
    OutcomeCategory,
    PersonView,
)
from msp.editing import VersionedForm
from msp.forms import DateInput, GdsForm, GdsModelForm

# The adult's voice --------------------------------------------------------------


def _event_date(form, name: str, message: str) -> None:
    """An event's date: required, today unless the event was earlier."""
    field = form.fields[name]
    # Left empty, the service dates the event today.
    field.required = False
    field.error_messages["required"] = message
    field.help_text = field.help_text or "If it was not today, enter the day it was."
    if not form.is_bound and not form.initial.get(name):
        form.initial[name] = datetime.date.today()


class PersonViewForm(GdsModelForm):
    submit_label = "Save views"
    required_messages = {"method": "Select how the views were given"}

    class Meta:
        model = PersonView
        fields = [
            "stage",
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
        labels = {
            "given_on": "Date they gave their views (or were tried)",
            "stage": "Stage",
            "source": "Whose views are these",
            "source_name": "Name of who gave them (optional)",
            "not_obtained_reason": "If the views could not be obtained: why",
            "method": "How were they given",
            "views_text": "What they said",
            "own_words": "These are their own words",
            "what_matters": "What matters to them (optional)",
            "worries": "What worries them (optional)",
        }
        widgets = {
            "stage": forms.RadioSelect,
            "source": forms.RadioSelect,
            "not_obtained_reason": forms.RadioSelect,
            "method": forms.RadioSelect,
            "given_on": DateInput,
        }

    def __init__(self, *args, stages=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["stage"].choices = [
            (value, label) for value, label in codes.Stage.choices if value in stages
        ]
        self._gds_setup()
        _event_date(self, "given_on", "Enter the date they gave their views")


class PersonViewCorrectionForm(PersonViewForm):
    submit_label = "Save the correction"
    required_messages = {
        **PersonViewForm.required_messages,
        "correction_reason": "Enter why the earlier entry is being corrected",
    }

    correction_reason = forms.CharField(
        label="Why is the earlier entry being corrected", max_length=255
    )


class DesiredOutcomeForm(GdsModelForm):
    submit_label = "Save desired outcome"

    class Meta:
        model = DesiredOutcome
        fields = ["stage", "text", "expressed_by", "category"]
        labels = {
            "stage": "Stage",
            "text": "What they want to happen, in their own words",
            "expressed_by": "Who said it",
            "category": "Kind of outcome (optional)",
        }
        widgets = {"stage": forms.RadioSelect, "expressed_by": forms.RadioSelect}

    def __init__(self, *args, stages=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["stage"].choices = [
            (value, label) for value, label in codes.Stage.choices if value in stages
        ]
        self.fields["category"].queryset = OutcomeCategory.objects.filter(
            is_active=True
        )
        self.fields["expressed_by"].choices = [
            c
            for c in codes.ViewSource.choices
            if c[0] not in (codes.ViewSource.NOT_OBTAINED, codes.ViewSource.REFERRER)
        ]
        self._gds_setup()


class DesiredOutcomeReviseForm(GdsForm):
    submit_label = "Save the revised outcome"
    required_messages = {"reason": "Enter why it has changed"}

    stage = forms.ChoiceField(label="Stage", widget=forms.RadioSelect)
    text = forms.CharField(
        label="What they want to happen now, in their own words",
        widget=forms.Textarea,
    )
    reason = forms.CharField(label="Why has it changed", max_length=255)

    def __init__(self, *args, stages=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["stage"].choices = [
            (value, label) for value, label in codes.Stage.choices if value in stages
        ]
        self._gds_setup()


class DesiredOutcomeWithdrawForm(GdsForm):
    submit_label = "Withdraw the outcome"
    required_messages = {"reason": "Enter why it is being withdrawn"}

    reason = forms.CharField(label="Why is it being withdrawn", max_length=255)


class AskedOutcomesForm(VersionedForm, GdsForm):
    submit_label = "Save answer"
    required_messages = {
        "asked_desired_outcomes": (
            "Select if the adult (or their representative) was asked what they "
            "want to happen"
        ),
        "reason": "Enter why you are changing the answer",
    }

    asked_desired_outcomes = forms.ChoiceField(
        label="Was the adult (or their representative) asked what they want to happen",
        choices=codes.YesNoDontKnow.choices,
        widget=forms.RadioSelect,
    )
    reason = forms.CharField(
        label="Why are you changing the answer",
        help_text=(
            "Only needed when you change the answer already shown. It is kept "
            "on the record and shown in the chronology"
        ),
        widget=forms.Textarea,
        required=False,
    )


class ConsentForm(GdsModelForm):
    submit_label = "Save consent decision"
    required_messages = {
        "question": "Select what the adult's consent was sought for",
        "adult_informed_of_override": (
            "Select if the adult has been told about the override"
        ),
    }

    override_grounds = forms.MultipleChoiceField(
        label="Grounds for overriding (if overriding)",
        choices=ConsentDecision.OverrideGround.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    adult_informed_of_override = forms.TypedChoiceField(
        label="Has the adult been told about the override (if overriding)",
        choices=[("yes", "Yes"), ("no", "No")],
        coerce=lambda v: v == "yes",
        empty_value=None,
        widget=forms.RadioSelect,
        required=False,
    )

    class Meta:
        model = ConsentDecision
        fields = [
            "question",
            "agency",
            "answer",
            "decided_on",
            "not_asked_reason",
            "overridden",
            "override_grounds",
            "override_reason",
            "adult_informed_of_override",
        ]
        labels = {
            "question": "What was the adult's consent sought for",
            "agency": "Which agency (for sharing information)",
            "answer": "Their answer",
            "not_asked_reason": "If not asked: why",
            "overridden": "Their decision is being overridden",
            "override_reason": "Reasons for overriding (if overriding)",
        }
        widgets = {
            "question": forms.RadioSelect,
            "answer": forms.RadioSelect,
            "not_asked_reason": forms.Textarea,
            "decided_on": DateInput,
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _event_date(self, "decided_on", "Enter the date of the decision")


class ConfirmOverrideForm(GdsForm):
    submit_label = "Confirm the override"

    confirm = forms.BooleanField(
        label="I have reviewed the grounds and confirm the override"
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["confirm"].error_messages["required"] = (
            "Confirm that you have reviewed the grounds"
        )


class DisagreeOverrideForm(GdsForm):
    submit_label = "Record that I do not agree"

    reason = forms.CharField(
        label="Why should the override not stand?",
        help_text="The practitioner who recorded it is told, and the adult's "
        "decision stands.",
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=2000,
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["reason"].error_messages["required"] = (
            "Enter why the override should not stand"
        )

    def clean_reason(self) -> str:
        reason = self.cleaned_data["reason"].strip()
        if not reason:
            raise forms.ValidationError("Enter why the override should not stand")
        return reason


class CaseNoteForm(VersionedForm, GdsModelForm):
    submit_label = "Save draft"

    class Meta:
        model = CaseNote
        fields = ["text", "significant"]
        labels = {"text": "Case note", "significant": "This is a significant event"}
        widgets = {"text": forms.Textarea}
