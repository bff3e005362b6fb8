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
import json
import os
import re
import sqlite3
import tempfile
import uuid
from collections import Counter, defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, models, transaction
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone

from enquiries import codes
from enquiries.links import url_maker
from enquiries.models import (
    ChronologyEvent,
    Concern,
    DesiredOutcome,
    Enquiry,
    Person,
    Risk,
    SafeguardingAdultsReview,
    SarIndividual,
    adult_on,
    refresh_adult_on_receipt,
    refresh_outcomes_expressed,
    validate_nhs_number,
)
from msp import audit
from msp.models import Team

FORMAT_VERSION = 1
BATCH_SIZE = 2000
PROGRESS_EVERY = 10_000
RECORD_TYPES = ("person", "concern", "enquiry", "sar")
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
        "in_our_area",
        "referrer_type",
        "summary",
    },
    "enquiry": {
        "record",
        "ref",
        "concern",
        "kind",
        "kind_at_start",
        "started_on",
        "concluded_on",
        "risks",
        "risk_assessment_outcome",
        "risk_result",
        "lacked_capacity",
        "capacity_support",
        "asked_desired_outcomes",
        "desired_outcomes",
        "outcomes_achieved",
    },
    "sar": {"record", "ref", "title", "commissioned_on", "completed_on", "individuals"},
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

    def __init__(self, path_or_stream):
        self._temp: str | None = None
        if isinstance(path_or_stream, str | os.PathLike):
            self.path = Path(path_or_stream)
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
    check.boolean("in_our_area")
    check.code("referrer_type", REFERRER_TYPES)
    check.text("summary")


def _check_enquiry(check: _Checker) -> None:
    kind = check.code("kind", ENQUIRY_KINDS, required=True)
    check.code("kind_at_start", ENQUIRY_KINDS)
    started = check.date("started_on", required=True)
    concluded = check.date("concluded_on")
    if started and concluded and concluded < started:
        check.error("concluded_on", "must be on or after started_on")
    del kind
    for index, risk in enumerate(check.items("risks")):
        where = f"risks[{index}]"
        if not isinstance(risk, dict):
            check.error(where, "must be an object with type, location and source")
            continue
        check.code(f"{where}.type", RISK_TYPES, value=risk.get("type"))
        check.code(f"{where}.location", RISK_LOCATIONS, value=risk.get("location"))
        check.code(f"{where}.source", RISK_SOURCES, value=risk.get("source"))
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
    check.code("outcomes_achieved", ACHIEVED)


def _check_sar(check: _Checker) -> None:
    check.text("title", max_length=200)
    check.date("commissioned_on")
    check.date("completed_on")
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


_CHECKS: dict[str, Callable[[_Checker], None]] = {
    "person": _check_person,
    "concern": _check_concern,
    "enquiry": _check_enquiry,
    "sar": _check_sar,
}

# (record type, field) -> record type the field refers to.
_REFERENCES = {("concern", "person"): "person", ("enquiry", "concern"): "concern"}


# ---------------------------------------------------------------------------
# Matching refs to database rows
# ---------------------------------------------------------------------------

_MODELS = {
    "person": Person,
    "concern": Concern,
    "enquiry": Enquiry,
    "sar": SafeguardingAdultsReview,
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


def _validate(source: _Source, report: ImportReport, stderr) -> None:
    refs = _RefIndex()
    try:
        _check_lines(source, report, stderr, refs)
        # References to records neither earlier nor later in the file must
        # be in the database already.
        report.errors.extend(
            f"line {number}: {name}: no {kind} with ref {ref!r}"
            for number, name, kind, ref in refs.dangling()
        )
    finally:
        refs.close()
    report.errors.sort(key=_line_of)


def _check_lines(source: _Source, report: ImportReport, stderr, refs: _RefIndex):
    errors = report.errors
    for number, raw in source.lines():
        report.lines = number
        if number % PROGRESS_EVERY == 0:
            _progress(stderr, f"Checked {number:,} lines")
        record, problem = _decode(number, raw)
        if problem:
            errors.append(problem)
            continue
        if record is None:
            continue
        kind = record.get("record")
        if kind not in RECORD_TYPES:
            errors.append(
                f"line {number}: record: unknown record type {kind!r} "
                "(expected person, concern, enquiry or sar)"
            )
            continue
        report.records[kind] += 1
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
        for name in record.keys() - KNOWN_FIELDS[kind]:
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


def _line_of(message: str) -> int:
    match = re.match(r"line (\d+):", message)
    return int(match.group(1)) if match else 0


def _type_pattern(kind: str) -> re.Pattern[bytes]:
    return re.compile(rb'"record"\s*:\s*"' + kind.encode() + rb'"')


def _records(source: _Source, kind: str) -> Iterator[list[dict]]:
    """Batches of the valid records of one type, in file order."""
    batch: list[dict] = []
    # Each pass reads every line; only lines that can be of this type are
    # decoded. Without a \u escape a record's type can only be written
    # literally, so a line without it is skipped unread (cheap: no JSON).
    of_type = _type_pattern(kind).search
    for number, raw in source.lines():
        if b"\\u" not in raw and not of_type(raw):
            continue
        record, _ = _decode(number, raw)
        if record is None or record.get("record") != kind:
            continue
        batch.append(record)
        if len(batch) >= BATCH_SIZE:
            yield batch
            batch = []
    if batch:
        yield batch


def _day(value: str | None) -> datetime.date | None:
    return datetime.date.fromisoformat(value) if value else None


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
        self._moments: dict[datetime.date, datetime.datetime] = {}

    def _tick(self, count: int, kind: str) -> None:
        before = self.written // PROGRESS_EVERY
        self.written += count
        if self.written // PROGRESS_EVERY > before:
            _progress(self.stderr, f"Imported {self.written:,} records ({kind})")

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
        if connection.vendor != "postgresql":
            model.objects.bulk_create(instances, batch_size=BATCH_SIZE)
            return
        meta = model._meta
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
                            value = self.now
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

    def _split(self, model, kind, batch, values_of, existing=None):
        """New instances and changed instances for one batch."""
        if existing is None:
            existing = _existing(model, {record["ref"] for record in batch})
        created, changed = [], []
        for record in batch:
            values = values_of(record)
            instance = existing.get(record["ref"])
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
        "in_our_area",
        "referrer_type",
        "summary",
        "adult_on_receipt",
        "version",
        "updated_by",
        "updated_at",
    ]

    def concerns(self) -> None:
        for batch in _records(self.source, "concern"):
            people = _existing(
                Person, {r["person"] for r in batch}, "pk", "date_of_birth"
            )

            def values_of(record: dict, people=people) -> dict:
                person = people[record["person"]]
                received = _day(record["received_on"])
                return {
                    "person_id": person["pk"],
                    "received_on": received,
                    "in_our_area": record.get("in_our_area") is not False,
                    "referrer_type": record.get("referrer_type") or "",
                    "summary": record.get("summary") or "",
                    # Written in bulk, past Concern.save(): the SAC age test.
                    "adult_on_receipt": adult_on(person["date_of_birth"], received),
                }

            created, changed = self._split(Concern, "concern", batch, values_of)
            for concern in created:
                concern.team = self.team
                concern.status = Concern.Status.CLOSED
                concern.decision = Concern.Decision.NO_ENQUIRY
                concern.other_pathway = Concern.OtherPathway.NO_FURTHER_ACTION
            self._save(Concern, "concern", created, changed, self.CONCERN_FIELDS)
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
        for batch in _records(self.source, "enquiry"):
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
            self._lists(batch, by_ref, concerns, new_pks)
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

    def _lists(self, batch, by_ref, concerns, new_pks: set[int]) -> None:
        """Risks and desired outcomes: replace a list only when it differs."""
        old_pks = [e.pk for e in by_ref.values() if e.pk not in new_pks]
        current_risks: dict[int, Counter] = defaultdict(Counter)
        current_outcomes: dict[int, Counter] = defaultdict(Counter)
        if old_pks:
            for row in Risk.objects.filter(
                enquiry_id__in=old_pks, is_withdrawn=False
            ).values("enquiry_id", "risk_type", "location", "source"):
                current_risks[row["enquiry_id"]][
                    (row["risk_type"], row["location"], row["source"])
                ] += 1
            concern_of = {e.pk: e.concern_id for e in by_ref.values()}
            enquiry_of_concern = defaultdict(list)
            for pk in old_pks:
                enquiry_of_concern[concern_of[pk]].append(pk)
            for row in (
                DesiredOutcome.objects.exclude(status=DesiredOutcome.Status.WITHDRAWN)
                .filter(
                    Q(enquiry_id__in=old_pks)
                    | Q(enquiry__isnull=True, concern_id__in=list(enquiry_of_concern))
                )
                .values("enquiry_id", "concern_id", "text", "achieved")
            ):
                targets = (
                    [row["enquiry_id"]]
                    if row["enquiry_id"]
                    else enquiry_of_concern[row["concern_id"]]
                )
                for pk in targets:
                    current_outcomes[pk][(row["text"], row["achieved"])] += 1
        new_risks: list[Risk] = []
        new_outcomes: list[DesiredOutcome] = []
        withdraw_risks: list[int] = []
        withdraw_outcomes: list[int] = []
        for record in batch:
            enquiry = by_ref[record["ref"]]
            person_id = concerns[record["concern"]]["person_id"]
            risks = Counter(
                (r.get("type") or "", r.get("location") or "", r.get("source") or "")
                for r in record.get("risks") or []
            )
            outcomes = Counter(
                (o["text"], o.get("achieved") or "")
                for o in record.get("desired_outcomes") or []
            )
            is_new = enquiry.pk in new_pks
            if is_new or risks != current_risks[enquiry.pk]:
                if not is_new:
                    withdraw_risks.append(enquiry.pk)
                new_risks.extend(
                    Risk(
                        concern_id=enquiry.concern_id,
                        enquiry_id=enquiry.pk,
                        risk_type=kind,
                        location=location,
                        source=source,
                    )
                    for (kind, location, source), n in risks.items()
                    for _ in range(n)
                )
            if is_new or outcomes != current_outcomes[enquiry.pk]:
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
                        recorded_by=self.user,
                    )
                    for (text, achieved), n in outcomes.items()
                    for _ in range(n)
                )
        if withdraw_risks:
            Risk.objects.filter(
                enquiry_id__in=withdraw_risks, is_withdrawn=False
            ).update(is_withdrawn=True)
        if withdraw_outcomes:
            withdrawn = set(withdraw_outcomes)
            concern_ids = {e.concern_id for e in by_ref.values() if e.pk in withdrawn}
            DesiredOutcome.objects.exclude(
                status=DesiredOutcome.Status.WITHDRAWN
            ).filter(
                Q(enquiry_id__in=withdraw_outcomes)
                | Q(enquiry__isnull=True, concern_id__in=concern_ids)
            ).update(status=DesiredOutcome.Status.WITHDRAWN)
        self._insert(Risk, new_risks)
        self._insert(DesiredOutcome, new_outcomes)
        # Inserted and withdrawn in bulk, past DesiredOutcome.save(): the
        # batch's enquiries, and others of the same concerns. Two statements,
        # each by an index (an OR of the two made PostgreSQL scan the table).
        touched = [by_ref[record["ref"]] for record in batch]
        refresh_outcomes_expressed(
            Enquiry.objects.filter(pk__any_of=[e.pk for e in touched])
        )
        refresh_outcomes_expressed(
            Enquiry.objects.filter(
                concern_id__any_of={e.concern_id for e in touched}
            ).exclude(pk__any_of=[e.pk for e in touched])
        )

    def _settle_concern_decisions(self) -> None:
        """Concerns in the file: decided if they led to an enquiry, else closed."""
        for batch in _records(self.source, "concern"):
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
            existing = _existing(SafeguardingAdultsReview, {r["ref"] for r in batch})

            def values_of(record: dict, existing=existing) -> dict:
                current = existing.get(record["ref"])
                title = record.get("title") or (
                    current.title
                    if current
                    else f"Safeguarding Adults Review {record['ref']}"
                )
                return {
                    "title": title,
                    "commissioned_on": _day(record.get("commissioned_on")),
                    "completed_on": _day(record.get("completed_on")),
                }

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


def import_cases(
    path_or_stream,
    *,
    stdout: IO[str] | None = None,
    stderr: IO[str] | None = None,
    team_code: str | None = None,
    dry_run: bool = False,
    user=None,
    source_name: str = "",
) -> ImportReport:
    """Import an interchange file: all or nothing. Returns the report.

    With ``dry_run`` the whole import runs and is then rolled back, so the
    report shows exactly what a real run would do.
    """
    report = ImportReport(dry_run=dry_run)
    source = _Source(path_or_stream)
    try:
        _validate(source, report, stderr)
        if report.ok:
            try:
                with transaction.atomic():
                    team = _import_team(team_code)
                    report.team = team.name
                    writer = _Writer(source, report, team, user, stderr)
                    writer.people()
                    writer.concerns()
                    writer.enquiries()
                    writer.reviews()
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
    if stdout is not None:
        for line in report.summary_lines():
            stdout.write(line + "\n")
    return report


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


def export_cases(stream: IO[str]) -> Counter:
    """Write every record as interchange JSON Lines; returns counts per type."""
    counts: Counter = Counter()
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
            "in_our_area",
            "referrer_type",
            "summary",
        ],
    ):
        for row in rows:
            _write(
                stream,
                {
                    "record": "concern",
                    "ref": _ref_of(row["source_ref"], row["reference"]),
                    "person": _ref_of(
                        row["person__source_ref"], row["person__reference"]
                    ),
                    "received_on": _iso(row["received_on"]),
                    "in_our_area": row["in_our_area"],
                    "referrer_type": row["referrer_type"] or None,
                    "summary": row["summary"] or None,
                },
            )
            counts["concern"] += 1
    _export_enquiries(stream, counts)
    _export_reviews(stream, counts)
    return counts


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
            Risk.objects.filter(enquiry_id__in=pks, is_withdrawn=False)
            .order_by("pk")
            .values("enquiry_id", "risk_type", "location", "source")
        ):
            risks[risk["enquiry_id"]].append(
                {
                    "type": risk["risk_type"] or None,
                    "location": risk["location"] or None,
                    "source": risk["source"] or None,
                }
            )
        outcomes_by_enquiry: dict[int, list] = defaultdict(list)
        outcomes_by_concern: dict[int, list] = defaultdict(list)
        concern_ids = {row["concern_id"] for row in rows}
        for outcome in (
            DesiredOutcome.objects.exclude(status=DesiredOutcome.Status.WITHDRAWN)
            .filter(
                Q(enquiry_id__in=pks)
                | Q(enquiry__isnull=True, concern_id__in=concern_ids)
            )
            .order_by("pk")
            .values("enquiry_id", "concern_id", "text", "achieved")
        ):
            item = {"text": outcome["text"], "achieved": outcome["achieved"] or None}
            if outcome["enquiry_id"]:
                outcomes_by_enquiry[outcome["enquiry_id"]].append(item)
            else:
                outcomes_by_concern[outcome["concern_id"]].append(item)
        for row in rows:
            record = {
                "record": "enquiry",
                "ref": _ref_of(row["source_ref"], row["reference"]),
                "concern": _ref_of(
                    row["concern__source_ref"], row["concern__reference"]
                ),
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
    ]
    for rows in _keyset(SafeguardingAdultsReview.objects.all(), fields):
        individuals: dict[int, list] = defaultdict(list)
        for row in (
            SarIndividual.objects.filter(review_id__in=[r["pk"] for r in rows])
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
            _write(
                stream,
                {
                    "record": "sar",
                    "ref": _ref_of(row["source_ref"], row["reference"]),
                    "title": row["title"],
                    "commissioned_on": _iso(row["commissioned_on"]),
                    "completed_on": _iso(row["completed_on"]),
                    "individuals": individuals[row["pk"]],
                },
            )
            counts["sar"] += 1


def copy_upload(upload, directory: str | None = None) -> str:
    """Keep an uploaded file in a private temporary file; returns its path."""
    folder = Path(directory or tempfile.gettempdir()) / "msp-imports"
    folder.mkdir(mode=0o700, exist_ok=True)
    handle, name = tempfile.mkstemp(prefix="upload-", suffix=".jsonl", dir=folder)
    with os.fdopen(handle, "wb") as out:
        for chunk in upload.chunks():
            out.write(chunk)
    return name


def private_upload_folder() -> Path:
    return Path(tempfile.gettempdir()) / "msp-imports"


__all__ = [
    "ImportReport",
    "export_cases",
    "import_cases",
    "copy_upload",
    "private_upload_folder",
]
