"""The demo caseload gives each demo login something real to work on."""

import io

import pytest
from django.urls import reverse

from enquiries.demo import create_demo_caseload
from enquiries.models import Concern, ConsentDecision, Enquiry, Person
from msp.demo import create_demo_staff


@pytest.fixture
def staff(db):
    return create_demo_staff("demo password 123")


def test_demo_caseload_covers_every_stage(staff, client):
    out = io.StringIO()
    create_demo_caseload(staff=staff, out=out)
    north, south = staff["teams"]
    assert 38 <= Person.objects.filter(team=north).count() <= 42
    assert 8 <= Person.objects.filter(team=south).count() <= 12
    assert set(Concern.objects.values_list("status", flat=True)) >= {
        "received",
        "information_gathering",
        "decided",
    }
    assert Concern.objects.filter(decision="no_enquiry").exists()
    assert set(Enquiry.objects.values_list("status", flat=True)) == {
        s.value for s in Enquiry.Status
    }
    pending = ConsentDecision.objects.filter(
        overridden=True, override_confirmed_by__isnull=True
    )
    assert pending.count() == 1
    assert (
        pending.get().recorded_by == staff["colleague"]
    )  # so "practitioner" can confirm
    for enquiry in Enquiry.objects.filter(status="closed"):
        assert enquiry.concluded_on and enquiry.signed_off_by == staff["manager"]
        assert enquiry.risk_assessment_outcome and enquiry.lacked_capacity
        assert enquiry.risks.exists()
    waiting = Enquiry.objects.filter(status="closure_requested", team=north)
    assert waiting.exists() and waiting.first().closure_requested_by
    assert "Demo caseload:" in out.getvalue()

    # What the demo manager sees on the home page.
    client.force_login(staff["manager"])
    queues = {q["name"]: q for q in client.get(reverse("home")).context["queues"]}
    assert queues["signoff"]["rows"]
    assert queues["decision"]["rows"]
    client.force_login(staff["practitioner"])
    queues = {q["name"]: q for q in client.get(reverse("home")).context["queues"]}
    assert queues["mine"]["rows"]
    assert all(e.team == north for e in queues["team"]["rows"])


def test_demo_caseload_twice_adds_nothing(staff):
    create_demo_caseload(staff=staff, out=io.StringIO())
    before = Person.objects.count()
    out = io.StringIO()
    create_demo_caseload(staff=staff, out=out)
    assert Person.objects.count() == before
    assert "already present" in out.getvalue()
