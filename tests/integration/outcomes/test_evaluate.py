"""Evaluating desired outcomes with the adult at closure."""

import pytest
from django.urls import reverse

from enquiries.factories import DesiredOutcomeFactory, EnquiryFactory
from enquiries.models import ChronologyEvent, DesiredOutcome, Enquiry
from msp.models import AuditEvent


@pytest.fixture
def enquiry(team, practitioner):
    return EnquiryFactory(
        concern__person__team=team,
        concern__person__given_name="Iris",
        status="closure_requested",
        asked_desired_outcomes="yes",
        allocated_to=practitioner,
    )


@pytest.fixture
def outcomes(enquiry):
    person = enquiry.concern.person
    first = DesiredOutcomeFactory(
        person=person, enquiry=enquiry, text="I want to feel safe at night."
    )
    second = DesiredOutcomeFactory(
        person=person, concern=enquiry.concern, text="I want to keep seeing my son."
    )
    withdrawn = DesiredOutcomeFactory(
        person=person,
        enquiry=enquiry,
        text="I want him arrested.",
        status=DesiredOutcome.Status.WITHDRAWN,
    )
    return first, second, withdrawn


def _post(enquiry, outcomes, *, ratings, overall="", reason="", version=None):
    first, second, _ = outcomes
    data = {
        "version": enquiry.version if version is None else version,
        "evaluated_with": "representative",
        "overall": overall,
        "changed_reason": reason,
        f"outcome_{first.pk}_achieved": ratings[0],
        f"outcome_{first.pk}_comment": "I sleep better now.",
        f"outcome_{second.pk}_achieved": ratings[1],
        f"outcome_{second.pk}_comment": "",
    }
    return data


def _url(enquiry):
    return reverse("outcomes:evaluate", args=[enquiry.reference])


@pytest.mark.django_db
class TestEvaluatePage:
    def test_lists_current_outcomes_in_the_adults_words(
        self, client, practitioner, enquiry, outcomes
    ):
        client.force_login(practitioner)
        html = client.get(_url(enquiry)).content.decode()
        assert "I want to feel safe at night." in html
        assert "I want to keep seeing my son." in html
        assert "I want him arrested." not in html  # withdrawn: not rated
        assert "Yes they were asked and outcomes were expressed" in html

    def test_all_fully_achieved_fills_in_fully(
        self, client, practitioner, enquiry, outcomes
    ):
        client.force_login(practitioner)
        response = client.post(
            _url(enquiry), _post(enquiry, outcomes, ratings=["fully", "fully"])
        )
        assert response.status_code == 302
        enquiry.refresh_from_db()
        assert enquiry.outcomes_achieved == "fully"
        assert enquiry.outcomes_achieved_changed_reason == ""
        assert enquiry.version == 2
        first = DesiredOutcome.objects.get(pk=outcomes[0].pk)
        assert first.achieved == "fully"
        assert first.evaluation_comment == "I sleep better now."
        assert first.evaluated_with == "representative"
        assert first.evaluated_by == practitioner
        assert first.evaluated_at is not None
        assert DesiredOutcome.objects.get(pk=outcomes[2].pk).achieved == ""
        assert (
            AuditEvent.objects.filter(
                object_type="enquiries.DesiredOutcome", action="change"
            ).count()
            == 2
        )
        assert ChronologyEvent.objects.filter(
            person=enquiry.concern.person, summary__contains="fully achieved"
        ).exists()

    def test_all_not_achieved_fills_in_not(
        self, client, practitioner, enquiry, outcomes
    ):
        client.force_login(practitioner)
        client.post(_url(enquiry), _post(enquiry, outcomes, ratings=["not", "not"]))
        enquiry.refresh_from_db()
        assert enquiry.outcomes_achieved == "not"

    def test_a_mix_fills_in_partially(self, client, practitioner, enquiry, outcomes):
        client.force_login(practitioner)
        client.post(_url(enquiry), _post(enquiry, outcomes, ratings=["fully", "not"]))
        enquiry.refresh_from_db()
        assert enquiry.outcomes_achieved == "partially"

    def test_a_different_answer_needs_a_reason(
        self, client, practitioner, enquiry, outcomes
    ):
        client.force_login(practitioner)
        data = _post(enquiry, outcomes, ratings=["fully", "not"], overall="fully")
        response = client.post(_url(enquiry), data)
        html = response.content.decode()
        assert response.status_code == 200
        assert "There is a problem" in html
        assert "Enter why the answer differs from what the ratings suggest" in html
        assert "I sleep better now." in html  # what they typed is kept
        enquiry.refresh_from_db()
        assert enquiry.outcomes_achieved == ""
        assert not DesiredOutcome.objects.exclude(achieved="").exists()
        data["changed_reason"] = "She says the one that matters most was met."
        assert client.post(_url(enquiry), data).status_code == 302
        enquiry.refresh_from_db()
        assert enquiry.outcomes_achieved == "fully"
        assert enquiry.outcomes_achieved_changed_reason.startswith("She says")

    def test_every_outcome_must_be_rated(self, client, practitioner, enquiry, outcomes):
        client.force_login(practitioner)
        response = client.post(
            _url(enquiry), _post(enquiry, outcomes, ratings=["fully", ""])
        )
        assert "Select whether outcome 2 was achieved" in response.content.decode()
        assert not DesiredOutcome.objects.exclude(achieved="").exists()

    def test_someone_elses_save_is_not_overwritten(
        self, client, practitioner, enquiry, outcomes
    ):
        client.force_login(practitioner)
        Enquiry.objects.filter(pk=enquiry.pk).update(version=5, outcomes_achieved="not")
        response = client.post(
            _url(enquiry),
            _post(enquiry, outcomes, ratings=["fully", "fully"], version=1),
        )
        html = response.content.decode()
        assert "Someone else saved this record" in html
        assert 'name="version" value="5"' in html
        enquiry.refresh_from_db()
        assert enquiry.outcomes_achieved == "not"
        assert not DesiredOutcome.objects.exclude(achieved="").exists()

    def test_nothing_to_evaluate_says_so(self, client, practitioner, enquiry):
        client.force_login(practitioner)
        html = client.get(_url(enquiry)).content.decode()
        assert "No desired outcomes are recorded" in html
        response = client.post(
            _url(enquiry),
            {"version": 1, "evaluated_with": "adult", "overall": "fully"},
        )
        assert response.status_code == 200
        assert "There are no desired outcomes to evaluate" in response.content.decode()
        enquiry.refresh_from_db()
        assert enquiry.outcomes_achieved == ""


@pytest.mark.django_db
class TestEvaluateAccess:
    def test_another_teams_enquiry_is_not_found(
        self, client, other_team_practitioner, enquiry, outcomes
    ):
        client.force_login(other_team_practitioner)
        assert client.get(_url(enquiry)).status_code == 404
        response = client.post(
            _url(enquiry), _post(enquiry, outcomes, ratings=["fully", "fully"])
        )
        assert response.status_code == 404
        enquiry.refresh_from_db()
        assert enquiry.outcomes_achieved == ""

    def test_auditor_cannot_open_it(self, client, auditor, enquiry):
        client.force_login(auditor)
        assert client.get(_url(enquiry)).status_code in (403, 404)
        assert "Iris" not in client.get(_url(enquiry)).content.decode()

    def test_malformed_reference_is_not_found(self, client, practitioner):
        client.force_login(practitioner)
        assert client.get("/outcomes/enquiry/not-a-uuid/evaluate/").status_code == 404
