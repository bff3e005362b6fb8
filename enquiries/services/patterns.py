"""Patterns: keeping cumulative-risk flags as concerns are recorded (issue 19).

:func:`check_concern` runs inside the service that records a concern, adds an
alleged risk to it, changes it or decides it. It finds what the concern is
about (the adult; each alleged source's own record, through the relationship
the risk names; each PiPoT case it arose from or is linked to, the person in a
position of trust being an alleged source too; each organisation alleged to
have caused the harm; each place, by the postcode a risk names), and for
each active :class:`PatternRule` counts that subject's concerns in every
window of the rule's length that holds this concern. Enough of them, and a
:class:`PatternFlag` is raised, or the open flag for the same subject whose
dates overlap grows, with exactly the concerns that made it. Pages only read
the stored flags. :func:`check_all` re-checks past concerns after a rule
changes or after an import (``manage.py check_patterns``).

A concern decided "withdrawn or a duplicate" never counts. Names typed as
free text are never matched: only the records.
"""

from __future__ import annotations

import calendar
import datetime
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, Max, Min, OuterRef, Q, QuerySet, Subquery
from django.utils import timezone

from enquiries.models import Concern, PipotCase, PipotConcern, Risk
from enquiries.models.patterns import PatternFlag, PatternFlagRecord, PatternRule
from msp import audit
from msp.permissions import require_perm
from msp.roles import has_role_perm

# What a flag record repeats from its concern (follow_concerns).
_REPEATED = ("received_on", "decision", "team_id", "person_id")

Kind = PatternRule.Kind


def add_months(day: datetime.date, months: int) -> datetime.date:
    """``day`` moved by whole calendar months (31 January + 1 = 28/29 February)."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return day.replace(
        year=year, month=month, day=min(day.day, calendar.monthrange(year, month)[1])
    )


def counted_concerns() -> QuerySet[Concern]:
    """Concerns that count towards a pattern: all but withdrawn or duplicates
    (including those that led to no enquiry)."""
    return Concern.objects.exclude(
        decision=Concern.Decision.NO_ENQUIRY,
        other_pathway=Concern.OtherPathway.WITHDRAWN,
    )


def _alleged(**lookup) -> QuerySet[Risk]:
    """Risks alleged at the concern stage (not an enquiry's copy), not withdrawn."""
    return Risk.objects.filter(enquiry__isnull=True, is_withdrawn=False, **lookup)


# What a flag is about: the kind of rule, the PatternFlag field naming the
# subject, and its value.
Subject = tuple[str, str, object]


def concerns_about(kind: str, subject_id, field: str = "") -> QuerySet[Concern]:
    """The counted concerns about one subject (``field`` says which kind of
    record an alleged source is: ``person_id`` or ``pipot_case_id``)."""
    if kind == Kind.ADULT:
        return counted_concerns().filter(person_id=subject_id)
    if kind == Kind.ORGANISATION:
        risks = _alleged(source_organisation_id=subject_id)
    elif kind == Kind.LOCATION:
        risks = _alleged(place_postcode=subject_id)
    elif field == "pipot_case_id":
        return counted_concerns().filter(
            Q(pk__in=PipotCase.objects.filter(pk=subject_id).values("concern_id"))
            | Q(
                pk__in=PipotConcern.objects.filter(
                    case_id=subject_id, is_withdrawn=False
                ).values("concern_id")
            )
        )
    else:
        risks = _alleged(source_relation__individual_id=subject_id)
    return counted_concerns().filter(pk__in=risks.values("concern_id"))


def subjects_of(concern: Concern) -> list[Subject]:
    """What ``concern`` is about, for each kind of rule (three queries: its
    risks, the PiPoT cases it arose from, the PiPoT cases it is linked to)."""
    subjects: list[Subject] = [(Kind.ADULT, "person_id", concern.person_id)]
    risks = _alleged(concern=concern).values_list(
        "source_organisation_id", "source_relation__individual_id", "place_postcode"
    )
    for organisation_id, individual_id, postcode in risks:
        if organisation_id:
            subjects.append((Kind.ORGANISATION, "organisation_id", organisation_id))
        if individual_id:
            subjects.append((Kind.ALLEGED_SOURCE, "person_id", individual_id))
        if postcode:
            subjects.append((Kind.LOCATION, "postcode", postcode))
    cases = list(
        PipotCase.objects.filter(concern=concern).values_list("pk", flat=True)
    ) + list(
        PipotConcern.objects.filter(concern=concern, is_withdrawn=False).values_list(
            "case_id", flat=True
        )
    )
    for case_id in sorted(cases):
        subjects.append((Kind.ALLEGED_SOURCE, "pipot_case_id", case_id))
    return list(dict.fromkeys(subjects))


@dataclass
class Row:
    pk: int
    received_on: datetime.date
    person_id: int


def pattern_around(rule: PatternRule, rows: list[Row], day: datetime.date) -> list[Row]:
    """The concerns in every window of ``rule.window_months`` that holds
    ``day`` and reaches the threshold (concerns, or for an alleged source
    different adults). A window runs from a concern's day up to, not
    including, the same day ``window_months`` later. Empty: no pattern."""
    found: dict[int, Row] = {}
    for start in rows:
        end = add_months(start.received_on, rule.window_months)
        if not (start.received_on <= day < end):
            continue
        members = [r for r in rows if start.received_on <= r.received_on < end]
        if rule.kind == Kind.ALLEGED_SOURCE:
            reached = len({r.person_id for r in members}) >= rule.threshold
        else:
            reached = len(members) >= rule.threshold
        if reached:
            found.update((r.pk, r) for r in members)
    return sorted(found.values(), key=lambda r: (r.received_on, r.pk))


def _subject_fields(kind: str, subject_id, field: str = "") -> dict:
    if kind == Kind.ORGANISATION:
        return {"organisation_id": subject_id}
    if kind == Kind.LOCATION:
        return {"postcode": subject_id}
    if field == "pipot_case_id":
        return {"pipot_case_id": subject_id}
    return {"person_id": subject_id}


def check_subject(
    rule: PatternRule,
    subject_id,
    day: datetime.date,
    *,
    user=None,
    field: str = "",
) -> PatternFlag | None:
    """Raise or grow the flag for one subject around ``day``."""
    lo = add_months(day, -rule.window_months)
    hi = add_months(day, rule.window_months)
    rows = [
        Row(*values)
        for values in concerns_about(rule.kind, subject_id, field)
        .filter(received_on__gt=lo, received_on__lt=hi)
        .order_by("received_on", "pk")
        .values_list("pk", "received_on", "person_id")
    ]
    members = pattern_around(rule, rows, day)
    if not members:
        return None
    return _record_flag(rule, subject_id, field, members, user=user)


def _record_flag(
    rule: PatternRule, subject_id, field: str, members: list[Row], *, user=None
) -> PatternFlag:
    """Raise the flag for ``members`` (a pattern of one subject), or grow
    the open flag for the same subject whose dates overlap."""
    first, last = members[0].received_on, members[-1].received_on
    subject = _subject_fields(rule.kind, subject_id, field)
    if rule.kind == Kind.ALLEGED_SOURCE:
        # A person record and a PiPoT case are different subjects.
        subject = {"person_id": None, "pipot_case_id": None, **subject}
    with transaction.atomic():
        flag = (
            PatternFlag.objects.select_for_update()
            .filter(
                kind=rule.kind,
                first_received_on__lte=last,
                last_received_on__gte=first,
                **subject,
            )
            .order_by("-id")
            .first()
        )
        created = flag is None
        if created:
            flag = PatternFlag.objects.create(
                rule=rule,
                kind=rule.kind,
                threshold=rule.threshold,
                window_months=rule.window_months,
                first_received_on=first,
                last_received_on=last,
                concern_count=len(members),
                adult_count=len({r.person_id for r in members}),
                **subject,
            )
        known = set(flag.records.values_list("concern_id", flat=True))
        new = [r for r in members if r.pk not in known]
        if not new:
            return flag
        repeated = {
            pk: dict(zip(_REPEATED[1:], values, strict=True))
            for pk, *values in Concern.objects.filter(
                pk__in=[r.pk for r in new]
            ).values_list("pk", *_REPEATED[1:])
        }
        PatternFlagRecord.objects.bulk_create(
            [
                PatternFlagRecord(
                    flag=flag,
                    concern_id=r.pk,
                    received_on=r.received_on,
                    **repeated[r.pk],
                )
                for r in new
            ],
            ignore_conflicts=True,
        )
        totals = flag.records.aggregate(
            n=Count("concern_id"),
            adults=Count("concern__person_id", distinct=True),
            first=Min("concern__received_on"),
            last=Max("concern__received_on"),
        )
        flag.concern_count = totals["n"]
        flag.adult_count = totals["adults"]
        flag.first_received_on = totals["first"]
        flag.last_received_on = totals["last"]
        fields = [
            "concern_count",
            "adult_count",
            "first_received_on",
            "last_received_on",
            "changed_at",
        ]
        reopened = not created and flag.acknowledged_at is not None
        if reopened:
            # What was acknowledged has changed: it asks to be looked at again.
            # The acknowledgement stays in the audit trail.
            flag.acknowledged_at = None
            flag.acknowledged_by = None
            flag.acknowledgement_note = ""
            fields += ["acknowledged_at", "acknowledged_by", "acknowledgement_note"]
        flag.save(update_fields=fields)
        if created or reopened:
            audit.record(
                actor=user,
                action="create" if created else "status",
                obj=flag,
                actor_name="" if user else "Pattern check",
                summary=(
                    f"Pattern flagged: {flag.get_kind_display().lower()}, "
                    f"{flag.concern_count} concerns ({flag.rule_text})"
                    if created
                    else "Pattern flag has new concerns: acknowledgement needed again"
                ),
            )
    return flag


def active_rules() -> list[PatternRule]:
    return list(PatternRule.objects.filter(is_active=True))


def check_concern(
    concern: Concern, *, user=None, rules: list[PatternRule] | None = None
) -> list[PatternFlag]:
    """Check every active rule for what ``concern`` is about. Called by the
    services that record, change, add risks to and decide concerns."""
    rules = active_rules() if rules is None else rules
    if not rules:
        return []
    by_kind = {rule.kind: rule for rule in rules}
    flags = []
    for kind, field, subject_id in subjects_of(concern):
        rule = by_kind.get(kind)
        if rule is None:
            continue
        flag = check_subject(
            rule, subject_id, concern.received_on, user=user, field=field
        )
        if flag is not None:
            flags.append(flag)
    return flags


def check_all(
    *, since: datetime.date | None = None, rules: list[PatternRule] | None = None
) -> int:
    """Check every concern received since ``since`` (default: within the
    longest window) against ``rules`` (default: every active rule). For a
    rule that changed, and after an import or a bulk load; safe to run again
    (flags grow, never duplicate). Returns the number of concerns checked.

    The same flags as :func:`check_concern` on each of those concerns in
    turn, worked out subject by subject instead: one query per kind of rule
    streams every subject's concerns from a window before ``since``, and a
    subject with fewer concerns (or adults) than the threshold costs nothing
    more. Only the subjects with a pattern are written.
    """
    rules = active_rules() if rules is None else rules
    if not rules:
        return 0
    if since is None:
        longest = max(rule.window_months for rule in rules)
        since = add_months(timezone.localdate(), -longest)
    for rule in rules:
        lo = add_months(since, -rule.window_months)
        for field, subject_id, rows in _subjects_since(rule.kind, lo):
            _check_subject_rows(rule, subject_id, field, rows, since)
    return counted_concerns().filter(received_on__gte=since).count()


def _check_subject_rows(
    rule: PatternRule, subject_id, field: str, rows: list[Row], since
) -> None:
    """Every pattern around the days of ``rows`` from ``since`` on, for one
    subject whose concerns (in date order) are ``rows``."""
    if rule.kind == Kind.ALLEGED_SOURCE:
        if len({r.person_id for r in rows}) < rule.threshold:
            return
    elif len(rows) < rule.threshold:
        return
    written: set[tuple[int, ...]] = set()
    for day in sorted({r.received_on for r in rows if r.received_on >= since}):
        members = pattern_around(rule, rows, day)
        key = tuple(r.pk for r in members)
        if members and key not in written:
            written.add(key)
            _record_flag(rule, subject_id, field, members)


def _subjects_since(kind: str, lo: datetime.date):
    """(field, subject, rows) for every subject of ``kind`` with a counted
    concern received after ``lo``; rows in date order, each concern once."""
    counted = counted_concerns().filter(received_on__gt=lo)
    if kind == Kind.ADULT:
        streams = [
            (
                "person_id",
                counted.order_by("person_id").values_list(
                    "person_id", "pk", "received_on", "person_id"
                ),
            )
        ]
    elif kind == Kind.ALLEGED_SOURCE:
        cases = (
            PipotCase.objects.filter(concern__in=counted)
            .order_by()
            .values_list(
                "pk", "concern_id", "concern__received_on", "concern__person_id"
            )
        )
        linked = (
            PipotConcern.objects.filter(is_withdrawn=False, concern__in=counted)
            .order_by()
            .values_list(
                "case_id", "concern_id", "concern__received_on", "concern__person_id"
            )
        )
        streams = [
            ("person_id", _risk_rows("source_relation__individual_id", counted)),
            # PiPoT cases are few: sorted here rather than in a union's SQL.
            ("pipot_case_id", sorted(cases.union(linked, all=True))),
        ]
    else:
        column = (
            "source_organisation_id" if kind == Kind.ORGANISATION else "place_postcode"
        )
        streams = [("person_id", _risk_rows(column, counted))]
    for field, rows in streams:
        if isinstance(rows, QuerySet):
            rows = rows.iterator(chunk_size=2000)
        # Rows come grouped by subject: each subject is worked out as soon
        # as its last row has been read, so memory holds one subject.
        current, by_pk = None, {}
        for subject_id, pk, received_on, person_id in rows:
            if subject_id != current:
                if by_pk:
                    yield field, current, _in_date_order(by_pk)
                current, by_pk = subject_id, {}
            by_pk[pk] = Row(pk, received_on, person_id)
        if by_pk:
            yield field, current, _in_date_order(by_pk)


def _in_date_order(by_pk: dict[int, Row]) -> list[Row]:
    return sorted(by_pk.values(), key=lambda r: (r.received_on, r.pk))


def _risk_rows(column: str, counted: QuerySet[Concern]) -> QuerySet:
    """(subject, concern, received, adult) from the concern-stage risks
    naming a subject in ``column``, grouped by subject."""
    return (
        _alleged(**{f"{column}__isnull": False})
        .exclude(**{column: ""} if column == "place_postcode" else {})
        .filter(concern__in=counted)
        .order_by(column)
        .values_list(column, "concern_id", "concern__received_on", "concern__person_id")
    )


def recheck_changed_rules(today: datetime.date) -> list:
    """A reminder source for ``send_reminders``: past concerns are checked
    against each rule added or changed since it was last checked. Raises no
    reminders itself (flags are shown on pages, not sent)."""
    changed = [
        rule
        for rule in active_rules()
        if rule.checked_at is None or rule.updated_at > rule.checked_at
    ]
    if changed:
        longest = max(rule.window_months for rule in changed)
        check_all(since=add_months(today, -longest), rules=changed)
        PatternRule.objects.filter(pk__in=[r.pk for r in changed]).update(
            checked_at=timezone.now()
        )
    return []


def link_relationship_record(*, user, relationship, reference) -> None:
    """Say that someone in the adult's network is the same individual as a
    person on our records (``reference``: their person record's reference,
    or ``None`` to remove the link). Only a record ``user`` may see can be
    linked, and never the adult themself. Audited with the change; the
    adult's concerns naming this relationship are checked again."""
    from enquiries.models import Person
    from msp.access import require_write, visible

    require_write(user)
    individual = None
    if reference is not None:
        individual = visible(user, Person.objects.filter(reference=reference)).first()
        if individual is None:
            raise ValidationError(
                {"reference": "No person you may see has that reference"}
            )
        if individual.pk == relationship.person_id:
            raise ValidationError(
                {
                    "reference": "That is the adult's own record: enter the other person's"
                }
            )
    before = relationship.individual_id
    if before == (individual.pk if individual else None):
        return
    with transaction.atomic():
        relationship.individual = individual
        relationship.save(update_fields=["individual", "updated_at"])
        audit.record(
            actor=user,
            action="change",
            obj=relationship.person,
            summary=f"Linked {relationship.name} to their own record"
            if individual
            else f"Removed the link from {relationship.name} to their own record",
            changes={"individual": [before, individual.pk if individual else None]},
        )
        named = Concern.objects.filter(
            pk__in=_alleged(source_relation=relationship).values("concern_id")
        )
        rules = active_rules()
        for concern in named:
            check_concern(concern, user=user, rules=rules)


# Team managers and safeguarding leads acknowledge patterns.
ACKNOWLEDGE_PERMISSION = "sign_off_closure"


def can_acknowledge(user) -> bool:
    """Whether the page offers ``user`` the acknowledgement."""
    return has_role_perm(user, ACKNOWLEDGE_PERMISSION)


def acknowledge_pattern(*, user, flag: PatternFlag, note: str) -> PatternFlag:
    """Record that a manager or lead has looked at the pattern, with a note
    of what they decided (audited). ``flag`` must come through the access
    layer (``enquiries.selectors.patterns``)."""
    require_perm(
        user,
        ACKNOWLEDGE_PERMISSION,
        "Only team managers and safeguarding leads can do this",
    )
    note = (note or "").strip()
    if not note:
        raise ValidationError({"note": "Enter what you have considered or decided"})
    with transaction.atomic():
        locked = PatternFlag.objects.select_for_update().get(pk=flag.pk)
        if locked.acknowledged_at is not None:
            raise ValidationError("This pattern has already been acknowledged")
        locked.acknowledged_at = timezone.now()
        locked.acknowledged_by = user
        locked.acknowledgement_note = note
        locked.save(
            update_fields=[
                "acknowledged_at",
                "acknowledged_by",
                "acknowledgement_note",
                "changed_at",
            ]
        )
        audit.record(
            actor=user,
            action="status",
            obj=locked,
            summary="Acknowledged a pattern flag",
            changes={"note": note},
        )
    return locked


def led_to_enquiry() -> Q:
    """Flags at least one of whose concerns was decided to need an enquiry."""
    return Q(
        records__concern__decision__in=[
            Concern.Decision.SECTION_42,
            Concern.Decision.OTHER_ENQUIRY,
        ]
    )


# ---------------------------------------------------------------------------
# Flag records follow what they repeat from their concern
# ---------------------------------------------------------------------------


def follow_concerns(concerns: QuerySet[Concern]) -> int:
    """Give the flag records of ``concerns`` what they repeat from their
    concern (date received, decision, team, adult) again, after any of it
    changed: one UPDATE, of the records that differ. The number changed."""
    concern = Concern.objects.filter(pk=OuterRef("concern_id"))
    now = {name: Subquery(concern.values(name)[:1]) for name in _REPEATED}
    differs = Q()
    for name, value in now.items():
        differs |= ~Q(**{name: value})
    return (
        PatternFlagRecord.objects.filter(concern__in=concerns.values("pk"))
        .filter(differs)
        .update(**now)
    )


def _concern_saved(sender, instance: Concern, created=False, raw=False, **kwargs):
    now = instance.for_patterns
    if now[0] is None:
        return  # the date deferred: this save did not write it
    loaded = getattr(instance, "_loaded_for_patterns", None)
    instance._loaded_for_patterns = now
    if not (created or raw) and loaded != now:
        follow_concerns(Concern.objects.filter(pk=instance.pk))


# The names an update() may write them by (a relation by name or by id).
_WRITTEN_AS = frozenset({*_REPEATED, "team", "person"})


def _concerns_written(sender, queryset, values, when="", **kwargs) -> None:
    if sender is Concern and when == "after" and _WRITTEN_AS & set(values):
        follow_concerns(queryset)


def _concerns_loaded(sender, concern_ids=(), **kwargs) -> None:
    ids = sorted(set(concern_ids))
    for at in range(0, len(ids), 2000):
        follow_concerns(Concern.objects.filter(pk__any_of=ids[at : at + 2000]))


def connect() -> None:
    """Keep what flag records repeat in step with their concerns (from
    ``EnquiriesConfig.ready()``)."""
    from django.db.models.signals import post_save

    from enquiries import signals

    uid = "enquiries_pattern_dates"
    post_save.connect(_concern_saved, sender=Concern, dispatch_uid=f"{uid}_save")
    signals.case_rows_written.connect(_concerns_written, dispatch_uid=f"{uid}_rows")
    signals.case_records_loaded.connect(_concerns_loaded, dispatch_uid=f"{uid}_load")
