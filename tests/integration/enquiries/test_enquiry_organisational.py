"""Large-scale (organisational) enquiries: list, start, link and unlink."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils.html import escape

from enquiries.factories import EnquiryFactory, OrganisationFactory, RiskFactory
from enquiries.models import ChronologyEvent, Enquiry, OrganisationalEnquiry
from msp.models import AuditEvent

TODAY = datetime.date.today()


@pytest.fixture
def org_enquiry(team, manager):
    return OrganisationalEnquiry.objects.create(
        organisation=OrganisationFactory(name="Meadow View Care Home"),
        team=team,
        trigger="Three concerns about night staffing in a month",
        lead=manager,
        started_on=TODAY,
    )


def detail(org):
    return reverse("enquiries:organisational_detail", args=[org.reference])


def link(org):
    return reverse("enquiries:organisational_link", args=[org.reference])


def unlink(org, enquiry):
    return reverse(
        "enquiries:organisational_unlink", args=[org.reference, enquiry.reference]
    )


LIST = reverse("enquiries:organisational_list")
CREATE = reverse("enquiries:organisational_create")


def test_pages_need_sign_in(client, org_enquiry):
    for path in (LIST, CREATE, detail(org_enquiry)):
        response = client.get(path)
        assert response.status_code == 302
        assert response["Location"].startswith("/sign-in/")


def test_list_shows_only_own_teams(
    client, practitioner, other_team_practitioner, org_enquiry
):
    client.force_login(practitioner)
    assert "Meadow View Care Home" in client.get(LIST).content.decode()
    client.force_login(other_team_practitioner)
    assert "Meadow View Care Home" not in client.get(LIST).content.decode()
    assert client.get(detail(org_enquiry)).status_code == 404


def test_auditor_cannot_write(client, auditor, org_enquiry, team):
    enquiry = EnquiryFactory(concern__person__team=team)
    client.force_login(auditor)
    assert client.post(CREATE, {}).status_code == 403
    assert client.post(link(org_enquiry), {}).status_code == 403
    assert client.post(unlink(org_enquiry, enquiry)).status_code == 403


def test_other_team_cannot_link(client, other_team_practitioner, org_enquiry, team):
    enquiry = EnquiryFactory(concern__person__team=team)
    client.force_login(other_team_practitioner)
    response = client.post(link(org_enquiry), {"enquiry": str(enquiry.reference)})
    assert response.status_code == 404
    enquiry.refresh_from_db()
    assert enquiry.organisational_enquiry is None


def test_start_a_large_scale_enquiry(client, practitioner, team):
    provider = OrganisationFactory(name="Oak Lodge")
    client.force_login(practitioner)
    response = client.post(
        CREATE,
        {
            "organisation": provider.pk,
            "team": team.pk,
            "trigger": "Whistleblowing about restraint",
            "started_on": TODAY.isoformat(),
            "placements_embargoed": "yes",
        },
    )
    org = OrganisationalEnquiry.objects.get()
    assert response["Location"] == detail(org)
    assert org.lead == practitioner and org.placements_embargoed is True
    assert AuditEvent.objects.filter(object_ref=str(org.reference)).exists()


def test_start_errors_keep_input(client, practitioner, team):
    client.force_login(practitioner)
    response = client.post(
        CREATE, {"team": team.pk, "trigger": "Kept trigger", "started_on": "31/31"}
    )
    html = response.content.decode()
    assert "There is a problem" in html
    assert "Select the provider" in html and "Kept trigger" in html
    assert not OrganisationalEnquiry.objects.exists()


def test_cannot_start_for_another_team(client, practitioner, other_team):
    client.force_login(practitioner)
    response = client.post(
        CREATE,
        {
            "organisation": OrganisationFactory().pk,
            "team": other_team.pk,
            "trigger": "x",
            "started_on": TODAY.isoformat(),
            "placements_embargoed": "no",
        },
    )
    assert response.status_code == 200
    assert not OrganisationalEnquiry.objects.exists()


def test_link_and_unlink_an_enquiry(client, practitioner, org_enquiry, team):
    enquiry = EnquiryFactory(concern__person__team=team)
    RiskFactory(
        concern=enquiry.concern,
        source="service_provider",
        source_organisation=org_enquiry.organisation,
    )
    client.force_login(practitioner)
    page = client.get(detail(org_enquiry)).content.decode()
    assert escape(enquiry.concern.person.full_name) in page  # offered in the list
    response = client.post(link(org_enquiry), {"enquiry": str(enquiry.reference)})
    assert response.status_code == 302
    enquiry.refresh_from_db()
    assert enquiry.organisational_enquiry == org_enquiry
    assert ChronologyEvent.objects.filter(
        person=enquiry.concern.person, summary__contains="Meadow View"
    ).exists()
    enquiry_page = client.get(enquiry.get_absolute_url()).content.decode()
    assert "Meadow View Care Home" in enquiry_page
    response = client.post(unlink(org_enquiry, enquiry))
    assert response.status_code == 302
    enquiry.refresh_from_db()
    assert enquiry.organisational_enquiry is None


def test_cannot_link_an_enquiry_from_another_team(
    client, practitioner, org_enquiry, other_team
):
    hidden = EnquiryFactory(concern__person__team=other_team)
    client.force_login(practitioner)
    response = client.post(link(org_enquiry), {"enquiry": str(hidden.reference)})
    html = response.content.decode()
    assert response.status_code == 200
    assert "Select an enquiry you can see that is not already linked" in html
    hidden.refresh_from_db()
    assert hidden.organisational_enquiry is None


def test_link_needs_a_choice(client, practitioner, org_enquiry):
    client.force_login(practitioner)
    response = client.post(link(org_enquiry), {"enquiry": ""})
    assert "Select an enquiry to link" in response.content.decode()


def test_detail_counts_enquiries_the_user_cannot_see(
    client, practitioner, org_enquiry, other_team
):
    EnquiryFactory(concern__person__team=other_team, organisational_enquiry=org_enquiry)
    client.force_login(practitioner)
    html = client.get(detail(org_enquiry)).content.decode()
    assert "1 more linked enquiry belongs to teams you cannot see" in html


def _make(team, manager, n):
    for _ in range(n):
        org = OrganisationalEnquiry.objects.create(
            organisation=OrganisationFactory(),
            team=team,
            trigger="Pattern of concerns",
            lead=manager,
            started_on=TODAY,
        )
        EnquiryFactory.create_batch(
            2, concern__person__team=team, organisational_enquiry=org
        )


def test_list_query_count_does_not_grow(
    client, practitioner, manager, team, django_assert_num_queries
):
    client.force_login(practitioner)
    _make(team, manager, 1)
    client.get(LIST)
    with CaptureQueriesContext(connection) as small:
        client.get(LIST)
    _make(team, manager, 8)
    with django_assert_num_queries(len(small.captured_queries)):
        response = client.get(LIST)
    assert response.context["rows"][0].linked == 2
    assert len(response.context["rows"]) == 9


def test_list_pages_by_keyset(client, practitioner, manager, team):
    from enquiries.views import organisational as views_enquiry

    _make(team, manager, 3)
    client.force_login(practitioner)
    original = views_enquiry.PAGE_SIZE
    views_enquiry.PAGE_SIZE = 2
    try:
        first = client.get(LIST)
        rows = first.context["rows"]
        assert len(rows) == 2
        second = client.get(LIST, {"before": first.context["next_before"]})
    finally:
        views_enquiry.PAGE_SIZE = original
    assert len(second.context["rows"]) == 1
    assert second.context["rows"][0].pk < rows[-1].pk
    assert Enquiry.objects.count() == 6


def test_list_ignores_impossible_page_markers(client, practitioner):
    client.force_login(practitioner)
    assert client.get(LIST, {"before": "9" * 40}).status_code == 404
    assert client.get(LIST, {"before": "abc"}).status_code == 200
