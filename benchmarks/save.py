"""Median time of an edit saved with a version check and an audit row.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/msp_bench_large \
        .venv/bin/python benchmarks/save.py --repeat 200
"""

from __future__ import annotations

import argparse
import statistics
import time

from _django import percentile, setup


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=200)
    options = parser.parse_args()
    setup()
    from django.contrib.auth import get_user_model

    from enquiries.models import Concern
    from msp.concurrency import save_changes

    user = get_user_model().objects.get(username="practitioner")
    concern = Concern.objects.order_by("-id").first()
    times = []
    for index in range(options.repeat):
        fresh = Concern.objects.get(pk=concern.pk)
        started = time.perf_counter()
        save_changes(
            user=user,
            instance=fresh,
            expected_version=fresh.version,
            changes={"immediate_actions": f"Benchmark edit {index}"},
            summary="Benchmark edit",
        )
        times.append(time.perf_counter() - started)
    print(
        f"save with version check and audit: median {statistics.median(times) * 1000:.2f} ms, "
        f"p95 {percentile(times, 0.95) * 1000:.2f} ms over {options.repeat} saves"
    )


if __name__ == "__main__":
    main()
