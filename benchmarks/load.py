"""Throughput and soak against gunicorn on 127.0.0.1 only, bounded in time.

Starts gunicorn (2 workers) for the database in DATABASE_URL, signs a demo
user in by creating a session directly, then runs N client threads against
a page and against /healthz for the same duration, and prints requests per
second, error count, median and 95th percentile, and the ratio to /healthz.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/msp_bench_large \
        .venv/bin/python benchmarks/load.py --path / --clients 8 --seconds 30

Soak: --rate R (requests per second in total, paced) --seconds 1800 runs
the same two workers for the whole run (no recycling after max_requests), and
samples the workers' resident memory at the start, every tenth of the run
and at the end (growth is reported from the end of the first tenth, after
warm-up, and from the cold start), and prints the p95 of the first and last
tenth of the run (drift).
"""

from __future__ import annotations

import argparse
import http.client
import os
import signal
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

from _django import ROOT, percentile, setup

HOST, PORT = "127.0.0.1", 8765


def session_cookie(username: str) -> str:
    from django.conf import settings
    from django.contrib.auth import (
        BACKEND_SESSION_KEY,
        HASH_SESSION_KEY,
        SESSION_KEY,
        get_user_model,
    )
    from django.contrib.sessions.backends.db import SessionStore

    user = get_user_model().objects.get(username=username)
    store = SessionStore()
    store[SESSION_KEY] = str(user.pk)
    store[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    store[HASH_SESSION_KEY] = user.get_session_auth_hash()
    from msp.signals import SESSION_LAST_SEEN, SESSION_LOGIN_AT

    store[SESSION_LOGIN_AT] = store[SESSION_LAST_SEEN] = time.time()
    store.create()
    return f"{settings.SESSION_COOKIE_NAME}={store.session_key}"


def start_gunicorn(recycle_workers: bool = True) -> subprocess.Popen:
    """gunicorn as in production: hashed static files collected first.

    A soak runs without recycling workers (production restarts each worker
    after ``max_requests``), so that memory growth, if any, shows.
    """
    env = dict(os.environ)
    if not recycle_workers:
        env["GUNICORN_MAX_REQUESTS"] = "0"
    env.setdefault("STATIC_ROOT", str(ROOT / "benchmarks" / "results" / "static"))
    subprocess.run(  # noqa: S603 - our own manage.py
        [sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"],
        cwd=ROOT,
        env=env,
        check=True,
    )
    process = subprocess.Popen(  # noqa: S603 - our own server, loopback only
        [
            sys.executable,
            "-m",
            "gunicorn",
            "msp.wsgi",
            "-c",
            str(ROOT / "msp" / "gunicorn_conf.py"),
            "--bind",
            f"{HOST}:{PORT}",
            "--workers",
            "2",
            "--access-logfile",
            "/dev/null",
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env=env,
    )
    for _ in range(100):
        try:
            connection = http.client.HTTPConnection(HOST, PORT, timeout=1)
            connection.request("GET", "/healthz")
            if connection.getresponse().status == 200:
                return process
        except OSError:
            time.sleep(0.2)
    process.kill()
    sys.exit("gunicorn did not start")


def worker_rss_kib(master: int) -> list[int]:
    sizes = []
    for child in Path("/proc").iterdir():
        if not child.name.isdigit():
            continue
        try:
            status = (child / "status").read_text()
        except OSError:
            continue
        if f"PPid:\t{master}\n" in status:
            for line in status.splitlines():
                if line.startswith("VmRSS:"):
                    sizes.append(int(line.split()[1]))
    return sizes


def run(path: str, cookie: str, clients: int, seconds: float, rate: float | None):
    latencies: list[tuple[float, float]] = []
    errors = 0
    lock = threading.Lock()
    deadline = time.monotonic() + seconds
    interval = clients / rate if rate else 0.0

    def client_loop() -> None:
        nonlocal errors
        connection = http.client.HTTPConnection(HOST, PORT, timeout=10)
        next_at = time.monotonic()
        while time.monotonic() < deadline:
            started = time.monotonic()
            try:
                connection.request(
                    "GET", path, headers={"Cookie": cookie, "Host": "127.0.0.1"}
                )
                response = connection.getresponse()
                response.read()
                ok = response.status == 200
            except (OSError, http.client.HTTPException):
                ok = False
                connection = http.client.HTTPConnection(HOST, PORT, timeout=10)
            elapsed = time.monotonic() - started
            with lock:
                latencies.append((started, elapsed))
                errors += 0 if ok else 1
            if interval:
                next_at += interval
                time.sleep(max(0.0, next_at - time.monotonic()))

    threads = [threading.Thread(target=client_loop) for _ in range(clients)]
    began = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    took = time.monotonic() - began
    values = [elapsed for _, elapsed in latencies]
    return {
        "requests": len(values),
        "errors": errors,
        "rps": len(values) / took,
        "median_ms": statistics.median(values) * 1000,
        "p95_ms": percentile(values, 0.95) * 1000,
        "samples": latencies,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--path", default="/")
    parser.add_argument("--user", default="practitioner")
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--seconds", type=float, default=30)
    parser.add_argument(
        "--rate", type=float, default=None, help="soak: total requests/s"
    )
    options = parser.parse_args()
    if not 1 <= options.seconds <= 3600:
        sys.exit("--seconds must be between 1 and 3600")
    setup()
    cookie = session_cookie(options.user)
    server = start_gunicorn(recycle_workers=not options.rate)
    try:
        if options.rate:
            before = sum(worker_rss_kib(server.pid))
            memory: list[int] = []
            stop = threading.Event()

            def sample_memory() -> None:
                # Workers' memory every tenth of the run, to tell warm-up
                # (imports, caches filling) from growth that goes on.
                while not stop.wait(options.seconds / 10):
                    memory.append(sum(worker_rss_kib(server.pid)))

            sampler = threading.Thread(target=sample_memory, daemon=True)
            sampler.start()
            result = run(
                options.path, cookie, options.clients, options.seconds, options.rate
            )
            stop.set()
            after = sum(worker_rss_kib(server.pid))
            warm = memory[0] if memory else before
            samples = sorted(result["samples"])
            tenth = max(1, len(samples) // 10)
            first = percentile([e for _, e in samples[:tenth]], 0.95) * 1000
            last = percentile([e for _, e in samples[-tenth:]], 0.95) * 1000
            print(
                f"soak {options.path}: {result['requests']} requests, {result['errors']} errors, "
                f"{result['rps']:.1f} req/s, p95 first tenth {first:.1f} ms, last tenth {last:.1f} ms "
                f"(drift {100 * (last - first) / first:+.1f}%)"
            )
            print(
                f"worker RSS: {before} KiB at start, {warm} KiB after the first tenth, "
                f"{after} KiB at the end; growth after warm-up "
                f"{100 * (after - warm) / max(1, warm):+.1f}% "
                f"(from the cold start {100 * (after - before) / max(1, before):+.1f}%); "
                f"every tenth: {memory}"
            )
            return
        page = run(options.path, cookie, options.clients, options.seconds, None)
        health = run("/healthz", cookie, options.clients, options.seconds, None)
        for name, result in ((options.path, page), ("/healthz", health)):
            print(
                f"{name}: {result['requests']} requests, {result['errors']} errors, "
                f"{result['rps']:.1f} req/s, median {result['median_ms']:.1f} ms, "
                f"p95 {result['p95_ms']:.1f} ms"
            )
        print(f"ratio page/healthz throughput: {page['rps'] / health['rps']:.2f}")
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=30)


if __name__ == "__main__":
    main()
