"""Large-scale enquiries to the end (issue 18): edit, meetings, actions,
provider and regulator contact, the same-provider link rule, conclusion and
a manager's sign-off; each linked adult still counted in the SAC return."""

import datetime

import pytest
from django.urls import reverse

from enquiries.factories import EnquiryFactory, OrganisationFactory, RiskFactory
from enquiries.models import (
    Enquiry,
    InvolvedAgency,
    OrganisationalAction,
    OrganisationalEnquiry,
    OrganisationalMeeting,
)
from enquiries.services import enquiry as enquiry_services
from enquiries.services import organisational as services
from msp.models import AuditEvent
from outcomes.sac import compute_sac_return
from tests.page_forms import form_values

pytestmark = pytest.mark.django_db
TODAY = datetime.date.today()


@pytest.fixture
def org(team, manager):
    return OrganisationalEnquiry.objects.create(
        organisation=OrganisationFactory(name="Meadow View Care Home"),
        team=team,
        trigger="Three concerns about night staffing",
        lead=manager,
        started_on=TODAY - datetime.timedelta(days=30),
    )


def url(name, org, *args):
    return reverse(f"enquiries:organisational_{name}", args=[org.reference, *args])


def naming(provider, team, **kwargs):
    """An adult's enquiry whose risk names ``provider`` as the source."""
    enquiry = EnquiryFactory(concern__person__team=team, **kwargs)
    RiskFactory(
        concern=enquiry.concern,
        enquiry=enquiry,
        risk_type="organisational",
        location="care_home_nursing",
        source="service_provider",
        source_organisation=provider,
    )
    return enquiry


def _post(client, path, values, **changes):
    data = {k: v for k, v in values.items() if k != "csrfmiddlewaretoken"}
    data.update({k: [v] for k, v in changes.items()})
    return client.post(path, data)


def _audited(org, text):
    return AuditEvent.objects.filter(
        object_ref=str(org.reference), summary__contains=text
    ).exists()


# Access ----------------------------------------------------------------------


def test_pages_need_sign_in_and_a_visible_team(
    client, org, other_team_practitioner, auditor
):
    action = OrganisationalAction.objects.create(
        organisational=org, description="Audit MAR charts", owner="Ann", due_on=TODAY
    )
    paths = [
        url("edit", org),
        url("conclude", org),
        url("sign_off", org),
        url("meeting_add", org),
        url("action_add", org),
        url("action_edit", org, action.pk),
    ]
    for path in paths:
        assert client.get(path)["Location"].startswith("/sign-in/")
    client.force_login(other_team_practitioner)
    for path in paths:
        assert client.get(path).status_code == 404
        assert client.post(path, {}).status_code == 404
    client.force_login(auditor)
    for path in paths:
        assert client.post(path, {}).status_code == 403
    assert not OrganisationalMeeting.objects.exists()
    assert OrganisationalAction.objects.get().status == "open"


# Edit: contacts, audit, conflict ---------------------------------------------


def test_edit_records_provider_and_regulator_contact(client, practitioner, org):
    client.force_login(practitioner)
    shown = form_values(client.get(url("edit", org)).content.decode())
    response = _post(
        client,
        url("edit", org),
        shown,
        provider_contact="Spoke to the registered manager, Jo Bell",
        provider_contacted_on=TODAY.isoformat(),
        regulator_contact="CQC inspector told of the pattern",
        regulator_contacted_on=TODAY.isoformat(),
        placements_embargoed="yes",
    )
    assert response.status_code == 302
    org.refresh_from_db()
    assert org.regulator_contact == "CQC inspector told of the pattern"
    assert org.placements_embargoed and org.version == 2
    assert _audited(org, "changed")
    page = client.get(org.get_absolute_url()).content.decode()
    assert "Jo Bell" in page and "CQC inspector" in page


def test_edit_conflict_keeps_the_colleagues_change(
    client, practitioner, other_practitioner, org
):
    client.force_login(practitioner)
    shown = form_values(client.get(url("edit", org)).content.decode())
    services.change_organisational(
        user=other_practitioner,
        organisational=OrganisationalEnquiry.objects.get(pk=org.pk),
        expected_version=org.version,
        data={"regulator_contact": "B told the CQC"},
    )
    response = _post(client, url("edit", org), shown, provider_contact="A's call")
    html = response.content.decode()
    assert response.status_code == 200
    assert "Someone else saved this record" in html
    org.refresh_from_db()
    assert org.regulator_contact == "B told the CQC" and org.provider_contact == ""
    again = _post(client, url("edit", org), form_values(html))
    assert again.status_code == 302
    org.refresh_from_db()
    assert (org.provider_contact, org.regulator_contact) == (
        "A's call",
        "B told the CQC",
    )


def test_edit_errors_keep_input_and_change_nothing(client, practitioner, org):
    client.force_login(practitioner)
    shown = form_values(client.get(url("edit", org)).content.decode())
    response = _post(
        client,
        url("edit", org),
        shown,
        trigger="",
        provider_contact="Kept text",
        provider_contacted_on="31/31",
    )
    html = response.content.decode()
    assert "There is a problem" in html and "Kept text" in html
    org.refresh_from_db()
    assert org.provider_contact == "" and org.version == 1


# Link only enquiries naming the same provider --------------------------------


def test_picker_offers_only_enquiries_naming_the_provider(client, practitioner, org):
    same = naming(org.organisation, practitioner.teams.get())
    other = naming(OrganisationFactory(name="Elm House"), practitioner.teams.get())
    client.force_login(practitioner)
    response = client.get(org.get_absolute_url())
    offered = list(response.context["form"].fields["enquiry"].queryset)
    assert offered == [same]
    refused = client.post(url("link", org), {"enquiry": str(other.reference)})
    assert "none of its risks names Meadow View Care Home" in (
        refused.content.decode().replace("&#x27;", "'")
    )
    other.refresh_from_db()
    assert other.organisational_enquiry is None
    assert client.post(url("link", org), {"enquiry": str(same.reference)}).status_code
    same.refresh_from_db()
    assert same.organisational_enquiry == org


def test_a_withdrawn_risk_does_not_count(practitioner, org, team):
    enquiry = naming(org.organisation, team)
    enquiry.risks.update(is_withdrawn=True)
    with pytest.raises(Exception, match="none of its risks"):
        enquiry_services.link_to_organisational(
            user=practitioner, organisational=org, enquiry=enquiry
        )


# Meetings and actions ---------------------------------------------------------


def test_meeting_with_attendees_from_involved_agencies(client, practitioner, org, team):
    enquiry = naming(org.organisation, team, organisational_enquiry=org)
    police = InvolvedAgency.objects.create(
        concern=enquiry.concern,
        enquiry=enquiry,
        organisation=OrganisationFactory(name="Northshire Police"),
        role="police",
        named_contact="DC Rahman",
    )
    stranger = InvolvedAgency.objects.create(
        concern=EnquiryFactory(concern__person__team=team).concern,
        organisation=OrganisationFactory(name="Unrelated Trust"),
        role="health",
    )
    client.force_login(practitioner)
    page = client.get(url("meeting_add", org)).content.decode()
    assert "Northshire Police" in page and "Unrelated Trust" not in page
    refused = client.post(
        url("meeting_add", org),
        {"held_on": TODAY.isoformat(), "attendees": [stranger.pk], "minutes": "x"},
    )
    assert refused.status_code == 200 and not OrganisationalMeeting.objects.exists()
    nobody = client.post(
        url("meeting_add", org), {"held_on": TODAY.isoformat(), "minutes": "x"}
    )
    assert "Choose the agencies attending or enter who attended" in (
        nobody.content.decode()
    )
    response = client.post(
        url("meeting_add", org),
        {
            "held_on": TODAY.isoformat(),
            "attendees": [police.pk],
            "other_attendees": "CQC inspector",
            "minutes": "Agreed daily visits",
        },
    )
    assert response.status_code == 302
    meeting = OrganisationalMeeting.objects.get()
    assert list(meeting.attendees.all()) == [police]
    assert _audited(org, "meeting recorded")
    detail = client.get(org.get_absolute_url()).content.decode()
    assert "DC Rahman" in detail and "Agreed daily visits" in detail


def test_actions_with_owner_due_date_and_status(client, practitioner, org):
    client.force_login(practitioner)
    response = client.post(
        url("action_add", org),
        {"description": "Review care plans", "owner": "Sam Reid", "due_on": "x"},
    )
    assert "Enter a real date" in response.content.decode()
    client.post(
        url("action_add", org),
        {
            "description": "Review care plans",
            "owner": "Sam Reid",
            "due_on": TODAY.isoformat(),
        },
    )
    action = OrganisationalAction.objects.get()
    assert action.owner == "Sam Reid" and action.status == "open"
    shown = form_values(client.get(url("action_edit", org, action.pk)).content.decode())
    _post(client, url("action_edit", org, action.pk), shown, status="done")
    action.refresh_from_db()
    assert action.status == "done"
    assert AuditEvent.objects.filter(
        summary__contains="action for Sam Reid updated"
    ).exists()
    assert client.get(url("action_edit", org, 10**15)).status_code == 404


# Conclusion and sign-off ------------------------------------------------------


def _conclude(client, org, **overrides):
    shown = form_values(client.get(url("conclude", org)).content.decode())
    data = {
        "concluded_on": TODAY.isoformat(),
        "findings_summary": "Staffing below safe levels",
    }
    return _post(client, url("conclude", org), shown, **{**data, **overrides})


def test_conclusion_date_cannot_be_in_the_future(client, practitioner, org):
    client.force_login(practitioner)
    response = _conclude(
        client, org, concluded_on=(TODAY + datetime.timedelta(days=1)).isoformat()
    )
    assert "must be today or in the past" in response.content.decode()
    org.refresh_from_db()
    assert org.status == "open" and org.concluded_on is None


def test_only_managers_and_leads_sign_off(client, practitioner, manager, org):
    client.force_login(practitioner)
    assert _conclude(client, org).status_code == 302
    org.refresh_from_db()
    assert org.status == "concluded"
    assert client.get(url("sign_off", org)).status_code == 403
    assert client.post(url("sign_off", org), {"version": org.version}).status_code == (
        403
    )
    org.refresh_from_db()
    assert org.status == "concluded"
    client.force_login(manager)
    shown = form_values(client.get(url("sign_off", org)).content.decode())
    assert _post(client, url("sign_off", org), shown).status_code == 302
    org.refresh_from_db()
    assert org.status == "closed" and org.signed_off_by == manager
    assert org.closed_on == TODAY
    assert _audited(org, "signed off and closed")


def test_sign_off_needs_a_conclusion_and_no_open_actions(client, lead, org):
    client.force_login(lead)
    shown = form_values(client.get(url("sign_off", org)).content.decode())
    response = _post(client, url("sign_off", org), shown)
    assert "Record the conclusion" in response.content.decode()
    OrganisationalAction.objects.create(
        organisational=org, description="x", owner="y", due_on=TODAY
    )
    _conclude(client, org)
    shown = form_values(client.get(url("sign_off", org)).content.decode())
    response = _post(client, url("sign_off", org), shown)
    assert "Mark every action done or cancelled" in response.content.decode()
    org.refresh_from_db()
    assert org.status == "concluded"


def test_a_closed_enquiry_cannot_be_changed(client, practitioner, manager, org):
    org.status = "closed"
    org.save()
    client.force_login(practitioner)
    shown = form_values(client.get(url("edit", org)).content.decode())
    response = _post(client, url("edit", org), shown, provider_contact="late")
    assert "closed and can no longer be changed" in response.content.decode()
    org.refresh_from_db()
    assert org.provider_contact == ""


def test_a_closed_enquiry_keeps_its_linked_adults(client, practitioner, org, team):
    enquiry = naming(org.organisation, team, organisational_enquiry=org)
    org.status = "closed"
    org.save()
    client.force_login(practitioner)
    page = client.get(org.get_absolute_url()).content.decode()
    assert enquiry.concern.person.full_name in page and "Unlink" not in page
    response = client.post(url("unlink", org, enquiry.reference), follow=True)
    assert "closed, so its enquiries stay linked" in response.content.decode()
    enquiry.refresh_from_db()
    assert enquiry.organisational_enquiry == org


def test_detail_queries_do_not_grow_with_meetings(
    client, practitioner, org, team, django_assert_max_num_queries
):
    enquiry = naming(org.organisation, team, organisational_enquiry=org)
    agencies = [
        InvolvedAgency.objects.create(
            concern=enquiry.concern, organisation=OrganisationFactory(), role="health"
        )
        for _ in range(3)
    ]
    for n in range(5):
        meeting = OrganisationalMeeting.objects.create(
            organisational=org, held_on=TODAY, minutes=f"m{n}"
        )
        meeting.attendees.set(agencies)
        OrganisationalAction.objects.create(
            organisational=org, description=f"a{n}", owner="o", due_on=TODAY
        )
    client.force_login(practitioner)
    with django_assert_max_num_queries(25):
        assert client.get(org.get_absolute_url()).status_code == 200


# SAC: each linked individual counted -----------------------------------------


def test_three_linked_individuals_each_count_in_sg1_and_sg2(
    client, practitioner, manager, org, team
):
    received = datetime.date(2024, 6, 1)
    linked = []
    for _ in range(3):
        enquiry = naming(
            org.organisation,
            team,
            concluded=True,
            concern__received_on=received,
            started_on=received + datetime.timedelta(days=1),
        )
        enquiry_services.link_to_organisational(
            user=practitioner, organisational=org, enquiry=enquiry
        )
        linked.append(enquiry)
    client.force_login(practitioner)
    _conclude(client, org)
    client.force_login(manager)
    shown = form_values(client.get(url("sign_off", org)).content.decode())
    _post(client, url("sign_off", org), shown)
    org.refresh_from_db()
    assert org.status == "closed"
    assert Enquiry.objects.filter(organisational_enquiry=org).count() == 3
    cells = compute_sac_return("2024-25")
    s42_people = sum(
        v
        for (t, _, c), v in cells.items()
        if t == "SG1a" and c == "Section 42 Enquiries"
    )
    assert s42_people == 3
    assert cells[("SG1f", "Total Number of Section 42 Safeguarding Enquiries", "")] == 3
    sg2b = {(r, c): v for (t, r, c), v in cells.items() if t == "SG2b" and v}
    assert sg2b == {("Care Home - Nursing", "Service Provider"): 3}
