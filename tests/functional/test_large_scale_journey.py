"""A large-scale enquiry about a care home, concluded and closed with three
linked adults, each still counted in SG1 and SG2 of the SAC return.

A team manager starts it, links the three adults' enquiries the picker
offers (their risks name the home; a fourth adult's does not, and is not
offered), records a meeting and an action, finds the open action blocks
sign-off, marks it done, concludes, signs off and closes, then opens the SAC
return. Every large-scale enquiry page is checked with axe."""

import datetime

from playwright.sync_api import expect

from enquiries.factories import EnquiryFactory, OrganisationFactory, RiskFactory
from enquiries.models import (
    Enquiry,
    InvolvedAgency,
    OrganisationalAction,
    OrganisationalEnquiry,
)

RECEIVED = datetime.date(2024, 6, 1)


def _adult_naming(provider, team, given_name):
    """An adult's section 42 enquiry (outcome recorded, still open) whose
    risk names ``provider`` as the source of the harm."""
    enquiry = EnquiryFactory(
        concluded=True,
        status="outcome_recorded",
        closure_reason="",
        adult_view_on_closure="",
        concern__person__team=team,
        concern__person__given_name=given_name,
        concern__person__family_name="Meadows",
        concern__received_on=RECEIVED,
        started_on=RECEIVED + datetime.timedelta(days=1),
    )
    RiskFactory(
        concern=enquiry.concern,
        enquiry=enquiry,
        risk_type="organisational",
        location="care_home_nursing",
        source="service_provider",
        source_organisation=provider,
    )
    return enquiry


def _summary(page, key):
    """The value beside ``key`` in the page's summary list."""
    return page.locator(".govuk-summary-list__row").filter(
        has=page.locator("dt", has_text=key)
    )


def _cell(page, table, row):
    """The total (last) cell of a row in one SAC table."""
    return (
        page.locator(f"#table-{table}").get_by_role("row", name=row).locator("td").last
    )


def test_large_scale_enquiry_closed_with_three_adults_counted_in_the_sac(
    live_server, sign_in, manager, team, assert_accessible
):
    home = OrganisationFactory(name="Meadow View Care Home", postcode="NN2 2BB")
    adults = [_adult_naming(home, team, name) for name in ("Ada", "Bea", "Cy")]
    elsewhere = EnquiryFactory(
        concern__person__team=team,
        concern__person__given_name="Dot",
        concern__person__family_name="Elsewhere",
    )
    RiskFactory(concern=elsewhere.concern, enquiry=elsewhere)  # a known person
    InvolvedAgency.objects.create(
        concern=adults[0].concern,
        enquiry=adults[0],
        organisation=OrganisationFactory(name="Northshire Police"),
        role="police",
        named_contact="DC Rahman",
    )

    page = sign_in(manager)
    page.goto(live_server.url + "/")
    page.get_by_role("link", name="Large-scale enquiries about providers").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Large-scale enquiries")
    assert_accessible(page)
    page.get_by_role("link", name="Start a large-scale enquiry").click()
    assert_accessible(page)
    page.get_by_label("Provider", exact=True).select_option(
        label="Meadow View Care Home"
    )
    page.get_by_label("Team", exact=True).select_option(label=str(team))
    page.get_by_label("What prompted it").fill(
        "Three concerns in a month about night staffing"
    )
    page.get_by_label("Date started").fill("2024-06-10")
    page.get_by_label("No", exact=True).check()
    page.get_by_role("button", name="Start large-scale enquiry").click()
    expect(page.get_by_text("Large-scale enquiry started")).to_be_visible()
    expect(page.get_by_role("heading", level=1)).to_have_text("Meadow View Care Home")
    assert_accessible(page)
    org = OrganisationalEnquiry.objects.get()

    # The picker offers the three adults whose risks name the home, not Dot.
    picker = page.get_by_label("Enquiry to link")
    offered = picker.locator("option").all_inner_texts()
    assert sorted(o.split(" – ")[0] for o in offered if "Meadows" in o) == [
        "Ada Meadows",
        "Bea Meadows",
        "Cy Meadows",
    ]
    assert not any("Elsewhere" in o for o in offered)
    for name in ("Ada", "Bea", "Cy"):
        page.get_by_label("Enquiry to link").select_option(
            label=f"{name} Meadows – Section 42 enquiry started 2 June 2024"
        )
        page.get_by_role("button", name="Link enquiry").click()
        expect(page.get_by_text("Enquiry linked")).to_be_visible()
    linked = page.get_by_role("table").filter(has_text="Ada Meadows")
    for name in ("Ada", "Bea", "Cy"):
        expect(linked.get_by_role("link", name=f"{name} Meadows")).to_be_visible()
    assert Enquiry.objects.filter(organisational_enquiry=org).count() == 3
    expect(page.get_by_role("button", name="Unlink Ada Meadows")).to_be_visible()
    assert_accessible(page)

    # A meeting: the police involved in Ada's case, and the CQC inspector.
    page.get_by_role("link", name="Record a meeting").click()
    assert_accessible(page)
    page.get_by_label("Date of the meeting").fill("2024-07-01")
    page.get_by_label("Northshire Police – DC Rahman").check()
    page.get_by_label("Other attendees").fill("CQC inspector, Jo Bell")
    page.get_by_label("Summary of the minutes").fill(
        "Agreed daily visits and a review of every resident's care plan"
    )
    page.get_by_role("button", name="Record meeting").click()
    expect(page.get_by_text("Meeting recorded")).to_be_visible()
    expect(page.get_by_text("Agreed daily visits")).to_be_visible()
    expect(page.get_by_text("Northshire Police (DC Rahman)")).to_be_visible()

    # An action, still open when the manager tries to sign off.
    page.get_by_role("link", name="Add an action").click()
    assert_accessible(page)
    page.get_by_label("Action", exact=True).fill("Review every resident's care plan")
    page.get_by_label("Who owns it").fill("Sam Reid")
    page.get_by_label("Due by").fill("2024-08-01")
    page.get_by_role("button", name="Add action").click()
    expect(page.get_by_text("Action added")).to_be_visible()
    actions = page.get_by_role("table").filter(has_text="Sam Reid")
    expect(actions.get_by_role("row", name="Sam Reid")).to_contain_text("Open")

    page.get_by_role("link", name="Record the conclusion").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Conclude the large-scale enquiry"
    )
    assert_accessible(page)
    page.get_by_label("Date it concluded").fill("2024-09-30")
    page.get_by_label("Summary of the findings").fill(
        "Night staffing fell below safe levels; the home has recruited"
    )
    page.get_by_role("button", name="Record the conclusion").click()
    expect(
        page.get_by_text("Conclusion recorded: a manager can now sign it off")
    ).to_be_visible()
    page.get_by_role("link", name="Sign off and close").click()
    assert_accessible(page)
    page.get_by_role("button", name="Sign off and close").click()
    expect(
        page.get_by_text("Mark every action done or cancelled before signing it off.")
    ).to_be_visible()
    assert_accessible(page)
    org.refresh_from_db()
    assert org.status == "concluded"

    # The action is done; now it can be signed off.
    page.goto(live_server.url + org.get_absolute_url())
    page.get_by_role("link", name="Update Review every resident's care plan").click()
    assert_accessible(page)
    page.get_by_label("Done", exact=True).check()
    page.get_by_label("Progress note").fill("All 24 care plans reviewed")
    page.get_by_role("button", name="Save action").click()
    expect(page.get_by_text("Action updated")).to_be_visible()
    assert OrganisationalAction.objects.get().status == "done"
    page.get_by_role("link", name="Sign off and close").click()
    expect(page.get_by_text("Night staffing fell below safe levels")).to_be_visible()
    page.get_by_role("button", name="Sign off and close").click()
    expect(
        page.get_by_text("Large-scale enquiry signed off and closed")
    ).to_be_visible()
    expect(_summary(page, "Status")).to_contain_text("Closed")
    expect(_summary(page, "Signed off and closed")).to_contain_text(str(manager))
    expect(page.get_by_role("link", name="Record a meeting")).to_have_count(0)
    expect(page.get_by_role("link", name="Add an action")).to_have_count(0)
    expect(page.get_by_role("button", name="Unlink Ada Meadows")).to_have_count(0)
    assert_accessible(page)
    org.refresh_from_db()
    assert (org.status, org.signed_off_by) == ("closed", manager)

    # The SAC return counts each of the three adults.
    page.goto(live_server.url + "/")
    page.get_by_role("link", name="SAC return").click()
    page.get_by_label("Financial year").select_option("2024-25")
    page.get_by_role("button", name="Show the return").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "SAC return for 1 April 2024 to 31 March 2025"
    )
    expect(
        _cell(page, "SG1f", "Total Number of Section 42 Safeguarding Enquiries")
    ).to_have_text("3")
    expect(_cell(page, "SG2b", "Care Home - Nursing")).to_have_text("3")
    assert_accessible(page)
