"""The subject access pack: everything held about one adult (UK GDPR Art 15).

Built generically: every case model in the case apps that says how it
reaches its adult (``ACCESS_PERSON_LOOKUP``) is included, so records added by
later work (outcomes, budgets…) appear without changes here.

Third-party information is flagged for redaction before release, following
the ICO approach (DPA 2018 Sch 2 Part 3): referrers, people alleged to have
caused harm, relatives and others named. Free text is flagged "check", since
it may name anyone. Nothing is redacted automatically: a person decides.
"""

from __future__ import annotations

import csv
import datetime
import io
import re
import zipfile
from dataclasses import dataclass, field

from django.apps import apps
from django.conf import settings
from django.db import models
from django.utils import timezone

from enquiries.models import Person

CASE_APPS = ("enquiries", "outcomes", "budgets")

# Columns that identify someone other than the adult (always flagged).
THIRD_PARTY_FIELD = re.compile(
    r"^(referrer_(name|organisation|contact)|source_person_name|source_relationship"
    r"|holder_name|advocate_name|attendees|contact_details|.*_contact|name)$"
)
# Models whose every row is about someone else in the adult's life.
THIRD_PARTY_MODELS = {"enquiries.Relationship", "enquiries.LegalAuthority"}
# Not information *about* the adult: internal bookkeeping.
SKIPPED_FIELDS = {"id", "version", "source_ref"}

FLAG_THIRD_PARTY = "third_party"
FLAG_CHECK = "check"


@dataclass
class Section:
    title: str
    slug: str
    columns: list[str]
    flags: dict[str, str]
    rows: list[list[str]] = field(default_factory=list)

    labels: dict[str, str] = field(default_factory=dict)

    @property
    def records(self) -> list[list[tuple[str, str, str]]]:
        """Each row as (label, value, flag) triples, for the printable page."""
        return [
            [
                (self.labels.get(name, name), value, self.flags.get(name, ""))
                for name, value in zip(self.columns, row, strict=True)
            ]
            for row in self.rows
        ]


@dataclass
class Pack:
    person: Person
    sections: list[Section]

    @property
    def flagged_count(self) -> int:
        return sum(
            1
            for section in self.sections
            for row in section.rows
            for name, value in zip(section.columns, row, strict=True)
            if value and section.flags.get(name) == FLAG_THIRD_PARTY
        )


def _columns(model) -> list[models.Field]:
    return [
        f
        for f in model._meta.concrete_fields
        if f.name not in SKIPPED_FIELDS and f.attname != "password"
    ]


def _flags(model, fields: list[models.Field]) -> dict[str, str]:
    label = model._meta.label
    flags = {}
    if label == "enquiries.Person":
        return flags  # the adult's own details
    for f in fields:
        named_other = label in THIRD_PARTY_MODELS or THIRD_PARTY_FIELD.match(f.name)
        if named_other and label != "enquiries.Person":
            flags[f.name] = FLAG_THIRD_PARTY
            continue
        if isinstance(f, models.TextField | models.JSONField):
            flags[f.name] = FLAG_CHECK
    return flags


def _cell(obj, f: models.Field) -> str:
    if f.is_relation:
        target = f.related_model
        if hasattr(target, "ACCESS_TEAM_LOOKUPS") and not hasattr(target, "reference"):
            pk = getattr(obj, f.attname)
            return f"{target._meta.verbose_name} {pk}" if pk is not None else ""
        related = getattr(obj, f.name)
        if related is None:
            return ""
        if related._meta.label == settings.AUTH_USER_MODEL:
            return related.get_full_name() or related.get_username()
        reference = getattr(related, "reference", None)
        if reference is not None:
            return f"{related._meta.verbose_name} {reference}"
        return str(related)
    value = getattr(obj, f.attname)
    if value is None:
        return ""
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, datetime.datetime):
        return timezone.localtime(value).strftime("%d %B %Y %H:%M")
    if isinstance(value, datetime.date):
        return value.strftime("%d %B %Y")
    display = getattr(obj, f"get_{f.name}_display", None)
    if f.choices and display is not None:
        return str(display())
    return str(value)


def _section(model, queryset) -> Section:
    fields = _columns(model)
    simple_related = [
        f.name
        for f in fields
        if f.is_relation
        and (
            f.related_model._meta.label == settings.AUTH_USER_MODEL
            or not hasattr(f.related_model, "ACCESS_TEAM_LOOKUPS")
            or hasattr(f.related_model, "reference")
        )
    ]
    section = Section(
        title=str(model._meta.verbose_name_plural).capitalize(),
        slug=model._meta.label_lower.replace(".", "-"),
        columns=[f.name for f in fields],
        flags=_flags(model, fields),
        labels={f.name: str(f.verbose_name).capitalize() for f in fields},
    )
    for obj in queryset.select_related(*simple_related).order_by("pk"):
        section.rows.append([_cell(obj, f) for f in fields])
    return section


def build_pack(person: Person) -> Pack:
    sections = [_section(Person, Person.objects.filter(pk=person.pk))]
    for model in _person_models():
        lookup = model.ACCESS_PERSON_LOOKUP
        queryset = model._base_manager.filter(**{f"{lookup}pk": person.pk})
        sections.append(_section(model, queryset))
    for model, fk in (
        (apps.get_model("enquiries", "Relationship"), "person"),
        (apps.get_model("enquiries", "LegalAuthority"), "person"),
    ):
        sections.append(_section(model, model._base_manager.filter(**{fk: person})))
    return Pack(person=person, sections=sections)


def _person_models():
    for app_label in CASE_APPS:
        try:
            config = apps.get_app_config(app_label)
        except LookupError:
            continue
        for model in config.get_models():
            lookup = getattr(model, "ACCESS_PERSON_LOOKUP", None)
            if lookup:  # "" is Person itself, handled first
                yield model


def as_zip(pack: Pack) -> bytes:
    """One CSV per section, plus a README on the redaction flags."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("README.txt", _readme(pack))
        for section in pack.sections:
            out = io.StringIO()
            writer = csv.writer(out)
            writer.writerow(section.columns)
            writer.writerow(
                [
                    {
                        FLAG_THIRD_PARTY: "REDACT: third party",
                        FLAG_CHECK: "CHECK: free text",
                    }.get(section.flags.get(name, ""), "")
                    for name in section.columns
                ]
            )
            for row in section.rows:
                writer.writerow([_csv_safe(value) for value in row])
            archive.writestr(f"{section.slug}.csv", out.getvalue())
    return buffer.getvalue()


def _csv_safe(value: str) -> str:
    """Stop spreadsheet programs treating a cell as a formula."""
    if value and value[0] in "=+-@\t\r":
        return "'" + value
    return value


def _readme(pack: Pack) -> str:
    return (
        f"Subject access pack for person {pack.person.reference}\n\n"
        "Not for release as it stands. The second row of each CSV flags columns:\n"
        "  REDACT: third party  - identifies someone other than the adult "
        "(referrer, alleged source of harm, relative, attendee). Redact unless "
        "they consent or it is reasonable to disclose (DPA 2018 Sch 2 Part 3).\n"
        "  CHECK: free text     - may name other people; read before release.\n"
        "Record the exemption applied to each redaction (e.g. SCH2_P3_THIRD_PARTY, "
        "SCH3_P3_PARA11_SERIOUS_HARM, SCH2_P1_CRIME).\n"
    )
