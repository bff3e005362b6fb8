"""The SAC return's kept counts with writers and readers at work at once.

Runs on PostgreSQL (CI runs the suite there too): SQLite serialises writers
on one file. Two report views counting the same marked people at once must
not both add the difference (the state row's lock makes the second wait and
then find the marks gone), and a change still being written when a report
counts is counted by the next one, never lost (decision 0037).
"""

import threading

import pytest
from django.core.management import call_command
from django.db import connection, transaction

from enquiries.models import Person
from outcomes import sac, sac_counts
from outcomes.models import SacPersonChange
from tests.integration.outcomes.test_sac_synthetic import load, synthetic_records

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="row locks under concurrent transactions need PostgreSQL",
    ),
]

YEAR = "2023-24"


def _agree() -> bool:
    return sac_counts.kept_return(YEAR) == sac.compute_sac_return(YEAR)


def _run(*targets):
    errors: list[BaseException] = []

    def guarded(target):
        def run():
            try:
                target()
            except BaseException as exc:  # noqa: BLE001 - reported below
                errors.append(exc)
            finally:
                connection.close()

        return run

    threads = [threading.Thread(target=guarded(target)) for target in targets]
    for thread in threads:
        thread.start()
    return threads, errors


def test_a_second_reader_waits_while_one_counts_and_the_change_counts_once():
    load(synthetic_records(people=30, seed=11))
    call_command("keep_sac_counts", stdout=None)
    # Everyone described again, past save() as an import would.
    Person.objects.update(gender="female")
    assert SacPersonChange.objects.exists()
    first_locked, first_may_commit = threading.Event(), threading.Event()
    second_done = threading.Event()

    def first_reader():
        with transaction.atomic():
            assert sac_counts.KEEPER.lock_filled_state()
            first_locked.set()
            first_may_commit.wait(timeout=30)

    def second_reader():
        sac_counts.count_changes()
        second_done.set()

    threads, errors = _run(first_reader)
    assert first_locked.wait(timeout=30)
    more, more_errors = _run(second_reader)
    # While one holds the lock, the other cannot count the same marks.
    assert not second_done.wait(timeout=1.0)
    first_may_commit.set()
    for thread in (*threads, *more):
        thread.join(timeout=60)
    assert not errors and not more_errors, (errors, more_errors)
    assert second_done.is_set()
    assert not SacPersonChange.objects.exists()
    assert _agree()


def test_a_change_committed_while_a_report_counts_is_counted_next_time():
    load(synthetic_records(people=30, seed=12))
    call_command("keep_sac_counts", stdout=None)
    person = (
        Person.objects.filter(
            concerns__received_on__year=2023, date_of_birth__isnull=False
        )
        .order_by("pk")
        .first()
    )
    saved, may_commit = threading.Event(), threading.Event()

    def writer():
        with transaction.atomic():
            changed = Person.objects.get(pk=person.pk)
            changed.date_of_birth = None  # now "Age unknown" in SG1a
            changed.save()
            saved.set()
            may_commit.wait(timeout=30)

    threads, errors = _run(writer)
    saved.wait(timeout=30)
    # The report counts while the change is uncommitted: it sees neither the
    # change nor its mark, and agrees with a count afresh of the same data.
    assert _agree()
    may_commit.set()
    for thread in threads:
        thread.join(timeout=60)
    assert not errors, errors
    assert SacPersonChange.objects.filter(person_id=person.pk).exists()
    assert _agree()  # counted now
    assert not SacPersonChange.objects.exists()
