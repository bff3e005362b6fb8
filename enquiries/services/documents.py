"""Storing, downloading and withdrawing the documents held with a case.

An upload is checked in full before anything is written: its size, the
adult's total, its type read from its content (never its name), and the
virus scanner when one is configured. Only then is the file written to the
``documents`` storage, and the row, its audit line and its chronology line
are saved in one transaction; if that fails the file is removed again, so a
row never points at a missing file and no file is left without a row.
"""

from __future__ import annotations

import datetime
import hashlib
import logging
import uuid
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from typing import IO

import filetype
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.storage import storages
from django.db import transaction
from django.db.models import Sum
from django.http import Http404
from django.utils import timezone

from enquiries import chronology, scanning
from enquiries.models import (
    ChronologyEvent,
    Concern,
    Document,
    DocumentKind,
    Enquiry,
    Meeting,
    Person,
)
from msp import audit
from msp.access import require_write

MB = 1024 * 1024

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class FileType:
    code: str
    mime: str
    extensions: tuple[str, ...]
    label: str


# Every type a council may allow (DOCUMENT_ALLOWED_TYPES picks from these).
FILE_TYPES = {
    t.code: t
    for t in (
        FileType("pdf", "application/pdf", ("pdf",), "PDF"),
        FileType("jpg", "image/jpeg", ("jpg", "jpeg"), "JPEG"),
        FileType("png", "image/png", ("png",), "PNG"),
        FileType(
            "docx",
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
            ("docx",),
            "Word (DOCX)",
        ),
        FileType(
            "odt",
            "application/vnd.oasis.opendocument.text",
            ("odt",),
            "OpenDocument text (ODT)",
        ),
        FileType("txt", "text/plain", ("txt",), "plain text"),
    )
}
# What the ZIP-based formats must contain, checked after filetype's quick look
# at the first bytes (which only sees the first entries of the archive).
ZIP_MEMBERS = {"docx": "word/document.xml", "odt": "content.xml"}


def documents_storage():
    return storages["documents"]


def allowed_types() -> list[FileType]:
    return [FILE_TYPES[c] for c in settings.DOCUMENT_ALLOWED_TYPES if c in FILE_TYPES]


def allowed_labels() -> str:
    labels = [t.label for t in allowed_types()]
    if len(labels) < 2:
        return "".join(labels)
    return ", ".join(labels[:-1]) + " or " + labels[-1]


def extension_for(content_type: str) -> str:
    """The usual file extension for a stored document's type."""
    for t in FILE_TYPES.values():
        if t.mime == content_type:
            return t.extensions[0]
    return "bin"


def _refuse(message: str) -> ValidationError:
    return ValidationError({"file": message})


def _detect(upload: IO[bytes]) -> FileType | None:
    """The file's type from its content, or None if it is none we know."""
    upload.seek(0)
    head = upload.read(8192)
    upload.seek(0)
    guess = filetype.guess(head)
    if guess is not None:
        found = next((t for t in FILE_TYPES.values() if t.mime == guess.mime), None)
        if found and found.code in ZIP_MEMBERS:
            try:
                with zipfile.ZipFile(upload) as archive:
                    names = set(archive.namelist())
            except (zipfile.BadZipFile, OSError):
                return None
            finally:
                upload.seek(0)
            if ZIP_MEMBERS[found.code] not in names:
                return None
        return found
    # Plain text has no signature: UTF-8 with no control bytes but layout.
    whole = upload.read(settings.DOCUMENT_MAX_MB * MB + 1)
    upload.seek(0)
    try:
        text = whole.decode("utf-8")
    except UnicodeDecodeError:
        return None
    if any(ord(ch) < 32 and ch not in "\t\r\n\f" for ch in text):
        return None
    return FILE_TYPES["txt"]


def check_upload(upload, person: Person) -> FileType:
    """The upload's type, or a ValidationError saying why it is refused.

    Nothing is written here. The messages follow the GOV.UK file upload
    pattern.
    """
    if upload is None:
        raise _refuse("Select a file")
    if upload.size == 0:
        raise _refuse("The selected file is empty")
    if upload.size > settings.DOCUMENT_MAX_MB * MB:
        raise _refuse(
            f"The selected file must be smaller than {settings.DOCUMENT_MAX_MB}MB"
        )
    held = (
        Document.objects.filter(person=person).aggregate(total=Sum("size"))["total"]
        or 0
    )
    if held + upload.size > settings.DOCUMENT_CASE_MAX_MB * MB:
        raise _refuse(
            f"The documents held for {person.full_name} would come to more than "
            f"{settings.DOCUMENT_CASE_MAX_MB}MB: ask an administrator to raise the "
            "limit, or hold this file elsewhere"
        )
    found = _detect(upload)
    allowed = allowed_types()
    if found is None or found not in allowed:
        raise _refuse(f"The selected file must be a {allowed_labels()}")
    extension = upload.name.rsplit(".", 1)[-1].lower() if "." in upload.name else ""
    if extension not in found.extensions:
        raise _refuse(
            f"The selected file is a {found.label} file but its name ends "
            f"'.{extension}': choose the right file, or rename it to end "
            f"'.{found.extensions[0]}'"
            if extension
            else f"The selected file is a {found.label} file: its name must end "
            f"'.{found.extensions[0]}'"
        )
    try:
        threat = scanning.scan(upload)
    except scanning.ScannerUnavailable as exc:
        raise _refuse(
            "The selected file could not be checked for viruses: try again later"
        ) from exc
    if threat:
        raise _refuse("The selected file contains a virus")
    return found


def _digest(upload) -> str:
    upload.seek(0)
    sha = hashlib.sha256()
    for chunk in (
        upload.chunks()
        if hasattr(upload, "chunks")
        else iter(lambda: upload.read(64 * 1024), b"")
    ):
        sha.update(chunk)
    upload.seek(0)
    return sha.hexdigest()


def store_document(
    *,
    user,
    person: Person,
    upload,
    title: str,
    kind: DocumentKind,
    document_date: datetime.date,
    provided_by: str,
    sensitivity: str,
    sensitivity_reason: str = "",
    adults_own: bool = False,
    concern: Concern | None = None,
    enquiry: Enquiry | None = None,
    meeting: Meeting | None = None,
    also: Callable[[Document], None] | None = None,
) -> Document:
    """Check, store and record one document; ``also(document)`` runs in the
    same transaction (another app's link to it, e.g. a direct payment)."""
    require_write(user)
    # What the document hangs on implies the records above it.
    if meeting is not None:
        enquiry = enquiry or meeting.enquiry
    if enquiry is not None:
        concern = concern or enquiry.concern
    file_type = check_upload(upload, person)
    document = Document(
        person=person,
        concern=concern,
        enquiry=enquiry,
        meeting=meeting,
        title=title,
        kind=kind,
        document_date=document_date,
        provided_by=provided_by,
        sensitivity=sensitivity,
        sensitivity_reason=sensitivity_reason if sensitivity != "yes" else "",
        adults_own=adults_own,
        original_name=(upload.name or "")[-255:],
        content_type=file_type.mime,
        size=upload.size,
        sha256=_digest(upload),
        storage_name=f"{timezone.now():%Y/%m}/{uuid.uuid4().hex}",
        uploaded_by=user,
    )
    document.full_clean()
    storage = documents_storage()
    upload.seek(0)
    stored_as = storage.save(document.storage_name, upload)
    try:
        with transaction.atomic():
            document.storage_name = stored_as
            document.save()
            audit.record(
                actor=user,
                action="create",
                obj=document,
                summary=f"Added a document: {title}"[:255],
                changes={
                    "size": document.size,
                    "sha256": document.sha256,
                    "content_type": document.content_type,
                },
            )
            chronology.add(
                person=person,
                kind=ChronologyEvent.Kind.DOCUMENT,
                summary=f"Document: {title} ({kind.name})",
                user=user,
                link=document.get_absolute_url(),
                happened_on=document_date,
            )
            if also is not None:
                also(document)
    except BaseException:
        storage.delete(stored_as)
        raise
    return document


def withdraw_document(*, user, document: Document, reason: str) -> Document:
    """Withdraw a document: hidden from lists, kept (row and file) with why."""
    require_write(user)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": "Enter why the document is withdrawn"})
    with transaction.atomic():
        locked = Document.objects.select_for_update().get(pk=document.pk)
        if locked.withdrawn_at is not None:
            raise ValidationError({"reason": "This document is already withdrawn"})
        locked.withdrawn_at = timezone.now()
        locked.withdrawn_by = user
        locked.withdrawn_reason = reason
        locked.save(update_fields=["withdrawn_at", "withdrawn_by", "withdrawn_reason"])
        audit.record(
            actor=user,
            action="status",
            obj=locked,
            summary=f"Withdrew a document: {locked.title}"[:255],
            changes={"withdrawn_reason": reason},
        )
        chronology.add(
            person=locked.person,
            kind=ChronologyEvent.Kind.DOCUMENT,
            summary=f"Document withdrawn: {locked.title}",
            user=user,
            link=locked.get_absolute_url(),
        )
    return locked


def record_download(*, user, document: Document) -> None:
    """The audit line for a download (written before the file is sent)."""
    audit.record(
        actor=user,
        action="download",
        obj=document,
        summary=f"Downloaded a document: {document.title}"[:255],
        changes={"sha256": document.sha256},
    )


class DocumentFileMissing(Http404):
    """A document's row whose file cannot be read from the storage: a storage
    or restore fault for the administrators (logged); to the user, like any
    record they cannot have, a 404 and not a crash."""


def open_document(document: Document):
    """The stored file, open for reading (every download goes through here)."""
    try:
        return documents_storage().open(document.storage_name, "rb")
    except OSError as exc:
        logger.error(
            "Document %s: its file %s cannot be read (%s)",
            document.pk,
            document.storage_name,
            exc,
        )
        raise DocumentFileMissing("The file of this document cannot be found") from exc
