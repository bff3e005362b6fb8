"""Demo online concerns for ``seed_demo``: made-up people only.

Six submissions that reach every state of the intake queue: waiting for the
north team, for the south team and unrouted (leads only), one converted into
a concern (with the referrer's account of the adult's wishes) and one closed
as not a safeguarding matter.
"""

from __future__ import annotations

import datetime

from django.utils import timezone

from enquiries.factories import PersonFactory
from enquiries.models import PublicSubmission
from enquiries.services import intake as services_intake


def _answers(**changes) -> dict:
    answers = {
        "relationship": "friend",
        "organisation": "",
        "name": "",
        "age": "",
        "date_of_birth": None,
        "address": "",
        "postcode": "",
        "town": "",
        "communication_needs": "",
        "what": "",
        "where": "",
        "harm_by": "",
        "danger": "no",
        "adult_knows": "unknown",
        "adult_wants": "",
        "contact": "anonymous",
        "contact_name": "",
        "phone": "",
        "email": "",
        "safe_to_email": False,
        "safe_contact": "",
    }
    answers.update(changes)
    return answers


DEMO = [
    (
        2,
        _answers(
            relationship="family",
            name="Edna Whitfield",
            age="84",
            address="12 Mill Lane",
            postcode="NE1 2AB",
            what="My cousin moved in with Edna in the spring. Since then she has "
            "had no money for food and he has her bank card.",
            where="At her home",
            harm_by="Her nephew, who lives with her",
            adult_knows="yes",
            adult_wants="She wants her card back but does not want him to get "
            "into trouble.",
            contact="yes",
            contact_name="Carol Whitfield",
            phone="01632 960 123",
            safe_contact="Any time",
        ),
    ),
    (
        30,
        _answers(
            relationship="public",
            name="The man at number 4",
            age="60",
            address="4 Station Road",
            postcode="SE1 4XY",
            what="He is shouted at every night and I have seen bruises on his arms.",
            where="At his flat",
            danger="unknown",
        ),
    ),
    (
        55,
        _answers(
            relationship="professional",
            organisation="Example Home Care Ltd",
            name="Reg Baines",
            age="77",
            address="Flat 9, Harbour View",
            town="Eastport",
            what="Reg has been left in wet clothes on my last three visits. "
            "Another agency visits in the mornings.",
            where="At his home",
            adult_knows="no",
            contact="yes",
            contact_name="Amira Khan",
            email="amira.khan@example.org",
            safe_contact="Office hours",
        ),
    ),
    (
        8,
        _answers(
            relationship="friend",
            name="Walter Green",
            age="91",
            address="Rose Court care home",
            town="Northtown",
            what="Walter told me staff lock his door at night and he cannot get "
            "to the toilet.",
            where="Rose Court care home",
            harm_by="Night staff at the care home",
            danger="no",
            adult_knows="yes",
            adult_wants="He wants his door left unlocked.",
            contact="yes",
            contact_name="Pete Lowe",
            phone="01632 960 456",
        ),
    ),
    (
        5,
        _answers(
            relationship="self",
            name="June Parry",
            age="70",
            address="3 Church Walk",
            postcode="NE2 1CD",
            what="My son takes my pension each week and says I owe him.",
            where="At my home",
            harm_by="My son",
            adult_knows="yes",
            adult_wants="I want my pension to be paid into my own account "
            "and to still see my grandchildren.",
        ),
    ),
]


def create_demo_submissions(*, staff: dict, out) -> None:
    north, south = staff["teams"]
    made = []
    for hours_ago, answers in DEMO:
        submission = services_intake.receive_submission(answers=answers)
        PublicSubmission.objects.filter(pk=submission.pk).update(
            submitted_at=timezone.now() - datetime.timedelta(hours=hours_ago)
        )
        submission.refresh_from_db()
        made.append(submission)
    # One converted into a concern about a new person.
    services_intake.convert_submission(
        user=staff["practitioner"],
        submission=made[4],
        team=made[4].team or north,
        new_person={
            "given_name": "June",
            "family_name": "Parry",
            "date_of_birth": None,
            "address": "3 Church Walk",
            "postcode": "NE2 1CD",
        },
    )
    # One closed as not a safeguarding matter.
    closed = services_intake.receive_submission(
        answers=_answers(
            relationship="public",
            name="Neighbour",
            address="Bus stop on High Street",
            postcode="NE3 5EF",
            what="Young people are being noisy near the bus stop.",
            where="In the street",
        )
    )
    services_intake.close_submission(
        user=staff["manager"],
        submission=closed,
        reason="Antisocial behaviour, not about an adult with care and support "
        "needs. Passed to the community safety team.",
        referrer_feedback="",
    )
    # A second north submission with a likely match among existing people.
    PersonFactory(
        given_name="Edna",
        family_name="Whitfield",
        team=north,
        date_of_birth=datetime.date.today().replace(day=1)
        - datetime.timedelta(days=84 * 365),
    )
    out.write(
        f"Demo online concerns: {PublicSubmission.objects.count()} "
        f"(north, south, not routed, converted, closed)\n"
    )
