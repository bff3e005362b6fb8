"""Demo partners for ``seed_demo`` (issue 18): agencies involved in a few
open enquiries, requests to partners (one overdue, one answered, one closed),
information shares in and out, and a section 45 request."""

from __future__ import annotations

import datetime

from enquiries.models import (
    CausedEnquiry,
    Enquiry,
    InformationShare,
    InvolvedAgency,
    Organisation,
    S45Request,
)
from enquiries.timescales import add_working_days

DEMO_ORGANISATIONS = [
    ("Northshire Police", Organisation.Kind.POLICE, "NS1 1PD"),
    ("Castle Bank, High Street branch", Organisation.Kind.BANK, "NS2 4HB"),
    ("Northshire Hospitals NHS Trust", Organisation.Kind.HOSPITAL, "NS3 9NH"),
    ("Voices Advocacy", Organisation.Kind.ADVOCACY, "NS1 7VA"),
    ("Northshire Safeguarding Adults Board", Organisation.Kind.LOCAL_AUTHORITY, ""),
]


def _organisation(name: str, kind: str, postcode: str, user) -> Organisation:
    key = Organisation.key_for(name, postcode)
    found = Organisation.objects.filter(match_key=key).first()
    if found:
        return found
    return Organisation.objects.create(
        name=name, kind=kind, postcode=postcode, created_by=user, updated_by=user
    )


def create_demo_partners(*, team, user, today: datetime.date) -> dict[str, int]:
    """A few of each partner record on the team's open enquiries."""
    orgs = [_organisation(*row, user) for row in DEMO_ORGANISATIONS]
    police, bank, trust, advocacy, board = orgs
    enquiries = list(
        Enquiry.objects.filter(team=team)
        .exclude(status=Enquiry.Status.CLOSED)
        .select_related("concern")
        .order_by("started_on", "pk")[:3]
    )
    counts = {"agencies": 0, "requests": 0, "shares": 0, "s45": 0}
    for index, enquiry in enumerate(enquiries):
        concern = enquiry.concern
        start = max(enquiry.started_on, concern.received_on)
        common = {"created_by": user, "updated_by": user}
        for org, role, contact in (
            (police, InvolvedAgency.Role.POLICE, "DC Amy Hart"),
            ((bank, trust, advocacy)[index], _ROLES[index], _CONTACTS[index]),
        ):
            InvolvedAgency.objects.create(
                concern=concern,
                enquiry=enquiry,
                organisation=org,
                role=role,
                role_detail=(
                    "Bank holding the adult's account"
                    if role == InvolvedAgency.Role.OTHER
                    else ""
                ),
                named_contact=contact,
                contact_details="0300 123 4567",
                involved_from=start,
                **common,
            )
            counts["agencies"] += 1
        asked = start
        due = add_working_days(asked, 20)
        request = CausedEnquiry(
            enquiry=enquiry,
            organisation=(police, bank, trust)[index],
            scope=_SCOPES[index],
            requested_on=asked,
            working_days=20,
            due_on=due,
            **common,
        )
        if index == 1 and due < today:
            request.report_received_on = due
            request.response_summary = (
                "Statements for the last six months supplied; three large "
                "cash withdrawals on days the adult was in hospital."
            )
            request.council_satisfied = True
        if index == 2 and due < today:
            request.report_received_on = due
            request.response_summary = "Ward records checked: no further concerns."
            request.council_satisfied = True
            request.closed_on = due
        request.save()
        counts["requests"] += 1
        InformationShare.objects.create(
            concern=concern,
            enquiry=enquiry,
            organisation=request.organisation,
            direction=InformationShare.Direction.OUT,
            shared_on=asked,
            what="Summary of the concern and the adult's views",
            why="To ask the organisation to make enquiries (Care Act s42(2))",
            lawful_basis=InformationShare.LawfulBasis.PUBLIC_TASK,
            article6=InformationShare.Article6.E,
            special_condition=InformationShare.SpecialCondition.SAFEGUARDING,
            consent=InformationShare.Consent.CONSENTED,
            adult_told=InformationShare.Told.YES,
            **common,
        )
        counts["shares"] += 1
    if enquiries:
        enquiry = enquiries[0]
        start = max(enquiry.started_on, enquiry.concern.received_on)
        s45 = S45Request.objects.create(
            concern=enquiry.concern,
            enquiry=enquiry,
            organisation=board,
            direction=S45Request.Direction.RECEIVED,
            requested_on=start,
            due_on=add_working_days(start, 10),
            what_requested="A chronology of the council's involvement for a review",
            decision=S45Request.Decision.COMPLY,
            decided_on=start,
            created_by=user,
            updated_by=user,
        )
        counts["s45"] += 1
        InformationShare.objects.create(
            concern=enquiry.concern,
            enquiry=enquiry,
            organisation=board,
            direction=InformationShare.Direction.OUT,
            shared_on=start,
            what="Chronology of the council's involvement",
            why="Supply of information to the Safeguarding Adults Board",
            lawful_basis=InformationShare.LawfulBasis.S45_REQUEST,
            article6=InformationShare.Article6.C,
            special_condition=InformationShare.SpecialCondition.SAFEGUARDING,
            consent=InformationShare.Consent.NOT_ASKED,
            not_asked_reason="A statutory request: the adult was told afterwards",
            adult_told=InformationShare.Told.YES,
            s45_request=s45,
            created_by=user,
            updated_by=user,
        )
        counts["shares"] += 1
    return counts


_ROLES = [
    InvolvedAgency.Role.OTHER,
    InvolvedAgency.Role.HEALTH,
    InvolvedAgency.Role.ADVOCACY,
]
_CONTACTS = ["Priya Shah, fraud team", "Ward sister Kate Lowe", "Tom Bell, advocate"]
_SCOPES = [
    "Speak to the adult's son about the bruising and tell us if you will "
    "investigate a crime",
    "Check the account for unusual withdrawals since January",
    "Review the ward's records of the adult's injuries on admission",
]
