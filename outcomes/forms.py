"""Forms: report filters, evaluating outcomes with the adult, and feedback."""

from __future__ import annotations

import datetime

from crispy_forms_gds.helper import FormHelper
from crispy_forms_gds.layout import HTML, Button, Field, Fieldset, Fluid, Layout
from django import forms
from django.contrib.auth import get_user_model
from django.utils import timezone
from django.utils.html import format_html

from enquiries import codes
from enquiries.models import Enquiry
from msp.access import can_see_all_teams, team_ids
from msp.dates import financial_year_of
from msp.editing import VersionedForm
from msp.forms import FilterDateField
from msp.models import Team
from outcomes import sac_spec
from outcomes.models import AgreementScale, FeedbackQuestionnaire, FeedbackResponse
from outcomes.reports import ReportFilter

EVALUATED_WITH_CHOICES = [
    (value, label)
    for value, label in codes.ViewSource.choices
    if value not in (codes.ViewSource.REFERRER, codes.ViewSource.NOT_OBTAINED)
] + [
    (
        codes.ViewSource.NOT_OBTAINED,
        "Nobody: the adult died or could not be reached, and there is no "
        "representative (the practitioner's judgement)",
    )
]


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs=attrs, format="%Y-%m-%d")


def _financial_years(count: int = 6) -> list[tuple[str, str]]:
    current = financial_year_of(datetime.date.today())
    first = int(current[:4])
    choices = []
    for year in range(first, first - count, -1):
        code = f"{year}-{(year + 1) % 100:02d}"
        choices.append((code, f"April {year} to March {year + 1} ({code})"))
    return choices


class ReportFilterForm(forms.Form):
    """The dashboard's filters: a GET form that works without JavaScript."""

    year = forms.ChoiceField(label="Financial year", required=False)
    date_from = FilterDateField(
        label="Or from (concluded on or after)", required=False, widget=DateInput()
    )
    date_to = FilterDateField(
        label="To (concluded on or before)", required=False, widget=DateInput()
    )
    team = forms.ModelChoiceField(
        queryset=Team.objects.none(), required=False, empty_label="All my teams"
    )
    practitioner = forms.ModelChoiceField(
        label="Practitioner",
        queryset=get_user_model().objects.none(),
        required=False,
        empty_label="Everyone",
    )
    kind = forms.ChoiceField(
        label="Kind of enquiry",
        required=False,
        choices=[("", "Section 42 and other"), *Enquiry.Kind.choices],
    )
    risk_type = forms.ChoiceField(
        label="Type of risk",
        required=False,
        choices=[("", "Any"), *codes.RiskType.choices],
    )
    location = forms.ChoiceField(
        label="Location of risk",
        required=False,
        choices=[("", "Any"), *codes.RiskLocation.choices],
    )
    source = forms.ChoiceField(
        label="Source of risk",
        required=False,
        choices=[("", "Any"), *codes.RiskSource.choices],
    )
    by = forms.ChoiceField(
        label="Show over time by",
        required=False,
        choices=[("month", "Month"), ("quarter", "Quarter")],
        widget=forms.RadioSelect,
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.fields["year"].choices = _financial_years()
        User = get_user_model()
        if can_see_all_teams(user):
            self.fields["team"].queryset = Team.objects.filter(is_active=True)
            self.fields["team"].empty_label = "All teams"
            workers = User.objects.filter(teams__isnull=False)
        else:
            ids = team_ids(user)
            self.fields["team"].queryset = Team.objects.filter(pk__in=ids)
            workers = User.objects.filter(teams__in=ids)
        self.fields["practitioner"].queryset = (
            workers.filter(is_active=True)
            .distinct()
            .order_by("last_name", "first_name")
        )
        self.helper = FormHelper()
        self.helper.form_method = "get"
        self.helper.layout = Layout(
            Field.select("year"),
            Field.text("date_from", field_width=Fluid.ONE_THIRD),
            Field.text("date_to", field_width=Fluid.ONE_THIRD),
            Field.select("team"),
            Field.select("practitioner"),
            Field.select("kind"),
            Field.select("risk_type"),
            Field.select("location"),
            Field.select("source"),
            Field.radios("by", inline=True, small=True),
            Button("apply", "Apply filters"),
        )

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("date_from"), cleaned.get("date_to")
        if start or end:
            if not start:
                self.add_error("date_from", "Enter the date the period starts")
            if not end:
                self.add_error("date_to", "Enter the date the period ends")
            if start and end and end < start:
                self.add_error(
                    "date_to", "The end of the period must be on or after its start"
                )
            if start and end and (end - start).days > 366 * 5:
                self.add_error("date_to", "Choose a period of 5 years or less")
        return cleaned

    def filters(self) -> ReportFilter:
        """The chosen filters; call only when the form is valid."""
        data = self.cleaned_data
        if data.get("date_from") and data.get("date_to"):
            start, end = data["date_from"], data["date_to"]
        else:
            year = data.get("year") or financial_year_of(datetime.date.today())
            start, end = sac_spec.financial_year_bounds(year)
        query = {
            name: self.data.get(name)
            for name in self.fields
            if self.data.get(name) not in (None, "")
        }
        return ReportFilter(
            start=start,
            end=end,
            team_id=data["team"].pk if data.get("team") else None,
            practitioner_id=data["practitioner"].pk
            if data.get("practitioner")
            else None,
            kind=data.get("kind") or "",
            risk_type=data.get("risk_type") or "",
            location=data.get("location") or "",
            source=data.get("source") or "",
            by=data.get("by") or "month",
            query=query,
        )


class EvaluationForm(VersionedForm):
    """Rate each desired outcome with the adult, then the enquiry-level answer."""

    evaluated_with = forms.ChoiceField(
        label="Who took part in the evaluation?",
        choices=EVALUATED_WITH_CHOICES,
        widget=forms.RadioSelect,
        error_messages={"required": "Select who took part in the evaluation"},
    )
    judgement_reason = forms.CharField(
        label="If nobody could take part: why, and what your judgement rests on",
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
    )
    evaluated_on = forms.DateField(
        label="Date of the evaluation",
        required=False,
        help_text="If it was not today, enter the day it was.",
        widget=DateInput,
        error_messages={
            "required": "Enter the date of the evaluation",
            "invalid": "Enter the date of the evaluation as a real date, like 27 3 2024",
        },
    )
    overall = forms.ChoiceField(
        label="Were the outcomes the adult wanted achieved?",
        choices=codes.Achieved.choices,
        widget=forms.RadioSelect,
        required=False,
    )
    changed_reason = forms.CharField(
        label="Why is this different from what the ratings suggest?",
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
    )

    def __init__(self, *args, outcomes, suggestion: str, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.is_bound and not self.initial.get("evaluated_on"):
            self.initial["evaluated_on"] = datetime.date.today()
        self.outcomes = list(outcomes)
        outcome_fields = []
        for number, outcome in enumerate(self.outcomes, start=1):
            achieved = f"outcome_{outcome.pk}_achieved"
            comment = f"outcome_{outcome.pk}_comment"
            self.fields[achieved] = forms.ChoiceField(
                label=f"Outcome {number}: was it achieved?",
                choices=codes.Achieved.choices,
                widget=forms.RadioSelect,
                error_messages={
                    "required": f"Select whether outcome {number} was achieved"
                },
            )
            self.fields[comment] = forms.CharField(
                label=f"What they said about outcome {number} (optional)",
                widget=forms.Textarea(attrs={"rows": 2}),
                required=False,
            )
            category = f" ({outcome.category})" if outcome.category_id else ""
            outcome_fields.append(
                Fieldset(
                    HTML(
                        format_html(
                            '<blockquote class="app-own-words govuk-body">'
                            "“{}”</blockquote>"
                            '<p class="govuk-body-s">Expressed by {} at the {} '
                            "stage{}</p>",
                            outcome.text,
                            outcome.get_expressed_by_display().lower(),
                            outcome.get_stage_display().lower(),
                            category,
                        )
                    ),
                    Field.radios(achieved, inline=True, small=True),
                    Field.textarea(comment),
                    legend=f"Outcome {number}",
                    legend_size="m",
                )
            )
        if suggestion:
            label = codes.Achieved(suggestion).label.lower()
            self.fields["overall"].help_text = (
                f"The saved ratings suggest: {label}. Leave this to use the "
                "ratings (all fully achieved is fully; all not achieved is not; "
                "any mix is partially), or choose another answer and say why."
            )
        else:
            self.fields["overall"].help_text = (
                "Leave this to work it out from the ratings above (all fully "
                "achieved is fully; all not achieved is not; any mix is "
                "partially), or choose another answer and say why."
            )
        self.helper = FormHelper()
        self.helper.layout = Layout(
            "version",
            *outcome_fields,
            Field.radios("evaluated_with", legend_size="m"),
            Field.textarea("judgement_reason"),
            Field.text("evaluated_on"),
            Field.radios("overall", legend_size="m"),
            Field.textarea("changed_reason"),
            Button("submit", "Save evaluation"),
        )

    def ratings(self) -> dict[int, tuple[str, str]]:
        data = self.cleaned_data
        return {
            outcome.pk: (
                data.get(f"outcome_{outcome.pk}_achieved", ""),
                data.get(f"outcome_{outcome.pk}_comment", ""),
            )
            for outcome in self.outcomes
        }


class FeedbackForm(forms.Form):
    """Feedback on the experience of safeguarding, against the active question bank."""

    respondent = forms.ChoiceField(
        label="Who answered?",
        choices=FeedbackResponse.Respondent.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Select who answered"},
    )
    collected_by = forms.ChoiceField(
        label="Who asked the questions?",
        # Answers from the adult's own page are recorded by that page only.
        choices=[
            choice
            for choice in FeedbackResponse.CollectedBy.choices
            if choice[0] != FeedbackResponse.CollectedBy.OWN_PAGE
        ],
        widget=forms.RadioSelect,
        error_messages={"required": "Select who asked the questions"},
    )
    collector_name = forms.CharField(
        label="Name of the person who asked (optional)", required=False, max_length=200
    )
    collected_on = forms.DateField(
        label="Date asked",
        widget=DateInput(),
        error_messages={
            "required": "Enter the date the questions were asked",
            "invalid": "Enter the date the questions were asked as a real date",
        },
    )
    comment = forms.CharField(
        label="Anything else they said (optional)",
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
    )

    def __init__(self, *args, questionnaire: FeedbackQuestionnaire, **kwargs):
        super().__init__(*args, **kwargs)
        self.questions = list(questionnaire.questions.all())
        names = []
        for question in self.questions:
            name = f"question_{question.pk}"
            label = question.text
            if question.representative_text:
                label = f"{question.text} (for a representative: {question.representative_text})"
            self.fields[name] = forms.ChoiceField(
                label=label,
                choices=AgreementScale.choices,
                widget=forms.RadioSelect,
                error_messages={"required": "Select an answer, or prefer not to say"},
            )
            names.append(Field.radios(name, legend_size="s", small=True))
        self.helper = FormHelper()
        self.helper.layout = Layout(
            Field.radios("respondent", legend_size="m"),
            Field.radios("collected_by", legend_size="m"),
            Field.text("collector_name", field_width=Fluid.TWO_THIRDS),
            Field.text("collected_on", field_width=Fluid.ONE_THIRD),
            Fieldset(*names, legend="Their answers", legend_size="m"),
            Field.textarea("comment"),
            Button("submit", "Save feedback"),
        )

    def clean_collected_on(self):
        value = self.cleaned_data["collected_on"]
        if value > timezone.localdate():
            raise forms.ValidationError("Date asked must be today or earlier")
        return value

    def answers(self) -> dict[int, str]:
        return {
            question.pk: self.cleaned_data.get(f"question_{question.pk}", "")
            for question in self.questions
        }
