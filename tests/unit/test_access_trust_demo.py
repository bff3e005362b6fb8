"""The trust demo gives each demo login something real to see."""

import io

import pytest

from enquiries.models import BreakGlassGrant, Person
from enquiries.selectors import trust
from enquiries.trust_demo import create_demo_trust
from msp import access
from msp.demo import create_demo_staff
from msp.models import AuditEvent


@pytest.mark.django_db
def test_demo_has_a_restricted_person_a_review_and_an_audit_trail():
    staff = create_demo_staff("demo-password-2024")
    out = io.StringIO()
    create_demo_trust(staff=staff, out=out)

    restricted = Person.objects.get(is_restricted=True)
    assert restricted.team == staff["teams"][0]
    assert list(access.visible(staff["lead"], Person.objects.all())) == [restricted]
    # The practitioner in the same team only learns a restricted record exists.
    assert not access.visible(staff["practitioner"], Person.objects.all()).exists()
    assert (
        trust.restricted_matches(staff["practitioner"], Person.objects.all()).count == 1
    )
    # The colleague broke the glass, so can open it now; the lead must review it.
    assert list(access.visible(staff["colleague"], Person.objects.all())) == [
        restricted
    ]
    assert BreakGlassGrant.objects.filter(reviewed_at__isnull=True).count() == 1
    assert AuditEvent.objects.filter(person_ref=str(restricted.reference)).count() >= 3
    assert "restricted" in out.getvalue()
