"""Files held with a case: police reports, GP letters, bank statements, photos, minutes.

A document always belongs to one adult (``person``) and may also be attached
to one of their concerns, enquiries or meetings. A direct payment's documents
are linked from the budgets side (``budgets.DirectPaymentDocument``), so this
app never imports budgets (docs/decisions/0025).

The file itself lives in the ``documents`` storage (``settings.STORAGES``),
under a random name that says nothing about the adult; it is only ever served
through the download view, which checks access and writes an audit line. A
document is never deleted by a user: it is withdrawn with a reason and kept.
"""

from __future__ import annotations

import datetime
import uuid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.urls import reverse

from enquiries.models.cases import Concern, Enquiry
from enquiries.models.people import Person
from enquiries.models.work import Meeting


class DocumentKind(models.Model):
    """What sort of document it is (a code list administrators keep in admin)."""

    code = models.SlugField(max_length=40, unique=True)
    name = models.CharField(max_length=100)
    is_active = models.BooleanField(
        default=True, help_text="Untick to stop offering it (documents keep it)."
    )
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["order", "name"]

    def __str__(self) -> str:
        return self.name


class Document(models.Model):
    """One file held with an adult's case, with what it is and who may see it."""

    # Part of the adult's record: whoever may see the adult may see it.
    ACCESS_TEAM_LOOKUPS = [
        "person__team",
        "person__concerns__team",
        "person__concerns__enquiries__team",
    ]
    ACCESS_PERSON_LOOKUP = "person__"

    class Sharing(models.TextChoices):
        YES = "yes", "Yes"
        NO = "no", "No"
        ASK_FIRST = "ask_first", "Ask first"

    reference = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    person = models.ForeignKey(
        Person, on_delete=models.PROTECT, related_name="documents"
    )
    concern = models.ForeignKey(
        Concern,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="documents",
    )
    enquiry = models.ForeignKey(
        Enquiry,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="documents",
    )
    meeting = models.ForeignKey(
        Meeting,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="documents",
    )
    title = models.CharField(max_length=200)
    kind = models.ForeignKey(DocumentKind, on_delete=models.PROTECT, related_name="+")
    document_date = models.DateField(
        "Date of the document", help_text="The date it was written or the photo taken"
    )
    provided_by = models.CharField("Who provided it", max_length=200)
    sensitivity = models.CharField(
        "May it be shared with the adult",
        max_length=10,
        choices=Sharing.choices,
    )
    sensitivity_reason = models.TextField("Why not, or who to ask", blank=True)
    adults_own = models.BooleanField(
        "The adult's own document",
        default=False,
        help_text="It belongs to the adult (their letter, their photo, their statement)",
    )
    # The file as received.
    original_name = models.CharField(max_length=255)
    content_type = models.CharField(max_length=100)
    size = models.PositiveBigIntegerField()
    sha256 = models.CharField(max_length=64)
    storage_name = models.CharField(max_length=255, unique=True, editable=False)
    uploaded_at = models.DateTimeField(auto_now_add=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        related_name="+",
    )
    # Withdrawn, never deleted: the file and this row are kept for the
    # retention period of the adult's record.
    withdrawn_at = models.DateTimeField(null=True, blank=True)
    withdrawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    withdrawn_reason = models.TextField(blank=True)

    class Meta:
        ordering = ["-document_date", "-id"]
        indexes = [
            models.Index(
                fields=["person", "document_date"], name="enq_document_person_date"
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(withdrawn_at__isnull=True)
                | ~models.Q(withdrawn_reason=""),
                name="enquiries_document_withdrawn_with_reason",
            ),
            models.CheckConstraint(
                condition=models.Q(sensitivity="yes")
                | ~models.Q(sensitivity_reason=""),
                name="enquiries_document_unshared_with_reason",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("enquiries:document_detail", args=[self.reference])

    @property
    def audit_person(self) -> Person:
        return self.person

    @property
    def is_withdrawn(self) -> bool:
        return self.withdrawn_at is not None

    @property
    def third_party(self) -> bool:
        """Not to be released to the adult as it stands (subject access)."""
        return self.sensitivity != self.Sharing.YES

    def subject_access_note(self) -> str:
        """What a subject access pack says about releasing this document."""
        withdrawn = f" Withdrawn: {self.withdrawn_reason}" if self.withdrawn_at else ""
        if self.sensitivity == self.Sharing.NO:
            return (
                "WITHHOLD OR REDACT: recorded as not to be shared with the adult "
                f"({self.sensitivity_reason}). Third-party information.{withdrawn}"
            )
        if self.sensitivity == self.Sharing.ASK_FIRST:
            return f"ASK FIRST before release: {self.sensitivity_reason}.{withdrawn}"
        return withdrawn.strip()

    @property
    def attached_to(self) -> str:
        if self.meeting_id:
            return str(self.meeting)
        if self.enquiry_id:
            return "Enquiry"
        if self.concern_id:
            return "Concern"
        return "Person"

    def clean(self) -> None:
        errors = {}
        if self.document_date and self.document_date > datetime.date.today():
            errors["document_date"] = (
                "The date of the document must be today or in the past"
            )
        if (
            self.sensitivity
            and self.sensitivity != self.Sharing.YES
            and not self.sensitivity_reason.strip()
        ):
            errors["sensitivity_reason"] = (
                "Say why it may not be shared, or who to ask first"
            )
        if (
            self.meeting_id
            and self.enquiry_id
            and self.meeting.enquiry_id != self.enquiry_id
        ):
            errors["meeting"] = "The meeting belongs to another enquiry"
        if (
            self.enquiry_id
            and self.concern_id
            and self.enquiry.concern_id != self.concern_id
        ):
            errors["enquiry"] = "The enquiry belongs to another concern"
        if (
            self.concern_id
            and self.person_id
            and self.concern.person_id != self.person_id
        ):
            errors["concern"] = "The concern is about another adult"
        if errors:
            raise ValidationError(errors)
