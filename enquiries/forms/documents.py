"""Adding and withdrawing documents."""

from __future__ import annotations

import datetime

from crispy_forms_gds.layout import Field, Fluid
from django import forms

from enquiries.models import Document, DocumentKind, Meeting
from msp.forms import date_field, make_helper


class DocumentForm(forms.Form):
    """One file and what it is. The file's own checks (type read from its
    content, size, viruses) are the service's, so they apply everywhere."""

    file = forms.FileField(
        label="Upload a file",
        error_messages={
            "required": "Select a file",
            "empty": "The selected file is empty",
            "invalid": "Select a file",
        },
    )
    title = forms.CharField(
        label="Title",
        max_length=200,
        help_text="For example, 'Bank statement, March' or 'GP letter about falls'",
        error_messages={"required": "Enter a title"},
    )
    kind = forms.ModelChoiceField(
        label="What kind of document is it",
        queryset=DocumentKind.objects.none(),
        empty_label="Choose a kind",
        error_messages={"required": "Select what kind of document it is"},
    )
    meeting = forms.ModelChoiceField(
        label="Is it from a meeting (optional)",
        queryset=Meeting.objects.none(),
        required=False,
        empty_label="Not from a meeting",
    )
    document_date = date_field(
        "Date of the document",
        required=True,
        message="Enter the date of the document",
        help_text="The date it was written, or the photo taken",
    )
    provided_by = forms.CharField(
        label="Who provided it",
        max_length=200,
        help_text="A person and their role, or an organisation",
        error_messages={"required": "Enter who provided it"},
    )
    sensitivity = forms.ChoiceField(
        label="May it be shared with the adult",
        choices=Document.Sharing.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Select whether it may be shared with the adult"},
    )
    sensitivity_reason = forms.CharField(
        label="If not, or ask first: why, and who to ask",
        required=False,
        widget=forms.Textarea,
    )
    adults_own = forms.BooleanField(
        label="This is the adult's own document", required=False
    )

    def __init__(self, *args, meetings=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kind"].queryset = DocumentKind.objects.filter(is_active=True)
        fields = [
            Field("file"),
            Field.text("title", label_size="s", field_width=Fluid.TWO_THIRDS),
            Field.select("kind", label_size="s"),
        ]
        if meetings is not None:
            self.fields["meeting"].queryset = meetings
            fields.append(Field.select("meeting", label_size="s"))
        else:
            del self.fields["meeting"]
        fields += [
            Field.text("document_date", label_size="s"),
            Field.text("provided_by", label_size="s", field_width=Fluid.TWO_THIRDS),
            Field.radios("sensitivity", legend_size="s", small=True, inline=True),
            Field.textarea("sensitivity_reason", label_size="s", rows=3),
            Field.checkbox("adults_own", small=True),
        ]
        self.helper = make_helper(*fields, button="Add the document")

    def clean_document_date(self):
        day = self.cleaned_data["document_date"]
        if day > datetime.date.today():
            raise forms.ValidationError(
                "The date of the document must be today or in the past"
            )
        return day

    def clean(self):
        cleaned = super().clean()
        sensitivity = cleaned.get("sensitivity")
        if (
            sensitivity
            and sensitivity != Document.Sharing.YES
            and not cleaned.get("sensitivity_reason", "").strip()
        ):
            self.add_error(
                "sensitivity_reason",
                "Say why it may not be shared, or who to ask first",
            )
        return cleaned


class WithdrawDocumentForm(forms.Form):
    reason = forms.CharField(
        label="Why is it being withdrawn",
        widget=forms.Textarea,
        help_text="For example, 'uploaded to the wrong person' or 'a duplicate'. "
        "The document is kept, and safeguarding leads can still see it.",
        error_messages={"required": "Enter why the document is withdrawn"},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = make_helper(
            Field.textarea("reason", label_size="s", rows=3),
            button="Withdraw the document",
        )
