"""Board reports against a small caseload counted by hand.

``build_board_caseload`` is shared with the integration tests of the pages.
Financial year 2025-26: 1 April 2025 to 31 March 2026.

Team (the manager's) concerns:
  c1 Ann 2025-04-01 family         s42        risks: Larch (concern + enquiry copy)
  c2 Ann 2025-06-01 care provider  other      risks: Larch, Birch
  c3 Bob 2026-03-31 police         no enquiry risk: Birch, withdrawn
  c4 Bob 2025-03-31 family         (previous year; exactly 365 days before c3)
  c5 Cat 2025-05-10 not recorded   undecided
  c6 Cat 2025-05-10 family         withdrawn or a duplicate: never counted
  c7 Dan 2026-04-01 family         (next year)
  c8 Dan 2025-08-01 family         s42        risk: a person, no organisation
  c9 Dan 2024-07-01 family         (more than 365 days before c8)
Other team: Cat 2025-04-20 (other team, s42), Xav 2025-07-01 (s42, risk
Birch), Xav 2025-09-01 (undecided).
"""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from enquiries.factories import (
    ConcernFactory,
    EnquiryFactory,
    OrganisationFactory,
    PersonFactory,
    RiskFactory,
)
from enquiries.models import CausedEnquiry, InformationShare
from outcomes import board

D = datetime.date
YEAR = "2025-26"
TODAY = D(2026, 12, 4)


def _concern(person, received_on, referrer_type="family", decision="", **fields):
    extra = {}
    if decision:
        extra = {"status": "decided", "decision": decision}
        if decision == "no_enquiry":
            extra["other_pathway"] = fields.pop("other_pathway", "information_advice")
    return ConcernFactory(
        person=person,
        received_on=received_on,
        referrer_type=referrer_type,
        **extra,
        **fields,
    )


def _request(enquiry, org, due_on, **fields):
    return CausedEnquiry.objects.create(
        enquiry=enquiry,
        organisation=org,
        scope="What happened to the adult's money",
        requested_on=due_on - datetime.timedelta(days=28),
        due_on=due_on,
        **fields,
    )


def _share(concern, org, shared_on, basis="consent", direction="out", **fields):
    return InformationShare.objects.create(
        concern=concern,
        organisation=org,
        direction=direction,
        shared_on=shared_on,
        what="The safeguarding plan",
        why="To keep the adult safe",
        lawful_basis=basis,
        article6="6_1_e" if basis != "consent" else "6_1_a",
        consent="consented",
        adult_told="yes",
        **fields,
    )


def build_board_caseload(team, other_team, user=None):
    """The caseload in the module docstring; returns the records by name."""
    larch = OrganisationFactory(name="Larch House")
    birch = OrganisationFactory(name="Birch Court")
    ann = PersonFactory(team=team, given_name="Ann")
    bob = PersonFactory(team=team, given_name="Bob")
    cat = PersonFactory(team=team, given_name="Cat")
    dan = PersonFactory(team=team, given_name="Dan")
    xav = PersonFactory(team=other_team, given_name="Xav")
    c1 = _concern(ann, D(2025, 4, 1), decision="section_42")
    c2 = _concern(ann, D(2025, 6, 1), "care_provider", decision="other_enquiry")
    c3 = _concern(bob, D(2026, 3, 31), "police", decision="no_enquiry")
    _concern(bob, D(2025, 3, 31))
    c5 = _concern(cat, D(2025, 5, 10), "")
    _concern(cat, D(2025, 5, 10), decision="no_enquiry", other_pathway="withdrawn")
    _concern(dan, D(2026, 4, 1))
    c8 = _concern(dan, D(2025, 8, 1), decision="section_42")
    _concern(dan, D(2024, 7, 1))
    cat_elsewhere = _concern(
        cat, D(2025, 4, 20), decision="section_42", team=other_team
    )
    x1 = _concern(xav, D(2025, 7, 1), decision="section_42")
    _concern(xav, D(2025, 9, 1))

    e1 = EnquiryFactory(concern=c1)
    RiskFactory(concern=c1, source="provider", source_organisation=larch)
    RiskFactory(concern=c1, enquiry=e1, source="provider", source_organisation=larch)
    RiskFactory(concern=c2, source="provider", source_organisation=larch)
    RiskFactory(concern=c2, source="provider", source_organisation=birch)
    RiskFactory(concern=c3, source_organisation=birch, is_withdrawn=True)
    RiskFactory(concern=c8)
    ex = EnquiryFactory(concern=x1)
    RiskFactory(concern=x1, source="provider", source_organisation=birch)

    police = OrganisationFactory(name="Northshire Police", kind="police")
    _request(e1, police, D(2025, 4, 1), report_received_on=D(2025, 4, 1))
    _request(e1, police, D(2025, 6, 30), report_received_on=D(2025, 7, 1))
    _request(e1, police, D(2026, 3, 31))
    _request(
        e1,
        police,
        D(2025, 9, 1),
        closed_on=D(2025, 9, 5),
        close_note="The enquiry found nothing for them to do",
    )
    _request(e1, police, D(2026, 4, 1))
    _request(e1, police, D(2025, 3, 31), report_received_on=D(2025, 3, 1))
    _request(ex, police, D(2025, 5, 1), report_received_on=D(2025, 4, 30))

    _share(c1, police, D(2025, 4, 1))
    _share(c2, police, D(2025, 10, 1), direction="in")
    _share(c3, police, D(2026, 3, 31), basis="vital_interests")
    _share(
        c1,
        police,
        D(2025, 5, 1),
        basis="public_task",
        withdrawn_at=datetime.datetime(2025, 5, 2, tzinfo=datetime.UTC),
        withdrawn_reason="Entered on the wrong adult",
    )
    _share(c1, police, D(2025, 3, 31))
    _share(x1, police, D(2025, 8, 1), basis="crime_prevention")
    return {"c5": c5, "c8": c8, "cat_elsewhere": cat_elsewhere, "e1": e1}


@pytest.fixture
def caseload(team, other_team):
    return build_board_caseload(team, other_team)


def _filters(team=None):
    return board.BoardFilter(year=YEAR, team_id=team.pk if team else None)


def _grouped(user, filters):
    return board.source_and_decision(board.year_concerns(user, filters))


def _counts(report):
    return {row["label"]: row["count"] for row in report["rows"]}


@pytest.mark.django_db
class TestConcernsReceived:
    def test_by_referral_source_for_a_manager(self, caseload, manager):
        report = board.by_referral_source(_grouped(manager, _filters()))
        counts = _counts(report)
        assert report["total"] == 5  # c1, c2, c3, c5, c8
        assert counts["Family member"] == 2  # c1, c8 (c4, c6, c7, c9 not counted)
        assert counts["Care provider"] == 1
        assert counts["Police"] == 1
        assert counts[board.NOT_RECORDED] == 1
        assert counts["Anonymous"] == 0
        police = next(r for r in report["rows"] if r["label"] == "Police")
        assert police["percent"] == 20.0

    def test_a_lead_counts_every_team_or_the_team_chosen(self, caseload, lead, team):
        everyone = board.by_referral_source(_grouped(lead, _filters()))
        assert everyone["total"] == 8
        assert _counts(everyone)["Family member"] == 5
        one_team = board.by_referral_source(_grouped(lead, _filters(team)))
        assert one_team["total"] == 5

    def test_by_provider_counts_each_concern_once_per_organisation(
        self, caseload, manager
    ):
        report = board.by_provider(board.year_concerns(manager, _filters()))
        # Larch: c1 (two risks, one concern) and c2; Birch: c2 (c3's is withdrawn).
        assert [(r["label"], r["count"]) for r in report["rows"]] == [
            ("Larch House", 2),
            ("Birch Court", 1),
        ]
        assert report["named"] == 2
        assert report["not_named"] == 3

    def test_by_provider_top_then_the_others_together(self, caseload, lead):
        report = board.by_provider(board.year_concerns(lead, _filters()), top=1)
        # Lead: Birch c2 and Xav's; Larch c1 and c2 (a tie, by name).
        assert [(r["label"], r["count"]) for r in report["rows"]] == [
            ("Birch Court", 2),
            ("Other organisations (1)", 2),
        ]
        assert report["named"] == 3

    def test_conversion_to_enquiries(self, caseload, manager):
        report = board.conversion(_grouped(manager, _filters()))
        assert _counts(report) == {
            "Section 42 enquiry": 2,
            "Other safeguarding enquiry": 1,
            "No safeguarding enquiry": 1,  # the withdrawn duplicate is left out
            "Not decided yet": 1,
        }
        assert report["decided"] == 4
        assert report["enquiry_rate"] == 75.0
        assert report["s42_rate"] == 50.0


@pytest.mark.django_db
class TestRepeatConcerns:
    def test_for_a_manager(self, caseload, manager):
        report = board.repeats(manager, _filters())
        counts = [row["count"] for row in report["rows"]]
        # Ann has 2 in the year (c1, c2). Repeats: c2 (c1 61 days before) and
        # c3 (c4 exactly 365 days before). Cat's other-team concern is not
        # seen; c6 is a duplicate on the same day; Dan's c9 is 396 days before.
        assert counts == [1, 2, 2]
        assert report["adults"] == 4
        assert report["rows"][2]["percent"] == 40.0

    def test_counted_by_the_database_in_two_one_row_queries(
        self, caseload, manager, lead, team
    ):
        for user, filters in ((manager, _filters()), (lead, _filters(team))):
            with CaptureQueriesContext(connection) as captured:
                board.repeats(user, filters)
            # The adults' figures, then the repeats: each an aggregate, no
            # row per concern or per adult comes back to Python.
            reads = [q["sql"] for q in captured if '"enquiries_concern"' in q["sql"]]
            assert len(reads) == 2
            for sql in reads:
                # An aggregate over a grouped sub-query: one row back.
                assert sql.startswith(("SELECT COUNT(", "SELECT COALESCE(SUM("))
                assert "GROUP BY" not in sql.rsplit(")", 1)[1]
        # The board page counts them the same way.
        assert board.board_reports(lead, _filters())["repeat"] == board.repeats(
            lead, _filters()
        )

    def test_for_a_lead(self, caseload, lead, team):
        report = board.repeats(lead, _filters())
        # Ann, Cat (other team's 20 April and c5) and Xav have 2 each.
        assert [row["count"] for row in report["rows"]] == [3, 6, 4]
        one_team = board.repeats(lead, _filters(team))
        # The earlier concern may be in any team the lead sees: c5 counts.
        assert [row["count"] for row in one_team["rows"]] == [1, 2, 3]


@pytest.mark.django_db
class TestPartnersAndSharing:
    def test_requests_due_in_the_year(self, caseload, manager, team):
        report = board.partner_requests(manager, _filters(), TODAY)
        assert report["total"] == 4  # due 1 April to 31 March only
        assert _counts(report) == {
            "Answered by the due date": 1,
            "Answered after the due date": 1,
            "Closed without a response": 1,
            "Outstanding, past the due date": 1,
            "Outstanding, not yet due": 0,
        }
        assert report["on_time_rate"] == 50.0
        waiting = board.partner_requests(manager, _filters(), D(2026, 3, 31))
        assert _counts(waiting)["Outstanding, not yet due"] == 1

    def test_requests_for_a_lead(self, caseload, lead):
        report = board.partner_requests(lead, _filters(), TODAY)
        assert report["total"] == 5
        assert _counts(report)["Answered by the due date"] == 2

    def test_shares_by_lawful_basis_and_direction(self, caseload, manager, lead):
        report = board.shares(manager, _filters())
        by_basis = {row["label"]: (row["out"], row["in"]) for row in report["rows"]}
        assert by_basis["Consent"] == (1, 1)
        assert by_basis["Vital interests"] == (1, 0)
        assert by_basis["Public task (Care Act duties)"] == (0, 0)  # withdrawn
        assert by_basis["Prevention or detection of crime"] == (0, 0)  # other team
        assert (report["total"], report["out"], report["in"]) == (3, 2, 1)
        assert board.shares(lead, _filters())["total"] == 4


@pytest.mark.django_db
def test_tables_for_the_downloads(caseload, manager):
    data = board.board_reports(manager, _filters())
    header, rows = board.table("shares", data)
    assert header[:3] == ["Lawful basis", "Shared by us", "Received by us"]
    assert ["Consent", 1, 1, 2, 66.7] in rows
    assert rows[-1] == ["All shares", 2, 1, 3, ""]
    header, rows = board.table("provider", data)
    assert rows[-2:] == [
        ["No organisation named", 3, 60.0],
        ["All concerns received", 5, ""],
    ]
    assert board.plain_text("=SUM(A1)") == "'=SUM(A1)"


def _queries(user, filters) -> int:
    with CaptureQueriesContext(connection) as captured:
        board.board_reports(user, filters)
    return len(captured)


@pytest.mark.django_db
def test_a_fixed_number_of_queries_whatever_the_caseload(team, other_team, lead):
    build_board_caseload(team, other_team)
    board.board_reports(lead, _filters())  # the lead's role and teams, once
    small = _queries(lead, _filters())
    for _ in range(3):
        build_board_caseload(team, other_team)
    assert _queries(lead, _filters()) == small
