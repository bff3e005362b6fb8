"""Rules for budgets and direct payments, as the services enforce them."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from budgets import services
from budgets.models import (
    ConcernLink,
    Condition,
    DirectPayment,
    PersonalBudget,
    Review,
)
from enquiries.models import ChronologyEvent
from msp.models import AuditEvent
from tests.integration.budgets.conftest import local_condition_data

pytestmark = pytest.mark.django_db
TODAY = datetime.date.today()


def test_budget_works_out_the_councils_part(budget):
    assert budget.council_contribution == Decimal("12999.50")
    assert AuditEvent.objects.filter(
        action="create", object_ref=str(budget.reference)
    ).exists()
    assert ChronologyEvent.objects.filter(person=budget.person, kind="budget").exists()


def test_contribution_cannot_exceed_total_and_money_cannot_be_negative(
    person, practitioner
):
    base = {
        "care_plan_reference": "CSP-1",
        "effective_from": datetime.date(2025, 4, 1),
        "management": "council",
    }
    with pytest.raises(ValidationError) as exc:
        services.create_budget(
            user=practitioner,
            person=person,
            data={
                **base,
                "total_cost": Decimal("100"),
                "adult_contribution": Decimal("100.01"),
            },
        )
    assert "adult_contribution" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        services.create_budget(
            user=practitioner,
            person=person,
            data={
                **base,
                "total_cost": Decimal("-1"),
                "adult_contribution": Decimal("0"),
            },
        )
    assert "total_cost" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        services.create_budget(
            user=practitioner,
            person=person,
            data={
                **base,
                "total_cost": Decimal("10"),
                "adult_contribution": Decimal("0"),
                "effective_to": base["effective_from"],
            },
        )
    assert "effective_to" in exc.value.message_dict
    assert not PersonalBudget.objects.exists()


def test_new_payment_has_both_statutory_conditions_and_a_first_review_at_six_months(
    payment,
):
    kinds = set(payment.conditions.values_list("kind", flat=True))
    assert kinds == {"plan_needs", "close_family"}
    review = payment.reviews.get()
    assert review.review_type == Review.Type.INITIAL
    # First payment 31 August: six months on is the end of February.
    assert review.due_on == datetime.date(2026, 2, 28)
    history = payment.status_changes.get()
    assert history.to_status == "active" and history.changed_by.username == "pat"


@pytest.mark.parametrize("kind", ["plan_needs", "close_family"])
def test_statutory_conditions_cannot_be_removed(payment, practitioner, kind):
    condition = payment.conditions.get(kind=kind)
    with pytest.raises(ValidationError):
        services.record_condition_status(
            user=practitioner,
            condition=condition,
            expected_version=condition.version,
            changes={
                "status": "removed",
                "removed_on": TODAY,
                "removed_reason": "Not needed",
            },
        )
    with pytest.raises(ValidationError):
        condition.delete()
    with pytest.raises(ValidationError):
        Condition.objects.filter(pk=condition.pk).delete()
    with pytest.raises(IntegrityError), transaction.atomic():
        Condition.objects.filter(pk=condition.pk).update(status="removed")
    condition.refresh_from_db()
    assert condition.status == "met"


def test_local_condition_needs_a_proportionality_rationale(
    payment, practitioner, receipts_type
):
    with pytest.raises(ValidationError) as exc:
        services.add_local_condition(
            user=practitioner,
            payment=payment,
            data=local_condition_data(
                receipts_type, risk_answered="", why_nothing_less=" "
            ),
        )
    assert {"risk_answered", "why_nothing_less"} <= set(exc.value.message_dict)
    assert not payment.conditions.filter(kind="local").exists()


def test_local_condition_naming_someone_needs_the_name(payment, practitioner):
    from budgets.models import LocalConditionType

    named = LocalConditionType.objects.get(code="not-named-party")
    with pytest.raises(ValidationError) as exc:
        services.add_local_condition(
            user=practitioner, payment=payment, data=local_condition_data(named)
        )
    assert "details" in exc.value.message_dict


def test_local_condition_can_be_removed_with_a_reason(
    payment, practitioner, receipts_type
):
    condition = services.add_local_condition(
        user=practitioner, payment=payment, data=local_condition_data(receipts_type)
    )
    with pytest.raises(ValidationError):
        services.record_condition_status(
            user=practitioner,
            condition=condition,
            expected_version=condition.version,
            changes={"status": "removed", "removed_on": TODAY, "removed_reason": ""},
        )
    services.record_condition_status(
        user=practitioner,
        condition=condition,
        expected_version=condition.version,
        changes={
            "status": "removed",
            "removed_on": TODAY,
            "removed_reason": "Statements show careful spending",
        },
    )
    condition.refresh_from_db()
    assert condition.status == "removed"
    assert Condition.objects.filter(pk=condition.pk).exists()


def test_breach_triggers_a_review_due_now(payment, practitioner, receipts_type):
    condition = services.add_local_condition(
        user=practitioner, payment=payment, data=local_condition_data(receipts_type)
    )
    services.record_condition_status(
        user=practitioner,
        condition=condition,
        expected_version=condition.version,
        changes={
            "status": "breached",
            "breached_on": TODAY,
            "breach_details": "No receipts for three months",
        },
    )
    triggered = payment.reviews.get(review_type="triggered")
    assert triggered.trigger == "breach"
    assert triggered.trigger_condition == condition
    assert triggered.due_on == TODAY


def test_link_with_pa_as_source_of_risk_triggers_a_safeguarding_review(
    payment, practitioner, concern
):
    services.link_concern(
        user=practitioner, payment=payment, concern=concern, role="pa_source"
    )
    review = payment.reviews.get(review_type="triggered")
    assert (review.trigger, review.trigger_concern, review.due_on) == (
        "safeguarding",
        concern,
        TODAY,
    )


def test_context_link_does_not_trigger_a_review(payment, practitioner, concern):
    services.link_concern(
        user=practitioner, payment=payment, concern=concern, role="context"
    )
    assert not payment.reviews.filter(review_type="triggered").exists()


def test_link_must_be_to_a_concern_about_the_same_person(payment, practitioner):
    from enquiries.factories import ConcernFactory

    elsewhere = ConcernFactory()
    with pytest.raises(ValidationError):
        services.link_concern(
            user=practitioner, payment=payment, concern=elsewhere, role="misuse"
        )
    assert not ConcernLink.objects.exists()


def _complete(review, user, on, outcome="continue"):
    return services.complete_review(
        user=user,
        review=review,
        expected_version=review.version,
        changes={
            "completed_on": on,
            "depth": "light",
            "findings": "Spending matches the plan",
            "person_view": "It is working well for me.",
            "outcome": outcome,
        },
    )


def test_completing_the_first_review_schedules_the_next_within_twelve_months(
    payment, practitioner
):
    first = payment.reviews.get()
    done_on = datetime.date(2025, 12, 10)
    _complete(first, practitioner, done_on)
    upcoming = payment.reviews.get(completed_on__isnull=True)
    assert upcoming.review_type == "annual"
    assert upcoming.due_on == datetime.date(2026, 12, 10)


def test_a_triggered_review_moves_the_next_scheduled_review(
    payment, practitioner, concern
):
    services.link_concern(
        user=practitioner, payment=payment, concern=concern, role="misuse"
    )
    triggered = payment.reviews.get(review_type="triggered")
    _complete(triggered, practitioner, datetime.date(2025, 10, 1))
    scheduled = payment.reviews.get(completed_on__isnull=True)
    assert scheduled.due_on == datetime.date(2026, 10, 1)


def test_review_needs_findings_view_and_outcome(payment, practitioner):
    review = payment.reviews.get()
    with pytest.raises(ValidationError) as exc:
        services.complete_review(
            user=practitioner,
            review=review,
            expected_version=review.version,
            changes={"completed_on": TODAY, "outcome": "repayment"},
        )
    assert {"findings", "person_view", "repayment_amount"} <= set(
        exc.value.message_dict
    )


def test_status_changes_record_who_when_and_why(payment, practitioner, manager):
    services.change_status(
        user=practitioner, payment=payment, to_status="suspended", reason="In hospital"
    )
    services.change_status(
        user=manager, payment=payment, to_status="active", reason="Home again"
    )
    history = list(payment.status_changes.order_by("id"))
    assert [(h.from_status, h.to_status) for h in history] == [
        ("", "active"),
        ("active", "suspended"),
        ("suspended", "active"),
    ]
    assert history[1].changed_by == practitioner and history[1].reason == "In hospital"
    assert history[2].changed_by == manager and history[2].changed_at is not None
    assert (
        AuditEvent.objects.filter(
            action="status", object_ref=str(payment.reference)
        ).count()
        == 2
    )


def test_status_change_needs_a_reason_and_a_permitted_move(payment, practitioner):
    with pytest.raises(ValidationError):
        services.change_status(
            user=practitioner, payment=payment, to_status="suspended", reason=" "
        )
    with pytest.raises(ValidationError):
        services.change_status(
            user=practitioner, payment=payment, to_status="ended", reason="Done"
        )
    payment.refresh_from_db()
    assert payment.status == "active"


def test_suspend_pending_investigation_links_the_concern(
    payment, practitioner, concern
):
    services.suspend_pending_investigation(
        user=practitioner,
        payment=payment,
        concern=concern,
        reason="Card misuse alleged",
    )
    payment.refresh_from_db()
    assert payment.status == DirectPayment.Status.SUSPENDED_INVESTIGATION
    change = payment.status_changes.latest("id")
    assert change.concern == concern and change.reason == "Card misuse alleged"
    assert payment.concern_links.filter(concern=concern).exists()


def test_ending_records_the_reason_and_stops_the_payment(payment, practitioner):
    ending = services.end_direct_payment(
        user=practitioner,
        payment=payment,
        data={
            "reason": "conditions_not_met",
            "reason_details": "Can no longer manage the payment, even with help",
            "ended_on": datetime.date(2025, 12, 1),
            "notice_days": 0,
            "alternative_arrangements": "Council-arranged home care from 2 December",
        },
    )
    payment.refresh_from_db()
    assert payment.status == "ended" and ending.must_stop
    with pytest.raises(ValidationError):
        services.change_status(
            user=practitioner, payment=payment, to_status="active", reason="Oops"
        )


def _assistant_data(**overrides):
    return {
        "name": "Sam Moss",
        "started_on": datetime.date(2025, 9, 1),
        "relationship": "sibling",
        "same_household": True,
        **overrides,
    }


def test_close_family_in_the_household_needs_a_regulation_3_exception(
    payment, practitioner, manager
):
    with pytest.raises(ValidationError) as exc:
        services.add_assistant(
            user=practitioner, payment=payment, data=_assistant_data()
        )
    assert "regulation 3" in exc.value.message_dict["family_exception"][0]
    # A sibling living elsewhere is not caught by the rule.
    services.add_assistant(
        user=practitioner,
        payment=payment,
        data=_assistant_data(name="Jo Moss", same_household=False),
    )
    exception = services.add_family_exception(
        user=manager,
        payment=payment,
        data={
            "family_member_name": "Sam Moss",
            "relationship": "Brother",
            "covers": "care",
            "necessity_reasons": "Only Sam can give care in Welsh at night",
            "authorised_on": datetime.date(2025, 8, 20),
            "review_on": datetime.date(2026, 2, 20),
        },
    )
    assert exception.authorised_by == manager
    assistant = services.add_assistant(
        user=practitioner,
        payment=payment,
        data=_assistant_data(family_exception=exception),
    )
    assert assistant.is_close_family


def test_spouse_is_close_family_wherever_they_live(payment, practitioner):
    with pytest.raises(ValidationError):
        services.add_assistant(
            user=practitioner,
            payment=payment,
            data=_assistant_data(relationship="spouse", same_household=False),
        )


def test_dbs_check_keeps_only_date_and_number(payment, practitioner):
    with pytest.raises(ValidationError) as exc:
        services.add_assistant(
            user=practitioner,
            payment=payment,
            data=_assistant_data(
                relationship="none", same_household=False, dbs_type="enhanced_barred"
            ),
        )
    assert {"dbs_checked_on", "dbs_certificate_reference"} <= set(
        exc.value.message_dict
    )
    assistant = services.add_assistant(
        user=practitioner,
        payment=payment,
        data=_assistant_data(
            relationship="none",
            same_household=False,
            dbs_request="requested",
            dbs_requested_on=datetime.date(2025, 8, 1),
        ),
    )
    with pytest.raises(ValidationError):
        services.change_assistant(
            user=practitioner,
            assistant=assistant,
            expected_version=assistant.version,
            changes={"dbs_request": "completed"},
        )
    services.change_assistant(
        user=practitioner,
        assistant=assistant,
        expected_version=assistant.version,
        changes={
            "dbs_request": "completed",
            "dbs_completed_on": datetime.date(2025, 8, 20),
            "dbs_type": "enhanced_barred",
            "dbs_checked_on": datetime.date(2025, 8, 20),
            "dbs_certificate_reference": "001234567890",
        },
    )
    assistant.refresh_from_db()
    assert assistant.dbs_request == "completed"
