"""Party dues: brackets, rounding, arrears, the six-month flag, closed and future months."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from tongxin.party.dues import (
    RETIRED_BRACKETS,
    SERVING_BRACKETS,
    Bracket,
    DuesError,
    UnpaidRun,
    check_payment,
    last_completed_month,
    longest_unpaid_run,
    month_is_open,
    monthly_dues,
    months_between,
    months_in_arrears,
    rate_for,
    six_month_flag,
    unpaid_runs,
)

D = Decimal


def months(*pairs: tuple[int, int]) -> set[dt.date]:
    return {dt.date(year, month, 1) for year, month in pairs}


def year_months(year: int, *numbers: int) -> set[dt.date]:
    return {dt.date(year, number, 1) for number in numbers}


# --- Amounts ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("base", "rate", "dues"),
    [
        ("0", "0.005", "0.00"),
        ("2999.99", "0.005", "15.00"),
        ("3000.00", "0.005", "15.00"),
        ("3000.01", "0.01", "30.00"),
        ("5000", "0.01", "50.00"),
        ("5000.00", "0.01", "50.00"),
        ("5000.01", "0.015", "75.00"),
        ("10000", "0.015", "150.00"),
        ("10000.01", "0.02", "200.00"),
        ("25000", "0.02", "500.00"),
    ],
)
def test_serving_brackets_apply_the_rate_to_the_whole_base(base, rate, dues):
    assert rate_for(D(base)) == D(rate)
    assert monthly_dues(D(base)) == D(dues)


@pytest.mark.parametrize(
    ("base", "dues"),
    [("3000.01", "15.00"), ("5000", "25.00"), ("5000.00", "25.00"), ("5000.01", "50.00")],
)
def test_retired_brackets(base, dues):
    assert monthly_dues(D(base), retired=True) == D(dues)


def test_not_progressive():
    # A progressive scheme would charge 3000*0.5% + 1*1% = 15.01 on 3001.
    assert monthly_dues(D("3001")) == D("30.01")


@pytest.mark.parametrize(
    ("base", "dues"),
    [
        ("4322.50", "43.23"),  # 43.2250: half up; banker's rounding would give 43.22
        ("2345.00", "11.73"),  # 11.725
        ("2344.99", "11.72"),  # 11.72495
        ("7777.77", "116.67"),  # 116.66655
        ("1", "0.01"),  # 0.005
        ("0.99", "0.00"),  # 0.00495
    ],
)
def test_rounded_to_the_fen_half_up(base, dues):
    assert monthly_dues(D(base)) == D(dues)
    assert monthly_dues(D(base)).as_tuple().exponent == -2


def test_integer_base_is_accepted():
    assert monthly_dues(6000) == D("90.00")


def test_negative_base_is_refused_in_chinese():
    with pytest.raises(ValueError, match="不能为负数"):
        monthly_dues(D("-0.01"))
    with pytest.raises(DuesError):
        monthly_dues(-1)


@pytest.mark.parametrize("base", [3000.0, D("NaN"), D("Infinity")])
def test_float_and_non_finite_bases_are_refused(base):
    with pytest.raises((TypeError, ValueError)):
        monthly_dues(base)


def test_brackets_are_configuration():
    flat = (Bracket(None, D("0.01")),)
    assert monthly_dues(D("123456.78"), brackets=flat) == D("1234.57")
    # The brackets given win over ``retired``.
    assert monthly_dues(D("6000"), retired=True, brackets=SERVING_BRACKETS) == D("90.00")
    assert RETIRED_BRACKETS[-1].upper is None


@pytest.mark.parametrize(
    "brackets",
    [
        (),
        (Bracket(D("3000"), D("0.005")),),  # no open-ended last bracket
        (Bracket(None, D("0.01")), Bracket(D("5000"), D("0.02"))),
        (Bracket(D("5000"), D("0.01")), Bracket(D("3000"), D("0.02")), Bracket(None, D("0.03"))),
        (Bracket(None, D("1.5")),),
    ],
)
def test_malformed_brackets_are_refused(brackets):
    with pytest.raises(ValueError):
        monthly_dues(D("4000"), brackets=brackets)


# --- Arrears ------------------------------------------------------------------------------


def test_months_between_spans_year_ends_and_normalises_days():
    assert months_between(dt.date(2023, 11, 30), dt.date(2024, 2, 14)) == [
        dt.date(2023, 11, 1),
        dt.date(2023, 12, 1),
        dt.date(2024, 1, 1),
        dt.date(2024, 2, 1),
    ]
    assert months_between(dt.date(2024, 3, 1), dt.date(2024, 2, 1)) == []


def test_arrears_with_gaps():
    paid = year_months(2023, 1, 2, 5, 6, 9) | {dt.date(2023, 12, 20)}  # any day of a month
    assert months_in_arrears(paid, since=dt.date(2023, 1, 1), until=dt.date(2023, 12, 31)) == [
        dt.date(2023, month, 1) for month in (3, 4, 7, 8, 10, 11)
    ]


def test_arrears_across_a_year_end_ignore_payments_outside_the_range():
    paid = months((2022, 11), (2023, 2), (2023, 6))
    assert months_in_arrears(paid, since=dt.date(2022, 12, 1), until=dt.date(2023, 3, 1)) == [
        dt.date(2022, 12, 1),
        dt.date(2023, 1, 1),
        dt.date(2023, 3, 1),
    ]


def test_runs_and_the_longest_run():
    paid = year_months(2023, 1, 4, 11)
    runs = unpaid_runs(paid, since=dt.date(2023, 1, 1), until=dt.date(2023, 12, 1))
    assert [(r.first.month, r.months) for r in runs] == [(2, 2), (5, 6), (12, 1)]
    longest = longest_unpaid_run(paid, since=dt.date(2023, 1, 1), until=dt.date(2023, 12, 1))
    assert longest == UnpaidRun(first=dt.date(2023, 5, 1), last=dt.date(2023, 10, 1), months=6)
    assert longest.describe() == "2023年5月至2023年10月连续6个月未交纳党费"


def test_longest_run_prefers_the_oldest_on_a_tie_and_is_none_when_all_paid():
    paid = year_months(2023, 3)
    longest = longest_unpaid_run(paid, since=dt.date(2023, 1, 1), until=dt.date(2023, 5, 1))
    assert longest.first == dt.date(2023, 1, 1)
    everything = year_months(2023, *range(1, 13))
    assert (
        longest_unpaid_run(everything, since=dt.date(2023, 1, 1), until=dt.date(2023, 12, 1))
        is None
    )


# --- The six-month flag -------------------------------------------------------------------

JOINED = dt.date(2022, 7, 1)
TODAY = dt.date(2023, 12, 15)  # last completed month: November 2023


def paid_through_may_2023() -> set[dt.date]:
    return {m for m in months_between(JOINED, dt.date(2023, 5, 1))}


def test_exactly_six_unpaid_months_are_flagged():
    # June .. November 2023 unpaid: six completed months.
    assert six_month_flag(paid_through_may_2023(), joined=JOINED, today=TODAY)


def test_five_unpaid_months_are_not_flagged():
    paid = paid_through_may_2023() | months((2023, 6))
    assert not six_month_flag(paid, joined=JOINED, today=TODAY)


def test_the_current_month_never_counts():
    # Paid through June: July .. November is five months; December (current) does not count.
    paid = paid_through_may_2023() | months((2023, 6))
    assert not six_month_flag(paid, joined=JOINED, today=dt.date(2023, 12, 31))
    # On the first day of January, December is complete: six.
    assert six_month_flag(paid, joined=JOINED, today=dt.date(2024, 1, 1))
    assert last_completed_month(dt.date(2024, 1, 1)) == dt.date(2023, 12, 1)


def test_an_old_run_still_flags_until_it_is_paid_up():
    paid = set(months_between(JOINED, dt.date(2023, 11, 1))) - months(
        (2022, 9), (2022, 10), (2022, 11), (2022, 12), (2023, 1), (2023, 2)
    )
    assert six_month_flag(paid, joined=JOINED, today=TODAY)
    # 补交: the back months paid later count as paid.
    assert not six_month_flag(paid | months((2022, 12)), joined=JOINED, today=TODAY)


def test_excused_months_are_not_unpaid_and_break_the_run():
    paid = paid_through_may_2023()  # June .. November unpaid
    assert six_month_flag(paid, joined=JOINED, today=TODAY)
    # August excused: June–July and September–November, two runs of 2 and 3.
    assert not six_month_flag(paid, joined=JOINED, today=TODAY, excused_months=months((2023, 8)))
    # An excused month is still owed.
    assert dt.date(2023, 8, 1) in months_in_arrears(paid, since=JOINED, until=dt.date(2023, 11, 1))


def test_joining_month_counts_and_months_before_joining_do_not():
    joined = dt.date(2023, 6, 20)
    # Nothing paid since joining in June: June .. November = six.
    assert six_month_flag(set(), joined=joined, today=TODAY)
    assert not six_month_flag(set(), joined=dt.date(2023, 7, 1), today=TODAY)
    # Joined this month or later: nothing to judge.
    assert not six_month_flag(set(), joined=dt.date(2023, 12, 1), today=TODAY)


def test_run_length_is_configuration():
    paid = paid_through_may_2023() | months((2023, 6), (2023, 7))  # four unpaid
    assert not six_month_flag(paid, joined=JOINED, today=TODAY)
    assert six_month_flag(paid, joined=JOINED, today=TODAY, run_length=4)


# --- Recording a payment ------------------------------------------------------------------


def test_month_is_open():
    assert month_is_open(dt.date(2023, 1, 1), None)
    assert not month_is_open(dt.date(2023, 6, 1), dt.date(2023, 6, 1))
    assert not month_is_open(dt.date(2023, 6, 30), dt.date(2023, 6, 1))
    assert not month_is_open(dt.date(2023, 5, 1), dt.date(2023, 6, 15))
    assert month_is_open(dt.date(2023, 7, 1), dt.date(2023, 6, 30))


def test_a_closed_month_is_refused_with_its_name():
    with pytest.raises(DuesError) as refused:
        check_payment(dt.date(2023, 5, 1), today=TODAY, closed_through=dt.date(2023, 6, 1))
    assert str(refused.value) == "2023年5月的党费已结账,不能再登记"


def test_open_past_current_and_prepaid_months_of_this_year_are_accepted():
    for month in (dt.date(2023, 7, 1), dt.date(2023, 12, 1), dt.date(2023, 1, 1)):
        check_payment(month, today=dt.date(2023, 7, 10), closed_through=dt.date(2022, 12, 1))


def test_prepayment_stops_at_the_end_of_the_year():
    check_payment(dt.date(2023, 12, 1), today=dt.date(2023, 2, 1), closed_through=None)
    with pytest.raises(DuesError, match="不能预缴2024年1月的党费"):
        check_payment(dt.date(2024, 1, 1), today=dt.date(2023, 12, 31), closed_through=None)
    # In January the whole new year can be prepaid.
    check_payment(dt.date(2024, 12, 1), today=dt.date(2024, 1, 2), closed_through=None)


def test_months_before_joining_are_refused_when_joined_is_given():
    with pytest.raises(DuesError, match="早于入党的月份"):
        check_payment(
            dt.date(2023, 5, 1), today=TODAY, closed_through=None, joined=dt.date(2023, 6, 30)
        )
    check_payment(
        dt.date(2023, 6, 1), today=TODAY, closed_through=None, joined=dt.date(2023, 6, 30)
    )
