"""Letter templates: the words administrators write, and how they are filled in.

A letter template is plain text with a few line rules and placeholders
(docs/decisions/0022). It is never Django template code: a template can only
name the placeholders listed for its kind below, each filled from a fixed
context built by :mod:`enquiries.services.letters`, so an administrator
editing the words cannot reach any other data.

Line rules (one rule per line)::

    # Heading                  starts a section
    # [picture] Heading        the same, with a picture (easy read)
    - Some words               a bullet point
    {{#actions}}               repeat the lines up to {{/actions}} for each
    ...                        item of a list (here: each plan action)
    {{/actions}}
    {{^actions}}               the lines up to {{/actions}} only when the
    ...                        list is empty
    {{/actions}}
    Any other line             a paragraph of its own (one idea per line)

Blank lines are ignored. ``{{ name }}`` anywhere in a line is replaced by the
value, escaped as text. A value never becomes a heading or a list: the
structure comes from the template's lines only.

This module knows nothing of the database: it checks and fills templates, and
measures the reading level of the result.
"""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass, field
from html import unescape

from django.db import models
from django.utils.html import escape, strip_tags
from django.utils.safestring import SafeString, mark_safe


class LetterKind(models.TextChoices):
    OUTCOME = "outcome", "Outcome letter to the adult"
    OUTCOME_EASY_READ = "outcome_easy_read", "Outcome letter to the adult (easy read)"
    NEXT_STEPS = "next_steps", "What happens next (after the decision)"
    REFERRER = "referrer_feedback", "Feedback to the person who raised the concern"
    PLAN = "plan", "Safeguarding plan for the adult"
    PLAN_EASY_READ = "plan_easy_read", "Safeguarding plan for the adult (easy read)"


EASY_READ = {LetterKind.OUTCOME_EASY_READ, LetterKind.PLAN_EASY_READ}
TO_REFERRER = {LetterKind.REFERRER}

# Easy read: Flesch-Kincaid grade 5 or lower, a reading age of about 10
# (docs/decisions/0022). Checked on the shipped templates with sample data,
# and shown to administrators in the preview.
EASY_READ_MAX_GRADE = 5.0

# The pictures a heading may carry: project-drawn SVG symbols in
# static/images/easy-read/<name>.svg.
PICTURES = {
    "talk": "Speech bubble",
    "person": "A person",
    "help": "A telephone",
    "calendar": "A calendar",
    "list": "A list with ticks",
    "people": "Two people",
    "home": "A house",
    "star": "A star",
    "next": "An arrow pointing on",
    "letter": "An envelope",
}


@dataclass(frozen=True)
class Placeholder:
    name: str
    meaning: str
    sample: str


@dataclass(frozen=True)
class ListPlaceholder:
    name: str
    meaning: str
    fields: tuple[Placeholder, ...]
    sample: tuple[dict[str, str], ...]


# What every letter may use.
COMMON = (
    Placeholder("council_name", "The council's name", "Example Council"),
    Placeholder("service_name", "The service's name", "Safeguarding adults"),
    Placeholder("letter_date", "The date of the letter", "6 May 2025"),
    Placeholder(
        "worker_name", "The name of the worker sending the letter", "Sam Patel"
    ),
    Placeholder("team_name", "The worker's team", "North locality team"),
    Placeholder(
        "help_contact",
        "How to contact the council for help (setting LETTER_HELP_CONTACT)",
        "call 0100 000 0000",
    ),
)

# What letters to the adult may use, besides the common ones.
ADULT = (
    Placeholder("adult_name", "The adult's preferred or first name", "Mary"),
    Placeholder("adult_full_name", "The adult's full name", "Mary Jones"),
    Placeholder("enquiry_started_on", "The day the enquiry started", "2 April 2025"),
)

DESIRED_OUTCOMES = ListPlaceholder(
    "desired_outcomes",
    "What the adult wants to happen, in their own words (current ones only)",
    (
        Placeholder("text", "Their words, exactly as recorded", "I want to feel safe"),
        Placeholder("said_by", "Who said it: you, or who spoke for you", "You said"),
    ),
    (
        {"text": "I want to feel safe at home.", "said_by": "You said"},
        {"text": "I want to see my friends on Sundays.", "said_by": "You said"},
    ),
)

EVALUATED_OUTCOMES = ListPlaceholder(
    "desired_outcomes",
    "What the adult wanted to happen, in their own words, with how it went",
    (
        Placeholder("text", "Their words, exactly as recorded", "I want to feel safe"),
        Placeholder("said_by", "Who said it: you, or who spoke for you", "You said"),
        Placeholder(
            "achieved",
            "Whether it happened, in plain words (blank until evaluated)",
            "This happened.",
        ),
        Placeholder(
            "comment", "The adult's own comment when it was evaluated", "I feel safe"
        ),
    ),
    (
        {
            "text": "I want to feel safe at home.",
            "said_by": "You said",
            "achieved": "This happened.",
            "comment": "I feel safe now.",
        },
        {
            "text": "I want to see my friends on Sundays.",
            "said_by": "You said",
            "achieved": "Some of this happened.",
            "comment": "",
        },
    ),
)

ACTIONS = ListPlaceholder(
    "actions",
    "The actions in the safeguarding plan",
    (
        Placeholder("what", "What will be done", "Change the lock on your door"),
        Placeholder(
            "what_for",
            "Which of the adult's wishes it is for, in their words (in quotes)",
            "\u201cI want to feel safe at home.\u201d",
        ),
        Placeholder("who", "Who will do it", "Sam, your social worker"),
        Placeholder("by_when", "The date it will be done by", "30 May 2025"),
        Placeholder("status", "Where it has got to, in plain words", "Not started"),
    ),
    (
        {
            "what": "Change the lock on your door",
            "what_for": "\u201cI want to feel safe at home.\u201d",
            "who": "Sam, your social worker",
            "by_when": "30 May 2025",
            "status": "Not started",
        },
        {
            "what": "Find a lift to the club on Sundays",
            "what_for": "\u201cI want to see my friends on Sundays.\u201d",
            "who": "Age UK",
            "by_when": "13 June 2025",
            "status": "Started",
        },
    ),
)

KIND_PLACEHOLDERS: dict[str, tuple[tuple[Placeholder, ...], tuple]] = {
    LetterKind.OUTCOME: (
        COMMON
        + ADULT
        + (
            Placeholder(
                "enquiry_ended_on", "The day the enquiry ended", "20 June 2025"
            ),
            Placeholder(
                "risk_now",
                "What happened to the risk, in plain words",
                "The risk to you is smaller now.",
            ),
            Placeholder(
                "agencies",
                "The organisations involved in the case and their role "
                "(names of organisations only: never anyone's contact details)",
                "Shire Police (Police); Elm Care Home (Care or support provider)",
            ),
        ),
        (EVALUATED_OUTCOMES,),
    ),
    LetterKind.NEXT_STEPS: (
        COMMON
        + ADULT
        + (
            Placeholder(
                "decision",
                "What was decided, in plain words",
                "We will look into what happened. This is called a safeguarding enquiry.",
            ),
            Placeholder("decided_on", "The day it was decided", "1 April 2025"),
        ),
        (DESIRED_OUTCOMES,),
    ),
    LetterKind.REFERRER: (
        COMMON
        + (
            Placeholder("referrer_name", "The name of who raised the concern", "Jo"),
            Placeholder(
                "concern_received_on", "The day the concern came in", "28 March 2025"
            ),
            Placeholder(
                "decision",
                "What was decided, in plain words",
                "We will look into what happened. This is called a safeguarding enquiry.",
            ),
            Placeholder(
                "feedback",
                "The feedback the worker recorded for them (what may be shared)",
                "We have spoken to the person and they are getting support.",
            ),
        ),
        (),
    ),
    LetterKind.PLAN: (
        COMMON
        + ADULT
        + (
            Placeholder(
                "next_review_on", "When the plan will next be looked at", "27 June 2025"
            ),
        ),
        (DESIRED_OUTCOMES, ACTIONS),
    ),
}
KIND_PLACEHOLDERS[LetterKind.OUTCOME_EASY_READ] = KIND_PLACEHOLDERS[LetterKind.OUTCOME]
KIND_PLACEHOLDERS[LetterKind.PLAN_EASY_READ] = KIND_PLACEHOLDERS[LetterKind.PLAN]


def scalars(kind: str) -> dict[str, Placeholder]:
    return {p.name: p for p in KIND_PLACEHOLDERS[kind][0]}


def lists(kind: str) -> dict[str, ListPlaceholder]:
    return {p.name: p for p in KIND_PLACEHOLDERS[kind][1]}


def sample_context(kind: str) -> dict:
    """Made-up values for every placeholder of ``kind`` (admin preview, tests)."""
    context: dict = {p.name: p.sample for p in KIND_PLACEHOLDERS[kind][0]}
    for item in KIND_PLACEHOLDERS[kind][1]:
        context[item.name] = [dict(row) for row in item.sample]
    return context


# Parsing and checking -----------------------------------------------------------

_PLACEHOLDER = re.compile(r"\{\{\s*([A-Za-z_][A-Za-z0-9_]*)\s*\}\}")
_BLOCK_OPEN = re.compile(r"^\{\{\s*([#^])\s*([A-Za-z_][A-Za-z0-9_]*)\s*\}\}$")
_BLOCK_CLOSE = re.compile(r"^\{\{\s*/\s*([A-Za-z_][A-Za-z0-9_]*)\s*\}\}$")
_HEADING = re.compile(r"^#\s+(?:\[([a-z-]+)\]\s*)?(.*)$")
_ANY_BRACES = re.compile(r"\{\{|\}\}|\{%|%\}")


@dataclass
class _Line:
    number: int
    kind: str  # "heading", "bullet", "para"
    text: str
    picture: str = ""


@dataclass
class _Block:
    number: int
    name: str
    inverted: bool
    lines: list[_Line] = field(default_factory=list)


def _parse(body: str) -> tuple[list[_Line | _Block], list[str]]:
    """The template's lines and blocks, and any mistakes (with line numbers)."""
    items: list[_Line | _Block] = []
    errors: list[str] = []
    block: _Block | None = None
    for number, raw in enumerate(body.splitlines(), start=1):
        line = raw.strip()
        if not line:
            continue
        opened = _BLOCK_OPEN.match(line)
        closed = _BLOCK_CLOSE.match(line)
        if opened:
            if block is not None:
                errors.append(
                    f"Line {number}: a list cannot start inside another list "
                    f"(close {{{{/{block.name}}}}} first)"
                )
                continue
            block = _Block(number, opened.group(2), opened.group(1) == "^")
            items.append(block)
            continue
        if closed:
            if block is None or closed.group(1) != block.name:
                errors.append(
                    f"Line {number}: {{{{/{closed.group(1)}}}}} closes a list "
                    "that was not started"
                )
            else:
                block = None
            continue
        heading = _HEADING.match(line)
        if heading:
            parsed = _Line(number, "heading", heading.group(2), heading.group(1) or "")
        elif line.startswith("- "):
            parsed = _Line(number, "bullet", line[2:].strip())
        else:
            parsed = _Line(number, "para", line)
        (block.lines if block is not None else items).append(parsed)
    if block is not None:
        errors.append(
            f"Line {block.number}: the list {{{{#{block.name}}}}} is never closed "
            f"with {{{{/{block.name}}}}}"
        )
    return items, errors


def check(kind: str, body: str) -> list[str]:
    """Every mistake in ``body`` for a letter of ``kind``, in plain words."""
    items, errors = _parse(body)
    known = scalars(kind)
    known_lists = lists(kind)

    def check_line(line: _Line, item_fields: set[str]) -> None:
        for name in _PLACEHOLDER.findall(line.text):
            if name not in known and name not in item_fields:
                where = " here" if name in _all_item_fields(kind) else ""
                errors.append(
                    f"Line {line.number}: {{{{ {name} }}}} is not a placeholder "
                    f"this letter can use{where}"
                )
        leftover = _ANY_BRACES.search(_PLACEHOLDER.sub("", line.text))
        if leftover:
            errors.append(
                f"Line {line.number}: '{leftover.group(0)}' is not part of a "
                "placeholder; write placeholders as {{ name }}"
            )
        if line.picture and line.picture not in PICTURES:
            errors.append(
                f"Line {line.number}: there is no picture called [{line.picture}]"
            )
        if line.kind == "heading" and not line.text.strip():
            errors.append(f"Line {line.number}: the heading has no words")

    for item in items:
        if isinstance(item, _Block):
            listed = known_lists.get(item.name)
            if listed is None:
                errors.append(
                    f"Line {item.number}: {{{{#{item.name}}}}} is not a list "
                    "this letter can use"
                )
                fields: set[str] = set()
            else:
                fields = set() if item.inverted else {f.name for f in listed.fields}
            for line in item.lines:
                check_line(line, fields)
        else:
            check_line(item, set())
    return sorted(set(errors), key=_line_order)


def _line_order(message: str) -> tuple[int, str]:
    match = re.match(r"Line (\d+)", message)
    return (int(match.group(1)) if match else 0, message)


def _all_item_fields(kind: str) -> set[str]:
    return {f.name for listed in lists(kind).values() for f in listed.fields}


# Filling in ---------------------------------------------------------------------


@dataclass
class Section:
    heading: SafeString | None = None
    picture: str = ""
    # ("p", html) for a paragraph, ("ul", [html, ...]) for a list of points.
    blocks: list[tuple[str, object]] = field(default_factory=list)


def _value_html(value) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime.date):
        value = f"{value.day} {value:%B %Y}"
    return escape(str(value)).replace("\n", "<br>")


def _fill(text: str, values: dict) -> SafeString:
    parts = []
    position = 0
    for match in _PLACEHOLDER.finditer(text):
        parts.append(escape(text[position : match.start()]))
        parts.append(_value_html(values.get(match.group(1), "")))
        position = match.end()
    parts.append(escape(text[position:]))
    return mark_safe("".join(parts))  # noqa: S308 - every part escaped above


def render(kind: str, body: str, context: dict) -> list[Section]:
    """The letter's sections, ``body`` filled in from ``context``.

    The caller has checked ``body`` (:func:`check`); a placeholder that is
    not in ``context`` is left empty rather than shown as code.
    """
    items, _errors = _parse(body)
    allowed = set(scalars(kind))
    values = {name: context.get(name, "") for name in allowed}
    sections: list[Section] = [Section()]

    def emit(line: _Line, line_values: dict) -> None:
        html = _fill(line.text, line_values)
        current = sections[-1]
        if line.kind == "heading":
            sections.append(Section(heading=html, picture=line.picture))
        elif line.kind == "bullet":
            if current.blocks and current.blocks[-1][0] == "ul":
                current.blocks[-1][1].append(html)
            else:
                current.blocks.append(("ul", [html]))
        else:
            current.blocks.append(("p", html))

    for item in items:
        if isinstance(item, _Block):
            listed = lists(kind).get(item.name)
            rows = (context.get(item.name) or []) if listed else []
            if item.inverted:
                if not rows:
                    for line in item.lines:
                        emit(line, values)
                continue
            names = {f.name for f in listed.fields} if listed else set()
            for row in rows:
                row_values = {**values, **{n: row.get(n, "") for n in names}}
                for line in item.lines:
                    emit(line, row_values)
        else:
            emit(item, values)
    return [s for s in sections if s.heading is not None or s.blocks]


def plain_text(sections: list[Section]) -> str:
    """The words of a filled-in letter, one sentence a line (reading age)."""
    lines: list[str] = []

    def add(html) -> None:
        text = unescape(strip_tags(str(html).replace("<br>", "\n")))
        for part in text.splitlines():
            part = part.strip()
            if part:
                ends = part.rstrip("\"'”")[-1:]
                lines.append(part if ends in (".", "!", "?") else part + ".")

    for section in sections:
        if section.heading:
            add(section.heading)
        for tag, content in section.blocks:
            for html in content if tag == "ul" else [content]:
                add(html)
    return "\n".join(lines)


def reading_grade(text: str) -> float:
    """Flesch-Kincaid grade of ``text`` (textstat), each line a sentence."""
    import textstat

    return float(textstat.flesch_kincaid_grade(text))
