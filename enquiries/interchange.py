"""Import and export of cases in the interchange format, version 1.

The format is a public contract (``spec/interchange.md``); what this module
adds or decides is written up in ``docs/interchange.md``.

Import (:func:`import_cases`) reads the file as a stream, several times:

1. A validation pass checks every line. The refs it defines and the
   references it makes go to a temporary SQLite file (:class:`_RefIndex`),
   not to memory. Every problem is collected as ``line N: field: message``.
   References may point forward in the file, or to records already in the
   database.
2. If there was no problem, one write pass per record type (people, then
   concerns, enquiries and reviews), all inside one transaction. Records are
   matched on ``ref`` (``source_ref``, or the UUID ``reference`` of a record
   created in the app) and written with ``bulk_create`` / ``bulk_update`` in
   batches of :data:`BATCH_SIZE`, so memory stays flat however long the file.

Export (:func:`export_cases`) writes every record in the same format, in
keyset-paginated batches.
"""

from __future__ import annotations

import contextlib
import datetime
import hashlib
import json
import os
import re
import shutil
import sqlite3
import tempfile
import uuid
from collections import Counter, defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files import File
from django.db import IntegrityError, connection, models, transaction
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone

from enquiries import codes, interchange_lists, interchange_schemas, signals
from enquiries.links import url_maker
from enquiries.models import (
    CausedEnquiry,
    ChronologyEvent,
    Concern,
    DesiredOutcome,
    Document,
    DocumentKind,
    Enquiry,
    InformationShare,
    Meeting,
    Organisation,
    OrganisationalEnquiry,
    Person,
    PipotCase,
    Risk,
    SafeguardingAdultsReview,
    SarIndividual,
    SarRecommendation,
    adult_on,
    refresh_adult_on_receipt,
    refresh_name_words,
    refresh_outcome_flags,
    validate_nhs_number,
)
from enquiries.models import partners as partner_models
from enquiries.models.reference import normalise_uk_postcode
from enquiries.models.voice import ConsentDecision, PersonView
from msp import audit
from msp.models import Team

FORMAT_VERSION = 2
BATCH_SIZE = 2000
PROGRESS_EVERY = 10_000
RECORD_TYPES = (
    "person",
    "concern",
    "enquiry",
    "sar",
    "s45_request",
    "information_share",
    "organisational_enquiry",
    "pipot_case",
    "document",
)
# Lists inside concern and enquiry records, counted in the report like types.
NESTED_TYPES = ("involved_agency", "partner_request", "organisational_link")
MAX_REF_LENGTH = 100
IMPORT_TEAM_CODE = "imported"
IMPORT_TEAM_NAME = "Imported records"

# ---------------------------------------------------------------------------
# Code lists and fields
# ---------------------------------------------------------------------------

GENDERS = frozenset(codes.Gender.values)
ETHNICITIES = frozenset(codes.Ethnicity.values)
SUPPORT_REASONS = frozenset(codes.SupportReason.values)
RISK_TYPES = frozenset(codes.RiskType.values)
RISK_LOCATIONS = frozenset(codes.RiskLocation.values)
RISK_SOURCES = frozenset(codes.RiskSource.values)
RISK_OUTCOMES = frozenset(codes.RiskOutcome.values)
RISK_IDENTIFIED = frozenset(codes.RiskOutcome.risk_identified())
RISK_RESULTS = frozenset(codes.RiskResult.values)
YES_NO_DONT_KNOW = frozenset(codes.YesNoDontKnow.values)
ACHIEVED = frozenset(codes.Achieved.values)
ENQUIRY_KINDS = frozenset(Enquiry.Kind.values)
REFERRER_TYPES = frozenset(Concern.ReferrerType.values)
SHARE_DIRECTIONS = frozenset(InformationShare.Direction.values)
LAWFUL_BASES = frozenset(InformationShare.LawfulBasis.values)
ARTICLE6 = frozenset(InformationShare.Article6.values)
SPECIAL_CONDITIONS = frozenset(InformationShare.SpecialCondition.values)
SHARE_CONSENT = frozenset(InformationShare.Consent.values)
OVERRIDE_GROUNDS = frozenset(
    code for code, _ in InformationShare._meta.get_field("override_ground").choices
)
ADULT_TOLD = frozenset(InformationShare.Told.values)
ORGANISATION_KINDS = frozenset(Organisation.Kind.values)
AGENCY_ROLES = frozenset(partner_models.InvolvedAgency.Role.values)
S45_DIRECTIONS = frozenset(partner_models.S45Request.Direction.values)
S45_DECISIONS = frozenset(partner_models.S45Request.Decision.values)

# The SAR process before and after the register (version 2), each written
# only when recorded; a file without one keeps what this system has.
# Field -> kind ("enquiry" is the ref of the enquiry the referral came from).
SAR_PROCESS = (
    ("referred_on", "date"),
    ("referred_by", "text"),
    ("referral_reason", "text"),
    ("referred_from_enquiry", "enquiry"),
    ("decision", "code"),
    ("decided_on", "date"),
    ("decision_reasons", "text"),
    ("reviewer", "text"),
)
SAR_DECISIONS = frozenset(SafeguardingAdultsReview.Decision.values)
RECOMMENDATION_STATUSES = frozenset(SarRecommendation.Status.values)


# A large-scale (organisational) enquiry's own fields (version 2), besides
# its provider and linked enquiries. Field -> kind.
ORGANISATIONAL = (
    ("trigger", "text"),
    ("started_on", "date"),
    ("status", "code"),
    ("placements_embargoed", "bool"),
    ("provider_actions", "text"),
    ("provider_contact", "text"),
    ("provider_contacted_on", "date"),
    ("regulator_contact", "text"),
    ("regulator_contacted_on", "date"),
    ("concluded_on", "date"),
    ("findings_summary", "text"),
    ("closed_on", "date"),
)
ORGANISATIONAL_STATUSES = frozenset(OrganisationalEnquiry.Status.values)


# A case about a person in a position of trust (version 2, decision 0026):
# the minimum data, besides its concern, enquiry and employer. Field -> kind.
PIPOT = (
    ("subject_name", "text"),
    ("subject_role", "text"),
    ("subject_kind", "code"),
    ("allegation", "text"),
    ("opened_on", "date"),
    ("employer_notified_on", "date"),
    ("employer_actions", "text"),
    ("status", "code"),
    ("outcome", "code"),
    ("outcome_on", "date"),
    ("outcome_notes", "text"),
    ("closed_at", "moment"),
)
PIPOT_KINDS = frozenset(PipotCase.SubjectKind.values)
PIPOT_STATUSES = frozenset(PipotCase.Status.values)
PIPOT_OUTCOMES = frozenset(PipotCase.Outcome.values)


KNOWN_FIELDS = {
    "person": {
        "record",
        "ref",
        "given_name",
        "family_name",
        "date_of_birth",
        "date_of_death",
        "gender",
        "gender_identity",
        "ethnicity",
        "primary_support_reason",
        "health_conditions",
        "nhs_number",
    },
    "concern": {
        "record",
        "ref",
        "person",
        "received_on",
        "decided_on",
        "views",
        "consent_decisions",
        "in_our_area",
        "referrer_type",
        "summary",
        "involved_agencies",
    },
    "enquiry": {
        "record",
        "ref",
        "concern",
        "views",
        "consent_decisions",
        "kind",
        "kind_at_start",
        "started_on",
        "findings_on",
        "outcome_on",
        "concluded_on",
        "risks",
        "risk_assessment_outcome",
        "risk_result",
        "lacked_capacity",
        "capacity_support",
        "asked_desired_outcomes",
        "desired_outcomes",
        "outcomes_achieved",
        "involved_agencies",
        "partner_requests",
    },
    "organisational_enquiry": {
        "record",
        "ref",
        "organisation",
        "enquiries",
        *(name for name, _ in ORGANISATIONAL),
    },
    "pipot_case": {
        "record",
        "ref",
        "concern",
        "enquiry",
        "employer",
        *(name for name, _ in PIPOT),
    },
    "sar": {
        "record",
        "ref",
        "title",
        "commissioned_on",
        "completed_on",
        "individuals",
        *(name for name, _ in SAR_PROCESS),
    },
    "information_share": {
        "record",
        "ref",
        "concern",
        "enquiry",
        "direction",
        "shared_on",
        "organisation",
        "what",
        "why",
        "lawful_basis",
        "article6",
        "special_condition",
        "consent",
        "override_ground",
        "not_asked_reason",
        "adult_told",
        "adult_told_reason",
        "s45_request",
        "consent_decision",
    },
    "s45_request": {
        "record",
        "ref",
        "concern",
        "enquiry",
        "direction",
        "organisation",
        "requested_on",
        "due_on",
        "what_requested",
        "decision",
        "decided_on",
        "decision_reason",
    },
    "document": {
        "record",
        "ref",
        "person",
        "concern",
        "enquiry",
        "meeting",
        "title",
        "kind",
        "kind_name",
        "document_date",
        "provided_by",
        "sensitivity",
        "sensitivity_reason",
        "adults_own",
        "original_name",
        "content_type",
        "size",
        "sha256",
        "uploaded_at",
        "withdrawn_at",
        "withdrawn_reason",
    },
}

_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def _codes(allowed: frozenset[str]) -> str:
    return ", ".join(sorted(allowed))


# ---------------------------------------------------------------------------
# The report
# ---------------------------------------------------------------------------


@dataclass
class ImportReport:
    """What an import found and did. ``ok`` is False if anything was invalid."""

    errors: list[str] = field(default_factory=list)
    lines: int = 0
    records: Counter = field(default_factory=Counter)
    created: Counter = field(default_factory=Counter)
    updated: Counter = field(default_factory=Counter)
    unchanged: Counter = field(default_factory=Counter)
    ignored_fields: Counter = field(default_factory=Counter)
    dry_run: bool = False
    team: str = ""
    version: int = 1  # the file's format version (its header; none = 1)

    @property
    def ok(self) -> bool:
        return not self.errors

    def summary_lines(self) -> list[str]:
        if not self.ok:
            return [
                f"{len(self.errors)} problem(s) found; nothing was imported.",
                *self.errors,
            ]
        lines = [f"{self.lines} line(s) read."]
        for kind in RECORD_TYPES:
            if self.dry_run:
                lines.append(
                    f"{kind}: {self.created[kind]} to create, "
                    f"{self.updated[kind]} to update, {self.unchanged[kind]} unchanged"
                )
            else:
                lines.append(
                    f"{kind}: {self.created[kind]} created, "
                    f"{self.updated[kind]} updated, {self.unchanged[kind]} unchanged"
                )
        for kind in (*NESTED_TYPES, *interchange_lists.list_names()):
            if self.created[kind] or self.updated[kind] or self.unchanged[kind]:
                verb = "to create" if self.dry_run else "created"
                lines.append(
                    f"{kind}: {self.created[kind]} {verb}, "
                    f"{self.updated[kind]} updated, {self.unchanged[kind]} unchanged"
                )
        if self.ignored_fields:
            listed = ", ".join(
                f"{name} ({count} line{'s' if count != 1 else ''})"
                for name, count in sorted(self.ignored_fields.items())
            )
            lines.append(f"Fields ignored (not part of this system): {listed}")
        if self.team:
            lines.append(f"New records belong to the team: {self.team}")
        if self.dry_run:
            lines.append("Nothing has been changed yet.")
        return lines


class ImportFailed(Exception):
    """Raised inside the write transaction so that it rolls back."""


# ---------------------------------------------------------------------------
# Reading lines
# ---------------------------------------------------------------------------


class _Source:
    """A file that can be read from the start several times, line by line."""

    def __init__(self, path_or_stream, documents=None):
        self._temp: str | None = None
        # Version 2: the documents' files, each named by its sha256, in a
        # folder given by the caller or, by default, ``<file>.documents``.
        self.documents: Path | None = Path(documents) if documents else None
        if isinstance(path_or_stream, str | os.PathLike):
            self.path = Path(path_or_stream)
            beside = self.path.with_name(self.path.name + ".documents")
            if self.documents is None and beside.is_dir():
                self.documents = beside
        else:
            handle, name = tempfile.mkstemp(prefix="msp-import-", suffix=".jsonl")
            with os.fdopen(handle, "wb") as out:
                if hasattr(path_or_stream, "seek"):
                    with contextlib.suppress(OSError, ValueError):
                        path_or_stream.seek(0)
                while chunk := path_or_stream.read(1 << 20):
                    if isinstance(chunk, str):
                        chunk = chunk.encode("utf-8")
                    out.write(chunk)
            self._temp = name
            self.path = Path(name)

    def lines(self) -> Iterator[tuple[int, bytes]]:
        with self.path.open("rb") as stream:
            yield from enumerate(stream, start=1)

    def close(self) -> None:
        if self._temp:
            Path(self._temp).unlink(missing_ok=True)


def _decode(number: int, raw: bytes) -> tuple[dict | None, str | None]:
    """(record, None), (None, None) for a blank line, or (None, error)."""
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        return None, f"line {number}: json: not valid UTF-8 text"
    if number == 1:
        text = text.removeprefix("\ufeff")
    if not text.strip():
        return None, None
    try:
        record = json.loads(text)
    except json.JSONDecodeError as exc:
        return None, f"line {number}: json: not valid JSON ({exc.msg})"
    if not isinstance(record, dict):
        return None, f"line {number}: json: each line must be a JSON object"
    return record, None


# ---------------------------------------------------------------------------
# Validation of one record
# ---------------------------------------------------------------------------


class _Checker:
    def __init__(self, number: int, record: dict, errors: list[str]):
        self.number = number
        self.record = record
        self.errors = errors

    def error(self, name: str, message: str) -> None:
        self.errors.append(f"line {self.number}: {name}: {message}")

    def text(self, name: str, *, required: bool = False, max_length: int = 0):
        value = self.record.get(name)
        if value is None:
            if required:
                self.error(name, "is required")
            return None
        if not isinstance(value, str):
            self.error(name, "must be a string")
            return None
        if required and not value.strip():
            self.error(name, "is required")
            return None
        if max_length and len(value) > max_length:
            self.error(name, f"must be {max_length} characters or fewer")
            return None
        return value

    def date(self, name: str, *, required: bool = False, value: Any = ...):
        if value is ...:
            value = self.record.get(name)
        if value is None:
            if required:
                self.error(name, "is required (YYYY-MM-DD)")
            return None
        if not isinstance(value, str) or not _DATE.fullmatch(value):
            self.error(name, f"must be a date written YYYY-MM-DD, got {value!r}")
            return None
        try:
            return datetime.date.fromisoformat(value)
        except ValueError:
            self.error(name, f"is not a real date: {value!r}")
            return None

    def moment(self, name: str, *, value: Any = ...):
        """An optional date and time with its UTC offset (ISO 8601)."""
        if value is ...:
            value = self.record.get(name)
        if value is None:
            return None
        moment = _moment_of(value) if isinstance(value, str) else None
        if moment is None:
            self.error(
                name,
                "must be a date and time with its offset, like "
                f"2025-05-06T14:30:00+01:00, got {value!r}",
            )
        return moment

    def code(self, name: str, allowed: frozenset[str], *, required=False, value=...):
        if value is ...:
            value = self.record.get(name)
        if value is None:
            if required:
                self.error(name, f"is required (one of: {_codes(allowed)})")
            return None
        if value not in allowed:
            self.error(
                name, f"unknown code {value!r} (expected one of: {_codes(allowed)})"
            )
            return None
        return value

    def boolean(self, name: str, *, value: Any = ...):
        if value is ...:
            value = self.record.get(name)
        if value is None or isinstance(value, bool):
            return value
        self.error(name, "must be true, false or null")
        return None

    def items(self, name: str) -> list:
        value = self.record.get(name)
        if value is None:
            return []
        if not isinstance(value, list):
            self.error(name, "must be a list")
            return []
        return value


def _check_person(check: _Checker) -> None:
    check.text("given_name", required=True, max_length=100)
    check.text("family_name", required=True, max_length=100)
    born = check.date("date_of_birth")
    died = check.date("date_of_death")
    today = datetime.date.today()
    if born and born > today:
        check.error("date_of_birth", "must be in the past")
    if born and died and died < born:
        check.error("date_of_death", "must be on or after date_of_birth")
    check.code("gender", GENDERS)
    check.text("gender_identity", max_length=200)
    check.code("ethnicity", ETHNICITIES)
    check.code("primary_support_reason", SUPPORT_REASONS)
    for index, value in enumerate(check.items("health_conditions")):
        if not isinstance(value, str) or not value.strip():
            check.error(f"health_conditions[{index}]", "must be a code (a string)")
    nhs = check.text("nhs_number", max_length=12)
    if nhs:
        try:
            validate_nhs_number(nhs)
        except ValidationError as exc:
            check.error("nhs_number", exc.messages[0])


def _check_concern(check: _Checker) -> None:
    received = check.date("received_on", required=True)
    if received and received > datetime.date.today():
        check.error("received_on", "must be today or in the past")
    decided = check.date("decided_on")
    if decided and decided > datetime.date.today():
        check.error("decided_on", "must be today or in the past")
    elif decided and received and decided < received:
        check.error("decided_on", "must be on or after received_on")
    check.boolean("in_our_area")
    check.code("referrer_type", REFERRER_TYPES)
    check.text("summary")
    _check_voice(check)
    _check_agencies(check)


VIEW_STAGES = frozenset(codes.Stage.values)
VIEW_SOURCES = frozenset(codes.ViewSource.values)
NOT_OBTAINED = frozenset(codes.ViewNotObtainedReason.values)
CONSENT_QUESTIONS = frozenset(ConsentDecision.Question.values)
CONSENT_ANSWERS = frozenset(ConsentDecision.Answer.values)
CONSENT_GROUNDS = frozenset(ConsentDecision.OverrideGround.values)


def _check_voice(check: _Checker) -> None:
    """The adult's views and consent decisions on a concern or an enquiry,
    each with the day it happened and, optionally, when it was typed in."""
    today = datetime.date.today()
    for index, item in enumerate(check.items("views")):
        where = f"views[{index}]"
        if not isinstance(item, dict):
            check.error(where, "must be an object with stage, source and given_on")
            continue
        check.code(
            f"{where}.stage", VIEW_STAGES, value=item.get("stage"), required=True
        )
        source = check.code(
            f"{where}.source", VIEW_SOURCES, value=item.get("source"), required=True
        )
        reason = check.code(
            f"{where}.not_obtained_reason",
            NOT_OBTAINED,
            value=item.get("not_obtained_reason"),
        )
        if source == codes.ViewSource.NOT_OBTAINED and not reason:
            check.error(f"{where}.not_obtained_reason", "is required when not_obtained")
        text = item.get("text")
        if text is not None and not isinstance(text, str):
            check.error(f"{where}.text", "must be a string")
        if item.get("own_words") not in (None, True, False):
            check.error(f"{where}.own_words", "must be true or false")
        given = check.date(f"{where}.given_on", value=item.get("given_on"))
        if given and given > today:
            check.error(f"{where}.given_on", "must be today or in the past")
        check.moment(f"{where}.recorded_at", value=item.get("recorded_at"))
        # The entries this one corrected (version 2): their shape is the
        # schema's; their days and times are checked as real ones here.
        older = item.get("replaces")
        while isinstance(older, dict):
            where += ".replaces"
            given = check.date(f"{where}.given_on", value=older.get("given_on"))
            if given and given > today:
                check.error(f"{where}.given_on", "must be today or in the past")
            check.moment(f"{where}.recorded_at", value=older.get("recorded_at"))
            older = older.get("replaces")
    for index, item in enumerate(check.items("consent_decisions")):
        where = f"consent_decisions[{index}]"
        if not isinstance(item, dict):
            check.error(where, "must be an object with question, answer, decided_on")
            continue
        check.code(
            f"{where}.question",
            CONSENT_QUESTIONS,
            value=item.get("question"),
            required=True,
        )
        check.code(
            f"{where}.answer", CONSENT_ANSWERS, value=item.get("answer"), required=True
        )
        grounds = item.get("override_grounds") or []
        if not isinstance(grounds, list) or not set(grounds) <= CONSENT_GROUNDS:
            check.error(
                f"{where}.override_grounds",
                f"must be a list of {_codes(CONSENT_GROUNDS)}",
            )
        for name in ("overridden", "adult_informed_of_override"):
            if item.get(name) not in (None, True, False):
                check.error(f"{where}.{name}", "must be true, false or null")
        for name in ("agency", "not_asked_reason", "override_reason"):
            if item.get(name) is not None and not isinstance(item.get(name), str):
                check.error(f"{where}.{name}", "must be a string")
        decided = check.date(f"{where}.decided_on", value=item.get("decided_on"))
        if decided and decided > today:
            check.error(f"{where}.decided_on", "must be today or in the past")
        check.moment(f"{where}.recorded_at", value=item.get("recorded_at"))


def _check_organisation(check: _Checker, where: str, organisation: Any) -> None:
    """An organisation given by name, optional postcode and optional kind."""
    if not isinstance(organisation, dict):
        check.error(where, "is required (an object with name and postcode)")
        return
    name = organisation.get("name")
    if not isinstance(name, str) or not name.strip():
        check.error(f"{where}.name", "is required")
    elif len(name) > 200:
        check.error(f"{where}.name", "must be 200 characters or fewer")
    postcode = organisation.get("postcode")
    if postcode is not None and (not isinstance(postcode, str) or len(postcode) > 10):
        check.error(f"{where}.postcode", "must be a string of 10 characters or fewer")
    check.code(f"{where}.kind", ORGANISATION_KINDS, value=organisation.get("kind"))


def _item_text(check: _Checker, where: str, item: dict, name: str, *, required=False):
    value = item.get(name)
    if value is None or (isinstance(value, str) and not value.strip()):
        if required:
            check.error(f"{where}.{name}", "is required")
        return None
    if not isinstance(value, str):
        check.error(f"{where}.{name}", "must be a string")
        return None
    return value


def _check_agencies(check: _Checker) -> None:
    """Involved agencies on a concern (before an enquiry) or an enquiry."""
    for index, item in enumerate(check.items("involved_agencies")):
        where = f"involved_agencies[{index}]"
        if not isinstance(item, dict):
            check.error(where, "must be an object with organisation and role")
            continue
        _check_organisation(check, f"{where}.organisation", item.get("organisation"))
        role = check.code(
            f"{where}.role", AGENCY_ROLES, value=item.get("role"), required=True
        )
        detail = _item_text(check, where, item, "role_detail")
        if role == partner_models.InvolvedAgency.Role.OTHER and not detail:
            check.error(f"{where}.role_detail", "Describe the agency's role")
        for name in ("named_contact", "contact_job_title", "contact_details"):
            _item_text(check, where, item, name)
        check.date(f"{where}.involved_from", value=item.get("involved_from"))


def _check_requests(check: _Checker) -> None:
    """Requests to partners (caused enquiries) on an enquiry."""
    today = datetime.date.today()
    for index, item in enumerate(check.items("partner_requests")):
        where = f"partner_requests[{index}]"
        if not isinstance(item, dict):
            check.error(where, "must be an object with organisation, scope and dates")
            continue
        _check_organisation(check, f"{where}.organisation", item.get("organisation"))
        _item_text(check, where, item, "scope", required=True)
        asked = check.date(
            f"{where}.requested_on", value=item.get("requested_on"), required=True
        )
        if asked and asked > today:
            check.error(f"{where}.requested_on", "must be today or in the past")
        due = check.date(f"{where}.due_on", value=item.get("due_on"), required=True)
        if due and asked and due < asked:
            check.error(f"{where}.due_on", "must be on or after requested_on")
        days = item.get("working_days")
        if days is not None and (
            not isinstance(days, int) or isinstance(days, bool) or not 1 <= days <= 365
        ):
            check.error(f"{where}.working_days", "must be a whole number from 1 to 365")
        answered = item.get("report_received_on")
        for name in ("report_received_on", "chased_on", "closed_on"):
            day = check.date(f"{where}.{name}", value=item.get(name))
            if day and day > today:
                check.error(f"{where}.{name}", "must be today or in the past")
            elif day and asked and day < asked:
                check.error(f"{where}.{name}", "must be on or after requested_on")
        check.boolean(f"{where}.council_satisfied", value=item.get("council_satisfied"))
        count = item.get("chase_count", 0)
        if not isinstance(count, int) or isinstance(count, bool) or count < 0:
            check.error(f"{where}.chase_count", "must be a whole number, 0 or more")
        for name in ("response_summary", "close_note", "open_at_closure_reason"):
            _item_text(check, where, item, name)
        if (
            item.get("closed_on")
            and not answered
            and not _item_text(check, where, item, "close_note")
        ):
            check.error(
                f"{where}.close_note",
                "Enter why the request is closed without a response",
            )


def _check_enquiry(check: _Checker) -> None:
    _check_voice(check)
    _check_agencies(check)
    _check_requests(check)
    kind = check.code("kind", ENQUIRY_KINDS, required=True)
    check.code("kind_at_start", ENQUIRY_KINDS)
    started = check.date("started_on", required=True)
    concluded = check.date("concluded_on")
    if started and concluded and concluded < started:
        check.error("concluded_on", "must be on or after started_on")
    for name in ("findings_on", "outcome_on"):
        day = check.date(name)
        if day and day > datetime.date.today():
            check.error(name, "must be today or in the past")
        elif day and started and day < started:
            check.error(name, "must be on or after started_on")
        elif day and concluded and day > concluded:
            check.error(name, "must be on or before concluded_on")
    del kind
    for index, risk in enumerate(check.items("risks")):
        where = f"risks[{index}]"
        if not isinstance(risk, dict):
            check.error(where, "must be an object with type, location and source")
            continue
        check.code(f"{where}.type", RISK_TYPES, value=risk.get("type"))
        check.code(f"{where}.location", RISK_LOCATIONS, value=risk.get("location"))
        check.code(f"{where}.source", RISK_SOURCES, value=risk.get("source"))
        _check_place(check, where, risk)
        if risk.get("organisation") is not None:
            _check_organisation(check, f"{where}.organisation", risk["organisation"])
    outcome = check.code("risk_assessment_outcome", RISK_OUTCOMES)
    result = check.code("risk_result", RISK_RESULTS)
    if result and outcome not in RISK_IDENTIFIED:
        check.error(
            "risk_result",
            "only allowed with risk_assessment_outcome "
            "risk_identified_action or risk_identified_no_action",
        )
    check.code("lacked_capacity", YES_NO_DONT_KNOW)
    check.boolean("capacity_support")
    check.code("asked_desired_outcomes", YES_NO_DONT_KNOW)
    for index, outcome_item in enumerate(check.items("desired_outcomes")):
        where = f"desired_outcomes[{index}]"
        if not isinstance(outcome_item, dict):
            check.error(where, "must be an object with text and achieved")
            continue
        text = outcome_item.get("text")
        if not isinstance(text, str) or not text.strip():
            check.error(f"{where}.text", "is required (the person's own words)")
        check.code(f"{where}.achieved", ACHIEVED, value=outcome_item.get("achieved"))
        evaluated = check.date(
            f"{where}.evaluated_on", value=outcome_item.get("evaluated_on")
        )
        if evaluated and evaluated > datetime.date.today():
            check.error(f"{where}.evaluated_on", "must be today or in the past")
        check.moment(f"{where}.recorded_at", value=outcome_item.get("recorded_at"))
    check.code("outcomes_achieved", ACHIEVED)


def _check_place(check: _Checker, where: str, risk: dict) -> None:
    """A risk's optional place: a UK postcode, never with the adult's own
    home (as on the risk form); its name is free text."""
    postcode = risk.get("place_postcode")
    if postcode is not None and not isinstance(postcode, str):
        check.error(f"{where}.place_postcode", "must be text or null")
        return
    try:
        postcode = normalise_uk_postcode(postcode or "")
    except ValidationError:
        check.error(f"{where}.place_postcode", "must be a UK postcode, like NE1 4ST")
        return
    if postcode and risk.get("location") == codes.RiskLocation.OWN_HOME:
        check.error(f"{where}.place_postcode", "not allowed with location own_home")
    name = risk.get("place_name")
    if name is not None and not (isinstance(name, str) and len(name) <= 200):
        check.error(f"{where}.place_name", "must be text of at most 200 characters")


def _check_sar(check: _Checker) -> None:
    check.text("title", max_length=200)
    commissioned = check.date("commissioned_on")
    completed = check.date("completed_on")
    _check_sar_process(check, commissioned, completed)
    for index, individual in enumerate(check.items("individuals")):
        where = f"individuals[{index}]"
        if not isinstance(individual, dict):
            check.error(where, "must be an object with person and died")
            continue
        person = individual.get("person")
        if person is not None and not isinstance(person, str):
            check.error(f"{where}.person", "must be a person ref or null")
        died = individual.get("died")
        if not isinstance(died, bool):
            check.error(f"{where}.died", "must be true or false")


def _check_sar_process(check: _Checker, commissioned, completed) -> None:
    """The referral, the board's s44 decision and the recommendations, with
    the rules the SAR pages apply (``outcomes.sar``)."""
    today = datetime.date.today()
    for name in ("referred_by", "reviewer"):
        check.text(name, max_length=200)
    for name in ("referral_reason", "decision_reasons"):
        check.text(name)
    referred = check.date("referred_on")
    decided = check.date("decided_on")
    for name, day in (("referred_on", referred), ("decided_on", decided)):
        if day and day > today:
            check.error(name, "must be today or in the past")
    decision = check.code("decision", SAR_DECISIONS)
    link = check.record.get("referred_from_enquiry")
    if link is not None and (not isinstance(link, str) or not link):
        check.error("referred_from_enquiry", "must be an enquiry ref or null")
    if decision and not decided:
        check.error("decided_on", "is required with a decision")
    if decided and not decision:
        check.error("decision", "is required with decided_on")
    if decision and not (check.record.get("decision_reasons") or "").strip():
        check.error("decision_reasons", "is required with a decision")
    if referred and decided and decided < referred:
        check.error("decided_on", "must not be before referred_on")
    if decision == "not_met" and commissioned:
        check.error(
            "commissioned_on",
            "not allowed: the board decided the criteria were not met",
        )
    if decided and commissioned and commissioned < decided:
        check.error("commissioned_on", "must not be before decided_on")
    if commissioned and completed and completed < commissioned:
        check.error("completed_on", "must not be before commissioned_on")
    for index, item in enumerate(check.items("recommendations")):
        if not isinstance(item, dict):
            continue  # the schema says what an item must be
        where = f"recommendations[{index}]"
        status = check.code(
            f"{where}.status", RECOMMENDATION_STATUSES, value=item.get("status")
        )
        done = item.get("done_on")
        if status == "done" and done is None:
            check.error(f"{where}.done_on", "is required when the status is done")
        elif status != "done" and done is not None:
            check.error(f"{where}.done_on", "allowed only when the status is done")
        if isinstance(done, str) and commissioned and done < commissioned.isoformat():
            check.error(f"{where}.done_on", "must not be before commissioned_on")


def _check_organisational(check: _Checker) -> None:
    """A large-scale enquiry: the rules of its pages (``services.organisational``)."""
    today = datetime.date.today()
    _check_organisation(check, "organisation", check.record.get("organisation"))
    check.text("trigger", required=True)
    for name in ("provider_actions", "provider_contact", "regulator_contact"):
        check.text(name)
    check.text("findings_summary")
    check.boolean("placements_embargoed")
    status = check.code("status", ORGANISATIONAL_STATUSES)
    days = {}
    for name, kind in ORGANISATIONAL:
        if kind == "date":
            days[name] = check.date(name, required=name == "started_on")
            if days[name] and days[name] > today:
                check.error(name, "must be today or in the past")
    started, concluded, closed = (
        days["started_on"],
        days["concluded_on"],
        days["closed_on"],
    )
    if started and concluded and concluded < started:
        check.error("concluded_on", "must be on or after started_on")
    if closed and not concluded:
        check.error("concluded_on", "is required when it is closed")
    elif closed and closed < concluded:
        check.error("closed_on", "must be on or after concluded_on")
    if status == "closed" and not closed:
        check.error("closed_on", "is required when the status is closed")
    if status == "concluded" and not concluded:
        check.error("concluded_on", "is required when the status is concluded")
    if status == "open" and (concluded or closed):
        check.error("status", "must be concluded or closed once concluded_on is set")
    links = check.items("enquiries")
    for index, ref in enumerate(links):
        if not isinstance(ref, str) or not ref:
            check.error(f"enquiries[{index}]", "must be an enquiry ref")
        elif ref in links[:index]:
            check.error(f"enquiries[{index}]", f"enquiry {ref!r} is listed twice")
    for index, item in enumerate(check.items("actions")):
        if isinstance(item, dict) and item.get("status") == "open" and closed:
            check.error(
                f"actions[{index}].status",
                "no action may be open once the enquiry is closed",
            )


def _check_pipot(check: _Checker) -> None:
    """A PiPoT case: the rules of ``PipotCase.clean()`` that need no other
    record (the enquiry's concern is checked when writing)."""
    today = datetime.date.today()
    _check_organisation(check, "employer", check.record.get("employer"))
    check.text("subject_name", required=True, max_length=200)
    check.text("subject_role", required=True, max_length=200)
    check.code("subject_kind", PIPOT_KINDS, required=True)
    check.text("allegation", required=True)
    for name in ("employer_actions", "outcome_notes"):
        check.text(name)
    status = check.code("status", PIPOT_STATUSES)
    outcome = check.code("outcome", PIPOT_OUTCOMES)
    opened = check.date("opened_on", required=True)
    days = {"opened_on": opened}
    for name in ("employer_notified_on", "outcome_on"):
        days[name] = check.date(name)
    for name, day in days.items():
        if day and day > today:
            check.error(name, "must be today or in the past")
    closed_at = check.moment("closed_at")
    enquiry = check.record.get("enquiry")
    if enquiry is not None and (not isinstance(enquiry, str) or not enquiry):
        check.error("enquiry", "must be an enquiry ref or null")
    if status == "closed" and not outcome:
        check.error("outcome", "is required when the case is closed")
    if (status == "closed") != bool(closed_at) and status is not None:
        check.error("closed_at", "is given when, and only when, the case is closed")
    if outcome and not days["outcome_on"]:
        check.error("outcome_on", "is required with an outcome")
    if opened and days["outcome_on"] and days["outcome_on"] < opened:
        check.error("outcome_on", "must be on or after opened_on")


def _check_share(check: _Checker) -> None:
    check.code("direction", SHARE_DIRECTIONS, required=True)
    check.date("shared_on", required=True)
    _check_organisation(check, "organisation", check.record.get("organisation"))
    check.text("what", required=True)
    check.text("why", required=True)
    values = {
        "lawful_basis": check.code("lawful_basis", LAWFUL_BASES, required=True),
        "article6": check.code("article6", ARTICLE6, required=True),
        "special_condition": check.code(
            "special_condition", SPECIAL_CONDITIONS, required=True
        ),
        "consent": check.code("consent", SHARE_CONSENT, required=True),
        "override_ground": check.code("override_ground", OVERRIDE_GROUNDS),
        "not_asked_reason": check.text("not_asked_reason"),
        "adult_told": check.code("adult_told", ADULT_TOLD, required=True),
        "adult_told_reason": check.text("adult_told_reason"),
    }
    s45 = check.record.get("s45_request")
    if s45 is not None and (not isinstance(s45, str) or not s45):
        check.error("s45_request", "must be an s45_request ref or null")
    if values["consent"] and values["lawful_basis"] and values["adult_told"]:
        # The same rules as a share typed in the app. A file written before
        # the link to the s45 request was carried has no "s45_request" field:
        # it still imports; a file that has the field must fill it in.
        for name, message in partner_models.problems(
            **{k: v or "" for k, v in values.items()},
            has_s45=bool(s45) or "s45_request" not in check.record,
        ).items():
            check.error(name, message)
    decision = check.record.get("consent_decision")
    if decision is not None:
        if not isinstance(decision, dict):
            check.error(
                "consent_decision", "must be an object with question and decided_on"
            )
        else:
            check.code(
                "consent_decision.question",
                CONSENT_QUESTIONS,
                value=decision.get("question"),
                required=True,
            )
            check.date("consent_decision.decided_on", value=decision.get("decided_on"))
            check.moment(
                "consent_decision.recorded_at", value=decision.get("recorded_at")
            )
    enquiry = check.record.get("enquiry")
    if enquiry is not None and (not isinstance(enquiry, str) or not enquiry):
        check.error("enquiry", "must be an enquiry ref or null")


def _check_s45(check: _Checker) -> None:
    today = datetime.date.today()
    check.code("direction", S45_DIRECTIONS, required=True)
    _check_organisation(check, "organisation", check.record.get("organisation"))
    asked = check.date("requested_on", required=True)
    if asked and asked > today:
        check.error("requested_on", "must be today or in the past")
    due = check.date("due_on", required=True)
    if due and asked and due < asked:
        check.error(
            "due_on", "The deadline must be on or after the date of the request"
        )
    check.text("what_requested", required=True)
    decision = check.code("decision", S45_DECISIONS) or "pending"
    decided = check.date("decided_on")
    reason = check.text("decision_reason")
    if decision != "pending":
        if not decided:
            check.error("decided_on", "Enter the date of the decision")
        elif asked and decided < asked:
            check.error(
                "decided_on", "The decision must be on or after the date of the request"
            )
        elif decided > today:
            check.error("decided_on", "must be today or in the past")
        if decision in ("part", "decline") and not (reason or "").strip():
            check.error(
                "decision_reason",
                "Enter why the request was declined or met only in part",
            )
    elif decided:
        check.error("decision", "Select the decision made on that date")
    enquiry = check.record.get("enquiry")
    if enquiry is not None and (not isinstance(enquiry, str) or not enquiry):
        check.error("enquiry", "must be an enquiry ref or null")


def _check_document(check: _Checker) -> None:
    """A document's details; its file is checked by :func:`_check_document_file`."""
    day = check.date("document_date", required=True)
    if day and day > datetime.date.today():
        check.error("document_date", "must be today or in the past")
    sensitivity = check.code("sensitivity", DOCUMENT_SHARING, required=True)
    reason = check.text("sensitivity_reason")
    if sensitivity and sensitivity != "yes" and not (reason or "").strip():
        check.error("sensitivity_reason", "Say why it may not be shared, or who to ask")
    withdrawn = check.moment("withdrawn_at")
    if withdrawn and not (check.text("withdrawn_reason") or "").strip():
        check.error("withdrawn_reason", "is required when withdrawn_at is given")
    check.moment("uploaded_at")
    meeting = check.record.get("meeting")
    if isinstance(meeting, dict):
        check.date("meeting.held_on", value=meeting.get("held_on"))
        if not check.record.get("enquiry"):
            check.error("meeting", "needs the enquiry the meeting belongs to")


def _check_document_file(check: _Checker, folder: Path | None) -> None:
    """The file is in the documents folder, named by its sha256, and its
    content has that checksum and the size given."""
    sha = check.record.get("sha256")
    size = check.record.get("size")
    if not isinstance(sha, str) or not _SHA256.fullmatch(sha):
        return  # reported by the schema
    if folder is None:
        check.error(
            "sha256",
            "no documents folder: give the folder of files with the file "
            "(<file>.documents beside it, or --documents)",
        )
        return
    path = folder / sha
    if not path.is_file():
        check.error("sha256", f"no file {sha} in the documents folder")
        return
    digest, length = _file_digest(path)
    if digest != sha:
        check.error("sha256", f"the file {sha} does not match its checksum")
    elif isinstance(size, int) and length != size:
        check.error("size", f"the file is {length} bytes, not {size}")


def _file_digest(path: Path) -> tuple[str, int]:
    sha = hashlib.sha256()
    length = 0
    with path.open("rb") as stream:
        while chunk := stream.read(1 << 20):
            sha.update(chunk)
            length += len(chunk)
    return sha.hexdigest(), length


def _check_header(number: int, record: dict, report: ImportReport, seen: bool):
    """The optional first line of a version 2 file, naming its version."""
    before = len(report.errors)
    for name, message in interchange_schemas.problems("header", record):
        report.errors.append(f"line {number}: {name}: {message}")
    if seen:
        report.errors.append(
            f"line {number}: record: the header must be the first line of the file"
        )
    if len(report.errors) == before:
        report.version = record["version"]


def _check_lists(check: _Checker, kind: str) -> None:
    """The dates and times in the history lists of a person or an enquiry
    (their shape is the schema's); an event's day not in the future."""
    today = datetime.date.today()
    for spec in interchange_lists.lists_of(kind):
        items = check.record.get(spec.name)
        if not isinstance(items, list):
            continue
        for index, item in enumerate(items):
            if not isinstance(item, dict):
                continue
            where = f"{spec.name}[{index}]"
            for field_spec in spec.items:
                name = f"{where}.{field_spec.name}"
                value = item.get(field_spec.name)
                if field_spec.kind == "date" and isinstance(value, str):
                    day = check.date(name, value=value)
                    if day and field_spec.past and day > today:
                        check.error(name, "must be today or in the past")
                elif field_spec.kind == "moment" and isinstance(value, str):
                    check.moment(name, value=value)
            if isinstance(item.get("recorded_at"), str):
                check.moment(f"{where}.recorded_at", value=item["recorded_at"])
            if spec.agencies:
                for number, agency in enumerate(item.get("agencies") or []):
                    if isinstance(agency, dict):
                        _check_organisation(
                            check,
                            f"{where}.agencies[{number}].organisation",
                            agency.get("organisation"),
                        )
                        check.date(
                            f"{where}.agencies[{number}].involved_from",
                            value=agency.get("involved_from"),
                        )


def _check_schema(check: _Checker, kind: str, start: int) -> None:
    """Add what the published JSON Schema finds on this line, except on
    fields the checks above already reported (their words are kept)."""
    reported = [
        message.split(": ", 2)[1] for message in check.errors[start:] if ": " in message
    ]
    for name, message in interchange_schemas.problems(kind, check.record):
        if any(
            name == done or name.startswith((done + ".", done + "["))
            for done in reported
        ):
            continue
        check.error(name, message)
        reported.append(name)


_SHA256 = re.compile(r"[0-9a-f]{64}")
DOCUMENT_SHARING = frozenset(Document.Sharing.values)

_CHECKS: dict[str, Callable[[_Checker], None]] = {
    "person": _check_person,
    "concern": _check_concern,
    "enquiry": _check_enquiry,
    "sar": _check_sar,
    "organisational_enquiry": _check_organisational,
    "pipot_case": _check_pipot,
    "information_share": _check_share,
    "s45_request": _check_s45,
    "document": _check_document,
}

# (record type, field) -> record type the field refers to.
_REFERENCES = {
    ("concern", "person"): "person",
    ("enquiry", "concern"): "concern",
    ("information_share", "concern"): "concern",
    ("s45_request", "concern"): "concern",
    ("pipot_case", "concern"): "concern",
    ("document", "person"): "person",
}


# ---------------------------------------------------------------------------
# Matching refs to database rows
# ---------------------------------------------------------------------------

_MODELS = {
    "person": Person,
    "concern": Concern,
    "enquiry": Enquiry,
    "sar": SafeguardingAdultsReview,
    "organisational_enquiry": OrganisationalEnquiry,
    "pipot_case": PipotCase,
    "information_share": InformationShare,
    "s45_request": partner_models.S45Request,
}


def _as_uuid(ref: str) -> uuid.UUID | None:
    try:
        return uuid.UUID(ref)
    except (ValueError, AttributeError, TypeError):
        return None


def _match(model, refs: set[str]) -> Q:
    """Rows whose ref is ``source_ref`` or, for app-made records, the UUID."""
    uuids = [u for u in (_as_uuid(ref) for ref in refs) if u is not None]
    condition = Q(source_ref__any_of=refs)
    if uuids:
        condition |= Q(source_ref__isnull=True, reference__any_of=uuids)
    return condition


def _ref_of(source_ref: str | None, reference: uuid.UUID) -> str:
    return source_ref or str(reference)


def _existing(model, refs: set[str], *fields: str) -> dict[str, Any]:
    """ref -> model instance (or a values() dict when ``fields`` are given)."""
    if not refs:
        return {}
    found: dict[str, Any] = {}
    rows = model.objects.filter(_match(model, refs))
    if fields:
        rows = rows.values("pk", "source_ref", "reference", *fields)
        for row in rows:
            found[_ref_of(row["source_ref"], row["reference"])] = row
    else:
        for row in rows:
            found[_ref_of(row.source_ref, row.reference)] = row
    return found


# ---------------------------------------------------------------------------
# Import
# ---------------------------------------------------------------------------


def _progress(stderr, message: str) -> None:
    if stderr is not None:
        stderr.write(message + "\n")
        if hasattr(stderr, "flush"):
            stderr.flush()


class _RefIndex:
    """Every ref the file defines, and every reference it makes, kept in a
    temporary SQLite file rather than in memory, so checking a file of any
    length uses the same memory (SQLite's page cache is bounded)."""

    def __init__(self) -> None:
        handle, self.path = tempfile.mkstemp(prefix="msp-import-refs-", suffix=".db")
        os.close(handle)
        self.db = sqlite3.connect(self.path)
        self.db.executescript(
            """
            PRAGMA journal_mode = OFF;
            PRAGMA synchronous = OFF;
            CREATE TABLE seen (kind TEXT, ref TEXT, line INTEGER,
                               PRIMARY KEY (kind, ref)) WITHOUT ROWID;
            CREATE TABLE uses (kind TEXT, ref TEXT, line INTEGER, field TEXT);
            CREATE TABLE missing (kind TEXT, ref TEXT, PRIMARY KEY (kind, ref))
                WITHOUT ROWID;
            """
        )
        self._uses: list[tuple[str, str, int, str]] = []

    def define(self, kind: str, ref: str, line: int) -> int | None:
        """Record ``ref``; if the file already defined it, the first line."""
        added = self.db.execute(
            "INSERT OR IGNORE INTO seen VALUES (?, ?, ?)", (kind, ref, line)
        ).rowcount
        if added:
            return None
        return self.db.execute(
            "SELECT line FROM seen WHERE kind = ? AND ref = ?", (kind, ref)
        ).fetchone()[0]

    def use(self, kind: str, ref: str, line: int, field_name: str) -> None:
        self._uses.append((kind, ref, line, field_name))
        if len(self._uses) >= BATCH_SIZE * 5:
            self._flush()

    def _flush(self) -> None:
        self.db.executemany("INSERT INTO uses VALUES (?, ?, ?, ?)", self._uses)
        self._uses.clear()

    def dangling(self) -> Iterator[tuple[int, str, str, str]]:
        """(line, field, kind, ref) for references found neither in the file
        nor in the database, in line order."""
        self._flush()
        self.db.execute("CREATE INDEX uses_ref ON uses (kind, ref)")
        unresolved = self.db.execute(
            "SELECT DISTINCT kind, ref FROM uses u WHERE NOT EXISTS "
            "(SELECT 1 FROM seen s WHERE s.kind = u.kind AND s.ref = u.ref) "
            "ORDER BY kind"
        )
        while rows := unresolved.fetchmany(BATCH_SIZE):
            by_kind: dict[str, set[str]] = defaultdict(set)
            for kind, ref in rows:
                by_kind[kind].add(ref)
            for kind, refs in by_kind.items():
                missing = refs - set(_existing(_MODELS[kind], refs, "pk"))
                self.db.executemany(
                    "INSERT INTO missing VALUES (?, ?)", [(kind, r) for r in missing]
                )
        yield from self.db.execute(
            "SELECT u.line, u.field, u.kind, u.ref FROM uses u "
            "JOIN missing m ON m.kind = u.kind AND m.ref = u.ref "
            "ORDER BY u.line, u.field"
        )

    def close(self) -> None:
        self.db.close()
        Path(self.path).unlink(missing_ok=True)


def _validate(source: _Source, report: ImportReport, stderr, progress=None) -> None:
    refs = _RefIndex()
    try:
        _check_lines(source, report, stderr, refs, progress)
        # References to records neither earlier nor later in the file must
        # be in the database already.
        report.errors.extend(
            f"line {number}: {name}: no {kind} with ref {ref!r}"
            for number, name, kind, ref in refs.dangling()
        )
    finally:
        refs.close()
    report.errors.sort(key=_line_of)


def _check_lines(
    source: _Source, report: ImportReport, stderr, refs: _RefIndex, progress=None
):
    errors = report.errors
    seen_record = False
    for number, raw in source.lines():
        report.lines = number
        if number % PROGRESS_EVERY == 0:
            _progress(stderr, f"Checked {number:,} lines")
            if progress is not None:
                progress("checking", number, None)
        record, problem = _decode(number, raw)
        if problem:
            errors.append(problem)
            continue
        if record is None:
            continue
        kind = record.get("record")
        if kind == "header":
            _check_header(number, record, report, seen_record)
            continue
        seen_record = True
        if kind not in RECORD_TYPES:
            errors.append(
                f"line {number}: record: unknown record type {kind!r} "
                "(expected person, concern, enquiry, sar, s45_request, "
                "information_share, organisational_enquiry, pipot_case or document)"
            )
            continue
        report.records[kind] += 1
        start = len(errors)
        check = _Checker(number, record, errors)
        ref = record.get("ref")
        if not isinstance(ref, str) or not ref.strip():
            check.error("ref", "is required (a non-empty string)")
        elif len(ref) > MAX_REF_LENGTH:
            check.error("ref", f"must be {MAX_REF_LENGTH} characters or fewer")
        elif (first := refs.define(kind, ref, number)) is not None:
            check.error(
                "ref", f"duplicate {kind} ref {ref!r} (first used on line {first})"
            )
        known = KNOWN_FIELDS[kind] | {s.name for s in interchange_lists.lists_of(kind)}
        for name in record.keys() - known:
            report.ignored_fields[f"{kind}.{name}"] += 1
        _CHECKS[kind](check)
        for (source_kind, name), target in _REFERENCES.items():
            if source_kind != kind:
                continue
            target_ref = record.get(name)
            if not isinstance(target_ref, str) or not target_ref:
                check.error(name, f"is required (a {target} ref)")
            else:
                refs.use(target, target_ref, number, name)
        if kind == "sar":
            for index, individual in enumerate(record.get("individuals") or []):
                if isinstance(individual, dict):
                    person_ref = individual.get("person")
                    if isinstance(person_ref, str):
                        refs.use(
                            "person", person_ref, number, f"individuals[{index}].person"
                        )
            link = record.get("referred_from_enquiry")
            if isinstance(link, str) and link:
                refs.use("enquiry", link, number, "referred_from_enquiry")
        if kind == "organisational_enquiry":
            for index, link in enumerate(record.get("enquiries") or []):
                if isinstance(link, str) and link:
                    refs.use("enquiry", link, number, f"enquiries[{index}]")
        if kind in ("information_share", "s45_request", "pipot_case"):
            enquiry_ref = record.get("enquiry")
            if isinstance(enquiry_ref, str) and enquiry_ref:
                refs.use("enquiry", enquiry_ref, number, "enquiry")
        if kind == "information_share":
            s45_ref = record.get("s45_request")
            if isinstance(s45_ref, str) and s45_ref:
                refs.use("s45_request", s45_ref, number, "s45_request")
        if kind == "document":
            _check_document_file(check, source.documents)
            for name in ("concern", "enquiry"):
                target_ref = record.get(name)
                if isinstance(target_ref, str) and target_ref:
                    refs.use(name, target_ref, number, name)
        _check_lists(check, kind)
        _check_schema(check, kind, start)


def _line_of(message: str) -> int:
    match = re.match(r"line (\d+):", message)
    return int(match.group(1)) if match else 0


def _type_pattern(kind: str) -> re.Pattern[bytes]:
    return re.compile(rb'"record"\s*:\s*"' + kind.encode() + rb'"')


def _records(
    source: _Source, kind: str, naming: tuple[bytes, ...] = (), numbered=False
) -> Iterator[list[dict]]:
    """Batches of the valid records of one type, in file order; with
    ``naming``, only records whose line contains one of those bytes; with
    ``numbered``, each with its line number as ``_line``."""
    batch: list[dict] = []
    # Each pass reads every line; only lines that can be of this type are
    # decoded. Without a \u escape a record's type can only be written
    # literally, so a line without it is skipped unread (cheap: no JSON).
    of_type = _type_pattern(kind).search
    for number, raw in source.lines():
        if b"\\u" not in raw and (
            not of_type(raw) or (naming and not any(n in raw for n in naming))
        ):
            continue
        record, _ = _decode(number, raw)
        if record is None or record.get("record") != kind:
            continue
        if numbered:
            record["_line"] = number
        batch.append(record)
        if len(batch) >= BATCH_SIZE:
            yield batch
            batch = []
    if batch:
        yield batch


def _moment_of(value: str | None) -> datetime.datetime | None:
    """An aware datetime from ISO 8601 text, or None (absent or not valid)."""
    if not value or not _DATE.match(value):
        return None
    try:
        moment = datetime.datetime.fromisoformat(value)
    except ValueError:
        return None
    return moment if moment.tzinfo is not None else None


def _day(value: str | None) -> datetime.date | None:
    return datetime.date.fromisoformat(value) if value else None


def _missing(items: list | None, recorded: list[dict]) -> list[dict]:
    """The items of a file's list not already among ``recorded`` (exported
    items of the same case), each recorded item matching once. An item
    without ``recorded_at`` matches whatever time was recorded."""

    def key(item: dict, with_time: bool) -> str:
        fields = {k: v for k, v in item.items() if v not in (None, "", [], False)}
        if not with_time:
            fields.pop("recorded_at", None)
        elif "recorded_at" in fields:
            moment = _moment_of(fields["recorded_at"])
            fields["recorded_at"] = moment.astimezone(datetime.UTC).isoformat()
        return json.dumps(fields, sort_keys=True, default=str)

    timed = Counter(key(item, True) for item in recorded)
    untimed = Counter(key(item, False) for item in recorded)
    missing = []
    for item in items or []:
        with_time = bool(item.get("recorded_at"))
        pool = timed if with_time else untimed
        found = key(item, with_time)
        if pool[found] > 0:
            pool[found] -= 1
        else:
            missing.append(item)
    return missing


def _revised(outcome: dict) -> tuple[str, str]:
    """("revised", its reason) for a desired outcome since revised, else
    ("", ""): a row here or an item of a file's list (version 2)."""
    if outcome.get("status") != DesiredOutcome.Status.REVISED:
        return ("", "")
    return ("revised", (outcome.get("revision_reason") or "")[:255])


def _without_history(item: dict) -> dict:
    return {k: v for k, v in item.items() if k not in ("replaces", "correction_reason")}


def _org_key(org: dict) -> str:
    return Organisation.key_for(org["name"], org.get("postcode") or "")


def _org_item(row: dict, prefix: str = "organisation__") -> dict:
    return {
        "name": row[f"{prefix}name"],
        "postcode": row[f"{prefix}postcode"] or None,
        "kind": row[f"{prefix}kind"],
    }


def _case_refs(row: dict, enquiry: bool = True) -> dict:
    """A record's own ref and its concern's (and enquiry's, if it names
    one), from the ``source_ref``/``reference`` columns of each."""
    refs = {
        "ref": _ref_of(row["source_ref"], row["reference"]),
        "concern": _ref_of(row["concern__source_ref"], row["concern__reference"]),
    }
    if enquiry:
        refs["enquiry"] = (
            _ref_of(row["enquiry__source_ref"], row["enquiry__reference"])
            if row["enquiry__reference"]
            else None
        )
    return refs


AGENCY_VALUES = [
    "organisation__name",
    "organisation__postcode",
    "organisation__kind",
    "role",
    "role_detail",
    "named_contact",
    "contact_job_title",
    "contact_details",
    "involved_from",
]
AGENCY_TEXT = ("role_detail", "named_contact", "contact_job_title", "contact_details")


def _agency_item(row: dict) -> dict:
    return {
        "organisation": _org_item(row),
        "role": row["role"],
        **{name: row[name] or None for name in AGENCY_TEXT},
        "involved_from": _iso(row["involved_from"]),
    }


def _agency_key(item: dict) -> str:
    fields = {name: item.get(name) or None for name in AGENCY_TEXT}
    fields.update(
        organisation=_org_key(item["organisation"]),
        role=item["role"],
        involved_from=item.get("involved_from"),
    )
    return json.dumps(fields, sort_keys=True)


def _agencies_of(field: str, pks: list[int], everything: bool = False) -> dict:
    """pk -> involved agencies recorded on these concerns (before an
    enquiry: no enquiry named) or enquiries, as interchange items; withdrawn
    entries only with ``everything``."""
    found: dict[int, list] = defaultdict(list)
    on_case: dict[str, Any] = {f"{field}_id__any_of": pks}
    if field == "concern":
        on_case["enquiry__isnull"] = True
    if not everything:
        on_case["withdrawn_at__isnull"] = True
    for row in (
        partner_models.InvolvedAgency.objects.filter(**on_case)
        .order_by("pk")
        .values(f"{field}_id", *AGENCY_VALUES)
    ):
        found[row[f"{field}_id"]].append(_agency_item(row))
    return found


def _attending(spec, pks: list[int]) -> dict[int, list[dict]]:
    """Row pk -> the involved agencies chosen in ``spec.agencies`` (a
    large-scale meeting's attendees), as ``involved_agencies`` items with
    their concern's ref, in the order they were recorded."""
    field = spec.model._meta.get_field(spec.agencies)
    row, agency = field.m2m_field_name(), field.m2m_reverse_field_name()
    found: dict[int, list[dict]] = defaultdict(list)
    values = [f"{agency}__{name}" for name in AGENCY_VALUES]
    for link in (
        field.remote_field.through.objects.filter(**{f"{row}_id__any_of": pks})
        .order_by(f"{agency}_id")
        .values(
            f"{row}_id",
            f"{agency}__concern__source_ref",
            f"{agency}__concern__reference",
            *values,
        )
    ):
        item = _agency_item({name: link[f"{agency}__{name}"] for name in AGENCY_VALUES})
        concern = _ref_of(
            link[f"{agency}__concern__source_ref"],
            link[f"{agency}__concern__reference"],
        )
        found[link[f"{row}_id"]].append({"concern": concern, **item})
    return found


def _attending_keys(agencies: list | None) -> list[str]:
    """Attending agencies compared as the import matches them (each on its
    concern and its fields, as ``_agency_key``), whatever the order."""
    return sorted(
        json.dumps([a.get("concern"), _agency_key(a)])
        for a in agencies or []
        if isinstance(a, dict)
    )


REQUEST_VALUES = [
    "enquiry_id",
    "organisation__name",
    "organisation__postcode",
    "organisation__kind",
    "scope",
    "requested_on",
    "working_days",
    "due_on",
    "report_received_on",
    "response_summary",
    "council_satisfied",
    "chased_on",
    "chase_count",
    "closed_on",
    "close_note",
    "open_at_closure_reason",
]


def _requests_of(pks: list[int]) -> dict[int, list]:
    found: dict[int, list] = defaultdict(list)
    for row in (
        CausedEnquiry.objects.filter(enquiry_id__any_of=pks)
        .order_by("pk")
        .values(*REQUEST_VALUES)
    ):
        found[row["enquiry_id"]].append(
            {
                "organisation": _org_item(row),
                "scope": row["scope"],
                "requested_on": _iso(row["requested_on"]),
                "working_days": row["working_days"],
                "due_on": _iso(row["due_on"]),
                "report_received_on": _iso(row["report_received_on"]),
                "response_summary": row["response_summary"] or None,
                "council_satisfied": row["council_satisfied"],
                "chased_on": _iso(row["chased_on"]),
                "chase_count": row["chase_count"],
                "closed_on": _iso(row["closed_on"]),
                "close_note": row["close_note"] or None,
                "open_at_closure_reason": row["open_at_closure_reason"] or None,
            }
        )
    return found


def _import_team(code: str | None) -> Team:
    if code:
        try:
            return Team.objects.get(code=code)
        except Team.DoesNotExist as exc:
            raise ImportFailed(f"team: no team with code {code!r}") from exc
    team = Team.objects.filter(is_active=True).order_by("name", "pk").first()
    if team is None:
        team, _ = Team.objects.get_or_create(
            code=IMPORT_TEAM_CODE, defaults={"name": IMPORT_TEAM_NAME}
        )
    return team


class _Writer:
    def __init__(self, source: _Source, report: ImportReport, team: Team, user, stderr):
        self.source = source
        self.report = report
        self.team = team
        self.user = user if getattr(user, "is_authenticated", False) else None
        self.stderr = stderr
        self.now = timezone.now()
        self.concern_url = url_maker("enquiries:concern_detail")
        self.enquiry_url = url_maker("enquiries:enquiry_detail")
        self.written = 0
        self.progress = None  # called with ("importing", written, total)
        self._moments: dict[datetime.date, datetime.datetime] = {}
        # Names of the documents' files stored by this import: removed again
        # if the import does not commit (see import_cases).
        self.stored: list[str] = []
        # What was written, announced at the end (signals.case_records_loaded).
        self.concern_pks: set[int] = set()
        self.enquiry_pks: set[int] = set()

    def loaded_enquiry_ids(self) -> set[int]:
        """The enquiries in the file, and those of the concerns in it."""
        found = set(self.enquiry_pks)
        concerns = sorted(self.concern_pks)
        for at in range(0, len(concerns), BATCH_SIZE):
            found.update(
                Enquiry.objects.filter(
                    concern_id__any_of=concerns[at : at + BATCH_SIZE]
                ).values_list("pk", flat=True)
            )
        return found

    def _tick(self, count: int, kind: str) -> None:
        before = self.written // PROGRESS_EVERY
        self.written += count
        if self.written // PROGRESS_EVERY > before:
            _progress(self.stderr, f"Imported {self.written:,} records ({kind})")
            if self.progress is not None:
                self.progress("importing", self.written, self.report.records.total())

    def _save(self, model, kind, created, changed, fields):
        if created:
            self._insert(model, created, need_pks=True)
        if changed:
            model.objects.bulk_update(changed, fields, batch_size=500)
        self.report.created[kind] += len(created)
        self.report.updated[kind] += len(changed)

    def _insert(self, model, instances: list, *, need_pks: bool = False) -> None:
        """Insert new rows: COPY on PostgreSQL, ``bulk_create`` elsewhere.

        COPY skips building and quoting one large INSERT per batch, which is
        most of an import's time. Ids come from the table's own sequence
        first (one query), so callers can use ``instance.pk`` as after
        ``bulk_create``; it runs inside the import's transaction like
        everything else, so a failure still changes nothing.
        """
        if not instances:
            return
        meta = model._meta
        # A time recorded in the source system (set on the instance) is kept;
        # otherwise a "recorded at" field takes the time of the import.
        kept_times = [
            f.attname
            for f in meta.concrete_fields
            if isinstance(f, models.DateTimeField) and f.auto_now_add
        ]
        if connection.vendor != "postgresql":
            preset = [
                (instance, {n: getattr(instance, n) for n in kept_times})
                for instance in instances
            ]
            model.objects.bulk_create(instances, batch_size=BATCH_SIZE)
            for instance, times in preset:
                times = {n: value for n, value in times.items() if value}
                if times:
                    model.objects.filter(pk=instance.pk).update(**times)
                    for name, value in times.items():
                        setattr(instance, name, value)
            return
        fields = list(meta.concrete_fields)
        with connection.cursor() as cursor:
            if need_pks or any(instance.pk is None for instance in instances):
                cursor.execute(
                    "SELECT nextval(pg_get_serial_sequence(%s, %s)) "
                    "FROM generate_series(1, %s)",
                    [meta.db_table, meta.pk.column, len(instances)],
                )
                for instance, (pk,) in zip(instances, cursor.fetchall(), strict=True):
                    instance.pk = pk
            quote = connection.ops.quote_name
            columns = ", ".join(quote(f.column) for f in fields)
            now_fields = {
                f.attname
                for f in fields
                if isinstance(f, models.DateTimeField)
                and (f.auto_now or f.auto_now_add)
            }
            json_fields = {
                f.attname: f.encoder for f in fields if isinstance(f, models.JSONField)
            }
            names = [f.attname for f in fields]
            sql = f"COPY {quote(meta.db_table)} ({columns}) FROM STDIN"
            with cursor.cursor.copy(sql) as copy:
                for instance in instances:
                    row = []
                    for name in names:
                        if name in now_fields:
                            value = (
                                name in kept_times and getattr(instance, name)
                            ) or self.now
                            setattr(instance, name, value)
                        else:
                            value = getattr(instance, name)
                            if name in json_fields:
                                value = json.dumps(value, cls=json_fields[name])
                        row.append(value)
                    copy.write_row(row)
        for instance in instances:
            instance._state.adding = False
            instance._state.db = connection.alias

    @staticmethod
    def _apply(instance, values: dict) -> bool:
        changed = False
        for name, value in values.items():
            if getattr(instance, name) != value:
                setattr(instance, name, value)
                changed = True
        return changed

    # What an update may not change: the record a concern or an enquiry
    # belongs to. Views, desired outcomes, consent and capacity decisions,
    # documents and risks name the adult and the concern as well as the
    # enquiry; moving only the concern or the enquiry would leave them with
    # the first adult, shown on the other's case and seen by whoever may see
    # the first (docs/decisions/0041).
    OWNERS = {
        "concern": ("person_id", "person", "adult", "a concern"),
        "enquiry": ("concern_id", "concern", "concern", "an enquiry"),
    }

    def _split(self, model, kind, batch, values_of, existing=None):
        """New instances and changed instances for one batch; ImportFailed
        if a record would move to another owner (:data:`OWNERS`)."""
        if existing is None:
            existing = _existing(model, {record["ref"] for record in batch})
        created, changed = [], []
        owner, field, noun, one = self.OWNERS.get(kind, ("", "", "", ""))
        for record in batch:
            values = values_of(record)
            instance = existing.get(record["ref"])
            if (
                owner
                and instance is not None
                and (getattr(instance, owner) != values[owner])
            ):
                raise ImportFailed(
                    f"line {record['_line']}: {field}: {kind} {record['ref']!r} "
                    f"is recorded here under another {noun}; an import does not "
                    f"move {one} and the records made with it to another "
                    f"{noun}: import it under a new ref, or leave {field} as it was"
                )
            if instance is None:
                instance = model(
                    source_ref=record["ref"],
                    created_by=self.user,
                    updated_by=self.user,
                    **values,
                )
                created.append(instance)
            else:
                values["source_ref"] = record["ref"]
                if self._apply(instance, values):
                    instance.version += 1
                    instance.updated_by = self.user
                    instance.updated_at = self.now
                    changed.append(instance)
                else:
                    self.report.unchanged[kind] += 1
        return created, changed

    # -- people ------------------------------------------------------------

    PERSON_FIELDS = [
        "source_ref",
        "given_name",
        "family_name",
        "date_of_birth",
        "date_of_death",
        "gender",
        "gender_identity",
        "ethnicity",
        "primary_support_reason",
        "health_conditions",
        "nhs_number",
        "version",
        "updated_by",
        "updated_at",
    ]

    @staticmethod
    def _person_values(record: dict) -> dict:
        return {
            "given_name": record["given_name"],
            "family_name": record["family_name"],
            "date_of_birth": _day(record.get("date_of_birth")),
            "date_of_death": _day(record.get("date_of_death")),
            "gender": record.get("gender") or codes.Gender.NOT_KNOWN,
            "gender_identity": record.get("gender_identity") or "",
            "ethnicity": record.get("ethnicity") or codes.Ethnicity.NOT_KNOWN,
            "primary_support_reason": record.get("primary_support_reason")
            or codes.SupportReason.NOT_KNOWN,
            "health_conditions": list(record.get("health_conditions") or []),
            "nhs_number": (record.get("nhs_number") or "").replace(" ", ""),
        }

    def people(self) -> None:
        for batch in _records(self.source, "person"):
            created, changed = self._split(Person, "person", batch, self._person_values)
            for person in created:
                person.team = self.team
            self._save(Person, "person", created, changed, self.PERSON_FIELDS)
            # Written in bulk, so Person.save() did not keep the name search's words.
            refresh_name_words([person.pk for person in (*created, *changed)])
            if changed:
                # A changed date of birth can move existing concerns in or
                # out of the SAC's scope (bulk_update skips Person.save()).
                refresh_adult_on_receipt(Concern.objects.filter(person__in=changed))
            self._tick(len(batch), "people")

    # -- concerns ------------------------------------------------------------

    CONCERN_FIELDS = [
        "source_ref",
        "person",
        "received_on",
        "decided_on",
        "in_our_area",
        "referrer_type",
        "summary",
        "adult_on_receipt",
        "version",
        "updated_by",
        "updated_at",
    ]

    def concerns(self) -> None:
        for batch in _records(self.source, "concern", numbered=True):
            people = _existing(
                Person, {r["person"] for r in batch}, "pk", "date_of_birth"
            )

            def values_of(record: dict, people=people) -> dict:
                person = people[record["person"]]
                received = _day(record["received_on"])
                return {
                    "person_id": person["pk"],
                    "received_on": received,
                    "decided_on": _day(record.get("decided_on")),
                    "in_our_area": record.get("in_our_area") is not False,
                    "referrer_type": record.get("referrer_type") or "",
                    "summary": record.get("summary") or "",
                    # Written in bulk, past Concern.save(): the SAC age test.
                    "adult_on_receipt": adult_on(person["date_of_birth"], received),
                }

            created, changed = self._split(Concern, "concern", batch, values_of)
            self.concern_pks.update(c.pk for c in (*created, *changed) if c.pk)
            for concern in created:
                concern.team = self.team
                concern.status = Concern.Status.CLOSED
                concern.decision = Concern.Decision.NO_ENQUIRY
                concern.other_pathway = Concern.OtherPathway.NO_FURTHER_ACTION
            self._save(Concern, "concern", created, changed, self.CONCERN_FIELDS)
            self._voice(batch, Concern, "concern", "person_id")
            self._agencies(batch, Concern, "concern")
            self._insert(
                ChronologyEvent,
                [
                    ChronologyEvent(
                        person_id=concern.person_id,
                        occurred_at=self._moment(concern.received_on),
                        kind=ChronologyEvent.Kind.CONCERN,
                        summary="Concern received (imported record)",
                        link=self.concern_url(concern.reference),
                        recorded_by=self.user,
                    )
                    for concern in created
                ],
            )
            self._tick(len(batch), "concerns")

    def _moment(self, day: datetime.date) -> datetime.datetime:
        """9am on ``day``, local time (kept per day: many records share one)."""
        if day not in self._moments:
            self._moments[day] = timezone.make_aware(
                datetime.datetime.combine(day, datetime.time(9))
            )
        return self._moments[day]

    # -- enquiries -----------------------------------------------------------

    ENQUIRY_FIELDS = [
        "source_ref",
        "concern",
        "kind",
        "kind_at_start",
        "started_on",
        "findings_on",
        "outcome_on",
        "concluded_on",
        "status",
        "risk_assessment_outcome",
        "risk_result",
        "lacked_capacity",
        "capacity_support",
        "asked_desired_outcomes",
        "outcomes_achieved",
        "version",
        "updated_by",
        "updated_at",
    ]

    def enquiries(self) -> None:
        for batch in _records(self.source, "enquiry", numbered=True):
            concerns = _existing(
                Concern, {r["concern"] for r in batch}, "person_id", "team_id"
            )
            existing = _existing(Enquiry, {r["ref"] for r in batch})

            def values_of(record: dict, existing=existing, concerns=concerns) -> dict:
                concluded = _day(record.get("concluded_on"))
                current = existing.get(record["ref"])
                if concluded:
                    status = Enquiry.Status.CLOSED
                elif current is None or current.status == Enquiry.Status.CLOSED:
                    status = Enquiry.Status.IN_PROGRESS
                else:
                    status = current.status
                return {
                    "concern_id": concerns[record["concern"]]["pk"],
                    "kind": record["kind"],
                    "kind_at_start": record.get("kind_at_start") or record["kind"],
                    "started_on": _day(record["started_on"]),
                    # Absent from the file (version 1): kept as recorded here.
                    **{
                        name: _day(record[name])
                        if name in record
                        else getattr(current, name, None)
                        for name in ("findings_on", "outcome_on")
                    },
                    "concluded_on": concluded,
                    "status": status,
                    "risk_assessment_outcome": record.get("risk_assessment_outcome")
                    or "",
                    "risk_result": record.get("risk_result") or "",
                    "lacked_capacity": record.get("lacked_capacity") or "",
                    "capacity_support": record.get("capacity_support"),
                    "asked_desired_outcomes": record.get("asked_desired_outcomes")
                    or "",
                    "outcomes_achieved": record.get("outcomes_achieved") or "",
                }

            created, changed = self._split(
                Enquiry, "enquiry", batch, values_of, existing
            )
            team_of = {row["pk"]: row["team_id"] for row in concerns.values()}
            for enquiry in created:
                enquiry.team_id = team_of.get(enquiry.concern_id, self.team.pk)
            self._save(Enquiry, "enquiry", created, changed, self.ENQUIRY_FIELDS)
            by_ref = {e.source_ref: e for e in created}
            by_ref.update(existing)
            new_pks = {e.pk for e in created}
            self.enquiry_pks.update(e.pk for e in by_ref.values())
            self._lists(batch, by_ref, concerns, new_pks)
            self._voice(batch, Enquiry, "enquiry", "concern__person_id")
            self._agencies(batch, Enquiry, "enquiry")
            self._requests(batch, by_ref)
            self._insert(
                ChronologyEvent,
                [
                    ChronologyEvent(
                        person_id=concerns[record["concern"]]["person_id"],
                        occurred_at=self._moment(by_ref[record["ref"]].started_on),
                        kind=ChronologyEvent.Kind.ENQUIRY,
                        summary=(
                            f"{Enquiry.Kind(record['kind']).label} started "
                            "(imported record)"
                        ),
                        link=self.enquiry_url(by_ref[record["ref"]].reference),
                        recorded_by=self.user,
                    )
                    for record in batch
                    if by_ref[record["ref"]].pk in new_pks
                ],
            )
            self._tick(len(batch), "enquiries")
        if connection.vendor == "postgresql":
            # Rows loaded in this transaction have no planner statistics yet;
            # without them the settling queries scan the tables for each batch.
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE enquiries_concern, enquiries_enquiry")
        self._settle_concern_decisions()

    def _voice(self, batch, model, field: str, person_field: str) -> None:
        """Views and consent decisions in the file, added when not already
        recorded (matched on every field; the time recorded only when the
        file gives it). Append-only, like the records themselves: importing
        the same file again adds nothing."""
        wanted = [r for r in batch if r.get("views") or r.get("consent_decisions")]
        if not wanted:
            return
        cases = _existing(model, {r["ref"] for r in wanted}, person_field)
        pks = [case["pk"] for case in cases.values()]
        have_views, have_consents = _voice_of(field, pks)
        new_views: list[PersonView] = []
        new_consents: list[ConsentDecision] = []
        for record in wanted:
            case = cases[record["ref"]]
            parts = {f"{field}_id": case["pk"], "person_id": case[person_field]}
            have = have_views[case["pk"]]
            if not any("replaces" in item for item in record.get("views") or []):
                # A file without corrections (version 1) names current views.
                have = [_without_history(item) for item in have]
            for item in _missing(record.get("views"), have):
                if item.get("replaces"):
                    self._view_chain(item, parts)
                else:
                    new_views.append(self._view(item, parts))
            for item in _missing(
                record.get("consent_decisions"), have_consents[case["pk"]]
            ):
                new_consents.append(
                    ConsentDecision(
                        **parts,
                        question=item["question"],
                        answer=item["answer"],
                        agency=item.get("agency") or "",
                        not_asked_reason=item.get("not_asked_reason") or "",
                        overridden=bool(item.get("overridden")),
                        override_grounds=list(item.get("override_grounds") or []),
                        override_reason=item.get("override_reason") or "",
                        adult_informed_of_override=item.get(
                            "adult_informed_of_override"
                        ),
                        decided_on=_day(item.get("decided_on")),
                        recorded_at=_moment_of(item.get("recorded_at")),
                        recorded_by=self.user,
                    )
                )
        self._insert(PersonView, new_views)
        self._insert(ConsentDecision, new_consents)

    def _view(self, item: dict, parts: dict) -> PersonView:
        return PersonView(
            **parts,
            stage=item["stage"],
            source=item["source"],
            views_text=item.get("text") or "",
            own_words=bool(item.get("own_words")),
            not_obtained_reason=item.get("not_obtained_reason") or "",
            given_on=_day(item.get("given_on")),
            recorded_at=_moment_of(item.get("recorded_at")),
            recorded_by=self.user,
        )

    def _view_chain(self, item: dict, parts: dict) -> None:
        """A corrected view: the oldest entry first, each correction then
        superseding the one before, with its reason (as in the app)."""
        chain = [item]
        while chain[-1].get("replaces"):
            chain.append(chain[-1]["replaces"])
        earlier = None
        for entry in reversed(chain):
            view = self._view(entry, parts)
            if earlier is not None:
                view.supersedes_id = earlier.pk
                view.correction_reason = (entry.get("correction_reason") or "")[:255]
            self._insert(PersonView, [view], need_pks=True)
            earlier = view

    def _lists(self, batch, by_ref, concerns, new_pks: set[int]) -> None:
        """Risks and desired outcomes: replace a list only when it differs."""
        old_pks = [e.pk for e in by_ref.values() if e.pk not in new_pks]
        current_risks: dict[int, Counter] = defaultdict(Counter)
        current_outcomes: dict[int, Counter] = defaultdict(Counter)
        if old_pks:
            for row in Risk.objects.filter(
                enquiry_id__any_of=old_pks, is_withdrawn=False
            ).values(
                "enquiry_id",
                "risk_type",
                "location",
                "source",
                "place_postcode",
                "place_name",
                "source_organisation__match_key",
            ):
                current_risks[row["enquiry_id"]][
                    (
                        row["risk_type"],
                        row["location"],
                        row["source"],
                        row["place_postcode"],
                        row["place_name"],
                        row["source_organisation__match_key"] or "",
                    )
                ] += 1
            concern_of = {e.pk: e.concern_id for e in by_ref.values()}
            enquiry_of_concern = defaultdict(list)
            for pk in old_pks:
                enquiry_of_concern[concern_of[pk]].append(pk)
            for row in (
                DesiredOutcome.objects.exclude(status=DesiredOutcome.Status.WITHDRAWN)
                .filter(
                    Q(enquiry_id__any_of=old_pks)
                    | Q(
                        enquiry__isnull=True,
                        concern_id__any_of=list(enquiry_of_concern),
                    )
                )
                .values(
                    "enquiry_id",
                    "concern_id",
                    "text",
                    "achieved",
                    "evaluated_on",
                    "recorded_at",
                    "status",
                    "revision_reason",
                )
            ):
                targets = (
                    [row["enquiry_id"]]
                    if row["enquiry_id"]
                    else enquiry_of_concern[row["concern_id"]]
                )
                for pk in targets:
                    current_outcomes[pk][
                        (
                            row["text"],
                            row["achieved"],
                            row["evaluated_on"],
                            row["recorded_at"],
                            *_revised(row),
                        )
                    ] += 1
        new_risks: list[Risk] = []
        new_outcomes: list[DesiredOutcome] = []
        withdraw_risks: list[int] = []
        withdraw_outcomes: list[int] = []
        providers = self._organisations(
            [
                r["organisation"]
                for record in batch
                for r in record.get("risks") or []
                if r.get("organisation")
            ]
        )
        for record in batch:
            enquiry = by_ref[record["ref"]]
            person_id = concerns[record["concern"]]["person_id"]
            risks = Counter(
                (
                    r.get("type") or "",
                    r.get("location") or "",
                    r.get("source") or "",
                    normalise_uk_postcode(r.get("place_postcode") or ""),
                    (r.get("place_name") or "").strip(),
                    _org_key(r["organisation"]) if r.get("organisation") else "",
                )
                for r in record.get("risks") or []
            )
            outcomes = Counter(
                (
                    o["text"],
                    o.get("achieved") or "",
                    _day(o.get("evaluated_on")),
                    _moment_of(o.get("recorded_at")),
                    *_revised(o),
                )
                for o in record.get("desired_outcomes") or []
            )
            current = current_outcomes[enquiry.pk]
            if not any(key[3] for key in outcomes):
                # A file without the times recorded (version 1) compares the
                # rest: importing it again changes nothing.
                current = Counter(
                    {key[:3] + (None,) + key[4:]: n for key, n in current.items()}
                )
            if not any("status" in o for o in record.get("desired_outcomes") or []):
                # Nor does one that does not say which were revised.
                current = Counter({key[:4] + ("", ""): n for key, n in current.items()})
            is_new = enquiry.pk in new_pks
            current_list = current_risks[enquiry.pk]
            given = [r for r in record.get("risks") or [] if isinstance(r, dict)]
            no_places = not any(
                "place_postcode" in r or "place_name" in r for r in given
            )
            no_orgs = not any("organisation" in r for r in given)
            if no_places or no_orgs:
                # A file without places or organisations (older exports)
                # compares the rest, so importing it again keeps them here.
                current_list = Counter()
                for key, n in current_risks[enquiry.pk].items():
                    place = ("", "") if no_places else key[3:5]
                    org = "" if no_orgs else key[5]
                    current_list[key[:3] + place + (org,)] += n
            if is_new or risks != current_list:
                if not is_new:
                    withdraw_risks.append(enquiry.pk)
                new_risks.extend(
                    Risk(
                        concern_id=enquiry.concern_id,
                        enquiry_id=enquiry.pk,
                        risk_type=kind,
                        location=location,
                        source=source,
                        place_postcode=postcode,
                        place_name=place_name,
                        source_organisation_id=providers.get(org),
                    )
                    for (
                        kind,
                        location,
                        source,
                        postcode,
                        place_name,
                        org,
                    ), n in risks.items()
                    for _ in range(n)
                )
            if is_new or outcomes != current:
                if not is_new:
                    withdraw_outcomes.append(enquiry.pk)
                new_outcomes.extend(
                    DesiredOutcome(
                        person_id=person_id,
                        concern_id=enquiry.concern_id,
                        enquiry_id=enquiry.pk,
                        stage=codes.Stage.ENQUIRY,
                        text=text,
                        achieved=achieved,
                        evaluated_on=evaluated_on,
                        # Kept from the file when it says when it was typed
                        # (else the time of the import: see _insert).
                        recorded_at=recorded_at,
                        recorded_by=self.user,
                        status=status or DesiredOutcome.Status.ACTIVE,
                        revision_reason=reason,
                    )
                    for (
                        text,
                        achieved,
                        evaluated_on,
                        recorded_at,
                        status,
                        reason,
                    ), n in outcomes.items()
                    for _ in range(n)
                )
        if withdraw_risks:
            Risk.objects.filter(
                enquiry_id__any_of=withdraw_risks, is_withdrawn=False
            ).update(is_withdrawn=True)
        if withdraw_outcomes:
            withdrawn = set(withdraw_outcomes)
            concern_ids = {e.concern_id for e in by_ref.values() if e.pk in withdrawn}
            DesiredOutcome.objects.exclude(
                status=DesiredOutcome.Status.WITHDRAWN
            ).filter(
                Q(enquiry_id__any_of=withdraw_outcomes)
                | Q(enquiry__isnull=True, concern_id__any_of=concern_ids)
            ).update(status=DesiredOutcome.Status.WITHDRAWN)
        self._insert(Risk, new_risks)
        self._insert(DesiredOutcome, new_outcomes)
        # Inserted and withdrawn in bulk, past DesiredOutcome.save(): the
        # batch's enquiries, and others of the same concerns. Two statements,
        # each by an index (an OR of the two made PostgreSQL scan the table).
        touched = [by_ref[record["ref"]] for record in batch]
        refresh_outcome_flags(
            Enquiry.objects.filter(pk__any_of=[e.pk for e in touched])
        )
        refresh_outcome_flags(
            Enquiry.objects.filter(
                concern_id__any_of={e.concern_id for e in touched}
            ).exclude(pk__any_of=[e.pk for e in touched])
        )

    def _settle_concern_decisions(self) -> None:
        """Concerns in the file: decided if they led to an enquiry, else closed."""
        for batch in _records(self.source, "concern", numbered=True):
            ids = list(
                Concern.objects.filter(
                    _match(Concern, {r["ref"] for r in batch})
                ).values_list("pk", flat=True)
            )
            has_enquiry = Exists(Enquiry.objects.filter(concern=OuterRef("pk")))
            has_s42 = Exists(
                Enquiry.objects.filter(
                    concern=OuterRef("pk"), kind_at_start=Enquiry.Kind.SECTION_42
                )
            )
            # Concerns already decided in the app keep their decision.
            chosen = Concern.objects.filter(pk__any_of=ids).filter(
                Q(
                    status__in=[
                        Concern.Status.RECEIVED,
                        Concern.Status.INFORMATION_GATHERING,
                    ]
                )
                | Q(
                    status=Concern.Status.CLOSED,
                    decision=Concern.Decision.NO_ENQUIRY,
                )
            )
            chosen.filter(has_enquiry).exclude(has_s42).update(
                status=Concern.Status.DECIDED,
                decision=Concern.Decision.OTHER_ENQUIRY,
                other_pathway="",
            )
            chosen.filter(has_s42).update(
                status=Concern.Status.DECIDED,
                decision=Concern.Decision.SECTION_42,
                other_pathway="",
            )

    # -- reviews ---------------------------------------------------------------

    SAR_FIELDS = [
        "source_ref",
        "title",
        "commissioned_on",
        "completed_on",
        *(name for name, _ in SAR_PROCESS),
        "version",
        "updated_by",
        "updated_at",
    ]

    def reviews(self) -> None:
        for batch in _records(self.source, "sar"):
            person_refs = {
                i["person"]
                for r in batch
                for i in r.get("individuals") or []
                if i.get("person")
            }
            people = _existing(Person, person_refs, "pk")
            linked = _existing(
                Enquiry,
                {
                    r["referred_from_enquiry"]
                    for r in batch
                    if r.get("referred_from_enquiry")
                },
            )
            existing = _existing(SafeguardingAdultsReview, {r["ref"] for r in batch})

            def values_of(record: dict, existing=existing, linked=linked) -> dict:
                current = existing.get(record["ref"])
                title = record.get("title") or (
                    current.title
                    if current
                    else f"Safeguarding Adults Review {record['ref']}"
                )
                values = {
                    "title": title,
                    "commissioned_on": _day(record.get("commissioned_on")),
                    "completed_on": _day(record.get("completed_on")),
                }
                for name, kind in SAR_PROCESS:
                    if name not in record:
                        continue  # a file without it keeps what is here
                    value = record[name]
                    if kind == "date":
                        value = _day(value)
                    elif kind == "enquiry":
                        name, value = name + "_id", linked[value].pk if value else None
                    else:
                        value = value or ""
                    values[name] = value
                return values

            created, changed = self._split(
                SafeguardingAdultsReview, "sar", batch, values_of
            )
            self._save(
                SafeguardingAdultsReview, "sar", created, changed, self.SAR_FIELDS
            )
            reviews = {r.source_ref: r for r in created}
            reviews.update(existing)
            current: dict[int, Counter] = defaultdict(Counter)
            for row in SarIndividual.objects.filter(
                review_id__in=[r.pk for r in existing.values()]
            ).values("review_id", "person_id", "died"):
                current[row["review_id"]][(row["person_id"], row["died"])] += 1
            new_rows: list[SarIndividual] = []
            for record in batch:
                review = reviews[record["ref"]]
                wanted = Counter(
                    (
                        people[i["person"]]["pk"] if i.get("person") else None,
                        i["died"],
                    )
                    for i in record.get("individuals") or []
                )
                if wanted == current[review.pk]:
                    continue
                if current[review.pk]:
                    # The register keeps no withdrawn flag for individuals;
                    # the file is the source of truth for imported reviews.
                    SarIndividual.objects.filter(review_id=review.pk).delete()
                new_rows.extend(
                    SarIndividual(review_id=review.pk, person_id=person_id, died=died)
                    for (person_id, died), n in wanted.items()
                    for _ in range(n)
                )
            SarIndividual.objects.bulk_create(new_rows, batch_size=BATCH_SIZE)
            self._tick(len(batch), "reviews")

    # -- large-scale (organisational) enquiries -------------------------------

    ORGANISATIONAL_FIELDS = [
        "source_ref",
        "organisation",
        *(name for name, _ in ORGANISATIONAL),
        "version",
        "updated_by",
        "updated_at",
    ]

    def organisational(self) -> None:
        """Large-scale enquiries, then their links to each adult's enquiry:
        a link is added (none removed) only if the enquiry's risks name the
        provider, as on the enquiry's page."""
        for batch in _records(self.source, "organisational_enquiry", numbered=True):
            existing = _existing(OrganisationalEnquiry, {r["ref"] for r in batch})
            orgs = self._organisations([r["organisation"] for r in batch])
            lead = None
            if any(r["ref"] not in existing for r in batch):
                lead = self._lead(batch[0]["_line"])

            def values_of(record: dict, existing=existing, orgs=orgs, lead=lead):
                values: dict[str, Any] = {
                    "organisation_id": orgs[_org_key(record["organisation"])]
                }
                for name, kind in ORGANISATIONAL:
                    value = record.get(name)
                    if kind == "date":
                        value = _day(value)
                    elif kind == "bool":
                        value = bool(value)
                    elif kind == "code":
                        value = value or _organisational_status(record)
                    else:
                        value = value or ""
                    values[name] = value
                if record["ref"] not in existing:
                    values.update(team_id=self.team.pk, lead_id=lead.pk)
                return values

            created, changed = self._split(
                OrganisationalEnquiry, "organisational_enquiry", batch, values_of
            )
            self._save(
                OrganisationalEnquiry,
                "organisational_enquiry",
                created,
                changed,
                self.ORGANISATIONAL_FIELDS,
            )
            by_ref = {r.source_ref: r for r in created}
            by_ref.update(existing)
            self._link_enquiries(batch, by_ref)
            self._tick(len(batch), "large-scale enquiries")

    def _lead(self, line: int):
        """Who leads a new large-scale enquiry (users are not in the format):
        the importing user, else the first active administrator."""
        from django.contrib.auth import get_user_model

        if self.user is not None:
            return self.user
        lead = (
            get_user_model()
            .objects.filter(is_active=True, is_superuser=True)
            .order_by("pk")
            .first()
        )
        if lead is None:
            raise ImportFailed(
                f"line {line}: record: a new large-scale enquiry needs a lead: "
                "import from the upload page, or add an administrator first"
            )
        return lead

    def _link_enquiries(self, batch: list[dict], by_ref: dict) -> None:
        enquiries = _existing(
            Enquiry,
            {ref for r in batch for ref in r.get("enquiries") or []},
            "organisational_enquiry_id",
            "concern_id",
        )
        naming = set(
            Risk.objects.filter(
                concern_id__in={e["concern_id"] for e in enquiries.values()},
                is_withdrawn=False,
                source_organisation__isnull=False,
            ).values_list("concern_id", "source_organisation_id")
        )
        for record in batch:
            large = by_ref[record["ref"]]
            wanted = []
            for index, ref in enumerate(record.get("enquiries") or []):
                enquiry = enquiries[ref]
                where = f"line {record['_line']}: enquiries[{index}]"
                linked = enquiry["organisational_enquiry_id"]
                if linked == large.pk:
                    continue
                if linked is not None:
                    raise ImportFailed(
                        f"{where}: enquiry {ref!r} is already linked to another "
                        "large-scale enquiry"
                    )
                if (enquiry["concern_id"], large.organisation_id) not in naming:
                    raise ImportFailed(
                        f"{where}: enquiry {ref!r} cannot be linked: none of its "
                        "risks names the provider as the organisation alleged to "
                        "have caused harm"
                    )
                wanted.append(enquiry["pk"])
            if wanted:
                Enquiry.objects.filter(pk__in=wanted).update(
                    organisational_enquiry_id=large.pk
                )
                self.report.created["organisational_link"] += len(wanted)

    # -- PiPoT cases (decision 0026) ----------------------------------------

    PIPOT_FIELDS = [
        "source_ref",
        "concern",
        "enquiry",
        "employer",
        *(name for name, _ in PIPOT),
        "version",
        "updated_by",
        "updated_at",
    ]

    def pipot_cases(self) -> None:
        """PiPoT cases, matched on their ref. Named workers are users, not in
        the format: a new case is seen by safeguarding leads only until a
        lead names someone on it."""
        for batch in _records(self.source, "pipot_case", numbered=True):
            concerns = _existing(Concern, {r["concern"] for r in batch}, "pk")
            enquiries = _existing(
                Enquiry, {r["enquiry"] for r in batch if r.get("enquiry")}, "concern_id"
            )
            employers = self._organisations([r["employer"] for r in batch])
            for record in batch:
                enquiry = enquiries.get(record.get("enquiry") or "")
                if (
                    enquiry
                    and enquiry["concern_id"] != concerns[record["concern"]]["pk"]
                ):
                    raise ImportFailed(
                        f"line {record['_line']}: enquiry: the enquiry must belong "
                        "to the same concern"
                    )

            def values_of(
                record: dict,
                concerns=concerns,
                enquiries=enquiries,
                employers=employers,
            ):
                enquiry = enquiries.get(record.get("enquiry") or "")
                values: dict[str, Any] = {
                    "concern_id": concerns[record["concern"]]["pk"],
                    "enquiry_id": enquiry["pk"] if enquiry else None,
                    "employer_id": employers[_org_key(record["employer"])],
                }
                for name, kind in PIPOT:
                    value = record.get(name)
                    if kind == "date":
                        value = _day(value)
                    elif kind == "moment":
                        value = _moment_of(value)
                    elif name == "status":
                        value = value or (
                            PipotCase.Status.CLOSED
                            if record.get("closed_at")
                            else PipotCase.Status.OPEN
                        )
                    else:
                        value = value or ""
                    values[name] = value
                return values

            created, changed = self._split(PipotCase, "pipot_case", batch, values_of)
            self._save(PipotCase, "pipot_case", created, changed, self.PIPOT_FIELDS)
            self._tick(len(batch), "PiPoT cases")

    # -- information shares ------------------------------------------------

    SHARE_FIELDS = [
        "source_ref",
        "concern",
        "enquiry",
        "organisation",
        "direction",
        "shared_on",
        "what",
        "why",
        "lawful_basis",
        "article6",
        "special_condition",
        "consent",
        "override_ground",
        "not_asked_reason",
        "adult_told",
        "adult_told_reason",
        "s45_request",
        "consent_decision",
        "version",
        "updated_by",
        "updated_at",
    ]

    # -- s45 requests --------------------------------------------------------

    S45_FIELDS = [
        "source_ref",
        "concern",
        "enquiry",
        "organisation",
        "direction",
        "requested_on",
        "due_on",
        "what_requested",
        "decision",
        "decided_on",
        "decision_reason",
        "version",
        "updated_by",
        "updated_at",
    ]

    def s45_requests(self) -> None:
        model = partner_models.S45Request
        for batch in _records(self.source, "s45_request"):
            concerns = _existing(Concern, {r["concern"] for r in batch}, "pk")
            enquiries = _existing(
                Enquiry, {r["enquiry"] for r in batch if r.get("enquiry")}, "pk"
            )
            orgs = self._organisations([r["organisation"] for r in batch])

            def values_of(
                record: dict, concerns=concerns, enquiries=enquiries, orgs=orgs
            ) -> dict:
                org = record["organisation"]
                enquiry = enquiries.get(record.get("enquiry") or "")
                return {
                    "concern_id": concerns[record["concern"]]["pk"],
                    "enquiry_id": enquiry["pk"] if enquiry else None,
                    "organisation_id": orgs[_org_key(org)],
                    "direction": record["direction"],
                    "requested_on": _day(record["requested_on"]),
                    "due_on": _day(record["due_on"]),
                    "what_requested": record["what_requested"],
                    "decision": record.get("decision") or "pending",
                    "decided_on": _day(record.get("decided_on")),
                    "decision_reason": record.get("decision_reason") or "",
                }

            created, changed = self._split(model, "s45_request", batch, values_of)
            self._save(model, "s45_request", created, changed, self.S45_FIELDS)
            self._tick(len(batch), "s45 requests")

    # -- involved agencies and requests to partners (lists) ------------------

    def _agencies(self, batch, model, field: str) -> None:
        """Involved agencies in the file, added when not already recorded on
        the case (matched on every field, the organisation on its directory
        key; withdrawn entries count, so an import does not bring back one
        withdrawn here). Append-only, like views."""
        wanted = [r for r in batch if r.get("involved_agencies")]
        if not wanted:
            return
        extra = "concern_id" if field == "enquiry" else "pk"
        cases = _existing(model, {r["ref"] for r in wanted}, extra)
        have = _agencies_of(field, [c["pk"] for c in cases.values()], everything=True)
        orgs = self._organisations(
            [i["organisation"] for r in wanted for i in r["involved_agencies"]]
        )
        new = []
        for record in wanted:
            case = cases[record["ref"]]
            pool = Counter(_agency_key(item) for item in have[case["pk"]])
            for item in record["involved_agencies"]:
                key = _agency_key(item)
                if pool[key] > 0:
                    pool[key] -= 1
                    self.report.unchanged["involved_agency"] += 1
                    continue
                new.append(
                    partner_models.InvolvedAgency(
                        concern_id=case["concern_id"]
                        if field == "enquiry"
                        else case["pk"],
                        enquiry_id=case["pk"] if field == "enquiry" else None,
                        organisation_id=orgs[_org_key(item["organisation"])],
                        role=item["role"],
                        role_detail=item.get("role_detail") or "",
                        named_contact=item.get("named_contact") or "",
                        contact_job_title=item.get("contact_job_title") or "",
                        contact_details=item.get("contact_details") or "",
                        involved_from=_day(item.get("involved_from")),
                        created_by=self.user,
                        updated_by=self.user,
                    )
                )
        self._insert(partner_models.InvolvedAgency, new)
        self.report.created["involved_agency"] += len(new)

    REQUEST_FIELDS = [
        "working_days",
        "due_on",
        "report_received_on",
        "response_summary",
        "council_satisfied",
        "chased_on",
        "chase_count",
        "closed_on",
        "close_note",
        "open_at_closure_reason",
    ]

    def _requests(self, batch, by_ref) -> None:
        """Requests to partners: matched on the organisation, the day asked
        and what was asked; the rest (response, chasing, closure) updated."""
        wanted = [r for r in batch if r.get("partner_requests")]
        if not wanted:
            return
        pks = [by_ref[r["ref"]].pk for r in wanted]
        current: dict[tuple, list] = defaultdict(list)
        for request in (
            CausedEnquiry.objects.filter(enquiry_id__any_of=pks)
            .select_related("organisation")
            .order_by("pk")
        ):
            current[
                (
                    request.enquiry_id,
                    request.organisation.match_key,
                    request.requested_on,
                    request.scope,
                )
            ].append(request)
        orgs = self._organisations(
            [i["organisation"] for r in wanted for i in r["partner_requests"]]
        )
        new, changed = [], []
        for record in wanted:
            enquiry = by_ref[record["ref"]]
            for item in record["partner_requests"]:
                key = _org_key(item["organisation"])
                asked = _day(item["requested_on"])
                values = {
                    "working_days": item.get("working_days"),
                    "due_on": _day(item["due_on"]),
                    "report_received_on": _day(item.get("report_received_on")),
                    "response_summary": item.get("response_summary") or "",
                    "council_satisfied": item.get("council_satisfied"),
                    "chased_on": _day(item.get("chased_on")),
                    "chase_count": item.get("chase_count") or 0,
                    "closed_on": _day(item.get("closed_on")),
                    "close_note": item.get("close_note") or "",
                    "open_at_closure_reason": item.get("open_at_closure_reason") or "",
                }
                matches = current.get((enquiry.pk, key, asked, item["scope"]))
                if matches:
                    request = matches.pop(0)
                    if self._apply(request, values):
                        request.version += 1
                        request.updated_by = self.user
                        request.updated_at = self.now
                        changed.append(request)
                    else:
                        self.report.unchanged["partner_request"] += 1
                    continue
                new.append(
                    CausedEnquiry(
                        enquiry_id=enquiry.pk,
                        organisation_id=orgs[key],
                        scope=item["scope"],
                        requested_on=asked,
                        created_by=self.user,
                        updated_by=self.user,
                        **values,
                    )
                )
        self._insert(CausedEnquiry, new)
        if changed:
            CausedEnquiry.objects.bulk_update(
                changed,
                [*self.REQUEST_FIELDS, "version", "updated_by", "updated_at"],
                batch_size=500,
            )
        self.report.created["partner_request"] += len(new)
        self.report.updated["partner_request"] += len(changed)

    def _organisations(self, given: list[dict]) -> dict[str, int]:
        """match key -> organisation id, adding any the directory lacks."""
        wanted: dict[str, dict] = {}
        for org in given:
            key = Organisation.key_for(org["name"], org.get("postcode") or "")
            wanted.setdefault(key, org)
        found = dict(
            Organisation.objects.filter(match_key__in=list(wanted))
            .order_by("pk")
            .values_list("match_key", "pk")
            .reverse()
        )
        for key, org in wanted.items():
            if key in found:
                continue
            added = Organisation(
                name=" ".join(org["name"].split()),
                postcode=" ".join((org.get("postcode") or "").upper().split()),
                kind=org.get("kind") or Organisation.Kind.OTHER,
                created_by=self.user,
                updated_by=self.user,
            )
            added.save()
            audit.record(
                actor=self.user,
                action="create",
                obj=added,
                summary=f"Organisation added to the directory by an import: "
                f"{added.label}",
            )
            found[key] = added.pk
        return found

    def _consent_links(self, batch, concerns) -> dict[str, int]:
        """share ref -> the consent decision it names (one query per batch).

        A decision is named by its question, the day it was made and, when
        given, the time it was recorded; it must be about the share's adult.
        """
        wanted = [r for r in batch if r.get("consent_decision")]
        if not wanted:
            return {}
        people = {concerns[r["concern"]]["person_id"] for r in wanted}
        found: dict[tuple, list] = defaultdict(list)
        for row in (
            ConsentDecision.objects.filter(person_id__any_of=people)
            .order_by("pk")
            .values("pk", "person_id", "question", "decided_on", "recorded_at")
        ):
            found[(row["person_id"], row["question"], row["decided_on"])].append(row)
        links = {}
        for record in wanted:
            named = record["consent_decision"]
            person = concerns[record["concern"]]["person_id"]
            day = _day(named.get("decided_on"))
            moment = _moment_of(named.get("recorded_at"))
            rows = [
                row
                for row in found[(person, named["question"], day)]
                if moment is None or row["recorded_at"] == moment
            ]
            if not rows:
                raise ImportFailed(
                    f"information_share {record['ref']}: consent_decision: the "
                    f"adult has no consent decision on {named['question']!r} "
                    f"made on {named.get('decided_on')}"
                )
            links[record["ref"]] = rows[0]["pk"]
        return links

    def shares(self) -> None:
        for batch in _records(self.source, "information_share"):
            concerns = _existing(
                Concern, {r["concern"] for r in batch}, "pk", "person_id"
            )
            enquiries = _existing(
                Enquiry, {r["enquiry"] for r in batch if r.get("enquiry")}, "pk"
            )
            requests = _existing(
                partner_models.S45Request,
                {r["s45_request"] for r in batch if r.get("s45_request")},
                "pk",
            )
            consents = self._consent_links(batch, concerns)
            existing = _existing(InformationShare, {r["ref"] for r in batch})
            organisations = self._organisations([r["organisation"] for r in batch])

            def values_of(
                record: dict, concerns=concerns, enquiries=enquiries, orgs=organisations
            ) -> dict:
                org = record["organisation"]
                enquiry = enquiries.get(record.get("enquiry") or "")
                return {
                    "concern_id": concerns[record["concern"]]["pk"],
                    "enquiry_id": enquiry["pk"] if enquiry else None,
                    "organisation_id": orgs[_org_key(org)],
                    "direction": record["direction"],
                    "shared_on": _day(record["shared_on"]),
                    "what": record["what"],
                    "why": record["why"],
                    "lawful_basis": record["lawful_basis"],
                    "article6": record["article6"],
                    "special_condition": record["special_condition"],
                    "consent": record["consent"],
                    "override_ground": record.get("override_ground") or "",
                    "not_asked_reason": record.get("not_asked_reason") or "",
                    "adult_told": record["adult_told"],
                    "adult_told_reason": record.get("adult_told_reason") or "",
                    **links_of(record),
                }

            def links_of(
                record: dict, requests=requests, consents=consents, existing=existing
            ) -> dict:
                # A file without the fields (written before they were
                # carried) keeps the links recorded here.
                current = existing.get(record["ref"])
                links = {}
                if "s45_request" in record:
                    request = requests.get(record["s45_request"] or "")
                    links["s45_request_id"] = request["pk"] if request else None
                elif current is not None:
                    links["s45_request_id"] = current.s45_request_id
                if "consent_decision" in record:
                    links["consent_decision_id"] = consents.get(record["ref"])
                elif current is not None:
                    links["consent_decision_id"] = current.consent_decision_id
                return links

            created, changed = self._split(
                InformationShare, "information_share", batch, values_of, existing
            )
            self._save(
                InformationShare,
                "information_share",
                created,
                changed,
                self.SHARE_FIELDS,
            )
            self._tick(len(batch), "information shares")

    # -- history lists on people and enquiries (version 2) --------------------

    def lists(self) -> None:
        """Each history list (``interchange_lists``), append-only: items not
        already recorded on the case are added, with the time they were
        typed in as the file gives it. One pass over the file per parent
        record type, decoding only the lines that name one of its lists."""
        for parent in (
            "person",
            "enquiry",
            "sar",
            "organisational_enquiry",
            "pipot_case",
        ):
            specs = interchange_lists.lists_of(parent)
            if not specs:
                continue
            names = tuple(f'"{spec.name}"'.encode() for spec in specs)
            for batch in _records(self.source, parent, names):
                for spec in specs:
                    self._list_batch(spec, batch)

    def _list_batch(self, spec, batch: list[dict]) -> None:
        wanted = [r for r in batch if r.get(spec.name)]
        if not wanted:
            return
        model = _MODELS[spec.parent]
        parents = _existing(model, {r["ref"] for r in wanted}, *spec.parent_values())
        have = spec.exported([p["pk"] for p in parents.values()], _attending)
        if spec.agencies:
            for items in have.values():
                for item in items:
                    item["agencies"] = _attending_keys(item["agencies"])
        new = []
        attending: list[tuple[models.Model, str, str, list]] = []
        for record in wanted:
            parent = parents[record["ref"]]
            rows = [
                spec.instance(item, parent, self.user, _moment_of)
                for item in record[spec.name]
            ]
            # Compared as this system would export them, defaults filled in,
            # so an item already recorded is found.
            shown = [
                spec.as_item(
                    row,
                    bool(item.get("recorded_at")),
                    _attending_keys(item.get("agencies")),
                )
                for row, item in zip(rows, record[spec.name], strict=True)
            ]
            missing = {id(item) for item in _missing(shown, have.get(parent["pk"], []))}
            self.report.unchanged[spec.name] += len(rows) - len(missing)
            for index, (row, item) in enumerate(zip(rows, shown, strict=True)):
                if id(item) not in missing:
                    continue
                for name, messages in spec.problems(row).items():
                    raise ImportFailed(
                        f"{spec.parent} {record['ref']}: "
                        f"{spec.name}[{index}].{name}: {messages[0]}"
                    )
                new.append(row)
                agencies = record[spec.name][index].get("agencies")
                if spec.agencies and agencies:
                    where = f"{spec.parent} {record['ref']}: {spec.name}[{index}]"
                    attending.append((row, where, record["ref"], agencies))
        self._insert(spec.model, new, need_pks=bool(attending))
        if attending:
            self._attendees(spec, parents, attending)
        self.report.created[spec.name] += len(new)
        self._tick(len(new), spec.name.replace("_", " "))

    def _attendees(self, spec, parents: dict, attending: list) -> None:
        """Link new rows to the involved agencies their items name: each
        matched on its concern's ref and every field, among the agencies of
        the cases linked to the parent (a large-scale enquiry's enquiries),
        as the meeting page offers them."""
        linked: dict[int, set[int]] = defaultdict(set)
        for link in Enquiry.objects.filter(
            organisational_enquiry_id__any_of=[p["pk"] for p in parents.values()]
        ).values("organisational_enquiry_id", "concern_id"):
            linked[link["organisational_enquiry_id"]].add(link["concern_id"])
        refs = {a.get("concern") for *_, agencies in attending for a in agencies}
        concerns = _existing(Concern, {r for r in refs if isinstance(r, str)}, "pk")
        pool: dict[tuple[int, str], list[int]] = defaultdict(list)
        for row in (
            partner_models.InvolvedAgency.objects.filter(
                concern_id__any_of=[c["pk"] for c in concerns.values()]
            )
            .order_by("pk")
            .values("pk", "concern_id", *AGENCY_VALUES)
        ):
            key = _agency_key(_agency_item(row))
            pool[(row["concern_id"], key)].append(row["pk"])
        field = spec.model._meta.get_field(spec.agencies)
        through = field.remote_field.through
        row_id, agency_id = (
            f"{field.m2m_field_name()}_id",
            f"{field.m2m_reverse_field_name()}_id",
        )
        links = []
        for row, where, parent_ref, agencies in attending:
            taken: set[int] = set()
            for index, agency in enumerate(agencies):
                concern = concerns.get(agency.get("concern"))
                if (
                    concern is None
                    or concern["pk"] not in linked[parents[parent_ref]["pk"]]
                ):
                    raise ImportFailed(
                        f"{where}.agencies[{index}].concern: not a concern of an "
                        "enquiry linked to this large-scale enquiry"
                    )
                choices = [
                    pk
                    for pk in pool[(concern["pk"], _agency_key(agency))]
                    if pk not in taken
                ]
                if not choices:
                    raise ImportFailed(
                        f"{where}.agencies[{index}]: no such involved agency on "
                        f"concern {agency['concern']} (list it in the concern's or "
                        "its enquiry's involved_agencies)"
                    )
                taken.add(choices[0])
                links.append(through(**{row_id: row.pk, agency_id: choices[0]}))
        through.objects.bulk_create(links)

    # -- documents (version 2) -----------------------------------------------

    DOCUMENT_FIELDS = [
        "person_id",
        "concern_id",
        "enquiry_id",
        "meeting_id",
        "title",
        "kind_id",
        "document_date",
        "provided_by",
        "sensitivity",
        "sensitivity_reason",
        "adults_own",
        "original_name",
        "withdrawn_at",
        "withdrawn_reason",
    ]

    def documents(self) -> None:
        """Documents: the row from the line, the file from the documents
        folder (checked against its sha256 while validating), stored through
        the ``documents`` storage. A document already held is matched on its
        reference and its details updated; its file is never replaced."""
        from enquiries.services.documents import documents_storage

        storage = documents_storage()
        for batch in _records(self.source, "document"):
            people = _existing(Person, {r["person"] for r in batch}, "pk")
            concerns = _existing(
                Concern, {r["concern"] for r in batch if r.get("concern")}, "person_id"
            )
            enquiries = _existing(
                Enquiry,
                {r["enquiry"] for r in batch if r.get("enquiry")},
                "concern_id",
                "concern__person_id",
            )
            kinds = self._document_kinds(batch)
            meetings = _meetings_of(
                [e["pk"] for e in enquiries.values()]
                if any(r.get("meeting") for r in batch)
                else []
            )
            held = {
                d.reference: d
                for d in Document.objects.filter(
                    reference__in=[_document_uuid(r["ref"]) for r in batch]
                )
            }
            created, changed = [], []
            for record in batch:
                values = self._document_values(record, people, concerns, enquiries)
                values["meeting_id"] = _document_meeting(record, values, meetings)
                values["kind_id"] = kinds[record["kind"]]
                document = held.get(_document_uuid(record["ref"]))
                if document is None:
                    uploaded = _moment_of(record.get("uploaded_at")) or self.now
                    document = Document(
                        reference=_document_uuid(record["ref"]),
                        content_type=record["content_type"],
                        size=record["size"],
                        sha256=record["sha256"],
                        storage_name=f"{uploaded:%Y/%m}/{uuid.uuid4().hex}",
                        uploaded_at=uploaded,
                        uploaded_by=self.user,
                        withdrawn_by=self.user if values["withdrawn_at"] else None,
                        **values,
                    )
                    if not self.report.dry_run:
                        with (self.source.documents / record["sha256"]).open("rb") as f:
                            document.storage_name = storage.save(
                                document.storage_name, File(f)
                            )
                        self.stored.append(document.storage_name)
                    created.append(document)
                    continue
                if document.sha256 != record["sha256"]:
                    raise ImportFailed(
                        f"document {record['ref']}: sha256: a document already "
                        "held keeps its file; it cannot be replaced by an import"
                    )
                if all(getattr(document, k) == v for k, v in values.items()):
                    self.report.unchanged["document"] += 1
                    continue
                for name, value in values.items():
                    setattr(document, name, value)
                changed.append(document)
            self._insert(Document, created)
            if changed:
                Document.objects.bulk_update(changed, self.DOCUMENT_FIELDS)
            self.report.created["document"] += len(created)
            self.report.updated["document"] += len(changed)
            self._tick(len(batch), "documents")

    @staticmethod
    def _document_values(record, people, concerns, enquiries) -> dict:
        ref = record["ref"]
        person_id = people[record["person"]]["pk"]
        concern = concerns.get(record.get("concern") or "")
        enquiry = enquiries.get(record.get("enquiry") or "")
        if enquiry and concern is None:
            concern = {
                "pk": enquiry["concern_id"],
                "person_id": enquiry["concern__person_id"],
            }
        if enquiry and enquiry["concern_id"] != concern["pk"]:
            raise ImportFailed(
                f"document {ref}: enquiry: the enquiry belongs to another concern"
            )
        if concern and concern["person_id"] not in (None, person_id):
            raise ImportFailed(
                f"document {ref}: concern: the concern is about another adult"
            )
        withdrawn = _moment_of(record.get("withdrawn_at"))
        return {
            "person_id": person_id,
            "concern_id": concern["pk"] if concern else None,
            "enquiry_id": enquiry["pk"] if enquiry else None,
            "title": record["title"],
            "document_date": _day(record["document_date"]),
            "provided_by": record["provided_by"],
            "sensitivity": record["sensitivity"],
            "sensitivity_reason": (
                record.get("sensitivity_reason") or ""
                if record["sensitivity"] != "yes"
                else ""
            ),
            "adults_own": bool(record.get("adults_own")),
            "original_name": (record.get("original_name") or "")[-255:],
            "withdrawn_at": withdrawn,
            "withdrawn_reason": record.get("withdrawn_reason") or ""
            if withdrawn
            else "",
        }

    def _document_kinds(self, batch) -> dict[str, int]:
        """Kind code -> pk; a code not held yet is added (named as the file
        names it), as an administrator would add it in admin."""
        wanted = {r["kind"]: r.get("kind_name") for r in batch}
        kinds = dict(
            DocumentKind.objects.filter(code__in=wanted).values_list("code", "pk")
        )
        for code, name in wanted.items():
            if code not in kinds:
                kinds[code] = DocumentKind.objects.create(
                    code=code, name=(name or code)[:100]
                ).pk
        return kinds


def import_cases(
    path_or_stream,
    *,
    stdout: IO[str] | None = None,
    stderr: IO[str] | None = None,
    team_code: str | None = None,
    dry_run: bool = False,
    user=None,
    source_name: str = "",
    progress: Callable[[str, int, int | None], None] | None = None,
    documents: str | os.PathLike | None = None,
) -> ImportReport:
    """Import an interchange file: all or nothing. Returns the report.

    With ``dry_run`` the whole import runs and is then rolled back, so the
    report shows exactly what a real run would do. ``progress``, if given, is
    called now and then with ``("checking", lines read, None)`` and then
    ``("importing", records written, records in the file)``; the writing
    part runs inside one transaction, so it must not rely on saving to the
    database to be seen.
    """
    report = ImportReport(dry_run=dry_run)
    source = _Source(path_or_stream, documents)
    writer = None
    committed = False
    try:
        _validate(source, report, stderr, progress)
        if progress is not None:
            progress("checking", report.lines, None)
        if report.ok:
            try:
                with transaction.atomic():
                    team = _import_team(team_code)
                    report.team = team.name
                    writer = _Writer(source, report, team, user, stderr)
                    writer.progress = progress
                    writer.people()
                    writer.concerns()
                    writer.enquiries()
                    writer.reviews()
                    writer.organisational()
                    writer.pipot_cases()
                    writer.s45_requests()
                    writer.shares()
                    writer.lists()
                    writer.documents()
                    signals.case_records_loaded.send(
                        sender=Enquiry,
                        enquiry_ids=writer.loaded_enquiry_ids(),
                        concern_ids=writer.concern_pks,
                    )
                    audit.record(
                        actor=user,
                        action="create",
                        summary=_audit_summary(report, source_name),
                        changes={
                            "created": dict(report.created),
                            "updated": dict(report.updated),
                        },
                    )
                    if dry_run:
                        raise ImportFailed("dry run")
                committed = True
            except ImportFailed as exc:
                if not dry_run or str(exc) != "dry run":
                    report.errors.append(str(exc))
            except IntegrityError as exc:
                # Checked data that the database still refuses (for example a
                # ref matching two existing records): nothing was kept.
                report.errors.append(
                    f"database: the records could not be saved ({exc})"
                )
    finally:
        source.close()
        if writer is not None and not committed:
            # All or nothing: the files stored before a later failure go too.
            _remove_stored(writer.stored)
    if stdout is not None:
        for line in report.summary_lines():
            stdout.write(line + "\n")
    return report


def _meetings_of(enquiry_pks: list[int]) -> dict[tuple, int]:
    """(enquiry pk, kind, day) -> the first such meeting of these enquiries."""
    found: dict[tuple, int] = {}
    for row in (
        Meeting.objects.filter(enquiry_id__any_of=enquiry_pks)
        .order_by("pk")
        .values_list("enquiry_id", "kind", "held_on", "pk")
    ):
        found.setdefault(row[:3], row[3])
    return found


def _document_meeting(record: dict, values: dict, meetings: dict) -> int | None:
    """A document's meeting, named by its kind and day among the meetings
    of the document's enquiry (meetings have no ref of their own)."""
    meeting = record.get("meeting")
    if not meeting:
        return None
    key = (values["enquiry_id"], meeting["kind"], _day(meeting["held_on"]))
    if values["enquiry_id"] is None or key not in meetings:
        raise ImportFailed(
            f"document {record['ref']}: meeting: no {meeting['kind']} meeting on "
            f"{meeting['held_on']} in the document's enquiry"
        )
    return meetings[key]


def _remove_stored(names: list[str]) -> None:
    from enquiries.services.documents import documents_storage

    storage = documents_storage()
    for name in names:
        with contextlib.suppress(OSError):
            storage.delete(name)


# A document's ref that is not a UUID (from another system) becomes one, the
# same every time, so importing the file again finds the same document.
DOCUMENT_REFS = uuid.UUID("5b0f3c52-3c1e-4f7e-9d55-6a1c2f1e8d17")


def _document_uuid(ref: str) -> uuid.UUID:
    return _as_uuid(ref) or uuid.uuid5(DOCUMENT_REFS, ref)


def _audit_summary(report: ImportReport, source_name: str) -> str:
    counts = ", ".join(
        f"{kind} {report.created[kind]} created / {report.updated[kind]} updated"
        for kind in RECORD_TYPES
    )
    where = f" from {source_name}" if source_name else ""
    return f"Imported case records{where}: {counts}"


# ---------------------------------------------------------------------------
# Export
# ---------------------------------------------------------------------------


def _iso(day: datetime.date | None) -> str | None:
    return day.isoformat() if day else None


def _keyset(queryset, fields: list[str]) -> Iterator[list[dict]]:
    """Batches of values() rows in primary-key order, without OFFSET."""
    last = 0
    while True:
        rows = list(
            queryset.filter(pk__gt=last).order_by("pk").values(*fields)[:BATCH_SIZE]
        )
        if not rows:
            return
        yield rows
        last = rows[-1]["pk"]


def _write(stream: IO[str], record: dict) -> None:
    stream.write(json.dumps(record, ensure_ascii=False) + "\n")


VIEW_VALUES = [
    "stage",
    "source",
    "views_text",
    "own_words",
    "not_obtained_reason",
    "given_on",
    "recorded_at",
]
CONSENT_VALUES = [
    "question",
    "answer",
    "agency",
    "not_asked_reason",
    "overridden",
    "override_grounds",
    "override_reason",
    "adult_informed_of_override",
    "decided_on",
    "recorded_at",
]


def _view_item(row: dict) -> dict:
    return {
        "stage": row["stage"],
        "source": row["source"],
        "text": row["views_text"] or None,
        "own_words": row["own_words"],
        "not_obtained_reason": row["not_obtained_reason"] or None,
        "given_on": _iso(row["given_on"]),
        "recorded_at": row["recorded_at"].isoformat(),
    }


def _view_chain(row: dict, every: dict[int, dict]) -> dict:
    """A current view, and (version 2) the entries it corrected, each as
    ``replaces`` of its correction, with the correction's reason."""
    item = _view_item(row)
    node = item
    while row["supersedes_id"] in every:
        older = every[row["supersedes_id"]]
        node["correction_reason"] = row["correction_reason"] or None
        node["replaces"] = _view_item(older)
        node, row = node["replaces"], older
    return item


def _consent_item(row: dict) -> dict:
    return {
        "question": row["question"],
        "answer": row["answer"],
        "agency": row["agency"] or None,
        "not_asked_reason": row["not_asked_reason"] or None,
        "overridden": row["overridden"],
        "override_grounds": list(row["override_grounds"] or []),
        "override_reason": row["override_reason"] or None,
        "adult_informed_of_override": row["adult_informed_of_override"],
        "decided_on": _iso(row["decided_on"]),
        "recorded_at": row["recorded_at"].isoformat(),
    }


def _voice_of(field: str, pks: list[int]) -> tuple[dict, dict]:
    """The current views (not superseded) and the consent decisions recorded
    on these concerns (``field`` "concern", at the concern stage only) or
    enquiries: two maps of pk -> list of interchange items."""
    views: dict[int, list] = defaultdict(list)
    consents: dict[int, list] = defaultdict(list)
    on_case = {f"{field}_id__any_of": pks}
    if field == "concern":
        on_case["enquiry__isnull"] = True
    every = {
        row["pk"]: row
        for row in PersonView.objects.filter(**on_case)
        .order_by("pk")
        .values("pk", f"{field}_id", "supersedes_id", "correction_reason", *VIEW_VALUES)
    }
    corrected = {row["supersedes_id"] for row in every.values()}
    for pk, row in every.items():
        if pk not in corrected:  # current: nothing corrects it
            views[row[f"{field}_id"]].append(_view_chain(row, every))
    for row in (
        ConsentDecision.objects.filter(**on_case)
        .order_by("pk")
        .values(f"{field}_id", *CONSENT_VALUES)
    ):
        consents[row[f"{field}_id"]].append(_consent_item(row))
    return views, consents


def _history_of(parent: str, pks: list[int]) -> dict[str, dict[int, list]]:
    """List name -> parent pk -> items, for one batch of people or enquiries
    (one query per list type)."""
    return {
        spec.name: spec.exported(pks, _attending)
        for spec in interchange_lists.lists_of(parent)
    }


def _history_items(history: dict[str, dict[int, list]], pk: int) -> dict:
    """The lists this record has items in (written only when there are any,
    so a record with no history keeps version 1's shape)."""
    return {name: items[pk] for name, items in history.items() if items.get(pk)}


def _add_voice(record: dict, pk: int, views: dict, consents: dict) -> None:
    """Written only when there are any, so other records keep version 1's shape."""
    if views.get(pk):
        record["views"] = views[pk]
    if consents.get(pk):
        record["consent_decisions"] = consents[pk]


def export_cases(
    stream: IO[str], documents: str | os.PathLike | None = None
) -> Counter:
    """Write every record as interchange JSON Lines (version 2, its header
    first); returns counts per type. With ``documents`` (a folder, made if
    need be) the documents are written too: a ``document`` line each, and
    each file's content in the folder, named by its sha256."""
    counts: Counter = Counter()
    _write(stream, {"record": "header", "format": "interchange", "version": 2})
    for rows in _keyset(
        Person.objects.all(),
        [
            "pk",
            "source_ref",
            "reference",
            "given_name",
            "family_name",
            "date_of_birth",
            "date_of_death",
            "gender",
            "gender_identity",
            "ethnicity",
            "primary_support_reason",
            "health_conditions",
            "nhs_number",
        ],
    ):
        history = _history_of("person", [row["pk"] for row in rows])
        for row in rows:
            _write(
                stream,
                {
                    "record": "person",
                    "ref": _ref_of(row["source_ref"], row["reference"]),
                    "given_name": row["given_name"],
                    "family_name": row["family_name"],
                    "date_of_birth": _iso(row["date_of_birth"]),
                    "date_of_death": _iso(row["date_of_death"]),
                    "gender": row["gender"] or None,
                    "gender_identity": row["gender_identity"] or None,
                    "ethnicity": row["ethnicity"] or None,
                    "primary_support_reason": row["primary_support_reason"] or None,
                    "health_conditions": list(row["health_conditions"] or []),
                    "nhs_number": row["nhs_number"] or None,
                    **_history_items(history, row["pk"]),
                },
            )
            counts["person"] += 1
    for rows in _keyset(
        Concern.objects.all(),
        [
            "pk",
            "source_ref",
            "reference",
            "person__source_ref",
            "person__reference",
            "received_on",
            "decided_on",
            "in_our_area",
            "referrer_type",
            "summary",
        ],
    ):
        views, consents = _voice_of("concern", [row["pk"] for row in rows])
        agencies = _agencies_of("concern", [row["pk"] for row in rows])
        for row in rows:
            record = {
                "record": "concern",
                "ref": _ref_of(row["source_ref"], row["reference"]),
                "person": _ref_of(row["person__source_ref"], row["person__reference"]),
                "received_on": _iso(row["received_on"]),
                "decided_on": _iso(row["decided_on"]),
                "in_our_area": row["in_our_area"],
                "referrer_type": row["referrer_type"] or None,
                "summary": row["summary"] or None,
            }
            _add_voice(record, row["pk"], views, consents)
            if agencies.get(row["pk"]):
                record["involved_agencies"] = agencies[row["pk"]]
            _write(stream, record)
            counts["concern"] += 1
    _export_enquiries(stream, counts)
    _export_reviews(stream, counts)
    _export_organisational(stream, counts)
    _export_pipot(stream, counts)
    _export_s45(stream, counts)
    _export_shares(stream, counts)
    if documents is not None:
        _export_documents(stream, counts, Path(documents))
    return counts


DOCUMENT_VALUES = [
    "pk",
    "reference",
    "person__source_ref",
    "person__reference",
    "concern__source_ref",
    "concern__reference",
    "enquiry__source_ref",
    "enquiry__reference",
    "meeting__kind",
    "meeting__held_on",
    "title",
    "kind__code",
    "kind__name",
    "document_date",
    "provided_by",
    "sensitivity",
    "sensitivity_reason",
    "adults_own",
    "original_name",
    "content_type",
    "size",
    "sha256",
    "storage_name",
    "uploaded_at",
    "withdrawn_at",
    "withdrawn_reason",
]


def _export_documents(stream: IO[str], counts: Counter, folder: Path) -> None:
    """Every document, withdrawn ones included (with when and why), and its
    file copied once per content into ``folder``/<sha256>."""
    from enquiries.services.documents import documents_storage

    storage = documents_storage()
    folder.mkdir(parents=True, exist_ok=True)

    def ref(row: dict, name: str) -> str | None:
        if row[f"{name}__reference"] is None:
            return None
        return _ref_of(row[f"{name}__source_ref"], row[f"{name}__reference"])

    def moment(value: datetime.datetime | None) -> str | None:
        return value.isoformat() if value else None

    for rows in _keyset(Document.objects.all(), DOCUMENT_VALUES):
        for row in rows:
            target = folder / row["sha256"]
            if not target.exists():
                partial = target.with_name(target.name + ".part")
                with (
                    storage.open(row["storage_name"], "rb") as content,
                    partial.open("wb") as out,
                ):
                    shutil.copyfileobj(content, out, 1 << 20)
                partial.replace(target)
            _write(
                stream,
                {
                    "record": "document",
                    "ref": str(row["reference"]),
                    "person": ref(row, "person"),
                    "concern": ref(row, "concern"),
                    "enquiry": ref(row, "enquiry"),
                    "meeting": {
                        "kind": row["meeting__kind"],
                        "held_on": _iso(row["meeting__held_on"]),
                    }
                    if row["meeting__kind"]
                    else None,
                    "title": row["title"],
                    "kind": row["kind__code"],
                    "kind_name": row["kind__name"],
                    "document_date": _iso(row["document_date"]),
                    "provided_by": row["provided_by"],
                    "sensitivity": row["sensitivity"],
                    "sensitivity_reason": row["sensitivity_reason"] or None,
                    "adults_own": row["adults_own"],
                    "original_name": row["original_name"] or None,
                    "content_type": row["content_type"],
                    "size": row["size"],
                    "sha256": row["sha256"],
                    "uploaded_at": moment(row["uploaded_at"]),
                    "withdrawn_at": moment(row["withdrawn_at"]),
                    "withdrawn_reason": row["withdrawn_reason"] or None,
                },
            )
            counts["document"] += 1


def _export_enquiries(stream: IO[str], counts: Counter) -> None:
    fields = [
        "pk",
        "source_ref",
        "reference",
        "concern_id",
        "concern__source_ref",
        "concern__reference",
        "kind",
        "kind_at_start",
        "started_on",
        "findings_on",
        "outcome_on",
        "concluded_on",
        "risk_assessment_outcome",
        "risk_result",
        "lacked_capacity",
        "capacity_support",
        "asked_desired_outcomes",
        "outcomes_achieved",
    ]
    for rows in _keyset(Enquiry.objects.all(), fields):
        pks = [row["pk"] for row in rows]
        risks: dict[int, list] = defaultdict(list)
        for risk in (
            Risk.objects.filter(enquiry_id__any_of=pks, is_withdrawn=False)
            .order_by("pk")
            .values(
                "enquiry_id",
                "risk_type",
                "location",
                "source",
                "place_postcode",
                "place_name",
                "source_organisation__name",
                "source_organisation__postcode",
                "source_organisation__kind",
            )
        ):
            item = {
                "type": risk["risk_type"] or None,
                "location": risk["location"] or None,
                "source": risk["source"] or None,
            }
            # The place only when recorded (optional fields, issue 19).
            if risk["place_postcode"]:
                item["place_postcode"] = risk["place_postcode"]
            if risk["place_name"]:
                item["place_name"] = risk["place_name"]
            if risk["source_organisation__name"]:
                item["organisation"] = _org_item(risk, "source_organisation__")
            risks[risk["enquiry_id"]].append(item)
        outcomes_by_enquiry: dict[int, list] = defaultdict(list)
        outcomes_by_concern: dict[int, list] = defaultdict(list)
        concern_ids = {row["concern_id"] for row in rows}
        for outcome in (
            DesiredOutcome.objects.exclude(status=DesiredOutcome.Status.WITHDRAWN)
            .filter(
                Q(enquiry_id__any_of=pks)
                | Q(enquiry__isnull=True, concern_id__any_of=concern_ids)
            )
            .order_by("pk")
            .values(
                "enquiry_id",
                "concern_id",
                "text",
                "achieved",
                "evaluated_on",
                "recorded_at",
                "status",
                "revision_reason",
            )
        ):
            item = {
                "text": outcome["text"],
                "achieved": outcome["achieved"] or None,
                "evaluated_on": _iso(outcome["evaluated_on"]),
                "recorded_at": outcome["recorded_at"].isoformat(),
            }
            if outcome["status"] == DesiredOutcome.Status.REVISED:
                # Version 2: it was revised (the revision is another item).
                item["status"] = "revised"
                item["revision_reason"] = outcome["revision_reason"] or None
            if outcome["enquiry_id"]:
                outcomes_by_enquiry[outcome["enquiry_id"]].append(item)
            else:
                outcomes_by_concern[outcome["concern_id"]].append(item)
        views, consents = _voice_of("enquiry", pks)
        agencies = _agencies_of("enquiry", pks)
        requests = _requests_of(pks)
        history = _history_of("enquiry", pks)
        for row in rows:
            record = {
                "record": "enquiry",
                **_case_refs(row, enquiry=False),
                "kind": row["kind"],
                "started_on": _iso(row["started_on"]),
                "concluded_on": _iso(row["concluded_on"]),
                "risks": risks[row["pk"]],
                "risk_assessment_outcome": row["risk_assessment_outcome"] or None,
                "risk_result": row["risk_result"] or None,
                "lacked_capacity": row["lacked_capacity"] or None,
                "capacity_support": row["capacity_support"],
                "asked_desired_outcomes": row["asked_desired_outcomes"] or None,
                "desired_outcomes": outcomes_by_concern[row["concern_id"]]
                + outcomes_by_enquiry[row["pk"]],
                "outcomes_achieved": row["outcomes_achieved"] or None,
            }
            if row["kind_at_start"] and row["kind_at_start"] != row["kind"]:
                record["kind_at_start"] = row["kind_at_start"]
            for name in ("findings_on", "outcome_on"):
                if row[name]:
                    record[name] = _iso(row[name])
            _add_voice(record, row["pk"], views, consents)
            # Written only when there are any (version 1's shape otherwise).
            if agencies.get(row["pk"]):
                record["involved_agencies"] = agencies[row["pk"]]
            if requests.get(row["pk"]):
                record["partner_requests"] = requests[row["pk"]]
            record.update(_history_items(history, row["pk"]))
            _write(stream, record)
            counts["enquiry"] += 1


def _export_reviews(stream: IO[str], counts: Counter) -> None:
    fields = [
        "pk",
        "source_ref",
        "reference",
        "title",
        "commissioned_on",
        "completed_on",
        *(name for name, kind in SAR_PROCESS if kind != "enquiry"),
        "referred_from_enquiry__source_ref",
        "referred_from_enquiry__reference",
    ]
    for rows in _keyset(SafeguardingAdultsReview.objects.all(), fields):
        history = _history_of("sar", [r["pk"] for r in rows])
        individuals: dict[int, list] = defaultdict(list)
        for row in (
            SarIndividual.objects.filter(review_id__any_of=[r["pk"] for r in rows])
            .order_by("pk")
            .values("review_id", "person__source_ref", "person__reference", "died")
        ):
            person = (
                _ref_of(row["person__source_ref"], row["person__reference"])
                if row["person__reference"]
                else None
            )
            individuals[row["review_id"]].append(
                {"person": person, "died": row["died"]}
            )
        for row in rows:
            record = {
                "record": "sar",
                "ref": _ref_of(row["source_ref"], row["reference"]),
                "title": row["title"],
                "commissioned_on": _iso(row["commissioned_on"]),
                "completed_on": _iso(row["completed_on"]),
                "individuals": individuals[row["pk"]],
            }
            for name, kind in SAR_PROCESS:
                if kind == "enquiry":
                    value = row["referred_from_enquiry__reference"] and _ref_of(
                        row["referred_from_enquiry__source_ref"],
                        row["referred_from_enquiry__reference"],
                    )
                else:
                    value = _iso(row[name]) if kind == "date" else row[name]
                if value:  # written only when recorded
                    record[name] = value
            record.update(_history_items(history, row["pk"]))
            _write(stream, record)
            counts["sar"] += 1


def _organisational_status(record: dict) -> str:
    """A file that does not say: closed once closed_on is given, concluded
    once concluded_on is, otherwise open."""
    if record.get("closed_on"):
        return OrganisationalEnquiry.Status.CLOSED
    if record.get("concluded_on"):
        return OrganisationalEnquiry.Status.CONCLUDED
    return OrganisationalEnquiry.Status.OPEN


def _export_organisational(stream: IO[str], counts: Counter) -> None:
    fields = [
        "pk",
        "source_ref",
        "reference",
        "organisation__name",
        "organisation__postcode",
        "organisation__kind",
        *(name for name, _ in ORGANISATIONAL),
    ]
    for rows in _keyset(OrganisationalEnquiry.objects.all(), fields):
        pks = [r["pk"] for r in rows]
        history = _history_of("organisational_enquiry", pks)
        links: dict[int, list] = defaultdict(list)
        for row in (
            Enquiry.objects.filter(organisational_enquiry_id__any_of=pks)
            .order_by("pk")
            .values("organisational_enquiry_id", "source_ref", "reference")
        ):
            links[row["organisational_enquiry_id"]].append(
                _ref_of(row["source_ref"], row["reference"])
            )
        for row in rows:
            record = {
                "record": "organisational_enquiry",
                "ref": _ref_of(row["source_ref"], row["reference"]),
                "organisation": _org_item(row),
            }
            for name, kind in ORGANISATIONAL:
                value = row[name]
                if kind == "date":
                    value = _iso(value)
                elif kind == "text":
                    value = value or None
                record[name] = value
            record["enquiries"] = links[row["pk"]]
            record.update(_history_items(history, row["pk"]))
            _write(stream, record)
            counts["organisational_enquiry"] += 1


def _export_pipot(stream: IO[str], counts: Counter) -> None:
    """PiPoT cases with the minimum data (decision 0026): no named workers,
    no link to the worker's own record, no other concerns linked."""
    fields = [
        "pk",
        "source_ref",
        "reference",
        "concern__source_ref",
        "concern__reference",
        "enquiry__source_ref",
        "enquiry__reference",
        "employer__name",
        "employer__postcode",
        "employer__kind",
        *(name for name, _ in PIPOT),
    ]
    for rows in _keyset(PipotCase.objects.all(), fields):
        history = _history_of("pipot_case", [r["pk"] for r in rows])
        for row in rows:
            record = {
                "record": "pipot_case",
                **_case_refs(row),
                "employer": _org_item(row, "employer__"),
            }
            for name, kind in PIPOT:
                value = row[name]
                if kind in ("date", "moment"):
                    value = value.isoformat() if value else None
                else:
                    value = value or None
                record[name] = value
            record.update(_history_items(history, row["pk"]))
            _write(stream, record)
            counts["pipot_case"] += 1


def _export_s45(stream: IO[str], counts: Counter) -> None:
    """s45 requests (withdrawn ones left out, like shares)."""
    fields = [
        "pk",
        "source_ref",
        "reference",
        "concern__source_ref",
        "concern__reference",
        "enquiry__source_ref",
        "enquiry__reference",
        "organisation__name",
        "organisation__postcode",
        "organisation__kind",
        "direction",
        "requested_on",
        "due_on",
        "what_requested",
        "decision",
        "decided_on",
        "decision_reason",
    ]
    requests = partner_models.S45Request.objects.filter(withdrawn_at__isnull=True)
    for rows in _keyset(requests, fields):
        for row in rows:
            _write(
                stream,
                {
                    "record": "s45_request",
                    **_case_refs(row),
                    "direction": row["direction"],
                    "organisation": _org_item(row),
                    "requested_on": _iso(row["requested_on"]),
                    "due_on": _iso(row["due_on"]),
                    "what_requested": row["what_requested"],
                    "decision": row["decision"],
                    "decided_on": _iso(row["decided_on"]),
                    "decision_reason": row["decision_reason"] or None,
                },
            )
            counts["s45_request"] += 1


def _export_shares(stream: IO[str], counts: Counter) -> None:
    """The information-sharing log (entries withdrawn as made in error are
    left out: they record nothing that happened)."""
    fields = [
        "pk",
        "source_ref",
        "reference",
        "concern__source_ref",
        "concern__reference",
        "enquiry__source_ref",
        "enquiry__reference",
        "organisation__name",
        "organisation__postcode",
        "organisation__kind",
        "direction",
        "shared_on",
        "what",
        "why",
        "lawful_basis",
        "article6",
        "special_condition",
        "consent",
        "override_ground",
        "not_asked_reason",
        "adult_told",
        "adult_told_reason",
        "s45_request__source_ref",
        "s45_request__reference",
        "consent_decision__question",
        "consent_decision__decided_on",
        "consent_decision__recorded_at",
    ]
    shares = InformationShare.objects.filter(withdrawn_at__isnull=True)
    for rows in _keyset(shares, fields):
        for row in rows:
            _write(
                stream,
                {
                    "record": "information_share",
                    **_case_refs(row),
                    "direction": row["direction"],
                    "shared_on": _iso(row["shared_on"]),
                    "organisation": _org_item(row),
                    "what": row["what"],
                    "why": row["why"],
                    "lawful_basis": row["lawful_basis"],
                    "article6": row["article6"],
                    "special_condition": row["special_condition"],
                    "consent": row["consent"],
                    "override_ground": row["override_ground"] or None,
                    "not_asked_reason": row["not_asked_reason"] or None,
                    "adult_told": row["adult_told"],
                    "adult_told_reason": row["adult_told_reason"] or None,
                    "s45_request": (
                        _ref_of(
                            row["s45_request__source_ref"],
                            row["s45_request__reference"],
                        )
                        if row["s45_request__reference"]
                        else None
                    ),
                    "consent_decision": (
                        {
                            "question": row["consent_decision__question"],
                            "decided_on": _iso(row["consent_decision__decided_on"]),
                            "recorded_at": row[
                                "consent_decision__recorded_at"
                            ].isoformat(),
                        }
                        if row["consent_decision__question"]
                        else None
                    ),
                },
            )
            counts["information_share"] += 1


def copy_upload(upload, directory: str | None = None) -> str:
    """Keep an uploaded file in a private temporary file; returns its path."""
    folder = Path(directory) / "msp-imports" if directory else private_upload_folder()
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    handle, name = tempfile.mkstemp(prefix="upload-", suffix=".jsonl", dir=folder)
    with os.fdopen(handle, "wb") as out:
        for chunk in upload.chunks():
            out.write(chunk)
    return name


def private_upload_folder() -> Path:
    """Where uploads and web exports wait (``INTERCHANGE_FOLDER``, shared by
    the app servers and the task worker; default ``<tmp>/msp-imports``)."""
    configured = getattr(settings, "INTERCHANGE_FOLDER", "")
    return (
        Path(configured) if configured else Path(tempfile.gettempdir()) / "msp-imports"
    )


__all__ = [
    "ImportReport",
    "export_cases",
    "import_cases",
    "copy_upload",
    "private_upload_folder",
]
