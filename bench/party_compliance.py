"""Benchmark: organisational-life compliance and statistics at province scale.

    uv run python bench/party_compliance.py [--year 2023] [--sample 40]

Seeds the province (org + party generators) into a throw-away SQLite file, then measures:

1. ``reports.compliance_report`` for all 915 organisations over a year (a handful of queries,
   the pure engine in memory) against the obvious alternative measured in the same run: a
   per-organisation ORM loop asking ``COUNT(*)`` of matching activities for every requirement
   and period (timed on a sample of organisations, extrapolated to all);
2. ``reports.party_figures`` for the province and a year (the statistics), and the statistics
   page rendered through Django's test client as the provincial administrator, against the
   bare health view in the same client.

It prints figures; it asserts nothing about time.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path


def timed(fn, repeat: int = 3) -> float:
    samples = []
    for _ in range(repeat):
        started = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - started)
    return statistics.median(samples)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--year", type=int, default=2023)
    parser.add_argument("--sample", type=int, default=40)
    args = parser.parse_args()
    var_dir = Path(tempfile.mkdtemp(prefix="tongxin-bench-"))
    os.environ.update(TONGXIN_VAR_DIR=str(var_dir), DJANGO_SETTINGS_MODULE="tongxin.settings")
    os.environ.pop("DATABASE_URL", None)
    os.environ["ALLOWED_HOSTS"] = "testserver"
    try:
        import django

        django.setup()
        from django.core.management import call_command

        call_command("migrate", verbosity=0)
        from tongxin import seeding

        started = time.perf_counter()
        seeding.run(scale="province", quiet=True)
        print(f"province seeded in {time.perf_counter() - started:.1f} s")
        run(args)
    finally:
        shutil.rmtree(var_dir, ignore_errors=True)


def run(args) -> None:
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from tongxin.org.models import User
    from tongxin.org.scope import WHOLE_PROVINCE
    from tongxin.party import compliance, reports
    from tongxin.party.models import Activity, PartyOrganization

    start, end = dt.date(args.year, 1, 1), dt.date(args.year, 12, 31)
    today = dt.date(args.year + 1, 1, 15)
    orgs = list(PartyOrganization.objects.order_by("path"))
    activities = Activity.objects.filter(held_on__range=(start, end)).count()

    def engine():
        return reports.compliance_report(
            WHOLE_PROVINCE, root=None, start=start, end=end, today=today
        )

    with CaptureQueriesContext(connection) as queries:
        report = engine()
    query_count = len(queries)
    engine_s = timed(engine)
    requirements = reports.requirements()
    sample = orgs[:: max(1, len(orgs) // args.sample)][: args.sample]

    def orm_loop():
        for org in sample:
            for requirement in requirements:
                if requirement.org_kind != org.kind:
                    continue
                for period in compliance.periods(requirement.frequency, start, end):
                    Activity.objects.filter(
                        organization=org,
                        kind=requirement.kind,
                        held_on__range=(period.start, period.end),
                    ).count()

    loop_sample_s = timed(orm_loop, repeat=1)
    loop_s = loop_sample_s * len(orgs) / len(sample)
    print(
        f"\n[1] compliance of {len(orgs)} organisations for {args.year} "
        f"({activities:,} activities, {len(report.statuses):,} statuses)"
    )
    print(
        f"    compliance_report (set-based + pure engine): {engine_s * 1000:9.1f} ms "
        f"({query_count} queries); province rate {report.rate:.1%}"
    )
    print(
        f"    baseline: per-organisation ORM loop         : {loop_s * 1000:9.1f} ms "
        f"(measured on {len(sample)} organisations, extrapolated)"
    )
    print(f"    ratio baseline / engine                     : {loop_s / engine_s:9.1f}x")

    def figures():
        return reports.party_figures(WHOLE_PROVINCE, root=None, start=start, end=end)

    figures_s = timed(figures)
    client = Client()
    client.force_login(User.objects.get(username="admin"))
    page = f"/party/statistics/?year={args.year}"
    assert client.get(page).status_code == 200
    page_s = timed(lambda: client.get(page), repeat=5)
    bare_s = timed(lambda: client.get("/healthz/"), repeat=20)
    print(f"\n[2] statistics for the province, {args.year}")
    print(f"    party_figures (one year, the province)     : {figures_s * 1000:9.1f} ms")
    print(f"    /party/statistics/ page (test client)      : {page_s * 1000:9.1f} ms")
    print(f"    baseline: /healthz/ (bare view, same client): {bare_s * 1000:9.1f} ms")
    print(f"    ratio page / bare                          : {page_s / bare_s:9.1f}x")


if __name__ == "__main__":
    sys.exit(main())
