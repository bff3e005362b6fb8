"""Cross-cutting models: accounts, teams and the audit trail."""

import uuid

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.contrib.contenttypes.fields import GenericForeignKey
from django.db import models
from django.utils import timezone
from django.utils.functional import cached_property


class Team(models.Model):
    """A team of practitioners who share a caseload (e.g. a locality team)."""

    name = models.CharField(max_length=120, unique=True)
    code = models.SlugField(max_length=40, unique=True)
    areas = models.TextField(
        blank=True,
        help_text="Postcode districts or area names this team covers, one per line "
        "(used to route online concerns).",
    )
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["name"]
        permissions = [
            ("view_all_cases", "Can see every team's cases (safeguarding lead)"),
            ("manage_cases", "Can record and change case work"),
            ("sign_off_closure", "Can sign off the closure of an enquiry"),
            ("view_reports", "Can see outcome reports and the SAC return"),
            ("view_audit", "Can read the audit trail"),
            (
                "allocate_work",
                "Can route online concerns to a team and allocate concerns "
                "(team manager, safeguarding lead)",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def covers_area(self, area: str) -> bool:
        wanted = area.strip().upper()
        return any(
            line.strip().upper() == wanted for line in self.areas.splitlines() if line
        )


class User(AbstractUser):
    """A member of staff. Roles are Django groups; teams are memberships."""

    class ReminderEmail(models.TextChoices):
        NONE = "none", "No e-mails: I will check my notifications in the service"
        IMMEDIATE = "immediate", "An e-mail each time something needs me"
        DAILY = "daily", "One e-mail a day listing how many need me"

    teams = models.ManyToManyField(Team, blank=True, related_name="members")
    job_title = models.CharField(max_length=120, blank=True)
    reminder_email = models.CharField(
        "E-mails about notifications",
        max_length=10,
        choices=ReminderEmail.choices,
        default=ReminderEmail.DAILY,
    )

    class Meta:
        ordering = ["last_name", "first_name", "username"]

    def __str__(self) -> str:
        return self.get_full_name() or self.username

    @cached_property
    def role_names(self) -> list[str]:
        return [group.name for group in self.groups.all()]


class TimeStampedModel(models.Model):
    """Who created and last changed a record, and when; plus an edit version.

    ``version`` increases on every save through a service, so two people
    editing the same record cannot silently overwrite each other.
    """

    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    version = models.PositiveIntegerField(default=1)

    class Meta:
        abstract = True


class AuditTrailIsAppendOnly(Exception):
    """Raised when code tries to change or delete a line of the audit trail."""


class AuditEventQuerySet(models.QuerySet):
    """Bulk changes to the audit trail are refused, as single ones are."""

    def update(self, **kwargs):
        raise AuditTrailIsAppendOnly("The audit trail cannot be changed.")

    def delete(self):
        raise AuditTrailIsAppendOnly("The audit trail cannot be deleted.")

    def bulk_update(self, objs, fields, batch_size=None):
        raise AuditTrailIsAppendOnly("The audit trail cannot be changed.")


# The audit actions that record a change to a record; the others record who
# looked, signed in or out, downloaded, broke the glass or was refused, and
# change nothing counted.
RECORD_CHANGE_ACTIONS = ("change", "create", "status")
# The index of those lines by record type (outcomes.sac.data_version).
AUDIT_CHANGES_INDEX = "msp_audit_changes_by_type"


class AuditEvent(models.Model):
    """One append-only line of the audit trail: who did what, to what, from where.

    Lines are only ever added. The application refuses to save an existing
    line or delete one (here); on PostgreSQL a trigger also refuses UPDATE and
    DELETE on the table (migration 0003), so not even raw SQL can rewrite it.
    """

    class Action(models.TextChoices):
        CREATE = "create", "Created"
        CHANGE = "change", "Changed"
        STATUS = "status", "Status changed"
        VIEW = "view", "Viewed"
        EXPORT = "export", "Exported"
        DOWNLOAD = "download", "Downloaded a report"
        DELETE_ATTEMPT = "delete_attempt", "Tried to delete"
        LOGIN = "login", "Signed in"
        LOGOUT = "logout", "Signed out"
        LOGIN_FAILED = "login_failed", "Failed sign-in"
        BREAK_GLASS = "break_glass", "Broke the glass"
        REFUSED = "refused", "Refused access"

    reference = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    at = models.DateTimeField(auto_now_add=True, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="audit_events",
    )
    actor_name = models.CharField(max_length=150, blank=True)
    action = models.CharField(max_length=20, choices=Action.choices, db_index=True)
    object_type = models.CharField(max_length=60, blank=True)
    object_ref = models.CharField(max_length=64, blank=True, db_index=True)
    person_ref = models.CharField(
        max_length=64,
        blank=True,
        db_index=True,
        help_text="The adult the record is about",
    )
    summary = models.CharField(max_length=255, blank=True)
    changes = models.JSONField(default=dict, blank=True)
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    user_agent = models.CharField(max_length=255, blank=True)

    objects = AuditEventQuerySet.as_manager()

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [
            models.Index(fields=["actor", "at"], name="msp_audit_actor_at"),
            # The latest change to each type of record, one index probe
            # (outcomes.sac.data_version: kept report figures).
            models.Index(
                fields=["object_type", "id"],
                condition=models.Q(action__in=RECORD_CHANGE_ACTIONS),
                name=AUDIT_CHANGES_INDEX,
            ),
        ]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor_name} {self.action} {self.object_type}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise AuditTrailIsAppendOnly("An audit line cannot be changed once saved.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AuditTrailIsAppendOnly("An audit line cannot be deleted.")


class NotificationKind(models.TextChoices):
    """What a notification tells someone. The code list is here (shared); the
    app that owns the record raises it (docs/decisions/0030)."""

    ALLOCATED = "allocated", "Allocated or transferred to you"
    CLOSURE_SIGN_OFF = "closure_sign_off", "Closure awaiting your sign-off"
    CONSENT_OVERRIDE = "consent_override", "Consent override awaiting a second person"
    CONSENT_OVERRIDE_NOT_AGREED = (
        "consent_override_not_agreed",
        "Your consent override was not agreed",
    )
    STAGE_OVERDUE = "stage_overdue", "Stage overdue"
    PARTNER_REQUEST_OVERDUE = "partner_request_overdue", "Request to a partner overdue"
    PLAN_REVIEW_DUE = "plan_review_due", "Safeguarding plan review due"
    PLAN_ACTION_DUE = "plan_action_due", "Safeguarding plan action due"
    DP_REVIEW_DUE = "dp_review_due", "Direct-payment review due"
    DBS_RECHECK_DUE = "dbs_recheck_due", "Personal assistant's DBS re-check due"
    FEEDBACK_FOLLOW_UP_DUE = "feedback_follow_up_due", "Feedback follow-up due"
    ONLINE_CONCERN_NOT_ROUTED = "online_concern_not_routed", "Online concern not routed"
    BREAK_GLASS_REVIEW = "break_glass_review", "Restricted record opened: review needed"
    ONLINE_CONCERN_ROUTED = (
        "online_concern_routed",
        "Online concern routed to your team",
    )
    ADULT_CALL_BACK = (
        "adult_call_back",
        "The adult asked for a call-back on their own page",
    )


class Notification(models.Model):
    """Something one member of staff needs to know or do, about one record.

    The record is a generic reference (content type and id) plus the string
    its page is found by, so listing notifications never loads the records.
    ``key`` is unique per recipient: raising the same reminder again (a second
    run of ``send_reminders``, an event replayed) adds nothing. Whether the
    recipient may still see the record is decided when the list is read,
    never stored (msp.notifications.visible_notifications).
    """

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="notifications",
    )
    kind = models.CharField(max_length=40, choices=NotificationKind.choices)
    content_type = models.ForeignKey(
        "contenttypes.ContentType", on_delete=models.PROTECT, related_name="+"
    )
    object_id = models.PositiveBigIntegerField()
    object_ref = models.CharField(
        "Reference of the record's page", max_length=64, blank=True
    )
    subject = GenericForeignKey("content_type", "object_id")
    due_on = models.DateField("Due or happened on")
    key = models.CharField(max_length=200)
    created_at = models.DateTimeField(default=timezone.now)
    read_at = models.DateTimeField(null=True, blank=True)
    emailed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["recipient", "key"], name="msp_notification_once"
            )
        ]
        indexes = [
            models.Index(
                fields=["recipient", "-created_at", "-id"],
                name="msp_notification_list",
            ),
            models.Index(
                fields=["recipient", "read_at"],
                name="msp_notification_unread",
                condition=models.Q(read_at__isnull=True),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} ({self.due_on:%-d %B %Y})"

    @property
    def is_read(self) -> bool:
        return self.read_at is not None


class ReminderDigest(models.Model):
    """One daily e-mail to one person: sent at most once a day."""

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="reminder_digests",
    )
    day = models.DateField()
    sent_at = models.DateTimeField(default=timezone.now)
    notifications = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-day", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["recipient", "day"], name="msp_reminder_digest_once_a_day"
            )
        ]

    def __str__(self) -> str:
        return f"Reminder digest {self.day:%-d %B %Y}"
