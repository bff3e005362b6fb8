"""Forms for budgets and direct payments (GOV.UK layout, server-side checks)."""

from __future__ import annotations

from crispy_forms_gds.helper import FormHelper
from crispy_forms_gds.layout import Button, Field, Fluid, Layout
from django import forms

from budgets.models import (
    ConcernLink,
    Condition,
    DirectPayment,
    Ending,
    FamilyMemberException,
    LocalConditionType,
    PersonalAssistant,
    PersonalBudget,
    Review,
)
from msp.editing import VersionedForm


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(
            format="%Y-%m-%d", attrs={"class": "govuk-input govuk-input--width-10"}
        )


def _layout_for(form: forms.Form, submit: str) -> Layout:
    parts = []
    for name, field in form.fields.items():
        widget = field.widget
        if isinstance(widget, forms.HiddenInput):
            parts.append(Field(name))
        elif isinstance(widget, forms.RadioSelect):
            parts.append(Field.radios(name, legend_size="s"))
        elif isinstance(widget, forms.Textarea):
            parts.append(Field.textarea(name, label_size="s", rows=3))
        elif isinstance(widget, forms.Select):
            parts.append(Field.select(name, legend_size="s"))
        elif isinstance(widget, forms.CheckboxInput):
            parts.append(Field.checkbox(name, small=True))
        elif isinstance(widget, DateInput):
            parts.append(Field.text(name, label_size="s"))
        else:
            parts.append(Field.text(name, label_size="s", field_width=Fluid.ONE_HALF))
    parts.append(Button("submit", submit))
    return Layout(*parts)


class GovForm(VersionedForm, forms.ModelForm):
    """A model form with GOV.UK error messages, widgets and layout.

    Editing a saved record it carries the version (msp.editing).
    """

    submit_label = "Save"

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            label = str(field.label or "").lower()
            if isinstance(field, forms.ChoiceField | forms.ModelChoiceField):
                field.error_messages["required"] = f"Select {label}"
            else:
                field.error_messages["required"] = f"Enter {label}"
            field.error_messages.setdefault(
                "invalid", f"Enter {label} in the right format"
            )
            if isinstance(field, forms.DateField):
                field.widget = DateInput()
                field.error_messages["invalid"] = f"Enter {label} as a real date"
            if isinstance(field, forms.DecimalField):
                field.widget.attrs.update({"inputmode": "decimal", "step": "0.01"})
                field.error_messages["invalid"] = (
                    f"Enter {label} as an amount in pounds"
                )
                field.error_messages["max_decimal_places"] = (
                    f"Enter {label} to the nearest penny"
                )
                field.error_messages["min_value"] = f"{field.label} must be £0 or more"
        self.helper = FormHelper()
        self.helper.layout = _layout_for(self, self.submit_label)

    def changed_values(self) -> dict:
        return {
            name: self.cleaned_data[name]
            for name in self.Meta.fields
            if name in self.cleaned_data
        }


class BudgetForm(GovForm):
    class Meta:
        model = PersonalBudget
        fields = [
            "care_plan_reference",
            "effective_from",
            "effective_to",
            "total_cost",
            "adult_contribution",
            "daily_living_costs",
            "other_public_money",
            "management",
        ]
        widgets = {
            "management": forms.RadioSelect,
            "other_public_money": forms.Textarea,
        }
        labels = {"total_cost": "Total cost of meeting needs (£)"}
        help_texts = {
            "adult_contribution": "From the financial assessment, in pounds. "
            "The council's part is worked out from this.",
            "daily_living_costs": "Only for people in a care home (s18 needs).",
            "other_public_money": "Housing, health or benefits money also available.",
        }


RELATION_HINT = (
    "If they are recorded in the person's relationships, choose them: a "
    "safeguarding concern naming them as its source is then linked to this "
    "payment and a review is triggered."
)


def _relations(form: forms.Form, name: str, person) -> None:
    """Offer only the person's own recorded relationships."""
    if name not in form.fields:
        return
    field = form.fields[name]
    field.queryset = (
        person.relationships.order_by("name", "id")
        if person is not None
        else field.queryset.none()
    )
    field.empty_label = "Not recorded there"


class DirectPaymentForm(GovForm):
    class Meta:
        model = DirectPayment
        fields = [
            "legal_basis",
            "authority_basis",
            "recipient_name",
            "recipient_relationship",
            "recipient_relation",
            "payment_method",
            "amount",
            "frequency",
            "start_date",
            "first_payment_on",
            "person_wants",
        ]
        widgets = {
            "legal_basis": forms.RadioSelect,
            "authority_basis": forms.RadioSelect,
            "payment_method": forms.RadioSelect,
            "frequency": forms.RadioSelect,
        }
        labels = {"amount": "Amount (£)"}
        help_texts = {
            "authority_basis": "Only for section 32 payments.",
            "recipient_name": "Leave blank when the adult receives it themself.",
            "recipient_relation": RELATION_HINT,
        }

    def __init__(self, *args, person=None, **kwargs):
        super().__init__(*args, **kwargs)
        _relations(self, "recipient_relation", person)
        if "authority_basis" in self.fields:
            self.fields[
                "authority_basis"
            ].choices = DirectPayment.AuthorityBasis.choices


class DirectPaymentChangeForm(DirectPaymentForm):
    """Payment details; the recipient and legal basis have their own form."""

    class Meta(DirectPaymentForm.Meta):
        fields = [
            "payment_method",
            "amount",
            "frequency",
            "person_wants",
        ]


class RecipientForm(DirectPaymentForm):
    """Who receives the payment and on what legal basis, with the reason."""

    submit_label = "Save recipient"

    class Meta(DirectPaymentForm.Meta):
        fields = [
            "legal_basis",
            "authority_basis",
            "recipient_name",
            "recipient_relationship",
            "recipient_relation",
        ]

    reason = forms.CharField(
        label="Why has this changed?",
        help_text="For example: the adult lost capacity to manage the payment, "
        "or the nominated person can no longer do it.",
        widget=forms.Textarea,
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["reason"].error_messages["required"] = (
            "Enter why the recipient or basis changed"
        )


class StatusForm(VersionedForm):
    to_status = forms.ChoiceField(
        label="New status",
        widget=forms.RadioSelect,
        error_messages={"required": "Select the new status"},
    )
    reason = forms.CharField(
        label="Why the status is changing",
        widget=forms.Textarea,
        error_messages={"required": "Enter why the status is changing"},
    )

    def __init__(self, *args, choices, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["to_status"].choices = choices
        self.helper = FormHelper()
        self.helper.layout = _layout_for(self, "Change status")


class LocalConditionForm(GovForm):
    submit_label = "Add condition"

    class Meta:
        model = Condition
        fields = [
            "local_type",
            "details",
            "risk_answered",
            "why_nothing_less",
            "agreement",
            "person_view",
            "safeguarding_concern",
            "review_on",
        ]
        widgets = {
            "local_type": forms.RadioSelect,
            "details": forms.Textarea,
            "risk_answered": forms.Textarea,
            "why_nothing_less": forms.Textarea,
            "agreement": forms.RadioSelect,
            "person_view": forms.Textarea,
        }
        help_texts = {
            "details": "Who or what the condition names, if it names anyone.",
            "risk_answered": "The specific risk to the person or the money.",
            "why_nothing_less": "Conditions must not unreasonably restrict how "
            "the person uses the payment to meet their needs.",
            "safeguarding_concern": "Only if a safeguarding concern is the reason "
            "for this condition.",
        }

    def __init__(self, *args, concerns, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["local_type"].queryset = LocalConditionType.objects.filter(
            is_active=True
        )
        self.fields["local_type"].empty_label = None
        self.fields["local_type"].required = True
        self.fields["local_type"].error_messages["required"] = "Select the condition"
        self.fields["risk_answered"].required = True
        self.fields["why_nothing_less"].required = True
        self.fields["safeguarding_concern"].queryset = concerns
        self.fields["safeguarding_concern"].label_from_instance = _concern_label
        self.fields["safeguarding_concern"].empty_label = "No safeguarding concern"
        self.fields["agreement"].choices = Condition.Agreement.choices


def _concern_label(concern) -> str:
    return f"Received {concern.received_on:%-d %B %Y}: {concern.summary[:80]}"


class ConditionStatusForm(GovForm):
    submit_label = "Save"

    class Meta:
        model = Condition
        fields = [
            "status",
            "breached_on",
            "breach_details",
            "removed_on",
            "removed_reason",
        ]
        widgets = {
            "status": forms.RadioSelect,
            "breach_details": forms.Textarea,
            "removed_reason": forms.Textarea,
        }
        labels = {
            "breached_on": "Date of the breach",
            "breach_details": "What happened",
            "removed_on": "Date removed",
            "removed_reason": "Why it is removed",
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        choices = Condition.Status.choices
        if self.instance.is_statutory:
            choices = [c for c in choices if c[0] != Condition.Status.REMOVED]
        self.fields["status"].choices = choices

    def clean(self):
        data = super().clean()
        if data.get("status") == Condition.Status.REMOVED and not data.get(
            "removed_on"
        ):
            self.add_error("removed_on", "Enter the date the condition was removed")
        return data


class FamilyExceptionForm(GovForm):
    submit_label = "Record exception"

    class Meta:
        model = FamilyMemberException
        fields = [
            "family_member_name",
            "relationship",
            "covers",
            "necessity_reasons",
            "authorised_on",
            "review_on",
        ]
        widgets = {"covers": forms.RadioSelect, "necessity_reasons": forms.Textarea}


class AssistantForm(GovForm):
    submit_label = "Save personal assistant"

    class Meta:
        model = PersonalAssistant
        fields = [
            "name",
            "started_on",
            "ended_on",
            "relationship",
            "same_household",
            "person_relation",
            "family_exception",
            "dbs_type",
            "dbs_checked_on",
            "dbs_certificate_reference",
            "dbs_recheck_due",
            "dbs_request",
            "dbs_requested_on",
            "dbs_completed_on",
        ]
        widgets = {
            "relationship": forms.RadioSelect,
            "dbs_type": forms.RadioSelect,
            "dbs_request": forms.RadioSelect,
        }
        labels = {
            "dbs_requested_on": "Date requested",
            "dbs_completed_on": "Date completed",
        }
        help_texts = {
            "dbs_certificate_reference": "The number only. Never record what "
            "the certificate says.",
            "family_exception": "Needed for a close family member living in the "
            "same household (regulation 3).",
            "person_relation": RELATION_HINT,
        }

    def __init__(self, *args, exceptions, person=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["family_exception"].queryset = exceptions
        _relations(self, "person_relation", person)


class ReviewForm(GovForm):
    submit_label = "Record review"

    class Meta:
        model = Review
        fields = [
            "completed_on",
            "depth",
            "findings",
            "person_view",
            "outcome",
            "repayment_amount",
            "repayment_reason",
        ]
        widgets = {
            "depth": forms.RadioSelect,
            "outcome": forms.RadioSelect,
            "findings": forms.Textarea,
            "person_view": forms.Textarea,
            "repayment_reason": forms.Textarea,
        }
        labels = {
            "completed_on": "Date of the review",
            "depth": "Type of review",
            "person_view": "The person's view, in their own words",
            "repayment_amount": "Repayment asked for (£)",
        }
        help_texts = {"repayment_amount": "Only when asking for repayment."}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("completed_on", "depth", "findings", "person_view", "outcome"):
            self.fields[name].required = True
        self.fields["depth"].choices = Review.Depth.choices
        self.fields["outcome"].choices = Review.Outcome.choices
        self.fields["completed_on"].error_messages["required"] = (
            "Enter the date of the review"
        )


class ConcernLinkForm(GovForm):
    submit_label = "Link concern"

    class Meta:
        model = ConcernLink
        fields = ["concern", "role", "notes"]
        widgets = {
            "concern": forms.RadioSelect,
            "role": forms.RadioSelect,
            "notes": forms.Textarea,
        }
        labels = {
            "concern": "Safeguarding concern",
            "role": "How the payment is involved",
        }
        help_texts = {
            "role": "Any role other than context triggers a review of the payment now.",
        }

    def __init__(self, *args, concerns, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["concern"].queryset = concerns
        self.fields["concern"].empty_label = None
        self.fields["concern"].label_from_instance = _concern_label
        self.fields["concern"].error_messages["required"] = "Select the concern"
        self.fields["role"].error_messages["required"] = (
            "Select how the payment is involved"
        )


class SuspendForm(forms.Form):
    reason = forms.CharField(
        label="Why payments are suspended",
        widget=forms.Textarea,
        error_messages={"required": "Enter why payments are suspended"},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.layout = _layout_for(self, "Suspend payments")


class LinkWithdrawForm(forms.Form):
    reason = forms.CharField(
        label="Why is this link wrong?",
        help_text="For example: a different person with the same name, or the "
        "payment is not involved.",
        widget=forms.Textarea,
        error_messages={"required": "Enter why this link is wrong"},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.layout = _layout_for(self, "Withdraw link")


class EndingForm(GovForm):
    submit_label = "End direct payment"

    class Meta:
        model = Ending
        fields = [
            "reason",
            "reason_details",
            "ended_on",
            "notice_days",
            "repayment_amount",
            "repayment_reason",
            "alternative_arrangements",
        ]
        widgets = {
            "reason": forms.RadioSelect,
            "reason_details": forms.Textarea,
            "repayment_reason": forms.RadioSelect,
            "alternative_arrangements": forms.Textarea,
        }
        labels = {"repayment_amount": "Repayment asked for (£)"}
        help_texts = {
            "notice_days": "Local policy is usually 28 days unless the payment "
            "must stop at once.",
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["repayment_reason"].choices = [
            c for c in self.fields["repayment_reason"].choices if c[0]
        ]
        self.fields["reason"].choices = Ending.Reason.choices


class ConcernSideLinkForm(forms.Form):
    direct_payment = forms.ModelChoiceField(
        label="Direct payment",
        queryset=DirectPayment.objects.none(),
        widget=forms.RadioSelect,
        empty_label=None,
        error_messages={"required": "Select the direct payment"},
    )
    role = forms.ChoiceField(
        label="How the payment is involved",
        choices=ConcernLink.Role.choices,
        widget=forms.RadioSelect,
        help_text="Any role other than context triggers a review of the payment now.",
        error_messages={"required": "Select how the payment is involved"},
    )
    notes = forms.CharField(label="Notes", widget=forms.Textarea, required=False)

    def __init__(self, *args, payments, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["direct_payment"].queryset = payments
        self.helper = FormHelper()
        self.helper.layout = _layout_for(self, "Link direct payment")
