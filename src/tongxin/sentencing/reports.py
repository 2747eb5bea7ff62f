"""Statistics of the cases, computed from the case rows, their steps and their alerts.

Everything is asked for a unit subtree (``root``; ``None`` is everything the user sees) and a
year; a case belongs to the year it was proposed in. Year-on-year change compares the same
span of the previous year (``tongxin.periods``). Nothing here knows any target figure.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from dataclasses import dataclass

from django.db.models import Count, Q, QuerySet
from django.db.models.functions import ExtractMonth

from tongxin.org import scope
from tongxin.org.models import Unit, UnitKind, path_q
from tongxin.periods import year_on_year, year_spans

from . import workflow
from .models import AlertKind, Case, CaseKind, CaseOutcome, CaseStep, RiskAlert

KIND_KEYS = {
    CaseKind.REDUCTION: "reduction_cases",
    CaseKind.PAROLE: "parole_cases",
    CaseKind.TEMPORARY: "temporary_cases",
}
OUTCOME_KEYS = {
    CaseOutcome.GRANTED: "granted",
    CaseOutcome.PARTLY_GRANTED: "partly_granted",
    CaseOutcome.DENIED: "denied",
    CaseOutcome.REJECTED: "rejected_in_prison",
    CaseOutcome.WITHDRAWN: "withdrawn",
}
FIGURE_LABELS = {
    "reduction_cases": "减刑案件",
    "parole_cases": "假释案件",
    "temporary_cases": "暂予监外执行案件",
    "granted": "裁定(批准)",
    "partly_granted": "部分裁定",
    "denied": "裁定不予减刑、假释 / 不予批准",
    "rejected_in_prison": "狱内审查未通过",
    "withdrawn": "撤回",
    "open": "在办",
    "alerts_raised": "内控风险预警",
    "alerts_disposed": "已书面处置的预警",
}
STEP_LABELS = {"propose": "监区提请", **{t.code: t.label for t in workflow.TRANSITIONS}}


def cases_in(user, *, root: Unit | None, start: dt.date, end: dt.date) -> QuerySet[Case]:
    cases = scope.scoped(Case.objects.all(), user).filter(proposed_on__range=(start, end))
    if root is not None:
        cases = cases.filter(path_q("unit__path", root.path))
    return cases


def _figures(cases: QuerySet[Case]) -> dict[str, int]:
    aggregates = {key: Count("id", filter=Q(kind=kind)) for kind, key in KIND_KEYS.items()}
    aggregates |= {key: Count("id", filter=Q(outcome=o)) for o, key in OUTCOME_KEYS.items()}
    aggregates["open"] = Count("id", filter=Q(outcome=""))
    figures = cases.aggregate(**aggregates)
    alerts = RiskAlert.objects.filter(case__in=cases).aggregate(
        raised=Count("id"), disposed=Count("id", filter=Q(disposed_at__isnull=False))
    )
    figures["alerts_raised"] = alerts["raised"]
    figures["alerts_disposed"] = alerts["disposed"]
    return figures


def figures_with_change(user, *, root: Unit | None, year: int, today: dt.date | None) -> dict:
    """Each figure of ``year`` with the previous year's and the change (like for like)."""
    (start, end), (last_start, last_end) = year_spans(year, today)
    this = _figures(cases_in(user, root=root, start=start, end=end))
    last = _figures(cases_in(user, root=root, start=last_start, end=last_end))
    return {
        key: {"value": value, "previous": last[key], "change": year_on_year(value, last[key])}
        for key, value in this.items()
    }


def by_month(user, *, root: Unit | None, year: int) -> list[dict]:
    """Cases of each kind proposed in each month of ``year`` (12 rows)."""
    rows = (
        cases_in(user, root=root, start=dt.date(year, 1, 1), end=dt.date(year, 12, 31))
        .annotate(month=ExtractMonth("proposed_on"))
        .values("month", "kind")
        .annotate(n=Count("id"))
    )
    table = {m: dict.fromkeys(KIND_KEYS.values(), 0) for m in range(1, 13)}
    for row in rows:
        table[row["month"]][KIND_KEYS[row["kind"]]] = row["n"]
    return [{"month": m, **counts} for m, counts in table.items()]


def by_prison(user, *, root: Unit | None, year: int) -> list[dict]:
    """Cases of ``year`` per prison: kinds, outcomes and the granted share of decided cases."""
    cases = cases_in(user, root=root, start=dt.date(year, 1, 1), end=dt.date(year, 12, 31))
    prisons = list(
        scope.visible_units(user).filter(kind=UnitKind.PRISON).order_by("sort_order", "path")
    )
    rows = Counter()
    for path, kind, outcome, n in (
        cases.values_list("unit__path", "kind", "outcome").annotate(n=Count("id")).order_by()
    ):
        prison = next((p for p in prisons if path.startswith(p.path)), None)
        if prison is not None:
            rows[(prison.pk, KIND_KEYS[kind])] += n
            rows[(prison.pk, OUTCOME_KEYS.get(outcome, "open"))] += n
    table = []
    for prison in prisons:
        counts = {
            key: rows[(prison.pk, key)]
            for key in (*KIND_KEYS.values(), *OUTCOME_KEYS.values(), "open")
        }
        if not any(counts.values()):
            continue
        decided = counts["granted"] + counts["partly_granted"] + counts["denied"]
        table.append(
            {
                "prison": prison.name,
                **counts,
                "granted_share": (counts["granted"] + counts["partly_granted"]) / decided
                if decided
                else None,
            }
        )
    return table


@dataclass(frozen=True)
class StepTime:
    step: str
    label: str
    cases: int
    mean_days: float
    max_days: float


def time_at_steps(user, *, root: Unit | None, year: int) -> list[StepTime]:
    """How long cases waited at each step: the days from the previous step to this one, over
    the cases proposed in ``year``. A step several reviewers act at ends with the last of
    them."""
    cases = cases_in(user, root=root, start=dt.date(year, 1, 1), end=dt.date(year, 12, 31))
    order = ["propose", *(t.code for t in workflow.TRANSITIONS), "withdraw"]
    ended: dict[int, dict[str, dt.datetime]] = defaultdict(dict)
    steps = CaseStep.objects.filter(case__in=cases).values_list("case_id", "step", "acted_at")
    for case_id, step, acted_at in steps.iterator(chunk_size=5000):
        times = ended[case_id]
        if step not in times or acted_at > times[step]:
            times[step] = acted_at
    waits: dict[str, list[float]] = defaultdict(list)
    for times in ended.values():
        before = None
        for code in order:
            if code not in times:
                continue
            if before is not None:
                waits[code].append((times[code] - before).total_seconds() / 86400)
            before = times[code]
    return [
        StepTime(
            step=code,
            label=STEP_LABELS.get(code, "撤回"),
            cases=len(waits[code]),
            mean_days=sum(waits[code]) / len(waits[code]),
            max_days=max(waits[code]),
        )
        for code in order
        if waits.get(code)
    ]


def alerts_by_kind(user, *, root: Unit | None, year: int) -> list[dict]:
    cases = cases_in(user, root=root, start=dt.date(year, 1, 1), end=dt.date(year, 12, 31))
    counts = {
        row["kind"]: row
        for row in RiskAlert.objects.filter(case__in=cases)
        .values("kind")
        .annotate(raised=Count("id"), disposed=Count("id", filter=Q(disposed_at__isnull=False)))
    }
    return [
        {
            "kind": kind,
            "label": str(label),
            "raised": counts.get(kind, {}).get("raised", 0),
            "disposed": counts.get(kind, {}).get("disposed", 0),
        }
        for kind, label in AlertKind.choices
    ]
