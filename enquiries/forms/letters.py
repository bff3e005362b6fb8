"""Recording a letter as sent."""

from __future__ import annotations

from django import forms

from enquiries.models.letters import Letter
from msp.forms import GdsForm, date_field


class SendLetterForm(GdsForm):
    submit_label = "Produce the PDF and record it as sent"

    sent_via = forms.ChoiceField(
        label="How was it sent?",
        choices=Letter.SentVia.choices,
        widget=forms.RadioSelect,
    )
    sent_on = date_field(
        "Date sent",
        required=True,
        help_text="The day it was posted, e-mailed or handed over",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["sent_via"].error_messages["required"] = (
            "Select how the letter was sent"
        )
