"""Concerns raised online by the public, before they are converted."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from enquiries.models.cases import Concern


class PublicSubmission(models.Model):
    """A concern sent through the public online form, kept exactly as sent.

    Practitioners triage it: convert it into a concern (the submission stays,
    linked) or close it as not a safeguarding matter.
    """

    ACCESS_TEAM_LOOKUPS = ["team"]

    class Status(models.TextChoices):
        NEW = "new", "New"
        CONVERTED = "converted", "Converted into a concern"
        CLOSED = "closed", "Closed: not a safeguarding matter"

    reference = models.CharField(max_length=12, unique=True)
    submitted_at = models.DateTimeField(auto_now_add=True, db_index=True)
    answers = models.JSONField(help_text="What the person sent, unchanged")
    area = models.CharField(max_length=100, blank=True)
    team = models.ForeignKey(
        "msp.Team",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="public_submissions",
    )
    status = models.CharField(
        max_length=10, choices=Status.choices, default=Status.NEW, db_index=True
    )
    concern = models.OneToOneField(
        Concern,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="public_submission",
    )
    closed_reason = models.TextField(blank=True)
    referrer_feedback = models.TextField(blank=True)
    handled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    handled_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["submitted_at", "id"]

    def __str__(self) -> str:
        return f"Online concern {self.reference}"
