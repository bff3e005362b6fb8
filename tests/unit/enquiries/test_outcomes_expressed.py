"""``Enquiry.outcomes_expressed``: derived from the desired outcomes, never typed.

Reports read the stored flag; these tests hold it to the rule (a desired
outcome, not withdrawn, for the enquiry or its concern) on every write path.
"""

import pytest
from django.db.models import Exists, OuterRef

from enquiries.factories import ConcernFactory, DesiredOutcomeFactory, EnquiryFactory
from enquiries.models import (
    DesiredOutcome,
    Enquiry,
    expressed_desired_outcomes,
    refresh_outcomes_expressed,
)
from enquiries.services import people as services

pytestmark = pytest.mark.django_db

STAGE = {"stage": "enquiry", "text": "For my son to stop taking my pension."}


def _rule_holds_for_every_enquiry() -> bool:
    expressed = expressed_desired_outcomes()
    rule = Enquiry.objects.annotate(
        by_rule=Exists(expressed.filter(enquiry=OuterRef("pk")))
        | Exists(expressed.filter(concern_id=OuterRef("concern_id")))
    )
    return all(e.by_rule == e.outcomes_expressed for e in rule)


def test_an_outcome_recorded_with_the_concern_counts_for_the_enquiry():
    concern = ConcernFactory()
    DesiredOutcomeFactory(person=concern.person, concern=concern)
    enquiry = EnquiryFactory(concern=concern)
    assert enquiry.outcomes_expressed is True
    enquiry.refresh_from_db()
    assert enquiry.outcomes_expressed is True


def test_no_outcome_means_none_expressed():
    assert EnquiryFactory().outcomes_expressed is False


def test_recording_then_withdrawing_an_outcome_updates_the_enquiry(practitioner):
    enquiry = EnquiryFactory()
    outcome = services.add_desired_outcome(user=practitioner, case=enquiry, data=STAGE)
    enquiry.refresh_from_db()
    assert enquiry.outcomes_expressed is True
    services.withdraw_desired_outcome(
        user=practitioner, outcome=outcome, reason="She changed her mind"
    )
    enquiry.refresh_from_db()
    assert enquiry.outcomes_expressed is False


def test_a_revised_outcome_is_still_expressed(practitioner):
    enquiry = EnquiryFactory()
    outcome = services.add_desired_outcome(user=practitioner, case=enquiry, data=STAGE)
    services.revise_desired_outcome(
        user=practitioner,
        outcome=outcome,
        text="To keep seeing my son, with my money safe.",
        reason="She wants the relationship kept",
        stage="enquiry",
    )
    enquiry.refresh_from_db()
    assert enquiry.outcomes_expressed is True
    assert DesiredOutcome.objects.filter(status="revised").count() == 1


def test_refresh_mends_rows_written_past_save():
    with_outcome, without = EnquiryFactory(), EnquiryFactory()
    DesiredOutcomeFactory(person=with_outcome.concern.person, enquiry=with_outcome)
    # A bulk write (as imports and the generator do) that skipped save().
    Enquiry.objects.update(outcomes_expressed=False)
    DesiredOutcome.objects.update(status="active")
    assert not _rule_holds_for_every_enquiry()
    assert refresh_outcomes_expressed(Enquiry.objects.all()) == 2
    assert _rule_holds_for_every_enquiry()
    without.refresh_from_db()
    assert without.outcomes_expressed is False
