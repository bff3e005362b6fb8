"""People in a position of trust (PiPoT): when the person alleged to have
caused harm works with adults with care and support needs, paid or unpaid
(issue 18, item 4; decision 0026).

The PiPoT case is about the risk the worker poses, not about the adult, so
it is kept apart from the adult's record: it has no team path for
``msp.access.visible`` (it is never visible through the adult's team) and is
read only through ``enquiries.selectors.pipot``, which admits safeguarding
leads and the workers named on the case. The worker is recorded with the
minimum data (a name and a role); a person record is linked only when they
are themselves an adult at risk.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.urls import reverse

from enquiries.models.cases import Concern, Enquiry
from enquiries.models.people import Person
from enquiries.models.reference import Organisation
from msp.models import TimeStampedModel


class PipotCase(TimeStampedModel):
    """The response to an allegation about a person in a position of trust."""

    class SubjectKind(models.TextChoices):
        PAID = "paid", "Paid member of staff"
        AGENCY = "agency", "Agency or bank worker"
        VOLUNTEER = "volunteer", "Volunteer"
        STUDENT = "student", "Student or trainee"

    class Status(models.TextChoices):
        OPEN = "open", "Open"
        CLOSED = "closed", "Closed"

    class Outcome(models.TextChoices):
        SUBSTANTIATED = "substantiated", "Substantiated"
        PARTLY = "partly", "Partly substantiated"
        NOT_SUBSTANTIATED = "not_substantiated", "Not substantiated"
        INCONCLUSIVE = "inconclusive", "Inconclusive"
        UNFOUNDED = "unfounded", "Unfounded"

    reference = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    # The ref it was imported with (interchange), for idempotent imports.
    source_ref = models.CharField(max_length=100, unique=True, null=True, blank=True)
    concern = models.ForeignKey(Concern, on_delete=models.PROTECT, related_name="+")
    enquiry = models.ForeignKey(
        Enquiry, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    subject_name = models.CharField("Name of the person", max_length=200)
    subject_role = models.CharField("Their role or job title", max_length=200)
    subject_kind = models.CharField(
        "How they work with adults", max_length=20, choices=SubjectKind.choices
    )
    # Only when the worker is themselves an adult at risk with a case here.
    subject_person = models.ForeignKey(
        Person,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="Their own record (only if also an adult at risk)",
    )
    employer = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name="Employer or agency",
    )
    allegation = models.TextField("What is alleged")
    opened_on = models.DateField("Date the PiPoT case was opened")
    employer_notified_on = models.DateField(
        "Date the employer was told", null=True, blank=True
    )
    employer_actions = models.TextField(
        "What the employer has done (suspension, investigation, disciplinary)",
        blank=True,
    )
    status = models.CharField(
        max_length=10, choices=Status.choices, default=Status.OPEN, db_index=True
    )
    outcome = models.CharField(max_length=20, choices=Outcome.choices, blank=True)
    outcome_on = models.DateField("Date of the outcome", null=True, blank=True)
    outcome_notes = models.TextField("About the outcome", blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    named_workers = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        related_name="pipot_cases",
        blank=True,
        verbose_name="Workers named on the case",
    )

    class Meta:
        ordering = ["-opened_on", "-id"]
        verbose_name = "PiPoT case"
        verbose_name_plural = "PiPoT cases"
        indexes = [models.Index(fields=["status", "opened_on", "id"])]

    def __str__(self) -> str:
        return f"PiPoT: {self.subject_name} ({self.employer})"

    def get_absolute_url(self) -> str:
        return reverse("enquiries:pipot_detail", args=[self.reference])

    @property
    def is_open(self) -> bool:
        return self.status == self.Status.OPEN

    def clean(self) -> None:
        errors: dict[str, str] = {}
        if (
            self.enquiry_id
            and self.concern_id
            and self.enquiry.concern_id != self.concern_id
        ):
            errors["enquiry"] = "The enquiry must belong to the same concern"
        if self.subject_person_id:
            if self.concern_id and self.subject_person_id == self.concern.person_id:
                errors["subject_person"] = (
                    "The person in a position of trust cannot be the adult at risk "
                    "in this concern"
                )
            elif not Concern.objects.filter(person_id=self.subject_person_id).exists():
                errors["subject_person"] = (
                    "Link a person record only when they are themselves an adult "
                    "at risk with a concern recorded"
                )
        if self.status == self.Status.CLOSED and not self.outcome:
            errors["outcome"] = "Select the outcome before closing the case"
        if self.outcome and not self.outcome_on:
            errors["outcome_on"] = "Enter the date of the outcome"
        if self.outcome_on and self.opened_on and self.outcome_on < self.opened_on:
            errors["outcome_on"] = (
                "The date of the outcome must be on or after the case was opened"
            )
        if (
            self.employer_notified_on
            and self.concern_id
            and self.employer_notified_on < self.concern.received_on
        ):
            errors["employer_notified_on"] = (
                "The date the employer was told must be on or after the concern "
                "was received"
            )
        if errors:
            raise ValidationError(errors)


class PipotReferral(TimeStampedModel):
    """A referral made about the worker: DBS, professional regulator, police."""

    class Kind(models.TextChoices):
        DBS = "dbs", "Disclosure and Barring Service (DBS)"
        REGULATOR = (
            "regulator",
            "Professional regulator (NMC, HCPC, Social Work England…)",
        )
        POLICE = "police", "Police"

    case = models.ForeignKey(
        PipotCase, on_delete=models.PROTECT, related_name="referrals"
    )
    kind = models.CharField("Referred to", max_length=20, choices=Kind.choices)
    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="Which organisation (if known)",
    )
    referred_on = models.DateField("Date referred")
    outcome = models.TextField("Outcome of the referral", blank=True)
    outcome_on = models.DateField("Date of the outcome", null=True, blank=True)

    class Meta:
        ordering = ["referred_on", "id"]
        verbose_name = "PiPoT referral"

    def __str__(self) -> str:
        return f"{self.get_kind_display()} referral ({self.referred_on:%-d %B %Y})"

    def clean(self) -> None:
        errors: dict[str, str] = {}
        if self.outcome.strip() and not self.outcome_on:
            errors["outcome_on"] = "Enter the date of the referral's outcome"
        if self.outcome_on and not self.outcome.strip():
            errors["outcome"] = "Enter the outcome of the referral"
        if self.outcome_on and self.referred_on and self.outcome_on < self.referred_on:
            errors["outcome_on"] = (
                "The date of the outcome must be on or after the referral"
            )
        if errors:
            raise ValidationError(errors)


class PipotConcern(models.Model):
    """Another concern, about another adult, alleging harm by the same person
    in a position of trust. Linked from the PiPoT case by a lead or a named
    worker (never by matching the worker's name), so that patterns count the
    adults whose concerns name this one worker (decision 0023). The concern
    the case arose from counts without a link. Read only through the PiPoT
    access rule; a link made in error is withdrawn, never deleted."""

    case = models.ForeignKey(
        PipotCase, on_delete=models.PROTECT, related_name="other_concerns"
    )
    concern = models.ForeignKey(Concern, on_delete=models.PROTECT, related_name="+")
    linked_at = models.DateTimeField(auto_now_add=True)
    linked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    is_withdrawn = models.BooleanField(
        "Withdrawn (linked in error)",
        default=False,
        help_text="Stops it counting towards new patterns",
    )

    class Meta:
        ordering = ["linked_at", "id"]
        verbose_name = "PiPoT case: another concern naming the worker"
        verbose_name_plural = "PiPoT cases: other concerns naming the worker"
        constraints = [
            models.UniqueConstraint(
                fields=["case", "concern"], name="enq_pipot_concern_once"
            )
        ]
        indexes = [models.Index(fields=["concern", "case"], name="enq_pipot_concern")]

    def __str__(self) -> str:
        return f"PiPoT case {self.case_id}: concern {self.concern_id}"

    def clean(self) -> None:
        if self.case_id and self.concern_id and self.case.concern_id == self.concern_id:
            raise ValidationError(
                {"concern": "That is the concern the PiPoT case arose from"}
            )
