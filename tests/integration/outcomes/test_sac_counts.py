"""The SAC return's kept counts (outcomes.sac_counts, decision 0037).

Once filled, the SAC page and its downloads read tables SG1 to SG4 from
counts kept per person and year. These tests hold them to the return
counted afresh, cell for cell: on the varied synthetic data, after each of
many random changes made the ways the application makes them (saves,
``update()``, ``bulk_update()``, deletes, an import), and through the page.
"""

from __future__ import annotations

import dataclasses
import datetime
import random
import uuid
from collections import Counter
from types import SimpleNamespace

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from enquiries import codes
from enquiries.factories import ConcernFactory, PersonFactory
from enquiries.models import Concern, DesiredOutcome, Enquiry, Person, Risk
from outcomes import board, sac, sac_counts, sac_spec
from outcomes.models import SacCount, SacCountsState, SacPersonChange, SacPersonCounts
from tests.integration.outcomes.test_sac_synthetic import YEARS, load, synthetic_records
from tests.support.sac_reference import compute_return

pytestmark = pytest.mark.django_db

D = datetime.date
ALL_YEARS = ("2021-22", *YEARS, "2025-26")


def _differences(year: str) -> dict:
    kept = sac_counts.kept_return(year)
    assert kept is not None, "the counts are filled"
    afresh = sac.compute_sac_return(year)
    assert list(kept) == list(afresh)
    return {key: (kept[key], afresh[key]) for key in afresh if kept[key] != afresh[key]}


def test_filled_counts_equal_the_reference_and_a_count_afresh_in_every_year():
    records = synthetic_records(people=150, seed=7)
    load(records)
    assert sac_counts.kept_return("2023-24") is None  # not filled: counted afresh
    assert sac.sac_return("2023-24") == sac.compute_sac_return("2023-24")
    call_command("keep_sac_counts", stdout=None)
    assert sac_counts.is_filled()
    for year in ALL_YEARS:
        assert sac_counts.kept_return(year) == compute_return(records, year), year
        assert _differences(year) == {}, year
    # Each year's cells are the sum of what each person adds (to the return
    # and to the board's counts, where every concern counts).
    summed = Counter()
    for row in SacPersonCounts.objects.all():
        summed.update(sac_counts.decode(row.cells))
    kept = {(row.year, row.cell): row.n for row in SacCount.objects.all()}
    assert kept == {key: n for key, n in summed.items() if n}
    assert 0 < SacPersonCounts.objects.count() <= Person.objects.count()
    busy = sac_counts.kept_return("2023-24")
    assert busy[("SG1f", "Total Number of Safeguarding Concerns", "")] > 50


class _Changes:
    """Changes to the case records, made the ways the application makes them."""

    def __init__(self, rng: random.Random):
        self.rng = rng

    def _pick(self, model):
        ids = list(model.objects.order_by("pk").values_list("pk", flat=True))
        return model.objects.get(pk=self.rng.choice(ids))

    def _day(self) -> D:
        return D(2022, 4, 1) + datetime.timedelta(days=self.rng.randrange(0, 3 * 365))

    def birth_corrected(self):
        person = self._pick(Person)
        person.date_of_birth = self.rng.choice(
            [None, D(1950, 6, 1), D(2005, 9, 30), D(2006, 12, 1)]
        )
        person.save()  # moves their concerns in or out of scope past save()

    def person_described(self):
        person = self._pick(Person)
        person.gender = self.rng.choice(codes.Gender.values + [""])
        person.health_conditions = self.rng.sample(["autism", "dementia"], k=1)
        person.save()

    def people_updated_in_bulk(self):
        people = list(Person.objects.order_by("?")[:3])
        for person in people:
            person.ethnicity = self.rng.choice(codes.Ethnicity.values)
        Person.objects.bulk_update(people, ["ethnicity"])

    def person_died(self):
        person = self._pick(Person)
        if person.date_of_birth:
            person.date_of_death = max(person.date_of_birth, D(2023, 1, 5))
            person.save()

    def concern_moved_in_time(self):
        concern = self._pick(Concern)
        concern.received_on = self._day()
        if concern.enquiries.filter(started_on__lt=concern.received_on).exists():
            return
        concern.save()

    def concern_out_of_area(self):
        Concern.objects.filter(pk=self._pick(Concern).pk).update(
            in_our_area=self.rng.random() < 0.5
        )

    def concern_decided_or_withdrawn(self):
        # What the board's counts read: who referred, the decision, and a
        # duplicate withdrawn (no longer counted), in bulk as an import would.
        concern = self._pick(Concern)
        withdrawn = self.rng.random() < 0.3
        Concern.objects.filter(pk=concern.pk).update(
            referrer_type=self.rng.choice(["family", "police", ""]),
            decision="no_enquiry" if withdrawn else self.rng.choice(["", "section_42"]),
            other_pathway="withdrawn" if withdrawn else "",
        )

    def concern_to_another_person(self):
        concern = self._pick(Concern)
        concern.person = self._pick(Person)
        concern.save()

    def new_concern(self):
        person = self._pick(Person)
        template = Concern.objects.filter(person=person).first() or self._pick(Concern)
        template.pk, template.id, template.reference = None, None, None
        template._state.adding = True
        template.person = person
        template.received_on = self._day()
        template.source_ref = f"NEW-{self.rng.random()}"
        template.reference = uuid.uuid4()
        template.save()

    def enquiry_kind(self):
        enquiry = self._pick(Enquiry)
        enquiry.kind_at_start = self.rng.choice(Enquiry.Kind.values)
        enquiry.kind = self.rng.choice(Enquiry.Kind.values)
        enquiry.save()

    def enquiry_concluded_or_moved(self):
        enquiry = self._pick(Enquiry)
        if enquiry.concluded_on:
            enquiry.concluded_on = min(
                D(2025, 3, 31),
                enquiry.concluded_on + datetime.timedelta(days=self.rng.randrange(90)),
            )
        enquiry.started_on = enquiry.concern.received_on + datetime.timedelta(
            days=self.rng.randrange(3)
        )
        if enquiry.concluded_on and enquiry.concluded_on < enquiry.started_on:
            enquiry.concluded_on = enquiry.started_on
        enquiry.save()

    def enquiry_to_another_concern(self):
        # As an administrator might: the enquiry (and its risks) saved onto
        # another adult's concern received before it started.
        enquiry = self._pick(Enquiry)
        concern = (
            Concern.objects.exclude(person=enquiry.concern.person)
            .filter(received_on__lte=enquiry.started_on)
            .order_by("?")
            .first()
        )
        if concern is None:
            return
        enquiry.concern = concern
        enquiry.save()
        for risk in Risk.objects.filter(enquiry=enquiry):
            risk.concern = concern
            risk.save()

    def enquiry_answers_updated(self):
        Enquiry.objects.filter(pk=self._pick(Enquiry).pk).update(
            lacked_capacity=self.rng.choice(["yes", "no", "", "dont_know"]),
            risk_assessment_outcome=self.rng.choice(
                ["", "risk_identified_action", "no_risk_no_action"]
            ),
            outcomes_achieved=self.rng.choice(["", "fully", "partially"]),
        )

    def risk_withdrawn_or_added(self):
        risk = self._pick(Risk)
        if self.rng.random() < 0.5:
            Risk.objects.filter(pk=risk.pk).update(is_withdrawn=not risk.is_withdrawn)
        else:
            risk.pk = None
            risk.risk_type = self.rng.choice(codes.RiskType.values)
            risk.save()

    def risk_deleted(self):
        self._pick(Risk).delete()

    def desired_outcome(self):
        outcome = self._pick(DesiredOutcome)
        if self.rng.random() < 0.5:
            outcome.status = DesiredOutcome.Status.WITHDRAWN
        else:
            outcome.source = self.rng.choice(["adult", "representative", "worker"])
        outcome.save()

    def imported(self):
        records = synthetic_records(people=3, seed=self.rng.randrange(10**6))
        # A concern or an enquiry moved here to another adult or concern
        # (above) is left out: an import would refuse to move it back
        # (decision 0041).
        moved = self._moved()
        load([record for record in records if record["ref"] not in moved])

    @staticmethod
    def _moved() -> set[str]:
        """Refs of imported concerns and enquiries no longer under the adult
        or concern their ref was made under (``C<p>-<c>`` of ``P<p>``,
        ``E<p>-<c>-<n>`` of ``C<p>-<c>``)."""
        concerns = Concern.objects.exclude(source_ref="").values_list(
            "source_ref", "person__source_ref"
        )
        enquiries = Enquiry.objects.exclude(source_ref="").values_list(
            "source_ref", "concern__source_ref"
        )
        return {
            ref for ref, person in concerns if person != "P" + ref[1:].split("-")[0]
        } | {
            ref
            for ref, concern in enquiries
            if concern != "C" + ref[1:].rsplit("-", 1)[0]
        }

    def any(self) -> str:
        change = self.rng.choice(
            [
                self.birth_corrected,
                self.person_described,
                self.people_updated_in_bulk,
                self.person_died,
                self.concern_moved_in_time,
                self.concern_out_of_area,
                self.concern_decided_or_withdrawn,
                self.concern_to_another_person,
                self.new_concern,
                self.enquiry_kind,
                self.enquiry_concluded_or_moved,
                self.enquiry_to_another_concern,
                self.enquiry_answers_updated,
                self.risk_withdrawn_or_added,
                self.risk_deleted,
                self.desired_outcome,
                self.imported,
            ]
        )
        change()
        return change.__name__


def _age_unknown(year: str, monkeypatch, *, kept: bool) -> set[int]:
    """The people the SAC page's data-quality list finds with no date of
    birth in ``year``: from the kept counts, or found afresh."""
    start, end = sac_spec.financial_year_bounds(year)
    with monkeypatch.context() as patch:
        if not kept:
            patch.setattr(sac_counts, "people_with_age_unknown", lambda year: None)
        return set(sac._age_unknown_people(start, end).values_list("pk", flat=True))


@pytest.mark.parametrize("seed", [1, 2])
def test_kept_counts_equal_a_count_afresh_after_random_changes(seed, monkeypatch):
    load(synthetic_records(people=40, seed=seed))
    call_command("keep_sac_counts", stdout=None)
    changes = _Changes(random.Random(seed))
    made, unknown = [], 0
    for _ in range(40):
        made.append(changes.any())
        # After every change, every year: a missed mark shows at once.
        for year in YEARS:
            assert _differences(year) == {}, (year, made[-3:])
            # The board's counts over every team, kept the same way.
            kept_board = {k: n for k, n in sac_counts.kept_board(year, []).items() if n}
            assert kept_board == board.council_counts(year), (year, made[-3:])
            found = _age_unknown(year, monkeypatch, kept=True)
            assert found == _age_unknown(year, monkeypatch, kept=False), made
            unknown += len(found)
        assert not SacPersonChange.objects.exists()  # every mark counted
    assert len(set(made)) > 10
    assert unknown  # some people had no date of birth along the way


def test_a_change_shows_on_the_page_and_in_the_downloads(client, manager):
    load(synthetic_records(people=30, seed=3))
    call_command("keep_sac_counts", stdout=None)
    client.force_login(manager)
    url = reverse("outcomes:sac_return") + "?year=2023-24"
    total = ("SG1f", "Total Number of Safeguarding Concerns", "")
    before = sac_counts.kept_return("2023-24")[total]
    concern = Concern.objects.filter(received_on__year=2023, in_our_area=True).first()
    Concern.objects.filter(pk=concern.pk).update(in_our_area=False)
    assert sac.sac_return("2023-24")[total] == before - 1
    response = client.get(url)
    assert response.status_code == 200
    csv = client.get(reverse("outcomes:sac_download_csv") + "?year=2023-24")
    line = f"SG1f,Total Number of Safeguarding Concerns,,{before - 1}"
    assert line in csv.content.decode()


def _person_of_one_year(year: str) -> Person:
    for person in Person.objects.order_by("pk"):
        if list(sac_counts._years_of([person.pk])) == [year]:
            return person
    raise AssertionError("no person counted in one year only")


def test_reading_the_kept_return_does_not_grow_with_the_data():
    def queries(*, changed: bool) -> int:
        if changed:  # one person, counted in one year, to count again
            person = _person_of_one_year("2023-24")
            person.gender = "female" if person.gender != "female" else "male"
            person.save()
        with CaptureQueriesContext(connection) as context:
            sac_counts.kept_return("2023-24")
        return len(context.captured_queries)

    load(synthetic_records(people=10, seed=4))
    call_command("keep_sac_counts", stdout=None)
    small = queries(changed=False)
    # The state, how many marks wait, its lock, the marks, the cells and
    # SG5's reviews.
    assert small <= 9
    # Counting one person again: their years, seven queries in each for the
    # return, and three for the board's counts of every year (with, on
    # PostgreSQL, the report settings set and restored around its window).
    assert queries(changed=True) <= small + 25
    load(synthetic_records(people=150, seed=5))
    call_command("keep_sac_counts", stdout=None)
    assert queries(changed=False) == small
    assert queries(changed=True) <= small + 25


def test_counts_filled_under_other_rules_are_not_read(monkeypatch):
    load(synthetic_records(people=10, seed=6))
    call_command("keep_sac_counts", stdout=None)
    assert sac_counts.kept_return("2023-24") is not None
    monkeypatch.setattr(sac_counts, "RULES_VERSION", sac_counts.RULES_VERSION + 1)
    sac_counts.rules_fingerprint.cache_clear()
    try:
        assert sac_counts.kept_return("2023-24") is None
        assert sac.sac_return("2023-24") == sac.compute_sac_return("2023-24")
    finally:
        monkeypatch.undo()
        sac_counts.rules_fingerprint.cache_clear()


def test_the_check_finds_a_kept_cell_that_is_wrong(capsys):
    load(synthetic_records(people=20, seed=8))
    with pytest.raises(CommandError, match="not filled"):
        call_command("keep_sac_counts", "--check")
    call_command("keep_sac_counts")
    call_command("keep_sac_counts", "--check")
    assert "agree" in capsys.readouterr().out
    row = SacCount.objects.filter(year="2023-24", n__gt=0).first()
    SacCount.objects.filter(pk=row.pk).update(n=row.n + 5)
    with pytest.raises(CommandError, match="1 cells differ"):
        call_command("keep_sac_counts", "--check")
    call_command("keep_sac_counts")
    call_command("keep_sac_counts", "--check")


def test_a_person_is_encoded_and_decoded_unchanged():
    cells = {("2023-24", 3): 1, ("2023-24", 17): 2, ("2024-25", 0): 1}
    assert sac_counts.decode(sac_counts.encode(cells)) == cells
    assert sac_counts.encode(cells) == "2023-24:3,17x2;2024-25:0"
    assert sac_counts.decode("") == {}


def test_support_sees_in_admin_whether_the_counts_are_filled(client, django_user_model):
    load(synthetic_records(people=5, seed=9))
    support = django_user_model.objects.create_superuser("support", password="x")
    client.force_login(support)
    call_command("keep_sac_counts", stdout=None)
    Person.objects.update(gender="female")  # marks everyone
    listing = client.get(reverse("admin:outcomes_saccountsstate_changelist"))
    assert listing.status_code == 200
    text = listing.content.decode()
    assert "SAC counts filled" in text
    waiting = SacPersonChange.objects.count()
    assert waiting and f'<td class="field-changes_waiting">{waiting}</td>' in text
    assert "Synthetic" not in text  # nobody's details
    cells = client.get(reverse("admin:outcomes_saccount_changelist") + "?year=2023-24")
    assert "SG1f / Total Number of Safeguarding Concerns" in cells.content.decode()
    for name in ("sacpersoncounts", "sacpersonchange", "sacageunknown"):
        page = client.get(reverse(f"admin:outcomes_{name}_changelist"))
        assert page.status_code == 200
        assert "Synthetic" not in page.content.decode()


def test_the_scheduled_run_counts_waiting_changes_or_drops_needless_marks(capsys):
    load(synthetic_records(people=10, seed=10))
    # Never filled: every change still marks its person, and the scheduled
    # run drops the marks (the fill will count everyone), so they never pile up.
    assert SacPersonChange.objects.exists()
    call_command("keep_sac_counts", "--changes")
    assert "waiting changes dropped" in capsys.readouterr().out
    assert not SacPersonChange.objects.exists()
    call_command("keep_sac_counts")
    Person.objects.update(gender="male")
    marked = set(SacPersonChange.objects.values_list("person_id", flat=True))
    call_command("keep_sac_counts", "--changes")
    assert f"{len(marked)} people counted again" in capsys.readouterr().out
    assert not SacPersonChange.objects.exists()
    assert _differences("2023-24") == {}
    # While a fill runs (the state says so), marks are kept for after it.
    SacCountsState.objects.update(rules="", fill_seen_at=timezone.now())
    Person.objects.update(gender="female")
    call_command("keep_sac_counts", "--changes")
    assert SacPersonChange.objects.exists()
    assert not sac_counts.is_filled()
    # A fill that has shown no progress for ten minutes died: the scheduled
    # run fills again, and the counts are read once more.
    SacCountsState.objects.update(
        fill_seen_at=timezone.now() - datetime.timedelta(minutes=11)
    )
    call_command("keep_sac_counts", "--changes")
    assert "filling again" in capsys.readouterr().err
    assert sac_counts.is_filled()
    assert _differences("2023-24") == {}


def test_every_record_the_return_counts_announces_its_bulk_writes():
    # A bulk write to any of them goes through the case records' query set,
    # which marks the people concerned: no module can update them unnoticed.
    from enquiries.models.querysets import CaseRecordQuerySet

    for model in sac_counts._PERSON_PATH:
        assert isinstance(model._default_manager.all(), CaseRecordQuerySet), model
        assert isinstance(model.objects.all(), CaseRecordQuerySet), model
    person = PersonFactory()
    concern = ConcernFactory(person=person)
    SacPersonChange.objects.all().delete()
    Concern.objects.filter(pk=concern.pk).update(in_our_area=False)
    assert list(SacPersonChange.objects.values_list("person_id", flat=True)) == [
        person.pk
    ]
    # Moved to another person by an update: both are marked.
    other = PersonFactory()
    SacPersonChange.objects.all().delete()
    Concern.objects.filter(pk=concern.pk).update(person=other)
    assert set(SacPersonChange.objects.values_list("person_id", flat=True)) == {
        person.pk,
        other.pk,
    }


def test_a_long_backlog_is_counted_in_the_background_and_the_report_counts_afresh(
    monkeypatch,
):
    load(synthetic_records(people=20, seed=13))
    call_command("keep_sac_counts", stdout=None)
    monkeypatch.setattr(
        sac_counts,
        "KEEPER",
        dataclasses.replace(sac_counts.KEEPER, report_counts_at_most=3),
    )
    queued, the_task = [], sac_counts.count_changes_in_the_background
    # A worker that has not run yet: the task is queued, nothing more.
    monkeypatch.setattr(
        sac_counts,
        "count_changes_in_the_background",
        SimpleNamespace(enqueue=lambda: queued.append(True)),
    )
    Person.objects.update(gender="female")  # twenty people marked
    waiting = SacPersonChange.objects.count()
    assert waiting > 3
    # More waiting than a report counts itself: this one counts afresh, as
    # fast as before the counts were kept, and leaves them to the task.
    assert sac_counts.kept_return("2023-24") is None
    assert sac.sac_return("2023-24") == sac.compute_sac_return("2023-24")
    assert queued and SacPersonChange.objects.count() == waiting
    # The worker counts them; reports read the kept counts again.
    the_task.call()
    assert not SacPersonChange.objects.exists()
    assert _differences("2023-24") == {}


def test_a_leads_board_reads_the_kept_counts_less_the_people_hidden_from_them(
    lead, team, monkeypatch
):
    load(synthetic_records(people=40, seed=9))
    call_command("keep_sac_counts", stdout=None)
    start, end = sac_spec.financial_year_bounds("2023-24")
    hidden = Person.objects.filter(concerns__received_on__range=(start, end)).first()
    hidden.is_restricted = True
    hidden.restriction_reason = "Staff member"
    hidden.save()
    filters = board.BoardFilter(year="2023-24")
    assert board._kept_counts(lead, filters) is not None
    kept = board.board_reports(lead, filters)
    monkeypatch.setattr(sac_counts, "kept_board", lambda year, hidden: None)
    afresh = board.board_reports(lead, filters)
    for section in ("referral_source", "conversion", "repeat"):
        assert kept[section] == afresh[section], section
    monkeypatch.undo()
    # Hidden from the lead: their concerns are not counted.
    everyone = board.council_counts("2023-24")[("Board", "total", "")]
    assert kept["repeat"]["total"] < everyone
    # Filters the kept counts do not hold are counted afresh.
    chosen = board.BoardFilter(year="2023-24", team_id=team.pk)
    assert board._kept_counts(lead, chosen) is None
