"""Dashboard figures against a small caseload counted by hand.

``build_caseload`` is shared with the integration tests of the report pages.
"""

import datetime

import pytest
from django.db import connection
from django.db.models import Q
from django.test.utils import CaptureQueriesContext

from enquiries.factories import (
    DesiredOutcomeFactory,
    EnquiryFactory,
    PersonViewFactory,
)
from enquiries.models import (
    AdvocacyReferral,
    Concern,
    Enquiry,
    PersonView,
    PlanAction,
    StageTimescale,
)
from msp import paging
from outcomes import figures, monthly_figures, reports, sac_spec
from outcomes.models import EnquiryFigures, FeedbackQuestionnaire
from outcomes.services import record_feedback

YEAR = "2025-26"
D = datetime.date


def _concluded(team, name, **fields):
    defaults = {
        "concluded": True,
        "concern__person__team": team,
        "concern__person__given_name": name,
        "concern__person__family_name": "Testperson",
        "concern__person__gender": "not_known",
        "concern__received_on": D(2025, 5, 1),
        "started_on": D(2025, 5, 2),
        "concluded_on": D(2025, 6, 10),
    }
    defaults.update(fields)
    return EnquiryFactory(**defaults)


def _outcome(enquiry, **fields):
    return DesiredOutcomeFactory(
        person=enquiry.concern.person, enquiry=enquiry, **fields
    )


def build_caseload(team, other_team, user):
    """Seven enquiries in ``team`` and one in ``other_team``; see the counts below.

    Concluded in 2025-26 for ``team`` (5): Ann, Bob, Cat, Dan, Eve.
    Not concluded: Fay (sent back from awaiting sign-off), Gil (concluded the
    year before). Other team: Hal (concluded, fully achieved).
    """
    ann = _concluded(
        team,
        "Ann",
        lacked_capacity="yes",
        capacity_support=True,
        concern__decided_at=datetime.datetime(2025, 5, 2, 10, tzinfo=datetime.UTC),
        concern__person__date_of_birth=D(1939, 6, 1),  # 86 on 31 March 2026
        concern__person__ethnicity="asian_indian",
        concern__person__gender="female",
    )
    _outcome(ann, achieved="fully")
    PersonViewFactory(
        person=ann.concern.person, enquiry=ann, stage="planning", source="adult"
    )
    wrong = PersonViewFactory(
        person=ann.concern.person,
        enquiry=ann,
        stage="enquiry",
        source="not_obtained",
        not_obtained_reason="declined",
        views_text="",
    )
    PersonViewFactory(
        person=ann.concern.person,
        enquiry=ann,
        stage="enquiry",
        source="representative",
        supersedes=wrong,
        correction_reason="Her daughter gave her views after all",
    )
    bob = _concluded(
        team,
        "Bob",
        outcomes_achieved="",
        risk_result="removed",
        adult_view_on_closure="not_obtainable",
        concern__decided_at=datetime.datetime(2025, 5, 9, 10, tzinfo=datetime.UTC),
        concern__person__gender="male",
    )
    PersonViewFactory(
        person=bob.concern.person,
        enquiry=bob,
        stage="planning",
        source="not_obtained",
        not_obtained_reason="unsafe",
        views_text="",
    )
    cat = _concluded(
        team,
        "Cat",
        asked_desired_outcomes="no",
        outcomes_achieved="",
        risk_result="remained",
        adult_view_on_closure="",
        concluded_on=D(2025, 7, 31),
    )
    _outcome(cat, status="withdrawn")
    dan = _concluded(
        team,
        "Dan",
        outcomes_achieved="partially",
        lacked_capacity="yes",
        concern__person__date_of_birth=None,
    )
    _outcome(dan, achieved="fully")
    _outcome(dan, achieved="not")
    AdvocacyReferral.objects.create(
        enquiry=dan, status="allocated", allocated_on=D(2025, 5, 20)
    )
    eve = _concluded(team, "Eve", outcomes_achieved="")
    _outcome(eve)
    fay = EnquiryFactory(
        concern__person__team=team,
        concern__person__given_name="Fay",
        status="plan_active",
        # Sent back from "awaiting sign-off" after a conclusion date was set.
        concluded_on=D(2025, 6, 1),
        asked_desired_outcomes="yes",
        started_on=D(2025, 5, 2),
        concern__received_on=D(2025, 5, 1),
    )
    gil = _concluded(
        team,
        "Gil",
        concern__received_on=D(2024, 5, 1),
        started_on=D(2024, 5, 2),
        concluded_on=D(2024, 6, 10),
    )
    hal = _concluded(other_team, "Hal")
    _outcome(hal, achieved="fully")
    bank = FeedbackQuestionnaire.objects.get(is_active=True)
    questions = list(bank.questions.all())
    record_feedback(
        user=user,
        enquiry=ann,
        questionnaire=bank,
        respondent="representative",
        collected_by="lead_at_closure",
        collector_name="",
        collected_on=D(2025, 6, 10),
        answers={
            q.pk: ("agree" if i == 0 else "prefer_not_to_say")
            for i, q in enumerate(questions)
        },
    )
    return {
        "ann": ann,
        "bob": bob,
        "cat": cat,
        "dan": dan,
        "eve": eve,
        "fay": fay,
        "gil": gil,
        "hal": hal,
    }


def _filters():
    start, end = sac_spec.financial_year_bounds(YEAR)
    return reports.ReportFilter(start=start, end=end, query={"year": YEAR})


@pytest.fixture
def caseload(team, other_team, manager):
    return build_caseload(team, other_team, manager)


@pytest.mark.django_db
class TestDashboardFigures:
    def test_counts_for_a_team_manager(self, caseload, manager):
        counts = reports.dashboard(manager, _filters())["counts"]
        expected = {
            "concluded": 5,
            "asked": 4,
            "asked_expressed": 3,
            "asked_not_expressed": 1,
            "asked_no": 1,
            "asked_dont_know": 0,
            "asked_not_recorded": 0,
            "achieved_fully": 1,
            "achieved_partially": 1,
            "achieved_not": 0,
            "no_evaluation": 1,
            "risk_identified": 5,
            "risk_remained": 1,
            "risk_reduced": 3,
            "risk_removed": 1,
            "lacked_capacity": 2,
            "advocate_when_lacking": 2,
            "view_on_closure": 3,
            "closure_without_view": 2,
            "view_not_obtained": 1,
            "feedback_given": 1,
            "stage_planning": 2,
            "stage_ok_planning": 1,
            "stage_enquiry": 1,
            "stage_ok_enquiry": 1,
            "stage_closure": 0,
        }
        assert {key: counts[key] for key in expected} == expected

    def test_a_lead_sees_every_team(self, caseload, lead):
        counts = reports.dashboard(lead, _filters())["counts"]
        assert counts["concluded"] == 6
        assert counts["achieved_fully"] == 2

    def test_a_team_filter_narrows_a_leads_figures(self, caseload, lead, other_team):
        filters = reports.ReportFilter(
            start=_filters().start, end=_filters().end, team_id=other_team.pk
        )
        assert reports.dashboard(lead, filters)["counts"]["concluded"] == 1

    def test_percentages_use_the_right_denominator(self, caseload, manager):
        sections = reports.dashboard(manager, _filters())["sections"]
        rows = {row.key: row for rows in sections.values() for row in rows}
        assert rows["asked"].percent == 80.0  # 4 of 5 concluded
        assert rows["achieved_fully"].out_of == 3  # of those who expressed outcomes
        assert rows["achieved_fully"].percent == 33.3
        assert rows["advocate_when_lacking"].percent == 100.0
        assert rows["concluded"].percent is None

    def test_enquiry_sent_back_from_sign_off_is_not_concluded(self, caseload, manager):
        behind = reports.enquiries_behind(manager, _filters(), "concluded")
        names = set(behind.values_list("concern__person__given_name", flat=True))
        assert names == {"Ann", "Bob", "Cat", "Dan", "Eve"}

    def test_over_time_by_month_and_quarter(self, caseload, manager):
        periods = reports.dashboard(manager, _filters())["periods"]
        assert len(periods) == 12
        june = next(p for p in periods if p["label"] == "Jun 2025")
        assert (june["concluded"], june["fully"], june["partially"]) == (4, 1, 1)
        quarters = reports.by_period(
            reports.concluded_enquiries(manager, _filters()),
            reports.ReportFilter(
                start=_filters().start, end=_filters().end, by="quarter"
            ),
        )
        assert [q["concluded"] for q in quarters] == [4, 1, 0, 0]

    def test_feedback_answers_and_who_answered(self, caseload, manager):
        feedback = reports.dashboard(manager, _filters())["feedback"]
        first = feedback["questions"][0]
        assert first["question"] == "Do you feel safer?"
        assert (first["agree"], first["total"]) == (1, 1)
        second = feedback["questions"][1]
        assert second["counts"]["prefer_not_to_say"] == 1
        assert second["agree"] == 0
        respondents = dict(feedback["respondents"])
        assert respondents["A representative (family, friend, carer)"] == 1
        assert respondents["The adult"] == 0

    def test_timescales_in_working_days(self, caseload, manager):
        for step, days in (("decision", 2), ("plan", 7), ("closure", 28)):
            StageTimescale.objects.update_or_create(
                step=step, defaults={"working_days": days}
            )
        steps = {
            s["step"]: s for s in reports.dashboard(manager, _filters())["timescales"]
        }
        # Ann decided next day; Bob a week later; the others not recorded.
        assert (steps["decision"]["within"], steps["decision"]["late"]) == (1, 1)
        assert steps["decision"]["none"] == 3
        # 28 working days from 2 May 2025 (two bank holidays) is 13 June.
        assert (steps["closure"]["within"], steps["closure"]["late"]) == (4, 1)
        assert steps["plan"]["none"] == 5
        late = reports.enquiries_behind(manager, _filters(), "late_closure")
        assert list(late.values_list("concern__person__given_name", flat=True)) == [
            "Cat"
        ]
        late_decision = reports.enquiries_behind(manager, _filters(), "late_decision")
        assert [e.concern.person.given_name for e in late_decision] == ["Bob"]
        assert reports.figure_label("late_plan").startswith("Safeguarding plan")

    def test_times_typed_after_midnight_in_summer_count_on_the_local_day(self):
        # 23:30 UTC on 30 June is 00:30 on 1 July in London (BST): a plan
        # action typed then, and an older decision with only its typing
        # time, count on 1 July for the timescales (one working day after a
        # concern received and an enquiry started on Monday 30 June, not 0).
        typed = datetime.datetime(2025, 6, 30, 23, 30, tzinfo=datetime.UTC)
        enquiry = EnquiryFactory(
            status=Enquiry.Status.CLOSED,
            started_on=D(2025, 6, 30),
            concluded_on=D(2025, 9, 1),
        )
        Concern.objects.filter(pk=enquiry.concern_id).update(
            received_on=D(2025, 6, 30), decided_on=None, decided_at=typed
        )
        action = PlanAction.objects.create(
            enquiry=enquiry,
            description="Call the bank",
            owner="Sam",
            due_on=D(2025, 7, 8),
        )
        # Written past save(), as an import does: announced.
        PlanAction.objects.filter(pk=action.pk).update(created_at=typed)
        figures.refresh([enquiry.pk])
        kept = EnquiryFigures.objects.get(enquiry=enquiry)
        assert (kept.decision_days, kept.plan_days) == (1, 1)

    def test_open_enquiries_by_stage_and_age(self, caseload, manager):
        table = reports.dashboard(manager, _filters())["open"]
        plan_row = next(row for row in table if row["status"] == "plan_active")
        assert plan_row["total"] == 1
        assert plan_row["cells"][-1]["count"] == 1  # started over 26 weeks ago
        behind = reports.enquiries_behind(
            manager, _filters(), plan_row["cells"][-1]["key"]
        )
        assert list(behind.values_list("concern__person__given_name", flat=True)) == [
            "Fay"
        ]


@pytest.mark.django_db
class TestEquality:
    def test_breakdowns_show_who_got_what(self, caseload, manager):
        tables = {t["key"]: t for t in reports.equality(manager, _filters())}
        ages = {row["group"]: row for row in tables["age"]["rows"]}
        assert list(ages) == list(sac_spec.AGE_BANDS)
        assert ages["85-94"]["fully"] == 1
        assert ages["Age unknown"]["partially"] == 1
        assert sum(row["concluded"] for row in ages.values()) == 5
        ethnic = {row["group"]: row for row in tables["ethnicity"]["rows"]}
        assert ethnic["Asian / Asian British"]["fully"] == 1
        assert ethnic["Asian / Asian British"]["fully_percent"] == 100.0
        genders = {row["group"]: row for row in tables["gender"]["rows"]}
        assert (genders["Male"]["concluded"], genders["Male"]["expressed"]) == (1, 0)
        assert genders["Female"]["fully"] == 1
        assert genders["Not Known"]["concluded"] == 3
        reasons = {row["group"]: row for row in tables["support_reason"]["rows"]}
        assert reasons["Physical Support"]["concluded"] == 5

    def test_every_breakdown_comes_from_one_read_of_the_period(
        self, caseload, manager, monkeypatch
    ):
        # Counted afresh (not from the kept monthly figures, which
        # test_monthly_figures.py compares with this): four tables, one read
        # of the enquiries: the period is grouped by every dimension at once
        # and each table summed from those combinations (the other queries
        # find the manager's scope).
        monkeypatch.setattr(monthly_figures, "kept_equality", lambda *args: None)
        with CaptureQueriesContext(connection) as captured:
            tables = reports.equality(manager, _filters())
        reads = [q for q in captured if 'FROM "enquiries_enquiry"' in q["sql"]]
        assert len(reads) == 1
        assert len(tables) == len(reports.DIMENSIONS)
        for table in tables:
            assert sum(row["concluded"] for row in table["rows"]) == 5

    def test_age_band_is_age_at_death_as_in_the_sac_return(self, team, manager):
        # Born 1 December 1960: 65 on 31 March 2026, but died in July 2025
        # at 64, so the dashboard counts her among 18-64, as the SAC return
        # does (SG1a).
        born, died = D(1960, 12, 1), D(2025, 7, 1)
        enquiry = _concluded(
            team,
            "Iris",
            concern__person__date_of_birth=born,
            concern__person__date_of_death=died,
        )
        _outcome(enquiry, achieved="fully")
        end = sac_spec.financial_year_bounds(YEAR)[1]
        assert sac_spec.age_band(born, died, end) == "18-64"
        tables = {t["key"]: t for t in reports.equality(manager, _filters())}
        ages = {row["group"]: row for row in tables["age"]["rows"]}
        assert ages["18-64"]["fully"] == 1
        assert ages["65-74"]["concluded"] == 0


@pytest.mark.django_db
class TestDrillDown:
    def test_exceptions_list_the_right_enquiries(self, caseload, manager):
        def names(key):
            return set(
                reports.enquiries_behind(manager, _filters(), key).values_list(
                    "concern__person__given_name", flat=True
                )
            )

        assert names("no_evaluation") == {"Eve"}
        assert names("view_not_obtained") == {"Bob"}
        assert names("closure_without_view") == {"Bob", "Cat"}
        assert names("asked_not_expressed") == {"Bob"}

    def test_manager_of_one_team_never_sees_anothers_enquiries(
        self, caseload, manager, other_team
    ):
        behind = reports.enquiries_behind(manager, _filters(), "achieved_fully")
        assert list(behind.values_list("concern__person__given_name", flat=True)) == [
            "Ann"
        ]

    def test_keyset_pages_cover_every_enquiry_once(self, caseload, lead):
        queryset = reports.enquiries_behind(lead, _filters(), "concluded")
        first = paging.keyset_page(queryset, after=None, descending=True, size=4)
        second = paging.keyset_page(
            queryset, after=first.next_cursor, descending=True, size=4
        )
        assert len(first.rows) == 4 and len(second.rows) == 2
        assert second.next_cursor is None
        assert {e.pk for e in first.rows}.isdisjoint({e.pk for e in second.rows})
        assert (first.continued, second.continued) == (False, True)

    def test_an_unreadable_cursor_gives_the_first_page_not_a_continued_one(
        self, caseload, lead
    ):
        queryset = reports.enquiries_behind(lead, _filters(), "concluded")
        first = paging.keyset_page(queryset, after=None, key="concluded_on", size=2)
        for cursor in ("2024-13-45~1", "2024-08-01~", "abc", f"~{first.rows[0].pk}"):
            page = paging.keyset_page(
                queryset, after=cursor, key="concluded_on", size=2
            )
            assert page.rows == first.rows and not page.continued, cursor
        by_day = paging.keyset_page(
            queryset, after=first.next_cursor, key="concluded_on", size=2
        )
        assert by_day.continued and by_day.rows != first.rows

    def test_stage_names_for_views_not_obtained(self, caseload, manager):
        bob = caseload["bob"]
        assert reports.stages_not_obtained([bob]) == {
            bob.pk: ["Planning (unsafe to contact the adult)"]
        }

    def test_every_figure_counts_the_enquiries_behind_it(self, caseload, lead):
        # The dashboard adds figures up over grouped values in Python; the
        # drill-down filters with the same conditions in the database.
        counts = reports.dashboard(lead, _filters())["counts"]
        behind = {
            key: reports.enquiries_behind(lead, _filters(), key).count()
            for key in reports.FIGURES
        }
        assert behind == counts
        assert counts["concluded"] == 6

    def test_exception_counts_skip_the_per_stage_views(self, caseload, lead):
        concluded = reports.concluded_enquiries(lead, _filters())
        everything = reports.figure_counts(concluded)
        with CaptureQueriesContext(connection) as captured:
            some = reports.figure_counts(concluded, keys=reports.EXCEPTION_KEYS)
        for key in reports.EXCEPTION_KEYS:
            assert some[key] == everything[key]
        assert some["no_evaluation"] == 1 and some["closure_without_view"] == 2
        # None of the exceptions is a per-stage figure: one grouped query,
        # and the per-stage view counts are not asked for.
        assert len(captured) == 1
        assert "stage_enquiry" not in some

    def test_unknown_figure_is_refused(self, manager):
        with pytest.raises(KeyError):
            reports.enquiries_behind(manager, _filters(), "open_closed__under_4")
        assert reports.figure_label("nonsense") is None


def test_superseded_views_are_ignored_by_the_stage_figures(
    db, team, other_team, manager
):
    build_caseload(team, other_team, manager)
    assert PersonView.objects.filter(stage="enquiry").count() == 2
    counts = reports.dashboard(manager, _filters())["counts"]
    assert counts["stage_enquiry"] == counts["stage_ok_enquiry"] == 1


class TestMatches:
    values = {"colour": "red", "size": 3, "flag": True}

    @pytest.mark.parametrize(
        ("condition", "expected"),
        [
            (Q(), True),
            (Q(colour="red"), True),
            (Q(colour__exact="blue"), False),
            (Q(size__in=[1, 3]), True),
            (Q(colour="blue") | Q(flag=True), True),
            (Q(colour="red") & Q(size=4), False),
            (~Q(colour="red"), False),
            (~(Q(colour="blue") | Q(size=2)), True),
        ],
    )
    def test_reads_conditions_like_the_database(self, condition, expected):
        assert reports.matches(condition, self.values) is expected

    def test_an_unknown_lookup_is_an_error_not_a_guess(self):
        with pytest.raises(ValueError, match="size__gt"):
            reports.matches(Q(size__gt=2), self.values)


@pytest.mark.django_db
def test_plan_timescale_counts_each_enquirys_first_plan_action(
    team, other_team, manager
):
    from django.utils import timezone

    from enquiries.models import PlanAction

    StageTimescale.objects.update_or_create(step="plan", defaults={"working_days": 7})

    def plan(enquiry, *days):
        for day in days:
            action = PlanAction.objects.create(
                enquiry=enquiry, description="Visit", owner="Worker", due_on=day
            )
            at = timezone.make_aware(datetime.datetime.combine(day, datetime.time(9)))
            PlanAction.objects.filter(pk=action.pk).update(created_at=at)
            figures.refresh([enquiry.pk])  # written past save(): announced

    # 7 working days from Friday 2 May 2025 (Monday 5 May a bank holiday): 14 May.
    on_time = _concluded(team, "Ann")
    plan(on_time, D(2025, 6, 30), D(2025, 5, 6))  # the first one counts
    late = _concluded(team, "Bob")
    plan(late, D(2025, 5, 15), D(2025, 6, 1))
    _concluded(team, "Cat")  # no plan
    plan(_concluded(other_team, "Dan"), D(2025, 5, 6))  # not the manager's
    steps = {s["step"]: s for s in reports.dashboard(manager, _filters())["timescales"]}
    assert (steps["plan"]["within"], steps["plan"]["late"]) == (1, 1)
    assert steps["plan"]["none"] == 1
    behind = reports.enquiries_behind(manager, _filters(), "late_plan")
    assert [e.concern.person.given_name for e in behind] == ["Bob"]
