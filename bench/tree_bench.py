"""Benchmark: "everything under a prison" on the province tree, and the subtree listing page
under 50 concurrent requests, each against a baseline measured in the same run.

    uv run python bench/tree_bench.py [--database-url URL] [--requests 2000] [--concurrency 50]

Builds the province (``seeding.run(scale="province")``) into a throw-away SQLite file (or the
PostgreSQL database given, which must be empty), then measures:

1. the subtree query (one indexed condition on the materialised path) for every prison,
   against a breadth-first walk of ``parent_id`` (one query per level) — the usual
   adjacency-list alternative;
2. ``GET /org/units/?under=<prison>`` (a signed-in province administrator, the paginated
   subtree listing) served by gunicorn, 50 clients at once, against ``GET /healthz/`` (a bare
   Django view with one query) served by the same server in the same run.

It prints figures; it asserts nothing about time.
"""

from __future__ import annotations

import argparse
import http.client
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", default="")
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--concurrency", type=int, default=50)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--repeat", type=int, default=20)
    return parser.parse_args()


def setup_django(var_dir: Path, database_url: str) -> None:
    os.environ["TONGXIN_VAR_DIR"] = str(var_dir)
    os.environ["DJANGO_SETTINGS_MODULE"] = "tongxin.settings"
    if database_url:
        os.environ["DATABASE_URL"] = database_url
    else:
        os.environ.pop("DATABASE_URL", None)
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def timed(fn, repeat: int) -> list[float]:
    samples = []
    for _ in range(repeat):
        started = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - started)
    return samples


def p95(samples: list[float]) -> float:
    return statistics.quantiles(samples, n=20)[-1] if len(samples) > 1 else samples[0]


def bench_queries(repeat: int) -> None:
    from django.db import connection

    from tongxin.org.models import Officer, Unit, path_q

    prisons = list(Unit.objects.prisons())

    def by_path():
        for prison in prisons:
            list(Unit.objects.under(prison).values_list("id", flat=True))
            Officer.objects.filter(path_q("unit__path", prison.path)).count()

    def by_walk():
        for prison in prisons:
            ids, frontier = [prison.pk], [prison.pk]
            while frontier:
                frontier = list(
                    Unit.objects.filter(parent_id__in=frontier).values_list("id", flat=True)
                )
                ids += frontier
            Officer.objects.filter(unit_id__in=ids).count()

    by_walk()
    by_path()  # warm caches for both
    path_samples = timed(by_path, repeat)
    walk_samples = timed(by_walk, repeat)
    n = len(prisons)
    path_ms = statistics.median(path_samples) / n * 1000
    walk_ms = statistics.median(walk_samples) / n * 1000
    print(
        f"\n[1] everything under a prison ({n} prisons, {Unit.objects.count():,} units, "
        f"{Officer.objects.count():,} officers; {connection.vendor})"
    )
    print(f"    units + officer count by path prefix : {path_ms:8.3f} ms per prison (median)")
    print(f"    baseline: breadth-first parent walk  : {walk_ms:8.3f} ms per prison (median)")
    print(f"    ratio baseline / path                : {walk_ms / path_ms:8.2f}x")
    sql, params = Unit.objects.under(prisons[0]).query.sql_with_params()
    with connection.cursor() as cursor:
        prefix = "EXPLAIN QUERY PLAN " if connection.vendor == "sqlite" else "EXPLAIN "
        cursor.execute(prefix + sql, params)
        plan = " | ".join(str(row[-1]) for row in cursor.fetchall())
    print(f"    plan: {plan[:160]}")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def session_cookie() -> str:
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore

    from tongxin.org.models import User

    user = User.objects.get(username="admin")
    store = SessionStore()
    store[SESSION_KEY] = str(user.pk)
    store[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    store[HASH_SESSION_KEY] = user.get_session_auth_hash()
    store.create()
    return store.session_key


def load(port: int, path: str, cookie: str, total: int, concurrency: int) -> dict:
    latencies: list[float] = []
    errors = 0
    lock = threading.Lock()
    remaining = [total]
    deadline = time.monotonic() + 300

    def worker():
        nonlocal errors
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        while time.monotonic() < deadline:
            with lock:
                if remaining[0] <= 0:
                    break
                remaining[0] -= 1
            started = time.perf_counter()
            try:
                conn.request("GET", path, headers={"Cookie": f"sessionid={cookie}"})
                response = conn.getresponse()
                response.read()
                ok = response.status == 200
            except (OSError, http.client.HTTPException):
                ok = False
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
            elapsed = time.perf_counter() - started
            with lock:
                latencies.append(elapsed)
                errors += not ok
        conn.close()

    started = time.perf_counter()
    threads = [threading.Thread(target=worker) for _ in range(concurrency)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    wall = time.perf_counter() - started
    return {
        "rps": len(latencies) / wall,
        "p50": statistics.median(latencies) * 1000,
        "p95": p95(latencies) * 1000,
        "errors": errors,
        "n": len(latencies),
    }


def bench_http(args, var_dir: Path) -> None:
    from tongxin.org.models import Unit

    prison = Unit.objects.prisons().order_by("code").first()
    cookie = session_cookie()
    port = free_port()
    env = dict(os.environ)
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "tongxin.wsgi",
            "--workers",
            str(args.workers),
            "--threads",
            "4",
            "--bind",
            f"127.0.0.1:{port}",
            "--log-level",
            "warning",
        ],
        env=env,
        cwd=ROOT,
    )
    try:
        for _ in range(100):
            try:
                http.client.HTTPConnection("127.0.0.1", port, timeout=1).request("GET", "/healthz/")
                break
            except OSError:
                time.sleep(0.2)
        page = f"/org/units/?under={prison.pk}"
        load(port, page, cookie, 100, 10)  # warm up
        baseline = load(port, "/healthz/", cookie, args.requests, args.concurrency)
        listing = load(port, page, cookie, args.requests, args.concurrency)
    finally:
        server.terminate()
        server.wait(timeout=30)
    print(
        f"\n[2] HTTP, {args.concurrency} concurrent clients, {args.requests} requests each, "
        f"gunicorn {args.workers} workers x 4 threads"
    )
    print(f"    {'endpoint':<34} {'req/s':>8} {'p50 ms':>8} {'p95 ms':>8} {'errors':>7}")
    for name, r in (
        ("/healthz/ (bare Django view)", baseline),
        (f"/org/units/?under= ({prison.short_name})", listing),
    ):
        print(f"    {name:<34} {r['rps']:8.1f} {r['p50']:8.1f} {r['p95']:8.1f} {r['errors']:7d}")
    print(f"    throughput ratio listing / bare     : {listing['rps'] / baseline['rps']:8.2f}")


def main() -> None:
    args = parse_args()
    var_dir = Path(tempfile.mkdtemp(prefix="tongxin-bench-"))
    try:
        setup_django(var_dir, args.database_url)
        from tongxin import seeding

        started = time.perf_counter()
        seeding.run(scale="province", quiet=True)
        print(f"province seeded in {time.perf_counter() - started:.1f} s")
        bench_queries(args.repeat)
        bench_http(args, var_dir)
    finally:
        shutil.rmtree(var_dir, ignore_errors=True)


if __name__ == "__main__":
    main()
