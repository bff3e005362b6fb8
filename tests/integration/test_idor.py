"""No record of another team can be read or changed by changing a URL (IDOR).

One real record of every case model is made for team B (generically, so
models added later are covered). Then every URL pattern that takes a record
reference is requested by a team-A practitioner with team B's references
substituted: every answer must be 404 (or 405 for the wrong method), never a
page, a download or a redirect after a change.
"""

from __future__ import annotations

import datetime
import decimal
import itertools
import re
import uuid

import pytest
from django.apps import apps
from django.db import IntegrityError, models, transaction
from django.urls import URLPattern, URLResolver, get_resolver
from django.utils import timezone

from enquiries.factories import (
    ConcernFactory,
    DesiredOutcomeFactory,
    EnquiryFactory,
    PersonFactory,
    PersonViewFactory,
    RiskFactory,
)
from msp.models import AuditEvent

CASE_APPS = ("enquiries", "outcomes", "budgets")
CASE_TYPES = ("person", "concern", "enquiry")


def _value_for(field: models.Field, made: dict, team, user):
    """A plausible value for a required field, preferring team B's records."""
    if field.is_relation:
        target = field.related_model
        if target._meta.label == "msp.Team":
            return team
        if target._meta.label == "msp.User":
            return user
        if target._meta.label in made:
            return made[target._meta.label]
        existing = target._base_manager.first()
        if existing is not None and not hasattr(target, "ACCESS_TEAM_LOOKUPS"):
            return existing
        return _autofill(target, made, team, user)
    if field.choices:
        return field.choices[0][0]
    if isinstance(field, models.UUIDField):
        return uuid.uuid4()
    if isinstance(field, models.DateTimeField):
        return timezone.now()
    if isinstance(field, models.DateField):
        return datetime.date.today() - datetime.timedelta(days=2)
    if isinstance(field, models.BooleanField):
        return False
    if isinstance(field, models.DecimalField):
        return decimal.Decimal("10.00")
    if isinstance(field, models.IntegerField):
        return 1
    if isinstance(field, models.JSONField):
        return {}
    if isinstance(field, models.EmailField):
        return "someone@example.org"
    if isinstance(field, models.CharField):
        return uuid.uuid4().hex[: min(field.max_length or 12, 12)]
    return "Team B record"


def _autofill(model, made, team, user):
    values = {}
    for field in model._meta.concrete_fields:
        if field.primary_key or field.has_default() or field.auto_created:
            continue
        if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
            continue
        nullable_relation = field.is_relation and field.null
        if nullable_relation and field.related_model._meta.label in made:
            values[field.name] = made[field.related_model._meta.label]
            continue
        if field.null or (field.blank and not field.is_relation):
            continue
        values[field.name] = _value_for(field, made, team, user)
    with transaction.atomic():
        obj = model._base_manager.create(**values)
    made.setdefault(model._meta.label, obj)
    return obj


def make_team_b_world(team, user) -> dict:
    """One record of every case model, all belonging to ``team``."""
    person = PersonFactory(team=team)
    concern = ConcernFactory(person=person, team=team)
    enquiry = EnquiryFactory(concern__person=person, concern__team=team, team=team)
    made = {
        "enquiries.Person": person,
        "enquiries.Concern": concern,
        "enquiries.Enquiry": enquiry,
        "enquiries.Risk": RiskFactory(concern=concern),
        "enquiries.PersonView": PersonViewFactory(person=person, concern=concern),
        "enquiries.DesiredOutcome": DesiredOutcomeFactory(
            person=person, concern=concern
        ),
    }
    pending = [
        model
        for app in CASE_APPS
        for model in apps.get_app_config(app).get_models()
        if hasattr(model, "ACCESS_TEAM_LOOKUPS")
        and model._meta.label not in made
        and not model._meta.abstract
    ]
    for _ in range(3):  # a few passes: some records need others first
        still = []
        for model in pending:
            try:
                _autofill(model, made, team, user)
            except (IntegrityError, ValueError, TypeError):
                still.append(model)
        pending = still
    made["_not_made"] = [m._meta.label for m in pending]
    return made


class _NoSuchRecord:
    """Stands in for a record that does not exist (for the baseline request)."""

    pk = 987654321
    reference = uuid.UUID(int=7)

    class _meta:  # noqa: N801 - mimics a model's _meta
        model_name = ""


def _patterns(resolver=None, prefix=""):
    resolver = resolver or get_resolver()
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            yield from _patterns(entry, prefix + str(entry.pattern))
        elif isinstance(entry, URLPattern):
            yield entry.name, prefix + str(entry.pattern)


PARAM = re.compile(r"<(?:(\w+):)?(\w+)>")


def _candidates(name: str, converter: str, objects: dict) -> list[str]:
    stem = re.sub(r"_(reference|id)$", "", name).replace("_", "")
    records = [o for k, o in objects.items() if not k.startswith("_")]
    if converter == "uuid":
        with_ref = [
            o for o in records if isinstance(getattr(o, "reference", None), uuid.UUID)
        ]
        named = [o for o in with_ref if stem and stem in o._meta.model_name]
        return [str(o.reference) for o in (named or with_ref)]
    if converter == "int":
        named = [o for o in records if stem and stem in o._meta.model_name]
        return [str(o.pk) for o in (named or records)]
    if name == "case_type":
        return list(CASE_TYPES)
    if name == "reference":  # text references (online submissions)
        return [
            o.reference
            for o in records
            if isinstance(getattr(o, "reference", None), str)
        ] or ["sample"]
    return ["sample"]


def _paths(route: str, objects: dict) -> list[str]:
    params = PARAM.findall(route)
    if not params:
        return []
    options = [_candidates(name, conv or "str", objects) for conv, name in params]
    paths = []
    for combo in itertools.product(*options):
        values = iter(combo)
        path = PARAM.sub(lambda _m, v=values: next(v), route)
        paths.append("/" + path)
    return paths


def _has_record_reference(route: str) -> bool:
    return any(
        conv == "uuid" or name.endswith(("reference", "_id"))
        for conv, name in PARAM.findall(route)
    )


@pytest.fixture
def team_b_world(other_team, other_team_practitioner):
    return make_team_b_world(other_team, other_team_practitioner)


@pytest.mark.django_db
def test_team_b_world_has_a_record_of_every_core_case_model(team_b_world):
    for label in (
        "enquiries.Person",
        "enquiries.Concern",
        "enquiries.Enquiry",
        "enquiries.CaseNote",
        "enquiries.ChronologyEvent",
        "enquiries.PlanAction",
    ):
        assert label in team_b_world, label
    assert team_b_world["_not_made"] == []


@pytest.mark.django_db
def test_team_a_practitioner_cannot_reach_team_b_records_by_url(
    client, practitioner, team_b_world
):
    client.force_login(practitioner)
    audit_before = AuditEvent.objects.count()
    leaks = []
    checked = 0
    for name, route in _patterns():
        if route.startswith(("admin/", "raise-a-concern/")):
            continue
        if not _has_record_reference(route):
            continue
        nowhere = _paths(route, {"_": None, "x": _NoSuchRecord()})[0]
        for method in ("get", "post"):
            # A page refused to this user whatever the record (403 for a
            # nonexistent one too) reveals nothing; anything else must be 404.
            refused_anyway = getattr(client, method)(nowhere).status_code == 403
            for path in _paths(route, team_b_world):
                status = getattr(client, method)(path).status_code
                checked += 1
                if status in (404, 405) or (status == 403 and refused_anyway):
                    continue
                leaks.append(f"{method.upper()} {path} ({name}): {status}")
    assert checked > 50
    assert leaks == [], "\n".join(leaks)
    # Nothing was written on team B's records along the way but the refused
    # attempts themselves, which name the records tried.
    new_lines = AuditEvent.objects.order_by("id")[audit_before:]
    assert {line.action for line in new_lines} == {"refused"}
