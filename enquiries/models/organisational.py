"""A large-scale (organisational) enquiry's meetings and actions (issue 18).

The enquiry itself is :class:`enquiries.models.cases.OrganisationalEnquiry`;
nothing here is deleted: an action no longer needed is cancelled.
"""

from __future__ import annotations

from django.db import models

from enquiries.models.cases import OrganisationalEnquiry
from enquiries.models.partners import InvolvedAgency
from msp.models import TimeStampedModel


class OrganisationalMeeting(TimeStampedModel):
    """A meeting of the large-scale enquiry: who came and what was agreed."""

    ACCESS_TEAM_LOOKUPS = ["organisational__team"]

    organisational = models.ForeignKey(
        OrganisationalEnquiry, on_delete=models.PROTECT, related_name="meetings"
    )
    held_on = models.DateField("Date of the meeting")
    attendees = models.ManyToManyField(
        InvolvedAgency, blank=True, related_name="+", verbose_name="Agencies attending"
    )
    other_attendees = models.TextField("Other attendees", blank=True)
    minutes = models.TextField("Summary of the minutes")

    class Meta:
        ordering = ["-held_on", "-id"]

    def __str__(self) -> str:
        return f"Meeting on {self.held_on:%-d %B %Y}"


class OrganisationalAction(TimeStampedModel):
    """An action agreed in a large-scale enquiry, with its owner and due date."""

    ACCESS_TEAM_LOOKUPS = ["organisational__team"]

    class Status(models.TextChoices):
        OPEN = "open", "Open"
        DONE = "done", "Done"
        CANCELLED = "cancelled", "Cancelled"

    organisational = models.ForeignKey(
        OrganisationalEnquiry, on_delete=models.PROTECT, related_name="actions"
    )
    description = models.TextField("Action")
    owner = models.CharField("Who owns it", max_length=200)
    due_on = models.DateField("Due by")
    status = models.CharField(
        max_length=10, choices=Status.choices, default=Status.OPEN
    )
    status_note = models.TextField("Progress note", blank=True)

    class Meta:
        ordering = ["due_on", "id"]

    def __str__(self) -> str:
        return self.description[:60]
