"""Forms for people, concerns, the adult's voice, decisions and case notes.

Laid out with crispy-forms-gds. :class:`GdsForm` builds the layout from the
widgets, gives GOV.UK error messages ("Enter …", "Select …") and, for edits,
carries the hidden ``version`` used for optimistic concurrency.
"""

from __future__ import annotations

from crispy_forms_gds.helper import FormHelper
from crispy_forms_gds.layout import Button, Field, Fluid, Hidden, Layout
from django import forms
from django.core.exceptions import ValidationError

from enquiries import codes
from enquiries.models import (
    CaseNote,
    Concern,
    ConsentDecision,
    DesiredOutcome,
    LegalAuthority,
    Organisation,
    OutcomeCategory,
    Person,
    PersonView,
    Relationship,
    Risk,
    RiskSubtype,
    validate_nhs_number,
)
from msp.models import Team


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs=attrs, format="%Y-%m-%d")


CHOICE_WIDGETS = (forms.RadioSelect, forms.Select, forms.CheckboxSelectMultiple)


class GdsFormMixin:
    """GOV.UK layout and error messages, built from the fields' widgets."""

    submit_label = "Save and continue"
    extra_buttons: tuple[tuple[str, str], ...] = ()

    def _gds_setup(self) -> None:
        for name, field in self.fields.items():
            label = (field.label or name.replace("_", " ")).rstrip("?").lower()
            widget = field.widget
            if isinstance(widget, forms.RadioSelect) and hasattr(field, "choices"):
                field.choices = [(v, lbl) for v, lbl in field.choices if v != ""]
            if isinstance(widget, CHOICE_WIDGETS):
                field.error_messages["required"] = f"Select {label}"
            else:
                field.error_messages["required"] = f"Enter {label}"
            if isinstance(widget, forms.DateInput):
                field.error_messages["invalid"] = (
                    f"Enter {label} as a real date, like 27 3 2024"
                )
        self.helper = FormHelper()
        items = []
        for name, field in self.fields.items():
            widget = field.widget
            if isinstance(widget, forms.HiddenInput):
                items.append(Hidden(name, self[name].value() or ""))
            elif isinstance(widget, forms.CheckboxSelectMultiple):
                items.append(Field.checkboxes(name, legend_size="s", small=True))
            elif isinstance(widget, forms.RadioSelect):
                items.append(Field.radios(name, legend_size="s", small=True))
            elif isinstance(widget, forms.CheckboxInput):
                items.append(Field.checkbox(name, small=True))
            elif isinstance(widget, forms.Textarea):
                items.append(Field.textarea(name, label_size="s", rows=4))
            elif isinstance(widget, forms.Select):
                items.append(Field.select(name, label_size="s"))
            elif isinstance(widget, forms.DateInput):
                items.append(Field.text(name, label_size="s"))
            else:
                items.append(
                    Field.text(name, label_size="s", field_width=Fluid.TWO_THIRDS)
                )
        items.append(Button("submit", self.submit_label))
        for name, label in self.extra_buttons:
            items.append(Button(name, label, css_class="govuk-button--secondary"))
        self.helper.layout = Layout(*items)


class GdsForm(GdsFormMixin, forms.Form):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._gds_setup()


class GdsModelForm(GdsFormMixin, forms.ModelForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._gds_setup()


class VersionedMixin(forms.Form):
    """The version of the record the user was shown (optimistic concurrency)."""

    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def clean(self):
        data = super().clean()
        instance = getattr(self, "instance", None)
        creating = instance is not None and instance.pk is None
        if not creating and data.get("version") is None:
            raise ValidationError(
                "This page is out of date. Go back, open it again and re-enter "
                "your changes"
            )
        return data


# People -----------------------------------------------------------------------


class PersonSearchForm(GdsForm):
    submit_label = "Search"

    name = forms.CharField(label="Name", required=False, max_length=200)
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


class PersonForm(VersionedMixin, GdsModelForm):
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
        del self.fields["version"]
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


# Concerns ---------------------------------------------------------------------


class ConcernForm(VersionedMixin, GdsModelForm):
    class Meta:
        model = Concern
        fields = [
            "received_on",
            "received_via",
            "in_our_area",
            "referrer_type",
            "referrer_anonymous",
            "referrer_name",
            "referrer_organisation",
            "referrer_contact",
            "summary",
            "incident_date",
            "incident_ongoing",
            "immediate_actions",
            "adult_aware",
            "others_at_risk",
            "children_at_risk",
        ]
        labels = {
            "received_on": "Date received",
            "received_via": "How was it received",
            "in_our_area": "It happened in our council's area",
            "referrer_type": "Who raised the concern",
            "referrer_anonymous": "The person raising it wants to stay anonymous",
            "referrer_name": "Their name (optional)",
            "referrer_organisation": "Their organisation (optional)",
            "referrer_contact": "Their contact details (optional)",
            "summary": "What happened",
            "incident_date": "When it happened (optional)",
            "incident_ongoing": "It is still happening",
            "immediate_actions": "Immediate actions taken to keep the adult safe (optional)",
            "adult_aware": "Does the adult know about the concern",
            "others_at_risk": "Other adults may be at risk",
            "children_at_risk": "Children may be at risk",
        }
        widgets = {
            "received_on": DateInput,
            "incident_date": DateInput,
            "received_via": forms.RadioSelect,
            "referrer_type": forms.RadioSelect,
            "adult_aware": forms.RadioSelect,
            "summary": forms.Textarea,
            "referrer_contact": forms.Textarea,
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["summary"].required = True
        self.fields["referrer_type"].required = True
        self.fields["summary"].error_messages["required"] = "Enter what happened"
        self.fields["referrer_type"].error_messages["required"] = (
            "Select who raised the concern"
        )

    def clean(self):
        data = super().clean()
        if data.get("referrer_type") == Concern.ReferrerType.ANONYMOUS:
            data["referrer_anonymous"] = True
        return data


class ConcernCreateForm(ConcernForm):
    """Recording a new concern also records what the adult said, if known."""

    adult_said = forms.CharField(
        label="What the adult said about it, as passed on (optional)",
        widget=forms.Textarea,
        required=False,
    )
    adult_said_own_words = forms.BooleanField(
        label="These are the adult's own words", required=False
    )


class RiskForm(GdsModelForm):
    submit_label = "Save and continue"
    extra_buttons = (("add_another", "Save and add another risk"),)

    class Meta:
        model = Risk
        fields = [
            "risk_type",
            "subtype",
            "location",
            "source",
            "source_person_name",
            "source_relationship",
            "source_organisation",
            "details",
        ]
        labels = {
            "risk_type": "Type of risk",
            "subtype": "Local sub-type (optional)",
            "location": "Where did it happen",
            "source": "Who is alleged to have caused the risk",
            "source_person_name": "Name of the person alleged to have caused it (optional)",
            "source_relationship": "Their relationship to the adult (optional)",
            "source_organisation": "The provider organisation (optional)",
            "details": "Details (optional)",
        }
        widgets = {
            "risk_type": forms.RadioSelect,
            "location": forms.RadioSelect,
            "source": forms.RadioSelect,
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["subtype"].queryset = RiskSubtype.objects.filter(is_active=True)
        self.fields["source_organisation"].queryset = Organisation.objects.filter(
            is_active=True
        )

    def clean(self):
        data = super().clean()
        subtype = data.get("subtype")
        if subtype and data.get("risk_type") and subtype.risk_type != data["risk_type"]:
            self.add_error(
                "subtype", "Choose a local sub-type that belongs to the type of risk"
            )
        if (
            data.get("source") == codes.RiskSource.SERVICE_PROVIDER
            and not data.get("source_organisation")
            and not data.get("source_person_name")
        ):
            self.add_error(
                "source_organisation",
                "Select the provider organisation, or enter the person's name",
            )
        return data


class ThreePartTestForm(VersionedMixin, GdsModelForm):
    submit_label = "Save the three-part test"

    class Meta:
        model = Concern
        fields = [
            "criterion_care_needs",
            "criterion_care_needs_reason",
            "criterion_abuse",
            "criterion_abuse_reason",
            "criterion_unable_to_protect",
            "criterion_unable_to_protect_reason",
        ]
        labels = {
            "criterion_care_needs": "Does the adult have needs for care and support",
            "criterion_care_needs_reason": "Reasons: needs for care and support",
            "criterion_abuse": "Is the adult experiencing, or at risk of, abuse or neglect",
            "criterion_abuse_reason": "Reasons: abuse or neglect",
            "criterion_unable_to_protect": "Because of those needs, is the adult unable to protect themselves",
            "criterion_unable_to_protect_reason": "Reasons: unable to protect themselves",
        }
        widgets = {
            "criterion_care_needs": forms.RadioSelect,
            "criterion_abuse": forms.RadioSelect,
            "criterion_unable_to_protect": forms.RadioSelect,
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in self.Meta.fields:
            self.fields[name].required = True
        self._gds_setup()


class DecisionForm(VersionedMixin, GdsModelForm):
    submit_label = "Record the decision"

    class Meta:
        model = Concern
        fields = [
            "decision",
            "other_pathway",
            "decision_reason",
            "referrer_feedback_on",
            "referrer_feedback",
        ]
        labels = {
            "decision": "Decision",
            "other_pathway": "If no enquiry: what happens instead",
            "decision_reason": "Reasons for the decision",
            "referrer_feedback_on": "Date feedback was given to the person who raised it (optional)",
            "referrer_feedback": "What they were told (optional)",
        }
        widgets = {
            "decision": forms.RadioSelect,
            "other_pathway": forms.RadioSelect,
            "referrer_feedback_on": DateInput,
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["decision"].required = True
        self.fields["decision_reason"].required = True
        self._gds_setup()
        self.fields["decision_reason"].error_messages["required"] = (
            "Enter the reasons for the decision"
        )


# The adult's voice --------------------------------------------------------------


class PersonViewForm(GdsModelForm):
    submit_label = "Save views"

    class Meta:
        model = PersonView
        fields = [
            "stage",
            "source",
            "source_name",
            "not_obtained_reason",
            "method",
            "views_text",
            "own_words",
            "what_matters",
            "worries",
        ]
        labels = {
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
        }

    def __init__(self, *args, stages=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["stage"].choices = [
            (value, label) for value, label in codes.Stage.choices if value in stages
        ]
        self._gds_setup()


class PersonViewCorrectionForm(PersonViewForm):
    submit_label = "Save the correction"

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

    reason = forms.CharField(label="Why is it being withdrawn", max_length=255)


class AskedOutcomesForm(VersionedMixin, GdsForm):
    submit_label = "Save answer"

    asked_desired_outcomes = forms.ChoiceField(
        label="Was the adult (or their representative) asked what they want to happen",
        choices=codes.YesNoDontKnow.choices,
        widget=forms.RadioSelect,
    )


class ConsentForm(GdsModelForm):
    submit_label = "Save consent decision"

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
        }


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


class CaseNoteForm(VersionedMixin, GdsModelForm):
    submit_label = "Save draft"

    class Meta:
        model = CaseNote
        fields = ["text", "significant"]
        labels = {"text": "Case note", "significant": "This is a significant event"}
        widgets = {"text": forms.Textarea}
