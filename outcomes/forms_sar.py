"""Forms for the Safeguarding Adults Review process (outcomes.sar)."""

from __future__ import annotations

from crispy_forms_gds.helper import FormHelper
from crispy_forms_gds.layout import Button, Field, Fluid, Layout, Size
from django import forms

from enquiries.models import SafeguardingAdultsReview
from msp.editing import VersionedForm
from outcomes.forms_sac import DateInput

DIED_CHOICES = [("yes", "Yes, they died"), ("no", "No, they survived serious harm")]


def _yes(value) -> bool:
    return value == "yes"


def _date(label: str, what: str) -> forms.DateField:
    """A date the user must give; ``what`` names it in the errors."""
    return forms.DateField(
        label=label,
        widget=DateInput,
        error_messages={
            "required": f"Enter {what}",
            "invalid": f"Enter {what} as a real date",
        },
    )


class ReferralForm(forms.Form):
    title = forms.CharField(
        label="Title for the review",
        max_length=200,
        help_text="For example, the adult's initials or the board's code name",
        error_messages={"required": "Enter a title for the review"},
    )
    referred_on = _date("Date of the referral", "the date of the referral")
    referred_by = forms.CharField(
        label="Who is referring",
        max_length=200,
        help_text="Name and role or agency",
        error_messages={"required": "Enter who is referring the case"},
    )
    referral_reason = forms.CharField(
        label="Why the case is referred",
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text="How agencies worked together and the abuse or neglect known or suspected",
        error_messages={"required": "Enter why the case is referred"},
    )
    died = forms.TypedChoiceField(
        label="Has the adult died?",
        choices=DIED_CHOICES,
        coerce=_yes,
        widget=forms.RadioSelect,
        error_messages={"required": "Select whether the adult has died"},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.layout = Layout(
            Field.text("title", field_width=Fluid.TWO_THIRDS),
            Field.text("referred_on"),
            Field.text("referred_by", field_width=Fluid.TWO_THIRDS),
            Field.textarea("referral_reason"),
            Field.radios("died", legend_size=Size.SMALL),
            Button("submit", "Make the referral"),
        )


class DecisionForm(VersionedForm):
    decision = forms.ChoiceField(
        label="The board's decision on the section 44 criteria",
        choices=SafeguardingAdultsReview.Decision.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Select the board's decision"},
    )
    decided_on = _date("Date of the decision", "the date of the decision")
    decision_reasons = forms.CharField(
        label="Reasons",
        widget=forms.Textarea(attrs={"rows": 5}),
        error_messages={"required": "Enter the reasons for the decision"},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.layout = Layout(
            Field.radios("decision", legend_size=Size.SMALL),
            Field.text("decided_on"),
            Field.textarea("decision_reasons"),
            "version",
            Button("submit", "Save the decision"),
        )


class RecommendationForm(forms.Form):
    text = forms.CharField(
        label="Recommendation",
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"required": "Enter the recommendation"},
    )
    owner = forms.CharField(
        label="Owner",
        max_length=200,
        help_text="The agency or person responsible",
        error_messages={"required": "Enter who owns the recommendation"},
    )
    due_on = _date("Due date", "the due date")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.layout = Layout(
            Field.textarea("text"),
            Field.text("owner", field_width=Fluid.TWO_THIRDS),
            Field.text("due_on"),
            Button("submit", "Add the recommendation"),
        )


class DoneForm(VersionedForm):
    done_on = _date("Date it was done", "the date it was done")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.layout = Layout(
            Field.text("done_on"), "version", Button("submit", "Mark as done")
        )


class PersonSearchForm(forms.Form):
    """Find a person to add to a review by name (never by pasting an id)."""

    name = forms.CharField(
        label="Search by name",
        max_length=100,
        error_messages={"required": "Enter a name to search for"},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_method = "get"
        self.helper.layout = Layout(
            Field.text("name", field_width=Fluid.TWO_THIRDS),
            Button("search", "Search", css_class="govuk-button--secondary"),
        )


class AddFoundPersonForm(forms.Form):
    person = forms.TypedChoiceField(
        label="Person",
        coerce=int,
        widget=forms.RadioSelect,
        error_messages={
            "required": "Select the person to add",
            "invalid_choice": "Select a person from the search results",
        },
    )
    died = forms.TypedChoiceField(
        label="Did the person die?",
        choices=DIED_CHOICES,
        coerce=_yes,
        widget=forms.RadioSelect,
        error_messages={"required": "Select whether the person died"},
    )

    def __init__(self, *args, people=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["person"].choices = [
            *(
                (
                    person.pk,
                    f"{person.full_name}"
                    + (
                        f", born {person.date_of_birth:%-d %B %Y}"
                        if person.date_of_birth
                        else ""
                    ),
                )
                for person in people
            ),
            (0, "Someone not recorded here (added without a name)"),
        ]
        self.helper = FormHelper()
        self.helper.form_tag = False  # the page's form keeps the search in its action
        self.helper.layout = Layout(
            Field.radios("person", legend_size=Size.SMALL),
            Field.radios("died", legend_size=Size.SMALL),
            Button("submit", "Add individual"),
        )
