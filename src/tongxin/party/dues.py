"""Party dues (党费): the monthly amount, arrears, the six-month flag, and which months can
still be recorded.

Pure functions over plain values (``Decimal`` amounts, ``date`` months); the party app's
services feed them from the database. A "month" is always represented by its first day; any
date inside a month is accepted and normalised.

Sources: 《关于中国共产党党费收缴、使用和管理的规定》(中组发〔2008〕3号) for the brackets;
《中国共产党章程》第九条 for the six months. The brackets, the length of the run that is
flagged and the prepayment horizon are configuration with these defaults.

Decisions (also in the docstrings below):

- The rate of the bracket the base falls in applies to the whole base, as the 2008
  regulation reads ("3000元以上至5000元(含5000元)者,交纳月工资收入的1%"): 5,000.00 pays 50.00,
  5,000.01 pays 75.00. It is not a progressive tax.
- An excused month (正当理由, recorded by the branch) is not unpaid for the six-month flag and
  it interrupts a run: 党章 art. 9 asks for six *consecutive* months without good reason, and
  the consequence (自行脱党) is grave, so a justified month ends the run rather than being
  skipped over. Excused months still appear in ``months_in_arrears``: the dues are still owed.
- Prepayment (预交) is accepted up to December of the current year. The regulation fixes each
  member's monthly amount at the start of the year ("每年初核定党员当年月交纳党费数额,年内一般
  不变动"), so a month of next year has no amount yet.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

__all__ = [
    "FLAG_AFTER_MONTHS",
    "RETIRED_BRACKETS",
    "SERVING_BRACKETS",
    "Bracket",
    "DuesError",
    "UnpaidRun",
    "check_payment",
    "format_month",
    "last_completed_month",
    "latest_prepayable_month",
    "longest_unpaid_run",
    "month_is_open",
    "month_start",
    "monthly_dues",
    "months_between",
    "months_in_arrears",
    "next_month",
    "previous_month",
    "rate_for",
    "six_month_flag",
    "unpaid_runs",
]

CENT = Decimal("0.01")
FLAG_AFTER_MONTHS = 6
"""党章 art. 9: six consecutive months without paying and without good reason."""


class DuesError(ValueError):
    """A dues amount or payment the rules refuse; the message is in Chinese for the user."""


@dataclass(frozen=True)
class Bracket:
    """Bases up to and including ``upper`` yuan (``None``: no limit) pay ``rate`` of the
    whole base."""

    upper: Decimal | None
    rate: Decimal


SERVING_BRACKETS: tuple[Bracket, ...] = (
    Bracket(Decimal("3000"), Decimal("0.005")),
    Bracket(Decimal("5000"), Decimal("0.01")),
    Bracket(Decimal("10000"), Decimal("0.015")),
    Bracket(None, Decimal("0.02")),
)
"""Members on a salary: monthly after-tax salary base (2008 regulation)."""

RETIRED_BRACKETS: tuple[Bracket, ...] = (
    Bracket(Decimal("5000"), Decimal("0.005")),
    Bracket(None, Decimal("0.01")),
)
"""Retired members: monthly pension actually received (2008 regulation)."""


def _check_brackets(brackets: Sequence[Bracket]) -> None:
    """Configuration errors are programming errors, but a wrong table would silently charge
    wrong amounts, so it is checked on every use (it is a handful of comparisons)."""
    if not brackets:
        raise ValueError("党费比例表不能为空")
    previous: Decimal | None = None
    for position, bracket in enumerate(brackets):
        last = position == len(brackets) - 1
        if (bracket.upper is None) != last:
            raise ValueError("党费比例表只有最后一档没有上限")
        if bracket.upper is not None:
            if previous is not None and bracket.upper <= previous:
                raise ValueError("党费比例表的上限应逐档递增")
            previous = bracket.upper
        if not Decimal(0) <= bracket.rate < Decimal(1):
            raise ValueError("党费比例应在0与1之间")


def _as_amount(base: Decimal | int) -> Decimal:
    if isinstance(base, float | bool) or not isinstance(base, Decimal | int):
        raise TypeError("党费计算基数应为Decimal或整数,不能使用浮点数")
    amount = Decimal(base)
    if not amount.is_finite():
        raise DuesError("党费计算基数不是有效金额")
    if amount < 0:
        raise DuesError(f"党费计算基数不能为负数(收到 {amount} 元)")
    return amount


def rate_for(
    base: Decimal | int, *, retired: bool = False, brackets: Sequence[Bracket] | None = None
) -> Decimal:
    """The rate of the bracket ``base`` falls in; an upper limit belongs to its own bracket
    (3,000.00 pays 0.5%, 3,000.01 pays 1%)."""
    amount = _as_amount(base)
    table = brackets if brackets is not None else _default_brackets(retired)
    _check_brackets(table)
    for bracket in table:
        if bracket.upper is None or amount <= bracket.upper:
            return bracket.rate
    raise AssertionError("unreachable: the last bracket has no upper limit")


def monthly_dues(
    base: Decimal | int, *, retired: bool = False, brackets: Sequence[Bracket] | None = None
) -> Decimal:
    """The monthly dues in yuan: the whole base times its bracket's rate (not progressive),
    rounded to the fen, half up.

    ``brackets`` overrides the default table (``RETIRED_BRACKETS`` when ``retired``, else
    ``SERVING_BRACKETS``). A negative base raises ``DuesError`` (a ``ValueError``); a float
    raises ``TypeError``, because binary fractions would round differently at the fen.
    """
    rate = rate_for(base, retired=retired, brackets=brackets)
    return (Decimal(base) * rate).quantize(CENT, rounding=ROUND_HALF_UP)


def _default_brackets(retired: bool) -> tuple[Bracket, ...]:
    return RETIRED_BRACKETS if retired else SERVING_BRACKETS


# --- months -------------------------------------------------------------------------------


def month_start(day: date) -> date:
    """The first day of ``day``'s month: the representation of a month in this module."""
    return day.replace(day=1)


def next_month(month: date) -> date:
    month = month_start(month)
    return (
        month.replace(year=month.year + 1, month=1)
        if month.month == 12
        else month.replace(month=month.month + 1)
    )


def previous_month(month: date) -> date:
    month = month_start(month)
    return (
        month.replace(year=month.year - 1, month=12)
        if month.month == 1
        else month.replace(month=month.month - 1)
    )


def last_completed_month(today: date) -> date:
    """The month before ``today``'s: the current month is still running and never unpaid."""
    return previous_month(today)


def months_between(since: date, until: date) -> list[date]:
    """First days of the months from ``since``'s to ``until``'s, both included."""
    months: list[date] = []
    month, last = month_start(since), month_start(until)
    while month <= last:
        months.append(month)
        month = next_month(month)
    return months


def format_month(month: date) -> str:
    return f"{month.year}年{month.month}月"


def _normalise(months: Iterable[date]) -> frozenset[date]:
    return frozenset(month_start(month) for month in months)


def months_in_arrears(paid_months: Iterable[date], *, since: date, until: date) -> list[date]:
    """The months from ``since`` to ``until`` (inclusive, by month) with no payment.

    Whether the current month belongs in the range is the caller's choice: pass
    ``until=last_completed_month(today)`` to leave it out. Excused months are still listed,
    because an excuse delays the dues without cancelling them.
    """
    paid = _normalise(paid_months)
    return [month for month in months_between(since, until) if month not in paid]


@dataclass(frozen=True)
class UnpaidRun:
    """Consecutive unpaid, unexcused months ``first`` .. ``last`` (first days of months)."""

    first: date
    last: date
    months: int

    def describe(self) -> str:
        return (
            f"{format_month(self.first)}至{format_month(self.last)}连续{self.months}个月未交纳党费"
        )


def unpaid_runs(
    paid_months: Iterable[date],
    *,
    since: date,
    until: date,
    excused_months: Iterable[date] = frozenset(),
) -> list[UnpaidRun]:
    """Every maximal run of unpaid months in ``since`` .. ``until``, oldest first.

    A month that is paid or excused ends a run; neither counts as unpaid.
    """
    paid, excused = _normalise(paid_months), _normalise(excused_months)
    runs: list[UnpaidRun] = []
    run: list[date] = []
    for month in [*months_between(since, until), None]:
        if month is not None and month not in paid and month not in excused:
            run.append(month)
        elif run:
            runs.append(UnpaidRun(first=run[0], last=run[-1], months=len(run)))
            run = []
    return runs


def longest_unpaid_run(
    paid_months: Iterable[date],
    *,
    since: date,
    until: date,
    excused_months: Iterable[date] = frozenset(),
) -> UnpaidRun | None:
    """The longest run of consecutive unpaid, unexcused months (the oldest on a tie), or
    ``None`` when every month in the range is paid or excused."""
    runs = unpaid_runs(paid_months, since=since, until=until, excused_months=excused_months)
    return max(runs, key=lambda run: run.months, default=None)


def six_month_flag(
    paid_months: Iterable[date],
    *,
    joined: date,
    today: date,
    excused_months: Iterable[date] = frozenset(),
    run_length: int = FLAG_AFTER_MONTHS,
) -> bool:
    """Whether the member has ``run_length`` (6) or more consecutive months, from the month
    of joining to the last completed month, with neither a payment nor an excuse (党章 art. 9).

    The month of joining counts (a probationary member pays from the month of the branch
    meeting that admitted them); the current month never counts, it is not over yet. The flag
    is a prompt for the branch to look at the member, not a decision.
    """
    run = longest_unpaid_run(
        paid_months,
        since=joined,
        until=last_completed_month(today),
        excused_months=excused_months,
    )
    return run is not None and run.months >= run_length


# --- recording a payment ------------------------------------------------------------------


def month_is_open(month: date, closed_through: date | None) -> bool:
    """Whether payments can still be recorded for ``month``: the books are closed for every
    month up to and including ``closed_through`` (``None``: nothing closed yet)."""
    return closed_through is None or month_start(month) > month_start(closed_through)


def latest_prepayable_month(today: date) -> date:
    """December of the current year: the amount of a month of next year is not set yet."""
    return date(today.year, 12, 1)


def check_payment(
    month: date,
    *,
    today: date,
    closed_through: date | None,
    joined: date | None = None,
) -> None:
    """Raise ``DuesError`` when a payment for ``month`` cannot be recorded ``today``.

    Refused: a month whose books are closed; a month after December of the current year
    (prepayment is accepted up to the end of the year, see the module docstring); a month
    before the member joined, when ``joined`` is given. Late payment (补交) of any open month
    is accepted: the regulation's "一般不超过6个月" is guidance for the branch, not a bar.
    """
    month = month_start(month)
    if not month_is_open(month, closed_through):
        raise DuesError(f"{format_month(month)}的党费已结账,不能再登记")
    latest = latest_prepayable_month(today)
    if month > latest:
        raise DuesError(
            f"不能预缴{format_month(month)}的党费:预缴最晚至{format_month(latest)},"
            "下一年度的月交纳额尚未核定"
        )
    if joined is not None and month < month_start(joined):
        raise DuesError(f"{format_month(month)}早于入党的月份({format_month(joined)}),无需交纳党费")


def ledger_start(joined: date, paid_months: Iterable[date]) -> date:
    """The month from which a member's dues are judged: the later of joining and the first
    payment on record, so months before the ledger was kept in the system are not unpaid."""
    paid = [month_start(m) for m in paid_months]
    return max(month_start(joined), min(paid)) if paid else month_start(joined)
