"""Demo documents, and the small valid files they are made of, in code (no
binary files in the repository): a one-page PDF with a few lines of text and a
plain-colour PNG. ``create_demo_documents`` is a ``seed_demo`` step."""

from __future__ import annotations

import datetime
import struct
import zlib

from django.core.files.uploadedfile import SimpleUploadedFile


def tiny_pdf(*lines: str) -> bytes:
    """A one-page A4 PDF showing ``lines`` in Helvetica."""
    text = (
        "BT /F1 12 Tf 72 770 Td 16 TL "
        + " ".join(
            "({}) '".format(
                line.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")
            )
            for line in lines
        )
        + " ET"
    )
    stream = text.encode("latin-1", "replace")
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] "
        b"/Resources << /Font << /F1 5 0 R >> >> /Contents 4 0 R >>",
        b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    for offset in offsets:
        out += b"%010d 00000 n \n" % offset
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref,
    )
    return bytes(out)


def tiny_png(width: int = 8, height: int = 8, rgb=(29, 112, 184)) -> bytes:
    """A plain-colour PNG image."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return (
            struct.pack("!I", len(data))
            + body
            + struct.pack("!I", zlib.crc32(body) & 0xFFFFFFFF)
        )

    row = b"\x00" + bytes(rgb) * width
    header = struct.pack("!IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(row * height))
        + chunk(b"IEND", b"")
    )


def create_demo_documents(*, staff: dict, out) -> None:
    """A GP letter, a photo of the adult's own and a police report on the
    first demo enquiry (one from its strategy meeting when there is one), and
    a withdrawn upload only a safeguarding lead still sees."""
    from enquiries.models import DocumentKind, Enquiry
    from enquiries.services.documents import store_document, withdraw_document

    enquiry = (
        Enquiry.objects.filter(team=staff["teams"][0])
        .select_related("concern__person")
        .order_by("pk")
        .first()
    )
    if enquiry is None:
        return
    concern, person = enquiry.concern, enquiry.concern.person
    worker = staff["practitioner"]
    kinds = {kind.code: kind for kind in DocumentKind.objects.all()}
    today = datetime.date.today()
    meeting = enquiry.meetings.order_by("held_on").first()

    def add(name, content, **fields):
        return store_document(
            user=worker,
            person=person,
            upload=SimpleUploadedFile(name, content),
            **fields,
        )

    add(
        "gp-letter.pdf",
        tiny_pdf(
            "Riverside Surgery",
            f"Re: {person.full_name}",
            "Seen after two falls at home. Bruising consistent with a fall.",
            "Referred to the falls clinic.",
        ),
        title="GP letter about falls",
        kind=kinds["medical"],
        document_date=today - datetime.timedelta(days=20),
        provided_by="Dr A Shah, GP, Riverside Surgery",
        sensitivity="ask_first",
        sensitivity_reason="Health information: ask Dr Shah before release",
        concern=concern,
    )
    add(
        "photo-front-door.png",
        tiny_png(12, 8, (80, 80, 80)),
        title="Photo of the broken front door lock",
        kind=kinds["photo"],
        document_date=today - datetime.timedelta(days=15),
        provided_by=f"{person.full_name}, the adult",
        sensitivity="yes",
        adults_own=True,
        concern=concern,
    )
    add(
        "police-report.pdf",
        tiny_pdf(
            "Police report (made up for the demo)",
            "Officer attended after a neighbour's call.",
            "Names of the people present are held by the police.",
        ),
        title="Police attendance report",
        kind=kinds["police_report"],
        document_date=today - datetime.timedelta(days=12),
        provided_by="PC 1234 Morgan, Northtown police",
        sensitivity="no",
        sensitivity_reason="Names the alleged source of harm and a witness",
        enquiry=enquiry,
    )
    if meeting is not None:
        add(
            "strategy-minutes.pdf",
            tiny_pdf("Strategy discussion: minutes", "Actions agreed: see the plan."),
            title="Strategy discussion minutes",
            kind=kinds["minutes"],
            document_date=meeting.held_on,
            provided_by="Chair of the strategy discussion",
            sensitivity="ask_first",
            sensitivity_reason="Ask the chair: police information shared in the meeting",
            meeting=meeting,
        )
    wrong = add(
        "statement.pdf",
        tiny_pdf("Bank statement (made up)"),
        title="Bank statement",
        kind=kinds["financial"],
        document_date=today - datetime.timedelta(days=10),
        provided_by="Her son",
        sensitivity="yes",
    )
    withdraw_document(
        user=worker, document=wrong, reason="Uploaded to the wrong person's record"
    )
    out.write(f"Demo documents: held for {person.full_name}.")
