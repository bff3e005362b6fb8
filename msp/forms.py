import datetime
import re

from crispy_forms_gds.helper import FormHelper
from crispy_forms_gds.layout import Button, Field, Fluid, Layout, Size
from django import forms
from django.contrib.auth.forms import (
    AuthenticationForm,
    PasswordResetForm,
    SetPasswordForm,
)

from msp.models import AuditEvent, User

FILTER_EARLIEST = datetime.date(1900, 1, 1)
FILTER_LATEST = datetime.date(2099, 12, 31)


def drop_blank_radio_choices(form: forms.BaseForm) -> None:
    """Radio groups never offer Django's blank "---------" choice.

    A model field without a default gives its form field a blank first
    choice; as a radio button it reads as a real answer. Leaving every radio
    unselected already means "no answer", so the blank choice goes (a
    required question then gets its own "Select ..." error instead).
    """
    for field in form.fields.values():
        if not isinstance(field.widget, forms.RadioSelect):
            continue
        if isinstance(field, forms.ModelChoiceField):
            field.empty_label = None
        elif isinstance(field, forms.ChoiceField):
            field.choices = [
                (value, label)
                for value, label in field.choices
                if value not in ("", None)
            ]


class FilterDateField(forms.DateField):
    """A date to filter by (search, reports): only dates between 1900 and
    2099, so the ends of the calendar (0001-01-01, 9999-12-31) get a clear
    message instead of overflowing when a day is added or a zone applied."""

    default_error_messages = {
        "range": "Enter a date between 1 January 1900 and 31 December 2099",
    }

    def validate(self, value):
        super().validate(value)
        if value and not FILTER_EARLIEST <= value <= FILTER_LATEST:
            raise forms.ValidationError(self.error_messages["range"], code="range")


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
    date_from = FilterDateField(
        label="From",
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        error_messages={"invalid": "Enter a real date for ‘from’"},
    )
    date_to = FilterDateField(
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


class ReminderEmailForm(forms.Form):
    reminder_email = forms.ChoiceField(
        label="When should we e-mail you about notifications?",
        help_text="E-mails only say how many notifications you have, never what "
        "they are about.",
        choices=User.ReminderEmail.choices,
        widget=forms.RadioSelect,
        error_messages={
            "required": "Select when we should e-mail you",
            "invalid_choice": "Select when we should e-mail you",
        },
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.layout = Layout(
            Field.radios("reminder_email", legend_size=Size.MEDIUM),
            Button("submit", "Save"),
        )


# GOV.UK form plumbing for the case pages (moved from enquiries/forms/base.py)


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs=attrs, format="%Y-%m-%d")


CHOICE_WIDGETS = (forms.RadioSelect, forms.Select, forms.CheckboxSelectMultiple)


# A label that is a question asked back to front ("Where did it happen",
# "Does the adult know") cannot follow "Select" or "Enter".
_AUX = r"(is|was|were|are|did|does|do|has|have|had|can|could|will|would|should)"
INVERTED_QUESTION = re.compile(
    rf"^({_AUX}|(how|where|when|why)\s+{_AUX}|(what|who|which)\s+{_AUX}\s+"
    r"(it|they|he|she|you|we|this|that|the|their|his|her|its|these|those))\b",
    re.IGNORECASE,
)


def label_for_message(label: str) -> str:
    """The label as an error message names it: no "(optional)", no "?"."""
    text = re.sub(r"\s*\(optional\)", "", str(label)).strip()
    return text.rstrip("?").strip()


def required_message(label: str, *, choice: bool) -> str:
    """ "Select the team", "Enter what happened"; a back-to-front question is
    asked again rather than bent into an instruction."""
    if INVERTED_QUESTION.match(label):
        return f"Answer the question: {label[:1].upper()}{label[1:]}?"
    return f"{'Select' if choice else 'Enter'} {in_sentence(label)}"


def in_sentence(label: str) -> str:
    """The label inside a sentence: "Date received" becomes "date received",
    "NHS number" stays as it is."""
    if label[1:2].islower():
        return label[:1].lower() + label[1:]
    return label


class GdsFormMixin:
    """GOV.UK layout and error messages, built from the fields' widgets."""

    submit_label = "Save and continue"
    extra_buttons: tuple[tuple[str, str], ...] = ()

    # What to say when a field is left empty, where the label cannot simply
    # follow "Select" or "Enter" (a question: "Where did it happen").
    required_messages: dict[str, str] = {}

    def _gds_setup(self) -> None:
        for name, field in self.fields.items():
            label = label_for_message(field.label or name.replace("_", " "))
            widget = field.widget
            if isinstance(widget, forms.RadioSelect) and hasattr(field, "choices"):
                field.choices = [(v, lbl) for v, lbl in field.choices if v != ""]
            field.error_messages["required"] = self.required_messages.get(
                name
            ) or required_message(label, choice=isinstance(widget, CHOICE_WIDGETS))
            if isinstance(widget, forms.DateInput):
                field.error_messages["invalid"] = (
                    f"Enter {in_sentence(label)} as a real date, like 27 3 2024"
                )
        self.helper = FormHelper()
        items = []
        for name, field in self.fields.items():
            widget = field.widget
            if isinstance(widget, forms.HiddenInput):
                items.append(Field(name))
            elif isinstance(widget, forms.CheckboxSelectMultiple):
                items.append(Field.checkboxes(name, legend_size="s", small=True))
            elif isinstance(widget, forms.RadioSelect):
                items.append(Field.radios(name, legend_size="s", small=True))
            elif isinstance(widget, forms.CheckboxInput):
                items.append(Field.checkbox(name, small=True))
            elif isinstance(widget, forms.Textarea):
                items.append(Field.textarea(name, label_size="s", rows=4))
            elif isinstance(widget, forms.Select):
                items.append(Field.select(name, label_size="s"))
            elif isinstance(widget, forms.DateInput):
                items.append(Field.text(name, label_size="s"))
            else:
                items.append(
                    Field.text(name, label_size="s", field_width=Fluid.TWO_THIRDS)
                )
        items.append(Button("submit", self.submit_label))
        for name, label in self.extra_buttons:
            items.append(Button(name, label, css_class="govuk-button--secondary"))
        self.helper.layout = Layout(*items)


class GdsForm(GdsFormMixin, forms.Form):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._gds_setup()


class GdsModelForm(GdsFormMixin, forms.ModelForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._gds_setup()


YES_NO = [("yes", "Yes"), ("no", "No")]
YES_NO_UNKNOWN = [("yes", "Yes"), ("no", "No"), ("unknown", "Not known")]


def _to_bool(value: str):
    return {"yes": True, "no": False}.get(value)


def yes_no_field(label: str, *, required: bool, message: str = "", unknown=False):
    field = forms.TypedChoiceField(
        label=label,
        choices=YES_NO_UNKNOWN if unknown else YES_NO,
        coerce=_to_bool,
        empty_value=None,
        required=required,
        widget=forms.RadioSelect,
    )
    if message:
        field.error_messages["required"] = message
    return field


def bool_initial(value) -> str | None:
    if value is None:
        return None
    return "yes" if value else "no"


def date_field(label: str, *, required: bool, message: str = "", help_text=""):
    field = forms.DateField(
        label=label, required=required, widget=DateInput, help_text=help_text
    )
    field.error_messages["required"] = message or f"Enter the {label.lower()}"
    field.error_messages["invalid"] = f"Enter a real date for {label.lower()}"
    return field


def require(form: forms.Form, messages: dict[str, str]) -> None:
    """Make fields required with GOV.UK wording for the error."""
    for name, message in messages.items():
        form.fields[name].required = True
        form.fields[name].error_messages["required"] = message
    drop_blank_radio_choices(form)


def make_helper(*fields, button: str = "Save") -> FormHelper:
    helper = FormHelper()
    helper.layout = Layout(*fields, Button("submit", button))
    helper.render_hidden_fields = True
    return helper
