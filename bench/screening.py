"""Benchmark: screening the province for reduction and parole eligibility.

    uv run python bench/screening.py [--keep DIR] [--sample 1000] [--on 2024-06-15] [--analyze]

Seeds the org and prisoners generators at province scale (30,000 prisoners, about 0.8 million
points lines; the party seed is skipped, as in ``bench/seed_prisoners.py``) into a throw-away
SQLite file. With ``--keep DIR`` the seeded database is kept as ``DIR/province.sqlite3`` and
later runs (of this script, ``bench/case_list.py`` and ``bench/eligibility.py``) start from a
copy of it instead of seeding again; the kept file itself is never written to.

Then it measures, in the same run:

1. ``screening.screen(bureau, on=...)``: the whole province, set-based (a handful of queries
   per 2,000 prisoners, then the pure engine), median of three runs;
2. the baseline, the per-prisoner way the proposal page judges one prisoner:
   ``prisoners.selectors.merit_of(p, changes)`` + ``judge.verdict_for(p, on=..., merit=...,
   changes=changes)`` for each prisoner (with the prisoner's sentence changes read once, as
   the page does). Timed on a sample spread over the province and extrapolated to every
   prisoner in custody; the output says so. On the sample the two must agree on who is
   eligible now: a line starting with ``WARNING`` is printed when they do not;
3. screening one prison at a time, every prison once: min / median / max.

``--analyze`` runs SQLite's ``ANALYZE`` on the copy first (the seed does not): without the
statistics SQLite reads a prisoner's rewards through the unique index on ``reverses_id`` (for
``reverses_id IS NULL``: nearly every reward of the province) instead of the prisoner's index,
which is most of the per-prisoner loop's time.

It prints figures; it asserts nothing about time.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import shutil
import sqlite3
import statistics
import sys
import tempfile
import time
from pathlib import Path

from common import setup_django

CACHE_NAME = "{scale}.sqlite3"


# --- a seeded database, reused by the other sentencing benchmarks ----------------------------


def seed_org_and_prisoners(scale: str) -> float:
    """The org then prisoners generators in one transaction, as ``seeding.execute`` would
    (the party generator, a minute at province scale, is not needed here). Seconds taken."""
    from django.db import transaction

    from tongxin import seeding
    from tongxin.org import demo as org_demo
    from tongxin.prisoners import demo as prisoners_demo

    ctx = seeding.SeedContext(scale=scale, seed=2023, quiet=True)
    started = time.perf_counter()
    with transaction.atomic():
        for generate in (org_demo.generate, prisoners_demo.generate):
            with transaction.atomic():
                generate(ctx)
    return time.perf_counter() - started


def open_database(keep: Path | None, scale: str = "province") -> tuple[Path, str]:
    """Django on a fresh temporary SQLite file holding the org and prisoners seed at ``scale``.

    With ``keep``, a copy of ``keep/<scale>.sqlite3`` is used when it exists; otherwise the
    seed runs and, with ``keep``, is saved there for the next run. Returns the temporary
    directory (the caller removes it) and a line saying where the data came from."""
    var_dir = Path(tempfile.mkdtemp(prefix="tongxin-bench-"))
    os.environ["ALLOWED_HOSTS"] = "testserver"
    cached = keep / CACHE_NAME.format(scale=scale) if keep else None
    if cached is not None and cached.exists():
        shutil.copyfile(cached, var_dir / "tongxin.sqlite3")
        setup_django(var_dir)  # migrate: nothing to do unless a migration was added since
        return var_dir, f"{scale} org + prisoners seed reused from {cached}"
    setup_django(var_dir)
    seconds = seed_org_and_prisoners(scale)
    source = f"{scale} org + prisoners seeded in {seconds:.1f} s (throw-away SQLite)"
    if cached is not None:
        from django.db import connection

        cached.parent.mkdir(parents=True, exist_ok=True)
        partial = cached.with_suffix(".partial")
        connection.ensure_connection()
        target = sqlite3.connect(partial)
        try:
            connection.connection.backup(target)
        finally:
            target.close()
        os.replace(partial, cached)
        source += f"; kept as {cached}"
    return var_dir, source


def analyze() -> float:
    """SQLite's ``ANALYZE`` on the working copy (seconds taken)."""
    from django.db import connection

    started = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    connection.close()  # the planner reads the statistics on the next connection
    return time.perf_counter() - started


def timed(fn, repeat: int = 3) -> float:
    samples = []
    for _ in range(repeat):
        started = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - started)
    return statistics.median(samples)


# --- the benchmark ------------------------------------------------------------------------


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--keep", type=Path, default=None, help="keep / reuse the seeded DB here")
    parser.add_argument("--sample", type=int, default=1000, help="prisoners of the ORM loop")
    parser.add_argument("--on", type=dt.date.fromisoformat, default=None, help="default: today")
    parser.add_argument("--analyze", action="store_true", help="ANALYZE the copy first")
    args = parser.parse_args()
    var_dir, source = open_database(args.keep)
    try:
        print(source)
        if args.analyze:
            print(f"ANALYZE in {analyze():.1f} s")
        run(args)
    finally:
        shutil.rmtree(var_dir, ignore_errors=True)
    return 0


def run(args) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    from tongxin.org.models import Unit, UnitKind
    from tongxin.prisoners import selectors as prisoner_selectors
    from tongxin.prisoners.models import CustodyStatus, PointsEntry, Prisoner
    from tongxin.sentencing import engine, judge, screening

    on = args.on or timezone.localdate()
    bureau = Unit.objects.get(kind=UnitKind.BUREAU, parent__isnull=True, code="HBJ")
    in_custody = Prisoner.objects.filter(status=CustodyStatus.IN_CUSTODY)
    prisoners = in_custody.count()
    points = PointsEntry.objects.count()

    # [1] the province, set-based
    with CaptureQueriesContext(connection) as queries:
        result = screening.screen(bureau, on=on)
    query_count = len(queries)
    screen_s = timed(lambda: screening.screen(bureau, on=on))
    eligible = {row.prisoner_id for row in result.eligible_now}

    # [2] the per-prisoner ORM loop on a sample spread over the province
    ids = list(in_custody.order_by("id").values_list("id", flat=True))
    step = max(1, len(ids) // args.sample)
    sample_ids = ids[::step][: args.sample]
    loop_eligible: set[int] = set()
    history_errors = 0

    def orm_loop() -> None:
        nonlocal history_errors
        loop_eligible.clear()
        history_errors = 0
        for prisoner in Prisoner.objects.filter(id__in=sample_ids).select_related("unit"):
            changes = list(prisoner.changes.order_by("ruling_date", "id"))
            merit, _basis = prisoner_selectors.merit_of(prisoner, changes)
            try:
                verdict, _version = judge.verdict_for(prisoner, on=on, merit=merit, changes=changes)
            except engine.HistoryError:
                history_errors += 1
                continue
            if verdict["reduction"]["eligible"] or verdict["parole"]["eligible"]:
                loop_eligible.add(prisoner.pk)

    with CaptureQueriesContext(connection) as queries:
        started = time.perf_counter()
        orm_loop()
        loop_sample_s = time.perf_counter() - started
    loop_queries = len(queries)
    loop_s = loop_sample_s * prisoners / len(sample_ids)

    print(
        f"\nscreening on {on}: {prisoners:,} prisoners in custody, {points:,} points lines, "
        f"{len(result.eligible_now):,} eligible now, {len(result.due_soon):,} due within "
        f"{(result.horizon - result.on).days} days\n"
    )
    print(f"{'what':<58}{'seconds':>10}{'ms/prisoner':>13}")
    print("-" * 81)
    print(
        f"{'[1] screening.screen(province), set-based, median of 3':<58}{screen_s:>10.2f}"
        f"{screen_s * 1000 / prisoners:>13.3f}"
    )
    print(f"{'    queries':<58}{query_count:>10}")
    print(
        f"{'[2] per-prisoner merit_of + verdict_for, extrapolated':<58}{loop_s:>10.2f}"
        f"{loop_s * 1000 / prisoners:>13.3f}"
    )
    label = f"    measured on {len(sample_ids):,} prisoners (every {step}th)"
    print(f"{label:<58}{loop_sample_s:>10.2f}")
    print(f"{'    queries on the sample':<58}{loop_queries:>10,}")
    print(f"{'    ratio per-prisoner loop / screening':<58}{loop_s / screen_s:>9.1f}x")

    sample = set(sample_ids)
    screened = eligible & sample
    if screened == loop_eligible:
        print(
            f"    agreement on the sample: both find the same {len(screened)} eligible now"
            + (f" ({history_errors} skipped: impossible history)" if history_errors else "")
        )
    else:
        only_screen = sorted(screened - loop_eligible)[:10]
        only_loop = sorted(loop_eligible - screened)[:10]
        print(
            f"WARNING: screening and the per-prisoner loop disagree on the sample: "
            f"{len(screened)} vs {len(loop_eligible)} eligible now; only screening: "
            f"{only_screen}; only the loop: {only_loop}"
        )

    # [3] one prison at a time
    per_prison = []
    for prison in Unit.objects.filter(kind=UnitKind.PRISON).order_by("path"):
        started = time.perf_counter()
        outcome = screening.screen(prison, on=on)
        per_prison.append((time.perf_counter() - started, outcome.total, prison.name))
    if per_prison:
        per_prison.sort()
        seconds = [s for s, _, _ in per_prison]
        print(f"\n[3] screening one prison at a time ({len(per_prison)} prisons, once each)")
        print(f"    {'':<8}{'seconds':>10}{'prisoners':>11}  prison")
        for label, (s, total, name) in (
            ("min", per_prison[0]),
            ("median", per_prison[len(per_prison) // 2]),
            ("max", per_prison[-1]),
        ):
            print(f"    {label:<8}{s:>10.3f}{total:>11,}  {name}")
        print(
            f"    {'sum':<8}{sum(seconds):>10.2f}{sum(t for _, t, _ in per_prison):>11,}"
            "  (against the province in one call above)"
        )


if __name__ == "__main__":
    sys.exit(main())
