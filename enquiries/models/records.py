"""What happened and who held the case: chronology, allocations, timescales, break-glass grants."""

from __future__ import annotations

import datetime

from django.conf import settings
from django.db import models
from django.utils import timezone

from enquiries.models.cases import Enquiry
from enquiries.models.people import Person


class ChronologyEvent(models.Model):
    """One line in the adult's chronology, written by the services as things happen."""

    ACCESS_TEAM_LOOKUPS = ["person__team", "person__concerns__team"]
    ACCESS_PERSON_LOOKUP = "person__"

    class Kind(models.TextChoices):
        CONCERN = "concern", "Concern"
        DECISION = "decision", "Decision"
        VIEWS = "views", "Adult's views"
        OUTCOMES = "outcomes", "Desired outcomes"
        CONSENT = "consent", "Consent"
        CAPACITY = "capacity", "Mental capacity"
        ADVOCACY = "advocacy", "Advocacy"
        MEETING = "meeting", "Meeting"
        ENQUIRY = "enquiry", "Enquiry"
        OUTCOME = "outcome", "Outcome"
        PLAN = "plan", "Safeguarding plan"
        NOTE = "note", "Case note"
        ALLOCATION = "allocation", "Allocation"
        CLOSURE = "closure", "Closure"
        BUDGET = "budget", "Personal budget"
        DOCUMENT = "document", "Document"

    person = models.ForeignKey(
        Person, on_delete=models.PROTECT, related_name="chronology"
    )
    # When it happened (the event), and when it was typed in: a late entry
    # shows both.
    occurred_at = models.DateTimeField(db_index=True)
    recorded_at = models.DateTimeField(default=timezone.now)
    kind = models.CharField(max_length=20, choices=Kind.choices)
    summary = models.CharField(max_length=255)
    significant = models.BooleanField(default=False)
    link = models.CharField(max_length=255, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        ordering = ["-occurred_at", "-id"]
        indexes = [
            models.Index(fields=["person", "occurred_at"], name="enq_chronology_person")
        ]

    def __str__(self) -> str:
        return self.summary

    @property
    def happened_on(self) -> datetime.date:
        return timezone.localdate(self.occurred_at)

    @property
    def recorded_on(self) -> datetime.date:
        return timezone.localdate(self.recorded_at)

    @property
    def recorded_late(self) -> bool:
        """Typed in on a later day than it happened."""
        return self.recorded_on != self.happened_on

    @property
    def audit_person(self) -> Person:
        return self.person


class Allocation(models.Model):
    """History of who an enquiry, or a concern before any enquiry, was
    allocated or transferred to (exactly one of the two)."""

    enquiry = models.ForeignKey(
        Enquiry,
        on_delete=models.PROTECT,
        related_name="allocations",
        null=True,
        blank=True,
    )
    concern = models.ForeignKey(
        "enquiries.Concern",
        on_delete=models.PROTECT,
        related_name="allocations",
        null=True,
        blank=True,
    )
    team = models.ForeignKey("msp.Team", on_delete=models.PROTECT, related_name="+")
    worker = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    reason = models.CharField(max_length=255, blank=True)
    allocated_at = models.DateTimeField(auto_now_add=True)
    allocated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )

    class Meta:
        ordering = ["-allocated_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(enquiry__isnull=False, concern__isnull=True)
                | models.Q(enquiry__isnull=True, concern__isnull=False),
                name="enq_allocation_one_case",
            )
        ]

    def __str__(self) -> str:
        return f"{self.team} / {self.worker or 'unallocated'}"


class StageTimescale(models.Model):
    """How many working days a stage should take (configurable; warns, never blocks)."""

    class Step(models.TextChoices):
        DECISION = "decision", "Section 42 decision (from concern received)"
        STRATEGY = "strategy", "Strategy discussion (from decision)"
        CAUSED_REPORT = "caused_report", "Caused enquiry report (from request)"
        PLAN = "plan", "Safeguarding plan (from enquiry start)"
        FIRST_REVIEW = "first_review", "First plan review (from plan)"
        CLOSURE = "closure", "Closure (from enquiry start)"

    step = models.CharField(max_length=20, choices=Step.choices, unique=True)
    working_days = models.PositiveSmallIntegerField()

    class Meta:
        ordering = ["step"]

    def __str__(self) -> str:
        return f"{self.get_step_display()}: {self.working_days} working days"


class BreakGlassGrant(models.Model):
    """Time-limited access to a restricted record, given with a reason and reviewed."""

    person = models.ForeignKey(
        Person, on_delete=models.PROTECT, related_name="break_glass_grants"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="break_glass_grants",
    )
    reason = models.TextField()
    granted_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)
    review_outcome = models.CharField(max_length=255, blank=True)

    class Meta:
        ordering = ["-granted_at"]

    def __str__(self) -> str:
        return f"{self.user} opened {self.person} ({self.granted_at:%-d %B %Y})"
