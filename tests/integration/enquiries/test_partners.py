"""Working with partners (issue 18): the organisation directory with its
duplicate check, involved agencies, requests to partners in working days,
their queue and reminder, closure with a request outstanding, the
information-sharing log and s45 requests."""

import datetime
import io

import pytest
from django.core.management import call_command
from django.urls import reverse

from enquiries import subject_access
from enquiries.factories import EnquiryFactory, OrganisationFactory, PersonViewFactory
from enquiries.interchange import export_cases, import_cases
from enquiries.models import (
    CausedEnquiry,
    ConsentDecision,
    Enquiry,
    InformationShare,
    InvolvedAgency,
    Organisation,
    S45Request,
)
from enquiries.services import partners as services
from msp.models import AuditEvent, Notification, NotificationKind

pytestmark = pytest.mark.django_db
TODAY = datetime.date.today()
YESTERDAY = TODAY - datetime.timedelta(days=1)


@pytest.fixture
def enquiry(team, practitioner):
    return EnquiryFactory(
        status="planning",
        concern__person__team=team,
        concern__received_on=TODAY - datetime.timedelta(days=60),
        allocated_to=practitioner,
    )


def url(name, enquiry, *args):
    return reverse(f"enquiries:{name}", args=[enquiry.reference, *args])


def share_data(org, **changes):
    data = {
        "direction": "out",
        "organisation": org.pk,
        "shared_on": YESTERDAY.isoformat(),
        "what": "Bruising seen at the day centre; the son's name",
        "why": "Police asked to make enquiries into the assault",
        "lawful_basis": "crime_prevention",
        "article6": "6_1_e",
        "special_condition": "art10_sch1_10",
        "consent": "consented",
        "override_ground": "",
        "not_asked_reason": "",
        "consent_decision": "",
        "adult_told": "yes",
        "adult_told_reason": "",
        "s45_request": "",
    }
    data.update(changes)
    return data


# The organisation directory ------------------------------------------------------


def test_practitioner_adds_an_organisation_and_goes_back_with_it_picked(
    client, practitioner, enquiry
):
    client.force_login(practitioner)
    back = url("enquiry_caused_add", enquiry)
    page = client.get(reverse("enquiries:organisation_add") + f"?next={back}")
    assert page.status_code == 200
    response = client.post(
        reverse("enquiries:organisation_add"),
        {
            "next": back,
            "name": "  Northshire   Police ",
            "kind": "police",
            "postcode": "nn1 1aa",
            "address": "",
            "phone": "101",
            "email": "",
        },
    )
    org = Organisation.objects.get()
    assert (org.name, org.postcode, org.kind) == (
        "Northshire Police",
        "NN1 1AA",
        "police",
    )
    assert response["Location"] == f"{back}?organisation={org.pk}"
    line = AuditEvent.objects.get(object_ref=str(org.pk), action="create")
    assert "Northshire Police" in line.summary and line.actor == practitioner
    # The request page comes back with it chosen.
    html = client.get(response["Location"]).content.decode()
    assert f'<option value="{org.pk}" selected>' in html


def test_likely_duplicate_is_shown_to_pick_ignoring_case_and_spacing(
    client, practitioner, enquiry
):
    existing = OrganisationFactory(name="Castle Bank", postcode="AB1 2CD", kind="bank")
    client.force_login(practitioner)
    back = url("agency_add", enquiry)
    data = {
        "next": back,
        "name": "castle   BANK",
        "kind": "bank",
        "postcode": "ab12cd",
    }
    response = client.post(reverse("enquiries:organisation_add"), data)
    html = response.content.decode()
    assert response.status_code == 200
    assert "This organisation may already be listed" in html
    assert f"{back}?organisation={existing.pk}" in html
    assert 'value="castle   BANK"' in html  # what was typed is kept
    assert Organisation.objects.count() == 1
    # A different postcode is a different branch: no duplicate.
    other = services.likely_duplicates("Castle Bank", "ZZ9 9ZZ")
    assert other == []
    # Confirmed as different: added, and the audit line says a match was shown.
    response = client.post(
        reverse("enquiries:organisation_add"), {**data, "confirm_new": "yes"}
    )
    assert response.status_code == 302
    assert Organisation.objects.count() == 2
    assert AuditEvent.objects.filter(
        summary__contains="after a possible duplicate was shown"
    ).exists()


def test_organisation_add_refuses_an_outside_next_page_and_readers(
    client, practitioner, auditor
):
    client.force_login(practitioner)
    response = client.post(
        reverse("enquiries:organisation_add"),
        {"next": "https://evil.example/", "name": "Harbour GP", "kind": "gp"},
    )
    assert response["Location"].startswith(reverse("home"))
    client.force_login(auditor)
    assert client.get(reverse("enquiries:organisation_add")).status_code == 403


def test_organisation_without_a_name_keeps_the_form(client, practitioner):
    client.force_login(practitioner)
    response = client.post(
        reverse("enquiries:organisation_add"), {"name": "", "kind": "bank"}
    )
    assert "Enter the name of the organisation" in response.content.decode()
    assert not Organisation.objects.exists()


# Involved agencies --------------------------------------------------------------


def test_agency_added_changed_and_withdrawn_never_deleted(
    client, practitioner, enquiry
):
    org = OrganisationFactory(name="Larch House", kind="care_home")
    client.force_login(practitioner)
    response = client.post(
        url("agency_add", enquiry),
        {
            "organisation": org.pk,
            "role": "source_employer",
            "named_contact": "Jo Reed",
            "contact_job_title": "Registered manager",
            "contact_details": "01234 567890",
            "involved_from": YESTERDAY.isoformat(),
        },
    )
    assert response.status_code == 302
    agency = InvolvedAgency.objects.get()
    assert agency.concern == enquiry.concern and agency.enquiry == enquiry
    page = client.get(enquiry.get_absolute_url()).content.decode()
    assert "Larch House" in page and "Jo Reed" in page
    response = client.post(
        url("agency_edit", enquiry, agency.pk),
        {
            "organisation": org.pk,
            "role": "provider",
            "named_contact": "Sam Hill",
            "version": agency.version,
        },
    )
    assert response.status_code == 302
    agency.refresh_from_db()
    assert (agency.role, agency.named_contact) == ("provider", "Sam Hill")
    response = client.post(
        url("agency_withdraw", enquiry, agency.pk),
        {"reason": "Entered on the wrong case", "version": agency.version},
    )
    assert response.status_code == 302
    agency.refresh_from_db()
    assert (
        agency.is_withdrawn and agency.withdrawn_reason == "Entered on the wrong case"
    )
    partners_page = client.get(url("enquiry_partners", enquiry)).content.decode()
    assert "Withdrawn" in partners_page and "Entered on the wrong case" in partners_page


def test_agency_role_other_needs_a_description(client, practitioner, enquiry):
    org = OrganisationFactory()
    client.force_login(practitioner)
    response = client.post(
        url("agency_add", enquiry), {"organisation": org.pk, "role": "other"}
    )
    assert "Describe the agency" in response.content.decode()
    assert not InvolvedAgency.objects.exists()


def test_closed_enquiry_takes_no_new_agency(client, practitioner, enquiry):
    Enquiry.objects.filter(pk=enquiry.pk).update(status="closed")
    client.force_login(practitioner)
    response = client.post(
        url("agency_add", enquiry),
        {"organisation": OrganisationFactory().pk, "role": "police"},
    )
    assert response.status_code == 302
    assert not InvolvedAgency.objects.exists()


# Requests to partners --------------------------------------------------------------


def test_due_date_counts_working_days_skipping_weekends_and_bank_holidays():
    # Thursday 24 December 2026: Christmas Day is a Friday and Boxing Day's
    # bank holiday is Monday 28th.
    assert services.due_after(datetime.date(2026, 12, 24), 1) == datetime.date(
        2026, 12, 29
    )
    assert services.due_after(datetime.date(2026, 12, 24), 2) == datetime.date(
        2026, 12, 30
    )
    # Friday to Monday is one working day.
    assert services.due_after(datetime.date(2026, 3, 6), 1) == datetime.date(2026, 3, 9)


def _ask(client, enquiry, org, days="20", requested=TODAY):
    return client.post(
        url("enquiry_caused_add", enquiry),
        {
            "organisation": org.pk,
            "scope": "Interview the son about the bruising",
            "requested_on": requested.isoformat(),
            "working_days": days,
        },
    )


def test_request_response_chase_and_close(client, practitioner, enquiry):
    org = OrganisationFactory(name="Northshire Police", kind="police")
    client.force_login(practitioner)
    _ask(client, enquiry, org, days="5", requested=YESTERDAY)
    request = CausedEnquiry.objects.get()
    assert request.due_on == services.due_after(YESTERDAY, 5) > YESTERDAY
    response = client.post(
        url("request_chase", enquiry, request.pk),
        {"chased_on": TODAY.isoformat(), "version": request.version},
    )
    assert response.status_code == 302
    request.refresh_from_db()
    assert request.chased_on == TODAY and request.chase_count == 1
    # Closing without a response needs a reason.
    response = client.post(
        url("request_close", enquiry, request.pk),
        {"closed_on": TODAY.isoformat(), "close_note": "", "version": request.version},
    )
    assert "Enter why the request is closed without a response" in (
        response.content.decode()
    )
    response = client.post(
        url("enquiry_caused_report", enquiry, request.pk),
        {
            "report_received_on": TODAY.isoformat(),
            "response_summary": "Son interviewed under caution",
            "council_satisfied": "yes",
            "version": request.version,
        },
    )
    assert response.status_code == 302
    request.refresh_from_db()
    response = client.post(
        url("request_close", enquiry, request.pk),
        {"closed_on": TODAY.isoformat(), "close_note": "", "version": request.version},
    )
    assert response.status_code == 302
    request.refresh_from_db()
    assert request.closed_on == TODAY and not request.is_outstanding
    html = client.get(url("enquiry_partners", enquiry)).content.decode()
    assert "Son interviewed under caution" in html and "Closed" in html


def test_request_date_before_the_concern_is_refused(client, practitioner, enquiry):
    client.force_login(practitioner)
    response = _ask(
        client,
        enquiry,
        OrganisationFactory(),
        requested=enquiry.concern.received_on - datetime.timedelta(days=3),
    )
    assert "on or after the date the concern was received" in (
        response.content.decode()
    )
    assert not CausedEnquiry.objects.exists()


def _overdue(enquiry, org=None, days_late=3):
    return CausedEnquiry.objects.create(
        enquiry=enquiry,
        organisation=org or OrganisationFactory(name="Castle Bank"),
        scope="Statements for the account",
        requested_on=TODAY - datetime.timedelta(days=30),
        working_days=10,
        due_on=TODAY - datetime.timedelta(days=days_late),
    )


def test_overdue_request_is_in_the_workers_queue_only(
    client, practitioner, other_practitioner, enquiry, django_assert_max_num_queries
):
    _overdue(enquiry)
    client.force_login(practitioner)
    with django_assert_max_num_queries(30):
        html = client.get(reverse("home")).content.decode()
    assert "Requests to partners overdue" in html and "Asked: Castle Bank" in html
    queue = client.get(reverse("enquiries:queue", args=["partners"])).content.decode()
    assert "Castle Bank" in queue and "Overdue" in queue
    client.force_login(other_practitioner)
    html = client.get(reverse("home")).content.decode()
    assert "Castle Bank" not in html


def test_answered_or_closed_requests_are_not_overdue(client, practitioner, enquiry):
    answered = _overdue(enquiry)
    answered.report_received_on = TODAY
    answered.save()
    closed = _overdue(enquiry, org=OrganisationFactory(name="Harbour GP"))
    closed.closed_on = TODAY
    closed.close_note = "No longer needed"
    closed.save()
    client.force_login(practitioner)
    html = client.get(reverse("home")).content.decode()
    assert "Requests to partners overdue" not in html


def test_overdue_reminder_goes_to_the_worker_once_per_request(practitioner, enquiry):
    request = _overdue(enquiry)
    call_command("send_reminders", stdout=io.StringIO())
    call_command("send_reminders", stdout=io.StringIO())
    notes = Notification.objects.filter(kind=NotificationKind.PARTNER_REQUEST_OVERDUE)
    assert notes.count() == 1
    assert notes.get().recipient == practitioner
    assert notes.get().key == f"partner_request_overdue:{request.pk}"
    # Chased, still overdue: still no second reminder.
    CausedEnquiry.objects.filter(pk=request.pk).update(chased_on=TODAY)
    call_command("send_reminders", stdout=io.StringIO())
    assert notes.count() == 1


def _closure_post(enquiry, **extra):
    return {
        "closure_reason": Enquiry.ClosureReason.choices[0][0],
        "concluded_on": TODAY.isoformat(),
        "adult_view_on_closure": Enquiry.ViewOnClosure.choices[0][0],
        "sar_considered": "no",
        "lessons_learned": "",
        "version": enquiry.version,
        **extra,
    }


def test_closing_with_a_request_outstanding_asks_for_a_reason(
    client, practitioner, team
):
    enquiry = EnquiryFactory(
        status="plan_active",
        concern__person__team=team,
        allocated_to=practitioner,
    )
    for stage in ("plan", "closure"):
        PersonViewFactory(person=enquiry.concern.person, enquiry=enquiry, stage=stage)
    request = _overdue(enquiry)
    client.force_login(practitioner)
    page = client.get(url("enquiry_closure", enquiry)).content.decode()
    assert "Still awaiting a response: Castle Bank" in page
    response = client.post(url("enquiry_closure", enquiry), _closure_post(enquiry))
    assert "still awaiting a response" in response.content.decode()
    enquiry.refresh_from_db()
    assert enquiry.status == "plan_active"
    response = client.post(
        url("enquiry_closure", enquiry),
        _closure_post(
            enquiry, open_requests_reason="The bank's reply does not change the plan"
        ),
    )
    assert response.status_code == 302, response.content.decode()
    enquiry.refresh_from_db()
    request.refresh_from_db()
    assert enquiry.status == "closure_requested"
    assert request.open_at_closure_reason == "The bank's reply does not change the plan"


def test_closing_with_no_request_outstanding_asks_nothing(client, practitioner, team):
    enquiry = EnquiryFactory(
        status="plan_active", concern__person__team=team, allocated_to=practitioner
    )
    client.force_login(practitioner)
    page = client.get(url("enquiry_closure", enquiry)).content.decode()
    assert "open_requests_reason" not in page


# The information-sharing log ----------------------------------------------------------


def test_share_recorded_shown_and_in_the_subject_access_pack(
    client, practitioner, enquiry, django_assert_max_num_queries
):
    org = OrganisationFactory(name="Northshire Police", kind="police")
    client.force_login(practitioner)
    response = client.post(url("share_add", enquiry), share_data(org))
    assert response.status_code == 302, response.content.decode()[:3000]
    share = InformationShare.objects.get()
    assert share.concern == enquiry.concern and share.shared_on == YESTERDAY
    with django_assert_max_num_queries(25):
        html = client.get(url("enquiry_partners", enquiry)).content.decode()
    assert "Shared with Northshire Police" in html
    assert "Prevention or detection of crime" in html
    pack = subject_access.build_pack(enquiry.concern.person)
    section = next(s for s in pack.sections if s.title == "Information shares")
    assert len(section.rows) == 1
    assert "Bruising seen at the day centre; the son&#x27;s name" not in section.rows[0]
    assert "Bruising seen at the day centre; the son's name" in section.rows[0]


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        (
            {
                "lawful_basis": "consent",
                "consent": "overridden",
                "override_ground": "crime",
            },
            "Consent cannot be the lawful basis",
        ),
        ({"consent": "overridden"}, "Select why the information was shared without"),
        ({"consent": "not_asked"}, "Enter why the adult was not asked"),
        ({"adult_told": "not_yet"}, "Enter why the adult has not been told"),
        ({"lawful_basis": "s45_request"}, "Select the section 45 request"),
        (
            {
                "article6": "6_1_a",
                "consent": "unable",
                "override_ground": "lacks_capacity",
            },
            "Article 6(1)(a) needs the adult",
        ),
        (
            {"shared_on": (TODAY + datetime.timedelta(days=2)).isoformat()},
            "today or in the past",
        ),
    ],
)
def test_share_rules(client, practitioner, enquiry, changes, message):
    client.force_login(practitioner)
    response = client.post(
        url("share_add", enquiry), share_data(OrganisationFactory(), **changes)
    )
    assert message in response.content.decode().replace("&#x27;", "'")
    assert not InformationShare.objects.exists()


def test_share_links_a_consent_decision_of_the_same_adult_only(
    client, practitioner, enquiry, team
):
    mine = ConsentDecision.objects.create(
        person=enquiry.concern.person,
        enquiry=enquiry,
        question="share_information",
        agency="Police",
        answer="declined",
        overridden=True,
        override_grounds=["crime"],
        recorded_by=practitioner,
    )
    other = ConsentDecision.objects.create(
        person=EnquiryFactory(concern__person__team=team).concern.person,
        question="share_information",
        answer="consented",
        recorded_by=practitioner,
    )
    client.force_login(practitioner)
    data = share_data(
        OrganisationFactory(), consent="overridden", override_ground="crime"
    )
    response = client.post(
        url("share_add", enquiry), {**data, "consent_decision": other.pk}
    )
    assert response.status_code == 200
    assert not InformationShare.objects.exists()
    response = client.post(
        url("share_add", enquiry), {**data, "consent_decision": mine.pk}
    )
    assert response.status_code == 302
    assert InformationShare.objects.get().consent_decision == mine


def test_share_withdrawn_with_a_reason(client, practitioner, enquiry):
    client.force_login(practitioner)
    client.post(url("share_add", enquiry), share_data(OrganisationFactory()))
    share = InformationShare.objects.get()
    response = client.post(
        url("share_withdraw", enquiry, share.pk), {"reason": "", "version": 1}
    )
    assert "Enter why it is being withdrawn" in response.content.decode()
    response = client.post(
        url("share_withdraw", enquiry, share.pk),
        {"reason": "Duplicate entry", "version": share.version},
    )
    assert response.status_code == 302
    share.refresh_from_db()
    assert share.is_withdrawn and InformationShare.objects.count() == 1


# Section 45 requests ------------------------------------------------------------------


def test_s45_request_recorded_decided_and_answered_by_a_share(
    client, practitioner, enquiry
):
    board = OrganisationFactory(name="Northshire SAB", kind="local_authority")
    client.force_login(practitioner)
    response = client.post(
        url("s45_add", enquiry),
        {
            "direction": "received",
            "organisation": board.pk,
            "requested_on": YESTERDAY.isoformat(),
            "due_on": (TODAY + datetime.timedelta(days=10)).isoformat(),
            "what_requested": "Chronology for the review",
        },
    )
    assert response.status_code == 302
    s45 = S45Request.objects.get()
    response = client.post(
        url("s45_decide", enquiry, s45.pk),
        {"decision": "decline", "decided_on": TODAY.isoformat(), "version": 1},
    )
    assert "Enter why the request was declined" in response.content.decode()
    response = client.post(
        url("s45_decide", enquiry, s45.pk),
        {"decision": "comply", "decided_on": TODAY.isoformat(), "version": 1},
    )
    assert response.status_code == 302
    s45.refresh_from_db()
    assert s45.decision == "comply" and s45.decided_on == TODAY
    response = client.post(
        url("share_add", enquiry),
        share_data(
            board,
            lawful_basis="s45_request",
            article6="6_1_c",
            special_condition="9_2_g_sch1_18",
            s45_request=s45.pk,
        ),
    )
    assert response.status_code == 302
    assert InformationShare.objects.get().s45_request == s45


def test_s45_deadline_before_the_request_is_refused(client, practitioner, enquiry):
    client.force_login(practitioner)
    response = client.post(
        url("s45_add", enquiry),
        {
            "direction": "made",
            "organisation": OrganisationFactory().pk,
            "requested_on": YESTERDAY.isoformat(),
            "due_on": (YESTERDAY - datetime.timedelta(days=1)).isoformat(),
            "what_requested": "Records",
        },
    )
    assert "The deadline must be on or after" in response.content.decode()
    assert not S45Request.objects.exists()


# Interchange ---------------------------------------------------------------------------


def test_shares_round_trip_through_the_interchange_format(practitioner, enquiry):
    org = OrganisationFactory(name="Castle Bank", postcode="AB1 2CD", kind="bank")
    services.record_share(
        user=practitioner,
        enquiry=enquiry,
        data={
            "direction": "in",
            "organisation": org,
            "shared_on": YESTERDAY,
            "what": "Statements showing withdrawals",
            "why": "Suspected financial abuse",
            "lawful_basis": "public_task",
            "article6": "6_1_e",
            "special_condition": "none",
            "consent": "unable",
            "override_ground": "lacks_capacity",
            "adult_told": "no",
            "adult_told_reason": "Would alert the son",
        },
    )
    out = io.StringIO()
    counts = export_cases(out)
    assert counts["information_share"] == 1
    text = out.getvalue()
    assert '"record": "information_share"' in text
    # Wipe the share and the bank, then import the file back.
    InformationShare.objects.all().delete()
    Organisation.objects.filter(pk=org.pk).update(name="Old name", match_key="x|")
    report = import_cases(io.StringIO(text), stdout=io.StringIO())
    assert report.ok, report.errors
    share = InformationShare.objects.get()
    assert share.concern == enquiry.concern and share.enquiry == enquiry
    assert (share.lawful_basis, share.consent, share.adult_told_reason) == (
        "public_task",
        "unable",
        "Would alert the son",
    )
    assert share.organisation.name == "Castle Bank"
    assert share.organisation.postcode == "AB1 2CD"
    # Importing the same file again changes nothing.
    again = import_cases(io.StringIO(text), stdout=io.StringIO())
    assert again.unchanged["information_share"] == 1
    assert InformationShare.objects.count() == 1


def test_interchange_refuses_a_share_breaking_the_rules(enquiry):
    line = (
        '{"record": "information_share", "ref": "S1", '
        f'"concern": "{enquiry.concern.reference}", "direction": "out", '
        '"shared_on": "2026-01-05", "organisation": {"name": "Castle Bank"}, '
        '"what": "x", "why": "y", "lawful_basis": "consent", "article6": "6_1_e", '
        '"special_condition": "none", "consent": "overridden", '
        '"adult_told": "not_yet"}\n'
    )
    report = import_cases(io.StringIO(line), stdout=io.StringIO())
    assert not report.ok
    text = "\n".join(report.errors)
    assert "line 1: lawful_basis: Consent cannot be the lawful basis" in text
    assert "line 1: adult_told_reason:" in text
    assert not InformationShare.objects.exists()


# Demo data ----------------------------------------------------------------------------


def test_demo_adds_a_few_of_each_and_one_overdue_request(team, practitioner):
    from enquiries.partners_demo import create_demo_partners

    for _ in range(3):
        EnquiryFactory(
            status="in_progress",
            concern__person__team=team,
            concern__received_on=TODAY - datetime.timedelta(days=90),
            started_on=TODAY - datetime.timedelta(days=85),
            allocated_to=practitioner,
        )
    counts = create_demo_partners(team=team, user=practitioner, today=TODAY)
    assert counts == {"agencies": 6, "requests": 3, "shares": 4, "s45": 1}
    assert Organisation.objects.filter(kind="police").count() == 1
    outstanding = CausedEnquiry.objects.filter(
        report_received_on__isnull=True, closed_on__isnull=True
    )
    assert outstanding.count() == 1 and outstanding.get().due_on < TODAY
    # Every share follows the rules a typed one must.
    for share in InformationShare.objects.all():
        share.full_clean()


def test_s45_request_withdrawn_only_once_nothing_answers_it(
    client, practitioner, enquiry
):
    board = OrganisationFactory(name="Northshire SAB")
    s45 = services.record_s45_request(
        user=practitioner,
        enquiry=enquiry,
        data={
            "direction": "made",
            "organisation": board,
            "requested_on": YESTERDAY,
            "due_on": TODAY,
            "what_requested": "Records",
        },
    )
    share = services.record_share(
        user=practitioner,
        enquiry=enquiry,
        data={
            **{
                k: v
                for k, v in share_data(board).items()
                if k not in ("organisation", "consent_decision", "s45_request")
            },
            "organisation": board,
            "shared_on": YESTERDAY,
            "lawful_basis": "s45_request",
            "s45_request": s45,
        },
    )
    client.force_login(practitioner)
    withdraw = url("s45_withdraw", enquiry, s45.pk)
    response = client.post(withdraw, {"reason": "Made in error", "version": 1})
    assert "withdraw it first" in response.content.decode()
    services.withdraw_share(
        user=practitioner, share=share, expected_version=1, reason="Wrong case"
    )
    response = client.post(withdraw, {"reason": "Made in error", "version": 1})
    assert response.status_code == 302
    s45.refresh_from_db()
    assert s45.is_withdrawn and S45Request.objects.count() == 1


def test_concern_page_lists_agencies_and_shares(client, practitioner, enquiry):
    services.add_agency(
        user=practitioner,
        enquiry=enquiry,
        data={
            "organisation": OrganisationFactory(name="Castle Bank"),
            "role": "other",
            "role_detail": "The adult's bank",
            "named_contact": "Priya Shah",
        },
    )
    client.force_login(practitioner)
    html = client.get(enquiry.concern.get_absolute_url()).content.decode()
    assert "Castle Bank" in html and "Priya Shah" in html
    assert url("enquiry_partners", enquiry) in html


def test_manager_review_shows_why_closure_went_ahead_with_a_request_open(
    client, manager, practitioner, team
):
    enquiry = EnquiryFactory(
        status="closure_requested",
        concern__person__team=team,
        allocated_to=practitioner,
    )
    request = _overdue(enquiry)
    request.open_at_closure_reason = "Bank reply will not change the plan"
    request.save()
    client.force_login(manager)
    html = client.get(url("enquiry_closure_review", enquiry)).content.decode()
    assert "Closure asked for while awaiting their response" in html
    assert "Bank reply will not change the plan" in html
