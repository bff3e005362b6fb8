"""One case, one picture: an enquiry's pages show what was recorded while it
was still a concern (issue 15)."""

from __future__ import annotations

import datetime

from django.urls import reverse

from enquiries.factories import (
    DesiredOutcomeFactory,
    EnquiryFactory,
    PersonViewFactory,
)
from enquiries.models import ConsentDecision


def _enquiry_with_concern_records(team):
    enquiry = EnquiryFactory(team=team, concern__person__team=team)
    concern = enquiry.concern
    PersonViewFactory(
        person=concern.person,
        concern=concern,
        views_text="I do not want my son to have my bank card any more.",
    )
    ConsentDecision.objects.create(
        person=concern.person,
        concern=concern,
        question="police_referral",
        answer="declined",
        overridden=True,
        override_grounds=["crime", "risk_to_others"],
        override_reason="Son also threatens a neighbour.",
        adult_informed_of_override=True,
    )
    return enquiry


def test_enquiry_views_page_lists_the_concern_stage_views(client, practitioner, team):
    enquiry = _enquiry_with_concern_records(team)
    client.force_login(practitioner)
    html = client.get(
        reverse("enquiries:view_list", args=["enquiry", enquiry.reference])
    ).content.decode()
    assert "I do not want my son to have my bank card any more." in html
    assert "Concern stage" in html
    assert "No views recorded yet" not in html
    # Corrected where it was recorded: on the concern.
    assert (
        reverse(
            "enquiries:view_correct",
            args=["concern", enquiry.concern.reference, enquiry.concern.views.get().pk],
        )
        in html
    )


def test_enquiry_consent_page_lists_concern_stage_overrides(client, practitioner, team):
    enquiry = _enquiry_with_concern_records(team)
    client.force_login(practitioner)
    html = client.get(
        reverse("enquiries:consent_list", args=["enquiry", enquiry.reference])
    ).content.decode()
    assert "No consent decisions recorded yet" not in html
    assert "Referral to the police" in html
    assert "Son also threatens a neighbour." in html
    assert "Override awaiting confirmation" in html
    assert "Other people, including children, are at risk" in html
    assert "A serious crime has been or may be committed" in html
    assert "Adult told of the override" in html


def test_concern_pages_do_not_show_another_concerns_records(client, practitioner, team):
    enquiry = _enquiry_with_concern_records(team)
    other = EnquiryFactory(team=team, concern__person=enquiry.concern.person)
    client.force_login(practitioner)
    html = client.get(
        reverse("enquiries:consent_list", args=["enquiry", other.reference])
    ).content.decode()
    assert "No consent decisions recorded yet" in html


def test_sg4a_answer_reachable_from_enquiry_and_closure_review(
    client, practitioner, manager, team
):
    enquiry = EnquiryFactory(
        team=team, concluded=True, asked_desired_outcomes="", outcomes_achieved=""
    )
    DesiredOutcomeFactory(person=enquiry.concern.person, enquiry=enquiry)
    change = reverse("enquiries:desired_outcomes", args=["enquiry", enquiry.reference])
    client.force_login(practitioner)
    page = client.get(enquiry.get_absolute_url()).content.decode()
    assert "Yes they were asked and outcomes were expressed" in page
    assert "From the desired outcomes recorded in their words" in page
    assert change in page
    client.force_login(manager)
    review = client.get(
        reverse("enquiries:enquiry_closure_review", args=[enquiry.reference])
    ).content.decode()
    assert "Yes they were asked and outcomes were expressed" in review
    assert change in review


def test_sac_gap_for_the_asked_question_links_where_it_is_fixed(client, manager, team):
    enquiry = EnquiryFactory(
        concluded=True,
        asked_desired_outcomes="",
        concern__person__team=team,
        concern__person__date_of_birth=datetime.date(1950, 1, 1),
        concern__received_on=datetime.date(2024, 5, 1),
        started_on=datetime.date(2024, 5, 2),
        concluded_on=datetime.date(2024, 8, 1),
    )
    client.force_login(manager)
    html = client.get(reverse("outcomes:sac_return"), {"year": "2024-25"}).content
    section = html.decode().split('id="check-asked"')[1].split("</ul>")[0]
    fix = reverse("enquiries:desired_outcomes", args=["enquiry", enquiry.reference])
    assert f'href="{fix}"' in section


def test_identity_bar_links_to_the_person_the_concern_and_the_enquiry(
    client, practitioner, team
):
    enquiry = EnquiryFactory(team=team, concern__person__team=team)
    client.force_login(practitioner)
    for url in (
        enquiry.get_absolute_url(),
        reverse("enquiries:enquiry_closure_review", args=[enquiry.reference]),
    ):
        html = client.get(url).content.decode()
        bar = html.split('class="app-identity-bar"')[1].split("</div>")[0]
        assert f'href="{enquiry.concern.person.get_absolute_url()}"' in bar
        assert f'href="{enquiry.concern.get_absolute_url()}"' in bar
        assert f'href="{enquiry.get_absolute_url()}"' in bar
