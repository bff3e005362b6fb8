"""Cross-cutting models: accounts, teams and the audit trail."""

import uuid

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.db import models
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

    teams = models.ManyToManyField(Team, blank=True, related_name="members")
    job_title = models.CharField(max_length=120, blank=True)

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
        indexes = [models.Index(fields=["actor", "at"], name="msp_audit_actor_at")]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor_name} {self.action} {self.object_type}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise AuditTrailIsAppendOnly("An audit line cannot be changed once saved.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AuditTrailIsAppendOnly("An audit line cannot be deleted.")
