"""``Enquiry.outcomes_expressed`` and ``outcomes_from_adult_recorded``:
derived from the desired outcomes, never typed.

Reports read the stored flags; these tests hold them to the rule (a desired
outcome, not withdrawn, recorded on the enquiry or on its concern with no
enquiry named; for the second, one recorded from the adult or their
representative) on every write path.
"""

import random

import pytest
from django.db.models import Exists, OuterRef

from enquiries import codes
from enquiries.factories import ConcernFactory, DesiredOutcomeFactory, EnquiryFactory
from enquiries.models import (
    DesiredOutcome,
    Enquiry,
    expressed_desired_outcomes,
    outcomes_from_adult,
    refresh_outcome_flags,
)
from enquiries.services import people as services
from outcomes import msp

pytestmark = pytest.mark.django_db

STAGE = {"stage": "enquiry", "text": "For my son to stop taking my pension."}


def _by_rule(outcomes):
    return Exists(outcomes.filter(enquiry=OuterRef("pk"))) | Exists(
        outcomes.filter(concern_id=OuterRef("concern_id"), enquiry=None)
    )


def _disagreeing() -> list[tuple[int, str]]:
    """Enquiries whose stored flags differ from a full recount of the rule."""
    rule = Enquiry.objects.annotate(
        expressed=_by_rule(expressed_desired_outcomes()),
        from_adult=_by_rule(outcomes_from_adult()),
    )
    wrong = []
    for e in rule:
        if e.expressed != e.outcomes_expressed:
            wrong.append((e.pk, "outcomes_expressed"))
        if e.from_adult != e.outcomes_from_adult_recorded:
            wrong.append((e.pk, "outcomes_from_adult_recorded"))
    return wrong


def _rule_holds_for_every_enquiry() -> bool:
    return not _disagreeing()


def test_an_outcome_recorded_with_the_concern_counts_for_the_enquiry():
    concern = ConcernFactory()
    DesiredOutcomeFactory(person=concern.person, concern=concern)
    enquiry = EnquiryFactory(concern=concern)
    assert enquiry.outcomes_expressed is True
    enquiry.refresh_from_db()
    assert enquiry.outcomes_expressed is True


def test_an_outcome_of_another_enquiry_of_the_concern_does_not_count(practitioner):
    """Two enquiries of one concern (one closed and a second opened, or an
    import): an outcome recorded on the first is not the second's, in the
    stored flags (which the SAC return and the reports read) and in the
    SG4a answer shown on the enquiry (docs/sac.md, "Outcomes expressed")."""
    concern = ConcernFactory()
    first = EnquiryFactory(concern=concern)
    second = EnquiryFactory(concern=concern)
    # Imports and the generator name both the enquiry and its concern.
    DesiredOutcomeFactory(
        person=concern.person, concern=concern, enquiry=first, expressed_by="adult"
    )
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.outcomes_expressed, first.outcomes_from_adult_recorded) == (
        True,
        True,
    )
    assert (second.outcomes_expressed, second.outcomes_from_adult_recorded) == (
        False,
        False,
    )
    assert msp.outcomes_expressed(first) and not msp.outcomes_expressed(second)
    assert msp.is_derived(first) and not msp.is_derived(second)
    assert _rule_holds_for_every_enquiry()
    # One recorded with the concern, no enquiry named, counts for both.
    services.add_desired_outcome(user=practitioner, case=concern, data=STAGE)
    second.refresh_from_db()
    assert second.outcomes_expressed is True
    assert _rule_holds_for_every_enquiry()


def test_the_upgrade_stops_counting_other_enquiries_outcomes():
    """Migration 0034 sets the flags of existing enquiries by the rule."""
    import importlib

    from django.apps import apps

    upgrade = importlib.import_module(
        "enquiries.migrations.0034_outcomes_counted_for_the_enquiry"
    )
    concern = ConcernFactory()
    first, second = (EnquiryFactory(concern=concern) for _ in range(2))
    DesiredOutcomeFactory(person=concern.person, concern=concern, enquiry=first)
    # As the flags stood under the old, wider rule.
    Enquiry.objects.update(outcomes_expressed=True, outcomes_from_adult_recorded=True)
    upgrade.count_only_the_enquiry_and_its_concern(apps, None)
    assert _rule_holds_for_every_enquiry()
    second.refresh_from_db()
    assert second.outcomes_expressed is False


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
    Enquiry.objects.update(outcomes_expressed=False, outcomes_from_adult_recorded=True)
    DesiredOutcome.objects.update(status="active")
    assert not _rule_holds_for_every_enquiry()
    assert refresh_outcome_flags(Enquiry.objects.all()) == 2
    assert _rule_holds_for_every_enquiry()
    without.refresh_from_db()
    assert without.outcomes_expressed is False


def test_an_outcome_from_family_is_expressed_but_not_from_the_adult(practitioner):
    enquiry = EnquiryFactory()
    seen = []
    for source in (codes.ViewSource.FAMILY, codes.ViewSource.REPRESENTATIVE):
        services.add_desired_outcome(
            user=practitioner, case=enquiry, data={**STAGE, "expressed_by": source}
        )
        enquiry.refresh_from_db()
        seen.append((enquiry.outcomes_expressed, enquiry.outcomes_from_adult_recorded))
    # Family's words are outcomes expressed, not the adult's; a
    # representative's count as the adult's (SG4a).
    assert seen == [(True, False), (True, True)]


def test_the_derived_sg4a_answer_reads_the_stored_flag():
    concern = ConcernFactory()
    DesiredOutcomeFactory(person=concern.person, concern=concern)
    enquiry = EnquiryFactory(concern=concern)
    assert enquiry.outcomes_from_adult_recorded is True
    assert list(Enquiry.objects.filter(msp.derived_asked())) == [enquiry]
    # The report's condition is the column: stale, it would be believed.
    Enquiry.objects.update(outcomes_from_adult_recorded=False)
    assert not Enquiry.objects.filter(msp.derived_asked()).exists()


def test_flags_equal_a_full_recount_after_random_edits(practitioner):
    """Random recordings, revisions, withdrawals and new enquiries through
    the services: after each, both stored flags equal a recount."""
    rng = random.Random(20261204)
    sources = list(codes.ViewSource.values)
    sources.remove(codes.ViewSource.NOT_OBTAINED)
    concerns = [ConcernFactory() for _ in range(6)]
    enquiries = [EnquiryFactory(concern=c) for c in concerns]
    seen = set()
    for step in range(40):
        action = rng.choice(["add", "add", "revise", "withdraw", "enquiry"])
        live = list(DesiredOutcome.objects.filter(status="active"))
        if action == "revise" and live:
            outcome = rng.choice(live)
            services.revise_desired_outcome(
                user=practitioner,
                outcome=outcome,
                text=f"Revised wish {step}",
                reason="Changed their mind",
                stage=outcome.stage,
                enquiry=rng.choice([None, *enquiries]),
            )
        elif action == "withdraw" and live:
            services.withdraw_desired_outcome(
                user=practitioner, outcome=rng.choice(live), reason="No longer wanted"
            )
        elif action == "enquiry":
            enquiries.append(EnquiryFactory(concern=rng.choice(concerns)))
        else:
            case = rng.choice([*concerns, *enquiries])
            stage = "concern" if case in concerns else "enquiry"
            services.add_desired_outcome(
                user=practitioner,
                case=case,
                data={
                    "stage": stage,
                    "text": f"Wish {step}",
                    # Half from family or the referrer (expressed, but not
                    # "from the adult"), half from any source.
                    "expressed_by": rng.choice(
                        [codes.ViewSource.FAMILY, codes.ViewSource.REFERRER]
                        if rng.random() < 0.5
                        else sources
                    ),
                },
            )
        assert _disagreeing() == [], f"after step {step} ({action})"
        seen.update(
            Enquiry.objects.values_list(
                "outcomes_expressed", "outcomes_from_adult_recorded"
            )
        )
    # The edits went through every state the flags can be in.
    assert seen == {(False, False), (True, False), (True, True)}
