"""The public "raise a safeguarding concern" journey: no sign-in needed.

One question per page (GOV.UK patterns). Answers live in the visitor's
session until they send them, so Back and "Change" links show what they
entered. Every page carries "Exit this page" and ``Cache-Control: no-store``.
Abuse protection (rate limits, honeypot, size caps) is described in
docs/decisions/0008-public-form-abuse.md.
"""

from __future__ import annotations

import datetime
import json
import re
import time
from collections.abc import Callable
from dataclasses import dataclass

from crispy_forms_gds.helper import FormHelper
from crispy_forms_gds.layout import Field, Fluid, Layout, Size
from django import forms
from django.conf import settings
from django.core.cache import cache
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from enquiries.tasks import email_referrer_confirmation
from msp.public_pages import public_page

SESSION_KEY = "public_concern"
DONE_KEY = "public_concern_done"
POSTCODE_RE = re.compile(r"^([A-Z]{1,2}[0-9][A-Z0-9]?) ?([0-9][A-Z]{2})$")

YES_NO_UNKNOWN = [("yes", "Yes"), ("no", "No"), ("unknown", "I do not know")]


def normalise_postcode(value: str) -> str:
    """'ne1 4st' -> 'NE1 4ST'; raises ValidationError if it is not a UK postcode."""
    compact = re.sub(r"\s+", "", value.upper())
    match = POSTCODE_RE.match(compact)
    if not match:
        raise forms.ValidationError("Enter a real postcode, like NE1 4ST")
    return f"{match.group(1)} {match.group(2)}"


def postcode_district(postcode: str) -> str:
    """The outward code of a normalised postcode ('NE1 4ST' -> 'NE1')."""
    return postcode.split(" ")[0] if postcode else ""


# Forms: one per page. Every field has a maximum length.


class PublicForm(forms.Form):
    """Base for every public page: a honeypot field and a crispy layout."""

    # Honeypot: hidden from people (visually and from screen readers); bots
    # that fill every field give themselves away. Rendered by _honeypot.html.
    website = forms.CharField(required=False, max_length=200)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.layout = Layout(*self.layout_fields())
        # Nothing typed here may be offered again, or restored by Back, on a
        # shared device (decision 0004). Choices are covered by the form tag.
        for field in self.fields.values():
            if getattr(field.widget, "input_type", "") not in ("radio", "checkbox"):
                field.widget.attrs["autocomplete"] = "off"

    def layout_fields(self) -> list:
        return []

    @property
    def honeypot_filled(self) -> bool:
        return bool(self.data.get("website", "").strip())

    def answers(self) -> dict:
        """The cleaned answers, JSON-ready (dates as ISO strings)."""
        result = {}
        for name, value in self.cleaned_data.items():
            if name == "website":
                continue
            if isinstance(value, datetime.date):
                value = value.isoformat()
            result[name] = value
        return result


class WhoYouAreForm(PublicForm):
    relationship = forms.ChoiceField(
        label="Who are you?",
        choices=[
            ("self", "I am the adult this concern is about"),
            ("family", "A family member"),
            ("friend", "A friend or neighbour"),
            ("public", "A member of the public"),
            ("professional", "A professional, for example a care worker or nurse"),
        ],
        widget=forms.RadioSelect,
        error_messages={"required": "Select who you are"},
    )
    organisation = forms.CharField(
        label="If you are a professional, the organisation you work for",
        required=False,
        max_length=200,
        error_messages={"max_length": "Organisation must be 200 characters or fewer"},
    )

    def layout_fields(self) -> list:
        return [
            Field.radios("relationship", legend_size=Size.LARGE, legend_tag="h1"),
            Field.text("organisation", field_width=Fluid.TWO_THIRDS),
        ]

    def clean(self):
        data = super().clean()
        if (
            data.get("relationship") == "professional"
            and not data.get("organisation", "").strip()
        ):
            self.add_error("organisation", "Enter the name of your organisation")
        if data.get("relationship") != "professional":
            data["organisation"] = ""
        return data


class AboutAdultForm(PublicForm):
    name = forms.CharField(
        label="Their name, or what they are known as",
        max_length=200,
        error_messages={
            "required": "Enter the adult's name, or what they are known as",
            "max_length": "Name must be 200 characters or fewer",
        },
    )
    age = forms.CharField(
        label="Their approximate age (optional)",
        help_text="For example, 70",
        required=False,
        max_length=3,
        error_messages={"max_length": "Enter the age as a number, like 70"},
    )
    date_of_birth = forms.DateField(
        label="Their date of birth, if you know it (optional)",
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={"invalid": "Enter a real date of birth"},
    )
    address = forms.CharField(
        label="Their address, or where they can be found",
        widget=forms.Textarea,
        max_length=500,
        error_messages={
            "required": "Enter their address, or where they can be found",
            "max_length": "Address must be 500 characters or fewer",
        },
    )
    postcode = forms.CharField(
        label="Postcode (optional)",
        required=False,
        max_length=10,
        error_messages={"max_length": "Enter a real postcode, like NE1 4ST"},
    )
    town = forms.CharField(
        label="Town or area (optional)",
        help_text="For example, Northtown",
        required=False,
        max_length=100,
        error_messages={"max_length": "Town or area must be 100 characters or fewer"},
    )
    communication_needs = forms.CharField(
        label="Do they have any communication needs? (optional)",
        help_text="For example, they use British Sign Language, need an "
        "interpreter or find it hard to speak on the phone",
        required=False,
        widget=forms.Textarea,
        max_length=500,
        error_messages={
            "max_length": "Communication needs must be 500 characters or fewer"
        },
    )

    def layout_fields(self) -> list:
        return [
            Field.text("name", field_width=Fluid.TWO_THIRDS),
            Field.text("age", field_width=Fluid.ONE_QUARTER, inputmode="numeric"),
            Field.text("date_of_birth", field_width=Fluid.ONE_THIRD),
            Field.textarea("address", rows=3),
            Field.text("postcode", field_width=Fluid.ONE_QUARTER),
            Field.text("town", field_width=Fluid.ONE_HALF),
            Field.textarea("communication_needs", rows=3),
        ]

    def clean_age(self) -> str:
        age = self.cleaned_data["age"].strip()
        if not age:
            return ""
        if not age.isdigit():
            raise forms.ValidationError("Enter the age as a number, like 70")
        if int(age) < 18:
            raise forms.ValidationError(
                "This form is for adults aged 18 or over. If you are worried "
                "about a child, contact children's services"
            )
        if int(age) > 120:
            raise forms.ValidationError("Enter an age of 120 or under")
        return age

    def clean_date_of_birth(self):
        dob = self.cleaned_data["date_of_birth"]
        if dob and dob >= datetime.date.today():
            raise forms.ValidationError("Date of birth must be in the past")
        if dob and dob.year < 1900:
            raise forms.ValidationError("Enter a real date of birth")
        return dob

    def clean_postcode(self) -> str:
        postcode = self.cleaned_data["postcode"].strip()
        return normalise_postcode(postcode) if postcode else ""


class WhatForm(PublicForm):
    what = forms.CharField(
        label="What is happening?",
        help_text="Tell us what you have seen, heard or been told, and when",
        widget=forms.Textarea,
        max_length=5000,
        error_messages={
            "required": "Enter what is happening",
            "max_length": "What is happening must be 5,000 characters or fewer",
        },
    )

    def layout_fields(self) -> list:
        return [
            Field.textarea(
                "what", label_size=Size.LARGE, label_tag="h1", max_characters=5000
            )
        ]


class WhereForm(PublicForm):
    where = forms.CharField(
        label="Where is it happening?",
        help_text="For example, at their home, in a care home (give its name if "
        "you know it), in hospital or out in the community",
        widget=forms.Textarea,
        max_length=1000,
        error_messages={
            "required": "Enter where it is happening",
            "max_length": "Where it is happening must be 1,000 characters or fewer",
        },
    )

    def layout_fields(self) -> list:
        return [
            Field.textarea(
                "where",
                label_size=Size.LARGE,
                label_tag="h1",
                rows=4,
                max_characters=1000,
            )
        ]


class WhoForm(PublicForm):
    harm_by = forms.CharField(
        label="Who is causing the harm, if you know? (optional)",
        help_text="Their name, and how they know the adult, for example a son, "
        "a carer or a neighbour. Leave this empty if you do not know",
        required=False,
        widget=forms.Textarea,
        max_length=1000,
        error_messages={"max_length": "This must be 1,000 characters or fewer"},
    )

    def layout_fields(self) -> list:
        return [
            Field.textarea(
                "harm_by",
                label_size=Size.LARGE,
                label_tag="h1",
                rows=4,
                max_characters=1000,
            )
        ]


class DangerForm(PublicForm):
    danger = forms.ChoiceField(
        label="Is the adult in immediate danger?",
        choices=YES_NO_UNKNOWN,
        widget=forms.RadioSelect,
        error_messages={"required": "Select if the adult is in immediate danger"},
    )

    def layout_fields(self) -> list:
        return [Field.radios("danger", legend_size=Size.LARGE, legend_tag="h1")]


class WishesForm(PublicForm):
    adult_knows = forms.ChoiceField(
        label="Does the adult know you are raising this concern?",
        choices=YES_NO_UNKNOWN,
        widget=forms.RadioSelect,
        error_messages={
            "required": "Select if the adult knows you are raising this concern"
        },
    )
    adult_wants = forms.CharField(
        label="What does the adult want to happen, as far as you know? (optional)",
        help_text="In their own words if you can. Leave this empty if you do not know",
        required=False,
        widget=forms.Textarea,
        max_length=2000,
        error_messages={"max_length": "This must be 2,000 characters or fewer"},
    )

    def layout_fields(self) -> list:
        return [
            Field.radios("adult_knows", legend_size=Size.MEDIUM),
            Field.textarea("adult_wants", rows=4, max_characters=2000),
        ]


class ContactForm(PublicForm):
    contact = forms.ChoiceField(
        label="Can we contact you about this concern?",
        choices=[
            ("yes", "Yes, you can contact me"),
            ("anonymous", "No, I want to stay anonymous"),
        ],
        widget=forms.RadioSelect,
        error_messages={"required": "Select if we can contact you"},
    )
    contact_name = forms.CharField(
        label="Your name",
        required=False,
        max_length=200,
        error_messages={"max_length": "Your name must be 200 characters or fewer"},
    )
    phone = forms.CharField(
        label="Phone number",
        required=False,
        max_length=30,
        error_messages={"max_length": "Enter a phone number, like 01632 960 001"},
    )
    email = forms.EmailField(
        label="Email address",
        required=False,
        max_length=254,
        error_messages={
            "invalid": "Enter an email address in the correct format, like "
            "name@example.com",
            "max_length": "Email address must be 254 characters or fewer",
        },
    )
    safe_to_email = forms.BooleanField(
        label="It is safe to send me an email with a reference number",
        required=False,
    )
    safe_contact = forms.CharField(
        label="How and when is it safe to contact you? (optional)",
        help_text="For example, only call after 6pm, or do not leave voicemail",
        required=False,
        widget=forms.Textarea,
        max_length=500,
        error_messages={"max_length": "This must be 500 characters or fewer"},
    )

    def layout_fields(self) -> list:
        return [
            Field.radios("contact", legend_size=Size.MEDIUM),
            Field.text("contact_name", field_width=Fluid.TWO_THIRDS),
            Field.text("phone", field_width=Fluid.ONE_HALF),
            Field.text("email", field_width=Fluid.TWO_THIRDS),
            Field.checkbox("safe_to_email", small=True),
            Field.textarea("safe_contact", rows=3),
        ]

    def clean_phone(self) -> str:
        phone = self.cleaned_data["phone"].strip()
        if phone and not re.fullmatch(r"[0-9+() \-]{6,30}", phone):
            raise forms.ValidationError("Enter a phone number, like 01632 960 001")
        return phone

    def clean(self):
        data = super().clean()
        if data.get("contact") == "yes":
            if not data.get("contact_name", "").strip():
                self.add_error("contact_name", "Enter your name")
            if not data.get("phone") and not data.get("email"):
                self.add_error(
                    "phone",
                    "Enter a phone number or email address so we can contact you",
                )
        elif data.get("contact") == "anonymous":
            # Anonymous means nothing that identifies them is kept.
            for name in ("contact_name", "phone", "email", "safe_contact"):
                data[name] = ""
            data["safe_to_email"] = False
        if data.get("safe_to_email") and not data.get("email"):
            data["safe_to_email"] = False
        return data


class SendForm(PublicForm):
    """Check your answers: only the honeypot, and the CSRF token."""


@dataclass(frozen=True)
class Step:
    slug: str
    title: str
    form_class: type[PublicForm]
    heading_in_form: bool  # the question label is the page's h1
    rows: Callable[[dict], list[tuple[str, str, str]]]  # (field id, label, value)


def _choice(form_class: type[PublicForm], field: str, value: str) -> str:
    return dict(form_class.base_fields[field].choices).get(value, "")


def _rows_who(a: dict) -> list:
    rows = [
        (
            "relationship_1",
            "Who you are",
            _choice(WhoYouAreForm, "relationship", a.get("relationship", "")),
        )
    ]
    if a.get("organisation"):
        rows.append(("organisation", "Your organisation", a["organisation"]))
    return rows


def _rows_adult(a: dict) -> list:
    dob = a.get("date_of_birth") or ""
    if dob:
        dob = datetime.date.fromisoformat(dob).strftime("%-d %B %Y")
    return [
        ("name", "Name", a.get("name", "")),
        ("age", "Approximate age", a.get("age", "")),
        ("date_of_birth", "Date of birth", dob),
        ("address", "Address or where they can be found", a.get("address", "")),
        ("postcode", "Postcode", a.get("postcode", "")),
        ("town", "Town or area", a.get("town", "")),
        (
            "communication_needs",
            "Communication needs",
            a.get("communication_needs", ""),
        ),
    ]


def _rows_contact(a: dict) -> list:
    if a.get("contact") == "anonymous":
        return [("contact_1", "Contacting you", "No, I want to stay anonymous")]
    return [
        ("contact_1", "Contacting you", "Yes, you can contact me"),
        ("contact_name", "Your name", a.get("contact_name", "")),
        ("phone", "Phone number", a.get("phone", "")),
        ("email", "Email address", a.get("email", "")),
        (
            "safe_to_email",
            "Safe to email you",
            "Yes" if a.get("safe_to_email") else "No",
        ),
        (
            "safe_contact",
            "How and when it is safe to contact you",
            a.get("safe_contact", ""),
        ),
    ]


STEPS = [
    Step("who-you-are", "Who are you?", WhoYouAreForm, True, _rows_who),
    Step("about-the-adult", "About the adult", AboutAdultForm, False, _rows_adult),
    Step(
        "what-is-happening",
        "What is happening?",
        WhatForm,
        True,
        lambda a: [("what", "What is happening", a.get("what", ""))],
    ),
    Step(
        "where",
        "Where is it happening?",
        WhereForm,
        True,
        lambda a: [("where", "Where it is happening", a.get("where", ""))],
    ),
    Step(
        "who-is-causing-harm",
        "Who is causing the harm?",
        WhoForm,
        True,
        lambda a: [("harm_by", "Who is causing the harm", a.get("harm_by", ""))],
    ),
    Step(
        "immediate-danger",
        "Is the adult in immediate danger?",
        DangerForm,
        True,
        lambda a: [
            (
                "danger_1",
                "In immediate danger",
                _choice(DangerForm, "danger", a.get("danger", "")),
            )
        ],
    ),
    Step(
        "what-the-adult-wants",
        "What the adult knows and wants",
        WishesForm,
        False,
        lambda a: [
            (
                "adult_knows_1",
                "The adult knows about this concern",
                _choice(WishesForm, "adult_knows", a.get("adult_knows", "")),
            ),
            ("adult_wants", "What the adult wants to happen", a.get("adult_wants", "")),
        ],
    ),
    Step(
        "contacting-you",
        "How we can contact you safely",
        ContactForm,
        False,
        _rows_contact,
    ),
]
STEPS_BY_SLUG = {step.slug: step for step in STEPS}


def answer_sections(answers: dict) -> list[dict]:
    """Answers grouped by page, for check-your-answers and the intake queue."""
    return [{"step": step, "rows": step.rows(answers)} for step in STEPS]


# Session storage


def _journey(request: HttpRequest) -> dict:
    return request.session.get(SESSION_KEY) or {"steps": {}, "honeypot": False}


def _save_journey(request: HttpRequest, journey: dict) -> None:
    request.session[SESSION_KEY] = journey


def _merged_answers(journey: dict) -> dict:
    merged: dict = {}
    for step in STEPS:
        merged.update(journey["steps"].get(step.slug, {}))
    return merged


# Abuse protection


def _client_ip(request: HttpRequest) -> str:
    return request.META.get("REMOTE_ADDR") or "unknown"


def _over_limit(request: HttpRequest, kind: str, limit: int, window: int) -> bool:
    """Count one more event for this IP in a fixed window; True once over the limit."""
    bucket = int(time.time() // window)
    key = f"msp:public-form:{kind}:{_client_ip(request)}:{bucket}"
    cache.add(key, 0, timeout=window)
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, timeout=window)
        count = 1
    return count > limit


def _posts_over_limit(request: HttpRequest) -> bool:
    return _over_limit(
        request,
        "posts",
        getattr(settings, "PUBLIC_FORM_POSTS_LIMIT", 60),
        getattr(settings, "PUBLIC_FORM_POSTS_WINDOW", 10 * 60),
    )


def _submissions_over_limit(request: HttpRequest) -> bool:
    return _over_limit(
        request,
        "submissions",
        getattr(settings, "PUBLIC_FORM_SUBMISSIONS_LIMIT", 5),
        getattr(settings, "PUBLIC_FORM_SUBMISSIONS_WINDOW", 60 * 60),
    )


def _too_many(request: HttpRequest) -> HttpResponse:
    return _render(request, "public/too_many_requests.html", {}, status=429)


# Views


def _render(request, template, context, status=200) -> HttpResponse:
    return render(request, template, context, status=status)


@public_page
@require_http_methods(["GET"])
def start(request: HttpRequest) -> HttpResponse:
    return _render(request, "public/start.html", {})


@public_page
@require_http_methods(["GET"])
def before_you_start(request: HttpRequest) -> HttpResponse:
    return _render(
        request,
        "public/before_you_start.html",
        {"first_step_url": _step_url(STEPS[0])},
    )


@public_page
@require_http_methods(["GET"])
def staying_safe(request: HttpRequest) -> HttpResponse:
    return _render(request, "public/staying_safe.html", {})


def _step_url(step: Step) -> str:
    return reverse("enquiries:public_step", args=[step.slug])


def _check_url() -> str:
    return reverse("enquiries:public_check")


@public_page
@require_http_methods(["GET", "POST"])
def step(request: HttpRequest, slug: str) -> HttpResponse:
    current = STEPS_BY_SLUG.get(slug)
    if current is None:
        raise Http404("No such question")
    index = STEPS.index(current)
    changing = request.GET.get("change") == "1"
    journey = _journey(request)
    if request.method == "POST":
        if _posts_over_limit(request):
            return _too_many(request)
        form = current.form_class(request.POST)
        if form.honeypot_filled:
            journey["honeypot"] = True
            _save_journey(request, journey)
        if form.is_valid():
            journey["steps"][current.slug] = form.answers()
            _save_journey(request, journey)
            if changing or index == len(STEPS) - 1:
                return redirect(_check_url())
            return redirect(_step_url(STEPS[index + 1]))
    else:
        form = current.form_class(initial=journey["steps"].get(current.slug, {}))
    if changing:
        back_url = _check_url()
    elif index == 0:
        back_url = reverse("enquiries:public_before_you_start")
    else:
        back_url = _step_url(STEPS[index - 1])
    return _render(
        request,
        "public/question.html",
        {
            "form": form,
            "step": current,
            "back_url": back_url,
            "button": "Save and return" if changing else "Continue",
            "step_number": index + 1,
            "step_count": len(STEPS),
        },
    )


def _missing_step(journey: dict) -> Step | None:
    for candidate in STEPS:
        if candidate.slug not in journey["steps"]:
            return candidate
    return None


def _answers_too_large(answers: dict) -> bool:
    limit = getattr(settings, "PUBLIC_FORM_MAX_ANSWERS_BYTES", 16_000)
    return len(json.dumps(answers).encode()) > limit


@public_page
@require_http_methods(["GET", "POST"])
def check(request: HttpRequest) -> HttpResponse:
    journey = _journey(request)
    missing = _missing_step(journey)
    if missing is not None:
        if not journey["steps"]:
            return redirect("enquiries:public_start")
        return redirect(_step_url(missing))
    answers = _merged_answers(journey)
    form = SendForm()
    if request.method == "POST":
        if _posts_over_limit(request):
            return _too_many(request)
        form = SendForm(request.POST)
        if form.is_valid():
            if _submissions_over_limit(request):
                return _too_many(request)
            if _answers_too_large(answers):
                form.add_error(
                    None,
                    "Your answers are too long to send. Shorten what is "
                    "happening or where it is happening, then send them again",
                )
            elif journey["honeypot"] or form.honeypot_filled:
                # A bot: look exactly as if it worked, but keep nothing.
                return _finish(request, _fake_reference(), answers)
            else:
                from enquiries.services import intake as services_intake

                submission = services_intake.receive_submission(answers=answers)
                email_referrer_confirmation.enqueue(submission.pk)
                return _finish(request, submission.reference, answers)
    sections = [
        {
            "step": section["step"],
            "url": _step_url(section["step"]) + "?change=1",
            "rows": section["rows"],
        }
        for section in answer_sections(answers)
    ]
    return _render(
        request,
        "public/check.html",
        {
            "form": form,
            "sections": sections,
            "danger": answers.get("danger") == "yes",
            "back_url": _step_url(STEPS[-1]),
        },
    )


def _fake_reference() -> str:
    from enquiries.services.intake import make_reference_code

    return make_reference_code()


def _finish(request: HttpRequest, reference: str, answers: dict) -> HttpResponse:
    request.session.pop(SESSION_KEY, None)
    request.session[DONE_KEY] = {
        "reference": reference,
        "danger": answers.get("danger") == "yes",
        "contact": answers.get("contact") == "yes",
    }
    return redirect("enquiries:public_confirmation")


@public_page
@require_http_methods(["GET"])
def confirmation(request: HttpRequest) -> HttpResponse:
    done = request.session.pop(DONE_KEY, None)
    if not done:
        return redirect("enquiries:public_start")
    return _render(request, "public/confirmation.html", {"done": done})
