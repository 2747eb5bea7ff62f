"""Batch screening: who in a prison (or the province) may be proposed now, and who becomes
eligible within the next days.

Set-based: the prisoners, their rulings and their conduct windows are read in a handful of
queries for the whole subtree, then each prisoner is judged by the pure engine. The per-prisoner
way (``judge.verdict_for`` after ``prisoners.selectors.merit_of``) gives the same answers and is
what ``bench/screening.py`` compares against.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass

from tongxin.org.models import Unit, path_q
from tongxin.prisoners import conduct
from tongxin.prisoners.models import CustodyStatus, PointsSetting, Prisoner, SentenceChange
from tongxin.prisoners.selectors import bulk_conduct

from . import engine
from .judge import facts_of, ruleset_on
from .models import Case, CaseStatus

CHUNK = 2000


@dataclass(frozen=True)
class ScreenRow:
    prisoner_id: int
    number: str
    name: str
    unit: str
    sentence: str
    merit: str | None
    open_case: bool
    reduction_eligible: bool
    reduction_earliest: dt.date | None
    reduction_max_months: int | None
    commute_to_years: tuple[int, int] | None
    parole_eligible: bool
    parole_earliest: dt.date | None

    def due_within(self, on: dt.date, horizon: dt.date) -> bool:
        """Not eligible on ``on`` but on some day up to ``horizon``."""
        return any(
            day is not None and on < day <= horizon
            for eligible, day in (
                (self.reduction_eligible, self.reduction_earliest),
                (self.parole_eligible, self.parole_earliest),
            )
            if not eligible
        )

    def to_json(self) -> dict:
        return {
            "prisoner_id": self.prisoner_id,
            "number": self.number,
            "name": self.name,
            "unit": self.unit,
            "sentence": self.sentence,
            "merit": self.merit,
            "open_case": self.open_case,
            "reduction_eligible": self.reduction_eligible,
            "reduction_earliest": _iso(self.reduction_earliest),
            "reduction_max_months": self.reduction_max_months,
            "commute_to_years": list(self.commute_to_years) if self.commute_to_years else None,
            "parole_eligible": self.parole_eligible,
            "parole_earliest": _iso(self.parole_earliest),
        }


def _iso(day: dt.date | None) -> str | None:
    return day.isoformat() if day else None


def _sentence_text(kind: str, years: int, months: int) -> str:
    if kind == "life":
        return "无期徒刑"
    if kind == "death_reprieve":
        return "死刑缓期二年执行"
    return f"有期徒刑{years}年" + (f"{months}个月" if months else "")


@dataclass(frozen=True)
class Screening:
    on: dt.date
    horizon: dt.date
    total: int
    rows: list[ScreenRow]  # the eligible now and the due within the horizon only

    @property
    def eligible_now(self) -> list[ScreenRow]:
        return [r for r in self.rows if r.reduction_eligible or r.parole_eligible]

    @property
    def due_soon(self) -> list[ScreenRow]:
        return [r for r in self.rows if r.due_within(self.on, self.horizon)]


def screen(
    root: Unit,
    *,
    on: dt.date,
    horizon_days: int = 90,
    progress: Callable[[int, int], None] | None = None,
) -> Screening:
    """Screen every prisoner in custody under ``root`` on ``on``."""
    horizon = on + dt.timedelta(days=horizon_days)
    ruleset = ruleset_on(on)
    setting = PointsSetting.current()
    needed = setting.commendations_for_repentance
    base = Prisoner.objects.filter(path_q("unit__path", root.path), status=CustodyStatus.IN_CUSTODY)
    ids = list(base.order_by("id").values_list("id", flat=True))
    total = len(ids)
    rows: list[ScreenRow] = []
    done = 0
    for start in range(0, total, CHUNK):
        chunk = ids[start : start + CHUNK]
        rows.extend(_screen_chunk(chunk, on, horizon, ruleset, needed))
        done += len(chunk)
        if progress:
            progress(done, total)
    return Screening(on=on, horizon=horizon, total=total, rows=rows)


def _screen_chunk(ids, on, horizon, ruleset, needed) -> list[ScreenRow]:
    prisoners = list(
        Prisoner.objects.filter(id__in=ids)
        .select_related("unit")
        .only(
            "id",
            "number",
            "name",
            "unit__name",
            "sentence_type",
            "term_years",
            "term_months",
            "execution_start",
            "detention_days",
            "restricted_reduction",
            "categories",
            "is_recidivist",
            "property_able_unfulfilled",
        )
    )
    changes: dict[int, list] = defaultdict(list)
    for change in SentenceChange.objects.filter(prisoner_id__in=ids).order_by(
        "prisoner_id", "ruling_date", "id"
    ):
        changes[change.prisoner_id].append(change)
    starts = {
        p.id: (changes[p.id][-1].ruling_date if changes[p.id] else p.execution_start)
        for p in prisoners
    }
    windows = bulk_conduct(ids, starts)
    open_cases = set(
        Case.objects.filter(prisoner_id__in=ids)
        .exclude(status=CaseStatus.CLOSED)
        .values_list("prisoner_id", flat=True)
    )
    found = []
    for prisoner in prisoners:
        merit = conduct.merit_level(windows[prisoner.id], commendations_for_repentance=needed)
        facts = facts_of(prisoner, changes[prisoner.id], merit)
        try:
            result = engine.assess(facts, on, ruleset)
        except engine.HistoryError:
            continue
        reduction, parole = result.reduction, result.parole
        row = ScreenRow(
            prisoner_id=prisoner.id,
            number=prisoner.number,
            name=prisoner.name,
            unit=prisoner.unit.name,
            sentence=_sentence_text(
                prisoner.sentence_type, prisoner.term_years, prisoner.term_months
            ),
            merit=merit,
            open_case=prisoner.id in open_cases,
            reduction_eligible=bool(merit) and reduction.eligible,
            reduction_earliest=reduction.earliest_date if merit else None,
            reduction_max_months=reduction.max_months,
            commute_to_years=reduction.commute_to_years,
            parole_eligible=bool(merit) and parole.eligible,
            parole_earliest=parole.earliest_date if merit else None,
        )
        if row.reduction_eligible or row.parole_eligible or row.due_within(on, horizon):
            found.append(row)
    return found


def _columns():
    from tongxin.org.excel import Column

    widths = (12, 14, 10, 16, 16, 24, 12, 8, 14, 12, 16, 8, 14)
    headers = (
        "类别",
        "罪犯编号",
        "姓名",
        "监区",
        "刑期",
        "改造表现",
        "已有在办案件",
        "可减刑",
        "减刑最早日期",
        "最大幅度(月)",
        "可减为有期徒刑(年)",
        "可假释",
        "假释最早日期",
    )
    return tuple(Column(h, "", width=w) for h, w in zip(headers, widths, strict=True))


def screening_workbook(run) -> bytes:
    """The result of a finished run as a workbook: the eligible now, then the due soon."""
    from tongxin.org import excel
    from tongxin.prisoners.conduct import MERIT_LABELS

    def rows():
        for label, key in (("现可提请", "eligible"), ("即将符合条件", "due")):
            for row in run.result.get(key, []):
                years = row["commute_to_years"]
                yield [
                    label,
                    row["number"],
                    row["name"],
                    row["unit"],
                    row["sentence"],
                    MERIT_LABELS.get(row["merit"], "无"),
                    "是" if row["open_case"] else "",
                    "是" if row["reduction_eligible"] else "",
                    row["reduction_earliest"] or "",
                    row["reduction_max_months"] or "",
                    f"{years[0]}-{years[1]}" if years else "",
                    "是" if row["parole_eligible"] else "",
                    row["parole_earliest"] or "",
                ]

    return excel.write_rows(_columns(), rows(), "条件筛查")
