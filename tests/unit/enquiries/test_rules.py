"""The rules behind the concern stages, tested at the service and model level."""

import datetime

import pytest
from django.core.exceptions import ValidationError

from enquiries.factories import (
    ConcernFactory,
    DesiredOutcomeFactory,
    PersonFactory,
    PersonViewFactory,
)
from enquiries.models import (
    ConsentDecision,
    DesiredOutcome,
    Enquiry,
    validate_nhs_number,
)
from enquiries.selectors.people import find_likely_duplicates
from enquiries.services import people as services
from enquiries.timescales import add_working_days, is_working_day
from msp import roles
from msp.concurrency import EditConflict
from msp.factories import UserFactory

DECIDE = {"decision": "section_42", "decision_reason": "All three met"}


@pytest.fixture
def concern(team, practitioner):
    return ConcernFactory(person=PersonFactory(team=team), allocated_to=practitioner)


def set_test(concern, care, abuse, unable):
    concern.criterion_care_needs = care
    concern.criterion_abuse = abuse
    concern.criterion_unable_to_protect = unable
    concern.save()


@pytest.mark.parametrize(
    ("care", "abuse", "unable", "met"),
    [
        ("yes", "yes", "yes", True),
        ("yes", "yes", "no", False),
        ("yes", "dont_know", "yes", False),
        ("no", "yes", "yes", False),
    ],
)
def test_section_42_only_when_all_three_parts_are_yes(
    db, concern, practitioner, care, abuse, unable, met
):
    set_test(concern, care, abuse, unable)
    PersonViewFactory(person=concern.person, concern=concern)
    assert concern.three_part_test_met is met
    if met:
        services.record_decision(
            user=practitioner, concern=concern, expected_version=1, changes=DECIDE
        )
        assert Enquiry.objects.filter(concern=concern, kind="section_42").exists()
    else:
        with pytest.raises(ValidationError) as exc:
            services.record_decision(
                user=practitioner, concern=concern, expected_version=1, changes=DECIDE
            )
        assert "decision" in exc.value.message_dict
        assert not Enquiry.objects.exists()


def test_decision_blocked_without_views(db, concern, practitioner):
    set_test(concern, "yes", "yes", "yes")
    with pytest.raises(ValidationError, match="Record the adult's views"):
        services.record_decision(
            user=practitioner, concern=concern, expected_version=1, changes=DECIDE
        )
    PersonViewFactory(
        person=concern.person, concern=concern, stage="planning"
    )  # a later stage does not count
    with pytest.raises(ValidationError):
        services.record_decision(
            user=practitioner, concern=concern, expected_version=1, changes=DECIDE
        )


def test_superseded_view_still_leaves_a_current_view(db, concern, practitioner):
    first = services.record_views(
        user=practitioner,
        case=concern,
        data={"stage": "concern", "source": "adult", "views_text": "Leave it"},
    )
    services.record_views(
        user=practitioner,
        case=concern,
        data={"stage": "concern", "source": "adult", "views_text": "Help me"},
        supersedes=first,
        correction_reason="Misheard",
    )
    assert services.has_concern_views(concern)


def test_views_are_corrected_once_and_need_a_reason(db, concern, practitioner):
    data = {"stage": "concern", "source": "adult", "views_text": "I am fine"}
    first = services.record_views(user=practitioner, case=concern, data=data)
    with pytest.raises(ValidationError):
        services.record_views(
            user=practitioner, case=concern, data=data, supersedes=first
        )
    services.record_views(
        user=practitioner,
        case=concern,
        data={**data, "views_text": "I am scared"},
        supersedes=first,
        correction_reason="Wrong entry",
    )
    with pytest.raises(ValidationError, match="already been corrected"):
        services.record_views(
            user=practitioner,
            case=concern,
            data=data,
            supersedes=first,
            correction_reason="Again",
        )
    first.refresh_from_db()
    assert first.views_text == "I am fine"


def consent_data(**overrides):
    data = {
        "question": "share_information",
        "agency": "Police",
        "answer": "declined",
        "overridden": True,
        "override_grounds": ["crime"],
        "override_reason": "Theft of savings",
    }
    data.update(overrides)
    return data


def test_override_needs_grounds_and_reasons(db, concern, practitioner):
    with pytest.raises(ValidationError) as exc:
        services.record_consent(
            user=practitioner,
            case=concern,
            data=consent_data(override_grounds=[], override_reason=""),
        )
    assert {"override_grounds", "override_reason"} <= set(exc.value.message_dict)
    with pytest.raises(ValidationError):
        services.record_consent(
            user=practitioner, case=concern, data=consent_data(answer="consented")
        )


def test_override_confirmed_only_by_a_different_case_worker(
    db, concern, practitioner, other_practitioner, auditor
):
    consent = services.record_consent(
        user=practitioner, case=concern, data=consent_data()
    )
    assert consent.override_pending_confirmation
    with pytest.raises(ValidationError, match="different person"):
        services.confirm_consent_override(user=practitioner, consent=consent)
    with pytest.raises(ValidationError):
        services.confirm_consent_override(user=auditor, consent=consent)
    services.confirm_consent_override(user=other_practitioner, consent=consent)
    consent.refresh_from_db()
    assert not consent.override_pending_confirmation
    with pytest.raises(ValidationError, match="already been confirmed"):
        services.confirm_consent_override(
            user=UserFactory(role=roles.TEAM_MANAGER), consent=consent
        )


def test_consent_without_override_needs_no_confirmation(db, concern, practitioner):
    consent = services.record_consent(
        user=practitioner,
        case=concern,
        data=consent_data(overridden=False, answer="consented", override_grounds=[]),
    )
    assert not consent.override_pending_confirmation
    with pytest.raises(ValidationError):
        services.confirm_consent_override(user=practitioner, consent=consent)
    assert ConsentDecision.objects.count() == 1


def test_desired_outcome_revision_keeps_history(db, concern, practitioner):
    original = DesiredOutcomeFactory(person=concern.person, concern=concern)
    revised = services.revise_desired_outcome(
        user=practitioner,
        outcome=original,
        text="I want my nephew to stop visiting",
        reason="She decided after talking to her advocate",
        stage="information_gathering",
    )
    original.refresh_from_db()
    assert original.status == DesiredOutcome.Status.REVISED
    assert revised.revises == original
    assert revised.concern == concern
    with pytest.raises(ValidationError):
        services.revise_desired_outcome(
            user=practitioner, outcome=original, text="x", reason="y", stage="concern"
        )
    withdrawn = services.withdraw_desired_outcome(
        user=practitioner, outcome=revised, reason="No longer wanted"
    )
    assert withdrawn.status == DesiredOutcome.Status.WITHDRAWN
    assert withdrawn.revision_reason == "She decided after talking to her advocate"
    assert withdrawn.withdrawal_reason == "No longer wanted"


def test_case_note_final_cannot_change(db, concern, practitioner):
    note = services.add_case_note(user=practitioner, person=concern.person, text="Met")
    note = services.finalise_case_note(
        user=practitioner, note=note, expected_version=note.version
    )
    with pytest.raises(ValidationError):
        services.change_case_note(
            user=practitioner,
            note=note,
            expected_version=note.version,
            changes={"text": "Changed"},
        )


def test_stale_edit_raises_conflict(db, concern, practitioner):
    services.change_concern(
        user=practitioner, concern=concern, expected_version=1, changes={"summary": "A"}
    )
    with pytest.raises(EditConflict) as exc:
        services.change_concern(
            user=practitioner,
            concern=concern,
            expected_version=1,
            changes={"summary": "B"},
        )
    assert exc.value.changed_fields == ["summary"]


@pytest.mark.parametrize(
    ("value", "valid"),
    [
        ("9434765919", True),
        ("943 476 5919", True),
        ("9434765918", False),
        ("123", False),
    ],
)
def test_nhs_number_modulus_11(value, valid):
    if valid:
        validate_nhs_number(value)
    else:
        with pytest.raises(ValidationError):
            validate_nhs_number(value)


def test_working_days_skip_weekends_and_bank_holidays():
    # Thursday 24 December 2026: Christmas (Fri), the weekend and Boxing Day
    # observed (Mon 28th) are skipped.
    assert add_working_days(datetime.date(2026, 12, 24), 1) == datetime.date(
        2026, 12, 29
    )
    assert add_working_days(datetime.date(2026, 12, 24), 2) == datetime.date(
        2026, 12, 30
    )
    # Friday before the late summer bank holiday (Mon 31 August 2026).
    assert add_working_days(datetime.date(2026, 8, 28), 1) == datetime.date(2026, 9, 1)
    assert not is_working_day(datetime.date(2026, 4, 3))  # Good Friday
    assert add_working_days(datetime.date(2026, 6, 1), 0) == datetime.date(2026, 6, 1)


def test_duplicates_same_dob_and_similar_name(db, team):
    dob = datetime.date(1940, 3, 3)
    match = PersonFactory(
        given_name="Margaret", family_name="Hughes", date_of_birth=dob
    )
    PersonFactory(given_name="Sam", family_name="Patel", date_of_birth=dob)
    PersonFactory(
        given_name="Margaret",
        family_name="Hughes",
        date_of_birth=datetime.date(1941, 3, 3),
    )
    found = find_likely_duplicates(
        given_name="Maggie", family_name="Hughs", date_of_birth=dob
    )
    assert list(found) == [match]
    assert not find_likely_duplicates(
        given_name="Maggie", family_name="Hughes", date_of_birth=None
    ).exists()


def test_enquiry_due_follows_its_status(db):
    from enquiries.timescales import enquiry_due, load_timescales

    scales = load_timescales()
    started = datetime.date(2026, 6, 1)  # a Monday
    planning = Enquiry(status="planning", started_on=started)
    closed = Enquiry(status="closed", started_on=started)
    assert enquiry_due(planning, scales) == datetime.date(2026, 6, 8)  # 5 working days
    assert enquiry_due(closed, scales) is None


@pytest.mark.django_db
def test_imported_section_42_decision_without_the_test_can_still_be_edited(
    practitioner,
):
    from enquiries.factories import ConcernFactory
    from msp.concurrency import save_changes

    imported = ConcernFactory(status="decided", decision="section_42")
    saved = save_changes(
        user=practitioner,
        instance=imported,
        expected_version=imported.version,
        changes={"immediate_actions": "Moved to a place of safety"},
    )
    assert saved.immediate_actions == "Moved to a place of safety"


@pytest.mark.django_db
def test_section_42_decided_here_needs_the_three_part_test(practitioner):
    from django.core.exceptions import ValidationError

    from enquiries.factories import ConcernFactory

    concern = ConcernFactory(decision="section_42", decided_by=practitioner)
    with pytest.raises(ValidationError, match="all three parts"):
        concern.full_clean()
