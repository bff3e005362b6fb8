"""Time the case export and import, with each command's peak memory.

    BENCH_SOURCE=postgres://postgres@127.0.0.1:5432/msp_bench_large \
    BENCH_TARGET=postgres://postgres@127.0.0.1:5432/msp_bench_import \
        .venv/bin/python benchmarks/import_cases.py --file /tmp/bench_export.jsonl

Exports BENCH_SOURCE to --file (skip with --skip-export to reuse a file),
then imports it into BENCH_TARGET, which must be an empty, migrated
database (``createdb``, then ``manage.py migrate``). With ``--concerns N``
only the first N concerns are imported, with their people and enquiries (a
consistent slice written next to --file), for a shorter run to extrapolate
from. Each command runs in its own process; the script prints its wall
time and peak resident memory. Target: 1,000,000 concerns in under 15
minutes, with memory flat (not growing with the file).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def run(arguments: list[str], database_url: str) -> tuple[float, float]:
    """Run ``manage.py`` with ``arguments``: (seconds, peak RSS in MB)."""
    env = {
        "DEBUG": "false",
        "SECRET_KEY": "benchmark-only-" + "b3nch" * 10,
        "ALLOWED_HOSTS": "localhost",
        **os.environ,
        "DATABASE_URL": database_url,
    }
    started = time.perf_counter()
    with tempfile.TemporaryFile("w+") as errors:
        process = subprocess.Popen(  # noqa: S603 - this project's own manage.py
            [sys.executable, "-W", "ignore", str(ROOT / "manage.py"), *arguments],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=errors,
        )
        # wait4, not wait(): it also gives this one child's peak memory.
        _, status, usage = os.wait4(process.pid, 0)
        process.returncode = os.waitstatus_to_exitcode(status)
        took = time.perf_counter() - started
        if process.returncode:
            errors.seek(0)
            sys.exit(
                f"manage.py {' '.join(arguments)} failed:\n{errors.read()[-2000:]}"
            )
    return took, usage.ru_maxrss / 1024


def slice_file(path: Path, concerns: int) -> tuple[Path, dict[str, int]]:
    """The first ``concerns`` concerns with their people and enquiries."""
    wanted_concerns: set[str] = set()
    wanted_people: set[str] = set()
    with path.open("rb") as stream:
        for line in stream:
            if b'"concern"' not in line[:40]:
                continue
            record = json.loads(line)
            if record.get("record") != "concern":
                continue
            wanted_concerns.add(record["ref"])
            wanted_people.add(record["person"])
            if len(wanted_concerns) >= concerns:
                break
    target = path.with_name(f"{path.stem}-{concerns}-concerns.jsonl")
    counts = {"person": 0, "concern": 0, "enquiry": 0}
    with path.open("rb") as stream, target.open("wb") as out:
        for line in stream:
            record = json.loads(line)
            kind = record.get("record")
            keep = (
                (kind == "person" and record["ref"] in wanted_people)
                or (kind == "concern" and record["ref"] in wanted_concerns)
                or (kind == "enquiry" and record.get("concern") in wanted_concerns)
            )
            if keep:
                out.write(line)
                counts[kind] += 1
    return target, counts


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--file", required=True, type=Path)
    parser.add_argument("--skip-export", action="store_true")
    parser.add_argument("--concerns", type=int, default=0)
    options = parser.parse_args()
    source, target = os.environ.get("BENCH_SOURCE"), os.environ.get("BENCH_TARGET")
    if not target or (not source and not options.skip_export):
        sys.exit("Set BENCH_TARGET (and BENCH_SOURCE unless --skip-export).")
    if not options.skip_export:
        took, peak = run(["export_cases", "--output", str(options.file)], source)
        size = options.file.stat().st_size / 1024 / 1024
        print(f"export: {took:.1f} s, peak RSS {peak:.0f} MB, file {size:.0f} MB")
    path = options.file
    if options.concerns:
        path, counts = slice_file(options.file, options.concerns)
        print(f"slice: {counts} -> {path}")
    took, peak = run(["import_cases", str(path)], target)
    print(f"import: {took:.1f} s ({took / 60:.1f} min), peak RSS {peak:.0f} MB")


if __name__ == "__main__":
    main()
