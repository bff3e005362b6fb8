"""Demo Safeguarding Adults Reviews for ``seed_demo``: one referral awaiting
the board, one the board found did not meet the criteria, and one
commissioned and completed with recommendations (one open, one done).
Made-up data only, written through the services in outcomes.sar."""

from __future__ import annotations

import datetime

from enquiries.models import Enquiry, SafeguardingAdultsReview
from outcomes import sac, sar


def create_demo_sars(*, staff: dict, out) -> None:
    lead = staff["lead"]
    if SafeguardingAdultsReview.objects.filter(referred_on__isnull=False).exists():
        return
    enquiries = list(
        Enquiry.objects.select_related("concern__person").order_by("pk")[:3]
    )
    if len(enquiries) < 3:
        return
    today = datetime.date.today()
    day = datetime.timedelta(days=1)
    waiting, declined, done = enquiries
    sar.refer(
        user=lead,
        person=waiting.concern.person,
        enquiry=waiting,
        title="Demo review: awaiting the board",
        referred_on=today - 7 * day,
        referred_by="Demo team manager",
        reason="Several agencies knew of the falls and missed medication; "
        "nobody brought them together.",
        died=False,
    )
    review = sar.refer(
        user=lead,
        person=declined.concern.person,
        enquiry=declined,
        title="Demo review: criteria not met",
        referred_on=today - 60 * day,
        referred_by="Demo GP practice",
        reason="Concern about how the hospital discharge was planned.",
        died=False,
    )
    sar.record_decision(
        user=lead,
        review=review,
        expected_version=review.version,
        decision=SafeguardingAdultsReview.Decision.NOT_MET,
        decided_on=today - 40 * day,
        reasons="Agencies worked well together; a single-agency learning review "
        "is recommended instead.",
    )
    review = sar.refer(
        user=lead,
        person=done.concern.person,
        enquiry=done,
        title="Demo review: Mr E",
        referred_on=today - 300 * day,
        referred_by="Demo police safeguarding unit",
        reason="Died after neglect at home; four agencies were involved.",
        died=True,
    )
    review = sar.record_decision(
        user=lead,
        review=review,
        expected_version=review.version,
        decision=SafeguardingAdultsReview.Decision.MET,
        decided_on=today - 280 * day,
        reasons="Condition 1 of section 44 is met.",
    )
    review = sac.update_review(
        user=lead,
        review=review,
        expected_version=review.version,
        changes={
            "reviewer": "Demo independent reviewer",
            "commissioned_on": today - 270 * day,
            "completed_on": today - 30 * day,
        },
    )
    sar.add_recommendation(
        user=lead,
        review=review,
        text="Share hospital discharge summaries with the GP within two days.",
        owner="Demo NHS trust",
        due_on=today + 60 * day,
    )
    second = sar.add_recommendation(
        user=lead,
        review=review,
        text="Train call handlers to pass on repeated welfare calls.",
        owner="Demo police",
        due_on=today - 5 * day,
    )
    sar.complete_recommendation(
        user=lead,
        recommendation=second,
        expected_version=second.version,
        done_on=today - 10 * day,
    )
    out.write("Demo Safeguarding Adults Reviews: 3 (referral, decision, completed)")
