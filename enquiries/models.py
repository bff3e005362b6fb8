"""People, concerns and enquiries: the records practice is made of.

Rules that need only a record's own fields live here (validation in
``clean()``, derived properties). Workflow transitions and anything that
touches several records live in ``enquiries/services.py``.
"""

from __future__ import annotations

import datetime
import uuid

from django.conf import settings
from django.contrib.postgres.indexes import GinIndex, OpClass
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Case, Exists, F, OuterRef, Q, QuerySet, Value, When
from django.db.models.functions import ExtractDay, ExtractMonth, ExtractYear, Upper
from django.urls import reverse

from enquiries import codes
from msp.models import TimeStampedModel
from outcomes.sac_spec import age_on

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


class Organisation(TimeStampedModel):
    """A provider or partner agency (care home, domiciliary agency, NHS trust…)."""

    class Kind(models.TextChoices):
        CARE_HOME = "care_home", "Care home"
        DOMICILIARY = "domiciliary", "Home care (domiciliary) agency"
        SUPPORTED_LIVING = "supported_living", "Supported living provider"
        DAY_SERVICE = "day_service", "Day service"
        HOSPITAL = "hospital", "Hospital or NHS trust"
        POLICE = "police", "Police"
        HOUSING = "housing", "Housing provider"
        VOLUNTARY = "voluntary", "Voluntary sector"
        OTHER = "other", "Other"

    name = models.CharField(max_length=200)
    kind = models.CharField(max_length=30, choices=Kind.choices, default=Kind.OTHER)
    cqc_location_id = models.CharField("CQC location ID", max_length=20, blank=True)
    address = models.TextField(blank=True)
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


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


class Person(TimeStampedModel):
    """An adult at risk."""

    ACCESS_TEAM_LOOKUPS = ["team", "concerns__team", "concerns__enquiries__team"]
    ACCESS_PERSON_LOOKUP = ""

    reference = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    source_ref = models.CharField(
        max_length=100,
        unique=True,
        null=True,
        blank=True,
        help_text="Identifier in the system the record was imported from.",
    )
    given_name = models.CharField(max_length=100)
    family_name = models.CharField(max_length=100)
    preferred_name = models.CharField(max_length=100, blank=True)
    date_of_birth = models.DateField(null=True, blank=True)
    date_of_birth_estimated = models.BooleanField(default=False)
    date_of_death = models.DateField(null=True, blank=True)
    gender = models.CharField(
        max_length=20, choices=codes.Gender.choices, default=codes.Gender.NOT_KNOWN
    )
    gender_identity = models.CharField(
        max_length=200, blank=True, help_text="In the person's own words"
    )
    ethnicity = models.CharField(
        max_length=40,
        choices=codes.Ethnicity.choices,
        default=codes.Ethnicity.NOT_KNOWN,
    )
    primary_support_reason = models.CharField(
        max_length=40,
        choices=codes.SupportReason.choices,
        default=codes.SupportReason.NOT_KNOWN,
    )
    health_conditions = models.JSONField(default=list, blank=True)
    communication_needs = models.JSONField(default=list, blank=True)
    communication_details = models.TextField(blank=True)
    first_language = models.CharField(max_length=60, blank=True)
    nhs_number = models.CharField(
        "NHS number",
        max_length=12,
        blank=True,
        validators=[validate_nhs_number],
        db_index=True,
    )
    address = models.TextField(blank=True)
    postcode = models.CharField(max_length=10, blank=True)
    address_type = models.CharField(
        max_length=30, choices=codes.AddressType.choices, blank=True
    )
    team = models.ForeignKey(
        "msp.Team", on_delete=models.PROTECT, related_name="people", null=True
    )
    is_restricted = models.BooleanField(
        default=False,
        help_text="Only named users may open this record (staff member, high-profile…)",
    )
    restriction_reason = models.CharField(max_length=200, blank=True)
    permitted_users = models.ManyToManyField(
        settings.AUTH_USER_MODEL, blank=True, related_name="restricted_people"
    )
    is_archived = models.BooleanField(default=False)

    class Meta:
        ordering = ["family_name", "given_name"]
        verbose_name_plural = "people"
        indexes = [
            models.Index(fields=["family_name", "given_name"], name="enq_person_name"),
            models.Index(fields=["date_of_birth"], name="enq_person_dob"),
            # The access check asks "which restricted people may this user
            # see?" on every case query: a tiny index instead of a table scan.
            models.Index(
                fields=["id"],
                name="enq_person_restricted",
                condition=models.Q(is_restricted=True),
            ),
            # Name search (substring, any case): trigram index, PostgreSQL only
            # (migration 0005 skips it elsewhere).
            GinIndex(
                OpClass(Upper("given_name"), name="gin_trgm_ops"),
                OpClass(Upper("family_name"), name="gin_trgm_ops"),
                OpClass(Upper("preferred_name"), name="gin_trgm_ops"),
                name="enq_person_name_trgm",
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(date_of_death__isnull=True)
                | models.Q(date_of_birth__isnull=True)
                | models.Q(date_of_death__gte=models.F("date_of_birth")),
                name="enquiries_person_death_after_birth",
            )
        ]

    def __str__(self) -> str:
        return self.full_name

    @classmethod
    def from_db(cls, db, field_names, values):
        person = super().from_db(db, field_names, values)
        person._loaded_birth = person.__dict__.get("date_of_birth")
        return person

    def save(self, *args, **kwargs):
        born_changed = not self._state.adding and self.date_of_birth != getattr(
            self, "_loaded_birth", self.date_of_birth
        )
        super().save(*args, **kwargs)
        self._loaded_birth = self.date_of_birth
        if born_changed:
            # A corrected date of birth can move their concerns in or out of
            # the SAC's scope.
            refresh_adult_on_receipt(Concern.objects.filter(person=self))

    def is_adult_on(self, day: datetime.date) -> bool:
        """18 or over on ``day``; someone with no date of birth counts as an adult."""
        # Dates may still be ISO strings before the row is saved and read back.
        to_date = self._meta.get_field("date_of_birth").to_python
        return adult_on(to_date(self.date_of_birth), to_date(day))

    def get_absolute_url(self) -> str:
        return reverse("enquiries:person_detail", args=[self.reference])

    def clean(self) -> None:
        if (
            self.date_of_birth
            and self.date_of_death
            and self.date_of_death < self.date_of_birth
        ):
            raise ValidationError(
                {"date_of_death": "Date of death must be on or after date of birth"}
            )
        if self.date_of_birth and self.date_of_birth > datetime.date.today():
            raise ValidationError(
                {"date_of_birth": "Date of birth must be in the past"}
            )

    @property
    def full_name(self) -> str:
        return f"{self.given_name} {self.family_name}".strip()

    @property
    def audit_person(self) -> Person:
        return self

    def age_on(self, day: datetime.date) -> int | None:
        if not self.date_of_birth:
            return None
        end = min(day, self.date_of_death) if self.date_of_death else day
        dob = self.date_of_birth
        return end.year - dob.year - ((end.month, end.day) < (dob.month, dob.day))


class LegalAuthority(TimeStampedModel):
    """Someone with legal authority to act for the adult (LPA, deputy, appointee)."""

    class Kind(models.TextChoices):
        LPA_PROPERTY = (
            "lpa_property",
            "Lasting power of attorney: property and financial affairs",
        )
        LPA_HEALTH = "lpa_health", "Lasting power of attorney: health and welfare"
        DEPUTY_PROPERTY = (
            "deputy_property",
            "Court-appointed deputy: property and affairs",
        )
        DEPUTY_WELFARE = "deputy_welfare", "Court-appointed deputy: personal welfare"
        DWP_APPOINTEE = "dwp_appointee", "DWP appointee"
        EPA = "epa", "Enduring power of attorney"

    person = models.ForeignKey(
        Person, on_delete=models.PROTECT, related_name="legal_authorities"
    )
    kind = models.CharField(max_length=30, choices=Kind.choices)
    holder_name = models.CharField(max_length=200)
    registration_reference = models.CharField(max_length=60, blank=True)
    starts_on = models.DateField(null=True, blank=True)
    ends_on = models.DateField(null=True, blank=True)
    concern_about_holder = models.BooleanField(default=False)

    class Meta:
        verbose_name_plural = "legal authorities"

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.holder_name}"


class Relationship(TimeStampedModel):
    """Family, carers, representatives and advocates in the adult's life."""

    class Kind(models.TextChoices):
        FAMILY = "family", "Family member"
        PARTNER = "partner", "Partner or spouse"
        FRIEND = "friend", "Friend or neighbour"
        UNPAID_CARER = "unpaid_carer", "Unpaid carer"
        PAID_CARER = "paid_carer", "Paid carer"
        REPRESENTATIVE = "representative", "Representative (appropriate person)"
        ADVOCATE = "advocate", "Advocate"
        OTHER = "other", "Other"

    person = models.ForeignKey(
        Person, on_delete=models.PROTECT, related_name="relationships"
    )
    kind = models.CharField(max_length=30, choices=Kind.choices)
    name = models.CharField(max_length=200)
    contact_details = models.TextField(blank=True)
    is_appropriate_person = models.BooleanField(
        default=False, help_text="Can represent and support the adult (Care Act s68)"
    )
    lives_with_adult = models.BooleanField(default=False)
    notes = models.TextField(blank=True)

    def __str__(self) -> str:
        return f"{self.name} ({self.get_kind_display()})"


class Concern(TimeStampedModel):
    """A safeguarding concern raised with the council about an adult."""

    ACCESS_TEAM_LOOKUPS = ["team"]
    ACCESS_PERSON_LOOKUP = "person__"

    class Status(models.TextChoices):
        RECEIVED = "received", "Received"
        INFORMATION_GATHERING = "information_gathering", "Information gathering"
        DECIDED = "decided", "Decided"
        CLOSED = "closed", "Closed"

    class ReceivedVia(models.TextChoices):
        PHONE = "phone", "Phone"
        ONLINE_FORM = "online_form", "Online form"
        EMAIL = "email", "Email"
        IN_PERSON = "in_person", "In person"
        MASH = "mash", "Multi-agency safeguarding hub (MASH)"
        POLICE = "police", "Police (public protection notice)"
        OTHER = "other", "Other"

    class ReferrerType(models.TextChoices):
        SELF = "self", "The adult themself"
        FAMILY = "family", "Family member"
        FRIEND = "friend", "Friend or neighbour"
        PUBLIC = "public", "Member of the public"
        CARE_PROVIDER = "care_provider", "Care provider"
        HEALTH = "health", "Health (hospital, GP, community or mental health)"
        POLICE = "police", "Police"
        ASC = "asc", "Council adult social care"
        HOUSING = "housing", "Housing"
        OTHER_AGENCY = "other_agency", "Other agency"
        ANONYMOUS = "anonymous", "Anonymous"
        OTHER = "other", "Other"

    class Aware(models.TextChoices):
        YES = "yes", "Yes"
        NO = "no", "No"
        UNKNOWN = "unknown", "Not known"

    class Decision(models.TextChoices):
        SECTION_42 = "section_42", "Section 42 enquiry"
        OTHER_ENQUIRY = "other_enquiry", "Other safeguarding enquiry"
        NO_ENQUIRY = "no_enquiry", "No safeguarding enquiry"

    class OtherPathway(models.TextChoices):
        INFORMATION_ADVICE = "information_advice", "Information and advice given"
        NEEDS_ASSESSMENT = "needs_assessment", "Needs or carer's assessment, or review"
        REFERRED_ELSEWHERE = "referred_elsewhere", "Referred to another service"
        RISK_MANAGEMENT = "risk_management", "Multi-agency risk management (MARM)"
        PROVIDER_QUALITY = "provider_quality", "Provider quality or contracts route"
        POLICE_ONLY = "police_only", "Police matter only"
        NO_FURTHER_ACTION = "no_further_action", "No further action"
        WITHDRAWN = "withdrawn", "Withdrawn or a duplicate"

    reference = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    source_ref = models.CharField(max_length=100, unique=True, null=True, blank=True)
    person = models.ForeignKey(
        Person, on_delete=models.PROTECT, related_name="concerns"
    )
    team = models.ForeignKey(
        "msp.Team", on_delete=models.PROTECT, related_name="concerns"
    )
    allocated_to = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="allocated_concerns",
    )
    status = models.CharField(
        max_length=30, choices=Status.choices, default=Status.RECEIVED, db_index=True
    )
    received_on = models.DateField(db_index=True)
    received_via = models.CharField(
        max_length=20, choices=ReceivedVia.choices, default=ReceivedVia.PHONE
    )
    in_our_area = models.BooleanField(
        default=True,
        help_text="No if the abuse happened in another council's area (that council reports it)",
    )
    # Derived, never typed: 18 or over on the day received, or no date of
    # birth (the SAC's scope test). Kept by Concern.save() and Person.save()
    # and by refresh_adult_on_receipt(), so the return filters on a column of
    # the concern instead of joining every concern to the person table.
    adult_on_receipt = models.BooleanField(default=True, editable=False)
    referrer_type = models.CharField(
        max_length=30, choices=ReferrerType.choices, blank=True
    )
    referrer_name = models.CharField(max_length=200, blank=True)
    referrer_organisation = models.CharField(max_length=200, blank=True)
    referrer_contact = models.TextField(blank=True)
    referrer_anonymous = models.BooleanField(default=False)
    summary = models.TextField("What happened", blank=True)
    incident_date = models.DateField(null=True, blank=True)
    incident_ongoing = models.BooleanField(default=False)
    immediate_actions = models.TextField("Immediate safety actions", blank=True)
    adult_aware = models.CharField(
        "Does the adult know about the concern",
        max_length=10,
        choices=Aware.choices,
        default=Aware.UNKNOWN,
    )
    others_at_risk = models.BooleanField(default=False)
    children_at_risk = models.BooleanField(default=False)
    # Information gathering: the section 42(1) three-part test, each judged separately.
    criterion_care_needs = models.CharField(
        "Has needs for care and support",
        max_length=10,
        choices=codes.YesNoDontKnow.choices,
        blank=True,
    )
    criterion_care_needs_reason = models.TextField(blank=True)
    criterion_abuse = models.CharField(
        "Is experiencing, or at risk of, abuse or neglect",
        max_length=10,
        choices=codes.YesNoDontKnow.choices,
        blank=True,
    )
    criterion_abuse_reason = models.TextField(blank=True)
    criterion_unable_to_protect = models.CharField(
        "Because of those needs, is unable to protect themselves",
        max_length=10,
        choices=codes.YesNoDontKnow.choices,
        blank=True,
    )
    criterion_unable_to_protect_reason = models.TextField(blank=True)
    decision = models.CharField(max_length=20, choices=Decision.choices, blank=True)
    other_pathway = models.CharField(
        max_length=30, choices=OtherPathway.choices, blank=True
    )
    decision_reason = models.TextField(blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="concern_decisions",
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    referrer_feedback_on = models.DateField(null=True, blank=True)
    referrer_feedback = models.TextField(blank=True)

    class Meta:
        ordering = ["-received_on", "-id"]
        indexes = [
            models.Index(
                fields=["team", "status", "received_on"], name="enq_concern_queue"
            ),
            # "Awaiting decision": undecided concerns, oldest first, read in
            # order from an index that holds only the (few) undecided rows,
            # so the queue costs the same whatever the history.
            models.Index(
                fields=["received_on", "id"],
                name="enq_concern_undecided",
                condition=models.Q(status__in=["received", "information_gathering"]),
            ),
            # SAC return: a year's concerns and the scope test of an
            # enquiry's concern, read from the index alone (no table visits).
            models.Index(
                fields=["received_on", "in_our_area", "adult_on_receipt", "person"],
                name="enq_concern_sac_year",
            ),
            models.Index(
                fields=["id", "in_our_area", "adult_on_receipt", "person"],
                name="enq_concern_sac_scope",
            ),
        ]

    @classmethod
    def from_db(cls, db, field_names, values):
        concern = super().from_db(db, field_names, values)
        concern._loaded_scope = (
            concern.__dict__.get("person_id"),
            concern.__dict__.get("received_on"),
        )
        return concern

    def save(self, *args, **kwargs):
        scope = (self.person_id, self.received_on)
        if self._state.adding or scope != getattr(self, "_loaded_scope", None):
            self.adult_on_receipt = self.person.is_adult_on(self.received_on)
            update_fields = kwargs.get("update_fields")
            if update_fields is not None:
                kwargs["update_fields"] = {*update_fields, "adult_on_receipt"}
        super().save(*args, **kwargs)
        self._loaded_scope = scope

    def __str__(self) -> str:
        return f"Concern about {self.person} received {self.received_on:%d %B %Y}"

    def get_absolute_url(self) -> str:
        return reverse("enquiries:concern_detail", args=[self.reference])

    @property
    def audit_person(self) -> Person:
        return self.person

    @property
    def three_part_test_met(self) -> bool:
        return (
            self.criterion_care_needs == codes.YesNoDontKnow.YES
            and self.criterion_abuse == codes.YesNoDontKnow.YES
            and self.criterion_unable_to_protect == codes.YesNoDontKnow.YES
        )

    def clean(self) -> None:
        errors = {}
        if self.received_on and self.received_on > datetime.date.today():
            errors["received_on"] = "Date received must be today or in the past"
        if (
            self.incident_date
            and self.received_on
            and self.incident_date > self.received_on
        ):
            errors["incident_date"] = (
                "Date it happened must be on or before the date received"
            )
        # A decision made here rests on the test recorded here. A decision
        # carried over from another system (imported, no decider) keeps the
        # test it had there, so its record can still be edited.
        decided_here = self.decided_by_id is not None
        if (
            self.decision == self.Decision.SECTION_42
            and decided_here
            and not self.three_part_test_met
        ):
            errors["decision"] = (
                "A section 42 enquiry needs all three parts of the test met. "
                "Choose other enquiry or no enquiry, or review the test"
            )
        if self.decision == self.Decision.NO_ENQUIRY and not self.other_pathway:
            errors["other_pathway"] = "Select what happens instead of an enquiry"
        if errors:
            raise ValidationError(errors)


class OrganisationalEnquiry(TimeStampedModel):
    """A large-scale enquiry about a provider, linking each adult's own enquiry."""

    ACCESS_TEAM_LOOKUPS = ["team"]

    class Status(models.TextChoices):
        OPEN = "open", "Open"
        CLOSED = "closed", "Closed"

    reference = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="organisational_enquiries"
    )
    team = models.ForeignKey("msp.Team", on_delete=models.PROTECT, related_name="+")
    trigger = models.TextField(
        help_text="What prompted it: a pattern of concerns, whistleblowing, CQC…"
    )
    lead = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    started_on = models.DateField()
    status = models.CharField(
        max_length=10, choices=Status.choices, default=Status.OPEN
    )
    placements_embargoed = models.BooleanField(default=False)
    provider_actions = models.TextField(blank=True)
    concluded_on = models.DateField(null=True, blank=True)

    class Meta:
        verbose_name_plural = "organisational enquiries"

    def __str__(self) -> str:
        return f"Organisational enquiry: {self.organisation}"

    def get_absolute_url(self) -> str:
        return reverse("enquiries:organisational_detail", args=[self.reference])


class Enquiry(TimeStampedModel):
    """A section 42 (or other) safeguarding enquiry arising from a concern."""

    ACCESS_TEAM_LOOKUPS = ["team"]
    ACCESS_PERSON_LOOKUP = "concern__person__"

    class Kind(models.TextChoices):
        SECTION_42 = "section_42", "Section 42 enquiry"
        OTHER = "other", "Other safeguarding enquiry"

    class Status(models.TextChoices):
        PLANNING = "planning", "Planning"
        IN_PROGRESS = "in_progress", "Enquiry in progress"
        OUTCOME_RECORDED = "outcome_recorded", "Outcome recorded"
        PLAN_ACTIVE = "plan_active", "Safeguarding plan in place"
        CLOSURE_REQUESTED = "closure_requested", "Awaiting sign-off"
        CLOSED = "closed", "Closed"

    class LeadAgency(models.TextChoices):
        COUNCIL = "council", "The council"
        PROVIDER = "provider", "Care provider (caused enquiry)"
        NHS = "nhs", "NHS (caused enquiry)"
        POLICE = "police", "Police"
        OTHER = "other", "Other organisation"

    class ClosureReason(models.TextChoices):
        OUTCOMES_ACHIEVED = "outcomes_achieved", "Outcomes achieved"
        RISK_MANAGED = (
            "risk_managed",
            "Risk removed or reduced and the adult is satisfied",
        )
        CEASED_AT_REQUEST = (
            "ceased_at_request",
            "Ceased at the adult's request (capacity confirmed, no grounds to override)",
        )
        ADULT_DIED = "adult_died", "The adult died"
        MOVED_AWAY = "moved_away", "Moved out of the area (transferred)"
        OTHER_PROCESS = "other_process", "Transferred to another process"
        NO_ROLE = "no_role", "No further safeguarding role"
        OTHER = "other", "Other"

    class ViewOnClosure(models.TextChoices):
        AGREES = "agrees", "Agrees with closure"
        DISAGREES = "disagrees", "Disagrees (reasons explored)"
        NOT_OBTAINABLE = "not_obtainable", "Could not be obtained"

    CLOSURE_CHECKLIST = [
        ("adult_agrees", "The adult agrees to closure"),
        ("referrals_made", "Referrals made for assessment and support"),
        ("advice_given", "Advice and information given"),
        ("organisations_updated", "All organisations updated"),
        ("referrer_feedback", "Feedback given to the person who raised the concern"),
        (
            "action_about_source",
            "Action taken about the person alleged to have caused harm",
        ),
        ("others_protected", "Action taken to protect other people"),
        ("childrens_services", "Referral to children's services considered"),
        ("dbs_regulator", "DBS or professional body referrals considered"),
        ("outcomes_evaluated", "Outcomes evaluated by the adult"),
        ("sar_considered", "Safeguarding Adults Review considered"),
        ("lessons_learned", "Lessons learned recorded"),
    ]

    reference = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    source_ref = models.CharField(max_length=100, unique=True, null=True, blank=True)
    concern = models.ForeignKey(
        Concern, on_delete=models.PROTECT, related_name="enquiries"
    )
    kind = models.CharField(max_length=20, choices=Kind.choices, db_index=True)
    kind_at_start = models.CharField(
        max_length=20, choices=Kind.choices, help_text="Counts in SAC SG1 by this kind"
    )
    team = models.ForeignKey(
        "msp.Team", on_delete=models.PROTECT, related_name="enquiries"
    )
    allocated_to = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="allocated_enquiries",
    )
    organisational_enquiry = models.ForeignKey(
        OrganisationalEnquiry,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="enquiries",
    )
    status = models.CharField(
        max_length=30, choices=Status.choices, default=Status.PLANNING, db_index=True
    )
    started_on = models.DateField(db_index=True)
    concluded_on = models.DateField(null=True, blank=True, db_index=True)
    lead_agency = models.CharField(
        max_length=20, choices=LeadAgency.choices, default=LeadAgency.COUNCIL
    )
    scope = models.TextField(blank=True)
    # The enquiry itself
    findings = models.TextField(blank=True)
    spoken_to = models.TextField("Who was spoken to", blank=True)
    seen_alone = models.BooleanField("Was the adult seen alone", null=True, blank=True)
    evidence_notes = models.TextField(blank=True)
    # Outcome (SAC SG2c, SG2e)
    risk_assessment_outcome = models.CharField(
        max_length=40, choices=codes.RiskOutcome.choices, blank=True
    )
    risk_result = models.CharField(
        max_length=10, choices=codes.RiskResult.choices, blank=True
    )
    action_about_source = models.TextField(
        "Action taken about the person or organisation responsible", blank=True
    )
    notifications = models.JSONField(default=list, blank=True)
    # Mental capacity (SAC SG3a)
    lacked_capacity = models.CharField(
        "Did the adult lack capacity to make decisions about the enquiry",
        max_length=10,
        choices=codes.YesNoDontKnow.choices,
        blank=True,
    )
    capacity_support = models.BooleanField(
        "Supported by an advocate, family or friend", null=True, blank=True
    )
    # Making Safeguarding Personal (SAC SG4a)
    asked_desired_outcomes = models.CharField(
        "Was the adult (or their representative) asked what they wanted to happen",
        max_length=10,
        choices=codes.YesNoDontKnow.choices,
        blank=True,
    )
    outcomes_achieved = models.CharField(
        max_length=10, choices=codes.Achieved.choices, blank=True
    )
    outcomes_achieved_changed_reason = models.TextField(blank=True)
    # Derived, never typed: a desired outcome (not withdrawn) is recorded for
    # this enquiry or its concern. Kept by DesiredOutcome.save() and
    # refresh_outcomes_expressed(), so reports read a column, not a sub-query.
    outcomes_expressed = models.BooleanField(default=False, editable=False)
    # Safeguarding plan
    plan_agreed_with_adult = models.BooleanField(null=True, blank=True)
    plan_not_agreed_reason = models.TextField(blank=True)
    # Closure
    closure_reason = models.CharField(
        max_length=30, choices=ClosureReason.choices, blank=True
    )
    closure_checklist = models.JSONField(default=dict, blank=True)
    adult_view_on_closure = models.CharField(
        max_length=20, choices=ViewOnClosure.choices, blank=True
    )
    sar_considered = models.BooleanField(
        "Safeguarding Adults Review considered", default=False
    )
    lessons_learned = models.TextField(blank=True)
    closure_requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    closure_requested_at = models.DateTimeField(null=True, blank=True)
    signed_off_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    signed_off_at = models.DateTimeField(null=True, blank=True)
    sent_back_reason = models.TextField(blank=True)
    status_before_closure_request = models.CharField(
        max_length=30,
        choices=Status.choices,
        blank=True,
        help_text="Where a closure request sent back by a manager returns to",
    )

    class Meta:
        ordering = ["-started_on", "-id"]
        verbose_name_plural = "enquiries"
        indexes = [
            models.Index(
                fields=["team", "status", "started_on"], name="enq_enquiry_queue"
            ),
            models.Index(fields=["allocated_to", "status"], name="enq_enquiry_worker"),
            # Work queues: open enquiries of a team / a worker, newest first.
            models.Index(
                fields=["team", "-started_on", "-id"],
                name="enq_enquiry_open_team",
                condition=~models.Q(status="closed"),
            ),
            models.Index(
                fields=["allocated_to", "-started_on", "-id"],
                name="enq_enquiry_open_worker",
                condition=~models.Q(status="closed"),
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(concluded_on__isnull=True)
                | models.Q(concluded_on__gte=models.F("started_on")),
                name="enquiries_enquiry_concluded_after_start",
            )
        ]

    def save(self, *args, **kwargs):
        if self._state.adding and self.concern_id:
            # Outcomes recorded at the concern stage count from the start.
            self.outcomes_expressed = (
                expressed_desired_outcomes().filter(concern_id=self.concern_id).exists()
            )
        super().save(*args, **kwargs)

    def __str__(self) -> str:
        return f"{self.get_kind_display()} for {self.concern.person}"

    def get_absolute_url(self) -> str:
        return reverse("enquiries:enquiry_detail", args=[self.reference])

    @property
    def audit_person(self) -> Person:
        return self.concern.person

    @property
    def is_open(self) -> bool:
        return self.status != self.Status.CLOSED

    def clean(self) -> None:
        errors = {}
        if (
            self.risk_result
            and self.risk_assessment_outcome
            and self.risk_assessment_outcome not in codes.RiskOutcome.risk_identified()
        ):
            errors["risk_result"] = (
                "Only record whether the risk remained, reduced or was removed "
                "when a risk was identified"
            )
        if (
            self.concluded_on
            and self.started_on
            and self.concluded_on < self.started_on
        ):
            errors["concluded_on"] = (
                "Date concluded must be on or after the date started"
            )
        if errors:
            raise ValidationError(errors)


class Risk(models.Model):
    """One alleged risk: type, where, and who is alleged to have caused it.

    Risks recorded on a concern (``enquiry`` empty) are what was alleged; an
    enquiry has its own list, copied from the concern when it starts and
    revised as the facts are established. The SAC counts the enquiry's list.
    """

    ACCESS_TEAM_LOOKUPS = ["concern__team"]
    ACCESS_PERSON_LOOKUP = "concern__person__"

    concern = models.ForeignKey(Concern, on_delete=models.PROTECT, related_name="risks")
    enquiry = models.ForeignKey(
        Enquiry, on_delete=models.PROTECT, null=True, blank=True, related_name="risks"
    )
    risk_type = models.CharField(
        "Type of risk", max_length=30, choices=codes.RiskType.choices
    )
    subtype = models.ForeignKey(
        RiskSubtype, on_delete=models.PROTECT, null=True, blank=True
    )
    location = models.CharField(
        "Location of risk", max_length=30, choices=codes.RiskLocation.choices
    )
    source = models.CharField(
        "Source of risk", max_length=20, choices=codes.RiskSource.choices
    )
    source_person_name = models.CharField("Who (a person)", max_length=200, blank=True)
    source_relationship = models.CharField(
        "Their relationship to the adult", max_length=100, blank=True
    )
    source_organisation = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="risks",
    )
    details = models.TextField(blank=True)
    is_withdrawn = models.BooleanField(default=False)

    class Meta:
        ordering = ["id"]
        indexes = [
            # SAC return SG2: the risks of the year's enquiries, from the index.
            models.Index(
                fields=["enquiry", "is_withdrawn", "risk_type", "location", "source"],
                name="enq_risk_sac",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_risk_type_display()} ({self.get_location_display()})"


class PersonView(models.Model):
    """The adult's views at a stage, in their own words where possible. Append-only.

    A correction is a new entry that supersedes the old one; nothing is edited.
    """

    ACCESS_TEAM_LOOKUPS = ["person__team", "concern__team", "enquiry__team"]
    ACCESS_PERSON_LOOKUP = "person__"

    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="views")
    concern = models.ForeignKey(
        Concern, on_delete=models.PROTECT, null=True, blank=True, related_name="views"
    )
    enquiry = models.ForeignKey(
        Enquiry, on_delete=models.PROTECT, null=True, blank=True, related_name="views"
    )
    stage = models.CharField(max_length=30, choices=codes.Stage.choices)
    source = models.CharField(
        "Whose views", max_length=20, choices=codes.ViewSource.choices
    )
    source_name = models.CharField("Name of who spoke", max_length=200, blank=True)
    not_obtained_reason = models.CharField(
        max_length=30, choices=codes.ViewNotObtainedReason.choices, blank=True
    )
    method = models.CharField(
        max_length=20, choices=codes.ViewMethod.choices, blank=True
    )
    views_text = models.TextField("What they said", blank=True)
    own_words = models.BooleanField("These are their own words", default=False)
    what_matters = models.TextField("What matters to them", blank=True)
    worries = models.TextField("What worries them", blank=True)
    supersedes = models.OneToOneField(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="superseded_by",
    )
    correction_reason = models.CharField(max_length=255, blank=True)
    recorded_at = models.DateTimeField(auto_now_add=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )

    class Meta:
        ordering = ["recorded_at", "id"]
        indexes = [
            # "A stage with the adult's views not obtained" (dashboard and
            # exceptions): a small index of just those entries.
            models.Index(
                fields=["enquiry", "stage"],
                name="enq_view_not_obtained",
                condition=models.Q(source="not_obtained"),
            ),
        ]

    def __str__(self) -> str:
        return f"Views at {self.get_stage_display()} ({self.get_source_display()})"

    @property
    def audit_person(self) -> Person:
        return self.person

    @property
    def was_obtained(self) -> bool:
        return self.source != codes.ViewSource.NOT_OBTAINED

    def clean(self) -> None:
        if self.source == codes.ViewSource.NOT_OBTAINED:
            if not self.not_obtained_reason:
                raise ValidationError(
                    {
                        "not_obtained_reason": "Select why the views could not be obtained"
                    }
                )
        elif not self.views_text.strip():
            raise ValidationError({"views_text": "Enter what they said"})


class DesiredOutcome(models.Model):
    """What the adult wants to happen, in their own words. Revised with a reason."""

    ACCESS_TEAM_LOOKUPS = ["person__team", "concern__team", "enquiry__team"]
    ACCESS_PERSON_LOOKUP = "person__"

    class Status(models.TextChoices):
        ACTIVE = "active", "Current"
        REVISED = "revised", "Revised"
        WITHDRAWN = "withdrawn", "Withdrawn"

    person = models.ForeignKey(
        Person, on_delete=models.PROTECT, related_name="desired_outcomes"
    )
    concern = models.ForeignKey(
        Concern,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="desired_outcomes",
    )
    enquiry = models.ForeignKey(
        Enquiry,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="desired_outcomes",
    )
    stage = models.CharField(max_length=30, choices=codes.Stage.choices)
    text = models.TextField("What they want to happen, in their words")
    category = models.ForeignKey(
        OutcomeCategory, on_delete=models.PROTECT, null=True, blank=True
    )
    expressed_by = models.CharField(
        max_length=20, choices=codes.ViewSource.choices, default=codes.ViewSource.ADULT
    )
    status = models.CharField(
        max_length=10, choices=Status.choices, default=Status.ACTIVE
    )
    revises = models.OneToOneField(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="revised_by",
    )
    revision_reason = models.CharField(max_length=255, blank=True)
    withdrawal_reason = models.CharField(max_length=255, blank=True)
    # Evaluation at closure, with the adult.
    achieved = models.CharField(
        max_length=10, choices=codes.Achieved.choices, blank=True
    )
    evaluation_comment = models.TextField("The adult's comment", blank=True)
    evaluated_with = models.CharField(
        max_length=20, choices=codes.ViewSource.choices, blank=True
    )
    evaluated_at = models.DateTimeField(null=True, blank=True)
    evaluated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    recorded_at = models.DateTimeField(auto_now_add=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )

    class Meta:
        ordering = ["recorded_at", "id"]
        indexes = [
            # Outcomes still to be evaluated with the adult (dashboard and
            # exceptions): few at any time, whatever the history.
            models.Index(
                fields=["enquiry"],
                name="enq_outcome_unrated_enquiry",
                condition=models.Q(status="active", achieved=""),
            ),
            models.Index(
                fields=["concern"],
                name="enq_outcome_unrated_concern",
                condition=models.Q(status="active", achieved=""),
            ),
        ]

    def __str__(self) -> str:
        return self.text[:80]

    def save(self, *args, **kwargs):
        super().save(*args, **kwargs)
        enquiries = Q(pk=self.enquiry_id) if self.enquiry_id else Q()
        if self.concern_id:
            enquiries |= Q(concern_id=self.concern_id)
        if enquiries:
            refresh_outcomes_expressed(Enquiry.objects.filter(enquiries))

    @property
    def audit_person(self) -> Person:
        return self.person


def adult_on_receipt_condition() -> Q:
    """Concerns whose person was 18 or over on the day received, or has no
    date of birth, in SQL (the same rule as :meth:`Person.is_adult_on`).

    The birthday has come when (month, day) received is on or after
    (month, day) of birth, so 29 February birthdays come on 1 March.
    """
    return (
        Q(_born_y__isnull=True)
        | Q(_age_years__gt=ADULT_AGE)
        | Q(_age_years=ADULT_AGE, _recv_m__gt=F("_born_m"))
        | Q(_age_years=ADULT_AGE, _recv_m=F("_born_m"), _recv_d__gte=F("_born_d"))
    )


def refresh_adult_on_receipt(concerns: QuerySet[Concern]) -> int:
    """Set ``Concern.adult_on_receipt`` from the dates, in one UPDATE.

    For writes that bypass ``save()`` (imports, bulk loads) and for a
    person's corrected date of birth.
    """
    adults = (
        Concern.objects.filter(pk=OuterRef("pk"))
        .alias(
            _born_y=ExtractYear("person__date_of_birth"),
            _born_m=ExtractMonth("person__date_of_birth"),
            _born_d=ExtractDay("person__date_of_birth"),
            _recv_m=ExtractMonth("received_on"),
            _recv_d=ExtractDay("received_on"),
        )
        .alias(_age_years=ExtractYear("received_on") - F("_born_y"))
        .filter(adult_on_receipt_condition())
    )
    return concerns.update(
        adult_on_receipt=Case(When(Exists(adults), then=Value(True)), default=False)
    )


def expressed_desired_outcomes() -> QuerySet[DesiredOutcome]:
    """Desired outcomes that count as expressed: any not withdrawn."""
    return DesiredOutcome.objects.exclude(status=DesiredOutcome.Status.WITHDRAWN)


def refresh_outcomes_expressed(enquiries: QuerySet[Enquiry]) -> int:
    """Set ``Enquiry.outcomes_expressed`` from the desired outcomes, in one UPDATE.

    For writes that bypass ``DesiredOutcome.save()`` (imports, bulk loads).
    """
    expressed = expressed_desired_outcomes()
    return enquiries.update(
        outcomes_expressed=Case(
            When(
                Exists(expressed.filter(enquiry=OuterRef("pk")))
                | Exists(expressed.filter(concern_id=OuterRef("concern_id"))),
                then=Value(True),
            ),
            default=Value(False),
        )
    )


class ConsentDecision(models.Model):
    """Consent sought for one decision, and any override of a refusal."""

    ACCESS_TEAM_LOOKUPS = ["concern__team", "enquiry__team"]
    ACCESS_PERSON_LOOKUP = "person__"

    class Question(models.TextChoices):
        RAISE_CONCERN = "raise_concern", "Raising the concern"
        PROCEED_ENQUIRY = "proceed_enquiry", "Going ahead with an enquiry"
        SHARE_INFORMATION = "share_information", "Sharing information with an agency"
        POLICE_REFERRAL = "police_referral", "Referral to the police"
        MARAC_REFERRAL = "marac_referral", "Referral to MARAC"
        NRM_REFERRAL = "nrm_referral", "Referral to the National Referral Mechanism"
        SAFEGUARDING_PLAN = "safeguarding_plan", "The safeguarding plan"
        CLOSURE = "closure", "Closing the enquiry"

    class Answer(models.TextChoices):
        CONSENTED = "consented", "Consented"
        DECLINED = "declined", "Declined"
        UNABLE = "unable", "Unable to consent (lacks capacity for this decision)"
        NOT_ASKED = "not_asked", "Not asked"

    class OverrideGround(models.TextChoices):
        LACKS_CAPACITY = (
            "lacks_capacity",
            "Lacks capacity: acting in their best interests",
        )
        VITAL_INTEREST = "vital_interest", "Emergency or risk to life (vital interests)"
        RISK_TO_OTHERS = (
            "risk_to_others",
            "Other people, including children, are at risk",
        )
        CRIME = "crime", "A serious crime has been or may be committed"
        STAFF_IMPLICATED = (
            "staff_implicated",
            "Staff or a person in a position of trust is implicated",
        )
        COERCION = "coercion", "Coercion, duress or undue influence"
        PUBLIC_INTEREST = "public_interest", "Public interest"
        LEGAL_REQUIREMENT = (
            "legal_requirement",
            "A court order or other legal requirement",
        )

    person = models.ForeignKey(
        Person, on_delete=models.PROTECT, related_name="consent_decisions"
    )
    concern = models.ForeignKey(
        Concern,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="consent_decisions",
    )
    enquiry = models.ForeignKey(
        Enquiry,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="consent_decisions",
    )
    question = models.CharField(max_length=30, choices=Question.choices)
    agency = models.CharField("Which agency", max_length=200, blank=True)
    answer = models.CharField(max_length=20, choices=Answer.choices)
    not_asked_reason = models.TextField(blank=True)
    overridden = models.BooleanField(default=False)
    override_grounds = models.JSONField(default=list, blank=True)
    override_reason = models.TextField(blank=True)
    adult_informed_of_override = models.BooleanField(null=True, blank=True)
    override_confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    override_confirmed_at = models.DateTimeField(null=True, blank=True)
    recorded_at = models.DateTimeField(auto_now_add=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )

    class Meta:
        ordering = ["recorded_at", "id"]

    def __str__(self) -> str:
        return f"{self.get_question_display()}: {self.get_answer_display()}"

    @property
    def audit_person(self) -> Person:
        return self.person

    @property
    def override_pending_confirmation(self) -> bool:
        return self.overridden and self.override_confirmed_by_id is None

    def clean(self) -> None:
        errors = {}
        if self.answer == self.Answer.NOT_ASKED and not self.not_asked_reason.strip():
            errors["not_asked_reason"] = "Enter why the adult was not asked"
        if self.overridden:
            if self.answer not in (self.Answer.DECLINED, self.Answer.UNABLE):
                errors["overridden"] = (
                    "Only a refusal, or an inability to consent, can be overridden"
                )
            if not self.override_grounds:
                errors["override_grounds"] = (
                    "Select the grounds for overriding the adult's decision"
                )
            if not self.override_reason.strip():
                errors["override_reason"] = (
                    "Enter the reasons for overriding the adult's decision"
                )
        if self.question == self.Question.SHARE_INFORMATION and not self.agency.strip():
            errors["agency"] = "Enter which agency the information would be shared with"
        if errors:
            raise ValidationError(errors)


class CapacityAssessment(TimeStampedModel):
    """A decision-specific mental capacity assessment (MCA 2005 ss2-3)."""

    ACCESS_TEAM_LOOKUPS = ["person__team", "enquiry__team"]
    ACCESS_PERSON_LOOKUP = "person__"

    class Ability(models.TextChoices):
        ABLE = "able", "Able"
        UNABLE = "unable", "Unable"

    class Conclusion(models.TextChoices):
        HAS_CAPACITY = "has_capacity", "Has capacity for this decision"
        LACKS_CAPACITY = "lacks_capacity", "Lacks capacity for this decision"
        FLUCTUATING = "fluctuating", "Fluctuating: reassess"

    person = models.ForeignKey(
        Person, on_delete=models.PROTECT, related_name="capacity_assessments"
    )
    enquiry = models.ForeignKey(
        Enquiry,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="capacity_assessments",
    )
    decision_in_question = models.CharField("The specific decision", max_length=255)
    assessed_on = models.DateField()
    practicable_steps = models.TextField(
        "Steps taken to support the decision", blank=True
    )
    impairment = models.BooleanField(
        "Is there an impairment of, or disturbance in, the mind or brain"
    )
    impairment_evidence = models.TextField(blank=True)
    understand = models.CharField(max_length=10, choices=Ability.choices, blank=True)
    understand_evidence = models.TextField(blank=True)
    retain = models.CharField(max_length=10, choices=Ability.choices, blank=True)
    retain_evidence = models.TextField(blank=True)
    use_or_weigh = models.CharField(max_length=10, choices=Ability.choices, blank=True)
    use_or_weigh_evidence = models.TextField(blank=True)
    communicate = models.CharField(max_length=10, choices=Ability.choices, blank=True)
    communicate_evidence = models.TextField(blank=True)
    conclusion = models.CharField(max_length=20, choices=Conclusion.choices)
    reassess_by = models.DateField(null=True, blank=True)
    best_interests_decision = models.TextField(blank=True)
    best_interests_consulted = models.TextField(
        "Who was consulted and their views", blank=True
    )
    best_interests_decided_by = models.CharField(max_length=200, blank=True)

    def __str__(self) -> str:
        return (
            f"Capacity: {self.decision_in_question} ({self.get_conclusion_display()})"
        )

    @property
    def audit_person(self) -> Person:
        return self.person

    def clean(self) -> None:
        errors = {}
        unable = [
            name
            for name in ("understand", "retain", "use_or_weigh", "communicate")
            if getattr(self, name) == self.Ability.UNABLE
        ]
        if self.conclusion == self.Conclusion.LACKS_CAPACITY:
            if not self.impairment:
                errors["conclusion"] = (
                    "A person can only lack capacity if there is an impairment of the mind or brain"
                )
            elif not unable:
                errors["conclusion"] = (
                    "Record which part of the decision they are unable to do "
                    "(understand, retain, use or weigh, communicate)"
                )
            elif not self.best_interests_decision.strip():
                errors["best_interests_decision"] = (
                    "Record the best interests decision when the person lacks capacity"
                )
        for name in unable:
            if not getattr(self, f"{name}_evidence").strip():
                errors[f"{name}_evidence"] = "Give the evidence for this finding"
        if errors:
            raise ValidationError(errors)


class AdvocacyReferral(TimeStampedModel):
    """Independent advocacy (Care Act s68, or an IMCA), tracked to allocation."""

    ACCESS_TEAM_LOOKUPS = ["enquiry__team"]
    ACCESS_PERSON_LOOKUP = "enquiry__concern__person__"

    class Kind(models.TextChoices):
        CARE_ACT_S68 = "care_act_s68", "Care Act advocate (section 68)"
        IMCA_SAFEGUARDING = "imca_safeguarding", "IMCA (safeguarding)"
        IMCA_ACCOMMODATION = "imca_accommodation", "IMCA (accommodation)"
        IMHA = "imha", "Independent mental health advocate"
        NON_STATUTORY = "non_statutory", "Community advocacy"

    class Status(models.TextChoices):
        NEEDED = "needed", "Needed: not yet referred"
        REFERRED = "referred", "Referred"
        ALLOCATED = "allocated", "Advocate allocated"
        ENDED = "ended", "Ended"
        NOT_NEEDED = "not_needed", "Not needed"

    enquiry = models.ForeignKey(
        Enquiry, on_delete=models.PROTECT, related_name="advocacy_referrals"
    )
    difficulty_understanding = models.BooleanField(
        "Substantial difficulty understanding information", default=False
    )
    difficulty_retaining = models.BooleanField(
        "Substantial difficulty retaining information", default=False
    )
    difficulty_weighing = models.BooleanField(
        "Substantial difficulty using or weighing information", default=False
    )
    difficulty_communicating = models.BooleanField(
        "Substantial difficulty communicating their views", default=False
    )
    appropriate_person_available = models.BooleanField(
        "Is there an appropriate person to support them", null=True, blank=True
    )
    appropriate_person_name = models.CharField(max_length=200, blank=True)
    kind = models.CharField(
        max_length=30, choices=Kind.choices, default=Kind.CARE_ACT_S68
    )
    status = models.CharField(
        max_length=20, choices=Status.choices, default=Status.NEEDED
    )
    provider = models.CharField(max_length=200, blank=True)
    referred_on = models.DateField(null=True, blank=True)
    allocated_on = models.DateField(null=True, blank=True)
    advocate_name = models.CharField(max_length=200, blank=True)
    ended_on = models.DateField(null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.get_status_display()}"

    @property
    def audit_person(self) -> Person:
        return self.enquiry.concern.person

    @property
    def has_substantial_difficulty(self) -> bool:
        return any(
            (
                self.difficulty_understanding,
                self.difficulty_retaining,
                self.difficulty_weighing,
                self.difficulty_communicating,
            )
        )

    @property
    def advocate_required(self) -> bool:
        """s68: substantial difficulty and nobody appropriate to support them."""
        return (
            self.has_substantial_difficulty
            and self.appropriate_person_available is False
        )


class Meeting(TimeStampedModel):
    """A strategy discussion, planning meeting or review meeting."""

    ACCESS_TEAM_LOOKUPS = ["enquiry__team"]
    ACCESS_PERSON_LOOKUP = "enquiry__concern__person__"

    class Kind(models.TextChoices):
        STRATEGY_DISCUSSION = "strategy_discussion", "Strategy discussion"
        PLANNING_MEETING = "planning_meeting", "Planning (strategy) meeting"
        REVIEW_MEETING = "review_meeting", "Enquiry review meeting"
        CASE_CONFERENCE = "case_conference", "Outcome meeting or case conference"

    class Format(models.TextChoices):
        PHONE = "phone", "Phone"
        VIDEO = "video", "Video"
        IN_PERSON = "in_person", "In person"

    enquiry = models.ForeignKey(
        Enquiry, on_delete=models.PROTECT, related_name="meetings"
    )
    kind = models.CharField(max_length=30, choices=Kind.choices)
    held_on = models.DateField()
    format = models.CharField(max_length=20, choices=Format.choices)
    attendees = models.TextField("Who attended, and their organisations")
    adult_invited = models.BooleanField()
    adult_attended = models.BooleanField()
    how_views_brought = models.TextField(
        "How the adult's views were brought to the meeting", blank=True
    )
    lead_agency = models.CharField(
        max_length=20,
        choices=Enquiry.LeadAgency.choices,
        default=Enquiry.LeadAgency.COUNCIL,
    )
    interim_protection = models.TextField("Interim protection plan", blank=True)
    decisions = models.TextField(blank=True)

    class Meta:
        ordering = ["held_on", "id"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} on {self.held_on:%d %B %Y}"

    @property
    def audit_person(self) -> Person:
        return self.enquiry.concern.person


class CausedEnquiry(TimeStampedModel):
    """An organisation asked to make enquiries (s42(2)), with a report due."""

    ACCESS_TEAM_LOOKUPS = ["enquiry__team"]
    ACCESS_PERSON_LOOKUP = "enquiry__concern__person__"

    enquiry = models.ForeignKey(
        Enquiry, on_delete=models.PROTECT, related_name="caused_enquiries"
    )
    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="+"
    )
    scope = models.TextField("What they are asked to find out")
    requested_on = models.DateField()
    due_on = models.DateField()
    report_received_on = models.DateField(null=True, blank=True)
    council_satisfied = models.BooleanField(null=True, blank=True)

    class Meta:
        verbose_name_plural = "caused enquiries"

    def __str__(self) -> str:
        return f"Caused enquiry: {self.organisation}"

    @property
    def audit_person(self) -> Person:
        return self.enquiry.concern.person

    def clean(self) -> None:
        if self.due_on and self.requested_on and self.due_on < self.requested_on:
            raise ValidationError(
                {"due_on": "Due date must be on or after the date requested"}
            )


class PlanAction(TimeStampedModel):
    """One action in the safeguarding plan, serving the adult's desired outcomes."""

    ACCESS_TEAM_LOOKUPS = ["enquiry__team"]
    ACCESS_PERSON_LOOKUP = "enquiry__concern__person__"

    class Status(models.TextChoices):
        NOT_STARTED = "not_started", "Not started"
        IN_PROGRESS = "in_progress", "In progress"
        DONE = "done", "Done"
        NOT_DONE = "not_done", "Not done"

    enquiry = models.ForeignKey(
        Enquiry, on_delete=models.PROTECT, related_name="plan_actions"
    )
    description = models.TextField()
    owner = models.CharField("Who will do it", max_length=200)
    due_on = models.DateField()
    status = models.CharField(
        max_length=20, choices=Status.choices, default=Status.NOT_STARTED
    )
    status_reason = models.TextField(blank=True)
    desired_outcomes = models.ManyToManyField(
        DesiredOutcome, blank=True, related_name="plan_actions"
    )

    class Meta:
        ordering = ["due_on", "id"]

    def __str__(self) -> str:
        return self.description[:80]

    @property
    def audit_person(self) -> Person:
        return self.enquiry.concern.person


class PlanReview(TimeStampedModel):
    """A review of the safeguarding plan, with the adult's view and risk re-rated."""

    ACCESS_TEAM_LOOKUPS = ["enquiry__team"]
    ACCESS_PERSON_LOOKUP = "enquiry__concern__person__"

    class RiskRating(models.TextChoices):
        LOW = "low", "Low"
        MEDIUM = "medium", "Medium"
        HIGH = "high", "High"
        CRITICAL = "critical", "Critical"

    class Decision(models.TextChoices):
        CONTINUE = "continue", "Continue the plan"
        AMEND = "amend", "Change the plan"
        CLOSE = "close", "Move to closure"
        ESCALATE = "escalate", "Escalate"

    enquiry = models.ForeignKey(
        Enquiry, on_delete=models.PROTECT, related_name="plan_reviews"
    )
    reviewed_on = models.DateField()
    adult_view = models.TextField("The adult's view")
    risk_rating = models.CharField(max_length=10, choices=RiskRating.choices)
    decision = models.CharField(max_length=10, choices=Decision.choices)
    notes = models.TextField(blank=True)
    next_review_on = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["reviewed_on", "id"]

    def __str__(self) -> str:
        return f"Plan review on {self.reviewed_on:%d %B %Y}"

    @property
    def audit_person(self) -> Person:
        return self.enquiry.concern.person


class CaseNote(TimeStampedModel):
    """A case note. Drafts can be edited; once finalised it cannot change."""

    ACCESS_TEAM_LOOKUPS = ["person__team", "enquiry__team"]
    ACCESS_PERSON_LOOKUP = "person__"

    person = models.ForeignKey(
        Person, on_delete=models.PROTECT, related_name="case_notes"
    )
    enquiry = models.ForeignKey(
        Enquiry,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="case_notes",
    )
    text = models.TextField()
    is_final = models.BooleanField(default=False)
    finalised_at = models.DateTimeField(null=True, blank=True)
    significant = models.BooleanField(default=False)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.text[:80]

    @property
    def audit_person(self) -> Person:
        return self.person


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

    person = models.ForeignKey(
        Person, on_delete=models.PROTECT, related_name="chronology"
    )
    occurred_at = models.DateTimeField(db_index=True)
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
    def audit_person(self) -> Person:
        return self.person


class Allocation(models.Model):
    """History of who an enquiry was allocated or transferred to."""

    enquiry = models.ForeignKey(
        Enquiry, on_delete=models.PROTECT, related_name="allocations"
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
        return f"{self.user} opened {self.person} ({self.granted_at:%d %b %Y})"


class SafeguardingAdultsReview(TimeStampedModel):
    """A Safeguarding Adults Review (Care Act s44), for the SAR register and SAC SG5."""

    reference = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    source_ref = models.CharField(max_length=100, unique=True, null=True, blank=True)
    title = models.CharField(max_length=200)
    commissioned_on = models.DateField(null=True, blank=True)
    completed_on = models.DateField(null=True, blank=True, db_index=True)

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
