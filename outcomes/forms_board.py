"""The board reports' filter: a financial year, and a team for leads."""

from __future__ import annotations

from crispy_forms_gds.helper import FormHelper
from crispy_forms_gds.layout import Button, Field, Layout
from django import forms

from msp.access import can_see_all_teams, team_ids
from msp.models import Team
from outcomes.board import BoardFilter
from outcomes.forms import _financial_years


class BoardFilterForm(forms.Form):
    """A GET form that works without JavaScript."""

    year = forms.ChoiceField(
        label="Financial year",
        error_messages={
            "required": "Select a financial year",
            "invalid_choice": "Select a financial year from the list",
        },
    )
    team = forms.ModelChoiceField(
        queryset=Team.objects.none(),
        required=False,
        empty_label="All my teams",
        error_messages={"invalid_choice": "Select a team from the list"},
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["year"].choices = _financial_years(10)
        if can_see_all_teams(user):
            self.fields["team"].queryset = Team.objects.filter(is_active=True)
            self.fields["team"].empty_label = "All teams"
        else:
            self.fields["team"].queryset = Team.objects.filter(pk__in=team_ids(user))
        self.helper = FormHelper()
        self.helper.form_method = "get"
        self.helper.layout = Layout(
            Field.select("year"),
            Field.select("team"),
            Button("show", "Show the reports", css_class="govuk-button--secondary"),
        )

    def filters(self) -> BoardFilter:
        team = self.cleaned_data.get("team")
        year = self.cleaned_data["year"]
        query = {"year": year}
        if team:
            query["team"] = team.pk
        return BoardFilter(
            year=year,
            team_id=team.pk if team else None,
            team_name=team.name if team else "",
            query=query,
        )
