"""Demo patterns for ``seed_demo``: three concerns about one care home within
a month (the provider, and the place by its postcode), an adult with several
concerns, and one carer alleged to have harmed two adults (matched on the
carer's own record). Everything is made up."""

from __future__ import annotations

import datetime

from django.core.exceptions import ValidationError
from django.utils import timezone

from enquiries import codes
from enquiries.models import (
    Concern,
    Organisation,
    PatternFlag,
    PatternRule,
    Person,
    Relationship,
    Risk,
)
from enquiries.models.reference import normalise_uk_postcode
from enquiries.services import patterns

CARER_NAME = "Dale Prentice"

SUMMARIES = [
    "Resident found on the floor of her room at breakfast; the fall was not "
    "reported to the family.",
    "Medication given twice in one evening; the home's own audit found it a "
    "week later.",
    "Call bell out of reach overnight; the adult was in wet bedding at 8am.",
]


def _concern(person, worker, received_on, summary) -> Concern:
    return Concern.objects.create(
        person=person,
        team=person.team,
        allocated_to=worker,
        received_on=received_on,
        received_via="phone",
        referrer_type="care_provider",
        referrer_name="A made-up referrer",
        summary=summary,
        adult_aware="yes",
        created_by=worker,
    )


def create_demo_patterns(*, staff: dict, out) -> None:
    """A few flags, one of them acknowledged by the lead. Safe to run twice."""
    if Relationship.objects.filter(name=CARER_NAME).exists():
        return  # made already
    if not PatternRule.objects.exists():
        return  # the rules come with migration 0019
    north = staff["teams"][0]
    worker = staff["practitioner"]
    today = timezone.localdate()
    people = list(Person.objects.filter(team=north).order_by("pk")[:6])
    if len(people) < 6:
        return
    home = Organisation.objects.filter(kind="care_home").order_by("pk").first()
    if home is None:
        return
    try:
        place = normalise_uk_postcode(home.postcode) or "NE1 4XX"
    except ValidationError:
        place = "NE1 4XX"
    # Three residents of one home within a month.
    for person, days_ago, summary in zip(
        people[:3], (26, 14, 3), SUMMARIES, strict=True
    ):
        concern = _concern(
            person, worker, today - datetime.timedelta(days=days_ago), summary
        )
        Risk.objects.create(
            concern=concern,
            risk_type=codes.RiskType.NEGLECT_OMISSION,
            location=codes.RiskLocation.CARE_HOME_RESIDENTIAL,
            source=codes.RiskSource.SERVICE_PROVIDER,
            source_organisation=home,
            place_postcode=place,
            place_name=home.name,
        )
    # One paid carer, known to us in their own right, named by two adults.
    carer = Person.objects.create(
        given_name="Dale",
        family_name="Prentice",
        team=north,
        created_by=worker,
    )
    for person, days_ago in ((people[3], 80), (people[4], 20)):
        relation = Relationship.objects.create(
            person=person,
            kind=Relationship.Kind.PAID_CARER,
            name=CARER_NAME,
            individual=carer,
        )
        concern = _concern(
            person,
            worker,
            today - datetime.timedelta(days=days_ago),
            "Money missing from the kitchen drawer after the carer's visits.",
        )
        Risk.objects.create(
            concern=concern,
            risk_type=codes.RiskType.FINANCIAL_MATERIAL,
            location=codes.RiskLocation.OWN_HOME,
            source=codes.RiskSource.KNOWN,
            source_person_name=CARER_NAME,
            source_relationship="Paid carer",
            source_relation=relation,
        )
    # An adult with repeated concerns, none of which led to an enquiry.
    for days_ago in (150, 60):
        _concern(
            people[5],
            worker,
            today - datetime.timedelta(days=days_ago),
            "Neighbour worried: no heating and little food in the house.",
        )
    patterns.check_all(since=today - datetime.timedelta(days=400))
    adult_flag = PatternFlag.objects.filter(
        kind=PatternRule.Kind.ADULT, person=people[5]
    ).first()
    if adult_flag is not None:
        patterns.acknowledge_pattern(
            user=staff["lead"],
            flag=adult_flag,
            note="Discussed with the team: a needs assessment review is booked.",
        )
    out.write(f"Demo patterns: {PatternFlag.objects.count()} flags.\n")
