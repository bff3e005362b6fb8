"""Forms for the SAC return page, the SAR register and the case import page."""

from __future__ import annotations

import datetime
import uuid

from crispy_forms_gds.helper import FormHelper
from crispy_forms_gds.layout import Button, Field, Fluid, Layout, Size
from django import forms

from enquiries.models import Person
from msp.access import visible
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


class ReviewForm(forms.Form):
    """Add or change a Safeguarding Adults Review in the register."""

    title = forms.CharField(
        label="Title",
        max_length=200,
        help_text="How the Safeguarding Adults Board refers to the review",
        error_messages={"required": "Enter a title for the review"},
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
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.layout = Layout(
            Field.text("title", field_width=Fluid.TWO_THIRDS),
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


class IndividualForm(forms.Form):
    """An adult whose experience a review is about."""

    person_reference = forms.CharField(
        label="Record reference of the person (optional)",
        help_text=(
            "Copy it from the person's page, or enter their NHS number. "
            "Leave it empty to add the individual without naming them."
        ),
        required=False,
        max_length=40,
    )
    died = forms.TypedChoiceField(
        label="Did the person die?",
        choices=[("yes", "Yes, they died"), ("no", "No, they survived serious harm")],
        coerce=lambda value: value == "yes",
        widget=forms.RadioSelect,
        error_messages={"required": "Select whether the person died"},
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.person: Person | None = None
        self.helper = FormHelper()
        self.helper.layout = Layout(
            Field.text("person_reference", field_width=Fluid.TWO_THIRDS),
            Field.radios("died", legend_size=Size.SMALL),
            Button("submit", "Add individual"),
        )

    def clean_person_reference(self) -> str:
        text = self.cleaned_data["person_reference"].strip()
        if not text:
            return ""
        people = visible(self.user, Person.objects.all())
        digits = text.replace(" ", "")
        try:
            reference = uuid.UUID(text)
        except ValueError:
            reference = None
        if reference is not None:
            found = people.filter(reference=reference).first()
        elif digits.isdigit() and len(digits) == 10:
            matches = list(people.filter(nhs_number=digits)[:2])
            if len(matches) > 1:
                raise forms.ValidationError(
                    "More than one person has that NHS number: use the record reference"
                )
            found = matches[0] if matches else None
        else:
            raise forms.ValidationError(
                "Enter a record reference (like 3f2b…) or a 10-digit NHS number"
            )
        if found is None:
            raise forms.ValidationError(
                "No person you can see has that reference or NHS number"
            )
        self.person = found
        return text


class ImportForm(forms.Form):
    """Upload an interchange file to check, then import."""

    file = forms.FileField(
        label="Interchange file (.jsonl)",
        help_text="JSON Lines, interchange format version 1",
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
        if not upload.name.lower().endswith((".jsonl", ".json", ".ndjson", ".txt")):
            raise forms.ValidationError("The file must be a .jsonl file")
        return upload
