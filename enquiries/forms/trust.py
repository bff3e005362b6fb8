"""Forms for restricted records: breaking the glass and reviewing it."""

from crispy_forms_gds.helper import FormHelper
from crispy_forms_gds.layout import Button, Field, Layout, Size
from django import forms


class BreakGlassForm(forms.Form):
    reason = forms.CharField(
        label="Why do you need to open this record?",
        help_text="A safeguarding lead will review this. Say what you need to do "
        "and why it cannot wait for someone already named on the record.",
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=2000,
        error_messages={"required": "Enter why you need to open this record"},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.layout = Layout(
            Field.textarea("reason", max_characters=2000),
            Button("submit", "Open the record"),
        )

    def clean_reason(self):
        reason = self.cleaned_data["reason"].strip()
        if len(reason) < 10:
            raise forms.ValidationError(
                "Reason must be at least 10 characters: say what you need to do"
            )
        return reason


class AccessReviewForm(forms.Form):
    verdict = forms.ChoiceField(
        label="Was opening this record appropriate?",
        choices=[
            ("appropriate", "Yes, appropriate"),
            ("inappropriate", "No, flag it as inappropriate"),
        ],
        widget=forms.RadioSelect,
        error_messages={"required": "Select whether the access was appropriate"},
    )
    notes = forms.CharField(
        label="Notes",
        help_text="Needed if you flag it. Keep it short: it is kept in the audit trail.",
        required=False,
        max_length=200,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.layout = Layout(
            Field.radios("verdict", legend_size=Size.MEDIUM),
            Field.textarea("notes", max_characters=200),
            Button("submit", "Save review"),
        )

    def clean(self):
        cleaned = super().clean()
        if (
            cleaned.get("verdict") == "inappropriate"
            and not cleaned.get("notes", "").strip()
        ):
            self.add_error("notes", "Enter why the access was inappropriate")
        return cleaned
