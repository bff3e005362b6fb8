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

from enquiries.models import Document, Person
from enquiries.services.documents import extension_for, open_document
from msp.dates import format_day, format_when

# Columns that identify someone other than the adult (always flagged).
THIRD_PARTY_FIELD = re.compile(
    r"^(referrer_(name|organisation|contact)|source_person_name|source_relationship"
    r"|holder_name|advocate_name|attendees|contact_details|.*_contact|name"
    r"|provided_by)$"
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
    # A note on a whole record, from the model's ``subject_access_note()``
    # (e.g. a document the adult may not be shown), one per row.
    notes: list[str] = field(default_factory=list)

    @property
    def noted_records(self) -> list[tuple[str, list[tuple[str, str, str]]]]:
        notes = self.notes or [""] * len(self.rows)
        return list(zip(notes, self.records, strict=True))

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
    # The documents held (files), with the folder each goes in.
    documents: list[tuple[str, models.Model]] = field(default_factory=list)

    @property
    def flagged_count(self) -> int:
        cells = sum(
            1
            for section in self.sections
            for row in section.rows
            for name, value in zip(section.columns, row, strict=True)
            if value and section.flags.get(name) == FLAG_THIRD_PARTY
        )
        return cells + sum(
            1
            for s in self.sections
            for note in s.notes
            if note.startswith(("WITHHOLD", "ASK FIRST"))
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
        return format_when(value)
    if isinstance(value, datetime.date):
        return format_day(value)
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
    noted = hasattr(model, "subject_access_note")
    for obj in queryset.select_related(*simple_related).order_by("pk"):
        section.rows.append([_cell(obj, f) for f in fields])
        if noted:
            section.notes.append(obj.subject_access_note())
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
    return Pack(person=person, sections=sections, documents=_documents(person))


# The folder of the ZIP each document goes in, by whether the adult may see it.
DOCUMENT_FOLDERS = {
    "yes": "documents/may-be-shared",
    "ask_first": "documents/ask-first",
    "no": "documents/not-to-be-shared",
}


def _documents(person: Person) -> list[tuple[str, models.Model]]:
    """Every document held (withdrawn ones too: they are still held)."""
    held = []
    for document in Document.objects.filter(person=person).order_by("pk"):
        stem = re.sub(r"[^A-Za-z0-9 ._-]+", "", document.title).strip(" .")[:60]
        extension = extension_for(document.content_type)
        folder = DOCUMENT_FOLDERS.get(document.sensitivity, DOCUMENT_FOLDERS["no"])
        held.append(
            (f"{folder}/{document.pk}-{stem or 'document'}.{extension}", document)
        )
    return held


def _person_models():
    for app_label in settings.MSP_CASE_APPS:
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
            # A section with notes on its records gets one more column.
            extra = ["release_note"] if section.notes else []
            out = io.StringIO()
            writer = csv.writer(out)
            writer.writerow([*section.columns, *extra])
            writer.writerow(
                [
                    {
                        FLAG_THIRD_PARTY: "REDACT: third party",
                        FLAG_CHECK: "CHECK: free text",
                    }.get(section.flags.get(name, ""), "")
                    for name in section.columns
                ]
                + (["CHECK: this record"] if extra else [])
            )
            for index, row in enumerate(section.rows):
                note = [section.notes[index]] if extra else []
                writer.writerow([_csv_safe(value) for value in [*row, *note]])
            archive.writestr(f"{section.slug}.csv", out.getvalue())
        for name, document in pack.documents:
            with open_document(document) as handle:
                archive.writestr(name, handle.read())
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
        "SCH3_P3_PARA11_SERIOUS_HARM, SCH2_P1_CRIME).\n\n"
        "The files of the documents held are in documents/, by what was recorded "
        "when each was added:\n"
        "  may-be-shared/     - may be shared with the adult (still check for "
        "other people's information);\n"
        "  ask-first/         - ask the person named in its release note first;\n"
        "  not-to-be-shared/  - recorded as not to be shared with the adult: "
        "withhold or redact, and record the exemption.\n"
        "The release_note column of the documents CSV says why.\n"
    )
