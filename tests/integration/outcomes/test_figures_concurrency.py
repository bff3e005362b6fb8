"""Two people changing one closed enquiry at once: its kept figures count both.

Runs on PostgreSQL (CI runs the suite there too): SQLite serialises writers
on one file and cannot show row locks at work. Without the lock that
``outcomes.figures.refresh`` takes on the enquiry, the second writer counts
the enquiry before the first has committed and then writes its count over
the first's (decision 0033).
"""

import datetime
import threading

import pytest
from django.db import connection, transaction

from enquiries.factories import EnquiryFactory, PersonViewFactory
from enquiries.models import AdvocacyReferral, Enquiry
from outcomes.models import EnquiryFigures

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="row locks under concurrent writers need PostgreSQL",
    ),
]


def test_a_second_change_waits_and_counts_the_first(team):
    enquiry = EnquiryFactory(concluded=True, concern__person__team=team)
    first_saved, first_may_commit = threading.Event(), threading.Event()
    second_started = threading.Event()
    errors: list[BaseException] = []

    def view_recorded() -> None:
        try:
            with transaction.atomic():
                PersonViewFactory(
                    person=enquiry.concern.person,
                    enquiry_id=enquiry.pk,
                    stage="enquiry",
                    source="adult",
                )
                first_saved.set()
                first_may_commit.wait(timeout=30)
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
        finally:
            connection.close()

    def advocate_allocated() -> None:
        try:
            first_saved.wait(timeout=30)
            second_started.set()
            with transaction.atomic():
                AdvocacyReferral.objects.create(
                    enquiry=Enquiry.objects.get(pk=enquiry.pk),
                    status="allocated",
                    allocated_on=datetime.date(2025, 5, 20),
                )
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [
        threading.Thread(target=view_recorded),
        threading.Thread(target=advocate_allocated),
    ]
    for thread in threads:
        thread.start()
    second_started.wait(timeout=30)
    # Let the second writer reach its count while the first still holds its
    # uncommitted view, then let the first commit.
    threading.Event().wait(0.5)
    first_may_commit.set()
    for thread in threads:
        thread.join(timeout=60)
    assert not errors, errors
    kept = EnquiryFigures.objects.get(enquiry=enquiry)
    assert kept.view_ok_enquiry is True
    assert kept.advocate_allocated is True
