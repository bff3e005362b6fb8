"""Where one page spends its server time: a profile and its SQL.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/msp_bench_large \
        .venv/bin/python benchmarks/profile_page.py --user practitioner --path /

Requests the page through Django's test client (after one warm-up request),
prints the slowest SQL statements with their times, and the functions that
took the most cumulative time over ``--requests`` requests (cProfile).
"""

from __future__ import annotations

import argparse
import cProfile
import io
import pstats
import time

from _django import setup


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--user", default="practitioner")
    parser.add_argument("--path", default="/")
    parser.add_argument("--requests", type=int, default=20)
    parser.add_argument("--top", type=int, default=30)
    options = parser.parse_args()
    setup()
    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client()
    client.force_login(get_user_model().objects.get(username=options.user))
    client.get(options.path)
    with CaptureQueriesContext(connection) as captured:
        started = time.perf_counter()
        response = client.get(options.path)
        took = time.perf_counter() - started
    print(f"{options.path}: {response.status_code}, {took * 1000:.1f} ms, ", end="")
    print(f"{len(captured)} queries")
    queries = sorted(captured.captured_queries, key=lambda q: -float(q["time"]))
    for query in queries[:8]:
        print(f"  {float(query['time']) * 1000:7.1f} ms  {query['sql'][:160]}")
    profile = cProfile.Profile()
    profile.enable()
    for _ in range(options.requests):
        client.get(options.path)
    profile.disable()
    out = io.StringIO()
    pstats.Stats(profile, stream=out).sort_stats("cumulative").print_stats(options.top)
    print(out.getvalue())


if __name__ == "__main__":
    main()
