"""The organisational-life compliance engine against hand-worked calendars (no database)."""

from __future__ import annotations

import datetime as dt
import random

import pytest

from tongxin.party.compliance import (
    DEFAULT_REQUIREMENTS,
    KIND_LABELS,
    THREE_MEETINGS_ONE_LECTURE,
    ActivityFact,
    ActivityKind,
    ComplianceState,
    Frequency,
    NotApplicableReason,
    OrgFacts,
    OrgKind,
    Period,
    Requirement,
    Status,
    due_reminders,
    evaluate,
    explain,
    period_containing,
    periods,
    rate,
)

D = dt.date
YEAR_START, YEAR_END = D(2023, 1, 1), D(2023, 12, 31)
AFTER_YEAR = D(2024, 6, 1)
LONG_AGO = D(2000, 1, 1)

DONE = ComplianceState.DONE
UPCOMING = ComplianceState.UPCOMING
OVERDUE = ComplianceState.OVERDUE
NOT_APPLICABLE = ComplianceState.NOT_APPLICABLE


def requirement(key: str) -> Requirement:
    (found,) = [r for r in DEFAULT_REQUIREMENTS if r.key == key]
    return found


GENERAL_MEETING = requirement("branch.general_meeting.quarterly")
COMMITTEE_MEETING = requirement("branch.committee_meeting.monthly")
THEMED_DAY = requirement("branch.themed_day.monthly")
LECTURE = requirement("branch.lecture.quarterly")
SECRETARY_LECTURE = requirement("branch.lecture.yearly.secretary")
LIFE_MEETING = requirement("branch.life_meeting.yearly")
CORE_GROUP_STUDY = requirement("committee.core_group_study.bimonthly")


def branch(
    org_id: int = 1,
    *,
    established_on: dt.date = LONG_AGO,
    dissolved_on: dt.date | None = None,
    committee_spans: tuple[tuple[dt.date, dt.date | None], ...] = ((LONG_AGO, None),),
) -> OrgFacts:
    return OrgFacts(org_id, OrgKind.BRANCH, established_on, dissolved_on, committee_spans)


def activity(kind: ActivityKind, held_on: dt.date, org_id: int = 1, **extra) -> ActivityFact:
    return ActivityFact(org_id, kind, held_on, **extra)


def run(
    orgs: list[OrgFacts],
    activities: list[ActivityFact],
    *requirements: Requirement,
    start: dt.date = YEAR_START,
    end: dt.date = YEAR_END,
    today: dt.date = AFTER_YEAR,
) -> list[Status]:
    return evaluate(orgs, activities, requirements, start=start, end=end, today=today)


def by_label(statuses: list[Status]) -> dict[str, Status]:
    labels = [status.period.label for status in statuses]
    assert len(labels) == len(set(labels)), "one requirement, one organisation expected"
    return {status.period.label: status for status in statuses}


def states(statuses: list[Status]) -> dict[str, str]:
    return {label: status.state for label, status in by_label(statuses).items()}


# --- Vocabulary and the rules table -------------------------------------------------------


def test_every_kind_has_a_chinese_label():
    assert set(KIND_LABELS) == set(ActivityKind)
    assert ActivityKind.GENERAL_MEETING.label == "支部党员大会"
    assert ActivityKind.COMMITTEE_MEETING.label == "支委会"
    assert OrgKind.GENERAL_BRANCH.label == "党总支"


def test_three_meetings_one_lecture():
    assert {
        "general_meeting",
        "committee_meeting",
        "group_meeting",
        "lecture",
    } == THREE_MEETINGS_ONE_LECTURE


def test_default_requirements_follow_the_rules_doc():
    assert {r.key for r in DEFAULT_REQUIREMENTS} == {
        "branch.general_meeting.quarterly",
        "branch.committee_meeting.monthly",
        "group.group_meeting.monthly",
        "branch.lecture.quarterly",
        "branch.lecture.yearly.secretary",
        "branch.themed_day.monthly",
        "branch.life_meeting.yearly",
        "branch.appraisal.yearly",
        "committee.core_group_study.bimonthly",
        "committee.leader_lecture_main.yearly",
        "committee.leader_lecture_member.yearly",
    }
    assert all(r.basis and r.minimum == 1 for r in DEFAULT_REQUIREMENTS)
    assert [r.key for r in DEFAULT_REQUIREMENTS if r.needs_committee] == [
        "branch.committee_meeting.monthly"
    ]
    assert GENERAL_MEETING.basis == "《中国共产党支部工作条例（试行）》第十六条"
    assert GENERAL_MEETING.description == "党支部每季度召开支部党员大会至少1次"


def test_requirement_accepts_database_strings_and_refuses_a_zero_minimum():
    rule = Requirement(kind="lecture", org_kind="branch", frequency="yearly", basis="x")
    assert rule.kind is ActivityKind.LECTURE and rule.frequency is Frequency.YEARLY
    with pytest.raises(ValueError):
        Requirement(kind="lecture", org_kind="branch", frequency="yearly", minimum=0, basis="x")


# --- Periods ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("frequency", "day", "start", "end", "label"),
    [
        ("monthly", D(2023, 3, 15), D(2023, 3, 1), D(2023, 3, 31), "2023年3月"),
        ("monthly", D(2023, 2, 28), D(2023, 2, 1), D(2023, 2, 28), "2023年2月"),
        ("monthly", D(2024, 2, 29), D(2024, 2, 1), D(2024, 2, 29), "2024年2月"),
        ("monthly", D(2023, 12, 31), D(2023, 12, 1), D(2023, 12, 31), "2023年12月"),
        ("bimonthly", D(2023, 1, 1), D(2023, 1, 1), D(2023, 2, 28), "2023年1–2月"),
        ("bimonthly", D(2024, 2, 29), D(2024, 1, 1), D(2024, 2, 29), "2024年1–2月"),
        ("bimonthly", D(2023, 3, 1), D(2023, 3, 1), D(2023, 4, 30), "2023年3–4月"),
        ("bimonthly", D(2023, 12, 31), D(2023, 11, 1), D(2023, 12, 31), "2023年11–12月"),
        ("quarterly", D(2023, 3, 31), D(2023, 1, 1), D(2023, 3, 31), "2023年第1季度"),
        ("quarterly", D(2023, 4, 1), D(2023, 4, 1), D(2023, 6, 30), "2023年第2季度"),
        ("quarterly", D(2023, 11, 5), D(2023, 10, 1), D(2023, 12, 31), "2023年第4季度"),
        ("yearly", D(2023, 7, 1), D(2023, 1, 1), D(2023, 12, 31), "2023年"),
    ],
)
def test_period_containing(frequency, day, start, end, label):
    assert period_containing(frequency, day) == Period(start, end, label)


def test_periods_cover_every_period_that_overlaps_the_window():
    assert [p.label for p in periods(Frequency.MONTHLY, D(2023, 1, 31), D(2023, 3, 1))] == [
        "2023年1月",
        "2023年2月",
        "2023年3月",
    ]
    assert [p.label for p in periods(Frequency.QUARTERLY, D(2023, 3, 31), D(2023, 4, 1))] == [
        "2023年第1季度",
        "2023年第2季度",
    ]
    assert [p.label for p in periods(Frequency.BIMONTHLY, D(2023, 12, 1), D(2024, 1, 1))] == [
        "2023年11–12月",
        "2024年1–2月",
    ]
    assert len(periods(Frequency.MONTHLY, YEAR_START, YEAR_END)) == 12
    assert len(periods(Frequency.BIMONTHLY, YEAR_START, YEAR_END)) == 6
    assert len(periods(Frequency.YEARLY, YEAR_START, YEAR_END)) == 1
    with pytest.raises(ValueError):
        periods(Frequency.MONTHLY, D(2023, 2, 1), D(2023, 1, 31))


@pytest.mark.parametrize(
    ("frequency", "day", "midpoint"),
    [
        ("monthly", D(2023, 1, 1), D(2023, 1, 16)),  # 31 days: 16 of them from the 16th
        ("monthly", D(2023, 4, 1), D(2023, 4, 16)),  # 30 days: exactly 15 from the 16th
        ("monthly", D(2023, 2, 1), D(2023, 2, 15)),  # 28 days: 14 from the 15th
        ("monthly", D(2024, 2, 1), D(2024, 2, 15)),  # 29 days: 15 from the 15th
        ("quarterly", D(2023, 1, 1), D(2023, 2, 15)),  # 90 days: 45 from 15 February
        ("yearly", D(2023, 1, 1), D(2023, 7, 2)),  # 365 days: 183 from 2 July
    ],
)
def test_period_midpoint(frequency, day, midpoint):
    period = period_containing(frequency, day)
    assert period.midpoint == midpoint
    assert 2 * (period.end - midpoint).days + 2 >= period.days  # at least half left
    assert 2 * (period.end - midpoint).days < period.days  # the day after: less than half


# --- Counting at period edges -------------------------------------------------------------


def test_month_edges():
    statuses = run(
        [branch()],
        [
            activity(ActivityKind.THEMED_DAY, D(2023, 1, 31)),
            activity(ActivityKind.THEMED_DAY, D(2023, 2, 1)),
        ],
        THEMED_DAY,
    )
    counts = {label: status.count for label, status in by_label(statuses).items()}
    assert counts["2023年1月"] == 1 and counts["2023年2月"] == 1 and counts["2023年3月"] == 0
    assert states(statuses)["2023年1月"] == DONE and states(statuses)["2023年3月"] == OVERDUE


def test_leap_day_counts_for_february():
    statuses = run(
        [branch()],
        [activity(ActivityKind.THEMED_DAY, D(2024, 2, 29))],
        THEMED_DAY,
        start=D(2024, 1, 1),
        end=D(2024, 3, 31),
        today=D(2024, 6, 1),
    )
    assert states(statuses) == {"2024年1月": OVERDUE, "2024年2月": DONE, "2024年3月": OVERDUE}


@pytest.mark.parametrize(
    ("held_on", "first_quarter", "second_quarter"),
    [(D(2023, 3, 31), DONE, OVERDUE), (D(2023, 4, 1), OVERDUE, DONE)],
)
def test_quarter_edges(held_on, first_quarter, second_quarter):
    statuses = run([branch()], [activity(ActivityKind.GENERAL_MEETING, held_on)], GENERAL_MEETING)
    assert states(statuses) == {
        "2023年第1季度": first_quarter,
        "2023年第2季度": second_quarter,
        "2023年第3季度": OVERDUE,
        "2023年第4季度": OVERDUE,
    }


def test_bimonthly_pairs_calendar_months():
    committee = OrgFacts(9, OrgKind.COMMITTEE, LONG_AGO)
    statuses = run(
        [committee],
        [
            activity(ActivityKind.CORE_GROUP_STUDY, D(2023, 1, 10), org_id=9),
            activity(ActivityKind.CORE_GROUP_STUDY, D(2023, 2, 28), org_id=9),
            activity(ActivityKind.CORE_GROUP_STUDY, D(2023, 3, 1), org_id=9),
            activity(ActivityKind.CORE_GROUP_STUDY, D(2023, 8, 31), org_id=9),
            activity(ActivityKind.CORE_GROUP_STUDY, D(2023, 12, 31), org_id=9),
        ],
        CORE_GROUP_STUDY,
    )
    table = by_label(statuses)
    assert {label: (s.state, s.count) for label, s in table.items()} == {
        "2023年1–2月": (DONE, 2),
        "2023年3–4月": (DONE, 1),
        "2023年5–6月": (OVERDUE, 0),
        "2023年7–8月": (DONE, 1),
        "2023年9–10月": (OVERDUE, 0),
        "2023年11–12月": (DONE, 1),
    }
    assert table["2023年1–2月"].due_on == D(2023, 2, 28)


@pytest.mark.parametrize(
    ("held_on", "state"),
    [(D(2023, 1, 1), DONE), (D(2023, 12, 31), DONE), (D(2022, 12, 31), OVERDUE)],
)
def test_yearly(held_on, state):
    statuses = run([branch()], [activity(ActivityKind.LIFE_MEETING, held_on)], LIFE_MEETING)
    assert states(statuses) == {"2023年": state}


def test_window_takes_whole_periods_and_ignores_other_organisations():
    statuses = run(
        [branch(1), branch(2)],
        [
            activity(ActivityKind.THEMED_DAY, D(2023, 3, 1), org_id=1),  # before the window
            activity(ActivityKind.THEMED_DAY, D(2023, 4, 1), org_id=1),  # after it
            activity(ActivityKind.GENERAL_MEETING, D(2023, 3, 1), org_id=2),  # another kind
        ],
        THEMED_DAY,
        start=D(2023, 3, 15),
        end=D(2023, 3, 20),
    )
    assert [(s.org_id, s.period.label, s.state, s.count) for s in statuses] == [
        (1, "2023年3月", DONE, 1),
        (2, "2023年3月", OVERDUE, 0),
    ]


def test_minimum_above_one():
    twice = Requirement(
        kind=ActivityKind.THEMED_DAY,
        org_kind=OrgKind.BRANCH,
        frequency="monthly",
        minimum=2,
        basis="测试",
    )
    one = [activity(ActivityKind.THEMED_DAY, D(2023, 1, 5))]
    two = [*one, activity(ActivityKind.THEMED_DAY, D(2023, 1, 25))]
    assert run([branch()], one, twice, end=D(2023, 1, 31))[0].state == OVERDUE
    assert run([branch()], two, twice, end=D(2023, 1, 31))[0].state == DONE


def test_database_strings_and_generators_are_accepted():
    org = OrgFacts(1, "branch", LONG_AGO, None, ())
    rows = (ActivityFact(1, kind, day) for kind, day in [("themed_day", D(2023, 5, 4))])
    statuses = evaluate(
        [org], rows, [THEMED_DAY], start=D(2023, 5, 1), end=D(2023, 5, 31), today=D(2023, 5, 4)
    )
    assert [(s.state, s.count) for s in statuses] == [(DONE, 1)]


# --- Existence --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("established_on", "month", "state"),
    [
        (D(2023, 1, 16), "2023年1月", OVERDUE),  # 16 of 31 days
        (D(2023, 1, 17), "2023年1月", NOT_APPLICABLE),  # 15 of 31 days
        (D(2023, 4, 16), "2023年4月", OVERDUE),  # 15 of 30 days: exactly half
        (D(2023, 4, 17), "2023年4月", NOT_APPLICABLE),
        (D(2023, 2, 15), "2023年2月", OVERDUE),  # 14 of 28 days
        (D(2023, 2, 16), "2023年2月", NOT_APPLICABLE),
        (D(2023, 6, 1), "2023年6月", OVERDUE),
        (D(2023, 6, 30), "2023年6月", NOT_APPLICABLE),
    ],
)
def test_established_mid_month(established_on, month, state):
    statuses = run([branch(established_on=established_on)], [], THEMED_DAY)
    table = by_label(statuses)
    assert table[month].state == state
    if state == NOT_APPLICABLE:
        assert table[month].reason == NotApplicableReason.LESS_THAN_HALF_PERIOD
    earlier = [s for s in statuses if s.period.end < established_on]
    assert all(s.reason == NotApplicableReason.NOT_YET_ESTABLISHED for s in earlier)
    later = [s for s in statuses if s.period.start > established_on]
    assert all(s.state == OVERDUE for s in later)


def test_established_on_leap_february_midpoint():
    statuses = run(
        [branch(1, established_on=D(2024, 2, 15)), branch(2, established_on=D(2024, 2, 16))],
        [],
        THEMED_DAY,
        start=D(2024, 2, 1),
        end=D(2024, 2, 29),
    )
    assert [(s.org_id, s.state) for s in statuses] == [(1, OVERDUE), (2, NOT_APPLICABLE)]


@pytest.mark.parametrize(
    ("established_on", "state"),
    [(D(2023, 2, 15), DONE), (D(2023, 2, 16), NOT_APPLICABLE)],
)
def test_established_mid_quarter(established_on, state):
    meeting = activity(ActivityKind.GENERAL_MEETING, D(2023, 3, 20))
    statuses = run(
        [branch(established_on=established_on)], [meeting], GENERAL_MEETING, end=D(2023, 6, 30)
    )
    table = by_label(statuses)
    assert table["2023年第1季度"].state == state
    assert table["2023年第1季度"].count == 1  # reported even when not judged
    assert table["2023年第2季度"].state == OVERDUE


def test_established_mid_year_for_yearly_requirements():
    early = branch(1, established_on=D(2023, 7, 2))
    late = branch(2, established_on=D(2023, 7, 3))
    statuses = run([early, late], [], LIFE_MEETING)
    assert [(s.org_id, s.state) for s in statuses] == [(1, OVERDUE), (2, NOT_APPLICABLE)]


def test_dissolved_organisation():
    statuses = run(
        [branch(1, dissolved_on=D(2023, 5, 10)), branch(2, dissolved_on=D(2023, 5, 16))],
        [activity(ActivityKind.THEMED_DAY, D(2023, 5, 8), org_id=1)],
        THEMED_DAY,
        LIFE_MEETING,
    )
    first = [s for s in statuses if s.org_id == 1 and s.requirement == THEMED_DAY]
    table = by_label(first)
    assert all(table[f"2023年{m}月"].state == OVERDUE for m in range(1, 5))
    assert table["2023年5月"].state == NOT_APPLICABLE  # 10 of 31 days
    assert table["2023年5月"].reason == NotApplicableReason.LESS_THAN_HALF_PERIOD
    assert table["2023年5月"].count == 1
    assert all(table[f"2023年{m}月"].reason == NotApplicableReason.DISSOLVED for m in range(6, 13))
    second = by_label([s for s in statuses if s.org_id == 2 and s.requirement == THEMED_DAY])
    assert second["2023年5月"].state == OVERDUE  # 16 of 31 days
    assert second["2023年6月"].reason == NotApplicableReason.DISSOLVED
    yearly = [s.state for s in statuses if s.requirement == LIFE_MEETING]
    assert yearly == [NOT_APPLICABLE, NOT_APPLICABLE]


def test_established_and_dissolved_within_one_period():
    org = branch(established_on=D(2023, 1, 3), dissolved_on=D(2023, 1, 20))  # 18 of 31 days
    assert run([org], [], THEMED_DAY, end=D(2023, 1, 31))[0].state == OVERDUE
    org = branch(established_on=D(2023, 1, 5), dissolved_on=D(2023, 1, 19))  # 15 of 31 days
    assert run([org], [], THEMED_DAY, end=D(2023, 1, 31))[0].state == NOT_APPLICABLE


# --- Committee ------------------------------------------------------------------------------


def test_branch_without_committee_is_never_asked_for_committee_meetings():
    org = branch(committee_spans=())
    statuses = run([org], [], COMMITTEE_MEETING, THEMED_DAY)
    committee = [s for s in statuses if s.requirement == COMMITTEE_MEETING]
    assert len(committee) == 12
    assert all(
        s.state == NOT_APPLICABLE and s.reason == NotApplicableReason.NO_COMMITTEE
        for s in committee
    )
    assert all(s.state == OVERDUE for s in statuses if s.requirement == THEMED_DAY)


def test_branch_gets_its_committee_in_june():
    org = branch(committee_spans=((D(2023, 6, 20), None),))
    statuses = run(
        [org], [activity(ActivityKind.COMMITTEE_MEETING, D(2023, 6, 20))], COMMITTEE_MEETING
    )
    table = states(statuses)
    assert [table[f"2023年{m}月"] for m in range(1, 6)] == [NOT_APPLICABLE] * 5
    assert table["2023年6月"] == DONE  # a committee on any day of June
    assert [table[f"2023年{m}月"] for m in range(7, 13)] == [OVERDUE] * 6


def test_committee_that_stops_sitting():
    org = branch(committee_spans=((LONG_AGO, D(2023, 3, 1)), (D(2023, 10, 31), None)))
    table = states(run([org], [], COMMITTEE_MEETING))
    assert [table[f"2023年{m}月"] for m in range(1, 13)] == [OVERDUE] * 3 + [NOT_APPLICABLE] * 6 + [
        OVERDUE
    ] * 3


# --- Secretary lecture ----------------------------------------------------------------------


def test_secretary_lecture_counts_only_the_secretarys():
    quarterly_lectures = [
        activity(ActivityKind.LECTURE, D(2023, month, 10)) for month in (2, 5, 8, 11)
    ]
    statuses = run([branch()], quarterly_lectures, LECTURE, SECRETARY_LECTURE)
    assert all(s.state == DONE for s in statuses if s.requirement == LECTURE)
    (secretary,) = [s for s in statuses if s.requirement == SECRETARY_LECTURE]
    assert (secretary.state, secretary.count) == (OVERDUE, 0)

    by_secretary = activity(ActivityKind.LECTURE, D(2023, 12, 1), by_secretary=True)
    statuses = run([branch()], [*quarterly_lectures, by_secretary], LECTURE, SECRETARY_LECTURE)
    (secretary,) = [s for s in statuses if s.requirement == SECRETARY_LECTURE]
    assert (secretary.state, secretary.count) == (DONE, 1)
    fourth = by_label([s for s in statuses if s.requirement == LECTURE])["2023年第4季度"]
    assert fourth.count == 2  # the secretary's lecture is a lecture too


# --- Due dates ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("today", "state"),
    [
        (D(2022, 12, 1), UPCOMING),  # before the period
        (D(2023, 3, 1), UPCOMING),
        (D(2023, 3, 31), UPCOMING),  # the period's last day
        (D(2023, 4, 1), OVERDUE),  # the day after
    ],
)
def test_upcoming_until_the_period_ends(today, state):
    (status,) = run(
        [branch()], [], THEMED_DAY, start=D(2023, 3, 1), end=D(2023, 3, 31), today=today
    )
    assert status.state == state and status.due_on == D(2023, 3, 31)


def test_done_is_done_whatever_today():
    (status,) = run(
        [branch()],
        [activity(ActivityKind.THEMED_DAY, D(2023, 3, 3))],
        THEMED_DAY,
        start=D(2023, 3, 1),
        end=D(2023, 3, 31),
        today=D(2023, 3, 3),
    )
    assert status.state == DONE


def test_due_reminders():
    today = D(2023, 3, 24)
    statuses = run(
        [branch(1), branch(2)],
        [activity(ActivityKind.THEMED_DAY, D(2023, 3, 2), org_id=2)],
        THEMED_DAY,
        GENERAL_MEETING,
        LIFE_MEETING,
        today=today,
    )
    due = due_reminders(statuses, today)
    assert [(s.org_id, s.requirement.kind, s.period.label) for s in due] == [
        (1, "themed_day", "2023年3月"),
        (1, "general_meeting", "2023年第1季度"),
        (2, "general_meeting", "2023年第1季度"),
    ]
    assert due_reminders(statuses, today, within_days=6) == []  # Mar 31 is 7 days away
    assert len(due_reminders(statuses, D(2023, 3, 31), within_days=0)) == 3
    assert due_reminders(statuses, D(2023, 4, 1)) == []  # overdue, not upcoming


# --- Rate and explanations --------------------------------------------------------------


def make_status(state: ComplianceState) -> Status:
    period = period_containing(Frequency.MONTHLY, D(2023, 1, 1))
    return Status(1, THEMED_DAY, period, state, 0, period.end)


@pytest.mark.parametrize(
    ("counts", "expected"),
    [
        ({DONE: 3, OVERDUE: 1, UPCOMING: 2, NOT_APPLICABLE: 5}, 0.75),
        ({DONE: 2}, 1.0),
        ({OVERDUE: 2, UPCOMING: 1}, 0.0),
        ({UPCOMING: 4, NOT_APPLICABLE: 1}, None),
        ({}, None),
    ],
)
def test_rate(counts, expected):
    statuses = [make_status(state) for state, n in counts.items() for _ in range(n)]
    assert rate(statuses) == expected


def test_explain():
    statuses = run(
        [branch(1), branch(2, committee_spans=())],
        [activity(ActivityKind.THEMED_DAY, D(2023, 3, 3))],
        GENERAL_MEETING,
        THEMED_DAY,
        COMMITTEE_MEETING,
        SECRETARY_LECTURE,
        start=D(2023, 3, 1),
        end=D(2023, 3, 31),
        today=D(2023, 4, 1),
    )
    explained = {(s.org_id, s.requirement.key): explain(s) for s in statuses}
    assert explained[(1, GENERAL_MEETING.key)] == (
        "2023年第1季度应召开支部党员大会至少1次，实际0次，已逾期"
    )
    assert explained[(1, THEMED_DAY.key)] == "2023年3月应开展主题党日至少1次，实际1次，已完成"
    assert explained[(1, SECRETARY_LECTURE.key)] == (
        "2023年应由支部书记讲党课至少1次，实际0次，截止日期2023年12月31日"
    )
    assert explained[(2, COMMITTEE_MEETING.key)] == (
        "2023年3月召开支委会：不适用（本期未设支部委员会）"
    )


# --- Organisation kinds and scale -----------------------------------------------------------


def test_requirements_apply_by_organisation_kind():
    orgs = [
        OrgFacts(1, OrgKind.COMMITTEE, LONG_AGO),
        OrgFacts(2, OrgKind.GENERAL_BRANCH, LONG_AGO),
        branch(3),
        OrgFacts(4, OrgKind.GROUP, LONG_AGO),
    ]
    statuses = evaluate(orgs, [], start=YEAR_START, end=YEAR_END, today=AFTER_YEAR)
    kinds = {org_id: set() for org_id in range(1, 5)}
    for status in statuses:
        kinds[status.org_id].add(status.requirement.kind)
    assert kinds == {
        1: {"core_group_study", "leader_lecture_main", "leader_lecture_member"},
        2: set(),
        3: {
            "general_meeting",
            "committee_meeting",
            "lecture",
            "themed_day",
            "life_meeting",
            "appraisal",
        },
        4: {"group_meeting"},
    }
    # Ordered by organisation, then requirement, then period.
    assert [s.org_id for s in statuses] == sorted(s.org_id for s in statuses)


def test_province_scale_runs():
    """915 organisations × a year × 100,000 activities, in one call (no time assertion)."""
    rng = random.Random(2023)
    committees, branches, groups = 17, 600, 298
    orgs = [
        OrgFacts(org_id, kind, LONG_AGO, None, ((LONG_AGO, None),))
        for org_id, kind in enumerate(
            [OrgKind.COMMITTEE] * committees
            + [OrgKind.BRANCH] * branches
            + [OrgKind.GROUP] * groups,
            start=1,
        )
    ]
    kinds = list(ActivityKind)
    activities = [
        ActivityFact(
            rng.randint(1, len(orgs)),
            rng.choice(kinds),
            YEAR_START + dt.timedelta(days=rng.randrange(365)),
            rng.random() < 0.1,
        )
        for _ in range(100_000)
    ]
    statuses = evaluate(orgs, activities, start=YEAR_START, end=YEAR_END, today=D(2023, 12, 1))
    per_committee = 6 + 1 + 1
    per_branch = 4 + 12 + 4 + 1 + 12 + 1 + 1
    per_group = 12
    assert len(statuses) == (
        committees * per_committee + branches * per_branch + groups * per_group
    )
    assert rate(statuses) is not None
    assert {s.state for s in statuses} <= {DONE, UPCOMING, OVERDUE}
