"""Compliance engine for party organisational life (组织生活): "三会一课", 主题党日 and the rest.

Pure: no ORM, no request, standard library only. The caller turns its rows into the plain
dataclasses below (``OrgFacts``, ``ActivityFact``), calls ``evaluate`` once for the whole
organisation tree and a date window, and gets one ``Status`` per organisation, requirement and
calendar period. Each ``Requirement`` is one small named rule that carries its legal basis; a
``Status`` carries why it is what it is, and ``explain`` turns it into a Chinese sentence.

Decisions, so that screens and reports agree:

* Periods are calendar periods: months, two-month pairs (1–2月, 3–4月, …), quarters, years.
  An activity counts for the period that contains its date, whatever the evaluation window.
* An organisation is judged for a period only if it existed on at least half of the period's
  days (``Period.midpoint``). For an organisation established mid-period that means: judged iff
  established on or before the midpoint (January: the 16th; a 30-day month: the 16th;
  February 2024: the 15th; Q1 2023: 15 February). ``dissolved_on`` is the last day it existed,
  and the same half-period rule applies at the other end (dissolved in January on or after the
  16th: still judged for January). Otherwise the status is ``not_applicable``.
* A requirement with ``needs_committee`` is applicable in a period if the organisation had a
  committee on any day of it (a committee elected on 20 June is asked for a June 支委会; the
  first 支委会 is normally held right after the election).
* ``by_secretary`` requirements count only activities given by the branch secretary; the
  general quarterly lecture requirement counts every lecture, the secretary's included.
* ``done`` as soon as ``count >= minimum``; otherwise ``upcoming`` until the period's last day
  (a period ending today is still upcoming) and ``overdue`` from the day after.
* ``not_applicable`` statuses still report the real ``count``.

User-facing strings are Chinese literals here (this module must not import Django); the views
may wrap them for translation.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum

__all__ = [
    "DEFAULT_REQUIREMENTS",
    "KIND_LABELS",
    "THREE_MEETINGS_ONE_LECTURE",
    "ActivityFact",
    "ActivityKind",
    "ComplianceState",
    "Frequency",
    "NotApplicableReason",
    "OrgFacts",
    "OrgKind",
    "Period",
    "Requirement",
    "Status",
    "committee_sat_during",
    "due_reminders",
    "evaluate",
    "existence_reason",
    "explain",
    "period_containing",
    "periods",
    "rate",
]


# --- Vocabulary ---------------------------------------------------------------------------


class ActivityKind(StrEnum):
    """Kinds of organisational life; the values are shared with the party models."""

    GENERAL_MEETING = "general_meeting"
    COMMITTEE_MEETING = "committee_meeting"
    GROUP_MEETING = "group_meeting"
    LECTURE = "lecture"
    THEMED_DAY = "themed_day"
    LIFE_MEETING = "life_meeting"
    APPRAISAL = "appraisal"
    CORE_GROUP_STUDY = "core_group_study"
    LEADER_LECTURE_MAIN = "leader_lecture_main"
    LEADER_LECTURE_MEMBER = "leader_lecture_member"

    @property
    def label(self) -> str:
        return KIND_LABELS[self]


KIND_LABELS: dict[ActivityKind, str] = {
    ActivityKind.GENERAL_MEETING: "支部党员大会",
    ActivityKind.COMMITTEE_MEETING: "支委会",
    ActivityKind.GROUP_MEETING: "党小组会",
    ActivityKind.LECTURE: "党课",
    ActivityKind.THEMED_DAY: "主题党日",
    ActivityKind.LIFE_MEETING: "组织生活会",
    ActivityKind.APPRAISAL: "民主评议党员",
    ActivityKind.CORE_GROUP_STUDY: "中心组学习",
    ActivityKind.LEADER_LECTURE_MAIN: "党委主要负责同志讲党课",
    ActivityKind.LEADER_LECTURE_MEMBER: "党委班子成员讲党课",
}

#: "三会一课": the branch general meeting, the committee meeting, the group meeting, the lecture.
THREE_MEETINGS_ONE_LECTURE: frozenset[ActivityKind] = frozenset(
    {
        ActivityKind.GENERAL_MEETING,
        ActivityKind.COMMITTEE_MEETING,
        ActivityKind.GROUP_MEETING,
        ActivityKind.LECTURE,
    }
)

# What "应…至少N次" says for each kind, in explanations.
_ACTIONS: dict[ActivityKind, str] = {
    ActivityKind.GENERAL_MEETING: "召开支部党员大会",
    ActivityKind.COMMITTEE_MEETING: "召开支委会",
    ActivityKind.GROUP_MEETING: "召开党小组会",
    ActivityKind.LECTURE: "上党课",
    ActivityKind.THEMED_DAY: "开展主题党日",
    ActivityKind.LIFE_MEETING: "召开组织生活会",
    ActivityKind.APPRAISAL: "开展民主评议党员",
    ActivityKind.CORE_GROUP_STUDY: "开展中心组学习",
    ActivityKind.LEADER_LECTURE_MAIN: "由党委主要负责同志讲党课",
    ActivityKind.LEADER_LECTURE_MEMBER: "由党委班子成员讲党课",
}


class OrgKind(StrEnum):
    COMMITTEE = "committee"
    GENERAL_BRANCH = "general_branch"
    BRANCH = "branch"
    GROUP = "group"

    @property
    def label(self) -> str:
        return _ORG_KIND_LABELS[self]


_ORG_KIND_LABELS = {
    OrgKind.COMMITTEE: "党委",
    OrgKind.GENERAL_BRANCH: "党总支",
    OrgKind.BRANCH: "党支部",
    OrgKind.GROUP: "党小组",
}


class Frequency(StrEnum):
    MONTHLY = "monthly"
    BIMONTHLY = "bimonthly"
    QUARTERLY = "quarterly"
    YEARLY = "yearly"

    @property
    def label(self) -> str:
        return _FREQUENCY_LABELS[self]

    @property
    def months(self) -> int:
        """Calendar months per period; periods always start on a multiple of this in the year."""
        return _MONTHS_PER_PERIOD[self]


_FREQUENCY_LABELS = {
    Frequency.MONTHLY: "每月",
    Frequency.BIMONTHLY: "每两个月",
    Frequency.QUARTERLY: "每季度",
    Frequency.YEARLY: "每年",
}
_MONTHS_PER_PERIOD = {
    Frequency.MONTHLY: 1,
    Frequency.BIMONTHLY: 2,
    Frequency.QUARTERLY: 3,
    Frequency.YEARLY: 12,
}


class ComplianceState(StrEnum):
    DONE = "done"
    UPCOMING = "upcoming"
    OVERDUE = "overdue"
    NOT_APPLICABLE = "not_applicable"

    @property
    def label(self) -> str:
        return _STATE_LABELS[self]


_STATE_LABELS = {
    ComplianceState.DONE: "已完成",
    ComplianceState.UPCOMING: "待完成",
    ComplianceState.OVERDUE: "已逾期",
    ComplianceState.NOT_APPLICABLE: "不适用",
}


class NotApplicableReason(StrEnum):
    """Why an organisation is not judged for a period; travels with the status."""

    NOT_YET_ESTABLISHED = "not_yet_established"
    DISSOLVED = "dissolved"
    LESS_THAN_HALF_PERIOD = "less_than_half_period"
    NO_COMMITTEE = "no_committee"

    @property
    def label(self) -> str:
        return _REASON_LABELS[self]


_REASON_LABELS = {
    NotApplicableReason.NOT_YET_ESTABLISHED: "组织尚未成立",
    NotApplicableReason.DISSOLVED: "组织已撤销",
    NotApplicableReason.LESS_THAN_HALF_PERIOD: "本期存续不足一半",
    NotApplicableReason.NO_COMMITTEE: "本期未设支部委员会",
}


# --- Rules --------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True, kw_only=True)
class Requirement:
    """One rule: organisations of ``org_kind`` hold ``kind`` at least ``minimum`` times a period.

    Keyword-only so that adding a field never silently shifts a positional argument.
    """

    kind: ActivityKind
    org_kind: OrgKind
    frequency: Frequency
    minimum: int = 1
    needs_committee: bool = False
    by_secretary: bool = False
    basis: str

    def __post_init__(self) -> None:
        # Accept the plain strings stored in the database.
        object.__setattr__(self, "kind", ActivityKind(self.kind))
        object.__setattr__(self, "org_kind", OrgKind(self.org_kind))
        object.__setattr__(self, "frequency", Frequency(self.frequency))
        if self.minimum < 1:
            raise ValueError("a requirement's minimum must be at least 1")

    @property
    def key(self) -> str:
        """A stable identifier, e.g. ``branch.lecture.yearly.secretary``."""
        key = f"{self.org_kind}.{self.kind}.{self.frequency}"
        return key + ".secretary" if self.by_secretary else key

    @property
    def label(self) -> str:
        return "支部书记讲党课" if self.by_secretary else self.kind.label

    @property
    def action(self) -> str:
        return "由支部书记讲党课" if self.by_secretary else _ACTIONS[self.kind]

    @property
    def description(self) -> str:
        """E.g. ``党支部每季度召开支部党员大会至少1次``."""
        return f"{self.org_kind.label}{self.frequency.label}{self.action}至少{self.minimum}次"


_BRANCH_RULES = "《中国共产党支部工作条例（试行）》"

#: The rules doc's table (docs/party-building-rules.md). The bureau may configure others.
DEFAULT_REQUIREMENTS: tuple[Requirement, ...] = (
    Requirement(
        kind=ActivityKind.GENERAL_MEETING,
        org_kind=OrgKind.BRANCH,
        frequency=Frequency.QUARTERLY,
        basis=f"{_BRANCH_RULES}第十六条",
    ),
    Requirement(
        kind=ActivityKind.COMMITTEE_MEETING,
        org_kind=OrgKind.BRANCH,
        frequency=Frequency.MONTHLY,
        needs_committee=True,
        basis=f"{_BRANCH_RULES}第十六条",
    ),
    Requirement(
        kind=ActivityKind.GROUP_MEETING,
        org_kind=OrgKind.GROUP,
        frequency=Frequency.MONTHLY,
        basis=f"{_BRANCH_RULES}第十六条",
    ),
    Requirement(
        kind=ActivityKind.LECTURE,
        org_kind=OrgKind.BRANCH,
        frequency=Frequency.QUARTERLY,
        basis=f"{_BRANCH_RULES}第十六条",
    ),
    Requirement(
        kind=ActivityKind.LECTURE,
        org_kind=OrgKind.BRANCH,
        frequency=Frequency.YEARLY,
        by_secretary=True,
        basis="《中国共产党党员教育管理工作条例》：党支部书记每年至少为党员讲1次党课",
    ),
    Requirement(
        kind=ActivityKind.THEMED_DAY,
        org_kind=OrgKind.BRANCH,
        frequency=Frequency.MONTHLY,
        basis=f"{_BRANCH_RULES}第十七条",
    ),
    Requirement(
        kind=ActivityKind.LIFE_MEETING,
        org_kind=OrgKind.BRANCH,
        frequency=Frequency.YEARLY,
        basis=f"{_BRANCH_RULES}第十八条",
    ),
    Requirement(
        kind=ActivityKind.APPRAISAL,
        org_kind=OrgKind.BRANCH,
        frequency=Frequency.YEARLY,
        basis=f"{_BRANCH_RULES}第十八条",
    ),
    Requirement(
        kind=ActivityKind.CORE_GROUP_STUDY,
        org_kind=OrgKind.COMMITTEE,
        frequency=Frequency.BIMONTHLY,
        basis="《中国共产党党委（党组）理论学习中心组学习规则》",
    ),
    Requirement(
        kind=ActivityKind.LEADER_LECTURE_MAIN,
        org_kind=OrgKind.COMMITTEE,
        frequency=Frequency.YEARLY,
        basis=f"{_BRANCH_RULES}第十六条：党委（党组）书记每年至少讲1次党课",
    ),
    Requirement(
        kind=ActivityKind.LEADER_LECTURE_MEMBER,
        org_kind=OrgKind.COMMITTEE,
        frequency=Frequency.YEARLY,
        basis=f"{_BRANCH_RULES}第十六条：党员领导干部应当定期为基层党员讲党课",
    ),
)


# --- Inputs -------------------------------------------------------------------------------

#: A branch "has a committee" (支委会) while at least this many seats are filled: a secretary
#: alone, in a branch of fewer than 7 members, is not a committee.
COMMITTEE_MIN_SEATS = 3


@dataclass(frozen=True, slots=True)
class OrgFacts:
    """What the engine needs to know about one organisation.

    ``dissolved_on`` is the last day the organisation existed. ``committee_spans`` are the
    periods (first day, last day or ``None`` if still sitting) during which it had a committee.
    """

    id: int
    kind: OrgKind
    established_on: dt.date
    dissolved_on: dt.date | None = None
    committee_spans: tuple[tuple[dt.date, dt.date | None], ...] = ()

    def __post_init__(self) -> None:
        object.__setattr__(self, "kind", OrgKind(self.kind))


@dataclass(frozen=True, slots=True)
class ActivityFact:
    """One held activity. ``kind`` may be the plain database string: StrEnum keys match it."""

    org_id: int
    kind: ActivityKind
    held_on: dt.date
    by_secretary: bool = False


# --- Periods ------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Period:
    start: dt.date
    end: dt.date
    label: str

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    @property
    def midpoint(self) -> dt.date:
        """The last establishment date that still leaves at least half the period.

        ``start + days // 2``: from this day to ``end`` inclusive is ``days - days // 2`` days,
        i.e. at least half.
        """
        return self.start + dt.timedelta(days=self.days // 2)


def _period_index(frequency: Frequency, day: dt.date) -> int:
    """A running number of the calendar period containing ``day``: consecutive periods differ
    by 1, so a dict keyed by it buckets activities in O(1)."""
    months = _MONTHS_PER_PERIOD[frequency]
    return day.year * (12 // months) + (day.month - 1) // months


def _period_from_index(frequency: Frequency, index: int) -> Period:
    months = _MONTHS_PER_PERIOD[frequency]
    year, number = divmod(index, 12 // months)
    first_month = number * months + 1
    start = dt.date(year, first_month, 1)
    next_month = first_month + months
    if next_month > 12:
        end = dt.date(year + 1, 1, 1) - dt.timedelta(days=1)
    else:
        end = dt.date(year, next_month, 1) - dt.timedelta(days=1)
    if frequency is Frequency.MONTHLY:
        label = f"{year}年{first_month}月"
    elif frequency is Frequency.BIMONTHLY:
        label = f"{year}年{first_month}–{first_month + 1}月"
    elif frequency is Frequency.QUARTERLY:
        label = f"{year}年第{number + 1}季度"
    else:
        label = f"{year}年"
    return Period(start, end, label)


def period_containing(frequency: Frequency, day: dt.date) -> Period:
    frequency = Frequency(frequency)
    return _period_from_index(frequency, _period_index(frequency, day))


def periods(frequency: Frequency, start: dt.date, end: dt.date) -> list[Period]:
    """The calendar periods of ``frequency`` that overlap ``[start, end]``, in order."""
    if start > end:
        raise ValueError("start must not be after end")
    frequency = Frequency(frequency)
    first, last = _period_index(frequency, start), _period_index(frequency, end)
    return [_period_from_index(frequency, index) for index in range(first, last + 1)]


# --- Applicability rules ------------------------------------------------------------------


def existence_reason(org: OrgFacts, period: Period) -> NotApplicableReason | None:
    """``None`` if the organisation existed on at least half of the period's days."""
    if org.established_on > period.end:
        return NotApplicableReason.NOT_YET_ESTABLISHED
    if org.dissolved_on is not None and org.dissolved_on < period.start:
        return NotApplicableReason.DISSOLVED
    first = max(org.established_on, period.start)
    last = period.end if org.dissolved_on is None else min(org.dissolved_on, period.end)
    if 2 * ((last - first).days + 1) < period.days:
        return NotApplicableReason.LESS_THAN_HALF_PERIOD
    return None


def committee_sat_during(org: OrgFacts, period: Period) -> bool:
    """Whether the organisation had a committee on any day of the period."""
    return any(
        first <= period.end and (last is None or last >= period.start)
        for first, last in org.committee_spans
    )


def _not_applicable_reason(
    org: OrgFacts, requirement: Requirement, period: Period
) -> NotApplicableReason | None:
    reason = existence_reason(org, period)
    if reason is None and requirement.needs_committee and not committee_sat_during(org, period):
        reason = NotApplicableReason.NO_COMMITTEE
    return reason


# --- Evaluation ---------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Status:
    org_id: int
    requirement: Requirement
    period: Period
    state: ComplianceState
    count: int
    due_on: dt.date
    reason: NotApplicableReason | None = None


def evaluate(
    orgs: Iterable[OrgFacts],
    activities: Iterable[ActivityFact],
    requirements: Iterable[Requirement] = DEFAULT_REQUIREMENTS,
    *,
    start: dt.date,
    end: dt.date,
    today: dt.date,
) -> list[Status]:
    """One status per organisation × requirement for its ``org_kind`` × period overlapping
    ``[start, end]``; ordered by organisation (input order), requirement, period.

    Organisations whose kind no requirement names get no statuses. Activities are read once
    (a generator is fine) and counted into a dict keyed by (organisation, kind, frequency,
    period index, secretary-only); an activity whose kind has no requirement is skipped.

    Cost: O(A·F + S) time and O(min(A·F, S) + S) memory, where A is the number of activities,
    F ≤ 2 the number of distinct frequencies required for one kind, and S the number of
    statuses returned (organisations × their requirements × periods). No loop runs over
    organisations × activities.
    """
    if start > end:
        raise ValueError("start must not be after end")
    requirements = tuple(requirements)

    # Periods per frequency, and the index range they cover.
    frequencies = {requirement.frequency for requirement in requirements}
    periods_by_frequency = {frequency: periods(frequency, start, end) for frequency in frequencies}
    first_index = {frequency: _period_index(frequency, start) for frequency in frequencies}
    last_index = {frequency: _period_index(frequency, end) for frequency in frequencies}

    # Which frequencies to count each kind at.
    frequencies_by_kind: defaultdict[ActivityKind, set[Frequency]] = defaultdict(set)
    for requirement in requirements:
        frequencies_by_kind[requirement.kind].add(requirement.frequency)

    counts: Counter[tuple[int, str, Frequency, int, bool]] = Counter()
    for activity in activities:
        kind_frequencies = frequencies_by_kind.get(activity.kind)
        if not kind_frequencies:
            continue
        for frequency in kind_frequencies:
            index = _period_index(frequency, activity.held_on)
            if first_index[frequency] <= index <= last_index[frequency]:
                counts[(activity.org_id, activity.kind, frequency, index, False)] += 1
                if activity.by_secretary:
                    counts[(activity.org_id, activity.kind, frequency, index, True)] += 1

    requirements_by_org_kind: defaultdict[OrgKind, list[Requirement]] = defaultdict(list)
    for requirement in requirements:
        requirements_by_org_kind[requirement.org_kind].append(requirement)

    statuses: list[Status] = []
    for org in orgs:
        for requirement in requirements_by_org_kind.get(org.kind, ()):
            frequency = requirement.frequency
            index = first_index[frequency]
            for offset, period in enumerate(periods_by_frequency[frequency]):
                count = counts.get(
                    (org.id, requirement.kind, frequency, index + offset, requirement.by_secretary),
                    0,
                )
                reason = _not_applicable_reason(org, requirement, period)
                if reason is not None:
                    state = ComplianceState.NOT_APPLICABLE
                elif count >= requirement.minimum:
                    state = ComplianceState.DONE
                elif today > period.end:
                    state = ComplianceState.OVERDUE
                else:
                    state = ComplianceState.UPCOMING
                statuses.append(
                    Status(org.id, requirement, period, state, count, period.end, reason)
                )
    return statuses


def rate(statuses: Iterable[Status]) -> float | None:
    """done / (done + overdue); upcoming and not-applicable statuses are not judged yet.

    ``None`` when nothing was judged, so that "no data" never shows as 0% or 100%.
    """
    done = overdue = 0
    for status in statuses:
        if status.state == ComplianceState.DONE:
            done += 1
        elif status.state == ComplianceState.OVERDUE:
            overdue += 1
    judged = done + overdue
    return done / judged if judged else None


def due_reminders(statuses: Iterable[Status], today: dt.date, within_days: int = 7) -> list[Status]:
    """Upcoming statuses whose period ends between today and ``within_days`` days from now
    (inclusive), soonest first, for the notification centre."""
    horizon = today + dt.timedelta(days=within_days)
    due = [
        status
        for status in statuses
        if status.state == ComplianceState.UPCOMING and today <= status.due_on <= horizon
    ]
    due.sort(key=lambda status: status.due_on)
    return due


def _chinese_date(day: dt.date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def explain(status: Status) -> str:
    """A Chinese sentence, e.g. ``2023年第1季度应召开支部党员大会至少1次，实际0次，已逾期``."""
    requirement = status.requirement
    if status.state == ComplianceState.NOT_APPLICABLE:
        reason = status.reason.label if status.reason else ""
        return f"{status.period.label}{requirement.action}：不适用（{reason}）"
    head = (
        f"{status.period.label}应{requirement.action}至少{requirement.minimum}次，"
        f"实际{status.count}次，"
    )
    if status.state == ComplianceState.DONE:
        return head + "已完成"
    if status.state == ComplianceState.OVERDUE:
        return head + "已逾期"
    return head + f"截止日期{_chinese_date(status.due_on)}"
