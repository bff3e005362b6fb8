"""Routing an online concern to a team; allocating a concern to a worker."""

from __future__ import annotations

from crispy_forms_gds.layout import Field
from django import forms

from enquiries.forms.enquiry import AllocationForm
from msp.forms import make_helper
from msp.models import Team


class RouteForm(forms.Form):
    team = forms.ModelChoiceField(
        label="Which team will deal with it?",
        queryset=Team.objects.filter(is_active=True).order_by("name"),
        empty_label="Select a team",
        error_messages={"required": "Select the team that will deal with it"},
    )
    reason = forms.CharField(
        label="Reason (optional)",
        help_text="Needed when the online concern is already with another team",
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        max_length=255,
        error_messages={"max_length": "Reason must be 255 characters or fewer"},
    )

    def __init__(self, *args, routed: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if routed:
            self.fields["reason"].label = "Why is it moving to another team?"
            self.fields["reason"].help_text = ""
        self.helper = make_helper(
            Field.select("team"),
            Field.textarea("reason", rows=3),
            button="Route to this team",
        )


class ConcernAllocationForm(AllocationForm):
    """The enquiry's allocation form, worded for a concern."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields[
            "reason"
        ].help_text = "Needed when the concern moves to another team"
