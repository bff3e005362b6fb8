"""A concern naming a payment's recipient or assistant links itself to the payment.

Matched on the relationship record the practitioner chose, never on a name;
the link triggers a review and can be withdrawn with a reason.
"""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from budgets import services
from budgets.models import ConcernLink, Review
from enquiries.factories import PersonFactory
from enquiries.models import Relationship, Risk
from enquiries.services import people
from msp.models import AuditEvent
from tests.integration.budgets.conftest import PAYMENT_DATA

pytestmark = pytest.mark.django_db


@pytest.fixture
def son(person):
    return Relationship.objects.create(person=person, kind="family", name="Tom Moss")


@pytest.fixture
def neighbour(person):
    return Relationship.objects.create(
        person=person, kind="friend", name="Tom Moss"
    )  # same name, a different person


@pytest.fixture
def nominated_payment(budget, practitioner, son):
    return services.create_direct_payment(
        user=practitioner,
        budget=budget,
        data={
            **PAYMENT_DATA,
            "legal_basis": "s31_nominated",
            "recipient_name": "Tom Moss",
            "recipient_relationship": "Son",
            "recipient_relation": son,
        },
    )


def _record_risk(client, concern, relation, captured):
    with captured(execute=True):
        return client.post(
            reverse("enquiries:risk_add", args=[concern.reference]),
            {
                "risk_type": "financial_material",
                "location": "own_home",
                "source": "known",
                "source_relation": relation.pk if relation else "",
            },
        )


def test_concern_naming_the_recipient_links_and_triggers_a_review(
    client,
    practitioner,
    concern,
    nominated_payment,
    son,
    django_capture_on_commit_callbacks,
):
    client.force_login(practitioner)
    response = _record_risk(client, concern, son, django_capture_on_commit_callbacks)
    assert response.status_code == 302
    link = ConcernLink.objects.get(direct_payment=nominated_payment, concern=concern)
    assert link.role == ConcernLink.Role.NOMINEE_SOURCE
    assert link.matched_automatically
    review = nominated_payment.reviews.get(review_type=Review.Type.TRIGGERED)
    assert review.trigger == Review.Trigger.SAFEGUARDING
    assert review.trigger_concern == concern
    assert AuditEvent.objects.filter(
        object_ref=str(link.reference), action="create"
    ).exists()
    # Both sides show the link: the payment page and the person's budgets page.
    page = client.get(nominated_payment.get_absolute_url()).content.decode()
    assert "Nominated or authorised person is the source of risk" in page
    assert "Linked automatically" in page
    person_page = client.get(
        reverse("budgets:person", args=[concern.person.reference])
    ).content.decode()
    assert "Nominated or authorised person is the source of risk" in person_page


def test_a_namesake_who_is_not_the_recipient_links_nothing(
    client,
    practitioner,
    concern,
    nominated_payment,
    neighbour,
    django_capture_on_commit_callbacks,
):
    client.force_login(practitioner)
    _record_risk(client, concern, neighbour, django_capture_on_commit_callbacks)
    assert not ConcernLink.objects.exists()
    assert not nominated_payment.reviews.filter(review_type="triggered").exists()


def test_a_personal_assistant_recorded_as_a_relationship_is_matched(
    practitioner, concern, payment, person, django_capture_on_commit_callbacks
):
    carer = Relationship.objects.create(person=person, kind="paid_carer", name="Jo")
    services.add_assistant(
        user=practitioner,
        payment=payment,
        data={
            "name": "Jo",
            "started_on": datetime.date(2025, 9, 1),
            "relationship": "none",
            "person_relation": carer,
        },
    )
    with django_capture_on_commit_callbacks(execute=True):
        people.add_alleged_risk(
            user=practitioner,
            concern=concern,
            data={
                "risk_type": "physical",
                "location": "own_home",
                "source": "known",
                "source_relation": carer,
            },
        )
    link = ConcernLink.objects.get(direct_payment=payment)
    assert link.role == ConcernLink.Role.PA_SOURCE
    assert payment.reviews.filter(trigger="safeguarding", trigger_concern=concern)


def test_recording_it_again_does_not_link_twice(
    practitioner, concern, nominated_payment, son, django_capture_on_commit_callbacks
):
    risk = Risk.objects.create(
        concern=concern,
        risk_type="financial_material",
        location="own_home",
        source="known",
        source_relation=son,
    )
    services.link_payments_to_source(user=practitioner, risk=risk)
    services.link_payments_to_source(user=practitioner, risk=risk)
    assert ConcernLink.objects.count() == 1


def test_a_relationship_of_another_adult_is_refused(
    client, practitioner, concern, team
):
    stranger = Relationship.objects.create(
        person=PersonFactory(team=team), kind="family", name="Someone else"
    )
    client.force_login(practitioner)
    response = client.post(
        reverse("enquiries:risk_add", args=[concern.reference]),
        {
            "risk_type": "physical",
            "location": "own_home",
            "source": "known",
            "source_relation": stranger.pk,
        },
    )
    assert response.status_code == 200
    assert not Risk.objects.filter(source_relation=stranger).exists()


def test_a_relationship_only_goes_with_someone_known(
    client, practitioner, concern, son
):
    client.force_login(practitioner)
    response = client.post(
        reverse("enquiries:risk_add", args=[concern.reference]),
        {
            "risk_type": "physical",
            "location": "own_home",
            "source": "unknown",
            "source_relation": son.pk,
        },
    )
    assert response.status_code == 200
    assert "when the source is someone known to the adult" in response.content.decode()
    assert "govuk-error-summary" in response.content.decode()


def test_a_wrong_match_is_withdrawn_with_a_reason(
    client,
    practitioner,
    concern,
    nominated_payment,
    son,
    django_capture_on_commit_callbacks,
):
    client.force_login(practitioner)
    _record_risk(client, concern, son, django_capture_on_commit_callbacks)
    link = ConcernLink.objects.get()
    url = reverse("budgets:link_withdraw", args=[link.reference])

    response = client.post(url, {"reason": ""})
    assert response.status_code == 200
    assert "Enter why this link is wrong" in response.content.decode()

    response = client.post(url, {"reason": "The concern is about his cousin"})
    assert response.status_code == 302
    link.refresh_from_db()
    assert link.is_withdrawn
    assert link.withdrawn_by == practitioner
    assert AuditEvent.objects.filter(
        object_ref=str(link.reference),
        action="change",
        summary__contains="The concern is about his cousin",
    ).exists()
    page = client.get(nominated_payment.get_absolute_url()).content.decode()
    assert "Withdrawn" in page and "The concern is about his cousin" in page
    # Kept, not deleted; a second withdrawal is refused; and linking it
    # properly again is possible.
    assert client.get(url).status_code == 404
    services.link_concern(
        user=practitioner,
        payment=nominated_payment,
        concern=concern,
        role=ConcernLink.Role.NOMINEE_SOURCE,
    )
    assert ConcernLink.objects.count() == 2


def test_only_case_workers_may_withdraw(auditor, practitioner, concern, payment):
    link = services.link_concern(
        user=practitioner, payment=payment, concern=concern, role="misuse"
    )
    with pytest.raises(PermissionDenied):
        services.withdraw_link(user=auditor, link=link, reason="wrong")
    with pytest.raises(ValidationError):
        services.withdraw_link(user=practitioner, link=link, reason="  ")
    link.refresh_from_db()
    assert not link.is_withdrawn


def test_recipient_must_be_the_persons_own_relationship(budget, practitioner, team):
    stranger = Relationship.objects.create(
        person=PersonFactory(team=team), kind="family", name="X"
    )
    with pytest.raises(ValidationError) as exc:
        services.create_direct_payment(
            user=practitioner,
            budget=budget,
            data={
                **PAYMENT_DATA,
                "legal_basis": "s31_nominated",
                "recipient_name": "X",
                "recipient_relation": stranger,
            },
        )
    assert "recipient_relation" in exc.value.message_dict
