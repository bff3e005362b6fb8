"""Pattern rules: the same adult, the same alleged source across adults, the
same organisation; thresholds, windows and what each flag is made of."""

import datetime

import pytest

from enquiries import codes
from enquiries.factories import (
    ConcernFactory,
    OrganisationFactory,
    PersonFactory,
    RiskFactory,
)
from enquiries.models import (
    Concern,
    PatternFlag,
    PatternRule,
    Relationship,
)
from enquiries.services import patterns
from enquiries.services.patterns import add_months
from msp.models import AuditEvent

pytestmark = pytest.mark.django_db

D = datetime.date


def rule(kind, threshold, months):
    found, _ = PatternRule.objects.update_or_create(
        kind=kind, defaults={"threshold": threshold, "window_months": months}
    )
    return found


def concerns_for(person, *days, **extra):
    made = []
    for day in days:
        concern = ConcernFactory(person=person, received_on=day, **extra)
        patterns.check_concern(concern)
        made.append(concern)
    return made


def about_org(organisation, day, person=None):
    concern = ConcernFactory(received_on=day, **({"person": person} if person else {}))
    RiskFactory(
        concern=concern,
        source=codes.RiskSource.SERVICE_PROVIDER,
        source_organisation=organisation,
        source_person_name="",
    )
    patterns.check_concern(concern)
    return concern


def test_months_are_calendar_months():
    assert add_months(D(2026, 1, 31), 1) == D(2026, 2, 28)
    assert add_months(D(2024, 1, 31), 1) == D(2024, 2, 29)
    assert add_months(D(2026, 3, 15), -6) == D(2025, 9, 15)
    assert add_months(D(2026, 11, 30), 2) == D(2027, 1, 30)


def test_migration_gives_default_rules():
    kinds = set(PatternRule.objects.values_list("kind", flat=True))
    assert kinds == {"adult", "alleged_source", "organisation", "location"}
    place = PatternRule.objects.get(kind="location")
    assert (place.threshold, place.window_months, place.is_active) == (3, 3, True)


def test_adult_threshold_edge(team):
    rule("adult", 3, 6)
    person = PersonFactory(team=team)
    concerns_for(person, D(2026, 1, 5), D(2026, 3, 1))
    assert not PatternFlag.objects.exists()  # two is one short
    (third,) = concerns_for(person, D(2026, 6, 20))
    flag = PatternFlag.objects.get()
    assert flag.kind == "adult" and flag.person == person
    assert flag.concern_count == 3 and flag.adult_count == 1
    assert (flag.first_received_on, flag.last_received_on) == (
        D(2026, 1, 5),
        D(2026, 6, 20),
    )
    assert third in flag.concerns.all()
    assert flag.threshold == 3 and flag.window_months == 6
    assert AuditEvent.objects.filter(
        object_type="enquiries.PatternFlag", summary__startswith="Pattern flagged"
    ).exists()


def test_adult_window_edge_is_exclusive(team):
    rule("adult", 3, 6)
    person = PersonFactory(team=team)
    # 5 January + 6 months = 5 July: a concern on that day is outside.
    concerns_for(person, D(2026, 1, 5), D(2026, 3, 1), D(2026, 7, 5))
    assert not PatternFlag.objects.exists()
    # One day earlier is inside the window that starts on 1 March as well.
    concerns_for(person, D(2026, 7, 4))
    flag = PatternFlag.objects.get()
    assert set(flag.concerns.values_list("received_on", flat=True)) == {
        D(2026, 1, 5),
        D(2026, 3, 1),
        D(2026, 7, 4),
        D(2026, 7, 5),
    }


def test_concerns_with_no_enquiry_count_but_duplicates_do_not(team):
    rule("adult", 3, 6)
    person = PersonFactory(team=team)
    concerns_for(
        person,
        D(2026, 2, 1),
        decision=Concern.Decision.NO_ENQUIRY,
        other_pathway=Concern.OtherPathway.INFORMATION_ADVICE,
        status=Concern.Status.DECIDED,
    )
    concerns_for(
        person,
        D(2026, 2, 2),
        decision=Concern.Decision.NO_ENQUIRY,
        other_pathway=Concern.OtherPathway.WITHDRAWN,
        status=Concern.Status.DECIDED,
    )
    concerns_for(person, D(2026, 2, 3))
    assert not PatternFlag.objects.exists()  # the duplicate does not count
    concerns_for(person, D(2026, 2, 4))
    flag = PatternFlag.objects.get()
    assert flag.concern_count == 3


def test_a_later_concern_grows_the_flag_and_asks_for_acknowledgement_again(team, lead):
    rule("adult", 2, 3)
    person = PersonFactory(team=team)
    concerns_for(person, D(2026, 1, 1), D(2026, 1, 20))
    flag = PatternFlag.objects.get()
    patterns.acknowledge_pattern(user=lead, flag=flag, note="Discussed at huddle")
    concerns_for(person, D(2026, 2, 10))
    flag.refresh_from_db()
    assert PatternFlag.objects.count() == 1
    assert flag.concern_count == 3 and not flag.is_acknowledged
    # Checking the same concern again changes nothing.
    patterns.check_concern(Concern.objects.get(received_on=D(2026, 2, 10)))
    flag.refresh_from_db()
    assert flag.concern_count == 3


def test_far_apart_patterns_are_separate_flags(team):
    rule("adult", 2, 1)
    person = PersonFactory(team=team)
    concerns_for(person, D(2025, 1, 1), D(2025, 1, 10), D(2026, 5, 1), D(2026, 5, 2))
    assert PatternFlag.objects.count() == 2


def test_organisation_three_in_a_month(team):
    rule("organisation", 3, 1)
    home = OrganisationFactory(name="Larch House")
    about_org(home, D(2026, 4, 1))
    about_org(home, D(2026, 4, 15))
    about_org(home, D(2026, 5, 1))  # 1 May is a month after 1 April: outside
    assert not PatternFlag.objects.exists()
    about_org(home, D(2026, 4, 30))
    flag = PatternFlag.objects.get()
    assert flag.organisation == home and flag.kind == "organisation"
    assert flag.concern_count == 4  # both windows that reach three
    assert flag.adult_count == 4


def test_organisation_risk_withdrawn_or_on_enquiry_copy_does_not_count(team):
    rule("organisation", 2, 1)
    home = OrganisationFactory()
    about_org(home, D(2026, 4, 1))
    concern = ConcernFactory(received_on=D(2026, 4, 2))
    RiskFactory(
        concern=concern,
        source=codes.RiskSource.SERVICE_PROVIDER,
        source_organisation=home,
        is_withdrawn=True,
    )
    patterns.check_concern(concern)
    assert not PatternFlag.objects.exists()


def test_alleged_source_matched_on_the_individual_record(team, other_team):
    rule("alleged_source", 2, 12)
    carer = PersonFactory(team=team, given_name="Dean", family_name="Hollis")
    first, second = PersonFactory(team=team), PersonFactory(team=other_team)
    for adult, day in ((first, D(2026, 1, 10)), (second, D(2026, 9, 1))):
        relation = Relationship.objects.create(
            person=adult, kind="paid_carer", name="Dean", individual=carer
        )
        concern = ConcernFactory(person=adult, received_on=day)
        RiskFactory(concern=concern, source_relation=relation)
        patterns.check_concern(concern)
    flag = PatternFlag.objects.get(kind="alleged_source")
    assert flag.person == carer and flag.adult_count == 2


def test_alleged_source_needs_different_adults(team):
    rule("alleged_source", 2, 12)
    carer = PersonFactory(team=team)
    adult = PersonFactory(team=team)
    relation = Relationship.objects.create(
        person=adult, kind="partner", name="Kim", individual=carer
    )
    for day in (D(2026, 1, 10), D(2026, 2, 10), D(2026, 3, 10)):
        concern = ConcernFactory(person=adult, received_on=day)
        RiskFactory(concern=concern, source_relation=relation)
        patterns.check_concern(concern)
    assert not PatternFlag.objects.filter(kind="alleged_source").exists()


def test_the_same_name_typed_twice_is_not_a_match(team):
    rule("alleged_source", 2, 12)
    for adult in (PersonFactory(team=team), PersonFactory(team=team)):
        relation = Relationship.objects.create(
            person=adult, kind="paid_carer", name="Dean Hollis"
        )
        concern = ConcernFactory(person=adult, received_on=D(2026, 3, 1))
        RiskFactory(
            concern=concern, source_relation=relation, source_person_name="Dean Hollis"
        )
        patterns.check_concern(concern)
    assert not PatternFlag.objects.exists()


def test_switched_off_rule_raises_nothing(team):
    found = rule("adult", 2, 6)
    found.is_active = False
    found.save()
    person = PersonFactory(team=team)
    concerns_for(person, D(2026, 1, 1), D(2026, 1, 2))
    assert not PatternFlag.objects.exists()


def test_a_changed_rule_is_applied_to_past_concerns_by_send_reminders(team):
    found = rule("adult", 5, 6)
    patterns.recheck_changed_rules(datetime.date.today())  # marks it checked
    person = PersonFactory(team=team)
    today = datetime.date.today()
    concerns_for(person, today - datetime.timedelta(days=10), today)
    assert not PatternFlag.objects.exists()
    found.threshold = 2
    found.save()
    patterns.recheck_changed_rules(today)
    flag = PatternFlag.objects.get()
    assert flag.threshold == 2 and flag.concern_count == 2
    found.refresh_from_db()
    assert found.checked_at is not None


def test_demo_makes_a_few_flags_of_each_kind_even_after_other_steps(team, other_team):
    import io

    from enquiries.demo import create_demo_caseload
    from enquiries.patterns_demo import create_demo_patterns
    from msp.demo import create_demo_staff

    staff = create_demo_staff("demo-password-2024")
    create_demo_caseload(staff=staff, out=io.StringIO())
    # Another demo step may have raised a flag already through the services.
    rule("adult", 2, 6)
    person = PersonFactory(team=staff["teams"][0])
    concerns_for(person, D(2026, 1, 1), D(2026, 1, 2))
    rule("adult", 3, 6)
    create_demo_patterns(staff=staff, out=io.StringIO())
    kinds = set(PatternFlag.objects.values_list("kind", flat=True))
    assert kinds == {"adult", "alleged_source", "organisation", "location"}
    assert PatternFlag.objects.filter(acknowledged_at__isnull=False).exists()
    before = PatternFlag.objects.count()
    create_demo_patterns(staff=staff, out=io.StringIO())  # safe to run twice
    assert PatternFlag.objects.count() == before
