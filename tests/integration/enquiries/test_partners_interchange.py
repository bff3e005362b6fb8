"""Partners in the interchange format (issue 18): involved agencies,
requests to partners, s45 requests and the share's links to a consent
decision and an s45 request travel in the file and come back unchanged."""

import datetime
import io
import json

import pytest

from enquiries.factories import EnquiryFactory, OrganisationFactory
from enquiries.interchange import export_cases, import_cases
from enquiries.models import (
    CausedEnquiry,
    ChronologyEvent,
    Concern,
    ConsentDecision,
    Enquiry,
    InformationShare,
    InvolvedAgency,
    Organisation,
    Person,
    PersonNameWord,
    S45Request,
)
from msp.models import Team

pytestmark = pytest.mark.django_db
TODAY = datetime.date.today()
DAY = datetime.timedelta(days=1)


def _export() -> str:
    out = io.StringIO()
    export_cases(out)
    return out.getvalue()


def _import(text: str):
    return import_cases(io.StringIO(text), stdout=io.StringIO())


@pytest.fixture
def case(team):
    enquiry = EnquiryFactory(
        status="planning",
        concern__person__team=team,
        concern__received_on=TODAY - 60 * DAY,
        started_on=TODAY - 50 * DAY,
    )
    concern = enquiry.concern
    bank = OrganisationFactory(name="Castle Bank", postcode="AB1 2CD", kind="bank")
    police = OrganisationFactory(name="Shire Police", postcode="", kind="police")
    home = OrganisationFactory(name="Elm Care Home", postcode="EL1 1AA")
    InvolvedAgency.objects.create(
        concern=concern,
        organisation=home,
        role="provider",
        named_contact="Ann Manager",
        contact_details="01234 567890",
        involved_from=TODAY - 60 * DAY,
    )
    InvolvedAgency.objects.create(
        concern=concern, enquiry=enquiry, organisation=police, role="police"
    )
    InvolvedAgency.objects.create(
        concern=concern,
        enquiry=enquiry,
        organisation=bank,
        role="other",
        role_detail="Holds the adult's savings",
        withdrawn_at=datetime.datetime.now(datetime.UTC),
        withdrawn_reason="Entered in error",
    )
    CausedEnquiry.objects.create(
        enquiry=enquiry,
        organisation=police,
        scope="Interview the son",
        requested_on=TODAY - 40 * DAY,
        working_days=10,
        due_on=TODAY - 26 * DAY,
        report_received_on=TODAY - 20 * DAY,
        response_summary="Son interviewed; no further action",
        council_satisfied=True,
        chased_on=TODAY - 25 * DAY,
        chase_count=2,
    )
    CausedEnquiry.objects.create(
        enquiry=enquiry,
        organisation=bank,
        scope="Statements for the last year",
        requested_on=TODAY - 30 * DAY,
        due_on=TODAY - 10 * DAY,
        closed_on=TODAY - 5 * DAY,
        close_note="Information came from the adult's daughter",
        open_at_closure_reason="",
    )
    s45 = S45Request.objects.create(
        concern=concern,
        enquiry=enquiry,
        organisation=bank,
        direction="made",
        requested_on=TODAY - 20 * DAY,
        due_on=TODAY - 6 * DAY,
        what_requested="Statements",
        decision="part",
        decided_on=TODAY - 8 * DAY,
        decision_reason="Only six months held",
    )
    consent = ConsentDecision.objects.create(
        person=concern.person,
        concern=concern,
        enquiry=enquiry,
        question="share_information",
        answer="declined",
        overridden=True,
        override_grounds=["crime"],
        decided_on=TODAY - 21 * DAY,
    )
    InformationShare.objects.create(
        concern=concern,
        enquiry=enquiry,
        organisation=bank,
        direction="in",
        shared_on=TODAY - 7 * DAY,
        what="Six months of statements",
        why="Suspected financial abuse",
        lawful_basis="s45_request",
        article6="6_1_e",
        special_condition="art10_sch1_10",
        consent="overridden",
        override_ground="crime",
        consent_decision=consent,
        adult_told="yes",
        s45_request=s45,
    )
    return enquiry


def _empty_the_database() -> None:
    for model in (
        InformationShare,
        S45Request,
        CausedEnquiry,
        InvolvedAgency,
        ConsentDecision,
        ChronologyEvent,
        Enquiry,
        Concern,
        PersonNameWord,
        Person,
    ):
        model.objects.all()._raw_delete(model.objects.db)
    Organisation.objects.all().delete()
    Team.objects.all().delete()


def test_partners_round_trip_through_an_empty_database(case):
    first = _export()
    records = [json.loads(line) for line in first.splitlines()]
    concern_line = next(r for r in records if r["record"] == "concern")
    enquiry_line = next(r for r in records if r["record"] == "enquiry")
    # Before the enquiry, on the concern; withdrawn entries are left out.
    assert [a["organisation"]["name"] for a in concern_line["involved_agencies"]] == [
        "Elm Care Home"
    ]
    assert [a["role"] for a in enquiry_line["involved_agencies"]] == ["police"]
    assert [r["chase_count"] for r in enquiry_line["partner_requests"]] == [2, 0]
    share = next(r for r in records if r["record"] == "information_share")
    s45 = next(r for r in records if r["record"] == "s45_request")
    assert share["s45_request"] == s45["ref"]
    assert share["consent_decision"]["question"] == "share_information"

    _empty_the_database()
    report = _import(first)
    assert report.ok, report.errors
    assert report.created["involved_agency"] == 2
    assert report.created["partner_request"] == 2
    assert report.created["s45_request"] == 1
    imported = InformationShare.objects.get()
    assert imported.s45_request.decision_reason == "Only six months held"
    assert imported.consent_decision.person == imported.concern.person
    closed = CausedEnquiry.objects.get(scope="Statements for the last year")
    assert closed.close_note == "Information came from the adult's daughter"
    assert _export() == first

    # Importing the same file again adds and changes nothing.
    again = _import(first)
    assert again.ok, again.errors
    assert again.unchanged["involved_agency"] == 2
    assert again.unchanged["partner_request"] == 2
    assert again.unchanged["s45_request"] == 1
    assert InvolvedAgency.objects.count() == 2
    assert CausedEnquiry.objects.count() == 2


def test_a_response_given_later_updates_the_request_in_place(case):
    text = _export()
    request = CausedEnquiry.objects.get(scope="Statements for the last year")
    record = [json.loads(line) for line in text.splitlines()]
    for line in record:
        if line["record"] == "enquiry":
            item = line["partner_requests"][1]
            item.update(
                closed_on=None,
                close_note=None,
                report_received_on=(TODAY - 2 * DAY).isoformat(),
                response_summary="Statements sent",
            )
    report = _import("\n".join(json.dumps(line) for line in record))
    assert report.ok, report.errors
    assert report.updated["partner_request"] == 1
    request.refresh_from_db()
    assert request.response_summary == "Statements sent"
    assert request.closed_on is None
    assert CausedEnquiry.objects.count() == 2


def test_a_file_without_the_new_fields_still_imports_and_keeps_the_links(case):
    share = InformationShare.objects.get()
    lines = []
    for line in _export().splitlines():
        record = json.loads(line)
        if record["record"] == "s45_request":
            continue
        for name in (
            "involved_agencies",
            "partner_requests",
            "s45_request",
            "consent_decision",
        ):
            record.pop(name, None)
        lines.append(json.dumps(record))
    report = _import("\n".join(lines))
    assert report.ok, report.errors
    # Matched on its reference (the first import also notes its ref).
    assert report.created["information_share"] == 0
    assert InformationShare.objects.count() == 1
    share.refresh_from_db()
    assert share.s45_request is not None and share.consent_decision is not None


def test_invalid_partner_records_are_reported_by_line_and_change_nothing(case):
    concern = str(case.concern.reference)
    enquiry_ref = str(case.reference)
    lines = [
        {
            "record": "s45_request",
            "ref": "R1",
            "concern": concern,
            "direction": "sideways",
            "organisation": {"name": "Castle Bank"},
            "requested_on": "2025-03-10",
            "due_on": "2025-03-01",
            "what_requested": "x",
            "decision": "decline",
        },
        {
            "record": "enquiry",
            "ref": enquiry_ref,
            "concern": concern,
            "kind": "section_42",
            "started_on": case.started_on.isoformat(),
            "involved_agencies": [{"organisation": {"name": ""}, "role": "other"}],
            "partner_requests": [
                {
                    "organisation": {"name": "Shire Police"},
                    "scope": "Interview",
                    "requested_on": "2025-03-10",
                    "due_on": "2025-03-20",
                    "working_days": 0,
                    "closed_on": "2025-03-12",
                }
            ],
        },
        {
            "record": "information_share",
            "ref": "S9",
            "concern": concern,
            "direction": "out",
            "shared_on": "2025-03-11",
            "organisation": {"name": "Castle Bank"},
            "what": "x",
            "why": "y",
            "lawful_basis": "s45_request",
            "article6": "6_1_e",
            "special_condition": "none",
            "consent": "consented",
            "adult_told": "yes",
            "s45_request": None,
        },
        {
            "record": "information_share",
            "ref": "S10",
            "concern": concern,
            "direction": "out",
            "shared_on": "2025-03-11",
            "organisation": {"name": "Castle Bank"},
            "what": "x",
            "why": "y",
            "lawful_basis": "public_task",
            "article6": "6_1_e",
            "special_condition": "none",
            "consent": "consented",
            "adult_told": "yes",
            "s45_request": "NOPE",
        },
    ]
    before = (
        S45Request.objects.count(),
        InvolvedAgency.objects.count(),
        CausedEnquiry.objects.count(),
        InformationShare.objects.count(),
    )
    report = _import("\n".join(json.dumps(line) for line in lines))
    assert not report.ok
    errors = "\n".join(report.errors)
    for expected in (
        "line 1: direction: unknown code 'sideways'",
        "line 1: due_on: The deadline must be on or after the date of the request",
        "line 1: decided_on: Enter the date of the decision",
        "line 1: decision_reason: Enter why the request was declined",
        "line 2: involved_agencies[0].organisation.name: is required",
        "line 2: involved_agencies[0].role_detail: Describe the agency's role",
        "line 2: partner_requests[0].working_days: must be a whole number",
        "line 2: partner_requests[0].close_note: Enter why the request is closed",
        "line 3: s45_request: Select the section 45 request this share answers",
        "line 4: s45_request: no s45_request with ref 'NOPE'",
    ):
        assert expected in errors, errors
    after = (
        S45Request.objects.count(),
        InvolvedAgency.objects.count(),
        CausedEnquiry.objects.count(),
        InformationShare.objects.count(),
    )
    assert after == before


def test_a_consent_decision_the_adult_never_made_stops_the_whole_import(case):
    records = [json.loads(line) for line in _export().splitlines()]
    for record in records:
        if record["record"] == "information_share":
            record["consent_decision"] = {
                "question": "police_referral",
                "decided_on": TODAY.isoformat(),
            }
            record["what"] = "Changed"
    report = _import("\n".join(json.dumps(r) for r in records))
    assert not report.ok
    assert "consent_decision: the adult has no consent decision" in report.errors[0]
    assert InformationShare.objects.get().what == "Six months of statements"
