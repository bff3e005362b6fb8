"""A practitioner asks a police force (added to the directory on the spot) to
make enquiries, records their response and the information shared, and
closes the request. Every page visited is checked with axe."""

import datetime
import re

from playwright.sync_api import expect

from enquiries.factories import EnquiryFactory
from enquiries.models import (
    CausedEnquiry,
    InformationShare,
    InvolvedAgency,
    Organisation,
)

TODAY = datetime.date.today()


def test_police_asked_to_make_enquiries_response_share_and_close(
    live_server, sign_in, practitioner, team, assert_accessible
):
    enquiry = EnquiryFactory(
        status="planning",
        concern__person__team=team,
        concern__received_on=TODAY - datetime.timedelta(days=20),
        allocated_to=practitioner,
    )
    page = sign_in(practitioner)
    page.goto(live_server.url + enquiry.get_absolute_url())
    expect(
        page.get_by_role("heading", name="Partners and information sharing")
    ).to_be_visible()
    page.get_by_role("link", name="Partners and information sharing").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Partners and information sharing"
    )
    assert_accessible(page)

    # Ask the police: they are not in the directory yet, so add them.
    page.get_by_role("link", name="Ask an organisation to make enquiries").click()
    assert_accessible(page)
    page.get_by_role("link", name="Add an organisation to the directory").click()
    expect(
        page.get_by_role("heading", name="Add an organisation to the directory")
    ).to_be_visible()
    assert_accessible(page)
    page.get_by_role("button", name="Add to the directory").click()
    expect(page.get_by_role("heading", name="There is a problem")).to_be_visible()
    assert_accessible(page)  # the error state
    page.get_by_label("Name of the organisation").fill("Northshire Police")
    page.get_by_label("Kind of organisation").select_option(label="Police")
    page.get_by_label("Postcode").fill("NN1 1AA")
    page.get_by_role("button", name="Add to the directory").click()
    expect(
        page.get_by_text("Northshire Police (NN1 1AA) added to the directory")
    ).to_be_visible()
    expect(page.get_by_label("Organisation asked to make enquiries")).to_have_value(
        str(Organisation.objects.get(name="Northshire Police").pk)
    )
    page.get_by_label("What they are asked to do or find out").fill(
        "Speak to the adult's son about the bruising and say if a crime is investigated"
    )
    page.get_by_label("Working days they have to respond").fill("10")
    page.get_by_role("button", name="Save request").click()
    expect(
        page.get_by_text(
            re.compile(r"Request to Northshire Police recorded: response due")
        )
    ).to_be_visible()
    request = CausedEnquiry.objects.get(enquiry=enquiry)
    assert request.working_days == 10 and request.due_on > TODAY
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Partners and information sharing"
    )
    assert_accessible(page)

    # Named as involved: typing the force again finds it, and it is picked.
    page.get_by_role("link", name="Add an involved agency or professional").click()
    page.get_by_role("link", name="Add an organisation to the directory").click()
    page.get_by_label("Name of the organisation").fill("northshire  POLICE")
    page.get_by_label("Kind of organisation").select_option(label="Police")
    page.get_by_label("Postcode").fill("nn11aa")
    page.get_by_role("button", name="Add to the directory").click()
    expect(page.get_by_text("This organisation may already be listed")).to_be_visible()
    assert_accessible(page)
    page.get_by_role("link", name="Use Northshire Police (NN1 1AA)").click()
    assert Organisation.objects.filter(name__iexact="northshire police").count() == 1
    page.get_by_label("Police", exact=True).check()
    page.get_by_label("Named contact").fill("DC Amy Hart")
    page.get_by_role("button", name="Save agency").click()
    expect(page.get_by_text("Agency added")).to_be_visible()
    assert InvolvedAgency.objects.get().named_contact == "DC Amy Hart"

    # Their response.
    page.get_by_role("link", name="Record the response from Northshire Police").click()
    assert_accessible(page)
    page.get_by_label("Date the response was received").fill(TODAY.isoformat())
    page.get_by_label("Summary of their response").fill(
        "Son interviewed; no further police action. Advice given."
    )
    page.locator("#id_council_satisfied_1").check()
    page.get_by_role("button", name="Save response").click()
    expect(
        page.get_by_text("Son interviewed; no further police action.")
    ).to_be_visible()

    # The information shared with them.
    page.get_by_role("link", name="Record information shared or received").click()
    assert_accessible(page)
    page.get_by_label("Shared by us with the organisation").check()
    page.get_by_label("With which organisation").select_option(
        label="Northshire Police (NN1 1AA) – Police"
    )
    page.get_by_label("Date it was shared").fill(TODAY.isoformat())
    page.get_by_label("What was shared").fill(
        "The concern, the bruising seen, the son's name"
    )
    page.get_by_label("Why it was shared").fill("To ask the police to make enquiries")
    page.get_by_label("Prevention or detection of crime").check()
    page.get_by_label("UK GDPR Art 6(1)(e): public task").check()
    page.get_by_label(re.compile(r"Art 10 with DPA 2018 Sch 1 para 10")).check()
    page.get_by_label("The adult consented").check()
    page.get_by_label("Yes", exact=True).check()
    page.get_by_role("button", name="Save the share").click()
    expect(page.get_by_text("Information share recorded")).to_be_visible()
    expect(
        page.get_by_role("heading", name=re.compile("Shared with Northshire Police"))
    ).to_be_visible()
    share = InformationShare.objects.get()
    assert (share.lawful_basis, share.consent) == ("crime_prevention", "consented")
    assert_accessible(page)

    # Close the request.
    page.get_by_role("link", name="Close the request to Northshire Police").click()
    assert_accessible(page)
    page.get_by_role("button", name="Close the request").click()
    expect(page.get_by_text("Request to Northshire Police closed")).to_be_visible()
    request.refresh_from_db()
    assert request.closed_on == TODAY and not request.is_outstanding
    assert_accessible(page)
