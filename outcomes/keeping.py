"""Counts kept from marks of what changed: the plumbing the SAC return's kept
counts (decision 0037) and the dashboard's monthly figures (decision 0038)
share.

Each is kept the same way:

- a **state row** (one row, ``rules`` and ``filled_at``): ``rules`` is the
  fingerprint of the counting rules the counts were filled under, empty
  while they are being filled; the counts are read only when it equals
  today's fingerprint. The row is also the lock: whoever counts changes
  takes it first, so one batch of changes is counted at a time;
- **marks**: rows naming what to count again (a person, a month), inserted
  in the same transaction as the change, so a writer never waits;
- **counting again** (the keeper's own ``count_again``): under the lock,
  the marked things are counted afresh from the committed records and
  replace what was kept; the marks read are deleted in the same
  transaction, so a change committed meanwhile leaves a mark still to count;
- **filling**: a fill empties the counts and counts everything again, a
  batch at a time, each batch under the lock. It names itself in the state
  (``fill_id``) and notes each batch's progress (``fill_seen_at``). A fill
  that shows no progress for ``abandoned_after`` (its process died, or the
  task asked for never ran) is abandoned: the next report that would queue
  a fill queues another, and the scheduled ``--changes`` command runs one.
  A fill that another has replaced finds out at its next batch and stops
  (:class:`FillReplaced`) without writing, so two fills never add up.
"""

from __future__ import annotations

import datetime
import uuid
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass

from django.db import transaction
from django.db.models import F, Model, Q, QuerySet
from django.utils import timezone

from msp.db_routing import PRIMARY, primary_reads

STATE_ID = 1


class FillReplaced(Exception):
    """Another fill of the same counts started after this one: this one
    stops, and what it counted in its last batch is not kept."""


@dataclass(frozen=True)
class Keeper:
    """How one set of kept counts is kept (see the module)."""

    state: type[Model]
    marks: type[Model]
    # The marks' field naming what to count again.
    marked: str
    # Today's fingerprint of the counting rules.
    rules: Callable[[], str]
    # Count these again and replace what was kept (called under the lock).
    count_again: Callable[[list], None]
    # Things counted again in one transaction, and marks read for them.
    batch: int
    batch_marks: int
    # A report counts at most this many marked things itself.
    report_counts_at_most: int
    # Marks looked at to tell whether few things wait.
    few_marks: int = 1000
    # A fill that shows no progress for this long is taken as abandoned.
    # Each batch takes seconds (a year of months, a few thousand people).
    abandoned_after: datetime.timedelta = datetime.timedelta(minutes=10)

    def filled_state(self) -> QuerySet:
        """The state row, if the counts are filled under today's rules."""
        return self.state.objects.using(PRIMARY).filter(pk=STATE_ID, rules=self.rules())

    def is_filled(self) -> bool:
        return self.filled_state().exists()

    def lock_filled_state(self) -> bool:
        """Take the state's lock, if the counts are filled under today's
        rules (inside a transaction). An UPDATE as the transaction's first
        statement: on PostgreSQL it locks the row until the transaction
        ends; on SQLite it takes the database's one write lock at once (a
        read first would fail to become a write if someone else wrote in
        between)."""
        return bool(self.filled_state().update(filled_at=F("filled_at")))

    def count_changes(self) -> int:
        """Count again everything marked since the last time; how many
        things. Does nothing while the counts are not filled."""
        done = 0
        with primary_reads():
            while True:
                with transaction.atomic(using=PRIMARY):
                    if not self.lock_filled_state():
                        return done
                    marks = list(
                        self.marks.objects.using(PRIMARY)
                        .order_by("pk")
                        .values_list("pk", self.marked)[: self.batch_marks]
                    )
                    chosen = sorted({key for _, key in marks})[: self.batch]
                    if not chosen:
                        return done
                    self.count_again(chosen)
                    taken = set(chosen)
                    self.marks.objects.using(PRIMARY).filter(
                        pk__any_of=[pk for pk, key in marks if key in taken]
                    ).delete()
                    done += len(chosen)

    def few_waiting(self) -> bool:
        """Whether at most ``report_counts_at_most`` things are marked (one
        bounded query)."""
        keys = list(
            self.marks.objects.using(PRIMARY)
            .order_by()
            .values_list(self.marked, flat=True)[: self.few_marks]
        )
        return (
            len(keys) < self.few_marks and len(set(keys)) <= self.report_counts_at_most
        )

    def ready_to_read(self, count_in_the_background, fill_in_the_background=None):
        """Whether a report may read the kept counts now: filled, and the
        waiting marks counted (by this request when few; otherwise by
        ``count_in_the_background``, a task, and the report counts afresh).
        With ``fill_in_the_background`` (a task), the first report to find
        the counts unfilled queues one fill. With the "immediate" task
        backend (no worker) the tasks run at once."""
        if not self.is_filled():
            if fill_in_the_background is None or not self._ask_for_filling():
                return False
            fill_in_the_background.enqueue()
            if not self.is_filled():
                return False
        if not self.few_waiting():
            count_in_the_background.enqueue()
            if not self.few_waiting():
                return False
        self.count_changes()
        return True

    def _ask_for_filling(self) -> bool:
        """Mark the counts "being filled" unless they already are (and the
        fill is not abandoned); whether this call did (so one report queues
        the fill, not each of them)."""
        with transaction.atomic(using=PRIMARY):
            self.state.objects.using(PRIMARY).get_or_create(
                pk=STATE_ID, defaults={"rules": "-"}
            )
            return bool(
                self.state.objects.using(PRIMARY)
                .filter(pk=STATE_ID)
                .filter(~Q(rules="") | self._abandoned())
                .update(
                    rules="", filled_at=None, fill_id="", fill_seen_at=timezone.now()
                )
            )

    def _abandoned(self) -> Q:
        """The state of a fill that has shown no progress for
        ``abandoned_after`` (or never noted any)."""
        cutoff = timezone.now() - self.abandoned_after
        return Q(rules="") & (Q(fill_seen_at__isnull=True) | Q(fill_seen_at__lt=cutoff))

    def fill_abandoned(self) -> bool:
        """Whether a fill was asked for or started and has shown no
        progress for ``abandoned_after`` (see the module)."""
        return (
            self.state.objects.using(PRIMARY)
            .filter(Q(pk=STATE_ID) & self._abandoned())
            .exists()
        )

    def count_waiting_changes(self) -> int:
        """For cron: count the marked things now (so a report's first view
        finds few), or, when the counts were never filled or were filled
        under other rules, drop the marks, which the next fill makes
        needless (while a fill runs, they are kept). How many things were
        counted or marks dropped."""
        if self.is_filled():
            return self.count_changes()
        state = self.state.objects.using(PRIMARY).filter(pk=STATE_ID).first()
        if state is not None and not state.rules:
            return 0  # being filled: its marks are counted after it
        dropped, _ = self.marks.objects.using(PRIMARY).all().delete()
        return dropped

    def start_filling(self, kept: Sequence[type[Model]]) -> str:
        """Mark the counts "being filled" (reports count afresh until
        :meth:`end_filling`) and empty them: the marks so far and the
        ``kept`` tables. Changes marked from here are counted after it.
        The fill's id, which its batches and its end give back; a fill
        started earlier and still running stops at its next batch."""
        fill_id = uuid.uuid4().hex
        with transaction.atomic(using=PRIMARY):
            state, _ = (
                self.state.objects.using(PRIMARY)
                .select_for_update()
                .get_or_create(pk=STATE_ID)
            )
            state.rules, state.filled_at = "", None
            state.fill_id, state.fill_seen_at = fill_id, timezone.now()
            state.save(using=PRIMARY)
            self.marks.objects.using(PRIMARY).all().delete()
            for model in kept:
                model.objects.using(PRIMARY).all().delete()
        return fill_id

    def _own_state(self, fill_id: str) -> Model:
        """The state row, locked, if the fill ``fill_id`` is still the one
        running (inside a transaction); :class:`FillReplaced` if not."""
        state = self.state.objects.using(PRIMARY).select_for_update().get(pk=STATE_ID)
        if state.rules or state.fill_id != fill_id:
            raise FillReplaced(f"Another fill replaced fill {fill_id}.")
        return state

    @contextmanager
    def filling_batch(self, fill_id: str) -> Iterator[None]:
        """One batch of the fill ``fill_id``: a transaction under the
        state's lock, noted as progress; :class:`FillReplaced` (and nothing
        written) if another fill has started since."""
        with transaction.atomic(using=PRIMARY):
            state = self._own_state(fill_id)
            state.fill_seen_at = timezone.now()
            state.save(using=PRIMARY, update_fields=["fill_seen_at"])
            yield

    def end_filling(
        self, rules: str, fill_id: str, then: Callable[[], None] = lambda: None
    ) -> None:
        """Mark the counts filled under ``rules`` (the fingerprint when the
        fill began), after ``then()``, in one transaction under the lock;
        :class:`FillReplaced` if another fill has started since."""
        with transaction.atomic(using=PRIMARY):
            state = self._own_state(fill_id)
            then()
            state.rules, state.filled_at = rules, timezone.now()
            state.fill_id, state.fill_seen_at = "", None
            state.save(using=PRIMARY)
