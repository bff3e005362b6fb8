"""Forms for people, relationships and legal representatives."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError

from enquiries import codes
from enquiries.models import (
    LegalAuthority,
    Person,
    Relationship,
    validate_nhs_number,
)
from msp.editing import VersionedForm
from msp.forms import DateInput, GdsForm, GdsModelForm
from msp.models import Team

# People -----------------------------------------------------------------------


class PersonSearchForm(GdsForm):
    submit_label = "Search"

    name = forms.CharField(
        label="Name",
        required=False,
        max_length=200,
        help_text="Finds names starting with each word you type: first, family "
        "or preferred name, or part of a hyphenated name. For example, "
        "“jo smi” finds Joan Smith and John Smith-Hall.",
    )
    date_of_birth = forms.DateField(
        label="Date of birth", required=False, widget=DateInput
    )
    nhs_number = forms.CharField(label="NHS number", required=False, max_length=12)
    reference = forms.UUIDField(label="Record reference", required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper.form_method = "get"

    def clean(self):
        data = super().clean()
        if not any(data.get(k) for k in ("name", "date_of_birth", "nhs_number")) and (
            not data.get("reference")
        ):
            raise ValidationError(
                "Enter a name, date of birth, NHS number or reference to search"
            )
        return data


PERSON_FIELDS = [
    "given_name",
    "family_name",
    "preferred_name",
    "date_of_birth",
    "date_of_birth_estimated",
    "date_of_death",
    "gender",
    "gender_identity",
    "ethnicity",
    "primary_support_reason",
    "health_conditions",
    "communication_needs",
    "communication_details",
    "first_language",
    "nhs_number",
    "address",
    "postcode",
    "address_type",
]


class PersonForm(VersionedForm, GdsModelForm):
    submit_label = "Save"

    health_conditions = forms.MultipleChoiceField(
        label="Health conditions",
        choices=codes.HealthCondition.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    communication_needs = forms.MultipleChoiceField(
        label="Communication needs",
        choices=codes.CommunicationNeed.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )

    class Meta:
        model = Person
        fields = PERSON_FIELDS
        labels = {
            "given_name": "First name",
            "family_name": "Last name",
            "preferred_name": "Preferred name (optional)",
            "date_of_birth": "Date of birth",
            "date_of_birth_estimated": "The date of birth is an estimate",
            "date_of_death": "Date of death (if they have died)",
            "gender": "Gender",
            "gender_identity": "Gender identity, in their own words (optional)",
            "ethnicity": "Ethnicity",
            "primary_support_reason": "Primary support reason",
            "communication_details": "Communication needs: details (optional)",
            "first_language": "First language (optional)",
            "nhs_number": "NHS number (optional)",
            "address": "Address (optional)",
            "postcode": "Postcode (optional)",
            "address_type": "Type of address",
        }
        widgets = {
            "date_of_birth": DateInput,
            "date_of_death": DateInput,
            "gender": forms.RadioSelect,
            "address_type": forms.RadioSelect,
            "communication_details": forms.Textarea,
            "address": forms.Textarea,
        }

    def clean_nhs_number(self):
        value = self.cleaned_data.get("nhs_number", "").replace(" ", "")
        if value:
            validate_nhs_number(value)
        return value


class PersonCreateForm(PersonForm):
    submit_label = "Create record"

    team = forms.ModelChoiceField(
        label="Team", queryset=Team.objects.none(), empty_label=None
    )
    confirm_new = forms.BooleanField(
        label="None of these is the person: create a new record",
        required=False,
    )

    class Meta(PersonForm.Meta):
        fields = [*PERSON_FIELDS, "team"]

    def __init__(self, *args, teams=None, show_confirm=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["team"].queryset = (
            teams if teams is not None else Team.objects.filter(is_active=True)
        )
        if not show_confirm:
            del self.fields["confirm_new"]
        self._gds_setup()

    def hide_confirm(self) -> None:
        """No likely duplicates: nothing to confirm, so do not ask."""
        if "confirm_new" in self.fields:
            self.fields["confirm_new"].widget = forms.HiddenInput()
            self._gds_setup()


class RelationshipForm(GdsModelForm):
    submit_label = "Add"

    class Meta:
        model = Relationship
        fields = [
            "kind",
            "name",
            "contact_details",
            "is_appropriate_person",
            "lives_with_adult",
            "notes",
        ]
        labels = {
            "kind": "Relationship to the adult",
            "name": "Their name",
            "contact_details": "Contact details (optional)",
            "is_appropriate_person": "Can act as the adult's appropriate person (Care Act s68)",
            "lives_with_adult": "Lives with the adult",
            "notes": "Notes (optional)",
        }
        widgets = {"kind": forms.RadioSelect, "contact_details": forms.Textarea}


class RelationshipChangeForm(VersionedForm, RelationshipForm):
    submit_label = "Save changes"


class LegalAuthorityForm(GdsModelForm):
    submit_label = "Add"

    class Meta:
        model = LegalAuthority
        fields = [
            "kind",
            "holder_name",
            "registration_reference",
            "starts_on",
            "ends_on",
            "concern_about_holder",
        ]
        labels = {
            "kind": "Type of authority",
            "holder_name": "Name of the person who holds it",
            "registration_reference": "Registration reference (optional)",
            "starts_on": "Start date (optional)",
            "ends_on": "End date (optional)",
            "concern_about_holder": "There is a concern about how this authority is used",
        }
        widgets = {
            "kind": forms.RadioSelect,
            "starts_on": DateInput,
            "ends_on": DateInput,
        }
