"""seed_demo makes one open large-scale enquiry (three adults whose risks name
the same care home, a meeting of their agencies, two actions) and one
concluded, signed off and closed; each page shows them."""

import io

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.urls import reverse

from enquiries.models import Enquiry, OrganisationalEnquiry, Risk
from enquiries.organisational_demo import create_demo_organisational
from msp import roles
from msp.factories import TeamFactory, UserFactory
from msp.models import AuditEvent

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo(settings):
    settings.DEMO_MODE = True
    settings.DEMO_PASSWORD = "demo-password-for-tests"
    call_command("seed_demo", people=0, stdout=io.StringIO())


def test_seed_demo_makes_an_open_and_a_closed_large_scale_enquiry(demo, client):
    opened = OrganisationalEnquiry.objects.get(status="open")
    linked = list(Enquiry.objects.filter(organisational_enquiry=opened))
    assert len(linked) == 3
    for enquiry in linked:
        assert enquiry.status != "closed"
        assert Risk.objects.filter(
            concern=enquiry.concern,
            source_organisation=opened.organisation,
            is_withdrawn=False,
        ).exists()
    assert opened.placements_embargoed
    assert opened.provider_contact and opened.regulator_contact
    meeting = opened.meetings.get()
    assert meeting.attendees.count() == 2 and meeting.other_attendees
    assert sorted(opened.actions.values_list("status", flat=True)) == ["done", "open"]

    closed = OrganisationalEnquiry.objects.get(status="closed")
    assert closed.organisation != opened.organisation
    assert closed.concluded_on and closed.findings_summary
    assert closed.signed_off_by.username == "manager" and closed.closed_on
    assert closed.meetings.count() == 1
    assert not closed.actions.filter(status="open").exists()
    # Written through the services: each step audited.
    assert AuditEvent.objects.filter(
        object_ref=str(closed.reference), summary__contains="signed off and closed"
    ).exists()
    assert (
        AuditEvent.objects.filter(
            summary__contains=f"Linked to the large-scale enquiry about "
            f"{opened.organisation}"
        ).count()
        == 3
    )

    # The pages show them.
    users = get_user_model().objects
    client.force_login(users.get(username="manager"))
    listing = client.get(reverse("enquiries:organisational_list")).content.decode()
    assert str(opened.organisation) in listing and str(closed.organisation) in listing
    page = client.get(opened.get_absolute_url()).content.decode()
    assert "Jo Bell, registered manager" in page
    assert "Review pressure care plans" in page and "Audit done" in page
    page = client.get(closed.get_absolute_url()).content.decode()
    assert "Signed off and closed" in page and "Rota gaps caused" in page

    # Running the step again adds nothing.
    staff = {
        "manager": users.get(username="manager"),
        "teams": [TeamFactory(code="north-again"), TeamFactory(code="south-again")],
    }
    create_demo_organisational(staff=staff, out=io.StringIO())
    assert OrganisationalEnquiry.objects.count() == 2


def test_with_no_provider_named_only_the_closed_one_is_made():
    north = TeamFactory(code="north")
    staff = {
        "manager": UserFactory(role=roles.TEAM_MANAGER, team=north),
        "teams": [north, TeamFactory(code="south")],
    }
    out = io.StringIO()
    create_demo_organisational(staff=staff, out=out)
    org = OrganisationalEnquiry.objects.get()
    assert org.status == "closed" and org.organisation.name.endswith("(demo)")
    assert "one closed" in out.getvalue()
