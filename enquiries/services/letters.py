"""Writing letters and their templates.

- :func:`save_template`: an administrator's change to a template, kept as a
  new numbered version (the old versions are never changed).
- :func:`send_letter`: produce a letter from the current version, make its
  PDF (WeasyPrint) and keep it as a document of the case, with who sent it,
  how and when; the document, the letter row, their audit lines and the
  chronology line are saved together.
- :func:`record_download`: the audit line for a letter's download.
"""

from __future__ import annotations

import datetime
import functools
import logging

from django.conf import settings
from django.contrib.staticfiles import finders
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.template.loader import render_to_string

from enquiries import letter_text
from enquiries.letter_defaults import DEFAULTS
from enquiries.letter_text import LetterKind
from enquiries.models import Document, DocumentKind, Enquiry, event_date_problem
from enquiries.models.letters import Letter, LetterTemplate, LetterTemplateVersion
from enquiries.selectors import letters as selectors
from enquiries.services import documents
from msp import audit
from msp.access import require_write

LETTER_DOCUMENT_KIND = "letter"

# WeasyPrint reports every layout step at INFO; only its warnings matter here.
logging.getLogger("weasyprint.progress").setLevel(logging.WARNING)


# Templates ----------------------------------------------------------------------


def save_template(
    *, user, template: LetterTemplate, title: str, body: str
) -> LetterTemplate:
    """Save ``title`` and ``body`` as the next version of ``template``.

    ``user`` is the administrator (Django admin checks their rights too), or
    None when the service itself installs the shipped templates.
    """
    if user is not None and not user.has_perm(
        "enquiries.change_lettertemplate"
        if template.pk
        else "enquiries.add_lettertemplate"
    ):
        raise PermissionDenied("Only administrators change letter templates.")
    problems = letter_text.check(template.kind, body)
    if problems:
        raise ValidationError({"body": problems})
    if not title.strip():
        raise ValidationError({"title": "Enter the letter's title"})
    with transaction.atomic():
        if template.pk:
            locked = LetterTemplate.objects.select_for_update().get(pk=template.pk)
            if locked.title == title and locked.body == body and locked.version:
                return locked
            template.version = locked.version + 1
        else:
            template.version = 1
        template.title = title
        template.body = body
        template.updated_by = user if getattr(user, "is_authenticated", False) else None
        template.save()
        LetterTemplateVersion.objects.create(
            template=template,
            number=template.version,
            title=title,
            body=body,
            saved_by=template.updated_by,
        )
        audit.record(
            actor=user,
            action="change" if template.version > 1 else "create",
            obj=template,
            summary=f"Letter template saved as version {template.version}: "
            f"{template.get_kind_display()}",
        )
    return template


def install_default_templates(user=None) -> int:
    """Add the shipped template of every kind that has none (version 1)."""
    added = 0
    for kind, (title, body) in DEFAULTS.items():
        if not LetterTemplate.objects.filter(kind=kind).exists():
            save_template(
                user=user, template=LetterTemplate(kind=kind), title=title, body=body
            )
            added += 1
    return added


# Producing a letter ---------------------------------------------------------------


@functools.cache
def letter_css() -> str:
    path = finders.find("letters/letter.css")
    with open(path, encoding="utf-8") as css:
        return css.read()


def letter_html(letter: selectors.RenderedLetter) -> str:
    """The letter as one self-contained, print-ready HTML page (the PDF's source)."""
    return render_to_string(
        "enquiries/letters/letter_document.html",
        {"letter": letter, "inline_css": letter_css(), "standalone": True},
    )


def _refuse_fetch(url, *args, **kwargs):
    # A letter is made only of its own HTML, CSS and inline pictures: nothing
    # is fetched from a file or the network while making the PDF.
    raise ValueError(f"Letters load nothing from outside ({url[:40]})")


def pdf_from_html(html: str) -> bytes:
    from weasyprint import HTML

    return HTML(string=html, url_fetcher=_refuse_fetch).write_pdf()


def _letter_kind() -> DocumentKind:
    """The documents' code-list entry for letters (shipped by migration)."""
    kind = DocumentKind.objects.filter(code=LETTER_DOCUMENT_KIND).first()
    if kind is None:
        # An administrator removed it from the code list: put it back.
        kind = DocumentKind.objects.create(
            code=LETTER_DOCUMENT_KIND, name="Letter", order=60
        )
    return kind


def send_letter(
    *,
    user,
    enquiry: Enquiry,
    kind: str,
    sent_via: str,
    sent_on: datetime.date,
) -> Letter:
    """Produce the letter of ``kind``, keep its PDF as a document of the case
    and record that ``user`` sent it ``sent_via`` on ``sent_on``.

    Everything is checked and the PDF made before anything is written. The
    document (file, row, audit and chronology lines) and the letter row with
    its own audit line are saved together by the documents service: if the
    letter cannot be saved, the document and its file are not kept either.
    """
    require_write(user)
    if kind not in LetterKind.values:
        raise ValidationError({"kind": "Choose a letter"})
    problem = selectors.why_not(enquiry, kind, selectors.templates_by_kind())
    if problem:
        raise ValidationError({"kind": problem})
    if sent_via not in Letter.SentVia.values:
        raise ValidationError({"sent_via": "Select how the letter was sent"})
    date_problem = event_date_problem(
        sent_on, received_on=enquiry.concern.received_on, what="The date sent"
    )
    if date_problem:
        raise ValidationError({"sent_on": date_problem})
    rendered, version = selectors.enquiry_letter(enquiry, kind, user, sent_on)
    html = letter_html(rendered)
    pdf = pdf_from_html(html)
    label = LetterKind(kind).label
    how = Letter.SentVia(sent_via).label
    sent: dict[str, Letter] = {}

    def record_letter(document: Document) -> None:
        letter = Letter(
            enquiry=enquiry,
            kind=kind,
            template_version=version,
            title=rendered.title,
            recipient=(rendered.to_lines[0] if rendered.to_lines else "Not named")[
                :200
            ],
            html=html,
            document=document,
            sent_via=sent_via,
            sent_on=sent_on,
            sent_by=user,
        )
        letter.full_clean()
        letter.save()
        audit.record(
            actor=user,
            action="create",
            obj=letter,
            summary=f"Sent a letter: {label} ({how})"[:255],
            changes={
                "template": str(version),
                "template_version": version.number,
                "sent_on": str(sent_on),
                "document": str(document.reference),
            },
        )
        sent["letter"] = letter

    documents.store_document(
        user=user,
        person=enquiry.concern.person,
        upload=ContentFile(pdf, name=f"{kind}-{sent_on:%Y-%m-%d}.pdf"),
        title=f"{label}, sent {sent_on.day} {sent_on:%B %Y} ({how.lower()})"[:200],
        kind=_letter_kind(),
        document_date=sent_on,
        provided_by=f"{user.get_full_name() or user.get_username()}, "
        f"{settings.COUNCIL_NAME}"[:200],
        sensitivity=Document.Sharing.YES,
        enquiry=enquiry,
        also=record_letter,
    )
    return sent["letter"]


def open_pdf(letter: Letter):
    return documents.open_document(letter.document)


def record_download(*, user, letter: Letter) -> None:
    """The audit line for a letter's download (written before it is sent)."""
    audit.record(
        actor=user,
        action="download",
        obj=letter,
        summary=f"Downloaded a letter: {letter.get_kind_display()} "
        f"sent {letter.sent_on:%-d %B %Y}"[:255],
        changes={
            "document": str(letter.document.reference),
            "sha256": letter.document.sha256,
        },
    )
