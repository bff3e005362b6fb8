"""Reads for the adult's own page.

Two kinds of reader:

- staff, through ``msp.access`` (the enquiry page's panel and the page that
  offers, invites and revokes);
- the adult, whose signed-in access (``services.adult_page.session_access``)
  names exactly one enquiry: every read below starts from that access, never
  from anything in the URL, so no other case can be reached.

What the adult is shown leaves out restricted and third-party material: no
risks or alleged sources, no case notes, findings or relationships; only
desired outcomes they (or their representative) expressed; consent decisions
only where telling them is safe.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.db.models import Prefetch, Q
from django.http import Http404

from enquiries.models import (
    AdultPageAccess,
    AdultPageEntry,
    BreakGlassGrant,
    ConsentDecision,
    DesiredOutcome,
    Document,
    Enquiry,
    PlanAction,
)
from enquiries.services.adult_page import (
    SOURCE_FOR_RECIPIENT,
    latest_plan_answer,
    plan_version,
)
from msp import access
from msp.models import AuditEvent

# --- Staff --------------------------------------------------------------------


def offers_for_enquiry(user, enquiry: Enquiry):
    return (
        access.visible(user, AdultPageAccess.objects.filter(enquiry=enquiry))
        .select_related("created_by", "ended_by")
        .prefetch_related("invitations")
        .order_by("-created_at", "-id")
    )


def entries_for_enquiry(user, enquiry: Enquiry, limit: int | None = None):
    entries = (
        access.visible(user, AdultPageEntry.objects.filter(access__enquiry=enquiry))
        .select_related("person_view", "access")
        .order_by("-recorded_at", "-id")
    )
    return entries[:limit] if limit else entries


# --- The adult ----------------------------------------------------------------


@dataclass
class OutcomeProgress:
    text: str
    actions_done: int
    actions_total: int
    achieved: str = ""

    @property
    def how_it_is_going(self) -> str:
        """In plain words (the template translates the fixed phrases)."""
        if self.achieved:
            return self.achieved
        if not self.actions_total:
            return "not_started"
        if self.actions_done == self.actions_total:
            return "done"
        return "in_progress"


@dataclass
class PlanStep:
    description: str
    owner: str
    due_on: datetime.date
    status: str
    status_label: str
    what_for: list[str] = field(default_factory=list)


def own_outcomes(offer: AdultPageAccess):
    """Desired outcomes in their (or their representative's) own words."""
    enquiry = offer.enquiry
    return DesiredOutcome.objects.filter(
        Q(enquiry=enquiry) | Q(concern_id=enquiry.concern_id),
        status=DesiredOutcome.Status.ACTIVE,
        expressed_by__in=list(SOURCE_FOR_RECIPIENT.values()),
    ).order_by("recorded_at", "id")


def outcomes_with_progress(offer: AdultPageAccess) -> list[OutcomeProgress]:
    outcomes = own_outcomes(offer).prefetch_related(
        Prefetch(
            "plan_actions",
            queryset=PlanAction.objects.filter(enquiry=offer.enquiry).only(
                "id", "status"
            ),
        )
    )
    result = []
    for outcome in outcomes:
        actions = list(outcome.plan_actions.all())
        result.append(
            OutcomeProgress(
                text=outcome.text,
                actions_done=sum(a.status == PlanAction.Status.DONE for a in actions),
                actions_total=len(actions),
                achieved=outcome.achieved,
            )
        )
    return result


def plan(offer: AdultPageAccess) -> tuple[list[PlanStep], str]:
    """The plan's actions, with what each is for (only outcomes they gave)."""
    own = set(own_outcomes(offer).values_list("pk", flat=True))
    actions = list(
        PlanAction.objects.filter(enquiry=offer.enquiry)
        .prefetch_related("desired_outcomes")
        .order_by("due_on", "id")
    )
    steps = [
        PlanStep(
            description=action.description,
            owner=action.owner,
            due_on=action.due_on,
            status=action.status,
            status_label=action.get_status_display(),
            what_for=[o.text for o in action.desired_outcomes.all() if o.pk in own],
        )
        for action in actions
    ]
    return steps, (plan_version(actions) if actions else "")


def plan_answer_state(offer: AdultPageAccess, version: str) -> dict:
    """Whether they have answered this version of the plan."""
    answer = latest_plan_answer(offer)
    return {
        "answer": answer,
        "answered_this_version": bool(
            answer and version and answer.plan_version == version
        ),
        "plan_changed": bool(answer and version and answer.plan_version != version),
    }


@dataclass
class Look:
    day: datetime.date
    role: str
    team: str
    break_glass_reason: str = ""


def who_has_looked(offer: AdultPageAccess, limit: int = 200) -> list[Look]:
    """Each member of staff who opened their record, once a day: the date,
    their role and team (never their name), from the audit trail; and every
    "break the glass" opening with its reason."""
    person_ref = str(offer.person.reference)
    events = (
        AuditEvent.objects.filter(
            person_ref=person_ref,
            action=AuditEvent.Action.VIEW,
            actor__isnull=False,
        )
        .select_related("actor")
        .prefetch_related("actor__teams", "actor__groups")
        .order_by("-at", "-id")[: limit * 5]
    )
    seen: set[tuple] = set()
    looks: list[Look] = []
    for event in events:
        day = event.at.date()
        key = (day, event.actor_id)
        if key in seen:
            continue
        seen.add(key)
        looks.append(_look(day, event.actor))
        if len(looks) >= limit:
            break
    grants = (
        BreakGlassGrant.objects.filter(person_id=offer.person_id)
        .select_related("user")
        .prefetch_related("user__teams", "user__groups")
        .order_by("-granted_at")
    )
    for grant in grants:
        look = _look(grant.granted_at.date(), grant.user)
        look.break_glass_reason = grant.reason
        looks.append(look)
    looks.sort(key=lambda look: look.day, reverse=True)
    return looks


def _look(day: datetime.date, user) -> Look:
    roles = [group.name for group in user.groups.all()]
    role = user.job_title or (roles[0] if roles else "")
    teams = ", ".join(sorted(team.name for team in user.teams.all()))
    return Look(day=day, role=role, team=teams)


@dataclass
class SharingDecision:
    question: str
    agency: str
    answer: str
    day: datetime.date | None
    overridden: bool
    grounds: list[str]


def consent_decisions(
    offer: AdultPageAccess,
) -> tuple[list[SharingDecision], bool]:
    """Consent and information-sharing decisions about them, and whether
    some are withheld (telling them would put someone at risk)."""
    enquiry = offer.enquiry
    decisions = ConsentDecision.objects.filter(
        Q(enquiry=enquiry) | Q(concern_id=enquiry.concern_id, enquiry__isnull=True)
    ).order_by("recorded_at", "id")
    if offer.withhold_sharing:
        return [], decisions.exists()
    shown: list[SharingDecision] = []
    withheld = False
    labels = dict(ConsentDecision.OverrideGround.choices)
    for decision in decisions:
        if decision.overridden and decision.adult_informed_of_override is not True:
            # The record does not say it was safe to tell them.
            withheld = True
            continue
        shown.append(
            SharingDecision(
                question=decision.get_question_display(),
                agency=decision.agency,
                answer=decision.answer,
                day=decision.decided_on or decision.recorded_at.date(),
                overridden=decision.overridden,
                grounds=[labels.get(g, g) for g in decision.override_grounds],
            )
        )
    return shown, withheld


def own_entries(offer: AdultPageAccess, limit: int = 20):
    """What they have added on their page for this enquiry."""
    return (
        AdultPageEntry.objects.filter(access=offer)
        .select_related("person_view")
        .order_by("-recorded_at", "-id")[:limit]
    )


def shared_documents(offer: AdultPageAccess):
    """Documents they may have: their own person's, marked "may be shared with
    the adult: yes" and not withdrawn, held with their person record or with
    this enquiry (its concern, its meetings), never another case's. "No" and
    "ask first" documents are never listed, even the adult's own."""
    enquiry = offer.enquiry
    return (
        Document.objects.filter(
            person_id=offer.person_id,
            sensitivity=Document.Sharing.YES,
            withdrawn_at__isnull=True,
        )
        .filter(
            Q(enquiry=enquiry)
            | Q(meeting__enquiry=enquiry)
            | Q(concern_id=enquiry.concern_id, enquiry__isnull=True)
            | Q(concern__isnull=True, enquiry__isnull=True, meeting__isnull=True)
        )
        .select_related("kind")
        .order_by("-document_date", "-id")
    )


def shared_document_or_404(offer: AdultPageAccess, reference) -> Document:
    """One of :func:`shared_documents`, or 404 (another adult's, a withdrawn
    or unshared one look the same as one that does not exist)."""
    document = shared_documents(offer).filter(reference=reference).first()
    if document is None:
        raise Http404("No such document")
    return document
