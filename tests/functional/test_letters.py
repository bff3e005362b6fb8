"""A practitioner produces the easy-read safeguarding plan for the adult from
the enquiry page, records it as handed over and downloads the PDF. Every page
visited is checked with axe."""

import datetime
import re

from playwright.sync_api import expect

from enquiries.factories import DesiredOutcomeFactory, EnquiryFactory
from enquiries.models import PlanAction
from enquiries.models.letters import Letter
from enquiries.services import letters as letter_services
from msp.models import AuditEvent

TODAY = datetime.date.today()
WORDS = "I want to go to the lunch club on Tuesdays without worrying."


def test_practitioner_produces_the_plan_for_the_adult_and_downloads_it(
    live_server, sign_in, practitioner, team, assert_accessible, settings, tmp_path
):
    settings.STORAGES = {
        **settings.STORAGES,
        "documents": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path / "documents")},
        },
    }
    letter_services.install_default_templates()
    enquiry = EnquiryFactory(
        status="plan_active", concern__person__team=team, allocated_to=practitioner
    )
    person = enquiry.concern.person
    outcome = DesiredOutcomeFactory(person=person, concern=enquiry.concern, text=WORDS)
    action = PlanAction.objects.create(
        enquiry=enquiry,
        description="Book a taxi to the lunch club every Tuesday",
        owner="Pat, your social worker",
        due_on=TODAY + datetime.timedelta(days=7),
    )
    action.desired_outcomes.add(outcome)
    page = sign_in(practitioner)

    page.goto(live_server.url + enquiry.get_absolute_url())
    page.get_by_role("link", name="Letters and the plan for").click()
    expect(page.get_by_role("heading", name="Letters", level=1)).to_be_visible()
    assert_accessible(page)

    page.get_by_role(
        "link", name="Preview safeguarding plan for the adult (easy read)"
    ).click()
    expect(page.get_by_text(WORDS).first).to_be_visible()
    expect(
        page.get_by_text("Book a taxi to the lunch club every Tuesday.")
    ).to_be_visible()
    assert_accessible(page)

    page.get_by_label("By hand").check()
    page.get_by_label("Date sent").fill(TODAY.isoformat())
    page.get_by_role("button", name="Produce the PDF and record it as sent").click()
    expect(page.get_by_text("the letter is recorded as sent")).to_be_visible()
    expect(page.get_by_role("cell", name="By hand", exact=False)).to_be_visible()
    assert_accessible(page)

    with page.expect_download() as download_info:
        page.get_by_role(
            "link",
            name=re.compile(r"^Safeguarding plan for the adult \(easy read\).*PDF"),
        ).click()
    download = download_info.value
    with open(download.path(), "rb") as pdf:
        content = pdf.read()
    assert content.startswith(b"%PDF") and len(content) > 5000
    assert download.suggested_filename.endswith(".pdf")

    letter = Letter.objects.get()
    assert letter.kind == "plan_easy_read" and letter.sent_via == "by_hand"
    assert AuditEvent.objects.filter(
        action="download", object_ref=str(letter.reference), actor=practitioner
    ).exists()
