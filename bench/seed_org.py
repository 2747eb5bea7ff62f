"""How fast the province-scale seed writes, against per-row inserts of the same officers.

    uv run python bench/seed_org.py

Runs against a fresh temporary SQLite file (nothing under ``var/`` is touched), seeds the
province with ``seeding.execute`` and prints seconds per app, rows per second for units and
officers, and — measured in the same run, inside a transaction that is rolled back — how long
``Officer.objects.create`` one row at a time takes for a 2,000-officer sample, extrapolated to
every officer. Prints figures only; it asserts nothing about time.
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

from common import reinsert_sample, setup_django

SAMPLE = 2_000


def main() -> int:
    with tempfile.TemporaryDirectory(prefix="tongxin-bench-") as tmp:
        setup_django(Path(tmp))
        from tongxin import seeding
        from tongxin.org.models import Officer, Unit

        ctx = seeding.SeedContext(scale="province", seed=2023, quiet=True)
        started = time.perf_counter()
        per_app = seeding.execute(ctx)
        total = time.perf_counter() - started
        phases = ctx.data["timings"]
        units, officers = Unit.objects.count(), Officer.objects.count()

        from tongxin.org.models import Officer

        per_row = reinsert_sample(Officer, sample=SAMPLE, bulk=False)
        bulk_sample = reinsert_sample(Officer, sample=SAMPLE, bulk=True, batch_size=2000)
        per_row_all = per_row / SAMPLE * officers

        print(f"province seed on SQLite ({units:,} units, {officers:,} officers)\n")
        print(f"{'step':<44}{'rows':>8}{'seconds':>10}{'rows/s':>12}")
        print("-" * 74)
        for label, seconds in per_app.items():
            print(f"{'generator ' + label:<44}{'':>8}{seconds:>10.2f}")
        print(f"{'seeding.execute, all generators':<44}{'':>8}{total:>10.2f}")
        print(f"{'  org: plan (pure Python) + roles':<44}{'':>8}{phases['org.plan']:>10.2f}")
        for label, rows, seconds in (
            ("  org: units, bulk_create", units, phases["org.units"]),
            ("  org: officers, bulk_create", officers, phases["org.officers"]),
        ):
            print(f"{label:<44}{rows:>8,}{seconds:>10.2f}{rows / seconds:>12,.0f}")
        print(f"{'  org: demo users (one argon2 hash)':<44}{'':>8}{phases['org.users']:>10.2f}")
        print("-" * 74)
        print(
            f"{'officers, bulk_create, 2,000 sample':<44}{SAMPLE:>8,}{bulk_sample:>10.2f}"
            f"{SAMPLE / bulk_sample:>12,.0f}"
        )
        print(
            f"{'officers, per-row create, 2,000 sample':<44}{SAMPLE:>8,}{per_row:>10.2f}"
            f"{SAMPLE / per_row:>12,.0f}"
        )
        print(f"{'officers, per-row create, extrapolated':<44}{officers:>8,}{per_row_all:>10.2f}")
        print()
        print(f"per-row / bulk (2,000 sample):        {per_row / bulk_sample:6.1f}x")
        print(f"per-row extrapolated / seed's bulk:   {per_row_all / phases['org.officers']:6.1f}x")
        print("(per-row inserts measured inside one transaction, as the seed runs; with a commit")
        print(" per row, as autocommit would do, they are slower still)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
