"""Page 500 of a long list against page 1 (keyset pagination, never OFFSET).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/msp_bench_large \
        .venv/bin/python benchmarks/keyset.py --requests 20

The list is the longest in the product: the enquiries behind the dashboard's
"concluded" figure for a safeguarding lead over five years (about 150,000
enquiries at 1,000,000 concerns, 50 to a page). The cursor for page 500 is
the last id of page 499, as the "Next" link would carry it. Target: page
500 within 3 times page 1.
"""

from __future__ import annotations

import argparse
import datetime
import statistics
import time

from _django import percentile, setup


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--requests", type=int, default=20)
    parser.add_argument("--page", type=int, default=500)
    options = parser.parse_args()
    setup()
    from django.contrib.auth import get_user_model
    from django.test import Client
    from django.urls import reverse

    from outcomes import reports

    lead = get_user_model().objects.get(username="lead")
    today = datetime.date.today()
    start = today.replace(year=today.year - 5)  # the longest period allowed
    filters = reports.ReportFilter(start=start, end=today)
    behind = reports.enquiries_behind(lead, filters, "concluded").order_by("-pk")
    total = behind.count()
    size = 50
    after = behind.values_list("pk", flat=True)[(options.page - 1) * size - 1]
    client = Client()
    client.force_login(lead)
    url = reverse("outcomes:drilldown")
    params = {
        "figure": "concluded",
        "date_from": start.isoformat(),
        "date_to": today.isoformat(),
    }
    results = {}
    for name, extra in (("page 1", {}), (f"page {options.page}", {"after": after})):
        client.get(url, {**params, **extra})
        times = []
        for _ in range(options.requests):
            began = time.perf_counter()
            response = client.get(url, {**params, **extra})
            times.append(time.perf_counter() - began)
            if response.status_code != 200:
                raise SystemExit(f"{name} answered {response.status_code}")
        results[name] = times
    print(f"{total:,} enquiries behind the figure, {size} to a page")
    for name, times in results.items():
        print(
            f"{name:>9}: median {statistics.median(times) * 1000:.1f} ms, "
            f"p95 {percentile(times, 0.95) * 1000:.1f} ms"
        )
    first, last = (statistics.median(t) for t in results.values())
    print(f"ratio page {options.page} / page 1: {last / first:.2f}")


if __name__ == "__main__":
    main()
