"""A second save after an edit conflict never reverts a colleague's work.

A and B open the same record; B saves; A saves and is shown the conflict. The
re-shown form holds B's answers where only B changed them, A's where only A
did, and asks A to choose where both did. Saving that page again keeps both
people's work (decision 0017).
"""

from decimal import Decimal

import pytest
from django.urls import reverse

from budgets import services as budget_services
from enquiries.factories import EnquiryFactory
from enquiries.models import Enquiry
from enquiries.services import enquiry as services_enquiry
from msp.editing import CONFLICT_MESSAGE
from tests.integration.budgets.conftest import budget, payment, person  # noqa: F401
from tests.page_forms import form_values, one

pytestmark = pytest.mark.django_db
MESSAGE_START = "Someone else saved this record while you were editing it."


def _post(client, url, values, **changes):
    data = {
        name: items for name, items in values.items() if name != "csrfmiddlewaretoken"
    }
    data.update({name: [value] for name, value in changes.items()})
    return client.post(url, data)


def _b_saves_findings_after_a_opened(client, practitioner, other_practitioner, team):
    """A opens the findings page; B then saves different findings."""
    enquiry = EnquiryFactory(
        status="in_progress", concern__person__team=team, findings="First findings"
    )
    url = reverse("enquiries:enquiry_findings", args=[enquiry.reference])
    client.force_login(practitioner)
    shown = form_values(client.get(url).content.decode())
    services_enquiry.record_findings(
        user=other_practitioner,
        enquiry=Enquiry.objects.get(pk=enquiry.pk),
        expected_version=enquiry.version,
        data={"findings": "B's findings"},
    )
    return enquiry, url, shown


def test_findings_second_save_keeps_the_colleagues_evidence(
    client, practitioner, other_practitioner, team
):
    enquiry = EnquiryFactory(
        status="in_progress",
        concern__person__team=team,
        allocated_to=practitioner,
        findings="First findings",
        spoken_to="",
        evidence_notes="",
    )
    url = reverse("enquiries:enquiry_findings", args=[enquiry.reference])
    client.force_login(practitioner)
    shown = form_values(client.get(url).content.decode())  # A opens the page
    # B saves first: new evidence notes, and different findings.
    services_enquiry.record_findings(
        user=other_practitioner,
        enquiry=Enquiry.objects.get(pk=enquiry.pk),
        expected_version=enquiry.version,
        data={"evidence_notes": "B's evidence notes", "findings": "B's findings"},
    )
    # A changes who was spoken to, and the findings too.
    first = _post(
        client, url, shown, spoken_to="The care home manager", findings="A's findings"
    )
    html = first.content.decode()
    assert first.status_code == 200
    assert html.count(MESSAGE_START) == 1  # once, in the error summary
    page = form_values(html)
    assert one(page, "evidence_notes") == "B's evidence notes"  # only B changed it
    assert one(page, "spoken_to") == "The care home manager"  # only A changed it
    assert one(page, "findings") == "A's findings"  # what A typed is kept
    assert "Your answer: A&#x27;s findings" in html
    assert "Their answer: B&#x27;s findings" in html
    assert one(page, "version") == str(enquiry.version + 1)

    # Saving again without choosing is refused and changes nothing.
    second = _post(client, url, page)
    assert second.status_code == 200
    assert "Choose which answer to keep for What the enquiry found" in (
        second.content.decode()
    )
    saved = Enquiry.objects.get(pk=enquiry.pk)
    assert saved.spoken_to == "" and saved.findings == "B's findings"

    # A chooses B's findings: everything both people wrote is kept.
    third = _post(
        client, url, form_values(second.content.decode()), keep__findings="theirs"
    )
    assert third.status_code == 302
    saved = Enquiry.objects.get(pk=enquiry.pk)
    assert saved.evidence_notes == "B's evidence notes"
    assert saved.spoken_to == "The care home manager"
    assert saved.findings == "B's findings"
    assert saved.version == enquiry.version + 2


def test_choosing_your_own_answer_keeps_it(
    client, practitioner, other_practitioner, team
):
    enquiry, url, shown = _b_saves_findings_after_a_opened(
        client, practitioner, other_practitioner, team
    )
    first = _post(client, url, shown, findings="A's findings")
    again = _post(
        client, url, form_values(first.content.decode()), keep__findings="mine"
    )
    assert again.status_code == 302
    assert Enquiry.objects.get(pk=enquiry.pk).findings == "A's findings"


def test_direct_payment_second_save_keeps_the_colleagues_change(
    client,
    practitioner,
    manager,
    payment,  # noqa: F811 (fixture)
):
    url = reverse("budgets:dp_edit", args=[payment.reference])
    client.force_login(practitioner)
    shown = form_values(client.get(url).content.decode())
    budget_services.change_direct_payment(
        user=manager,
        payment=payment,
        expected_version=payment.version,
        changes={"person_wants": "Swimming on Thursdays now"},
    )
    first = _post(client, url, shown, amount="275.00")
    html = first.content.decode()
    assert html.count(MESSAGE_START) == 1
    page = form_values(html)
    assert one(page, "person_wants") == "Swimming on Thursdays now"
    assert one(page, "amount") == "275.00"
    assert "keep__" not in html  # nothing both changed: no choice to make
    second = _post(client, url, page)
    assert second.status_code == 302
    payment.refresh_from_db()
    assert payment.person_wants == "Swimming on Thursdays now"
    assert payment.amount == Decimal("275.00")


def test_a_forged_copy_of_what_was_shown_is_ignored(
    client, practitioner, other_practitioner, team
):
    """A tampered snapshot cannot make A's stale answers look untouched."""
    enquiry, url, shown = _b_saves_findings_after_a_opened(
        client, practitioner, other_practitioner, team
    )
    first = _post(client, url, shown, findings="A's findings", base="forged")
    html = first.content.decode()
    assert CONFLICT_MESSAGE.split(".")[0] in html
    assert "Their answer: B&#x27;s findings" in html  # asked, not overwritten
    assert Enquiry.objects.get(pk=enquiry.pk).findings == "B's findings"
