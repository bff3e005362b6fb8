"""People and organisations' reference data, and rules on dates shared by every record."""

from __future__ import annotations

import datetime
import re

from django.core.exceptions import ValidationError
from django.db import models

from enquiries import codes
from msp.dates import age_on
from msp.models import TimeStampedModel

ADULT_AGE = 18


def adult_on(born: datetime.date | None, day: datetime.date) -> bool:
    """18 or over on ``day``; with no date of birth, counted as an adult."""
    return born is None or age_on(born, day) >= ADULT_AGE


def validate_nhs_number(value: str) -> None:
    """NHS numbers are 10 digits with a modulus 11 check digit."""
    digits = value.replace(" ", "")
    if len(digits) != 10 or not digits.isdigit():
        raise ValidationError("Enter an NHS number with 10 digits, like 943 476 5919")
    total = sum(int(d) * w for d, w in zip(digits[:9], range(10, 1, -1), strict=True))
    check = 11 - total % 11
    check = 0 if check == 11 else check
    if check == 10 or check != int(digits[9]):
        raise ValidationError(
            "Enter a valid NHS number: the check digit does not match"
        )


def event_date_problem(
    day: datetime.date,
    *,
    received_on: datetime.date | None = None,
    decided_on: datetime.date | None = None,
    last_event_on: datetime.date | None = None,
    died_on: datetime.date | None = None,
    what: str = "The date",
) -> str:
    """Why ``day`` cannot be the date of an event in a case ("" if it can).

    The one rule for every event date: today or earlier; never before the
    concern was received; a stage of the enquiry (meeting, plan review,
    evaluation, conclusion) never before the decision to make enquiries
    (``decided_on``); the conclusion never before the last event recorded in
    the enquiry (``last_event_on``); and, unless the event may follow a death
    (an outcome, the closure, a review: the caller passes no ``died_on``),
    never after the adult's date of death. Each is checked on its own day:
    the same day is allowed.
    """
    if day > datetime.date.today():
        return f"{what} must be today or in the past"
    if received_on and day < received_on:
        return (
            f"{what} must be on or after the date the concern was received "
            f"({received_on:%-d %B %Y})"
        )
    if decided_on and day < decided_on:
        return (
            f"{what} must be on or after the date of the decision to make "
            f"enquiries ({decided_on:%-d %B %Y})"
        )
    if last_event_on and day < last_event_on:
        return (
            f"{what} must be on or after the last event recorded in the "
            f"enquiry: its findings, outcome, a meeting or a plan review "
            f"({last_event_on:%-d %B %Y})"
        )
    if died_on and day > died_on:
        return (
            f"{what} must be on or before the adult's date of death "
            f"({died_on:%-d %B %Y})"
        )
    return ""


def name_key(name: str) -> str:
    """An organisation's name for matching: case and spacing ignored."""
    return " ".join((name or "").casefold().split())


UK_POSTCODE_RE = re.compile(r"^([A-Z]{1,2}[0-9][A-Z0-9]?)([0-9][A-Z]{2})$")


def normalise_uk_postcode(value: str) -> str:
    """A UK postcode as stored for matching: upper case, one space before the
    last three characters ('ne1  4st' -> 'NE1 4ST'); empty stays empty.
    Raises ValidationError when it is not the shape of a UK postcode."""
    compact = "".join((value or "").upper().split())
    if not compact:
        return ""
    match = UK_POSTCODE_RE.match(compact)
    if not match:
        raise ValidationError("Enter a real postcode, like NE1 4ST")
    return f"{match.group(1)} {match.group(2)}"


def postcode_key(postcode: str) -> str:
    """A postcode for matching: upper case, no spaces."""
    return "".join((postcode or "").upper().split())


class Organisation(TimeStampedModel):
    """A provider or partner agency (care home, bank, police force, NHS trust…).

    Practitioners add organisations from the pages that pick one; a likely
    duplicate (same name and postcode, ignoring case and spacing) is shown
    first so they can pick it instead (docs/decisions/0024).
    """

    class Kind(models.TextChoices):
        CARE_HOME = "care_home", "Care home"
        DOMICILIARY = "domiciliary", "Home care (domiciliary) agency"
        SUPPORTED_LIVING = "supported_living", "Supported living provider"
        DAY_SERVICE = "day_service", "Day service"
        HOSPITAL = "hospital", "Hospital or NHS trust"
        GP = "gp", "GP practice or primary care"
        POLICE = "police", "Police"
        HOUSING = "housing", "Housing provider"
        BANK = "bank", "Bank or building society"
        ADVOCACY = "advocacy", "Advocacy service"
        REGULATOR = "regulator", "Regulator (CQC, professional regulator, DBS)"
        LOCAL_AUTHORITY = "local_authority", "Local authority or council service"
        VOLUNTARY = "voluntary", "Voluntary sector"
        OTHER = "other", "Other"

    name = models.CharField(max_length=200)
    kind = models.CharField(max_length=30, choices=Kind.choices, default=Kind.OTHER)
    cqc_location_id = models.CharField("CQC location ID", max_length=20, blank=True)
    address = models.TextField(blank=True)
    postcode = models.CharField(max_length=10, blank=True)
    phone = models.CharField("Phone number", max_length=40, blank=True)
    email = models.EmailField("Email address", blank=True)
    # The name and postcode as the duplicate check compares them.
    match_key = models.CharField(max_length=220, blank=True, db_index=True)
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    @property
    def label(self) -> str:
        """The name with its postcode, to tell two branches apart."""
        return f"{self.name} ({self.postcode})" if self.postcode else self.name

    @staticmethod
    def key_for(name: str, postcode: str) -> str:
        return f"{name_key(name)}|{postcode_key(postcode)}"

    def save(self, *args, **kwargs):
        self.match_key = self.key_for(self.name, self.postcode)
        fields = kwargs.get("update_fields")
        if fields is not None and ({"name", "postcode"} & set(fields)):
            kwargs["update_fields"] = {*fields, "match_key"}
        super().save(*args, **kwargs)


class RiskSubtype(models.Model):
    """A local sub-type under one of the 11 SAC types of risk (configured in admin)."""

    risk_type = models.CharField(max_length=30, choices=codes.RiskType.choices)
    name = models.CharField(max_length=120)
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["risk_type", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["risk_type", "name"], name="enquiries_risksubtype_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_risk_type_display()}: {self.name}"


class OutcomeCategory(models.Model):
    """A kind of desired outcome (to feel safer, get money back…), configured in admin.

    Always shown alongside the adult's own words, never instead of them.
    """

    name = models.CharField(max_length=120, unique=True)
    is_active = models.BooleanField(default=True)
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["order", "name"]
        verbose_name_plural = "outcome categories"

    def __str__(self) -> str:
        return self.name
