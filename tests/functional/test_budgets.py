"""A practitioner sets up a direct payment; a concern about the PA triggers a
review that the manager then sees in the due list."""

import re

from playwright.sync_api import expect

from enquiries.factories import ConcernFactory, PersonFactory


def test_direct_payment_review_triggered_by_concern_about_pa(
    page, live_server, sign_in, practitioner, manager, team, assert_accessible
):
    person = PersonFactory(team=team, given_name="Iris", family_name="Penrose")
    sign_in(practitioner)

    page.goto(f"{live_server.url}/budgets/person/{person.reference}/")
    expect(
        page.get_by_role("heading", name="Personal budgets and direct payments")
    ).to_be_visible()
    assert_accessible(page)

    page.get_by_role("link", name="Record a personal budget").click()
    page.get_by_label("Care and support plan reference").fill("CSP-2001")
    page.get_by_label("Start date").fill("2025-04-01")
    page.get_by_label("Total cost of meeting needs (£)").fill("15600.00")
    page.get_by_label("The person's assessed contribution").fill("20000.00")
    page.get_by_label("Direct payment", exact=True).check()
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("heading", name="There is a problem")).to_be_visible()
    assert_accessible(page)
    page.get_by_label("The person's assessed contribution").fill("2600.00")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("£13000.00")).to_be_visible()
    assert_accessible(page)

    page.get_by_role("link", name="Set up a direct payment").click()
    page.get_by_label("Section 31: the adult, who has capacity").check()
    page.get_by_label("Prepaid card").check()
    page.get_by_label("Amount (£)").fill("300.00")
    page.get_by_label("Weekly").check()
    page.get_by_label("Start date").fill("2025-05-01")
    page.get_by_label("Date of the first payment").fill("2025-05-02")
    page.get_by_label("What the person wants to be able to do").fill(
        "Choose my own personal assistant and visit my sister on Saturdays."
    )
    assert_accessible(page)
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("heading", name="Direct payment Active")).to_be_visible()
    expect(
        page.get_by_text("2 statutory conditions and 0 local conditions")
    ).to_be_visible()
    assert_accessible(page)

    page.get_by_role("link", name="Add a local condition").click()
    page.get_by_label(
        "Keep records and receipts of what the payment is spent on"
    ).check()
    page.get_by_label("What risk this condition answers").fill(
        "Last year's payments could not be accounted for."
    )
    page.get_by_label("Why nothing less restrictive would do").fill(
        "Bank statements alone did not show what was bought."
    )
    page.get_by_label("Yes, they agreed").check()
    page.get_by_label("The person's view, in their own words").fill("That's fair.")
    page.get_by_label("Review date").fill("2025-11-02")
    assert_accessible(page)
    page.get_by_role("button", name="Add condition").click()
    expect(
        page.get_by_text("2 statutory conditions and 1 local condition")
    ).to_be_visible()

    ConcernFactory(
        person=person,
        team=team,
        summary="Personal assistant seen using the payment card for themselves.",
    )
    page.get_by_role("link", name="Link a safeguarding concern").click()
    page.get_by_label(re.compile("Personal assistant seen using")).check()
    page.get_by_label("Personal assistant is the source of risk").check()
    assert_accessible(page)
    page.get_by_role("button", name="Link concern").click()
    expect(page.get_by_text("A review of the payment is now due")).to_be_visible()
    expect(page.get_by_text("Triggered review: safeguarding concern")).to_be_visible()
    assert_accessible(page)

    sign_in(manager)
    page.goto(live_server.url + "/budgets/manage/")
    assert_accessible(page)
    page.get_by_role("link", name="Reviews due and overdue").click()
    row = page.get_by_role("row", name=re.compile("Iris Penrose"))
    expect(row.filter(has_text="Safeguarding concern")).to_be_visible()
    assert_accessible(page)
