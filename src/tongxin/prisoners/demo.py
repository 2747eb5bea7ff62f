"""The prisoners app's part of the demo / province data: prisoners, their sentences and
sentence history, labour posts, and the ledgers of their conduct (monthly points, rewards,
punishments, violations).

Like ``tongxin.org.demo`` and ``tongxin.party.demo``, everything is planned by pure functions
first (``plan_prison``: no ORM, only a ``random.Random`` and ``today``) and then written with
``bulk_create`` — except the points ledger, most of a million lines at province scale, which
goes through one prepared ``INSERT`` (``_PointsWriter``: six times faster). Each prison is
planned from a stream of its own (derived from ``ctx.fork("prisoners")`` and the prison's
code), so one prison of the province can be planned and checked without the database and
without the others.

What is generated, per prison (``PRISONS`` of the org generator):

* Prisoners: about 12–20 per custody unit (``ctx.data["custody_units"]``) in the featured
  demo prisons (``FEATURED_DEMO_PRISONS``: 洪山, 汉阳, 武昌, 襄南), 5–9 in the others at demo
  scale, a few hundred in all; 30,000 at province scale, 1,200–2,500 per prison by the prison's
  size. Women only in the women's prison (P04), men everywhere else; the juvenile offenders'
  institution (P05) holds young offenders (17–25 today, at least 15 when the judgment took
  effect) on fixed terms under 15 years; elsewhere ages 20–65. Names from the org generator's
  surname and given-name pools; valid ID numbers (``idcard.make``) whose birth date and gender
  digit agree with the record, mostly from the prison's and other Hubei regions.
* Sentences: fixed terms 3–5 years 30%, 5–10 years 40%, 10–15 years 20%, 15–25 years 5%
  (always two crimes, 数罪并罚), life 4%, death with reprieve 1% (a third of the violent or
  recidivist ones with restricted reduction). Crimes are drawn per sentence band, so that
  murder gets long sentences and theft short ones; the strict categories follow the crimes
  (``duty_crime`` for 贪污/受贿, ``financial`` for 集资诈骗 and the other financial crimes,
  ``mafia``, ``violent_10y`` for the violent crimes of 刑法 art. 81 with 10 years or more,
  ``combined_10y``, rare ``drug_ringleader`` / ``drug_recidivist``); recidivists about 8%
  (never juveniles); property judgments for most property crimes, partly paid, ``able but
  unfulfilled`` for 3% of all prisoners. Judgments by real Hubei courts, first instance
  (``(2021)鄂0102刑初123号``) or appeal (``(2021)鄂01刑终45号``, ``(2021)鄂刑终12号``).
* ``execution_start`` spread over the time a prisoner of that sentence is in prison, so that
  everyone is still serving on ``ctx.today``: the current term (after reductions) ends at least
  ``END_MARGIN_DAYS`` later. ``admitted_on`` a few days to two months after
  ``execution_start``; 30–400 days of pre-trial detention.
* Sentence history, legal by docs/penalty-execution-rules.md (the tests replay every ruling
  through ``tongxin.sentencing.engine``): fixed-term reductions of 4–9 months (10–12 with a
  merit in the period) no sooner than the first threshold (12 / 18 / 24 months, 24 for the
  strict categories) and the intervals (12 / 18 months), never more than half the term in
  all; life commuted to 22 years (21 with a merit) after 24 months (36 strict), then reductions
  every 24 months or more above the 13-year floor; death with reprieve commuted to life after
  the two-year reprieve, to 25 years (24 with a merit) 36 months later (60 under restricted
  reduction), then reductions above the floors. A ruling inside the ledger's window rests on
  the ledger: at least two commendations and no serious violation since the previous ruling.
  Fixed-term reductions by the intermediate court where the prison is (汉江中院 for the 沙洋
  prisons), commutations of life and death sentences by the high court.
* The monthly points ledger, from the admission month but at most the ``LEDGER_MONTHS``
  complete months before ``ctx.today``: one base line a month in its three parts (监管改造 35,
  教育改造 35, 劳动改造 30; mostly 100, sometimes a few points less), additions in about 8% of
  months (+5 to +30) and deductions in about 6% (−5 to −30), each with a reason and an officer
  of the prisoner's district; about 1.5% of additions and deductions, and a few base lines, are
  later cancelled by a reversal (its exact negative; a reversed base line is entered again with
  the next revision). About 820,000 lines at province scale (the other 180,000 rows are
  rewards, posts, rulings and the prisoners): the whole generator takes about 30 seconds on
  SQLite, see ``bench/seed_prisoners.py``.
* Rewards: a commendation (表扬) each time the ledger's running net total reaches another
  ``COMMENDATION_THRESHOLD`` points (``conduct.commendations_due`` at each month's end), dated
  in that month with ``points_basis`` = k × 600 (the ledger starts at its window, so the
  running total is that of the ledger as stored); material rewards now and then; merits (立功)
  for 3% of prisoners and major merits (重大立功) for 0.3%, with evidence, 15% of them resting
  on a patent or invention (an internal-control risk signal).
* Violations: ordinary for 15% of prisoners, serious for 3%, each with its deduction in the
  month; punishments (警告 / 记过 / 禁闭) for about 3%, mostly after a serious violation.
* Labour posts: 1–3 posts per prisoner over time with their intensity; about 3% moved to a
  lighter post in the last months (a risk signal), and about 0.5% with a surge of additions
  by one officer in the last three months (two more risk signals). At demo scale the showcase
  prisons P01 and P07 (``DEMO_SHOWCASE``) get at least a few of every rare case
  (``DEMO_MINIMUMS``, ``DEMO_FORCED_CLASSES``): life and death sentences, a restricted
  reduction, merits, a patent, violations, punishments, reversals.

Deterministic: randomness only from ``ctx.fork("prisoners")`` and the clock only through
``ctx.today``.

Left in ``ctx.data`` for later generators: ``prisoners`` (``Prisoner`` rows in plan order),
``prisoner_changes`` (prisoner id → its ``SentenceChange`` rows by ruling date),
``prisoner_term_end`` (prisoner id → the current fixed term's last day, ``None`` while a life
or death sentence is not commuted to a fixed term), ``prisoner_patterns`` (risk-signal kind →
prisoner ids planted with it) and ``prisoners_by_unit`` (custody unit id → prisoners).
"""

from __future__ import annotations

import bisect
import contextlib
import datetime as dt
import gc
import itertools
import math
import random
import time
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from tongxin.org import idcard
from tongxin.org.demo import (
    FEMALE_GIVEN,
    JUVENILE_PRISON,
    MALE_GIVEN,
    PRISONS,
    REGION_NAMES,
    REGION_WEIGHTS,
    REGIONS,
    SURNAME_CHARS,
    SURNAME_WEIGHTS,
    WOMENS_PRISON,
)
from tongxin.seeding import apportion, reset_sequences

from . import conduct

if TYPE_CHECKING:
    from tongxin.org.demo import OrgPlan
    from tongxin.seeding import SeedContext

# --- Sizes ---------------------------------------------------------------------------------

PROVINCE_PRISONERS = 30_000
PROVINCE_PRISON_MIN = 1_200  # every prison holds at least this many; the rest by size
FEATURED_DEMO_PRISONS = ("P01", "P02", "P03", "P07")  # 12–20 per custody unit at demo scale
DEMO_PER_UNIT = (12, 20)
DEMO_PER_UNIT_OTHERS = (5, 9)
# The demo's showcase prisons get at least this many of every rare case.
DEMO_SHOWCASE = ("P01", "P07")
DEMO_MINIMUMS = {
    "merit": 2,
    "major_merit": 1,
    "invention": 1,
    "ordinary_violation": 3,
    "serious_violation": 2,
    "property_unfulfilled": 2,
    "surge": 2,
    "lighter_job": 2,
    "adjustment_reversal": 2,
    "base_reversal": 1,
}
# Sentence classes forced on a few prisoners of the showcase prisons at demo scale (life and
# death with reprieve are too rare to appear by chance among 50 prisoners).
DEMO_FORCED_CLASSES = {
    "P01": ("death_restricted", "death", "life", "life", "life"),
    "P07": ("death", "life"),
}

# --- Rules and shares ----------------------------------------------------------------------

LEDGER_MONTHS = 36  # complete months of points before today, at most
COMMENDATION_THRESHOLD = 600  # PointsSetting's default: a commendation per 600 points
COMMENDATIONS_FOR_REPENTANCE = 2
END_MARGIN_DAYS = 30  # the current term ends at least this long after today
BASE_PARTS = (350, 350, 300)  # tenths of a point: 监管改造, 教育改造, 劳动改造 (100 in all)

ADDITION_SHARE = 0.08  # of months
DEDUCTION_SHARE = 0.06  # of months
ADJUSTMENT_REVERSAL_SHARE = 0.015  # of additions and deductions
BASE_REVERSAL_SHARE = 0.001  # of base lines
RECIDIVIST_SHARE = 0.085  # of adults (about 8% of all)
PROPERTY_UNFULFILLED_SHARE = 0.03
ORDINARY_VIOLATION_SHARE = 0.15
SERIOUS_VIOLATION_SHARE = 0.03
MERIT_SHARE = 0.03
MAJOR_MERIT_SHARE = 0.003
INVENTION_SHARE = 0.15  # of merits and major merits
PUNISHED_AFTER_SERIOUS = 0.8
PUNISHED_AFTER_ORDINARY = 0.06
MATERIAL_REWARD_SHARE = 0.3  # of prisoners with half a year of ledger
LIGHTER_JOB_SHARE = 0.03
SURGE_SHARE = 0.005
RESTRICTED_SHARE = 0.35  # of violent or recidivist death-with-reprieve prisoners

# Sentence classes: fixed-term bands (months, inclusive lower, exclusive upper), life, death.
CLASSES = ("3-5", "5-10", "10-15", "15-25", "life", "death")
CLASS_WEIGHTS = (30.0, 40.0, 20.0, 5.0, 4.0, 1.0)
JUVENILE_CLASS_WEIGHTS = (55.0, 40.0, 5.0, 0.0, 0.0, 0.0)

VIOLENT_CRIMES = frozenset(
    {"故意杀人罪", "强奸罪", "抢劫罪", "绑架罪", "放火罪", "爆炸罪", "投放危险物质罪"}
)
DUTY_CRIMES = frozenset({"贪污罪", "受贿罪"})
FINANCIAL_CRIMES = frozenset({"集资诈骗罪", "非法吸收公众存款罪", "信用卡诈骗罪", "贷款诈骗罪"})
MAFIA_CRIME = "组织、领导、参加黑社会性质组织罪"
DRUG_CRIMES = frozenset({"贩卖毒品罪", "运输毒品罪"})
# The strict categories (规定 art. 7 para. 1) of a fixed term under 10 years, and (para. 2,
# arts. 9 and 11) of 10 years or more, life and death with reprieve: the first reduction
# waits 24 months, a life sentence's commutation 36.
ART7_PARA1 = frozenset(
    {
        "duty_crime", "financial", "mafia", "state_security", "terrorism", "drug_ringleader",
        "drug_recidivist", "recidivist", "property_unfulfilled",
    }
)  # fmt: skip
STRICT_LONG = ART7_PARA1 | {"violent_10y", "combined_10y"}

# crime: (weight per class 3-5, 5-10, 10-15, 15-25, life, death; kind; factor for women;
# factor for juveniles). The kind decides the property judgment.
CRIMES: dict[str, tuple[tuple[float, ...], str, float, float]] = {
    "盗窃罪": ((20, 14, 4, 1, 0, 0), "theft", 0.8, 2.0),
    "诈骗罪": ((12, 14, 8, 2, 0.3, 0), "fraud", 2.5, 1.0),
    "故意伤害罪": ((10, 12, 10, 4, 6, 2), "harm", 0.4, 1.5),
    "抢劫罪": ((4, 10, 10, 5, 6, 3), "theft", 0.2, 2.0),
    "贩卖毒品罪": ((10, 14, 14, 12, 20, 25), "drug", 1.6, 0.5),
    "运输毒品罪": ((3, 4, 4, 4, 6, 8), "drug", 2.0, 0.3),
    "强奸罪": ((4, 8, 6, 3, 3, 3), "harm", 0.0, 1.0),
    "故意杀人罪": ((0, 1, 8, 10, 30, 45), "harm", 0.5, 0.6),
    "绑架罪": ((0, 0, 2, 3, 3, 3), "harm", 0.3, 0.5),
    "放火罪": ((1, 1, 1, 0.5, 0.5, 0), "harm", 0.5, 0.5),
    "贪污罪": ((1, 2, 3, 3, 3, 1), "duty", 1.2, 0.0),
    "受贿罪": ((1, 3, 5, 5, 5, 2), "duty", 0.8, 0.0),
    "集资诈骗罪": ((0, 1, 3, 3, 4, 0), "financial", 2.5, 0.0),
    "非法吸收公众存款罪": ((3, 3, 1, 0, 0, 0), "financial", 2.5, 0.0),
    "信用卡诈骗罪": ((2, 2, 1, 0, 0, 0), "fraud", 2.0, 0.3),
    MAFIA_CRIME: ((1, 3, 4, 5, 4, 3), "mafia", 0.2, 0.0),
    "寻衅滋事罪": ((6, 3, 0, 0, 0, 0), "order", 0.2, 2.0),
    "聚众斗殴罪": ((3, 2, 0, 0, 0, 0), "order", 0.1, 2.0),
    "开设赌场罪": ((4, 3, 0, 0, 0, 0), "order", 1.0, 0.3),
    "合同诈骗罪": ((3, 3, 2, 0.5, 0.3, 0), "fraud", 1.5, 0.0),
    "交通肇事罪": ((3, 1, 0, 0, 0, 0), "traffic", 0.5, 0.3),
    "职务侵占罪": ((2, 2, 1, 0, 0, 0), "theft", 1.5, 0.0),
}
MAFIA_COMPANIONS = (
    "故意伤害罪",
    "寻衅滋事罪",
    "敲诈勒索罪",
    "开设赌场罪",
    "强迫交易罪",
    "非法拘禁罪",
)
COMPANIONS = (
    "盗窃罪", "故意伤害罪", "寻衅滋事罪", "诈骗罪", "敲诈勒索罪", "非法拘禁罪", "妨害公务罪",
    "非法持有毒品罪", "抢劫罪", "掩饰、隐瞒犯罪所得罪",
)  # fmt: skip
SERIOUS_COMPANIONS = ("抢劫罪", "故意伤害罪", "贩卖毒品罪", "强奸罪", "绑架罪", "诈骗罪")
SECOND_CRIME_SHARE = 0.12

# kind: (share with a property judgment, smallest and largest amount in yuan)
PROPERTY: dict[str, tuple[float, int, int]] = {
    "theft": (0.9, 2_000, 200_000),
    "fraud": (0.95, 10_000, 2_000_000),
    "duty": (0.98, 100_000, 10_000_000),
    "financial": (0.98, 200_000, 50_000_000),
    "drug": (0.8, 5_000, 200_000),
    "mafia": (0.95, 100_000, 5_000_000),
    "harm": (0.5, 20_000, 800_000),
    "order": (0.5, 5_000, 500_000),
    "traffic": (0.7, 50_000, 500_000),
}

# Prisoners' ID numbers: mostly Hubei (the org generator's regions), some from neighbours.
OUTSIDE_REGION_CODES = (
    "410102", "411302", "411502", "430102", "430602", "360403", "340802", "500101",
    "511302", "610302",
)  # fmt: skip
OUTSIDE_SHARE = 0.05

# Courts: city → (intermediate court, its code, basic courts with their codes).
HIGH_COURT = "湖北省高级人民法院"
HANJIANG = ("湖北省汉江中级人民法院", "鄂96")
COURTS: dict[str, tuple[str, str, tuple[tuple[str, str], ...]]] = {
    "武汉市": ("武汉市中级人民法院", "鄂01", (
        ("武汉市江岸区人民法院", "鄂0102"), ("武汉市江汉区人民法院", "鄂0103"),
        ("武汉市硚口区人民法院", "鄂0104"), ("武汉市汉阳区人民法院", "鄂0105"),
        ("武汉市武昌区人民法院", "鄂0106"), ("武汉市青山区人民法院", "鄂0107"),
        ("武汉市洪山区人民法院", "鄂0111"), ("武汉市东西湖区人民法院", "鄂0112"),
        ("武汉市江夏区人民法院", "鄂0115"), ("武汉市黄陂区人民法院", "鄂0116"),
        ("武汉市新洲区人民法院", "鄂0117"),
    )),
    "黄石市": ("黄石市中级人民法院", "鄂02", (
        ("黄石市黄石港区人民法院", "鄂0202"), ("黄石市西塞山区人民法院", "鄂0203"),
        ("大冶市人民法院", "鄂0281"), ("阳新县人民法院", "鄂0222"),
    )),
    "十堰市": ("十堰市中级人民法院", "鄂03", (
        ("十堰市茅箭区人民法院", "鄂0302"), ("十堰市张湾区人民法院", "鄂0303"),
        ("丹江口市人民法院", "鄂0381"), ("房县人民法院", "鄂0325"),
    )),
    "宜昌市": ("宜昌市中级人民法院", "鄂05", (
        ("宜昌市西陵区人民法院", "鄂0502"), ("宜昌市伍家岗区人民法院", "鄂0503"),
        ("宜都市人民法院", "鄂0581"), ("当阳市人民法院", "鄂0582"), ("枝江市人民法院", "鄂0583"),
    )),
    "襄阳市": ("襄阳市中级人民法院", "鄂06", (
        ("襄阳市襄城区人民法院", "鄂0602"), ("襄阳市樊城区人民法院", "鄂0606"),
        ("襄阳市襄州区人民法院", "鄂0607"), ("老河口市人民法院", "鄂0682"),
        ("枣阳市人民法院", "鄂0683"), ("宜城市人民法院", "鄂0684"),
    )),
    "鄂州市": ("鄂州市中级人民法院", "鄂07", (
        ("鄂州市鄂城区人民法院", "鄂0704"), ("鄂州市华容区人民法院", "鄂0703"),
    )),
    "荆门市": ("荆门市中级人民法院", "鄂08", (
        ("荆门市东宝区人民法院", "鄂0802"), ("荆门市掇刀区人民法院", "鄂0804"),
        ("钟祥市人民法院", "鄂0881"), ("京山市人民法院", "鄂0882"), ("沙洋县人民法院", "鄂0822"),
    )),
    "孝感市": ("孝感市中级人民法院", "鄂09", (
        ("孝感市孝南区人民法院", "鄂0902"), ("应城市人民法院", "鄂0981"),
        ("安陆市人民法院", "鄂0982"), ("汉川市人民法院", "鄂0984"), ("云梦县人民法院", "鄂0923"),
    )),
    "荆州市": ("荆州市中级人民法院", "鄂10", (
        ("荆州市沙市区人民法院", "鄂1002"), ("荆州市荆州区人民法院", "鄂1003"),
        ("监利市人民法院", "鄂1088"), ("洪湖市人民法院", "鄂1083"),
        ("松滋市人民法院", "鄂1087"), ("公安县人民法院", "鄂1022"),
    )),
    "黄冈市": ("黄冈市中级人民法院", "鄂11", (
        ("黄冈市黄州区人民法院", "鄂1102"), ("麻城市人民法院", "鄂1181"),
        ("武穴市人民法院", "鄂1182"), ("浠水县人民法院", "鄂1125"), ("蕲春县人民法院", "鄂1126"),
    )),
    "咸宁市": ("咸宁市中级人民法院", "鄂12", (
        ("咸宁市咸安区人民法院", "鄂1202"), ("赤壁市人民法院", "鄂1281"),
        ("嘉鱼县人民法院", "鄂1221"), ("通城县人民法院", "鄂1222"),
    )),
    "随州市": ("随州市中级人民法院", "鄂13", (
        ("随州市曾都区人民法院", "鄂1303"), ("广水市人民法院", "鄂1381"),
    )),
    "恩施州": ("恩施土家族苗族自治州中级人民法院", "鄂28", (
        ("恩施市人民法院", "鄂2801"), ("利川市人民法院", "鄂2802"), ("巴东县人民法院", "鄂2823"),
    )),
    "仙桃市": (*HANJIANG, (("仙桃市人民法院", "鄂9004"),)),
    "潜江市": (*HANJIANG, (("潜江市人民法院", "鄂9005"),)),
    "天门市": (*HANJIANG, (("天门市人民法院", "鄂9006"),)),
}  # fmt: skip

HEALTH: tuple[tuple[str, float], ...] = (
    ("健康", 88.0),
    ("高血压", 4.0),
    ("糖尿病", 2.0),
    ("慢性胃炎", 2.0),
    ("乙型肝炎病毒携带", 1.5),
    ("腰椎间盘突出", 1.5),
    ("冠心病", 0.6),
    ("慢性肾功能不全", 0.2),
    ("恶性肿瘤(术后)", 0.2),
)

# (post, intensity 1 light / 2 normal / 3 heavy, weight as a post to be given)
POSTS: tuple[tuple[str, int, float], ...] = (
    ("缝纫", 2, 18.0),
    ("电子装配", 2, 14.0),
    ("服装加工", 2, 12.0),
    ("箱包加工", 2, 6.0),
    ("五金装配", 2, 6.0),
    ("来料加工", 2, 8.0),
    ("机械加工", 3, 5.0),
    ("搬运装卸", 3, 3.0),
    ("农业种植", 3, 3.0),
    ("建筑维修", 3, 2.0),
    ("伙房", 3, 3.0),
    ("洗衣房", 2, 2.0),
    ("后勤保洁", 1, 2.0),
    ("监区图书管理员", 1, 0.6),
    ("劳动工具管理员", 1, 0.8),
    ("质量检验员", 1, 1.0),
    ("监区卫生员", 1, 0.8),
    ("理发员", 1, 0.5),
)
LIGHT_POSTS = tuple(p for p in POSTS if p[1] == 1)

ADDITION_REASONS = (
    "生产任务超额完成",
    "协助管理表现突出",
    "参加文体比赛获奖",
    "技能考核成绩优秀",
    "积极参加义务劳动",
    "教育改造考试成绩优秀",
    "检举他犯违规行为经查证属实",
)
DEDUCTION_REASONS = (
    "劳动任务未完成",
    "违反监规纪律",
    "内务卫生不合格",
    "学习考试不及格",
    "出工迟到",
    "不服从管理",
)
REVERSAL_REASONS = (
    "加分依据不足,经复核予以冲正",
    "扣分事实认定有误,经复核予以冲正",
    "重复录入,予以冲正",
)
BASE_REVERSAL_REASON = "基础分录入错误,经复核予以冲正"
ORDINARY_VIOLATIONS = (
    "不服从管理,顶撞民警",
    "私藏香烟等违禁物品",
    "在监舍内大声喧哗,影响他人休息",
    "劳动现场擅自离岗",
    "内务卫生不合格,经教育不改",
    "与他犯发生口角",
    "私自调换床位",
)
SERIOUS_VIOLATIONS = (
    "与他犯打架斗殴,致他犯轻微伤",
    "私藏手机等违禁品",
    "组织他犯抗拒劳动",
    "殴打他犯",
    "辱骂、威胁民警",
)
MATERIAL_REASONS = (
    "月度考核成绩优秀,给予物质奖励",
    "生产劳动积极肯干,超额完成任务",
    "参加监狱运动会获奖",
    "技能培训考核成绩优异",
    "积极参加文艺汇演,表现突出",
)
# (reason, evidence) of merits (规定第四条) and major merits (规定第五条); the last of each
# rests on a patent.
MERITS = (
    (
        "检举监狱内其他罪犯的违法犯罪活动,经查证属实",
        "狱内侦查科调查报告及查证材料;监狱立功审核意见",
    ),
    ("阻止他犯实施犯罪活动", "现场监控录像截图、当班民警情况说明、证人证言三份"),
    ("在抗御自然灾害中表现积极", "监狱防汛抢险工作总结、现场照片及分监区呈报材料"),
    ("在生产劳动中排除重大事故隐患,避免了人员伤亡", "劳动改造科事故隐患处置报告、现场民警证明"),
)
MERIT_INVENTION = ("获得国家实用新型专利,经鉴定具有实用价值", "国家知识产权局实用新型专利证书")
MAJOR_MERITS = (
    ("协助司法机关抓捕其他重大犯罪嫌疑人", "公安机关出具的协助抓捕证明及立案、抓获经过材料"),
    ("检举他人重大犯罪活动,经查证属实", "公安机关立案决定书、查证属实的书面证明"),
)
MAJOR_INVENTION = ("有发明创造并获得国家发明专利", "国家知识产权局发明专利证书")

_ONE_DAY = dt.timedelta(days=1)
_MONTH_DAYS = (31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)
_DECIMALS: dict[int, Decimal] = {}


def _tenths(value: int) -> Decimal:
    """A Decimal for ``value`` tenths of a point (cached: a million entries share a few)."""
    found = _DECIMALS.get(value)
    if found is None:
        found = _DECIMALS[value] = Decimal(value).scaleb(-1)
    return found


def add_months(day: dt.date, months: int) -> dt.date:
    """``day + relativedelta(months=months)`` (clamped to the month's last day)."""
    index = day.year * 12 + day.month - 1 + months
    year, month_index = divmod(index, 12)
    last = _MONTH_DAYS[month_index]
    if month_index == 1 and year % 4 == 0 and (year % 100 != 0 or year % 400 == 0):
        last = 29
    return dt.date(year, month_index + 1, min(day.day, last))


def _month_end(month: dt.date) -> dt.date:
    return add_months(month, 1) - _ONE_DAY


def _add_years(day: dt.date, years: int) -> dt.date:
    return add_months(day, 12 * years)


def _cum(weights: Iterable[float]) -> list[float]:
    return list(itertools.accumulate(weights))


# ---------------------------------------------------------------------------------------------
# Inputs: the custody units and officers, from the org plan (pure) or the database


@dataclass(frozen=True, slots=True)
class CustodyIn:
    pk: int
    code: str
    district_officers: tuple[int, ...]  # the district's (and its sub-districts') officers
    weight: float  # a whole district holds about twice a sub-district


@dataclass(frozen=True, slots=True)
class PrisonIn:
    pk: int
    code: str
    name: str
    city: str
    size: float
    custody: tuple[CustodyIn, ...]
    officers: tuple[int, ...]  # everyone in the prison: the fallback pool


@dataclass(frozen=True, slots=True)
class Inputs:
    prisons: tuple[PrisonIn, ...]
    officer_ids: frozenset[str]  # officers' ID numbers: a prisoner never shares one


def _inputs(units: Iterable[tuple], officers: Iterable[tuple]) -> Inputs:
    """``units``: (pk, code, kind, parent_pk, path); ``officers``: (pk, unit_pk, id_number,
    active)."""
    units = list(units)
    by_pk = {u[0]: u for u in units}
    with_subdistricts = {u[3] for u in units if u[2] == "subdistrict"}
    staff: dict[int, list[int]] = {}
    ids = set()
    for pk, unit_pk, id_number, active in officers:
        ids.add(id_number)
        if active:
            staff.setdefault(unit_pk, []).append(pk)

    def officers_under(path: str) -> tuple[int, ...]:
        return tuple(
            pk for unit in units if unit[4].startswith(path) for pk in staff.get(unit[0], ())
        )

    prison_info = {code: (name, city, size) for code, name, city, size in PRISONS}
    prisons = []
    for prison in (u for u in units if u[2] == "prison"):
        name, city, size = prison_info.get(prison[1], (prison[1], "武汉市", 1.0))
        custody = []
        for unit in units:
            if not unit[4].startswith(prison[4]):
                continue
            kind = unit[2]
            if kind == "subdistrict" or (kind == "district" and unit[0] not in with_subdistricts):
                district = by_pk[unit[3]] if kind == "subdistrict" else unit
                custody.append(
                    CustodyIn(
                        unit[0],
                        unit[1],
                        officers_under(district[4]),
                        1.0 if kind == "subdistrict" else 2.0,
                    )
                )
        prisons.append(
            PrisonIn(
                prison[0], prison[1], name, city, size, tuple(custody), officers_under(prison[4])
            )
        )
    return Inputs(tuple(prisons), frozenset(ids))


def inputs_from_org_plan(plan: OrgPlan) -> Inputs:
    """The org generator's pure plan as inputs; officer keys are their future primary keys
    (1, 2, … in plan order, as ``bulk_create`` assigns them in an empty table)."""
    return _inputs(
        ((u.pk, u.code, str(u.kind), u.parent_pk, u.path) for u in plan.units),
        ((i + 1, o.unit_pk, o.id_number, True) for i, o in enumerate(plan.officers)),
    )


def inputs_from_models(units: Iterable, officers: Iterable) -> Inputs:
    """``Unit`` and ``Officer`` instances (as the org generator leaves them) as inputs."""
    return _inputs(
        ((u.pk, u.code, str(u.kind), u.parent_id, u.path) for u in units),
        ((o.pk, o.unit_id, o.id_number, o.is_active) for o in officers),
    )


# ---------------------------------------------------------------------------------------------
# The plan: plain data


@dataclass(slots=True)
class ChangePlan:
    kind: str  # "reduction" or "commutation"
    ruling_date: dt.date
    months: int = 0
    to_years: int | None = None
    court: str = ""
    ruling_number: str = ""


@dataclass(slots=True, eq=False)
class PrisonerPlan:
    pk: int
    prison: str
    unit_pk: int
    gender: str
    sentence_class: str
    name: str = ""
    number: str = ""
    id_number: str = ""
    birth_date: dt.date = dt.date(1980, 1, 1)
    crimes: tuple[str, ...] = ()
    categories: list[str] = field(default_factory=list)
    is_recidivist: bool = False
    sentence_type: str = "fixed_term"
    term_years: int = 0
    term_months: int = 0
    restricted_reduction: bool = False
    execution_start: dt.date = dt.date(2020, 1, 1)
    detention_days: int = 0
    court: str = ""
    judgment_number: str = ""
    property_amount: int = 0
    property_paid: int = 0
    property_able_unfulfilled: bool = False
    health: str = "健康"
    admitted_on: dt.date = dt.date(2020, 1, 1)
    # Derived and planned later:
    district_officers: tuple[int, ...] = ()
    main_officer: int | None = None
    ledger_months: list[dt.date] = field(default_factory=list)
    # Entries: [pk, month, kind, supervision, education, labour, points (tenths), reason,
    #           revision, officer, reversed entry (list) or None]; pk filled at the end.
    entries: list[list] = field(default_factory=list)
    commendations: list[tuple[dt.date, int]] = field(default_factory=list)  # (day, basis)
    # (kind, day, reason, evidence, rests_on_invention, officer)
    rewards: list[tuple] = field(default_factory=list)
    violations: list[tuple] = field(default_factory=list)  # (severity, day, text, officer)
    punishments: list[tuple] = field(default_factory=list)  # (kind, day, reason, officer)
    changes: list[ChangePlan] = field(default_factory=list)
    jobs: list[tuple] = field(default_factory=list)  # (post, intensity, started_on, officer)
    term_end: dt.date | None = None  # the current fixed term's last day

    @property
    def term_total(self) -> int:
        return self.term_years * 12 + self.term_months

    @property
    def term_start(self) -> dt.date:
        return self.execution_start - dt.timedelta(days=self.detention_days)

    def engine_categories(self) -> set[str]:
        found = set(self.categories)
        if self.is_recidivist:
            found.add("recidivist")
        if self.property_able_unfulfilled:
            found.add("property_unfulfilled")
        return found


@dataclass
class PrisonPlan:
    code: str
    prisoners: list[PrisonerPlan]
    next_entry_pk: int
    patterns: dict[str, list[int]]

    @property
    def entry_count(self) -> int:
        return sum(len(p.entries) for p in self.prisoners)


def prison_counts(scale: str, rng: random.Random, inputs: Inputs) -> dict[str, list[int]]:
    """Prisoners per custody unit of every prison (prison code → counts in custody order)."""
    counts: dict[str, list[int]] = {}
    if scale == "province":
        rest = PROVINCE_PRISONERS - PROVINCE_PRISON_MIN * len(inputs.prisons)
        extra = apportion(rest, [max(p.size - 0.4, 0.05) for p in inputs.prisons])
        for prison, more in zip(inputs.prisons, extra, strict=True):
            weights = [c.weight * rng.uniform(0.8, 1.2) for c in prison.custody]
            counts[prison.code] = apportion(PROVINCE_PRISON_MIN + more, weights)
    else:
        for prison in inputs.prisons:
            low, high = (
                DEMO_PER_UNIT if prison.code in FEATURED_DEMO_PRISONS else DEMO_PER_UNIT_OTHERS
            )
            counts[prison.code] = [rng.randint(low, high) for _ in prison.custody]
    return counts


class _Planner:
    """Plans one prison. Holds the prison's random stream and the precomputed tables."""

    def __init__(
        self,
        scale: str,
        rng: random.Random,
        today: dt.date,
        prison: PrisonIn,
        used_ids: set[str],
    ) -> None:
        self.scale = scale
        self.rng = rng
        self.today = today
        self.prison = prison
        self.used_ids = used_ids
        self.showcase = scale == "demo" and prison.code in DEMO_SHOWCASE
        self.total = 0  # prisoners in the prison, once ``plan`` knows
        self.juvenile = prison.code == JUVENILE_PRISON
        self.women = prison.code == WOMENS_PRISON
        this_month = today.replace(day=1)
        self.ledger_from = add_months(this_month, -LEDGER_MONTHS)
        self.ledger_to = add_months(this_month, -1)  # the last complete month
        self.prison_no = int(prison.code[1:]) if prison.code[1:].isdigit() else 0
        self.class_cum = _cum(JUVENILE_CLASS_WEIGHTS if self.juvenile else CLASS_WEIGHTS)
        self.crime_names = tuple(CRIMES)
        self.crime_cum: list[list[float]] = []
        for index in range(len(CLASSES)):
            weights = [
                by_class[index] * (juvenile if self.juvenile else women if self.women else 1.0)
                for by_class, _kind, women, juvenile in CRIMES.values()
            ]
            self.crime_cum.append(_cum(weights) if sum(weights) > 0 else [])
        # No woman is convicted of rape here (as a principal): her companions exclude it too.
        excluded = {"强奸罪"} if self.women else set()
        self.companions = tuple(c for c in COMPANIONS if c not in excluded)
        self.serious_companions = tuple(c for c in SERIOUS_COMPANIONS if c not in excluded)
        self.post_cum = _cum(p[2] for p in POSTS)
        self.light_cum = _cum(p[2] for p in LIGHT_POSTS)
        self.health_cum = _cum(w for _, w in HEALTH)
        self.region_codes = REGIONS.get(prison.city, REGIONS["武汉市"])[1]
        self.region_cum = _cum(REGION_WEIGHTS)
        self.surname_cum = _cum(SURNAME_WEIGHTS)
        if "沙洋" in prison.name:
            # The 沙洋 prisons' rulings are made by the 汉江 intermediate court.
            self.ruling_court = HANJIANG
        else:
            court = COURTS.get(prison.city, COURTS["武汉市"])
            self.ruling_court = (court[0], court[1])

    # --- small draws ------------------------------------------------------------------

    def pick(self, population: Sequence, cum: list[float]):
        return self.rng.choices(population, cum_weights=cum)[0]

    def day_between(self, lo: dt.date, hi: dt.date) -> dt.date:
        if hi <= lo:
            return lo
        return lo + dt.timedelta(days=self.rng.randint(0, (hi - lo).days))

    def officer(self, p: PrisonerPlan) -> int | None:
        pool = p.district_officers or self.prison.officers
        return self.rng.choice(pool) if pool else None

    def exact(self, candidates: list[PrisonerPlan], share: float, key: str) -> list[PrisonerPlan]:
        """``share`` of all the prison's prisoners, drawn among ``candidates`` (at least the
        demo minimum in the showcase prisons)."""
        count = round(share * self.total)
        if self.showcase:
            count = max(count, DEMO_MINIMUMS.get(key, 0))
        count = min(count, len(candidates))
        return self.rng.sample(candidates, count) if count else []

    # --- the person and the sentence --------------------------------------------------

    def person(self, pk: int, unit: CustodyIn, forced: str | None) -> PrisonerPlan:
        rng = self.rng
        klass = forced or self.pick(CLASSES, self.class_cum)
        restricted = klass == "death_restricted"
        if restricted:
            klass = "death"
        p = PrisonerPlan(
            pk=pk,
            prison=self.prison.code,
            unit_pk=unit.pk,
            gender="F" if self.women else "M",
            sentence_class=klass,
            district_officers=unit.district_officers,
        )
        class_index = CLASSES.index(klass)
        # Crimes.
        primary = self.pick(self.crime_names, self.crime_cum[class_index])
        crimes = [primary]
        if primary == MAFIA_CRIME:
            crimes.append(rng.choice(MAFIA_COMPANIONS))
        elif klass == "15-25":
            crimes.append(rng.choice([c for c in self.serious_companions if c != primary]))
        elif rng.random() < SECOND_CRIME_SHARE:
            crimes.append(rng.choice([c for c in self.companions if c != primary]))
        p.crimes = tuple(crimes)
        # Sentence.
        if klass == "life":
            p.sentence_type = "life"
        elif klass == "death":
            p.sentence_type = "death_reprieve"
        else:
            total = self.term(klass)
            p.term_years, p.term_months = divmod(total, 12)
        # Categories.
        long_or_more = klass in ("life", "death") or p.term_total >= 120
        categories = []
        if any(c in DUTY_CRIMES for c in p.crimes):
            categories.append("duty_crime")
        if any(c in FINANCIAL_CRIMES for c in p.crimes):
            categories.append("financial")
        if MAFIA_CRIME in p.crimes:
            categories.append("mafia")
        if any(c in DRUG_CRIMES for c in p.crimes):
            if (klass in ("15-25", "life", "death")) and rng.random() < 0.08:
                categories.append("drug_ringleader")
            if rng.random() < 0.06:
                categories.append("drug_recidivist")
        if primary in VIOLENT_CRIMES and long_or_more:
            categories.append("violent_10y")
        if (
            len(p.crimes) > 1
            and (klass in ("life", "death") or p.term_total >= 240)
            and rng.random() < 0.5
        ):
            categories.append("combined_10y")
        p.categories = categories
        p.is_recidivist = not self.juvenile and rng.random() < RECIDIVIST_SHARE
        if klass == "death":
            strict = p.is_recidivist or primary in VIOLENT_CRIMES
            p.restricted_reduction = restricted or (strict and rng.random() < RESTRICTED_SHARE)
        # Dates.
        p.detention_days = round(rng.triangular(30, 400, 180))
        lag = round(rng.triangular(3, 60, 12))
        if p.sentence_type == "fixed_term":
            term_days = (add_months(dt.date(2000, 1, 1), p.term_total) - dt.date(2000, 1, 1)).days
            p.detention_days = min(p.detention_days, term_days // 3)
            expected_reduction = p.term_total // 7
            span = (
                (
                    add_months(dt.date(2000, 1, 1), p.term_total - expected_reduction)
                    - dt.date(2000, 1, 1)
                ).days
                - p.detention_days
                - END_MARGIN_DAYS
            )
        elif p.sentence_type == "life":
            span = 15 * 365
        else:
            span = 17 * 365
        if self.juvenile:
            span = min(span, 7 * 365)
        span = max(span, lag + 1)
        elapsed = rng.randint(lag, span)
        p.execution_start = self.today - dt.timedelta(days=elapsed)
        p.admitted_on = p.execution_start + dt.timedelta(days=lag)
        # Age and birth: adults 20–65 (at least 19 when the judgment took effect), young
        # offenders 17–25 (at least 15).
        elapsed_years = math.ceil(elapsed / 365.25)
        if self.juvenile:
            low, high, mode = max(17, 15 + elapsed_years), 25, 19
        else:
            low, high = max(20, 19 + elapsed_years), 65
            mode = 50 if "duty_crime" in categories else 36
            if "duty_crime" in categories:
                low = max(low, 35)
        low = min(low, high)
        age = round(rng.triangular(low, high, min(max(mode, low), high)))
        birth = _add_years(self.today, -age) - dt.timedelta(days=rng.randint(1, 364))
        p.birth_date = birth
        p.name = self.pick(SURNAME_CHARS, self.surname_cum) + self.given_name(p.gender == "F")
        p.id_number = self.id_number(birth, p.gender == "F")
        p.health = self.pick([h for h, _ in HEALTH], self.health_cum)
        if age >= 60 and p.health == "健康" and rng.random() < 0.3:
            p.health = rng.choice(("高血压", "冠心病", "慢性支气管炎"))
        self.judgment(p)
        self.property(p, primary)
        return p

    def term(self, klass: str) -> int:
        rng = self.rng
        extra = rng.choices((0, 6, 3, 8, 10), (6, 2, 1, 1, 1))[0]
        if klass == "3-5":
            return rng.choice((3, 3, 3, 4, 4)) * 12 + extra
        if klass == "5-10":
            return rng.choices(range(5, 10), (5, 4, 3, 2, 2))[0] * 12 + extra
        if klass == "10-15":
            if rng.random() < 0.1:
                return 180
            return rng.choices(range(10, 15), (5, 3, 3, 2, 2))[0] * 12 + extra
        if rng.random() < 0.1:
            return 300
        years = rng.choices(range(15, 25), (3, 4, 4, 3, 3, 3, 2, 2, 1, 1))[0]
        return years * 12 + (extra or (6 if years == 15 else 0))

    def given_name(self, female: bool) -> str:
        pool = FEMALE_GIVEN if female else MALE_GIVEN
        rng = self.rng
        if rng.random() < 0.25:
            return rng.choice(pool)
        first, second = rng.choice(pool), rng.choice(pool)
        while second == first:
            second = rng.choice(pool)
        return first + second

    def id_number(self, birth: dt.date, female: bool) -> str:
        rng = self.rng
        while True:
            roll = rng.random()
            if roll < OUTSIDE_SHARE:
                region = rng.choice(OUTSIDE_REGION_CODES)
            elif roll < 0.6:
                region = rng.choice(self.region_codes)
            else:
                home = self.pick(REGION_NAMES, self.region_cum)
                region = rng.choice(REGIONS[home][1])
            # The sequence's last digit is odd for men and even for women.
            sequence = rng.randrange(100) * 10 + rng.randrange(0 if female else 1, 10, 2)
            number = idcard.make(region, birth, sequence)
            if number not in self.used_ids:
                self.used_ids.add(number)
                return number

    def judgment(self, p: PrisonerPlan) -> None:
        """The court whose judgment took effect, and its number."""
        rng = self.rng
        city = self.prison.city if rng.random() < 0.5 else self.pick(REGION_NAMES, self.region_cum)
        middle, middle_code, basics = COURTS.get(city, COURTS["武汉市"])
        heavy = p.sentence_type != "fixed_term" or p.term_total >= 180
        first_instance = p.execution_start - dt.timedelta(days=rng.randint(40, 300))
        final = p.execution_start - dt.timedelta(days=rng.randint(10, 40))
        appeal = rng.random() < (0.35 if heavy else 0.12)
        if heavy or ("duty_crime" in p.categories and p.term_total >= 120):
            if appeal:
                p.court = HIGH_COURT
                p.judgment_number = f"({final.year})鄂刑终{rng.randint(1, 600)}号"
            else:
                p.court = middle
                p.judgment_number = (
                    f"({first_instance.year}){middle_code}刑初{rng.randint(1, 260)}号"
                )
        elif appeal:
            p.court = middle
            p.judgment_number = f"({final.year}){middle_code}刑终{rng.randint(1, 1500)}号"
        else:
            p.court, code = rng.choice(basics)
            p.judgment_number = f"({first_instance.year}){code}刑初{rng.randint(1, 900)}号"

    def property(self, p: PrisonerPlan, primary: str) -> None:
        rng = self.rng
        kind = CRIMES[primary][1]
        share, low, high = PROPERTY[kind]
        if rng.random() >= share:
            return
        amount = math.exp(rng.uniform(math.log(low), math.log(high)))
        amount = max(100, round(amount / 100) * 100)
        p.property_amount = amount
        roll = rng.random()
        if roll < 0.25:
            p.property_paid = amount
        elif roll < 0.6:
            p.property_paid = 0
        else:
            p.property_paid = round(amount * rng.uniform(0.05, 0.95) / 100) * 100

    # --- the ledger ------------------------------------------------------------------

    def ledger(self, p: PrisonerPlan) -> None:
        rng = self.rng
        first = max(self.ledger_from, p.admitted_on.replace(day=1))
        months = []
        month = first
        while month <= self.ledger_to:
            months.append(month)
            month = add_months(month, 1)
        p.ledger_months = months
        if not months:
            return
        p.main_officer = self.officer(p)
        random_ = rng.random
        for month in months:
            roll = random_()
            if roll < 0.72:
                parts = list(BASE_PARTS)
            else:
                if roll < 0.92:
                    loss = rng.randint(1, 6) * 5
                elif roll < 0.98:
                    loss = rng.randint(7, 20) * 5
                else:
                    loss = rng.randint(21, 40) * 5
                parts = list(BASE_PARTS)
                while loss > 0:
                    part = rng.randrange(3)
                    step = min(loss, parts[part], 5 * rng.randint(1, 4))
                    if step <= 0:
                        continue
                    parts[part] -= step
                    loss -= step
            officer = p.main_officer if random_() < 0.9 else self.officer(p)
            total = parts[0] + parts[1] + parts[2]
            p.entries.append(
                [
                    0,
                    month,
                    "base",
                    parts[0],
                    parts[1],
                    parts[2],
                    total,
                    "月度基础分",
                    0,
                    officer,
                    None,
                ]
            )
            roll = random_()
            if roll < ADDITION_SHARE:
                points = rng.choices((5, 10, 15, 20, 25, 30), (5, 6, 3, 2, 1, 1))[0]
                p.entries.append(
                    [0, month, "addition", None, None, None, points * 10,
                     rng.choice(ADDITION_REASONS), 0, self.officer(p), None]
                )  # fmt: skip
            elif roll < ADDITION_SHARE + DEDUCTION_SHARE:
                points = rng.choices((5, 10, 15, 20, 30), (8, 5, 2, 1, 1))[0]
                p.entries.append(
                    [0, month, "deduction", None, None, None, -points * 10,
                     rng.choice(DEDUCTION_REASONS), 0, self.officer(p), None]
                )  # fmt: skip

    def violation(self, p: PrisonerPlan, serious: bool) -> dt.date:
        rng = self.rng
        month = rng.choice(p.ledger_months)
        day = self.day_between(max(month, p.admitted_on), _month_end(month))
        text = rng.choice(SERIOUS_VIOLATIONS if serious else ORDINARY_VIOLATIONS)
        officer = self.officer(p)
        p.violations.append(("serious" if serious else "ordinary", day, text, officer))
        points = rng.choice((20, 25, 30)) if serious else rng.choice((5, 5, 10, 10, 15))
        p.entries.append(
            [0, month, "deduction", None, None, None, -points * 10, f"违规扣分:{text}", 0,
             officer, None]
        )  # fmt: skip
        return day

    def surge(self, p: PrisonerPlan) -> None:
        """Additions by one officer in each of the last three months (a risk pattern)."""
        officer = self.officer(p)
        for month in p.ledger_months[-3:]:
            points = self.rng.choice((20, 25, 30))
            p.entries.append(
                [0, month, "addition", None, None, None, points * 10,
                 self.rng.choice(ADDITION_REASONS[:2]), 0, officer, None]
            )  # fmt: skip

    def reverse(self, p: PrisonerPlan, entry: list) -> None:
        reason = BASE_REVERSAL_REASON if entry[2] == "base" else self.rng.choice(REVERSAL_REASONS)
        p.entries.append(
            [0, entry[1], "reversal", None, None, None, -entry[6], reason, 0, entry[9], entry]
        )
        if entry[2] == "base":
            parts = list(entry[3:6])
            part = self.rng.randrange(3)
            parts[part] = max(parts[part] - 5 * self.rng.randint(1, 6), 0)
            p.entries.append(
                [0, entry[1], "base", *parts, sum(parts), "月度基础分(冲正后重新录入)", 1,
                 entry[9], None]
            )  # fmt: skip

    def finish_ledger(self, p: PrisonerPlan) -> None:
        """Order the month's lines (base, adjustments, reversals), and award commendations at
        each month's end as ``conduct.commendations_due`` says."""
        order = {"base": 0, "addition": 1, "deduction": 1, "reversal": 2}
        p.entries.sort(key=lambda e: (e[1], order[e[2]], e[8]))
        total = 0
        awarded = 0
        index = 0
        entries = p.entries
        for month in p.ledger_months:
            while index < len(entries) and entries[index][1] == month:
                total += entries[index][6]
                index += 1
            due = conduct.commendations_due(_tenths(total), awarded, COMMENDATION_THRESHOLD)
            for _ in range(due):
                awarded += 1
                day = month.replace(day=self.rng.randint(20, 28))
                p.commendations.append((max(day, p.admitted_on), awarded * COMMENDATION_THRESHOLD))

    # --- rewards -----------------------------------------------------------------------

    def merit(self, p: PrisonerPlan, major: bool, invention: bool) -> dt.date:
        rng = self.rng
        start = max(p.ledger_months[0], p.admitted_on + dt.timedelta(days=30))
        day = self.day_between(start, self.ledger_to + dt.timedelta(days=27))
        if invention:
            reason, evidence = MAJOR_INVENTION if major else MERIT_INVENTION
            kind = "发明" if major else "实用新型"
            number = (
                f"ZL{day.year - 1}{1 if major else 2}{rng.randrange(10**7):07d}.{rng.randrange(10)}"
            )
            evidence = f"{evidence}({kind}专利号{number});监狱技术鉴定意见"
        else:
            reason, evidence = rng.choice(MAJOR_MERITS if major else MERITS)
        p.rewards.append(
            ("major_merit" if major else "merit", day, reason, evidence, invention, self.officer(p))
        )
        return day

    def material(self, p: PrisonerPlan) -> None:
        for _ in range(1 if self.rng.random() < 0.85 else 2):
            month = self.rng.choice(p.ledger_months)
            day = self.day_between(max(month, p.admitted_on), _month_end(month))
            p.rewards.append(
                ("material", day, self.rng.choice(MATERIAL_REASONS), "", False, self.officer(p))
            )

    # --- sentence history ---------------------------------------------------------------

    def rulings(self, p: PrisonerPlan, merits: list[dt.date], serious: list[dt.date]) -> None:
        if p.sentence_type == "fixed_term":
            self.fixed_rulings(p, merits, serious)
        elif p.sentence_type == "life":
            self.life_rulings(p, merits, serious)
        else:
            self.death_rulings(p, merits, serious)

    def lag(self, day: dt.date) -> dt.date:
        """The eligible day moved on by the procedure (proposal, review, court), sometimes by
        a missed round."""
        days = round(self.rng.triangular(30, 220, 75))
        if self.rng.random() < 0.15:
            days += self.rng.randint(120, 365)
        return day + dt.timedelta(days=days)

    def supported(
        self, p: PrisonerPlan, anchor: dt.date, day: dt.date, serious: list[dt.date]
    ) -> dt.date | None:
        """The first day on or after ``day`` that the ledger supports a ruling after
        ``anchor``: two commendations since and no serious violation. Before the ledger's
        window there is nothing to check."""
        if not p.ledger_months:
            return day
        window = p.ledger_months[0]
        if anchor < window and day < add_months(window, 12):
            return day
        commended = [d for d, _ in p.commendations]
        while True:
            start = max([anchor, window] + [v for v in serious if v <= day])
            after = commended[bisect.bisect_right(commended, start) :]
            if len(after) < COMMENDATIONS_FOR_REPENTANCE:
                return None
            ready = after[COMMENDATIONS_FOR_REPENTANCE - 1] + dt.timedelta(days=30)
            if ready <= day:
                return day
            day = ready + dt.timedelta(days=self.rng.randint(0, 60))

    def ruling(self, p: PrisonerPlan, kind: str, day: dt.date, *, high: bool, **extra) -> None:
        if high:
            court, number = HIGH_COURT, f"({day.year})鄂刑更{self.rng.randint(1, 3000)}号"
        else:
            court = self.ruling_court[0]
            number = f"({day.year}){self.ruling_court[1]}刑更{self.rng.randint(1, 9000)}号"
        p.changes.append(
            ChangePlan(kind=kind, ruling_date=day, court=court, ruling_number=number, **extra)
        )

    def amount(self, special: bool, merit: bool, cap: int) -> int:
        rng = self.rng
        if merit:
            months = rng.choice((9, 10, 11, 12, 12))
        elif special:
            months = rng.choices((4, 5, 6, 7, 8, 9), (2, 3, 4, 2, 1, 1))[0]
        else:
            months = rng.choices((4, 5, 6, 7, 8, 9), (1, 2, 4, 4, 4, 3))[0]
        return min(months, cap)

    def fixed_rulings(self, p: PrisonerPlan, merits: list[dt.date], serious: list[dt.date]):
        term = p.term_total
        categories = p.engine_categories()
        special = bool(categories & ART7_PARA1) if term < 120 else bool(categories & STRICT_LONG)
        first = 24 if special or term >= 120 else 12 if term < 60 else 18
        interval = 12 if term < 120 else 18
        ceiling = term // 2
        reduced = 0
        anchor = p.execution_start
        eligible = add_months(anchor, first)
        latest_end = self.today + dt.timedelta(days=END_MARGIN_DAYS)
        while True:
            day = self.supported(p, anchor, self.lag(eligible), serious)
            if day is None or day >= self.today:
                break
            if self.rng.random() < 0.12:  # not proposed this time
                eligible = add_months(eligible, self.rng.randint(6, 12))
                continue
            merit = any(anchor < m <= day for m in merits)
            # The most the term may lose and still end after today (+ margin).
            room = 0
            while add_months(p.term_start, term - reduced - room - 1) - _ONE_DAY >= latest_end:
                room += 1
                if room >= 12:
                    break
            months = self.amount(special, merit, min(ceiling - reduced, room))
            if months < 3:
                break
            self.ruling(p, "reduction", day, high=False, months=months)
            reduced += months
            anchor = day
            eligible = add_months(day, max(interval, 0 if special else months))
        p.term_end = add_months(p.term_start, term - reduced) - _ONE_DAY

    def commuted_rulings(
        self,
        p: PrisonerPlan,
        start: dt.date,
        years: int,
        floor_exclusive: dt.date,
        cap: int,
        merits: list[dt.date],
        serious: list[dt.date],
    ) -> None:
        """Reductions of a life or death sentence once commuted to ``years`` on ``start``:
        every 24 months or more, at most ``cap`` months (12 with a merit), never below the
        floor."""
        months_total = years * 12
        reduced = 0
        anchor = start
        while True:
            day = self.supported(p, anchor, self.lag(add_months(anchor, 24)), serious)
            if day is None or day >= self.today:
                break
            merit = any(anchor < m <= day for m in merits)
            room = 0
            while add_months(start, months_total - reduced - room - 1) >= floor_exclusive:
                room += 1
                if room >= 12:
                    break
            # Restricted reduction: at most ``cap`` (6) even with a merit; otherwise 9, or 12
            # with a merit in the period (规定第六条 amounts).
            allowed = cap if cap < 9 else (12 if merit else 9)
            months = min(self.amount(False, merit and cap >= 9, allowed), room)
            if months < 3:
                break
            self.ruling(p, "reduction", day, high=False, months=months)
            reduced += months
            anchor = day
        p.term_end = add_months(start, months_total - reduced) - _ONE_DAY

    def life_rulings(self, p: PrisonerPlan, merits: list[dt.date], serious: list[dt.date]):
        special = bool(p.engine_categories() & STRICT_LONG)
        eligible = add_months(p.execution_start, 36 if special else 24)
        day = self.supported(p, p.execution_start, self.lag(eligible), serious)
        if day is None or day >= self.today:
            return
        merit = any(m <= day for m in merits)
        years = 21 if merit and self.rng.random() < 0.6 else 22
        self.ruling(p, "commutation", day, high=True, to_years=years)
        floor = add_months(p.execution_start, 13 * 12)
        self.commuted_rulings(p, day, years, floor, 9, merits, serious)

    def death_rulings(self, p: PrisonerPlan, merits: list[dt.date], serious: list[dt.date]):
        reprieve_end = add_months(p.execution_start, 24)
        day = reprieve_end + dt.timedelta(days=round(self.rng.triangular(20, 200, 60)))
        if day >= self.today:
            return
        self.ruling(p, "commutation", day, high=True, to_years=None)
        wait = 60 if p.restricted_reduction else 36
        second = self.supported(p, day, self.lag(add_months(day, wait)), serious)
        if second is None or second >= self.today:
            return
        merit = any(day < m <= second for m in merits)
        years = 24 if merit and self.rng.random() < 0.6 else 25
        self.ruling(p, "commutation", second, high=True, to_years=years)
        floor_months = 300 if p.restricted_reduction else 180
        floor = add_months(reprieve_end, floor_months)
        cap = 6 if p.restricted_reduction else 9
        self.commuted_rulings(p, second, years, floor, cap, merits, serious)

    # --- labour posts --------------------------------------------------------------------

    def jobs(self, p: PrisonerPlan, lighter: bool) -> None:
        rng = self.rng
        first_day = min(p.admitted_on + dt.timedelta(days=rng.randint(20, 75)), self.today)
        old = (self.today - p.birth_date).days > 58 * 365 or p.health != "健康"
        post = self.pick(LIGHT_POSTS if old else POSTS, self.light_cum if old else self.post_cum)
        p.jobs.append((post[0], post[1], first_day, self.officer(p)))
        served = (self.today - first_day).days
        if served > 365:
            more = rng.choices((0, 1, 2), (4, 4, 2))[0]
            days = sorted(rng.sample(range(90, served - 30), min(more, max(served - 120, 0))))
            for offset in days:
                post = self.pick(POSTS, self.post_cum)
                if post[0] == p.jobs[-1][0]:
                    continue
                p.jobs.append(
                    (post[0], post[1], first_day + dt.timedelta(days=offset), self.officer(p))
                )
        if lighter:
            # Moved to a light post in the last five months, from a heavier one.
            day = self.today - dt.timedelta(days=rng.randint(20, 150))
            kept = [job for job in p.jobs if job[2] < day - dt.timedelta(days=60)]
            kept = kept[:1] + kept[1:][-1:]  # three posts in all, the light one included
            if not kept or kept[-1][1] == 1:
                earlier = kept[-2][0] if len(kept) > 1 else ""
                post = rng.choice([post for post in POSTS if post[1] >= 2 and post[0] != earlier])
                start = kept[-1][2] if kept else first_day
                kept[-1:] = [(post[0], post[1], start, self.officer(p))]
            if len(kept) == 2 and kept[0][0] == kept[1][0]:
                kept.pop()
            post = self.pick(LIGHT_POSTS, self.light_cum)
            p.jobs = [*kept, (post[0], post[1], day, self.officer(p))]

    # --- the prison ------------------------------------------------------------------------

    def plan(self, counts: list[int], first_pk: int, first_entry_pk: int) -> PrisonPlan:
        rng = self.rng
        self.total = sum(counts)
        slots = [
            (unit, i)
            for unit, count in zip(self.prison.custody, counts, strict=True)
            for i in range(count)
        ]
        forced: dict[int, str] = {}
        if self.scale == "demo" and self.prison.code in DEMO_FORCED_CLASSES:
            classes = DEMO_FORCED_CLASSES[self.prison.code]
            for index, klass in zip(
                rng.sample(range(len(slots)), min(len(classes), len(slots))), classes, strict=False
            ):
                forced[index] = klass
        prisoners = [
            self.person(first_pk + index, unit, forced.get(index))
            for index, (unit, _) in enumerate(slots)
        ]
        self.number(prisoners)

        # Property judgments found able but unfulfilled (a strict category).
        owing = [p for p in prisoners if p.property_amount > p.property_paid]
        for p in self.exact(owing, PROPERTY_UNFULFILLED_SHARE, "property_unfulfilled"):
            p.property_able_unfulfilled = True

        # The ledger, violations, planted surges, reversals, commendations.
        for p in prisoners:
            self.ledger(p)
        with_ledger = [p for p in prisoners if len(p.ledger_months) >= 2]
        serious_days: dict[int, list[dt.date]] = {}
        serious = self.exact(with_ledger, SERIOUS_VIOLATION_SHARE, "serious_violation")
        serious_pks = {p.pk for p in serious}
        for p in serious:
            day = self.violation(p, serious=True)
            serious_days.setdefault(p.pk, []).append(day)
            if rng.random() < PUNISHED_AFTER_SERIOUS or (self.showcase and p is serious[0]):
                kind = rng.choices(("confinement", "demerit", "warning"), (4, 5, 1))[0]
                self.punish(p, kind, day)
        ordinary = self.exact(
            [p for p in with_ledger if p.pk not in serious_pks],
            ORDINARY_VIOLATION_SHARE,
            "ordinary_violation",
        )
        for p in ordinary:
            for _ in range(rng.choices((1, 2), (4, 1))[0]):
                day = self.violation(p, serious=False)
                if rng.random() < PUNISHED_AFTER_ORDINARY:
                    self.punish(p, "warning", day)
        surge = self.exact(
            [p for p in prisoners if len(p.ledger_months) >= 15], SURGE_SHARE, "surge"
        )
        for p in surge:
            self.surge(p)
        adjustments = [
            (p, e) for p in prisoners for e in p.entries if e[2] in ("addition", "deduction")
        ]
        count = round(ADJUSTMENT_REVERSAL_SHARE * len(adjustments))
        if self.showcase:
            count = max(count, DEMO_MINIMUMS["adjustment_reversal"])
        for p, entry in rng.sample(adjustments, min(count, len(adjustments))):
            self.reverse(p, entry)
        # Base lines: drawn by position among all the prison's months (one per month).
        ends = list(itertools.accumulate(len(p.ledger_months) for p in prisoners))
        total = ends[-1] if ends else 0
        count = round(BASE_REVERSAL_SHARE * total)
        if self.showcase:
            count = max(count, DEMO_MINIMUMS["base_reversal"])
        for position in rng.sample(range(total), min(count, total)):
            index = bisect.bisect_right(ends, position)
            p = prisoners[index]
            month = p.ledger_months[position - ends[index] + len(p.ledger_months)]
            entry = next(e for e in p.entries if e[1] == month and e[2] == "base")
            self.reverse(p, entry)
        for p in prisoners:
            self.finish_ledger(p)

        # Merits, major merits, material rewards.
        merit_days: dict[int, list[dt.date]] = {}
        candidates = [p for p in prisoners if len(p.ledger_months) >= 4]
        merited = self.exact(candidates, MERIT_SHARE, "merit")
        merited_pks = {p.pk for p in merited}
        majors = self.exact(
            [p for p in candidates if p.pk not in merited_pks], MAJOR_MERIT_SHARE, "major_merit"
        )
        awarded = [(p, False) for p in merited] + [(p, True) for p in majors]
        inventions = {id(p) for p, _ in self.exact_pairs(awarded, INVENTION_SHARE, "invention")}
        for p, major in awarded:
            day = self.merit(p, major, id(p) in inventions)
            merit_days.setdefault(p.pk, []).append(day)
        for p in prisoners:
            if len(p.ledger_months) >= 6 and rng.random() < MATERIAL_REWARD_SHARE:
                self.material(p)

        # Sentence history and labour posts.
        for p in prisoners:
            self.rulings(p, sorted(merit_days.get(p.pk, ())), sorted(serious_days.get(p.pk, ())))
        lighter = {
            p.pk
            for p in self.exact(
                [p for p in prisoners if (self.today - p.admitted_on).days > 400],
                LIGHTER_JOB_SHARE,
                "lighter_job",
            )
        }
        for p in prisoners:
            self.jobs(p, p.pk in lighter)

        # Primary keys of the ledger's lines, in order.
        pk = first_entry_pk
        for p in prisoners:
            for entry in p.entries:
                entry[0] = pk
                pk += 1
        patterns = {
            "points_surge": [p.pk for p in surge],
            "lighter_job": sorted(lighter),
            "invention_merit": sorted(p.pk for p, _ in awarded if id(p) in inventions),
            "serious_violation": sorted(serious_pks),
            "property_unfulfilled": [p.pk for p in prisoners if p.property_able_unfulfilled],
        }
        return PrisonPlan(self.prison.code, prisoners, pk, patterns)

    def exact_pairs(self, pairs: list, share: float, key: str) -> list:
        count = round(share * len(pairs))
        if self.showcase:
            count = max(count, DEMO_MINIMUMS.get(key, 0))
        count = min(count, len(pairs))
        return self.rng.sample(pairs, count) if count else []

    def punish(self, p: PrisonerPlan, kind: str, day: dt.date) -> None:
        decided = min(day + dt.timedelta(days=self.rng.randint(1, 7)), self.today)
        label = {"warning": "警告", "demerit": "记过", "confinement": "禁闭"}[kind]
        reason = f"{p.violations[-1][2]},给予{label}处罚"
        p.punishments.append((kind, decided, reason, self.officer(p)))

    def number(self, prisoners: list[PrisonerPlan]) -> None:
        """罪犯编号: 42, the prison's number, the admission year and a sequence within it."""
        by_year: dict[int, list[PrisonerPlan]] = {}
        for p in sorted(prisoners, key=lambda p: (p.admitted_on, p.pk)):
            by_year.setdefault(p.admitted_on.year, []).append(p)
        for year, group in by_year.items():
            for sequence, p in enumerate(group, start=1):
                p.number = f"42{self.prison_no:02d}{year % 100:02d}{sequence:04d}"


def prison_rng(salt: int, code: str) -> random.Random:
    return random.Random(f"{salt}/{code}")


def plan_prison(
    scale: str,
    salt: int,
    today: dt.date,
    prison: PrisonIn,
    counts: list[int],
    *,
    first_pk: int = 1,
    first_entry_pk: int = 1,
    used_ids: set[str] | None = None,
) -> PrisonPlan:
    """Every prisoner of one prison with their history and ledgers (pure: no database)."""
    planner = _Planner(scale, prison_rng(salt, prison.code), today, prison, used_ids or set())
    return planner.plan(counts, first_pk, first_entry_pk)


def plan_setup(scale: str, rng: random.Random, inputs: Inputs) -> tuple[int, dict[str, list[int]]]:
    """The salt of the prisons' streams and the prisoners per custody unit of every prison."""
    salt = rng.getrandbits(64)
    return salt, prison_counts(scale, rng, inputs)


def plan_all(
    scale: str, salt: int, counts: dict[str, list[int]], today: dt.date, inputs: Inputs
) -> Iterator[PrisonPlan]:
    """The prisons' plans one after another (lazily: a province's ledger is a million lines)."""
    used = set(inputs.officer_ids)
    first_pk = first_entry_pk = 1
    for prison in inputs.prisons:
        plan = plan_prison(
            scale,
            salt,
            today,
            prison,
            counts[prison.code],
            first_pk=first_pk,
            first_entry_pk=first_entry_pk,
            used_ids=used,
        )
        first_pk += len(plan.prisoners)
        first_entry_pk = plan.next_entry_pk
        yield plan


# ---------------------------------------------------------------------------------------------
# Writing


class _PointsWriter:
    """Writes ledger lines with one prepared ``INSERT`` and ``executemany``.

    ``bulk_create`` spends about 50 µs of Python per ledger line (a placeholder and a value
    preparation per field and row), four fifths of the province seed's time; the database
    itself inserts a line in about 10 µs. The ledger is the one table of a million rows, so its
    lines are written as plain tuples, each distinct value prepared once by its model field
    (``get_db_prep_save``, exactly as ``bulk_create`` would) and cached: there are only a few
    hundred distinct months and point values. ``recorded_at`` is set as a clerk would have
    entered the month: the 3rd of the following month at 10:00 (reversals and re-entries a
    month later), never after ``today``; it is therefore the same in every run.
    """

    COLUMNS = (
        "id", "prisoner", "month", "recorded_at", "kind", "supervision", "education", "labour",
        "points", "reason", "revision", "officer", "reverses",
    )  # fmt: skip

    def __init__(self, today: dt.date) -> None:
        from zoneinfo import ZoneInfo

        from django.conf import settings
        from django.db import connection

        from .models import PointsEntry

        self.connection = connection
        self.meta = PointsEntry._meta
        self.fields = {name: self.meta.get_field(name) for name in self.COLUMNS}
        self.zone = ZoneInfo(settings.TIME_ZONE)
        self.latest = dt.datetime.combine(today, dt.time(8, 0), tzinfo=self.zone)
        quote = connection.ops.quote_name
        self.sql = (
            f"INSERT INTO {quote(self.meta.db_table)} "
            f"({', '.join(quote(self.fields[name].column) for name in self.COLUMNS)}) "
            f"VALUES ({', '.join(['%s'] * len(self.COLUMNS))})"
        )
        self._months: dict[tuple[dt.date, bool], tuple[Any, Any]] = {}
        self._parts: dict[int, Any] = {}
        self._points: dict[int, Any] = {}

    def _prep(self, name: str, value: Any) -> Any:
        return self.fields[name].get_db_prep_save(value, self.connection)

    def month(self, month: dt.date, later: bool) -> tuple[Any, Any]:
        key = (month, later)
        found = self._months.get(key)
        if found is None:
            day = add_months(month, 2 if later else 1).replace(day=3)
            recorded = min(dt.datetime.combine(day, dt.time(10, 0), tzinfo=self.zone), self.latest)
            found = self._months[key] = (
                self._prep("month", month),
                self._prep("recorded_at", recorded),
            )
        return found

    def part(self, tenths: int) -> Any:
        found = self._parts.get(tenths)
        if found is None:
            found = self._parts[tenths] = self._prep("supervision", _tenths(tenths))
        return found

    def points(self, tenths: int) -> Any:
        found = self._points.get(tenths)
        if found is None:
            found = self._points[tenths] = self._prep("points", _tenths(tenths))
        return found

    def insert(self, rows: list[tuple], chunk: int = 20_000) -> None:
        with self.connection.cursor() as cursor:
            for start in range(0, len(rows), chunk):
                cursor.executemany(self.sql, rows[start : start + chunk])


@contextlib.contextmanager
def _without_gc() -> Iterator[None]:
    """Pause the cyclic garbage collector: planning a prison allocates a few hundred thousand
    small lists, and full collections that rescan everything the seed holds (the org's
    officers, the prisoners written so far) cost more than the planning itself. Nothing the
    seed builds is a reference cycle."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def generate(ctx: SeedContext) -> None:
    """Write the prisoners and their ledgers; leave them in ``ctx.data`` for later apps."""
    with _without_gc():
        _generate(ctx)


def _generate(ctx: SeedContext) -> None:
    from django.db.models import Max

    from tongxin.audit.services import record

    from .models import (
        JobAssignment,
        PointsEntry,
        PointsSetting,
        Prisoner,
        Punishment,
        Reward,
        SentenceChange,
        Violation,
    )

    assert ctx.today is not None
    timings: dict[str, float] = ctx.data.setdefault("timings", {})
    counts: Counter[str] = Counter()
    seconds: Counter[str] = Counter()

    started = time.perf_counter()
    inputs = inputs_from_models(ctx.data["units"], ctx.data["officers"])
    if not PointsSetting.objects.exists():
        PointsSetting.objects.create(commendation_threshold=COMMENDATION_THRESHOLD)
    # Explicit keys (the reversals point at their entries): continue after any existing row.
    prisoner_offset = Prisoner.objects.aggregate(m=Max("id"))["m"] or 0
    entry_offset = PointsEntry.objects.aggregate(m=Max("id"))["m"] or 0
    seconds["prisoners.plan"] += time.perf_counter() - started

    prisoners: list[Any] = []
    changes_by_prisoner: dict[int, list[Any]] = {}
    term_end: dict[int, dt.date | None] = {}
    patterns: dict[str, list[int]] = {}
    summary: Counter[str] = Counter()
    writer = _PointsWriter(ctx.today)
    salt, per_unit = plan_setup(ctx.scale, ctx.fork("prisoners"), inputs)
    plans = plan_all(ctx.scale, salt, per_unit, ctx.today, inputs)
    with ctx.progress(sum(map(sum, per_unit.values())), "罪犯") as bar:
        while True:
            started = time.perf_counter()
            plan = next(plans, None)
            seconds["prisoners.plan"] += time.perf_counter() - started
            if plan is None:
                break

            started = time.perf_counter()
            rows = []
            for p in plan.prisoners:
                row = Prisoner(
                    pk=prisoner_offset + p.pk,
                    number=p.number,
                    name=p.name,
                    gender=p.gender,
                    id_number=p.id_number,
                    birth_date=p.birth_date,
                    unit_id=p.unit_pk,
                    crimes="、".join(p.crimes),
                    categories=list(p.categories),
                    is_recidivist=p.is_recidivist,
                    sentence_type=p.sentence_type,
                    term_years=p.term_years,
                    term_months=p.term_months,
                    restricted_reduction=p.restricted_reduction,
                    execution_start=p.execution_start,
                    detention_days=p.detention_days,
                    court=p.court,
                    judgment_number=p.judgment_number,
                    property_amount=Decimal(p.property_amount),
                    property_paid=Decimal(p.property_paid),
                    property_able_unfulfilled=p.property_able_unfulfilled,
                    health=p.health,
                    admitted_on=p.admitted_on,
                )
                rows.append(row)
                term_end[row.pk] = p.term_end
                summary[p.sentence_type] += 1
                summary["women"] += p.gender == "F"
            Prisoner.objects.bulk_create(rows, batch_size=2000)
            prisoners.extend(rows)
            counts["prisoners.prisoners"] += len(rows)
            seconds["prisoners.prisoners"] += time.perf_counter() - started

            started = time.perf_counter()
            change_rows = []
            for p in plan.prisoners:
                pk = prisoner_offset + p.pk
                mine = [
                    SentenceChange(
                        prisoner_id=pk,
                        kind=c.kind,
                        ruling_date=c.ruling_date,
                        months=c.months,
                        to_years=c.to_years,
                        court=c.court,
                        ruling_number=c.ruling_number,
                    )
                    for c in p.changes
                ]
                changes_by_prisoner[pk] = mine
                change_rows.extend(mine)
            SentenceChange.objects.bulk_create(change_rows, batch_size=2000)
            counts["prisoners.changes"] += len(change_rows)
            job_rows = [
                JobAssignment(
                    prisoner_id=prisoner_offset + p.pk,
                    post=post,
                    intensity=intensity,
                    started_on=started_on,
                    assigned_by_id=officer,
                )
                for p in plan.prisoners
                for post, intensity, started_on, officer in p.jobs
            ]
            JobAssignment.objects.bulk_create(job_rows, batch_size=2000)
            counts["prisoners.jobs"] += len(job_rows)
            seconds["prisoners.history"] += time.perf_counter() - started

            started = time.perf_counter()
            reward_rows = []
            for p in plan.prisoners:
                pk = prisoner_offset + p.pk
                events = [(day, 0, "commendation", (basis,)) for day, basis in p.commendations] + [
                    (r[1], 1, r[0], r) for r in p.rewards
                ]
                for day, _, kind, extra in sorted(events, key=lambda e: (e[0], e[1])):
                    if kind == "commendation":
                        basis = extra[0]
                        reward_rows.append(
                            Reward(
                                prisoner_id=pk,
                                kind=kind,
                                awarded_on=day,
                                reason=(
                                    f"计分考核累计达到{basis}分"
                                    f"(每{COMMENDATION_THRESHOLD}分一次表扬)"
                                ),
                                points_basis=Decimal(basis),
                            )
                        )
                    else:
                        _, _, reason, evidence, invention, officer = extra
                        reward_rows.append(
                            Reward(
                                prisoner_id=pk,
                                kind=kind,
                                awarded_on=day,
                                reason=reason,
                                evidence=evidence,
                                rests_on_invention=invention,
                                officer_id=officer,
                            )
                        )
                    summary[kind] += 1
            Reward.objects.bulk_create(reward_rows, batch_size=2000)
            punishment_rows = [
                Punishment(
                    prisoner_id=prisoner_offset + p.pk,
                    kind=kind,
                    decided_on=day,
                    reason=reason,
                    officer_id=officer,
                )
                for p in plan.prisoners
                for kind, day, reason, officer in p.punishments
            ]
            Punishment.objects.bulk_create(punishment_rows, batch_size=2000)
            violation_rows = [
                Violation(
                    prisoner_id=prisoner_offset + p.pk,
                    severity=severity,
                    occurred_on=day,
                    description=text,
                    officer_id=officer,
                )
                for p in plan.prisoners
                for severity, day, text, officer in sorted(p.violations, key=lambda v: v[1])
            ]
            Violation.objects.bulk_create(violation_rows, batch_size=2000)
            counts["prisoners.rewards"] += len(reward_rows)
            counts["prisoners.punishments"] += len(punishment_rows)
            counts["prisoners.violations"] += len(violation_rows)
            summary["serious"] += sum(1 for v in violation_rows if v.severity == "serious")
            seconds["prisoners.conduct"] += time.perf_counter() - started

            started = time.perf_counter()
            entry_rows = [
                (
                    entry_offset + e[0],
                    prisoner_offset + p.pk,
                    *writer.month(e[1], e[2] == "reversal" or e[8] > 0),
                    e[2],
                    None if e[3] is None else writer.part(e[3]),
                    None if e[4] is None else writer.part(e[4]),
                    None if e[5] is None else writer.part(e[5]),
                    writer.points(e[6]),
                    e[7],
                    e[8],
                    e[9],
                    None if e[10] is None else entry_offset + e[10][0],
                )
                for p in plan.prisoners
                for e in p.entries
            ]
            writer.insert(entry_rows)
            counts["prisoners.points"] += len(entry_rows)
            seconds["prisoners.points"] += time.perf_counter() - started
            for key, pks in plan.patterns.items():
                patterns.setdefault(key, []).extend(prisoner_offset + pk for pk in pks)
            bar.update(len(plan.prisoners))

    started = time.perf_counter()
    reset_sequences(Prisoner, PointsEntry)
    seconds["prisoners.points"] += time.perf_counter() - started
    timings.update(seconds)
    ctx.data.setdefault("row_counts", {}).update(counts)

    by_unit: dict[int, list[Any]] = {}
    for row in prisoners:
        by_unit.setdefault(row.unit_id, []).append(row)
    ctx.data.update(
        {
            "prisoners": prisoners,
            "prisoner_changes": changes_by_prisoner,
            "prisoner_term_end": term_end,
            "prisoner_patterns": patterns,
            "prisoners_by_unit": by_unit,
        }
    )

    scale_name = "全省规模" if ctx.province else "演示"
    record(
        actor=None,
        action="seed.prisoners",
        summary=(
            f"生成{scale_name}罪犯数据:罪犯 {len(prisoners)} 名(女 {summary['women']} 名;"
            f"有期徒刑 {summary['fixed_term']} 名、无期徒刑 {summary['life']} 名、"
            f"死刑缓期执行 {summary['death_reprieve']} 名),"
            f"刑期变动 {counts['prisoners.changes']} 条,"
            f"计分条目 {counts['prisoners.points']} 条,"
            f"奖励 {counts['prisoners.rewards']} 条(表扬 {summary['commendation']} 次、"
            f"物质奖励 {summary['material']} 次、立功 {summary['merit']} 次、"
            f"重大立功 {summary['major_merit']} 次),"
            f"处罚 {counts['prisoners.punishments']} 条,"
            f"违规 {counts['prisoners.violations']} 条(严重违规 {summary['serious']} 条),"
            f"劳动岗位 {counts['prisoners.jobs']} 条"
        ),
    )
