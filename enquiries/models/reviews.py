"""Safeguarding Adults Reviews and the people in them."""

from __future__ import annotations

import uuid

from django.db import models

from enquiries.models.cases import Enquiry
from enquiries.models.people import Person
from msp.models import TimeStampedModel


class SafeguardingAdultsReview(TimeStampedModel):
    """A Safeguarding Adults Review (Care Act s44), for the SAR register and SAC SG5."""

    reference = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    source_ref = models.CharField(max_length=100, unique=True, null=True, blank=True)
    title = models.CharField(max_length=200)
    commissioned_on = models.DateField(null=True, blank=True)
    completed_on = models.DateField(null=True, blank=True, db_index=True)

    # The process before the register: a referral from a case, the board's
    # decision on the s44 criteria, commissioning. None of these feed SG5,
    # which counts completed reviews and their individuals only.
    class Decision(models.TextChoices):
        MET = "met", "Criteria met: the board must arrange a review (s44(1) to (3))"
        NOT_MET = "not_met", "Criteria not met: no review"
        DISCRETIONARY = "discretionary", "Discretionary review (s44(4))"

    referred_on = models.DateField(null=True, blank=True)
    referred_by = models.CharField(
        max_length=200, blank=True, help_text="Who made the referral (name, role)"
    )
    referral_reason = models.TextField(blank=True)
    referred_from_enquiry = models.ForeignKey(
        Enquiry,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="sar_referrals",
    )
    decision = models.CharField(max_length=20, choices=Decision.choices, blank=True)
    decided_on = models.DateField(null=True, blank=True)
    decision_reasons = models.TextField(blank=True)
    reviewer = models.CharField(
        max_length=200, blank=True, help_text="The independent reviewer or author"
    )

    class Meta:
        ordering = ["-completed_on", "title"]
        verbose_name = "Safeguarding Adults Review"

    def __str__(self) -> str:
        return self.title


class SarIndividual(models.Model):
    """An adult whose experience a SAR is about: did they die?"""

    review = models.ForeignKey(
        SafeguardingAdultsReview, on_delete=models.PROTECT, related_name="individuals"
    )
    person = models.ForeignKey(
        Person, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    died = models.BooleanField()

    def __str__(self) -> str:
        return f"{self.person or 'Unnamed individual'} ({'died' if self.died else 'survived'})"


class SarRecommendation(TimeStampedModel):
    """A recommendation of a review, its owner, due date and whether it is done."""

    class Status(models.TextChoices):
        OPEN = "open", "Open"
        DONE = "done", "Done"

    review = models.ForeignKey(
        SafeguardingAdultsReview,
        on_delete=models.PROTECT,
        related_name="recommendations",
    )
    text = models.TextField()
    owner = models.CharField(max_length=200, help_text="Agency or person responsible")
    due_on = models.DateField()
    status = models.CharField(max_length=10, choices=Status.choices, default="open")
    done_on = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["due_on", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(status="open", done_on__isnull=True)
                | models.Q(status="done", done_on__isnull=False),
                name="sar_recommendation_done_has_date",
            )
        ]

    def __str__(self) -> str:
        return self.text[:60]
