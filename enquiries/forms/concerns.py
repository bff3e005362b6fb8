"""Forms for concerns, risks, the three-part test and the decision."""

from __future__ import annotations

import datetime

from crispy_forms_gds.layout import Field, Fixed
from django import forms
from django.core.exceptions import ValidationError

from enquiries import codes
from enquiries.models import (
    Concern,
    Organisation,
    Relationship,
    Risk,
    RiskSubtype,
)
from enquiries.models.reference import normalise_uk_postcode
from msp.editing import VersionedForm
from msp.forms import DateInput, GdsModelForm

# Concerns ---------------------------------------------------------------------


class ConcernForm(VersionedForm, GdsModelForm):
    required_messages = {
        "received_via": "Select how the concern was received",
        "adult_aware": "Select if the adult knows about the concern",
    }

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


PLACE_POSTCODE_HINT = (
    "Only if it was not the adult's own home, for example a care home, day "
    "centre or hospital. Concerns naming the same postcode are added up as a "
    "pattern."
)


def clean_place(form) -> None:
    """The place's postcode in its stored shape (``NE1 4ST``), and never with
    the adult's own home (as ``Risk.clean_place``, shown on the field)."""
    data = form.cleaned_data
    try:
        data["place_postcode"] = normalise_uk_postcode(data.get("place_postcode", ""))
    except ValidationError:
        form.add_error(
            "place_postcode", "Enter a real postcode, like NE1 4ST, or leave it empty"
        )
        return
    if data["place_postcode"] and data.get("location") == codes.RiskLocation.OWN_HOME:
        form.add_error(
            "place_postcode",
            "Leave the postcode empty when it happened in the adult's own home",
        )


def narrow_postcode(form) -> None:
    """The postcode box 10 characters wide, as GOV.UK asks for postcodes,
    taking a few more characters than it is stored in (spaces are tidied)."""
    field = form.fields["place_postcode"]
    form.fields["place_postcode"] = forms.CharField(
        label=field.label,
        help_text=field.help_text,
        required=False,
        max_length=12,
        error_messages={
            "max_length": "Enter a real postcode, like NE1 4ST, or leave it empty"
        },
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )
    layout = getattr(getattr(form, "helper", None), "layout", None)
    for index, item in enumerate(layout.fields if layout else []):
        if getattr(item, "fields", None) == ["place_postcode"]:
            layout.fields[index] = Field.text(
                "place_postcode", label_size="s", field_width=Fixed.TEN
            )


class RiskForm(GdsModelForm):
    submit_label = "Save and continue"
    extra_buttons = (("add_another", "Save and add another risk"),)
    required_messages = {"location": "Select where it happened"}

    class Meta:
        model = Risk
        fields = [
            "risk_type",
            "subtype",
            "location",
            "place_postcode",
            "place_name",
            "source",
            "source_person_name",
            "source_relationship",
            "source_organisation",
            "source_relation",
            "details",
        ]
        labels = {
            "risk_type": "Type of risk",
            "subtype": "Local sub-type (optional)",
            "location": "Where did it happen",
            "place_postcode": "Postcode of the place where it happened (optional)",
            "place_name": "Name of the place (optional)",
            "source": "Who is alleged to have caused the risk",
            "source_person_name": "Name of the person alleged to have caused it (optional)",
            "source_relationship": "Their relationship to the adult (optional)",
            "source_organisation": "The provider organisation (optional)",
            "source_relation": "Someone recorded in the adult's relationships "
            "(optional)",
            "details": "Details (optional)",
        }
        help_texts = {
            "place_postcode": PLACE_POSTCODE_HINT,
            "place_name": "For example, the care home, day centre or ward",
            "source_relation": "Choose them if they are: a direct payment they "
            "receive or work for is then linked to this concern for review",
        }
        widgets = {
            "risk_type": forms.RadioSelect,
            "location": forms.RadioSelect,
            "source": forms.RadioSelect,
        }

    def __init__(self, *args, person=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["source_relation"].queryset = (
            person.relationships.order_by("name", "id")
            if person is not None
            else Relationship.objects.none()
        )
        self.fields["source_relation"].empty_label = "Not one of them"
        narrow_postcode(self)
        self.fields["subtype"].queryset = RiskSubtype.objects.filter(is_active=True)
        self.fields["source_organisation"].queryset = Organisation.objects.filter(
            is_active=True
        )

    def clean(self):
        data = super().clean()
        clean_place(self)
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


class ThreePartTestForm(VersionedForm, GdsModelForm):
    submit_label = "Save the three-part test"
    required_messages = {
        "criterion_care_needs": "Select if the adult has needs for care and support",
        "criterion_abuse": (
            "Select if the adult is experiencing, or at risk of, abuse or neglect"
        ),
        "criterion_unable_to_protect": (
            "Select if, because of those needs, the adult is unable to protect "
            "themselves"
        ),
    }

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


class DecisionForm(VersionedForm, GdsModelForm):
    submit_label = "Record the decision"

    class Meta:
        model = Concern
        fields = [
            "decision",
            "other_pathway",
            "decided_on",
            "decision_reason",
            "referrer_feedback_on",
            "referrer_feedback",
        ]
        labels = {
            "decision": "Decision",
            "other_pathway": "If no enquiry: what happens instead",
            "decision_reason": "Reasons for the decision",
            "decided_on": "Date of the decision",
            "referrer_feedback_on": "Date feedback was given to the person who raised it (optional)",
            "referrer_feedback": "What they were told (optional)",
        }
        widgets = {
            "decision": forms.RadioSelect,
            "other_pathway": forms.RadioSelect,
            "decided_on": DateInput,
            "referrer_feedback_on": DateInput,
        }
        help_texts = {
            "decided_on": (
                "The day the decision was made, if earlier than today. "
                "A section 42 or other enquiry starts on this day."
            ),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["decision"].required = True
        self.fields["decision_reason"].required = True
        # Left empty, the decision is dated today.
        self.fields["decided_on"].required = False
        if not self.is_bound and not self.initial.get("decided_on"):
            self.initial["decided_on"] = datetime.date.today()
        self._gds_setup()
        self.fields["decision_reason"].error_messages["required"] = (
            "Enter the reasons for the decision"
        )
