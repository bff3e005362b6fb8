"""A PiPoT case from an enquiry: a practitioner on an enquiry whose alleged
source is a paid care worker opens a PiPoT case, records that the employer
was told and a DBS referral; a safeguarding lead finds it in the open PiPoT
cases and closes it with an outcome. Every PiPoT page is checked with axe."""

import datetime

from playwright.sync_api import expect

from enquiries.factories import EnquiryFactory, OrganisationFactory, RiskFactory
from enquiries.models import PipotCase

TODAY = datetime.date.today()


def test_pipot_case_opened_from_an_enquiry_and_closed_by_a_lead(
    live_server, sign_in, practitioner, lead, team, assert_accessible
):
    home = OrganisationFactory(name="Larchfield House", postcode="NE1 4XX")
    enquiry = EnquiryFactory(
        concern__person__team=team,
        concern__received_on=TODAY - datetime.timedelta(days=10),
        allocated_to=practitioner,
    )
    # The alleged source is paid staff at the adult's care home.
    RiskFactory(
        concern=enquiry.concern,
        enquiry=enquiry,
        risk_type="physical",
        location="care_home_residential",
        source="service_provider",
        source_organisation=home,
        source_person_name="Robin Ashdown",
    )
    page = sign_in(practitioner)
    page.goto(live_server.url + enquiry.get_absolute_url())
    expect(
        page.get_by_role("heading", name="Person in a position of trust")
    ).to_be_visible()
    page.get_by_role("link", name="Alleged source is in a position of trust").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Alleged source is in a position of trust"
    )
    assert_accessible(page)

    # Nothing typed: the errors, then the case opened.
    page.get_by_role("button", name="Open PiPoT case").click()
    expect(page.get_by_role("heading", name="There is a problem")).to_be_visible()
    expect(
        page.get_by_role("link", name="Enter the name of the person in a position")
    ).to_be_visible()
    assert_accessible(page)
    assert not PipotCase.objects.exists()
    page.get_by_label("Name of the person").fill("Robin Ashdown")
    page.get_by_label("Their role or job title").fill("Night care assistant")
    page.get_by_label("Paid member of staff").check()
    page.get_by_label("Employer or agency").select_option(
        label="Larchfield House (NE1 4XX) – Care home"
    )
    page.get_by_label("What is alleged").fill(
        "Rough handling during a night-time change of position"
    )
    page.get_by_label("Date the PiPoT case was opened").fill(TODAY.isoformat())
    page.get_by_role("button", name="Open PiPoT case").click()
    expect(page.get_by_text("PiPoT case opened")).to_be_visible()
    expect(page.get_by_role("heading", level=1)).to_have_text("Robin Ashdown")
    expect(page.get_by_text("Only safeguarding leads and the workers")).to_be_visible()
    assert_accessible(page)
    case = PipotCase.objects.get()
    assert case.enquiry == enquiry and case.employer == home
    assert list(case.named_workers.all()) == [practitioner]

    # The employer is told, and what they did.
    page.get_by_role(
        "link", name="Change the case, the employer's notification or actions"
    ).click()
    assert_accessible(page)
    page.get_by_label("Date the employer was told").fill(TODAY.isoformat())
    page.get_by_label(
        "What the employer has done (suspension, investigation, disciplinary)"
    ).fill("Suspended on full pay pending the home's investigation")
    page.get_by_role("button", name="Save changes").click()
    expect(page.get_by_text("PiPoT case changed")).to_be_visible()
    expect(page.get_by_text("Suspended on full pay")).to_be_visible()

    # A referral to the DBS.
    page.get_by_role("link", name="Record a referral (DBS, regulator, police)").click()
    assert_accessible(page)
    page.get_by_label("Disclosure and Barring Service (DBS)").check()
    page.get_by_label("Date referred").fill(TODAY.isoformat())
    page.get_by_role("button", name="Save referral").click()
    expect(page.get_by_text("Referral recorded")).to_be_visible()
    referrals = page.get_by_role("table")
    expect(referrals).to_contain_text("Disclosure and Barring Service (DBS)")
    expect(referrals).to_contain_text("Awaited")
    assert_accessible(page)

    # The adult's enquiry page links to the case for the named worker.
    page.goto(live_server.url + enquiry.get_absolute_url())
    expect(
        page.get_by_role(
            "link",
            name="PiPoT case: Robin Ashdown, Night care assistant (Larchfield House)",
        )
    ).to_be_visible()

    # A safeguarding lead sees it among the open cases and closes it with
    # an outcome.
    page = sign_in(lead)
    page.goto(live_server.url + "/")
    page.get_by_role("link", name="PiPoT cases").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Open PiPoT cases")
    row = page.get_by_role("row", name="Robin Ashdown")
    expect(row).to_contain_text("Night care assistant (Paid member of staff)")
    expect(row).to_contain_text("Larchfield House")
    expect(row).not_to_contain_text("Not yet")  # the employer was told
    assert_accessible(page)
    page.get_by_role("link", name="Robin Ashdown").click()
    page.get_by_role("link", name="Close the PiPoT case").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Close the PiPoT case")
    assert_accessible(page)
    page.get_by_role("button", name="Close PiPoT case").click()
    expect(
        page.get_by_role("link", name="Select the outcome before closing")
    ).to_be_visible()
    assert_accessible(page)
    assert PipotCase.objects.get().is_open
    page.get_by_label("Substantiated", exact=True).check()
    page.get_by_label("Date of the outcome").fill(TODAY.isoformat())
    page.get_by_label("About the outcome (optional)").fill(
        "The home dismissed the worker after its investigation"
    )
    page.get_by_role("button", name="Close PiPoT case").click()
    expect(page.get_by_text("PiPoT case closed")).to_be_visible()
    expect(page.get_by_text("Closed", exact=True)).to_be_visible()
    expect(page.get_by_text("The home dismissed the worker")).to_be_visible()
    expect(page.get_by_role("link", name="Close the PiPoT case")).to_have_count(0)
    assert_accessible(page)
    page.get_by_role("link", name="Back").click()
    expect(
        page.get_by_text("There are no open PiPoT cases you can see.")
    ).to_be_visible()
    case.refresh_from_db()
    assert (case.status, case.outcome, case.closed_by) == (
        "closed",
        "substantiated",
        lead,
    )
