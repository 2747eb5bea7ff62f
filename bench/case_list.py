"""Benchmark: the review centre's case list (``sentencing:case-list``) at province scale.

    uv run python bench/case_list.py [--keep DIR] [--cases 30000] [--repeat 15]

Starts from the province's org and prisoners seed in a throw-away SQLite file (seeded here,
or a copy of ``DIR/province.sqlite3`` kept by ``bench/screening.py --keep DIR``), then writes
about 30,000 cases synthetically with ``bulk_create`` — one per prisoner, five years of them,
three in four closed, the others spread over every open status — with what the list reads
beside them: the steps taken so far (about nine per closed case), the two drawn reviewers
once the section has reviewed, and risk alerts on one case in five (open ones only before the
review centre has finished). Each case carries a real engine verdict (JSON with its reasons),
so the rows are as wide as real ones.

Then it times, through Django's test client with a logged-in user (median of ``--repeat``
requests after one warm-up, and the queries of one request):

* as the provincial administrator (``admin``, the whole province): the first page, a deep
  page, a filtered page (kind and year), a page narrowed to one prison, a search by name;
* as a prison's penalty officer (``penalty``, 洪山监狱): the first page, a filtered page, a
  search, and 我的待办;
* the API list ``/api/sentencing/cases/`` for both users;

against the baseline measured the same way in the same client: the bare ``/healthz/`` view.

It prints figures; it asserts nothing about time.
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import re
import shutil
import statistics
import sys
import time
from collections import Counter
from pathlib import Path

from screening import open_database

# (status, share of the open cases)
OPEN_STATUSES = (
    ("proposed", 0.2),
    ("section_reviewed", 0.15),
    ("centre_reviewed", 0.1),
    ("committee_approved", 0.1),
    ("in_notice", 0.15),
    ("notice_closed", 0.05),
    ("director_approved", 0.05),
    ("submitted", 0.2),
)
# The steps a reduction or parole takes, and the status each leads to.
STEPS = (
    ("section_review", "proposed", "section_reviewed"),
    ("centre_review", "section_reviewed", "section_reviewed"),
    ("centre_review", "section_reviewed", "centre_reviewed"),
    ("committee", "centre_reviewed", "committee_approved"),
    ("publish_notice", "committee_approved", "in_notice"),
    ("close_notice", "in_notice", "notice_closed"),
    ("director", "notice_closed", "director_approved"),
    ("submit_court", "director_approved", "submitted"),
    ("record_ruling", "submitted", "closed"),
)
# How many of STEPS a case in each status has taken.
DONE_STEPS = {
    "proposed": 0,
    "section_reviewed": 1,
    "centre_reviewed": 3,
    "committee_approved": 4,
    "in_notice": 5,
    "notice_closed": 6,
    "director_approved": 7,
    "submitted": 8,
    "submitted_to_bureau": 8,
    "closed": 9,
}
KIND_CODES = {"reduction": "JX", "parole": "JS", "temporary": "ZJ"}
ALERT_KINDS = ("points_surge", "concentrated_additions", "special_category", "lighter_job")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--keep", type=Path, default=None, help="reuse / keep the seeded DB")
    parser.add_argument("--cases", type=int, default=30_000)
    parser.add_argument("--repeat", type=int, default=15)
    args = parser.parse_args()
    var_dir, source = open_database(args.keep)
    try:
        print(source)
        started = time.perf_counter()
        counts = write_cases(args.cases)
        seconds = time.perf_counter() - started
        print(
            f"{counts['cases']:,} cases written in {seconds:.1f} s with "
            f"{counts['steps']:,} steps, {counts['reviewers']:,} reviewer draws and "
            f"{counts['alerts']:,} alerts ({counts['open_alerts']:,} open); "
            f"{counts['open']:,} cases open"
        )
        measure(args.repeat)
    finally:
        shutil.rmtree(var_dir, ignore_errors=True)
    return 0


# --- the cases ------------------------------------------------------------------------------


def _real_verdicts(prisoners, on: dt.date, count: int = 120) -> list[tuple[dict, str]]:
    """Engine verdicts (with their reasons) of some prisoners, reused round-robin."""
    from tongxin.prisoners import selectors as prisoner_selectors
    from tongxin.sentencing import judge

    verdicts = []
    for prisoner in prisoners[:count]:
        changes = list(prisoner.changes.order_by("ruling_date", "id"))
        merit, _ = prisoner_selectors.merit_of(prisoner, changes)
        verdicts.append(
            judge.verdict_for(prisoner, on=on, merit=merit or "repentance", changes=changes)
        )
    return verdicts


def write_cases(total: int) -> Counter:
    from django.db import transaction
    from django.utils import timezone

    from tongxin.org.models import Unit, UnitKind, User
    from tongxin.prisoners.models import Prisoner
    from tongxin.sentencing.models import Case, CaseStep, ReviewerAssignment, RiskAlert

    rng = random.Random(7)
    today = timezone.localdate()
    prisons = list(Unit.objects.filter(kind=UnitKind.PRISON).values_list("path", "code"))
    prison_code = {}
    for unit_id, path in Unit.objects.values_list("id", "path"):
        prison_code[unit_id] = next((c for p, c in prisons if path.startswith(p)), "HBJ")
    prisoners = list(Prisoner.objects.select_related("unit").order_by("id"))
    rng.shuffle(prisoners)
    verdicts = _real_verdicts(prisoners, today)
    users = {u.username: u for u in User.objects.all()}
    proposers = [users[n] for n in ("district", "penalty2", "hongshan_admin")]
    deciders = {
        "section_review": users["penalty"],
        "committee": users["committee"],
        "director": users["warden"],
    }
    clerk = users["penalty2"]
    reviewers = [users["reviewer"], users["reviewer2"], users["reviewer3"]]
    statuses, weights = zip(*OPEN_STATUSES, strict=True)

    serial: Counter[str] = Counter()
    counts: Counter[str] = Counter()
    cases, plans = [], []
    for i in range(total):
        prisoner = prisoners[i % len(prisoners)]
        roll = rng.random()
        kind = "reduction" if roll < 0.85 else "parole" if roll < 0.97 else "temporary"
        closed = rng.random() < 0.75
        if closed:
            proposed_on = today - dt.timedelta(days=rng.randint(60, 5 * 365))
            status = "closed"
        else:
            proposed_on = today - dt.timedelta(days=rng.randint(1, 90))
            status = rng.choices(statuses, weights)[0]
            if kind == "temporary" and status == "submitted":
                status = "submitted_to_bureau"
            counts["open"] += 1
        prefix = f"{prison_code[prisoner.unit_id]}-{proposed_on.year}-{KIND_CODES[kind]}-"
        serial[prefix] += 1
        verdict, version = verdicts[i % len(verdicts)]
        months = rng.randint(4, 9) if kind == "reduction" else None
        case = Case(
            number=f"{prefix}{serial[prefix]:04d}",
            kind=kind,
            prisoner=prisoner,
            unit=prisoner.unit,
            status=status,
            proposed_on=proposed_on,
            merit="repentance",
            merit_basis="考核期内获表扬2次,无严重违规,考核积分1260分",
            proposed_months=months,
            reasons="监区集体研究:该犯认罪悔罪,遵守监规,接受教育改造,积极参加劳动,"
            "确有悔改表现,提请减刑。",
            verdict=verdict,
            ruleset_version=version,
            created_by=rng.choice(proposers),
        )
        if status == "closed":
            outcome = rng.choices(
                ("granted", "partly_granted", "denied", "rejected", "withdrawn"),
                (0.8, 0.08, 0.03, 0.06, 0.03),
            )[0]
            case.outcome = outcome
            case.closed_on = proposed_on + dt.timedelta(days=rng.randint(30, 55))
            if outcome in ("granted", "partly_granted"):
                case.ruling_date = case.closed_on
                case.ruling_number = f"({case.closed_on.year})鄂01刑更{i % 9000 + 1}号"
                case.ruling_months = months
        reached = 0 if case.outcome in ("rejected", "withdrawn") else DONE_STEPS[status]
        if reached >= DONE_STEPS["in_notice"]:
            case.notice_start = proposed_on + dt.timedelta(days=12)
            case.notice_end = case.notice_start + dt.timedelta(days=7)
        if reached >= DONE_STEPS["submitted"]:
            case.submitted_on = proposed_on + dt.timedelta(days=25)
            case.submitted_to = "中级人民法院(抄送人民检察院)"
        cases.append(case)
        plans.append((status, case.outcome if closed else ""))

    with transaction.atomic():
        Case.objects.bulk_create(cases, batch_size=2000)
        steps, draws, alerts = [], [], []
        for case, (status, outcome) in zip(cases, plans, strict=True):
            base = timezone.make_aware(dt.datetime.combine(case.proposed_on, dt.time(9)))

            def step(code, source, target, decision, actor, day, case=case, base=base):
                steps.append(
                    CaseStep(
                        case=case,
                        step=code,
                        decision=decision,
                        from_status=source,
                        to_status=target,
                        opinion="同意。" if decision == "approve" else "不同意。",
                        actor=actor,
                        acted_at=base + dt.timedelta(days=day, minutes=len(steps) % 600),
                    )
                )

            step("propose", "", "proposed", "approve", case.created_by, 0)
            if outcome == "withdrawn":
                step("withdraw", "proposed", "closed", "reject", case.created_by, 3)
                continue
            # How many of STEPS were taken; a rejected case stops (rejected) at a decision step.
            taken = DONE_STEPS[status]
            if outcome == "rejected":
                taken = rng.choice((1, 2, 4))
            for n, (code, source, target) in enumerate(STEPS[:taken]):
                if case.kind == "temporary":
                    code = {"submit_court": "submit_bureau"}.get(code, code)
                    code = {"record_ruling": "bureau_approval"}.get(code, code)
                    target = {"submitted": "submitted_to_bureau"}.get(target, target)
                    source = {"submitted": "submitted_to_bureau"}.get(source, source)
                rejected = outcome == "rejected" and n == taken - 1
                actor = reviewers[n - 1] if code == "centre_review" else deciders.get(code, clerk)
                step(
                    code,
                    source,
                    "closed" if rejected else target,
                    "reject" if rejected else "approve",
                    actor,
                    2 * (n + 1),
                )
            if taken >= 1 and not (outcome == "rejected" and taken == 1):
                for r, reviewer in enumerate(reviewers[:2]):
                    decided = taken >= 2 + r
                    draws.append(
                        ReviewerAssignment(
                            case=case,
                            reviewer=reviewer,
                            assigned_at=base + dt.timedelta(days=2),
                            decision="approve" if decided else "",
                            opinion="同意提请。" if decided else "",
                            decided_at=base + dt.timedelta(days=4 + 2 * r) if decided else None,
                        )
                    )
            if rng.random() < 0.2:
                disposed = status == "closed" or DONE_STEPS[status] >= 3
                for kind in rng.sample(ALERT_KINDS, rng.choice((1, 1, 2))):
                    alerts.append(
                        RiskAlert(
                            case=case,
                            kind=kind,
                            detail="提请前3个月计分明显高于此前12个月的月均水平",
                            raised_at=base,
                            disposition="已核实,计分有据。" if disposed else "",
                            disposed_by=reviewers[0] if disposed else None,
                            disposed_at=base + dt.timedelta(days=3) if disposed else None,
                        )
                    )
                    counts["open_alerts"] += 0 if disposed else 1
        CaseStep.objects.bulk_create(steps, batch_size=5000)
        ReviewerAssignment.objects.bulk_create(draws, batch_size=5000)
        RiskAlert.objects.bulk_create(alerts, batch_size=5000)
    counts.update(cases=len(cases), steps=len(steps), reviewers=len(draws), alerts=len(alerts))
    return counts


# --- the requests ---------------------------------------------------------------------------


def measure(repeat: int) -> None:
    from django.db import connection
    from django.test import Client
    from django.utils import timezone

    from tongxin.org.models import Unit, UnitKind, User
    from tongxin.sentencing.models import Case

    year = timezone.localdate().year
    prison = Unit.objects.get(kind=UnitKind.PRISON, code="P03")
    p01 = Unit.objects.get(kind=UnitKind.PRISON, code="P01")
    # A name that a few prisoners share, of a prisoner with a case in each scope.
    province_name = Case.objects.order_by("id").values_list("prisoner__name", flat=True)[500]
    p01_name = (
        Case.objects.filter(unit__path__startswith=p01.path)
        .order_by("id")
        .values_list("prisoner__name", flat=True)[50]
    )
    clients = {}
    for username in ("admin", "penalty"):
        client = Client()
        client.force_login(User.objects.get(username=username))
        clients[username] = client

    requests = [
        ("admin", "baseline: /healthz/", "/healthz/"),
        ("admin", "case list, first page", "/sentencing/"),
        ("admin", "case list, page 300", "/sentencing/?page=300"),
        ("admin", f"filtered: parole, {year}", f"/sentencing/?kind=parole&year={year}"),
        ("admin", "filtered: one prison (P03)", f"/sentencing/?under={prison.pk}"),
        ("admin", f"search: {province_name}", f"/sentencing/?q={province_name}"),
        ("admin", "API list, first page", "/api/sentencing/cases/"),
        ("penalty", "baseline: /healthz/", "/healthz/"),
        ("penalty", "case list, first page", "/sentencing/"),
        ("penalty", "filtered: in notice", "/sentencing/?status=in_notice"),
        ("penalty", f"search: {p01_name}", f"/sentencing/?q={p01_name}"),
        ("penalty", "我的待办 (tasks)", "/sentencing/tasks/"),
        ("penalty", "API list, first page", "/api/sentencing/cases/"),
    ]
    results = []
    for username, label, url in requests:
        client = clients[username]
        response = client.get(url)
        assert response.status_code == 200, (url, response.status_code)
        queries = QueryCount()  # (the client's request_started signal clears connection.queries)
        with connection.execute_wrapper(queries):
            client.get(url)
        samples = []
        for _ in range(repeat):
            started = time.perf_counter()
            client.get(url)
            samples.append(time.perf_counter() - started)
        found = _count(response)
        results.append((username, label, statistics.median(samples), len(queries), found))

    in_scope = {
        "admin": Case.objects.count(),
        "penalty": Case.objects.filter(unit__path__startswith=p01.path).count(),
    }
    print(f"\nper request, median of {repeat} (test client, SQLite)\n")
    print(f"{'user':<9}{'request':<36}{'rows':>8}{'ms':>9}{'queries':>9}{'x healthz':>11}")
    print("-" * 82)
    bare = {}
    for username, label, seconds, queries, found in results:
        if label.startswith("baseline"):
            bare[username] = seconds
            print(f"{username:<9}{label:<36}{'':>8}{seconds * 1000:>9.2f}{queries:>9}{'1.0':>11}")
            continue
        ratio = seconds / bare[username]
        print(
            f"{username:<9}{label:<36}{found:>8}{seconds * 1000:>9.1f}{queries:>9}{ratio:>10.1f}x"
        )
    print(
        f"(cases in scope: admin {in_scope['admin']:,}, penalty {in_scope['penalty']:,}; "
        "rows = what the page or API reports as the total)"
    )


class QueryCount:
    """An ``execute_wrapper`` counting the statements run."""

    def __init__(self) -> None:
        self.n = 0

    def __call__(self, execute, sql, params, many, context):
        self.n += 1
        return execute(sql, params, many, context)

    def __len__(self) -> int:
        return self.n


def _count(response) -> str:
    """The total a list reports: the page's "共 N 件" or the API's ``count``."""
    if response.get("Content-Type", "").startswith("application/json"):
        data = response.json()
        return f"{data['count']:,}" if isinstance(data, dict) and "count" in data else ""
    found = re.search(r"共 (\d+) 件", response.content.decode())
    return f"{int(found.group(1)):,}" if found else ""


if __name__ == "__main__":
    sys.exit(main())
