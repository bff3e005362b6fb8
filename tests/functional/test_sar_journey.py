"""A team manager takes a Safeguarding Adults Review from the referral on
an enquiry to its recommendations, adding a second adult by searching."""

from playwright.sync_api import expect

from enquiries.factories import EnquiryFactory, PersonFactory


def test_manager_takes_a_sar_from_referral_to_recommendations(
    sign_in, live_server, manager, team, assert_accessible
):
    enquiry = EnquiryFactory(concern__person__team=team)
    other = PersonFactory(team=team, given_name="Iris", family_name="Quenby")
    page = sign_in(manager)
    page.goto(live_server.url + enquiry.get_absolute_url())
    page.get_by_role(
        "link", name="Refer this enquiry for a Safeguarding Adults Review"
    ).click()
    page.get_by_label("Title for the review").fill("Review of Mr P")
    page.get_by_label("Date of the referral").fill("2024-04-10")
    page.get_by_label("Who is referring").fill("Sam Green, team manager")
    page.get_by_label("Why the case is referred").fill(
        "Four agencies knew of the neglect and did not share it"
    )
    page.get_by_label("Yes, they died").check()
    assert_accessible(page)
    page.get_by_role("button", name="Make the referral").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Review of Mr P")
    expect(page.get_by_text("Four agencies knew of the neglect")).to_be_visible()

    page.get_by_role("link", name="Record the board's decision").click()
    page.get_by_label("Criteria met").check()
    page.get_by_label("Date of the decision").fill("2024-05-01")
    page.get_by_label("Reasons").fill("Condition 1 is met")
    page.get_by_role("button", name="Save the decision").click()
    expect(page.get_by_text("Condition 1 is met")).to_be_visible()

    page.get_by_role("link", name="Change the title, reviewer and dates").click()
    page.get_by_label("Reviewer (optional)").fill("Alex Reviewer")
    page.get_by_label("Date commissioned (optional)").fill("2024-06-01")
    page.get_by_label("Date completed (optional)").fill("2024-12-01")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("counts in the 2024-25 return")).to_be_visible()

    page.get_by_role("link", name="Add a recommendation").click()
    page.get_by_label("Recommendation").fill("Share discharge notes with the GP")
    page.get_by_label("Owner").fill("NHS trust")
    page.get_by_label("Due date").fill("2025-03-01")
    page.get_by_role("button", name="Add the recommendation").click()
    page.get_by_role("link", name="Mark as done").click()
    page.get_by_label("Date it was done").fill("2025-02-01")
    page.get_by_role("button", name="Mark as done").click()
    expect(page.get_by_text("Done 1 February 2025")).to_be_visible()

    page.get_by_label("Search by name").fill("Quenby")
    page.get_by_role("button", name="Search").click()
    page.get_by_label(other.full_name).check()
    page.get_by_label("No, they survived serious harm").check()
    page.get_by_role("button", name="Add individual").click()
    expect(page.get_by_text("1 died, 1 survived serious harm.")).to_be_visible()
    expect(page.get_by_role("link", name=other.full_name)).to_be_visible()
    assert_accessible(page)

    # The review is reachable from the adult's page.
    page.goto(live_server.url + enquiry.concern.person.get_absolute_url())
    expect(page.get_by_role("link", name="Review of Mr P")).to_be_visible()
