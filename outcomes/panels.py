"""What outcomes adds to the enquiry pages (registered in OutcomesConfig.ready())."""

from __future__ import annotations

from django.template.loader import render_to_string

from msp.roles import has_role_perm
from outcomes import msp


def msp_asked_panel(user, enquiry) -> str:
    """SG4a part 1 (derived or typed) and the link to check or change it."""
    return render_to_string(
        "outcomes/_msp_asked.html",
        {
            "enquiry": enquiry,
            "msp_asked_label": msp.msp_asked_label(enquiry),
            "msp_asked_derived": msp.is_derived(enquiry),
        },
    )


def enquiry_panel(user, enquiry) -> str:
    """Links to evaluate the desired outcomes and record feedback."""
    return render_to_string(
        "outcomes/_enquiry_panel.html",
        {"enquiry": enquiry, "msp_asked": msp_asked_panel(user, enquiry)},
    )


def closure_panel(user, enquiry) -> str | None:
    """At closure, a link to evaluate the outcomes while the enquiry is open."""
    if not enquiry.is_open:
        return None
    return render_to_string(
        "outcomes/_closure_panel.html",
        {"enquiry": enquiry, "person": enquiry.concern.person},
    )


def _reviews_about(person_id: int):
    from enquiries.models import SafeguardingAdultsReview, SarIndividual

    ids = SarIndividual.objects.filter(person_id=person_id).values("review_id")
    return list(
        SafeguardingAdultsReview.objects.filter(pk__in=ids).order_by("-created_at")[:20]
    )


def sar_person_panel(user, person) -> str | None:
    """The SARs naming the adult, and a link to refer: for users with
    ``view_reports`` only (SARs are board business; outcomes.sar)."""
    if not has_role_perm(user, "view_reports"):
        return None
    return render_to_string(
        "outcomes/_sar_panel.html",
        {
            "reviews": _reviews_about(person.pk),
            "person": person,
            "enquiry": None,
            "can_refer": has_role_perm(user, "manage_cases"),
        },
    )


def sar_enquiry_panel(user, enquiry) -> str | None:
    if not has_role_perm(user, "view_reports"):
        return None
    person = enquiry.concern.person
    return render_to_string(
        "outcomes/_sar_panel.html",
        {
            "reviews": _reviews_about(person.pk),
            "person": person,
            "enquiry": enquiry,
            "can_refer": has_role_perm(user, "manage_cases"),
        },
    )
