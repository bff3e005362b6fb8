"""Patterns: cumulative-risk flags no single concern shows (issue 19).

A :class:`PatternRule` (configured by safeguarding leads in admin) says what
adds up: N concerns about the same adult, the same alleged source (across
adults: their own person record, or the same PiPoT case), the same
organisation or the same place (a risk's postcode) within M months. When a concern is recorded,
gets an alleged risk or is decided, ``enquiries.services.patterns`` checks the
rules for what that concern is about and keeps a :class:`PatternFlag` with
the exact concerns that made it (:class:`PatternFlagRecord`). Pages read the
stored flags; nothing is counted on page view. See docs/decisions.
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models

from enquiries.models.cases import Concern
from enquiries.models.people import Person
from enquiries.models.pipot import PipotCase
from enquiries.models.reference import Organisation


class PatternRule(models.Model):
    """What adds up to a flag: ``threshold`` concerns within ``window_months``."""

    class Kind(models.TextChoices):
        ADULT = "adult", "The same adult"
        ALLEGED_SOURCE = "alleged_source", "The same alleged source, across adults"
        ORGANISATION = "organisation", "The same organisation"
        LOCATION = "location", "The same place"

    kind = models.CharField(max_length=20, choices=Kind.choices, unique=True)
    threshold = models.PositiveSmallIntegerField(
        "How many",
        validators=[MinValueValidator(2), MaxValueValidator(50)],
        help_text="Concerns (for the same alleged source: different adults) "
        "that raise a flag. At least 2.",
    )
    window_months = models.PositiveSmallIntegerField(
        "Within how many months",
        validators=[MinValueValidator(1), MaxValueValidator(60)],
    )
    is_active = models.BooleanField(default=True)
    updated_at = models.DateTimeField(auto_now=True)
    # When past concerns were last checked against this rule (by
    # send_reminders, after the rule changed).
    checked_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        ordering = ["kind"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.explanation}"

    @property
    def counted(self) -> str:
        return "adults" if self.kind == self.Kind.ALLEGED_SOURCE else "concerns"

    @property
    def explanation(self) -> str:
        months = (
            "a month" if self.window_months == 1 else f"{self.window_months} months"
        )
        return f"{self.threshold} or more {self.counted} within {months}"

    def clean(self) -> None:
        if self.threshold is not None and self.threshold < 2:
            raise ValidationError({"threshold": "A pattern needs at least 2"})


class PatternFlag(models.Model):
    """One pattern found: the rule, what it is about, and (in its records)
    exactly which concerns made it. Acknowledged by a lead or manager with a
    note; a new concern added to it asks for acknowledgement again."""

    rule = models.ForeignKey(PatternRule, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(max_length=20, choices=PatternRule.Kind.choices)
    # What it is about: exactly one of these, by kind.
    person = models.ForeignKey(
        Person,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="pattern_flags",
        help_text="The adult (same adult) or the alleged source's own record",
    )
    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="pattern_flags",
    )
    # The same alleged source known as the person in a position of trust on
    # a PiPoT case (shown only to those who may see the case).
    pipot_case = models.ForeignKey(
        PipotCase,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="PiPoT case",
    )
    # The same place: the normalised postcode the concerns' risks name.
    postcode = models.CharField(max_length=8, blank=True)
    # The threshold and window the flag was raised under (the rule may change).
    threshold = models.PositiveSmallIntegerField()
    window_months = models.PositiveSmallIntegerField()
    first_received_on = models.DateField()
    last_received_on = models.DateField()
    concern_count = models.PositiveIntegerField()
    adult_count = models.PositiveIntegerField()
    raised_at = models.DateTimeField(auto_now_add=True)
    changed_at = models.DateTimeField(auto_now=True)
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    acknowledgement_note = models.TextField(blank=True)
    concerns = models.ManyToManyField(
        Concern, through="PatternFlagRecord", related_name="pattern_flags"
    )

    class Meta:
        ordering = ["-last_received_on", "-id"]
        indexes = [
            models.Index(fields=["kind", "person"], name="enq_flag_person"),
            models.Index(fields=["kind", "organisation"], name="enq_flag_org"),
            models.Index(fields=["kind", "pipot_case"], name="enq_flag_pipot"),
            models.Index(fields=["kind", "postcode"], name="enq_flag_place"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.concern_count} concerns"

    @property
    def is_acknowledged(self) -> bool:
        return self.acknowledged_at is not None

    @property
    def rule_text(self) -> str:
        counted = (
            "adults" if self.kind == PatternRule.Kind.ALLEGED_SOURCE else "concerns"
        )
        months = (
            "a month" if self.window_months == 1 else f"{self.window_months} months"
        )
        return f"{self.threshold} or more {counted} within {months}"


class PatternFlagRecord(models.Model):
    """One concern that made a flag."""

    # Seen as its concern is (msp.access.visible), by what it repeats below.
    ACCESS_TEAM_LOOKUPS = ["team"]
    ACCESS_PERSON_LOOKUP = "person__"

    flag = models.ForeignKey(
        PatternFlag, on_delete=models.CASCADE, related_name="records"
    )
    concern = models.ForeignKey(
        Concern, on_delete=models.PROTECT, related_name="pattern_records"
    )
    # The concern's date received, decision, team and adult, repeated so the
    # dashboard's pattern figures find the flags of a period that a user may
    # see, and those that led to an enquiry, from their records of that
    # period without reading any concern. Kept equal to the concern's by
    # enquiries.services.patterns (follow_concerns).
    received_on = models.DateField(db_index=True)
    decision = models.CharField(
        max_length=20, choices=Concern.Decision.choices, blank=True
    )
    team = models.ForeignKey(
        "msp.Team", on_delete=models.PROTECT, related_name="+", db_index=False
    )
    person = models.ForeignKey(
        "enquiries.Person", on_delete=models.PROTECT, related_name="+", db_index=False
    )
    added_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(
                fields=["flag", "concern"], name="enq_flag_record_once"
            )
        ]

    def __str__(self) -> str:
        return f"Flag {self.flag_id}: concern {self.concern_id}"
