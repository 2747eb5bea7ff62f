"""Internal-control risk signals on a case (pure: the services gather the inputs).

The bureau's internal-control mechanism names the places where illegal reduction, parole and
temporary execution start: points pushed up just before eligibility, additions granted by one
officer, merits resting on patents or inventions (often bought), the special categories, a move
to a lighter job just before the proposal, an amount above what comparable cases get, and a
property judgment left unpaid. Each signal is one small function returning an ``Alert`` or
``None``; thresholds are module constants so that a reader sees them.
"""

from __future__ import annotations

import datetime as dt
import statistics
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal

SURGE_RECENT_MONTHS = 3
SURGE_BEFORE_MONTHS = 9
SURGE_MIN_RISE = Decimal("0.15")
CONCENTRATION_MIN_ENTRIES = 3
CONCENTRATION_SHARE = Decimal("0.6")
LIGHTER_JOB_DAYS = 180
COMPARABLE_MIN_CASES = 5

SPECIAL_LABELS = {
    "duty_crime": "职务犯罪",
    "financial": "金融犯罪",
    "mafia": "涉黑犯罪",
    "state_security": "危害国家安全犯罪",
    "terrorism": "恐怖活动犯罪",
    "drug_ringleader": "毒品犯罪集团首要分子",
    "drug_recidivist": "毒品再犯",
    "recidivist": "累犯",
    "violent_10y": "暴力犯罪十年以上",
    "combined_10y": "数罪并罚两罪十年以上",
}


@dataclass(frozen=True)
class Alert:
    kind: str
    detail: str


@dataclass(frozen=True)
class RiskInputs:
    proposed_on: dt.date
    monthly_points: dict[dt.date, Decimal] = field(default_factory=dict)  # month → net points
    additions_by_officer: dict[str, Decimal] = field(default_factory=dict)  # last 12 months
    addition_entries: int = 0
    invention_merits: int = 0
    categories: tuple[str, ...] = ()
    job_changes: tuple[tuple[dt.date, int, int], ...] = ()  # (day, old intensity, new)
    proposed_months: int | None = None
    comparable_months: tuple[int, ...] = ()  # granted months of comparable ruled cases
    property_outstanding: Decimal = Decimal(0)


def _month_back(month: dt.date, n: int) -> dt.date:
    index = month.year * 12 + month.month - 1 - n
    return dt.date(index // 12, index % 12 + 1, 1)


def points_surge(inputs: RiskInputs) -> Alert | None:
    this_month = inputs.proposed_on.replace(day=1)
    recent = [_month_back(this_month, n) for n in range(1, SURGE_RECENT_MONTHS + 1)]
    before = [
        _month_back(this_month, n)
        for n in range(SURGE_RECENT_MONTHS + 1, SURGE_RECENT_MONTHS + SURGE_BEFORE_MONTHS + 1)
    ]
    known_before = [inputs.monthly_points[m] for m in before if m in inputs.monthly_points]
    known_recent = [inputs.monthly_points[m] for m in recent if m in inputs.monthly_points]
    if len(known_before) < 3 or not known_recent:
        return None
    mean_before = sum(known_before) / len(known_before)
    mean_recent = sum(known_recent) / len(known_recent)
    if mean_before <= 0 or (mean_recent - mean_before) / mean_before < SURGE_MIN_RISE:
        return None
    rise = (mean_recent - mean_before) / mean_before * 100
    return Alert(
        "points_surge",
        f"提请前{len(known_recent)}个月月均{mean_recent:.1f}分,此前{len(known_before)}个月"
        f"月均{mean_before:.1f}分,上升{rise:.0f}%",
    )


def concentrated_additions(inputs: RiskInputs) -> Alert | None:
    total = sum(inputs.additions_by_officer.values(), Decimal(0))
    if inputs.addition_entries < CONCENTRATION_MIN_ENTRIES or total <= 0:
        return None
    officer, top = max(inputs.additions_by_officer.items(), key=lambda item: item[1])
    share = top / total
    if share < CONCENTRATION_SHARE:
        return None
    return Alert(
        "concentrated_additions",
        f"近12个月加分{total}分中,{officer}呈报{top}分,占{share * 100:.0f}%",
    )


def invention_merit(inputs: RiskInputs) -> Alert | None:
    if not inputs.invention_merits:
        return None
    return Alert(
        "invention_merit",
        f"{inputs.invention_merits}项立功以专利或发明创造为依据,须核实来源与本人完成情况",
    )


def special_category(inputs: RiskInputs) -> Alert | None:
    found = [SPECIAL_LABELS[c] for c in inputs.categories if c in SPECIAL_LABELS]
    if not found:
        return None
    return Alert("special_category", "从严类别:" + "、".join(found))


def lighter_job(inputs: RiskInputs) -> Alert | None:
    since = inputs.proposed_on - dt.timedelta(days=LIGHTER_JOB_DAYS)
    moves = [
        (day, old, new)
        for day, old, new in inputs.job_changes
        if since <= day <= inputs.proposed_on and new < old
    ]
    if not moves:
        return None
    day = max(m[0] for m in moves)
    return Alert("lighter_job", f"{day:%Y-%m-%d}调整为劳动强度较轻的岗位,距提请不足6个月")


def amount_above_usual(inputs: RiskInputs) -> Alert | None:
    if inputs.proposed_months is None or len(inputs.comparable_months) < COMPARABLE_MIN_CASES:
        return None
    quartiles = statistics.quantiles(inputs.comparable_months, n=4, method="inclusive")
    upper = quartiles[2]
    if inputs.proposed_months <= upper:
        return None
    median = statistics.median(inputs.comparable_months)
    return Alert(
        "amount_above_usual",
        f"建议减刑{inputs.proposed_months}个月,高于{len(inputs.comparable_months)}件同类案件"
        f"的上四分位{upper:g}个月(中位数{median:g}个月)",
    )


def property_unfulfilled(inputs: RiskInputs) -> Alert | None:
    if inputs.property_outstanding <= 0:
        return None
    return Alert("property_unfulfilled", f"财产性判项尚有{inputs.property_outstanding}元未履行")


SIGNALS: tuple[Callable[[RiskInputs], Alert | None], ...] = (
    points_surge,
    concentrated_additions,
    invention_merit,
    special_category,
    lighter_job,
    amount_above_usual,
    property_unfulfilled,
)


def detect(inputs: RiskInputs) -> list[Alert]:
    return [alert for signal in SIGNALS if (alert := signal(inputs)) is not None]
