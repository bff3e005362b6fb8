"""Acknowledging a pattern flag."""

from __future__ import annotations

from django import forms

from msp.forms import GdsForm


class AcknowledgePatternForm(GdsForm):
    submit_label = "Acknowledge the pattern"

    note = forms.CharField(
        label="What have you considered or decided?",
        help_text="For example: discussed with the team, a large-scale enquiry "
        "considered, or why no further action is needed.",
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=2000,
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["note"].error_messages["required"] = (
            "Enter what you have considered or decided"
        )

    def clean_note(self) -> str:
        note = self.cleaned_data["note"].strip()
        if not note:
            raise forms.ValidationError("Enter what you have considered or decided")
        return note


class RelationshipRecordForm(GdsForm):
    submit_label = "Save"

    reference = forms.UUIDField(
        label="Reference of their own record",
        required=False,
        help_text="Shown as Reference on their person page. Leave empty to "
        "remove the link.",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["reference"].error_messages["invalid"] = (
            "Enter the reference as it is shown on their person page, like "
            "0b6f3c1e-2d4a-4e8b-9c51-7a2f0e9d8b14"
        )
