"""A manager's report pages on a busy day: how often they are served kept.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/msp_bench_large \
        .venv/bin/python benchmarks/busy_reports.py --rounds 20 --counted-every 5

Between two looks at the SAC page, the dashboard and the board reports (the
last complete year, as a manager), practitioners do the work that fills most
of a day: each of ``--workers`` looks at an adult's page and writes a case
note through the service. Every ``--counted-every`` rounds one of them also
changes a counted record (an adult's details saved), as a decision or a
closure would. Prints, for each report page, the median time of its views
and how many were served from the kept figures rather than counted again
(issue 21, decision 0036). Case notes written here stay in the database:
run it on a benchmark data set, never on real records.
"""

from __future__ import annotations

import argparse
import statistics
import time

from _django import setup


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rounds", type=int, default=20)
    parser.add_argument("--workers", type=int, default=5)
    parser.add_argument(
        "--counted-every",
        type=int,
        default=0,
        help="change a counted record every N rounds (0: never)",
    )
    options = parser.parse_args()
    setup()
    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.urls import reverse

    from enquiries.models import Person
    from enquiries.services.people import add_case_note
    from outcomes.sac import forget_cached_returns, last_complete_year

    users = get_user_model().objects
    practitioner = users.get(username="practitioner")
    manager = Client()
    manager.force_login(users.get(username="manager"))
    worker = Client()
    worker.force_login(practitioner)
    adults = list(
        Person.objects.filter(team__code="north").order_by("-pk")[: options.workers]
    )
    query = f"?year={last_complete_year()}"
    reports = {
        "SAC page": reverse("outcomes:sac_return") + query,
        "dashboard": reverse("outcomes:dashboard") + query,
        "board reports": reverse("outcomes:board") + query,
    }
    forget_cached_returns()
    for path in reports.values():
        manager.get(path)  # counted once, as at the start of a day
    times: dict[str, list[float]] = {name: [] for name in reports}
    recounted = dict.fromkeys(reports, 0)
    for round_number in range(1, options.rounds + 1):
        for adult in adults:
            worker.get(reverse("enquiries:person_detail", args=[adult.reference]))
            add_case_note(user=practitioner, person=adult, text="Spoke to the adult.")
        if options.counted_every and round_number % options.counted_every == 0:
            adults[0].save()  # a counted record changes
        for name, path in reports.items():
            with CaptureQueriesContext(connection) as queries:
                started = time.perf_counter()
                response = manager.get(path)
                times[name].append(time.perf_counter() - started)
            if response.status_code != 200:
                raise SystemExit(f"{name} answered {response.status_code}")
            if any("COUNT(" in q["sql"] for q in queries.captured_queries):
                recounted[name] += 1
    print(
        f"{options.rounds} rounds, {options.workers} case notes and person views"
        f" a round, a counted change every {options.counted_every or 'never'}"
    )
    for name, values in times.items():
        print(
            f"{name:<14} median {statistics.median(values) * 1000:7.1f} ms,"
            f" counted again {recounted[name]} of {len(values)}"
        )


if __name__ == "__main__":
    main()
