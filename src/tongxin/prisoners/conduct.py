"""Pure rules of the conduct record: commendations earned by points, and the merit level a
case may rest on. No ORM here; the services and the screening feed plain values in.

司法部《监狱计分考核罪犯工作规定》(2021): a commendation (表扬) is earned each time the running
total since the last commendation reaches the provincial threshold (600 by default).
规定 arts. 3–5: 确有悔改表现 rests on the commendations earned and the absence of serious
violations in the period under review; 立功 / 重大立功 on the merits awarded in it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

REPENTANCE = "repentance"
MERITORIOUS = "meritorious"
REPENTANCE_AND_MERITORIOUS = "repentance_and_meritorious"
MAJOR_MERITORIOUS = "major_meritorious"
REPENTANCE_AND_MAJOR_MERITORIOUS = "repentance_and_major_meritorious"

MERIT_LABELS = {
    REPENTANCE: "确有悔改表现",
    MERITORIOUS: "有立功表现",
    REPENTANCE_AND_MERITORIOUS: "确有悔改表现并有立功表现",
    MAJOR_MERITORIOUS: "有重大立功表现",
    REPENTANCE_AND_MAJOR_MERITORIOUS: "确有悔改表现并有重大立功表现",
}


def commendations_due(running_total: Decimal, awarded_since_start: int, threshold: int) -> int:
    """How many new commendations a ledger total has earned.

    ``running_total`` is the net sum of all points since admission and ``awarded_since_start``
    the commendations already awarded for points; each commendation consumes ``threshold``
    points, so the balance since the last one is ``running_total - awarded × threshold``."""
    if threshold <= 0:
        raise ValueError("threshold must be positive")
    earned = int(running_total // threshold) if running_total > 0 else 0
    return max(0, earned - awarded_since_start)


@dataclass(frozen=True)
class ConductWindow:
    """What happened in the period a case looks at (since the later of the judgment's
    execution and the last ruling)."""

    start: dt.date
    commendations: int
    merits: int
    major_merits: int
    serious_violations: int
    points: Decimal


def merit_level(window: ConductWindow, *, commendations_for_repentance: int) -> str | None:
    """The merit level the record supports, or ``None`` when it supports none.

    Repentance needs ``commendations_for_repentance`` commendations and no serious violation in
    the window; a merit or a major merit stands on its own."""
    repentant = (
        window.commendations >= commendations_for_repentance and window.serious_violations == 0
    )
    if window.major_merits:
        return REPENTANCE_AND_MAJOR_MERITORIOUS if repentant else MAJOR_MERITORIOUS
    if window.merits:
        return REPENTANCE_AND_MERITORIOUS if repentant else MERITORIOUS
    return REPENTANCE if repentant else None


def merit_explanation(
    window: ConductWindow, *, commendations_for_repentance: int | None = None
) -> str:
    """One sentence of Chinese saying what the level rests on. With
    ``commendations_for_repentance`` it also names the provincial threshold (for officers);
    without it, it is the plain record a case carries onto its public notice."""
    commendations = f"表扬{window.commendations}次"
    if commendations_for_repentance is not None:
        commendations += f"(认定确有悔改表现需{commendations_for_repentance}次)"
    parts = [f"自{window.start:%Y-%m-%d}起累计{window.points}分", commendations]
    if window.merits:
        parts.append(f"立功{window.merits}次")
    if window.major_merits:
        parts.append(f"重大立功{window.major_merits}次")
    parts.append(f"严重违规{window.serious_violations}次")
    return ",".join(parts)


def months_between(first: dt.date, last: dt.date) -> Iterable[dt.date]:
    """The first days of the months from ``first``'s month to ``last``'s month inclusive."""
    year, month = first.year, first.month
    while (year, month) <= (last.year, last.month):
        yield dt.date(year, month, 1)
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
