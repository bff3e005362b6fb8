"""The Safeguarding Adults Review process (Care Act s44), before and after
the register: a referral from a case, the board's decision on the s44
criteria, commissioning and completion, and the recommendations.

Access rule: SARs are Safeguarding Adults Board business, so every SAR page
and service is for users with ``view_reports`` (team managers and
safeguarding leads) who may also change case records; a referral is made
from a person (and optionally one of their enquiries) the user may see, and
names in a review are shown only to users who may see that person.

SG5 counts completed reviews and their individuals only
(``outcomes.sac``): nothing here changes a count until ``completed_on`` is
set, exactly as for a review added straight to the register.
"""

from __future__ import annotations

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction

from enquiries.models import (
    Enquiry,
    Person,
    SafeguardingAdultsReview,
    SarIndividual,
    SarRecommendation,
)
from msp import audit
from msp.access import get_visible_or_404, require_write
from msp.concurrency import save_changes
from msp.permissions import require_perm


def _require_sar_rights(user) -> None:
    require_perm(user, "view_reports")
    require_write(user)


def _not_future(value: datetime.date | None, label: str, field: str) -> None:
    if value and value > datetime.date.today():
        raise ValidationError({field: f"{label} must be today or in the past"})


def refer(
    *,
    user,
    person: Person,
    enquiry: Enquiry | None,
    title: str,
    referred_on: datetime.date,
    referred_by: str,
    reason: str,
    died: bool,
) -> SafeguardingAdultsReview:
    """A referral for a SAR about ``person`` (who is added as its first
    individual). The person, and the enquiry if given, must be visible."""
    _require_sar_rights(user)
    person = get_visible_or_404(user, Person.objects.all(), pk=person.pk)
    if enquiry is not None:
        enquiry = get_visible_or_404(
            user, Enquiry.objects.select_related("concern"), pk=enquiry.pk
        )
        if enquiry.concern.person_id != person.pk:
            raise ValidationError("The enquiry is not about this person")
    _not_future(referred_on, "The date of the referral", "referred_on")
    if not reason.strip():
        raise ValidationError({"referral_reason": "Enter why the case is referred"})
    with transaction.atomic():
        review = SafeguardingAdultsReview(
            title=title,
            referred_on=referred_on,
            referred_by=referred_by,
            referral_reason=reason,
            referred_from_enquiry=enquiry,
            created_by=user,
            updated_by=user,
        )
        review.full_clean()
        review.save()
        SarIndividual.objects.create(review=review, person=person, died=died)
        audit.record(
            actor=user,
            action="create",
            obj=review,
            person_ref=str(person.reference),
            summary=f"Referred for a Safeguarding Adults Review: '{title}'"[:255],
        )
    return review


def record_decision(
    *,
    user,
    review: SafeguardingAdultsReview,
    expected_version: int,
    decision: str,
    decided_on: datetime.date,
    reasons: str,
) -> SafeguardingAdultsReview:
    """The board's decision on the s44 criteria, with reasons and its date."""
    _require_sar_rights(user)
    if decision not in SafeguardingAdultsReview.Decision.values:
        raise ValidationError({"decision": "Select the board's decision"})
    if not reasons.strip():
        raise ValidationError(
            {"decision_reasons": "Enter the reasons for the decision"}
        )
    _not_future(decided_on, "The date of the decision", "decided_on")
    if review.referred_on and decided_on < review.referred_on:
        raise ValidationError(
            {"decided_on": "The decision cannot be before the referral"}
        )
    if decision == SafeguardingAdultsReview.Decision.NOT_MET and review.commissioned_on:
        raise ValidationError(
            {
                "decision": "The review has been commissioned: its criteria were not 'not met'"
            }
        )
    return save_changes(
        user=user,
        instance=review,
        expected_version=expected_version,
        changes={
            "decision": decision,
            "decided_on": decided_on,
            "decision_reasons": reasons,
        },
        summary="Recorded the board's decision on a Safeguarding Adults Review",
    )


def check_commissioning(review: SafeguardingAdultsReview, changes: dict) -> None:
    """A review whose criteria were found not met is never commissioned."""
    if review.decision == SafeguardingAdultsReview.Decision.NOT_MET and (
        changes.get("commissioned_on") or changes.get("completed_on")
    ):
        raise ValidationError(
            {
                "commissioned_on": "The board decided the criteria were not met: "
                "record a new decision before commissioning the review"
            }
        )
    commissioned = changes.get("commissioned_on")
    if commissioned and review.decided_on and commissioned < review.decided_on:
        raise ValidationError(
            {"commissioned_on": "The review cannot be commissioned before the decision"}
        )


def add_individual(
    *, user, review: SafeguardingAdultsReview, person_pk: int, died: bool
) -> SarIndividual:
    """Add a person found by the search (only one the user may see), once."""
    _require_sar_rights(user)
    person = get_visible_or_404(user, Person.objects.all(), pk=person_pk)
    if review.individuals.filter(person=person).exists():
        raise ValidationError(f"{person.full_name} is already in this review")
    with transaction.atomic():
        individual = SarIndividual(review=review, person=person, died=died)
        individual.full_clean()
        individual.save()
        audit.record(
            actor=user,
            action="change",
            obj=review,
            person_ref=str(person.reference),
            summary="Added an individual to a Safeguarding Adults Review",
            changes={"individual": ["", "died" if died else "survived"]},
        )
    return individual


def add_recommendation(
    *,
    user,
    review: SafeguardingAdultsReview,
    text: str,
    owner: str,
    due_on: datetime.date,
) -> SarRecommendation:
    _require_sar_rights(user)
    if not review.commissioned_on:
        raise ValidationError(
            "Record when the review was commissioned before its recommendations"
        )
    with transaction.atomic():
        recommendation = SarRecommendation(
            review=review,
            text=text,
            owner=owner,
            due_on=due_on,
            created_by=user,
            updated_by=user,
        )
        recommendation.full_clean()
        recommendation.save()
        audit.record(
            actor=user,
            action="create",
            obj=review,
            summary=f"Added a recommendation for {owner}"[:255],
        )
    return recommendation


def complete_recommendation(
    *,
    user,
    recommendation: SarRecommendation,
    expected_version: int,
    done_on: datetime.date,
) -> SarRecommendation:
    _require_sar_rights(user)
    if recommendation.status == SarRecommendation.Status.DONE:
        raise ValidationError("This recommendation is already done")
    _not_future(done_on, "The date it was done", "done_on")
    commissioned = recommendation.review.commissioned_on
    if commissioned and done_on < commissioned:
        raise ValidationError(
            {
                "done_on": "The date it was done cannot be before the review was commissioned"
            }
        )
    return save_changes(
        user=user,
        instance=recommendation,
        expected_version=expected_version,
        changes={"status": SarRecommendation.Status.DONE, "done_on": done_on},
        summary="Marked a SAR recommendation done",
    )
