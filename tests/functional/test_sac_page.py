"""A team manager opens the SAC return, picks a year and sees the tables."""

import datetime

from playwright.sync_api import expect

from enquiries.factories import EnquiryFactory


def test_manager_opens_the_sac_return(
    sign_in, live_server, manager, team, assert_accessible
):
    incomplete = EnquiryFactory(
        concluded=True,
        lacked_capacity="",
        concern__person__team=team,
        concern__person__date_of_birth=datetime.date(1950, 1, 1),
        concern__received_on=datetime.date(2024, 5, 1),
        started_on=datetime.date(2024, 5, 2),
        concluded_on=datetime.date(2024, 8, 1),
    )
    page = sign_in(manager)
    page.goto(live_server.url + "/")
    page.get_by_role("link", name="SAC return").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("SAC return for")
    page.get_by_label("Financial year").select_option("2024-25")
    page.get_by_role("button", name="Show the return").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "SAC return for 1 April 2024 to 31 March 2025"
    )
    sg3a = page.locator("#table-SG3a")
    expect(sg3a.get_by_role("row", name="Not recorded")).to_contain_text("1")
    expect(page.locator("#table-SG1f")).to_contain_text(
        "Total Number of Section 42 Safeguarding Enquiries"
    )
    # Listed under "no answer about mental capacity" and "no recorded risk".
    links = page.get_by_role(
        "link",
        name=f"{incomplete.concern.person.full_name}: Section 42 enquiry "
        "concluded 1 August 2024",
    )
    expect(links).to_have_count(2)
    expect(links.first).to_have_attribute("href", incomplete.get_absolute_url())
    assert_accessible(page)
