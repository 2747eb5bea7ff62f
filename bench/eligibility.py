"""Benchmark: one prisoner's eligibility with its reasons, and the check command on a file.

    uv run python bench/eligibility.py [--keep DIR] [--sample 300] [--cases 10000]

Starts from the province's org and prisoners seed in a throw-away SQLite file (seeded here,
or a copy of ``DIR/province.sqlite3`` kept by ``bench/screening.py --keep DIR``) and measures:

1. on ``--sample`` prisoners spread over the province, per call:
   * the pure engine: ``engine.assess`` alone (the verdicts, as a screening reads them), and
     ``engine.assess`` + ``engine.assessment_to_json`` (with every reason and its Chinese
     text), on facts built beforehand, in µs;
   * the page path with its database reads: ``judge.verdict_for(p, on=..., merit=...)`` (the
     rule version in force, the sentence changes, the engine, the temporary-execution part),
     and what the proposal page computes before it, ``prisoners.selectors.merit_of`` +
     ``judge.verdict_for``, in ms;
2. ``tongxin eligibility check --on DATE FILE`` on a file of ``--cases`` real prisoners' facts
   (``facts.case_to_json``), wall time through ``subprocess`` (median of three runs), and the
   same command on a file of one case (the interpreter's start and the imports), and the
   command's own code called in this process (``cli.main``, its output to a buffer), against
   the baseline measured in this process: ``facts.parse_cases`` + ``engine.assess`` +
   ``assessment_to_json`` + ``json.dumps`` of the same cases. A line starting with
   ``WARNING`` is printed when the command's output differs from the in-process one.

It prints figures; it asserts nothing about time.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import io
import json
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

from screening import open_database


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--keep", type=Path, default=None, help="reuse / keep the seeded DB")
    parser.add_argument("--sample", type=int, default=300, help="prisoners timed per call")
    parser.add_argument("--cases", type=int, default=10_000, help="cases in the command's file")
    parser.add_argument("--on", type=dt.date.fromisoformat, default=None, help="default: today")
    args = parser.parse_args()
    var_dir, source = open_database(args.keep)
    try:
        print(source)
        run(args, var_dir)
    finally:
        shutil.rmtree(var_dir, ignore_errors=True)
    return 0


def _facts_of_many(ids: list[int]) -> list:
    """Engine facts of many prisoners, read in bulk (the changes and the conduct windows)."""
    from collections import defaultdict

    from tongxin.prisoners import conduct
    from tongxin.prisoners.models import PointsSetting, Prisoner, SentenceChange
    from tongxin.prisoners.selectors import bulk_conduct
    from tongxin.sentencing.judge import facts_of

    needed = PointsSetting.current().commendations_for_repentance
    found = []
    for start in range(0, len(ids), 2000):
        chunk = ids[start : start + 2000]
        prisoners = list(Prisoner.objects.filter(id__in=chunk).order_by("id"))
        changes = defaultdict(list)
        for change in SentenceChange.objects.filter(prisoner_id__in=chunk).order_by(
            "prisoner_id", "ruling_date", "id"
        ):
            changes[change.prisoner_id].append(change)
        starts = {
            p.id: changes[p.id][-1].ruling_date if changes[p.id] else p.execution_start
            for p in prisoners
        }
        windows = bulk_conduct(chunk, starts)
        for p in prisoners:
            merit = conduct.merit_level(windows[p.id], commendations_for_repentance=needed)
            found.append(facts_of(p, changes[p.id], merit or "repentance"))
    return found


def _per_call(fn, items, passes: int = 1) -> float:
    """Seconds per call of ``fn`` over ``items`` (``passes`` times over)."""
    started = time.perf_counter()
    for _ in range(passes):
        for item in items:
            fn(item)
    return (time.perf_counter() - started) / (passes * len(items))


def _wall(command: list[str], repeat: int = 3) -> tuple[float, subprocess.CompletedProcess]:
    samples, result = [], None
    for _ in range(repeat):
        started = time.perf_counter()
        result = subprocess.run(command, capture_output=True, text=True, check=False)
        samples.append(time.perf_counter() - started)
    return statistics.median(samples), result


def run(args, var_dir: Path) -> None:
    from django.utils import timezone

    from tongxin.prisoners import selectors as prisoner_selectors
    from tongxin.prisoners.models import CustodyStatus, Prisoner
    from tongxin.sentencing import engine, judge
    from tongxin.sentencing.facts import case_to_json, parse_cases

    on = args.on or timezone.localdate()
    ruleset = judge.ruleset_on(on)
    ids = list(
        Prisoner.objects.filter(status=CustodyStatus.IN_CUSTODY)
        .order_by("id")
        .values_list("id", flat=True)
    )

    # [1] one prisoner: the pure engine, then the page path with its reads
    step = max(1, len(ids) // args.sample)
    sample_ids = ids[::step][: args.sample]
    facts = _facts_of_many(sample_ids)
    assess_s = _per_call(lambda f: engine.assess(f, on, ruleset), facts, passes=20)
    json_s = _per_call(
        lambda f: engine.assessment_to_json(engine.assess(f, on, ruleset)), facts, passes=20
    )
    prisoners = list(Prisoner.objects.filter(id__in=sample_ids).select_related("unit"))
    merits = {f.id: f.merit.value for f in facts}

    def page_verdict(p) -> None:
        judge.verdict_for(p, on=on, merit=merits[p.number])

    def page_with_merit(p) -> None:
        changes = list(p.changes.order_by("ruling_date", "id"))
        merit, _basis = prisoner_selectors.merit_of(p, changes)
        judge.verdict_for(p, on=on, merit=merit, changes=changes)

    verdict_s = _per_call(page_verdict, prisoners)
    merit_s = _per_call(page_with_merit, prisoners)

    print(
        f"\n[1] one prisoner's eligibility on {on}, {len(facts)} prisoners spread over the province"
    )
    print(f"    {'what':<62}{'per call':>12}{'x engine':>10}")
    print("    " + "-" * 84)
    rows = (
        ("engine.assess (verdicts only)", assess_s),
        ("engine.assess + assessment_to_json (with the reasons)", json_s),
        ("judge.verdict_for (rule version + changes read, + temporary)", verdict_s),
        ("merit_of + judge.verdict_for (as the proposal page)", merit_s),
    )
    for label, seconds in rows:
        figure = f"{seconds * 1e6:,.1f} µs" if seconds < 1e-3 else f"{seconds * 1e3:,.2f} ms"
        print(f"    {label:<62}{figure:>12}{seconds / json_s:>9.1f}x")
    print("    (x engine: against engine.assess + assessment_to_json)")

    # [2] the command on a file of many cases, against the same work in this process
    many = _facts_of_many(ids[: args.cases])
    document = json.dumps([case_to_json(f) for f in many], ensure_ascii=False)
    big, one = var_dir / "cases.json", var_dir / "one.json"
    big.write_text(document, encoding="utf-8")
    one.write_text(json.dumps([case_to_json(many[0])], ensure_ascii=False), encoding="utf-8")

    def in_process() -> list[str]:
        cases = parse_cases(json.loads(big.read_text(encoding="utf-8")))
        return [
            json.dumps(engine.assessment_to_json(engine.assess(c, on)), ensure_ascii=False)
            for c in cases
        ]

    samples = []
    for _ in range(3):
        started = time.perf_counter()
        lines = in_process()
        samples.append(time.perf_counter() - started)
    inproc_s = statistics.median(samples)

    from tongxin.cli import main as cli_main

    buffer = io.StringIO()
    started = time.perf_counter()
    with contextlib.redirect_stdout(buffer):
        cli_main(["eligibility", "check", "--on", on.isoformat(), str(big)])
    cli_code_s = time.perf_counter() - started

    tongxin = Path(sys.executable).parent / "tongxin"
    command = [str(tongxin)] if tongxin.exists() else [sys.executable, "-m", "tongxin.cli"]
    command += ["eligibility", "check", "--on", on.isoformat()]
    cli_s, result = _wall([*command, str(big)])
    start_s, _ = _wall([*command, str(one)])
    if result.returncode != 0:
        print(f"WARNING: the command failed ({result.returncode}): {result.stderr[:300]}")
    elif result.stdout.splitlines() != lines:
        print("WARNING: the command's output differs from the in-process engine's")

    n = len(many)
    print(
        f"\n[2] {' '.join(command[-4:-2])} on a file of {n:,} cases ({len(document) / 1e6:.1f} MB)"
    )
    print(f"    {'what':<62}{'seconds':>10}{'µs/case':>12}")
    print("    " + "-" * 84)
    print(
        f"    {'tongxin eligibility check, wall (subprocess, median of 3)':<62}{cli_s:>10.2f}"
        f"{cli_s * 1e6 / n:>12,.1f}"
    )
    print(f"    {'  the same command on one case (start-up + imports)':<62}{start_s:>10.2f}")
    print(
        f"    {'  cli.main in this process (stdout to a buffer)':<62}"
        f"{cli_code_s:>10.2f}{cli_code_s * 1e6 / n:>12,.1f}"
    )
    print(
        f"    {'baseline: parse + assess + to_json + dumps in this process':<62}"
        f"{inproc_s:>10.2f}{inproc_s * 1e6 / n:>12,.1f}"
    )
    print(f"    {'ratio command / in-process':<62}{cli_s / inproc_s:>9.1f}x")
    print(
        f"    {'ratio (command − start-up) / in-process':<62}{(cli_s - start_s) / inproc_s:>9.1f}x"
    )
    print(f"    output: {len(result.stdout) / 1e6:.1f} MB, {len(lines):,} lines")


if __name__ == "__main__":
    sys.exit(main())
