"""The adult's own page (issue 20): offering it safely, invitations and
one-time codes, sessions that end on revocation, and what the adult sees and
adds (never another case, never withheld or third-party material)."""

from __future__ import annotations

import datetime
import re

import pytest
from django.core import mail
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from enquiries import codes, sms
from enquiries.factories import DesiredOutcomeFactory, EnquiryFactory
from enquiries.models import (
    AdultPageAccess,
    AdultPageEntry,
    AdultPageInvitation,
    AdultSignInCode,
    ConsentDecision,
    PersonView,
    PlanAction,
    Risk,
)
from enquiries.services import adult_page as services
from msp.models import AuditEvent
from tests.support_urls import iter_patterns

SAFE = {
    "harm_source_cannot_see_contact": "yes",
    "adult_said_yes": "yes",
    "safety_notes": "Spoke to her alone at the day centre; her phone is her own.",
    "recipient": "adult",
    "authority": "adult_agreed",
    "code_by": "sms",
    "mobile": "07700 900982",
    "contact_confirmed": "yes",
    "withhold_sharing": "no",
}


@pytest.fixture(autouse=True)
def _clean():
    cache.clear()
    sms.outbox.clear()
    yield
    cache.clear()
    sms.outbox.clear()


@pytest.fixture
def enquiry(practitioner, team):
    enquiry = EnquiryFactory(
        concern__person__team=team,
        concern__team=team,
        team=team,
        allocated_to=practitioner,
        status="plan_active",
        concern__person__date_of_birth=datetime.date(1950, 4, 2),
    )
    outcome = DesiredOutcomeFactory(
        person=enquiry.concern.person,
        enquiry=enquiry,
        text="I want to feel safe when my grandson visits",
    )
    action = PlanAction.objects.create(
        enquiry=enquiry,
        description="Fit a door chain and a spy hole",
        owner="Housing repairs team",
        due_on=timezone.localdate() + datetime.timedelta(days=10),
    )
    action.desired_outcomes.add(outcome)
    return enquiry


@pytest.fixture
def other_enquiry(team):
    enquiry = EnquiryFactory(
        concern__person__team=team,
        concern__team=team,
        team=team,
        status="plan_active",
    )
    DesiredOutcomeFactory(
        person=enquiry.concern.person,
        enquiry=enquiry,
        text="OTHER ADULT WANTS THEIR SISTER TO STOP",
    )
    PlanAction.objects.create(
        enquiry=enquiry,
        description="OTHER ADULT PLAN ACTION",
        owner="Police",
        due_on=timezone.localdate(),
    )
    return enquiry


def offer(client, practitioner, enquiry, **changes):
    client.force_login(practitioner)
    response = client.post(
        reverse("enquiries:adult_page_manage", args=[enquiry.reference]),
        {**SAFE, **changes},
    )
    client.logout()
    return response


def letter_link(client, practitioner, enquiry) -> str:
    client.force_login(practitioner)
    response = client.post(
        reverse("enquiries:adult_page_invite", args=[enquiry.reference]),
        {"sent_by": "letter"},
    )
    assert response.status_code == 200
    client.logout()
    found = re.search(r"/my-page/start/[^/<\s]+/", response.content.decode())
    assert found
    return found.group(0)


def last_code() -> str:
    return re.search(r"\b(\d{6})\b", sms.outbox[-1].body).group(1)


def sign_in(client, link: str, born="1950-04-02") -> object:
    client.get(link)
    client.post(reverse("enquiries:adult_sign_in"))
    return client.post(
        reverse("enquiries:adult_code"),
        {"code": last_code(), "date_of_birth": born},
    )


@pytest.fixture
def signed_in(client, practitioner, enquiry):
    assert offer(client, practitioner, enquiry).status_code == 302
    link = letter_link(client, practitioner, enquiry)
    response = sign_in(client, link)
    assert response.status_code == 302
    assert response["Location"] == reverse("enquiries:adult_home")
    return client


ADULT_URL_NAMES = [
    "enquiries:adult_home",
    "enquiries:adult_plan",
    "enquiries:adult_plan_easy_read",
    "enquiries:adult_your_words",
    "enquiries:adult_who_has_looked",
    "enquiries:adult_information_shared",
    "enquiries:adult_call_back",
    "enquiries:adult_how_did_it_go",
    "enquiries:adult_copy_of_information",
    "enquiries:adult_documents",
    "outcomes_adult:adult_feedback",
]


# --- Offering -------------------------------------------------------------------


@pytest.mark.django_db
def test_the_page_cannot_be_offered_unless_it_is_safe(client, practitioner, enquiry):
    response = offer(client, practitioner, enquiry, harm_source_cannot_see_contact="no")
    assert response.status_code == 200
    assert "person causing harm could see" in response.content.decode()
    assert not AdultPageAccess.objects.exists()
    # An advocate needs the agreement or authority written down.
    response = offer(
        client, practitioner, enquiry, recipient="advocate", authority="lpa"
    )
    assert "Enter the name of the advocate" in response.content.decode()
    assert not AdultPageAccess.objects.exists()


@pytest.mark.django_db
def test_offer_is_audited_and_a_representative_needs_lawful_authority(
    client, practitioner, enquiry
):
    response = offer(
        client,
        practitioner,
        enquiry,
        recipient="representative",
        recipient_name="Ann Example",
        authority="lpa",
        authority_details="Health and welfare LPA registered 2021, ref 7000-1234",
        adult_said_yes="no",
    )
    assert response.status_code == 302
    page = AdultPageAccess.objects.get()
    assert page.authority == "lpa" and page.recipient_name == "Ann Example"
    assert AuditEvent.objects.filter(
        object_ref=str(page.reference), summary__startswith="Offered"
    ).exists()


# --- Invitations and codes -----------------------------------------------------------


@pytest.mark.django_db
def test_invitation_works_once(client, practitioner, enquiry):
    offer(client, practitioner, enquiry)
    link = letter_link(client, practitioner, enquiry)
    assert sign_in(client, link).status_code == 302
    client.post(reverse("enquiries:adult_sign_out"))
    assert client.get(link).status_code == 410


@pytest.mark.django_db
def test_invitation_expires(client, practitioner, enquiry, settings):
    offer(client, practitioner, enquiry)
    link = letter_link(client, practitioner, enquiry)
    AdultPageInvitation.objects.update(expires_at=timezone.now())
    assert client.get(link).status_code == 410
    # A tampered link is refused too.
    assert client.get(link.replace(":", "x", 1)).status_code == 410


@pytest.mark.django_db
def test_e_mailed_invitation_and_codes_never_say_safeguarding(
    client, practitioner, enquiry, django_capture_on_commit_callbacks
):
    offer(client, practitioner, enquiry, code_by="email", email="m@example.org")
    client.force_login(practitioner)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("enquiries:adult_page_invite", args=[enquiry.reference]),
            {"sent_by": "email"},
        )
    client.logout()
    assert len(mail.outbox) == 1
    link = re.search(r"/my-page/start/\S+/", mail.outbox[0].body).group(0)
    client.get(link)
    client.post(reverse("enquiries:adult_sign_in"))
    assert len(mail.outbox) == 2
    person = enquiry.concern.person
    for message in mail.outbox:
        text = f"{message.subject} {message.body} {message.from_email}".lower()
        assert "safeguard" not in text
        # As a word: a generated name like "King" is inside "working".
        assert not re.search(rf"\b{re.escape(person.family_name.lower())}\b", text)
        assert "door chain" not in text


@pytest.mark.django_db
def test_codes_are_hashed_single_use_and_short_lived(client, practitioner, enquiry):
    offer(client, practitioner, enquiry)
    link = letter_link(client, practitioner, enquiry)
    client.get(link)
    client.post(reverse("enquiries:adult_sign_in"))
    code = last_code()
    stored = AdultSignInCode.objects.get()
    assert code not in stored.code_hash
    assert stored.expires_at - stored.created_at <= datetime.timedelta(minutes=10)
    AdultSignInCode.objects.update(expires_at=timezone.now())
    response = client.post(
        reverse("enquiries:adult_code"), {"code": code, "date_of_birth": "1950-04-02"}
    )
    assert response.status_code == 200
    assert "expired" in response.content.decode()
    assert services.SESSION_ACCESS not in client.session


@pytest.mark.django_db
def test_brute_force_locks_out_before_checking(client, practitioner, enquiry, settings):
    offer(client, practitioner, enquiry)
    link = letter_link(client, practitioner, enquiry)
    client.get(link)
    client.post(reverse("enquiries:adult_sign_in"))
    code = last_code()
    wrong = f"{(int(code) + 1) % 1_000_000:06d}"
    for _ in range(settings.ADULT_PAGE_MAX_ATTEMPTS):
        client.post(
            reverse("enquiries:adult_code"),
            {"code": wrong, "date_of_birth": "1950-04-02"},
        )
    page = AdultPageAccess.objects.get()
    assert page.locked_until and page.locked_until > timezone.now()
    # Even the right code and date are now refused, and no new code is sent.
    response = client.post(
        reverse("enquiries:adult_code"), {"code": code, "date_of_birth": "1950-04-02"}
    )
    assert "Too many wrong tries" in response.content.decode()
    sent = len(sms.outbox)
    client.post(reverse("enquiries:adult_sign_in"))
    assert len(sms.outbox) == sent
    assert services.SESSION_ACCESS not in client.session


@pytest.mark.django_db
def test_wrong_date_of_birth_is_refused(client, practitioner, enquiry):
    offer(client, practitioner, enquiry)
    link = letter_link(client, practitioner, enquiry)
    response = sign_in(client, link, born="1951-04-02")
    assert response.status_code == 200
    assert AdultPageAccess.objects.get().failed_attempts == 1


# --- Sessions -------------------------------------------------------------------


@pytest.mark.django_db
def test_revoking_ends_every_session_at_once(
    signed_in, client, practitioner, manager, enquiry
):
    from django.test import Client

    second = Client()
    second.cookies = client.cookies  # the same session, as a second tab
    assert client.get(reverse("enquiries:adult_home")).status_code == 200
    staff = Client()
    staff.force_login(manager)
    response = staff.post(
        reverse("enquiries:adult_page_end", args=[enquiry.reference]),
        {"action": "refuse", "reason": "Her grandson now has her phone."},
    )
    assert response.status_code == 302
    for name in ADULT_URL_NAMES:
        response = client.get(reverse(name))
        assert response.status_code == 302, name
        assert response["Location"] == reverse("enquiries:adult_signed_out")


@pytest.mark.django_db
def test_a_practitioner_cannot_refuse_but_can_revoke_their_own_offer(
    signed_in, client, practitioner, other_practitioner, enquiry
):
    from django.test import Client

    staff = Client()
    staff.force_login(other_practitioner)
    staff.post(
        reverse("enquiries:adult_page_end", args=[enquiry.reference]),
        {"action": "revoke", "reason": "Not mine to end"},
    )
    assert AdultPageAccess.objects.get().is_live
    staff.force_login(practitioner)
    staff.post(
        reverse("enquiries:adult_page_end", args=[enquiry.reference]),
        {"action": "refuse", "reason": "Trying to refuse"},
    )
    assert AdultPageAccess.objects.get().is_live
    staff.post(
        reverse("enquiries:adult_page_end", args=[enquiry.reference]),
        {"action": "revoke", "reason": "She asked me to close it."},
    )
    assert AdultPageAccess.objects.get().status == "revoked"
    assert client.get(reverse("enquiries:adult_home")).status_code == 302


@pytest.mark.django_db
def test_idle_session_ends(signed_in, client, settings):
    session = client.session
    session[services.SESSION_SEEN] -= settings.ADULT_PAGE_IDLE_SECONDS + 1
    session.save()
    assert client.get(reverse("enquiries:adult_home")).status_code == 302


@pytest.mark.django_db
def test_staff_pages_refuse_an_adult_session(signed_in, client, enquiry):
    for path in (
        reverse("home"),
        enquiry.get_absolute_url(),
        reverse("enquiries:adult_page_manage", args=[enquiry.reference]),
        enquiry.concern.person.get_absolute_url(),
    ):
        response = client.get(path)
        assert response.status_code == 302, path
        assert response["Location"].startswith("/sign-in/"), path


@pytest.mark.django_db
def test_adult_pages_refuse_a_staff_session(client, practitioner, enquiry):
    offer(client, practitioner, enquiry)
    client.force_login(practitioner)
    for name in ADULT_URL_NAMES:
        assert client.get(reverse(name)).status_code == 403, name


@pytest.mark.django_db
def test_staff_sign_in_drops_the_adult_session(signed_in, client, practitioner):
    client.force_login(practitioner)
    assert services.SESSION_ACCESS not in client.session


# --- What they see -----------------------------------------------------------------


@pytest.mark.django_db
def test_adult_reaches_only_their_own_case(signed_in, client, other_enquiry):
    # No adult URL takes a case's identifier: substituting another case's
    # reference or id anywhere in the path reaches nothing.
    adult_routes = [
        path
        for name, path in iter_patterns()
        if name
        and name.startswith("enquiries:adult_")
        and not name.startswith("enquiries:adult_page_")
    ]
    assert len(adult_routes) >= 12
    substitutes = [
        str(other_enquiry.reference),
        str(other_enquiry.pk),
        str(other_enquiry.concern.person.reference),
    ]
    for name in ADULT_URL_NAMES:
        html = client.get(reverse(name)).content.decode()
        assert "OTHER ADULT" not in html, name
        for value in substitutes:
            response = client.get(f"{reverse(name)}{value}/")
            assert response.status_code == 404, name
    # Staff URLs with the other case's reference send the adult to sign in.
    for name, _path in iter_patterns():
        if name and name.startswith("enquiries:adult_page_"):
            response = client.get(reverse(name, args=[other_enquiry.reference]))
            assert response.status_code in (302, 405), name
            if response.status_code == 302:
                assert response["Location"].startswith("/sign-in/")


@pytest.mark.django_db
def test_home_shows_outcomes_plan_worker_and_next(signed_in, client, practitioner):
    html = client.get(reverse("enquiries:adult_home")).content.decode()
    assert "I want to feel safe when my grandson visits" in html
    assert "Exit this page" in html
    assert practitioner.get_full_name() in html
    plan = client.get(reverse("enquiries:adult_plan")).content.decode()
    assert "Fit a door chain and a spy hole" in plan
    assert "Housing repairs team" in plan
    response = client.get(reverse("enquiries:adult_plan_easy_read"))
    assert "no-store" in response["Cache-Control"]
    assert "Who will do it" in response.content.decode()
    # Nothing on the adult's pages says what the service is for.
    for name in ADULT_URL_NAMES:
        assert "safeguard" not in client.get(reverse(name)).content.decode().lower()


@pytest.mark.django_db
def test_withheld_restricted_and_third_party_items_never_appear(
    signed_in, client, enquiry
):
    person = enquiry.concern.person
    Risk.objects.create(
        concern=enquiry.concern,
        risk_type=codes.RiskType.PHYSICAL,
        location=codes.RiskLocation.OWN_HOME,
        source=codes.RiskSource.KNOWN,
        source_person_name="GRANDSON SECRET NAME",
    )
    DesiredOutcomeFactory(
        person=person,
        enquiry=enquiry,
        expressed_by=codes.ViewSource.FAMILY,
        text="THE DAUGHTER WANTS A CARE HOME",
    )
    ConsentDecision.objects.create(
        person=person,
        enquiry=enquiry,
        question="police_referral",
        answer="declined",
        overridden=True,
        override_grounds=["crime"],
        override_reason="HIDDEN OVERRIDE REASON",
        adult_informed_of_override=False,
    )
    ConsentDecision.objects.create(
        person=person,
        enquiry=enquiry,
        question="share_information",
        agency="VISIBLE GP SURGERY",
        answer="consented",
    )
    pages = "".join(
        client.get(reverse(name)).content.decode() for name in ADULT_URL_NAMES
    )
    for secret in (
        "GRANDSON SECRET NAME",
        "THE DAUGHTER WANTS A CARE HOME",
        "HIDDEN OVERRIDE REASON",
        "Referral to the police",
    ):
        assert secret not in pages
    shared = client.get(reverse("enquiries:adult_information_shared")).content.decode()
    assert "VISIBLE GP SURGERY" in shared
    assert "Some information is withheld. Ask your worker." in shared
    # When the record says telling them is unsafe, no decision is shown.
    AdultPageAccess.objects.update(withhold_sharing=True, withhold_reason="risk")
    shared = client.get(reverse("enquiries:adult_information_shared")).content.decode()
    assert "VISIBLE GP SURGERY" not in shared
    assert "Some information is withheld" in shared


@pytest.mark.django_db
def test_who_has_looked_shows_team_and_role_not_names(
    signed_in, client, enquiry, other_practitioner
):
    from django.test import Client

    staff = Client()
    staff.force_login(other_practitioner)
    assert staff.get(enquiry.get_absolute_url()).status_code == 200
    html = client.get(reverse("enquiries:adult_who_has_looked")).content.decode()
    assert "North locality" in html
    assert other_practitioner.job_title in html
    assert other_practitioner.last_name not in html


# --- What they can do ------------------------------------------------------------------


@pytest.mark.django_db
def test_views_are_attributed_and_never_overwrite(
    signed_in, client, enquiry, practitioner
):
    staff_view = PersonView.objects.create(
        person=enquiry.concern.person,
        enquiry=enquiry,
        stage="plan",
        source="adult",
        views_text="Recorded by staff",
        recorded_by=practitioner,
    )
    response = client.post(
        reverse("enquiries:adult_your_words"),
        {"views_text": "I do not want my grandson banned, just not alone with me."},
    )
    assert response.status_code == 302, response.context["form"].errors
    view = PersonView.objects.exclude(pk=staff_view.pk).get()
    assert view.recorded_by is None and view.own_words
    assert view.stage == codes.Stage.PLAN and view.given_on == timezone.localdate()
    assert view.adult_page_entry.kind == AdultPageEntry.Kind.VIEWS
    staff_view.refresh_from_db()
    assert staff_view.views_text == "Recorded by staff"
    line = AuditEvent.objects.get(object_ref=str(view.adult_page_entry.pk))
    assert line.actor is None and line.actor_name == "adult's own page"
    # The worker sees it on the enquiry, marked as from the adult's page.
    client.post(reverse("enquiries:adult_sign_out"))
    client.force_login(practitioner)
    html = client.get(enquiry.get_absolute_url()).content.decode()
    assert "just not alone with me" in html
    assert (
        "From the adult&#x27;s own page" in html or "From the adult's own page" in html
    )


@pytest.mark.django_db
def test_plan_agreement_keeps_the_version_and_a_changed_plan_asks_again(
    signed_in, client, enquiry
):
    page = client.get(reverse("enquiries:adult_plan"))
    version = page.context["version"]
    response = client.post(
        reverse("enquiries:adult_plan"), {"agree": "yes", "version": version}
    )
    assert response.status_code == 302
    entry = AdultPageEntry.objects.get(kind="plan_agreed")
    assert entry.plan_version == version
    assert entry.plan_snapshot[0]["description"] == "Fit a door chain and a spy hole"
    html = client.get(reverse("enquiries:adult_home")).content.decode()
    assert "You said you agree with this plan." in html
    PlanAction.objects.filter(enquiry=enquiry).update(owner="Police")
    html = client.get(reverse("enquiries:adult_home")).content.decode()
    assert "Your plan has changed" in html
    # An answer to the old version is refused.
    response = client.post(
        reverse("enquiries:adult_plan"), {"agree": "yes", "version": version}
    )
    assert response.status_code == 200
    assert "The plan has changed" in response.content.decode()
    response = client.post(
        reverse("enquiries:adult_plan"),
        {
            "agree": "no",
            "version": client.get(reverse("enquiries:adult_plan")).context["version"],
        },
    )
    assert "Tell us what you do not agree with" in response.content.decode()


@pytest.mark.django_db
def test_call_back_tells_the_worker(
    signed_in, client, practitioner, enquiry, django_capture_on_commit_callbacks
):
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("enquiries:adult_call_back"), {"when": "Mornings"})
    assert AdultPageEntry.objects.filter(kind="call_back", text="Mornings").exists()
    assert [m.to for m in mail.outbox] == [[practitioner.email]]
    assert "Mornings" not in mail.outbox[0].body
    # And in the service itself: a notification about the enquiry, one per request.
    from msp.models import Notification

    notice = Notification.objects.get(recipient=practitioner)
    assert notice.kind == "adult_call_back"
    assert notice.object_ref == str(enquiry.reference)
    client.post(reverse("enquiries:adult_call_back"), {"when": "Evenings"})
    assert Notification.objects.filter(recipient=practitioner).count() == 2
    client.post(reverse("enquiries:adult_sign_out"))
    client.force_login(practitioner)
    html = client.get(reverse("notifications")).content.decode()
    assert "asked for a call-back on their own page" in html
    assert "Mornings" not in html


@pytest.mark.django_db
def test_polish_page(signed_in, client):
    client.post(
        reverse("enquiries:adult_language"), {"language": "pl", "next": "/my-page/"}
    )
    response = client.get(reverse("enquiries:adult_home"))
    html = response.content.decode()
    assert '<html lang="pl"' in html
    assert "Twoja strona" in html
    # The case data stays as written.
    assert "I want to feel safe when my grandson visits" in html
    # The shared page furniture too: exit, skip link, footer, text size.
    for english, polish in [
        ("Exit this page", "Wyjdź z tej strony"),
        ("Skip to main content", "Przejdź do głównej treści"),
        ("Accessibility statement", "Deklaracja dostępności"),
        ("Larger text", "Większy tekst"),
        ("See documents you can have", "Zobacz dokumenty, które możesz otrzymać"),
    ]:
        assert english not in html and polish in html, english
    # A form's error summary and the feedback scale.
    html = client.post(reverse("enquiries:adult_your_words"), {}).content.decode()
    assert "Wystąpił problem" in html and "There is a problem" not in html
    html = client.post(reverse("outcomes_adult:adult_feedback"), {}).content.decode()
    assert "Wystąpił problem" in html and "Wolę nie odpowiadać" in html
    assert "Prefer not to say" not in html
    # Staff pages stay English.
    client.post(reverse("enquiries:adult_sign_out"))
    html = client.get(reverse("login")).content.decode()
    assert "Skip to main content" in html and "Przejdź" not in html


@pytest.mark.django_db
def test_outcome_ratings_feed_the_evaluation_as_the_adults_own(
    signed_in, client, enquiry, practitioner, django_capture_on_commit_callbacks
):
    from enquiries.models import DesiredOutcome

    mine = DesiredOutcome.objects.get(enquiry=enquiry)
    rated_by_staff = DesiredOutcomeFactory(
        person=enquiry.concern.person,
        enquiry=enquiry,
        text="I want to keep seeing my grandson",
        achieved="partially",
        evaluated_with="adult",
        evaluated_by=practitioner,
    )
    response = client.post(reverse("enquiries:adult_how_did_it_go"), {})
    assert "Select how far this happened" in response.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("enquiries:adult_how_did_it_go"),
            {
                f"outcome_{mine.pk}": "fully",
                f"comment_{mine.pk}": "I feel safe now",
                f"outcome_{rated_by_staff.pk}": "not",
            },
        )
    assert response.status_code == 302
    mine.refresh_from_db()
    assert (mine.achieved, mine.evaluated_with, mine.evaluated_by) == (
        "fully",
        "adult",
        None,
    )
    assert mine.evaluation_comment == "I feel safe now"
    rated_by_staff.refresh_from_db()
    assert rated_by_staff.achieved == "partially"  # staff's record kept
    enquiry.refresh_from_db()
    # SG4a part 2: suggested from every outcome's rating (fully + partially).
    assert enquiry.outcomes_achieved == "partially"
    assert AuditEvent.objects.filter(
        actor_name="adult's own page", object_ref=str(mine.pk)
    ).exists()


@pytest.mark.django_db
def test_too_early_to_rate(signed_in, client, enquiry):
    enquiry.status = "in_progress"
    enquiry.save(update_fields=["status"])
    html = client.get(reverse("enquiries:adult_how_did_it_go")).content.decode()
    assert "when the work is nearly finished" in html
    assert (
        "Tell us how it went</a>"
        not in client.get(reverse("enquiries:adult_home")).content.decode()
    )


@pytest.mark.django_db
def test_demo_adult_signs_in_with_the_printed_invitation(client, practitioner, team):
    import io

    from enquiries.adult_page_demo import create_demo_adult_page, print_demo_invitation

    out = io.StringIO()
    create_demo_adult_page(
        staff={"practitioner": practitioner, "teams": [team]}, out=out
    )
    link = re.search(r"http://127\.0\.0\.1:8000(/my-page/start/\S+/)", out.getvalue())
    assert "14 March 1948" in out.getvalue()
    response = sign_in(client, link.group(1), born="1948-03-14")
    assert response.status_code == 302
    assert "door chain" in client.get(reverse("enquiries:adult_plan")).content.decode()
    # Run again (make run on an existing demo): a new link, the old one spent.
    client.post(reverse("enquiries:adult_sign_out"))
    again = io.StringIO()
    practitioner.username = "practitioner"
    practitioner.save(update_fields=["username"])
    print_demo_invitation(staff=None, out=again)
    fresh = re.search(r"(/my-page/start/\S+/)", again.getvalue()).group(1)
    assert fresh != link.group(1)
    assert client.get(link.group(1)).status_code == 410
    assert client.get(fresh).status_code == 302


@pytest.mark.django_db
def test_views_pages_mark_what_came_from_the_adults_page(
    signed_in, client, enquiry, practitioner
):
    client.post(
        reverse("enquiries:adult_your_words"), {"views_text": "Written at home"}
    )
    client.post(reverse("enquiries:adult_sign_out"))
    client.force_login(practitioner)
    for path in (
        reverse("enquiries:view_list", args=["enquiry", enquiry.reference]),
        reverse("enquiries:enquiry_plan", args=[enquiry.reference]),
    ):
        html = client.get(path).content.decode()
        assert "Written at home" in html, path
        assert "From the adult&#x27;s own page" in html or (
            "From the adult's own page" in html
        ), path


def _grow(enquiry, count):
    for index in range(count):
        outcome = DesiredOutcomeFactory(
            person=enquiry.concern.person, enquiry=enquiry, text=f"Wish {index}"
        )
        action = PlanAction.objects.create(
            enquiry=enquiry,
            description=f"Action {index}",
            owner="Someone",
            due_on=timezone.localdate(),
        )
        action.desired_outcomes.add(outcome)


@pytest.mark.django_db
def test_adult_pages_do_not_query_per_row(signed_in, client, enquiry, practitioner):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    names = ADULT_URL_NAMES[:5]

    def counts():
        result = {}
        for name in names:
            with CaptureQueriesContext(connection) as queries:
                assert client.get(reverse(name)).status_code == 200
            result[name] = len(queries)
        return result

    before = counts()
    _grow(enquiry, 6)
    for _ in range(3):
        client.post(reverse("enquiries:adult_call_back"), {"when": "Any time"})
    assert counts() == before


@pytest.mark.django_db
def test_without_an_adult_session_every_adult_page_sends_to_signed_out(client):
    for name in ADULT_URL_NAMES:
        for method in (client.get, client.post):
            response = method(reverse(name))
            assert response.status_code == 302, name
            assert response["Location"] == reverse("enquiries:adult_signed_out")


@pytest.mark.django_db
def test_code_may_be_typed_with_a_space_and_closed_enquiries_get_no_offer(
    client, practitioner, enquiry
):
    offer(client, practitioner, enquiry)
    link = letter_link(client, practitioner, enquiry)
    client.get(link)
    client.post(reverse("enquiries:adult_sign_in"))
    code = last_code()
    response = client.post(
        reverse("enquiries:adult_code"),
        {"code": f"{code[:3]} {code[3:]}", "date_of_birth": "1950-04-02"},
    )
    assert response.status_code == 302
    closed = EnquiryFactory(concluded=True)
    client.force_login(practitioner)
    from enquiries.services import adult_page as adult_services

    with pytest.raises(ValidationError, match="closed"):
        adult_services.offer_page(
            user=practitioner,
            enquiry=closed,
            data=dict(SAFE),
        )


@pytest.mark.django_db
def test_link_for_next_time_goes_only_to_the_confirmed_mobile(
    signed_in, client, django_capture_on_commit_callbacks
):
    sms.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("enquiries:adult_return_link"))
    assert response.status_code == 302
    assert [m.to for m in sms.outbox] == ["07700900982"]
    assert "safeguard" not in sms.outbox[0].body.lower()
    fresh = re.search(r"/my-page/start/\S+/", sms.outbox[0].body).group(0)
    # Once an hour.
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("enquiries:adult_return_link"))
    assert len(sms.outbox) == 1
    # The new link signs in again (once).
    client.post(reverse("enquiries:adult_sign_out"))
    assert sign_in(client, fresh).status_code == 302
    client.post(reverse("enquiries:adult_sign_out"))
    assert client.get(fresh).status_code == 410


@pytest.mark.django_db
def test_asking_for_a_copy_makes_a_subject_access_request(
    signed_in, client, enquiry, practitioner
):
    assert client.get(reverse("enquiries:adult_copy_of_information")).status_code == 200
    response = client.post(reverse("enquiries:adult_copy_of_information"))
    entry = AdultPageEntry.objects.get(kind="copy_requested")
    assert entry.respond_by > timezone.localdate()
    assert entry.respond_by.strftime("%-d %B %Y") in response.content.decode()
    client.post(reverse("enquiries:adult_sign_out"))
    client.force_login(practitioner)
    html = client.get(enquiry.get_absolute_url()).content.decode()
    assert "Subject access request: answer by" in html


# --- Documents shared with them ------------------------------------------------------


@pytest.fixture
def documents_storage(settings, tmp_path):
    settings.STORAGES = {
        **settings.STORAGES,
        "documents": {
            "BACKEND": "msp.storage.PrivateFileSystemStorage",
            "OPTIONS": {"location": str(tmp_path / "documents")},
        },
    }


def _document(user, person, title, **fields):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from enquiries.documents_demo import tiny_pdf
    from enquiries.models import DocumentKind
    from enquiries.services import documents as document_services

    values = {
        "title": title,
        "kind": DocumentKind.objects.get(code="medical"),
        "document_date": datetime.date(2026, 2, 1),
        "provided_by": "Riverside Surgery",
        "sensitivity": "yes",
    }
    values.update(fields)
    return document_services.store_document(
        user=user,
        person=person,
        upload=SimpleUploadedFile("a.pdf", tiny_pdf(title, "page")),
        **values,
    )


@pytest.mark.django_db
def test_only_shareable_documents_of_their_own_are_listed_and_downloaded(
    documents_storage,
    signed_in,
    client,
    practitioner,
    enquiry,
    other_enquiry,
    django_assert_max_num_queries,
):
    from enquiries.factories import EnquiryFactory as Another
    from enquiries.services import documents as document_services

    person = enquiry.concern.person
    shared = _document(practitioner, person, "Letter from the GP", enquiry=enquiry)
    own = _document(practitioner, person, "My statement", adults_own=True)
    never = [
        _document(
            practitioner,
            person,
            "SECRET police report",
            sensitivity="no",
            sensitivity_reason="Police operation",
        ),
        _document(
            practitioner,
            person,
            "SECRET ask the GP",
            sensitivity="ask_first",
            sensitivity_reason="Ask Dr Shah",
            adults_own=True,
        ),
        _document(practitioner, person, "SECRET withdrawn letter"),
        # Their own person's, but held with another case of theirs.
        _document(
            practitioner,
            person,
            "SECRET other case",
            enquiry=Another(concern__person=person, team=enquiry.team),
        ),
    ]
    document_services.withdraw_document(
        user=practitioner, document=never[2], reason="Uploaded to the wrong record"
    )
    theirs = _document(
        practitioner, other_enquiry.concern.person, "SECRET other adult's letter"
    )
    with django_assert_max_num_queries(8):
        html = client.get(reverse("enquiries:adult_documents")).content.decode()
    assert "Letter from the GP" in html and "My statement" in html
    assert "Your own document" in html
    assert "SECRET" not in html
    assert "See documents you can have" in (
        client.get(reverse("enquiries:adult_home")).content.decode()
    )

    response = client.get(
        reverse("enquiries:adult_document_download", args=[shared.reference])
    )
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment")
    assert "no-store" in response["Cache-Control"]
    body = b"".join(response.streaming_content)
    assert body.startswith(b"%PDF")
    line = AuditEvent.objects.get(object_ref=str(shared.reference), action="view")
    assert line.actor is None and line.actor_name == "adult's own page"
    # The adult's read is not a member of staff opening their record.
    assert "adult's own page" not in (
        client.get(reverse("enquiries:adult_who_has_looked")).content.decode()
    )
    assert (
        client.get(
            reverse("enquiries:adult_document_download", args=[own.reference])
        ).status_code
        == 200
    )
    # URL substitution: another adult's document, or one never to be shared.
    before = AuditEvent.objects.filter(action="view", actor__isnull=True).count()
    for document in [theirs, *never]:
        response = client.get(
            reverse("enquiries:adult_document_download", args=[document.reference])
        )
        assert response.status_code == 404, document.title
    assert AuditEvent.objects.filter(action="view", actor__isnull=True).count() == (
        before
    )
    # Without an adult session: signed out, nothing sent.
    client.post(reverse("enquiries:adult_sign_out"))
    response = client.get(
        reverse("enquiries:adult_document_download", args=[shared.reference])
    )
    assert response.status_code == 302


# --- Feedback questions at the end ------------------------------------------------------


@pytest.mark.django_db
def test_feedback_questions_answered_by_the_adult_feed_the_dashboard(
    signed_in, client, enquiry, practitioner
):
    from outcomes.models import FeedbackFollowUp, FeedbackResponse
    from outcomes.reports import feedback_summary
    from outcomes.services import active_questionnaire

    url = reverse("outcomes_adult:adult_feedback")
    questions = list(active_questionnaire().questions.all())
    assert questions
    home = client.get(reverse("enquiries:adult_home")).content.decode()
    assert url in home
    html = client.get(url).content.decode()
    assert questions[0].text in html and "Prefer not to say" in html
    # Nothing chosen: an error summary, nothing saved.
    response = client.post(url, {"comment": "Kind people"})
    html = response.content.decode()
    assert "There is a problem" in html and "Kind people" in html
    assert not FeedbackResponse.objects.exists()

    enquiry.status = "closed"
    enquiry.concluded_on = timezone.localdate()
    enquiry.save(update_fields=["status", "concluded_on"])
    follow_up = FeedbackFollowUp.objects.create(
        enquiry=enquiry,
        closed_on=timezone.localdate(),
        due_on=timezone.localdate() + datetime.timedelta(weeks=8),
    )
    answers = {f"question_{q.pk}": "agree" for q in questions}
    answers[f"question_{questions[-1].pk}"] = "prefer_not_to_say"
    response = client.post(url, {**answers, "comment": "Kind people"})
    assert response.status_code == 302
    given = FeedbackResponse.objects.get(enquiry=enquiry)
    assert (given.respondent, given.collected_by, given.created_by) == (
        "adult",
        "own_page",
        None,
    )
    assert given.comment == "Kind people"
    assert given.answers.count() == len(questions)
    follow_up.refresh_from_db()
    assert follow_up.response == given  # the follow-up is answered
    assert AuditEvent.objects.filter(
        actor_name="adult's own page", object_ref=str(given.reference)
    ).exists()
    # Counted with every other response on the dashboard.
    summary = feedback_summary(type(enquiry).objects.filter(pk=enquiry.pk))
    first = summary["questions"][0]
    assert first["question"] == questions[0].text and first["agree"] == 1
    assert ("The adult", 1) in summary["respondents"]
    # Once only.
    assert "already answered" in client.get(url).content.decode()
    assert client.post(url, answers).status_code == 200
    assert FeedbackResponse.objects.count() == 1
    # Staff never record feedback as "answered on the adult's own page".
    client.post(reverse("enquiries:adult_sign_out"))
    client.force_login(practitioner)
    response = client.get(reverse("outcomes:feedback_add", args=[enquiry.reference]))
    assert response.status_code == 200
    assert "Who asked the questions?" in response.content.decode()
    assert "their own page" not in response.content.decode()


# --- Larger text ---------------------------------------------------------------------


@pytest.mark.django_db
def test_larger_text_switch_works_without_javascript(signed_in, client):
    html = client.get(reverse("enquiries:adult_plan")).content.decode()
    assert "app-large-text" not in html and "Larger text</button>" in html
    response = client.post(
        reverse("enquiries:adult_text_size"),
        {"size": "large", "next": reverse("enquiries:adult_plan")},
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("enquiries:adult_plan")
    for name in ADULT_URL_NAMES:
        html = client.get(reverse(name)).content.decode()
        assert re.search(r'<html [^>]*class="[^"]*\bapp-large-text\b', html), name
        assert "Standard text size</button>" in html, name
    # Another site as "next" is ignored; "standard" turns it off.
    response = client.post(
        reverse("enquiries:adult_text_size"),
        {"size": "standard", "next": "https://example.com/"},
    )
    assert response["Location"] == reverse("enquiries:adult_home")
    assert "app-large-text" not in client.get(response["Location"]).content.decode()


@pytest.mark.django_db
def test_larger_text_chosen_before_signing_in_is_kept(client, practitioner, enquiry):
    assert offer(client, practitioner, enquiry).status_code == 302
    link = letter_link(client, practitioner, enquiry)
    client.get(link)
    client.post(
        reverse("enquiries:adult_text_size"),
        {"size": "large", "next": reverse("enquiries:adult_sign_in")},
    )
    html = client.get(reverse("enquiries:adult_sign_in")).content.decode()
    assert "app-large-text" in html
    client.post(reverse("enquiries:adult_sign_in"))
    client.post(
        reverse("enquiries:adult_code"),
        {"code": last_code(), "date_of_birth": "1950-04-02"},
    )
    html = client.get(reverse("enquiries:adult_home")).content.decode()
    assert "Your page" in html and "app-large-text" in html
