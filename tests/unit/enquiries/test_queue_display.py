"""What a work-queue row shows is prepared in Python; it must read as the
template filters and ``reverse()`` would have written it."""

import datetime
import uuid

from django.template.defaultfilters import date as date_filter
from django.urls import reverse

from enquiries import views
from enquiries.links import url_maker


def test_queue_dates_read_as_the_date_filter_writes_them():
    for month in range(1, 13):
        day = datetime.date(2026, month, 7 if month % 2 else 28)
        assert views._short_date(day) == date_filter(day, "j M Y")
    assert views._short_date(None) == ""


def test_queue_links_are_the_records_own_urls():
    reference = uuid.uuid4()
    for viewname in ("enquiries:enquiry_detail", "enquiries:concern_detail"):
        assert url_maker(viewname)(reference) == reverse(viewname, args=[reference])
