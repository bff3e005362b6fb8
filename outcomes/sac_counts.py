"""The SAC return's tables SG1 to SG4, kept counted (decision 0037).

Counting a year afresh reads every concern, enquiry and risk of the year and
every person they are about: at a million concerns, half a second for each
first view of the SAC page and for every download. Each cell of those tables
is a sum over people (a person counts once in SG1, and each concern and
enquiry is about one person), so the return is kept as:

- :class:`~outcomes.models.SacPersonCounts`: what each person adds, year by
  year, as last counted (:func:`outcomes.sac.count_by_person`, the very
  queries of the return, grouped by person);
- :class:`~outcomes.models.SacCount`: each year's cells, the sum of those.

The same rows keep what each adult adds to the board's concern counts over
every team (:data:`outcomes.board.PERSON_CELLS`: the repeat-concerns report
and the concerns by referrer type and decision, decision 0039), which are
sums over adults too: a safeguarding lead's board reads them
(:func:`kept_board`), less the restricted people hidden from the lead.

How they stay exact:

- **Changes are marked in the writing transaction.** Every save or delete
  of a person, concern, enquiry, risk or desired outcome, every
  ``update()``/``bulk_update()``/``bulk_create()`` of them (their query set
  announces it: ``enquiries.signals.case_rows_written``), and every bulk load
  (``case_records_loaded``) adds a :class:`~outcomes.models.SacPersonChange`
  for each person concerned (:func:`connect`). A mark is an insert: writers
  never wait for each other or for a report.
- **Marks are counted before the kept cells are read** (:func:`count_changes`):
  one batch at a time, under the lock of the one
  :class:`~outcomes.models.SacCountsState` row, each marked person is counted
  again from the committed records, the difference from their kept counts
  is added to the year's cells, and their marks are removed, all in one
  transaction. A change committed while that runs leaves a new mark, counted
  the next time. A report counts a few people itself
  (:data:`REPORT_COUNTS_AT_MOST`); with more waiting it counts afresh and a
  background task counts them.
- **Until they are filled** (``manage.py keep_sac_counts``), or when the
  return's cells or rules have changed since (:data:`RULES_VERSION`), the
  return is counted afresh as before; ``keep_sac_counts --check`` recounts
  every year and compares.
"""

from __future__ import annotations

import functools
import hashlib
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Sequence

from django.db import connections
from django.db.models import Model, QuerySet
from django.db.models.signals import post_delete, post_save
from django_tasks import task

from enquiries import signals
from enquiries.models import Concern, DesiredOutcome, Enquiry, Person, Risk
from msp.dates import financial_year_of
from msp.db_routing import PRIMARY, primary_reads, report_queries
from outcomes import board, sac, sac_spec
from outcomes.keeping import Keeper
from outcomes.models import (
    SacAgeUnknown,
    SacCount,
    SacCountsState,
    SacPersonChange,
    SacPersonCounts,
)
from outcomes.sac_spec import CellKey

# Raise when a counting rule in outcomes.sac (or a board count kept here, in
# outcomes.board) changes: the kept counts are then
# not read until `manage.py keep_sac_counts` has filled them again.
RULES_VERSION = 1
# People counted again in one transaction.
BATCH = 2000
# A report counts at most this many marked people itself (at 1M concerns:
# 10 people 150 ms, 25 about 450, 50 about 1 s, against about 700 ms for the
# page counted afresh); with more, it counts the year afresh (never slower
# than before the counts were kept) and a background task counts them.
REPORT_COUNTS_AT_MOST = 25
# People filled in one transaction by `keep_sac_counts`.
FILL_BATCH = 20000

# A person's counts: (year, the cell's place in sac_spec.all_cells()) -> n.
PersonCells = dict[tuple[str, int], int]


@functools.cache
def _cells() -> tuple[CellKey, ...]:
    """The return's cells, then what an adult adds to a lead's board counts
    (``outcomes.board.PERSON_CELLS``, decision 0039)."""
    return (*_return_cells(), *board.PERSON_CELLS)


@functools.cache
def _return_cells() -> tuple[CellKey, ...]:
    return tuple(sac_spec.all_cells())


@functools.cache
def _places() -> dict[CellKey, int]:
    return {key: place for place, key in enumerate(_cells())}


def cell_of(place: int) -> CellKey:
    """The cell at ``place`` (for admin)."""
    return _cells()[place]


@functools.cache
def _age_unknown_places() -> frozenset[int]:
    places = _places()
    return frozenset(
        places[("SG1a", sac_spec.AGE_UNKNOWN, column)]
        for column in sac_spec.SG1_COLUMNS
    )


def _age_unknown_rows(counted: dict[int, PersonCells]) -> list[SacAgeUnknown]:
    """A row per person and year in which they count as "Age unknown"."""
    unknown = _age_unknown_places()
    return [
        SacAgeUnknown(person_id=person, year=year)
        for person, cells in counted.items()
        for year in sorted({year for year, place in cells if place in unknown})
    ]


@functools.cache
def rules_fingerprint() -> str:
    """Changes with :data:`RULES_VERSION` and with the return's cells."""
    text = f"{RULES_VERSION}|{_cells()!r}"
    return hashlib.sha256(text.encode()).hexdigest()[:32]


def encode(cells: PersonCells) -> str:
    """``2024-25:3,17,45x2;2025-26:3``: per year, the places of the cells
    and, when more than one, how many."""
    by_year: dict[str, list[str]] = defaultdict(list)
    for (year, place), n in sorted(cells.items()):
        by_year[year].append(str(place) if n == 1 else f"{place}x{n}")
    return ";".join(f"{year}:{','.join(places)}" for year, places in by_year.items())


def decode(text: str) -> PersonCells:
    cells: PersonCells = {}
    for part in filter(None, text.split(";")):
        year, places = part.split(":")
        for item in places.split(","):
            place, _, n = item.partition("x")
            cells[(year, int(place))] = int(n or 1)
    return cells


# ---------------------------------------------------------------------------
# Counting people
# ---------------------------------------------------------------------------


def _years_of(people: Sequence[int]) -> dict[str, tuple[bool, bool]]:
    """The financial years in which these people can count, each with
    whether a concern was received or an enquiry started in it (SG1) and
    whether an enquiry was concluded in it (SG2 to SG4)."""
    days = (
        Concern.objects.filter(person_id__any_of=list(people))
        .order_by()
        .values_list("received_on", "enquiries__started_on", "enquiries__concluded_on")
        .distinct()
    )
    received, concluded = set(), set()
    for on, started, ended in days:
        received.update(financial_year_of(day) for day in (on, started) if day)
        if ended:
            concluded.add(financial_year_of(ended))
    return {
        year: (year in received, year in concluded)
        for year in sorted(received | concluded)
    }


def counted_now(people: Sequence[int]) -> dict[int, PersonCells]:
    """What each of ``people`` adds to the return now, in every year,
    counted by :func:`outcomes.sac.count_by_person`, and to the board's
    counts (:func:`outcomes.board.counted_by_person`)."""
    places = _places()
    found: dict[int, PersonCells] = defaultdict(dict)
    for year, (received, concluded) in _years_of(people).items():
        counted = sac.count_by_person(
            year, people, received=received, concluded=concluded
        )
        for person, cells in counted.items():
            kept = found[person]
            for key, n in cells.items():
                if n:
                    kept[(year, places[key])] = n
    for person, cells in board.counted_by_person(list(people)).items():
        kept = found[person]
        for (year, key), n in cells.items():
            if n:
                kept[(year, places[key])] = n
    return found


def _add_to_cells(change: Counter[tuple[str, int]]) -> None:
    """Add ``change`` to the kept cells (under the state's lock)."""
    change = Counter({key: n for key, n in change.items() if n})
    if not change:
        return
    years = sorted({year for year, _ in change})
    kept = {
        (row.year, row.cell): row
        for row in SacCount.objects.using(PRIMARY).filter(year__in=years)
    }
    rows = []
    for (year, place), n in change.items():
        row = kept.get((year, place)) or SacCount(year=year, cell=place, n=0)
        row.n += n
        rows.append(row)
    SacCount.objects.using(PRIMARY).bulk_create(
        rows,
        update_conflicts=True,
        unique_fields=["year", "cell"],
        update_fields=["n"],
    )


def _count_again(people: list[int]) -> None:
    """Count ``people`` again and add the difference to the kept cells."""
    kept = {
        row.person_id: decode(row.cells)
        for row in SacPersonCounts.objects.using(PRIMARY).filter(
            person_id__any_of=people
        )
    }
    now = counted_now(people)
    change: Counter[tuple[str, int]] = Counter()
    changed, emptied = [], []
    for person in people:
        before, after = kept.get(person, {}), now.get(person, {})
        if before == after:
            continue
        change.update(after)
        change.subtract(before)
        if after:
            changed.append(SacPersonCounts(person_id=person, cells=encode(after)))
        else:
            emptied.append(person)
    SacPersonCounts.objects.using(PRIMARY).bulk_create(
        changed,
        update_conflicts=True,
        unique_fields=["person_id"],
        update_fields=["cells"],
    )
    if emptied:
        SacPersonCounts.objects.using(PRIMARY).filter(
            person_id__any_of=emptied
        ).delete()
    _add_to_cells(change)
    SacAgeUnknown.objects.using(PRIMARY).filter(person_id__any_of=people).delete()
    SacAgeUnknown.objects.using(PRIMARY).bulk_create(_age_unknown_rows(now))


KEEPER = Keeper(
    state=SacCountsState,
    marks=SacPersonChange,
    marked="person_id",
    rules=rules_fingerprint,
    count_again=_count_again,
    batch=BATCH,
    batch_marks=BATCH,
    report_counts_at_most=REPORT_COUNTS_AT_MOST,
)


def count_changes() -> int:
    """Count again every person marked since the last time; the number of
    people. Does nothing while the counts are not filled under today's
    rules (:func:`is_filled`)."""
    return KEEPER.count_changes()


def count_waiting_changes() -> int:
    """For the scheduled ``keep_sac_counts --changes``: count the marked
    people now, or drop the marks while the counts are not filled."""
    return KEEPER.count_waiting_changes()


def is_filled() -> bool:
    return KEEPER.is_filled()


@task()
def count_changes_in_the_background() -> int:
    """:func:`count_changes`, run by the task worker (``db_worker``)."""
    return count_changes()


def _ready_to_read() -> bool:
    """Whether a report may read the kept counts now (:meth:`Keeper.ready_to_read`)."""
    return KEEPER.ready_to_read(count_changes_in_the_background)


def kept_return(year: str) -> dict[CellKey, int] | None:
    """The return for ``year`` from the kept counts, after counting the
    changes marked since; SG5 (a handful of reviews) is counted as ever.
    None when the counts are not filled under today's rules, or when more
    changes wait than a report counts itself (:data:`REPORT_COUNTS_AT_MOST`):
    the caller then counts afresh."""
    start, end = sac_spec.financial_year_bounds(year)  # ValueError for a bad year
    if not _ready_to_read():
        return None
    cells = sac_spec.empty_return()
    keys = _return_cells()
    rows = (
        SacCount.objects.using(PRIMARY)
        .filter(year=year, cell__lt=len(keys))
        .values_list("cell", "n")
    )
    for place, n in rows:
        cells[keys[place]] = n
    sac.count_reviews(cells, start, end)
    return cells


def kept_board(year: str, hidden: Sequence[int]) -> dict[tuple, int] | None:
    """What every adult adds to the board's counts of ``year`` (every team,
    :data:`outcomes.board.PERSON_CELLS`), less what the ``hidden`` people
    add, after counting the changes marked since; None when the counts are
    not ready (as :func:`kept_return`)."""
    sac_spec.financial_year_bounds(year)  # ValueError for a bad year
    if not _ready_to_read():
        return None
    keys = _cells()
    first = len(_return_cells())
    cells: Counter[tuple] = Counter()
    rows = (
        SacCount.objects.using(PRIMARY)
        .filter(year=year, cell__gte=first)
        .values_list("cell", "n")
    )
    for place, n in rows:
        cells[keys[place]] += n
    if hidden:
        their = SacPersonCounts.objects.using(PRIMARY).filter(
            person_id__any_of=list(hidden)
        )
        for encoded in their.values_list("cells", flat=True):
            for (counted_in, place), n in decode(encoded).items():
                if counted_in == year and place >= first:
                    cells[keys[place]] -= n
    return dict(cells)


def people_with_age_unknown(year: str) -> list[int] | None:
    """The ids of the people counted in SG1 of ``year`` as "Age unknown",
    after counting the changes marked since (for the SAC page's data-quality
    list); None when the counts are not ready (:func:`kept_return`). Read
    into a list: the list's own query may run on a replica, and a query
    cannot join tables of two databases."""
    if not _ready_to_read():
        return None
    return list(
        SacAgeUnknown.objects.using(PRIMARY)
        .filter(year=year)
        .order_by("person_id")
        .values_list("person_id", flat=True)
    )


# ---------------------------------------------------------------------------
# Filling and checking (manage.py keep_sac_counts)
# ---------------------------------------------------------------------------


def fill(report: Callable[[str], None] = lambda _: None) -> int:
    """Count every person afresh and keep the counts; the number of people
    with anything counted. Until it ends, the return is counted afresh (the
    state says "not filled"); changes made meanwhile leave marks, counted
    after it."""
    fill_id = KEEPER.start_filling([SacPersonCounts, SacAgeUnknown, SacCount])
    people = list(
        Concern.objects.using(PRIMARY)
        .order_by("person_id")
        .values_list("person_id", flat=True)
        .distinct()
    )
    totals: Counter[tuple[str, int]] = Counter()
    with primary_reads():
        for at in range(0, len(people), FILL_BATCH):
            chunk = people[at : at + FILL_BATCH]
            with KEEPER.filling_batch(fill_id), report_queries():
                now = counted_now(chunk)
                SacPersonCounts.objects.using(PRIMARY).bulk_create(
                    [
                        SacPersonCounts(person_id=person, cells=encode(cells))
                        for person, cells in now.items()
                        if cells
                    ],
                    batch_size=5000,
                )
                SacAgeUnknown.objects.using(PRIMARY).bulk_create(
                    _age_unknown_rows(now), batch_size=5000
                )
            for cells in now.values():
                totals.update(cells)
            report(f"{min(at + FILL_BATCH, len(people)):,} of {len(people):,} people")
    KEEPER.end_filling(
        rules_fingerprint(),
        fill_id,
        then=lambda: SacCount.objects.using(PRIMARY).bulk_create(
            [
                SacCount(year=year, cell=place, n=n)
                for (year, place), n in sorted(totals.items())
                if n
            ],
            batch_size=5000,
        ),
    )
    return len(people)


def differences(year: str) -> list[tuple[CellKey, int, int]]:
    """Cells where the kept return for ``year`` (or the board's counts over
    every team) differs from a count afresh: (cell, kept, afresh). Empty
    when they agree (or nothing is kept)."""
    kept = kept_return(year)
    if kept is None:
        return []
    afresh = sac.compute_sac_return(year)
    wrong = [
        (key, kept[key], afresh[key]) for key in afresh if kept[key] != afresh[key]
    ]
    kept_board_cells = {key: n for key, n in (kept_board(year, []) or {}).items() if n}
    board_afresh = board.council_counts(year)
    return wrong + [
        (key, kept_board_cells.get(key, 0), board_afresh.get(key, 0))
        for key in board.PERSON_CELLS
        if kept_board_cells.get(key, 0) != board_afresh.get(key, 0)
    ]


# ---------------------------------------------------------------------------
# What marks a person (connected in OutcomesConfig.ready())
# ---------------------------------------------------------------------------

# Where each counted record's person is.
_PERSON_PATH: dict[type[Model], str] = {
    Person: "pk",
    Concern: "person_id",
    Enquiry: "concern__person_id",
    # The return counts an enquiry's risks (one on a concern alone counts
    # nowhere), by the enquiry's person.
    Risk: "enquiry__concern__person_id",
    DesiredOutcome: "person_id",
}


def mark(people: Iterable[int | None]) -> None:
    """Mark people to be counted again."""
    ids = sorted({pk for pk in people if pk is not None})
    if ids:
        SacPersonChange.objects.using(PRIMARY).bulk_create(
            [SacPersonChange(person_id=pk) for pk in ids]
        )


def mark_people_of(records: QuerySet) -> None:
    """Mark the people of ``records`` (a query set of a counted model), in
    one ``INSERT … SELECT``: no ids are read into Python."""
    path = _PERSON_PATH[records.model]
    chosen = (
        records.using(PRIMARY)
        .exclude(**{f"{path}__isnull": True})
        .order_by()
        .values(path)
        .distinct()
    )
    select, params = chosen.query.sql_with_params()
    connection = connections[PRIMARY]
    table = connection.ops.quote_name(SacPersonChange._meta.db_table)
    column = connection.ops.quote_name("person_id")
    with connection.cursor() as cursor:
        cursor.execute(f"INSERT INTO {table} ({column}) {select}", params)  # noqa: S608


def _saved(sender, instance, **kwargs) -> None:
    if sender is Person:
        mark([instance.pk])
    elif sender is Concern:
        # Its person now, and the one it was about when read (moved).
        loaded = getattr(instance, "_loaded_scope", (None, None))[0]
        mark([instance.person_id, loaded])
    elif sender is DesiredOutcome:
        mark([instance.person_id])
    elif sender is Enquiry:
        # Its concern's person, and the person of the concern it was on when
        # read (moved to another concern by this save).
        loaded = getattr(instance, "_loaded_concern_id", None)
        concerns = {pk for pk in (instance.concern_id, loaded) if pk is not None}
        mark_people_of(Concern.objects.filter(pk__in=sorted(concerns)))
    else:  # a risk: its enquiry's person, and that of the enquiry it was on
        loaded = getattr(instance, "_loaded_enquiry_id", None)
        enquiries = {pk for pk in (instance.enquiry_id, loaded) if pk is not None}
        if enquiries:
            mark_people_of(Enquiry.objects.filter(pk__in=sorted(enquiries)))


def _rows_written(
    sender, queryset: QuerySet, values: dict, when: str = "", **kwargs
) -> None:
    # Sent before an update, after it, and after a bulk create: the rows'
    # people then. After an update, only when it moved rows to another
    # record (their people before were marked before it).
    if sender not in _PERSON_PATH:
        return
    meta = sender._meta
    if when == "after" and not any(meta.get_field(n).is_relation for n in values):
        return
    mark_people_of(queryset)


def _loaded(sender, enquiry_ids: Iterable[int] = (), concern_ids=(), **kwargs) -> None:
    enquiries, concerns = sorted(set(enquiry_ids)), sorted(set(concern_ids))
    for at in range(0, max(len(enquiries), len(concerns)), BATCH):
        if enquiries[at : at + BATCH]:
            mark_people_of(
                Enquiry.objects.filter(pk__any_of=enquiries[at : at + BATCH])
            )
        if concerns[at : at + BATCH]:
            mark_people_of(Concern.objects.filter(pk__any_of=concerns[at : at + BATCH]))


def connect() -> None:
    uid = "outcomes_sac_counts"
    for model in _PERSON_PATH:
        for signal, name in ((post_save, "save"), (post_delete, "delete")):
            signal.connect(
                _saved, sender=model, dispatch_uid=f"{uid}_{model.__name__}_{name}"
            )
    signals.case_rows_written.connect(_rows_written, dispatch_uid=f"{uid}_rows")
    signals.case_records_loaded.connect(_loaded, dispatch_uid=f"{uid}_loaded")
