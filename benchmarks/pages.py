"""Server time of the main pages on two databases, measured in the same run.

    BENCH_SMALL=postgres://postgres@127.0.0.1:5432/msp_bench_small \
    BENCH_LARGE=postgres://postgres@127.0.0.1:5432/msp_bench_large \
        .venv/bin/python benchmarks/pages.py --requests 60

Each page is requested through Django's test client in a process bound to
one database (no network, so this is the server's own time: routing,
access checks, queries, templates). The two databases are measured
alternately in fresh processes; the script prints each page's median and
95th percentile, the ratio of the large median to the small median, and
whether the page meets its target (issue 21): pages as served, ratio <= 1.2
and p95 <= 2 x median; report first views and downloads ("first view:",
counted afresh), <= 300 ms at 1M and ratio <= 1.5. ``/healthz`` is timed in
the same run as an anchor for the machine's speed.

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
    """(name, user, path) for each page and role, chosen from the data present.

    Every role's home page, team queue, search, person and enquiry pages;
    every report and export for the roles that may read reports; the audit
    pages for the auditor (auditors read case records only there, so the
    case pages answer them 404 by design and are not timed for them).
    Names starting with ``FRESH`` are timed with kept figures dropped before
    every request, as after any change to a case record (one person's
    records: that person is marked to be counted again for the SAC return's
    kept counts, and the month of the year's last conclusion for the
    dashboard's monthly figures); downloads always count afresh, but for the SAC return's
    tables SG1-SG4, which they read from the kept counts.
    """
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
    undecided, in_a_pattern = _undecided_concerns()
    year = os.environ.get("BENCH_YEAR") or _last_complete_year()
    person = reverse("enquiries:person_detail", args=[busy_person])
    case_pages = [
        ("home", reverse("home")),
        ("team queue", reverse("enquiries:queue", args=["team"])),
        ("search", reverse("enquiries:person_search") + "?name=Smith"),
        ("person page", person),
        ("chronology", reverse("enquiries:chronology", args=[busy_person])),
        ("enquiry page", reverse("enquiries:enquiry_detail", args=[enquiry])),
    ]
    query = f"?year={year}"
    reports = [
        ("dashboard", reverse("outcomes:dashboard") + query),
        ("SAC page", reverse("outcomes:sac_return") + query),
        ("exceptions", reverse("outcomes:exceptions") + query),
        ("equality", reverse("outcomes:equality") + query),
        ("board reports", reverse("outcomes:board") + query),
    ]
    fresh_reports = [
        ("dashboard", reverse("outcomes:dashboard") + query),
        ("SAC page", reverse("outcomes:sac_return") + query),
        ("exceptions", reverse("outcomes:exceptions") + query),
        ("equality", reverse("outcomes:equality") + query),
        ("dashboard CSV", reverse("outcomes:dashboard_csv") + query),
        ("equality CSV", reverse("outcomes:equality_csv") + query),
        ("SAC CSV", reverse("outcomes:sac_download_csv") + query),
        ("SAC XLSX", reverse("outcomes:sac_download_xlsx") + query),
        ("board reports", reverse("outcomes:board") + query),
        ("board pack XLSX", reverse("outcomes:board_xlsx") + query),
    ]
    found = [("/healthz (anchor)", "practitioner", reverse("healthz"))]
    for role in ("practitioner", "manager", "lead"):
        found += [(f"{role}: {name}", role, path) for name, path in case_pages]
        if role == "practitioner":
            found += [
                (
                    f"{role}: decision page",
                    role,
                    reverse("enquiries:concern_decision", args=[undecided]),
                ),
                (
                    f"{role}: decision page with a pattern",
                    role,
                    reverse("enquiries:concern_decision", args=[in_a_pattern]),
                ),
            ]
            continue
        found += [(f"{role}: {name}", role, path) for name, path in reports]
        found += [
            (f"{role}: {FRESH}{name}", role, path) for name, path in fresh_reports
        ]
    found += [
        ("auditor: home", "auditor", reverse("home")),
        ("auditor: audit log", "auditor", reverse("audit_log")),
        (
            "auditor: person's audit trail",
            "auditor",
            reverse("audit_person", args=[busy_person]),
        ),
    ]
    return found


FRESH = "first view: "


def _undecided_concerns() -> tuple[str, str]:
    """The team's newest concern awaiting a decision that is part of no
    pattern, and its newest one that is part of a pattern (issue 19: the
    decision page with its patterns panel; flags come from check_patterns or
    send_reminders).

    The sizes must do the same work to be compared: the 10k set may have no
    undecided concern in a pattern (its 16 undecided concerns in north made
    none), so if there is none, one is recorded, as a practitioner would
    through the service, for the adult of the team's newest pattern; the
    service's own pattern check adds it to the flag. Later runs find it.
    """
    import datetime

    from django.contrib.auth import get_user_model
    from django.db.models import Exists, OuterRef

    from enquiries.forms.concerns import ConcernCreateForm
    from enquiries.models import Concern
    from enquiries.models.patterns import PatternFlag, PatternFlagRecord, PatternRule
    from enquiries.services.people import record_concern

    undecided = Concern.objects.filter(
        team__code="north",
        status__in=[Concern.Status.RECEIVED, Concern.Status.INFORMATION_GATHERING],
    ).order_by("-received_on", "-id")
    flagged = Exists(PatternFlagRecord.objects.filter(concern=OuterRef("pk")))
    plain = undecided.exclude(flagged).values_list("reference", flat=True)[:1].get()
    patterned = undecided.filter(flagged).values_list("reference", flat=True).first()
    if patterned is None:
        flag = (
            PatternFlag.objects.filter(
                kind=PatternRule.Kind.ADULT, person__team__code="north"
            )
            .select_related("person")
            .order_by("-last_received_on", "-id")[:1]
            .get()
        )
        form = ConcernCreateForm(
            {
                "received_on": datetime.date.today().isoformat(),
                "received_via": "phone",
                "in_our_area": "on",
                "referrer_type": "health",
                "referrer_name": "Benchmark GP",
                "summary": "Another concern about the same adult (benchmark).",
                "adult_aware": "yes",
            }
        )
        if not form.is_valid():
            raise SystemExit(f"benchmark concern not valid: {form.errors}")
        data = dict(form.cleaned_data)
        for name in ("version", "adult_said", "adult_said_own_words"):
            data.pop(name, None)
        user = get_user_model().objects.get(username="practitioner")
        concern = record_concern(user=user, person=flag.person, data=data)
        if not PatternFlagRecord.objects.filter(concern=concern).exists():
            raise SystemExit("the benchmark concern joined no pattern")
        patterned = str(concern.reference)
    return str(plain), str(patterned)


def _last_complete_year() -> str:
    import datetime

    today = datetime.date.today()
    start = today.year - 1 if today.month >= 4 else today.year - 2
    return f"{start}-{str(start + 1)[2:]}"


def _year_start():
    import datetime

    start = _last_complete_year()[:4]
    return datetime.date(int(start), 4, 1)


def measure(requests: int, only: str = "") -> dict[str, list[float]]:
    setup()
    from django.contrib.auth import get_user_model
    from django.test import Client

    from enquiries.models import Concern, Enquiry
    from outcomes.figures import mark_months
    from outcomes.sac import forget_cached_returns
    from outcomes.sac_counts import mark

    # Someone with a concern in the year the reports show: a change to their
    # records marks them, and the next first view counts them again.
    changed_person = (
        Concern.objects.filter(received_on__gte=_year_start())
        .order_by("-pk")
        .values_list("person_id", flat=True)
        .first()
    )
    # ... and the month of the year's last conclusion, as a change to that
    # enquiry would mark it for the dashboard's monthly figures.
    changed_month = (
        Enquiry.objects.filter(
            status=Enquiry.Status.CLOSED,
            concluded_on__gte=_year_start(),
            concluded_on__lt=_year_start().replace(year=_year_start().year + 1),
        )
        .order_by("-concluded_on")
        .values_list("concluded_on", flat=True)
        .first()
    )
    results: dict[str, list[float]] = {}
    clients: dict[str, Client] = {}
    for name, username, path in pages():
        if only and only not in name and not name.startswith("/healthz"):
            continue
        if username not in clients:
            clients[username] = Client()
            clients[username].force_login(
                get_user_model().objects.get(username=username)
            )
        client = clients[username]
        client.get(path)  # warm caches and connections
        times = []
        for _ in range(requests):
            if FRESH in name:
                # As after a change to a case record: kept figures dropped,
                # and the person whose record changed marked to count again.
                forget_cached_returns()
                mark([changed_person])
                mark_months([changed_month])
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
    parser.add_argument(
        "--only", default="", help="time only the pages whose name contains this"
    )
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    options = parser.parse_args()
    if options.child:
        print(json.dumps(measure(options.requests, options.only)))
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
                    "--only",
                    options.only,
                    "--child",
                ],
                env={**os.environ, "DATABASE_URL": url},
                capture_output=True,
                text=True,
                check=True,
            ).stdout
            for page, values in json.loads(output.strip().splitlines()[-1]).items():
                times[size].setdefault(page, []).extend(values)
    width = max(len(page) for page in times["large"])
    print(
        f"{'page':<{width}} {'10k median':>11} {'1M median':>10} {'1M p95':>9}"
        f" {'ratio':>6} {'p95/med':>7}  target"
    )
    for page in times["large"]:
        small = statistics.median(times["small"][page]) * 1000
        large = statistics.median(times["large"][page]) * 1000
        p95 = percentile(times["large"][page], 0.95) * 1000
        ratio = large / small
        if FRESH in page:
            met = large <= 300 and ratio <= 1.5
        else:
            met = ratio <= 1.2 and p95 <= 2 * large
        print(
            f"{page:<{width}} {small:>8.1f} ms {large:>7.1f} ms {p95:>6.1f} ms"
            f" {ratio:>6.2f} {p95 / large:>7.2f}  {'met' if met else 'MISSED'}"
        )


if __name__ == "__main__":
    main()
