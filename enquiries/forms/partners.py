"""Forms for working with partners: the directory, involved agencies, the
information-sharing log and s45 requests."""

from __future__ import annotations

from django import forms

from enquiries.forms.base import DateInput, GdsForm, GdsModelForm
from enquiries.models import (
    CausedEnquiry,
    ConsentDecision,
    InformationShare,
    InvolvedAgency,
    Organisation,
    S45Request,
)
from enquiries.models.partners import problems
from msp.editing import VersionedForm


class OrganisationChoiceField(forms.ModelChoiceField):
    """A directory pick that shows the postcode, to tell branches apart."""

    def label_from_instance(self, obj: Organisation) -> str:
        return f"{obj.label} – {obj.get_kind_display()}"


def organisation_field(label: str) -> OrganisationChoiceField:
    field = OrganisationChoiceField(
        queryset=Organisation.objects.filter(is_active=True).order_by("name", "pk"),
        label=label,
        empty_label="Select an organisation",
    )
    field.error_messages["required"] = "Select the organisation"
    field.error_messages["invalid_choice"] = (
        "Select an organisation from the list, or add it to the directory"
    )
    return field


def _dates(form, *names: str) -> None:
    for name in names:
        form.fields[name].widget = DateInput()
        label = (form.fields[name].label or name).lower()
        form.fields[name].error_messages["invalid"] = (
            f"Enter {label} as a real date, like 27 3 2024"
        )


class OrganisationForm(GdsModelForm):
    submit_label = "Add to the directory"

    class Meta:
        model = Organisation
        fields = ["name", "kind", "postcode", "address", "phone", "email"]
        labels = {"name": "Name of the organisation", "kind": "Kind of organisation"}
        widgets = {"kind": forms.Select}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["name"].error_messages["required"] = (
            "Enter the name of the organisation"
        )
        self.fields["kind"].error_messages["required"] = (
            "Select the kind of organisation"
        )
        self.fields[
            "postcode"
        ].help_text = "With the name, used to check it is not already listed"
        self.fields["address"].required = False
        # The page draws the <form> itself (with the next page and the
        # "different organisation" confirmation).
        self.helper.form_tag = False


class InvolvedAgencyForm(GdsModelForm):
    submit_label = "Save agency"

    class Meta:
        model = InvolvedAgency
        fields = [
            "organisation",
            "role",
            "role_detail",
            "named_contact",
            "contact_job_title",
            "contact_details",
            "involved_from",
        ]
        widgets = {"role": forms.RadioSelect}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organisation"] = organisation_field("Organisation")
        self.fields["role"].error_messages["required"] = (
            "Select the agency's role in the case"
        )
        self.fields["role_detail"].help_text = "If the role is Other"
        _dates(self, "involved_from")
        self._gds_setup()


class InvolvedAgencyChangeForm(VersionedForm, InvolvedAgencyForm):
    submit_label = "Save changes"


class WithdrawForm(VersionedForm, GdsForm):
    submit_label = "Withdraw"

    reason = forms.CharField(label="Why is it being withdrawn?", widget=forms.Textarea)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["reason"].error_messages["required"] = (
            "Enter why it is being withdrawn"
        )


class RequestChaseForm(VersionedForm, GdsForm):
    submit_label = "Save"

    chased_on = forms.DateField(label="Date chased", widget=DateInput)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["chased_on"].error_messages["required"] = (
            "Enter the date the organisation was chased"
        )


class RequestCloseForm(VersionedForm, GdsModelForm):
    submit_label = "Close the request"

    class Meta:
        model = CausedEnquiry
        fields = ["closed_on", "close_note"]
        labels = {"closed_on": "Date the request was closed"}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["closed_on"].required = True
        self.fields["closed_on"].error_messages["required"] = (
            "Enter the date the request was closed"
        )
        _dates(self, "closed_on")
        self.fields["close_note"].label = "Notes on closing the request"
        self.fields[
            "close_note"
        ].help_text = "Required if no response was received: why it is no longer needed"
        self._gds_setup()


class InformationShareForm(GdsModelForm):
    submit_label = "Save the share"

    class Meta:
        model = InformationShare
        fields = [
            "direction",
            "organisation",
            "shared_on",
            "what",
            "why",
            "lawful_basis",
            "article6",
            "special_condition",
            "consent",
            "override_ground",
            "not_asked_reason",
            "consent_decision",
            "adult_told",
            "adult_told_reason",
            "s45_request",
        ]
        widgets = {
            "direction": forms.RadioSelect,
            "lawful_basis": forms.RadioSelect,
            "article6": forms.RadioSelect,
            "special_condition": forms.RadioSelect,
            "consent": forms.RadioSelect,
            "override_ground": forms.Select,
            "adult_told": forms.RadioSelect,
        }
        labels = {
            "direction": "Was the information shared or received?",
            "lawful_basis": "Lawful basis",
        }

    def __init__(self, *args, person, concern, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organisation"] = organisation_field("With which organisation")
        self.fields["override_ground"].choices = [
            ("", "None: the adult consented"),
            *ConsentDecision.OverrideGround.choices,
        ]
        decisions = ConsentDecision.objects.filter(person=person).order_by(
            "-recorded_at", "-pk"
        )
        self.fields["consent_decision"].queryset = decisions
        self.fields["consent_decision"].label_from_instance = lambda d: (
            f"{d.get_question_display()}"
            f"{': ' + d.agency if d.agency else ''} – {d.get_answer_display()}"
            f" ({(d.decided_on or d.recorded_at):%-d %B %Y})"
        )
        self.fields["consent_decision"].empty_label = "None recorded"
        self.fields[
            "consent_decision"
        ].help_text = "The consent decision recorded for this share, if there is one"
        self.fields["s45_request"].queryset = S45Request.objects.filter(
            concern=concern, withdrawn_at__isnull=True
        ).select_related("organisation")
        self.fields["s45_request"].empty_label = "Not a section 45 request"
        self.fields["s45_request"].label = "Section 45 request it answers"
        self.fields["adult_told_reason"].help_text = "If not, or not yet"
        self.fields["not_asked_reason"].help_text = "If the adult was not asked"
        _dates(self, "shared_on")
        self._gds_setup()
        for name, message in {
            "direction": "Select if the information was shared or received",
            "what": "Enter what was shared",
            "why": "Enter why it was shared",
            "lawful_basis": "Select the lawful basis",
            "article6": "Select the Article 6 basis",
            "special_condition": "Select the Article 9 or 10 condition",
            "consent": "Select whether the adult consented",
            "adult_told": "Select whether the adult was told",
            "shared_on": "Enter the date it was shared",
        }.items():
            self.fields[name].error_messages["required"] = message

    def clean(self):
        data = super().clean()
        found = problems(
            consent=data.get("consent") or "",
            lawful_basis=data.get("lawful_basis") or "",
            article6=data.get("article6") or "",
            special_condition=data.get("special_condition") or "",
            override_ground=data.get("override_ground") or "",
            not_asked_reason=data.get("not_asked_reason") or "",
            adult_told=data.get("adult_told") or "",
            adult_told_reason=data.get("adult_told_reason") or "",
            has_s45=bool(data.get("s45_request")),
        )
        for name, message in found.items():
            if name not in self.errors:
                self.add_error(name, message)
        return data


class S45RequestForm(GdsModelForm):
    submit_label = "Save the request"

    class Meta:
        model = S45Request
        fields = [
            "direction",
            "organisation",
            "requested_on",
            "due_on",
            "what_requested",
        ]
        widgets = {"direction": forms.RadioSelect}
        labels = {"direction": "Was the request made or received?"}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organisation"] = organisation_field("Organisation")
        self.fields["direction"].error_messages["required"] = (
            "Select if the request was made or received"
        )
        _dates(self, "requested_on", "due_on")
        self._gds_setup()


class S45DecisionForm(VersionedForm, GdsModelForm):
    submit_label = "Save the decision"

    class Meta:
        model = S45Request
        fields = ["decision", "decided_on", "decision_reason"]
        widgets = {"decision": forms.RadioSelect}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _dates(self, "decided_on")
        self._gds_setup()
