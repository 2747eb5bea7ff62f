"""The sentencing app's part of the demo / province data: cases of 减刑, 假释 and 暂予监外执行
that went (or are going) through each prison's review procedure.

Like the other generators, everything is planned first by pure code (``plan_cases``: no ORM,
only a ``random.Random``, ``today`` and a ``World`` of plain inputs) and then written in bulk,
with explicit keys and one prepared ``INSERT`` per table (about 400,000 rows at province scale:
``bulk_create`` would spend most of the step preparing them). ``world_from_ctx`` builds the
inputs from what the org and prisoners generators left in ``ctx.data`` (plus five read-only
queries of the conduct ledgers); ``world_from_plans`` builds the same inputs from their pure
plans, so the province can be planned and checked without a database.

What is generated:

* Staff (``plan_staff``): per prison two penalty officers (刑罚执行科), three reviewers
  (评审中心 and two other sections), a committee member (纪委) and the warden, and a district
  officer (监区民警) for every district, each a login linked to an officer of that prison with
  the role's group and the prison (or district) as scope. 洪山 (P01) reuses the demo users
  (``district``, ``penalty``, ``penalty2``, ``reviewer``…``reviewer3``, ``committee``,
  ``warden``); ``bureau_penalty`` approves every prison's temporary execution. The acts of a
  case follow the separation of duties: the proposer, the section's reviewer, the two drawn
  reviewers, the committee member, the warden and the bureau are different people, and the
  clerical steps (notice, objections, submission, ruling) are done by the other penalty officer,
  who decides nothing on that case.
* Historical cases from ``PLATFORM_START`` (2022: the platform started recording cases then)
  to ``ctx.today``, closed, with their whole step history at working-day dates (days to weeks
  per step; the notice 5 working days; the court one to three months). Every sentence change
  the prisoners generator seeded whose proposal falls in that period is the ruling of a granted
  (sometimes partly granted) reduction case: ``case.ruling_date``/``ruling_months``/
  ``ruling_to_years`` are the change's and ``SentenceChange.case_id`` points at the case. A
  ruling stays without a case when its proposal would predate 2022, when a target year already
  has as many granted cases as it may (the oldest go first), or when the law as the engine
  reads it, with the merit the conduct record supports on the proposal day, would not have
  allowed it on any day before the ruling (the prisoners generator checks its rulings with an
  assumed merit; the audit entry counts these). The rest of each year are cases that changed
  nothing: turned down inside the prison at one of the decision steps, refused by the court, or
  withdrawn by the district.
* The yearly number of reduction cases (by ``proposed_on``): exactly ``TARGETS`` at province
  scale, where the seed's figure must come out of the statistics; for the other years (and at
  demo scale) about one non-granted case per ``1 / FILL_RATIO`` granted ones. Parole cases are
  8–12% of a year's reduction cases, temporary execution about 1%.
* Parole and temporary execution are granted only in the current month: a granted case takes
  the prisoner out of custody (``Prisoner.status``), and the prisoners generator keeps every
  prisoner's points ledger running until the last complete month. Earlier ones were refused
  by the court or the bureau, turned down inside the prison, or withdrawn.
* Open cases, proposed recently, one per prisoner at most: at province scale three to six at
  every status of the procedure in every prison, with a few parole and temporary-execution
  cases; at demo scale one at every status in the featured prisons, where a status no prisoner
  can reach by reduction goes to a parole or temporary-execution case (洪山's 46 prisoners have
  fewer than ten the law allows to propose at any one time). ``in_notice`` cases carry an
  objection. One prisoner of ``DEMO_DISTRICT`` (the ``district`` demo user's) is kept free of
  cases and eligible today, so a visitor can propose.
* Every case is legal when it was proposed: its merit level is what the conduct record
  supported that day (``conduct.merit_level`` over the window since the last ruling; where the
  window began before the prisoner's points ledger, the paper records before it are taken to
  hold the commendations), the engine found it eligible, and the amount is within the engine's
  maximum; past the submission it is checked again on that day (and a granted reduction on its
  ruling day), as the services do. ``verdict`` is the engine's JSON (``judge.verdict_for``) on
  the proposal day, or on the submission day for cases sent on (``services.submit`` stores
  that one).
* Risk alerts: ``risks.detect`` on inputs computed in memory as ``services._risk_inputs``
  would have on the proposal day (points by month, additions by officer, inventions, strict
  categories, job moves, the amounts of comparable granted cases, unpaid property orders);
  disposed in writing by a drawn reviewer before the centre agreed.
* A ``RuleSetVersion`` row for the national default rules, and one audit entry.

Deterministic: randomness only from ``ctx.fork("sentencing")``, the clock only ``ctx.today``.
"""

from __future__ import annotations

import bisect
import datetime as dt
import itertools
import math
import random
import time
from array import array
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from tongxin.org.demo import DEMO_PASSWORD, PRISONS
from tongxin.prisoners import conduct
from tongxin.prisoners.demo import COURTS, DEMO_SHOWCASE, FEATURED_DEMO_PRISONS, HANJIANG
from tongxin.seeding import apportion, reset_sequences

from . import engine, judge, risks, rules, workflow
from .rules import DEFAULT_RULESET, RuleSet

if TYPE_CHECKING:
    from tongxin.seeding import SeedContext

# --- Figures -------------------------------------------------------------------------------

# Reduction cases (Case.kind "reduction") by the year they were proposed, at province scale.
# The seed reports that reduction cases rose 41.33% in 2023 over 2022 (the bureau's 2023
# figures, docs/architecture.md "Data for demonstration and scale"): 4,240 / 3,000 − 1 =
# 41.333…% → 41.33%. The statistics count the rows; only this generator knows the figure.
TARGETS: dict[int, int] = {2022: 3_000, 2023: 4_240}

PLATFORM_START = dt.date(2022, 1, 1)  # the platform records cases proposed from this day
GRANTED_CAP = 0.88  # a target year's granted cases: at most this share of its cases
FILL_RATIO = 0.17  # other years: non-granted reduction cases per granted one
PARTLY_SHARE = 0.12  # of granted reductions: the court gave less than proposed
PAROLE_SHARE = (0.08, 0.12)  # of a year's reduction cases
TEMPORARY_SHARE = 0.01
OBJECTION_SHARE = 0.05  # of cases that went through the notice
DEMO_DISTRICT = "P01-D01"  # the ``district`` demo user's district
READY = 1  # prisoners of DEMO_DISTRICT kept free of cases and eligible today
PENALTY_OFFICERS = 2
REVIEWERS = 3
CONFLICT_DAYS = 12 * 31  # services.CONFLICT_MONTHS, as eligible_reviewers counts it
REVIEWERS_PER_CASE = 2
MIN_COURT_DAYS = 15  # a compressed schedule still leaves the court this long
MAX_COMPLETE_TRIES = 80  # random draws per case wanted, when filling a year
COMPARABLE_CAP = 500  # the most recent comparable rulings an amount is compared with

# Calendar days before a step (triangular: low, mode, high), after the previous step.
GAPS: dict[str, tuple[int, int, int]] = {
    "section_review": (1, 5, 14),
    "centre_review": (1, 4, 10),
    "centre_review2": (0, 2, 6),  # the second reviewer, after the first
    "committee": (2, 7, 20),
    "publish_notice": (1, 2, 5),
    "close_notice": (1, 1, 4),  # after the notice's last day
    "director": (2, 7, 18),
    "submit_court": (1, 4, 10),
    "submit_bureau": (1, 4, 10),
    "record_ruling": (1, 3, 10),  # after the ruling
    "bureau_approval": (10, 20, 40),
    "withdraw": (1, 4, 12),
}
MIN_GAPS = {"centre_review2": 0, "close_notice": 1}
COURT_DAYS = (30, 45, 90)
HIGH_COURT_DAYS = (40, 60, 110)

COURT_PATH = (
    "propose", "section_review", "centre_review", "centre_review", "committee",
    "publish_notice", "close_notice", "director", "submit_court", "record_ruling",
)  # fmt: skip
BUREAU_PATH = (*COURT_PATH[:-2], "submit_bureau", "bureau_approval")

# How a case that changed nothing ended (weights): a decision step that turned it down,
# "court" (the court refused), "bureau" (the bureau did not approve) or "withdraw".
FILL_ENDS: dict[str, tuple[tuple[str, float], ...]] = {
    "reduction": (
        ("section_review", 18), ("centre_review", 14), ("committee", 10), ("director", 8),
        ("court", 38), ("withdraw", 12),
    ),
    "parole": (
        ("section_review", 12), ("centre_review", 14), ("committee", 12), ("director", 10),
        ("court", 42), ("withdraw", 10),
    ),
    "temporary": (
        ("section_review", 18), ("centre_review", 16), ("committee", 12), ("director", 12),
        ("bureau", 27), ("withdraw", 15),
    ),
}  # fmt: skip

OPEN_STATUSES = (
    "proposed", "section_reviewed", "centre_reviewed", "committee_approved", "in_notice",
    "notice_closed", "director_approved", "submitted",
)  # fmt: skip
# Days an open case has waited at its status before today (low, high).
OPEN_WAIT = {
    "proposed": (0, 8),
    "section_reviewed": (0, 6),
    "centre_reviewed": (0, 8),
    "committee_approved": (0, 2),
    "in_notice": (0, 3),
    "notice_closed": (0, 8),
    "director_approved": (0, 5),
    "submitted": (3, 45),
    "submitted_to_bureau": (2, 20),
}

KIND_CODES = {"reduction": "JX", "parole": "JS", "temporary": "ZJ"}
SUBMITTED_TO_BUREAU = "湖北省监狱管理局"
SUBMITTED_TO_HIGH = "经湖北省监狱管理局报湖北省高级人民法院(抄送人民检察院)"
SUBMITTED_TO_COURT = "中级人民法院(抄送人民检察院)"
OUTCOME_LABELS = {
    "granted": "裁定(批准)",
    "partly_granted": "部分裁定",
    "denied": "裁定不予减刑、假释 / 不予批准",
}

# Health records that support a temporary-execution proposal, and what the hospital found.
ILLNESS: dict[str, tuple[str, str]] = {
    "恶性肿瘤(术后)": ("serious_illness", "恶性肿瘤术后复发并多处转移,经放化疗效果不佳"),
    "慢性肾功能不全": ("serious_illness", "慢性肾功能不全(尿毒症期),需长期规律血液透析"),
    "冠心病": ("serious_illness", "冠心病,心功能Ⅲ级,反复发作不稳定型心绞痛"),
    "高血压": ("serious_illness", "高血压病3级(极高危),合并心、脑、肾等靶器官严重损害"),
    "糖尿病": ("serious_illness", "2型糖尿病合并糖尿病肾病Ⅳ期及视网膜病变"),
    "慢性支气管炎": ("serious_illness", "慢性阻塞性肺疾病急性加重,肺功能重度损害"),
    "腰椎间盘突出": ("unable_to_self_care", "腰椎间盘突出症术后双下肢功能障碍,生活不能自理"),
}
HOSPITAL = "湖北省人民政府指定医院(湖北省监狱管理局中心医院)"

SECTION_REJECTIONS = (
    "计分考核材料与原始记录不一致,需监区核实后重新呈报",
    "该犯财产性判项履行情况未核实清楚,暂不提请",
    "提请材料不齐全,缺少监区集体研究记录",
    "该犯近期改造表现有反复,建议继续考察",
)
CENTRE_REJECTIONS = (
    "悔改表现的证据不够充分,建议监区补充材料后再行提请",
    "建议幅度与其改造表现不相称,不同意按此幅度提请",
    "奖励依据的加分材料存在疑点,须进一步核查",
)
COMMITTEE_REJECTIONS = (
    "经评审委员会集体评议,认为该犯改造表现尚需进一步考察,不同意提请",
    "经评议,该犯属从严掌握对象,本次不予提请",
)
DIRECTOR_REJECTIONS = (
    "经监狱长办公会研究,公示期间反映的问题经核查部分属实,本次不予提请",
    "经监狱长办公会研究,该犯现实改造表现尚需考察,不同意提请",
)
BUREAU_REJECTIONS = (
    "经省局审核,病情尚未达到《保外就医严重疾病范围》规定的程度,不予批准",
    "经省局审核,保证人条件不符合规定,不予批准",
)
WITHDRAWALS = (
    "监区复核发现计分统计有误,撤回本次提请",
    "该犯提请后违反监规,经监区集体研究撤回提请",
    "提请材料需补充完善,撤回后重新呈报",
)
OBJECTIONS = (
    ("同监区罪犯", "反映该犯在劳动中曾有消极怠工情况,对其获得表扬有异议"),
    ("罪犯家属(被害人一方)", "对该犯财产性判项履行情况提出异议"),
    ("匿名", "反映该犯加分事由与实际情况不符"),
    ("同监区罪犯", "认为该犯计分考核加分偏多,要求复核"),
)
OBJECTION_ANSWERS = (
    "经调阅考核原始记录、询问监区民警及有关罪犯核查,反映问题不属实,已向反映人答复",
    "经核查,该犯财产性判项已按能力履行,有关材料已附卷,已向反映人说明",
    "经复核计分台账,加分均有事实依据和审批手续,反映问题不属实",
)
DISPOSITIONS = {
    "points_surge": "经核查计分台账及原始考核记录,加分事由真实、审批手续完备,未发现人为抬高计分",
    "concentrated_additions": "经调阅加分呈报材料并询问相关民警,加分均有事实依据,已提醒集体评议",
    "invention_merit": "经向国家知识产权局查询并组织技术鉴定,专利系该犯本人独立完成,来源合法",
    "special_category": "属从严掌握类别,已核对起始时间、间隔和幅度,均符合从严规定",
    "lighter_job": "经核查,岗位调整系因身体原因经医院诊断后调整,手续齐全,与提请无关",
    "amount_above_usual": "经复核,该犯确有突出改造表现,建议幅度有相应事实依据",
    "property_unfulfilled": "已核实财产性判项履行情况,履行能力证明材料已附卷,幅度已从严掌握",
}

_ONE_DAY = dt.timedelta(days=1)
_THREE_DAYS = dt.timedelta(days=3)
_DECIMALS: dict[int, Decimal] = {}


def _tenths(value: int) -> Decimal:
    found = _DECIMALS.get(value)
    if found is None:
        found = _DECIMALS[value] = Decimal(value).scaleb(-1)
    return found


def _month_index(day: dt.date) -> int:
    return day.year * 12 + day.month - 1


def _month_of(index: int) -> dt.date:
    return dt.date(index // 12, index % 12 + 1, 1)


def _between(days: Sequence[dt.date], first: dt.date, last: dt.date) -> int:
    """How many of the sorted ``days`` lie in ``[first, last]``."""
    return bisect.bisect_right(days, last) - bisect.bisect_left(days, first)


# ---------------------------------------------------------------------------------------------
# Inputs: plain data, from the database or from the other generators' pure plans


@dataclass(frozen=True, slots=True)
class Slot:
    """A login that acts on cases. ``key``: ``P02/penalty/0``, ``P02-D03/district``,
    ``bureau``; ``existing``: a demo user of the org generator (not created here)."""

    key: str
    username: str
    role: str
    scope: str  # unit code
    prison: str
    officer_pk: int | None = None
    officer_path: str = ""
    officer_kind: str = ""
    existing: bool = False


@dataclass(frozen=True, slots=True)
class PrisonIn:
    code: str
    name: str
    court: tuple[str, str]  # the intermediate court that rules on its fixed terms, its code


@dataclass(slots=True, eq=False)
class PrisonerIn:
    pk: int
    prison: str
    unit_pk: int
    unit_path: str
    district: str  # code of the district (监区) the custody unit is or belongs to
    number: str
    name: str
    gender: str
    birth_date: dt.date
    health: str
    sentence_type: str
    term_years: int
    admitted_on: dt.date
    sentence: engine.Sentence
    categories: tuple[str, ...]  # as Prisoner.engine_categories()
    cats: frozenset[rules.Category]
    outstanding: Decimal
    changes: list  # the SentenceChange rows (or plans), by ruling date
    reductions: tuple[engine.Reduction, ...]
    change_dates: list[dt.date]
    commendations: list[dt.date]
    merits: list[dt.date]
    major_merits: list[dt.date]
    inventions: list[dt.date]
    serious: list[dt.date]
    ledger_first: int | None  # month index of the ledger's first month
    points: array  # net tenths of a point per month from ``ledger_first``
    additions: list[tuple[int, int, int]]  # live additions: (month index, officer, tenths)
    awards: list[tuple[dt.date, int]]  # points or rewards by a reviewer's officer
    jobs: tuple[tuple[dt.date, int, int], ...]  # (day, old intensity, new intensity)
    row: Any = None  # the Prisoner row (database) or PrisonerPlan (pure)

    @property
    def execution_start(self) -> dt.date:
        return self.sentence.execution_start


@dataclass
class World:
    scale: str
    today: dt.date
    prisons: list[PrisonIn]
    prisoners: list[PrisonerIn]
    slots: dict[str, Slot]
    officer_labels: dict[int, str]  # officer pk → "name(police number)"
    patterns: dict[str, set[int]] = field(default_factory=dict)
    commendations_needed: int = 2
    rulesets: tuple[RuleSet, ...] = (DEFAULT_RULESET,)  # oldest first
    calendar: dict[dt.date, bool] = field(default_factory=dict)  # WorkCalendarDay exceptions


def _categories(row) -> tuple[str, ...]:
    """``Prisoner.engine_categories`` for a row or a plan (a plan's is a set)."""
    known = set(rules.Category)
    found = [c for c in row.categories if c in known]
    if row.is_recidivist and "recidivist" not in found:
        found.append("recidivist")
    if row.property_able_unfulfilled and "property_unfulfilled" not in found:
        found.append("property_unfulfilled")
    return tuple(found)


def _prisoner_in(
    row,
    *,
    pk: int,
    prison: str,
    unit: tuple[int, str],
    district: str,
    changes: list,
    rewards: Iterable[tuple[str, dt.date, bool, int | None]],
    serious: Iterable[dt.date],
    months: dict[int, int],
    additions: list[tuple[int, int, int]],
    awards: list[tuple[dt.date, int]],
    jobs: list[tuple[dt.date, int]],
) -> PrisonerIn:
    categories = _categories(row)
    commendations, merits, majors, inventions = [], [], [], []
    for kind, day, invention, _officer in rewards:
        if kind == "commendation":
            commendations.append(day)
        elif kind in ("merit", "major_merit"):
            (merits if kind == "merit" else majors).append(day)
            if invention:
                inventions.append(day)
    first = min(months) if months else None
    points = array("i", [months.get(i, 0) for i in range(first, max(months) + 1)] if months else [])
    changes = sorted(changes, key=lambda c: c.ruling_date)
    outstanding = Decimal(row.property_amount) - Decimal(row.property_paid)
    return PrisonerIn(
        pk=pk,
        prison=prison,
        unit_pk=unit[0],
        unit_path=unit[1],
        district=district,
        number=row.number,
        name=row.name,
        gender=row.gender,
        birth_date=row.birth_date,
        health=row.health or "",
        sentence_type=row.sentence_type,
        term_years=row.term_years,
        admitted_on=row.admitted_on,
        sentence=engine.Sentence(
            rules.SentenceType(row.sentence_type),
            row.execution_start,
            row.term_years,
            row.term_months,
            row.detention_days,
            row.restricted_reduction,
        ),
        categories=categories,
        cats=frozenset(rules.Category(c) for c in categories),
        outstanding=outstanding if outstanding > 0 else Decimal(0),
        changes=changes,
        reductions=tuple(
            engine.Reduction(
                c.ruling_date,
                rules.ReductionKind(c.kind),
                c.months if c.kind == "reduction" else 0,
                c.to_years if c.kind == "commutation" else None,
            )
            for c in changes
        ),
        change_dates=[c.ruling_date for c in changes],
        commendations=sorted(commendations),
        merits=sorted(merits),
        major_merits=sorted(majors),
        inventions=sorted(inventions),
        serious=sorted(serious),
        ledger_first=first,
        points=points,
        additions=sorted(additions),
        awards=sorted(awards),
        jobs=tuple((new[0], old[1], new[1]) for old, new in itertools.pairwise(jobs)),
        row=row,
    )


# --- Staff ---------------------------------------------------------------------------------

# Slots of P01 held by the org generator's demo users.
DEMO_SLOT_USERS = {
    "P01-D01/district": "district",
    "P01/penalty/0": "penalty",
    "P01/penalty/1": "penalty2",
    "P01/reviewer/0": "reviewer",
    "P01/reviewer/1": "reviewer2",
    "P01/reviewer/2": "reviewer3",
    "P01/committee": "committee",
    "P01/warden": "warden",
    "bureau": "bureau_penalty",
}
# Where each slot's officer comes from: (unit code suffixes, preferred posts).
STAFF_SOURCES: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "penalty": (("XFZX",), ("科员", "主任科员", "民警", "副科长")),
    "reviewer/0": (("PSZX",), ("主任", "副主任", "主任科员", "科员")),
    "reviewer/1": (("YZGL", "JYGZ"), ("科长", "副科长", "科员")),
    "reviewer/2": (("ZZC", "LDGZ"), ("副主任", "主任", "科员")),
    "committee": (("JW", "BGS"), ("纪委书记", "纪委副书记", "主任")),
    "warden": (("",), ("监狱长", "政委", "副监狱长")),
}
DISTRICT_POSTS = ("民警", "副监区长", "分监区长", "监区长")


def plan_staff(
    units: Sequence[tuple[int, str, str, int | None, str]],
    officers: Sequence[tuple[int, int, str]],
    taken: set[int],
    demo_users: dict[str, int | None],
) -> dict[str, Slot]:
    """The logins that act on cases (pure). ``units``: (pk, code, kind, parent pk, path);
    ``officers``: (pk, unit pk, post); ``taken``: officers that already have a login;
    ``demo_users``: username → officer pk of the org generator's users (P01's slots use them)."""
    unit_by_pk = {u[0]: u for u in units}
    by_code = {u[1]: u for u in units}
    staff: dict[int, list[tuple[int, str]]] = defaultdict(list)
    for pk, unit_pk, post in officers:
        staff[unit_pk].append((pk, post))
    taken = set(taken)
    slots: dict[str, Slot] = {}

    def pick(unit_codes: Sequence[str], posts: Sequence[str], prison_path: str) -> int | None:
        pools = [[o for code in unit_codes if code in by_code for o in staff[by_code[code][0]]]]
        # Fallbacks: any department of the prison, then anyone in the prison.
        pools.append(
            [
                o
                for u in units
                if u[4].startswith(prison_path) and u[2] == "department"
                for o in staff[u[0]]
            ]
        )
        pools.append([o for u in units if u[4].startswith(prison_path) for o in staff[u[0]]])
        for pool in pools:
            free = [o for o in pool if o[0] not in taken]
            for post in posts:
                for pk, officer_post in free:
                    if officer_post == post:
                        taken.add(pk)
                        return pk
            if free:
                taken.add(free[0][0])
                return free[0][0]
        return None

    def add(key: str, role: str, scope: str, prison: str, username: str, officer: int | None):
        existing = key in DEMO_SLOT_USERS and DEMO_SLOT_USERS[key] in demo_users
        if existing:
            username = DEMO_SLOT_USERS[key]
            officer = demo_users[username]
        unit = unit_by_pk.get(officer_units.get(officer)) if officer else None
        slots[key] = Slot(
            key,
            username,
            role,
            scope,
            prison,
            officer,
            unit[4] if unit else "",
            unit[2] if unit else "",
            existing,
        )

    officer_units = {pk: unit_pk for pk, unit_pk, _ in officers}
    taken |= {pk for pk in demo_users.values() if pk}
    for prison in (u for u in units if u[2] == "prison"):
        code, path = prison[1], prison[4]
        lower = code.lower()
        for role_key, role in (
            ("penalty", "penalty_officer"),
            ("reviewer", "reviewer"),
            ("committee", "review_committee"),
            ("warden", "warden"),
        ):
            count = {"penalty": PENALTY_OFFICERS, "reviewer": REVIEWERS}.get(role_key, 1)
            for index in range(count):
                key = f"{code}/{role_key}/{index}" if count > 1 else f"{code}/{role_key}"
                source = STAFF_SOURCES.get(f"{role_key}/{index}") or STAFF_SOURCES[role_key]
                officer = None
                if not (key in DEMO_SLOT_USERS and DEMO_SLOT_USERS[key] in demo_users):
                    officer = pick(
                        [f"{code}-{s}" if s else code for s in source[0]], source[1], path
                    )
                suffix = f"{index + 1}" if count > 1 else ""
                add(key, role, code, code, f"{lower}_{role_key}{suffix}", officer)
        districts = [u for u in units if u[2] == "district" and u[3] == prison[0]]
        for district in districts:
            key = f"{district[1]}/district"
            officer = None
            if not (key in DEMO_SLOT_USERS and DEMO_SLOT_USERS[key] in demo_users):
                subtree = [u[1] for u in units if u[4].startswith(district[4])]
                officer = pick(subtree, DISTRICT_POSTS, district[4])
            number = district[1].rsplit("-D", 1)[-1]
            add(key, "district_officer", district[1], code, f"{lower}_district{number}", officer)
    add("bureau", "bureau_penalty", "HBJ", "", "bureau_penalty", None)
    return slots


# --- Worlds --------------------------------------------------------------------------------


def _prisons(units: Iterable[tuple[int, str, str, int | None, str]]) -> list[PrisonIn]:
    info = {code: (name, city) for code, name, city, _ in PRISONS}
    prisons = []
    for u in units:
        if u[2] != "prison":
            continue
        name, city = info.get(u[1], (u[1], "武汉市"))
        court = HANJIANG if "沙洋" in name else COURTS.get(city, COURTS["武汉市"])[:2]
        prisons.append(PrisonIn(u[1], name, (court[0], court[1])))
    return prisons


def _locate(units: Sequence[tuple[int, str, str, int | None, str]]):
    """custody unit pk → (prison code, district code, unit path)."""
    by_pk = {u[0]: u for u in units}
    prisons = [u for u in units if u[2] == "prison"]

    def locate(unit_pk: int) -> tuple[str, str, str]:
        unit = by_pk[unit_pk]
        district = by_pk[unit[3]] if unit[2] == "subdistrict" else unit
        prison = next(p for p in prisons if unit[4].startswith(p[4]))
        return prison[1], district[1], unit[4]

    return locate


def world_from_plans(scale: str, today: dt.date, org_plan, prison_plans) -> World:
    """The inputs from the org and prisoners generators' pure plans (no database): keys are
    the ones the writers would give (officers 1, 2, … in plan order; prisoners as planned)."""
    units = [(u.pk, u.code, str(u.kind), u.parent_pk, u.path) for u in org_plan.units]
    officers = [(i + 1, o.unit_pk, o.post) for i, o in enumerate(org_plan.officers)]
    slots = plan_staff(units, officers, set(), {})
    watched = {s.officer_pk for s in slots.values() if s.role == "reviewer" and s.officer_pk}
    locate = _locate(units)
    prisoners = []
    patterns: dict[str, set[int]] = defaultdict(set)
    for plan in prison_plans:
        for key, pks in plan.patterns.items():
            patterns[key].update(pks)
        for p in plan.prisoners:
            reversed_entries = {id(e[10]) for e in p.entries if e[10] is not None}
            months: dict[int, int] = defaultdict(int)
            additions, awards = [], []
            for e in p.entries:
                index = _month_index(e[1])
                months[index] += e[6]
                if e[2] == "addition" and id(e) not in reversed_entries and e[9] is not None:
                    additions.append((index, e[9], e[6]))
                if e[9] in watched:
                    awards.append((e[1], e[9]))
            rewards = [("commendation", day, False, None) for day, _ in p.commendations]
            rewards += [(r[0], r[1], r[4], r[5]) for r in p.rewards]
            awards += [(r[1], r[5]) for r in p.rewards if r[5] in watched]
            prison, district, path = locate(p.unit_pk)
            prisoners.append(
                _prisoner_in(
                    p,
                    pk=p.pk,
                    prison=prison,
                    unit=(p.unit_pk, path),
                    district=district,
                    changes=list(p.changes),
                    rewards=rewards,
                    serious=[v[1] for v in p.violations if v[0] == "serious"],
                    months=dict(months),
                    additions=additions,
                    awards=awards,
                    jobs=sorted(((j[2], j[1]) for j in p.jobs), key=lambda j: j[0]),
                )
            )
    labels = {i + 1: f"{o.name}({o.police_number})" for i, o in enumerate(org_plan.officers)}
    return World(scale, today, _prisons(units), prisoners, slots, labels, dict(patterns))


def world_from_ctx(ctx: SeedContext) -> World:
    """The inputs from what the org and prisoners generators left in ``ctx.data``, and the
    conduct ledgers read back with a few plain queries."""
    from django.db import connection

    from tongxin.org.models import User
    from tongxin.prisoners.models import (
        JobAssignment,
        PointsEntry,
        PointsSetting,
        Reward,
        Violation,
    )

    from .models import RuleSetVersion, WorkCalendarDay

    units = [(u.pk, u.code, str(u.kind), u.parent_id, u.path) for u in ctx.data["units"]]
    officers = ctx.data["officers"]
    users = ctx.data["users"]
    taken = set(User.objects.filter(officer__isnull=False).values_list("officer_id", flat=True))
    slots = plan_staff(
        units,
        [(o.pk, o.unit_id, o.post) for o in officers],
        taken,
        {name: user.officer_id for name, user in users.items()},
    )
    watched = {s.officer_pk for s in slots.values() if s.role == "reviewer" and s.officer_pk}
    quote = connection.ops.quote_name

    def rows(model, columns: str, where: str = "", params: Sequence = ()) -> list[tuple]:
        sql = f"SELECT {columns} FROM {quote(model._meta.db_table)} {where}"
        with connection.cursor() as cursor:
            cursor.execute(sql, list(params))
            return cursor.fetchall()

    def as_date(value) -> dt.date:
        return value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value)[:10])

    def tenths(value) -> int:
        return round(float(value) * 10)

    def live(found: list[tuple]) -> list[tuple]:
        """Rows (…, id, reverses_id) neither revoked nor revocations."""
        revoked = {r[-1] for r in found if r[-1] is not None}
        return [r for r in found if r[-1] is None and r[-2] not in revoked]

    months: dict[int, dict[int, int]] = defaultdict(dict)
    for pid, month, total in rows(
        PointsEntry, "prisoner_id, month, SUM(points)", "GROUP BY prisoner_id, month"
    ):
        months[pid][_month_index(as_date(month))] = tenths(total)
    additions: dict[int, list] = defaultdict(list)
    for pid, month, points, officer, _id, _rev in live(
        rows(
            PointsEntry,
            "prisoner_id, month, points, officer_id, id, reverses_id",
            "WHERE kind IN (%s, %s)",
            ("addition", "reversal"),
        )
    ):
        if officer is not None:
            additions[pid].append((_month_index(as_date(month)), officer, tenths(points)))
    awards: dict[int, list] = defaultdict(list)
    if watched:
        marks = ", ".join(["%s"] * len(watched))
        for pid, month, officer in rows(
            PointsEntry,
            "prisoner_id, month, officer_id",
            f"WHERE officer_id IN ({marks})",
            sorted(watched),
        ):
            awards[pid].append((as_date(month), officer))
    rewards: dict[int, list] = defaultdict(list)
    for pid, kind, day, invention, officer, _id, _rev in live(
        rows(
            Reward, "prisoner_id, kind, awarded_on, rests_on_invention, officer_id, id, reverses_id"
        )
    ):
        rewards[pid].append((kind, as_date(day), bool(invention), officer))
        if officer in watched:
            awards[pid].append((as_date(day), officer))
    serious: dict[int, list] = defaultdict(list)
    for pid, severity, day, _id, _rev in live(
        rows(Violation, "prisoner_id, severity, occurred_on, id, reverses_id")
    ):
        if severity == "serious":
            serious[pid].append(as_date(day))
    jobs: dict[int, list] = defaultdict(list)
    for pid, day, intensity in rows(
        JobAssignment, "prisoner_id, started_on, intensity", "ORDER BY prisoner_id, started_on, id"
    ):
        jobs[pid].append((as_date(day), intensity))

    locate = _locate(units)
    changes = ctx.data["prisoner_changes"]
    prisoners = []
    for row in ctx.data["prisoners"]:
        prison, district, path = locate(row.unit_id)
        prisoners.append(
            _prisoner_in(
                row,
                pk=row.pk,
                prison=prison,
                unit=(row.unit_id, path),
                district=district,
                changes=list(changes.get(row.pk, ())),
                rewards=rewards.get(row.pk, ()),
                serious=serious.get(row.pk, ()),
                months=months.get(row.pk, {}),
                additions=additions.get(row.pk, []),
                awards=awards.get(row.pk, []),
                jobs=jobs.get(row.pk, []),
            )
        )
    setting = PointsSetting.objects.first()
    rulesets = tuple(
        RuleSet.from_dict(numbers)
        for numbers in RuleSetVersion.objects.filter(is_active=True)
        .order_by("effective_from", "id")
        .values_list("numbers", flat=True)
    )
    return World(
        ctx.scale,
        ctx.today,
        _prisons(units),
        prisoners,
        slots,
        {o.pk: f"{o.name}({o.police_number})" for o in officers},
        {k: set(v) for k, v in ctx.data.get("prisoner_patterns", {}).items()},
        setting.commendations_for_repentance if setting else 2,
        rulesets or (DEFAULT_RULESET,),
        dict(WorkCalendarDay.objects.values_list("day", "is_working")),
    )


# ---------------------------------------------------------------------------------------------
# The plan


@dataclass(slots=True, eq=False)
class StepPlan:
    code: str
    decision: str
    from_status: str
    to_status: str
    actor: str  # slot key
    at: dt.datetime  # naive, local time
    opinion: str


@dataclass(slots=True, eq=False)
class ReviewerPlan:
    slot: str
    assigned_at: dt.datetime
    excluded: list[tuple[str, str]]  # (slot, why) of reviewers in scope not drawn
    decision: str = ""
    opinion: str = ""
    decided_at: dt.datetime | None = None


@dataclass(slots=True, eq=False)
class AlertPlan:
    kind: str
    detail: str
    raised_at: dt.datetime
    disposition: str = ""
    disposed_by: str | None = None
    disposed_at: dt.datetime | None = None


@dataclass(slots=True, eq=False)
class ObjectionPlan:
    received_on: dt.date
    objector: str
    content: str
    recorded_by: str
    answer: str = ""
    answered_by: str | None = None
    answered_on: dt.date | None = None


@dataclass(slots=True, eq=False)
class CasePlan:
    kind: str
    prisoner: PrisonerIn
    prefix: int  # the prisoner's sentence changes before the proposal
    proposed_on: dt.date
    merit: str | None
    merit_basis: str
    proposed_months: int | None
    proposed_to_years: int | None
    grounds: dict[str, bool]
    status: str = "proposed"
    outcome: str = ""
    reasons: str = ""
    risk_assessment: str = ""
    medical_assessment: str = ""
    verdict_on: dt.date | None = None
    notice_start: dt.date | None = None
    notice_end: dt.date | None = None
    submitted_on: dt.date | None = None
    submitted_to: str = ""
    ruling_date: dt.date | None = None
    ruling_months: int | None = None
    ruling_to_years: int | None = None
    ruling_number: str = ""
    closed_on: dt.date | None = None
    change: Any = None  # the SentenceChange this case's ruling is
    proposer: str = ""
    clerk: str = ""
    steps: list[StepPlan] = field(default_factory=list)
    reviewers: list[ReviewerPlan] = field(default_factory=list)
    alerts: list[AlertPlan] = field(default_factory=list)
    objections: list[ObjectionPlan] = field(default_factory=list)
    number: str = ""

    @property
    def open(self) -> bool:
        return self.status != "closed"


@dataclass
class Plan:
    cases: list[CasePlan]
    unlinked: Counter  # why a seeded ruling has no case: pre_platform, target, law
    released: dict[int, str]  # prisoner pk → new custody status (granted parole, temporary)
    ready: list[int]  # prisoners of DEMO_DISTRICT kept free and eligible today
    slots: dict[str, Slot]


@dataclass(slots=True)
class _Timeline:
    days: list[dt.date]
    notice: tuple[dt.date, dt.date] | None = None
    ruling: dt.date | None = None


class _Planner:
    def __init__(self, world: World, rng: random.Random) -> None:
        self.w = world
        self.rng = rng
        self.today = world.today
        self.month_start = world.today.replace(day=1)
        self.is_working = workflow.weekday_calendar(world.calendar)
        self.next_working: dict[dt.date, dt.date] = {}
        self.cases: list[CasePlan] = []
        self.busy: dict[int, list[tuple[dt.date, dt.date]]] = defaultdict(list)
        self.open_for: set[int] = set()
        self.released: dict[int, str] = {}
        self.ready: list[int] = []
        self.unlinked: Counter[str] = Counter()
        self.by_prison: dict[str, list[PrisonerIn]] = defaultdict(list)
        for p in world.prisoners:
            self.by_prison[p.prison].append(p)
        self.prisons = {p.code: p for p in world.prisons}
        self.reviewers: dict[str, list[Slot]] = {
            prison.code: [world.slots[f"{prison.code}/reviewer/{i}"] for i in range(REVIEWERS)]
            for prison in world.prisons
        }

    # --- small helpers ---------------------------------------------------------------------

    def tri(self, spec: tuple[int, int, int]) -> int:
        low, mode, high = spec
        return round(self.rng.triangular(low, high, mode))

    def working(self, day: dt.date) -> dt.date:
        """``day`` or the first working day after it."""
        found = self.next_working.get(day)
        if found is None:
            found = day
            while not self.is_working(found):
                found += _ONE_DAY
            self.next_working[day] = found
        return found

    def working_before(self, day: dt.date) -> dt.date:
        while not self.is_working(day):
            day -= _ONE_DAY
        return day

    def ruleset(self, day: dt.date) -> RuleSet:
        found = DEFAULT_RULESET
        for ruleset in self.w.rulesets:
            if ruleset.effective_from <= day:
                found = ruleset
        return found

    def free(self, p: PrisonerIn, first: dt.date, last: dt.date) -> bool:
        if p.pk in self.released:
            return False
        return all(end < first or start > last for start, end in self.busy[p.pk])

    def occupy(self, p: PrisonerIn, first: dt.date, last: dt.date) -> None:
        self.busy[p.pk].append((first, last))

    # --- the law -----------------------------------------------------------------------------

    def merit_at(
        self, p: PrisonerIn, day: dt.date, *, strict: bool = False, explain: bool = True
    ) -> tuple[str | None, str]:
        """The merit level the conduct record supports on ``day`` and its explanation, as
        ``prisoners.selectors.merit_of`` reads it then. Unless ``strict``, a window that began
        before the prisoner's points ledger is taken to hold the commendations the paper
        records before the ledger show (the ledger has none of them)."""
        k = bisect.bisect_left(p.change_dates, day)
        start = p.change_dates[k - 1] if k else p.execution_start
        points = 0
        if p.ledger_first is not None:
            low = max(_month_index(start) - p.ledger_first, 0)
            high = min(_month_index(day) - p.ledger_first + 1, len(p.points))
            points = sum(p.points[low:high]) if high > low else 0
        window = conduct.ConductWindow(
            start=start,
            commendations=_between(p.commendations, start, day),
            merits=_between(p.merits, start, day),
            major_merits=_between(p.major_merits, start, day),
            serious_violations=_between(p.serious, start, day),
            points=_tenths(points),
        )
        needed = self.w.commendations_needed
        # As a case carries it (``merit_of(public=True)``).
        basis = conduct.merit_explanation(window) if explain else ""
        ledger_start = _month_of(p.ledger_first) if p.ledger_first is not None else day
        if not strict and start < ledger_start and window.commendations < needed:
            level = conduct.merit_level(
                replace(window, commendations=needed), commendations_for_repentance=needed
            )
            if level and explain:
                basis += f";平台计分台账自{ledger_start:%Y-%m-%d}起,此前的表扬见纸质考核档案"
            return level, basis
        return conduct.merit_level(window, commendations_for_repentance=needed), basis

    def assess(self, p: PrisonerIn, day: dt.date, merit: str | None, k: int):
        facts = engine.CaseFacts(
            p.number,
            p.sentence,
            rules.Merit(merit) if merit else judge.NO_MERIT,
            p.cats,
            p.reductions[:k],
        )
        return engine.assess(facts, day, self.ruleset(day))

    def temporary_ok(self, p: PrisonerIn, k: int, grounds: dict[str, bool]) -> bool:
        facts = engine.CaseFacts(p.number, p.sentence, judge.NO_MERIT, p.cats, p.reductions[:k])
        conditions = engine.TemporaryConditions(**judge.temporary_grounds(grounds))
        return engine.temporary_execution(facts, conditions).applicable

    @staticmethod
    def lawful(kind: str, assessment, months: int | None, to_years: int | None) -> bool:
        """What ``services._law_problems`` accepts (reduction and parole)."""
        if kind == "parole":
            return assessment.parole.eligible
        decision = assessment.reduction
        if not decision.eligible:
            return False
        if decision.commute_to is engine.CommuteTo.LIFE:
            return months is None and to_years is None
        if decision.commute_to_years:
            low, high = decision.commute_to_years
            return to_years is not None and low <= to_years <= high
        return bool(months) and months <= decision.max_months

    def amount(self, p: PrisonerIn, decision, merit: str) -> tuple[int | None, int | None]:
        """A proposed amount as districts propose them, within the legal maximum."""
        if decision.commute_to is engine.CommuteTo.LIFE:
            return None, None
        if decision.commute_to_years:
            low, high = decision.commute_to_years
            return None, high if self.rng.random() < 0.7 else low
        if "meritorious" in merit:
            months = self.rng.choice((9, 10, 11, 12, 12))
        elif p.cats & rules.STRICT_LONG_CATEGORIES:
            months = self.rng.choices((4, 5, 6, 7, 8, 9), (2, 3, 4, 2, 1, 1))[0]
        else:
            months = self.rng.choices((4, 5, 6, 7, 8, 9), (1, 2, 4, 4, 4, 3))[0]
        return min(months, decision.max_months), None

    def grounds(self, p: PrisonerIn, day: dt.date) -> tuple[dict[str, bool], str] | None:
        """Temporary-execution grounds the prisoner's record supports, with the hospital's
        finding; ``None`` when it supports none."""
        found = ILLNESS.get(p.health)
        if found:
            return {found[0]: True}, f"经{HOSPITAL}诊断:{found[1]}。"
        age = (day - p.birth_date).days // 365
        if p.gender == "F" and age < 38 and p.pk % 7 == 0:
            return {"pregnant_or_nursing": True}, "经监狱医院检查,该犯系正在哺乳自己婴儿的妇女。"
        return None

    # --- the calendar ------------------------------------------------------------------------

    def path(self, kind: str, end: str) -> list[tuple[str, str]]:
        """The steps of a case (``propose`` first) that ends at ``end``: ``granted``,
        ``court`` (refused by the court), ``bureau`` (not approved), a rejectable step,
        ``withdraw``, or an open status."""
        full = list(BUREAU_PATH if kind == "temporary" else COURT_PATH)
        if end == "withdraw":
            return [("propose", "approve"), ("withdraw", "reject")]
        if end == "granted":
            return [(code, "approve") for code in full]
        if end in ("court", "bureau"):
            return [(code, "approve") for code in full[:-1]] + [(full[-1], "reject")]
        if end in workflow.REJECTABLE:
            index = full.index(end)
            return [(code, "approve") for code in full[:index]] + [(end, "reject")]
        reached = {
            "proposed": 1,
            "section_reviewed": 2,
            "centre_reviewed": 4,
            "committee_approved": 5,
            "in_notice": 6,
            "notice_closed": 7,
            "director_approved": 8,
            "submitted": 9,
            "submitted_to_bureau": 9,
        }[end]
        return [(code, "approve") for code in full[:reached]]

    def gaps(self, path: list[tuple[str, str]]) -> list[int]:
        found, seen_centre = [0], False
        for code, _ in path[1:]:
            key = code
            if code == "centre_review":
                key = "centre_review2" if seen_centre else code
                seen_centre = True
            found.append(self.tri(GAPS[key]))
        return found

    def schedule(
        self,
        start: dt.date,
        path: list[tuple[str, str]],
        gaps: list[int],
        *,
        court: int = 0,
        ruling: dt.date | None = None,
        factor: float = 1.0,
    ) -> _Timeline:
        day = self.working(start)
        line = _Timeline([day])
        seen_centre = False
        for (code, _), gap in zip(path[1:], gaps[1:], strict=True):
            low = MIN_GAPS.get(
                "centre_review2" if code == "centre_review" and seen_centre else code, 1
            )
            seen_centre |= code == "centre_review"
            gap = max(low, round(gap * factor)) if code != "record_ruling" else gap
            if code == "publish_notice":
                day = self.working(day + gap * _ONE_DAY)
                end = workflow.working_days_after(
                    day, workflow.NOTICE_WORKING_DAYS, self.is_working
                )
                line.notice = (day, end)
            elif code == "close_notice":
                day = self.working(line.notice[1] + gap * _ONE_DAY)
            elif code == "record_ruling":
                line.ruling = ruling or self.working(day + court * _ONE_DAY)
                day = min(self.working(line.ruling + gap * _ONE_DAY), max(self.today, line.ruling))
            else:
                day = self.working(day + gap * _ONE_DAY)
            line.days.append(day)
        return line

    def stamps(self, days: list[dt.date]) -> list[dt.datetime]:
        """A time of day for each step, later than the step before on the same day."""
        found: list[dt.datetime] = []
        for day in days:
            at = dt.datetime.combine(day, dt.time(8, 30)) + dt.timedelta(
                minutes=self.rng.randrange(0, 9 * 60)
            )
            if found and at <= found[-1]:
                at = found[-1] + dt.timedelta(minutes=self.rng.randint(3, 40))
            found.append(at)
        return found

    # --- building a case -----------------------------------------------------------------------

    def draw_reviewers(
        self, p: PrisonerIn, day: dt.date
    ) -> tuple[list[Slot], list[tuple[str, str]]] | None:
        """Two reviewers drawn among the prison's, as ``services.eligible_reviewers`` would
        exclude them on ``day``; ``None`` when fewer than two remain."""
        since = day - dt.timedelta(days=CONFLICT_DAYS)
        awarding = {o for d, o in p.awards if since.replace(day=1) <= d <= day}
        eligible, excluded = [], []
        for slot in self.reviewers[p.prison]:
            why = []
            if slot.officer_pk and slot.officer_pk in awarding:
                why.append("近12个月曾为该犯考核计分或呈报奖励")
            if slot.officer_path and (
                slot.officer_path.startswith(p.unit_path)
                or (
                    slot.officer_kind in ("district", "subdistrict")
                    and p.unit_path.startswith(slot.officer_path)
                )
            ):
                why.append("与该犯同一监区任职")
            if why:
                excluded.append((slot.key, "、".join(why)))
            else:
                eligible.append(slot)
        if len(eligible) < REVIEWERS_PER_CASE:
            return None
        return self.rng.sample(eligible, REVIEWERS_PER_CASE), excluded

    def build(
        self,
        case: CasePlan,
        path: list[tuple[str, str]],
        line: _Timeline,
        *,
        objection: bool = False,
    ) -> CasePlan | None:
        """Steps, actors, notice, objections and ruling fields of ``case`` along ``path``."""
        rng = self.rng
        p = case.prisoner
        prison = p.prison
        penalty = [f"{prison}/penalty/{i}" for i in range(PENALTY_OFFICERS)]
        first = rng.randrange(PENALTY_OFFICERS)
        decider, clerk = penalty[first], penalty[1 - first]
        case.proposer, case.clerk = f"{p.district}/district", clerk
        if case.proposer not in self.w.slots:
            return None
        times = self.stamps(line.days)
        drawn: list[Slot] = []
        status = "proposed"
        approvals = 0
        kind_label = {"reduction": "减刑", "parole": "假释", "temporary": "暂予监外执行"}[case.kind]
        for (code, decision), day, at in zip(path, line.days, times, strict=True):
            opinion = ""
            actor = ""
            source = status
            if code == "propose":
                source = ""  # as services.propose_case records it
                actor, opinion = case.proposer, case.reasons
            elif code == "withdraw":
                actor, opinion = case.proposer, rng.choice(WITHDRAWALS)
                status = "closed"
                case.outcome = "withdrawn"
            elif code == "section_review":
                actor = decider
                if decision == "approve":
                    opinion = f"经审查,该犯符合{kind_label}条件,提请材料齐全,同意提交评审中心评审。"
                    draw = self.draw_reviewers(p, day)
                    if draw is None:
                        return None
                    drawn, excluded = draw
                    case.reviewers = [ReviewerPlan(s.key, at, excluded) for s in drawn]
                else:
                    opinion = "经审查," + rng.choice(SECTION_REJECTIONS) + "。"
            elif code == "centre_review":
                reviewer = case.reviewers[approvals]
                actor = reviewer.slot
                if decision == "approve":
                    opinion = "经评审,事实清楚,证据确实充分,提请意见适当,同意。"
                    approvals += 1
                else:
                    opinion = "经评审," + rng.choice(CENTRE_REJECTIONS) + "。"
                reviewer.decision, reviewer.opinion, reviewer.decided_at = decision, opinion, at
            elif code == "committee":
                actor = f"{prison}/committee"
                opinion = (
                    f"经评审委员会集体评议,同意提请{kind_label},并予以公示。"
                    if decision == "approve"
                    else rng.choice(COMMITTEE_REJECTIONS) + "。"
                )
            elif code == "publish_notice":
                actor = clerk
                case.notice_start, case.notice_end = line.notice
                opinion = f"公示期{case.notice_start}至{case.notice_end}"
            elif code == "close_notice":
                actor = clerk
                opinion = f"公示期满,收到异议{len(case.objections)}件,均已答复"
            elif code == "director":
                actor = f"{prison}/warden"
                opinion = (
                    f"经监狱长办公会研究决定,同意提请{kind_label}。"
                    if decision == "approve"
                    else rng.choice(DIRECTOR_REJECTIONS) + "。"
                )
            elif code in ("submit_court", "submit_bureau"):
                actor = clerk
                case.submitted_on = day
                case.submitted_to = self.submitted_to(case)
                opinion = f"提请{case.submitted_to}"
            elif code == "record_ruling":
                actor = clerk
                case.ruling_date = line.ruling
                if decision == "approve":
                    partial = (case.ruling_months or 0) < (case.proposed_months or 0) or (
                        case.ruling_to_years or 0
                    ) > (case.proposed_to_years or case.ruling_to_years or 0)
                    case.outcome = "partly_granted" if partial else "granted"
                else:
                    case.outcome = "denied"
                    case.ruling_months = case.ruling_to_years = None
                if not case.ruling_number:
                    case.ruling_number = self.ruling_number(case)
                opinion = f"{case.ruling_number} {OUTCOME_LABELS[case.outcome]}"
                status = "closed"
            elif code == "bureau_approval":
                actor = "bureau"
                if decision == "approve":
                    opinion = "经审核,符合暂予监外执行条件,批准暂予监外执行。"
                    case.outcome = "granted"
                    case.ruling_date = day
                else:
                    opinion = rng.choice(BUREAU_REJECTIONS) + "。"
            if code not in ("propose", "withdraw", "record_ruling"):
                if decision == "reject":
                    status = "closed"
                    case.outcome = "rejected"
                elif code == "centre_review":
                    status = "centre_reviewed" if approvals == REVIEWERS_PER_CASE else status
                else:
                    status = workflow.BY_CODE[code].target
            case.steps.append(StepPlan(code, decision, source, status, actor, at, opinion))
            if code == "publish_notice" and objection:
                self.objection(case, line, clerk)
        case.status = status
        if status == "closed":
            case.closed_on = line.days[-1]
        case.verdict_on = case.submitted_on or case.proposed_on
        return case

    def objection(self, case: CasePlan, line: _Timeline, clerk: str) -> None:
        start, end = line.notice
        last = min(end, self.today)
        received = start + dt.timedelta(days=self.rng.randint(0, max((last - start).days, 0)))
        objector, content = self.rng.choice(OBJECTIONS)
        item = ObjectionPlan(received, objector, content, clerk)
        close = line.days[6] if len(line.days) > 6 else None  # the close_notice step
        if close is not None:
            answered = received + dt.timedelta(
                days=self.rng.randint(0, max((close - received).days - 1, 0))
            )
            item.answer, item.answered_by, item.answered_on = (
                self.rng.choice(OBJECTION_ANSWERS) + "。",
                clerk,
                min(answered, close),
            )
        elif received < self.today and self.rng.random() < 0.5:
            item.answer, item.answered_by, item.answered_on = (
                self.rng.choice(OBJECTION_ANSWERS) + "。",
                clerk,
                min(received + dt.timedelta(days=self.rng.randint(1, 3)), self.today),
            )
        case.objections.append(item)

    def submitted_to(self, case: CasePlan) -> str:
        if case.kind == "temporary":
            return SUBMITTED_TO_BUREAU
        p = case.prisoner
        commuted = any(c.to_years for c in p.changes[: case.prefix])
        if p.sentence_type != "fixed_term" and not commuted:
            return SUBMITTED_TO_HIGH
        return SUBMITTED_TO_COURT

    def ruling_number(self, case: CasePlan) -> str:
        year = case.ruling_date.year
        if case.submitted_to == SUBMITTED_TO_HIGH:
            return f"({year})鄂刑更{self.rng.randint(1, 3000)}号"
        code = self.prisons[case.prisoner.prison].court[1]
        return f"({year}){code}刑更{self.rng.randint(1, 9000)}号"

    def reasons(self, case: CasePlan) -> str:
        p = case.prisoner
        if case.kind == "temporary":
            return (
                f"罪犯{p.name}{case.medical_assessment}经监区集体研究,该犯符合暂予监外执行条件,"
                "暂予监外执行不致危害社会,建议暂予监外执行。"
            )
        conduct_text = (
            f"罪犯{p.name}在服刑期间能认罪悔罪,遵守法律法规及监规,接受教育改造,"
            f"积极参加思想、文化、职业技术教育和劳动。{case.merit_basis}。"
        )
        if case.kind == "parole":
            return (
                conduct_text
                + "经监区全体警察集体研究,认为该犯确有悔改表现,假释后没有再犯罪的危险,建议假释。"
            )
        if case.proposed_months:
            suggestion = f"建议减去有期徒刑{case.proposed_months}个月"
        elif case.proposed_to_years:
            suggestion = f"建议减为有期徒刑{case.proposed_to_years}年"
        else:
            suggestion = "建议减为无期徒刑"
        return conduct_text + f"经监区全体警察集体研究,{suggestion}。"

    def new_case(
        self,
        kind: str,
        p: PrisonerIn,
        day: dt.date,
        merit: str | None,
        basis: str,
        *,
        months: int | None = None,
        to_years: int | None = None,
        grounds: dict[str, bool] | None = None,
        medical: str = "",
    ) -> CasePlan:
        case = CasePlan(
            kind=kind,
            prisoner=p,
            prefix=bisect.bisect_left(p.change_dates, day),
            proposed_on=day,
            merit=merit,
            merit_basis=basis,
            proposed_months=months if kind == "reduction" else None,
            proposed_to_years=to_years if kind == "reduction" else None,
            grounds=judge.temporary_grounds(grounds or {}),
            medical_assessment=medical,
        )
        if kind == "parole":
            score = self.rng.randint(12, 28)
            case.risk_assessment = (
                f"经再犯罪危险评估,评估得分{score}分,再犯罪危险等级为低;"
                "居住地社区矫正机构调查评估意见为适宜社区矫正。"
            )
        case.reasons = self.reasons(case)
        return case

    # --- granted reductions: the seeded rulings --------------------------------------------------

    def link(self, p: PrisonerIn, index: int, lower: dt.date) -> CasePlan | str:
        """The granted reduction case whose ruling is ``p.changes[index]``, or why none."""
        rng = self.rng
        change = p.changes[index]
        ruling = change.ruling_date
        path = self.path("reduction", "granted")
        gaps = self.gaps(path)
        high = p.sentence_type != "fixed_term" and not any(c.to_years for c in p.changes[:index])
        court = self.tri(HIGH_COURT_DAYS if high else COURT_DAYS)
        trial = self.schedule(ruling - dt.timedelta(days=400), path, gaps, court=court)
        natural = ruling - dt.timedelta(days=court) - (trial.days[-2] - trial.days[0])
        if natural < PLATFORM_START:
            return "pre_platform"
        day = self.working(max(natural, lower, p.admitted_on + dt.timedelta(days=20)))
        latest = ruling - dt.timedelta(days=MIN_COURT_DAYS + 20)
        months = change.months if change.kind == "reduction" else None
        to_years = change.to_years if change.kind == "commutation" else None
        partly = rng.random() < PARTLY_SHARE
        for _ in range(40):
            if day > latest:
                return "law"
            merit, basis = self.merit_at(p, day)
            if merit is None:
                day = self.working(day + dt.timedelta(days=14))
                continue
            found = self.assess(p, day, merit, index)
            if not self.lawful("reduction", found, months, to_years):
                earliest = found.reduction.earliest_date
                later = earliest if earliest and earliest > day else day + dt.timedelta(days=7)
                day = self.working(later)
                continue
            line = None
            for factor in (1.0, 0.6, 0.3, 0.0):
                trial = self.schedule(day, path, gaps, ruling=ruling, factor=factor, court=court)
                if (ruling - trial.days[-2]).days >= MIN_COURT_DAYS:
                    line = trial
                    break
            if line is None:
                return "law"
            submitted = line.days[-2]
            proposed_months, proposed_to_years = months, to_years
            if partly and months:
                proposed_months = months + rng.randint(1, 3)
            elif partly and to_years:
                proposed_to_years = to_years - 1
            at_submit = self.assess(p, submitted, merit, index)
            at_ruling = self.assess(p, ruling, merit, index)
            if not (
                self.lawful("reduction", found, proposed_months, proposed_to_years)
                and self.lawful("reduction", at_submit, proposed_months, proposed_to_years)
            ):
                proposed_months, proposed_to_years = months, to_years
            if not (
                self.lawful("reduction", at_submit, proposed_months, proposed_to_years)
                and self.lawful("reduction", at_ruling, months, to_years)
            ):
                return "law"
            case = self.new_case(
                "reduction",
                p,
                day,
                merit,
                basis,
                months=proposed_months,
                to_years=proposed_to_years,
            )
            case.change = change
            case.ruling_months, case.ruling_to_years = months, to_years
            case.ruling_number = change.ruling_number
            built = self.build(case, path, line, objection=rng.random() < OBJECTION_SHARE)
            return built if built is not None else "law"
        return "law"

    def link_all(self) -> None:
        for p in self.w.prisoners:
            lower = PLATFORM_START
            for index, change in enumerate(p.changes):
                found = self.link(
                    p, index, max(lower, (p.change_dates[index - 1] + _ONE_DAY) if index else lower)
                )
                if isinstance(found, CasePlan):
                    self.cases.append(found)
                    self.occupy(p, found.proposed_on, found.closed_on)
                    lower = found.closed_on + _ONE_DAY
                else:
                    self.unlinked[found] += 1
                    self.pseudo(p, change.ruling_date)
                    lower = change.ruling_date + _ONE_DAY

    def pseudo(self, p: PrisonerIn, ruling: dt.date) -> None:
        """A ruling without a case still had its proceedings: keep other cases clear of it."""
        self.occupy(p, ruling - dt.timedelta(days=60), ruling + dt.timedelta(days=5))

    # --- the demo district's prisoner ready to propose ------------------------------------------

    def keep_ready(self) -> None:
        for p in sorted(
            (p for p in self.w.prisoners if p.district == DEMO_DISTRICT), key=lambda p: p.pk
        ):
            if len(self.ready) >= READY:
                break
            merit, _ = self.merit_at(p, self.today, strict=True)
            if merit is None or not self.free(p, self.today - dt.timedelta(days=1), self.today):
                continue
            k = bisect.bisect_left(p.change_dates, self.today)
            if self.assess(p, self.today, merit, k).reduction.eligible:
                self.ready.append(p.pk)

    # --- open cases ----------------------------------------------------------------------------

    def open_counts(self, prison: str) -> list[tuple[str, str]]:
        """(kind, status) of the open cases wanted in ``prison``, latest status first."""
        rng = self.rng
        wanted: list[tuple[str, str]] = []
        if self.w.scale == "province":
            for status in OPEN_STATUSES:
                wanted += [("reduction", status)] * rng.randint(3, 6)
            wanted += [("parole", rng.choice(OPEN_STATUSES)) for _ in range(rng.randint(1, 3))]
            statuses = (*OPEN_STATUSES[:-1], "submitted_to_bureau")
            wanted += [("temporary", rng.choice(statuses)) for _ in range(rng.randint(0, 2))]
        elif prison == DEMO_SHOWCASE[0]:
            # The demo users' prison: every step of the procedure has a case waiting.
            wanted += [("reduction", status) for status in OPEN_STATUSES]
            wanted += [("temporary", "submitted_to_bureau"), ("parole", "proposed")]
            wanted += [("reduction", "section_reviewed"), ("reduction", "in_notice")]
        elif prison in DEMO_SHOWCASE or prison in FEATURED_DEMO_PRISONS:
            wanted += [("reduction", status) for status in OPEN_STATUSES]
            wanted += [("parole", rng.choice(OPEN_STATUSES)), ("temporary", "submitted_to_bureau")]
        else:
            wanted += [("reduction", s) for s in rng.sample(OPEN_STATUSES, 3)]
        # One of each status first (latest first: they need the longest eligible), then more.
        order = [*OPEN_STATUSES, "submitted_to_bureau"]
        first: dict[str, int] = {}
        for index, item in enumerate(wanted):
            first.setdefault(item[1], index)
        rest = [item for index, item in enumerate(wanted) if first[item[1]] != index]
        return sorted((wanted[i] for i in first.values()), key=lambda i: -order.index(i[1])) + (
            sorted(rest, key=lambda item: -order.index(item[1]))
        )

    def open_timeline(
        self, kind: str, status: str, *, hurried: bool = False
    ) -> tuple[list, _Timeline] | None:
        """Steps and dates of a case of ``kind`` that reached ``status`` shortly before today
        (``hurried``: every step as quick as it gets, so that the proposal is more recent)."""
        path = self.path(kind, status)
        gaps = self.gaps(path)
        low, high = OPEN_WAIT[status]
        wait = low if hurried else self.rng.randint(low, high)
        factor = 0.3 if hurried else 1.0
        start = self.today - dt.timedelta(days=200)
        for _ in range(8):
            line = self.schedule(start, path, gaps, factor=factor)
            last = line.days[-1]
            target = self.today - dt.timedelta(days=wait)
            if last > self.today or (last < target - dt.timedelta(days=3)):
                start = start + (target - last)
                continue
            if status == "in_notice" and line.notice[1] < self.today:
                start += dt.timedelta(days=(self.today - line.notice[1]).days)
                continue
            return path, line
        return None

    def open_cases(self) -> None:
        """The cases in progress today. At demo scale a status no prisoner can reach by
        reduction is given to a parole or temporary-execution case instead."""
        planted = set().union(
            *(
                self.w.patterns.get(k, ())
                for k in ("points_surge", "lighter_job", "invention_merit")
            )
        )
        for prison in self.w.prisons:
            pool = list(self.by_prison[prison.code])
            self.rng.shuffle(pool)
            pool.sort(key=lambda p: p.pk not in planted)
            since = self.available_since(pool)
            for kind, status in self.open_counts(prison.code):
                kinds = [kind]
                if self.w.scale != "province":
                    kinds += [k for k in ("reduction", "parole", "temporary") if k != kind]
                for hurried, other in itertools.product((False, True), kinds):
                    wanted = status
                    if other == "temporary" and status == "submitted":
                        wanted = "submitted_to_bureau"
                    elif other != "temporary" and status == "submitted_to_bureau":
                        wanted = "submitted"
                    plan = self.open_timeline(other, wanted, hurried=hurried)
                    if plan is None:
                        continue
                    day = plan[1].days[0]
                    candidates = [
                        p for p in pool if p.pk in since[other] and since[other][p.pk] <= day
                    ]
                    if self.open_case(other, wanted, plan, candidates):
                        break

    def available_since(self, pool: list[PrisonerIn]) -> dict[str, dict[int, dt.date]]:
        """Per kind, the prisoners who may be proposed today and the first day they could
        have been (free of other cases, and allowed by the law as it reads today)."""
        found: dict[str, dict[int, dt.date]] = {"reduction": {}, "parole": {}, "temporary": {}}
        for p in pool:
            if p.pk in self.ready or p.pk in self.released:
                continue
            ends = [end for start, end in self.busy[p.pk] if start <= self.today]
            free_from = max([*ends, p.admitted_on + dt.timedelta(days=16)]) + _THREE_DAYS
            if free_from > self.today:
                continue
            k = len(p.change_dates)
            grounds = self.grounds(p, self.today)
            if grounds and self.temporary_ok(p, k, grounds[0]):
                found["temporary"][p.pk] = free_from
            merit = self.merit_at(p, self.today, explain=False)[0]
            if merit is None:
                continue
            assessment = self.assess(p, self.today, merit, k)
            for kind, decision in (
                ("reduction", assessment.reduction),
                ("parole", assessment.parole),
            ):
                if decision.eligible:
                    found[kind][p.pk] = max(decision.earliest_date, free_from)
        return found

    def open_case(self, kind: str, status: str, plan, pool: list[PrisonerIn]) -> bool:
        path, line = plan
        for p in pool:
            if p.pk in self.open_for or p.pk in self.ready:
                continue
            if self.try_case(kind, p, path, line, objection=status == "in_notice"):
                self.open_for.add(p.pk)
                return True
        return False

    def try_case(
        self,
        kind: str,
        p: PrisonerIn,
        path: list[tuple[str, str]],
        line: _Timeline,
        *,
        objection: bool = False,
        release: str = "",
    ) -> CasePlan | None:
        """A case for ``p`` along ``path`` at ``line``'s dates, if the prisoner is free then and
        the law allows it; it is kept (added and its days occupied) when it is returned."""
        day = line.days[0]
        last = line.days[-1] if self_closed(path) else self.today
        if day < p.admitted_on + dt.timedelta(days=20) or day < PLATFORM_START:
            return None
        if not self.free(
            p, day - dt.timedelta(days=3), max(last, line.ruling or last) + dt.timedelta(days=3)
        ):
            return None
        if release and p.change_dates and p.change_dates[-1] >= day:
            return None
        k = bisect.bisect_left(p.change_dates, day)
        submitted = None
        for (code, _), when in zip(path, line.days, strict=True):
            if code in ("submit_court", "submit_bureau"):
                submitted = when
        if kind == "temporary":
            found = self.grounds(p, day)
            if found is None or not self.temporary_ok(p, k, found[0]):
                return None
            merit, basis = self.merit_at(p, day)
            case = self.new_case(kind, p, day, merit, basis, grounds=found[0], medical=found[1])
        else:
            merit, basis = self.merit_at(p, day)
            if merit is None:
                return None
            found = self.assess(p, day, merit, k)
            months = to_years = None
            if kind == "reduction":
                if not found.reduction.eligible:
                    return None
                months, to_years = self.amount(p, found.reduction, merit)
            if not self.lawful(kind, found, months, to_years):
                return None
            if submitted is not None and not self.lawful(
                kind, self.assess(p, submitted, merit, k), months, to_years
            ):
                return None
            case = self.new_case(kind, p, day, merit, basis, months=months, to_years=to_years)
        built = self.build(case, path, line, objection=objection)
        if built is None:
            return None
        self.cases.append(built)
        far = self.today + dt.timedelta(days=365)
        self.occupy(p, day, far if built.open or release else built.closed_on)
        if release:
            self.released[p.pk] = release
        return built

    # --- parole and temporary execution granted this month --------------------------------------

    def granted_this_month(self) -> None:
        if (self.today - self.month_start).days < 2:
            return
        for prison in self.w.prisons:
            if self.w.scale == "province":
                wanted = [("parole", self.rng.randint(1, 4)), ("temporary", self.rng.randint(0, 1))]
            elif prison.code in FEATURED_DEMO_PRISONS:
                wanted = [("parole", 1), ("temporary", 1)]
            else:
                continue
            pool = list(self.by_prison[prison.code])
            self.rng.shuffle(pool)
            for kind, count in wanted:
                for _ in range(count):
                    path = self.path(kind, "granted")
                    gaps = self.gaps(path)
                    ruling = self.working_before(
                        self.month_start
                        + dt.timedelta(
                            days=self.rng.randint(0, (self.today - self.month_start).days - 1)
                        )
                    )
                    if ruling < self.month_start:
                        continue
                    court = self.tri(COURT_DAYS)
                    trial = self.schedule(ruling - dt.timedelta(days=300), path, gaps, court=court)
                    if kind == "parole":
                        start = ruling - dt.timedelta(days=court) - (trial.days[-2] - trial.days[0])
                        line = self.schedule(start, path, gaps, ruling=ruling)
                        if (ruling - line.days[-2]).days < MIN_COURT_DAYS:
                            continue
                    else:
                        start = ruling - (trial.days[-1] - trial.days[0])
                        line = self.schedule(start, path, gaps)
                        if not self.month_start <= line.days[-1] <= self.today:
                            continue
                    status = "paroled" if kind == "parole" else "temporary_outside"
                    for p in pool:
                        if p.pk in self.open_for or p.pk in self.ready:
                            continue
                        if self.try_case(kind, p, path, line, release=status) is not None:
                            break

    # --- cases that changed nothing ------------------------------------------------------------

    def fill(self, kind: str, prison: str, year: int, count: int) -> int:
        """Add up to ``count`` closed cases of ``kind`` proposed in ``year`` in ``prison``
        that ended without a change; return how many were added."""
        rng = self.rng
        first = max(dt.date(year, 1, 1), PLATFORM_START)
        last = min(dt.date(year, 12, 31), self.today - dt.timedelta(days=3))
        if last < first or count <= 0:
            return 0
        pool = self.by_prison[prison]
        if kind == "temporary":
            pool = [p for p in pool if self.grounds(p, last) is not None]
        if not pool:
            return 0
        ends, weights = zip(*FILL_ENDS[kind], strict=True)
        added = 0
        for _ in range(count * MAX_COMPLETE_TRIES):
            if added == count:
                break
            p = rng.choice(pool)
            day = self.candidate_day(kind, p, first, last)
            if day is None:
                continue
            # The case must be over by today and leave the prisoner's other cases alone: if
            # the outcome drawn takes too long, the section turned it down, or the district
            # withdrew it.
            for end in (rng.choices(ends, weights)[0], "section_review", "withdraw"):
                path = self.path(kind, end)
                line = self.schedule(day, path, self.gaps(path), court=self.tri(COURT_DAYS))
                finish = max(line.days[-1], line.ruling or line.days[-1])
                if finish <= self.today and self.free(p, day - _THREE_DAYS, finish + _THREE_DAYS):
                    break
            else:
                continue
            if self.try_case(kind, p, path, line, objection=rng.random() < OBJECTION_SHARE):
                added += 1
        return added

    def candidate_day(
        self, kind: str, p: PrisonerIn, first: dt.date, last: dt.date
    ) -> dt.date | None:
        """A day in ``[first, last]`` on which ``p`` may have been proposed for ``kind``: a
        random day, or the day the law first allowed it after that (``None`` if neither)."""
        day = self.working(first + dt.timedelta(days=self.rng.randint(0, (last - first).days)))
        if day > last or day < p.admitted_on + dt.timedelta(days=20) or p.pk in self.released:
            return None
        if not self.free(p, day - _THREE_DAYS, day + dt.timedelta(days=10)):
            return None
        if kind == "temporary":
            return day
        merit = self.merit_at(p, day, explain=False)[0]
        if merit is None:
            return None
        k = bisect.bisect_left(p.change_dates, day)
        assessment = self.assess(p, day, merit, k)
        decision = assessment.reduction if kind == "reduction" else assessment.parole
        if decision.eligible:
            return day
        earliest = decision.earliest_date
        if earliest is None or not day < earliest <= last:
            return None
        day = self.working(earliest + dt.timedelta(days=self.rng.randint(0, 20)))
        if day > last or bisect.bisect_left(p.change_dates, day) != k:
            return None
        return day

    def fill_year(self, kind: str, year: int, wanted: dict[str, int]) -> int:
        """``wanted`` cases per prison; a prison that cannot hold its share passes the rest on."""
        short = 0
        for prison in self.w.prisons:
            short += wanted.get(prison.code, 0) - self.fill(
                kind, prison.code, year, wanted.get(prison.code, 0)
            )
        for prison in self.w.prisons:
            if short <= 0:
                break
            short -= self.fill(kind, prison.code, year, short)
        return short

    # --- the whole plan ------------------------------------------------------------------------

    def years(self) -> list[int]:
        return list(range(PLATFORM_START.year, self.today.year + 1))

    def count(self, kind: str, year: int, *, granted: bool | None = None) -> int:
        return sum(
            1
            for c in self.cases
            if c.kind == kind
            and c.proposed_on.year == year
            and (granted is None or (c.change is not None) == granted)
        )

    def enforce_targets(self) -> None:
        """Target years: at most ``GRANTED_CAP`` of the cases granted (the oldest rulings lose
        their case), the rest filled to the exact figure."""
        if self.w.scale != "province":
            return
        for year, target in TARGETS.items():
            mine = [c for c in self.cases if c.kind == "reduction" and c.proposed_on.year == year]
            linked = sorted(
                (c for c in mine if c.change is not None),
                key=lambda c: (c.ruling_date, c.prisoner.pk),
            )
            allowed = min(math.floor(target * GRANTED_CAP), target - (len(mine) - len(linked)))
            for case in linked[: max(len(linked) - allowed, 0)]:
                self.cases.remove(case)
                self.busy[case.prisoner.pk].remove((case.proposed_on, case.closed_on))
                self.pseudo(case.prisoner, case.ruling_date)
                self.unlinked["target"] += 1

    def fill_all(self) -> None:
        province = self.w.scale == "province"
        weights = [len(self.by_prison[p.code]) for p in self.w.prisons]
        for year in self.years():
            if province and year in TARGETS:
                missing = TARGETS[year] - self.count("reduction", year)
                shares = apportion(missing, weights)
                wanted = {p.code: n for p, n in zip(self.w.prisons, shares, strict=True)}
            else:
                wanted = {
                    prison.code: round(
                        FILL_RATIO
                        * sum(
                            1
                            for c in self.cases
                            if c.change is not None
                            and c.proposed_on.year == year
                            and c.prisoner.prison == prison.code
                        )
                    )
                    for prison in self.w.prisons
                }
            short = self.fill_year("reduction", year, wanted)
            if short and province and year in TARGETS:
                raise RuntimeError(f"{year}年减刑案件无法达到{TARGETS[year]}件(缺{short}件)")
        for kind, share in (("parole", None), ("temporary", TEMPORARY_SHARE)):
            for year in self.years():
                total = self.count("reduction", year)
                rate = share if share is not None else self.rng.uniform(*PAROLE_SHARE)
                missing = round(total * rate) - self.count(kind, year)
                if missing > 0:
                    shares = apportion(missing, weights)
                    self.fill_year(
                        kind, year, {p.code: n for p, n in zip(self.w.prisons, shares, strict=True)}
                    )

    def alerts(self) -> None:
        """Risk alerts on every case, as ``services.propose_case`` raises them, disposed by a
        drawn reviewer where the centre went on to agree."""
        bands: dict[tuple[str, int], list[tuple[dt.date, int]]] = defaultdict(list)
        for c in self.cases:
            if (
                c.kind == "reduction"
                and c.outcome in ("granted", "partly_granted")
                and c.ruling_months
            ):
                bands[(c.prisoner.sentence_type, c.prisoner.term_years // 5)].append(
                    (c.ruling_date, c.ruling_months)
                )
        index = {}
        for key, items in bands.items():
            items.sort()
            index[key] = ([d for d, _ in items], [m for _, m in items])
        for c in self.cases:
            inputs = self.risk_inputs(c, index)
            found = risks.detect(inputs)
            if not found:
                continue
            raised = c.steps[0].at
            c.alerts = [AlertPlan(a.kind, a.detail[:400], raised) for a in found]
            approver = next((r for r in c.reviewers if r.decision == "approve"), None)
            rejecter = next((r for r in c.reviewers if r.decision == "reject"), None)
            disposer = approver or (rejecter if rejecter and self.rng.random() < 0.5 else None)
            if disposer is None:
                continue
            start = c.steps[1].at
            span = (disposer.decided_at - start).total_seconds()
            for alert in c.alerts:
                alert.disposed_by = disposer.slot
                alert.disposition = DISPOSITIONS[alert.kind] + "。"
                alert.disposed_at = start + dt.timedelta(seconds=span * self.rng.uniform(0.2, 0.9))

    def risk_inputs(self, c: CasePlan, index) -> risks.RiskInputs:
        p = c.prisoner
        day = c.proposed_on
        current = _month_index(day)
        monthly: dict[dt.date, Decimal] = {}
        if p.ledger_first is not None:
            low = _month_index((day - dt.timedelta(days=400)).replace(day=1))
            for i in range(max(low, p.ledger_first), min(current, p.ledger_first + len(p.points))):
                monthly[_month_of(i)] = _tenths(p.points[i - p.ledger_first])
        since = _month_index((day - dt.timedelta(days=365)).replace(day=1))
        by_officer: dict[str, Decimal] = defaultdict(Decimal)
        entries = 0
        for month, officer, points in p.additions:
            if since <= month < current:
                by_officer[self.w.officer_labels.get(officer, str(officer))] += _tenths(points)
                entries += 1
        comparable: tuple[int, ...] = ()
        if c.proposed_months is not None:
            band = index.get((p.sentence_type, p.term_years // 5))
            if band:
                dates, months = band
                low = bisect.bisect_left(dates, day - dt.timedelta(days=730))
                high = bisect.bisect_left(dates, day)
                comparable = tuple(months[max(low, high - COMPARABLE_CAP) : high])
        return risks.RiskInputs(
            proposed_on=day,
            monthly_points=monthly,
            additions_by_officer=dict(by_officer),
            addition_entries=entries,
            invention_merits=bisect.bisect_right(p.inventions, day),
            categories=p.categories,
            job_changes=p.jobs,
            proposed_months=c.proposed_months,
            comparable_months=comparable,
            property_outstanding=p.outstanding,
        )

    def number(self) -> None:
        self.cases.sort(key=lambda c: (c.steps[0].at, c.prisoner.pk, c.kind))
        serial: Counter[tuple[str, int, str]] = Counter()
        for c in self.cases:
            key = (c.prisoner.prison, c.proposed_on.year, c.kind)
            serial[key] += 1
            c.number = f"{key[0]}-{key[1]}-{KIND_CODES[c.kind]}-{serial[key]:04d}"

    def plan(self) -> Plan:
        self.link_all()
        self.keep_ready()
        self.open_cases()
        self.granted_this_month()
        self.enforce_targets()
        self.fill_all()
        self.alerts()
        self.number()
        return Plan(self.cases, self.unlinked, self.released, self.ready, self.w.slots)


def self_closed(path: list[tuple[str, str]]) -> bool:
    """Whether a case along ``path`` ends closed."""
    code, decision = path[-1]
    return decision == "reject" or code in ("record_ruling", "bureau_approval", "withdraw")


def plan_cases(world: World, rng: random.Random) -> Plan:
    """Every case of the province (or the demo) with its history (pure: no database)."""
    return _Planner(world, rng).plan()


# ---------------------------------------------------------------------------------------------
# Writing


def _insert(model, columns: Sequence[str], rows: list[tuple], chunk: int = 10_000) -> None:
    """Rows (values in ``columns`` order, keys included) with one prepared ``INSERT``; dates,
    times and JSON are adapted for the database as their model fields would adapt them."""
    from django.db import connection
    from django.db import models as m

    meta = model._meta
    fields = [meta.get_field(name) for name in columns]
    ops = connection.ops
    adapters: list[tuple[int, Any]] = []
    for index, f in enumerate(fields):
        if isinstance(f, m.DateTimeField):
            adapters.append((index, ops.adapt_datetimefield_value))
        elif isinstance(f, m.DateField):
            adapters.append((index, ops.adapt_datefield_value))
        elif isinstance(f, m.JSONField):
            adapters.append((index, lambda value, f=f: f.get_db_prep_save(value, connection)))
    quote = ops.quote_name
    sql = (
        f"INSERT INTO {quote(meta.db_table)} ({', '.join(quote(f.column) for f in fields)}) "
        f"VALUES ({', '.join(['%s'] * len(fields))})"
    )
    prepared = []
    for row in rows:
        row = list(row)
        for index, adapt in adapters:
            if row[index] is not None:
                row[index] = adapt(row[index])
        prepared.append(row)
    with connection.cursor() as cursor:
        for start in range(0, len(prepared), chunk):
            cursor.executemany(sql, prepared[start : start + chunk])


def _next_id(model) -> int:
    from django.db.models import Max

    return (model.objects.aggregate(m=Max("id"))["m"] or 0) + 1


def _create_users(ctx: SeedContext, slots: dict[str, Slot]) -> dict[str, Any]:
    """Logins for the slots that have none yet; slot key → User."""
    from django.contrib.auth.hashers import make_password

    from tongxin.org.models import User

    users = ctx.data["users"]
    groups = ctx.data["roles"]
    units_by_code = ctx.data["units_by_code"]
    officers = {o.pk: o for o in ctx.data["officers"]}
    found: dict[str, Any] = {}
    new: list[tuple[Slot, Any]] = []
    password = make_password(ctx.data.get("demo_password", DEMO_PASSWORD))  # hash once
    for slot in slots.values():
        if slot.existing or slot.username in users:
            found[slot.key] = users[slot.username]
            continue
        officer = officers.get(slot.officer_pk)
        user = User(
            username=slot.username,
            password=password,
            last_name=officer.name[0] if officer else "",
            first_name=officer.name[1:] if officer else slot.username,
            officer_id=officer.pk if officer else None,
            must_change_password=True,
        )
        new.append((slot, user))
    User.objects.bulk_create([user for _, user in new], batch_size=500)
    if new and new[0][1].pk is None:  # a backend that does not return keys
        keys = dict(
            User.objects.filter(username__in=[u.username for _, u in new]).values_list(
                "username", "pk"
            )
        )
        for _, user in new:
            user.pk = keys[user.username]
    User.groups.through.objects.bulk_create(
        User.groups.through(user_id=user.pk, group_id=groups[slot.role].pk) for slot, user in new
    )
    User.scope_units.through.objects.bulk_create(
        User.scope_units.through(user_id=user.pk, unit_id=units_by_code[slot.scope].pk)
        for slot, user in new
    )
    for slot, user in new:
        found[slot.key] = user
        users[slot.username] = user
    return found


def generate(ctx: SeedContext) -> None:
    """Write the cases of the review procedure with their history; see the module docstring."""
    import gc

    enabled = gc.isenabled()
    gc.disable()  # planning allocates many small objects and none is a cycle
    try:
        _generate(ctx)
    finally:
        if enabled:
            gc.enable()


def _generate(ctx: SeedContext) -> None:
    from zoneinfo import ZoneInfo

    from django.conf import settings
    from django.db import connection

    from tongxin.audit.services import record
    from tongxin.prisoners.models import Prisoner, SentenceChange

    from .models import (
        Case,
        CaseStep,
        Objection,
        ReviewerAssignment,
        RiskAlert,
        RuleSetVersion,
    )

    assert ctx.today is not None
    timings: dict[str, float] = ctx.data.setdefault("timings", {})
    started = time.perf_counter()
    RuleSetVersion.objects.get_or_create(
        version=DEFAULT_RULESET.version,
        defaults={
            "effective_from": DEFAULT_RULESET.effective_from,
            "numbers": DEFAULT_RULESET.to_dict(),
            "note": "国家标准:最高人民法院《关于办理减刑、假释案件具体应用法律的规定》",
        },
    )
    world = world_from_ctx(ctx)
    timings["sentencing.read"] = time.perf_counter() - started

    started = time.perf_counter()
    plan = plan_cases(world, ctx.fork("sentencing"))
    timings["sentencing.plan"] = time.perf_counter() - started

    started = time.perf_counter()
    users = _create_users(ctx, plan.slots)
    uid = {key: user.pk for key, user in users.items()}
    zone = ZoneInfo(settings.TIME_ZONE)

    def aware(at: dt.datetime | None) -> dt.datetime | None:
        return None if at is None else at.replace(tzinfo=zone)

    rulesets = world.rulesets

    def ruleset_on(day: dt.date) -> RuleSet:
        found = DEFAULT_RULESET
        for ruleset in rulesets:
            if ruleset.effective_from <= day:
                found = ruleset
        return found

    case_id, step_id = _next_id(Case), _next_id(CaseStep)
    reviewer_id, alert_id, objection_id = (
        _next_id(ReviewerAssignment),
        _next_id(RiskAlert),
        _next_id(Objection),
    )
    cases, steps, reviewers, alerts, objections, linked = [], [], [], [], [], []
    counts: Counter[str] = Counter()
    with ctx.progress(len(plan.cases), "减刑假释案件") as bar:
        for c in plan.cases:
            p = c.prisoner
            verdict, version = judge.verdict_for(
                p.row,
                on=c.verdict_on,
                merit=c.merit,
                grounds=c.grounds,
                changes=p.changes[: c.prefix],
                ruleset=ruleset_on(c.verdict_on),
            )
            disposals = sum(1 for a in c.alerts if a.disposed_at)
            answers = sum(1 for o in c.objections if o.answered_on)
            last = max(
                [s.at for s in c.steps]
                + [a.disposed_at for a in c.alerts if a.disposed_at]
                + [
                    dt.datetime.combine(o.answered_on, dt.time(16))
                    for o in c.objections
                    if o.answered_on
                ]
            )
            cases.append(
                (
                    case_id, c.number, c.kind, p.pk, p.unit_pk, c.status, c.outcome,
                    c.proposed_on, c.merit or "", c.merit_basis[:300], c.proposed_months,
                    c.proposed_to_years, c.reasons, c.risk_assessment, c.medical_assessment,
                    c.grounds, verdict, version, c.notice_start, c.notice_end, c.submitted_on,
                    c.submitted_to, c.ruling_date, c.ruling_months, c.ruling_to_years,
                    c.ruling_number, c.closed_on,
                    len(c.steps) + disposals + len(c.objections) + answers,
                    uid[c.proposer], aware(c.steps[0].at), aware(last),
                )
            )  # fmt: skip
            for s in c.steps:
                steps.append(
                    (
                        step_id, case_id, s.code, s.decision, s.from_status, s.to_status,
                        s.opinion, uid[s.actor], aware(s.at),
                    )
                )  # fmt: skip
                step_id += 1
            for r in c.reviewers:
                excluded = [f"{uid[key]}:{why}" for key, why in r.excluded]
                reviewers.append(
                    (
                        reviewer_id, case_id, uid[r.slot], aware(r.assigned_at), excluded,
                        r.decision, r.opinion, aware(r.decided_at),
                    )
                )  # fmt: skip
                reviewer_id += 1
            for a in c.alerts:
                alerts.append(
                    (
                        alert_id, case_id, a.kind, a.detail, aware(a.raised_at), a.disposition,
                        uid.get(a.disposed_by), aware(a.disposed_at),
                    )
                )  # fmt: skip
                alert_id += 1
            for o in c.objections:
                objections.append(
                    (
                        objection_id, case_id, o.received_on, o.objector, o.content, o.answer,
                        uid.get(o.answered_by), o.answered_on, uid[o.recorded_by],
                    )
                )  # fmt: skip
                objection_id += 1
            if c.change is not None:
                linked.append((c.change, case_id, uid[c.clerk]))
            counts[f"{c.kind}.{c.outcome or c.status}"] += 1
            case_id += 1
            bar.update(1)
    timings["sentencing.verdicts"] = time.perf_counter() - started

    started = time.perf_counter()
    _insert(
        Case,
        (
            "id", "number", "kind", "prisoner_id", "unit_id", "status", "outcome",
            "proposed_on", "merit", "merit_basis", "proposed_months", "proposed_to_years",
            "reasons", "risk_assessment", "medical_assessment", "temporary_grounds", "verdict",
            "ruleset_version", "notice_start", "notice_end", "submitted_on", "submitted_to",
            "ruling_date", "ruling_months", "ruling_to_years", "ruling_number", "closed_on",
            "version", "created_by_id", "created_at", "updated_at",
        ),
        cases,
    )  # fmt: skip
    _insert(
        CaseStep,
        (
            "id", "case_id", "step", "decision", "from_status", "to_status", "opinion",
            "actor_id", "acted_at",
        ),
        steps,
    )  # fmt: skip
    _insert(
        ReviewerAssignment,
        (
            "id", "case_id", "reviewer_id", "assigned_at", "excluded", "decision", "opinion",
            "decided_at",
        ),
        reviewers,
    )  # fmt: skip
    _insert(
        RiskAlert,
        (
            "id", "case_id", "kind", "detail", "raised_at", "disposition", "disposed_by_id",
            "disposed_at",
        ),
        alerts,
    )  # fmt: skip
    _insert(
        Objection,
        (
            "id", "case_id", "received_on", "objector", "content", "answer", "answered_by_id",
            "answered_on", "recorded_by_id",
        ),
        objections,
    )  # fmt: skip
    reset_sequences(Case, CaseStep, ReviewerAssignment, RiskAlert, Objection)

    # The rulings are the granted cases' (as services.record_ruling records them).
    if any(change.pk is None for change, _, _ in linked):
        keys = {
            (pid, day): pk
            for pk, pid, day in SentenceChange.objects.values_list(
                "pk", "prisoner_id", "ruling_date"
            )
        }
        for change, _, _ in linked:
            change.pk = keys[(change.prisoner_id, change.ruling_date)]
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        cursor.executemany(
            f"UPDATE {quote(SentenceChange._meta.db_table)} SET case_id = %s, "
            "recorded_by_id = %s WHERE id = %s",
            [(case, clerk, change.pk) for change, case, clerk in linked],
        )
        cursor.executemany(
            f"UPDATE {quote(Prisoner._meta.db_table)} SET status = %s WHERE id = %s",
            [(status, pk) for pk, status in sorted(plan.released.items())],
        )
    for change, case, clerk in linked:
        change.case_id, change.recorded_by_id = case, clerk
    for p in world.prisoners:
        if p.pk in plan.released:
            p.row.status = plan.released[p.pk]
    timings["sentencing.write"] = time.perf_counter() - started

    row_counts = ctx.data.setdefault("row_counts", {})
    row_counts.update(
        {
            "sentencing.cases": len(cases),
            "sentencing.steps": len(steps),
            "sentencing.reviewers": len(reviewers),
            "sentencing.alerts": len(alerts),
            "sentencing.objections": len(objections),
            "sentencing.users": sum(1 for s in plan.slots.values() if not s.existing),
        }
    )
    ctx.data["sentencing_unlinked"] = dict(plan.unlinked)
    by_kind = Counter(c.kind for c in plan.cases)
    open_cases = sum(1 for c in plan.cases if c.open)
    reductions = Counter(c.proposed_on.year for c in plan.cases if c.kind == "reduction")
    scale_name = "全省规模" if ctx.province else "演示"
    record(
        actor=None,
        action="seed.sentencing",
        summary=(
            f"生成{scale_name}减刑假释暂予监外执行案件:案件 {len(cases)} 件(减刑 "
            f"{by_kind['reduction']} 件、假释 {by_kind['parole']} 件、暂予监外执行 "
            f"{by_kind['temporary']} 件;办理中 {open_cases} 件),减刑案件按提请年度 "
            + "、".join(f"{year}年 {n} 件" for year, n in sorted(reductions.items()))
            + f";办理环节 {len(steps)} 条,评审员抽取 {len(reviewers)} 条,风险预警 "
            f"{len(alerts)} 条,公示异议 {len(objections)} 件;关联法院裁定 {len(linked)} 件,"
            f"未关联案件的裁定 {sum(plan.unlinked.values())} 件(平台启用前 "
            f"{plan.unlinked['pre_platform']} 件、超出年度数 {plan.unlinked['target']} 件、"
            f"按提请日考核记录不能提请 {plan.unlinked['law']} 件);办案账号 "
            f"{row_counts['sentencing.users']} 个"
        ),
    )
