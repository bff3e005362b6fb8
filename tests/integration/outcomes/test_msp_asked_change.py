"""SG4a part 1 ("was the adult asked what they wanted to happen?"): the answer
shown (derived from the desired outcomes, or typed) changes only with a reason,
kept, audited and in the chronology; on a closed enquiry only a manager or
lead may change it; the SAC return counts the changed answer."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse

from enquiries.factories import DesiredOutcomeFactory, EnquiryFactory
from enquiries.models import ChronologyEvent, Enquiry
from msp.models import AuditEvent
from outcomes.sac import compute_sac_return

pytestmark = pytest.mark.django_db

EXPRESSED = ("SG4a", "Yes they were asked and outcomes were expressed", "")
NOT_ASKED = ("SG4a", "No", "")


def make_enquiry(team, **kwargs):
    enquiry = EnquiryFactory(
        team=team,
        concern__person__team=team,
        concern__person__date_of_birth=datetime.date(1950, 1, 1),
        concern__received_on=datetime.date(2024, 5, 1),
        started_on=datetime.date(2024, 5, 2),
        asked_desired_outcomes="",
        **kwargs,
    )
    DesiredOutcomeFactory(
        person=enquiry.concern.person,
        enquiry=enquiry,
        stage="enquiry",
        text="I want to stay living at home.",
    )
    return Enquiry.objects.get(pk=enquiry.pk)


def page_url(enquiry):
    return reverse("enquiries:desired_outcomes", args=["enquiry", enquiry.reference])


def post(client, enquiry, answer, reason=""):
    return client.post(
        page_url(enquiry),
        {
            "asked_desired_outcomes": answer,
            "reason": reason,
            "version": Enquiry.objects.get(pk=enquiry.pk).version,
        },
    )


def test_derived_answer_is_shown_and_preselected(client, practitioner, team):
    enquiry = make_enquiry(team)
    client.force_login(practitioner)
    html = client.get(page_url(enquiry)).content.decode()
    assert "Worked out from the desired outcomes recorded" in html
    # The radio for the derived answer is the one selected.
    yes_radio = html.split('value="yes"')[1].split(">")[0]
    assert "checked" in yes_radio
    assert "checked" not in html.split('value="no"')[1].split(">")[0]


def test_changing_the_derived_answer_without_a_reason_is_refused(
    client, practitioner, team
):
    enquiry = make_enquiry(team)
    client.force_login(practitioner)
    response = post(client, enquiry, "no")
    assert response.status_code == 200
    html = response.content.decode()
    assert "govuk-error-summary" in html
    assert "Enter why you are changing the answer" in html
    enquiry.refresh_from_db()
    assert enquiry.asked_desired_outcomes == ""
    assert not AuditEvent.objects.filter(
        summary__startswith="Changed whether the adult was asked"
    ).exists()


def test_changing_with_a_reason_is_kept_audited_and_in_the_chronology(
    client, practitioner, team
):
    enquiry = make_enquiry(team, concluded=True, status="in_progress")
    Enquiry.objects.filter(pk=enquiry.pk).update(
        concluded_on=datetime.date(2024, 8, 1), status="closure_requested"
    )
    before = compute_sac_return("2024-25")
    assert before[EXPRESSED] == 1 and before[NOT_ASKED] == 0

    client.force_login(practitioner)
    reason = "The outcome was written by her son, not asked of her."
    # Confirming the derived answer needs no reason.
    assert post(client, enquiry, "yes").status_code == 302
    response = post(client, enquiry, "no", reason)
    assert response.status_code == 302
    enquiry.refresh_from_db()
    assert enquiry.asked_desired_outcomes == "no"
    assert enquiry.asked_desired_outcomes_reason == reason
    audit = AuditEvent.objects.get(
        summary="Changed whether the adult was asked what they wanted to happen"
    )
    assert audit.changes["asked_desired_outcomes"] == ["yes", "no"]
    assert reason in str(audit.changes)
    line = ChronologyEvent.objects.get(
        person=enquiry.concern.person, summary__startswith="Changed whether"
    )
    assert "Yes to No" in line.summary and reason in line.summary
    html = client.get(page_url(enquiry)).content.decode()
    assert reason in html

    # The SAC return counts the answer as changed.
    after = compute_sac_return("2024-25")
    assert after[EXPRESSED] == 0 and after[NOT_ASKED] == 1


def test_first_answer_on_an_open_enquiry_needs_no_reason(client, practitioner, team):
    enquiry = EnquiryFactory(team=team, asked_desired_outcomes="")
    client.force_login(practitioner)
    assert post(client, enquiry, "dont_know").status_code == 302
    enquiry.refresh_from_db()
    assert enquiry.asked_desired_outcomes == "dont_know"
    assert enquiry.asked_desired_outcomes_reason == ""


def test_closed_enquiry_only_a_manager_may_change_it_with_a_reason(
    client, practitioner, manager, team
):
    enquiry = make_enquiry(team, concluded=True)
    Enquiry.objects.filter(pk=enquiry.pk).update(asked_desired_outcomes="")
    # Reachable from the closed enquiry's page.
    client.force_login(practitioner)
    detail = client.get(enquiry.get_absolute_url()).content.decode()
    assert page_url(enquiry) + "#asked" in detail
    html = client.get(page_url(enquiry)).content.decode()
    assert "A team manager or safeguarding lead can change this answer" in html
    assert 'name="reason"' not in html
    assert post(client, enquiry, "no", "Wrong").status_code == 403
    assert Enquiry.objects.get(pk=enquiry.pk).asked_desired_outcomes == ""

    client.force_login(manager)
    html = client.get(page_url(enquiry)).content.decode()
    assert "The enquiry is closed: a reason is needed for any answer" in html
    # Even confirming "yes" over the derived answer on a closed enquiry is
    # fine without a reason (nothing changes), but "no" is not.
    refused = post(client, enquiry, "no")
    assert "Enter why you are changing the answer" in refused.content.decode()
    assert post(client, enquiry, "no", "Checked with her: never asked.").status_code
    enquiry.refresh_from_db()
    assert enquiry.asked_desired_outcomes == "no"
    line = ChronologyEvent.objects.get(
        person=enquiry.concern.person, summary__startswith="Changed whether"
    )
    assert line.significant
    assert AuditEvent.objects.filter(
        actor=manager,
        summary="Changed whether the adult was asked what they wanted to happen",
    ).exists()
