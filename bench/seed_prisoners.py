"""How fast the prisoners seed writes the province.

    uv run python bench/seed_prisoners.py [--scale province|demo] [--today 2024-06-15]

Runs against a fresh temporary SQLite file (nothing under ``var/`` is touched). The prisoners
generator needs only the org generator's units and officers, so this runs those two
generators (``tongxin.org.demo`` then ``tongxin.prisoners.demo``) in one transaction, as
``seeding.execute`` would, and skips the others (the party seed alone takes a minute). Prints
the seconds of each generator, seconds and rows per second for each step of the prisoners
generator, and — measured in the same run, inside a transaction that is rolled back — how
long ``PointsEntry.objects.create`` one row at a time takes for a 2,000-entry sample,
extrapolated to every entry, against ``bulk_create`` of the same sample. Prints figures only;
it asserts nothing.
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
import tempfile
import time
from pathlib import Path

from common import reinsert_sample, setup_django

SAMPLE = 2_000


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", choices=("province", "demo"), default="province")
    parser.add_argument(
        "--today", type=dt.date.fromisoformat, default=None, help="default: the real today"
    )
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="tongxin-bench-") as tmp:
        setup_django(Path(tmp))
        from django.db import transaction

        from tongxin import seeding
        from tongxin.org import demo as org_demo
        from tongxin.prisoners import demo as prisoners_demo
        from tongxin.prisoners.models import PointsEntry

        ctx = seeding.SeedContext(scale=args.scale, seed=2023, quiet=True, today=args.today)
        per_app: dict[str, float] = {}
        with transaction.atomic():
            for label, generate in (
                ("org", org_demo.generate),
                ("prisoners", prisoners_demo.generate),
            ):
                started = time.perf_counter()
                with transaction.atomic():
                    generate(ctx)
                per_app[label] = time.perf_counter() - started
        timings, counts = ctx.data["timings"], ctx.data["row_counts"]

        print(f"{args.scale} seed on SQLite, today = {ctx.today}\n")
        print(f"{'step':<46}{'rows':>10}{'seconds':>10}{'rows/s':>12}")
        print("-" * 78)
        for label, seconds in per_app.items():
            print(f"{'generator ' + label:<46}{'':>10}{seconds:>10.2f}")
        steps = (
            ("prisoners: plan (pure Python)", "prisoners.plan", None),
            ("prisoners: prisoners", "prisoners.prisoners", "prisoners.prisoners"),
            ("prisoners: sentence changes + jobs", "prisoners.history", None),
            ("prisoners: rewards, punishments, violations", "prisoners.conduct", None),
            ("prisoners: points entries", "prisoners.points", "prisoners.points"),
        )
        written = 0
        for label, timing, count in steps:
            seconds = timings[timing]
            if count is None:
                print(f"{'  ' + label:<46}{'':>10}{seconds:>10.2f}")
            else:
                rows = counts[count]
                print(f"  {label:<44}{rows:>10,}{seconds:>10.2f}{rows / seconds:>12,.0f}")
        for key in (
            "prisoners.prisoners",
            "prisoners.changes",
            "prisoners.jobs",
            "prisoners.rewards",
            "prisoners.punishments",
            "prisoners.violations",
            "prisoners.points",
        ):
            written += counts[key]
        total = per_app["prisoners"]
        print(
            f"  {'all rows of the prisoners generator':<44}{written:>10,}{total:>10.2f}"
            f"{written / total:>12,.0f}"
        )
        print(
            "  ("
            + ", ".join(
                f"{key.split('.')[1]} {counts[key]:,}"
                for key in (
                    "prisoners.changes",
                    "prisoners.jobs",
                    "prisoners.rewards",
                    "prisoners.punishments",
                    "prisoners.violations",
                )
            )
            + ")"
        )
        print("-" * 78)

        entries = counts["prisoners.points"]
        per_row = reinsert_sample(PointsEntry, sample=SAMPLE, bulk=False)
        bulk_sample = reinsert_sample(PointsEntry, sample=SAMPLE, bulk=True, batch_size=5000)
        per_row_all = per_row / SAMPLE * entries
        print(
            f"{'points entries, bulk_create, 2,000 sample':<46}{SAMPLE:>10,}{bulk_sample:>10.2f}"
            f"{SAMPLE / bulk_sample:>12,.0f}"
        )
        print(
            f"{'points entries, per-row create, 2,000 sample':<46}{SAMPLE:>10,}{per_row:>10.2f}"
            f"{SAMPLE / per_row:>12,.0f}"
        )
        print(
            f"{'points entries, per-row create, extrapolated':<46}{entries:>10,}"
            f"{per_row_all:>10.2f}"
        )
        print("(per-row inserts measured inside one transaction, as the seed runs)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
