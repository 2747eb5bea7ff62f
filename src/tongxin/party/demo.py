"""The party app's part of the demo / province data: organisations, members, committees,
"1+N" mentors, organisational life with attendance, "五学" study records and dues.

Like ``tongxin.org.demo``, everything is planned by pure functions first (no ORM; only the
``random.Random`` handed in, and ``today`` for the current-year cut-off) and then written with
``bulk_create``. The pure planners can be checked at province scale without a database:

* ``plan_structure`` — the organisation tree, members, groups, committee seats, mentors;
* ``plan_year`` — one calendar year of organisational life (cost proportional to one year);
* ``plan_study`` and ``plan_dues`` — study records and the dues ledger.

Organisation codes (the unit's code after the prefix):

* ``DW-HBJ`` the bureau's 党委 (the root), ``DW-HBJ-JGDW`` the bureau's 机关党委 under it,
  ``DW-P01`` … one 党委 per prison under the bureau's;
* ``ZZ-P01-1``, ``ZZ-P01-2``: two 党总支 per prison, the first over the first half of the
  districts, the second over the rest;
* ``ZB-P01-D01`` / ``ZB-P01-D01-F1`` district and sub-district branches (under a 党总支),
  ``ZB-P01-BGS`` prison department branches (under the prison's 党委), ``ZB-HBJ-BGS``
  bureau department branches (under the 机关党委). A department with fewer than
  ``MIN_BRANCH_MEMBERS`` party members has no branch of its own: its members join the
  ``ZB-P01-JG`` / ``ZB-HBJ-JG`` 机关联合党支部 (never at province scale, where every
  department has six or more members; at demo scale, where most departments have one or two);
* ``XZ-P01-D01-1`` … party groups (党小组) in the branches with the most members.

Officers who work on a prison or the bureau itself (监狱长, 政委, 局长 …) belong to the branch
of its office (``…-BGS``), as unit leaders do in practice (双重组织生活).

Province scale follows the figures the bureau reports for 2023: exactly 915 organisations
(the groups are the remainder), every party member among the police (about 14,000), and the
2023 counts of organisational life in ``TARGETS[2023]``. The statistics code never sees these
figures: it counts ``Activity`` rows, and this generator makes the rows so that the counts come
out right. Each organisation first gets what the rules require (``compliance.DEFAULT_REQUIREMENTS``)
for every period it is judged for, a small share of that is dropped (``DROP_SHARE``: realistic
non-compliance, shown as 逾期), and extra sessions are added at random to reach the year's
totals exactly. Where a target is below what the rules require (themed days: 6,315 against
about 6,490 required in 2023), more is dropped instead (2.7% of 2023's required themed days).
2022 is about 8–12% lower (``TARGETS[2022]``), which for themed days and "三会一课", held at
about the required minimum, means dropping about 10% and 6% of them: compliance improved in
2023, the year the bureau started its branch standardisation pilots. Other years (and every
year at demo scale) get the required sessions, the same drop share and extras in the
proportions of ``EXTRA_SHARE``. Years run from ``HISTORY_START_YEAR`` to ``today`` without a
gap (2022 … 2026 when run in 2026), so the compliance page shows the current months; sessions
of the current period whose drawn day is still to come are simply not held yet (待完成).

Volume, at province scale (about 110,000 activities over five years; the seed takes about a
minute on SQLite, see ``bench/seed_party.py``):

* attendance rows only for the last ``ATTENDANCE_MONTHS_PROVINCE`` months (the counts on
  ``Activity`` are the record for older ones; at demo scale every activity has its rows);
* branch, group and individual study records for the last ``STUDY_MONTHS_PROVINCE`` months
  (committee and organ-level study for the whole history);
* the dues ledger from January ``DUES_YEARS_PROVINCE - 1`` years before today's year, without
  gaps (``dues_start``); from 2022 at demo scale.

Deterministic: randomness only from ``ctx.fork("party")`` and the clock only through
``ctx.today``. Check-in tokens are drawn from the same stream (the seeded activities are all
in the past); ``Activity.created_at`` is set to the meeting's end, not the time of seeding.

Left in ``ctx.data`` for later generators: ``party_orgs`` (code → PartyOrganization),
``party_members`` (officer id → PartyMember), ``branch_by_unit`` (unit id → the branch its
party members belong to).
"""

from __future__ import annotations

import bisect
import datetime as dt
import functools
import heapq
import random
import string
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from tongxin.seeding import apportion, reset_sequences

from . import compliance
from .compliance import ActivityKind, OrgKind

if TYPE_CHECKING:
    from tongxin.org.demo import OrgPlan as UnitOrgPlan
    from tongxin.seeding import SeedContext

COMMITTEE_MIN_SEATS = compliance.COMMITTEE_MIN_SEATS
"""A branch "has a committee" (支委会) while at least this many seats (3) are filled. A branch
with fewer than ``COMMITTEE_MIN_MEMBERS`` members gets only a secretary seat: a secretary, but
no 支委会 — so no monthly 支委会 is required of it and it has no "1+N" mentors. The compliance
engine uses the same constant (``compliance.COMMITTEE_MIN_SEATS``)."""

COMMITTEE_MIN_MEMBERS = 7  # 支部工作条例: a branch of 7 or more members elects a 支委会
MIN_BRANCH_MEMBERS = 3  # a branch needs at least 3 members
PROVINCE_ORGANIZATIONS = 915  # the seed: "915个党组织"
PILOT_BRANCHES = 6  # the seed: 6 pilot units of branch standardisation
# Pilots named first; the rest are drawn. 襄南监狱二监区党支部 is an advanced collective in
# the seed; 洪山监狱一监区党支部 is the demo secretary's branch.
PILOT_CODES = ("ZB-P07-D02", "ZB-P01-D01")
NEW_BRANCHES_2023 = {"province": 6, "demo": 2}  # established mid-2023 (half-period rule)

HISTORY_START_YEAR = 2022
DROP_SHARE = 0.02  # of required sessions, dropped: realistic non-compliance (逾期)
DUPLICATE_MINUTES_SHARE = 0.01  # minutes copied from another record, only date/names changed
LOW_QUORUM_SHARE = 0.012  # of general meetings: fewer than two thirds present
UNMENTORED_SHARE = 0.02  # of members who should have a "1+N" mentor and have none yet
ATTENDANCE_MONTHS_PROVINCE = 3  # attendance rows only this far back at province scale
STUDY_MONTHS_PROVINCE = 12  # branch, group and individual study records at province scale
DUES_GAP_SHARE = 0.005  # members with a few scattered unpaid months
DUES_SIX_MONTH_MEMBERS = {"province": 10, "demo": 2}  # 6+ consecutive unpaid months, recently
DUES_YEARS_PROVINCE = 3  # calendar years of dues ledger at province scale (see dues_start)
SALARY_GROWTH = 0.025  # a year: earlier years' dues bases are lower

THREE_MEETINGS = "three_meetings_one_lecture"
"""Key of ``TARGETS`` for the four kinds of "三会一课" together."""

TARGETS: dict[int, dict[str, int]] = {
    # The seed's figures for 2023 (全省监狱系统): 296 core-group study sessions, 111 lectures by
    # committees' main leaders, 431 by other committee members, 6,315 themed party days,
    # 14,285 "三会一课", 1,161 organisational life meetings.
    2023: {
        ActivityKind.CORE_GROUP_STUDY: 296,
        ActivityKind.LEADER_LECTURE_MAIN: 111,
        ActivityKind.LEADER_LECTURE_MEMBER: 431,
        ActivityKind.THEMED_DAY: 6_315,
        ActivityKind.LIFE_MEETING: 1_161,
        THREE_MEETINGS: 14_285,
    },
    # Chosen for 2022: 8–12% lower per kind, so that the year-on-year change is visible.
    2022: {
        ActivityKind.CORE_GROUP_STUDY: 266,  # -10.1%
        ActivityKind.LEADER_LECTURE_MAIN: 99,  # -10.8%
        ActivityKind.LEADER_LECTURE_MEMBER: 386,  # -10.4%
        ActivityKind.THEMED_DAY: 5_790,  # -8.3%
        ActivityKind.LIFE_MEETING: 1_042,  # -10.2%
        THREE_MEETINGS: 13_120,  # -8.2%
    },
}

# Extra sessions per required session held, for years without targets (and the demo); close
# to the province's 2023 proportions.
EXTRA_SHARE: dict[str, float] = {
    ActivityKind.CORE_GROUP_STUDY: 1.6,
    ActivityKind.LEADER_LECTURE_MAIN: 4.8,
    ActivityKind.LEADER_LECTURE_MEMBER: 21.0,
    ActivityKind.THEMED_DAY: 0.01,
    ActivityKind.LIFE_MEETING: 1.1,
    ActivityKind.GENERAL_MEETING: 0.1,
    ActivityKind.COMMITTEE_MEETING: 0.02,
    ActivityKind.GROUP_MEETING: 0.01,
    ActivityKind.LECTURE: 0.08,
    ActivityKind.APPRAISAL: 0.0,
}
# How the extras of "三会一课" are shared among its kinds when a total is the target.
THREE_MEETINGS_EXTRA_WEIGHTS: dict[str, float] = {
    ActivityKind.GENERAL_MEETING: 0.3,
    ActivityKind.COMMITTEE_MEETING: 0.3,
    ActivityKind.GROUP_MEETING: 0.1,
    ActivityKind.LECTURE: 0.3,
}
THREE_MEETINGS_KINDS = tuple(THREE_MEETINGS_EXTRA_WEIGHTS)

# Unit kinds and posts (the org generator's vocabulary; plain strings keep this module pure).
BUREAU, BUREAU_DEPARTMENT, PRISON = "bureau", "bureau_department", "prison"
DEPARTMENT, DISTRICT, SUBDISTRICT = "department", "district", "subdistrict"
MEMBER_STATUSES = ("member", "probationary")
UNIT_LEADERS = frozenset(
    {"局长", "政委", "副局长", "副政委", "监狱长", "副监狱长", "调研员"}
)  # never a branch's secretary while anyone else can be
SECRETARY_POSTS = (
    "教导员", "指导员", "专职副书记", "主任", "处长", "科长", "纪委书记", "监区长",
    "分监区长", "副主任", "副处长", "副科长", "纪委副书记", "机关党委委员", "副监区长",
    "主任科员",
)  # fmt: skip
DEPUTY_POSTS = (
    "监区长", "分监区长", "副主任", "副处长", "副科长", "纪委副书记", "机关党委委员",
    "副监区长", "主任", "处长", "科长", "教导员", "指导员", "主任科员",
)  # fmt: skip
LEADER_POSTS = frozenset(SECRETARY_POSTS) | UNIT_LEADERS

# Monthly after-tax salary (yuan) by police rank: the dues base, 4,000–12,000.
DUES_BASE_BY_RANK: dict[str, tuple[int, int]] = {
    "jj1": (11_500, 12_000),
    "jj2": (11_000, 12_000),
    "jj3": (10_000, 11_500),
    "jd1": (8_500, 10_500),
    "jd2": (7_500, 9_500),
    "jd3": (6_500, 8_500),
    "js1": (5_800, 7_500),
    "js2": (5_200, 6_800),
    "js3": (4_700, 6_000),
    "jy1": (4_300, 5_300),
    "jy2": (4_000, 4_800),
}

NUMERALS = "一二三四五六七八九十"


def _numeral(number: int) -> str:
    """1..99 in Chinese numerals."""
    tens, ones = divmod(number, 10)
    if tens == 0:
        return NUMERALS[ones - 1]
    head = "" if tens == 1 else NUMERALS[tens - 1]
    return head + "十" + (NUMERALS[ones - 1] if ones else "")


def _cn_date(day: dt.date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def _add_years(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def _month_end(year: int, month: int) -> dt.date:
    if month == 12:
        return dt.date(year, 12, 31)
    return dt.date(year, month + 1, 1) - dt.timedelta(days=1)


def _add_months(day: dt.date, months: int) -> dt.date:
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    return dt.date(year, month + 1, min(day.day, _month_end(year, month + 1).day))


def _pick_day(rng: random.Random, lo: dt.date, hi: dt.date) -> dt.date:
    """A day in ``[lo, hi]``; a weekend day is usually moved to a neighbouring weekday."""
    day = lo + dt.timedelta(days=rng.randint(0, (hi - lo).days))
    if day.weekday() >= 5 and rng.random() < 0.85:
        steps = (-1, 2) if day.weekday() == 5 else (1, -2)
        if rng.random() < 0.5:
            steps = steps[::-1]
        for step in steps:
            moved = day + dt.timedelta(days=step)
            if lo <= moved <= hi:
                return moved
    return day


# ---------------------------------------------------------------------------------------------
# Inputs: the unit tree and the officers, from the org plan (pure) or the database


@dataclass(frozen=True, slots=True)
class UnitIn:
    pk: int
    code: str
    name: str
    short_name: str
    kind: str
    parent_pk: int | None


@dataclass(frozen=True, slots=True)
class PersonIn:
    key: int  # the officer's primary key
    unit_pk: int
    name: str
    post: str
    rank: str
    birth_date: dt.date
    party_status: str


def inputs_from_org_plan(plan: UnitOrgPlan) -> tuple[list[UnitIn], list[PersonIn]]:
    """The org generator's pure plan as inputs; officer keys are their future primary keys
    (1, 2, … in plan order, as ``bulk_create`` assigns them in an empty table)."""
    units = [
        UnitIn(u.pk, u.code, u.name, u.short_name, str(u.kind), u.parent_pk) for u in plan.units
    ]
    people = [
        PersonIn(i + 1, o.unit_pk, o.name, o.post, str(o.rank), o.birth_date, str(o.party_status))
        for i, o in enumerate(plan.officers)
    ]
    return units, people


def inputs_from_models(units: Iterable, officers: Iterable) -> tuple[list[UnitIn], list[PersonIn]]:
    """``Unit`` and ``Officer`` instances (as the org generator leaves them) as inputs."""
    return (
        [UnitIn(u.pk, u.code, u.name, u.short_name, str(u.kind), u.parent_id) for u in units],
        [
            PersonIn(
                o.pk, o.unit_id, o.name, o.post, str(o.rank), o.birth_date, str(o.party_status)
            )
            for o in officers
        ],
    )


# ---------------------------------------------------------------------------------------------
# The structure: organisations, members, groups, seats, mentors


@dataclass(eq=False, slots=True)
class Org:
    code: str
    name: str
    kind: str
    unit_pk: int
    parent: Org | None = field(repr=False)
    established_on: dt.date
    unit_kind: str = ""
    short: str = ""  # the prison's (or the bureau's) short name, for texts
    scope: str = ""  # "HBJ" or the prison's code: copies of minutes stay within one
    is_pilot: bool = False
    pk: int = 0
    path: str = ""
    depth: int = 0
    sort_order: int = 0
    children: list[Org] = field(default_factory=list, repr=False)
    # Branches and groups: their members, ordered by the day they joined the party.
    members: list[Member] = field(default_factory=list, repr=False)
    joined: list[dt.date] = field(default_factory=list, repr=False)
    leader: Member | None = field(default=None, repr=False)  # a group's 组长
    terms: list[Term] = field(default_factory=list, repr=False)  # committee terms, oldest first
    facts: compliance.OrgFacts | None = field(default=None, repr=False)

    def seats_on(self, day: dt.date) -> list[Seat]:
        for term in reversed(self.terms):
            if term.start <= day and (term.end is None or day <= term.end):
                return term.seats
        return []

    def secretary_on(self, day: dt.date) -> Member | None:
        for seat in self.seats_on(day):
            if seat.post == "secretary":
                return seat.member
        return None

    @property
    def current_seats(self) -> list[Seat]:
        return self.terms[-1].seats if self.terms and self.terms[-1].end is None else []

    def members_on(self, day: dt.date) -> list[Member]:
        return self.members[: bisect.bisect_right(self.joined, day)]

    def count_on(self, day: dt.date) -> int:
        return bisect.bisect_right(self.joined, day)


@dataclass(eq=False, slots=True)
class Member:
    officer_key: int
    name: str
    post: str
    unit_pk: int
    org: Org = field(repr=False)
    status: str  # "full" or "probationary"
    joined_on: dt.date
    full_on: dt.date | None
    dues_base: int
    group: Org | None = field(default=None, repr=False)
    mentor: Member | None = field(default=None, repr=False)
    pk: int = 0


@dataclass(eq=False, slots=True)
class Seat:
    org: Org = field(repr=False)
    member: Member
    post: str  # "secretary", "deputy", "member"
    started_on: dt.date
    ended_on: dt.date | None


@dataclass(eq=False, slots=True)
class Term:
    start: dt.date
    end: dt.date | None
    seats: list[Seat]


@dataclass
class Structure:
    scale: str
    today: dt.date
    orgs: list[Org] = field(repr=False)
    members: list[Member] = field(repr=False)
    branch_by_unit: dict[int, Org] = field(repr=False)
    salt: int  # seeds the per-year and per-part random streams

    @property
    def by_code(self) -> dict[str, Org]:
        return {o.code: o for o in self.orgs}

    def of_kind(self, kind: str) -> list[Org]:
        return [o for o in self.orgs if o.kind == kind]

    @property
    def seats(self) -> list[Seat]:
        return [seat for org in self.orgs for term in org.terms for seat in term.seats]

    def rng(self, part: str) -> random.Random:
        """An independent stream for one part (``"year/2023"``, ``"dues"`` …): planning one
        year alone gives the same year as planning all of them."""
        return random.Random(f"{self.salt}/{part}")


def _clean_department(name: str) -> str:
    """``纪委(监察专员办)`` → ``纪委监察专员办``; ``机关党委`` (a department) → its office."""
    if name == "机关党委":
        return "机关党委办公室"
    return name.replace("(", "").replace(")", "").replace("(", "").replace(")", "")


def _established(rng: random.Random, first_year: int, last_year: int, after: dt.date) -> dt.date:
    lo = max(dt.date(first_year, 1, 1), after)
    hi = max(dt.date(last_year, 12, 31), lo)
    return _pick_day(rng, lo, hi)


def _join_date(rng: random.Random, person: PersonIn, status: str, today: dt.date) -> dt.date:
    """The day the officer joined the party: at 18 or later; a full member at least a year
    and a month ago, a probationary member within the last year."""
    earliest = _add_years(person.birth_date, 18)
    if status == "probationary":
        day = today - dt.timedelta(days=rng.randint(30, 330))
        return max(day, earliest)
    latest = today - dt.timedelta(days=400)
    age = rng.triangular(18.5, 40.0, 22.5)
    day = person.birth_date + dt.timedelta(days=round(age * 365.25))
    if day > latest:
        day = latest - dt.timedelta(days=rng.randint(0, 1_500))
    return min(max(day, earliest), latest)


def _dues_base(rng: random.Random, person: PersonIn) -> int:
    lo, hi = DUES_BASE_BY_RANK.get(person.rank, (4_500, 7_000))
    base = rng.uniform(lo, hi) + (300 if person.post in LEADER_POSTS else 0)
    return int(min(12_000, max(4_000, round(base, -1))))


def _allocate_groups(sizes: list[int], total: int, min_size: int = 6) -> list[int]:
    """``total`` party groups over branches of ``sizes`` members, biggest first (D'Hondt):
    a branch that gets groups gets at least two, and every group keeps ``min_size`` members."""
    counts = [0] * len(sizes)
    heap = [(-size / 2, i) for i, size in enumerate(sizes) if size >= 2 * min_size]
    heapq.heapify(heap)
    remaining = total
    postponed: list[tuple[float, int]] = []
    while remaining > 0 and heap:
        _, i = heapq.heappop(heap)
        need = 2 if counts[i] == 0 else 1
        if need > remaining:
            postponed.append((0.0, i))
            continue
        counts[i] += need
        remaining -= need
        if sizes[i] / (counts[i] + 1) >= min_size:
            heapq.heappush(heap, (-sizes[i] / (counts[i] + 1), i))
    if remaining:
        raise ValueError(f"cannot place {total} party groups of {min_size}+ members")
    return counts


def _rank_candidates(members: list[Member], posts: tuple[str, ...], on: dt.date) -> list[Member]:
    """Full members (full before ``on``) whose post is in ``posts``, in that order of posts."""
    order = {post: i for i, post in enumerate(posts)}
    eligible = [m for m in members if m.full_on is not None and m.full_on <= on]
    return sorted(
        (m for m in eligible if m.post in order),
        key=lambda m: (order[m.post], m.joined_on, m.officer_key),
    )


def _eligible(members: Iterable[Member], on: dt.date) -> list[Member]:
    return [m for m in members if m.full_on is not None and m.full_on <= on]


def _term_starts(rng: random.Random, first: dt.date, years: int, today: dt.date) -> list[dt.date]:
    starts = [first]
    while True:
        anniversary = _add_years(starts[-1], years)
        nxt = anniversary + dt.timedelta(days=rng.randint(-45, 45))
        if nxt > today or nxt <= starts[-1]:
            return starts
        starts.append(nxt)


def _make_terms(
    rng: random.Random,
    org: Org,
    people: list[tuple[Member, str]],
    first: dt.date,
    years: int,
    today: dt.date,
    pool: list[Member],
) -> None:
    """Committee terms from ``first`` every ``years`` (换届) while not after ``today``; the
    same people are re-elected, except that now and then one 委员 is replaced from ``pool``."""
    starts = _term_starts(rng, first, years, today)
    seated = list(people)
    for index, start in enumerate(starts):
        end = starts[index + 1] - dt.timedelta(days=1) if index + 1 < len(starts) else None
        if index and rng.random() < 0.2:
            members_at = [i for i, (_, post) in enumerate(seated) if post == "member"]
            taken = {m.officer_key for m, _ in seated}
            fresh = [m for m in _eligible(pool, start) if m.officer_key not in taken]
            if members_at and fresh:
                seated[rng.choice(members_at)] = (rng.choice(fresh), "member")
        term = Term(start, end, [])
        term.seats = [Seat(org, member, post, start, end) for member, post in seated]
        org.terms.append(term)


def plan_structure(
    scale: str,
    rng: random.Random,
    units: list[UnitIn],
    people: list[PersonIn],
    today: dt.date,
) -> Structure:
    """The organisation tree, the members and their groups, committee seats and mentors.

    At province scale the tree has exactly ``PROVINCE_ORGANIZATIONS`` organisations: the
    party groups are the remainder after the committees, general branches and branches.
    """
    province = scale == "province"
    salt = rng.getrandbits(64)
    rng = random.Random(f"{salt}/structure")
    by_pk = {u.pk: u for u in units}
    by_code = {u.code: u for u in units}
    children: defaultdict[int | None, list[UnitIn]] = defaultdict(list)
    for unit in units:
        children[unit.parent_pk].append(unit)
    bureau = by_code["HBJ"]
    prisons = sorted((u for u in children[bureau.pk] if u.kind == PRISON), key=lambda u: u.code)

    def office_of(unit: UnitIn) -> UnitIn:
        return by_code.get(f"{unit.code}-BGS", unit)

    def home_unit(person: PersonIn) -> UnitIn:
        unit = by_pk[person.unit_pk]
        return office_of(unit) if unit.kind in (BUREAU, PRISON) else unit

    party = [p for p in people if p.party_status in MEMBER_STATUSES]
    people_by_home: defaultdict[int, list[PersonIn]] = defaultdict(list)
    for person in party:
        people_by_home[home_unit(person).pk].append(person)

    orgs: list[Org] = []

    def add(code, name, kind, unit, parent, established, scope) -> Org:
        short = (
            "省监狱管理局" if scope == "HBJ" else by_code[scope].short_name or by_code[scope].name
        )
        org = Org(
            code, name, kind, unit.pk, parent, established, unit.kind, short=short, scope=scope
        )
        if parent is not None:
            parent.children.append(org)
        orgs.append(org)
        return org

    branch_of_unit: dict[int, Org] = {}

    # The bureau: its 党委, the 机关党委 and the department branches.
    root = add(
        "DW-HBJ",
        f"中共{bureau.name}委员会",
        OrgKind.COMMITTEE,
        bureau,
        None,
        _established(rng, 1983, 1986, dt.date.min),
        "HBJ",
    )
    organ_unit = by_code.get("HBJ-JGDW", bureau)
    organ = add(
        "DW-HBJ-JGDW",
        f"中共{bureau.name}机关委员会",
        OrgKind.COMMITTEE,
        organ_unit,
        root,
        _established(rng, 1992, 1998, root.established_on),
        "HBJ",
    )

    def department_branches(departments, parent, prefix, joint_code, joint_unit, scope) -> None:
        joint: Org | None = None
        for unit in departments:
            count = len(people_by_home.get(unit.pk, ()))
            if count == 0:
                continue
            if count >= MIN_BRANCH_MEMBERS:
                branch_of_unit[unit.pk] = add(
                    f"ZB-{unit.code}",
                    f"{prefix}{_clean_department(unit.name)}党支部",
                    OrgKind.BRANCH,
                    unit,
                    parent,
                    _established(rng, 2005, 2016, parent.established_on),
                    scope,
                )
                continue
            if joint is None:
                joint = add(
                    joint_code,
                    f"{prefix}机关联合党支部",
                    OrgKind.BRANCH,
                    joint_unit,
                    parent,
                    _established(rng, 2016, 2020, parent.established_on),
                    scope,
                )
            branch_of_unit[unit.pk] = joint

    bureau_departments = [u for u in children[bureau.pk] if u.kind == BUREAU_DEPARTMENT]
    department_branches(bureau_departments, organ, "省监狱管理局", "ZB-HBJ-JG", organ_unit, "HBJ")

    for prison in prisons:
        short = prison.short_name or prison.name
        committee = add(
            f"DW-{prison.code}",
            f"中共{prison.name}委员会",
            OrgKind.COMMITTEE,
            prison,
            root,
            _established(rng, 1986, 2002, root.established_on),
            prison.code,
        )
        general = [
            add(
                f"ZZ-{prison.code}-{i}",
                f"{short}第{_numeral(i)}党总支",
                OrgKind.GENERAL_BRANCH,
                prison,
                committee,
                _established(rng, 2010, 2018, committee.established_on),
                prison.code,
            )
            for i in (1, 2)
        ]
        departments = [u for u in children[prison.pk] if u.kind == DEPARTMENT]
        department_branches(
            departments, committee, short, f"ZB-{prison.code}-JG", prison, prison.code
        )
        districts = [u for u in children[prison.pk] if u.kind == DISTRICT]
        half = (len(districts) + 1) // 2
        for index, district in enumerate(districts):
            parent = general[0] if index < half else general[1]
            for unit in [district, *children[district.pk]]:
                if not people_by_home.get(unit.pk):
                    continue
                first = 2005 if unit.kind == DISTRICT else 2012
                branch_of_unit[unit.pk] = add(
                    f"ZB-{unit.code}",
                    f"{short}{unit.name}党支部",
                    OrgKind.BRANCH,
                    unit,
                    parent,
                    _established(rng, first, 2019, parent.established_on),
                    prison.code,
                )

    # Officers on the bureau or a prison itself: the branch of its office.
    for unit in [bureau, *prisons]:
        office = office_of(unit)
        if office.pk in branch_of_unit:
            branch_of_unit[unit.pk] = branch_of_unit[office.pk]

    # Members.
    members: list[Member] = []
    for person in sorted(party, key=lambda p: p.key):
        home = home_unit(person)
        branch = branch_of_unit.get(home.pk)
        if branch is None:
            raise ValueError(f"no party branch for unit {home.code} (officer {person.key})")
        status = "full" if person.party_status == "member" else "probationary"
        joined = _join_date(rng, person, status, today)
        members.append(
            Member(
                officer_key=person.key,
                name=person.name,
                post=person.post,
                unit_pk=person.unit_pk,
                org=branch,
                status=status,
                joined_on=joined,
                full_on=_add_years(joined, 1) if status == "full" else None,
                dues_base=_dues_base(rng, person),
            )
        )
    for member in members:
        member.org.members.append(member)
    branches = [o for o in orgs if o.kind == OrgKind.BRANCH]
    for branch in branches:
        branch.members.sort(key=lambda m: (m.joined_on, m.officer_key))
        branch.joined = [m.joined_on for m in branch.members]

    # A few branches established in mid-2023 (the compliance engine's half-period rule), and
    # the pilots of branch standardisation.
    by_code_org = {o.code: o for o in orgs}
    pilots = [by_code_org[c] for c in PILOT_CODES if c in by_code_org]
    new_candidates = [
        b
        for b in branches
        if b not in pilots
        and b.unit_kind == (SUBDISTRICT if province else DISTRICT)
        and b.scope not in ("HBJ", "P01", "P07")
    ]
    new_2023 = rng.sample(new_candidates, min(NEW_BRANCHES_2023[scale], len(new_candidates)))
    for branch in new_2023:
        branch.established_on = _pick_day(rng, dt.date(2023, 5, 8), dt.date(2023, 8, 25))
    district_branches = [
        b
        for b in branches
        if b.unit_kind in (DISTRICT, SUBDISTRICT) and b not in new_2023 and b not in pilots
    ]
    pilots += rng.sample(district_branches, PILOT_BRANCHES - len(pilots))
    for branch in pilots:
        branch.is_pilot = True

    # Party groups.
    if province:
        fixed = len(orgs)
        total_groups = PROVINCE_ORGANIZATIONS - fixed
        group_counts = _allocate_groups([len(b.members) for b in branches], total_groups)
    else:
        group_counts = [
            min(4, max(2, len(b.members) // 6)) if len(b.members) >= 12 else 0 for b in branches
        ]
    for branch, count in zip(branches, group_counts, strict=True):
        if not count:
            continue
        groups = []
        for number in range(1, count + 1):
            established = branch.established_on
            if branch not in new_2023 and rng.random() < 0.5:
                established = _established(
                    rng, branch.established_on.year, 2021, branch.established_on
                )
            group = Org(
                f"XZ-{branch.code.removeprefix('ZB-')}-{number}",
                f"{branch.name}第{_numeral(number)}党小组",
                OrgKind.GROUP,
                branch.unit_pk,
                branch,
                established,
                branch.unit_kind,
                short=branch.short,
                scope=branch.scope,
            )
            branch.children.append(group)
            orgs.append(group)
            groups.append(group)
        shuffled = list(branch.members)
        rng.shuffle(shuffled)
        for i, member in enumerate(shuffled):
            member.group = groups[i % count]
            groups[i % count].members.append(member)
        for group in groups:
            group.members.sort(key=lambda m: (m.joined_on, m.officer_key))
            group.joined = [m.joined_on for m in group.members]
            leaders = _rank_candidates(group.members, DEPUTY_POSTS, group.established_on)
            group.leader = leaders[0] if leaders else group.members[0]

    _plan_seats(rng, orgs, branches, members, by_code, today)
    _plan_mentors(rng, branches, today)

    # Keys and paths, depth first from the root.
    ordered: list[Org] = []

    def visit(org: Org, parent: Org | None, position: int) -> None:
        org.pk = len(ordered) + 1
        org.path = (parent.path if parent else "") + f"{org.pk:07d}/"
        org.depth = parent.depth + 1 if parent else 0
        org.sort_order = position
        ordered.append(org)
        for i, child in enumerate(org.children, start=1):
            visit(child, org, i)

    visit(root, None, 1)
    for i, member in enumerate(members, start=1):
        member.pk = i
    for org in ordered:
        org.facts = compliance.OrgFacts(
            id=org.pk,
            kind=OrgKind(org.kind),
            established_on=org.established_on,
            committee_spans=_committee_spans(org),
        )
    return Structure(scale, today, ordered, members, branch_of_unit, salt)


def _committee_spans(org: Org) -> tuple[tuple[dt.date, dt.date | None], ...]:
    """Terms with at least ``COMMITTEE_MIN_SEATS`` seats, consecutive ones merged."""
    spans: list[list[Any]] = []
    for term in org.terms:
        if len(term.seats) < COMMITTEE_MIN_SEATS:
            continue
        if spans and spans[-1][1] is not None and spans[-1][1] + dt.timedelta(days=1) == term.start:
            spans[-1][1] = term.end
        else:
            spans.append([term.start, term.end])
    return tuple((start, end) for start, end in spans)


def _plan_seats(
    rng: random.Random,
    orgs: list[Org],
    branches: list[Org],
    members: list[Member],
    units_by_code: dict[str, UnitIn],
    today: dt.date,
) -> None:
    """Committee seats: a branch of 7 or more members elects a 支委会 (secretary, deputy and
    1–3 members, 3-year terms from 2021); a smaller branch has a secretary only. A 党总支
    likewise (3–5 seats). A 党委: secretary (the prison's 政委, the bureau's 局长), deputy and
    3–5 members among the leaders, 5-year terms."""
    by_unit_post: defaultdict[tuple[int, str], list[Member]] = defaultdict(list)
    for member in members:
        by_unit_post[(member.unit_pk, member.post)].append(member)

    def officers(unit_code: str, *posts: str) -> list[Member]:
        unit = units_by_code.get(unit_code)
        if unit is None:
            return []
        return [m for post in posts for m in by_unit_post.get((unit.pk, post), [])]

    def first_term(org: Org) -> dt.date:
        election = _pick_day(rng, dt.date(2021, 3, 1), dt.date(2021, 12, 20))
        return max(org.established_on, election)

    for branch in branches:
        start = first_term(branch)
        size = len(branch.members)
        candidates = [m for m in branch.members if m.post not in UNIT_LEADERS]
        secretary = _rank_candidates(candidates, SECRETARY_POSTS, start)
        if not secretary:
            secretary = _rank_candidates(
                branch.members, SECRETARY_POSTS + tuple(UNIT_LEADERS), start
            )
        if not secretary:
            secretary = sorted(_eligible(branch.members, start), key=lambda m: m.joined_on)
        if not secretary:
            continue
        seated = [(secretary[0], "secretary")]
        if size >= COMMITTEE_MIN_MEMBERS:
            rest = [m for m in candidates if m is not secretary[0]]
            deputy = _rank_candidates(rest, DEPUTY_POSTS, start) or _eligible(rest, start)
            if deputy:
                seated.append((deputy[0], "deputy"))
            extra = 1 if size < 15 else rng.choice((1, 2)) if size < 30 else rng.choice((2, 3))
            taken = {m.officer_key for m, _ in seated}
            pool = [m for m in _eligible(rest, start) if m.officer_key not in taken]
            pool.sort(key=lambda m: (m.post not in LEADER_POSTS, rng.random()))
            seated += [(m, "member") for m in pool[:extra]]
        _make_terms(rng, branch, seated, start, 3, today, candidates)

    committees = [o for o in orgs if o.kind == OrgKind.COMMITTEE]
    for org in committees:
        start = max(org.established_on, _pick_day(rng, dt.date(2021, 4, 1), dt.date(2021, 11, 30)))
        if org.code == "DW-HBJ":
            ranked = officers("HBJ", "局长") + officers("HBJ", "政委")
            fill = officers("HBJ", "副局长", "副政委") + officers("HBJ-ZZB", "主任")
            fill += officers("HBJ-BGS", "主任") + officers("HBJ-JW", "主任")
        elif org.code == "DW-HBJ-JGDW":
            ranked = officers("HBJ", "副政委", "政委")[:1] + officers("HBJ-JGDW", "专职副书记")
            fill = officers("HBJ-ZZB", "主任") + officers("HBJ-JW", "主任")
            fill += officers("HBJ-BGS", "主任") + officers("HBJ-JGDW", "机关党委委员")
            fill += officers("HBJ-XC", "处长")
        else:
            code = org.code.removeprefix("DW-")
            ranked = officers(code, "政委") + officers(code, "监狱长")
            fill = officers(code, "副监狱长", "副政委") + officers(f"{code}-JW", "纪委书记")
            fill += officers(f"{code}-ZZC", "主任") + officers(f"{code}-BGS", "主任")
            fill += [
                m
                for b in branches
                if b.scope == code
                for m in b.members
                if m.post in ("教导员", "监区长")
            ]
        seated_members: list[Member] = []
        for member in _eligible(ranked + fill, start):
            if member not in seated_members:
                seated_members.append(member)
        if not seated_members:
            continue
        size = min(len(seated_members), 2 + rng.randint(3, 5))
        posts = ["secretary", "deputy"] + ["member"] * (size - 2)
        seated = list(zip(seated_members[:size], posts, strict=False))
        _make_terms(rng, org, seated, start, 5, today, seated_members[size:])

    for org in (o for o in orgs if o.kind == OrgKind.GENERAL_BRANCH):
        start = first_term(org)
        under = [m for b in org.children for m in b.members]
        ranked = _rank_candidates(under, ("教导员", "指导员"), start)
        ranked += _rank_candidates(under, ("监区长", "分监区长"), start)
        code = org.scope
        ranked += _eligible(officers(code, "副政委", "政委", "副监狱长"), start)
        if len(ranked) < 1:
            continue
        size = min(len(ranked), rng.randint(3, 5))
        secretary = ranked[0]
        deputy = next((m for m in ranked[1:] if m.post in ("监区长", "分监区长")), None)
        seated = [(secretary, "secretary")]
        if deputy is not None and size > 1:
            seated.append((deputy, "deputy"))
        for member in ranked[1:]:
            if len(seated) >= size:
                break
            if member is not deputy:
                seated.append((member, "member"))
        _make_terms(rng, org, seated, start, 3, today, ranked[size:])


def _plan_mentors(rng: random.Random, branches: list[Org], today: dt.date) -> None:
    """ "1+N": in a branch with a committee, every other member gets a committee member of the
    same branch as mentor, N roughly even; ``UNMENTORED_SHARE`` are not assigned yet."""
    for branch in branches:
        seats = branch.current_seats
        if len(seats) < COMMITTEE_MIN_SEATS:
            continue
        mentors = [seat.member for seat in seats]
        mentor_keys = {m.officer_key for m in mentors}
        mentees = [m for m in branch.members if m.officer_key not in mentor_keys]
        rng.shuffle(mentees)
        offset = rng.randrange(len(mentors))
        for i, mentee in enumerate(mentees):
            if rng.random() < UNMENTORED_SHARE:
                continue
            mentee.mentor = mentors[(i + offset) % len(mentors)]


# ---------------------------------------------------------------------------------------------
# Texts: topics and minutes


@dataclass(frozen=True, slots=True)
class _Phrase:
    text: str
    first: dt.date = dt.date.min
    last: dt.date = dt.date.max


def _p(text: str, first: str | None = None, last: str | None = None) -> _Phrase:
    return _Phrase(
        text,
        dt.date.fromisoformat(first) if first else dt.date.min,
        dt.date.fromisoformat(last) if last else dt.date.max,
    )


# What is studied (nouns), and the campaigns of the time.
SUBJECTS = (
    _p("党的二十大精神", "2022-10-17"),
    _p("习近平法治思想"),
    _p("习近平新时代中国特色社会主义思想"),
    _p("习近平总书记关于政法工作的重要论述"),
    _p("习近平总书记考察湖北重要讲话精神", "2022-06-30"),
    _p("党的二十届三中全会精神", "2024-07-19"),
    _p("党的二十届四中全会精神", "2025-10-24"),
    _p("《中国共产党纪律处分条例》"),
    _p("《中国共产党章程》"),
    _p("总体国家安全观"),
    _p("《习近平谈治国理政》第四卷", "2022-06-01"),
    _p("中央政法工作会议精神"),
    _p("全国两会精神"),
    _p("新时代党的建设总要求"),
    _p("《中华人民共和国监狱法》"),
)
CAMPAIGNS = (
    _p("喜迎党的二十大", "2022-01-01", "2022-10-16"),
    _p("学习贯彻习近平新时代中国特色社会主义思想主题教育", "2023-04-01", "2024-01-31"),
    _p("大兴调查研究", "2023-03-20", "2023-12-31"),
    _p("党纪学习教育", "2024-04-01", "2024-07-31"),
    _p("深入贯彻中央八项规定精神学习教育", "2025-03-01", "2025-07-31"),
    _p("湖北监狱“双一流”建设", "2023-01-01"),
    _p("“书香文化进监狱”", "2023-01-15"),
    _p("政法队伍教育整顿成果巩固", "2022-01-01", "2022-12-31"),
    _p("“三同转作风”", "2023-05-01", "2024-06-30"),
    _p("“六个坚持、六大提升”", "2023-02-01"),
)
MATERIALS = (
    _p("《习近平谈治国理政》第四卷", "2022-06-01"),
    _p("《习近平法治思想学习纲要》"),
    _p("党的二十大报告", "2022-10-17"),
    _p("《中国共产党章程》"),
    _p("《中国共产党纪律处分条例》"),
    _p("《中国共产党支部工作条例(试行)》"),
    _p("《习近平新时代中国特色社会主义思想专题摘编》", "2023-04-01"),
    _p("《中华人民共和国监狱法》"),
    _p("《中国共产党政法工作条例》"),
    _p("《二十届中央政治局常委会会议和中央政治局会议精神汇编》", "2023-01-01"),
    _p("党的二十届三中全会《决定》", "2024-07-21"),
    _p("《习近平关于调查研究论述摘编》", "2023-03-20", "2024-06-30"),
    _p("中央八项规定及其实施细则", "2025-03-01"),
    _p("省监狱管理局党委有关文件"),
)


_PHRASES = {"subjects": SUBJECTS, "campaigns": CAMPAIGNS, "materials": MATERIALS}


@functools.lru_cache(maxsize=8192)
def _valid(which: str, day: dt.date) -> tuple[str, ...]:
    """The phrases of ``SUBJECTS``, ``CAMPAIGNS`` or ``MATERIALS`` current on ``day``."""
    return tuple(p.text for p in _PHRASES[which] if p.first <= day <= p.last)


@functools.lru_cache(maxsize=512)
def _fields(template: str) -> frozenset[str]:
    """The names of a template's ``{slots}``."""
    return frozenset(name for _, name, _, _ in string.Formatter().parse(template) if name)


def _subject(rng: random.Random, day: dt.date) -> str:
    return rng.choice(_valid("subjects", day))


def _campaign(rng: random.Random, day: dt.date) -> str:
    return rng.choice(_valid("campaigns", day))


def _material(rng: random.Random, day: dt.date) -> str:
    return rng.choice(_valid("materials", day))


def _fill(rng: random.Random, template: str, day: dt.date, **extra: str) -> str:
    values = dict(extra)
    if "{subject}" in template:
        values["subject"] = _subject(rng, day)
    if "{campaign}" in template:
        values["campaign"] = _campaign(rng, day)
    if "{material}" in template:
        values["material"] = _material(rng, day)
    if "{month}" in template:
        values["month"] = str(day.month)
    if "{quarter}" in template:
        values["quarter"] = "一二三四"[(day.month - 1) // 3]
    if "{year}" in template:
        values["year"] = str(day.year)
    if "{last_year}" in template:
        values["last_year"] = str(day.year - 1)
    return template.format(**values)


TOPICS: dict[str, tuple[str, ...]] = {
    ActivityKind.GENERAL_MEETING: (
        "学习贯彻{subject}",
        "第{quarter}季度支部党员大会",
        "讨论接收预备党员",
        "讨论预备党员转正",
        "推荐评选优秀共产党员",
        "通报党费收缴和党员管理情况",
        "传达上级会议精神、部署近期工作",
        "{campaign}动员部署",
        "监区安全稳定形势分析",
        "罪犯教育改造质量提升",
    ),
    ActivityKind.COMMITTEE_MEETING: (
        "研究{month}月份支部工作安排",
        "监区安全稳定形势分析",
        "研究发展党员工作",
        "研究“1+N”包教工作",
        "研究主题党日活动方案",
        "分析党员民警思想动态",
        "研究罪犯教育改造质量提升措施",
        "研究推进{campaign}",
        "研究党员积分管理情况",
        "研究“三会一课”落实情况",
    ),
    ActivityKind.GROUP_MEETING: (
        "学习{subject}",
        "交流学习{material}体会",
        "开展谈心谈话",
        "执勤备勤工作讲评",
        "罪犯教育改造经验交流",
        "学习{material}",
        "讨论{campaign}落实措施",
        "监区安全隐患排查交流",
    ),
    ActivityKind.LECTURE: (
        "深刻领会{subject},推动监狱工作现代化",
        "以习近平法治思想引领监狱工作高质量发展",
        "坚守安全底线 当好平安卫士",
        "从严管党治警 锻造监狱铁军",
        "弘扬伟大建党精神 争当先锋模范",
        "严守纪律规矩 永葆清廉本色",
        "{campaign}专题党课",
        "学习{subject}专题党课",
        "做新时代忠诚干净担当的监狱人民警察",
    ),
    ActivityKind.THEMED_DAY: (
        "重温入党誓词",
        "“书香文化进监狱”主题党日",
        "“学思想 见行动”主题党日",
        "走进红色教育基地",
        "廉政警示教育主题党日",
        "“我为群众办实事”志愿服务",
        "监区文化建设主题党日",
        "罪犯教育改造质量提升主题党日",
        "“{campaign}”主题党日",
        "学习{subject}主题党日",
        "警务技能练兵主题党日",
    ),
    ActivityKind.LIFE_MEETING: (
        "{last_year}年度组织生活会",
        "{campaign}专题组织生活会",
        "以案促改专题组织生活会",
        "{year}年度组织生活会",
    ),
    ActivityKind.APPRAISAL: ("{last_year}年度民主评议党员",),
    ActivityKind.CORE_GROUP_STUDY: (
        "学习贯彻{subject}",
        "{campaign}专题学习",
        "驻在式调研成果交流",
        "习近平法治思想专题研讨",
        "监狱工作现代化专题研讨",
        "意识形态工作专题学习",
        "党风廉政建设专题学习",
        "学习{material}",
    ),
    ActivityKind.LEADER_LECTURE_MAIN: (
        "学习贯彻{subject}专题党课",
        "以高质量党建引领湖北监狱现代化建设",
        "坚持党对监狱工作的绝对领导",
        "{campaign}专题党课",
        "筑牢政治忠诚 打造监狱铁军",
    ),
    ActivityKind.LEADER_LECTURE_MEMBER: (
        "学习贯彻{subject}专题党课",
        "{campaign}专题党课",
        "坚守安全底线 推动监狱高质量发展",
        "严守纪律规矩 做忠诚干净担当的监狱人民警察",
        "深化刑罚执行内控机制建设",
        "提升罪犯教育改造质量",
    ),
}
SEASONAL_THEMED_DAYS = {
    4: "“全民国家安全教育日”主题党日",
    6: "“七一”主题党日:重温入党誓词",
    7: "“七一”主题党日:重温入党誓词",
    9: "“统一开放日”主题党日",
}


def _topic(rng: random.Random, kind: str, day: dt.date) -> str:
    seasonal = kind == ActivityKind.THEMED_DAY and day.month in SEASONAL_THEMED_DAYS
    if seasonal and rng.random() < 0.5:
        return SEASONAL_THEMED_DAYS[day.month]
    if kind == ActivityKind.LIFE_MEETING:
        template = rng.choice(TOPICS[kind][:3]) if day.month <= 6 else rng.choice(TOPICS[kind][1:])
    elif kind == ActivityKind.APPRAISAL and day.month > 6:
        template = "{year}年度民主评议党员"
    else:
        template = rng.choice(TOPICS[kind])
    return _fill(rng, template, day)


_HOST_TITLE = {"secretary": "书记", "deputy": "副书记", "member": "委员"}

# Minutes are assembled from sentence templates whose slots take the branch's own people,
# numbers, tasks and materials, as real records do: two records of the same kind share
# little beyond set phrases, so the copy-paste detector finds the planted copies and little
# else (compare bench/party_similarity.py).
OPENINGS: dict[str, tuple[str, ...]] = {
    ActivityKind.GENERAL_MEETING: (
        "{date},{org}在{location}召开支部党员大会,会议主题:{topic}。",
        "时间:{date}。地点:{location}。{org}召开支部党员大会,专题研究{topic}。",
    ),
    ActivityKind.COMMITTEE_MEETING: (
        "{date},{org}在{location}召开支部委员会会议,研究{topic}。",
        "时间:{date}。地点:{location}。{org}召开支委会,议题:{topic}。",
    ),
    ActivityKind.GROUP_MEETING: (
        "{date},{org}在{location}召开党小组会,主题:{topic}。",
        "时间:{date}。地点:{location}。{org}召开党小组会,围绕{topic}开展学习讨论。",
    ),
    ActivityKind.LECTURE: (
        "{date},{org}在{location}组织党员上党课,题目:{topic}。",
        "时间:{date}。地点:{location}。{org}举办专题党课,题目为{topic}。",
    ),
    ActivityKind.THEMED_DAY: (
        "{date},{org}组织开展主题党日活动,主题:{topic}。",
        "时间:{date}。地点:{location}。{org}开展主题党日活动,主题为{topic}。",
    ),
    ActivityKind.LIFE_MEETING: (
        "{date},{org}在{location}召开组织生活会,主题:{topic}。",
        "时间:{date}。地点:{location}。{org}召开{topic}。",
    ),
    ActivityKind.APPRAISAL: (
        "{date},{org}在{location}召开党员大会,开展{topic}。",
        "时间:{date}。地点:{location}。{org}组织开展{topic}。",
    ),
    ActivityKind.CORE_GROUP_STUDY: (
        "{date},{org}理论学习中心组在{location}开展集中学习,主题:{topic}。",
        "时间:{date}。地点:{location}。{org}理论学习中心组举行专题学习,主题为{topic}。",
    ),
    ActivityKind.LEADER_LECTURE_MAIN: (
        "{date},{org}主要负责同志{host}深入{audience}讲授专题党课,题目:{topic}。",
        "时间:{date}。地点:{location}。{host}同志到{audience}讲授专题党课,题目为{topic}。",
    ),
    ActivityKind.LEADER_LECTURE_MEMBER: (
        "{date},{org}班子成员{host}到联系点{audience}讲授专题党课,题目:{topic}。",
        "时间:{date}。地点:{location}。{host}同志深入{audience}为党员民警讲党课,题目为{topic}。",
    ),
}
ATTENDANCE_LINES = (
    "应到{expected}人,实到{present}人{away}。",
    "应参会{expected}人,实际参会{present}人{away}。",
)
HOST_LINES = (
    "会议由{title}{host}同志主持,记录人:{recorder}。",
    "主持人:{host}。记录人:{recorder}。",
    "{title}{host}同志主持会议,{recorder}同志记录。",
)
GENERAL_SENTENCES = (
    "{p}同志传达学习了{material},并结合{unit}工作实际谈了学习体会。",
    "全体党员集中学习了{material},{p}同志进行了领学和解读。",
    "{p}同志围绕{theme}作了交流发言,认为{view}。",
    "{p}同志结合自身岗位谈了认识,表示{view}。",
    "会议通报了{month}月份{unit}安全形势,当月共开展{task}{n}次,发现并整改隐患{m}处。",
    "{p}同志汇报了近期{task}工作情况,共开展{n}人次,取得了较好效果。",
    "会议研究部署了下一阶段{task}工作,明确由{p}同志牵头负责,{q}同志配合落实。",
    "会议观看了警示教育片,{p}同志谈了观后感,表示要以案为鉴、警钟长鸣。",
    "会议通报了上级党委关于{theme}的工作要求,{view}。",
    "党员们结合{task}工作开展了讨论,{p}同志建议进一步细化分工、压实责任。",
    "{p}同志就{task}工作中发现的问题作了说明,会议要求于{month}月底前整改到位。",
    "会议对{p}同志在{task}工作中的突出表现给予表扬,号召全体党员向其学习。",
    "围绕{theme},党员们畅谈体会,{p}同志表示{view}。",
    "{p}同志分析了近期罪犯思想动态,重点对{n}名顽危犯的包夹控制措施进行了研究。",
    "会议要求全体党员在{task}中亮身份、作表率,{view}。",
    "会议听取了{p}同志关于{task}专项工作的进展汇报,对下一步工作作了安排。",
    "{p}、{q}两名同志分享了参加{reading}活动的心得体会。",
    "{p}同志领学了{material}中的有关内容,大家逐条对照检查,{view}。",
)
KIND_SENTENCES: dict[str, tuple[str, ...]] = {
    ActivityKind.GENERAL_MEETING: (
        "会议讨论了发展党员工作,确定{p}、{q}两名同志为新确定入党积极分子的培养联系人。",
        "{p}同志通报了党费收缴情况,支部{members}名党员均按时足额交纳党费。",
        "会议通报了第{quarter}季度支部工作开展情况,对党员民警的执勤备勤表现进行了点评。",
        "会议听取了{p}同志的思想汇报,与会党员逐一发表了意见。",
    ),
    ActivityKind.COMMITTEE_MEETING: (
        "支委会分析了{unit}安全稳定形势,对{n}名重点罪犯的包夹管控措施逐一进行了梳理。",
        "会议研究确定了下月主题党日活动方案,由{p}同志负责组织实施。",
        "会议对“1+N”包教工作进行了评估,{p}同志联系的{m}名党员思想稳定、表现良好。",
        "会议研究了发展党员工作,听取了培养联系人{p}同志对入党积极分子的考察情况汇报。",
        "会议逐项检查了上月支委会议定的{m}项事项的落实情况。",
        "会议安排{p}、{q}两名支委分别与{m}名党员开展谈心谈话。",
    ),
    ActivityKind.GROUP_MEETING: (
        "组长{host}同志领读了{material}有关内容。",
        "会上开展了批评与自我批评,{p}同志给{q}同志提出了{m}条意见建议,{q}同志表示虚心接受。",
        "小组对本组{members}名党员近期的学习和工作表现作了简要讲评。",
        "大家围绕{task}中遇到的实际问题进行了讨论,{p}同志提出了改进建议。",
    ),
    ActivityKind.LECTURE: (
        "{host}同志从{aspects}三个方面进行了深入阐述。",
        "党课结合监狱工作实际,列举了系统内{m}个正反两方面典型案例。",
        "{p}同志听课后表示,{view}。",
        "党课要求全体党员{view2}。",
    ),
    ActivityKind.THEMED_DAY: (
        "在鲜红的党旗下,{host}同志带领全体党员重温入党誓词。",
        "活动中,党员民警集中学习了{material},{p}同志领学。",
        "随后开展了{reading}活动,{p}、{q}两名同志分享了读书心得。",
        "党员们参观了{base},接受了一次深刻的党性教育。",
        "活动还组织开展了警务技能练兵,{present}名党员参加。",
        "活动最后集中交纳了{month}月份党费,{p}同志负责收缴登记。",
    ),
    ActivityKind.LIFE_MEETING: (
        "会前,支部通过发放征求意见表、个别谈话等方式征求意见建议{n}条,开展谈心谈话{m}人次。",
        "会上,{host}同志代表支委会作对照检查,剖析了在理论学习、履职尽责等方面存在的{m}个问题。",
        "党员逐一进行个人对照检查发言,{p}同志给{q}同志提出了批评意见。",
        "会议针对查摆出的{n}个问题,逐项明确了整改措施、责任人和完成时限。",
    ),
    ActivityKind.APPRAISAL: (
        "按照个人自评、党员互评、民主测评、组织评定的程序开展民主评议,共发放测评表{expected}份。",
        "{p}、{q}等同志被评为优秀等次,其余同志评为合格。",
        "支委会根据测评情况提出评定意见,评议结果在支部内公示{m}天。",
    ),
    ActivityKind.CORE_GROUP_STUDY: (
        "中心组成员集中学习了{material}。",
        "{p}、{q}等同志结合分管工作作了交流发言。",
        "会议强调,要坚持党对监狱工作的绝对领导,{view}。",
        "会议要求,要结合驻在式调研发现的{n}个问题,研究制定整改清单。",
        "会议指出,要锚定“双一流”建设目标,{view}。",
    ),
    ActivityKind.LEADER_LECTURE_MAIN: (
        "{host}同志从{aspects}三个方面作了深入阐述。",
        "党课结合驻在式调研了解的情况,对{audience}提出了{m}条具体要求。",
        "党课后,{host}同志与{p}等{n}名党员民警座谈交流。",
    ),
    ActivityKind.LEADER_LECTURE_MEMBER: (
        "{host}同志从{aspects}三个方面作了深入阐述。",
        "党课联系基层实际,与{p}、{q}等党员民警就执勤备勤中的困难进行了交流。",
        "党课要求,要持续深化“三同转作风”,{view}。",
    ),
}
VIEWS = (
    "必须坚持把党的政治建设摆在首位",
    "要把学习成果转化为推动监狱工作高质量发展的实际成效",
    "要时刻绷紧安全稳定这根弦",
    "要坚持以改造人为宗旨,把教育改造贯穿刑罚执行全过程",
    "要严守纪律规矩,筑牢拒腐防变的思想防线",
    "要发挥党支部战斗堡垒作用和党员先锋模范作用",
    "要坚持问题导向,把查找出的问题逐项整改到位",
    "要牢固树立底线思维,防范化解各类风险隐患",
    "要严格执行监管制度,确保监管安全万无一失",
    "要以更高标准、更严要求做好本职工作",
    "要做到学思用贯通、知信行统一",
    "要坚持严格规范公正文明执法",
    "要树一流作风、带一流队伍,抓一流管理、创一流业绩",
    "要增强“四个意识”、坚定“四个自信”、做到“两个维护”",
)
WORK = (
    "罪犯个别谈话教育",
    "监舍清监搜身",
    "安全隐患排查",
    "罪犯心理健康教育",
    "执法规范化检查",
    "罪犯劳动现场管理",
    "节假日安全防范",
    "罪犯亲情帮教",
    "消防安全检查",
    "计分考核公示",
    "减刑假释案件评审",
    "“书香文化进监狱”读书活动",
    "罪犯“零违纪”创建",
    "“三项竞赛”",
)
READINGS = ("“读书周”", "“知新书苑”读书", "“特别家书”分享", "读书征文", "读书朗诵")
BASES = (
    "中共五大会址纪念馆",
    "八七会议会址纪念馆",
    "辛亥革命博物院",
    "湖北省廉政教育基地",
    "洪湖革命历史博物馆",
    "黄麻起义和鄂豫皖苏区革命烈士陵园",
    "监狱警示教育基地",
)
ASPECTS = (
    "理论渊源、实践要求、岗位落实",
    "政治忠诚、底线思维、改造质量",
    "为什么学、学什么、怎么做",
    "坚定理想信念、严守纪律规矩、勇于担当作为",
    "守安全底线、提改造质量、强队伍建设",
)
CLOSINGS = (
    "最后,{host}同志作总结讲话,要求全体党员{view2}。",
    "会议要求,各党小组要认真传达会议精神,{view2}。会议于{hour}时结束。",
    "{host}同志强调,{view2},抓好{task}等重点工作。",
    "会议最后,{host}同志就下一阶段工作提出要求:一是{a};二是{b};三是{c}。",
)
TASKS = (
    "强化政治理论学习",
    "抓好监管安全各项措施落实",
    "提升罪犯教育改造质量",
    "严格落实“1+N”包教责任",
    "加强警示教育,筑牢廉洁防线",
    "规范执法办案流程",
    "认真做好值班备勤工作",
    "推进“书香文化进监狱”活动走深走实",
    "深化“双一流”建设",
    "按时足额交纳党费",
    "关心关爱党员民警身心健康",
    "做好重点时段安全防范",
)


def _quoted(text: str) -> str:
    """``“书香文化进监狱”主题党日`` → ``“‘书香文化进监狱’主题党日”``."""
    return "“" + text.replace("“", "‘").replace("”", "’") + "”"


def _minutes(
    rng: random.Random,
    kind: str,
    *,
    day: dt.date,
    org: str,
    unit: str,
    location: str,
    topic: str,
    host: str,
    host_title: str,
    audience: str,
    expected: int,
    present: int,
    away: list[tuple[str, str]],
    names: list[str],
    end_hour: int,
) -> str:
    """A record of a few sentences, about 200–600 characters: set phrases filled with the
    organisation's own people (``names``), numbers, tasks and materials. ``away`` lists
    ``(name, reason)`` of the excused and absent."""

    def person() -> str:
        return rng.choice(names) if names else host

    excused = [(name, reason) for name, reason in away if reason]
    absent = [name for name, reason in away if not reason]
    away_text = ""
    if excused:
        shown = excused[:3]
        reasons = "、".join(dict.fromkeys(reason for _, reason in shown))
        who = "、".join(name for name, _ in shown)
        more = f"等{len(excused)}名" if len(excused) > 3 else ""
        away_text += f",{who}{more}同志因{reasons}请假"
    if absent:
        away_text += f",{'、'.join(absent)}同志缺席"
    if not away:
        away_text = ",全员参会"
    values = {
        "date": _cn_date(day),
        "org": org,
        "location": location,
        "topic": _quoted(topic),
        "host": host,
        "title": host_title,
        "audience": audience,
        "expected": str(expected),
        "present": str(present),
        "away": away_text,
        "recorder": person(),
    }
    parts = [rng.choice(OPENINGS[kind]).format(**values)]
    parts.append(rng.choice(ATTENDANCE_LINES).format(**values))
    if kind not in (ActivityKind.LEADER_LECTURE_MAIN, ActivityKind.LEADER_LECTURE_MEMBER):
        parts.append(rng.choice(HOST_LINES).format(**values))
    fixed = {
        "host": host,
        "audience": audience,
        "expected": expected,
        "unit": unit,
        "members": expected,
        "present": present,
        "month": day.month,
        "quarter": "一二三四"[(day.month - 1) // 3],
    }
    makers: dict[str, Callable[[], object]] = {
        "p": person,
        "q": person,
        "material": lambda: _material(rng, day),
        "theme": lambda: _quoted(_subject(rng, day) if rng.random() < 0.6 else _campaign(rng, day)),
        "view": lambda: rng.choice(VIEWS),
        "view2": lambda: rng.choice(VIEWS).removeprefix("要").removeprefix("必须"),
        "task": lambda: rng.choice(WORK),
        "reading": lambda: rng.choice(READINGS),
        "base": lambda: rng.choice(BASES),
        "aspects": lambda: rng.choice(ASPECTS),
        "n": lambda: rng.randint(2, 40),
        "m": lambda: rng.randint(2, 9),
    }
    own = list(KIND_SENTENCES[kind])
    rng.shuffle(own)
    general = rng.sample(GENERAL_SENTENCES, 8)
    pool = own[:2] + general[:3] + own[2:] + general[3:]
    target = rng.randint(200, 540)
    length = sum(len(p) for p in parts)
    for template in pool:
        if length >= target:
            break
        slots = _fields(template)
        values = {name: fixed[name] for name in slots & fixed.keys()}
        for name in slots - fixed.keys():
            values[name] = makers[name]()
        if "q" in values:
            for _ in range(3):
                if values["q"] != values.get("p"):
                    break
                values["q"] = person()
        text = template.format(**values)
        parts.append(text)
        length += len(text)
    a, b, c = rng.sample(TASKS, 3)
    parts.append(
        rng.choice(CLOSINGS).format(
            host=host,
            view2=rng.choice(VIEWS).removeprefix("要").removeprefix("必须"),
            hour=end_hour,
            task=rng.choice(WORK),
            a=a,
            b=b,
            c=c,
        )
    )
    return "".join(parts)


LOCATIONS: dict[str, tuple[str, ...]] = {
    "district": ("{unit}会议室", "{unit}党员活动室", "{unit}警察办公区会议室", "党员活动室"),
    "office": ("{short}机关会议室", "{short}机关党员活动室", "{short}办公楼会议室"),
    "themed": ("{unit}党员活动室", "红色教育基地", "廉政教育基地", "“知新书苑”", "{unit}会议室"),
    "prison": ("{short}办公楼三楼会议室", "{short}党员教育中心", "{short}警示教育基地"),
    "bureau": ("局机关2楼会议室", "局机关5楼会议室", "局机关党员活动室"),
}
UNIT_WORDS = {
    DISTRICT: "监区",
    SUBDISTRICT: "分监区",
    DEPARTMENT: "科室",
    BUREAU_DEPARTMENT: "处室",
    PRISON: "全监狱",
    BUREAU: "全系统",
}
EXCUSES = (
    "值班备勤",
    "押解任务",
    "外出学习培训",
    "病假",
    "事假",
    "公差",
    "休假",
    "监内执勤",
    "带班值守",
    "就医陪护",
)


# ---------------------------------------------------------------------------------------------
# Organisational life, one year at a time


@dataclass(slots=True)
class PlannedActivity:
    org_pk: int
    kind: str
    held_on: dt.date
    topic: str
    location: str
    host_pk: int | None
    by_secretary: bool
    expected: int
    present: int
    excused: int
    minutes: str
    start_minute: int  # minutes after midnight, local time
    duration: int  # minutes
    token: str
    attendance: list[tuple[int, str, str, int | None]] | None = None
    """``(member pk, status, reason, check-in minute or None)`` where rows are written."""
    copied_from: int | None = None  # index in the year's list, for planted near-duplicates


@dataclass(slots=True)
class _Slot:
    org: Org
    kind: str
    lo: dt.date
    hi: dt.date
    day: dt.date
    secretary: bool = False  # the year's lecture by the branch secretary


_REQUIRED_BY_ORG_KIND: dict[str, list[compliance.Requirement]] = defaultdict(list)
for _requirement in compliance.DEFAULT_REQUIREMENTS:
    if not _requirement.by_secretary:
        _REQUIRED_BY_ORG_KIND[_requirement.org_kind].append(_requirement)


def _required_slots(
    structure: Structure, rng: random.Random, year: int, today: dt.date
) -> list[_Slot]:
    """The sessions the rules require in ``year``, held by ``today``: one per organisation,
    requirement and period the organisation is judged for (``compliance`` decides)."""
    slots: list[_Slot] = []
    year_end = dt.date(year, 12, 31)
    by_frequency = {
        frequency: compliance.periods(frequency, dt.date(year, 1, 1), year_end)
        for frequency in compliance.Frequency
    }
    for org in structure.orgs:
        facts = org.facts
        assert facts is not None
        lecture_slots: list[_Slot] = []
        for requirement in _REQUIRED_BY_ORG_KIND.get(org.kind, ()):
            for period in by_frequency[requirement.frequency]:
                if period.start > today or compliance.existence_reason(facts, period):
                    continue
                lo = max(period.start, org.established_on)
                if requirement.needs_committee:
                    if not compliance.committee_sat_during(facts, period):
                        continue
                    lo = max(lo, facts.committee_spans[0][0])
                kind = str(requirement.kind)
                day = _preferred_day(rng, kind, lo, period.end)
                if day > today:
                    continue  # not held yet: upcoming
                slot = _Slot(org, kind, lo, min(period.end, today), day)
                slots.append(slot)
                if kind == ActivityKind.LECTURE:
                    lecture_slots.append(slot)
        if lecture_slots:
            rng.choice(lecture_slots).secretary = True
    return slots


def _preferred_day(rng: random.Random, kind: str, lo: dt.date, hi: dt.date) -> dt.date:
    if kind == ActivityKind.LIFE_MEETING and rng.random() < 0.55:
        # Annual organisational life meetings are mostly held early in the year.
        early = min(hi, max(lo, dt.date(lo.year, 3, 31)))
        return _pick_day(rng, lo, early)
    return _pick_day(rng, lo, hi)


def _targets_for(year: int, structure: Structure) -> dict[str, int] | None:
    """The exact totals for ``year``: only at province scale and only for a complete year."""
    if structure.scale != "province" or year not in TARGETS:
        return None
    if dt.date(year, 12, 31) >= structure.today:
        return None
    return TARGETS[year]


def _drops_and_extras(
    required: dict[str, int], targets: dict[str, int] | None
) -> tuple[dict[str, int], dict[str, int]]:
    """How many required sessions to drop and how many extras to add, per kind."""
    drops = {
        kind: 0 if kind == ActivityKind.APPRAISAL else round(count * DROP_SHARE)
        for kind, count in required.items()
    }
    kept = {kind: required[kind] - drops[kind] for kind in required}
    if targets is None:
        extras = {kind: round(kept[kind] * EXTRA_SHARE.get(kind, 0.0)) for kind in required}
        return drops, extras
    extras = dict.fromkeys(required, 0)
    for kind, target in targets.items():
        if kind == THREE_MEETINGS:
            continue
        if kept.get(kind, 0) > target:
            drops[kind] = required[kind] - target
        else:
            extras[kind] = target - kept.get(kind, 0)
    kinds = list(THREE_MEETINGS_KINDS)
    total_kept = sum(kept.get(kind, 0) for kind in kinds)
    target = targets[THREE_MEETINGS]
    if total_kept > target:
        more = apportion(total_kept - target, [kept.get(k, 0) for k in kinds])
        for kind, extra_drops in zip(kinds, more, strict=True):
            drops[kind] += extra_drops
    else:
        weights = [THREE_MEETINGS_EXTRA_WEIGHTS[k] if required.get(k) else 0.0 for k in kinds]
        for kind, share in zip(kinds, apportion(target - total_kept, weights), strict=True):
            extras[kind] = share
    return drops, extras


def _extra_slot(rng: random.Random, kind: str, eligible: list[Org], year: int, today: dt.date):
    for _ in range(50):
        org = rng.choice(eligible)
        lo = max(dt.date(year, 1, 1), org.established_on)
        if kind == ActivityKind.COMMITTEE_MEETING:
            lo = max(lo, org.facts.committee_spans[0][0])
        hi = min(dt.date(year, 12, 31), today)
        if lo <= hi:
            return _Slot(org, kind, lo, hi, _preferred_day(rng, kind, lo, hi))
    return None


def _eligible_orgs(structure: Structure, kind: str, year: int, today: dt.date) -> list[Org]:
    org_kind = {
        ActivityKind.GROUP_MEETING: OrgKind.GROUP,
        ActivityKind.CORE_GROUP_STUDY: OrgKind.COMMITTEE,
        ActivityKind.LEADER_LECTURE_MAIN: OrgKind.COMMITTEE,
        ActivityKind.LEADER_LECTURE_MEMBER: OrgKind.COMMITTEE,
    }.get(kind, OrgKind.BRANCH)
    end = min(dt.date(year, 12, 31), today)
    orgs = [o for o in structure.orgs if o.kind == org_kind and o.established_on <= end]
    if kind == ActivityKind.COMMITTEE_MEETING:
        orgs = [o for o in orgs if o.facts.committee_spans and o.facts.committee_spans[0][0] <= end]
    if org_kind == OrgKind.GROUP:
        return [o for o in orgs if o.leader is not None]
    return [o for o in orgs if o.terms]


def plan_year(structure: Structure, year: int, *, attendance_from: dt.date | None = None):
    """Every activity of ``year`` up to ``structure.today``, in date order.

    At province scale, for a complete year named in ``TARGETS``, the totals per kind (and of
    "三会一课" together) are exactly the targets. Activities on or after ``attendance_from``
    get one attendance row per expected member, consistent with their counts.
    """
    today = structure.today
    rng = structure.rng(f"year/{year}")
    slots = _required_slots(structure, rng, year, today)
    by_kind: defaultdict[str, list[_Slot]] = defaultdict(list)
    for slot in slots:
        by_kind[slot.kind].append(slot)
    required = {kind: len(by_kind.get(kind, ())) for kind in EXTRA_SHARE}
    drops, extras = _drops_and_extras(required, _targets_for(year, structure))
    chosen: list[_Slot] = []
    for kind in EXTRA_SHARE:
        kind_slots = by_kind.get(kind, [])
        dropped = set(rng.sample(range(len(kind_slots)), min(drops[kind], len(kind_slots))))
        chosen += [s for i, s in enumerate(kind_slots) if i not in dropped]
        if extras[kind]:
            eligible = _eligible_orgs(structure, kind, year, today)
            added = 0
            while eligible and added < extras[kind]:
                slot = _extra_slot(rng, kind, eligible, year, today)
                if slot is None:
                    break
                chosen.append(slot)
                added += 1
            if added < extras[kind] and _targets_for(year, structure):
                raise ValueError(f"{year}: cannot place {extras[kind]} extra {kind}")
    # 民主评议 is held at the organisational life meeting, where there is one.
    life_days: dict[int, dt.date] = {}
    for slot in chosen:
        if slot.kind == ActivityKind.LIFE_MEETING:
            known = life_days.get(slot.org.pk)
            life_days[slot.org.pk] = slot.day if known is None else min(known, slot.day)
    for slot in chosen:
        if slot.kind == ActivityKind.APPRAISAL and slot.org.pk in life_days:
            slot.day = max(life_days[slot.org.pk], slot.lo)
    chosen.sort(key=lambda s: (s.day, s.org.pk, s.kind))

    branches = structure.of_kind(OrgKind.BRANCH)
    branches_by_scope: defaultdict[str, list[Org]] = defaultdict(list)
    for branch in branches:
        branches_by_scope[branch.scope].append(branch)
    activities: list[PlannedActivity] = []
    for slot in chosen:
        activity = _plan_activity(rng, slot, branches, branches_by_scope, attendance_from)
        if activity is not None:
            activities.append(activity)
    activities.sort(key=lambda a: (a.held_on, a.org_pk, a.kind))
    _plant_copies(rng, activities, {o.pk: o for o in structure.orgs}, structure)
    return activities


def _host_for(rng: random.Random, slot: _Slot, expected: list[Member]) -> tuple[Member | None, str]:
    """The host and the title used in the minutes."""
    org, kind, day = slot.org, slot.kind, slot.day
    seats = org.seats_on(day)
    by_post = {seat.post: seat.member for seat in reversed(seats)}
    secretary = by_post.get("secretary")
    if kind == ActivityKind.GROUP_MEETING:
        return org.leader, "组长"
    if kind == ActivityKind.LEADER_LECTURE_MEMBER:
        others = [seat.member for seat in seats if seat.post != "secretary"]
        return (rng.choice(others) if others else secretary), "委员"
    if kind in (ActivityKind.CORE_GROUP_STUDY, ActivityKind.LEADER_LECTURE_MAIN):
        return secretary, "书记"
    expected_keys = {m.officer_key for m in expected}
    if kind == ActivityKind.LECTURE and not slot.secretary:
        choice = rng.random()
        if choice < 0.3 and secretary is not None:
            return secretary, "书记"
        seated = [s for s in seats if s.post != "secretary"]
        if choice < 0.7 and seated:
            seat = rng.choice(seated)
            return seat.member, _HOST_TITLE[seat.post]
        plain = [m for m in expected if m.full_on is not None]
        if plain:
            return rng.choice(plain), "党员"
    if (
        kind in (ActivityKind.THEMED_DAY, ActivityKind.GENERAL_MEETING)
        and "deputy" in by_post
        and rng.random() < 0.2
        and by_post["deputy"].officer_key in expected_keys
    ):
        return by_post["deputy"], "副书记"
    if secretary is not None and (
        secretary.officer_key in expected_keys or kind == ActivityKind.LECTURE
    ):
        return secretary, "书记"
    return (expected[0], "党员") if expected else (None, "")


def _turnout(rng: random.Random, kind: str, expected: int) -> tuple[int, int]:
    """``(present, absent)``; the rest of the expected are excused."""
    if kind == ActivityKind.GENERAL_MEETING and expected >= 3 and rng.random() < LOW_QUORUM_SHARE:
        present = max(1, int(expected * rng.uniform(0.45, 0.64)))
        while present * 3 >= expected * 2:
            present -= 1
        return present, 0
    present = min(expected, max(1, round(expected * rng.uniform(0.85, 1.0))))
    absent = 1 if present < expected and rng.random() < 0.05 else 0
    return present, absent


def _location(rng: random.Random, slot: _Slot) -> str:
    org = slot.org
    district = org.unit_kind in (DISTRICT, SUBDISTRICT)
    if org.scope == "HBJ":
        key = "bureau"
    elif org.kind == OrgKind.COMMITTEE:
        key = "prison"
    elif slot.kind == ActivityKind.THEMED_DAY:
        key = "themed"
    else:
        key = "district" if district else "office"
    return rng.choice(LOCATIONS[key]).format(unit=_unit_label(org), short=org.short)


def _unit_label(org: Org) -> str:
    """``洪山监狱一监区党支部`` → ``一监区``; other branches → ``洪山监狱机关``."""
    if org.unit_kind not in (DISTRICT, SUBDISTRICT):
        return f"{org.short}机关"
    name = org.name if org.kind != OrgKind.GROUP else org.parent.name
    return name.removeprefix(org.short).removesuffix("党支部")


def _plan_activity(
    rng: random.Random,
    slot: _Slot,
    branches: list[Org],
    branches_by_scope: dict[str, list[Org]],
    attendance_from: dt.date | None,
) -> PlannedActivity | None:
    org, kind, day = slot.org, slot.kind, slot.day
    audience: Org | None = None
    if kind in (ActivityKind.COMMITTEE_MEETING, ActivityKind.CORE_GROUP_STUDY):
        expected = [seat.member for seat in org.seats_on(day) if seat.member.joined_on <= day]
    elif kind in (ActivityKind.LEADER_LECTURE_MAIN, ActivityKind.LEADER_LECTURE_MEMBER):
        pool = branches if org.code == "DW-HBJ" else branches_by_scope.get(org.scope, branches)
        if org.code == "DW-HBJ-JGDW":
            pool = branches_by_scope.get("HBJ", branches)
        pool = [b for b in pool if b.established_on <= day and b.count_on(day)]
        if not pool:
            return None
        audience = rng.choice(pool)
        expected = audience.members_on(day)
    else:
        expected = org.members_on(day)
    if not expected:
        return None
    host, title = _host_for(rng, slot, expected)
    if host is None:
        return None
    present, absent = _turnout(rng, kind, len(expected))
    others = [m for m in expected if m is not host]
    missing = min(len(expected) - present, len(others))
    away = rng.sample(others, missing) if missing else []
    absent = min(absent, missing)
    reasons = {m.pk: ("" if i < absent else rng.choice(EXCUSES)) for i, m in enumerate(away)}
    present, excused = len(expected) - missing, missing - absent
    secretary = org.secretary_on(day)
    by_secretary = secretary is not None and host is secretary
    topic = _topic(rng, kind, day)
    location = _location(rng, slot)
    if audience is not None:
        location = f"{audience.name}党员活动室"
    start_minute = rng.choice((8 * 60 + 30, 9 * 60, 9 * 60 + 30, 14 * 60 + 30, 15 * 60, 16 * 60))
    duration = rng.choice((60, 75, 90, 120)) if kind != ActivityKind.THEMED_DAY else 150
    minutes = _minutes(
        rng,
        kind,
        day=day,
        org=org.name,
        unit=UNIT_WORDS.get(org.unit_kind, "本单位"),
        location=location,
        topic=topic,
        host=host.name,
        host_title=title,
        audience=audience.name if audience else "",
        expected=len(expected),
        present=present,
        away=[(m.name, reasons[m.pk]) for m in away],
        names=[m.name for m in expected if m is not host and m.pk not in reasons],
        end_hour=-(-(start_minute + duration) // 60),
    )
    rows = None
    if attendance_from is not None and day >= attendance_from:
        rows = []
        for member in expected:
            reason = reasons.get(member.pk)
            if reason is None:
                check_in = start_minute + rng.randint(-15, 5) if rng.random() < 0.6 else None
                rows.append((member.pk, "present", "", check_in))
            else:
                rows.append((member.pk, "excused" if reason else "absent", reason, None))
    return PlannedActivity(
        org_pk=org.pk,
        kind=kind,
        held_on=day,
        topic=topic[:200],
        location=location[:100],
        host_pk=host.pk,
        by_secretary=by_secretary,
        expected=len(expected),
        present=present,
        excused=excused,
        minutes=minutes,
        start_minute=start_minute,
        duration=duration,
        token=f"{rng.getrandbits(128):032x}",
        attendance=rows,
    )


def _plant_copies(
    rng: random.Random, activities: list[PlannedActivity], orgs: dict[int, Org], structure
) -> None:
    """About ``DUPLICATE_MINUTES_SHARE`` of the records copy an earlier record of the same
    kind from another organisation of the same prison (or the bureau), changing only the
    date and the names of the organisation and the host: what a copy-paste looks like. Only
    copies that the detector's threshold (``similarity.DEFAULT_THRESHOLD``) catches are kept,
    so that every planted copy is there to be found."""
    from . import similarity

    if len(activities) < 2:
        return
    members = {m.pk: m for m in structure.members}
    by_kind_scope: defaultdict[tuple[str, str], list[int]] = defaultdict(list)
    for index, activity in enumerate(activities):
        if len(activity.minutes) >= 380:
            by_kind_scope[(activity.kind, orgs[activity.org_pk].scope)].append(index)
    wanted = round(len(activities) * DUPLICATE_MINUTES_SHARE)
    candidates = list(range(len(activities)))
    rng.shuffle(candidates)
    planted = 0
    used: set[int] = set()
    for index in candidates:
        if planted >= wanted:
            break
        copy = activities[index]
        if index in used:
            continue
        scope = orgs[copy.org_pk].scope
        sources = [
            i
            for i in by_kind_scope.get((copy.kind, scope), ())
            if i < index
            and i not in used
            and activities[i].org_pk != copy.org_pk
            and activities[i].held_on < copy.held_on
        ]
        if not sources:
            continue
        source_index = rng.choice(sources[-40:])
        source = activities[source_index]
        text = source.minutes
        for old, new in (
            (orgs[source.org_pk].name, orgs[copy.org_pk].name),
            (_cn_date(source.held_on), _cn_date(copy.held_on)),
            (members[source.host_pk].name, members[copy.host_pk].name),
        ):
            text = text.replace(old, new)
        if similarity.text_similarity(text, source.minutes) < similarity.DEFAULT_THRESHOLD + 0.02:
            continue
        copy.minutes = text
        copy.copied_from = source_index
        used.update((index, source_index))
        planted += 1


# ---------------------------------------------------------------------------------------------
# "五学" study records


@dataclass(slots=True)
class PlannedStudy:
    level: str
    org_pk: int
    held_on: dt.date
    title: str
    material: str
    hours: Decimal
    participants: list[int]


HOURS = tuple(Decimal(h) for h in ("1.5", "2.0", "2.0", "2.5", "3.0", "3.0", "3.5", "4.0"))
SELF_STUDY = (
    "自学{material}",
    "通过“学习强国”学习{subject}",
    "观看“湖北监狱工作大讲堂”视频课程",
    "自学{subject}并撰写心得体会",
    "网络学院专题课程:{subject}",
)


def _months(first: dt.date, last: dt.date) -> list[tuple[int, int]]:
    months, index = [], first.year * 12 + first.month - 1
    while index <= last.year * 12 + last.month - 1:
        months.append(divmod(index, 12))
        index += 1
    return [(year, month + 1) for year, month in months]


def plan_study(
    structure: Structure,
    sessions: dict[tuple[int, int, int], tuple[dt.date, str]],
    *,
    window_from: dt.date,
) -> list[PlannedStudy]:
    """Monthly study of every 党委's core group and of the 机关党委 and 党总支 (organ level)
    since ``HISTORY_START_YEAR``; monthly branch study, quarterly group study and individual
    self-study from ``window_from``. ``sessions`` maps (org pk, year, month) to the day and
    topic of that month's core-group study or themed day: the study is recorded with it."""
    rng = structure.rng("study")
    today = structure.today
    records: list[PlannedStudy] = []
    first = dt.date(HISTORY_START_YEAR, 1, 1)
    for year, month in _months(first, today):
        lo, hi = dt.date(year, month, 1), min(_month_end(year, month), today)
        for org in structure.orgs:
            if org.kind in (OrgKind.COMMITTEE, OrgKind.GENERAL_BRANCH):
                level = "core_group" if org.kind == OrgKind.COMMITTEE else "organ"
                if org.code == "DW-HBJ-JGDW":
                    level = "organ"
            elif org.kind == OrgKind.BRANCH and lo >= window_from.replace(day=1):
                level = "branch"
            elif org.kind == OrgKind.GROUP and lo >= window_from.replace(day=1) and month % 3 == 1:
                level = "group"
            else:
                continue
            if org.established_on > hi:
                continue
            session = sessions.get((org.pk, year, month))
            if session is not None:
                day, title = session
            else:
                day = _pick_day(rng, max(lo, org.established_on), hi)
                title = _fill(rng, "学习{subject}", day)
            if level in ("core_group", "organ"):
                people = [seat.member for seat in org.seats_on(day)]
            else:
                people = [m for m in org.members_on(day) if rng.random() < 0.92]
            if not people:
                continue
            records.append(
                PlannedStudy(
                    level,
                    org.pk,
                    day,
                    title[:200],
                    _material(rng, day),
                    rng.choice(HOURS),
                    [m.pk for m in people],
                )
            )
    # Individual self-study: about one member in ten records some each month.
    for year, month in _months(window_from, today):
        lo, hi = dt.date(year, month, 1), min(_month_end(year, month), today)
        for member in structure.members:
            if rng.random() >= 0.1 or member.joined_on > hi:
                continue
            day = _pick_day(rng, max(lo, member.joined_on), hi)
            records.append(
                PlannedStudy(
                    "member",
                    member.org.pk,
                    day,
                    _fill(rng, rng.choice(SELF_STUDY), day),
                    _material(rng, day),
                    rng.choice(HOURS),
                    [member.pk],
                )
            )
    return records


# ---------------------------------------------------------------------------------------------
# Dues


def dues_start(today: dt.date, province: bool) -> dt.date:
    """The first month of the dues ledger: January ``HISTORY_START_YEAR`` at demo scale; at
    province scale January of the year ``DUES_YEARS_PROVINCE - 1`` years before today's,
    which keeps the ledger near half a million rows whatever the year. The ledger has no
    gaps: a member's six-month flag counts from their first recorded payment."""
    if not province:
        return dt.date(HISTORY_START_YEAR, 1, 1)
    return dt.date(max(HISTORY_START_YEAR, today.year - DUES_YEARS_PROVINCE + 1), 1, 1)


def plan_dues(
    structure: Structure, monthly_dues: Callable[..., Decimal], *, since: dt.date
) -> Iterator[tuple[int, dt.date, Decimal, Decimal, dt.date]]:
    """``(member pk, month, base, amount due = paid, paid on)`` for every member and month
    from ``since`` (or the month of joining) to the month before today.

    Most members pay on their branch's collection day (its themed day, roughly); about
    ``DUES_GAP_SHARE`` of members miss a few scattered months, and ``DUES_SIX_MONTH_MEMBERS``
    have paid nothing for six to nine months up to the last completed month (the 党章 art. 9
    flag)."""
    rng = structure.rng("dues")
    today = structure.today
    last = _add_months(today.replace(day=1), -1)
    months = [dt.date(y, m, 1) for y, m in _months(since, last)]
    if not months:
        return
    seated = {seat.member.pk for seat in structure.seats}
    members = structure.members
    plain = [m for m in members if m.pk not in seated and m.joined_on < months[0]]
    six_count = min(DUES_SIX_MONTH_MEMBERS[structure.scale], len(plain))
    six_month = {m.pk: rng.randint(6, 9) for m in rng.sample(plain, six_count)}
    gap_count = max(1, round(len(members) * DUES_GAP_SHARE))
    gappy = [m for m in rng.sample(members, min(gap_count, len(members))) if m.pk not in six_month]
    gaps: dict[int, set[dt.date]] = {
        m.pk: set(rng.sample(months, min(len(months), rng.randint(1, 3)))) for m in gappy
    }
    collection: dict[tuple[int, dt.date], int] = {}
    due_cache: dict[int, Decimal] = {}
    current = today.year
    for member in members:
        first = member.joined_on.replace(day=1)
        unpaid_from = (
            _add_months(last, 1 - six_month[member.pk]) if member.pk in six_month else None
        )
        missing = gaps.get(member.pk, ())
        branch_pk = member.org.pk
        for month in months:
            if month < first or month in missing:
                continue
            if unpaid_from is not None and month >= unpaid_from:
                break
            key = (branch_pk, month)
            day = collection.get(key)
            if day is None:
                day = collection[key] = rng.randint(5, 25)
            if rng.random() < 0.04:  # paid late, early next month
                paid_on = _add_months(month, 1).replace(day=rng.randint(1, 10))
            else:
                paid_on = month.replace(day=day)
            paid_on = min(paid_on, today)
            base = int(round(member.dues_base * (1 - SALARY_GROWTH * (current - month.year)), -1))
            due = due_cache.get(base)
            if due is None:
                due = due_cache[base] = monthly_dues(Decimal(base))
            yield member.pk, month, Decimal(base), due, paid_on


# ---------------------------------------------------------------------------------------------
# Writing


def attendance_start(ctx_today: dt.date, province: bool) -> dt.date | None:
    """From when activities get attendance rows: the last three months at province scale,
    always at demo scale (``None`` would mean never)."""
    if province:
        return _add_months(ctx_today, -ATTENDANCE_MONTHS_PROVINCE)
    return dt.date(HISTORY_START_YEAR, 1, 1)


def study_start(ctx_today: dt.date, province: bool) -> dt.date:
    if province:
        return _add_months(ctx_today.replace(day=1), 1 - STUDY_MONTHS_PROVINCE)
    return dt.date(HISTORY_START_YEAR, 1, 1)


def generate(ctx: SeedContext) -> None:
    """Write the party data; leave organisations, members and branches in ``ctx.data``."""
    from zoneinfo import ZoneInfo

    from django.conf import settings
    from django.db.models import F

    from tongxin.audit.services import record

    from .dues import monthly_dues
    from .models import (
        Activity,
        Attendance,
        CommitteeSeat,
        DuesPayment,
        PartyMember,
        PartyOrganization,
        StudyRecord,
    )

    assert ctx.today is not None
    today = ctx.today
    timings: dict[str, float] = ctx.data.setdefault("timings", {})
    counts: dict[str, int] = ctx.data.setdefault("row_counts", {})

    started = time.perf_counter()
    units, people = inputs_from_models(ctx.data["units"], ctx.data["officers"])
    structure = plan_structure(ctx.scale, ctx.fork("party"), units, people, today)
    timings["party.plan"] = time.perf_counter() - started

    started = time.perf_counter()
    org_rows = [
        PartyOrganization(
            pk=o.pk,
            code=o.code,
            name=o.name,
            kind=o.kind,
            unit_id=o.unit_pk,
            parent_id=o.parent.pk if o.parent else None,
            path=o.path,
            depth=o.depth,
            established_on=o.established_on,
            is_pilot=o.is_pilot,
            sort_order=o.sort_order,
        )
        for o in structure.orgs
    ]
    PartyOrganization.objects.bulk_create(org_rows, batch_size=2000)
    timings["party.orgs"] = time.perf_counter() - started
    counts["party.orgs"] = len(org_rows)

    started = time.perf_counter()
    member_rows = [
        PartyMember(
            pk=m.pk,
            officer_id=m.officer_key,
            organization_id=m.org.pk,
            group_id=m.group.pk if m.group else None,
            status=m.status,
            joined_on=m.joined_on,
            full_on=m.full_on,
            dues_base=Decimal(m.dues_base),
            # Foreign keys are checked at commit (deferred), so a mentor inserted later is fine.
            mentor_id=m.mentor.pk if m.mentor else None,
        )
        for m in structure.members
    ]
    PartyMember.objects.bulk_create(member_rows, batch_size=5000)
    seat_rows = [
        CommitteeSeat(
            organization_id=s.org.pk,
            member_id=s.member.pk,
            post=s.post,
            started_on=s.started_on,
            ended_on=s.ended_on,
        )
        for s in structure.seats
    ]
    CommitteeSeat.objects.bulk_create(seat_rows, batch_size=5000)
    reset_sequences(PartyOrganization, PartyMember)
    timings["party.members"] = time.perf_counter() - started
    counts["party.members"] = len(member_rows)
    counts["party.seats"] = len(seat_rows)

    # Organisational life, a year at a time.
    zone = ZoneInfo(settings.TIME_ZONE)
    attendance_from = attendance_start(today, ctx.province)
    plan_seconds = activity_seconds = attendance_seconds = 0.0
    activity_total = attendance_total = 0
    sessions: dict[tuple[int, int, int], tuple[dt.date, str]] = {}
    next_pk = 1
    years = list(range(HISTORY_START_YEAR, today.year + 1))
    with ctx.progress(len(years), "组织生活") as bar:
        for year in years:
            started = time.perf_counter()
            planned = plan_year(structure, year, attendance_from=attendance_from)
            plan_seconds += time.perf_counter() - started
            started = time.perf_counter()
            rows, attendance = [], []
            for activity in planned:
                starts_at = dt.datetime.combine(activity.held_on, dt.time(), tzinfo=zone)
                starts_at += dt.timedelta(minutes=activity.start_minute)
                rows.append(
                    Activity(
                        pk=next_pk,
                        organization_id=activity.org_pk,
                        kind=activity.kind,
                        held_on=activity.held_on,
                        starts_at=starts_at,
                        ends_at=starts_at + dt.timedelta(minutes=activity.duration),
                        topic=activity.topic,
                        location=activity.location,
                        host_id=activity.host_pk,
                        by_secretary=activity.by_secretary,
                        minutes=activity.minutes,
                        expected_count=activity.expected,
                        present_count=activity.present,
                        excused_count=activity.excused,
                        checkin_token=activity.token,
                    )
                )
                if activity.kind in (ActivityKind.THEMED_DAY, ActivityKind.CORE_GROUP_STUDY):
                    key = (activity.org_pk, activity.held_on.year, activity.held_on.month)
                    sessions.setdefault(key, (activity.held_on, activity.topic))
                for member_pk, status, reason, check_in in activity.attendance or ():
                    attendance.append(
                        Attendance(
                            activity_id=next_pk,
                            member_id=member_pk,
                            status=status,
                            reason=reason,
                            checked_in_at=(
                                starts_at + dt.timedelta(minutes=check_in - activity.start_minute)
                                if check_in is not None
                                else None
                            ),
                        )
                    )
                next_pk += 1
            Activity.objects.bulk_create(rows, batch_size=5000)
            activity_seconds += time.perf_counter() - started
            activity_total += len(rows)
            started = time.perf_counter()
            Attendance.objects.bulk_create(attendance, batch_size=5000)
            attendance_seconds += time.perf_counter() - started
            attendance_total += len(attendance)
            bar.update(1)
    started = time.perf_counter()
    # The record was made when the meeting ended, not when the seed ran.
    Activity.objects.filter(pk__lt=next_pk).update(created_at=F("ends_at"), updated_at=F("ends_at"))
    reset_sequences(Activity)
    timings["party.activities.plan"] = plan_seconds
    timings["party.activities"] = activity_seconds
    timings["party.activities.stamp"] = time.perf_counter() - started
    timings["party.attendance"] = attendance_seconds
    counts["party.activities"] = activity_total
    counts["party.attendance"] = attendance_total

    started = time.perf_counter()
    studies = plan_study(structure, sessions, window_from=study_start(today, ctx.province))
    study_rows = [
        StudyRecord(
            pk=i,
            level=s.level,
            organization_id=s.org_pk,
            held_on=s.held_on,
            title=s.title,
            material=s.material,
            hours=s.hours,
        )
        for i, s in enumerate(studies, start=1)
    ]
    StudyRecord.objects.bulk_create(study_rows, batch_size=5000)
    through = StudyRecord.participants.through
    links = [
        through(studyrecord_id=i, partymember_id=member_pk)
        for i, s in enumerate(studies, start=1)
        for member_pk in s.participants
    ]
    through.objects.bulk_create(links, batch_size=5000)
    reset_sequences(StudyRecord)
    timings["party.study"] = time.perf_counter() - started
    counts["party.study"] = len(study_rows)
    counts["party.study_participants"] = len(links)

    started = time.perf_counter()
    dues_total = 0
    chunk: list[DuesPayment] = []
    with ctx.progress(len(structure.members), "党费") as bar:
        last_member = None
        ledger = plan_dues(structure, monthly_dues, since=dues_start(today, ctx.province))
        for member_pk, month, base, due, paid_on in ledger:
            chunk.append(
                DuesPayment(
                    member_id=member_pk,
                    month=month,
                    base=base,
                    amount_due=due,
                    amount_paid=due,
                    paid_on=paid_on,
                )
            )
            if member_pk != last_member:
                bar.update(1)
                last_member = member_pk
            if len(chunk) >= 50_000:
                DuesPayment.objects.bulk_create(chunk, batch_size=5000)
                dues_total += len(chunk)
                chunk = []
        DuesPayment.objects.bulk_create(chunk, batch_size=5000)
        dues_total += len(chunk)
    timings["party.dues"] = time.perf_counter() - started
    counts["party.dues"] = dues_total

    orgs_by_pk = {row.pk: row for row in org_rows}
    ctx.data["party_orgs"] = {row.code: row for row in org_rows}
    ctx.data["party_members"] = {row.officer_id: row for row in member_rows}
    ctx.data["branch_by_unit"] = {
        unit_pk: orgs_by_pk[org.pk] for unit_pk, org in structure.branch_by_unit.items()
    }

    kinds = Counter(o.kind for o in structure.orgs)
    scale_name = "全省规模" if ctx.province else "演示"
    record(
        actor=None,
        action="seed.party",
        summary=(
            f"生成{scale_name}党建数据:党组织 {len(org_rows)} 个(党委 {kinds['committee']} 个、"
            f"党总支 {kinds['general_branch']} 个、党支部 {kinds['branch']} 个、"
            f"党小组 {kinds['group']} 个),党员 {len(member_rows)} 名,"
            f"组织生活记录 {activity_total} 条,学习记录 {len(study_rows)} 条,"
            f"党费记录 {dues_total} 条"
        ),
    )
