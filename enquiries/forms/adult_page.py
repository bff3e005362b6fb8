"""Forms for the adult's own page: the practitioner's offer (with its safety
questions), invitations and ending it; and what the adult fills in (in
English or Polish: the labels are translated, the case data is not)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from enquiries import codes
from enquiries.models import AdultPageAccess, AdultPageInvitation
from msp.forms import (
    DateInput,
    GdsForm,
    GdsModelForm,
    yes_no_field,
)


class OfferForm(GdsModelForm):
    submit_label = "Offer the page"

    harm_source_cannot_see_contact = yes_no_field(
        "Is it safe: can you be sure the person causing harm cannot see their "
        "phone, e-mail or post?",
        required=True,
        message="Select whether the person causing harm could see their phone or e-mail",
    )
    adult_said_yes = yes_no_field(
        "Has the adult said yes to having their own page?",
        required=True,
        message="Select whether the adult has said yes",
    )
    contact_confirmed = yes_no_field(
        "Have you confirmed the e-mail address or mobile number with them?",
        required=True,
        message="Select whether you confirmed the contact details",
    )
    withhold_sharing = yes_no_field(
        "Would telling them about information shared put someone at risk?",
        required=True,
        message="Select whether telling them about information shared would put "
        "someone at risk",
    )

    class Meta:
        model = AdultPageAccess
        fields = [
            "harm_source_cannot_see_contact",
            "adult_said_yes",
            "safety_notes",
            "recipient",
            "recipient_name",
            "authority",
            "authority_details",
            "code_by",
            "email",
            "mobile",
            "contact_confirmed",
            "withhold_sharing",
            "withhold_reason",
        ]
        widgets = {
            "recipient": forms.RadioSelect,
            "authority": forms.RadioSelect,
            "code_by": forms.RadioSelect,
        }
        labels = {
            "safety_notes": "How do you know it is safe? (who you spoke to, what they said)",
            "recipient": "Who is the page for?",
            "authority": "On what basis?",
            "authority_details": (
                "Details of the agreement or authority (for example the LPA's "
                "registration number, or the date of the best-interests decision)"
            ),
            "code_by": "How should sign-in codes be sent?",
            "withhold_reason": "Why telling them would put someone at risk",
        }
        help_texts = {
            "recipient": (
                "Offer it to an advocate or representative only with the adult's "
                "agreement or a lawful authority."
            ),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["harm_source_cannot_see_contact"].help_text = (
            "Think about shared phones, shared e-mail accounts, tablets at home "
            "and post opened by others. If you are not sure, answer no."
        )
        for name in ("recipient", "authority", "code_by"):
            self.fields[name].required = True


class EndForm(GdsForm):
    submit_label = "End the page now"

    action = forms.ChoiceField(
        label="What are you doing?",
        choices=[
            ("revoke", "Revoking the page"),
            ("refuse", "Refusing the page (manager)"),
        ],
        widget=forms.RadioSelect,
    )
    reason = forms.CharField(label="Why", widget=forms.Textarea, max_length=2000)


class InviteForm(GdsForm):
    submit_label = "Send the invitation"

    sent_by = forms.ChoiceField(
        label="How will you send the invitation?",
        choices=AdultPageInvitation.SentBy.choices,
        widget=forms.RadioSelect,
        help_text="A letter is printed now: the link is shown only once.",
    )


# --- The adult's forms ----------------------------------------------------------


class AdultForm(forms.Form):
    """Nothing typed here is offered again by the browser on a shared device."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            if getattr(field.widget, "input_type", "") not in ("radio", "checkbox"):
                field.widget.attrs["autocomplete"] = "off"


class SignInForm(AdultForm):
    code = forms.CharField(
        label=_("Your code"),
        max_length=20,
        error_messages={
            "required": _("Enter the code we sent you"),
            "max_length": _("The code is 6 numbers"),
        },
    )
    date_of_birth = forms.DateField(
        label=_("Your date of birth"),
        widget=DateInput,
        error_messages={
            "required": _("Enter your date of birth"),
            "invalid": _("Enter your date of birth as a real date"),
        },
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["code"].widget.attrs.update(inputmode="numeric", spellcheck="false")

    def clean_code(self):
        # "123 456" and "123-456" are fine: only the digits count.
        code = "".join(ch for ch in self.cleaned_data["code"] if ch not in " -")
        if not (code.isdigit() and len(code) == 6):
            raise forms.ValidationError(_("The code is 6 numbers"))
        return code


class ViewsForm(AdultForm):
    views_text = forms.CharField(
        label=_("What do you want to tell us?"),
        widget=forms.Textarea(attrs={"rows": 6}),
        max_length=5000,
        error_messages={
            "required": _("Write what you want to tell us"),
            "max_length": _("Write 5,000 characters or fewer"),
        },
    )
    worries = forms.CharField(
        label=_("Is anything worrying you? (you do not have to answer)"),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        max_length=2000,
        error_messages={"max_length": _("Write 2,000 characters or fewer")},
    )


class PlanAnswerForm(AdultForm):
    agree = forms.ChoiceField(
        label=_("Do you agree with this plan?"),
        choices=[("yes", _("Yes, I agree")), ("no", _("No, I do not agree"))],
        widget=forms.RadioSelect,
        error_messages={"required": _("Select whether you agree with the plan")},
    )
    disagreement = forms.CharField(
        label=_("What do you not agree with?"),
        widget=forms.Textarea(attrs={"rows": 4}),
        required=False,
        max_length=5000,
        error_messages={"max_length": _("Write 5,000 characters or fewer")},
    )
    version = forms.CharField(widget=forms.HiddenInput, max_length=64)

    def clean(self):
        data = super().clean()
        if data.get("agree") == "no" and not (data.get("disagreement") or "").strip():
            self.add_error("disagreement", _("Tell us what you do not agree with"))
        return data


class CallBackForm(AdultForm):
    when = forms.CharField(
        label=_("When is a good time to call? (you do not have to answer)"),
        required=False,
        max_length=500,
        error_messages={"max_length": _("Write 500 characters or fewer")},
    )


ACHIEVED_CHOICES = [
    (codes.Achieved.FULLY, _("Yes, fully")),
    (codes.Achieved.PARTIALLY, _("Partly")),
    (codes.Achieved.NOT, _("No")),
]


class RateOutcomesForm(AdultForm):
    """One question per outcome: did it happen?"""

    def __init__(self, *args, outcomes=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.outcomes = list(outcomes)
        for outcome in self.outcomes:
            self.fields[f"outcome_{outcome.pk}"] = forms.ChoiceField(
                label=outcome.text,
                choices=ACHIEVED_CHOICES,
                widget=forms.RadioSelect,
                error_messages={"required": _("Select how far this happened")},
            )
            self.fields[f"comment_{outcome.pk}"] = forms.CharField(
                label=_("Anything you want to say about it (you do not have to)"),
                required=False,
                max_length=2000,
                widget=forms.Textarea(attrs={"rows": 2}),
            )

    def rows(self):
        return [
            (self[f"outcome_{o.pk}"], self[f"comment_{o.pk}"]) for o in self.outcomes
        ]

    def ratings(self) -> dict[int, str]:
        return {o.pk: self.cleaned_data[f"outcome_{o.pk}"] for o in self.outcomes}

    def comments(self) -> dict[int, str]:
        return {
            o.pk: self.cleaned_data.get(f"comment_{o.pk}", "") for o in self.outcomes
        }
