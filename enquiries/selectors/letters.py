"""Reads for letters: what a letter says, which letters may be produced, and
the letters a user may see.

The context of each kind of letter is fixed here and only here: the
placeholders of :mod:`enquiries.letter_text` are filled from these values and
nothing else, so a letter template can never show more than this. Letters to
the adult carry the adult's own words (their current desired outcomes,
verbatim) and the plan; never the findings, the concern's account, the
referrer or anyone else's details. The referrer's letter carries only the
decision in plain words and the feedback the worker recorded for them.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.conf import settings
from django.contrib.staticfiles import finders
from django.db.models import Prefetch, Q
from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe

from enquiries import letter_text
from enquiries.codes import Achieved, RiskOutcome, RiskResult, ViewSource
from enquiries.letter_text import EASY_READ, LetterKind
from enquiries.models import (
    Concern,
    DesiredOutcome,
    Enquiry,
    InvolvedAgency,
    PlanAction,
    PlanReview,
)
from enquiries.models.letters import Letter, LetterTemplate, LetterTemplateVersion
from msp.access import get_visible_or_404, visible

SAID_BY = {
    ViewSource.ADULT: "You said",
    ViewSource.REPRESENTATIVE: "Your representative said",
    ViewSource.ADVOCATE: "Your advocate said",
    ViewSource.IMCA: "Your IMCA said",
    ViewSource.FAMILY: "Your family or friend said",
    ViewSource.REFERRER: "The person who told us about the worry said",
}
ACHIEVED = {
    Achieved.FULLY: "This happened.",
    Achieved.PARTIALLY: "Some of this happened.",
    Achieved.NOT: "This did not happen.",
}
RISK_NOW = {
    RiskResult.REMOVED: "The risk to you has gone.",
    RiskResult.REDUCED: "The risk to you is smaller now.",
    RiskResult.REMAINED: (
        "The risk to you is still there. We have talked with you about how "
        "to keep it as small as we can."
    ),
}
ACTION_STATUS = {
    PlanAction.Status.NOT_STARTED: "Not started yet",
    PlanAction.Status.IN_PROGRESS: "Started",
    PlanAction.Status.DONE: "Done",
    PlanAction.Status.NOT_DONE: "Not done",
}
DECISION = {
    Concern.Decision.SECTION_42: (
        "We will look into what happened. This is called a safeguarding "
        "enquiry (section 42 of the Care Act 2014)."
    ),
    Concern.Decision.OTHER_ENQUIRY: (
        "We will look into what happened. This is called a safeguarding enquiry."
    ),
}


def _day(value) -> str:
    if not value:
        return ""
    if isinstance(value, datetime.datetime):
        value = timezone.localdate(value)
    return f"{value.day} {value:%B %Y}"


def _quoted(texts: list[str]) -> str:
    return " and ".join(f"\u201c{text.strip()}\u201d" for text in texts)


def _current_outcomes(enquiry: Enquiry) -> list[DesiredOutcome]:
    return list(
        DesiredOutcome.objects.filter(
            Q(enquiry=enquiry) | Q(concern_id=enquiry.concern_id),
            status=DesiredOutcome.Status.ACTIVE,
        ).order_by("recorded_at", "id")
    )


def _common(enquiry: Enquiry, user, letter_date: datetime.date) -> dict:
    return {
        "council_name": settings.COUNCIL_NAME,
        "service_name": settings.SERVICE_NAME,
        "letter_date": _day(letter_date),
        "worker_name": (user.get_full_name() or user.get_username()),
        "team_name": enquiry.team.name,
        "help_contact": settings.LETTER_HELP_CONTACT,
    }


def _agencies(enquiry: Enquiry) -> str:
    """The organisations involved in the case (on the concern or the
    enquiry, not withdrawn) with their role, once each: organisation names
    only, never a named contact or anyone's contact details."""
    seen: list[str] = []
    for agency in (
        InvolvedAgency.objects.filter(
            concern_id=enquiry.concern_id, withdrawn_at__isnull=True
        )
        .select_related("organisation")
        .order_by("organisation__name", "id")
    ):
        role = (
            agency.role_detail
            if agency.role == InvolvedAgency.Role.OTHER
            else agency.get_role_display()
        )
        label = f"{agency.organisation.name} ({role})"
        if label not in seen:
            seen.append(label)
    return "; ".join(seen)


def letter_context(
    enquiry: Enquiry, kind: str, user, letter_date: datetime.date | None = None
) -> dict:
    """The values of every placeholder of ``kind`` for ``enquiry``."""
    letter_date = letter_date or timezone.localdate()
    concern = enquiry.concern
    context = _common(enquiry, user, letter_date)
    if kind == LetterKind.REFERRER:
        context.update(
            referrer_name=concern.referrer_name,
            concern_received_on=_day(concern.received_on),
            decision=DECISION.get(concern.decision, ""),
            feedback=concern.referrer_feedback,
        )
        return context
    person = concern.person
    context.update(
        adult_name=person.preferred_name or person.given_name,
        adult_full_name=person.full_name,
        enquiry_started_on=_day(enquiry.started_on),
    )
    outcomes = _current_outcomes(enquiry)
    context["desired_outcomes"] = [
        {
            "text": outcome.text,
            "said_by": SAID_BY.get(outcome.expressed_by, "You said"),
            "achieved": ACHIEVED.get(outcome.achieved, ""),
            "comment": outcome.evaluation_comment,
        }
        for outcome in outcomes
    ]
    if kind in (LetterKind.OUTCOME, LetterKind.OUTCOME_EASY_READ):
        risk_now = RISK_NOW.get(enquiry.risk_result, "")
        if enquiry.risk_assessment_outcome == RiskOutcome.CEASED_AT_REQUEST:
            risk_now = "You asked us to stop, so we stopped."
        context.update(
            enquiry_ended_on=_day(enquiry.concluded_on or letter_date),
            risk_now=risk_now,
            agencies=_agencies(enquiry),
        )
    elif kind == LetterKind.NEXT_STEPS:
        context.update(
            decision=DECISION.get(concern.decision, ""),
            decided_on=_day(concern.decided_on or concern.decided_at),
        )
    elif kind in (LetterKind.PLAN, LetterKind.PLAN_EASY_READ):
        actions = PlanAction.objects.filter(enquiry=enquiry).prefetch_related(
            Prefetch("desired_outcomes", queryset=DesiredOutcome.objects.order_by("id"))
        )
        context["actions"] = [
            {
                "what": action.description.strip().rstrip("."),
                "what_for": _quoted([o.text for o in action.desired_outcomes.all()])
                or "keeping you safe",
                "who": action.owner,
                "by_when": _day(action.due_on),
                "status": ACTION_STATUS.get(action.status, ""),
            }
            for action in actions
            if action.status != PlanAction.Status.NOT_DONE
        ]
        review = (
            PlanReview.objects.filter(enquiry=enquiry, next_review_on__isnull=False)
            .order_by("-reviewed_on", "-id")
            .first()
        )
        context["next_review_on"] = (
            _day(review.next_review_on) if review else "a date we agree with you"
        )
    return context


def recipient_lines(enquiry: Enquiry, kind: str) -> list[str]:
    """The name and address the letter is sent to."""
    concern = enquiry.concern
    if kind == LetterKind.REFERRER:
        return [x for x in (concern.referrer_name, concern.referrer_organisation) if x]
    person = concern.person
    lines = [person.full_name]
    lines += [line.strip() for line in person.address.splitlines() if line.strip()]
    if person.postcode:
        lines.append(person.postcode)
    return lines


def why_not(enquiry: Enquiry, kind: str, templates: dict[str, LetterTemplate]) -> str:
    """Why a letter of ``kind`` cannot be produced for ``enquiry`` ("" if it can)."""
    if kind not in templates:
        return "There is no template for this letter yet: an administrator adds one in admin."
    concern = enquiry.concern
    if kind == LetterKind.REFERRER:
        if concern.referrer_type == Concern.ReferrerType.SELF:
            return "The adult raised the concern themself."
        if concern.referrer_anonymous or not concern.referrer_name.strip():
            return "The person who raised the concern is anonymous or not named."
        if not concern.referrer_feedback.strip():
            return "Record the feedback for the person who raised the concern first (on the concern's page)."
    outcome_letter = kind in (LetterKind.OUTCOME, LetterKind.OUTCOME_EASY_READ)
    if outcome_letter and not enquiry.risk_assessment_outcome:
        return "Record the outcome of the enquiry first."
    plan_letter = kind in (LetterKind.PLAN, LetterKind.PLAN_EASY_READ)
    if plan_letter and not enquiry.plan_actions.exists():
        return "Add the actions of the safeguarding plan first."
    return ""


def templates_by_kind() -> dict[str, LetterTemplate]:
    return {t.kind: t for t in LetterTemplate.objects.all()}


def current_version(template: LetterTemplate) -> LetterTemplateVersion:
    return template.versions.get(number=template.version)


def letter_choices(enquiry: Enquiry) -> list[dict]:
    templates = templates_by_kind()
    return [
        {"kind": kind, "label": label, "problem": why_not(enquiry, kind, templates)}
        for kind, label in LetterKind.choices
    ]


# The letter as shown and printed ------------------------------------------------


@dataclass
class RenderedLetter:
    kind: str
    title: str
    easy_read: bool
    from_lines: list[str]
    to_lines: list[str]
    date: str
    sections: list = field(default_factory=list)

    @property
    def words(self) -> str:
        return letter_text.plain_text(self.sections)


def picture_svg(name: str) -> SafeString:
    """A project-drawn symbol, inline (static/images/easy-read/<name>.svg)."""
    if name not in letter_text.PICTURES:
        return mark_safe("")  # noqa: S308 - empty
    path = finders.find(f"images/easy-read/{name}.svg")
    if not path:
        return mark_safe("")  # noqa: S308 - empty
    with open(path, encoding="utf-8") as svg:
        return mark_safe(svg.read())  # noqa: S308 - our own static file


def build(
    *,
    kind: str,
    title: str,
    body: str,
    context: dict,
    to_lines: list[str],
) -> RenderedLetter:
    sections = letter_text.render(kind, body, context)
    easy_read = kind in EASY_READ
    for section in sections:
        section.picture_svg = picture_svg(section.picture) if easy_read else ""
    return RenderedLetter(
        kind=kind,
        title=title,
        easy_read=easy_read,
        from_lines=[
            x
            for x in (
                context.get("council_name"),
                context.get("service_name"),
                context.get("team_name"),
            )
            if x
        ],
        to_lines=to_lines,
        date=context.get("letter_date", ""),
        sections=sections,
    )


def sample_letter(kind: str, title: str, body: str) -> RenderedLetter:
    """The letter filled in with made-up values (admin preview)."""
    to_lines = (
        ["Jo Bloggs", "Riverside Care Home"]
        if kind == LetterKind.REFERRER
        else ["Mary Jones", "1 Example Street", "Exampletown", "EX1 1AA"]
    )
    return build(
        kind=kind,
        title=title,
        body=body,
        context=letter_text.sample_context(kind),
        to_lines=to_lines,
    )


def enquiry_letter(
    enquiry: Enquiry, kind: str, user, letter_date: datetime.date | None = None
) -> tuple[RenderedLetter, LetterTemplateVersion]:
    """The letter of ``kind`` for ``enquiry`` from the current template version."""
    template = LetterTemplate.objects.get(kind=kind)
    version = current_version(template)
    letter = build(
        kind=kind,
        title=version.title,
        body=version.body,
        context=letter_context(enquiry, kind, user, letter_date),
        to_lines=recipient_lines(enquiry, kind),
    )
    return letter, version


# Letters a user may see ---------------------------------------------------------


def letters_for(user, enquiry: Enquiry) -> list[Letter]:
    return list(
        visible(user, Letter.objects.filter(enquiry=enquiry)).select_related(
            "sent_by", "template_version", "document"
        )
    )


def letter_for(user, reference) -> Letter:
    return get_visible_or_404(
        user,
        Letter.objects.select_related("document", "enquiry__concern__person"),
        reference=reference,
    )
