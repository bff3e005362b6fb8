"""The work of an enquiry: meetings, partners' enquiries, plans, reviews, notes."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import models

from enquiries.models.cases import Enquiry
from enquiries.models.people import Person
from enquiries.models.reference import Organisation, event_date_problem
from enquiries.models.voice import DesiredOutcome
from msp.models import TimeStampedModel


def stage_date_problem(
    enquiry: Enquiry, day, what: str, *, may_follow_death: bool = False
) -> str:
    """Why ``day`` cannot be the date of a stage of ``enquiry`` (a meeting or
    a plan review): not in the future, not before the concern was received
    or the decision to make enquiries, not after the adult's death unless the
    event may follow a death."""
    concern = enquiry.concern
    return event_date_problem(
        day,
        received_on=concern.received_on,
        decided_on=enquiry.started_on,
        died_on=None if may_follow_death else concern.person.date_of_death,
        what=what,
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
        return f"{self.get_kind_display()} on {self.held_on:%-d %B %Y}"

    def clean(self) -> None:
        if self.held_on and self.enquiry_id:
            # The outcome meeting may follow the adult's death.
            problem = stage_date_problem(
                self.enquiry,
                self.held_on,
                "The date of the meeting",
                may_follow_death=self.kind == self.Kind.CASE_CONFERENCE,
            )
            if problem:
                raise ValidationError({"held_on": problem})

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
    # The time given, in working days (weekends and England bank holidays
    # skipped); due_on is computed from it. Older requests have a date only.
    working_days = models.PositiveSmallIntegerField(null=True, blank=True)
    due_on = models.DateField()
    report_received_on = models.DateField(null=True, blank=True)
    response_summary = models.TextField("Summary of their response", blank=True)
    council_satisfied = models.BooleanField(null=True, blank=True)
    chased_on = models.DateField("Last chased", null=True, blank=True)
    chase_count = models.PositiveSmallIntegerField(default=0)
    closed_on = models.DateField("Request closed", null=True, blank=True)
    close_note = models.TextField("Why the request was closed", blank=True)
    # Why the enquiry went to closure while this request was still open.
    open_at_closure_reason = models.TextField(blank=True)

    class Meta:
        verbose_name_plural = "caused enquiries"
        indexes = [
            models.Index(
                fields=["due_on"],
                name="caused_awaiting_due_idx",
                condition=models.Q(
                    report_received_on__isnull=True, closed_on__isnull=True
                ),
            )
        ]

    def __str__(self) -> str:
        return f"Caused enquiry: {self.organisation}"

    @property
    def audit_person(self) -> Person:
        return self.enquiry.concern.person

    @property
    def is_outstanding(self) -> bool:
        """Still waiting for the partner: no response and not closed."""
        return self.report_received_on is None and self.closed_on is None

    def is_overdue(self, today) -> bool:
        return self.is_outstanding and self.due_on < today

    @property
    def status_label(self) -> str:
        if self.closed_on:
            return "Closed"
        if self.report_received_on:
            return "Response received"
        return "Awaiting response"

    def clean(self) -> None:
        errors = {}
        if self.due_on and self.requested_on and self.due_on < self.requested_on:
            errors["due_on"] = "Due date must be on or after the date requested"
        if self.working_days is not None and self.working_days < 1:
            errors["working_days"] = "Give at least 1 working day"
        if self.chased_on and self.requested_on and self.chased_on < self.requested_on:
            errors["chased_on"] = (
                "The date chased must be on or after the date requested"
            )
        if self.closed_on and self.requested_on and self.closed_on < self.requested_on:
            errors["closed_on"] = (
                "The date closed must be on or after the date requested"
            )
        if (
            self.closed_on
            and self.report_received_on is None
            and not self.close_note.strip()
        ):
            errors["close_note"] = "Enter why the request is closed without a response"
        if errors:
            raise ValidationError(errors)


def outstanding_requests():
    """Requests to partners still waiting for a response (not closed)."""
    return CausedEnquiry.objects.filter(
        report_received_on__isnull=True, closed_on__isnull=True
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
        return f"Plan review on {self.reviewed_on:%-d %B %Y}"

    def clean(self) -> None:
        if self.reviewed_on and self.enquiry_id:
            problem = stage_date_problem(
                self.enquiry, self.reviewed_on, "The date of the review"
            )
            if problem:
                raise ValidationError({"reviewed_on": problem})

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
