"""The case's history as lists inside person and enquiry records (version 2).

One pattern for every such record type: a :class:`ListSpec` says which
list field of which record (``meetings`` on an enquiry, ``case_notes`` on a
person or an enquiry, ...) holds rows of which model, and how each field of
an item maps to a model field. From that one description come the item's
JSON Schema (``interchange_schemas``), the line checks, the import and the
export (``interchange``). Adding a record type is adding a spec to
:data:`LISTS` and running ``manage.py interchange_schemas``.

Like views and consent decisions, the lists are append-only on import: an
item already recorded on the case (every field equal; the time it was typed
in, ``recorded_at``, only when the file gives it) is not added again, and
nothing is removed or changed. Each item's ``recorded_at`` is kept as given,
so exporting, importing into an empty database and exporting again gives
the same file.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models

from enquiries.models import (
    CaseNote,
    Meeting,
    PlanAction,
    PlanReview,
    SarRecommendation,
)
from enquiries.models.organisational import OrganisationalAction, OrganisationalMeeting
from enquiries.models.pipot import PipotReferral
from enquiries.models.voice import CapacityAssessment, DesiredOutcome


@dataclass(frozen=True)
class Item:
    """One field of a list item: its name in the file and on the model."""

    name: str
    kind: str  # "text", "date", "code", "bool", "moment" or "money"
    required: bool = False
    attname: str = ""
    past: bool = True  # a date: the day something happened, not in the future

    @property
    def field(self) -> str:
        return self.attname or self.name


# (spec, item row pks) -> row pk -> its agencies as the file writes them.
AgenciesOf = Callable[["ListSpec", list[int]], dict[int, list[dict]]]


@dataclass(frozen=True)
class ListSpec:
    name: str  # the list field on the parent record
    parent: str  # a record type: "person", "enquiry", "sar", ...
    model: type[models.Model]
    items: tuple[Item, ...]
    title: str
    recorded: str = "created_at"  # when it was typed in: "recorded_at" in the file
    person_too: bool = False  # the model also names the adult (the enquiry's)
    concern_too: bool = False  # the model also names the enquiry's concern
    fixed: tuple[tuple[str, Any], ...] = ()  # model fields every item has
    prepare: Callable[[models.Model], None] | None = None  # what save() would do
    without_enquiry: bool = False  # on a person: only rows with no enquiry
    clean: bool = False  # apply the model's clean() (field rules only)
    link: str = ""  # the model's foreign key to the parent, if not named so
    # A many-to-many field to involved agencies of the linked cases (a
    # large-scale meeting's attendees), carried as "agencies": each agency
    # written as in ``involved_agencies`` with its concern's ref.
    agencies: str = ""

    @property
    def parent_id(self) -> str:
        return f"{self.link or self.parent}_id"

    def model_field(self, item: Item) -> models.Field:
        return self.model._meta.get_field(item.field)

    def choices(self, item: Item) -> list[str]:
        return [str(code) for code, _ in self.model_field(item).choices or ()]

    # -- export ---------------------------------------------------------------

    def exported(
        self, pks: list[int], agencies_of: AgenciesOf | None = None
    ) -> dict[int, list[dict]]:
        """Parent pk -> its items, as the file writes them, in entry order.
        ``agencies_of`` gives the ``agencies`` of a spec that has them."""
        parent = self.parent_id
        rows = self.model.objects.filter(**{f"{parent}__any_of": pks})
        if self.without_enquiry:
            rows = rows.filter(enquiry__isnull=True)
        if self.fixed:
            rows = rows.filter(**dict(self.fixed))
        found: dict[int, list[dict]] = {}
        rows = list(
            rows.order_by("pk").values(
                "pk", parent, self.recorded, *(i.field for i in self.items)
            )
        )
        attending = (
            agencies_of(self, [row["pk"] for row in rows])
            if self.agencies and agencies_of is not None
            else {}
        )
        for row in rows:
            item = {i.name: _out(i.kind, row[i.field]) for i in self.items}
            if self.agencies:
                item["agencies"] = attending.get(row["pk"], [])
            item["recorded_at"] = _out("moment", row[self.recorded])
            found.setdefault(row[parent], []).append(item)
        return found

    # -- import ---------------------------------------------------------------

    def instance(self, item: dict, parent: dict, user, moment_of) -> models.Model:
        values: dict[str, Any] = {}
        for spec in self.items:
            value = item.get(spec.name)
            if spec.kind == "date":
                value = datetime.date.fromisoformat(value) if value else None
            elif spec.kind == "moment":
                value = moment_of(value)
            elif spec.kind == "money":
                value = Decimal(value) if value is not None else None
            elif value is None:
                field = self.model_field(spec)
                value = field.get_default() if field.has_default() else ""
                if spec.kind == "bool" and value == "":
                    value = False
            values[spec.field] = value
        values[self.parent_id] = parent["pk"]
        if self.person_too:
            values["person_id"] = parent["concern__person_id"]
        if self.concern_too:
            values["concern_id"] = parent["concern_id"]
        values.update(self.fixed)
        names = {f.name for f in self.model._meta.fields}
        if "created_by" in names:
            values["created_by"] = values["updated_by"] = user
        elif "recorded_by" in names:
            values["recorded_by"] = user
        row = self.model(**values)
        setattr(row, self.recorded, moment_of(item.get("recorded_at")))
        if self.prepare is not None:
            self.prepare(row)
        return row

    def as_item(
        self, row: models.Model, given_time: bool, agencies: list | None = None
    ) -> dict:
        """The row as the export writes it (so a file's item, defaults filled
        in, compares equal to the same item recorded here); ``agencies`` as
        the file gives them, for a spec that has them."""
        item = {i.name: _out(i.kind, getattr(row, i.field)) for i in self.items}
        if self.agencies:
            item["agencies"] = agencies or []
        moment = getattr(row, self.recorded)
        item["recorded_at"] = _out("moment", moment) if given_time else None
        return item

    def parent_values(self) -> tuple[str, ...]:
        """What the import looks up on each parent row besides its pk."""
        found = ["pk"]
        if self.person_too:
            found.append("concern__person_id")
        if self.concern_too:
            found.append("concern_id")
        return tuple(found)

    def problems(self, row: models.Model) -> dict[str, list[str]]:
        if not self.clean:
            return {}
        try:
            row.clean()
        except ValidationError as exc:
            return exc.message_dict
        return {}


def _out(kind: str, value):
    if kind == "date":
        return value.isoformat() if value else None
    if kind == "moment":
        return value.isoformat() if value else None
    if kind == "bool":
        return value
    if kind == "money":
        return None if value is None else f"{value:.2f}"
    return value or None


def _text(name: str, required: bool = False, attname: str = "") -> Item:
    return Item(name, "text", required, attname)


def _code(name: str, required: bool = False) -> Item:
    return Item(name, "code", required)


MEETINGS = ListSpec(
    "meetings",
    "enquiry",
    Meeting,
    (
        _code("kind", True),
        Item("held_on", "date", True),
        _code("format", True),
        _text("attendees", True),
        Item("adult_invited", "bool"),
        Item("adult_attended", "bool"),
        _text("how_views_brought"),
        _code("lead_agency"),
        _text("interim_protection"),
        _text("decisions"),
    ),
    "Meetings on the enquiry: strategy discussions, planning, review and "
    "outcome meetings",
)
PLAN_ACTIONS = ListSpec(
    "plan_actions",
    "enquiry",
    PlanAction,
    (
        _text("description", True),
        _text("owner", True),
        Item("due_on", "date", True, past=False),
        _code("status"),
        _text("status_reason"),
    ),
    "The actions of the safeguarding plan",
)
PLAN_REVIEWS = ListSpec(
    "plan_reviews",
    "enquiry",
    PlanReview,
    (
        Item("reviewed_on", "date", True),
        _text("adult_view", True),
        _code("risk_rating", True),
        _code("decision", True),
        _text("notes"),
        Item("next_review_on", "date", past=False),
    ),
    "Reviews of the safeguarding plan",
)
_NOTE_ITEMS = (
    _text("text", True),
    Item("is_final", "bool"),
    Item("finalised_at", "moment"),
    Item("significant", "bool"),
)
ENQUIRY_NOTES = ListSpec(
    "case_notes",
    "enquiry",
    CaseNote,
    _NOTE_ITEMS,
    "Case notes written on the enquiry",
    person_too=True,
)
PERSON_NOTES = ListSpec(
    "case_notes",
    "person",
    CaseNote,
    _NOTE_ITEMS,
    "Case notes on the adult, not on an enquiry",
    without_enquiry=True,
)
_CAPACITY_ITEMS = (
    _text("decision_in_question", True),
    Item("assessed_on", "date", True),
    _text("practicable_steps"),
    Item("impairment", "bool", True),
    _text("impairment_evidence"),
    *(
        item
        for name in ("understand", "retain", "use_or_weigh", "communicate")
        for item in (_code(name), _text(f"{name}_evidence"))
    ),
    _code("conclusion", True),
    Item("reassess_by", "date", past=False),
    _text("best_interests_decision"),
    _text("best_interests_consulted"),
    _text("best_interests_decided_by"),
)
ENQUIRY_CAPACITY = ListSpec(
    "capacity_assessments",
    "enquiry",
    CapacityAssessment,
    _CAPACITY_ITEMS,
    "Mental capacity assessments made during the enquiry",
    person_too=True,
    clean=True,
)
PERSON_CAPACITY = ListSpec(
    "capacity_assessments",
    "person",
    CapacityAssessment,
    _CAPACITY_ITEMS,
    "Mental capacity assessments of the adult, not in an enquiry",
    without_enquiry=True,
    clean=True,
)

WITHDRAWN_OUTCOMES = ListSpec(
    "withdrawn_desired_outcomes",
    "enquiry",
    DesiredOutcome,
    (
        _code("stage", True),
        _text("text", True),
        _code("expressed_by"),
        _text("withdrawal_reason"),
        _code("achieved"),
        Item("evaluated_on", "date"),
        _text("evaluation_comment"),
        _code("evaluated_with"),
    ),
    "Desired outcomes recorded on the enquiry and later withdrawn, with why "
    "(the current ones are in desired_outcomes)",
    recorded="recorded_at",
    person_too=True,
    concern_too=True,
    fixed=(("status", "withdrawn"),),
)

SAR_RECOMMENDATIONS = ListSpec(
    "recommendations",
    "sar",
    SarRecommendation,
    (
        _text("text", True),
        _text("owner", True),
        Item("due_on", "date", True, past=False),
        _code("status"),
        Item("done_on", "date"),
    ),
    "The review's recommendations: who owns each, when it is due and the day "
    "it was done",
    link="review",
)

LARGE_SCALE_MEETINGS = ListSpec(
    "meetings",
    "organisational_enquiry",
    OrganisationalMeeting,
    (
        Item("held_on", "date", True),
        _text("other_attendees"),
        _text("minutes", True),
    ),
    "Meetings of the large-scale enquiry: the agencies of the linked cases "
    "that attended, anyone else who did, and the minutes",
    link="organisational",
    agencies="attendees",
)
LARGE_SCALE_ACTIONS = ListSpec(
    "actions",
    "organisational_enquiry",
    OrganisationalAction,
    (
        _text("description", True),
        _text("owner", True),
        Item("due_on", "date", True, past=False),
        _code("status"),
        _text("status_note"),
    ),
    "Actions agreed in the large-scale enquiry, their owners and progress",
    link="organisational",
)

PIPOT_REFERRALS = ListSpec(
    "referrals",
    "pipot_case",
    PipotReferral,
    (
        _code("kind", True),
        Item("referred_on", "date", True),
        _text("outcome"),
        Item("outcome_on", "date"),
    ),
    "Referrals made about the worker (DBS, professional regulator, police), "
    "with their outcome (which organisation is not carried)",
    link="case",
    clean=True,
)

LISTS: list[ListSpec] = [
    PERSON_NOTES,
    PERSON_CAPACITY,
    MEETINGS,
    PLAN_ACTIONS,
    PLAN_REVIEWS,
    ENQUIRY_NOTES,
    ENQUIRY_CAPACITY,
    WITHDRAWN_OUTCOMES,
    SAR_RECOMMENDATIONS,
    LARGE_SCALE_MEETINGS,
    LARGE_SCALE_ACTIONS,
    PIPOT_REFERRALS,
]


def register(spec: ListSpec) -> None:
    """A list another app carries on person or enquiry records (budgets, in
    its AppConfig.ready()), since this app may not import it."""
    if spec not in LISTS:
        LISTS.append(spec)


def lists_of(parent: str) -> tuple[ListSpec, ...]:
    return tuple(spec for spec in LISTS if spec.parent == parent)


def list_names() -> tuple[str, ...]:
    """The names counted in the import report, each once."""
    return tuple(dict.fromkeys(spec.name for spec in LISTS))
