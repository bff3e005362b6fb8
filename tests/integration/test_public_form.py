"""The public concern form, through Django's test client (no JavaScript)."""

import re

import pytest
from django.core.cache import cache
from django.test import Client
from django.urls import reverse

from enquiries.models import PublicSubmission
from msp.models import AuditEvent

ANSWERS = {
    "who-you-are": {"relationship": "family"},
    "about-the-adult": {
        "name": "Mary Smith",
        "age": "82",
        "date_of_birth": "",
        "address": "1 High Street",
        "postcode": "ne1 4st",
        "town": "",
        "communication_needs": "Hard of hearing",
    },
    "what-is-happening": {"what": "Her son takes her pension every week."},
    "where": {"where": "At her home"},
    "who-is-causing-harm": {"harm_by": "Her son, Dan"},
    "immediate-danger": {"danger": "no"},
    "what-the-adult-wants": {
        "adult_knows": "yes",
        "adult_wants": "She wants to keep her money and still see her son.",
    },
    "contacting-you": {
        "contact": "yes",
        "contact_name": "Jo Smith",
        "phone": "01632 960 001",
        "email": "jo@example.org",
        "safe_to_email": "on",
        "safe_contact": "Evenings only",
    },
}
REFERENCE = re.compile(r"SG-[346789ABCDEFGHJKMNPQRTUVWXY]{6}")


@pytest.fixture(autouse=True)
def _clear_rate_limits():
    cache.clear()
    yield
    cache.clear()


def step_url(slug):
    return reverse("enquiries:public_step", args=[slug])


def answer_all(client, overrides=None, honeypot=""):
    overrides = overrides or {}
    for slug, data in ANSWERS.items():
        payload = {**data, **overrides.get(slug, {}), "website": honeypot}
        response = client.post(step_url(slug), payload)
        assert response.status_code == 302, (slug, response.content.decode()[:3000])
    return response


def send(client):
    return client.post(reverse("enquiries:public_check"), {"website": ""})


@pytest.mark.django_db
@pytest.mark.parametrize(
    "name",
    ["public_start", "public_before_you_start", "public_staying_safe"],
)
def test_content_pages_are_public_uncached_and_offer_exit(client, name):
    response = client.get(reverse(f"enquiries:{name}"))
    html = response.content.decode()
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    assert 'data-module="govuk-exit-this-page"' in html
    assert "govuk-js-exit-this-page-skiplink" in html
    assert f'href="{reverse("exit")}"' in html


def test_start_page_explains_safeguarding_and_999(client, db):
    html = client.get(reverse("enquiries:public_start")).content.decode()
    assert "What safeguarding means" in html
    assert "What happens next" in html
    assert "call 999" in html


def test_interruption_page_explains_exit_shortcut_and_history(client, db):
    html = client.get(reverse("enquiries:public_before_you_start")).content.decode()
    assert "Shift" in html and "3 times" in html
    assert "does not delete your browsing history" in html
    assert step_url("who-you-are") in html


@pytest.mark.django_db
@pytest.mark.parametrize("slug", list(ANSWERS))
def test_every_question_is_public_uncached_with_exit(client, slug):
    response = client.get(step_url(slug))
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    assert 'data-module="govuk-exit-this-page"' in response.content.decode()


def test_unknown_question_is_404(client, db):
    assert client.get(step_url("no-such-question")).status_code == 404


def test_whole_journey_saves_answers_unchanged_and_routes_by_postcode(
    client, team, other_team
):
    answer_all(client)
    check = client.get(reverse("enquiries:public_check"))
    assert "Check your answers" in check.content.decode()
    assert "no-store" in check["Cache-Control"]
    response = send(client)
    assert response.status_code == 302
    assert response["Location"] == reverse("enquiries:public_confirmation")
    submission = PublicSubmission.objects.get()
    assert submission.team == team
    assert submission.area == "NE1"
    assert submission.status == PublicSubmission.Status.NEW
    assert REFERENCE.fullmatch(submission.reference)
    assert submission.answers["what"] == "Her son takes her pension every week."
    assert submission.answers["postcode"] == "NE1 4ST"
    assert submission.answers["safe_to_email"] is True
    assert "website" not in submission.answers
    assert AuditEvent.objects.filter(
        object_ref=submission.reference, action="create"
    ).exists()

    confirmation = client.get(reverse("enquiries:public_confirmation"))
    html = confirmation.content.decode()
    assert submission.reference in html
    assert "What happens next" in html
    assert "no-store" in confirmation["Cache-Control"]
    # Shown once; the journey is cleared.
    again = client.get(reverse("enquiries:public_confirmation"))
    assert again["Location"] == reverse("enquiries:public_start")
    first = client.get(step_url("who-you-are")).content.decode()
    assert "checked" not in first
    assert client.get(reverse("enquiries:public_check"))["Location"] == reverse(
        "enquiries:public_start"
    )


def test_area_name_routes_when_no_postcode(client, db):
    from msp.factories import TeamFactory

    south = TeamFactory(name="South", code="south-x", areas="SE1\nSouthtown")
    answer_all(client, {"about-the-adult": {"postcode": "", "town": "southtown"}})
    send(client)
    submission = PublicSubmission.objects.get()
    assert submission.team == south
    assert submission.area == "southtown"


def test_unknown_area_is_not_routed(client, team):
    answer_all(client, {"about-the-adult": {"postcode": "ZZ9 9ZZ"}})
    send(client)
    submission = PublicSubmission.objects.get()
    assert submission.team is None
    assert submission.area == "ZZ9"


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("slug", "data", "message"),
    [
        ("who-you-are", {}, "Select who you are"),
        (
            "who-you-are",
            {"relationship": "professional"},
            "Enter the name of your organisation",
        ),
        (
            "about-the-adult",
            {},
            "Enter the adult&#x27;s name, or what they are known as",
        ),
        ("about-the-adult", {}, "Enter their address, or where they can be found"),
        (
            "about-the-adult",
            {"name": "A", "address": "B", "postcode": "not a postcode"},
            "Enter a real postcode, like NE1 4ST",
        ),
        (
            "about-the-adult",
            {"name": "A", "address": "B", "age": "seventy"},
            "Enter the age as a number, like 70",
        ),
        (
            "about-the-adult",
            {"name": "A", "address": "B", "age": "12"},
            "This form is for adults aged 18 or over",
        ),
        (
            "about-the-adult",
            {"name": "A", "address": "B", "date_of_birth": "2999-01-01"},
            "Date of birth must be in the past",
        ),
        ("what-is-happening", {}, "Enter what is happening"),
        ("where", {}, "Enter where it is happening"),
        ("immediate-danger", {}, "Select if the adult is in immediate danger"),
        (
            "what-the-adult-wants",
            {},
            "Select if the adult knows you are raising this concern",
        ),
        ("contacting-you", {}, "Select if we can contact you"),
        ("contacting-you", {"contact": "yes"}, "Enter your name"),
        (
            "contacting-you",
            {"contact": "yes", "contact_name": "Jo"},
            "Enter a phone number or email address so we can contact you",
        ),
        (
            "contacting-you",
            {"contact": "yes", "contact_name": "Jo", "email": "not-an-email"},
            "Enter an email address in the correct format",
        ),
    ],
)
def test_invalid_answers_show_gov_uk_errors_and_keep_input(client, slug, data, message):
    response = client.post(step_url(slug), data)
    html = response.content.decode()
    assert response.status_code == 200
    assert "There is a problem" in html
    assert message in html
    assert "<title>Error: " in html
    for value in data.values():
        assert value in html
    assert slug not in client.session.get("public_concern", {}).get("steps", {})


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("slug", "field", "limit", "message"),
    [
        ("what-is-happening", "what", 5000, "5,000 characters or fewer"),
        ("where", "where", 1000, "1,000 characters or fewer"),
        ("who-is-causing-harm", "harm_by", 1000, "1,000 characters or fewer"),
        ("who-you-are", "organisation", 200, "200 characters or fewer"),
    ],
)
def test_every_field_has_a_size_limit(client, slug, field, limit, message):
    data = {**ANSWERS[slug], field: "x" * (limit + 1)}
    if slug == "who-you-are":
        data["relationship"] = "professional"
    response = client.post(step_url(slug), data)
    assert response.status_code == 200
    assert message in response.content.decode()


def test_every_text_field_declares_a_maximum_length():
    from enquiries.views.public import STEPS

    for step in STEPS:
        for name, field in step.form_class.base_fields.items():
            if hasattr(field, "max_length"):
                assert field.max_length, (step.slug, name)


def test_total_answers_size_is_capped(client, db, settings):
    settings.PUBLIC_FORM_MAX_ANSWERS_BYTES = 500
    answer_all(client)
    response = send(client)
    html = response.content.decode()
    assert response.status_code == 200
    assert "Your answers are too long to send" in html
    assert "There is a problem" in html
    assert PublicSubmission.objects.count() == 0


def test_answers_are_kept_on_back(client, db):
    client.post(step_url("who-you-are"), ANSWERS["who-you-are"])
    client.post(step_url("about-the-adult"), ANSWERS["about-the-adult"])
    back = client.get(step_url("who-you-are")).content.decode()
    assert re.search(r'value="family"\s+checked', back)
    about = client.get(step_url("about-the-adult")).content.decode()
    assert 'value="Mary Smith"' in about
    assert "Hard of hearing" in about
    assert 'value="NE1 4ST"' in about
    # The back link on the second question goes to the first.
    assert f'href="{step_url("who-you-are")}" class="govuk-back-link"' in about


def test_check_answers_has_change_links_that_return_to_check(client, db):
    answer_all(client)
    html = client.get(reverse("enquiries:public_check")).content.decode()
    for slug in ANSWERS:
        assert f"{step_url(slug)}?change=1" in html
    assert "Mary Smith" in html and "Her son, Dan" in html
    change_url = step_url("about-the-adult") + "?change=1"
    page = client.get(change_url).content.decode()
    assert 'value="Mary Smith"' in page
    assert "Save and return" in page
    response = client.post(
        change_url, {**ANSWERS["about-the-adult"], "name": "Mary Jones"}
    )
    assert response["Location"] == reverse("enquiries:public_check")
    html = client.get(reverse("enquiries:public_check")).content.decode()
    assert "Mary Jones" in html and "Mary Smith" not in html


def test_check_answers_sends_you_to_the_first_unanswered_question(client, db):
    client.post(step_url("who-you-are"), ANSWERS["who-you-are"])
    response = client.get(reverse("enquiries:public_check"))
    assert response["Location"] == step_url("about-the-adult")


def test_danger_answer_signposts_999(client, db):
    answer_all(client, {"immediate-danger": {"danger": "yes"}})
    html = client.get(reverse("enquiries:public_check")).content.decode()
    assert "Call 999 now" in html
    send(client)
    confirmation = client.get(reverse("enquiries:public_confirmation"))
    assert "Call 999 now" in confirmation.content.decode()
    assert "call 999" in client.get(step_url("immediate-danger")).content.decode()


def test_anything_sent_is_shown_escaped(client, team, practitioner):
    script = "<script>alert('x')</script>"
    answer_all(client, {"what-is-happening": {"what": script}})
    html = client.get(reverse("enquiries:public_check")).content.decode()
    assert script not in html
    assert "&lt;script&gt;" in html
    send(client)
    submission = PublicSubmission.objects.get()
    assert submission.answers["what"] == script
    staff = Client()
    staff.force_login(practitioner)
    detail = staff.get(
        reverse("enquiries:intake_detail", args=[submission.reference])
    ).content.decode()
    assert script not in detail
    assert "&lt;script&gt;" in detail


def test_filled_honeypot_shows_confirmation_but_saves_nothing(client, db, mailoutbox):
    answer_all(client, honeypot="http://spam.example")
    response = send(client)
    assert response["Location"] == reverse("enquiries:public_confirmation")
    html = client.get(response["Location"]).content.decode()
    assert "Concern sent" in html
    assert REFERENCE.search(html)
    assert PublicSubmission.objects.count() == 0
    assert mailoutbox == []


def test_honeypot_on_the_send_button_saves_nothing(client, db):
    answer_all(client)
    response = client.post(
        reverse("enquiries:public_check"), {"website": "http://spam.example"}
    )
    assert response["Location"] == reverse("enquiries:public_confirmation")
    assert PublicSubmission.objects.count() == 0


def test_honeypot_is_hidden_from_people(client, db):
    html = client.get(step_url("who-you-are")).content.decode()
    hidden = re.search(
        r'<div class="govuk-visually-hidden" aria-hidden="true">(.*?)</div>',
        html,
        re.S,
    ).group(1)
    assert 'name="website"' in hidden
    assert 'tabindex="-1"' in hidden
    assert 'autocomplete="off"' in hidden


def test_page_posts_are_rate_limited_per_ip(client, db, settings):
    settings.PUBLIC_FORM_POSTS_LIMIT = 3
    for _ in range(3):
        assert (
            client.post(step_url("who-you-are"), {"relationship": "self"}).status_code
            == 302
        )
    response = client.post(step_url("who-you-are"), {"relationship": "family"})
    html = response.content.decode()
    assert response.status_code == 429
    assert "too many" in html
    assert "govuk-template" in html
    assert client.session["public_concern"]["steps"]["who-you-are"] == {
        "relationship": "self",
        "organisation": "",
    }
    other_ip = client.post(
        step_url("who-you-are"), {"relationship": "family"}, REMOTE_ADDR="10.0.0.9"
    )
    assert other_ip.status_code == 302


def test_submissions_are_rate_limited_per_ip(client, db, settings):
    settings.PUBLIC_FORM_SUBMISSIONS_LIMIT = 1
    answer_all(client)
    assert send(client).status_code == 302
    answer_all(client)
    response = send(client)
    assert response.status_code == 429
    assert PublicSubmission.objects.count() == 1


def test_csrf_token_is_required(db):
    client = Client(enforce_csrf_checks=True)
    response = client.post(step_url("who-you-are"), {"relationship": "self"})
    assert response.status_code == 403
    assert "public_concern" not in client.session


def test_confirmation_shows_only_your_own_reference(db):
    first, second = Client(), Client()
    answer_all(first)
    send(first)
    answer_all(second, {"about-the-adult": {"name": "Someone Else"}})
    send(second)
    mine, theirs = PublicSubmission.objects.order_by("id")
    html = second.get(reverse("enquiries:public_confirmation")).content.decode()
    assert theirs.reference in html
    assert mine.reference not in html
    assert Client().get(reverse("enquiries:public_confirmation")).status_code == 302


def test_confirmation_email_has_only_the_reference(client, db, mailoutbox):
    answer_all(client)
    send(client)
    submission = PublicSubmission.objects.get()
    assert len(mailoutbox) == 1
    email = mailoutbox[0]
    assert email.to == ["jo@example.org"]
    assert submission.reference in email.subject
    assert submission.reference in email.body
    for detail in ("Mary", "pension", "Dan", "High Street"):
        assert detail not in email.body and detail not in email.subject


@pytest.mark.django_db
@pytest.mark.parametrize(
    "contact",
    [
        {"safe_to_email": ""},
        {
            "contact": "anonymous",
            "contact_name": "",
            "phone": "",
            "email": "",
            "safe_to_email": "on",
        },
    ],
)
def test_no_email_unless_safe_and_given(client, mailoutbox, contact):
    answer_all(client, {"contacting-you": contact})
    send(client)
    assert PublicSubmission.objects.count() == 1
    assert mailoutbox == []


def test_anonymous_referrer_details_are_not_kept(client, db):
    answer_all(
        client,
        {"contacting-you": {"contact": "anonymous", "safe_to_email": "on"}},
    )
    send(client)
    answers = PublicSubmission.objects.get().answers
    assert answers["contact"] == "anonymous"
    assert answers["contact_name"] == answers["email"] == answers["phone"] == ""
