"""Personal budgets (Care Act s26) and direct payments (ss31-33, SI 2014/2871).

Every case record here reaches its adult through ``person`` (a personal
budget or direct payment) or through the direct payment, so
``msp.access.visible`` scopes them like any other case record. Nothing is
hard-deleted: conditions are removed with a reason, payments are ended.
"""

from __future__ import annotations

import datetime
import uuid
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.urls import reverse

from msp.models import TimeStampedModel

MONEY = {
    "max_digits": 12,
    "decimal_places": 2,
    "validators": [MinValueValidator(Decimal("0.00"))],
}


class LocalConditionType(models.Model):
    """A condition the council may choose to attach (configured in admin)."""

    code = models.SlugField(max_length=40, unique=True)
    name = models.CharField(max_length=200, unique=True)
    description = models.TextField(blank=True)
    names_a_party = models.BooleanField(
        default=False,
        help_text="The condition names a person or organisation (for example "
        "'not to buy from …'), so the details must say who.",
    )
    is_active = models.BooleanField(default=True)
    sort_order = models.PositiveSmallIntegerField(default=100)

    class Meta:
        ordering = ["sort_order", "name"]

    def __str__(self) -> str:
        return self.name


class PersonalBudget(TimeStampedModel):
    """The s26 statement: the cost of meeting needs and who pays which part."""

    ACCESS_TEAM_LOOKUPS = ["person__team", "person__concerns__team"]
    ACCESS_PERSON_LOOKUP = "person__"

    class Management(models.TextChoices):
        COUNCIL = "council", "Council-arranged (commissioned) services"
        DIRECT_PAYMENT = "direct_payment", "Direct payment"
        ISF = "isf", "Individual service fund (provider-managed)"
        MIXED = "mixed", "Mixed"

    reference = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    person = models.ForeignKey(
        "enquiries.Person", on_delete=models.PROTECT, related_name="personal_budgets"
    )
    care_plan_reference = models.CharField(
        "Care and support plan reference", max_length=60
    )
    effective_from = models.DateField("Start date")
    effective_to = models.DateField("End date", null=True, blank=True)
    total_cost = models.DecimalField("Total cost of meeting needs", **MONEY)
    adult_contribution = models.DecimalField(
        "The person's assessed contribution", **MONEY
    )
    council_contribution = models.DecimalField(
        "The council's part", editable=False, **MONEY
    )
    daily_living_costs = models.DecimalField(
        "Daily living costs", null=True, blank=True, **MONEY
    )
    other_public_money = models.TextField(blank=True)
    management = models.CharField(
        "How it is managed", max_length=20, choices=Management.choices
    )

    class Meta:
        ordering = ["-effective_from", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(adult_contribution__lte=models.F("total_cost")),
                name="budgets_contribution_within_total",
            ),
            models.CheckConstraint(
                condition=models.Q(effective_to__isnull=True)
                | models.Q(effective_to__gt=models.F("effective_from")),
                name="budgets_budget_end_after_start",
            ),
        ]

    def __str__(self) -> str:
        return f"Personal budget from {self.effective_from:%-d %B %Y}"

    def get_absolute_url(self) -> str:
        return reverse("budgets:budget_detail", args=[self.reference])

    @property
    def audit_person(self):
        return self.person

    def clean(self) -> None:
        errors = {}
        if (
            self.total_cost is not None
            and self.adult_contribution is not None
            and self.adult_contribution > self.total_cost
        ):
            errors["adult_contribution"] = (
                "The person's contribution must not be more than the total cost"
            )
        if (
            self.effective_from
            and self.effective_to
            and self.effective_to <= self.effective_from
        ):
            errors["effective_to"] = "End date must be after the start date"
        if errors:
            raise ValidationError(errors)

    def save(self, *args, **kwargs):
        if self.total_cost is not None and self.adult_contribution is not None:
            self.council_contribution = self.total_cost - self.adult_contribution
        super().save(*args, **kwargs)


class DirectPayment(TimeStampedModel):
    """Money paid to the person (or someone for them) to arrange their own care."""

    ACCESS_TEAM_LOOKUPS = ["person__team", "person__concerns__team"]
    ACCESS_PERSON_LOOKUP = "person__"

    class LegalBasis(models.TextChoices):
        S31_ADULT = "s31_adult", "Section 31: the adult, who has capacity"
        S31_NOMINATED = "s31_nominated", "Section 31: a person the adult nominated"
        S32_AUTHORISED = (
            "s32_authorised",
            "Section 32: an authorised person (the adult lacks capacity to ask)",
        )

    class AuthorityBasis(models.TextChoices):
        LPA = "lpa", "Lasting power of attorney"
        DEPUTY = "deputy", "Court of Protection deputy"
        SUITABLE = "suitable", "A suitable person the council agreed"

    class Method(models.TextChoices):
        BANK = "bank", "Bank account"
        CARD = "card", "Prepaid card"
        MANAGED = "managed", "Managed account (third party)"
        PAYROLL = "payroll", "Payroll service"

    class Frequency(models.TextChoices):
        WEEKLY = "weekly", "Weekly"
        FOUR_WEEKLY = "four_weekly", "Every 4 weeks"
        MONTHLY = "monthly", "Monthly"

    class Status(models.TextChoices):
        ACTIVE = "active", "Active"
        SUSPENDED_INVESTIGATION = (
            "suspended_investigation",
            "Suspended pending investigation",
        )
        SUSPENDED = "suspended", "Suspended"
        ENDED = "ended", "Ended"

    reference = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    personal_budget = models.ForeignKey(
        PersonalBudget, on_delete=models.PROTECT, related_name="direct_payments"
    )
    person = models.ForeignKey(
        "enquiries.Person",
        on_delete=models.PROTECT,
        related_name="direct_payments",
        editable=False,
    )
    legal_basis = models.CharField(max_length=20, choices=LegalBasis.choices)
    authority_basis = models.CharField(
        "Authority of the authorised person",
        max_length=20,
        choices=AuthorityBasis.choices,
        blank=True,
    )
    recipient_name = models.CharField(
        "Who receives the payment", max_length=200, blank=True
    )
    recipient_relationship = models.CharField(
        "Their relationship to the person", max_length=100, blank=True
    )
    # The recipient as one of the adult's recorded relationships: a concern
    # naming that record as its source is linked to this payment.
    recipient_relation = models.ForeignKey(
        "enquiries.Relationship",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="direct_payments_received",
        verbose_name="The recipient in the person's relationships",
    )
    payment_method = models.CharField(max_length=20, choices=Method.choices)
    amount = models.DecimalField(**MONEY)
    frequency = models.CharField(max_length=20, choices=Frequency.choices)
    start_date = models.DateField()
    first_payment_on = models.DateField("Date of the first payment")
    status = models.CharField(
        max_length=30, choices=Status.choices, default=Status.ACTIVE, db_index=True
    )
    person_wants = models.TextField(
        "What the person wants to be able to do",
        help_text="In their own words: the choice and control the payment is for.",
    )

    class Meta:
        ordering = ["-start_date", "-id"]

    def __str__(self) -> str:
        return (
            f"Direct payment of £{self.amount} {self.get_frequency_display().lower()}"
        )

    def get_absolute_url(self) -> str:
        return reverse("budgets:dp_detail", args=[self.reference])

    @property
    def audit_person(self):
        return self.person

    @property
    def is_ended(self) -> bool:
        return self.status == self.Status.ENDED

    def clean(self) -> None:
        errors = {}
        if self.legal_basis == self.LegalBasis.S32_AUTHORISED:
            if not self.authority_basis:
                errors["authority_basis"] = (
                    "Select the authority the authorised person has"
                )
        elif self.authority_basis:
            errors["authority_basis"] = (
                "Only record an authority for a section 32 authorised person"
            )
        if self.legal_basis != self.LegalBasis.S31_ADULT and not self.recipient_name:
            errors["recipient_name"] = (
                "Enter the name of the nominated or authorised person"
            )
        if self.recipient_relation_id is not None:
            if self.legal_basis == self.LegalBasis.S31_ADULT:
                errors["recipient_relation"] = (
                    "Only choose a recipient when someone receives it for the adult"
                )
            elif self.person_id is not None and (
                self.recipient_relation.person_id != self.person_id
            ):
                errors["recipient_relation"] = (
                    "Choose someone recorded for the person this payment is for"
                )
        if (
            self.start_date
            and self.first_payment_on
            and self.first_payment_on < self.start_date
        ):
            errors["first_payment_on"] = (
                "Date of the first payment must be on or after the start date"
            )
        if errors:
            raise ValidationError(errors)

    def save(self, *args, **kwargs):
        if self.personal_budget_id and not self.person_id:
            self.person_id = self.personal_budget.person_id
        super().save(*args, **kwargs)

    @property
    def recipient_display(self) -> str:
        if self.legal_basis == self.LegalBasis.S31_ADULT:
            return str(self.person)
        return self.recipient_name


class DirectPaymentChild(TimeStampedModel):
    """Records that hang off one direct payment and share its access rules."""

    ACCESS_TEAM_LOOKUPS = [
        "direct_payment__person__team",
        "direct_payment__person__concerns__team",
    ]
    ACCESS_PERSON_LOOKUP = "direct_payment__person__"

    reference = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)

    class Meta:
        abstract = True

    @property
    def audit_person(self):
        return self.direct_payment.person


class StatusChange(models.Model):
    """One change of a direct payment's status: who, when and why (append-only)."""

    ACCESS_TEAM_LOOKUPS = DirectPaymentChild.ACCESS_TEAM_LOOKUPS
    ACCESS_PERSON_LOOKUP = DirectPaymentChild.ACCESS_PERSON_LOOKUP

    direct_payment = models.ForeignKey(
        DirectPayment, on_delete=models.PROTECT, related_name="status_changes"
    )
    from_status = models.CharField(
        max_length=30, choices=DirectPayment.Status.choices, blank=True
    )
    to_status = models.CharField(max_length=30, choices=DirectPayment.Status.choices)
    reason = models.TextField()
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    changed_at = models.DateTimeField(auto_now_add=True)
    concern = models.ForeignKey(
        "enquiries.Concern",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        ordering = ["-changed_at", "-id"]

    def __str__(self) -> str:
        return f"{self.get_from_status_display()} → {self.get_to_status_display()}"


class RecipientChange(models.Model):
    """One change of who receives a direct payment, or on what legal basis
    (section 31 or 32): before, after, who, when and why (append-only)."""

    ACCESS_TEAM_LOOKUPS = DirectPaymentChild.ACCESS_TEAM_LOOKUPS
    ACCESS_PERSON_LOOKUP = DirectPaymentChild.ACCESS_PERSON_LOOKUP

    direct_payment = models.ForeignKey(
        DirectPayment, on_delete=models.PROTECT, related_name="recipient_changes"
    )
    from_legal_basis = models.CharField(
        max_length=20, choices=DirectPayment.LegalBasis.choices
    )
    to_legal_basis = models.CharField(
        max_length=20, choices=DirectPayment.LegalBasis.choices
    )
    from_recipient = models.CharField(max_length=300)
    to_recipient = models.CharField(max_length=300)
    reason = models.TextField()
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    changed_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-changed_at", "-id"]

    def __str__(self) -> str:
        return f"{self.from_recipient} → {self.to_recipient}"


class FamilyMemberException(DirectPaymentChild):
    """Reg 3: the council decided paying a close family member is necessary."""

    direct_payment = models.ForeignKey(
        DirectPayment, on_delete=models.PROTECT, related_name="family_exceptions"
    )
    family_member_name = models.CharField(max_length=200)
    relationship = models.CharField(max_length=100)
    covers = models.CharField(
        "What they may be paid for",
        max_length=20,
        choices=[
            ("care", "Providing care and support"),
            ("administration", "Administering or managing the payment"),
            ("both", "Both"),
        ],
    )
    necessity_reasons = models.TextField(
        "Why the council decided it is necessary",
    )
    authorised_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    authorised_on = models.DateField()
    review_on = models.DateField("Review date")

    class Meta:
        ordering = ["review_on", "id"]

    def __str__(self) -> str:
        return f"{self.family_member_name} ({self.relationship})"

    def clean(self) -> None:
        if (
            self.authorised_on
            and self.review_on
            and self.review_on <= self.authorised_on
        ):
            raise ValidationError(
                {"review_on": "Review date must be after the date it was authorised"}
            )


class ConditionQuerySet(models.QuerySet):
    def delete(self):
        raise ValidationError(
            "Conditions are never deleted: remove a local condition with a reason"
        )


class Condition(DirectPaymentChild):
    """A condition on a direct payment: statutory (fixed) or local (justified)."""

    objects = ConditionQuerySet.as_manager()

    class Kind(models.TextChoices):
        PLAN_NEEDS = "plan_needs", "Use only for the needs in the care and support plan"
        CLOSE_FAMILY = (
            "close_family",
            "Do not pay a close family member living in the same household "
            "unless the council decides it is necessary",
        )
        LOCAL = "local", "Local condition"

    STATUTORY_KINDS = (Kind.PLAN_NEEDS, Kind.CLOSE_FAMILY)
    LEGAL_BASIS = {
        Kind.PLAN_NEEDS: "Care Act 2014 s33(3)",
        Kind.CLOSE_FAMILY: "Care and Support (Direct Payments) Regulations 2014, reg 3",
    }

    class Agreement(models.TextChoices):
        AGREED = "agreed", "Yes, they agreed"
        DISAGREED = "disagreed", "No, they do not agree"
        NOT_ASKED = "not_asked", "Not asked yet"

    class Status(models.TextChoices):
        MET = "met", "Being met"
        BREACHED = "breached", "Breached"
        REMOVED = "removed", "Removed"

    direct_payment = models.ForeignKey(
        DirectPayment, on_delete=models.PROTECT, related_name="conditions"
    )
    kind = models.CharField(max_length=20, choices=Kind.choices)
    local_type = models.ForeignKey(
        LocalConditionType,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="conditions",
        verbose_name="Condition",
    )
    details = models.TextField(blank=True)
    risk_answered = models.TextField("What risk this condition answers", blank=True)
    why_nothing_less = models.TextField(
        "Why nothing less restrictive would do", blank=True
    )
    agreement = models.CharField(
        "Did the person agree to it",
        max_length=20,
        choices=Agreement.choices,
        default=Agreement.NOT_ASKED,
    )
    person_view = models.TextField("The person's view, in their own words", blank=True)
    safeguarding_concern = models.ForeignKey(
        "enquiries.Concern",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="Safeguarding concern that justifies it",
    )
    review_on = models.DateField("Review date")
    status = models.CharField(
        max_length=20, choices=Status.choices, default=Status.MET, db_index=True
    )
    breached_on = models.DateField(null=True, blank=True)
    breach_details = models.TextField(blank=True)
    removed_on = models.DateField(null=True, blank=True)
    removed_reason = models.TextField(blank=True)

    class Meta:
        ordering = ["kind", "id"]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(kind__in=["plan_needs", "close_family"])
                | ~models.Q(status="removed"),
                name="budgets_statutory_condition_never_removed",
            )
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def title(self) -> str:
        if self.kind == self.Kind.LOCAL and self.local_type_id:
            return self.local_type.name
        return self.get_kind_display()

    @property
    def is_statutory(self) -> bool:
        return self.kind in self.STATUTORY_KINDS

    @property
    def legal_basis(self) -> str:
        return self.LEGAL_BASIS.get(self.kind, "Local condition (s33(2)(b))")

    @property
    def lacks_rationale(self) -> bool:
        return not self.is_statutory and not (
            self.risk_answered.strip() and self.why_nothing_less.strip()
        )

    @property
    def lacks_agreement(self) -> bool:
        return not self.is_statutory and self.agreement != self.Agreement.AGREED

    def clean(self) -> None:
        errors = {}
        if self.is_statutory:
            if self.status == self.Status.REMOVED:
                errors["status"] = "A statutory condition cannot be removed"
        else:
            if not self.local_type_id:
                errors["local_type"] = "Select the condition"
            if not self.risk_answered.strip():
                errors["risk_answered"] = "Enter what risk this condition answers"
            if not self.why_nothing_less.strip():
                errors["why_nothing_less"] = (
                    "Enter why nothing less restrictive would do"
                )
            if (
                self.local_type_id
                and self.local_type.names_a_party
                and not self.details.strip()
            ):
                errors["details"] = (
                    "Enter the details of this condition (who or what it names)"
                )
        if self.status == self.Status.BREACHED:
            if not self.breached_on:
                errors["breached_on"] = "Enter the date of the breach"
            if not self.breach_details.strip():
                errors["breach_details"] = "Enter what happened"
        if self.status == self.Status.REMOVED and not self.removed_reason.strip():
            errors["removed_reason"] = "Enter why the condition is removed"
        if errors:
            raise ValidationError(errors)

    def delete(self, *args, **kwargs):
        raise ValidationError(
            "Conditions are never deleted: remove a local condition with a reason"
        )


class PersonalAssistant(DirectPaymentChild):
    """Someone the person employs with the payment (minimal DBS data only)."""

    class Relationship(models.TextChoices):
        NONE = "none", "Not related"
        FRIEND = "friend", "Friend or neighbour"
        SPOUSE = "spouse", "Spouse, civil partner or living as such"
        PARENT = "parent", "Parent or parent-in-law"
        CHILD = "child", "Son, daughter, son- or daughter-in-law, or stepchild"
        SIBLING = "sibling", "Brother or sister"
        AUNT_UNCLE = "aunt_uncle", "Aunt or uncle"
        GRANDPARENT = "grandparent", "Grandparent"
        PARTNER_OF_RELATIVE = (
            "relative_partner",
            "Spouse or partner of one of those relatives",
        )
        OTHER_RELATIVE = "other_relative", "Other relative"

    # Reg 3: these relatives count when they live in the same household;
    # a spouse or partner always counts.
    HOUSEHOLD_RELATIVES = {
        Relationship.PARENT,
        Relationship.CHILD,
        Relationship.SIBLING,
        Relationship.AUNT_UNCLE,
        Relationship.GRANDPARENT,
        Relationship.PARTNER_OF_RELATIVE,
    }

    class Dbs(models.TextChoices):
        NONE = "none", "None"
        BASIC = "basic", "Basic"
        ENHANCED = "enhanced", "Enhanced"
        ENHANCED_BARRED = "enhanced_barred", "Enhanced with adults' barred list"

    class DbsRequest(models.TextChoices):
        NOT_REQUESTED = "not_requested", "Not requested through the council"
        REQUESTED = "requested", "Requested through the council"
        SUBMITTED = "submitted", "Submitted to the DBS"
        COMPLETED = "completed", "Completed"

    direct_payment = models.ForeignKey(
        DirectPayment, on_delete=models.PROTECT, related_name="assistants"
    )
    name = models.CharField(max_length=200)
    started_on = models.DateField("Start date")
    ended_on = models.DateField("End date", null=True, blank=True)
    relationship = models.CharField(
        "Relationship to the person", max_length=20, choices=Relationship.choices
    )
    same_household = models.BooleanField("Lives in the same household", default=False)
    person_relation = models.ForeignKey(
        "enquiries.Relationship",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="assistant_roles",
        verbose_name="The assistant in the person's relationships",
    )
    family_exception = models.ForeignKey(
        FamilyMemberException,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="assistants",
        verbose_name="Regulation 3 exception",
    )
    dbs_type = models.CharField(
        "DBS check", max_length=20, choices=Dbs.choices, default=Dbs.NONE
    )
    dbs_checked_on = models.DateField(
        "Date of the DBS certificate", null=True, blank=True
    )
    dbs_certificate_reference = models.CharField(
        "DBS certificate number", max_length=20, blank=True
    )
    dbs_recheck_due = models.DateField("DBS re-check due", null=True, blank=True)
    dbs_request = models.CharField(
        "DBS request through the council",
        max_length=20,
        choices=DbsRequest.choices,
        default=DbsRequest.NOT_REQUESTED,
    )
    dbs_requested_on = models.DateField(null=True, blank=True)
    dbs_completed_on = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["name", "id"]

    def __str__(self) -> str:
        return self.name

    @property
    def is_close_family(self) -> bool:
        if self.relationship == self.Relationship.SPOUSE:
            return True
        return self.same_household and self.relationship in self.HOUSEHOLD_RELATIVES

    def clean(self) -> None:
        errors = {}
        if self.started_on and self.ended_on and self.ended_on <= self.started_on:
            errors["ended_on"] = "End date must be after the start date"
        if self.is_close_family and not self.family_exception_id:
            errors["family_exception"] = (
                "A close family member living in the same household can only be "
                "paid when the council decides it is necessary (regulation 3). "
                "Record that exception first, then select it"
            )
        if self.dbs_type != self.Dbs.NONE:
            if not self.dbs_checked_on:
                errors["dbs_checked_on"] = "Enter the date of the DBS certificate"
            if not self.dbs_certificate_reference.strip():
                errors["dbs_certificate_reference"] = "Enter the certificate number"
        if (
            self.dbs_checked_on
            and self.dbs_recheck_due
            and self.dbs_recheck_due <= self.dbs_checked_on
        ):
            errors["dbs_recheck_due"] = (
                "Re-check date must be after the date of the certificate"
            )
        if (
            self.dbs_request != self.DbsRequest.NOT_REQUESTED
            and not self.dbs_requested_on
        ):
            errors["dbs_requested_on"] = "Enter the date the DBS check was requested"
        if self.dbs_request == self.DbsRequest.COMPLETED and not self.dbs_completed_on:
            errors["dbs_completed_on"] = "Enter the date the DBS check was completed"
        if (
            self.person_relation_id is not None
            and self.direct_payment_id is not None
            and self.person_relation.person_id != self.direct_payment.person_id
        ):
            errors["person_relation"] = (
                "Choose someone recorded for the person this payment is for"
            )
        if errors:
            raise ValidationError(errors)


class Review(DirectPaymentChild):
    """A reg 7 review: scheduled (6 then 12 months) or triggered."""

    class Type(models.TextChoices):
        INITIAL = "initial", "First review (within 6 months)"
        ANNUAL = "annual", "Regular review (within 12 months)"
        TRIGGERED = "triggered", "Triggered review"

    class Trigger(models.TextChoices):
        BREACH = "breach", "A condition was breached"
        SAFEGUARDING = "safeguarding", "Safeguarding concern"
        CAPACITY_LOST = "capacity_lost", "Section 31: adult may have lost capacity"
        CAPACITY_REGAINED = (
            "capacity_regained",
            "Section 32: adult may have regained capacity",
        )
        MISUSE = "misuse", "Concern the payment is not used for assessed needs"
        CONDITIONS_NOT_MET = (
            "conditions_not_met",
            "Section 31 or 32 conditions may no longer be met",
        )
        NEEDS_CHANGED = "needs_changed", "Change in needs"
        REQUEST = "request", "The person or recipient asked"

    class Depth(models.TextChoices):
        LIGHT = "light", "Light-touch"
        FULL = "full", "Full"

    class Outcome(models.TextChoices):
        CONTINUE = "continue", "Continue as now"
        CHANGE_AMOUNT = "change_amount", "Change the amount"
        CHANGE_CONDITIONS = "change_conditions", "Change the conditions"
        CHANGE_RECIPIENT = "change_recipient", "Change who receives it"
        SUSPEND = "suspend", "Suspend the payment"
        END = "end", "End the payment"
        REPAYMENT = "repayment", "Ask for repayment"

    direct_payment = models.ForeignKey(
        DirectPayment, on_delete=models.PROTECT, related_name="reviews"
    )
    review_type = models.CharField(max_length=20, choices=Type.choices)
    trigger = models.CharField(max_length=30, choices=Trigger.choices, blank=True)
    trigger_concern = models.ForeignKey(
        "enquiries.Concern",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    trigger_condition = models.ForeignKey(
        Condition, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    due_on = models.DateField(db_index=True)
    completed_on = models.DateField(null=True, blank=True)
    depth = models.CharField(max_length=10, choices=Depth.choices, blank=True)
    findings = models.TextField(blank=True)
    person_view = models.TextField("The person's view", blank=True)
    outcome = models.CharField(max_length=20, choices=Outcome.choices, blank=True)
    repayment_amount = models.DecimalField(null=True, blank=True, **MONEY)
    repayment_reason = models.TextField(blank=True)
    completed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        ordering = ["due_on", "id"]
        indexes = [
            models.Index(fields=["completed_on", "due_on"], name="budgets_review_due")
        ]

    def __str__(self) -> str:
        return f"{self.get_review_type_display()} due {self.due_on:%-d %B %Y}"

    @property
    def is_open(self) -> bool:
        return self.completed_on is None

    def is_overdue(self, today: datetime.date | None = None) -> bool:
        return self.is_open and self.due_on < (today or datetime.date.today())

    def clean(self) -> None:
        errors = {}
        if self.review_type == self.Type.TRIGGERED and not self.trigger:
            errors["trigger"] = "Select what triggered the review"
        if self.completed_on:
            if self.completed_on > datetime.date.today():
                errors["completed_on"] = (
                    "Date of the review must be today or in the past"
                )
            if not self.findings.strip():
                errors["findings"] = "Enter what the review found"
            if not self.person_view.strip():
                errors["person_view"] = (
                    "Enter the person's view, or why it could not be had"
                )
            if not self.outcome:
                errors["outcome"] = "Select the outcome of the review"
            if not self.depth:
                errors["depth"] = "Select whether the review was light-touch or full"
        if self.outcome == self.Outcome.REPAYMENT:
            if not self.repayment_amount:
                errors["repayment_amount"] = "Enter the amount to be repaid"
            if not self.repayment_reason.strip():
                errors["repayment_reason"] = "Enter why repayment is needed"
        if errors:
            raise ValidationError(errors)


class ConcernLink(DirectPaymentChild):
    """A direct payment is relevant to a safeguarding concern, in a role."""

    ACCESS_TEAM_LOOKUPS = [*DirectPaymentChild.ACCESS_TEAM_LOOKUPS, "concern__team"]

    class Role(models.TextChoices):
        CONTEXT = "context", "Context only"
        MISUSE = "misuse", "Alleged misuse of the payment"
        PA_SOURCE = "pa_source", "Personal assistant is the source of risk"
        NOMINEE_SOURCE = (
            "nominee_source",
            "Nominated or authorised person is the source of risk",
        )

    direct_payment = models.ForeignKey(
        DirectPayment, on_delete=models.PROTECT, related_name="concern_links"
    )
    concern = models.ForeignKey(
        "enquiries.Concern",
        on_delete=models.PROTECT,
        related_name="direct_payment_links",
    )
    role = models.CharField(max_length=20, choices=Role.choices)
    notes = models.TextField(blank=True)
    # Made by the system: the concern's alleged source is the recipient or a
    # personal assistant of this payment, matched on the relationship record.
    matched_automatically = models.BooleanField(default=False)
    # A wrong link is withdrawn with a reason, never deleted.
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
        ordering = ["-created_at", "-id"]
        verbose_name = "direct payment concern link"
        constraints = [
            models.UniqueConstraint(
                fields=["direct_payment", "concern", "role"],
                name="budgets_link_once_per_role",
                condition=models.Q(withdrawn_at__isnull=True),
            )
        ]

    def __str__(self) -> str:
        return self.get_role_display()

    @property
    def triggers_review(self) -> bool:
        return self.role != self.Role.CONTEXT

    @property
    def is_withdrawn(self) -> bool:
        return self.withdrawn_at is not None

    def clean(self) -> None:
        if (
            self.direct_payment_id
            and self.concern_id
            and self.concern.person_id != self.direct_payment.person_id
        ):
            raise ValidationError(
                {"concern": "Select a concern about the person this payment is for"}
            )


class Ending(DirectPaymentChild):
    """Why and how a direct payment ended (s33(4) must-stop or s33(5) may-stop)."""

    class Reason(models.TextChoices):
        CONDITIONS_NOT_MET = (
            "conditions_not_met",
            "Section 31 or 32 conditions no longer met (must stop, s33(4))",
        )
        WITHDREW = "withdrew", "The person or recipient withdrew consent"
        BREACH = (
            "breach",
            "Condition breached or not used for plan needs (discretionary, s33(5))",
        )
        NEEDS_CHANGED = "needs_changed", "Needs changed or no longer eligible"
        DIED = "died", "The person died"
        MOVED = "moved", "Moved out of the area"
        SAFEGUARDING = "safeguarding", "Safeguarding concern (discretionary, s33(5))"
        OTHER = "other", "Other"

    MUST_STOP = {Reason.CONDITIONS_NOT_MET}
    DISCRETIONARY = {Reason.BREACH, Reason.SAFEGUARDING}

    direct_payment = models.OneToOneField(
        DirectPayment, on_delete=models.PROTECT, related_name="ending"
    )
    reason = models.CharField(max_length=30, choices=Reason.choices)
    reason_details = models.TextField("Details")
    ended_on = models.DateField("Last day of payments")
    notice_days = models.PositiveIntegerField("Notice given (days)")
    repayment_amount = models.DecimalField(
        "Repayment asked for", null=True, blank=True, **MONEY
    )
    repayment_reason = models.CharField(
        max_length=20,
        choices=[("unspent", "Unspent money"), ("misused", "Money misused")],
        blank=True,
    )
    alternative_arrangements = models.TextField(
        "How the person's needs will be met instead"
    )

    def __str__(self) -> str:
        return self.get_reason_display()

    @property
    def must_stop(self) -> bool:
        return self.reason in self.MUST_STOP

    def clean(self) -> None:
        errors = {}
        if self.repayment_amount and not self.repayment_reason:
            errors["repayment_reason"] = "Select why repayment is asked for"
        if self.repayment_reason and not self.repayment_amount:
            errors["repayment_amount"] = "Enter the amount to be repaid"
        if (
            self.ended_on
            and self.direct_payment_id
            and self.ended_on < self.direct_payment.start_date
        ):
            errors["ended_on"] = "Last day of payments must be after the start date"
        if errors:
            raise ValidationError(errors)


class DirectPaymentDocument(models.Model):
    """A document held with a direct payment (the agreement, a bank statement,
    a payroll record). The document is the adult's (``enquiries.Document``);
    the link lives here so that enquiries never imports budgets
    (docs/decisions/0025)."""

    direct_payment = models.ForeignKey(
        DirectPayment, on_delete=models.PROTECT, related_name="document_links"
    )
    document = models.OneToOneField(
        "enquiries.Document",
        on_delete=models.PROTECT,
        related_name="direct_payment_link",
    )

    class Meta:
        ordering = ["-document__document_date", "-id"]

    def __str__(self) -> str:
        return f"{self.document} ({self.direct_payment})"
