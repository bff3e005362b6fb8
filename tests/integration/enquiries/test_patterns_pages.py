"""Pattern flags on the pages: explanations limited to what the viewer may
see, acknowledging with a note, the leads' list, the decision page, the
provider page and the dashboard figures; query counts do not grow."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from enquiries import codes
from enquiries.factories import (
    ConcernFactory,
    EnquiryFactory,
    OrganisationFactory,
    PersonFactory,
    RiskFactory,
)
from enquiries.models import PatternFlag, PatternRule
from enquiries.services import patterns
from msp.dates import financial_year_of
from msp.models import AuditEvent
from outcomes.sac_spec import financial_year_bounds

pytestmark = pytest.mark.django_db

TODAY = datetime.date.today()
ONE_DAY = datetime.timedelta(days=1)


@pytest.fixture(autouse=True)
def rules(db):
    PatternRule.objects.filter(kind="organisation").update(threshold=3, window_months=1)
    PatternRule.objects.filter(kind="adult").update(threshold=3, window_months=6)


def about(organisation, person, days_ago):
    concern = ConcernFactory(
        person=person, received_on=TODAY - datetime.timedelta(days=days_ago)
    )
    RiskFactory(
        concern=concern,
        source=codes.RiskSource.SERVICE_PROVIDER,
        source_organisation=organisation,
        source_person_name="",
    )
    patterns.check_concern(concern)
    return concern


@pytest.fixture
def home():
    return OrganisationFactory(name="Larch House")


@pytest.fixture
def mixed_flag(team, other_team, home):
    """One concern in my team, two in another team's."""
    mine = about(home, PersonFactory(team=team, family_name="Ashdown"), 10)
    about(home, PersonFactory(team=other_team, family_name="Birtles"), 5)
    about(home, PersonFactory(team=other_team, family_name="Cawley"), 1)
    flag = PatternFlag.objects.get()
    return flag, mine


def test_explanation_shows_only_what_the_viewer_may_see(
    client, practitioner, lead, mixed_flag
):
    flag, mine = mixed_flag
    client.force_login(practitioner)
    page = client.get(mine.person.get_absolute_url()).content.decode()
    assert "The same organisation" in page and "Larch House" in page
    assert "Ashdown" in page
    assert "Birtles" not in page and "Cawley" not in page
    assert "and 2 records you cannot see: ask a lead" in page
    client.force_login(lead)
    page = client.get(
        reverse("enquiries:pattern_detail", args=[flag.pk])
    ).content.decode()
    assert "Birtles" in page and "Cawley" in page and "cannot see" not in page


def test_a_flag_with_nothing_visible_is_not_found(
    client, other_team_practitioner, team, home
):
    for days in (1, 2, 3):
        about(home, PersonFactory(team=team), days)
    flag = PatternFlag.objects.get()
    client.force_login(other_team_practitioner)
    url = reverse("enquiries:pattern_detail", args=[flag.pk])
    assert client.get(url).status_code == 404


def test_decision_page_shows_the_pattern_before_deciding(
    client, practitioner, mixed_flag
):
    _flag, mine = mixed_flag
    client.force_login(practitioner)
    page = client.get(
        reverse("enquiries:concern_decision", args=[mine.reference])
    ).content.decode()
    assert "Patterns this concern is part of" in page
    assert "and 2 records you cannot see: ask a lead" in page


def test_acknowledging_needs_a_note_and_is_audited(client, lead, mixed_flag):
    flag, _mine = mixed_flag
    client.force_login(lead)
    url = reverse("enquiries:pattern_acknowledge", args=[flag.pk])
    empty = client.post(url, {"note": "  "})
    assert "Enter what you have considered or decided" in empty.content.decode()
    flag.refresh_from_db()
    assert not flag.is_acknowledged
    client.post(url, {"note": "Large-scale enquiry being considered"})
    flag.refresh_from_db()
    assert flag.is_acknowledged and flag.acknowledged_by == lead
    line = AuditEvent.objects.get(summary="Acknowledged a pattern flag")
    assert line.changes == {"note": "Large-scale enquiry being considered"}
    listing = client.get(
        reverse("enquiries:pattern_list"), {"status": "acknowledged"}
    ).content.decode()
    assert "Large-scale enquiry being considered" in listing
    assert (
        "Larch House"
        not in client.get(reverse("enquiries:pattern_list")).content.decode()
    )


def test_practitioners_neither_list_nor_acknowledge(client, practitioner, mixed_flag):
    flag, _mine = mixed_flag
    client.force_login(practitioner)
    assert client.get(reverse("enquiries:pattern_list")).status_code == 403
    url = reverse("enquiries:pattern_acknowledge", args=[flag.pk])
    assert client.post(url, {"note": "Seen"}).status_code == 403
    flag.refresh_from_db()
    assert not flag.is_acknowledged


def test_manager_list_is_scoped_to_their_team(client, manager, other_team, home):
    for days in (1, 2, 3):
        about(home, PersonFactory(team=other_team), days)
    client.force_login(manager)
    page = client.get(reverse("enquiries:pattern_list")).content.decode()
    assert "Larch House" not in page and "No patterns here" in page


def test_pattern_list_query_count_is_constant(client, lead, team):
    client.force_login(lead)
    url = reverse("enquiries:pattern_list")
    first = OrganisationFactory(name="Alder Court")
    for days in (1, 2, 3):
        about(first, PersonFactory(team=team), days)
    client.get(url)
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    for index in range(6):
        home = OrganisationFactory()
        for days in (1, 2, 3):
            about(home, PersonFactory(team=team), days + index)
    with CaptureQueriesContext(connection) as many:
        page = client.get(url).content.decode()
    assert PatternFlag.objects.filter(kind="organisation").count() == 7
    assert page.count("app-pattern-flag") == 7
    assert len(many) == len(few)


def test_person_page_query_count_does_not_grow_with_flags(client, practitioner, team):
    person = PersonFactory(team=team)
    for days in (1, 2, 3):
        about(OrganisationFactory(), person, days)
    client.force_login(practitioner)
    url = person.get_absolute_url()
    client.get(url)
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    for index in range(4):
        home = OrganisationFactory()
        about(home, person, 40 + index)
        about(home, PersonFactory(team=team), 41 + index)
        about(home, PersonFactory(team=team), 42 + index)
    with CaptureQueriesContext(connection) as many:
        page = client.get(url).content.decode()
    # 4 organisations, and the adult's own 7 concerns in one flag
    assert page.count("app-pattern-flag") == 4 + 1
    assert len(many) == len(few)


def test_decision_page_query_count_does_not_grow_with_flags(client, practitioner, team):
    """The panel on the decision page: one flag or four, the same queries."""
    first = OrganisationFactory()
    concern = about(first, PersonFactory(team=team), 1)
    about(first, PersonFactory(team=team), 2)
    about(first, PersonFactory(team=team), 3)
    client.force_login(practitioner)
    url = reverse("enquiries:concern_decision", args=[concern.reference])
    client.get(url)
    with CaptureQueriesContext(connection) as few:
        assert client.get(url).content.decode().count("app-pattern-flag") == 1
    for days in (4, 5, 6):
        home = OrganisationFactory()
        RiskFactory(
            concern=concern,
            source=codes.RiskSource.SERVICE_PROVIDER,
            source_organisation=home,
            source_person_name="",
        )
        about(home, PersonFactory(team=team), days)
        about(home, PersonFactory(team=team), days + 1)
    patterns.check_concern(concern)
    with CaptureQueriesContext(connection) as many:
        page = client.get(url).content.decode()
    assert page.count("app-pattern-flag") == 4
    assert len(many) == len(few)


def test_provider_page_lists_concerns_and_enquiries_over_time(
    client, practitioner, team, other_team, home
):
    old = about(home, PersonFactory(team=team, family_name="Ashdown"), 300)
    enquiry = EnquiryFactory(concern=old, team=team)
    about(home, PersonFactory(team=team, family_name="Birtles"), 3)
    about(home, PersonFactory(team=other_team, family_name="Cawley"), 2)
    client.force_login(practitioner)
    url = reverse("enquiries:organisation_detail", args=[home.pk])
    page = client.get(url).content.decode()
    assert "Ashdown" in page and "Birtles" in page and "Cawley" not in page
    assert page.index("Birtles") < page.index("Ashdown")  # newest first
    assert str(enquiry.reference) in page


def test_provider_page_pages_by_date(client, lead, team, home):
    for days in range(30):
        about(home, PersonFactory(team=team), days * 40)
    client.force_login(lead)
    url = reverse("enquiries:organisation_detail", args=[home.pk])
    first = client.get(url)
    assert first.content.decode().count("concern received") == 25
    cursor = first.context["page"].next_cursor
    rest = client.get(url, {"after": cursor})
    assert rest.content.decode().count("concern received") == 5
    with CaptureQueriesContext(connection) as queries:
        client.get(url, {"after": cursor})
    with CaptureQueriesContext(connection) as full:
        client.get(url)
    assert len(full) == len(queries)


def test_dashboard_counts_flags_acknowledged_and_led_to_enquiry(
    client, manager, lead, team, home
):
    concerns = [about(home, PersonFactory(team=team), days) for days in (1, 2, 3)]
    concerns[0].decision = "section_42"
    concerns[0].save()
    patterns.acknowledge_pattern(
        user=lead, flag=PatternFlag.objects.get(), note="Noted"
    )
    client.force_login(manager)
    response = client.get(reverse("outcomes:dashboard"))
    figures = response.context["patterns"]
    assert (figures["total"], figures["acknowledged"], figures["led_to_enquiry"]) == (
        1,
        1,
        1,
    )
    organisation = next(k for k in figures["kinds"] if k["kind"] == "organisation")
    assert organisation["total"] == 1


def test_dashboard_counts_the_patterns_of_its_period_and_team(
    client, lead, team, other_team, home
):
    """A flag counts in the period one of its concerns was received in, and,
    with a team chosen, only when one of those concerns is the team's."""
    this_year = financial_year_of(TODAY)
    last_year = financial_year_of(financial_year_bounds(this_year)[0] - ONE_DAY)
    days_ago = (TODAY - financial_year_bounds(this_year)[0]).days + 40
    rowan = OrganisationFactory(name="Rowan Court")
    for _ in range(3):
        about(rowan, PersonFactory(team=team), days_ago)
    for _ in range(3):
        about(home, PersonFactory(team=other_team), 0)
    assert PatternFlag.objects.count() == 2
    client.force_login(lead)

    def total(**query):
        response = client.get(reverse("outcomes:dashboard"), query)
        assert response.status_code == 200
        return response.context["patterns"]["total"]

    assert total(year=this_year) == 1
    assert total(year=last_year) == 1
    assert total(year=this_year, team=team.pk) == 0
    assert total(year=this_year, team=other_team.pk) == 1
    assert total(year=last_year, team=team.pk) == 1


def test_a_flag_moves_to_the_period_its_concerns_date_is_corrected_to(
    client, lead, team, other_team, home
):
    """Flag records repeat their concern's date received and decision (the
    dashboard finds a period's flags from them): a date corrected by a save,
    by a bulk update or by an import moves the flag's count to the new
    period; a decision made in bulk counts the flag as led to an enquiry."""
    from enquiries.models import Concern, PatternFlagRecord
    from enquiries.signals import case_records_loaded

    this_year = financial_year_of(TODAY)
    start = financial_year_bounds(this_year)[0]
    last_year = financial_year_of(start - ONE_DAY)
    concerns = [about(home, PersonFactory(team=team), days) for days in (1, 2, 3)]
    client.force_login(lead)

    def totals():
        found = []
        for year in (this_year, last_year):
            response = client.get(reverse("outcomes:dashboard"), {"year": year})
            found.append(response.context["patterns"]["total"])
        return tuple(found)

    def dates():
        return sorted(PatternFlagRecord.objects.values_list("received_on", flat=True))

    assert totals() == (1, 0)
    earlier = [start - datetime.timedelta(days=10 + n) for n in range(3)]
    concerns[0].received_on = earlier[0]
    concerns[0].save()
    Concern.objects.filter(pk=concerns[1].pk).update(received_on=earlier[1])
    assert dates() == sorted([earlier[0], earlier[1], concerns[2].received_on])
    assert totals() == (1, 1)  # one concern of each year
    # Written past the ORM, then announced as an import announces its writes.
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE enquiries_concern SET received_on = %s WHERE id = %s",
            [earlier[2], concerns[2].pk],
        )
    case_records_loaded.send(
        sender=Concern, enquiry_ids=[], concern_ids=[concerns[2].pk]
    )
    assert dates() == sorted(earlier)
    from outcomes.sac import forget_cached_returns

    forget_cached_returns()  # (the page's kept figures know no raw UPDATE)
    assert totals() == (0, 1)
    # The decision is repeated too: a bulk decision counts as led to one.
    Concern.objects.filter(pk=concerns[1].pk).update(decision="section_42")
    assert set(PatternFlagRecord.objects.values_list("decision", flat=True)) == {
        "",
        "section_42",
    }
    forget_cached_returns()
    response = client.get(reverse("outcomes:dashboard"), {"year": last_year})
    assert response.context["patterns"]["led_to_enquiry"] == 1
    # And its team and adult (who may see it): a concern moved to another
    # team's adult takes its record with it.
    other = PersonFactory(team=other_team)
    moved = Concern.objects.get(pk=concerns[0].pk)
    moved.team, moved.person = other_team, other
    moved.save()
    record = PatternFlagRecord.objects.get(concern=moved)
    assert (record.team_id, record.person_id) == (other_team.pk, other.pk)
    # ... as does one moved in bulk, its relations named as such.
    third = PersonFactory(team=team)
    Concern.objects.filter(pk=moved.pk).update(person=third, team=team)
    record.refresh_from_db()
    assert (record.team_id, record.person_id) == (team.pk, third.pk)


def test_a_lead_with_admin_access_changes_a_rule_audited(client, lead):
    lead.is_staff = True
    lead.save()
    rule = PatternRule.objects.get(kind="organisation")
    client.force_login(lead)
    url = reverse("admin:enquiries_patternrule_change", args=[rule.pk])
    assert client.get(url).status_code == 200
    too_low = client.post(
        url, {"kind": "organisation", "threshold": 1, "window_months": 1}
    )
    assert too_low.status_code == 200
    rule.refresh_from_db()
    assert rule.threshold == 3
    client.post(
        url,
        {"kind": "organisation", "threshold": 4, "window_months": 2, "is_active": "on"},
    )
    rule.refresh_from_db()
    assert (rule.threshold, rule.window_months) == (4, 2)
    assert AuditEvent.objects.filter(object_type="enquiries.PatternRule").exists()
    assert client.get(
        reverse("admin:enquiries_patternflag_changelist")
    ).status_code in (403, 302)


def test_check_patterns_command_flags_bulk_loaded_concerns(team):
    from django.core.management import call_command

    person = PersonFactory(team=team)
    for days in (1, 2, 3):
        ConcernFactory(person=person, received_on=TODAY - datetime.timedelta(days=days))
    assert not PatternFlag.objects.exists()
    call_command("check_patterns")
    call_command("check_patterns")
    flag = PatternFlag.objects.get()
    assert flag.kind == "adult" and flag.concern_count == 3


def test_provider_page_is_not_found_with_nothing_the_viewer_may_see(
    client, other_team_practitioner, team, home
):
    about(home, PersonFactory(team=team), 3)
    client.force_login(other_team_practitioner)
    url = reverse("enquiries:organisation_detail", args=[home.pk])
    assert client.get(url).status_code == 404


def test_linking_relationships_to_one_record_raises_an_alleged_source_pattern(
    client, practitioner, team, other_team
):
    from enquiries.models import Relationship

    PatternRule.objects.filter(kind="alleged_source").update(
        threshold=2, window_months=12
    )
    carer = PersonFactory(team=team, given_name="Dale", family_name="Prentice")
    hidden = PersonFactory(team=other_team)
    relations = []
    for adult in (PersonFactory(team=team), PersonFactory(team=team)):
        relation = Relationship.objects.create(
            person=adult, kind="paid_carer", name="Dale"
        )
        concern = ConcernFactory(person=adult, received_on=TODAY)
        RiskFactory(concern=concern, source_relation=relation)
        relations.append(relation)
    client.force_login(practitioner)
    first, second = relations
    url = reverse(
        "enquiries:relationship_record", args=[first.person.reference, first.pk]
    )
    assert "Own record" in client.get(first.person.get_absolute_url()).content.decode()
    bad = client.post(url, {"reference": "not-a-reference"})
    assert "Enter the reference as it is shown" in bad.content.decode()
    unseen = client.post(url, {"reference": str(hidden.reference)})
    assert "No person you may see has that reference" in unseen.content.decode()
    itself = client.post(url, {"reference": str(first.person.reference)})
    assert "the adult&#x27;s own record" in itself.content.decode()
    client.post(url, {"reference": str(carer.reference)})
    first.refresh_from_db()
    assert first.individual == carer
    assert not PatternFlag.objects.filter(kind="alleged_source").exists()
    client.post(
        reverse(
            "enquiries:relationship_record", args=[second.person.reference, second.pk]
        ),
        {"reference": str(carer.reference)},
    )
    flag = PatternFlag.objects.get(kind="alleged_source")
    assert flag.person == carer and flag.adult_count == 2
    assert (
        AuditEvent.objects.filter(summary="Linked Dale to their own record").count()
        == 2
    )
