"""Feedback on the experience of safeguarding (MSP outcomes framework).

The questions are data, not code: an administrator keeps a versioned
question bank in admin, so the exact LGA/ADASS wording can be loaded once it
is confirmed without a release. Each answer keeps the question it answered,
so changing the bank never rewrites what people said.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models

from msp.dates import format_when
from msp.models import TimeStampedModel


class AgreementScale(models.TextChoices):
    STRONGLY_AGREE = "strongly_agree", "Strongly agree"
    AGREE = "agree", "Agree"
    NEITHER = "neither", "Neither agree nor disagree"
    DISAGREE = "disagree", "Disagree"
    STRONGLY_DISAGREE = "strongly_disagree", "Strongly disagree"
    DONT_KNOW = "dont_know", "Don't know"
    PREFER_NOT_TO_SAY = "prefer_not_to_say", "Prefer not to say"

    @classmethod
    def positive(cls) -> set[str]:
        return {cls.STRONGLY_AGREE, cls.AGREE}


class FeedbackQuestionnaire(models.Model):
    """One version of the feedback question bank. Only one is in use at a time."""

    name = models.CharField(max_length=120)
    version = models.PositiveSmallIntegerField(unique=True)
    is_active = models.BooleanField(
        default=False, help_text="Used for new feedback. Only one version is active."
    )
    notes = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-version"]
        constraints = [
            models.UniqueConstraint(
                fields=["is_active"],
                condition=models.Q(is_active=True),
                name="outcomes_one_active_questionnaire",
            )
        ]

    def __str__(self) -> str:
        return f"{self.name} (version {self.version})"


class FeedbackQuestion(models.Model):
    """A question in one version of the bank, answered on an agreement scale."""

    class Scale(models.TextChoices):
        AGREEMENT = "agreement", "Agreement (strongly agree to strongly disagree)"

    questionnaire = models.ForeignKey(
        FeedbackQuestionnaire, on_delete=models.PROTECT, related_name="questions"
    )
    order = models.PositiveSmallIntegerField(default=0)
    text = models.CharField(max_length=255)
    representative_text = models.CharField(
        "Wording for a representative",
        max_length=255,
        blank=True,
        help_text="How the question is put to someone answering for the adult",
    )
    scale = models.CharField(
        max_length=20, choices=Scale.choices, default=Scale.AGREEMENT
    )

    class Meta:
        ordering = ["questionnaire", "order", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["questionnaire", "order"], name="outcomes_question_order"
            )
        ]

    def __str__(self) -> str:
        return self.text

    def answer_choices(self) -> list[tuple[str, str]]:
        return list(AgreementScale.choices)


class FeedbackResponse(TimeStampedModel):
    """What the adult (or someone for them) said about their experience."""

    ACCESS_TEAM_LOOKUPS = ["enquiry__team"]
    ACCESS_PERSON_LOOKUP = "enquiry__concern__person__"

    class Respondent(models.TextChoices):
        ADULT = "adult", "The adult"
        REPRESENTATIVE = "representative", "A representative (family, friend, carer)"
        ADVOCATE = "advocate", "A Care Act advocate"
        IMCA = "imca", "An IMCA"

    class CollectedBy(models.TextChoices):
        LEAD_AT_CLOSURE = "lead_at_closure", "The lead practitioner, at closure"
        INDEPENDENT = "independent", "An independent person, after closure"
        OWN_PAGE = "own_page", "Nobody: the adult answered on their own page"

    reference = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    enquiry = models.ForeignKey(
        "enquiries.Enquiry", on_delete=models.PROTECT, related_name="feedback"
    )
    questionnaire = models.ForeignKey(
        FeedbackQuestionnaire, on_delete=models.PROTECT, related_name="responses"
    )
    respondent = models.CharField(
        "Who answered", max_length=20, choices=Respondent.choices
    )
    collected_by = models.CharField(
        "Who asked", max_length=20, choices=CollectedBy.choices
    )
    collector_name = models.CharField(
        "Name of the person who asked", max_length=200, blank=True
    )
    collected_on = models.DateField("Date asked")
    comment = models.TextField("Anything else they said", blank=True)

    class Meta:
        ordering = ["-collected_on", "-id"]

    def __str__(self) -> str:
        return f"Feedback from {self.get_respondent_display().lower()}"

    @property
    def audit_person(self):
        return self.enquiry.concern.person

    def clean(self) -> None:
        if (
            self.collected_on
            and self.enquiry_id
            and self.enquiry.started_on
            and self.collected_on < self.enquiry.started_on
        ):
            raise ValidationError(
                {"collected_on": "Date asked must be on or after the enquiry started"}
            )


class FeedbackAnswer(models.Model):
    """One answer to one question."""

    response = models.ForeignKey(
        FeedbackResponse, on_delete=models.PROTECT, related_name="answers"
    )
    question = models.ForeignKey(
        FeedbackQuestion, on_delete=models.PROTECT, related_name="answers"
    )
    answer = models.CharField(max_length=20, choices=AgreementScale.choices)

    class Meta:
        ordering = ["question__order", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["response", "question"], name="outcomes_one_answer_each"
            )
        ]

    def __str__(self) -> str:
        return f"{self.question}: {self.get_answer_display()}"


class FeedbackFollowUp(models.Model):
    """Ask for feedback after closure: an enquiry closed without it, due in 8 weeks."""

    ACCESS_TEAM_LOOKUPS = ["enquiry__team"]
    ACCESS_PERSON_LOOKUP = "enquiry__concern__person__"

    enquiry = models.OneToOneField(
        "enquiries.Enquiry", on_delete=models.PROTECT, related_name="feedback_follow_up"
    )
    closed_on = models.DateField()
    due_on = models.DateField(db_index=True)
    created_at = models.DateTimeField(auto_now_add=True)
    completed_at = models.DateTimeField(null=True, blank=True)
    response = models.OneToOneField(
        FeedbackResponse,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="follow_up",
    )
    completed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        ordering = ["due_on", "id"]

    def __str__(self) -> str:
        return f"Feedback follow-up due {self.due_on:%-d %B %Y}"

    @property
    def audit_person(self):
        return self.enquiry.concern.person

    @property
    def is_open(self) -> bool:
        return self.completed_at is None


class InterchangeJob(models.Model):
    """A case import or export run by an administrator as a background task.

    An import is checked first (a dry run), then imported when its uploader
    confirms; an export writes the interchange file for download until
    ``expires_at``. The uploaded or exported file lives in the private
    upload folder and is removed however the job ends (``outcomes.tasks``).
    """

    class Kind(models.TextChoices):
        IMPORT = "import", "Import"
        EXPORT = "export", "Export"

    class Status(models.TextChoices):
        QUEUED = "queued", "Waiting to start"
        CHECKING = "checking", "Checking the file"
        CHECKED_OK = "checked_ok", "Checked: ready to import"
        CHECKED_ERRORS = "checked_errors", "Checked: problems found"
        IMPORTING = "importing", "Importing"
        EXPORTING = "exporting", "Exporting"
        DONE = "done", "Finished"
        FAILED = "failed", "Failed"

    RUNNING = (Status.QUEUED, Status.CHECKING, Status.IMPORTING, Status.EXPORTING)

    reference = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    kind = models.CharField(max_length=10, choices=Kind.choices)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="interchange_jobs",
    )
    file_name = models.CharField(max_length=255)
    stored_path = models.CharField(
        max_length=500, blank=True, help_text="Blank once the file is removed."
    )
    team = models.ForeignKey(
        "msp.Team", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    status = models.CharField(
        max_length=20, choices=Status.choices, default=Status.QUEUED
    )
    lines_read = models.PositiveIntegerField(default=0)
    records_done = models.PositiveIntegerField(default=0)
    records_total = models.PositiveIntegerField(null=True, blank=True)
    report = models.JSONField(default=dict, blank=True)
    message = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["status", "created_at"])]

    def __str__(self) -> str:
        return (
            f"{self.get_kind_display()} {self.file_name} ({self.get_status_display()})"
        )

    @property
    def running(self) -> bool:
        return self.status in self.RUNNING

    @property
    def percent(self) -> int | None:
        """How far through, when the total is known."""
        if not self.records_total:
            return None
        return min(100, self.records_done * 100 // self.records_total)


class EnquiryFigures(models.Model):
    """What the reports count about one concluded enquiry, beyond its own fields.

    Each value is worked out from other records (the views at each stage,
    advocacy, feedback, desired outcomes, and the working days each step
    took), which is what made counting a year afresh read every one of those
    records. ``outcomes.figures`` keeps one row per closed enquiry: every
    save of a record a value is read from recomputes its enquiry's row in the
    same transaction, writes that bypass ``save()`` announce themselves, and
    a report fills in any row still missing before it counts (decision 0033).
    A derived summary, never typed: it holds no one's details and is rebuilt
    by ``manage.py refresh_enquiry_figures``.
    """

    enquiry = models.OneToOneField(
        "enquiries.Enquiry",
        primary_key=True,
        on_delete=models.CASCADE,
        related_name="figures",
    )
    # The enquiry's own, repeated so a report reads the rows of its period
    # by this index instead of every row kept.
    concluded_on = models.DateField(null=True, db_index=True)
    advocate_allocated = models.BooleanField()
    has_feedback = models.BooleanField()
    has_unrated_outcome = models.BooleanField()
    view_not_obtained = models.BooleanField()
    # Per stage: any current views recorded, and any obtained (the adult's or
    # their representative's); the stages are outcomes.figures.VIEW_STAGES.
    view_any_planning = models.BooleanField()
    view_ok_planning = models.BooleanField()
    view_any_enquiry = models.BooleanField()
    view_ok_enquiry = models.BooleanField()
    view_any_outcome = models.BooleanField()
    view_ok_outcome = models.BooleanField()
    view_any_plan = models.BooleanField()
    view_ok_plan = models.BooleanField()
    view_any_closure = models.BooleanField()
    view_ok_closure = models.BooleanField()
    # Working days each step took (enquiries.timescales.working_days_taken);
    # empty when a date the step is timed by was never recorded.
    decision_days = models.PositiveIntegerField(null=True)
    plan_days = models.PositiveIntegerField(null=True)
    closure_days = models.PositiveIntegerField(null=True)
    counted_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name_plural = "enquiry figures"

    def __str__(self) -> str:
        return f"Figures of enquiry {self.enquiry_id}"


class SacPersonChange(models.Model):
    """A person whose part of the SAC return must be counted again.

    Written in the same transaction as any change to the person or to their
    concerns, enquiries, risks or desired outcomes (``outcomes.sac_counts``);
    taken, counted and removed when the return is next read. Holds nothing but
    the person's id (no foreign key: a person removed in admin is still
    counted again, to nothing)."""

    person_id = models.BigIntegerField()

    def __str__(self) -> str:
        return f"Person {self.person_id} to count again"


class SacPersonCounts(models.Model):
    """What one person adds to the SAC return (and to the board's concern
    counts over every team, decision 0039), year by year, as last counted:
    the cells (by their place in ``outcomes.sac_spec.all_cells()``) and how
    much to each, written as ``outcomes.sac_counts`` encodes it. Kept so that
    counting the person again adds to the kept totals only the difference."""

    person_id = models.BigIntegerField(primary_key=True)
    cells = models.TextField()

    class Meta:
        verbose_name_plural = "SAC person counts"

    def __str__(self) -> str:
        return f"SAC counts of person {self.person_id}"


class SacCount(models.Model):
    """One cell of one year's SAC return (tables SG1 to SG4): the sum of
    every person's :class:`SacPersonCounts`. Written only under the lock of
    :class:`SacCountsState`."""

    year = models.CharField(max_length=7)
    cell = models.PositiveIntegerField()
    n = models.IntegerField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["year", "cell"], name="outcomes_sac_cell")
        ]

    def __str__(self) -> str:
        return f"{self.year} cell {self.cell}: {self.n}"


class KeptCountsState(models.Model):
    """Whether a set of kept counts may be read (one row; ``outcomes.keeping``).
    ``rules`` is the fingerprint of the counting rules they were filled
    under, empty while they are being filled. Its row is also the lock that
    takes one batch of changes at a time. While a fill runs, ``fill_id``
    names it and ``fill_seen_at`` is when it last showed progress, so a fill
    whose process died is found and started again, and a fill that another
    has replaced stops without writing."""

    rules = models.CharField(max_length=64, blank=True)
    filled_at = models.DateTimeField(null=True)
    fill_id = models.CharField(max_length=32, blank=True)
    fill_seen_at = models.DateTimeField(null=True)

    class Meta:
        abstract = True

    def filling_text(self, name: str) -> str:
        if self.fill_seen_at is None:
            return f"{name} not filled"
        progress = format_when(self.fill_seen_at, seconds=True)
        return f"{name} being filled (last progress {progress})"


class SacCountsState(KeptCountsState):
    """Whether the kept SAC counts may be read (:class:`KeptCountsState`)."""

    class Meta:
        verbose_name_plural = "SAC counts state"

    def __str__(self) -> str:
        return (
            f"SAC counts filled {self.filled_at}"
            if self.rules
            else self.filling_text("SAC counts")
        )


class SacAgeUnknown(models.Model):
    """A person counted in SG1 of a year as "Age unknown" (no date of birth):
    what the SAC page's data-quality list shows, kept with the counts
    (``outcomes.sac_counts``) so the list need not find the year's people
    afresh."""

    person_id = models.BigIntegerField()
    year = models.CharField(max_length=7)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["year", "person_id"], name="outcomes_sac_age_unknown"
            )
        ]

    def __str__(self) -> str:
        return f"Person {self.person_id}, age unknown in {self.year}"


class MonthlyFigures(models.Model):
    """The dashboard's figures for the enquiries of one team and kind
    concluded in one month (decision 0038): ``counts`` holds, as JSON, each
    figure's count and the per-stage and timescale totals
    (``outcomes.reports.MONTHLY_KEYS``), as the reports count them. Kept by
    ``outcomes.monthly_figures``: a change to an enquiry marks its month
    (:class:`FigureMonthChange`), counted again before the next report reads.
    ``equality`` holds, as JSON, the equality report's counts by group of
    each dimension (``outcomes.monthly_figures.equality_counted``; an age
    band with the month it changes in, if within a year); NULL when the
    month's figures were counted again since and its equality counts wait
    for the next equality report. Counts only: no one's details."""

    # Read through msp.access.in_team_scope, as the enquiries are.
    ACCESS_TEAM_LOOKUPS = ["team_id"]

    month = models.DateField()
    team_id = models.BigIntegerField()
    kind = models.CharField(max_length=20)
    counts = models.TextField()
    equality = models.TextField(null=True)

    class Meta:
        verbose_name_plural = "monthly figures"
        constraints = [
            models.UniqueConstraint(
                fields=["month", "team_id", "kind"], name="outcomes_monthly_figures"
            )
        ]

    def __str__(self) -> str:
        return f"{self.month:%B %Y}, team {self.team_id}, {self.kind}"


class FigureMonthChange(models.Model):
    """A month whose :class:`MonthlyFigures` must be counted again: written
    in the same transaction as a change to an enquiry concluded in it (or one
    that was), taken and removed when a report next reads them."""

    month = models.DateField()

    def __str__(self) -> str:
        return f"{self.month:%B %Y} to count again"


class MonthlyFiguresState(KeptCountsState):
    """Whether the kept :class:`MonthlyFigures` may be read
    (:class:`KeptCountsState`; the fingerprint covers the timescales too)."""

    class Meta:
        verbose_name_plural = "monthly figures state"

    def __str__(self) -> str:
        return (
            f"Monthly figures filled {self.filled_at}"
            if self.rules
            else self.filling_text("Monthly figures")
        )
