"""The intake queue: practitioners triage concerns sent through the online form.

A submission is seen by the team covering its area; submissions that matched
no team ("not routed") are seen only by safeguarding leads, who see all.
Every page fetches through msp.access, so another team's submission is 404
and a reader who may not change case records (an auditor) gets 403.
"""

from __future__ import annotations

import datetime
import re

from crispy_forms_gds.helper import FormHelper
from crispy_forms_gds.layout import Button, Field, Fluid, Layout, Size
from django import forms
from django.contrib import messages
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.views.decorators.http import require_http_methods

from enquiries.models import Person, PublicSubmission
from enquiries.services import intake as services_intake
from enquiries.views.public import answer_sections, normalise_postcode
from msp import audit, paging
from msp.access import can_see_all_teams, get_visible_or_404, require_write, visible
from msp.dates import format_when
from msp.models import Team

PAGE_SIZE = 25


def waiting_time(since: datetime.datetime, now: datetime.datetime) -> str:
    """How long a submission has waited, in words: '40 minutes', '3 hours', '2 days'."""
    minutes = max(int((now - since).total_seconds() // 60), 0)
    if minutes < 60:
        return "1 minute" if minutes == 1 else f"{minutes} minutes"
    hours = minutes // 60
    if hours < 48:
        return "1 hour" if hours == 1 else f"{hours} hours"
    return f"{hours // 24} days"


def _url_of(obj) -> str:
    try:
        return obj.get_absolute_url()
    except NoReverseMatch:
        return ""


def _get_submission(request: HttpRequest, reference: str) -> PublicSubmission:
    return get_visible_or_404(
        request.user,
        PublicSubmission.objects.select_related(
            "team", "concern", "concern__person", "handled_by"
        ),
        reference=reference,
    )


@require_http_methods(["GET"])
def queue(request: HttpRequest) -> HttpResponse:
    require_write(request.user)
    submissions = visible(
        request.user,
        PublicSubmission.objects.filter(status=PublicSubmission.Status.NEW),
    ).select_related("team")
    unrouted_only = request.GET.get("show") == "not-routed" and can_see_all_teams(
        request.user
    )
    if unrouted_only:
        submissions = submissions.filter(team__isnull=True)
    after = request.GET.get("after")
    found = paging.keyset_page(
        submissions, after=after, key="submitted_at", size=PAGE_SIZE
    )
    page = found.rows
    now = timezone.now()
    rows = [
        {
            "submission": submission,
            "waiting": waiting_time(submission.submitted_at, now),
            "adult": submission.answers.get("name", ""),
            "danger": submission.answers.get("danger") == "yes",
        }
        for submission in page
    ]
    next_url = ""
    if found.next_cursor:
        query = {"after": found.next_cursor}
        if unrouted_only:
            query["show"] = "not-routed"
        next_url = "?" + urlencode(query)
    return render(
        request,
        "intake/queue.html",
        {
            "rows": rows,
            "next_url": next_url,
            "is_later_page": bool(after),
            "can_see_all": can_see_all_teams(request.user),
            "unrouted_only": unrouted_only,
        },
    )


def likely_people(user, *, name: str, date_of_birth: str = "", age: str = ""):
    """Adults the user can see who may be the one the submission is about."""
    tokens = [t for t in re.split(r"[\s,]+", name or "") if len(t) >= 2][:5]
    condition = Q()
    for token in tokens:
        condition |= (
            Q(given_name__iexact=token)
            | Q(family_name__iexact=token)
            | Q(preferred_name__iexact=token)
        )
    dob = None
    if date_of_birth:
        try:
            dob = datetime.date.fromisoformat(date_of_birth)
        except ValueError:
            dob = None
    if dob:
        condition |= Q(date_of_birth=dob)
    if not condition:
        return []
    candidates = list(
        visible(user, Person.objects.filter(is_archived=False))
        .filter(condition)
        .select_related("team")
        .order_by("family_name", "given_name", "pk")[:50]
    )
    today = datetime.date.today()
    lowered = {t.lower() for t in tokens}

    def score(person: Person) -> int:
        names = {
            person.given_name.lower(),
            person.family_name.lower(),
            person.preferred_name.lower(),
        }
        points = 2 * len(lowered & names)
        if dob and person.date_of_birth == dob:
            points += 3
        if (
            age.isdigit()
            and person.date_of_birth
            and abs(person.age_on(today) - int(age)) <= 5
        ):
            points += 1
        return points

    candidates.sort(key=lambda p: -score(p))
    return candidates[:10]


class SearchForm(forms.Form):
    name = forms.CharField(
        label="Name",
        max_length=200,
        required=False,
        error_messages={"max_length": "Name must be 200 characters or fewer"},
    )
    date_of_birth = forms.DateField(
        label="Date of birth (optional)",
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={"invalid": "Enter a real date of birth"},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_method = "get"
        self.helper.layout = Layout(
            Field.text("name", field_width=Fluid.TWO_THIRDS),
            Field.text("date_of_birth", field_width=Fluid.ONE_THIRD),
            Button("search", "Search", css_class="govuk-button--secondary"),
        )

    def clean(self):
        data = super().clean()
        if not data.get("name", "").strip() and not data.get("date_of_birth"):
            raise forms.ValidationError("Enter a name or a date of birth to search")
        return data


class TeamChoiceMixin:
    """Unrouted submissions need the practitioner to choose the team."""

    def add_team_field(self, submission: PublicSubmission, user) -> None:
        if submission.team_id is None:
            first = user.teams.order_by("name").first()
            self.fields["team"] = forms.ModelChoiceField(
                label="Which team will deal with it?",
                queryset=Team.objects.filter(is_active=True).order_by("name"),
                initial=first.pk if first else None,
                empty_label="Select a team",
                error_messages={"required": "Select the team that will deal with it"},
            )

    def chosen_team(self, submission: PublicSubmission) -> Team:
        return submission.team or self.cleaned_data["team"]


class ConvertForm(TeamChoiceMixin, forms.Form):
    person = forms.UUIDField(widget=forms.HiddenInput)

    def __init__(self, *args, submission, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.add_team_field(submission, user)
        self.helper = FormHelper()
        fields = ["person"]
        if "team" in self.fields:
            fields.append(Field.select("team"))
        self.helper.layout = Layout(
            *fields, Button("convert", "Convert into a concern")
        )


class NewPersonForm(TeamChoiceMixin, forms.Form):
    given_name = forms.CharField(
        label="First name",
        max_length=100,
        error_messages={
            "required": "Enter the adult's first name",
            "max_length": "First name must be 100 characters or fewer",
        },
    )
    family_name = forms.CharField(
        label="Last name",
        max_length=100,
        error_messages={
            "required": "Enter the adult's last name",
            "max_length": "Last name must be 100 characters or fewer",
        },
    )
    date_of_birth = forms.DateField(
        label="Date of birth (optional)",
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={"invalid": "Enter a real date of birth"},
    )
    address = forms.CharField(
        label="Address (optional)",
        required=False,
        widget=forms.Textarea,
        max_length=500,
        error_messages={"max_length": "Address must be 500 characters or fewer"},
    )
    postcode = forms.CharField(
        label="Postcode (optional)",
        required=False,
        max_length=10,
        error_messages={"max_length": "Enter a real postcode, like NE1 4ST"},
    )

    def __init__(self, *args, submission, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.add_team_field(submission, user)
        self.helper = FormHelper()
        fields = [
            Field.text("given_name", field_width=Fluid.TWO_THIRDS),
            Field.text("family_name", field_width=Fluid.TWO_THIRDS),
            Field.text("date_of_birth", field_width=Fluid.ONE_THIRD),
            Field.textarea("address", rows=3),
            Field.text("postcode", field_width=Fluid.ONE_QUARTER),
        ]
        if "team" in self.fields:
            fields.append(Field.select("team"))
        self.helper.layout = Layout(
            *fields, Button("convert", "Add person and convert into a concern")
        )

    def clean_date_of_birth(self):
        dob = self.cleaned_data["date_of_birth"]
        if dob and dob >= datetime.date.today():
            raise forms.ValidationError("Date of birth must be in the past")
        return dob

    def clean_postcode(self) -> str:
        postcode = self.cleaned_data["postcode"].strip()
        return normalise_postcode(postcode) if postcode else ""

    def person_details(self) -> dict:
        return {
            name: self.cleaned_data[name] or (None if name == "date_of_birth" else "")
            for name in (
                "given_name",
                "family_name",
                "date_of_birth",
                "address",
                "postcode",
            )
        }


class CloseForm(forms.Form):
    reason = forms.CharField(
        label="Why is this not a safeguarding matter?",
        widget=forms.Textarea,
        max_length=2000,
        error_messages={
            "required": "Enter why this is not a safeguarding matter",
            "max_length": "Reason must be 2,000 characters or fewer",
        },
    )
    referrer_feedback = forms.CharField(
        label="Feedback given to the person who raised it (optional)",
        help_text="What you told them, and how. Leave empty if they stayed anonymous",
        required=False,
        widget=forms.Textarea,
        max_length=2000,
        error_messages={"max_length": "Feedback must be 2,000 characters or fewer"},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.layout = Layout(
            Field.textarea("reason", rows=4, label_size=Size.SMALL),
            Field.textarea("referrer_feedback", rows=4, label_size=Size.SMALL),
            Button("close", "Close as not a safeguarding matter"),
        )


def _already_handled(request: HttpRequest, exc: services_intake.AlreadyHandled):
    submission = exc.submission
    who = submission.handled_by or "someone else"
    when = timezone.localtime(submission.handled_at) if submission.handled_at else None
    messages.error(
        request,
        f"Online concern {submission.reference} was already "
        f"{submission.get_status_display().lower()} by {who}"
        + (f" on {format_when(when)}" if when else "")
        + ". Nothing was changed.",
    )
    return redirect("enquiries:intake_detail", submission.reference)


def _still_new(request: HttpRequest, submission: PublicSubmission):
    if submission.status != PublicSubmission.Status.NEW:
        return _already_handled(request, services_intake.AlreadyHandled(submission))
    return None


@require_http_methods(["GET"])
def detail(request: HttpRequest, reference: str) -> HttpResponse:
    require_write(request.user)
    submission = _get_submission(request, reference)
    audit.record(
        actor=request.user,
        action="view",
        obj=submission,
        summary="Opened an online concern",
    )
    answers = submission.answers
    return render(
        request,
        "intake/detail.html",
        {
            "submission": submission,
            "sections": answer_sections(answers),
            "waiting": waiting_time(submission.submitted_at, timezone.now()),
            "concern_url": _url_of(submission.concern) if submission.concern else "",
            "danger": answers.get("danger") == "yes",
            "likely": (
                likely_people(
                    request.user,
                    name=answers.get("name", ""),
                    date_of_birth=answers.get("date_of_birth") or "",
                    age=answers.get("age", ""),
                )
                if submission.status == PublicSubmission.Status.NEW
                else []
            ),
        },
    )


@require_http_methods(["GET"])
def match(request: HttpRequest, reference: str) -> HttpResponse:
    require_write(request.user)
    submission = _get_submission(request, reference)
    if response := _still_new(request, submission):
        return response
    results = None
    if "name" in request.GET or "date_of_birth" in request.GET:
        form = SearchForm(request.GET)
        if form.is_valid():
            dob = form.cleaned_data["date_of_birth"]
            results = likely_people(
                request.user,
                name=form.cleaned_data["name"],
                date_of_birth=dob.isoformat() if dob else "",
            )
    else:
        form = SearchForm(
            initial={
                "name": submission.answers.get("name", ""),
                "date_of_birth": submission.answers.get("date_of_birth") or "",
            }
        )
    return render(
        request,
        "intake/match.html",
        {"form": form, "submission": submission, "results": results},
    )


@require_http_methods(["GET", "POST"])
def convert(request: HttpRequest, reference: str) -> HttpResponse:
    require_write(request.user)
    submission = _get_submission(request, reference)
    data = request.POST if request.method == "POST" else request.GET
    form = ConvertForm(
        data if request.method == "POST" else None,
        submission=submission,
        user=request.user,
        initial={"person": data.get("person", "")},
    )
    person_ref = data.get("person", "")
    person = get_visible_or_404(
        request.user, Person.objects.select_related("team"), reference=person_ref
    )
    if request.method == "POST" and form.is_valid():
        try:
            concern = services_intake.convert_submission(
                user=request.user,
                submission=submission,
                team=form.chosen_team(submission),
                person=person,
            )
        except services_intake.AlreadyHandled as exc:
            return _already_handled(request, exc)
        return _converted(request, submission, concern)
    if response := _still_new(request, submission):
        return response
    return render(
        request,
        "intake/convert.html",
        {"form": form, "submission": submission, "person": person},
    )


def _converted(request, submission, concern) -> HttpResponse:
    messages.success(
        request,
        f"Online concern {submission.reference} is now a concern about "
        f"{concern.person}",
    )
    return redirect(
        _url_of(concern)
        or reverse("enquiries:intake_detail", args=[submission.reference])
    )


@require_http_methods(["GET", "POST"])
def new_person(request: HttpRequest, reference: str) -> HttpResponse:
    require_write(request.user)
    submission = _get_submission(request, reference)
    if request.method == "POST":
        form = NewPersonForm(request.POST, submission=submission, user=request.user)
        if form.is_valid():
            try:
                concern = services_intake.convert_submission(
                    user=request.user,
                    submission=submission,
                    team=form.chosen_team(submission),
                    new_person=form.person_details(),
                )
            except services_intake.AlreadyHandled as exc:
                return _already_handled(request, exc)
            return _converted(request, submission, concern)
    else:
        if response := _still_new(request, submission):
            return response
        answers = submission.answers
        given, _, family = (answers.get("name") or "").strip().rpartition(" ")
        form = NewPersonForm(
            submission=submission,
            user=request.user,
            initial={
                "given_name": (given or family)[:100],
                "family_name": family[:100] if given else "",
                "date_of_birth": answers.get("date_of_birth") or "",
                "address": answers.get("address", ""),
                "postcode": answers.get("postcode", ""),
            },
        )
    return render(
        request, "intake/new_person.html", {"form": form, "submission": submission}
    )


@require_http_methods(["GET", "POST"])
def close(request: HttpRequest, reference: str) -> HttpResponse:
    require_write(request.user)
    submission = _get_submission(request, reference)
    if request.method == "POST":
        form = CloseForm(request.POST)
        if form.is_valid():
            try:
                services_intake.close_submission(
                    user=request.user,
                    submission=submission,
                    reason=form.cleaned_data["reason"],
                    referrer_feedback=form.cleaned_data["referrer_feedback"],
                )
            except services_intake.AlreadyHandled as exc:
                return _already_handled(request, exc)
            messages.success(
                request,
                f"Online concern {submission.reference} closed as not a "
                "safeguarding matter",
            )
            return redirect("enquiries:intake_queue")
    else:
        if response := _still_new(request, submission):
            return response
        form = CloseForm()
    return render(
        request, "intake/close.html", {"form": form, "submission": submission}
    )
