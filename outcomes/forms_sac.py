"""Forms for the SAC return page, the SAR register and the case import page."""

from __future__ import annotations

import datetime

from crispy_forms_gds.helper import FormHelper
from crispy_forms_gds.layout import Button, Field, Fluid, Layout
from django import forms

from msp.editing import VersionedForm
from msp.models import Team


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None):
        attrs = {"class": "govuk-input govuk-input--width-10", **(attrs or {})}
        super().__init__(attrs=attrs, format="%Y-%m-%d")


class YearForm(forms.Form):
    """Which financial year's return to show (a GET form)."""

    year = forms.ChoiceField(
        label="Financial year",
        error_messages={
            "required": "Select a financial year",
            "invalid_choice": "Select a financial year from the list",
        },
    )

    def __init__(self, *args, years: list[str], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["year"].choices = [
            (year, f"{year[:4]} to {int(year[:4]) + 1}") for year in years
        ]
        self.helper = FormHelper()
        self.helper.form_method = "get"
        self.helper.layout = Layout(
            Field.select("year"),
            Button("show", "Show the return", css_class="govuk-button--secondary"),
        )


class ReviewForm(VersionedForm):
    """Add or change a Safeguarding Adults Review in the register."""

    title = forms.CharField(
        label="Title",
        max_length=200,
        help_text="How the Safeguarding Adults Board refers to the review",
        error_messages={"required": "Enter a title for the review"},
    )
    reviewer = forms.CharField(
        label="Reviewer (optional)",
        max_length=200,
        required=False,
        help_text="The independent reviewer or author commissioned",
    )
    commissioned_on = forms.DateField(
        label="Date commissioned (optional)",
        required=False,
        widget=DateInput,
        error_messages={"invalid": "Enter the date commissioned as a real date"},
    )
    completed_on = forms.DateField(
        label="Date completed (optional)",
        help_text="The review counts in the SAC return (SG5) for the year it was completed",
        required=False,
        widget=DateInput,
        error_messages={"invalid": "Enter the date completed as a real date"},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.layout = Layout(
            Field.text("title", field_width=Fluid.TWO_THIRDS),
            Field.text("reviewer", field_width=Fluid.TWO_THIRDS),
            Field.text("commissioned_on"),
            Field.text("completed_on"),
            "version",
            Button("submit", "Save"),
        )

    def clean(self):
        data = super().clean()
        today = datetime.date.today()
        commissioned = data.get("commissioned_on")
        completed = data.get("completed_on")
        if commissioned and commissioned > today:
            self.add_error("commissioned_on", "Date commissioned must be in the past")
        if completed and completed > today:
            self.add_error("completed_on", "Date completed must be in the past")
        if commissioned and completed and completed < commissioned:
            self.add_error(
                "completed_on",
                "Date completed must be on or after the date commissioned",
            )
        return data


class ImportForm(forms.Form):
    """Upload an interchange file to check, then import."""

    file = forms.FileField(
        label="Interchange file (.jsonl, or .zip with its documents)",
        help_text="JSON Lines, interchange format version 1 or 2; a .zip as "
        "written by the export, with the documents' files",
        error_messages={
            "required": "Choose a file to upload",
            "empty": "The file you chose is empty",
        },
    )
    team = forms.ModelChoiceField(
        label="Team for new records",
        queryset=Team.objects.filter(is_active=True).order_by("name"),
        required=False,
        empty_label="The first active team",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.layout = Layout(
            Field("file"),
            Field.select("team"),
            Button("submit", "Check the file"),
        )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if not upload.name.lower().endswith(
            (".jsonl", ".json", ".ndjson", ".txt", ".zip")
        ):
            raise forms.ValidationError("The file must be a .jsonl or .zip file")
        return upload
