"""The adult's own page (issue 20): who may have one, invitations and sign-in
codes, and what the adult adds there.

The safety model is in docs/decisions/0021-adult-own-page.md. In short: a
page is offered per enquiry only after the practitioner records that it is
safe; a manager can refuse or revoke it; every adult session carries the
access's ``session_secret``, which revoking changes, so every session ends at
its next request. Invitation links and sign-in codes are stored only as
hashes, single-use and short-lived.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import uuid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext

from enquiries.models.cases import Enquiry
from enquiries.models.people import Person
from enquiries.models.voice import PersonView
from msp.models import TimeStampedModel


def secret_hash(value: str, *, purpose: str) -> str:
    """A keyed hash of a secret (a link token or a code): only this is stored."""
    key = f"msp.adult_page.{purpose}:{settings.SECRET_KEY}".encode()
    return hmac.new(key, value.encode(), hashlib.sha256).hexdigest()


def new_session_secret() -> str:
    return secrets.token_urlsafe(24)


class AdultPageAccess(TimeStampedModel):
    """The offer of the adult's own page for one enquiry, and its safety record."""

    ACCESS_TEAM_LOOKUPS = ["enquiry__team"]
    ACCESS_PERSON_LOOKUP = "person__"

    class Recipient(models.TextChoices):
        ADULT = "adult", "The adult"
        ADVOCATE = "advocate", "Their advocate"
        REPRESENTATIVE = "representative", "Their representative"

    class Authority(models.TextChoices):
        ADULT_AGREED = "adult_agreed", "The adult agreed"
        LPA = "lpa", "Lasting power of attorney (health and welfare)"
        DEPUTY = "deputy", "Court-appointed deputy"
        BEST_INTERESTS = (
            "best_interests",
            "Best-interests decision (the adult lacks capacity for this decision)",
        )
        ADVOCATE_INSTRUCTED = (
            "advocate_instructed",
            "Advocate instructed under the Care Act or as an IMCA",
        )

    class CodeBy(models.TextChoices):
        EMAIL = "email", "E-mail"
        SMS = "sms", "Text message"

    class Status(models.TextChoices):
        OFFERED = "offered", "Offered"
        REFUSED = "refused", "Refused by a manager"
        REVOKED = "revoked", "Revoked"

    reference = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    enquiry = models.ForeignKey(
        Enquiry, on_delete=models.PROTECT, related_name="adult_page_accesses"
    )
    person = models.ForeignKey(
        Person, on_delete=models.PROTECT, related_name="adult_page_accesses"
    )
    # Safety, recorded before anything is offered.
    harm_source_cannot_see_contact = models.BooleanField(
        "The person causing harm cannot see this phone or e-mail"
    )
    adult_said_yes = models.BooleanField("The adult has said yes to having the page")
    safety_notes = models.TextField("How you know it is safe")
    # Who it is for.
    recipient = models.CharField(
        max_length=20, choices=Recipient.choices, default=Recipient.ADULT
    )
    recipient_name = models.CharField(
        "Name of the advocate or representative", max_length=200, blank=True
    )
    authority = models.CharField(
        max_length=30, choices=Authority.choices, default=Authority.ADULT_AGREED
    )
    authority_details = models.TextField(
        "Details of the agreement or authority", blank=True
    )
    # The contact the practitioner confirmed with the recipient.
    code_by = models.CharField(
        "Send sign-in codes by", max_length=10, choices=CodeBy.choices
    )
    email = models.EmailField("E-mail address", blank=True)
    mobile = models.CharField("Mobile phone number", max_length=20, blank=True)
    contact_confirmed = models.BooleanField(
        "The contact details were confirmed with them"
    )
    # What must not be shown to them.
    withhold_sharing = models.BooleanField(
        "Telling them about information shared would put someone at risk",
        default=False,
    )
    withhold_reason = models.TextField(blank=True)
    # State.
    status = models.CharField(
        max_length=10, choices=Status.choices, default=Status.OFFERED
    )
    session_secret = models.CharField(
        max_length=64, default=new_session_secret, editable=False
    )
    ended_at = models.DateTimeField(null=True, blank=True)
    ended_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    end_reason = models.TextField(blank=True)
    # Failed sign-in attempts (the lockout counter; kept in the database so
    # every app server sees it).
    failed_attempts = models.PositiveIntegerField(default=0)
    locked_until = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = "adult's own page"
        verbose_name_plural = "adults' own pages"
        constraints = [
            models.UniqueConstraint(
                fields=["enquiry"],
                condition=models.Q(status="offered"),
                name="enq_adult_page_one_live_offer",
            )
        ]

    def __str__(self) -> str:
        return f"Own page ({self.get_recipient_display()}, {self.get_status_display()})"

    @property
    def audit_person(self) -> Person:
        return self.person

    @property
    def is_live(self) -> bool:
        return self.status == self.Status.OFFERED

    @property
    def contact_hint(self) -> str:
        """Where the code goes, partly hidden (the last few characters)."""
        if self.code_by == self.CodeBy.SMS:
            digits = "".join(ch for ch in self.mobile if ch.isdigit())
            return gettext("the mobile phone ending %(digits)s") % {
                "digits": digits[-3:]
            }
        local, _, domain = self.email.partition("@")
        return gettext("the e-mail address %(address)s") % {
            "address": f"{local[:1]}…@{domain}"
        }

    def clean(self) -> None:
        errors = {}
        if self.harm_source_cannot_see_contact is False:
            errors["harm_source_cannot_see_contact"] = (
                "Do not offer the page if the person causing harm could see "
                "their phone or e-mail"
            )
        if self.adult_said_yes is False and self.authority in (
            self.Authority.ADULT_AGREED,
        ):
            errors["adult_said_yes"] = (
                "Offer the page only when the adult has said yes, or record the "
                "lawful authority of the person it is for"
            )
        if not (self.safety_notes or "").strip():
            errors["safety_notes"] = "Enter how you know it is safe"
        if self.contact_confirmed is False:
            errors["contact_confirmed"] = (
                "Confirm the contact details with them before offering the page"
            )
        if self.recipient != self.Recipient.ADULT:
            if not self.recipient_name.strip():
                errors["recipient_name"] = (
                    "Enter the name of the advocate or representative"
                )
            if not self.authority_details.strip():
                errors["authority_details"] = (
                    "Enter the details of the adult's agreement or the lawful authority"
                )
        elif self.authority != self.Authority.ADULT_AGREED:
            errors["authority"] = "A page for the adult needs the adult's own yes"
        if self.code_by == self.CodeBy.EMAIL and not self.email:
            errors["email"] = "Enter the e-mail address for sign-in codes"
        if self.code_by == self.CodeBy.SMS:
            digits = "".join(ch for ch in self.mobile if ch.isdigit())
            if len(digits) < 10 or len(digits) > 13:
                errors["mobile"] = "Enter a mobile number, like 07700 900 982"
        if self.withhold_sharing and not self.withhold_reason.strip():
            errors["withhold_reason"] = (
                "Enter why telling them would put someone at risk"
            )
        if errors:
            raise ValidationError(errors)


class AdultPageInvitation(models.Model):
    """A link to start signing in, sent by e-mail or printed in a letter."""

    class SentBy(models.TextChoices):
        EMAIL = "email", "E-mail"
        LETTER = "letter", "Printed letter"
        # Asked for by the adult on their page, to the confirmed mobile.
        TEXT = "text", "Text message"

    access = models.ForeignKey(
        AdultPageAccess, on_delete=models.PROTECT, related_name="invitations"
    )
    token_hash = models.CharField(max_length=64, unique=True)
    sent_by = models.CharField(max_length=10, choices=SentBy.choices)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"Invitation by {self.get_sent_by_display().lower()}"


class AdultSignInCode(models.Model):
    """A one-time sign-in code (hashed), sent to the confirmed contact."""

    access = models.ForeignKey(
        AdultPageAccess, on_delete=models.PROTECT, related_name="sign_in_codes"
    )
    invitation = models.ForeignKey(
        AdultPageInvitation, on_delete=models.PROTECT, related_name="codes"
    )
    code_hash = models.CharField(max_length=64)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return "Sign-in code"


class AdultPageEntry(models.Model):
    """Something the adult (or their representative) did on their own page.

    Views link to the ``PersonView`` they created (attributed "from the
    adult's own page"); plan answers keep the plan version they were given
    on; call-back requests and outcome ratings are kept here too, so the
    worker sees them on the enquiry. Never edited.
    """

    ACCESS_TEAM_LOOKUPS = ["access__enquiry__team"]
    ACCESS_PERSON_LOOKUP = "access__person__"

    class Kind(models.TextChoices):
        VIEWS = "views", "Added their views"
        PLAN_AGREED = "plan_agreed", "Agreed to the plan"
        PLAN_DISAGREED = "plan_disagreed", "Disagreed with the plan"
        CALL_BACK = "call_back", "Asked for a call-back"
        OUTCOMES_RATED = "outcomes_rated", "Said how far their outcomes were achieved"
        COPY_REQUESTED = (
            "copy_requested",
            "Asked for a copy of their information (subject access request)",
        )

    access = models.ForeignKey(
        AdultPageAccess, on_delete=models.PROTECT, related_name="entries"
    )
    kind = models.CharField(max_length=20, choices=Kind.choices)
    text = models.TextField(blank=True)
    person_view = models.OneToOneField(
        PersonView,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="adult_page_entry",
    )
    plan_version = models.CharField(max_length=64, blank=True)
    plan_snapshot = models.JSONField(default=list, blank=True)
    details = models.JSONField(default=dict, blank=True)
    given_on = models.DateField()
    recorded_at = models.DateTimeField(auto_now_add=True)
    seen_by_worker_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-recorded_at", "-id"]
        verbose_name_plural = "adult page entries"

    def __str__(self) -> str:
        return f"{self.get_kind_display()} ({self.given_on:%-d %B %Y})"

    @property
    def audit_person(self) -> Person:
        return self.access.person

    @property
    def respond_by(self):
        """For a subject access request: the day the council must answer by."""
        import datetime

        value = (self.details or {}).get("respond_by")
        return datetime.date.fromisoformat(value) if value else None
