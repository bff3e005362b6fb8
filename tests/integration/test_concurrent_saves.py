"""Twenty people saving one record at once: no update lost, no error.

Runs on PostgreSQL (CI runs the suite there too): SQLite serialises writers
on one file and cannot show row locks at work.
"""

import threading

import pytest
from django.db import connection

from enquiries.factories import EnquiryFactory
from enquiries.models import Enquiry
from msp.concurrency import EditConflict, save_changes
from msp.models import AuditEvent

THREADS = 20

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="row locks under concurrent writers need PostgreSQL",
    ),
]


def test_twenty_concurrent_saves_lose_nothing(practitioner, team):
    enquiry = EnquiryFactory(status="in_progress", concern__person__team=team)
    start = enquiry.version
    barrier = threading.Barrier(THREADS)
    errors: list[BaseException] = []
    conflicts = [0] * THREADS

    def save(number: int) -> None:
        try:
            barrier.wait()
            while True:
                shown = Enquiry.objects.get(pk=enquiry.pk)
                try:
                    save_changes(
                        user=practitioner,
                        instance=shown,
                        expected_version=shown.version,
                        changes={
                            "spoken_to": f"{shown.spoken_to}[{number}]",
                        },
                    )
                    return
                except EditConflict:
                    conflicts[number] += 1  # told, re-read, save again
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=save, args=(n,)) for n in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not errors, errors
    saved = Enquiry.objects.get(pk=enquiry.pk)
    assert saved.version == start + THREADS
    # Every thread's addition is there: nobody overwrote anybody.
    for number in range(THREADS):
        assert f"[{number}]" in saved.spoken_to
    assert len(saved.spoken_to) == sum(len(f"[{n}]") for n in range(THREADS))
    assert (
        AuditEvent.objects.filter(
            action="change", object_ref=str(enquiry.reference)
        ).count()
        == THREADS
    )
    assert sum(conflicts) > 0  # they really did collide
