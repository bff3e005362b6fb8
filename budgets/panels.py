"""What budgets adds to the person and enquiry pages (registered in
BudgetsConfig.ready())."""

from __future__ import annotations

from django.template.loader import render_to_string

from budgets.selectors import links_for_concern, links_for_person


def person_panel(user, person) -> str:
    """The person's budgets link and their direct payments linked to concerns."""
    return render_to_string(
        "budgets/_person_panel.html",
        {
            "person": person,
            "direct_payment_links": list(links_for_person(user, person)),
        },
    )


def enquiry_panel(user, enquiry) -> str:
    """Direct payments linked to the enquiry's concern, and a link to add one."""
    return render_to_string(
        "budgets/_enquiry_panel.html",
        {
            "enquiry": enquiry,
            "direct_payment_links": list(links_for_concern(user, enquiry.concern)),
        },
    )
