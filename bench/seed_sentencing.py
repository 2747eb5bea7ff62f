"""How fast the sentencing seed writes the province, and the figure it must produce.

    uv run python bench/seed_sentencing.py [--scale province|demo] [--today 2024-06-15]

Runs against a fresh temporary SQLite file (nothing under ``var/`` is touched): the org,
prisoners and sentencing generators in one transaction, as ``seeding.execute`` would, skipping
the others (the party seed alone takes a minute). Prints the seconds of each generator and of
the sentencing generator's steps, the rows it wrote, and — read back with plain ORM counts, as
the statistics would — the reduction cases proposed in 2022 and 2023 and their year-on-year
change, which the seed reports as 41.33%. Prints figures only; it asserts nothing.
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
import tempfile
import time
from pathlib import Path

from common import setup_django


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
        from django.db.models import Count

        from tongxin import seeding
        from tongxin.org import demo as org_demo
        from tongxin.prisoners import demo as prisoners_demo
        from tongxin.sentencing import demo as sentencing_demo
        from tongxin.sentencing.models import Case

        ctx = seeding.SeedContext(scale=args.scale, seed=2023, quiet=True, today=args.today)
        per_app: dict[str, float] = {}
        with transaction.atomic():
            for label, generate in (
                ("org", org_demo.generate),
                ("prisoners", prisoners_demo.generate),
                ("sentencing", sentencing_demo.generate),
            ):
                started = time.perf_counter()
                with transaction.atomic():
                    generate(ctx)
                per_app[label] = time.perf_counter() - started
        timings, counts = ctx.data["timings"], ctx.data["row_counts"]

        print(f"{args.scale} seed on SQLite, today = {ctx.today}\n")
        for label, seconds in per_app.items():
            print(f"{'generator ' + label:<40}{seconds:>10.2f} s")
        for key in ("read", "plan", "verdicts", "write"):
            print(f"{'  sentencing: ' + key:<40}{timings['sentencing.' + key]:>10.2f} s")
        print()
        for key in ("cases", "steps", "reviewers", "alerts", "objections", "users"):
            print(f"{'  rows: ' + key:<40}{counts['sentencing.' + key]:>10,}")
        unlinked = ctx.data["sentencing_unlinked"]
        print(f"{'  rulings without a case':<40}{sum(unlinked.values()):>10,}", end="")
        print("  (" + ", ".join(f"{k} {v:,}" for k, v in sorted(unlinked.items())) + ")")
        print()

        print("cases by kind and year proposed (ORM count):")
        table = Case.objects.values_list("kind", "proposed_on__year").annotate(n=Count("id"))
        for kind, year, n in sorted(table):
            print(f"  {kind:<10}{year:>6}{n:>8,}")
        print("open cases by status:")
        for status, n in sorted(
            Case.objects.exclude(status="closed").values_list("status").annotate(n=Count("id"))
        ):
            print(f"  {status:<22}{n:>6,}")
        print("closed cases by outcome:")
        for outcome, n in sorted(
            Case.objects.filter(status="closed").values_list("outcome").annotate(n=Count("id"))
        ):
            print(f"  {outcome:<22}{n:>6,}")

        reductions = Case.objects.filter(kind="reduction")
        y2022 = reductions.filter(proposed_on__year=2022).count()
        y2023 = reductions.filter(proposed_on__year=2023).count()
        change = round((y2023 / y2022 - 1) * 100, 2) if y2022 else None
        print(f"\nreduction cases proposed in 2022: {y2022:,}; in 2023: {y2023:,}", end="")
        print(f"; change {change}%")
    return 0


if __name__ == "__main__":
    sys.exit(main())
