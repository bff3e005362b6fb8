"""The bulk synthetic caseload used for demos at scale and benchmarks."""

import datetime
import hashlib

import pytest
from django.core.files.storage import storages
from django.db.models import F, Q

from enquiries.bulk import create_bulk_caseload
from enquiries.models import (
    ASKED_SOURCES,
    CaseNote,
    ChronologyEvent,
    Concern,
    Document,
    Enquiry,
    Meeting,
    Person,
    PersonNameWord,
    PlanAction,
    Risk,
)
from enquiries.selectors.people import matching_people


@pytest.mark.django_db
def test_bulk_caseload_is_coherent_and_realistic(team, other_team, practitioner):
    counts = create_bulk_caseload(
        people=400, teams=[team, other_team], workers=[practitioner], years=3, seed=7
    )
    assert counts["people"] == Person.objects.count() == 400
    # Everyone written in bulk can be found by name (the search's words).
    person = Person.objects.order_by("pk").last()
    assert person in matching_people(name=person.family_name[:3])
    assert counts["name words"] == PersonNameWord.objects.count() >= 800
    # The case's own history (interchange v2 content): a note and a meeting
    # on every enquiry, a plan action on most, a stored document on some.
    assert counts["meetings"] == Meeting.objects.count() == counts["enquiries"]
    assert counts["case notes"] == CaseNote.objects.count() == counts["enquiries"]
    assert 0.6 * counts["enquiries"] < PlanAction.objects.count() < counts["enquiries"]
    document = Document.objects.first()
    assert counts["documents"] == Document.objects.count() > 0
    stored = storages["documents"].open(document.storage_name).read()
    assert hashlib.sha256(stored).hexdigest() == document.sha256
    # Each document is its own file, of a scanned letter's size, so an export
    # copies as many files as a council's would.
    assert stored.startswith(b"%PDF-") and len(stored) >= 20_000
    assert Document.objects.values("sha256").distinct().count() == counts["documents"]
    assert counts["concerns"] == Concern.objects.count()
    assert counts["enquiries"] == Enquiry.objects.count()
    assert Concern.objects.count() > 400 * 3  # about five concerns per person
    # About 30% of decided concerns lead to an enquiry, mostly section 42.
    decided = Concern.objects.filter(status="decided").count()
    rate = Enquiry.objects.count() / decided
    assert 0.22 < rate < 0.38
    assert (
        Enquiry.objects.filter(kind="section_42").count()
        > 0.85 * Enquiry.objects.count()
    )
    # Decisions follow the three-part test, as the concern form requires.
    for concern in Concern.objects.exclude(decision=""):
        concern.full_clean()
    # Every enquiry belongs to its concern's team and has its own risks.
    assert not Enquiry.objects.exclude(team=F("concern__team")).exists()
    assert not Enquiry.objects.filter(risks__isnull=True).exists()
    # A concluded enquiry has SAC answers; a result only with a risk identified.
    closed = Enquiry.objects.filter(status="closed")
    assert closed.exists() and not closed.filter(risk_assessment_outcome="").exists()
    assert (
        not closed.exclude(
            risk_assessment_outcome__in=[
                "risk_identified_action",
                "risk_identified_no_action",
            ]
        )
        .exclude(risk_result="")
        .exists()
    )
    # Adults are 18 or over and dates are not in the future.
    today = datetime.date.today()
    assert not Concern.objects.filter(received_on__gt=today).exists()
    assert not Enquiry.objects.filter(concluded_on__gt=today).exists()
    assert not Risk.objects.filter(enquiry__isnull=True).exists()
    assert ChronologyEvent.objects.count() == counts["concerns"] + counts["enquiries"]
    # The derived "outcomes expressed" flag matches the desired outcomes.
    expressed = Enquiry.objects.filter(
        Q(desired_outcomes__isnull=False) | Q(concern__desired_outcomes__isnull=False)
    ).distinct()
    assert set(Enquiry.objects.filter(outcomes_expressed=True)) == set(expressed)
    assert expressed.exists()
    # ... and so does "recorded from the adult" (SG4a's derived answer).
    from_adult = Enquiry.objects.filter(
        Q(desired_outcomes__expressed_by__in=ASKED_SOURCES)
        | Q(concern__desired_outcomes__expressed_by__in=ASKED_SOURCES)
    ).distinct()
    assert set(Enquiry.objects.filter(outcomes_from_adult_recorded=True)) == set(
        from_adult
    )
    # The derived SAC age test matches the dates (some adults turn 18 late).
    for concern in Concern.objects.select_related("person")[:500]:
        assert concern.adult_on_receipt is concern.person.is_adult_on(
            concern.received_on
        )
    # Rows are written in the order a live system receives them.
    received = list(
        Concern.objects.order_by("id").values_list("received_on", flat=True)
    )
    assert received == sorted(received)
