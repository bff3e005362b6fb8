"""The dashboard's figures kept per month, team and kind (decision 0038).

The reports read them once filled; what they read must equal a count afresh
for every user's scope and every filter they hold, whatever changed since.
"""

import datetime
import io
from types import SimpleNamespace

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from enquiries.models import Concern, Enquiry, Person, StageTimescale
from outcomes import monthly_figures, reports
from outcomes.keeping import FillReplaced
from outcomes.models import FigureMonthChange, MonthlyFigures, MonthlyFiguresState
from tests.unit.outcomes.test_reports import _concluded, build_caseload

D = datetime.date
YEAR = reports.ReportFilter(start=D(2025, 4, 1), end=D(2026, 3, 31))


def _afresh(user, filters) -> tuple[dict, dict]:
    """The dashboard's counts and timescales counted afresh."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(monthly_figures, "kept", lambda *args: None)
        data = reports.dashboard(user, filters)
    return data["counts"], data["timescales"]


def _queued(monkeypatch, task: str) -> list:
    """What asks ``task`` of the task worker: one entry per time asked."""
    queued: list = []
    monkeypatch.setattr(
        monthly_figures, task, SimpleNamespace(enqueue=lambda: queued.append(True))
    )
    return queued


def _read(user, filters) -> tuple[dict, dict]:
    data = reports.dashboard(user, filters)
    return data["counts"], data["timescales"]


@pytest.fixture
def caseload(team, other_team, manager):
    build_caseload(team, other_team, manager)
    monthly_figures.fill()


@pytest.mark.django_db
class TestWhatAReportReads:
    def test_every_scope_and_filter_the_rows_hold_reads_what_is_counted_afresh(
        self, caseload, team, other_team, manager, lead
    ):
        hidden = _concluded(team, "Ivy", concern__person__is_restricted=True)
        _concluded(other_team, "Jo", kind=Enquiry.Kind.OTHER)
        filters = [
            YEAR,
            reports.ReportFilter(start=YEAR.start, end=YEAR.end, team_id=team.pk),
            reports.ReportFilter(
                start=YEAR.start, end=YEAR.end, kind=Enquiry.Kind.SECTION_42
            ),
            reports.ReportFilter(start=D(2025, 6, 1), end=D(2025, 6, 30)),
        ]
        for user in (manager, lead):
            for chosen in filters:
                assert monthly_figures.kept(user, chosen) is not None
                assert _read(user, chosen) == _afresh(user, chosen), (user, chosen)
        # Ivy is hidden from both (restricted, no one named): taken off.
        assert _read(lead, YEAR)[0]["concluded"] == 7
        hidden.concern.person.permitted_users.add(lead)
        assert _read(lead, YEAR)[0]["concluded"] == 8
        assert _read(lead, YEAR) == _afresh(lead, YEAR)

    def test_filters_the_rows_do_not_hold_are_counted_afresh(self, caseload, manager):
        for chosen in (
            reports.ReportFilter(
                start=YEAR.start, end=YEAR.end, practitioner_id=manager.pk
            ),
            reports.ReportFilter(start=YEAR.start, end=YEAR.end, risk_type="neglect"),
            reports.ReportFilter(start=D(2025, 4, 2), end=YEAR.end),
        ):
            assert monthly_figures.kept(manager, chosen) is None

    def test_a_user_who_reads_no_case_records_counts_nothing(self, caseload, client):
        from msp import roles
        from msp.factories import UserFactory

        auditor = UserFactory(username="audrey", role=roles.AUDITOR)
        kept = monthly_figures.kept(auditor, YEAR)
        assert kept is not None
        assert reports.added_up(kept)["concluded"] == 0


def _equality_afresh(user, filters) -> list[dict]:
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(monthly_figures, "kept_equality", lambda *args: None)
        return reports.equality(user, filters)


def _equality_group(tables, dimension: str, group: str) -> dict:
    table = next(table for table in tables if table["key"] == dimension)
    return next(row for row in table["rows"] if row["group"] == group)


def _period(start: datetime.date, end: datetime.date, **more) -> reports.ReportFilter:
    return reports.ReportFilter(start=start, end=end, **more)


@pytest.fixture
def birthdays(team, other_team):
    """Adults whose age band changes between the periods read (see each),
    in enquiries of the kind "other" (the caseload has none)."""
    born = "concern__person__date_of_birth"
    died = "concern__person__date_of_death"
    other = {"kind": Enquiry.Kind.OTHER}
    return {
        # 65 on 15 September 2025; concluded in May 2025.
        "kit": _concluded(
            team, "Kit", concluded_on=D(2025, 5, 20), **other, **{born: D(1960, 9, 15)}
        ),
        # 75 on 10 August 2025, died in October 2025 (at 75).
        "lou": _concluded(
            team,
            "Lou",
            concluded_on=D(2025, 5, 21),
            **other,
            **{born: D(1950, 8, 10), died: D(2025, 10, 1)},
        ),
        # Would be 75 on 10 December 2025 but died in October (at 74).
        "max": _concluded(
            other_team,
            "Max",
            concluded_on=D(2025, 5, 22),
            **other,
            **{born: D(1950, 12, 10), died: D(2025, 10, 1)},
        ),
        # Born on 29 February 1960: 65 on 1 March 2025, not 28 February.
        "ned": _concluded(
            team,
            "Ned",
            concern__received_on=D(2025, 1, 2),
            started_on=D(2025, 1, 3),
            concluded_on=D(2025, 1, 15),
            **other,
            **{born: D(1960, 2, 29)},
        ),
        # 65 on 25 June 2025, concluded earlier that month.
        "oli": _concluded(
            team, "Oli", concluded_on=D(2025, 6, 10), **other, **{born: D(1960, 6, 25)}
        ),
    }


@pytest.mark.django_db
class TestTheEqualityTables:
    PERIODS = [
        YEAR,
        _period(D(2025, 6, 1), D(2025, 6, 30)),
        _period(D(2025, 4, 1), D(2025, 6, 30)),
        _period(D(2025, 5, 1), D(2025, 9, 30)),
        _period(D(2025, 1, 1), D(2025, 12, 31)),
        _period(D(2024, 4, 1), D(2025, 2, 28)),
        _period(D(2024, 4, 1), D(2025, 3, 31)),
    ]

    def test_every_scope_and_period_reads_what_is_counted_afresh(
        self, caseload, birthdays, team, manager, lead
    ):
        hidden = _concluded(team, "Ivy", concern__person__is_restricted=True)
        monthly_figures.count_changes()
        choices = [
            *self.PERIODS,
            _period(YEAR.start, YEAR.end, team_id=team.pk),
            _period(YEAR.start, YEAR.end, kind=Enquiry.Kind.SECTION_42),
            _period(D(2025, 5, 1), D(2025, 9, 30), kind=Enquiry.Kind.OTHER),
        ]
        for user in (manager, lead):
            for chosen in choices:
                assert monthly_figures.kept_equality(user, chosen) is not None
                assert reports.equality(user, chosen) == _equality_afresh(
                    user, chosen
                ), (user, chosen)
        # What the periods say of each adult (so both ways cannot be wrong
        # alike): Kit is 64 until September, Lou 75 from August, Max died at
        # 74, Ned 64 on 28 February 2025 and 65 on 31 March, Oli 65 by the
        # end of June.
        other = {"kind": Enquiry.Kind.OTHER}
        year = reports.equality(lead, _period(YEAR.start, YEAR.end, **other))
        spring = reports.equality(lead, _period(D(2025, 4, 1), D(2025, 6, 30), **other))
        assert _equality_group(year, "age", "65-74")["concluded"] == 3  # Kit, Max, Oli
        assert (
            _equality_group(spring, "age", "65-74")["concluded"] == 3
        )  # Lou, Max, Oli
        assert _equality_group(spring, "age", "18-64")["concluded"] == 1  # Kit
        assert _equality_group(year, "age", "75-84")["concluded"] == 1  # Lou
        before_leap = reports.equality(
            lead, _period(D(2024, 4, 1), D(2025, 2, 28), **other)
        )
        leap_year = reports.equality(
            lead, _period(D(2024, 4, 1), D(2025, 3, 31), **other)
        )
        assert _equality_group(before_leap, "age", "18-64")["concluded"] == 1  # Ned
        assert _equality_group(leap_year, "age", "65-74")["concluded"] == 1  # Ned
        year = reports.equality(lead, YEAR)
        # Ivy is hidden from both (restricted, no one named), then shown.
        assert sum(row["concluded"] for row in year[1]["rows"]) == 10
        hidden.concern.person.permitted_users.add(lead)
        year = reports.equality(lead, YEAR)
        assert sum(row["concluded"] for row in year[1]["rows"]) == 11
        assert year == _equality_afresh(lead, YEAR)

    def test_periods_longer_than_a_year_are_counted_afresh(self, caseload, manager):
        longer = _period(D(2024, 4, 1), D(2025, 6, 30))
        assert monthly_figures.kept_equality(manager, longer) is None
        assert monthly_figures.kept_equality(manager, YEAR) is not None
        tables = reports.equality(manager, longer)
        concluded = reports.concluded_enquiries(manager, longer).count()
        assert sum(row["concluded"] for row in tables[0]["rows"]) == concluded > 0

    def test_read_from_the_kept_rows_without_reading_enquiries(self, caseload, manager):
        reports.equality(manager, YEAR)
        with CaptureQueriesContext(connection) as captured:
            tables = reports.equality(manager, YEAR)
        # No restricted adult in this caseload, so nothing to take off.
        assert not [q for q in captured if '"enquiries_enquiry"' in q["sql"]]
        assert tables == _equality_afresh(manager, YEAR)

    def test_changed_months_are_counted_live_and_their_groups_left_for_later(
        self, caseload, birthdays, manager, lead, monkeypatch, capsys
    ):
        monthly_figures.fill()  # with the birthdays' months
        enquiry = Enquiry.objects.filter(status=Enquiry.Status.CLOSED).first()
        month = enquiry.concluded_on.replace(day=1)
        enquiry.outcomes_achieved = "not"
        enquiry.save()
        # Marked: the equality report counts that month live, and leaves
        # the mark for the dashboard.
        assert reports.equality(manager, YEAR) == _equality_afresh(manager, YEAR)
        assert FigureMonthChange.objects.filter(month=month).exists()
        # The dashboard counted the month again without its equality groups.
        reports.dashboard(manager, YEAR)
        assert not FigureMonthChange.objects.exists()
        waiting = MonthlyFigures.objects.filter(equality__isnull=True)
        assert set(waiting.values_list("month", flat=True)) == {month}
        for user in (manager, lead):
            assert reports.equality(user, YEAR) == _equality_afresh(user, YEAR)
        assert waiting.exists()  # a report does not write them
        # More months to count than a report counts live: counted afresh,
        # and the worker is asked to count them.
        queued = _queued(monkeypatch, "count_equality_in_the_background")
        monkeypatch.setattr(monthly_figures, "EQUALITY_REPORT_COUNTS_AT_MOST", 1)
        MonthlyFigures.objects.update(equality=None)  # every month waiting
        months = MonthlyFigures.objects.values("month").distinct().count()
        assert monthly_figures.kept_equality(manager, YEAR) is None
        assert queued
        assert reports.equality(manager, YEAR) == _equality_afresh(manager, YEAR)
        # The scheduled run counts them.
        call_command("keep_monthly_figures", "--changes")
        assert f"the equality groups of {months} months" in capsys.readouterr().out
        assert not waiting.exists()
        assert monthly_figures.kept_equality(manager, YEAR) is not None
        assert reports.equality(lead, YEAR) == _equality_afresh(lead, YEAR)

    def test_a_change_to_an_adult_or_to_whose_concern_it_is_is_counted_again(
        self, caseload, birthdays, lead
    ):
        kit = Person.objects.get(pk=birthdays["kit"].concern.person_id)
        kit.gender = "female"
        kit.save()
        assert FigureMonthChange.objects.filter(month=D(2025, 5, 1)).exists()
        assert reports.equality(lead, YEAR) == _equality_afresh(lead, YEAR)
        monthly_figures.count_changes()
        # Saved with nothing the tables read changed: nothing marked.
        kit = Person.objects.get(pk=kit.pk)
        kit.preferred_name = "Kitty"
        kit.save()
        assert not FigureMonthChange.objects.exists()
        # Past save(): a death recorded in bulk, a date of birth corrected.
        Person.objects.filter(pk=kit.pk).update(date_of_death=D(2025, 7, 1))
        Person.objects.filter(pk=birthdays["oli"].concern.person_id).update(
            date_of_birth=D(1961, 6, 25)
        )
        assert set(FigureMonthChange.objects.values_list("month", flat=True)) == {
            D(2025, 5, 1),
            D(2025, 6, 1),
        }
        other = _period(YEAR.start, YEAR.end, kind=Enquiry.Kind.OTHER)
        year = reports.equality(lead, other)
        assert year == _equality_afresh(lead, other)
        assert _equality_group(year, "age", "65-74")["concluded"] == 1  # Max
        # A concern moved to another adult, by save() and by update().
        concern = birthdays["lou"].concern
        concern.person = kit
        concern.save()
        assert reports.equality(lead, YEAR) == _equality_afresh(lead, YEAR)
        Concern.objects.filter(pk=birthdays["max"].concern_id).update(
            person=birthdays["oli"].concern.person
        )
        year = reports.equality(lead, other)
        assert year == _equality_afresh(lead, other)
        # Lou's and Max's enquiries now count with Kit's and Oli's details.
        assert _equality_group(year, "age", "75-84")["concluded"] == 0
        assert _equality_group(year, "age", "18-64")["concluded"] == 4


@pytest.mark.django_db
class TestKeepingThemUpToDate:
    def test_the_first_report_fills_them_and_changes_are_counted_before_reading(
        self, team, other_team, manager, client
    ):
        build_caseload(team, other_team, manager)
        assert not MonthlyFiguresState.objects.exists()
        client.force_login(manager)
        assert client.get(reverse("outcomes:dashboard"), YEAR.query).status_code == 200
        assert monthly_figures.is_filled()
        assert MonthlyFigures.objects.exists()
        # A conclusion moved to another month past save() and an enquiry
        # deleted: both months marked, counted again before the next read.
        moved = Enquiry.objects.filter(status=Enquiry.Status.CLOSED).first()
        was_in = moved.concluded_on.replace(day=1)
        Enquiry.objects.filter(pk=moved.pk).update(concluded_on=D(2025, 11, 3))
        marked = set(FigureMonthChange.objects.values_list("month", flat=True))
        assert marked == {was_in, D(2025, 11, 1)}
        assert _read(manager, YEAR) == _afresh(manager, YEAR)
        gone = Enquiry.objects.filter(status=Enquiry.Status.CLOSED).last()
        month = gone.concluded_on.replace(day=1)
        gone.delete()
        assert FigureMonthChange.objects.filter(month=month).exists()
        assert _read(manager, YEAR) == _afresh(manager, YEAR)
        assert not FigureMonthChange.objects.exists()

    def test_a_changed_timescale_fills_them_again(self, caseload, manager):
        before = _read(manager, YEAR)[1]
        StageTimescale.objects.update_or_create(
            step="closure", defaults={"working_days": 1}
        )
        assert not monthly_figures.is_filled()  # counted under other timescales
        after = _read(manager, YEAR)[1]
        assert monthly_figures.is_filled()  # filled again (no worker: at once)
        closure = {row["step"]: row for row in after}["closure"]
        assert closure["days"] == 1
        assert after != before
        assert (_read(manager, YEAR)) == _afresh(manager, YEAR)

    def test_a_long_backlog_is_counted_in_the_background(
        self, caseload, manager, monkeypatch
    ):
        queued = _queued(monkeypatch, "count_changes_in_the_background")
        months = [D(2024, month, 5) for month in range(1, 13)]
        from outcomes.figures import mark_months

        mark_months(months)
        assert monthly_figures.kept(manager, YEAR) is None  # counted afresh
        assert queued
        assert monthly_figures.count_changes() == 12
        assert monthly_figures.kept(manager, YEAR) is not None

    def test_the_command_fills_checks_and_counts_changes(self, caseload, capsys):
        call_command("keep_monthly_figures", "--check")
        assert "agree" in capsys.readouterr().out
        row = MonthlyFigures.objects.order_by("pk").first()
        row.counts = row.counts.replace('"concluded": ', '"concluded": 9')
        row.save()
        with pytest.raises(CommandError, match="1 months differ"):
            call_command("keep_monthly_figures", "--check")
        call_command("keep_monthly_figures")
        call_command("keep_monthly_figures", "--check")
        enquiry = Enquiry.objects.filter(status=Enquiry.Status.CLOSED).first()
        enquiry.save()
        assert FigureMonthChange.objects.exists()
        call_command("keep_monthly_figures", "--changes")
        assert "1 months counted again" in capsys.readouterr().out
        assert not FigureMonthChange.objects.exists()
        # Never filled: waiting marks are dropped, not piled up.
        MonthlyFiguresState.objects.all().delete()
        enquiry.save()
        call_command("keep_monthly_figures", "--changes")
        assert "Not filled" in capsys.readouterr().out
        assert not FigureMonthChange.objects.exists()


@pytest.mark.django_db
class TestAFillThatDoesNotFinish:
    def _asked_and_abandoned(self, minutes_ago: int) -> None:
        """A report asked for a fill, and the worker never ran it (or died
        in it) ``minutes_ago``."""
        MonthlyFiguresState.objects.update_or_create(
            pk=1,
            defaults={
                "rules": "",
                "filled_at": None,
                "fill_id": "",
                "fill_seen_at": timezone.now()
                - datetime.timedelta(minutes=minutes_ago),
            },
        )

    def test_a_fill_making_progress_is_left_to_run(
        self, caseload, manager, monkeypatch
    ):
        queued = _queued(monkeypatch, "fill_in_the_background")
        self._asked_and_abandoned(minutes_ago=9)
        assert monthly_figures.kept(manager, YEAR) is None  # counted afresh
        assert queued == []  # not asked for twice
        call_command("keep_monthly_figures", "--changes")
        assert not monthly_figures.is_filled()
        # What support sees in admin.
        assert "being filled (last progress " in str(MonthlyFiguresState.objects.get())

    def test_the_next_report_asks_again_after_ten_minutes_without_progress(
        self, caseload, manager
    ):
        self._asked_and_abandoned(minutes_ago=11)
        # No worker in tests: the task asked for runs at once.
        assert monthly_figures.kept(manager, YEAR) is not None
        assert monthly_figures.is_filled()
        assert _read(manager, YEAR) == _afresh(manager, YEAR)

    def test_the_scheduled_run_fills_again(self, caseload, manager, capsys):
        self._asked_and_abandoned(minutes_ago=30)
        call_command("keep_monthly_figures", "--changes")
        assert "filling again" in capsys.readouterr().err
        assert monthly_figures.is_filled()
        call_command("keep_monthly_figures", "--check")

    def test_a_fill_replaced_by_another_stops_without_writing(self, caseload, manager):
        keeper = monthly_figures.KEEPER
        first = keeper.start_filling([MonthlyFigures])
        monthly_figures.fill()  # a second fill starts and finishes
        kept = sorted(MonthlyFigures.objects.values_list("month", "team_id", "kind"))
        with pytest.raises(FillReplaced), keeper.filling_batch(first):
            MonthlyFigures.objects.create(
                month=D(2030, 4, 1), team_id=0, kind="x", counts="{}"
            )
        with pytest.raises(FillReplaced):
            keeper.end_filling("rules", first)
        assert (
            sorted(MonthlyFigures.objects.values_list("month", "team_id", "kind"))
            == kept
        )
        assert monthly_figures.is_filled()
        assert _read(manager, YEAR) == _afresh(manager, YEAR)

    def test_the_command_says_so_when_another_fill_replaced_it(self, caseload):
        class AnotherFillStartsAfterTheFirstBatch(io.StringIO):
            def write(self, text):
                if " rows" in text:  # a batch committed
                    monthly_figures.KEEPER.start_filling([MonthlyFigures])
                return super().write(text)

        with pytest.raises(CommandError, match="Another fill started"):
            call_command(
                "keep_monthly_figures",
                verbosity=2,
                stdout=AnotherFillStartsAfterTheFirstBatch(),
            )
        # Nothing of the replaced fill is kept; the other one is under way.
        assert not MonthlyFigures.objects.exists()
        assert not monthly_figures.is_filled()


@pytest.mark.django_db
def test_support_sees_in_admin_whether_they_are_filled(
    caseload, client, django_user_model
):
    admin_user = django_user_model.objects.create_superuser("root", "r@x.test", "pw")
    client.force_login(admin_user)
    listing = client.get(reverse("admin:outcomes_monthlyfiguresstate_changelist"))
    assert listing.status_code == 200
    assert b"Monthly figures filled" in listing.content
    rows = client.get(reverse("admin:outcomes_monthlyfigures_changelist"))
    assert rows.status_code == 200
    assert b"Testperson" not in rows.content


@pytest.mark.django_db
def test_an_exception_that_counts_no_enquiry_lists_none_without_looking(
    caseload, manager
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    empty_year = reports.ReportFilter(start=D(2019, 4, 1), end=D(2020, 3, 31))
    with CaptureQueriesContext(connection) as queries:
        data = reports.exceptions(manager, empty_year)
    assert data["newest"] == dict.fromkeys(reports.EXCEPTION_KEYS, [])
    assert not any("DESC LIMIT" in q["sql"] for q in queries)
    # A year with them still lists them.
    listed = reports.exceptions(manager, YEAR)["newest"]
    assert any(listed.values())


def test_the_rules_fingerprint_is_the_same_in_every_process():
    # Filled by one process (a worker), read by others (the app servers):
    # a fingerprint that differed between processes would leave the figures
    # "not filled" for every other process. Python varies the order of sets
    # from one process to the next (PYTHONHASHSEED).
    import os
    import subprocess
    import sys

    script = (
        "import django; django.setup(); "
        "from outcomes import monthly_figures; print(monthly_figures._rules())"
    )
    texts = {
        subprocess.run(  # noqa: S603 - this interpreter, a fixed script
            [sys.executable, "-c", script],
            env={**os.environ, "PYTHONHASHSEED": seed},
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        for seed in ("1", "2", "3", "4")
    }
    assert len(texts) == 1
