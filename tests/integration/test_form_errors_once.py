"""Forms read right (issue 15): each main form posted empty (or out of date)
shows every problem exactly once in the error summary and once at its field,
a problem that belongs to no field once (never again inside the form), and
no field's hint says the opposite of what its validation asks."""

from __future__ import annotations

import datetime
import html as html_lib
import re
from collections import Counter

import pytest
from django.urls import reverse

from enquiries.factories import (
    ConcernFactory,
    EnquiryFactory,
    PersonFactory,
    PersonViewFactory,
)
from enquiries.models import PublicSubmission, Relationship
from tests.page_forms import form_values

pytestmark = pytest.mark.django_db

PLUMBING = {"csrfmiddlewaretoken", "version", "base", "person"}


def _text(fragment: str) -> str:
    fragment = re.sub(
        r'<span class="govuk-visually-hidden">Error:</span>', "", fragment
    )
    return " ".join(html_lib.unescape(re.sub(r"<[^>]+>", " ", fragment)).split())


def summary_errors(page: str) -> list[str]:
    found = re.search(
        r'<ul class="govuk-list govuk-error-summary__list">(.*?)</ul>', page, re.S
    )
    return (
        [_text(item) for item in re.findall(r"<li>(.*?)</li>", found.group(1), re.S)]
        if found
        else []
    )


def field_errors(page: str) -> list[str]:
    return [
        _text(item)
        for item in re.findall(
            r'class="govuk-error-message">\s*<span class="govuk-visually-hidden">'
            r"Error:</span>(.*?)</(?:span|p)>",
            page,
            re.S,
        )
    ]


def page_text(page: str) -> str:
    main = page.split('id="main-content"', 1)[-1]
    return _text(main)


@pytest.fixture
def world(team, practitioner):
    person = PersonFactory(team=team)
    concern = ConcernFactory(person=person, team=team)
    PersonViewFactory(person=person, concern=concern)
    enquiry = EnquiryFactory(
        status="in_progress", concern__person__team=team, allocated_to=practitioner
    )
    submission = PublicSubmission.objects.create(
        reference="SG-FRM347",
        answers={"name": "Mary Smith", "what": "Worried", "contact": "no"},
        area="NE1",
        team=team,
    )
    relationship = Relationship.objects.create(person=person, kind="family", name="Tom")
    return {
        "person": person,
        "concern": concern,
        "enquiry": enquiry,
        "submission": submission,
        "relationship": relationship,
    }


def _r(name, *args):
    return reverse(name, args=args)


# The main forms of a case, as a practitioner (or a lead) meets them.
PAGES = {
    "new person": lambda w: _r("enquiries:person_create"),
    "change person": lambda w: _r("enquiries:person_edit", w["person"].reference),
    "relationship": lambda w: _r("enquiries:relationship_add", w["person"].reference),
    "change relationship": lambda w: _r(
        "enquiries:relationship_edit", w["person"].reference, w["relationship"].pk
    ),
    "legal authority": lambda w: _r(
        "enquiries:legal_authority_add", w["person"].reference
    ),
    "concern": lambda w: _r("enquiries:concern_create", w["person"].reference),
    "change concern": lambda w: _r("enquiries:concern_edit", w["concern"].reference),
    "risk": lambda w: _r("enquiries:risk_add", w["concern"].reference),
    "three-part test": lambda w: _r("enquiries:concern_test", w["concern"].reference),
    "decision": lambda w: _r("enquiries:concern_decision", w["concern"].reference),
    "views": lambda w: _r("enquiries:view_add", "concern", w["concern"].reference),
    "desired outcome": lambda w: _r(
        "enquiries:desired_outcome_add", "concern", w["concern"].reference
    ),
    "consent": lambda w: _r("enquiries:consent_add", "concern", w["concern"].reference),
    "enquiry views": lambda w: _r(
        "enquiries:view_add", "enquiry", w["enquiry"].reference
    ),
    "allocate enquiry": lambda w: _r(
        "enquiries:enquiry_allocate", w["enquiry"].reference
    ),
    "allocate concern": lambda w: _r(
        "enquiries:concern_allocate", w["concern"].reference
    ),
    "route online concern": lambda w: _r(
        "enquiries:intake_route", w["submission"].reference
    ),
    "close online concern": lambda w: _r(
        "enquiries:intake_close", w["submission"].reference
    ),
    "new person from online concern": lambda w: _r(
        "enquiries:intake_new_person", w["submission"].reference
    ),
}


def _blank(values: dict[str, list[str]]) -> dict[str, list[str]]:
    return {name: (v if name in PLUMBING else [""]) for name, v in values.items()}


def _problems(page: str) -> list[str]:
    problems = []
    summary = summary_errors(page)
    at_fields = field_errors(page)
    text = page_text(page)
    if not summary:
        return ["no error summary"]
    for message, times in Counter(summary).items():
        if times > 1:
            problems.append(f"{message!r} {times} times in the summary")
    for message, times in Counter(at_fields).items():
        if times > 1:
            problems.append(f"{message!r} at {times} fields")
    for message in set(at_fields) - set(summary):
        problems.append(f"{message!r} at a field but not in the summary")
    for message in set(summary):
        expected = 2 if message in at_fields else 1
        shown = text.count(message)
        if shown != expected:
            problems.append(f"{message!r} shown {shown} times, not {expected}")
    return problems


@pytest.mark.parametrize("name", list(PAGES))
def test_each_problem_is_shown_once_in_the_summary_and_once_at_its_field(
    client, lead, world, name
):
    url = PAGES[name](world)
    client.force_login(lead)
    page = client.get(url)
    assert page.status_code == 200, url
    response = client.post(url, _blank(form_values(page.content.decode())))
    assert response.status_code == 200, f"{name}: an empty form was accepted"
    problems = _problems(response.content.decode())
    assert not problems, f"{name}: " + "; ".join(problems)


@pytest.mark.parametrize(
    "name",
    ["change person", "change concern", "change relationship", "allocate concern"],
)
def test_an_out_of_date_page_says_so_once(client, lead, world, name):
    url = PAGES[name](world)
    client.force_login(lead)
    values = form_values(client.get(url).content.decode())
    values.pop("version", None)
    response = client.post(url, values)
    assert response.status_code == 200
    problems = _problems(response.content.decode())
    assert not problems, f"{name}: " + "; ".join(problems)


# Hints and validation -------------------------------------------------------

FUTURE = (datetime.date.today() + datetime.timedelta(days=30)).isoformat()

INVALID = {
    "new person": {
        "nhs_number": "1234",
        "date_of_birth": FUTURE,
        "given_name": "Ann",
        "family_name": "Lee",
    },
    "change person": {"nhs_number": "943 476 5918", "date_of_death": FUTURE},
    "concern": {"received_on": FUTURE, "incident_date": "2026-02-31"},
    "views": {"given_on": FUTURE, "views_text": "I am fine"},
}


@pytest.mark.parametrize("name", list(INVALID))
def test_invalid_answers_are_each_named_once(client, lead, world, name):
    url = PAGES[name](world)
    client.force_login(lead)
    values = form_values(client.get(url).content.decode())
    values.update({field: [value] for field, value in INVALID[name].items()})
    response = client.post(url, values)
    assert response.status_code == 200, f"{name}: invalid answers were accepted"
    page = response.content.decode()
    problems = _problems(page)
    assert not problems, f"{name}: " + "; ".join(problems)
    # Every invalid answer is named at its own field.
    named = {
        m.group(1) for m in re.finditer(r'id="id_([a-z_]+?)(?:_\d+)?_error"', page)
    }
    missing = {
        f for f in INVALID[name] if f not in ("given_name", "family_name", "views_text")
    } - named
    assert not missing, f"{name}: no error at {sorted(missing)}"


def test_no_hint_contradicts_its_validation(client, lead, world):
    """A date hint that says "today or in the past" is refused for a future
    date; a hint that names a format accepts that format."""
    client.force_login(lead)
    problems = []
    for name, build in PAGES.items():
        url = build(world)
        page = client.get(url).content.decode()
        hints = dict(
            re.findall(
                r'<div id="id_([^"]+)_hint" class="govuk-hint">(.*?)</div>', page, re.S
            )
        )
        for field, hint in hints.items():
            hint = _text(hint).lower()
            if (
                "in the past" in hint
                or "today or earlier" in hint
                or "not in the future" in hint
            ):
                values = form_values(page)
                values[field] = [FUTURE]
                answer = client.post(url, values).content.decode()
                if not any(
                    "future" in e.lower()
                    or "past" in e.lower()
                    or "after today" in e.lower()
                    for e in field_errors(answer)
                ):
                    problems.append(
                        f"{name}: {field} hint says past, a future date is not refused"
                    )
    assert problems == []


# Messages built from labels ------------------------------------------------

AUX = r"(is|was|were|are|did|does|do|has|have|had|can|could|will|would|should)"
# "Select where did it happen", "Select does the adult know", "Enter why has
# it changed"; but "Enter what was shared" reads right.
BENT_QUESTION = re.compile(
    rf"^(Select|Enter) ({AUX}|because|(how|where|when|why) {AUX}|"
    rf"(what|who|which) {AUX} (it|they|he|she|you|we|this|that|the|their|his|her))\b",
    re.IGNORECASE,
)


def test_no_empty_field_message_bends_a_question(practitioner, team):
    """ "Select where did it happen" reads wrong; "(optional)" or a question
    mark inside an instruction too."""
    from msp.forms import GdsFormMixin
    from tests.integration.test_every_form_radios import _form_classes, _instantiate

    enquiry = EnquiryFactory(team=team)
    wrong, checked = [], 0
    for cls in _form_classes():
        if not issubclass(cls, GdsFormMixin):
            continue
        form = _instantiate(cls, practitioner, enquiry)
        for name, field in form.fields.items():
            message = str(field.error_messages.get("required", ""))
            checked += 1
            if (
                BENT_QUESTION.match(message)
                or "(optional)" in message
                or (message.startswith(("Select ", "Enter ")) and "?" in message)
            ):
                wrong.append(f"{cls.__name__}.{name}: {message}")
    assert checked > 50
    assert wrong == []
