"""Eligibility engine for penalty execution: reduction (减刑), parole (假释) and temporary
execution outside prison (暂予监外执行).

Pure: no ORM, no request, standard library only (plus the rule table in ``rules.py``). A
caller turns its rows (or the JSON of ``facts.py``) into a ``CaseFacts``, calls
``assess(facts, on)`` and gets an ``Assessment`` that explains itself: every rule that was
evaluated travels with the result as a reason carrying its code, its legal basis and a Chinese
sentence with the concrete numbers and dates.

Shape (after Recidiviz's task-eligibility criteria): each legal rule is one small named unit, a
``Rule`` with a stable ``code``, a ``basis`` and a check function. A check returns an
``Outcome`` that says on which dates the rule is satisfied (``not_before`` / ``not_after``), or
that it never can be (``never``), plus, for amount rules, the most it allows (``max_months``,
``commute_to_years``). Which rules apply depends only on where the sentence stands now (the
``Stage``: an original fixed term, an uncommuted life sentence, a life sentence commuted to a
fixed term, a death sentence with reprieve before or after its commutations); the tables
``REDUCTION_RULES`` and ``PAROLE_RULES`` list them per stage, in the order their reasons are
shown. A decision is the intersection of the rules' date windows: ``earliest_date`` is the
window's first day, ``eligible`` says whether ``on`` lies inside it.

Date conventions (docs/penalty-execution-rules.md), followed exactly:

* "Served N months on D" means ``D >= start + N months`` with ``dateutil.relativedelta``'s month
  arithmetic (the day is clamped to the month's end: 2020-08-31 + 6 months = 2021-02-28,
  2020-02-29 + 12 months = 2021-02-28). ``add_months`` implements exactly that arithmetic
  without allocating a ``relativedelta`` (the tests check it against ``relativedelta`` over
  years of dates), because a screening of 50,000 prisoners runs it half a million times.
* ``term_start = execution_start − detention_days``. A fixed term's last day is
  ``term_start + (term − Σ reductions) months − 1 day``; reductions shorten the exclusive end
  by whole months, applied to the original start, never to a clamped intermediate date.
* Reduction thresholds count from ``execution_start`` (detention not credited); parole's half
  term counts from ``term_start`` (detention credited).
* Intervals count from the ruling date of the previous ruling, whatever its kind.
* A life sentence commuted to a fixed term: the fixed term runs from the commutation ruling;
  "actually executed" counts from the life sentence's ``execution_start``. Detention before a
  life or death sentence is never credited (规定第二十三条), so ``detention_days`` is ignored
  for them.

Legal interpretations chosen (each is one rule below, and each number is in the ``RuleSet``):

* Fixed terms (规定第六条、第七条). "Special" means a 规定第七条第一款 category for terms under
  10 years; for 10 years or more those plus the violent and combined groups (第二款). The
  violent and combined flags on a term under 10 years are inconsistent with their own
  definition ("sentenced to 10 years or more"): the ordinary column applies and they do not bar
  parole. The special amount is the ordinary amount capped at 12 months; special intervals have
  no ">= previous amount" condition. Major merit (both major levels) lifts start and interval
  limits: the date condition is then ``execution_start`` for a first reduction and the previous
  ruling date for a later one (an interval of zero).
* 刑法第七十八条 ceiling: Σ reductions <= original term // 2 months (an odd term rounds the
  allowance down). ``max_months = min(table amount, what the ceiling leaves)``; 0 left means
  never (``earliest_date`` null, ``max_months`` 0).
* Life (规定第八条、第九条): the first step is a commutation after 24 months executed (36 for the
  special categories, which for life include the violent and combined groups); major merit lifts
  it. 规定第九条 also says the commuted term is "最低不得少于二十年", so for the special
  categories the range is raised to at least 20 years (repentance and major merit: [20, 20]).
  Later reductions: art. 6 amounts (special: capped at 12), intervals >= 24 months (major merit
  lifts), and the term must still end on or after ``execution_start + 13 years − 1 day``
  (刑法第七十八条); ``max_months`` is rounded down to whole months of the commuted term.
* Death with reprieve (刑法第五十条、第五十一条; 规定第十条至第十四条, as we read them): the
  reprieve ends ``execution_start + 24 months``; then a commutation to life, or to 25 years
  with major merit. A reprieve commuted straight to a fixed term runs from the reprieve's end
  (刑法第五十一条), not from the ruling. After a commutation to life: reducible 36 months after
  that ruling (规定第十条、第十一条; restricted: 60 months, 第十三条); major merit does not lift
  this start, since arts. 10, 11 and 13 carry no such clause. The commutation targets are
  art. 10's own scale (25; 24–25; 23–24; 22–23 years), and for the special categories and
  restricted reduction art. 11's "一般减为二十五年…23年以上25年以下" (the art. 10 range raised to at
  least 23). Once a fixed term: art. 6 amounts and 24-month intervals (art. 10 para. 2 refers to
  art. 8); special categories capped at 12 months (art. 11); restricted reduction capped at 6
  months, 12 with major merit, interval 24 months (art. 14). Major merit lifts the interval in
  every case (art. 14's "可以适当缩短" is left to the court, so the engine does not hold the
  case back). Floors: 15 years actually executed excluding the reprieve (规定第十二条);
  restricted: 25 years if commuted to life, 20 if commuted to 25 years (刑法第七十八条), counted
  from the reprieve's end as well. Arts. 10–14 are applied as quoted here and should be checked
  against the official text; every number is a ``RuleSet`` field, so a correction is data.
* Parole (刑法第八十一条; 规定第二十二条至第二十八条). Half of the original term from
  ``term_start``: an even number of months m gives ``term_start + m/2 months``; an odd m gives
  the midpoint of ``[term_start + m//2 months, term_start + (m//2 + 1) months]``, rounded up to a
  whole day. Life, commuted or not: 13 years from ``execution_start``. Death with reprieve:
  15 years from the reprieve's end (an uncommuted reprieve is presumed commuted to life at its
  end, as 刑法第五十条 provides absent an intentional crime). Never: recidivists, the violent
  group (10 years or more, life, death with reprieve), unfulfilled property orders, and anyone
  under restricted reduction (刑法第五十条第二款 restricts only recidivists and the violent
  group, whom 规定第二十五条第二款 bars from parole). After a ruling: 12 months, 18 if it took 12
  months or more or was a commutation (规定第二十八条; its discretionary shortening when less than
  two years remain is left to people). Genuine repentance and no danger of reoffending are
  judged by people: ``parole.assessment`` is a reminder that always passes.
* A date window closing before it opens (the earliest date after the current term's last day)
  means ``earliest_date`` null and not eligible. ``on`` after the term's last day is not
  eligible either (the prisoner is due for release).
* ``on`` is not checked against ``RuleSet.effective_from``: choosing the rule version in force
  on a date is the caller's business (the database keeps the versions).
* Speed: a screening keeps only the verdicts; each ``Decision`` evaluates its reasons (and a
  reason its Chinese text) again only when they are read. About 15 µs per prisoner.

User-facing strings are Chinese literals (this module must not import Django).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, NamedTuple

from .rules import (
    ART7_PARA1_CATEGORIES,
    DEATH_REPRIEVE_MONTHS,
    DEFAULT_RULESET,
    REPRIEVE_MAJOR_MERIT_YEARS,
    STRICT_LONG_CATEGORIES,
    Category,
    Merit,
    ReductionKind,
    RuleSet,
    SentenceType,
)

__all__ = [
    "PAROLE_RULES",
    "REDUCTION_RULES",
    "TEMPORARY_RULES",
    "Assessment",
    "CaseFacts",
    "CommuteTo",
    "Context",
    "Decision",
    "HistoryError",
    "Outcome",
    "Reduction",
    "Rule",
    "Sentence",
    "Stage",
    "Standing",
    "TemporaryConditions",
    "TemporaryGround",
    "TemporaryReason",
    "TemporaryResult",
    "add_months",
    "assess",
    "assess_many",
    "assessment_to_json",
    "standing_of",
    "temporary_execution",
    "temporary_to_json",
]

_ONE_DAY = dt.timedelta(days=1)
_TEN_YEARS = 120
_FIVE_YEARS = 60


# --- Month arithmetic ---------------------------------------------------------------------

_MONTH_DAYS = (31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)


def add_months(day: dt.date, months: int) -> dt.date:
    """``day + relativedelta(months=months)``: the same day ``months`` later, clamped to the
    last day of a shorter month (2020-08-31 + 6 = 2021-02-28). ``months`` may be negative."""
    index = day.year * 12 + day.month - 1 + months
    year, month_index = divmod(index, 12)
    result_day = day.day
    if result_day > 28:
        last = _MONTH_DAYS[month_index]
        if month_index == 1 and year % 4 == 0 and (year % 100 != 0 or year % 400 == 0):
            last = 29
        if result_day > last:
            result_day = last
    return dt.date(year, month_index + 1, result_day)


def _months_to_reach(start: dt.date, target: dt.date) -> int:
    """The fewest whole months ``k`` with ``add_months(start, k) >= target``."""
    months = (target.year - start.year) * 12 + target.month - start.month
    # add_months(start, months) falls in target's month; one more month passes target.
    return months if add_months(start, months) >= target else months + 1


# --- Facts --------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Sentence:
    """The judgment as executed. ``years``/``months`` only mean something for a fixed term;
    ``restricted_reduction`` (限制减刑) only for a death sentence with reprieve."""

    type: SentenceType
    execution_start: dt.date
    years: int = 0
    months: int = 0
    detention_days: int = 0
    restricted_reduction: bool = False

    @property
    def term_months(self) -> int:
        return self.years * 12 + self.months

    @property
    def term_start(self) -> dt.date:
        """The day a fixed term runs from: execution start less the credited detention."""
        return self.execution_start - dt.timedelta(days=self.detention_days)


@dataclass(frozen=True, slots=True)
class Reduction:
    """One court ruling. ``reduction``: ``months`` off a fixed term. ``commutation``: to a fixed
    term of ``to_years``, or to life when ``to_years`` is ``None`` (or 0)."""

    ruling_date: dt.date
    kind: ReductionKind
    months: int = 0
    to_years: int | None = None


@dataclass(frozen=True, slots=True)
class CaseFacts:
    """Everything the engine knows of one prisoner; ``reductions`` in ruling-date order."""

    id: str
    sentence: Sentence
    merit: Merit
    categories: frozenset[Category] = frozenset()
    reductions: tuple[Reduction, ...] = ()


# --- Where the sentence stands ------------------------------------------------------------


class Stage(StrEnum):
    FIXED_TERM = "fixed_term"
    LIFE = "life"
    LIFE_COMMUTED = "life_commuted_to_fixed_term"
    DEATH_REPRIEVE = "death_reprieve"
    DEATH_COMMUTED_TO_LIFE = "death_reprieve_commuted_to_life"
    DEATH_COMMUTED_TO_FIXED = "death_reprieve_commuted_to_fixed_term"

    @property
    def label(self) -> str:
        return _STAGE_LABELS[self]

    @property
    def is_fixed(self) -> bool:
        return self in _FIXED_STAGES


_STAGE_LABELS = {
    Stage.FIXED_TERM: "有期徒刑",
    Stage.LIFE: "无期徒刑",
    Stage.LIFE_COMMUTED: "无期徒刑减为有期徒刑",
    Stage.DEATH_REPRIEVE: "死刑缓期执行",
    Stage.DEATH_COMMUTED_TO_LIFE: "死缓减为无期徒刑",
    Stage.DEATH_COMMUTED_TO_FIXED: "死缓减为有期徒刑",
}
_FIXED_STAGES = frozenset({Stage.FIXED_TERM, Stage.LIFE_COMMUTED, Stage.DEATH_COMMUTED_TO_FIXED})


class HistoryError(ValueError):
    """A ruling history that cannot have happened. ``index`` is the ruling's position in
    ``CaseFacts.reductions`` and ``field`` the offending field, so that ``facts.py`` can name
    the JSON path; ``message`` is Chinese."""

    def __init__(self, index: int, field: str, message: str) -> None:
        super().__init__(f"reductions[{index}].{field}：{message}")
        self.index = index
        self.field = field
        self.message = message


class Standing(NamedTuple):
    """The sentence after its rulings.

    ``fixed_start``/``fixed_months``: the fixed term currently served, from the day it runs
    and as long as it was when it began (the original term, or the commuted one);
    ``reduced_months``: what rulings have taken off it since; ``term_end``: its last day.
    ``previous``: the last ruling of any kind; ``reprieve_commuted_to_life``: for a death
    sentence, whether its first commutation was to life (it decides the restricted floor).
    """

    stage: Stage
    fixed_start: dt.date | None
    fixed_months: int
    reduced_months: int
    term_end: dt.date | None
    previous: Reduction | None
    reprieve_commuted_to_life: bool | None


def standing_of(facts: CaseFacts) -> Standing:
    """Replay the rulings; raise ``HistoryError`` at the first one that cannot have happened.

    Accepted: reductions of a fixed term (the months leaving some term); one commutation of a
    life sentence to a fixed term (1–25 years); for a death sentence with reprieve, a
    commutation to life or to a fixed term, and after one to life, a commutation to a fixed
    term. Commuted terms other than the current law's are accepted: rulings made under older
    interpretations are facts. Ruling dates must not precede ``execution_start``, must be
    strictly increasing (the input is never re-sorted, so an ordering mistake is reported), and
    a reduction cannot come after the term it reduces had ended.
    """
    sentence = facts.sentence
    start = sentence.execution_start
    if sentence.type is SentenceType.FIXED_TERM:
        stage, fixed_start, fixed_months = (
            Stage.FIXED_TERM,
            sentence.term_start,
            sentence.term_months,
        )
    elif sentence.type is SentenceType.LIFE:
        stage, fixed_start, fixed_months = Stage.LIFE, None, 0
    else:
        stage, fixed_start, fixed_months = Stage.DEATH_REPRIEVE, None, 0
    reduced = 0
    previous: Reduction | None = None
    to_life: bool | None = None
    for index, ruling in enumerate(facts.reductions):
        if ruling.ruling_date < start:
            raise HistoryError(
                index, "ruling_date", f"裁定日期 {ruling.ruling_date} 早于判决执行之日 {start}"
            )
        if previous is not None and ruling.ruling_date <= previous.ruling_date:
            raise HistoryError(
                index,
                "ruling_date",
                f"裁定日期 {ruling.ruling_date} 应晚于上一次裁定 {previous.ruling_date}"
                "（减刑记录须按裁定日期先后排列）",
            )
        if ruling.kind is ReductionKind.REDUCTION:
            if fixed_start is None:
                raise HistoryError(
                    index,
                    "kind",
                    f"{stage.label}尚未减为有期徒刑，不能直接减刑（reduction），应先 commutation",
                )
            if ruling.months <= 0:
                raise HistoryError(index, "months", "减刑月数应大于0")
            current_end = add_months(fixed_start, fixed_months - reduced) - _ONE_DAY
            if ruling.ruling_date > current_end:
                raise HistoryError(
                    index,
                    "ruling_date",
                    f"裁定日期 {ruling.ruling_date} 晚于当时的刑期届满日 {current_end}",
                )
            reduced += ruling.months
            if reduced >= fixed_months:
                raise HistoryError(
                    index,
                    "months",
                    f"累计减刑{reduced}个月，已达到或超过刑期{_term(fixed_months)}",
                )
        else:
            to_years = ruling.to_years or None  # 0, as in the JSON format, also means life
            if fixed_start is not None:
                what = "有期徒刑" if stage is Stage.FIXED_TERM else "已减为有期徒刑，此后"
                raise HistoryError(
                    index,
                    "kind",
                    f"{what}只能减刑（reduction），不能减为无期徒刑或有期徒刑（commutation）",
                )
            if to_years is None:
                if stage is not Stage.DEATH_REPRIEVE:
                    raise HistoryError(
                        index, "to_years", "只有死缓的首次减刑可以减为无期徒刑；应填写有期徒刑年数"
                    )
                stage, to_life = Stage.DEATH_COMMUTED_TO_LIFE, True
            elif not 1 <= to_years <= 25:
                raise HistoryError(
                    index, "to_years", f"减为有期徒刑的年数应在1到25之间：{to_years}"
                )
            elif stage is Stage.DEATH_REPRIEVE:
                # 刑法第五十一条: the fixed term runs from the reprieve's end, not the ruling.
                stage, to_life = Stage.DEATH_COMMUTED_TO_FIXED, False
                fixed_start = add_months(start, DEATH_REPRIEVE_MONTHS)
                fixed_months = to_years * 12
            else:
                stage = (
                    Stage.LIFE_COMMUTED if stage is Stage.LIFE else Stage.DEATH_COMMUTED_TO_FIXED
                )
                fixed_start, fixed_months = ruling.ruling_date, to_years * 12
        previous = ruling
    term_end = (
        None if fixed_start is None else add_months(fixed_start, fixed_months - reduced) - _ONE_DAY
    )
    return Standing(stage, fixed_start, fixed_months, reduced, term_end, previous, to_life)


# --- Rules as small named units -----------------------------------------------------------


class CommuteTo(StrEnum):
    LIFE = "life"
    FIXED_TERM = "fixed_term"


@dataclass(slots=True)
class Context:
    """What every check may read, built once per assessment."""

    facts: CaseFacts
    sentence: Sentence
    standing: Standing
    on: dt.date
    rules: RuleSet
    merit: Merit
    major: bool
    #: The strict categories that count at this stage (规定第七条、第九条、第十一条).
    special: frozenset[Category]


class Outcome(NamedTuple):
    """One rule's verdict. The rule is satisfied on the days in ``[not_before, not_after]``
    (either end open when ``None``) unless ``never``; ``passes`` is that, on ``Context.on``.
    ``text`` is the Chinese reason with the case's numbers and dates.

    Built for speed, since a screening builds about twenty per prisoner: a named tuple rather
    than a frozen dataclass, and the text is formatted only when read (``describe``), because
    deciding eligibility never needs it."""

    code: str
    basis: str
    describe: Callable[[], str]
    passes: bool
    not_before: dt.date | None = None
    not_after: dt.date | None = None
    never: bool = False
    max_months: int | None = None
    commute_to: CommuteTo | None = None
    commute_to_years: tuple[int, int] | None = None

    @property
    def text(self) -> str:
        return self.describe()


Check = Callable[["Rule", Context], Outcome]


@dataclass(frozen=True, slots=True)
class Rule:
    """A legal rule: a stable ``code``, the article it rests on, a Chinese ``title``, and a
    check. ``applies`` (if set) says whether the rule is evaluated at all for a case."""

    code: str
    basis: str
    title: str
    check: Check
    applies: Callable[[Context], bool] | None = None

    def evaluate(self, context: Context) -> Outcome:
        return self.check(self, context)

    @property
    def description(self) -> str:
        """What the rule says, in plain English (the check's docstring)."""
        return (self.check.__doc__ or "").strip()


def _rule(
    code: str, basis: str, title: str, applies: Callable[[Context], bool] | None = None
) -> Callable[[Check], Rule]:
    def wrap(check: Check) -> Rule:
        return Rule(code, basis, title, check, applies)

    return wrap


def _outcome(
    rule: Rule,
    context: Context,
    describe: Callable[[], str],
    *,
    basis: str | None = None,
    not_before: dt.date | None = None,
    not_after: dt.date | None = None,
    never: bool = False,
    max_months: int | None = None,
    commute_to: CommuteTo | None = None,
    commute_to_years: tuple[int, int] | None = None,
) -> Outcome:
    on = context.on
    passes = (
        not never
        and (not_before is None or on >= not_before)
        and (not_after is None or on <= not_after)
    )
    return Outcome(
        rule.code,
        basis or rule.basis,
        describe,
        passes,
        not_before,
        not_after,
        never,
        max_months,
        commute_to,
        commute_to_years,
    )


# Chinese text helpers.


def _term(months: int) -> str:
    """``120`` → ``10年``; ``54`` → ``4年6个月``; ``7`` → ``7个月``."""
    years, rest = divmod(months, 12)
    if not years:
        return f"{rest}个月"
    return f"{years}年{rest}个月" if rest else f"{years}年"


def _years_range(low: int, high: int) -> str:
    return f"{low}年" if low == high else f"{low}年以上{high}年以下"


def _special_text(special: frozenset[Category]) -> str:
    return "、".join(category.label for category in Category if category in special)


def _special_lead(context: Context) -> str:
    """``属职务犯罪、累犯，`` for a strict category, else nothing."""
    return f"属{_special_text(context.special)}，" if context.special else ""


def _has_previous(context: Context) -> bool:
    return context.standing.previous is not None


def _is_first(context: Context) -> bool:
    return context.standing.previous is None


def _months_above_floor(standing: Standing, floor_exclusive: dt.date) -> int:
    """The most whole months that can still come off the current fixed term while it ends
    (exclusive) on or after ``floor_exclusive``."""
    assert standing.fixed_start is not None
    needed = _months_to_reach(standing.fixed_start, floor_exclusive)
    return max(standing.fixed_months - standing.reduced_months - needed, 0)


def _major_lift(context: Context) -> str:
    return f"{context.merit.label}，可以不受减刑起始时间和间隔时间的限制"


# Fixed-term reduction (规定第六条、第七条; 刑法第七十八条).


def _fixed_special_basis(context: Context) -> str:
    term = context.sentence.term_months
    return "规定第七条第二款" if term >= _TEN_YEARS else "规定第七条第一款"


@_rule("reduction.first_threshold", "规定第六条第一款", "首次减刑起始时间", _is_first)
def first_threshold(rule: Rule, context: Context) -> Outcome:
    """A fixed term is first reducible after 12, 18 or 24 months executed (under 5, under 10,
    10 years or more; 24 for the strict categories), counted from execution start. Major merit
    lifts the threshold."""
    start = context.sentence.execution_start
    term = context.sentence.term_months
    if context.major:
        return _outcome(
            rule,
            context,
            lambda: f"{_major_lift(context)}，自判决执行之日（{start}）起即可减刑",
            basis="规定第七条第三款" if context.special else "规定第六条第四款",
            not_before=start,
        )
    rules = context.rules
    if context.special:
        months, basis = rules.special_first_threshold, _fixed_special_basis(context)
    else:
        basis = rule.basis
        if term < _FIVE_YEARS:
            months = rules.first_threshold_under_5_years
        elif term < _TEN_YEARS:
            months = rules.first_threshold_5_to_10_years
        else:
            months = rules.first_threshold_10_years_or_more
    day = add_months(start, months)
    return _outcome(
        rule,
        context,
        lambda: (
            f"{_special_lead(context)}原判{_term(term)}，首次减刑须自判决执行之日（{start}）起"
            f"执行满{months}个月，即{day}起"
        ),
        basis=basis,
        not_before=day,
    )


@_rule("reduction.interval", "规定第六条第三款", "两次减刑间隔", _has_previous)
def interval(rule: Rule, context: Context) -> Outcome:
    """Between two reductions of a fixed term: 12 months (under 10 years) or 18 months, and for
    the ordinary column also no less than the previous reduction's months. Major merit lifts it
    (the date condition is then the previous ruling date)."""
    previous = context.standing.previous
    assert previous is not None
    term = context.sentence.term_months
    rules = context.rules
    if context.major:
        return _outcome(
            rule,
            context,
            lambda: f"{_major_lift(context)}（上次裁定{previous.ruling_date}）",
            basis="规定第七条第三款" if context.special else "规定第六条第四款",
            not_before=previous.ruling_date,
        )
    if context.special:
        base = (
            rules.special_interval_10_years_or_more
            if term >= _TEN_YEARS
            else rules.special_interval_under_10_years
        )
        months, basis, condition = base, _fixed_special_basis(context), ""
    else:
        base = (
            rules.interval_10_years_or_more if term >= _TEN_YEARS else rules.interval_under_10_years
        )
        months = max(base, previous.months)
        basis, condition = rule.basis, f"，且不少于上次减去的刑期{previous.months}个月"
    day = add_months(previous.ruling_date, months)
    return _outcome(
        rule,
        context,
        lambda: (
            f"{_special_lead(context)}原判{_term(term)}，两次减刑间隔不少于{base}个月{condition}："
            f"上次裁定{previous.ruling_date}，即{day}起"
        ),
        basis=basis,
        not_before=day,
    )


@_rule("reduction.amount", "规定第六条第二款", "一次减刑幅度")
def amount(rule: Rule, context: Context) -> Outcome:
    """One reduction at most 9, 12, 18 or 24 months by merit; the strict categories at most the
    same amount capped at 12 months."""
    table = context.rules.reduction_amounts[context.merit]
    if context.special:
        cap = min(table, context.rules.special_amount_cap)
        return _outcome(
            rule,
            context,
            lambda: (
                f"属{_special_text(context.special)}，从严掌握：{context.merit.label}，"
                f"一次减刑不超过{cap}个月（一般为{table}个月）"
            ),
            basis=_fixed_special_basis(context),
            max_months=cap,
        )
    return _outcome(
        rule,
        context,
        lambda: f"{context.merit.label}，一次减刑不超过{table}个月",
        max_months=table,
    )


@_rule("reduction.ceiling", "刑法第七十八条第二款", "减刑后实际执行刑期下限")
def ceiling(rule: Rule, context: Context) -> Outcome:
    """The term actually executed after all reductions is at least half the original term:
    reductions in all at most term // 2 months."""
    term = context.sentence.term_months
    limit = term // 2
    used = context.standing.reduced_months
    left = max(limit - used, 0)
    return _outcome(
        rule,
        context,
        lambda: (
            f"原判{_term(term)}，减刑后实际执行不得少于原判刑期的二分之一，累计减刑不得超过"
            f"{limit}个月；已减{used}个月，尚可减{left}个月{'' if left else '，不得再减刑'}"
        ),
        never=not left,
        max_months=left,
    )


@_rule("reduction.term_end", "监狱法第三十五条", "刑期届满")
def reduction_term_end(rule: Rule, context: Context) -> Outcome:
    """A reduction must come before the current term's last day; afterwards the prisoner is
    released."""
    end = context.standing.term_end
    return _outcome(rule, context, lambda: f"现刑期至{end}届满，届满后不再减刑", not_after=end)


# Life imprisonment (规定第八条、第九条; 刑法第七十八条).


def _life_basis(context: Context) -> str:
    return "规定第九条" if context.special else "规定第八条"


@_rule("reduction.life_threshold", "规定第八条", "无期徒刑减刑起始时间")
def life_threshold(rule: Rule, context: Context) -> Outcome:
    """A life sentence is first reducible (commuted to a fixed term) after 24 months executed,
    36 for the strict categories (the violent and combined groups included). Major merit lifts
    the threshold."""
    start = context.sentence.execution_start
    if context.major:
        return _outcome(
            rule,
            context,
            lambda: f"{_major_lift(context)}，自判决执行之日（{start}）起即可减刑",
            basis=f"{_life_basis(context)}第二款",
            not_before=start,
        )
    if context.special:
        months = context.rules.life_special_first_threshold
    else:
        months = context.rules.life_first_threshold
    day = add_months(start, months)
    return _outcome(
        rule,
        context,
        lambda: (
            f"{_special_lead(context)}无期徒刑须自判决执行之日（{start}）起执行满{months}个月"
            f"方可减刑，即{day}起"
        ),
        basis=_life_basis(context),
        not_before=day,
    )


@_rule("reduction.life_commutation", "规定第八条", "无期徒刑减为有期徒刑的幅度")
def life_commutation(rule: Rule, context: Context) -> Outcome:
    """The fixed term a life sentence is commuted to, by merit (22; 21–22; 20–21; 19–20
    years); for the strict categories never under 20 years."""
    low, high = context.rules.life_commutation_years[context.merit]
    if context.special:
        floor = context.rules.life_special_min_commutation_years
        low, high = max(low, floor), max(high, floor)

        def describe() -> str:
            return (
                f"属{_special_text(context.special)}，从严掌握：{context.merit.label}，可以减为"
                f"{_years_range(low, high)}有期徒刑（减刑后的刑期最低不得少于{floor}年）"
            )

    else:

        def describe() -> str:
            return f"{context.merit.label}，可以减为{_years_range(low, high)}有期徒刑"

    return _outcome(
        rule,
        context,
        describe,
        basis=_life_basis(context),
        commute_to=CommuteTo.FIXED_TERM,
        commute_to_years=(low, high),
    )


@_rule("reduction.life_interval", "规定第八条", "无期徒刑减为有期徒刑后的减刑间隔")
def life_interval(rule: Rule, context: Context) -> Outcome:
    """After a life sentence became a fixed term, at least 24 months between rulings (the
    commutation counts). Major merit lifts it."""
    previous = context.standing.previous
    assert previous is not None
    if context.major:
        return _outcome(
            rule,
            context,
            lambda: f"{_major_lift(context)}（上次裁定{previous.ruling_date}）",
            basis=f"{_life_basis(context)}第二款",
            not_before=previous.ruling_date,
        )
    months = context.rules.life_interval
    day = add_months(previous.ruling_date, months)
    return _outcome(
        rule,
        context,
        lambda: (
            f"无期徒刑减为有期徒刑后，两次减刑间隔不少于{months}个月：上次裁定{previous.ruling_date}，"
            f"即{day}起"
        ),
        basis=_life_basis(context),
        not_before=day,
    )


@_rule("reduction.life_amount", "规定第八条", "无期徒刑减为有期徒刑后的减刑幅度")
def life_amount(rule: Rule, context: Context) -> Outcome:
    """Later reductions of a commuted life sentence use art. 6's amounts; the strict categories
    at most 12 months."""
    table = context.rules.reduction_amounts[context.merit]
    if context.special:
        cap = min(table, context.rules.life_special_amount_cap)

        def describe() -> str:
            return (
                f"属{_special_text(context.special)}，从严掌握：{context.merit.label}，"
                f"一次减刑不超过{cap}个月（一般为{table}个月）"
            )

    else:
        cap = table

        def describe() -> str:
            return f"依照规定第六条的幅度：{context.merit.label}，一次减刑不超过{table}个月"

    return _outcome(rule, context, describe, basis=_life_basis(context), max_months=cap)


@_rule("reduction.life_floor", "刑法第七十八条第二款第二项", "无期徒刑实际执行刑期下限")
def life_floor(rule: Rule, context: Context) -> Outcome:
    """A commuted life sentence keeps at least 13 years actually executed from the life
    sentence's execution start: reductions may not bring the term's end before
    ``execution_start + 13 years − 1 day``."""
    start = context.sentence.execution_start
    minimum = context.rules.life_min_executed
    floor = add_months(start, minimum)
    left = _months_above_floor(context.standing, floor)
    return _outcome(
        rule,
        context,
        lambda: (
            f"无期徒刑减刑后实际执行不得少于{_term(minimum)}（自{start}起，刑期不得早于"
            f"{floor - _ONE_DAY}届满）；现刑期至{context.standing.term_end}届满，尚可减{left}个月"
        ),
        never=not left,
        max_months=left,
    )


# Death with reprieve (刑法第五十条、第五十一条、第七十八条; 规定第十条至第十四条).


def _death_basis(context: Context, ordinary: str, restricted: str) -> str:
    """Restricted reduction has its own articles (13, 14); strict categories art. 11."""
    if context.sentence.restricted_reduction:
        return restricted
    return "规定第十一条" if context.special else ordinary


def _death_lead(context: Context) -> str:
    if context.sentence.restricted_reduction:
        return "被限制减刑，"
    return _special_lead(context)


@_rule("reduction.reprieve_end", "刑法第五十条第一款", "死刑缓期执行期满")
def reprieve_end(rule: Rule, context: Context) -> Outcome:
    """A death sentence with reprieve is commuted once the two-year reprieve, counted from
    execution start, has passed."""
    start = context.sentence.execution_start
    day = add_months(start, DEATH_REPRIEVE_MONTHS)
    return _outcome(
        rule,
        context,
        lambda: f"死刑缓期执行二年，自{start}起算，{day}期满后方可减刑",
        not_before=day,
    )


@_rule("reduction.reprieve_commutation", "刑法第五十条第一款", "死缓期满后的减刑")
def reprieve_commutation(rule: Rule, context: Context) -> Outcome:
    """Without an intentional crime the reprieve becomes life; with major merit, 25 years."""
    if context.major:
        years = REPRIEVE_MAJOR_MERIT_YEARS
        return _outcome(
            rule,
            context,
            lambda: f"{context.merit.label}，缓期二年期满后减为{years}年有期徒刑",
            commute_to=CommuteTo.FIXED_TERM,
            commute_to_years=(years, years),
        )
    return _outcome(
        rule,
        context,
        lambda: "在死刑缓期执行期间没有故意犯罪，二年期满后减为无期徒刑",
        commute_to=CommuteTo.LIFE,
    )


@_rule("reduction.death_life_threshold", "规定第十条", "死缓减为无期徒刑后的减刑起始时间")
def death_life_threshold(rule: Rule, context: Context) -> Outcome:
    """After a reprieve became life, the next reduction waits 36 months from that ruling
    (restricted reduction: 60 months). No major-merit exception in arts. 10, 11, 13."""
    previous = context.standing.previous
    assert previous is not None
    rules = context.rules
    restricted = context.sentence.restricted_reduction
    months = (
        rules.restricted_life_first_threshold if restricted else rules.death_life_first_threshold
    )
    day = add_months(previous.ruling_date, months)
    return _outcome(
        rule,
        context,
        lambda: (
            f"{_death_lead(context)}死缓减为无期徒刑（裁定{previous.ruling_date}）后须执行满"
            f"{months}个月方可减刑，即{day}起"
        ),
        basis=_death_basis(context, "规定第十条第一款", "规定第十三条"),
        not_before=day,
    )


@_rule("reduction.death_life_commutation", "规定第十条", "死缓减为无期徒刑后减为有期徒刑的幅度")
def death_life_commutation(rule: Rule, context: Context) -> Outcome:
    """The fixed term a reprieve-turned-life sentence is commuted to, by merit (25; 24–25;
    23–24; 22–23 years); strict categories and restricted reduction never under 23 years."""
    low, high = context.rules.death_life_commutation_years[context.merit]
    if context.special or context.sentence.restricted_reduction:
        floor = context.rules.death_special_min_commutation_years
        low, high = max(low, floor), max(high, floor)

        def describe() -> str:
            return (
                f"{_death_lead(context)}从严掌握：{context.merit.label}，可以减为"
                f"{_years_range(low, high)}有期徒刑（一般减为25年，最低不少于{floor}年）"
            )

    else:

        def describe() -> str:
            return f"{context.merit.label}，可以减为{_years_range(low, high)}有期徒刑"

    return _outcome(
        rule,
        context,
        describe,
        basis=_death_basis(context, "规定第十条第一款", "规定第十三条"),
        commute_to=CommuteTo.FIXED_TERM,
        commute_to_years=(low, high),
    )


@_rule("reduction.death_interval", "规定第十条第二款", "死缓减为有期徒刑后的减刑间隔")
def death_interval(rule: Rule, context: Context) -> Outcome:
    """After a reprieve became a fixed term, at least 24 months between rulings (the
    commutation counts). Major merit lifts it (for restricted reduction, art. 14's "may be
    shortened" is left to the court)."""
    previous = context.standing.previous
    assert previous is not None
    basis = _death_basis(context, "规定第十条第二款", "规定第十四条")
    if context.major:
        return _outcome(
            rule,
            context,
            lambda: (
                f"{context.merit.label}，减刑间隔时间可以不受限制或者适当缩短"
                f"（上次裁定{previous.ruling_date}）"
            ),
            basis=basis,
            not_before=previous.ruling_date,
        )
    rules = context.rules
    months = (
        rules.restricted_interval if context.sentence.restricted_reduction else rules.death_interval
    )
    day = add_months(previous.ruling_date, months)
    return _outcome(
        rule,
        context,
        lambda: (
            f"{_death_lead(context)}死缓减为有期徒刑后，两次减刑间隔不少于{months}个月："
            f"上次裁定{previous.ruling_date}，即{day}起"
        ),
        basis=basis,
        not_before=day,
    )


@_rule("reduction.death_amount", "规定第十条第二款", "死缓减为有期徒刑后的减刑幅度")
def death_amount(rule: Rule, context: Context) -> Outcome:
    """Later reductions of a commuted reprieve: art. 6's amounts; strict categories at most 12
    months; restricted reduction at most 6 months, 12 with major merit."""
    rules = context.rules
    table = rules.reduction_amounts[context.merit]
    if context.sentence.restricted_reduction:
        restricted_cap = (
            rules.restricted_major_merit_amount_cap
            if context.major
            else rules.restricted_amount_cap
        )
        cap = min(table, restricted_cap)
    elif context.special:
        cap = min(table, rules.death_special_amount_cap)
    else:
        cap = table
    return _outcome(
        rule,
        context,
        lambda: (
            f"{_death_lead(context)}{context.merit.label}，一次减刑不超过{cap}个月"
            f"{'' if cap == table else f'（一般为{table}个月）'}"
        ),
        basis=_death_basis(context, "规定第十条第二款", "规定第十四条"),
        max_months=cap,
    )


@_rule("reduction.death_floor", "规定第十二条", "死缓实际执行刑期下限")
def death_floor(rule: Rule, context: Context) -> Outcome:
    """A commuted reprieve keeps at least 15 years actually executed, the reprieve excluded;
    restricted reduction: 25 years if commuted to life, 20 if commuted to 25 years (also counted
    from the reprieve's end)."""
    rules = context.rules
    standing = context.standing
    reprieve_end_day = add_months(context.sentence.execution_start, DEATH_REPRIEVE_MONTHS)
    if context.sentence.restricted_reduction:
        basis = "刑法第七十八条第二款第三项"
        if standing.reprieve_commuted_to_life:
            minimum, how = rules.restricted_min_executed_if_life, "被限制减刑且减为无期徒刑，"
        else:
            minimum, how = rules.restricted_min_executed_if_25_years, "被限制减刑且减为有期徒刑，"
    else:
        basis, minimum, how = rule.basis, rules.death_min_executed, ""
    floor = add_months(reprieve_end_day, minimum)
    left = _months_above_floor(standing, floor)
    return _outcome(
        rule,
        context,
        lambda: (
            f"{how}实际执行不得少于{_term(minimum)}（不含缓期二年，自{reprieve_end_day}起，"
            f"刑期不得早于{floor - _ONE_DAY}届满）；现刑期至{standing.term_end}届满，"
            f"尚可减{left}个月"
        ),
        basis=basis,
        never=not left,
        max_months=left,
    )


# Parole (刑法第八十一条; 规定第二十二条至第二十八条).


@_rule("parole.recidivist", "刑法第八十一条第二款", "累犯不得假释")
def parole_recidivist(rule: Rule, context: Context) -> Outcome:
    """Recidivists are never paroled."""
    if Category.RECIDIVIST in context.facts.categories:
        return _outcome(rule, context, lambda: "属累犯，不得假释", never=True)
    return _outcome(rule, context, lambda: "不属于累犯")


@_rule("parole.violent", "刑法第八十一条第二款；规定第二十五条", "暴力性犯罪不得假释")
def parole_violent(rule: Rule, context: Context) -> Outcome:
    """No parole for the violent group sentenced to 10 years or more, life, or death with
    reprieve (then also after its commutation)."""
    if Category.VIOLENT_10Y not in context.facts.categories:
        return _outcome(
            rule, context, lambda: "不属于因暴力性犯罪被判处十年以上有期徒刑、无期徒刑的情形"
        )
    sentence = context.sentence
    if sentence.type is SentenceType.FIXED_TERM and sentence.term_months < _TEN_YEARS:
        return _outcome(
            rule,
            context,
            lambda: (
                f"原判{_term(sentence.term_months)}，不满十年，不属于因暴力性犯罪被判处十年以上"
                "有期徒刑的情形"
            ),
        )
    sentenced = (
        _term(sentence.term_months)
        if sentence.type is SentenceType.FIXED_TERM
        else sentence.type.label
    )
    return _outcome(
        rule,
        context,
        lambda: (
            f"因故意杀人、强奸、抢劫、绑架、放火、爆炸、投放危险物质或者有组织的暴力性犯罪被判处"
            f"{sentenced}，不得假释"
        ),
        never=True,
    )


@_rule(
    "parole.restricted_reduction", "刑法第五十条第二款；规定第二十五条第二款", "限制减刑不得假释"
)
def parole_restricted(rule: Rule, context: Context) -> Outcome:
    """Restricted reduction is imposed only on recidivists and the violent group, whose reprieve
    sentences bar parole even after commutation."""
    if context.sentence.restricted_reduction:
        return _outcome(
            rule,
            context,
            lambda: (
                "被限制减刑的死缓罪犯（累犯或因暴力性犯罪被判处死缓），减为无期徒刑、有期徒刑后也不得假释"
            ),
            never=True,
        )
    return _outcome(rule, context, lambda: "未被限制减刑")


@_rule("parole.property", "规定第二十七条", "财产性判项未履行不得假释")
def parole_property(rule: Rule, context: Context) -> Outcome:
    """No parole while the prisoner could but does not fulfil the property part of the
    judgment."""
    if Category.PROPERTY_UNFULFILLED in context.facts.categories:
        return _outcome(
            rule,
            context,
            lambda: "确有履行能力而不履行或者不全部履行财产性判项，不予假释",
            never=True,
        )
    return _outcome(rule, context, lambda: "不存在确有履行能力而不履行财产性判项的情形")


@_rule("parole.half_term", "刑法第八十一条第一款；规定第二十三条", "执行原判刑期二分之一")
def parole_half_term(rule: Rule, context: Context) -> Outcome:
    """A fixed term is parolable after half the original term, counted from the term start
    (detention credited); an odd number of months ends mid-month, rounded up to a day."""
    sentence = context.sentence
    term = sentence.term_months
    start = sentence.term_start
    half, odd = divmod(term, 2)
    day = add_months(start, half)
    if odd:
        after = add_months(start, half + 1)
        day += dt.timedelta(days=-(-(after - day).days // 2))
    credit = f"，先行羁押{sentence.detention_days}日折抵" if sentence.detention_days else ""
    return _outcome(
        rule,
        context,
        lambda: (
            f"原判{_term(term)}，须执行原判刑期二分之一以上，自刑期起算日（{start}{credit}）起算，"
            f"即{day}起"
        ),
        not_before=day,
    )


@_rule("parole.life_executed", "刑法第八十一条第一款；规定第二十三条", "无期徒刑实际执行十三年")
def parole_life_executed(rule: Rule, context: Context) -> Outcome:
    """A life sentence, commuted or not, is parolable after 13 years actually executed from
    its execution start; detention is not credited."""
    start = context.sentence.execution_start
    months = context.rules.parole_life_min_executed
    day = add_months(start, months)
    return _outcome(
        rule,
        context,
        lambda: (
            f"无期徒刑实际执行须满{_term(months)}，自判决执行之日（{start}）起算，先行羁押不折抵，"
            f"即{day}起"
        ),
        not_before=day,
    )


@_rule("parole.death_executed", "规定第二十三条", "死缓实际执行十五年")
def parole_death_executed(rule: Rule, context: Context) -> Outcome:
    """A reprieve commuted to life or a fixed term is parolable after 15 years actually
    executed, the reprieve excluded."""
    reprieve_end_day = add_months(context.sentence.execution_start, DEATH_REPRIEVE_MONTHS)
    months = context.rules.parole_death_min_executed
    day = add_months(reprieve_end_day, months)
    return _outcome(
        rule,
        context,
        lambda: (
            f"死缓减为无期徒刑、有期徒刑后实际执行须满{_term(months)}，不含缓期二年"
            f"（自{reprieve_end_day}起算），即{day}起"
        ),
        not_before=day,
    )


@_rule("parole.after_reduction", "规定第二十八条", "减刑后假释间隔", _has_previous)
def parole_after_reduction(rule: Rule, context: Context) -> Outcome:
    """Parole waits 12 months after the last ruling, 18 if it took 12 months or more (a
    commutation counts as such)."""
    previous = context.standing.previous
    assert previous is not None
    rules = context.rules
    if previous.kind is ReductionKind.COMMUTATION:
        months, what = rules.parole_after_large_reduction, "上次裁定为减为无期徒刑或有期徒刑"
    elif previous.months >= rules.parole_large_reduction:
        months = rules.parole_after_large_reduction
        what = f"上次减刑{previous.months}个月，达到一年以上"
    else:
        months, what = rules.parole_after_reduction, f"上次减刑{previous.months}个月"
    day = add_months(previous.ruling_date, months)
    return _outcome(
        rule,
        context,
        lambda: (
            f"{what}，减刑后假释间隔不少于{months}个月：上次裁定{previous.ruling_date}，即{day}起"
        ),
        not_before=day,
    )


@_rule("parole.term_end", "监狱法第三十五条", "刑期届满")
def parole_term_end(rule: Rule, context: Context) -> Outcome:
    """Parole must come before the current term's last day."""
    end = context.standing.term_end
    return _outcome(rule, context, lambda: f"现刑期至{end}届满，届满后不再假释", not_after=end)


@_rule("parole.assessment", "刑法第八十一条第一款；规定第二十二条", "悔改表现与再犯罪危险评估")
def parole_assessment(rule: Rule, context: Context) -> Outcome:
    """A reminder, never computed: genuine repentance and no danger of reoffending are judged by
    people, and a risk assessment is attached. It always passes."""
    return _outcome(
        rule,
        context,
        lambda: (
            "须经人工认定确有悔改表现、假释后没有再犯罪的危险，并附再犯罪危险评估；本项不由系统计算"
        ),
    )


_EXCLUSIONS = (parole_recidivist, parole_violent, parole_property)
_DEATH_EXCLUSIONS = (parole_recidivist, parole_violent, parole_restricted, parole_property)

#: The rules evaluated for a reduction, per stage, in the order their reasons are shown.
REDUCTION_RULES: dict[Stage, tuple[Rule, ...]] = {
    Stage.FIXED_TERM: (first_threshold, interval, amount, ceiling, reduction_term_end),
    Stage.LIFE: (life_threshold, life_commutation),
    Stage.LIFE_COMMUTED: (life_interval, life_amount, life_floor, reduction_term_end),
    Stage.DEATH_REPRIEVE: (reprieve_end, reprieve_commutation),
    Stage.DEATH_COMMUTED_TO_LIFE: (death_life_threshold, death_life_commutation),
    Stage.DEATH_COMMUTED_TO_FIXED: (death_interval, death_amount, death_floor, reduction_term_end),
}

#: The rules evaluated for parole, per stage, in the order their reasons are shown.
PAROLE_RULES: dict[Stage, tuple[Rule, ...]] = {
    Stage.FIXED_TERM: (
        *_EXCLUSIONS,
        parole_half_term,
        parole_after_reduction,
        parole_term_end,
        parole_assessment,
    ),
    Stage.LIFE: (*_EXCLUSIONS, parole_life_executed, parole_after_reduction, parole_assessment),
    Stage.LIFE_COMMUTED: (
        *_EXCLUSIONS,
        parole_life_executed,
        parole_after_reduction,
        parole_term_end,
        parole_assessment,
    ),
    Stage.DEATH_REPRIEVE: (
        *_DEATH_EXCLUSIONS,
        parole_death_executed,
        parole_after_reduction,
        parole_assessment,
    ),
    Stage.DEATH_COMMUTED_TO_LIFE: (
        *_DEATH_EXCLUSIONS,
        parole_death_executed,
        parole_after_reduction,
        parole_assessment,
    ),
    Stage.DEATH_COMMUTED_TO_FIXED: (
        *_DEATH_EXCLUSIONS,
        parole_death_executed,
        parole_after_reduction,
        parole_term_end,
        parole_assessment,
    ),
}


# --- Assessment ---------------------------------------------------------------------------


class Decision:
    """Reduction or parole for one case. ``earliest_date``: the first day every rule is
    satisfied (past or future relative to ``on``), ``None`` if that day never comes.
    ``eligible``: satisfied on ``on``. Amount fields are ``None`` where they do not apply.

    ``reasons`` (one ``Outcome`` per evaluated rule, in the table's order) are evaluated again
    on first access and then kept: the checks are pure, so the result is the same, and a
    screening of tens of thousands of prisoners that only reads the verdicts does not keep a
    dozen objects per prisoner alive for the garbage collector to walk again and again.
    """

    __slots__ = (
        "_context",
        "_reasons",
        "_rules",
        "commute_to",
        "commute_to_years",
        "earliest_date",
        "eligible",
        "max_months",
    )

    def __init__(
        self,
        eligible: bool,
        earliest_date: dt.date | None,
        max_months: int | None,
        commute_to: CommuteTo | None,
        commute_to_years: tuple[int, int] | None,
        rules: tuple[Rule, ...],
        context: Context,
    ) -> None:
        self.eligible = eligible
        self.earliest_date = earliest_date
        self.max_months = max_months
        self.commute_to = commute_to
        self.commute_to_years = commute_to_years
        self._rules = rules
        self._context = context
        self._reasons: tuple[Outcome, ...] | None = None

    @property
    def reasons(self) -> tuple[Outcome, ...]:
        if self._reasons is None:
            self._reasons = tuple(_outcomes(self._rules, self._context))
        return self._reasons

    def __repr__(self) -> str:
        return (
            f"Decision(eligible={self.eligible!r}, earliest_date={self.earliest_date!r}, "
            f"max_months={self.max_months!r}, commute_to={self.commute_to!r}, "
            f"commute_to_years={self.commute_to_years!r})"
        )


class Assessment(NamedTuple):
    """The verdict for one case on ``on``. Results are named tuples of plain values: a
    screening keeps tens of thousands of them, and tuples of atoms leave the garbage
    collector's bookkeeping after their first collection, where slotted dataclasses stay."""

    id: str
    on: dt.date
    stage: Stage
    reduction: Decision
    parole: Decision


def _outcomes(rules: tuple[Rule, ...], context: Context) -> Iterable[Outcome]:
    """The outcomes of the rules that apply, in order."""
    for rule in rules:
        if rule.applies is None or rule.applies(context):
            yield rule.check(rule, context)


def _decide(rules: tuple[Rule, ...], context: Context) -> Decision:
    """Evaluate the rules in order and intersect their date windows."""
    first: dt.date | None = None
    last: dt.date | None = None
    never = False
    max_months: int | None = None
    commute_to: CommuteTo | None = None
    commute_to_years: tuple[int, int] | None = None
    for rule in rules:
        if rule.applies is not None and not rule.applies(context):
            continue
        outcome = rule.check(rule, context)
        if outcome.never:
            never = True
        if outcome.not_before is not None and (first is None or outcome.not_before > first):
            first = outcome.not_before
        if outcome.not_after is not None and (last is None or outcome.not_after < last):
            last = outcome.not_after
        months = outcome.max_months
        if months is not None and (max_months is None or months < max_months):
            max_months = months
        if outcome.commute_to is not None:
            commute_to, commute_to_years = outcome.commute_to, outcome.commute_to_years
    if first is None:
        first = context.sentence.execution_start
    earliest = None if never or (last is not None and first > last) else first
    on = context.on
    eligible = earliest is not None and on >= earliest and (last is None or on <= last)
    return Decision(eligible, earliest, max_months, commute_to, commute_to_years, rules, context)


def _special_categories(facts: CaseFacts, stage: Stage) -> frozenset[Category]:
    if stage is Stage.FIXED_TERM and facts.sentence.term_months < _TEN_YEARS:
        return facts.categories & ART7_PARA1_CATEGORIES
    return facts.categories & STRICT_LONG_CATEGORIES


def assess(facts: CaseFacts, on: dt.date, ruleset: RuleSet = DEFAULT_RULESET) -> Assessment:
    """Reduction and parole eligibility of one case on the (what-if) date ``on``.

    Raises ``HistoryError`` if the ruling history cannot have happened (``facts.py`` reports
    that before a case gets here)."""
    standing = standing_of(facts)
    merit = facts.merit
    context = Context(
        facts,
        facts.sentence,
        standing,
        on,
        ruleset,
        merit,
        merit.is_major,
        _special_categories(facts, standing.stage),
    )
    return Assessment(
        facts.id,
        on,
        standing.stage,
        _decide(REDUCTION_RULES[standing.stage], context),
        _decide(PAROLE_RULES[standing.stage], context),
    )


def assess_many(
    cases: Iterable[CaseFacts], on: dt.date, ruleset: RuleSet = DEFAULT_RULESET
) -> list[Assessment]:
    """``assess`` for a screening of many prisoners, in input order."""
    return [assess(facts, on, ruleset) for facts in cases]


def _date_json(day: dt.date | None) -> str | None:
    return None if day is None else day.isoformat()


def _reasons_json(reasons: Iterable[Any]) -> list[dict[str, str]]:
    return [{"rule": reason.code, "basis": reason.basis, "text": reason.text} for reason in reasons]


def assessment_to_json(assessment: Assessment) -> dict[str, Any]:
    """The public output format (see the module's callers): plain JSON types only."""
    reduction = assessment.reduction
    parole = assessment.parole
    years = reduction.commute_to_years
    return {
        "id": assessment.id,
        "reduction": {
            "eligible": reduction.eligible,
            "earliest_date": _date_json(reduction.earliest_date),
            "max_months": reduction.max_months,
            "commute_to_years": None if years is None else list(years),
            "commute_to": None if reduction.commute_to is None else reduction.commute_to.value,
            "reasons": _reasons_json(reduction.reasons),
        },
        "parole": {
            "eligible": parole.eligible,
            "earliest_date": _date_json(parole.earliest_date),
            "reasons": _reasons_json(parole.reasons),
        },
    }


# --- Temporary execution outside prison (刑事诉讼法第二百六十五条) ---------------------------


class TemporaryGround(StrEnum):
    SERIOUS_ILLNESS = "serious_illness"
    PREGNANT_OR_NURSING = "pregnant_or_nursing"
    UNABLE_TO_SELF_CARE = "unable_to_self_care"

    @property
    def label(self) -> str:
        return _GROUND_LABELS[self]


_GROUND_LABELS = {
    TemporaryGround.SERIOUS_ILLNESS: "有严重疾病需要保外就医",
    TemporaryGround.PREGNANT_OR_NURSING: "怀孕或者正在哺乳自己的婴儿",
    TemporaryGround.UNABLE_TO_SELF_CARE: "生活不能自理",
}


@dataclass(frozen=True, slots=True)
class TemporaryConditions:
    """What the medical and case records say; recorded by people."""

    serious_illness: bool = False
    pregnant_or_nursing: bool = False
    unable_to_self_care: bool = False
    may_endanger_society: bool = False
    self_harm_to_obtain: bool = False


@dataclass(frozen=True, slots=True)
class TemporaryReason:
    code: str
    basis: str
    text: str
    passes: bool


@dataclass(frozen=True, slots=True)
class TemporaryResult:
    applicable: bool
    grounds: tuple[TemporaryGround, ...]
    reasons: tuple[TemporaryReason, ...]


_ARTICLE_265 = "刑事诉讼法第二百六十五条"


def _admitted_grounds(stage: Stage) -> frozenset[TemporaryGround]:
    """A fixed term (original or commuted) admits every ground; life (also a reprieve commuted
    to life) only pregnancy or nursing; an uncommuted reprieve none."""
    if stage.is_fixed:
        return frozenset(TemporaryGround)
    if stage is Stage.DEATH_REPRIEVE:
        return frozenset()
    return frozenset({TemporaryGround.PREGNANT_OR_NURSING})


def _temporary_sentence(stage: Stage, conditions: TemporaryConditions) -> TemporaryReason:
    admitted = _admitted_grounds(stage)
    if not admitted:
        text = "死刑缓期执行尚未减刑，不适用暂予监外执行"
    elif len(admitted) == 1:
        text = f"{stage.label}，仅怀孕或者正在哺乳自己婴儿的可以暂予监外执行"
    else:
        text = f"{stage.label}，可因严重疾病、怀孕或哺乳、生活不能自理暂予监外执行"
    return TemporaryReason(
        "temporary.sentence_type", f"{_ARTICLE_265}第一款、第二款", text, bool(admitted)
    )


def _temporary_illness(stage: Stage, conditions: TemporaryConditions) -> TemporaryReason:
    basis = f"{_ARTICLE_265}第一款第一项、第三款"
    code = "temporary.serious_illness"
    if not conditions.serious_illness:
        return TemporaryReason(code, basis, "未认定有严重疾病需要保外就医", False)
    if TemporaryGround.SERIOUS_ILLNESS not in _admitted_grounds(stage):
        return TemporaryReason(code, basis, f"{stage.label}不适用保外就医", False)
    if conditions.may_endanger_society:
        return TemporaryReason(
            code, basis, "有严重疾病，但保外就医可能有社会危险性，不得保外就医", False
        )
    if conditions.self_harm_to_obtain:
        return TemporaryReason(code, basis, "有严重疾病，但系自伤自残，不得保外就医", False)
    return TemporaryReason(
        code, basis, "有严重疾病需要保外就医；须附省级人民政府指定医院的诊断证明", True
    )


def _temporary_pregnancy(stage: Stage, conditions: TemporaryConditions) -> TemporaryReason:
    basis = f"{_ARTICLE_265}第一款第二项、第二款"
    code = "temporary.pregnant_or_nursing"
    if not conditions.pregnant_or_nursing:
        return TemporaryReason(code, basis, "未怀孕、未在哺乳自己的婴儿", False)
    if TemporaryGround.PREGNANT_OR_NURSING not in _admitted_grounds(stage):
        return TemporaryReason(code, basis, f"{stage.label}尚未减刑，不适用暂予监外执行", False)
    return TemporaryReason(code, basis, "怀孕或者正在哺乳自己的婴儿，可以暂予监外执行", True)


def _temporary_self_care(stage: Stage, conditions: TemporaryConditions) -> TemporaryReason:
    basis = f"{_ARTICLE_265}第一款第三项"
    code = "temporary.unable_to_self_care"
    if not conditions.unable_to_self_care:
        return TemporaryReason(code, basis, "未认定生活不能自理", False)
    if TemporaryGround.UNABLE_TO_SELF_CARE not in _admitted_grounds(stage):
        return TemporaryReason(code, basis, f"{stage.label}不因生活不能自理暂予监外执行", False)
    if conditions.may_endanger_society:
        return TemporaryReason(
            code, basis, "生活不能自理，但暂予监外执行可能危害社会，不适用", False
        )
    return TemporaryReason(code, basis, "生活不能自理，暂予监外执行不致危害社会", True)


def _temporary_approval(stage: Stage, conditions: TemporaryConditions) -> TemporaryReason:
    return TemporaryReason(
        "temporary.approval",
        f"{_ARTICLE_265}第四款、第五款",
        "由监狱提出书面意见，报省级监狱管理机关批准；本项不由系统计算",
        True,
    )


#: Temporary-execution rules in the order their reasons are shown; the ground rules are in the
#: same order as ``TemporaryGround``.
TEMPORARY_RULES: tuple[Callable[[Stage, TemporaryConditions], TemporaryReason], ...] = (
    _temporary_sentence,
    _temporary_illness,
    _temporary_pregnancy,
    _temporary_self_care,
    _temporary_approval,
)
_GROUND_BY_CODE = {
    "temporary.serious_illness": TemporaryGround.SERIOUS_ILLNESS,
    "temporary.pregnant_or_nursing": TemporaryGround.PREGNANT_OR_NURSING,
    "temporary.unable_to_self_care": TemporaryGround.UNABLE_TO_SELF_CARE,
}


def temporary_execution(facts: CaseFacts, conditions: TemporaryConditions) -> TemporaryResult:
    """Whether temporary execution outside prison may be proposed, and on which grounds. The
    sentence's current stage decides which grounds it admits (a commuted life or reprieve
    sentence now serving a fixed term is a fixed-term prisoner)."""
    stage = standing_of(facts).stage
    reasons = tuple(rule(stage, conditions) for rule in TEMPORARY_RULES)
    grounds = tuple(
        _GROUND_BY_CODE[reason.code]
        for reason in reasons
        if reason.passes and reason.code in _GROUND_BY_CODE
    )
    return TemporaryResult(bool(grounds), grounds, reasons)


def temporary_to_json(result: TemporaryResult) -> dict[str, Any]:
    return {
        "applicable": result.applicable,
        "grounds": [ground.value for ground in result.grounds],
        "reasons": _reasons_json(result.reasons),
    }
