"""Working with partners: agencies involved in a case, the record of every
share of information, and Care Act s45 requests (issue 18).

Each record belongs to a concern and, once there is one, to its enquiry.
Nothing here is deleted: a record entered in error is withdrawn with a
reason (decision 0024 explains the code lists).
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models

from enquiries.models.cases import Concern, Enquiry
from enquiries.models.people import Person
from enquiries.models.reference import Organisation
from enquiries.models.voice import ConsentDecision
from msp.models import TimeStampedModel


class _CaseRecord(TimeStampedModel):
    """A record on a concern (and its enquiry), withdrawn but never deleted."""

    ACCESS_TEAM_LOOKUPS = ["concern__team", "enquiry__team"]
    ACCESS_PERSON_LOOKUP = "concern__person__"

    concern = models.ForeignKey(Concern, on_delete=models.PROTECT, related_name="+")
    enquiry = models.ForeignKey(
        Enquiry, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="+"
    )
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
        abstract = True

    @property
    def audit_person(self) -> Person:
        return self.concern.person

    @property
    def is_withdrawn(self) -> bool:
        return self.withdrawn_at is not None

    def clean(self) -> None:
        if (
            self.enquiry_id
            and self.concern_id
            and self.enquiry.concern_id != self.concern_id
        ):
            raise ValidationError("The enquiry must belong to the same concern")


class InvolvedAgency(_CaseRecord):
    """An organisation (and a named professional) involved in the adult's case."""

    class Role(models.TextChoices):
        REFERRER = "referrer", "Referrer"
        SOURCE_EMPLOYER = (
            "source_employer",
            "Employer of the person alleged to have caused harm",
        )
        PROVIDER = "provider", "Care or support provider"
        POLICE = "police", "Police"
        HEALTH = "health", "Health"
        HOUSING = "housing", "Housing"
        ADVOCACY = "advocacy", "Advocacy"
        REGULATOR = "regulator", "Regulator"
        OTHER = "other", "Other"

    role = models.CharField("Role in the case", max_length=20, choices=Role.choices)
    role_detail = models.CharField("Describe the role", max_length=200, blank=True)
    named_contact = models.CharField("Named contact", max_length=200, blank=True)
    contact_job_title = models.CharField("Their job title", max_length=200, blank=True)
    contact_details = models.TextField("Contact details (phone, email)", blank=True)
    involved_from = models.DateField("Involved since", null=True, blank=True)

    class Meta:
        ordering = ["withdrawn_at", "organisation__name", "id"]
        verbose_name_plural = "involved agencies"

    def __str__(self) -> str:
        return f"{self.organisation} ({self.get_role_display()})"

    def clean(self) -> None:
        super().clean()
        if self.role == self.Role.OTHER and not self.role_detail.strip():
            raise ValidationError({"role_detail": "Describe the agency's role"})


class S45Request(_CaseRecord):
    """A request for information under Care Act s45 (supply of information to
    the Safeguarding Adults Board), made to or received from a partner."""

    class Direction(models.TextChoices):
        RECEIVED = "received", "Received: the partner asked us"
        MADE = "made", "Made: we asked the partner"

    class Decision(models.TextChoices):
        PENDING = "pending", "Not decided yet"
        COMPLY = "comply", "Comply: supply the information"
        PART = "part", "Comply in part"
        DECLINE = "decline", "Decline"

    reference = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    # The ref of an imported request (interchange ``s45_request``).
    source_ref = models.CharField(max_length=100, null=True, blank=True, unique=True)
    direction = models.CharField(max_length=10, choices=Direction.choices)
    requested_on = models.DateField("Date of the request")
    due_on = models.DateField("Deadline")
    what_requested = models.TextField("What information is asked for")
    decision = models.CharField(
        max_length=10, choices=Decision.choices, default=Decision.PENDING
    )
    decided_on = models.DateField("Date of the decision", null=True, blank=True)
    decision_reason = models.TextField("Reasons for the decision", blank=True)

    class Meta:
        ordering = ["requested_on", "id"]
        verbose_name = "s45 request"
        verbose_name_plural = "s45 requests"

    def __str__(self) -> str:
        way = "from" if self.direction == self.Direction.RECEIVED else "to"
        return f"s45 request {way} {self.organisation} ({self.requested_on:%-d %B %Y})"

    def clean(self) -> None:
        super().clean()
        errors = {}
        if self.due_on and self.requested_on and self.due_on < self.requested_on:
            errors["due_on"] = (
                "The deadline must be on or after the date of the request"
            )
        if self.decision != self.Decision.PENDING:
            if not self.decided_on:
                errors["decided_on"] = "Enter the date of the decision"
            elif self.requested_on and self.decided_on < self.requested_on:
                errors["decided_on"] = (
                    "The decision must be on or after the date of the request"
                )
            if (
                self.decision in (self.Decision.PART, self.Decision.DECLINE)
                and not self.decision_reason.strip()
            ):
                errors["decision_reason"] = (
                    "Enter why the request was declined or met only in part"
                )
        elif self.decided_on:
            errors["decision"] = "Select the decision made on that date"
        if errors:
            raise ValidationError(errors)


class InformationShare(_CaseRecord):
    """One share of information about the adult, in or out (the sharing log)."""

    class Direction(models.TextChoices):
        OUT = "out", "Shared by us with the organisation"
        IN = "in", "Received by us from the organisation"

    class LawfulBasis(models.TextChoices):
        CONSENT = "consent", "Consent"
        VITAL_INTERESTS = "vital_interests", "Vital interests"
        S45_REQUEST = "s45_request", "Care Act section 45 request"
        CRIME_PREVENTION = "crime_prevention", "Prevention or detection of crime"
        PUBLIC_TASK = "public_task", "Public task (Care Act duties)"
        LEGAL_OBLIGATION = "legal_obligation", "Legal obligation"

    class Article6(models.TextChoices):
        A = "6_1_a", "UK GDPR Art 6(1)(a): consent"
        C = "6_1_c", "UK GDPR Art 6(1)(c): legal obligation"
        D = "6_1_d", "UK GDPR Art 6(1)(d): vital interests"
        E = "6_1_e", "UK GDPR Art 6(1)(e): public task"

    class SpecialCondition(models.TextChoices):
        NONE = "none", "No special category or criminal offence data shared"
        EXPLICIT_CONSENT = "9_2_a", "Art 9(2)(a): explicit consent"
        VITAL = "9_2_c", "Art 9(2)(c): vital interests (cannot consent)"
        SAFEGUARDING = (
            "9_2_g_sch1_18",
            "Art 9(2)(g) with DPA 2018 Sch 1 para 18: safeguarding individuals at risk",
        )
        SOCIAL_CARE = (
            "9_2_h_sch1_2",
            "Art 9(2)(h) with DPA 2018 Sch 1 para 2: health or social care",
        )
        CRIME = (
            "art10_sch1_10",
            "Art 10 with DPA 2018 Sch 1 para 10: preventing or detecting crime",
        )
        LAW_ENFORCEMENT = (
            "dpa_part3",
            "DPA 2018 Part 3: sharing with a competent authority (law enforcement)",
        )

    class Consent(models.TextChoices):
        CONSENTED = "consented", "The adult consented"
        OVERRIDDEN = "overridden", "The adult declined: shared without consent"
        UNABLE = (
            "unable",
            "The adult lacks capacity to consent: shared in their best interests",
        )
        NOT_ASKED = "not_asked", "Not asked"

    class Told(models.TextChoices):
        YES = "yes", "Yes"
        NO = "no", "No"
        NOT_YET = "not_yet", "Not yet"

    reference = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    source_ref = models.CharField(max_length=100, null=True, blank=True, unique=True)
    direction = models.CharField(max_length=3, choices=Direction.choices)
    shared_on = models.DateField("Date it was shared")
    what = models.TextField("What was shared")
    why = models.TextField("Why it was shared")
    lawful_basis = models.CharField(max_length=20, choices=LawfulBasis.choices)
    article6 = models.CharField(
        "UK GDPR Article 6 basis", max_length=10, choices=Article6.choices
    )
    special_condition = models.CharField(
        "Article 9 or 10 condition (DPA 2018)",
        max_length=20,
        choices=SpecialCondition.choices,
        default=SpecialCondition.NONE,
    )
    consent = models.CharField(
        "The adult's consent", max_length=12, choices=Consent.choices
    )
    override_ground = models.CharField(
        "Why consent did not apply or was overridden",
        max_length=30,
        choices=ConsentDecision.OverrideGround.choices,
        blank=True,
    )
    not_asked_reason = models.TextField("Why the adult was not asked", blank=True)
    consent_decision = models.ForeignKey(
        ConsentDecision,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="Consent decision",
    )
    adult_told = models.CharField(
        "Was the adult told?", max_length=10, choices=Told.choices
    )
    adult_told_reason = models.TextField(
        "Why the adult was not told, or not yet", blank=True
    )
    s45_request = models.ForeignKey(
        S45Request,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="shares",
        verbose_name="s45 request",
    )

    class Meta:
        ordering = ["-shared_on", "-id"]
        verbose_name = "information share"
        verbose_name_plural = "information shares"
        indexes = [
            models.Index(fields=["lawful_basis", "shared_on"], name="share_basis_idx")
        ]

    def __str__(self) -> str:
        way = "to" if self.direction == self.Direction.OUT else "from"
        return (
            f"Information shared {way} {self.organisation} ({self.shared_on:%-d %B %Y})"
        )

    def clean(self) -> None:
        super().clean()
        errors = problems(
            consent=self.consent,
            lawful_basis=self.lawful_basis,
            article6=self.article6,
            special_condition=self.special_condition,
            override_ground=self.override_ground,
            not_asked_reason=self.not_asked_reason,
            adult_told=self.adult_told,
            adult_told_reason=self.adult_told_reason,
            has_s45=bool(self.s45_request_id),
        )
        if (
            self.consent_decision_id
            and self.concern_id
            and self.consent_decision.person_id != self.concern.person_id
        ):
            errors["consent_decision"] = (
                "The consent decision must be about the same adult"
            )
        if errors:
            raise ValidationError(errors)


S = InformationShare


def problems(
    *,
    consent: str,
    lawful_basis: str,
    article6: str,
    special_condition: str,
    override_ground: str,
    not_asked_reason: str,
    adult_told: str,
    adult_told_reason: str,
    has_s45: bool,
) -> dict[str, str]:
    """The rules of a share's legal record, field -> message (none if it holds).

    Shared by the model, the form and the interchange import so that one
    rule gives one message wherever a share is entered.
    """
    errors: dict[str, str] = {}
    if (
        lawful_basis == S.LawfulBasis.CONSENT
        and consent
        and consent != S.Consent.CONSENTED
    ):
        errors["lawful_basis"] = (
            "Consent cannot be the lawful basis: the adult did not consent"
        )
    if article6 == S.Article6.A and consent and consent != S.Consent.CONSENTED:
        errors["article6"] = "Article 6(1)(a) needs the adult's consent"
    if (
        special_condition == S.SpecialCondition.EXPLICIT_CONSENT
        and consent
        and consent != S.Consent.CONSENTED
    ):
        errors["special_condition"] = (
            "Article 9(2)(a) needs the adult's explicit consent"
        )
    if consent in (S.Consent.OVERRIDDEN, S.Consent.UNABLE) and not override_ground:
        errors["override_ground"] = (
            "Select why the information was shared without the adult's consent"
        )
    if consent == S.Consent.CONSENTED and override_ground:
        errors["override_ground"] = "The adult consented: no override applies"
    if consent == S.Consent.NOT_ASKED and not (not_asked_reason or "").strip():
        errors["not_asked_reason"] = "Enter why the adult was not asked"
    if (
        adult_told in (S.Told.NO, S.Told.NOT_YET)
        and not (adult_told_reason or "").strip()
    ):
        errors["adult_told_reason"] = "Enter why the adult has not been told"
    if lawful_basis == S.LawfulBasis.S45_REQUEST and not has_s45:
        errors["s45_request"] = (
            "Select the section 45 request this share answers (record it first)"
        )
    return errors
