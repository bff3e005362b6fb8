"""The manager's closure review: everything recorded on an enquiry, at a glance.

The caller has already fetched the enquiry through ``get_visible_or_404``;
every read here is of that enquiry's own records.
"""

from __future__ import annotations

from typing import Any

from enquiries.codes import Stage
from enquiries.models import (
    CausedEnquiry,
    Enquiry,
    Meeting,
    PlanAction,
    PlanReview,
    Risk,
)
from enquiries.selectors.voice import enquiry_views


def closure_review(enquiry: Enquiry) -> dict[str, Any]:
    """The enquiry's views by stage, meetings, caused enquiries, risks, plan
    actions, reviews and closure checklist (one query each)."""
    views = list(enquiry_views(enquiry))
    return {
        "views_by_stage": [
            (label, [v for v in views if v.stage == value])
            for value, label in Stage.choices
            if any(v.stage == value for v in views)
        ],
        "meetings": list(Meeting.objects.filter(enquiry=enquiry)),
        "caused": list(
            CausedEnquiry.objects.filter(enquiry=enquiry).select_related("organisation")
        ),
        "risks": list(Risk.objects.filter(enquiry=enquiry)),
        "actions": list(
            PlanAction.objects.filter(enquiry=enquiry).prefetch_related(
                "desired_outcomes"
            )
        ),
        "reviews": list(PlanReview.objects.filter(enquiry=enquiry)),
        "checklist": [
            (label, bool(enquiry.closure_checklist.get(key)))
            for key, label in Enquiry.CLOSURE_CHECKLIST
        ],
    }
