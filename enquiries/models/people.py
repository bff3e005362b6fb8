"""The adult, their legal representatives and their relationships."""

from __future__ import annotations

import datetime
import re
import uuid
from collections.abc import Iterable

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.urls import reverse

from enquiries import codes
from enquiries.models.querysets import CaseRecordQuerySet
from enquiries.models.reference import adult_on, validate_nhs_number
from msp.dates import age_on
from msp.models import TimeStampedModel


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

    objects = CaseRecordQuerySet.as_manager()

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
            # The SAC page's "counted this year with no date of birth" check
            # walks people without one in id order: 2% of people, not all.
            models.Index(
                fields=["id"],
                name="enq_person_no_dob",
                condition=models.Q(date_of_birth__isnull=True),
            ),
            # The name search reads PersonNameWord (issue 21); migration 0031
            # dropped the trigram index it used before.
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

    # The details reports group adults by (the equality tables): a change to
    # any of them changes how the adult's concluded enquiries are counted.
    REPORTED_FIELDS = (
        "gender",
        "ethnicity",
        "primary_support_reason",
        "date_of_birth",
        "date_of_death",
    )

    @property
    def reported_details(self) -> tuple:
        """The :data:`REPORTED_FIELDS` as loaded or set (deferred ones as
        None, so reading them costs no query)."""
        return tuple(self.__dict__.get(name) for name in self.REPORTED_FIELDS)

    @classmethod
    def from_db(cls, db, field_names, values):
        person = super().from_db(db, field_names, values)
        person._loaded_birth = person.__dict__.get("date_of_birth")
        person._loaded_reported_details = person.reported_details
        return person

    def save(self, *args, **kwargs):
        born_changed = not self._state.adding and self.date_of_birth != getattr(
            self, "_loaded_birth", self.date_of_birth
        )
        super().save(*args, **kwargs)
        self._loaded_birth = self.date_of_birth
        self._loaded_reported_details = self.reported_details
        if born_changed:
            # A corrected date of birth can move their concerns in or out of
            # the SAC's scope.
            from enquiries.models.cases import Concern, refresh_adult_on_receipt

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
        today = datetime.date.today()
        problems = {}
        if self.date_of_birth and self.date_of_birth >= today:
            problems["date_of_birth"] = "Date of birth must be in the past"
        if self.date_of_death and self.date_of_death > today:
            problems["date_of_death"] = "Date of death must be today or in the past"
        if problems:
            raise ValidationError(problems)

    @property
    def full_name(self) -> str:
        return f"{self.given_name} {self.family_name}".strip()

    @property
    def audit_person(self) -> Person:
        return self

    def age_on(self, day: datetime.date) -> int | None:
        if not self.date_of_birth:
            return None
        return age_on(self.date_of_birth, day, self.date_of_death)


WORD_LENGTH = 100
_WORD_PARTS = re.compile(r"[-'\u2019.]+")


def name_words(*names: str) -> set[str]:
    """The words of a person's names that the name search matches the start
    of: each name upper-cased and split at spaces, and each part of a
    hyphenated or apostrophised word as well ("Smith-Jones" gives
    SMITH-JONES, SMITH and JONES; "O'Neill" gives O'NEILL, O and NEILL)."""
    words: set[str] = set()
    for name in names:
        for token in (name or "").upper().split():
            words.add(token[:WORD_LENGTH])
            words.update(
                part[:WORD_LENGTH] for part in _WORD_PARTS.split(token) if part
            )
    return words


class PersonNameWord(models.Model):
    """One word of a person's names, for the name search (issue 21).

    The search reads its candidates from this table's index alone, in name
    order, so a common surname costs the few hundred index entries it shows
    rather than a read of every matching person's row. Kept by
    :func:`refresh_name_words`: on every ``Person.save()`` (a signal
    connected in ``EnquiriesConfig.ready()``) and by the bulk writers (the
    import, the benchmark generator) after they write people.
    """

    # Read in admin only as the person's record is (a name is case data).
    ACCESS_TEAM_LOOKUPS = [f"person__{path}" for path in Person.ACCESS_TEAM_LOOKUPS]
    ACCESS_PERSON_LOOKUP = "person__"

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="+")
    word = models.CharField(max_length=WORD_LENGTH)
    family_key = models.CharField(max_length=100)  # the upper-cased names,
    given_key = models.CharField(max_length=100)  # the order results are shown in

    class Meta:
        indexes = [
            # Read in name order for one word (an exact surname: only the
            # entries shown are read), and a range of words for a prefix. On
            # PostgreSQL the three text columns use the "C" collation
            # (migration 0031), as SQLite's default does: a prefix match can
            # use the index, and names sort byte by byte, the same in both
            # databases and in Python, which merges the two reads.
            models.Index(
                fields=["word", "family_key", "given_key", "person"],
                name="enq_person_name_word",
            )
        ]

    def __str__(self) -> str:
        return self.word


def name_word_rows(
    person_id: int, given_name: str, family_name: str, preferred_name: str = ""
) -> list[PersonNameWord]:
    family, given = family_name.upper()[:100], given_name.upper()[:100]
    return [
        PersonNameWord(
            person_id=person_id, word=word, family_key=family, given_key=given
        )
        for word in sorted(name_words(given_name, family_name, preferred_name))
    ]


def refresh_name_words(person_ids: Iterable[int]) -> None:
    """Make these people's name words match their names (written in bulk,
    or changed by ``update()``/``bulk_update()``, which skip ``save()``)."""
    ids = list(person_ids)
    for start in range(0, len(ids), 5000):
        chunk = ids[start : start + 5000]
        PersonNameWord.objects.filter(person_id__in=chunk).delete()
        PersonNameWord.objects.bulk_create(
            row
            for values in Person.objects.filter(pk__in=chunk).values_list(
                "pk", "given_name", "family_name", "preferred_name"
            )
            for row in name_word_rows(*values)
        )


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
    # The same individual's own record, when they are known to the council
    # (e.g. a carer or partner who is an adult on our records too). Two
    # adults' relationships pointing at the same record are the same
    # individual: patterns match on this, never on the name typed.
    individual = models.ForeignKey(
        Person,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="known_in_networks",
        verbose_name="Their own record (if they are known to us)",
    )

    def __str__(self) -> str:
        return f"{self.name} ({self.get_kind_display()})"
