"""Forms for PiPoT cases (people in a position of trust)."""

from __future__ import annotations

import re
import uuid

from django import forms
from django.contrib.auth import get_user_model

from enquiries.forms.base import DateInput, GdsForm, GdsModelForm
from enquiries.forms.partners import OrganisationChoiceField, organisation_field
from enquiries.models import Organisation, PipotCase, PipotReferral
from msp.editing import VersionedForm


def _dates(form, *names: str) -> None:
    for name in names:
        form.fields[name].widget = DateInput()
        label = (form.fields[name].label or name).lower()
        form.fields[name].error_messages["invalid"] = (
            f"Enter {label} as a real date, like 27 3 2024"
        )


class PipotCaseForm(GdsModelForm):
    submit_label = "Open PiPoT case"

    class Meta:
        model = PipotCase
        fields = [
            "subject_name",
            "subject_role",
            "subject_kind",
            "employer",
            "allegation",
            "opened_on",
            "employer_notified_on",
            "employer_actions",
        ]
        widgets = {"subject_kind": forms.RadioSelect}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["employer"] = organisation_field("Employer or agency")
        self.fields["subject_name"].error_messages["required"] = (
            "Enter the name of the person in a position of trust"
        )
        self.fields["subject_role"].error_messages["required"] = (
            "Enter their role or job title"
        )
        self.fields["subject_kind"].error_messages["required"] = (
            "Select how they work with adults"
        )
        self.fields["allegation"].error_messages["required"] = "Enter what is alleged"
        self.fields["opened_on"].error_messages["required"] = (
            "Enter the date the PiPoT case was opened"
        )
        self.fields[
            "subject_name"
        ].help_text = "Only their name and role: do not create a person record for them"
        _dates(self, "opened_on", "employer_notified_on")


class PipotCaseChangeForm(VersionedForm, PipotCaseForm):
    submit_label = "Save changes"


class PipotReferralForm(GdsModelForm):
    submit_label = "Save referral"

    class Meta:
        model = PipotReferral
        fields = ["kind", "organisation", "referred_on", "outcome", "outcome_on"]
        widgets = {"kind": forms.RadioSelect}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organisation"] = OrganisationChoiceField(
            queryset=Organisation.objects.filter(is_active=True).order_by("name", "pk"),
            label="Which organisation (if known)",
            required=False,
            empty_label="Not known",
        )
        self.fields["kind"].error_messages["required"] = "Select who it was referred to"
        self.fields["referred_on"].error_messages["required"] = (
            "Enter the date referred"
        )
        self.fields["outcome"].required = False
        _dates(self, "referred_on", "outcome_on")


class ReferralOutcomeForm(VersionedForm, GdsForm):
    submit_label = "Save outcome"

    outcome = forms.CharField(label="Outcome of the referral", widget=forms.Textarea)
    outcome_on = forms.DateField(label="Date of the outcome", widget=DateInput)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["outcome"].error_messages["required"] = (
            "Enter the outcome of the referral"
        )
        self.fields["outcome_on"].error_messages["required"] = (
            "Enter the date of the outcome"
        )
        _dates(self, "outcome_on")


class PipotCloseForm(VersionedForm, GdsForm):
    submit_label = "Close PiPoT case"

    outcome = forms.ChoiceField(
        label="Outcome",
        choices=PipotCase.Outcome.choices,
        widget=forms.RadioSelect,
    )
    outcome_on = forms.DateField(label="Date of the outcome", widget=DateInput)
    outcome_notes = forms.CharField(
        label="About the outcome (optional)", widget=forms.Textarea, required=False
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["outcome"].error_messages["required"] = (
            "Select the outcome before closing the case"
        )
        self.fields["outcome_on"].error_messages["required"] = (
            "Enter the date of the outcome"
        )
        _dates(self, "outcome_on")


class NameWorkerForm(GdsForm):
    submit_label = "Name worker"

    worker = forms.ModelChoiceField(
        queryset=get_user_model().objects.none(),
        label="Worker to name on the case",
        empty_label="Select a worker",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["worker"].queryset = (
            get_user_model()
            .objects.filter(is_active=True, teams__isnull=False)
            .distinct()
            .order_by("last_name", "first_name", "pk")
        )
        self.fields["worker"].label_from_instance = lambda u: (
            u.get_full_name() or u.get_username()
        )
        self.fields["worker"].error_messages["required"] = "Select a worker"


UUID_IN_TEXT = re.compile(
    r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", re.IGNORECASE
)


class LinkConcernForm(GdsForm):
    submit_label = "Link the concern"

    concern = forms.CharField(
        label="The other concern's web address",
        max_length=300,
        help_text="Open the other adult's concern and copy the address from your "
        "browser, like https://…/concerns/0b6f3c1e-2d4a-4e8b-9c51-7a2f0e9d8b14/. "
        "Only link a concern that names this same person.",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["concern"].error_messages["required"] = (
            "Enter the other concern's web address"
        )

    def clean_concern(self):
        found = UUID_IN_TEXT.search(self.cleaned_data["concern"])
        if not found:
            raise forms.ValidationError(
                "Enter the concern's web address as your browser shows it, with "
                "its reference like 0b6f3c1e-2d4a-4e8b-9c51-7a2f0e9d8b14"
            )
        return uuid.UUID(found.group(0))
