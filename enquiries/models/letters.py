"""Letters to the adult and the referrer, and the templates they come from.

Administrators keep one template for each kind of letter in admin. Every save
keeps a new numbered version (the old ones are never changed), and a letter
records the version it was produced from, so what was sent can always be
explained. A sent letter keeps the HTML it was made from; its PDF is held
as a document of the case (:class:`enquiries.models.Document`, kind
"letter"), and the letter row adds what the document does not know: which
template version, to whom, how and when it was sent.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.urls import reverse

from enquiries.letter_text import LetterKind
from enquiries.models.cases import Enquiry
from enquiries.models.documents import Document
from enquiries.models.people import Person


class LetterTemplate(models.Model):
    """The current words of one kind of letter (edited in admin)."""

    kind = models.CharField(max_length=30, choices=LetterKind.choices, unique=True)
    title = models.CharField(
        max_length=200, help_text="The letter's title, shown at the top of it."
    )
    body = models.TextField(
        help_text="The words of the letter, with placeholders such as "
        "{{ adult_name }}. The placeholders this letter can use are listed below."
    )
    version = models.PositiveIntegerField(
        default=0, editable=False, help_text="The number of the current version"
    )
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        editable=False,
    )

    class Meta:
        ordering = ["kind"]

    def __str__(self) -> str:
        return self.get_kind_display()

    @property
    def easy_read(self) -> bool:
        from enquiries.letter_text import EASY_READ

        return self.kind in EASY_READ


class LetterTemplateVersion(models.Model):
    """One saved version of a template: never changed once written."""

    template = models.ForeignKey(
        LetterTemplate, on_delete=models.PROTECT, related_name="versions"
    )
    number = models.PositiveIntegerField()
    title = models.CharField(max_length=200)
    body = models.TextField()
    saved_at = models.DateTimeField(auto_now_add=True)
    saved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        ordering = ["template", "-number"]
        constraints = [
            models.UniqueConstraint(
                fields=["template", "number"], name="enq_letter_template_version"
            )
        ]

    def __str__(self) -> str:
        return f"{self.template} — version {self.number}"


class Letter(models.Model):
    """A letter produced for an enquiry and sent: to the adult or the referrer."""

    ACCESS_TEAM_LOOKUPS = ["enquiry__team"]
    ACCESS_PERSON_LOOKUP = "enquiry__concern__person__"

    class SentVia(models.TextChoices):
        POST = "post", "Post"
        EMAIL = "email", "E-mail"
        BY_HAND = "by_hand", "By hand"

    reference = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    enquiry = models.ForeignKey(
        Enquiry, on_delete=models.PROTECT, related_name="letters"
    )
    kind = models.CharField(max_length=30, choices=LetterKind.choices)
    template_version = models.ForeignKey(
        LetterTemplateVersion, on_delete=models.PROTECT, related_name="letters"
    )
    title = models.CharField(max_length=200)
    recipient = models.CharField("Sent to", max_length=200)
    # The letter exactly as produced (print-ready HTML); its PDF, made from
    # this, is a document of the case.
    html = models.TextField()
    document = models.OneToOneField(
        Document, on_delete=models.PROTECT, related_name="letter"
    )
    sent_via = models.CharField(
        "How it was sent", max_length=10, choices=SentVia.choices
    )
    sent_on = models.DateField("Date sent")
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-sent_on", "-id"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} sent {self.sent_on:%-d %B %Y}"

    def get_absolute_url(self) -> str:
        return reverse("enquiries:letter_download", args=[self.reference])

    @property
    def audit_person(self) -> Person:
        return self.enquiry.concern.person
