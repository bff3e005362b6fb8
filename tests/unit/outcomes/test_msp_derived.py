"""SG4a part 1 follows from the record: outcomes recorded from the adult or
their representative mean "asked and outcomes expressed" without typing it
again (issue 15)."""

from __future__ import annotations

import datetime

from enquiries import codes
from enquiries.factories import DesiredOutcomeFactory, EnquiryFactory
from enquiries.models import Enquiry
from outcomes import msp, sac, sac_spec


def _concluded(**kwargs):
    enquiry = EnquiryFactory(asked_desired_outcomes="", **kwargs)
    Enquiry.objects.filter(pk=enquiry.pk).update(concluded_on=datetime.date.today())
    enquiry.refresh_from_db()
    return enquiry


def _outcome(enquiry, expressed_by):
    return DesiredOutcomeFactory(
        person=enquiry.concern.person,
        enquiry=enquiry,
        expressed_by=expressed_by,
    )


def test_outcomes_from_the_adult_answer_asked_and_expressed(db):
    enquiry = _concluded()
    assert msp.msp_asked_category(enquiry) == msp.NOT_RECORDED
    _outcome(enquiry, codes.ViewSource.REPRESENTATIVE)
    assert msp.msp_asked_category(enquiry) == msp.EXPRESSED
    assert msp.is_derived(enquiry)
    annotated = msp.annotate_msp_asked(Enquiry.objects.filter(pk=enquiry.pk)).get()
    assert getattr(annotated, msp.ANNOTATION) == msp.EXPRESSED


def test_outcomes_reported_by_someone_else_are_not_the_adult_asked(db):
    enquiry = _concluded()
    _outcome(enquiry, codes.ViewSource.REFERRER)
    assert msp.msp_asked_category(enquiry) == msp.NOT_RECORDED
    assert not msp.is_derived(enquiry)


def test_a_typed_answer_wins_over_the_derived_one(db):
    enquiry = _concluded()
    _outcome(enquiry, codes.ViewSource.ADULT)
    Enquiry.objects.filter(pk=enquiry.pk).update(asked_desired_outcomes="no")
    enquiry.refresh_from_db()
    assert msp.msp_asked_category(enquiry) == msp.NOT_ASKED
    assert not msp.is_derived(enquiry)


def test_sac_counts_the_derived_answer_and_drops_the_gap(db):
    received = datetime.date(2025, 5, 1)
    derived, gap = (
        EnquiryFactory(
            concluded=True, asked_desired_outcomes="", concern__received_on=received
        )
        for _ in range(2)
    )
    _outcome(derived, codes.ViewSource.ADULT)
    cells = sac.compute_sac_return("2025-26")
    assert cells[("SG4a", sac_spec.MSP_EXPRESSED, sac_spec.NO_COLUMN)] == 1
    assert cells[("SG4a", sac_spec.MSP_NOT_RECORDED, sac_spec.NO_COLUMN)] == 1
    assert cells[("SG4a", "Fully achieved", sac_spec.NO_COLUMN)] == 1
    start, end = sac_spec.financial_year_bounds("2025-26")
    checks = {check["key"]: check for check in sac.data_quality_checks(start, end)}
    assert list(checks["asked"]["records"]) == [gap]
