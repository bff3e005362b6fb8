"""What a work-queue row shows is prepared in Python; it must read as the
template filters and ``reverse()`` would have written it."""

import datetime
import uuid

from django.urls import reverse

from enquiries.links import url_maker
from enquiries.selectors import queues
from msp.dates import format_day


def test_queue_dates_read_as_every_other_date_does():
    for month in range(1, 13):
        day = datetime.date(2026, month, 7 if month % 2 else 28)
        assert queues.short_date(day) == format_day(day)
    assert queues.short_date(datetime.date(2025, 5, 6)) == "6 May 2025"
    assert queues.short_date(None) == ""


def test_queue_links_are_the_records_own_urls():
    reference = uuid.uuid4()
    for viewname in ("enquiries:enquiry_detail", "enquiries:concern_detail"):
        assert url_maker(viewname)(reference) == reverse(viewname, args=[reference])
