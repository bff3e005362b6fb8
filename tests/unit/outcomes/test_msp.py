"""Rules derived from the records: 'was the adult asked?' and the pre-filled answer."""

import pytest

from enquiries.factories import DesiredOutcomeFactory, EnquiryFactory
from enquiries.models import DesiredOutcome, Enquiry
from outcomes import msp
from outcomes.services import suggest_overall


def _enquiry(asked: str) -> Enquiry:
    return EnquiryFactory(asked_desired_outcomes=asked)


def _outcome(enquiry: Enquiry, *, on_concern=False, status="active"):
    return DesiredOutcomeFactory(
        person=enquiry.concern.person,
        enquiry=None if on_concern else enquiry,
        concern=enquiry.concern if on_concern else None,
        status=status,
    )


def _annotated(enquiry: Enquiry) -> str:
    return getattr(
        msp.annotate_msp_asked(Enquiry.objects.filter(pk=enquiry.pk)).get(),
        msp.ANNOTATION,
    )


@pytest.mark.django_db
class TestAskedCategory:
    def test_asked_with_outcomes_expressed(self):
        enquiry = _enquiry("yes")
        _outcome(enquiry)
        assert msp.msp_asked_category(enquiry) == msp.EXPRESSED
        assert _annotated(enquiry) == msp.EXPRESSED
        assert msp.msp_asked_label(enquiry) == (
            "Yes they were asked and outcomes were expressed"
        )

    def test_outcome_recorded_on_the_concern_counts_as_expressed(self):
        enquiry = _enquiry("yes")
        _outcome(enquiry, on_concern=True)
        assert msp.msp_asked_category(enquiry) == msp.EXPRESSED
        assert _annotated(enquiry) == msp.EXPRESSED

    def test_asked_but_none_expressed(self):
        enquiry = _enquiry("yes")
        assert msp.msp_asked_category(enquiry) == msp.NOT_EXPRESSED
        assert _annotated(enquiry) == msp.NOT_EXPRESSED

    def test_withdrawn_outcomes_only_means_none_expressed(self):
        enquiry = _enquiry("yes")
        _outcome(enquiry, status=DesiredOutcome.Status.WITHDRAWN)
        _outcome(enquiry, on_concern=True, status=DesiredOutcome.Status.WITHDRAWN)
        assert msp.msp_asked_category(enquiry) == msp.NOT_EXPRESSED
        assert _annotated(enquiry) == msp.NOT_EXPRESSED

    def test_another_adults_outcome_does_not_count(self):
        enquiry = _enquiry("yes")
        _outcome(EnquiryFactory())
        assert msp.msp_asked_category(enquiry) == msp.NOT_EXPRESSED
        assert _annotated(enquiry) == msp.NOT_EXPRESSED

    def test_not_asked_even_if_outcomes_were_recorded(self):
        enquiry = _enquiry("no")
        _outcome(enquiry)
        assert msp.msp_asked_category(enquiry) == msp.NOT_ASKED
        assert _annotated(enquiry) == msp.NOT_ASKED
        assert msp.msp_asked_label(enquiry) == "No"

    def test_dont_know(self):
        enquiry = _enquiry("dont_know")
        assert msp.msp_asked_category(enquiry) == msp.DONT_KNOW
        assert _annotated(enquiry) == msp.DONT_KNOW

    def test_not_recorded_when_blank_and_nothing_from_the_adult(self):
        # An outcome from the adult would answer it (test_msp_derived); one
        # only reported by the referrer does not.
        enquiry = _enquiry("")
        outcome = _outcome(enquiry)
        outcome.expressed_by = "referrer"
        outcome.save()
        assert msp.msp_asked_category(enquiry) == msp.NOT_RECORDED
        assert _annotated(enquiry) == msp.NOT_RECORDED
        assert msp.msp_asked_label(enquiry) == "Not recorded"


class TestSuggestedOverall:
    def test_all_fully_is_fully(self):
        assert suggest_overall(["fully", "fully"]) == "fully"

    def test_all_not_is_not(self):
        assert suggest_overall(["not", "not", "not"]) == "not"

    def test_any_mix_is_partially(self):
        assert suggest_overall(["fully", "not"]) == "partially"
        assert suggest_overall(["partially"]) == "partially"
        assert suggest_overall(["fully", "partially"]) == "partially"

    def test_nothing_rated_gives_no_suggestion(self):
        assert suggest_overall([]) == ""
        assert suggest_overall(["", ""]) == ""


@pytest.mark.django_db
def test_starter_outcome_categories_are_in_place():
    from enquiries.models import OutcomeCategory

    names = list(OutcomeCategory.objects.values_list("name", flat=True))
    assert names[0] == "To feel safer"
    assert "Justice: the person responsible held to account" in names
    assert names[-1] == "Other"
