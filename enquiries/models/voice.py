"""The adult's voice: views, desired outcomes, consent, capacity and advocacy."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Case, Exists, OuterRef, Q, QuerySet, Value, When

from enquiries import codes
from enquiries.models.cases import Concern, Enquiry
from enquiries.models.people import Person
from enquiries.models.querysets import CaseRecordQuerySet
from enquiries.models.reference import OutcomeCategory, event_date_problem
from msp.models import TimeStampedModel


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
    # The day the views were given (the event); recorded_at is when typed.
    given_on = models.DateField("Date given", null=True, blank=True)
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

    def _event_day_problem(self, day, what: str) -> str:
        case = self.enquiry.concern if self.enquiry_id else None
        if case is None and self.concern_id:
            case = self.concern
        return event_date_problem(
            day,
            received_on=case.received_on if case else None,
            died_on=self.person.date_of_death if self.person_id else None,
            what=what,
        )

    def clean(self) -> None:
        if self.given_on:
            problem = self._event_day_problem(self.given_on, "The date given")
            if problem:
                raise ValidationError({"given_on": problem})
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
    # The day the evaluation took place (the event).
    evaluated_on = models.DateField("Date evaluated", null=True, blank=True)
    recorded_at = models.DateTimeField(auto_now_add=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )

    objects = CaseRecordQuerySet.as_manager()

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
            refresh_outcome_flags(Enquiry.objects.filter(enquiries))

    @property
    def audit_person(self) -> Person:
        return self.person


def expressed_desired_outcomes() -> QuerySet[DesiredOutcome]:
    """Desired outcomes that count as expressed: any not withdrawn."""
    return DesiredOutcome.objects.exclude(status=DesiredOutcome.Status.WITHDRAWN)


def outcomes_counted_for(enquiry: Enquiry) -> Q:
    """The desired outcomes that count for ``enquiry`` (SAC SG4a, the MSP
    dashboard, the SG4a answer shown on the enquiry): recorded on it, or on
    its concern with no enquiry named. One recorded on another enquiry of
    the same concern does not count (docs/sac.md, "Outcomes expressed";
    decision 0034). :func:`_recorded_for` is the same rule in SQL."""
    return Q(enquiry=enquiry) | Q(enquiry__isnull=True, concern_id=enquiry.concern_id)


# Who counts as "the individual or their representative" for SAC SG4a part 1:
# a desired outcome recorded in their words means they were asked and
# expressed it.
ASKED_SOURCES: tuple[str, ...] = (
    codes.ViewSource.ADULT,
    codes.ViewSource.REPRESENTATIVE,
    codes.ViewSource.ADVOCATE,
    codes.ViewSource.IMCA,
)


def outcomes_from_adult() -> QuerySet[DesiredOutcome]:
    """Desired outcomes (not withdrawn) recorded from the adult or their
    representative."""
    return expressed_desired_outcomes().filter(expressed_by__in=ASKED_SOURCES)


def asked_outcomes_shown(enquiry: Enquiry) -> tuple[str, bool]:
    """The answer to "was the adult asked what they wanted to happen?" as the
    enquiry stands: (answer code, derived). A typed answer wins; with none, a
    desired outcome recorded from the adult or their representative means
    "yes" (derived); otherwise "" (not recorded)."""
    if enquiry.asked_desired_outcomes:
        return enquiry.asked_desired_outcomes, False
    derived = outcomes_from_adult().filter(outcomes_counted_for(enquiry)).exists()
    return (codes.YesNoDontKnow.YES, True) if derived else ("", False)


def _recorded_for(outcomes: QuerySet[DesiredOutcome]) -> Case:
    """True for the outer enquiry when ``outcomes`` has one that counts for
    it (:func:`outcomes_counted_for`: on the enquiry, or on its concern with no
    enquiry named), as two EXISTS, each one index probe."""
    return Case(
        When(
            Exists(outcomes.filter(enquiry=OuterRef("pk")))
            | Exists(
                outcomes.filter(enquiry__isnull=True, concern_id=OuterRef("concern_id"))
            ),
            then=Value(True),
        ),
        default=Value(False),
    )


def refresh_outcome_flags(enquiries: QuerySet[Enquiry]) -> int:
    """Set ``Enquiry.outcomes_expressed`` and ``outcomes_from_adult_recorded``
    from the desired outcomes, in one UPDATE.

    Called by ``DesiredOutcome.save()`` and by writes that bypass it
    (imports, bulk loads).
    """
    return enquiries.update(
        outcomes_expressed=_recorded_for(expressed_desired_outcomes()),
        outcomes_from_adult_recorded=_recorded_for(outcomes_from_adult()),
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
    # A second person who does not agree: the override does not stand and
    # the adult's decision is respected (docs/decisions, issue 19).
    override_disagreed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    override_disagreed_at = models.DateTimeField(null=True, blank=True)
    override_disagreement_reason = models.TextField(
        "Why the override should not stand", blank=True
    )
    # The day the adult made the decision (the event).
    decided_on = models.DateField("Date of the decision", null=True, blank=True)
    recorded_at = models.DateTimeField(auto_now_add=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )

    class Meta:
        ordering = ["recorded_at", "id"]
        indexes = [
            # "Overrides awaiting confirmation": the few still undecided,
            # oldest first, whatever the history.
            models.Index(
                fields=["recorded_at", "id"],
                name="enq_consent_override_waiting",
                condition=models.Q(
                    overridden=True,
                    override_confirmed_by__isnull=True,
                    override_disagreed_by__isnull=True,
                ),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_question_display()}: {self.get_answer_display()}"

    @property
    def audit_person(self) -> Person:
        return self.person

    @property
    def override_pending_confirmation(self) -> bool:
        return (
            self.overridden
            and self.override_confirmed_by_id is None
            and self.override_disagreed_by_id is None
        )

    @property
    def override_not_agreed(self) -> bool:
        return self.overridden and self.override_disagreed_by_id is not None

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
        if self.decided_on:
            case = self.enquiry.concern if self.enquiry_id else None
            if case is None and self.concern_id:
                case = self.concern
            problem = event_date_problem(
                self.decided_on,
                received_on=case.received_on if case else None,
                died_on=self.person.date_of_death if self.person_id else None,
                what="The date of the decision",
            )
            if problem:
                errors["decided_on"] = problem
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
