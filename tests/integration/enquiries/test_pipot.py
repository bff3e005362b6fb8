"""People in a position of trust (issue 18, item 4): a PiPoT case opened from
an enquiry or a concern, seen only by leads and the workers named on it, each
read audited, a lead's list of open cases, referrals, and closing with an
outcome."""

import datetime

import pytest
from django.urls import reverse

from enquiries.factories import EnquiryFactory, OrganisationFactory
from enquiries.models import Person, PipotCase, PipotReferral
from enquiries.services import pipot as services
from msp.models import AuditEvent

pytestmark = pytest.mark.django_db
TODAY = datetime.date.today()
YESTERDAY = TODAY - datetime.timedelta(days=1)


@pytest.fixture
def enquiry(team, practitioner):
    return EnquiryFactory(
        concern__person__team=team,
        concern__team=team,
        concern__received_on=TODAY - datetime.timedelta(days=30),
        team=team,
        allocated_to=practitioner,
    )


@pytest.fixture
def care_home(db):
    return OrganisationFactory(name="Maple Court Care Home", kind="care_home")


def case_data(employer, **changes):
    data = {
        "subject_name": "Dana Whitlock",
        "subject_role": "Senior care assistant",
        "subject_kind": "paid",
        "employer": employer.pk,
        "allegation": "Rough handling during personal care, seen by a colleague",
        "opened_on": YESTERDAY.isoformat(),
        "employer_notified_on": YESTERDAY.isoformat(),
        "employer_actions": "",
    }
    data.update(changes)
    return data


def open_case(user, enquiry, employer, **changes):
    values = {
        "subject_name": "Dana Whitlock",
        "subject_role": "Senior care assistant",
        "subject_kind": "paid",
        "employer": employer,
        "allegation": "Rough handling",
        "opened_on": YESTERDAY,
    }
    values.update(changes)
    return services.open_case(user=user, enquiry=enquiry, data=values)


def test_practitioner_opens_a_pipot_case_from_the_enquiry(
    client, practitioner, enquiry, care_home
):
    client.force_login(practitioner)
    add = reverse("enquiries:pipot_from_enquiry", args=[enquiry.reference])
    assert client.get(add).status_code == 200
    people_before = Person.objects.count()
    response = client.post(add, case_data(care_home))
    case = PipotCase.objects.get()
    assert response.status_code == 302
    assert response["Location"] == case.get_absolute_url()
    assert case.enquiry == enquiry and case.concern == enquiry.concern
    assert case.employer == care_home
    assert case.employer_notified_on == YESTERDAY
    assert list(case.named_workers.all()) == [practitioner]
    # Minimum data: no person record is made for the worker.
    assert Person.objects.count() == people_before
    assert case.subject_person is None
    assert AuditEvent.objects.filter(
        action="create", object_type="enquiries.PipotCase"
    ).exists()
    page = client.get(case.get_absolute_url()).content.decode()
    assert "Dana Whitlock" in page and "Maple Court Care Home" in page


def test_opening_from_a_concern(client, practitioner, enquiry, care_home):
    client.force_login(practitioner)
    add = reverse("enquiries:pipot_from_concern", args=[enquiry.concern.reference])
    response = client.post(add, case_data(care_home))
    assert response.status_code == 302
    case = PipotCase.objects.get()
    assert case.concern == enquiry.concern and case.enquiry is None


def test_bad_input_is_refused_and_kept(client, practitioner, enquiry, care_home):
    client.force_login(practitioner)
    add = reverse("enquiries:pipot_from_enquiry", args=[enquiry.reference])
    tomorrow = (TODAY + datetime.timedelta(days=1)).isoformat()
    response = client.post(
        add, case_data(care_home, subject_name="", opened_on=tomorrow)
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "Enter the name of the person in a position of trust" in html
    assert "Senior care assistant" in html  # what was typed is kept
    assert not PipotCase.objects.exists()


def test_someone_outside_the_adults_team_cannot_open_one(
    client, other_team_practitioner, enquiry, care_home
):
    client.force_login(other_team_practitioner)
    add = reverse("enquiries:pipot_from_enquiry", args=[enquiry.reference])
    assert client.post(add, case_data(care_home)).status_code == 404
    assert not PipotCase.objects.exists()


def test_a_practitioner_on_the_adults_team_not_named_gets_404(
    client, practitioner, other_practitioner, enquiry, care_home
):
    case = open_case(practitioner, enquiry, care_home)
    client.force_login(other_practitioner)
    # They can see the adult's enquiry…
    assert client.get(enquiry.get_absolute_url()).status_code == 200
    # …but not the PiPoT case, its pages, or its place in the list.
    for name in ("pipot_detail", "pipot_edit", "pipot_close", "pipot_referral_add"):
        url = reverse(f"enquiries:{name}", args=[case.reference])
        assert client.get(url).status_code == 404, name
    assert (
        "Dana Whitlock"
        not in client.get(reverse("enquiries:pipot_list")).content.decode()
    )
    # The refused attempt is in the audit trail.
    assert AuditEvent.objects.filter(
        action="refused", actor=other_practitioner, object_ref=str(case.reference)
    ).exists()
    # Once named on the case, they can see it.
    services.name_worker(user=practitioner, case=case, worker=other_practitioner)
    assert client.get(case.get_absolute_url()).status_code == 200


def test_a_lead_sees_it_and_every_read_is_audited(
    client, practitioner, lead, enquiry, care_home
):
    case = open_case(practitioner, enquiry, care_home)
    client.force_login(lead)
    before = AuditEvent.objects.filter(action="view", actor=lead).count()
    assert client.get(case.get_absolute_url()).status_code == 200
    assert client.get(case.get_absolute_url()).status_code == 200
    views = AuditEvent.objects.filter(
        action="view", actor=lead, object_type="enquiries.PipotCase"
    )
    assert views.count() - before == 2
    assert views.first().object_ref == str(case.reference)


def test_the_leads_list_of_open_cases_is_keyset_paged(
    client, practitioner, lead, enquiry, care_home, django_assert_max_num_queries
):
    for number in range(3):
        open_case(
            practitioner,
            enquiry,
            care_home,
            subject_name=f"Worker {number}",
            opened_on=TODAY - datetime.timedelta(days=10 - number),
        )
    closed = open_case(practitioner, enquiry, care_home, subject_name="Closed One")
    services.close_case(
        user=practitioner,
        case=closed,
        expected_version=closed.version,
        outcome="unfounded",
        outcome_on=TODAY,
    )
    client.force_login(lead)
    with django_assert_max_num_queries(12):
        html = client.get(reverse("enquiries:pipot_list")).content.decode()
    assert html.index("Worker 0") < html.index("Worker 1") < html.index("Worker 2")
    assert "Closed One" not in html
    # Each case listed is audited.
    assert (
        AuditEvent.objects.filter(
            action="view", actor=lead, object_type="enquiries.PipotCase"
        ).count()
        == 3
    )


def test_list_pages_follow_the_cursor(
    practitioner, other_practitioner, lead, enquiry, care_home
):
    from enquiries.selectors import pipot as selectors

    for number in range(3):
        open_case(
            practitioner,
            enquiry,
            care_home,
            subject_name=f"Worker {number}",
            opened_on=TODAY - datetime.timedelta(days=10 - number),
        )
    first = selectors.open_cases_page(lead, after=None, size=2)
    assert [c.subject_name for c in first.rows] == ["Worker 0", "Worker 1"]
    rest = selectors.open_cases_page(lead, after=first.next_cursor, size=2)
    assert [c.subject_name for c in rest.rows] == ["Worker 2"]
    assert rest.next_cursor is None
    # A named worker who is not a lead lists only the cases they are named on.
    assert selectors.open_cases_page(other_practitioner, after=None).rows == []


def test_referrals_and_their_outcomes(client, practitioner, enquiry, care_home):
    case = open_case(practitioner, enquiry, care_home)
    client.force_login(practitioner)
    add = reverse("enquiries:pipot_referral_add", args=[case.reference])
    response = client.post(
        add,
        {
            "kind": "dbs",
            "organisation": "",
            "referred_on": YESTERDAY.isoformat(),
            "outcome": "",
            "outcome_on": "",
        },
    )
    assert response.status_code == 302
    referral = PipotReferral.objects.get()
    url = reverse(
        "enquiries:pipot_referral_outcome", args=[case.reference, referral.pk]
    )
    response = client.post(
        url,
        {
            "version": referral.version,
            "outcome": "Barred from regulated activity",
            "outcome_on": TODAY.isoformat(),
        },
    )
    assert response.status_code == 302
    referral.refresh_from_db()
    assert referral.outcome == "Barred from regulated activity"
    assert referral.outcome_on == TODAY
    html = client.get(case.get_absolute_url()).content.decode()
    assert "Disclosure and Barring Service" in html
    assert "Barred from regulated activity" in html


def test_closing_needs_an_outcome(client, practitioner, enquiry, care_home):
    case = open_case(practitioner, enquiry, care_home)
    client.force_login(practitioner)
    url = reverse("enquiries:pipot_close", args=[case.reference])
    response = client.post(
        url, {"version": case.version, "outcome": "", "outcome_on": ""}
    )
    assert response.status_code == 200
    assert "Select the outcome before closing the case" in response.content.decode()
    case.refresh_from_db()
    assert case.is_open
    response = client.post(
        url,
        {
            "version": case.version,
            "outcome": "substantiated",
            "outcome_on": TODAY.isoformat(),
            "outcome_notes": "Dismissed; DBS referral made",
        },
    )
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.status == "closed" and case.outcome == "substantiated"
    assert case.closed_by == practitioner
    # A closed case cannot be changed.
    response = client.post(
        reverse("enquiries:pipot_edit", args=[case.reference]),
        {**case_data(care_home), "version": case.version},
    )
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.allegation == "Rough handling"


def test_the_worker_is_linked_to_a_person_only_if_also_an_adult_at_risk(
    practitioner, enquiry, care_home
):
    from django.core.exceptions import ValidationError

    from enquiries.factories import PersonFactory

    case = open_case(practitioner, enquiry, care_home)
    case.subject_person = PersonFactory()
    with pytest.raises(ValidationError, match="adult at risk"):
        case.full_clean()
    other = EnquiryFactory()
    case.subject_person = other.concern.person
    case.full_clean()


def test_the_enquiry_page_offers_pipot_and_lists_only_cases_the_user_may_see(
    client, practitioner, other_practitioner, enquiry, care_home
):
    client.force_login(practitioner)
    html = client.get(enquiry.get_absolute_url()).content.decode()
    assert "Alleged source is in a position of trust" in html
    case = open_case(practitioner, enquiry, care_home)
    html = client.get(enquiry.get_absolute_url()).content.decode()
    assert case.get_absolute_url() in html
    html = client.get(enquiry.concern.get_absolute_url()).content.decode()
    assert case.get_absolute_url() in html
    client.force_login(other_practitioner)
    html = client.get(enquiry.get_absolute_url()).content.decode()
    assert case.get_absolute_url() not in html
    assert "Dana Whitlock" not in html


def test_seed_demo_makes_one_pipot_case(settings):
    import io

    from django.core.management import call_command

    settings.DEMO_MODE = True
    settings.DEMO_PASSWORD = "demo-password-for-tests"
    call_command("seed_demo", people=0, stdout=io.StringIO())
    case = PipotCase.objects.get()
    assert case.is_open and case.enquiry is not None
    assert case.employer_notified_on is not None
    assert case.referrals.filter(kind="dbs").count() == 1
    assert case.named_workers.count() == 2


def test_leads_reach_the_list_from_the_navigation(client, lead, practitioner):
    client.force_login(lead)
    assert (
        reverse("enquiries:pipot_list") in client.get(reverse("home")).content.decode()
    )
    client.force_login(practitioner)
    html = client.get(reverse("home")).content.decode()
    assert reverse("enquiries:pipot_list") not in html
