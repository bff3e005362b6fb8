"""Feedback on the experience of safeguarding, and follow-ups when it is missing."""

import datetime
import io

import pytest
from django.core.management import call_command
from django.urls import reverse

from enquiries.factories import EnquiryFactory
from msp.apps import grant_administrator_permissions
from msp.demo import create_demo_staff
from msp.models import AuditEvent
from outcomes.demo import create_demo_outcomes
from outcomes.models import (
    FeedbackAnswer,
    FeedbackFollowUp,
    FeedbackQuestionnaire,
    FeedbackResponse,
)
from outcomes.services import ensure_feedback_follow_up

D = datetime.date


@pytest.fixture
def closed(team):
    return EnquiryFactory(
        concluded=True,
        concern__person__team=team,
        concern__person__given_name="Jude",
        concern__received_on=D(2025, 1, 6),
        started_on=D(2025, 1, 7),
        concluded_on=D(2025, 3, 3),
    )


def _bank():
    return FeedbackQuestionnaire.objects.get(is_active=True)


def _answers(**overrides):
    data = {
        "respondent": "adult",
        "collected_by": "independent",
        "collector_name": "Sam from the advocacy service",
        "collected_on": "2025-04-01",
        "comment": "They listened, but it took a long time.",
    }
    for question in _bank().questions.all():
        data[f"question_{question.pk}"] = "agree"
    data.update(overrides)
    return data


@pytest.mark.django_db
def test_default_question_bank_has_the_framework_questions():
    texts = list(_bank().questions.values_list("text", flat=True))
    for wanted in (
        "Do you feel safer?",
        "Were you listened to?",
        "Were you involved in decisions?",
        "Are you happy with the outcome?",
    ):
        assert wanted in texts
    assert len(texts) >= 5


@pytest.mark.django_db
class TestRecordingFeedback:
    def test_form_asks_each_question_on_the_agreement_scale(
        self, client, practitioner, closed
    ):
        client.force_login(practitioner)
        html = client.get(
            reverse("outcomes:feedback_add", args=[closed.reference])
        ).content.decode()
        assert "Do you feel safer?" in html
        for option in ("Strongly agree", "Don&#x27;t know", "Prefer not to say"):
            assert option in html

    def test_saving_feedback_completes_the_follow_up(
        self, client, practitioner, closed
    ):
        follow_up = ensure_feedback_follow_up(closed)
        client.force_login(practitioner)
        response = client.post(
            reverse("outcomes:feedback_add", args=[closed.reference]), _answers()
        )
        assert response.status_code == 302
        saved = FeedbackResponse.objects.get(enquiry=closed)
        assert saved.respondent == "adult"
        assert saved.collected_by == "independent"
        assert saved.answers.count() == _bank().questions.count()
        follow_up.refresh_from_db()
        assert follow_up.response == saved
        assert follow_up.completed_by == practitioner
        assert AuditEvent.objects.filter(
            object_type="outcomes.FeedbackResponse", action="create"
        ).exists()

    def test_an_unanswered_question_is_an_error_and_nothing_is_saved(
        self, client, practitioner, closed
    ):
        first = _bank().questions.first()
        client.force_login(practitioner)
        response = client.post(
            reverse("outcomes:feedback_add", args=[closed.reference]),
            _answers(**{f"question_{first.pk}": ""}),
        )
        html = response.content.decode()
        assert "Select an answer, or prefer not to say" in html
        assert "Sam from the advocacy service" in html  # input kept
        assert not FeedbackResponse.objects.exists()
        assert not FeedbackAnswer.objects.exists()

    def test_a_future_date_is_refused(self, client, practitioner, closed):
        client.force_login(practitioner)
        tomorrow = datetime.date.today() + datetime.timedelta(days=1)
        response = client.post(
            reverse("outcomes:feedback_add", args=[closed.reference]),
            _answers(collected_on=tomorrow.isoformat()),
        )
        assert "Date asked must be today or earlier" in response.content.decode()
        assert not FeedbackResponse.objects.exists()

    def test_another_teams_enquiry_is_not_found(
        self, client, other_team_practitioner, closed
    ):
        client.force_login(other_team_practitioner)
        url = reverse("outcomes:feedback_add", args=[closed.reference])
        assert client.get(url).status_code == 404
        assert client.post(url, _answers()).status_code == 404
        assert not FeedbackResponse.objects.exists()


@pytest.mark.django_db
class TestFollowUps:
    def test_closed_without_feedback_is_due_within_eight_weeks(self, closed):
        follow_up = ensure_feedback_follow_up(closed)
        assert follow_up.closed_on == D(2025, 3, 3)
        assert follow_up.due_on == D(2025, 4, 28)
        assert ensure_feedback_follow_up(closed) == follow_up  # once only

    def test_no_follow_up_for_open_enquiries_or_with_feedback(
        self, team, closed, manager
    ):
        assert ensure_feedback_follow_up(EnquiryFactory()) is None
        FeedbackResponse.objects.create(
            enquiry=closed,
            questionnaire=_bank(),
            respondent="adult",
            collected_by="lead_at_closure",
            collected_on=D(2025, 3, 3),
        )
        assert ensure_feedback_follow_up(closed) is None

    def test_command_creates_missing_follow_ups_once(self, closed, team):
        EnquiryFactory(concern__person__team=team)  # open: none needed
        out = io.StringIO()
        call_command("create_feedback_follow_ups", stdout=out)
        assert "created: 1" in out.getvalue()
        call_command("create_feedback_follow_ups", stdout=out)
        assert "created: 0" in out.getvalue()
        assert FeedbackFollowUp.objects.count() == 1

    def test_managers_see_overdue_follow_ups_for_their_teams(
        self, client, manager, closed, other_team
    ):
        ensure_feedback_follow_up(closed)
        ensure_feedback_follow_up(
            EnquiryFactory(
                concluded=True,
                concern__person__team=other_team,
                concern__person__given_name="Kit",
            )
        )
        client.force_login(manager)
        html = client.get(reverse("outcomes:follow_ups")).content.decode()
        assert "Jude" in html
        assert "Overdue" in html
        assert "Kit" not in html

    def test_practitioners_cannot_see_the_list(self, client, practitioner):
        client.force_login(practitioner)
        assert client.get(reverse("outcomes:follow_ups")).status_code == 403

    def test_bad_page_key_is_not_found(self, client, manager):
        client.force_login(manager)
        response = client.get(reverse("outcomes:follow_ups"), {"after": "soon"})
        assert response.status_code == 404


@pytest.mark.django_db
def test_demo_outcomes_give_a_manager_something_to_see(client, settings):
    staff = create_demo_staff("demo-password-2024")
    out = io.StringIO()
    create_demo_outcomes(staff=staff, out=out)
    assert "enquiries evaluated with the adult" in out.getvalue()
    assert FeedbackResponse.objects.exists()
    assert FeedbackFollowUp.objects.exists()
    client.force_login(staff["manager"])
    year = reports_year()
    response = client.get(reverse("outcomes:dashboard"), {"year": year})
    counts = response.context["data"]["counts"]
    assert counts["concluded"] >= 1
    assert counts["achieved_fully"] + counts["achieved_partially"] >= 1
    assert counts["feedback_given"] >= 1


def reports_year() -> str:
    from msp.dates import financial_year_of

    return financial_year_of(datetime.date.today())


@pytest.mark.django_db
def test_administrator_publishes_a_new_version_of_the_questions(client, administrator):
    # Administrators' permissions are refreshed after each migrate; on a fresh
    # test database msp's refresh runs before this app's permissions exist.
    grant_administrator_permissions(sender=None)
    first = _bank()
    second = FeedbackQuestionnaire.objects.create(name="Revised wording", version=2)
    client.force_login(administrator)
    assert client.get("/admin/outcomes/feedbackquestionnaire/").status_code == 200
    response = client.post(
        "/admin/outcomes/feedbackquestionnaire/",
        {"action": "make_active", "_selected_action": [second.pk]},
    )
    assert response.status_code == 302
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.is_active, second.is_active) == (False, True)
    assert AuditEvent.objects.filter(summary__contains="version 2 made active").exists()
