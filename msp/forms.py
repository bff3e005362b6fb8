from crispy_forms_gds.helper import FormHelper
from crispy_forms_gds.layout import Button, Field, Fluid, Layout, Size
from django import forms
from django.contrib.auth.forms import (
    AuthenticationForm,
    PasswordResetForm,
    SetPasswordForm,
)

from msp.models import AuditEvent


class SignInForm(AuthenticationForm):
    """Django's sign-in form, laid out the GOV.UK way.

    Paste and password managers are allowed (WCAG 2.2 3.3.8).
    """

    error_messages = {
        "invalid_login": "Enter a correct username and password. "
        "Both are case-sensitive.",
        "inactive": "This account has been disabled. Contact your administrator.",
    }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["username"].error_messages["required"] = "Enter your username"
        self.fields["password"].error_messages["required"] = "Enter your password"
        self.fields["username"].widget.attrs["autocomplete"] = "username"
        self.fields["password"].widget.attrs["autocomplete"] = "current-password"
        self.helper = FormHelper()
        self.helper.layout = Layout(
            Field.text("username", field_width=Fluid.TWO_THIRDS),
            Field.text("password", field_width=Fluid.TWO_THIRDS),
            Button("submit", "Sign in"),
        )


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


class AuditSearchForm(forms.Form):
    """Filters for the audit log. Every field is optional."""

    user = forms.CharField(label="Username", required=False, max_length=150)
    person = forms.UUIDField(
        label="Person reference",
        required=False,
        error_messages={
            "invalid": "Enter a person reference like 1b9d6bcd-bbfd-4b2d-9b5d-ab8dfbbd4bed"
        },
    )
    action = forms.ChoiceField(
        label="Action",
        required=False,
        choices=[("", "Any action"), *AuditEvent.Action.choices],
    )
    date_from = forms.DateField(
        label="From",
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        error_messages={"invalid": "Enter a real date for ‘from’"},
    )
    date_to = forms.DateField(
        label="To",
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        error_messages={"invalid": "Enter a real date for ‘to’"},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_method = "get"
        self.helper.layout = Layout(
            Field.text("user", field_width=Fluid.ONE_THIRD),
            Field.text("person", field_width=Fluid.TWO_THIRDS),
            Field.select("action"),
            Field.text("date_from"),
            Field.text("date_to"),
            Button("submit", "Search"),
        )

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("date_from"), cleaned.get("date_to")
        if start and end and start > end:
            self.add_error("date_to", "‘To’ must be the same as or after ‘from’")
        return cleaned


class TokenForm(forms.Form):
    """A six-digit code from an authenticator app, or a backup code."""

    token = forms.CharField(
        label="Code",
        max_length=16,
        error_messages={"required": "Enter the code"},
    )

    def __init__(
        self,
        *args,
        label: str = "Code",
        hint: str = "",
        button: str = "Continue",
        **kwargs,
    ):
        super().__init__(*args, **kwargs)
        self.fields["token"].label = label
        self.fields["token"].help_text = hint
        self.fields["token"].widget.attrs.update(
            {"autocomplete": "one-time-code", "spellcheck": "false"}
        )
        self.helper = FormHelper()
        self.helper.layout = Layout(
            Field.text("token", field_width=Fluid.ONE_THIRD),
            Button("submit", button),
        )

    def clean_token(self):
        return "".join(self.cleaned_data["token"].split())


class GovukPasswordResetForm(PasswordResetForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["email"].label = "Email address"
        self.fields["email"].error_messages.update(
            {
                "required": "Enter your email address",
                "invalid": "Enter an email address in the correct format, like name@example.org",
            }
        )
        self.helper = FormHelper()
        self.helper.layout = Layout(
            Field.text("email", field_width=Fluid.TWO_THIRDS),
            Button("submit", "Send reset link"),
        )


class GovukSetPasswordForm(SetPasswordForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["new_password1"].error_messages["required"] = "Enter a new password"
        self.fields["new_password2"].error_messages["required"] = (
            "Confirm your new password"
        )
        self.fields["new_password1"].help_text = (
            "At least 12 characters. Three random words work well. "
            "Do not use a password you use anywhere else."
        )
        self.helper = FormHelper()
        self.helper.layout = Layout(
            Field.text("new_password1", field_width=Fluid.TWO_THIRDS),
            Field.text("new_password2", field_width=Fluid.TWO_THIRDS),
            Button("submit", "Change password"),
        )
