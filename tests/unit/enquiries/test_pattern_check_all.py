"""``check_all`` (after an import, a bulk load or a changed rule) raises the
same flags as checking each concern as it was recorded, for every kind of
rule, and its cost does not grow with subjects that have no pattern."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from enquiries import codes
from enquiries.factories import (
    ConcernFactory,
    OrganisationFactory,
    PersonFactory,
    RiskFactory,
)
from enquiries.models import (
    PatternFlag,
    PatternFlagRecord,
    PatternRule,
    PipotCase,
    PipotConcern,
    Relationship,
    Risk,
)
from enquiries.services import patterns

pytestmark = pytest.mark.django_db

D = datetime.date
SINCE = D(2025, 1, 1)


def rules():
    for kind, threshold, months in (
        ("adult", 3, 3),
        ("organisation", 3, 1),
        ("alleged_source", 2, 12),
        ("location", 3, 3),
    ):
        PatternRule.objects.update_or_create(
            kind=kind,
            defaults={"threshold": threshold, "window_months": months},
        )


def flags() -> set:
    """What the flags say: kind, subject and exactly which concerns."""
    return {
        (
            flag.kind,
            flag.person_id,
            flag.organisation_id,
            flag.pipot_case_id,
            flag.postcode,
            tuple(sorted(flag.records.values_list("concern_id", flat=True))),
            flag.concern_count,
            flag.adult_count,
        )
        for flag in PatternFlag.objects.all()
    }


def history(team):
    """Concerns of every kind of subject, some making patterns, some near
    misses, some before ``SINCE``; recorded without the services, as an
    import or a bulk load writes them."""
    # The same adult: four in three months, then two far apart.
    adult = PersonFactory(team=team)
    for day in (D(2025, 2, 1), D(2025, 3, 1), D(2025, 4, 15), D(2025, 4, 30)):
        ConcernFactory(person=adult, received_on=day)
    other = PersonFactory(team=team)
    for day in (D(2024, 11, 20), D(2025, 1, 10), D(2025, 9, 1)):
        ConcernFactory(person=other, received_on=day)
    # An organisation: three in a month (one before SINCE), and a withdrawn risk.
    home = OrganisationFactory(name="Larch House")
    for day in (D(2024, 12, 20), D(2025, 1, 5), D(2025, 1, 12)):
        RiskFactory(
            concern=ConcernFactory(received_on=day),
            source=codes.RiskSource.SERVICE_PROVIDER,
            source_organisation=home,
            source_person_name="",
        )
    RiskFactory(
        concern=ConcernFactory(received_on=D(2025, 1, 13)),
        source=codes.RiskSource.SERVICE_PROVIDER,
        source_organisation=home,
        is_withdrawn=True,
    )
    # An alleged source across two adults (the same adult twice is one).
    carer = PersonFactory(team=team)
    for day, person in (
        (D(2025, 3, 1), PersonFactory(team=team)),
        (D(2025, 5, 1), adult),
        (D(2025, 6, 1), adult),
    ):
        relation = Relationship.objects.create(
            person=person, kind="paid_carer", name="Sam", individual=carer
        )
        RiskFactory(
            concern=ConcernFactory(person=person, received_on=day),
            source_relation=relation,
        )
    # A place: three in three months.
    for day in (D(2025, 7, 1), D(2025, 8, 1), D(2025, 9, 15)):
        Risk.objects.create(
            concern=ConcernFactory(received_on=day),
            risk_type=codes.RiskType.PHYSICAL,
            location=codes.RiskLocation.COMMUNITY_SERVICE,
            source=codes.RiskSource.UNKNOWN,
            place_postcode="NE1 4ST",
            place_name="Riverside Day Centre",
        )
    # A PiPoT case and a concern about another adult linked to it.
    first = ConcernFactory(received_on=D(2025, 10, 1))
    case = PipotCase.objects.create(
        concern=first,
        subject_name="Dana Whitlock",
        subject_role="Senior care assistant",
        subject_kind="paid",
        employer=home,
        allegation="Rough handling",
        opened_on=first.received_on,
    )
    PipotConcern.objects.create(
        case=case, concern=ConcernFactory(received_on=D(2025, 11, 2))
    )


def test_check_all_raises_the_flags_checking_each_concern_would(team):
    rules()
    history(team)
    assert not PatternFlag.objects.exists()
    for concern in (
        patterns.counted_concerns().filter(received_on__gte=SINCE).order_by("pk")
    ):
        patterns.check_concern(concern)
    one_by_one = flags()
    assert {flag[0] for flag in one_by_one} == {
        "adult",
        "organisation",
        "alleged_source",
        "location",
    }
    assert any(flag[3] for flag in one_by_one)  # the PiPoT case's flag
    PatternFlagRecord.objects.all().delete()
    PatternFlag.objects.all().delete()

    checked = patterns.check_all(since=SINCE)

    assert flags() == one_by_one
    assert checked == patterns.counted_concerns().filter(received_on__gte=SINCE).count()
    # Safe to run again: nothing new.
    patterns.check_all(since=SINCE)
    assert flags() == one_by_one


def _queries(since) -> int:
    with CaptureQueriesContext(connection) as seen:
        patterns.check_all(since=since)
    return len(seen)


def test_subjects_with_no_pattern_cost_no_queries_each(team):
    rules()
    for n in range(3):
        ConcernFactory(person=PersonFactory(team=team), received_on=D(2025, 3, n + 1))
    few = _queries(SINCE)
    for n in range(30):
        person = PersonFactory(team=team)
        ConcernFactory(person=person, received_on=D(2025, 4, 1 + n % 28))
        RiskFactory(
            concern=ConcernFactory(person=person, received_on=D(2025, 6, 1)),
            source=codes.RiskSource.SERVICE_PROVIDER,
            source_organisation=OrganisationFactory(),
            source_person_name="",
        )
    assert _queries(SINCE) == few
    assert not PatternFlag.objects.exists()
