"""Time the SAC return for one year on two databases, in the same run.

    BENCH_LARGE=postgres://postgres@127.0.0.1:5432/msp_bench_large \
    BENCH_ONE_YEAR=postgres://postgres@127.0.0.1:5432/msp_bench_one_year \
        .venv/bin/python benchmarks/sac_return.py --year 2025-26 --repeat 3

The large database holds 10 years of history (about 1,000,000 concerns);
the one-year database holds about the same volume for a single year. The
ratio shows whether a year's return grows with history (target: <= 1.5).
Each database is timed in a fresh process (Django binds one database per
process); the script runs them alternately and reports medians.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time

from _django import setup


def time_one(year: str) -> float:
    setup()
    from django.db import connection

    from outcomes.sac import compute_sac_return

    connection.ensure_connection()
    started = time.perf_counter()
    cells = compute_sac_return(year)
    took = time.perf_counter() - started
    assert sum(cells.values()) > 0, "the return is empty: wrong year or database?"
    return took


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--year", required=True)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    options = parser.parse_args()
    if options.child:
        print(json.dumps(time_one(options.year)))
        return
    urls = {
        "large": os.environ.get("BENCH_LARGE"),
        "one_year": os.environ.get("BENCH_ONE_YEAR"),
    }
    if not all(urls.values()):
        sys.exit("Set BENCH_LARGE and BENCH_ONE_YEAR database URLs.")
    times: dict[str, list[float]] = {name: [] for name in urls}
    for _ in range(options.repeat):
        for name, url in urls.items():
            output = subprocess.run(  # noqa: S603 - this same script
                [sys.executable, __file__, "--year", options.year, "--child"],
                env={**os.environ, "DATABASE_URL": url},
                capture_output=True,
                text=True,
                check=True,
            ).stdout
            times[name].append(json.loads(output.strip().splitlines()[-1]))
    large = statistics.median(times["large"])
    one = statistics.median(times["one_year"])
    print(
        f"sac_return {options.year}: 10 years of history {large:.2f} s (median of {options.repeat})"
    )
    print(f"sac_return {options.year}: 1 year of history   {one:.2f} s")
    print(f"ratio 10 years / 1 year: {large / one:.2f}")


if __name__ == "__main__":
    main()
