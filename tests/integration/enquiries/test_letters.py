"""Letters for the adult and the referrer: the adult's own words, the template
version, the PDF kept as a document, scoped and audited downloads, admin."""

import datetime
import hashlib
import io

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from enquiries.demo import create_demo_caseload
from enquiries.factories import DesiredOutcomeFactory, EnquiryFactory
from enquiries.letter_text import LetterKind
from enquiries.letters_demo import create_demo_letters
from enquiries.models import Document, PlanAction
from enquiries.models.letters import Letter, LetterTemplate
from enquiries.services import letters as services
from msp.demo import create_demo_staff
from msp.models import AuditEvent

TODAY = datetime.date.today()
WORDS = 'I want Dave to stop coming round when I\'m on my own & asking for "loans".'


@pytest.fixture(autouse=True)
def documents_folder(settings, tmp_path):
    settings.STORAGES = {
        **settings.STORAGES,
        "documents": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path / "documents")},
        },
    }


@pytest.fixture
def templates(db):
    services.install_default_templates()
    return {t.kind: t for t in LetterTemplate.objects.all()}


@pytest.fixture
def enquiry(team, practitioner):
    enquiry = EnquiryFactory(
        status="plan_active",
        concern__person__team=team,
        concern__person__given_name="Mary",
        concern__person__family_name="Adams",
        concern__person__address="1 Mill Lane\nNorthtown",
        concern__person__postcode="NE1 1AA",
        concern__referrer_name="Rita Referrer",
        concern__summary="Her neighbour Dave Smith takes her pension every week.",
        concern__referrer_feedback="The council is looking into your concern.",
        findings="Dave Smith admitted taking money; his mother also visits.",
        allocated_to=practitioner,
        risk_assessment_outcome="risk_identified_action",
        risk_result="reduced",
    )
    person = enquiry.concern.person
    outcome = DesiredOutcomeFactory(person=person, concern=enquiry.concern, text=WORDS)
    action = PlanAction.objects.create(
        enquiry=enquiry,
        description="Ask the bank to put a stop on cash withdrawals over £50",
        owner="Pat, your social worker",
        due_on=TODAY + datetime.timedelta(days=14),
    )
    action.desired_outcomes.add(outcome)
    return enquiry


def _send(user, enquiry, kind=LetterKind.PLAN, via="post"):
    return services.send_letter(
        user=user, enquiry=enquiry, kind=kind, sent_via=via, sent_on=TODAY
    )


def test_the_plan_letter_carries_the_adults_words_verbatim_and_no_one_elses(
    templates, enquiry, practitioner
):
    letter = _send(practitioner, enquiry)
    html = letter.html
    # The adult's desired outcome, exactly as recorded (escaped as HTML).
    assert (
        "I want Dave to stop coming round when I&#x27;m on my own &amp; asking for &quot;loans&quot;."
        in html
    )
    # Each action: what, what it is for, who, by when.
    assert "Ask the bank to put a stop on cash withdrawals over £50" in html
    assert "Pat, your social worker" in html
    assert f"{(TODAY + datetime.timedelta(days=14)).day} " in html
    assert "Dear Mary," in html and "1 Mill Lane" in html and "NE1 1AA" in html
    # Every placeholder filled; nothing from the concern, findings or referrer.
    assert "{{" not in html and "}}" not in html
    for third_party in ("Rita Referrer", "pension every week", "admitted", "mother"):
        assert third_party not in html


def test_a_letter_records_the_template_version_that_produced_it(
    templates, enquiry, practitioner, administrator
):
    first = _send(practitioner, enquiry)
    template = templates[LetterKind.PLAN]
    services.save_template(
        user=administrator,
        template=template,
        title="Your plan",
        body=template.body.replace(
            "This is your safeguarding plan.", "Here is your plan."
        ),
    )
    second = _send(practitioner, enquiry)
    first.refresh_from_db()
    assert (first.template_version.number, second.template_version.number) == (1, 2)
    assert "This is your safeguarding plan." in first.html
    assert "Here is your plan." in second.html
    # The first version is kept as it was.
    assert "This is your safeguarding plan." in first.template_version.body


def test_the_pdf_is_kept_as_a_document_of_the_case(templates, enquiry, practitioner):
    letter = _send(practitioner, enquiry, kind=LetterKind.PLAN_EASY_READ, via="by_hand")
    document = Document.objects.get(pk=letter.document_id)
    assert document.enquiry_id == enquiry.pk
    assert document.person_id == enquiry.concern.person_id
    assert document.content_type == "application/pdf"
    assert document.kind.code == "letter"
    assert document.document_date == TODAY
    with services.open_pdf(letter) as pdf:
        content = pdf.read()
    assert content.startswith(b"%PDF")
    assert len(content) > 5000 and len(content) == document.size
    assert hashlib.sha256(content).hexdigest() == document.sha256
    assert letter.sent_by == practitioner and letter.sent_via == "by_hand"
    assert letter.sent_on == TODAY
    assert AuditEvent.objects.filter(
        action="create",
        object_type="enquiries.Letter",
        object_ref=str(letter.reference),
    ).exists()
    assert enquiry.concern.person.chronology.filter(
        summary__startswith="Document: Safeguarding plan for the adult (easy read), sent"
    ).exists()


def test_the_referrer_letter_has_only_what_may_be_shared(
    templates, enquiry, practitioner
):
    letter = _send(practitioner, enquiry, kind=LetterKind.REFERRER)
    assert "Dear Rita Referrer," in letter.html
    assert "The council is looking into your concern." in letter.html
    for private in ("Mary", "Adams", "Mill Lane", "stop coming round", "Dave"):
        assert private not in letter.html


def test_no_referrer_letter_for_an_anonymous_referrer(
    templates, enquiry, practitioner, client
):
    enquiry.concern.referrer_anonymous = True
    enquiry.concern.save()
    client.force_login(practitioner)
    url = reverse(
        "enquiries:enquiry_letter_preview",
        args=[enquiry.reference, LetterKind.REFERRER],
    )
    response = client.post(url, {"sent_via": "post", "sent_on": TODAY.isoformat()})
    assert response.status_code == 200
    assert "anonymous or not named" in response.content.decode()
    assert not Letter.objects.exists() and not Document.objects.exists()


def test_a_future_date_sent_is_refused_and_nothing_is_stored(
    templates, enquiry, practitioner, client
):
    client.force_login(practitioner)
    url = reverse("enquiries:enquiry_letter_preview", args=[enquiry.reference, "plan"])
    tomorrow = TODAY + datetime.timedelta(days=1)
    response = client.post(url, {"sent_via": "post", "sent_on": tomorrow.isoformat()})
    assert response.status_code == 200
    assert "must be today or in the past" in response.content.decode()
    assert not Letter.objects.exists() and not Document.objects.exists()


def test_preview_then_send_from_the_enquiry_page(
    templates, enquiry, practitioner, client, django_assert_max_num_queries
):
    client.force_login(practitioner)
    page = client.get(enquiry.get_absolute_url()).content.decode()
    letters_url = reverse("enquiries:enquiry_letters", args=[enquiry.reference])
    assert letters_url in page
    url = reverse("enquiries:enquiry_letter_preview", args=[enquiry.reference, "plan"])
    with django_assert_max_num_queries(18):
        preview = client.get(url).content.decode()
    assert "I want Dave to stop coming round" in preview
    response = client.post(url, {"sent_via": "email", "sent_on": TODAY.isoformat()})
    assert response.status_code == 302
    _send(practitioner, enquiry, kind=LetterKind.OUTCOME)
    with django_assert_max_num_queries(14):
        listing = client.get(letters_url).content.decode()
    assert "E-mail" in listing and "Template version 1" in listing
    assert "Outcome letter to the adult" in listing


def test_download_is_an_audited_uncached_attachment(
    templates, enquiry, practitioner, client
):
    letter = _send(practitioner, enquiry)
    client.force_login(practitioner)
    response = client.get(reverse("enquiries:letter_download", args=[letter.reference]))
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment;")
    assert "no-store" in response["Cache-Control"]
    assert b"".join(response.streaming_content).startswith(b"%PDF")
    line = AuditEvent.objects.get(action="download", object_type="enquiries.Letter")
    assert line.actor == practitioner
    assert line.person_ref == str(enquiry.concern.person.reference)


def test_another_teams_practitioner_gets_404_everywhere(
    templates, enquiry, practitioner, other_team_practitioner, client
):
    letter = _send(practitioner, enquiry)
    client.force_login(other_team_practitioner)
    for url in (
        reverse("enquiries:letter_download", args=[letter.reference]),
        reverse("enquiries:enquiry_letters", args=[enquiry.reference]),
        reverse("enquiries:enquiry_letter_preview", args=[enquiry.reference, "plan"]),
        reverse("enquiries:enquiry_letter_print", args=[enquiry.reference, "plan"]),
    ):
        assert client.get(url).status_code == 404, url
    assert not AuditEvent.objects.filter(action="download").exists()


def test_an_unknown_letter_kind_is_404(templates, enquiry, practitioner, client):
    client.force_login(practitioner)
    url = reverse("enquiries:enquiry_letter_preview", args=[enquiry.reference, "nope"])
    assert client.get(url).status_code == 404


def test_print_page_is_the_letter_alone(templates, enquiry, practitioner, client):
    client.force_login(practitioner)
    url = reverse(
        "enquiries:enquiry_letter_print", args=[enquiry.reference, "plan_easy_read"]
    )
    response = client.get(url)
    body = response.content.decode()
    assert response.status_code == 200 and "no-store" in response["Cache-Control"]
    assert "app-letter--easy-read" in body and "<svg" in body
    assert "govuk-header" not in body


# Admin ----------------------------------------------------------------------------


def test_admin_preview_shows_sample_letter_and_reading_level(
    templates, administrator, client
):
    client.force_login(administrator)
    template = templates[LetterKind.PLAN_EASY_READ]
    change = client.get(
        reverse("admin:enquiries_lettertemplate_change", args=[template.pk])
    )
    assert change.status_code == 200
    assert "{{ what_for }}" in change.content.decode()  # the placeholder list
    response = client.get(
        reverse("admin:enquiries_lettertemplate_preview", args=[template.pk])
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert "I want to feel safe at home." in body
    assert "Within the target." in body


def test_admin_save_keeps_the_old_version_and_refuses_unknown_placeholders(
    templates, administrator, client
):
    client.force_login(administrator)
    template = templates[LetterKind.OUTCOME]
    url = reverse("admin:enquiries_lettertemplate_change", args=[template.pk])
    refused = client.post(
        url,
        {
            "title": "Outcome",
            "body": "Dear {{ adult_name }}, {{ enquiry.concern.summary }} {{ findings }}",
            "versions-TOTAL_FORMS": "1",
            "versions-INITIAL_FORMS": "1",
        },
    )
    assert refused.status_code == 200
    assert "{{ findings }} is not a placeholder" in refused.content.decode()
    template.refresh_from_db()
    assert template.version == 1
    saved = client.post(
        url,
        {
            "title": "The outcome",
            "body": "Dear {{ adult_name }},\nThank you.",
            "versions-TOTAL_FORMS": "1",
            "versions-INITIAL_FORMS": "1",
        },
    )
    assert saved.status_code == 302
    template.refresh_from_db()
    assert template.version == 2
    assert [v.number for v in template.versions.order_by("number")] == [1, 2]
    assert template.versions.get(number=1).body != template.body


# The demo -------------------------------------------------------------------------


def test_seed_demo_adds_a_few_letters(db):
    staff = create_demo_staff("demo password 123")
    create_demo_caseload(staff=staff, out=io.StringIO())
    out = io.StringIO()
    create_demo_letters(staff=staff, out=out)
    kinds = set(Letter.objects.values_list("kind", flat=True))
    assert kinds == {"plan", "plan_easy_read", "outcome", "referrer_feedback"}
    assert all(letter.document.kind.code == "letter" for letter in Letter.objects.all())
    assert "Letters: 4 sent" in out.getvalue()


def test_only_administrators_change_a_template(templates, practitioner):
    template = templates[LetterKind.PLAN]
    with pytest.raises(PermissionDenied):
        services.save_template(
            user=practitioner, template=template, title="Mine", body="Hello."
        )
    template.refresh_from_db()
    assert template.version == 1 and template.title != "Mine"
