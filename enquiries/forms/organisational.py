"""Forms for large-scale (organisational) enquiries (issue 18)."""

from __future__ import annotations

from crispy_forms_gds.layout import Field, Fluid, Size
from django import forms

from enquiries.models import (
    OrganisationalAction,
    OrganisationalEnquiry,
    OrganisationalMeeting,
)
from msp.editing import VersionedForm
from msp.forms import date_field, make_helper, require, yes_no_field


class OrganisationalEditForm(VersionedForm, forms.ModelForm):
    placements_embargoed = yes_no_field(
        "Are new placements with this provider suspended (embargo)?",
        required=True,
        message="Select if new placements are suspended",
    )
    provider_contacted_on = date_field(
        "Date of the latest contact with the provider", required=False
    )
    regulator_contacted_on = date_field(
        "Date of the latest contact with the regulator", required=False
    )

    class Meta:
        model = OrganisationalEnquiry
        fields = [
            "trigger",
            "placements_embargoed",
            "provider_actions",
            "provider_contact",
            "provider_contacted_on",
            "regulator_contact",
            "regulator_contacted_on",
        ]
        labels = {"trigger": "What prompted it"}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        require(self, {"trigger": "Enter what prompted the large-scale enquiry"})
        if not self.is_bound:
            self.initial["placements_embargoed"] = (
                "yes" if self.instance.placements_embargoed else "no"
            )
        self.fields[
            "provider_contact"
        ].help_text = "Who you spoke to at the provider, and what was said"
        self.fields[
            "regulator_contact"
        ].help_text = (
            "Who you spoke to at the Care Quality Commission, and what was shared"
        )
        self.helper = make_helper(
            Field.textarea("trigger", rows=4),
            Field.radios("placements_embargoed", legend_size=Size.SMALL, inline=True),
            Field.textarea("provider_actions", rows=3),
            Field.textarea("provider_contact", rows=3),
            Field.text("provider_contacted_on"),
            Field.textarea("regulator_contact", rows=3),
            Field.text("regulator_contacted_on"),
            button="Save changes",
        )


class ConclusionForm(VersionedForm, forms.ModelForm):
    concluded_on = date_field(
        "Date it concluded", required=True, message="Enter the date it concluded"
    )

    class Meta:
        model = OrganisationalEnquiry
        fields = ["concluded_on", "findings_summary"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        require(self, {"findings_summary": "Enter a summary of the findings"})
        self.helper = make_helper(
            Field.text("concluded_on"),
            Field.textarea("findings_summary", rows=6),
            button="Record the conclusion",
        )


class SignOffForm(VersionedForm):
    """Nothing to type: the version alone guards against signing off a
    conclusion someone has just changed."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = make_helper(button="Sign off and close")


class MeetingForm(forms.ModelForm):
    held_on = date_field(
        "Date of the meeting", required=True, message="Enter the date of the meeting"
    )

    class Meta:
        model = OrganisationalMeeting
        fields = ["held_on", "attendees", "other_attendees", "minutes"]
        widgets = {"attendees": forms.CheckboxSelectMultiple}

    def __init__(self, *args, agencies, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["attendees"].queryset = agencies
        self.fields["attendees"].label_from_instance = lambda a: (
            f"{a.organisation}" + (f" – {a.named_contact}" if a.named_contact else "")
        )
        self.fields["attendees"].error_messages["invalid_choice"] = (
            "Choose agencies involved in the linked adults' cases"
        )
        self.fields[
            "other_attendees"
        ].help_text = "Anyone not listed above: names, roles and organisations"
        require(self, {"minutes": "Enter a summary of the minutes"})
        self.helper = make_helper(
            Field.text("held_on"),
            Field.checkboxes("attendees", legend_size=Size.SMALL),
            Field.textarea("other_attendees", rows=3),
            Field.textarea("minutes", rows=6),
            button="Record meeting",
        )


class ActionForm(forms.ModelForm):
    due_on = date_field("Due by", required=True, message="Enter when it is due")

    class Meta:
        model = OrganisationalAction
        fields = ["description", "owner", "due_on"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        require(
            self,
            {
                "description": "Enter the action",
                "owner": "Enter who owns the action",
            },
        )
        self.helper = make_helper(
            Field.textarea("description", rows=3),
            Field.text("owner", field_width=Fluid.TWO_THIRDS),
            Field.text("due_on"),
            button="Add action",
        )


class ActionStatusForm(VersionedForm, forms.ModelForm):
    class Meta:
        model = OrganisationalAction
        fields = ["status", "status_note"]
        widgets = {"status": forms.RadioSelect}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        require(self, {"status": "Select the status"})
        self.fields["status"].choices = list(OrganisationalAction.Status.choices)
        self.helper = make_helper(
            Field.radios("status", legend_size=Size.SMALL),
            Field.textarea("status_note", rows=3),
            button="Save action",
        )
