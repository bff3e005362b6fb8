"""A practitioner attaches a document to a person's record and downloads it;
a wrong file is refused with a clear message. The upload page passes axe."""

from playwright.sync_api import expect

from enquiries.documents_demo import tiny_pdf, tiny_png
from enquiries.factories import PersonFactory
from enquiries.models import Document


def test_attach_a_document_and_download_it(
    page, live_server, sign_in, practitioner, team, assert_accessible, tmp_path
):
    person = PersonFactory(team=team, given_name="Iris", family_name="Penrose")
    letter = tmp_path / "gp-letter.pdf"
    letter.write_bytes(tiny_pdf("Riverside Surgery", "Falls clinic referral"))
    disguised = tmp_path / "statement.pdf"
    disguised.write_bytes(tiny_png())
    sign_in(practitioner)

    page.goto(f"{live_server.url}{person.get_absolute_url()}")
    expect(page.get_by_role("heading", name="Documents")).to_be_visible()
    page.get_by_role("link", name="Add a document").click()
    expect(page.get_by_role("heading", name="Add a document")).to_be_visible()
    assert_accessible(page)

    # A picture named as a PDF is refused, and what was typed is kept.
    page.get_by_label("Upload a file").set_input_files(str(disguised))
    page.get_by_label("Title").fill("GP letter about falls")
    page.get_by_label("What kind of document is it").select_option(label="Medical")
    page.get_by_label("Date of the document").fill("2025-03-03")
    page.get_by_label("Who provided it").fill("Dr Shah, Riverside Surgery")
    page.get_by_label("Ask first", exact=True).check()
    page.get_by_label("If not, or ask first: why, and who to ask").fill(
        "Ask Dr Shah before sharing"
    )
    page.get_by_role("button", name="Add the document").click()
    expect(page.get_by_role("heading", name="There is a problem")).to_be_visible()
    expect(
        page.get_by_role("link", name="The selected file is a PNG file")
    ).to_be_visible()
    expect(page.get_by_label("Title")).to_have_value("GP letter about falls")
    assert_accessible(page)
    assert not Document.objects.exists()

    page.get_by_label("Upload a file").set_input_files(str(letter))
    page.get_by_role("button", name="Add the document").click()
    expect(page.get_by_text("Document added: GP letter about falls")).to_be_visible()
    page.get_by_role("link", name="GP letter about falls").click()
    expect(page.get_by_text("Ask first: Ask Dr Shah before sharing")).to_be_visible()
    assert_accessible(page)

    with page.expect_download() as info:
        page.get_by_role("link", name="Download").click()
    download = info.value
    assert download.suggested_filename == "GP letter about falls.pdf"
    saved = tmp_path / "downloaded.pdf"
    download.save_as(saved)
    assert saved.read_bytes() == letter.read_bytes()
