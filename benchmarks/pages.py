"""Server time of the main pages on two databases, measured in the same run.

    BENCH_SMALL=postgres://postgres@127.0.0.1:5432/msp_bench_small \
    BENCH_LARGE=postgres://postgres@127.0.0.1:5432/msp_bench_large \
        .venv/bin/python benchmarks/pages.py --requests 60

Each page is requested through Django's test client in a process bound to
one database (no network, so this is the server's own time: routing,
access checks, queries, templates). The two databases are measured
alternately in fresh processes; the script prints each page's median and
95th percentile and the ratio of the large median to the small median.
Targets: median < 50 ms, p95 < 150 ms, ratio <= 1.5.

The dashboard and SAC page show the last complete financial year, or
BENCH_YEAR (e.g. 2026-27). To see whether a page grows with history rather
than with a year's volume, compare msp_bench_one_year (one year of a large
council) with msp_bench_large (ten such years) for a year both hold:

    BENCH_SMALL=…/msp_bench_one_year BENCH_LARGE=…/msp_bench_large \
    BENCH_YEAR=2026-27 .venv/bin/python benchmarks/pages.py --requests 20
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time

from _django import percentile, setup


def pages() -> list[tuple[str, str, str]]:
    """(name, user, path) for each page, chosen from the data present."""
    from django.db.models import Count
    from django.urls import reverse

    from enquiries.models import Enquiry, Person

    busy_person = (
        Person.objects.filter(team__code="north")
        .annotate(n=Count("concerns"))
        .order_by("-n")
        .values_list("reference", flat=True)[:1]
        .get()
    )
    enquiry = (
        Enquiry.objects.filter(team__code="north")
        .order_by("-started_on")
        .values_list("reference", flat=True)[:1]
        .get()
    )
    year = os.environ.get("BENCH_YEAR") or _last_complete_year()
    return [
        ("caseload (home)", "practitioner", reverse("home")),
        ("team queue", "practitioner", reverse("enquiries:queue", args=["team"])),
        (
            "person page",
            "practitioner",
            reverse("enquiries:person_detail", args=[busy_person]),
        ),
        (
            "chronology",
            "practitioner",
            reverse("enquiries:chronology", args=[busy_person]),
        ),
        (
            "enquiry page",
            "practitioner",
            reverse("enquiries:enquiry_detail", args=[enquiry]),
        ),
        ("search", "practitioner", reverse("enquiries:person_search") + "?name=Smith"),
        (
            "manager dashboard",
            "manager",
            reverse("outcomes:dashboard") + f"?year={year}",
        ),
        ("SAC page", "manager", reverse("outcomes:sac_return") + f"?year={year}"),
        # The two pages above keep their figures until a record changes; these
        # rows time them with the figures counted afresh on every request.
        (
            FRESH + "dashboard",
            "manager",
            reverse("outcomes:dashboard") + f"?year={year}",
        ),
        (
            FRESH + "SAC page",
            "manager",
            reverse("outcomes:sac_return") + f"?year={year}",
        ),
    ]


FRESH = "first view: "


def _last_complete_year() -> str:
    import datetime

    today = datetime.date.today()
    start = today.year - 1 if today.month >= 4 else today.year - 2
    return f"{start}-{str(start + 1)[2:]}"


def measure(requests: int) -> dict[str, list[float]]:
    setup()
    from django.contrib.auth import get_user_model
    from django.test import Client

    from outcomes.sac import forget_cached_returns

    results: dict[str, list[float]] = {}
    clients: dict[str, Client] = {}
    for name, username, path in pages():
        if username not in clients:
            clients[username] = Client()
            clients[username].force_login(
                get_user_model().objects.get(username=username)
            )
        client = clients[username]
        client.get(path)  # warm caches and connections
        times = []
        for _ in range(requests):
            if name.startswith(FRESH):
                forget_cached_returns()  # as when any case record changes
            started = time.perf_counter()
            response = client.get(path)
            times.append(time.perf_counter() - started)
            if response.status_code != 200:
                raise SystemExit(f"{name} {path} answered {response.status_code}")
        results[name] = times
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--requests", type=int, default=60)
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    options = parser.parse_args()
    if options.child:
        print(json.dumps(measure(options.requests)))
        return
    urls = {
        "small": os.environ.get("BENCH_SMALL"),
        "large": os.environ.get("BENCH_LARGE"),
    }
    if not all(urls.values()):
        sys.exit("Set BENCH_SMALL and BENCH_LARGE database URLs.")
    times: dict[str, dict[str, list[float]]] = {"small": {}, "large": {}}
    for _round in range(2):
        for size, url in urls.items():
            output = subprocess.run(  # noqa: S603 - this same script
                [
                    sys.executable,
                    __file__,
                    "--requests",
                    str(options.requests // 2),
                    "--child",
                ],
                env={**os.environ, "DATABASE_URL": url},
                capture_output=True,
                text=True,
                check=True,
            ).stdout
            for page, values in json.loads(output.strip().splitlines()[-1]).items():
                times[size].setdefault(page, []).extend(values)
    print(
        f"{'page':<26} {'small median':>13} {'large median':>13} {'large p95':>10} {'ratio':>6}"
    )
    for page in times["large"]:
        small = statistics.median(times["small"][page]) * 1000
        large = statistics.median(times["large"][page]) * 1000
        p95 = percentile(times["large"][page], 0.95) * 1000
        print(
            f"{page:<26} {small:>10.1f} ms {large:>10.1f} ms {p95:>7.1f} ms {large / small:>6.2f}"
        )


if __name__ == "__main__":
    main()
