"""How fast the party seed writes the province, and what the 2023 statistics read back.

    uv run python bench/seed_party.py [--scale province|demo] [--today 2026-11-25]

Runs against a fresh temporary SQLite file (nothing under ``var/`` is touched), seeds with
``seeding.execute`` (every generator: the party's needs the org's units and officers) and
prints seconds per app, seconds and rows per second for each step of the party generator,
then the 2023 counts of organisational life by kind read back from the database with plain
ORM aggregates — the figures the seed reports for 2023 should come out — and, measured in the
same run inside a transaction that is rolled back, how long ``Activity.objects.create`` one
row at a time takes for a 2,000-activity sample, extrapolated to every activity, against
``bulk_create`` of the same sample. Prints figures only; it asserts nothing.
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
SEED_FIGURES_2023 = {
    "core_group_study": 296,
    "leader_lecture_main": 111,
    "leader_lecture_member": 431,
    "themed_day": 6_315,
    "life_meeting": 1_161,
    "三会一课": 14_285,
}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", choices=("province", "demo"), default="province")
    parser.add_argument(
        "--today", type=dt.date.fromisoformat, default=None, help="default: the real today"
    )
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="tongxin-bench-") as tmp:
        setup_django(Path(tmp))
        from django.db.models import Count

        from tongxin import seeding
        from tongxin.party.models import THREE_MEETINGS_ONE_LECTURE, Activity

        ctx = seeding.SeedContext(scale=args.scale, seed=2023, quiet=True, today=args.today)
        started = time.perf_counter()
        per_app = seeding.execute(ctx)
        total = time.perf_counter() - started
        timings, counts = ctx.data["timings"], ctx.data["row_counts"]

        print(f"{args.scale} seed on SQLite, today = {ctx.today}\n")
        print(f"{'step':<46}{'rows':>10}{'seconds':>10}{'rows/s':>12}")
        print("-" * 78)
        for label, seconds in per_app.items():
            print(f"{'generator ' + label:<46}{'':>10}{seconds:>10.2f}")
        print(f"{'seeding.execute, all generators':<46}{'':>10}{total:>10.2f}")
        steps = (
            ("party: plan the structure (pure Python)", "party.plan", None),
            ("party: organisations", "party.orgs", "party.orgs"),
            ("party: members (+ seats)", "party.members", "party.members"),
            ("party: activities, plan (pure Python)", "party.activities.plan", None),
            ("party: activities, bulk_create", "party.activities", "party.activities"),
            ("party: activities, created_at UPDATE", "party.activities.stamp", None),
            ("party: attendance rows", "party.attendance", "party.attendance"),
            ("party: study records (+ participants)", "party.study", "party.study"),
            ("party: dues payments", "party.dues", "party.dues"),
        )
        for label, timing, count in steps:
            seconds = timings[timing]
            if count is None:
                print(f"{'  ' + label:<46}{'':>10}{seconds:>10.2f}")
            else:
                rows = counts[count]
                print(f"  {label:<44}{rows:>10,}{seconds:>10.2f}{rows / seconds:>12,.0f}")
        print(
            f"  {'(seats / study participants)':<44}"
            f"{counts['party.seats']:>10,} / {counts['party.study_participants']:,}"
        )
        print("-" * 78)

        print("\n2023 organisational life read back from the database:")
        by_kind = dict(
            Activity.objects.filter(held_on__year=2023)
            .values("kind")
            .annotate(n=Count("id"))
            .values_list("kind", "n")
        )
        three = sum(by_kind.get(str(k), 0) for k in THREE_MEETINGS_ONE_LECTURE)
        print(f"  {'kind':<26}{'2023':>8}{'seed':>8}")
        for kind in sorted(by_kind):
            seed = SEED_FIGURES_2023.get(kind, "")
            print(f"  {kind:<26}{by_kind[kind]:>8,}{seed:>8}")
        print(f"  {'三会一课 (4 kinds)':<24}{three:>8,}{SEED_FIGURES_2023['三会一课']:>8}")
        by_2022 = dict(
            Activity.objects.filter(held_on__year=2022)
            .values("kind")
            .annotate(n=Count("id"))
            .values_list("kind", "n")
        )
        three_2022 = sum(by_2022.get(str(k), 0) for k in THREE_MEETINGS_ONE_LECTURE)
        print("\n2022 for comparison:", {**by_2022, "三会一课": three_2022})

        activities = counts["party.activities"]
        from tongxin.party.models import Activity

        per_row = reinsert_sample(Activity, sample=SAMPLE, bulk=False)
        bulk_sample = reinsert_sample(Activity, sample=SAMPLE, bulk=True, batch_size=5000)
        per_row_all = per_row / SAMPLE * activities
        print()
        print(
            f"{'activities, bulk_create, 2,000 sample':<46}{SAMPLE:>10,}{bulk_sample:>10.2f}"
            f"{SAMPLE / bulk_sample:>12,.0f}"
        )
        print(
            f"{'activities, per-row create, 2,000 sample':<46}{SAMPLE:>10,}{per_row:>10.2f}"
            f"{SAMPLE / per_row:>12,.0f}"
        )
        print(
            f"{'activities, per-row create, extrapolated':<46}{activities:>10,}{per_row_all:>10.2f}"
        )
        print()
        print(f"per-row / bulk (2,000 sample):              {per_row / bulk_sample:6.1f}x")
        print(
            "per-row extrapolated / seed's activity step: "
            f"{per_row_all / timings['party.activities']:6.1f}x"
        )
        print("(per-row inserts measured inside one transaction, as the seed runs)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
