"""Concerns, section 42 enquiries (individual and organisational) and risks."""

from __future__ import annotations

import datetime
import uuid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Case, Exists, F, OuterRef, Q, QuerySet, Value, When
from django.db.models.functions import ExtractDay, ExtractMonth, ExtractYear
from django.urls import reverse

from enquiries import codes
from enquiries.models.people import Person, Relationship
from enquiries.models.querysets import CaseRecordQuerySet
from enquiries.models.reference import (
    ADULT_AGE,
    Organisation,
    RiskSubtype,
    event_date_problem,
    normalise_uk_postcode,
)
from msp.models import TimeStampedModel


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
    # The day the decision was made (the event), which may be earlier than
    # the day it was typed in (decided_at): a s42 enquiry starts on it.
    decided_on = models.DateField("Date of the decision", null=True, blank=True)
    referrer_feedback_on = models.DateField(null=True, blank=True)
    referrer_feedback = models.TextField(blank=True)

    objects = CaseRecordQuerySet.as_manager()

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
        concern._loaded_timing = concern.timing
        concern._loaded_for_patterns = concern.for_patterns
        return concern

    @property
    def for_patterns(self) -> tuple:
        """What a pattern flag's records repeat from their concern (date
        received, decision, team, adult), as loaded or set (deferred ones as
        None)."""
        return tuple(
            self.__dict__.get(name)
            for name in ("received_on", "decision", "team_id", "person_id")
        )

    @property
    def timing(self) -> tuple:
        """The dates the decision is timed by, as loaded or set (deferred
        ones as None): received, decided, and when the decision was typed.
        Saves that leave them alone need not be timed again."""
        return tuple(
            self.__dict__.get(name)
            for name in ("received_on", "decided_on", "decided_at")
        )

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
        return f"Concern about {self.person} received {self.received_on:%-d %B %Y}"

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
        if self.decided_on:
            error = event_date_problem(
                self.decided_on,
                received_on=self.received_on,
                died_on=self.person.date_of_death if self.person_id else None,
                what="The date of the decision",
            )
            if error:
                errors["decided_on"] = error
        if errors:
            raise ValidationError(errors)


class OrganisationalEnquiry(TimeStampedModel):
    """A large-scale enquiry about a provider, linking each adult's own enquiry."""

    ACCESS_TEAM_LOOKUPS = ["team"]

    class Status(models.TextChoices):
        OPEN = "open", "Open"
        CONCLUDED = "concluded", "Concluded, awaiting sign-off"
        CLOSED = "closed", "Closed"

    reference = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    # The ref it was imported with (interchange), for idempotent imports.
    source_ref = models.CharField(max_length=100, unique=True, null=True, blank=True)
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
    # Contact with the provider and with the regulator (CQC): who, what, when.
    provider_contact = models.TextField("Contact with the provider", blank=True)
    provider_contacted_on = models.DateField(
        "Date of the latest contact with the provider", null=True, blank=True
    )
    regulator_contact = models.TextField("Contact with the regulator (CQC)", blank=True)
    regulator_contacted_on = models.DateField(
        "Date of the latest contact with the regulator", null=True, blank=True
    )
    # Conclusion (the day it concluded, what it found) and the manager's
    # sign-off that closes it.
    concluded_on = models.DateField(null=True, blank=True)
    findings_summary = models.TextField("Summary of the findings", blank=True)
    closed_on = models.DateField(null=True, blank=True)
    signed_off_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )

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
    # The days the findings were reached and the outcome decided (events of
    # the enquiry, kept apart from when they were typed in).
    findings_on = models.DateField("Date of the findings", null=True, blank=True)
    outcome_on = models.DateField("Date of the outcome", null=True, blank=True)
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
    # Why the answer above was changed from the one shown (derived from the
    # desired outcomes, or typed earlier); the latest reason, each one also
    # in the audit trail and the chronology.
    asked_desired_outcomes_reason = models.TextField(
        "Why the answer was changed", blank=True
    )
    outcomes_achieved = models.CharField(
        max_length=10, choices=codes.Achieved.choices, blank=True
    )
    outcomes_achieved_changed_reason = models.TextField(blank=True)
    # When the adult died or could not be reached, the evaluation may rest on
    # the practitioner's judgement; this is why (SG4a part 2 still answered).
    outcomes_judgement_reason = models.TextField(
        "Why the adult could not take part in the evaluation", blank=True
    )
    # Derived, never typed: a desired outcome (not withdrawn) is recorded for
    # this enquiry, or for its concern with no enquiry named
    # (voice.outcomes_counted_for). Kept by DesiredOutcome.save() and
    # refresh_outcome_flags(), so reports and the SAC return read a column,
    # not a sub-query.
    outcomes_expressed = models.BooleanField(default=False, editable=False)
    # Derived, never typed, kept the same way: one of those desired outcomes
    # was recorded from the adult or their representative, which answers
    # SAC SG4a part 1 "asked, outcomes expressed" when no answer is typed
    # (outcomes.msp.derived_asked).
    outcomes_from_adult_recorded = models.BooleanField(default=False, editable=False)
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

    objects = CaseRecordQuerySet.as_manager()

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
            # Every team's open enquiries, oldest first (the safeguarding
            # lead's team queue and home page): in order from the first
            # entry, instead of walking every enquiry ever started and
            # discarding the closed ones.
            models.Index(
                fields=["started_on", "id"],
                name="enq_enquiry_open_started",
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
            from enquiries.models.voice import (
                expressed_desired_outcomes,
                outcomes_from_adult,
            )

            # Outcomes recorded with the concern (no enquiry named) count
            # from the start; a new enquiry has none of its own yet
            # (voice.outcomes_counted_for).
            of_concern = {"concern_id": self.concern_id, "enquiry__isnull": True}
            self.outcomes_expressed = (
                expressed_desired_outcomes().filter(**of_concern).exists()
            )
            self.outcomes_from_adult_recorded = (
                self.outcomes_expressed
                and outcomes_from_adult().filter(**of_concern).exists()
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

    @classmethod
    def from_db(cls, db, field_names, values):
        instance = super().from_db(db, field_names, values)
        # The conclusion as saved: clean() checks it against the enquiry's
        # other events only when it changes.
        instance._saved_concluded_on = instance.__dict__.get("concluded_on")
        # The concern as read: a save that moves the enquiry to another
        # concern changes what is kept about both (outcomes.sac_counts).
        instance._loaded_concern_id = instance.__dict__.get("concern_id")
        return instance

    def last_stage_event_on(self):
        """The day of the last event recorded in the enquiry: its findings,
        its outcome, a meeting or a plan review (None when there is none)."""
        days = [self.findings_on, self.outcome_on]
        if self.pk:
            days += [
                self.meetings.aggregate(last=models.Max("held_on"))["last"],
                self.plan_reviews.aggregate(last=models.Max("reviewed_on"))["last"],
            ]
        return max((day for day in days if day), default=None)

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
        concern = self.concern if self.concern_id else None
        received_on = concern.received_on if concern else None
        died_on = concern.person.date_of_death if concern else None
        if self.started_on and "started_on" not in errors:
            error = event_date_problem(
                self.started_on,
                received_on=received_on,
                died_on=died_on,
                what="The date the enquiry started",
            )
            if error:
                errors["started_on"] = error
        decided_on = self.started_on if "started_on" not in errors else None
        for name, what, may_follow_death in (
            ("findings_on", "The date of the findings", False),
            ("outcome_on", "The date of the outcome", True),
        ):
            day = getattr(self, name)
            if day:
                error = event_date_problem(
                    day,
                    received_on=received_on,
                    decided_on=decided_on,
                    died_on=None if may_follow_death else died_on,
                    what=what,
                )
                if error:
                    errors[name] = error
        if self.concluded_on and "concluded_on" not in errors:
            # An enquiry may be concluded after the adult died, but not
            # before the last meeting or plan review recorded in it.
            error = event_date_problem(
                self.concluded_on,
                received_on=received_on,
                last_event_on=(
                    self.last_stage_event_on()
                    if self.concluded_on != getattr(self, "_saved_concluded_on", None)
                    else None
                ),
                what="The date concluded",
            )
            if error:
                errors["concluded_on"] = error
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
    # The person alleged to have caused it, when they are one of the adult's
    # recorded relationships: other apps match on this record, not on a name.
    source_relation = models.ForeignKey(
        Relationship,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="risks_caused",
        verbose_name="Someone recorded in the adult's relationships",
    )
    # Where it happened, when that is a place other than the adult's own
    # home (a care home, day centre, hospital ward, a shared house): its
    # postcode, normalised ("NE1 4ST"), is what the location pattern matches;
    # the name is for people to read and is never matched.
    place_postcode = models.CharField(
        "Postcode of the place where it happened", max_length=8, blank=True
    )
    place_name = models.CharField(
        "Name of the place where it happened", max_length=200, blank=True
    )
    details = models.TextField(blank=True)
    is_withdrawn = models.BooleanField(default=False)

    objects = CaseRecordQuerySet.as_manager()

    class Meta:
        ordering = ["id"]
        indexes = [
            # Location patterns: the concern-stage risks naming one postcode.
            models.Index(
                fields=["place_postcode", "concern"],
                name="enq_risk_place",
                condition=~Q(place_postcode=""),
            ),
            # SAC return SG2: the risks of the year's enquiries, from the index.
            models.Index(
                fields=["enquiry", "is_withdrawn", "risk_type", "location", "source"],
                name="enq_risk_sac",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_risk_type_display()} ({self.get_location_display()})"

    @classmethod
    def from_db(cls, db, field_names, values):
        risk = super().from_db(db, field_names, values)
        # The enquiry as read: a save that moves the risk to another enquiry
        # changes what is kept about both (outcomes.sac_counts).
        risk._loaded_enquiry_id = risk.__dict__.get("enquiry_id")
        return risk

    def clean(self) -> None:
        self.clean_place()
        if self.source_relation_id is None:
            return
        if self.source != codes.RiskSource.KNOWN:
            raise ValidationError(
                {
                    "source_relation": "Only choose someone from the adult's "
                    "relationships when the source is someone known to the adult"
                }
            )
        if self.concern_id and self.source_relation.person_id != self.concern.person_id:
            raise ValidationError(
                {"source_relation": "Choose someone recorded for this adult"}
            )

    def clean_place(self) -> None:
        """The place's postcode in its stored shape; never for the adult's own
        home (homes are not compared across adults, decision 0023)."""
        self.place_name = (self.place_name or "").strip()
        try:
            self.place_postcode = normalise_uk_postcode(self.place_postcode)
        except ValidationError as exc:
            raise ValidationError({"place_postcode": exc.messages}) from exc
        if self.place_postcode and self.location == codes.RiskLocation.OWN_HOME:
            raise ValidationError(
                {
                    "place_postcode": "Leave the postcode empty when it happened in "
                    "the adult's own home"
                }
            )


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
