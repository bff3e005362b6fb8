"""The Safeguarding Adults Review process: referral from a case, the board's
s44 decision, commissioning, completion and recommendations (outcomes.sar)."""

from __future__ import annotations

import datetime

import pytest
from django.core.cache import cache
from django.urls import reverse
from django.utils.html import escape

from enquiries.factories import EnquiryFactory, PersonFactory
from enquiries.models import SafeguardingAdultsReview, SarIndividual, SarRecommendation
from msp.models import AuditEvent
from outcomes import sac

pytestmark = pytest.mark.django_db

TODAY = datetime.date.today()
YEAR = "2024-25"
SG5_DIED = ("SG5a", "Where one or more individuals died", "")
SG5_NOBODY_DIED = ("SG5a", "Where no individuals died", "")
SG5B_DIED = ("SG5b", "Who suffered serious harm and died", "")
SG5B_SURVIVED = ("SG5b", "Who suffered serious harm and survived", "")


def _refer(client, person, enquiry=None, **overrides):
    url = reverse("outcomes:sar_refer", args=[person.reference])
    if enquiry is not None:
        url += f"?enquiry={enquiry.reference}"
    data = {
        "title": "Review of Mrs D",
        "referred_on": "2024-04-10",
        "referred_by": "Sam Green, team manager",
        "referral_reason": "Agencies did not share what they knew before she died",
        "died": "yes",
        **overrides,
    }
    return client.post(url, data)


def _decide(client, review, decision="met", decided_on="2024-05-01", version=None):
    return client.post(
        reverse("outcomes:sar_decision", args=[review.reference]),
        {
            "decision": decision,
            "decided_on": decided_on,
            "decision_reasons": "Condition 1 of section 44 is met",
            "version": str(version or review.version),
        },
    )


def test_enquiry_page_offers_a_referral_to_managers_not_practitioners(
    client, manager, practitioner, team
):
    enquiry = EnquiryFactory(concern__person__team=team)
    page = enquiry.get_absolute_url()
    client.force_login(manager)
    html = client.get(page).content.decode()
    refer = reverse("outcomes:sar_refer", args=[enquiry.concern.person.reference])
    assert f"{refer}?enquiry={enquiry.reference}" in html
    client.force_login(practitioner)
    html = client.get(page).content.decode()
    assert "Safeguarding Adults Reviews" not in html
    assert client.get(refer).status_code == 403
    assert _refer(client, enquiry.concern.person).status_code == 403
    assert SafeguardingAdultsReview.objects.count() == 0


def test_referral_from_an_enquiry_records_who_why_and_when(client, manager, team):
    enquiry = EnquiryFactory(concern__person__team=team)
    person = enquiry.concern.person
    client.force_login(manager)
    response = _refer(client, person, enquiry)
    review = SafeguardingAdultsReview.objects.get()
    assert response["Location"] == reverse(
        "outcomes:sar_detail", args=[review.reference]
    )
    assert review.referred_on == datetime.date(2024, 4, 10)
    assert review.referred_by == "Sam Green, team manager"
    assert review.referred_from_enquiry == enquiry
    assert list(review.individuals.values_list("person", "died")) == [(person.pk, True)]
    assert AuditEvent.objects.filter(
        summary__startswith="Referred for a Safeguarding Adults Review",
        person_ref=str(person.reference),
    ).exists()
    # Reachable from the person page and the enquiry page.
    for page in (person.get_absolute_url(), enquiry.get_absolute_url()):
        html = client.get(page).content.decode()
        assert reverse("outcomes:sar_detail", args=[review.reference]) in html
        assert (
            "awaiting the board&#x27;s decision" in html
            or "awaiting the board's decision" in html
        )
    detail = client.get(reverse("outcomes:sar_detail", args=[review.reference]))
    assert "Agencies did not share what they knew" in detail.content.decode()


def test_referral_needs_a_reason_and_a_past_date_and_keeps_what_was_typed(
    client, manager, team
):
    person = PersonFactory(team=team)
    client.force_login(manager)
    tomorrow = (TODAY + datetime.timedelta(days=1)).isoformat()
    response = _refer(client, person, referral_reason="", referred_on=tomorrow)
    html = response.content.decode()
    assert "There is a problem" in html
    assert "Enter why the case is referred" in html
    assert "Sam Green, team manager" in html
    assert SafeguardingAdultsReview.objects.count() == 0
    response = _refer(client, person, referred_on=tomorrow)
    assert "must be today or in the past" in response.content.decode()
    assert SafeguardingAdultsReview.objects.count() == 0


def test_cannot_refer_a_person_outside_ones_teams(client, manager, other_team):
    person = PersonFactory(team=other_team)
    client.force_login(manager)
    assert _refer(client, person).status_code == 404
    assert SafeguardingAdultsReview.objects.count() == 0


def test_enquiry_must_be_the_persons_own(client, manager, team):
    person = PersonFactory(team=team)
    someone_elses = EnquiryFactory(concern__person__team=team)
    client.force_login(manager)
    assert _refer(client, person, someone_elses).status_code == 404
    assert SafeguardingAdultsReview.objects.count() == 0


def test_board_decision_needs_reasons_and_cannot_precede_the_referral(
    client, manager, team
):
    client.force_login(manager)
    _refer(client, PersonFactory(team=team))
    review = SafeguardingAdultsReview.objects.get()
    response = client.post(
        reverse("outcomes:sar_decision", args=[review.reference]),
        {"decision": "met", "decided_on": "2024-05-01", "version": "1"},
    )
    assert "Enter the reasons for the decision" in response.content.decode()
    response = _decide(client, review, decided_on="2024-04-01")
    assert "The decision cannot be before the referral" in response.content.decode()
    review.refresh_from_db()
    assert review.decision == ""
    _decide(client, review, decision="discretionary")
    review.refresh_from_db()
    assert review.decision == "discretionary"
    assert review.decided_on == datetime.date(2024, 5, 1)
    assert review.decision_reasons == "Condition 1 of section 44 is met"
    html = client.get(reverse("outcomes:sar_detail", args=[review.reference])).content
    assert b"Discretionary review (s44(4))" in html


def test_decision_edit_conflict_is_caught(client, manager, lead, team):
    client.force_login(manager)
    _refer(client, PersonFactory(team=team))
    review = SafeguardingAdultsReview.objects.get()
    _decide(client, review, decision="met", version=1)
    client.force_login(lead)
    response = _decide(client, review, decision="not_met", version=1)
    assert "Someone else saved this record" in response.content.decode()
    review.refresh_from_db()
    assert review.decision == "met"


def test_a_review_whose_criteria_were_not_met_cannot_be_commissioned(
    client, manager, team
):
    client.force_login(manager)
    _refer(client, PersonFactory(team=team))
    review = SafeguardingAdultsReview.objects.get()
    _decide(client, review, decision="not_met")
    review.refresh_from_db()
    response = client.post(
        reverse("outcomes:sar_edit", args=[review.reference]),
        {
            "title": review.title,
            "commissioned_on": "2024-06-01",
            "version": str(review.version),
        },
    )
    assert "criteria were not met" in response.content.decode()
    review.refresh_from_db()
    assert review.commissioned_on is None


def test_commissioning_records_reviewer_and_date(client, manager, team):
    client.force_login(manager)
    _refer(client, PersonFactory(team=team))
    review = SafeguardingAdultsReview.objects.get()
    _decide(client, review)
    review.refresh_from_db()
    url = reverse("outcomes:sar_edit", args=[review.reference])
    response = client.post(
        url,
        {
            "title": review.title,
            "reviewer": "Alex Reviewer",
            "commissioned_on": "2024-04-20",
            "version": str(review.version),
        },
    )
    assert "cannot be commissioned before the decision" in response.content.decode()
    client.post(
        url,
        {
            "title": review.title,
            "reviewer": "Alex Reviewer",
            "commissioned_on": "2024-06-01",
            "version": str(review.version),
        },
    )
    review.refresh_from_db()
    assert (review.reviewer, review.commissioned_on) == (
        "Alex Reviewer",
        datetime.date(2024, 6, 1),
    )


def _commissioned(client, team) -> SafeguardingAdultsReview:
    _refer(client, PersonFactory(team=team))
    review = SafeguardingAdultsReview.objects.get()
    _decide(client, review)
    review.refresh_from_db()
    client.post(
        reverse("outcomes:sar_edit", args=[review.reference]),
        {
            "title": review.title,
            "reviewer": "Alex Reviewer",
            "commissioned_on": "2024-06-01",
            "completed_on": "2024-12-01",
            "version": str(review.version),
        },
    )
    review.refresh_from_db()
    assert review.completed_on == datetime.date(2024, 12, 1)
    return review


def test_recommendations_have_owner_due_date_and_are_marked_done(client, manager, team):
    client.force_login(manager)
    data = {
        "text": "Share hospital discharge notes",
        "owner": "NHS trust",
        "due_on": "2025-03-01",
    }
    review = _commissioned(client, team)
    add = reverse("outcomes:sar_recommendation_add", args=[review.reference])
    response = client.post(add, {"text": "", "owner": "", "due_on": "2025-03-01"})
    html = response.content.decode()
    assert "Enter the recommendation" in html and "Enter who owns" in html
    assert 'value="2025-03-01"' in html
    client.post(add, data)
    recommendation = SarRecommendation.objects.get()
    assert recommendation.status == "open"
    detail = reverse("outcomes:sar_detail", args=[review.reference])
    html = client.get(detail).content.decode()
    assert "Share hospital discharge notes" in html
    assert "1 March 2025" in html
    done = reverse(
        "outcomes:sar_recommendation_done", args=[review.reference, recommendation.pk]
    )
    response = client.post(done, {"done_on": "2024-01-01", "version": "1"})
    assert "cannot be before the review was commissioned" in response.content.decode()
    client.post(done, {"done_on": "2025-02-01", "version": "1"})
    recommendation.refresh_from_db()
    assert (recommendation.status, recommendation.done_on) == (
        "done",
        datetime.date(2025, 2, 1),
    )
    assert "Done 1 February 2025" in client.get(detail).content.decode()
    response = client.post(done, {"done_on": "2025-02-02", "version": "2"})
    assert "already done" in response.content.decode()


def test_recommendations_wait_for_commissioning(client, manager, team):
    client.force_login(manager)
    _refer(client, PersonFactory(team=team))
    review = SafeguardingAdultsReview.objects.get()
    response = client.post(
        reverse("outcomes:sar_recommendation_add", args=[review.reference]),
        {"text": "Share notes", "owner": "NHS trust", "due_on": "2025-03-01"},
    )
    assert "before its recommendations" in response.content.decode()
    assert SarRecommendation.objects.count() == 0


def test_process_fields_do_not_change_sg5(client, manager, team):
    """A review's referral, decision, reviewer and recommendations leave SG5
    exactly as the same review entered straight in the register."""
    client.force_login(manager)
    review = _commissioned(client, team)
    with_process = sac.compute_sac_return(YEAR)
    assert with_process[SG5_DIED] == 1
    assert with_process[SG5B_DIED] == 1
    SarRecommendation.objects.create(
        review=review, text="x", owner="y", due_on=datetime.date(2025, 1, 1)
    )
    plain = SafeguardingAdultsReview.objects.filter(pk=review.pk)
    plain.update(
        referred_on=None,
        referred_by="",
        referral_reason="",
        referred_from_enquiry=None,
        decision="",
        decided_on=None,
        decision_reasons="",
        reviewer="",
    )
    cache.clear()
    assert sac.compute_sac_return(YEAR) == with_process


def test_referral_not_yet_completed_is_not_counted(client, manager, team):
    client.force_login(manager)
    _refer(client, PersonFactory(team=team), referred_on="2024-04-10")
    review = SafeguardingAdultsReview.objects.get()
    _decide(client, review)
    cells = sac.compute_sac_return(YEAR)
    for key in (SG5_DIED, SG5_NOBODY_DIED, SG5B_DIED, SG5B_SURVIVED):
        assert cells[key] == 0


def test_detail_page_query_count_is_bounded(
    client, manager, team, django_assert_max_num_queries
):
    client.force_login(manager)
    review = _commissioned(client, team)
    for n in range(5):
        SarIndividual.objects.create(
            review=review, person=PersonFactory(team=team), died=False
        )
        SarRecommendation.objects.create(
            review=review, text=f"R{n}", owner="o", due_on=datetime.date(2025, 1, 1)
        )
    with django_assert_max_num_queries(16):
        response = client.get(
            reverse("outcomes:sar_detail", args=[review.reference]),
            {"name": "a"},
        )
    assert response.status_code == 200


def test_adding_someone_already_in_the_review_is_refused(client, manager, team):
    client.force_login(manager)
    person = PersonFactory(team=team, family_name="Twiceadded")
    _refer(client, person)
    review = SafeguardingAdultsReview.objects.get()
    detail = reverse("outcomes:sar_detail", args=[review.reference])
    response = client.post(
        f"{detail}?name=Twiceadded", {"person": str(person.pk), "died": "no"}
    )
    assert "already in this review" in response.content.decode()
    assert review.individuals.count() == 1
    assert escape(person.full_name) in response.content.decode()


def test_seed_demo_shows_each_stage_of_a_review(settings):
    import io

    from django.core.management import call_command

    settings.DEMO_MODE = True
    settings.DEMO_PASSWORD = "demo-password-for-tests"
    call_command("seed_demo", people=0, stdout=io.StringIO())
    reviews = SafeguardingAdultsReview.objects.filter(referred_on__isnull=False)
    assert sorted(reviews.values_list("decision", flat=True)) == ["", "met", "not_met"]
    completed = reviews.get(decision="met")
    assert completed.completed_on is not None
    assert sorted(completed.recommendations.values_list("status", flat=True)) == [
        "done",
        "open",
    ]


def test_a_commissioned_review_cannot_be_found_not_to_meet_the_criteria(
    client, manager, team
):
    client.force_login(manager)
    review = _commissioned(client, team)
    response = _decide(client, review, decision="not_met")
    assert "has been commissioned" in response.content.decode()
    review.refresh_from_db()
    assert review.decision == "met"


def test_services_refuse_practitioners_whatever_the_page(practitioner, team):
    from django.core.exceptions import PermissionDenied

    from outcomes import sar

    person = PersonFactory(team=team)
    with pytest.raises(PermissionDenied):
        sar.refer(
            user=practitioner,
            person=person,
            enquiry=None,
            title="T",
            referred_on=TODAY,
            referred_by="Me",
            reason="Why",
            died=False,
        )
    review = SafeguardingAdultsReview.objects.create(title="R")
    with pytest.raises(PermissionDenied):
        sar.add_individual(
            user=practitioner, review=review, person_pk=person.pk, died=True
        )
    assert SarIndividual.objects.count() == 0
