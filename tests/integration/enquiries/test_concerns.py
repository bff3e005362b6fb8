"""Concerns: recording, risks, the three-part test, the decision, and the
adult's views, desired outcomes and consent on a concern or an enquiry."""

import datetime

import pytest
from django.urls import reverse

from enquiries.factories import (
    ConcernFactory,
    EnquiryFactory,
    OrganisationFactory,
    PersonFactory,
    PersonViewFactory,
    RiskFactory,
)
from enquiries.models import (
    Allocation,
    Concern,
    ConsentDecision,
    DesiredOutcome,
    Enquiry,
    PersonView,
    Risk,
)
from msp.models import AuditEvent

pytestmark = pytest.mark.django_db


@pytest.fixture
def person(team):
    return PersonFactory(given_name="Edith", family_name="Marsden", team=team)


@pytest.fixture
def concern(person, practitioner):
    return ConcernFactory(person=person, allocated_to=practitioner)


@pytest.fixture
def foreign_concern(other_team):
    return ConcernFactory(person=PersonFactory(team=other_team))


def concern_data(**overrides):
    data = {
        "received_on": datetime.date.today().isoformat(),
        "received_via": "phone",
        "in_our_area": "on",
        "referrer_type": "health",
        "referrer_name": "Dr Okoro",
        "summary": "Bruising on both arms noticed at the surgery.",
        "adult_aware": "yes",
    }
    data.update(overrides)
    return data


def views_data(**overrides):
    data = {
        "stage": "concern",
        "source": "adult",
        "method": "face_to_face",
        "views_text": "I don't want my son to get into trouble.",
        "own_words": "on",
    }
    data.update(overrides)
    return data


def test_record_concern_then_risks_with_add_another_loop(client, practitioner, person):
    client.force_login(practitioner)
    response = client.post(
        reverse("enquiries:concern_create", args=[person.reference]), concern_data()
    )
    concern = Concern.objects.get(person=person)
    assert response["Location"] == reverse(
        "enquiries:risk_add", args=[concern.reference]
    )
    assert concern.team == person.team
    assert concern.allocated_to == practitioner
    assert concern.status == Concern.Status.RECEIVED
    risk_url = reverse("enquiries:risk_add", args=[concern.reference])
    first = client.post(
        risk_url,
        {
            "risk_type": "physical",
            "location": "own_home",
            "source": "known",
            "source_person_name": "Gary Marsden",
            "source_relationship": "Son",
            "add_another": "Save and add another risk",
        },
    )
    assert first["Location"] == risk_url
    provider = OrganisationFactory(name="Sunnyside Care")
    second = client.post(
        risk_url,
        {
            "risk_type": "neglect_omission",
            "location": "own_home",
            "source": "service_provider",
            "source_organisation": provider.pk,
        },
    )
    assert second["Location"] == concern.get_absolute_url()
    assert concern.risks.count() == 2
    html = client.get(concern.get_absolute_url()).content.decode()
    assert "Gary Marsden" in html and "Sunnyside Care" in html
    assert person.chronology.filter(kind="concern").count() == 3


def test_anonymous_referrer_is_allowed(client, practitioner, person):
    client.force_login(practitioner)
    client.post(
        reverse("enquiries:concern_create", args=[person.reference]),
        concern_data(referrer_type="anonymous", referrer_name=""),
    )
    assert Concern.objects.get(person=person).referrer_anonymous


def test_concern_invalid_keeps_input(client, practitioner, person):
    client.force_login(practitioner)
    future = (datetime.date.today() + datetime.timedelta(days=3)).isoformat()
    response = client.post(
        reverse("enquiries:concern_create", args=[person.reference]),
        concern_data(summary="", received_on=future, referrer_name="Dr Kept"),
    )
    html = response.content.decode()
    assert "There is a problem" in html
    assert "Enter what happened" in html
    assert 'value="Dr Kept"' in html
    assert not Concern.objects.exists()


def test_risk_needs_type_location_source(client, practitioner, concern):
    client.force_login(practitioner)
    response = client.post(reverse("enquiries:risk_add", args=[concern.reference]), {})
    html = response.content.decode()
    assert "Select type of risk" in html
    assert "Select where it happened" in html
    assert not Risk.objects.exists()


def test_other_team_concern_pages_are_404(client, practitioner, foreign_concern):
    client.force_login(practitioner)
    ref = foreign_concern.reference
    for name in ("concern_detail", "concern_edit", "risk_add", "concern_test"):
        assert client.get(reverse(f"enquiries:{name}", args=[ref])).status_code == 404
    for name in ("view_add", "desired_outcomes", "consent_add"):
        url = reverse(f"enquiries:{name}", args=["concern", ref])
        assert client.get(url).status_code == 404


def test_unknown_case_type_is_404(client, practitioner, concern):
    client.force_login(practitioner)
    url = reverse("enquiries:view_list", args=["budget", concern.reference])
    assert client.get(url).status_code == 404


def test_auditor_cannot_write_concern_pages(client, auditor, concern):
    client.force_login(auditor)
    ref = concern.reference
    person_ref = concern.person.reference
    assert (
        client.post(
            reverse("enquiries:concern_create", args=[person_ref]), concern_data()
        ).status_code
        == 403
    )
    for name in ("concern_edit", "risk_add", "concern_test", "concern_decision"):
        assert (
            client.post(reverse(f"enquiries:{name}", args=[ref]), {}).status_code == 403
        )
    for name in ("view_add", "desired_outcome_add", "consent_add"):
        url = reverse(f"enquiries:{name}", args=["concern", ref])
        assert client.post(url, {}).status_code == 403
    assert Concern.objects.count() == 1
    assert not PersonView.objects.exists()


def test_edit_concern_conflict_shows_what_changed(
    client, practitioner, other_practitioner, concern
):
    client.force_login(practitioner)
    Concern.objects.filter(pk=concern.pk).update(
        version=2, summary="Updated by a colleague", updated_by=other_practitioner
    )
    response = client.post(
        reverse("enquiries:concern_edit", args=[concern.reference]),
        concern_data(summary="My edit", version=1),
    )
    html = response.content.decode()
    assert "saved this record while you were editing" in html
    assert "Updated by a colleague" in html
    assert "My edit" in html
    concern.refresh_from_db()
    assert concern.summary == "Updated by a colleague"


def test_edit_concern_saves(client, practitioner, concern):
    client.force_login(practitioner)
    response = client.post(
        reverse("enquiries:concern_edit", args=[concern.reference]),
        concern_data(summary="Clarified summary", version=concern.version),
    )
    assert response.status_code == 302
    concern.refresh_from_db()
    assert concern.summary == "Clarified summary"


def test_three_part_test_each_judged_with_reasons(client, practitioner, concern):
    client.force_login(practitioner)
    url = reverse("enquiries:concern_test", args=[concern.reference])
    incomplete = client.post(url, {"criterion_care_needs": "yes", "version": 1})
    assert "Enter reasons: needs for care and support" in incomplete.content.decode()
    client.post(
        url,
        {
            "criterion_care_needs": "yes",
            "criterion_care_needs_reason": "Dementia, daily carers",
            "criterion_abuse": "yes",
            "criterion_abuse_reason": "Unexplained bruising",
            "criterion_unable_to_protect": "dont_know",
            "criterion_unable_to_protect_reason": "Not yet spoken to her",
            "version": 1,
        },
    )
    concern.refresh_from_db()
    assert concern.status == Concern.Status.INFORMATION_GATHERING
    assert concern.criterion_unable_to_protect == "dont_know"
    assert not concern.three_part_test_met


def decide(client, concern, **overrides):
    data = {
        "decision": "section_42",
        "decision_reason": "All three parts met; she wants help.",
        "referrer_feedback_on": datetime.date.today().isoformat(),
        "referrer_feedback": "Told Dr Okoro an enquiry has started.",
        "version": Concern.objects.get(pk=concern.pk).version,
    }
    data.update(overrides)
    return client.post(
        reverse("enquiries:concern_decision", args=[concern.reference]), data
    )


def meet_test(concern):
    Concern.objects.filter(pk=concern.pk).update(
        criterion_care_needs="yes",
        criterion_abuse="yes",
        criterion_unable_to_protect="yes",
        status="information_gathering",
    )


def test_decision_blocked_until_views_recorded(client, practitioner, concern):
    meet_test(concern)
    client.force_login(practitioner)
    response = decide(client, concern)
    assert "Record the adult&#x27;s views" in response.content.decode()
    assert not Enquiry.objects.exists()
    concern.refresh_from_db()
    assert concern.decision == ""


def test_decision_allowed_when_views_could_not_be_obtained(
    client, practitioner, concern
):
    meet_test(concern)
    PersonViewFactory(
        person=concern.person,
        concern=concern,
        stage="information_gathering",
        source="not_obtained",
        not_obtained_reason="unsafe",
        views_text="",
    )
    client.force_login(practitioner)
    assert decide(client, concern).status_code == 302


def test_section_42_decision_opens_enquiry_with_copied_risks(
    client, practitioner, concern
):
    meet_test(concern)
    RiskFactory(concern=concern, risk_type="financial_material")
    PersonViewFactory(person=concern.person, concern=concern)
    client.force_login(practitioner)
    response = decide(client, concern)
    assert response.status_code == 302
    concern.refresh_from_db()
    assert concern.status == Concern.Status.DECIDED
    assert concern.decided_by == practitioner
    enquiry = Enquiry.objects.get(concern=concern)
    assert enquiry.kind == enquiry.kind_at_start == "section_42"
    assert enquiry.status == Enquiry.Status.PLANNING
    assert enquiry.started_on == datetime.date.today()
    assert enquiry.team == concern.team
    assert enquiry.allocated_to == practitioner
    assert list(enquiry.risks.values_list("risk_type", flat=True)) == [
        "financial_material"
    ]
    assert concern.risks.filter(enquiry__isnull=True).count() == 1
    assert Allocation.objects.filter(enquiry=enquiry, worker=practitioner).exists()
    assert AuditEvent.objects.filter(object_ref=str(enquiry.reference)).exists()
    assert concern.person.chronology.filter(kind="enquiry").exists()
    again = client.get(reverse("enquiries:concern_decision", args=[concern.reference]))
    assert again.status_code == 302  # already decided: cannot decide twice


def test_section_42_refused_when_test_not_met(client, practitioner, concern):
    PersonViewFactory(person=concern.person, concern=concern)
    client.force_login(practitioner)
    response = decide(client, concern)
    assert "needs all three parts of the test met" in response.content.decode()
    assert not Enquiry.objects.exists()


def test_other_enquiry_and_no_enquiry_decisions(client, practitioner, person):
    client.force_login(practitioner)
    other = ConcernFactory(person=person)
    PersonViewFactory(person=person, concern=other)
    decide(client, other, decision="other_enquiry")
    assert Enquiry.objects.get(concern=other).kind == "other"

    none = ConcernFactory(person=person)
    PersonViewFactory(person=person, concern=none)
    missing = decide(client, none, decision="no_enquiry")
    assert "Select what happens instead" in missing.content.decode()
    decide(client, none, decision="no_enquiry", other_pathway="information_advice")
    none.refresh_from_db()
    assert none.decision == "no_enquiry"
    assert not Enquiry.objects.filter(concern=none).exists()


def test_views_are_append_only_with_corrections(client, practitioner, concern):
    client.force_login(practitioner)
    client.post(
        reverse("enquiries:view_add", args=["concern", concern.reference]), views_data()
    )
    original = PersonView.objects.get()
    assert original.person == concern.person and original.recorded_by == practitioner
    correct_url = reverse(
        "enquiries:view_correct", args=["concern", concern.reference, original.pk]
    )
    missing_reason = client.post(correct_url, views_data(views_text="Corrected"))
    assert "Enter why the earlier entry is being corrected" in (
        missing_reason.content.decode()
    )
    client.post(
        correct_url,
        views_data(
            views_text="I don't want my grandson to get into trouble.",
            correction_reason="It was her grandson, not her son",
        ),
    )
    assert PersonView.objects.count() == 2
    original.refresh_from_db()
    assert original.views_text == "I don't want my son to get into trouble."
    assert (
        original.superseded_by.correction_reason == "It was her grandson, not her son"
    )
    html = client.get(
        reverse("enquiries:view_list", args=["concern", concern.reference])
    ).content.decode()
    assert "Superseded" in html and "grandson" in html and "my son" in html


def test_views_need_words_or_a_reason(client, practitioner, concern):
    client.force_login(practitioner)
    url = reverse("enquiries:view_add", args=["concern", concern.reference])
    no_words = client.post(url, views_data(views_text=""))
    assert "Enter what they said" in no_words.content.decode()
    no_reason = client.post(url, views_data(source="not_obtained", views_text=""))
    assert "Select why the views could not be obtained" in no_reason.content.decode()
    assert not PersonView.objects.exists()


def test_desired_outcomes_add_revise_withdraw_with_history(
    client, practitioner, concern
):
    client.force_login(practitioner)
    client.post(
        reverse("enquiries:desired_outcome_add", args=["concern", concern.reference]),
        {
            "stage": "concern",
            "text": "I want to stay in my flat.",
            "expressed_by": "adult",
        },
    )
    first = DesiredOutcome.objects.get()
    client.post(
        reverse(
            "enquiries:desired_outcome_revise",
            args=["concern", concern.reference, first.pk],
        ),
        {
            "stage": "information_gathering",
            "text": "I want to stay in my flat with carers twice a day.",
            "reason": "Talked it through with her daughter",
        },
    )
    first.refresh_from_db()
    assert first.status == DesiredOutcome.Status.REVISED
    revised = first.revised_by
    assert revised.revision_reason == "Talked it through with her daughter"
    detail = client.get(concern.get_absolute_url()).content.decode()
    assert "carers twice a day" in detail  # the panel shows current outcomes
    client.post(
        reverse(
            "enquiries:desired_outcome_withdraw",
            args=["concern", concern.reference, revised.pk],
        ),
        {"reason": "She no longer wants this"},
    )
    revised.refresh_from_db()
    assert revised.status == DesiredOutcome.Status.WITHDRAWN
    history = client.get(
        reverse("enquiries:desired_outcomes", args=["concern", concern.reference])
    ).content.decode()
    assert "Withdrawn because: She no longer wants this" in history
    assert "I want to stay in my flat." in history


def test_revising_needs_a_reason(client, practitioner, concern):
    outcome = DesiredOutcome.objects.create(
        person=concern.person, concern=concern, stage="concern", text="Feel safe"
    )
    client.force_login(practitioner)
    response = client.post(
        reverse(
            "enquiries:desired_outcome_revise",
            args=["concern", concern.reference, outcome.pk],
        ),
        {"stage": "concern", "text": "Feel safer", "reason": ""},
    )
    assert "Enter why it has changed" in response.content.decode()
    outcome.refresh_from_db()
    assert outcome.status == "active"


def test_consent_override_needs_second_person(
    client, practitioner, other_practitioner, concern
):
    client.force_login(practitioner)
    add_url = reverse("enquiries:consent_add", args=["concern", concern.reference])
    no_grounds = client.post(
        add_url,
        {"question": "police_referral", "answer": "declined", "overridden": "on"},
    )
    assert "Select the grounds for overriding" in no_grounds.content.decode()
    client.post(
        add_url,
        {
            "question": "police_referral",
            "answer": "declined",
            "overridden": "on",
            "override_grounds": ["crime", "risk_to_others"],
            "override_reason": "Son also threatens a neighbour.",
            "adult_informed_of_override": "yes",
        },
    )
    consent = ConsentDecision.objects.get()
    assert consent.override_pending_confirmation
    list_url = reverse("enquiries:consent_list", args=["concern", concern.reference])
    assert "Override awaiting confirmation" in client.get(list_url).content.decode()
    confirm_url = reverse(
        "enquiries:consent_confirm", args=["concern", concern.reference, consent.pk]
    )
    same = client.post(confirm_url, {"confirm": "on"})
    assert "You recorded this override" in same.content.decode()
    consent.refresh_from_db()
    assert consent.override_pending_confirmation
    client.force_login(other_practitioner)
    client.post(confirm_url, {"confirm": "on"})
    consent.refresh_from_db()
    assert consent.override_confirmed_by == other_practitioner
    assert "Override awaiting confirmation" not in client.get(list_url).content.decode()


def test_consent_not_asked_needs_reason(client, practitioner, concern):
    client.force_login(practitioner)
    response = client.post(
        reverse("enquiries:consent_add", args=["concern", concern.reference]),
        {"question": "proceed_enquiry", "answer": "not_asked"},
    )
    assert "Enter why the adult was not asked" in response.content.decode()
    assert not ConsentDecision.objects.exists()


def test_views_outcomes_and_consent_work_on_an_enquiry(client, practitioner, team):
    enquiry = EnquiryFactory(
        concern__person=PersonFactory(team=team), status="planning"
    )
    DesiredOutcome.objects.create(
        person=enquiry.concern.person,
        concern=enquiry.concern,
        stage="concern",
        text="Get my savings back",
    )
    client.force_login(practitioner)
    ref = enquiry.reference
    client.post(
        reverse("enquiries:view_add", args=["enquiry", ref]),
        views_data(stage="planning"),
    )
    view = PersonView.objects.get()
    assert view.enquiry == enquiry and view.concern is None and view.stage == "planning"
    outcomes_url = reverse("enquiries:desired_outcomes", args=["enquiry", ref])
    page = client.get(outcomes_url).content.decode()
    assert "Get my savings back" in page  # carried over from the concern
    client.post(
        outcomes_url, {"asked_desired_outcomes": "yes", "version": enquiry.version}
    )
    enquiry.refresh_from_db()
    assert enquiry.asked_desired_outcomes == "yes"
    stale = client.post(outcomes_url, {"asked_desired_outcomes": "no", "version": 1})
    assert "saved this record while you were editing" in stale.content.decode()
    client.post(
        reverse("enquiries:consent_add", args=["enquiry", ref]),
        {"question": "share_information", "agency": "Police", "answer": "consented"},
    )
    assert ConsentDecision.objects.get().enquiry == enquiry


def test_concern_stage_pages_show_desired_outcomes(client, practitioner, concern):
    DesiredOutcome.objects.create(
        person=concern.person, concern=concern, stage="concern", text="Be left alone"
    )
    client.force_login(practitioner)
    for url in (
        reverse("enquiries:concern_test", args=[concern.reference]),
        reverse("enquiries:view_add", args=["concern", concern.reference]),
        reverse("enquiries:consent_list", args=["concern", concern.reference]),
    ):
        assert "Be left alone" in client.get(url).content.decode()


def test_lead_sees_every_team_concern(client, lead, foreign_concern):
    client.force_login(lead)
    response = client.get(foreign_concern.get_absolute_url())
    assert response.status_code == 200


def test_confirm_override_scope_and_readers(
    client, practitioner, auditor, other_team_practitioner, concern
):
    consent = ConsentDecision.objects.create(
        person=concern.person,
        concern=concern,
        question="police_referral",
        answer="declined",
        overridden=True,
        override_grounds=["crime"],
        override_reason="Theft",
        recorded_by=practitioner,
    )
    url = reverse(
        "enquiries:consent_confirm", args=["concern", concern.reference, consent.pk]
    )
    client.force_login(auditor)
    assert client.post(url, {"confirm": "on"}).status_code == 403
    client.force_login(other_team_practitioner)
    assert client.post(url, {"confirm": "on"}).status_code == 404
    consent.refresh_from_db()
    assert consent.override_pending_confirmation


def test_confirm_override_needs_the_box_ticked(
    client, practitioner, other_practitioner, concern
):
    consent = ConsentDecision.objects.create(
        person=concern.person,
        concern=concern,
        question="police_referral",
        answer="declined",
        overridden=True,
        override_grounds=["crime"],
        override_reason="Theft",
        recorded_by=practitioner,
    )
    client.force_login(other_practitioner)
    url = reverse(
        "enquiries:consent_confirm", args=["concern", concern.reference, consent.pk]
    )
    response = client.post(url, {})
    assert "Confirm that you have reviewed the grounds" in response.content.decode()
    consent.refresh_from_db()
    assert consent.override_pending_confirmation


def test_decision_page_shows_test_and_views_warning(client, practitioner, concern):
    meet_test(concern)
    client.force_login(practitioner)
    html = client.get(
        reverse("enquiries:concern_decision", args=[concern.reference])
    ).content.decode()
    assert "needs for care and support: yes" in html
    assert "must be recorded before you can decide" in html


def test_decision_conflict_keeps_choice(client, practitioner, concern):
    meet_test(concern)
    PersonViewFactory(person=concern.person, concern=concern)
    client.force_login(practitioner)
    response = decide(client, concern, version=0, decision_reason="My reasons")
    html = response.content.decode()
    assert "saved this record while you were editing" in html
    assert "My reasons" in html
    assert not Enquiry.objects.exists()


def test_concern_lists_have_constant_queries(
    client, practitioner, concern, django_assert_num_queries
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(practitioner)
    urls = [
        concern.get_absolute_url(),
        reverse("enquiries:view_list", args=["concern", concern.reference]),
        reverse("enquiries:desired_outcomes", args=["concern", concern.reference]),
        reverse("enquiries:consent_list", args=["concern", concern.reference]),
    ]

    def add(n):
        for i in range(n):
            PersonViewFactory(
                person=concern.person, concern=concern, views_text=f"V{i}"
            )
            DesiredOutcome.objects.create(
                person=concern.person, concern=concern, stage="concern", text=f"O{i}"
            )
            RiskFactory(concern=concern)
            ConsentDecision.objects.create(
                person=concern.person,
                concern=concern,
                question="raise_concern",
                answer="consented",
                recorded_by=practitioner,
            )

    add(1)
    counts = []
    for url in urls:
        client.get(url)
        with CaptureQueriesContext(connection) as few:
            client.get(url)
        counts.append(len(few))
    add(6)
    for url, count in zip(urls, counts, strict=True):
        with django_assert_num_queries(count):
            assert client.get(url).status_code == 200


def test_edit_without_version_is_refused_with_a_message(client, practitioner, concern):
    client.force_login(practitioner)
    response = client.post(
        reverse("enquiries:concern_edit", args=[concern.reference]),
        concern_data(summary="No version sent"),
    )
    assert "This page is out of date" in response.content.decode()
    concern.refresh_from_db()
    assert concern.summary != "No version sent"


def test_what_the_adult_said_becomes_their_first_views(client, practitioner, person):
    client.force_login(practitioner)
    client.post(
        reverse("enquiries:concern_create", args=[person.reference]),
        concern_data(adult_said="Please don't tell my son.", adult_said_own_words="on"),
    )
    concern = Concern.objects.get(person=person)
    view = PersonView.objects.get(concern=concern)
    assert view.stage == "concern" and view.source == "referrer" and view.own_words
    assert view.views_text == "Please don't tell my son."


def test_saving_views_returns_to_a_safe_next_page(client, practitioner, concern):
    client.force_login(practitioner)
    base = reverse("enquiries:view_add", args=["concern", concern.reference])
    back = concern.get_absolute_url()
    response = client.post(f"{base}?next={back}", views_data())
    assert response["Location"] == back
    evil = client.post(f"{base}?next=https://evil.example/", views_data())
    assert evil["Location"] == reverse(
        "enquiries:view_list", args=["concern", concern.reference]
    )


def test_every_people_and_concern_page_needs_sign_in(client):
    from enquiries.urls.concerns import urlpatterns
    from tests.support_urls import iter_patterns

    mine = {f"enquiries:{p.name}" for p in urlpatterns}
    checked = 0
    for name, path in iter_patterns():
        if name in mine:
            for method in (client.get, client.post):
                response = method(path)
                assert response.status_code == 302, name
                assert response["Location"].startswith("/sign-in/"), name
            checked += 1
    assert checked == len(mine)
