"""``Concern.adult_on_receipt``: the SAC's age test, derived from the dates.

The SAC return filters on the stored flag; these tests hold it to the rule
(18 or over on the day received, or no date of birth) on every write path,
and the SQL used for bulk writes to the Python rule.
"""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from enquiries.factories import ConcernFactory, PersonFactory
from enquiries.models import Concern, refresh_adult_on_receipt
from outcomes.sac_spec import age_on

pytestmark = pytest.mark.django_db
D = datetime.date


@pytest.mark.parametrize(
    ("born", "received", "adult"),
    [
        (D(2000, 6, 15), D(2018, 6, 14), False),  # the day before
        (D(2000, 6, 15), D(2018, 6, 15), True),  # the 18th birthday itself
        (D(2000, 2, 29), D(2018, 2, 28), False),  # leapling: 1 March counts
        (D(2000, 2, 29), D(2018, 3, 1), True),
        (D(1940, 1, 1), D(2025, 1, 1), True),
        (None, D(2025, 1, 1), True),  # no date of birth: counted
    ],
)
def test_the_flag_follows_the_age_on_the_day_received(born, received, adult):
    concern = ConcernFactory(
        person=PersonFactory(date_of_birth=born), received_on=received
    )
    assert concern.adult_on_receipt is adult
    # The one-statement refresh (imports, bulk loads) agrees with save().
    Concern.objects.update(adult_on_receipt=not adult)
    refresh_adult_on_receipt(Concern.objects.all())
    concern.refresh_from_db()
    assert concern.adult_on_receipt is adult


def test_a_corrected_date_of_birth_moves_their_concerns():
    person = PersonFactory(date_of_birth=D(2010, 1, 1))
    concern = ConcernFactory(person=person, received_on=D(2025, 5, 1))
    assert concern.adult_on_receipt is False
    person.date_of_birth = D(1960, 1, 1)
    person.save()
    concern.refresh_from_db()
    assert concern.adult_on_receipt is True


def test_a_corrected_date_received_is_tested_again():
    person = PersonFactory(date_of_birth=D(2007, 9, 1))
    concern = ConcernFactory(person=person, received_on=D(2025, 8, 31))
    assert concern.adult_on_receipt is False
    concern = Concern.objects.get(pk=concern.pk)
    concern.received_on = D(2025, 9, 1)
    concern.save(update_fields=["received_on"])
    concern.refresh_from_db()
    assert concern.adult_on_receipt is True


def test_saving_other_fields_leaves_the_flag_alone():
    concern = Concern.objects.get(pk=ConcernFactory().pk)
    concern.summary = "More detail from the referrer."
    with CaptureQueriesContext(connection) as context:
        concern.save()
    # The UPDATE (and the SAC counts' mark for the person, decision 0037);
    # no person lookup.
    statements = [query["sql"] for query in context.captured_queries]
    assert [sql.split()[0] for sql in statements] == ["UPDATE", "INSERT"]
    assert '"enquiries_person"' not in " ".join(statements)


def test_refresh_over_many_dates_matches_the_python_rule():
    births = [D(2000, 2, 29), D(2001, 3, 1), D(1999, 12, 31), D(2007, 1, 1)]
    days = [D(2018, 2, 28), D(2018, 3, 1), D(2019, 3, 1), D(2025, 1, 1)]
    for born in births:
        person = PersonFactory(date_of_birth=born)
        for day in days:
            ConcernFactory(person=person, received_on=day)
    Concern.objects.update(adult_on_receipt=False)
    refresh_adult_on_receipt(Concern.objects.all())
    for concern in Concern.objects.select_related("person"):
        expected = age_on(concern.person.date_of_birth, concern.received_on) >= 18
        assert concern.adult_on_receipt is expected, concern
