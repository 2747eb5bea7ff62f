"""The org app's part of the demo / province data: the unit tree, officers and demo users.

Everything is planned first by pure functions (``build_plan``: no ORM, only the given
``random.Random``), then written with a handful of ``bulk_create`` calls. The plan can thus be
checked at province scale without a database, and the same seed always gives the same rows.

Unit codes, which later generators use through ``ctx.data["units_by_code"]``:

* ``HBJ`` the bureau; ``HBJ-BGS`` … its departments (see ``BUREAU_DEPARTMENTS``);
* ``P01`` … ``P17`` the prisons (``P01`` 洪山, ``P07`` 襄南); ``P01-XFZX`` … a prison's
  departments (see ``PRISON_DEPARTMENTS``); ``P01-D01`` its districts (监区) and
  ``P01-D01-F1`` their sub-districts (分监区, province scale only);
* ``WX`` 武穴市; ``WX-01`` … ``WX-12`` its towns and streets; ``WX-01-001`` … villages.

Left in ``ctx.data`` for later generators: ``roles`` (role key → Group), ``bureau``,
``wuxue``, ``units``, ``units_by_code``, ``prisons`` (P01 … P17), ``districts``,
``custody_units`` (where prisoners are held), ``towns``, ``villages``, ``officers`` (with
keys, in plan order), ``users`` (username → User), ``demo_password`` and ``timings``.

Province scale follows the figures the bureau reports for 2023: about 24,700 police of whom
about 3,000 women, about 14,000 party members, and 349 governance centres in Wuxue
(city + 12 towns + 336 villages).
"""

from __future__ import annotations

import datetime as dt
import heapq
import random
import time
from collections import Counter
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from django.contrib.auth.hashers import make_password

from tongxin.audit.services import record
from tongxin.seeding import apportion, reset_sequences

from . import idcard, roles
from .models import Officer, PartyStatus, PoliceRank, Unit, UnitKind, User, path_segment

if TYPE_CHECKING:
    from tongxin.seeding import SeedContext

DEMO_PASSWORD = "Tongxin@2023"

# The year the province figures describe; ages, ranks and service years are taken at its end
# so that the data does not depend on the day it is generated.
REFERENCE_DATE = dt.date(2023, 12, 31)

PROVINCE_OFFICERS = 24_700
PROVINCE_WOMEN = 3_000
PROVINCE_PARTY_MEMBERS = 14_000  # members and probationary members among serving police
DEMO_OFFICERS = 300
PROVINCE_VILLAGES = 336
DEMO_VILLAGES_PER_TOWN = 3
LIVING_APART_SHARE = 0.03  # of married officers: spouse works in another region (两地分居)
PROBATIONARY_SHARE = 0.03  # of party members

BUREAU = ("HBJ", "湖北省监狱管理局", "省监狱管理局")
WUXUE = ("WX", "武穴市", "武穴市")

# (code suffix, name, head post, deputy post)
BUREAU_DEPARTMENTS: tuple[tuple[str, str, str, str], ...] = (
    ("BGS", "办公室", "主任", "副主任"),
    ("ZZB", "政治部(组织人事处)", "主任", "副主任"),
    ("XFZX", "刑罚执行处", "处长", "副处长"),
    ("YZGL", "狱政管理处", "处长", "副处长"),
    ("YNZC", "狱内侦查处", "处长", "副处长"),
    ("JYGZ", "教育改造处", "处长", "副处长"),
    ("JGDW", "机关党委", "专职副书记", "机关党委委员"),
    ("JW", "纪委(监察专员办)", "主任", "副主任"),
    ("XC", "宣传处", "处长", "副处长"),
    ("DC", "警务督察处", "处长", "副处长"),
    ("CW", "计划财务装备处", "处长", "副处长"),
    ("SJ", "审计处", "处长", "副处长"),
    ("SHWS", "生活卫生处", "处长", "副处长"),
    ("XX", "信息技术中心", "主任", "副主任"),
    ("WXB", "武穴平安建设联系点工作领导小组办公室", "主任", "副主任"),
)

PRISON_DEPARTMENTS: tuple[tuple[str, str, str, str], ...] = (
    ("BGS", "办公室", "主任", "副主任"),
    ("ZZC", "政治处", "主任", "副主任"),
    ("JW", "纪委", "纪委书记", "纪委副书记"),
    ("XFZX", "刑罚执行科", "科长", "副科长"),
    ("PSZX", "刑罚执行评审中心", "主任", "副主任"),
    ("YZGL", "狱政管理科", "科长", "副科长"),
    ("YNZC", "狱内侦查科", "科长", "副科长"),
    ("JYGZ", "教育改造科", "科长", "副科长"),
    ("LDGZ", "劳动改造科", "科长", "副科长"),
    ("SHWS", "生活卫生科", "科长", "副科长"),
)
# At demo scale the first three prisons (where most demo users work) staff these departments;
# the other prisons only their office, so that the few demo officers are not all unit heads.
DEMO_STAFFED_DEPARTMENTS = 6
DEMO_MAIN_PRISONS = 3

# (code, name, home city of most of its police, relative size)
PRISONS: tuple[tuple[str, str, str, float], ...] = (
    ("P01", "湖北省洪山监狱", "武汉市", 1.3),
    ("P02", "湖北省汉阳监狱", "武汉市", 1.0),
    ("P03", "湖北省武昌监狱", "武汉市", 0.9),
    ("P04", "湖北省女子监狱", "武汉市", 0.9),
    ("P05", "湖北省未成年犯管教所", "武汉市", 0.5),
    ("P06", "湖北省襄北监狱", "襄阳市", 1.1),
    ("P07", "湖北省襄南监狱", "襄阳市", 1.2),
    ("P08", "湖北省宜昌监狱", "宜昌市", 1.0),
    ("P09", "湖北省荆州监狱", "荆州市", 1.0),
    ("P10", "湖北省沙洋汉津监狱", "荆门市", 1.2),
    ("P11", "湖北省沙洋广华监狱", "潜江市", 1.1),
    ("P12", "湖北省沙洋范家台监狱", "荆门市", 1.0),
    ("P13", "湖北省沙洋平湖监狱", "荆门市", 1.0),
    ("P14", "湖北省江北监狱", "荆州市", 1.0),
    ("P15", "湖北省蒲圻监狱", "咸宁市", 0.9),
    ("P16", "湖北省孝感监狱", "孝感市", 0.9),
    ("P17", "湖北省监利监狱", "荆州市", 1.0),
)
WOMENS_PRISON = "P04"
JUVENILE_PRISON = "P05"

WUXUE_TOWNS = (
    "武穴街道",
    "刊江街道",
    "田家镇街道",
    "梅川镇",
    "余川镇",
    "花桥镇",
    "大法寺镇",
    "石佛寺镇",
    "四望镇",
    "大金镇",
    "龙坪镇",
    "万丈湖管理区",
)

CHINESE_NUMERALS = "一二三四五六七八九十"

# Hubei regions: name, weight as a home region of officers from elsewhere, ID region codes.
REGIONS: dict[str, tuple[float, tuple[str, ...]]] = {
    "武汉市": (8.0, ("420100", "420102", "420103", "420104", "420106", "420111", "420115")),
    "黄石市": (1.5, ("420200", "420202", "420281")),
    "十堰市": (1.2, ("420300", "420302", "420381")),
    "宜昌市": (2.0, ("420500", "420502", "420581")),
    "襄阳市": (2.0, ("420600", "420602", "420682")),
    "鄂州市": (0.8, ("420700", "420702")),
    "荆门市": (1.8, ("420800", "420802", "420822")),
    "孝感市": (2.0, ("420900", "420902", "420981")),
    "荆州市": (2.2, ("421000", "421002", "421023")),
    "黄冈市": (2.0, ("421100", "421102", "421182")),
    "咸宁市": (1.2, ("421200", "421202", "421281")),
    "随州市": (0.9, ("421300", "421303", "421381")),
    "恩施州": (1.0, ("422800", "422801", "422802")),
    "仙桃市": (0.8, ("429004",)),
    "潜江市": (0.8, ("429005",)),
    "天门市": (0.8, ("429006",)),
}
REGION_NAMES = tuple(REGIONS)
REGION_WEIGHTS = tuple(weight for weight, _ in REGIONS.values())
ALL_REGION_CODES = tuple(code for _, codes in REGIONS.values() for code in codes)

# Common surnames with rough relative frequencies (熊, 喻, 涂, 童 are frequent in Hubei).
SURNAMES: dict[str, float] = {
    "王": 7.1, "李": 7.0, "张": 6.7, "刘": 5.4, "陈": 4.6, "杨": 3.1, "黄": 2.3, "赵": 2.2,
    "吴": 2.0, "周": 1.9, "徐": 1.5, "孙": 1.5, "胡": 1.4, "朱": 1.2, "高": 1.0, "林": 1.0,
    "何": 1.1, "郭": 1.1, "马": 1.0, "罗": 0.9, "郑": 0.8, "梁": 0.6, "谢": 0.6, "宋": 0.5,
    "唐": 0.5, "许": 0.5, "韩": 0.4, "冯": 0.5, "邓": 0.5, "曹": 0.5, "彭": 0.6, "曾": 0.5,
    "肖": 0.5, "田": 0.5, "董": 0.4, "袁": 0.4, "潘": 0.4, "余": 0.6, "蒋": 0.3, "蔡": 0.5,
    "杜": 0.3, "叶": 0.4, "程": 0.4, "魏": 0.3, "苏": 0.3, "吕": 0.3, "丁": 0.3, "任": 0.3,
    "沈": 0.3, "姚": 0.3, "卢": 0.3, "熊": 0.6, "万": 0.4, "夏": 0.4, "汪": 0.5, "方": 0.3,
    "柯": 0.2, "雷": 0.3, "严": 0.2, "舒": 0.2, "向": 0.3, "龚": 0.2, "童": 0.2, "喻": 0.3,
    "涂": 0.3, "邹": 0.3, "石": 0.3, "江": 0.3, "谭": 0.3, "陶": 0.2, "毛": 0.2, "戴": 0.2,
}  # fmt: skip
SURNAME_CHARS = tuple(SURNAMES)
SURNAME_WEIGHTS = tuple(SURNAMES.values())

MALE_GIVEN = (
    "伟强磊军勇杰涛斌超明刚平辉鹏华飞鑫波宇浩凯健俊帆帅旭宁龙林阳峰建国志文亮东海成兵毅晨"
    "昊博睿泽翔洋振锋彬春武新荣德胜庆祥江卫红晓天松涵鸣威诚"
)
FEMALE_GIVEN = (
    "芳娜敏静丽艳娟霞燕玲婷雪琳倩颖慧洁莉萍蓉佳欣悦瑶璐薇婧晶丹红梅琴云月晓晨文思雨秀兰凤"
    "玉华萌娅菲琪璇怡"
)

PLACE_FIRST = (
    "梅桂田石龙花松柳桃杨李张王刘陈周吴郑黄高新太丰永广马铁金荆竹兴和平安长大东西南北上下中前"
    "余郭胡汪冯叶"
)
PLACE_SECOND = "川山河湖港岭岗冲湾桥坪垸畈林塘店庙铺口墩咀洲园圩坳坝"
PLACE_CLANS = "张王李刘陈周吴郑黄胡汪冯叶郭余徐熊彭蔡何"

# Posts that lead a unit: these officers are party members and older.
SENIOR_POSTS = frozenset({"局长", "政委", "副局长", "副政委", "监狱长", "副监狱长"})
LEADER_POSTS = SENIOR_POSTS | frozenset(
    {
        "处长", "副处长", "主任", "副主任", "专职副书记", "机关党委委员", "纪委书记",
        "纪委副书记", "科长", "副科长", "监区长", "教导员", "副监区长", "分监区长", "指导员",
    }
)  # fmt: skip
STAFF_POSTS_OFFICE = ("主任科员", "副主任科员", "科员")
STAFF_POSTS_PRISON_DEPARTMENT = ("主任科员", "科员", "民警")


def _district_name(number: int) -> str:
    return f"{_numeral(number)}监区"


def _numeral(number: int) -> str:
    """1..99 in Chinese numerals: 一, 十, 十二, 二十, 二十三."""
    tens, ones = divmod(number, 10)
    if tens == 0:
        return CHINESE_NUMERALS[ones - 1]
    head = "" if tens == 1 else CHINESE_NUMERALS[tens - 1]
    return head + "十" + (CHINESE_NUMERALS[ones - 1] if ones else "")


# ---------------------------------------------------------------------------------------------
# Demo users


@dataclass(frozen=True)
class DemoUser:
    username: str
    role: str  # key in roles.ROLE_BY_KEY; "" for the Django superuser
    scope: tuple[str, ...]  # unit codes
    officer_unit: str = ""  # code of the unit (subtree) whose officer this user is
    officer_posts: tuple[str, ...] = ()  # preferred posts, best first
    party_member: bool = False


DEMO_USERS: list[DemoUser] = [
    DemoUser("admin", "provincial_admin", ("HBJ", "WX"), "HBJ-XX", ("主任科员", "科员")),
    DemoUser("hongshan_admin", "prison_admin", ("P01",), "P01-BGS", ("主任科员", "科员")),
    DemoUser("xiangnan_admin", "prison_admin", ("P07",), "P07-BGS", ("主任科员", "科员")),
    DemoUser("party", "party_affairs", ("HBJ",), "HBJ-JGDW", ("专职副书记",), True),
    DemoUser("secretary", "branch_secretary", ("P01-D01",), "P01-D01", ("教导员",), True),
    DemoUser("penalty", "penalty_officer", ("P01",), "P01-XFZX", ("科员", "主任科员", "民警")),
    DemoUser("reviewer", "reviewer", ("P01",), "P01-PSZX", ("主任", "副主任", "主任科员")),
    DemoUser("penalty2", "penalty_officer", ("P01",), "P01-XFZX", ("民警", "科员", "主任科员")),
    # The review centre's members come from several sections of the prison.
    DemoUser("reviewer2", "reviewer", ("P01",), "P01-YZGL", ("科长", "副科长", "科员")),
    DemoUser("reviewer3", "reviewer", ("P01",), "P01-ZZC", ("副主任", "主任", "科员")),
    DemoUser("committee", "review_committee", ("P01",), "P01-JW", ("纪委书记", "纪委副书记")),
    DemoUser("warden", "warden", ("P01",), "P01", ("监狱长", "政委")),
    DemoUser("bureau_penalty", "bureau_penalty", ("HBJ",), "HBJ-XFZX", ("处长", "副处长")),
    DemoUser("district", "district_officer", ("P01-D01",), "P01-D01", ("民警", "副监区长")),
    DemoUser("inspector", "discipline_inspector", ("HBJ",), "HBJ-JW", ("主任科员", "科员")),
    DemoUser("wuxue", "safety_liaison", ("WX",), "HBJ-WXB", ("主任科员", "科员", "副主任")),
    DemoUser("member", "member", ("P01-D01",), "P01-D01", ("民警",), True),
    DemoUser("root", "", ()),
]


def _scope_name(code: str) -> str:
    if code == BUREAU[0]:
        return BUREAU[1]
    if code == WUXUE[0]:
        return WUXUE[1]
    prison_code, _, district = code.partition("-D")
    prison_name = next(name for c, name, _, _ in PRISONS if c == prison_code)
    short = prison_name.removeprefix("湖北省")
    return f"{short}{_district_name(int(district))}" if district else short


def _role_name(key: str) -> str:
    return roles.ROLE_BY_KEY[key].name if key else "超级管理员(管理后台)"


# (username, password, role name, scope) for the `tongxin demo` banner and the README.
DEMO_LOGINS: list[tuple[str, str, str, str]] = [
    (
        user.username,
        DEMO_PASSWORD,
        _role_name(user.role),
        "、".join(_scope_name(c) for c in user.scope) if user.scope else "全部数据",
    )
    for user in DEMO_USERS
]


# ---------------------------------------------------------------------------------------------
# The plan: plain data, no database


@dataclass
class UnitPlan:
    pk: int
    code: str
    name: str
    short_name: str
    kind: str
    parent_pk: int | None
    path: str
    depth: int
    sort_order: int
    # For placing officers:
    city: str = "武汉市"
    head_posts: tuple[str, ...] = ()
    staff_posts: tuple[str, ...] = ("民警",)
    min_officers: int = 0
    weight: float = 0.0
    female_propensity: float = 0.2
    all_heads: bool = False  # every head post is filled whatever the unit's size


@dataclass(slots=True)
class OfficerPlan:
    unit_pk: int
    post: str
    name: str = ""
    gender: str = "M"
    birth_date: dt.date = REFERENCE_DATE
    id_number: str = ""
    police_number: str = ""
    rank: str = ""
    phone: str = ""
    home_region: str = ""
    spouse_work_region: str = ""
    party_status: str = PartyStatus.MASSES
    joined_on: dt.date | None = None


@dataclass
class OrgPlan:
    scale: str
    units: list[UnitPlan] = field(default_factory=list)
    officers: list[OfficerPlan] = field(default_factory=list)
    _subtrees: dict[int, set[int]] = field(default_factory=dict, repr=False)

    def subtree_pks(self, unit: UnitPlan) -> set[int]:
        if unit.pk not in self._subtrees:
            self._subtrees[unit.pk] = {u.pk for u in self.units if u.path.startswith(unit.path)}
        return self._subtrees[unit.pk]


class _Tree:
    """Hands out primary keys in insertion order and computes paths as a parent would."""

    def __init__(self) -> None:
        self.units: list[UnitPlan] = []
        self._children: Counter[int | None] = Counter()

    def add(self, parent: UnitPlan | None, code: str, name: str, kind: str, **extra) -> UnitPlan:
        pk = len(self.units) + 1
        parent_pk = parent.pk if parent else None
        self._children[parent_pk] += 1
        unit = UnitPlan(
            pk=pk,
            code=code,
            name=name,
            short_name=extra.pop("short_name", ""),
            kind=kind,
            parent_pk=parent_pk,
            path=(parent.path if parent else "") + path_segment(pk),
            depth=parent.depth + 1 if parent else 0,
            sort_order=self._children[parent_pk],
            **extra,
        )
        self.units.append(unit)
        return unit


def _village_counts(rng: random.Random, towns: int, total: int) -> list[int]:
    """``total`` villages over ``towns``, uneven like real towns (18–40 each), summing exactly."""
    counts = [total // towns] * towns
    for i in range(total - sum(counts)):
        counts[i] += 1
    for _ in range(towns * 20):
        give, take = rng.randrange(towns), rng.randrange(towns)
        if give != take and counts[give] > 18 and counts[take] < 40:
            counts[give] -= 1
            counts[take] += 1
    return counts


def _village_names(rng: random.Random, town: str, count: int) -> list[str]:
    streets = town.endswith("街道")
    names: list[str] = []
    seen: set[str] = set()
    while len(names) < count:
        pattern = rng.random()
        if pattern < 0.35:
            stem = rng.choice(PLACE_CLANS) + "家" + rng.choice(PLACE_SECOND)
        elif pattern < 0.9:
            stem = rng.choice(PLACE_FIRST) + rng.choice(PLACE_SECOND)
        else:
            stem = rng.choice(PLACE_FIRST) + rng.choice(PLACE_FIRST) + rng.choice(PLACE_SECOND)
        if len(set(stem)) < len(stem):
            continue
        suffix = "社区" if (streets and rng.random() < 0.7) or rng.random() < 0.05 else "村"
        name = stem + suffix
        if stem in seen:
            continue
        seen.add(stem)
        names.append(name)
    return names


def plan_units(scale: str, rng: random.Random) -> list[UnitPlan]:
    """The unit tree with primary keys, paths and officer allocation weights."""
    province = scale == "province"
    tree = _Tree()
    bureau = tree.add(
        None,
        BUREAU[0],
        BUREAU[1],
        UnitKind.BUREAU,
        short_name=BUREAU[2],
        head_posts=("局长", "政委", "副局长", "副局长", "副局长", "副局长", "副政委"),
        staff_posts=STAFF_POSTS_OFFICE,
        min_officers=7 if province else 2,
        female_propensity=0.1,
        all_heads=True,
    )
    wuxue = tree.add(None, WUXUE[0], WUXUE[1], UnitKind.CITY, short_name=WUXUE[2])

    for suffix, name, head, deputy in BUREAU_DEPARTMENTS:
        tree.add(
            bureau,
            f"{BUREAU[0]}-{suffix}",
            name,
            UnitKind.BUREAU_DEPARTMENT,
            head_posts=(head, deputy, deputy),
            staff_posts=STAFF_POSTS_OFFICE,
            min_officers=6 if province else 1,
            weight=10.0 * rng.uniform(0.7, 1.3),
            female_propensity=0.35,
        )

    for index, (code, name, city, size) in enumerate(PRISONS):
        # At demo scale most officers are in the first three prisons, where the demo users are.
        main = index < DEMO_MAIN_PRISONS
        factor = size * rng.uniform(0.9, 1.1) if province else (4.0 if main else 0.3)
        women = code == WOMENS_PRISON
        juvenile = code == JUVENILE_PRISON
        prison = tree.add(
            bureau,
            code,
            name,
            UnitKind.PRISON,
            short_name=name.removeprefix("湖北省"),
            city=city,
            head_posts=("监狱长", "政委", "副监狱长", "副监狱长", "副监狱长", "副政委"),
            staff_posts=("调研员",),
            min_officers=6 if province else 2,
            female_propensity=0.3 if women else 0.08,
            all_heads=True,
        )
        for position, (suffix, department, head, deputy) in enumerate(PRISON_DEPARTMENTS):
            staffed = province or position == 0 or (main and position < DEMO_STAFFED_DEPARTMENTS)
            tree.add(
                prison,
                f"{code}-{suffix}",
                department,
                UnitKind.DEPARTMENT,
                city=city,
                head_posts=(head, deputy, deputy),
                staff_posts=STAFF_POSTS_PRISON_DEPARTMENT,
                min_officers=(4 if province else 1) if staffed else 0,
                weight=(12.0 * factor * rng.uniform(0.7, 1.3)) if staffed else 0.0,
                female_propensity=0.6 if women else 0.3,
            )
        district_count = rng.randint(8, 16) if province else (3 if main else 2)
        district_female = 0.9 if women else 0.12 if juvenile else 0.05
        for number in range(1, district_count + 1):
            subdistricts = rng.choice((0, 0, 1, 2)) if province else 0
            district = tree.add(
                prison,
                f"{code}-D{number:02d}",
                _district_name(number),
                UnitKind.DISTRICT,
                city=city,
                head_posts=("监区长", "教导员", "副监区长", "副监区长"),
                min_officers=4 if subdistricts else (5 if province else 3 if main else 2),
                weight=factor * rng.uniform(0.8, 1.2) * (4.0 if subdistricts else 80.0),
                female_propensity=district_female,
                all_heads=bool(subdistricts),
            )
            for sub in range(1, subdistricts + 1):
                tree.add(
                    district,
                    f"{district.code}-F{sub}",
                    f"{district.name}{_numeral(sub)}分监区",
                    UnitKind.SUBDISTRICT,
                    short_name=f"{_numeral(sub)}分监区",
                    city=city,
                    head_posts=("分监区长", "指导员"),
                    min_officers=3,
                    weight=factor * rng.uniform(0.8, 1.2) * 40.0,
                    female_propensity=district_female,
                )

    villages = (
        _village_counts(rng, len(WUXUE_TOWNS), PROVINCE_VILLAGES)
        if province
        else [DEMO_VILLAGES_PER_TOWN] * len(WUXUE_TOWNS)
    )
    for number, (town_name, village_count) in enumerate(
        zip(WUXUE_TOWNS, villages, strict=True), start=1
    ):
        town = tree.add(wuxue, f"{WUXUE[0]}-{number:02d}", town_name, UnitKind.TOWN)
        for village_number, village in enumerate(
            _village_names(rng, town_name, village_count), start=1
        ):
            tree.add(town, f"{town.code}-{village_number:03d}", village, UnitKind.VILLAGE)
    return tree.units


def _weighted_sample(rng: random.Random, weights: list[float], k: int) -> set[int]:
    """``k`` distinct indexes, each drawn with probability proportional to its weight.

    Efraimidis–Spirakis: the ``k`` largest ``u ** (1 / w)`` for uniform ``u``.
    """
    keys = [rng.random() ** (1.0 / w) if w > 0 else -1.0 for w in weights]
    return set(heapq.nlargest(k, range(len(weights)), key=keys.__getitem__))


def _add_years(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def _age(birth: dt.date) -> int:
    return (REFERENCE_DATE - birth).days // 365


def _birth_year(rng: random.Random, post: str, female: bool) -> int:
    if post in SENIOR_POSTS:
        year = rng.randint(1965, 1976)
    elif post in {"处长", "主任", "科长", "监区长", "教导员", "纪委书记", "专职副书记"}:
        year = rng.randint(1968, 1988)
    elif post in LEADER_POSTS or post == "调研员":
        year = rng.randint(1970, 1992)
    else:
        year = round(rng.triangular(1965, 2001, 1991))
    # Women in the service retire earlier: none born before 1970 still serves.
    return max(year, 1970) if female else year


def _rank(rng: random.Random, post: str, service_years: int, *, at_bureau: bool) -> str:
    if at_bureau and post in {"局长", "政委"}:
        return PoliceRank.SUPERINTENDENT_2
    if (at_bureau and post in SENIOR_POSTS) or post in {"监狱长", "政委"}:
        return PoliceRank.SUPERINTENDENT_3
    if post in SENIOR_POSTS or post in {"处长", "专职副书记"}:
        return PoliceRank.INSPECTOR_1
    if post in LEADER_POSTS:
        return rng.choice((PoliceRank.INSPECTOR_1, PoliceRank.INSPECTOR_2, PoliceRank.INSPECTOR_3))
    for years, rank in (
        (22, PoliceRank.INSPECTOR_2),
        (15, PoliceRank.INSPECTOR_3),
        (10, PoliceRank.SERGEANT_1),
        (6, PoliceRank.SERGEANT_2),
        (3, PoliceRank.SERGEANT_3),
        (1, PoliceRank.CONSTABLE_1),
    ):
        if service_years >= years:
            return rank
    return PoliceRank.CONSTABLE_2


def _given_name(rng: random.Random, female: bool) -> str:
    pool = FEMALE_GIVEN if female else MALE_GIVEN
    if rng.random() < 0.25:
        return rng.choice(pool)
    first = rng.choice(pool)
    second = rng.choice(pool)
    while second == first and not (female and rng.random() < 0.3):  # 婷婷 yes, 伟伟 no
        second = rng.choice(pool)
    return first + second


def _other_region(rng: random.Random, region: str) -> str:
    while True:
        other = rng.choices(REGION_NAMES, REGION_WEIGHTS)[0]
        if other != region:
            return other


def plan_officers(scale: str, rng: random.Random, units: list[UnitPlan]) -> list[OfficerPlan]:
    """Every officer, complete and valid, placed in ``units`` (pure: no database)."""
    province = scale == "province"
    total = PROVINCE_OFFICERS if province else DEMO_OFFICERS

    staffed = [u for u in units if u.min_officers or u.weight]
    extra = apportion(total - sum(u.min_officers for u in staffed), [u.weight for u in staffed])
    officers: list[OfficerPlan] = []
    for unit, more in zip(staffed, extra, strict=True):
        count = unit.min_officers + more
        heads = len(unit.head_posts) if unit.all_heads else 2 + max(0, (count - 4) // 6)
        heads = min(heads, len(unit.head_posts), count)
        for i in range(count):
            post = unit.head_posts[i] if i < heads else rng.choice(unit.staff_posts)
            officers.append(OfficerPlan(unit_pk=unit.pk, post=post))
    unit_by_pk = {u.pk: u for u in units}

    women_target = round(total * PROVINCE_WOMEN / PROVINCE_OFFICERS)
    women = _weighted_sample(
        rng,
        [
            unit_by_pk[o.unit_pk].female_propensity * (0.3 if o.post in LEADER_POSTS else 1.0)
            for o in officers
        ],
        women_target,
    )

    used_ids: set[str] = set()
    used_phones: set[str] = set()
    police_numbers = sorted(rng.sample(range(100_000), len(officers)))
    for index, officer in enumerate(officers):
        unit = unit_by_pk[officer.unit_pk]
        female = index in women
        officer.gender = "F" if female else "M"
        officer.name = rng.choices(SURNAME_CHARS, SURNAME_WEIGHTS)[0] + _given_name(rng, female)
        year = _birth_year(rng, officer.post, female)
        birth = dt.date(year, 1, 1) + dt.timedelta(days=rng.randrange(365))
        officer.birth_date = birth
        officer.home_region = (
            unit.city if rng.random() < 0.8 else rng.choices(REGION_NAMES, REGION_WEIGHTS)[0]
        )
        region_codes = REGIONS[officer.home_region][1]
        while True:
            region = rng.choice(region_codes if rng.random() < 0.7 else ALL_REGION_CODES)
            # The sequence's last digit is odd for men and even for women.
            sequence = rng.randrange(100) * 10 + rng.randrange(0 if female else 1, 10, 2)
            number = idcard.make(region, birth, sequence)
            if number not in used_ids:
                used_ids.add(number)
                officer.id_number = number
                break
        officer.police_number = f"42{police_numbers[index]:05d}"
        while True:
            phone = f"1{rng.choice('3456789')}{rng.randrange(10**9):09d}"
            if phone not in used_phones:
                used_phones.add(phone)
                officer.phone = phone
                break
        earliest = _add_years(birth, 21)
        latest = min(_add_years(birth, 26), REFERENCE_DATE)
        officer.joined_on = earliest + dt.timedelta(days=rng.randint(0, (latest - earliest).days))
        service_years = (REFERENCE_DATE - officer.joined_on).days // 365
        officer.rank = _rank(
            rng, officer.post, service_years, at_bureau=unit.kind == UnitKind.BUREAU
        )

    _plan_party(rng, officers, province)
    _plan_families(rng, officers, province)
    return officers


def _plan_party(rng: random.Random, officers: list[OfficerPlan], province: bool) -> None:
    total = len(officers)
    target = (
        PROVINCE_PARTY_MEMBERS
        if province
        else round(total * PROVINCE_PARTY_MEMBERS / PROVINCE_OFFICERS)
    )
    leaders = {i for i, o in enumerate(officers) if o.post in LEADER_POSTS}
    rest = [i for i in range(total) if i not in leaders]
    chosen = _weighted_sample(
        rng,
        [0.5 + 0.04 * max(_age(officers[i].birth_date) - 22, 0) for i in rest],
        # The small demo tree has nearly as many leaders as its share of members: take
        # about half of the others too, so branches are big enough to have committees.
        max(target - len(leaders), 0 if province else round(0.45 * len(rest))),
    )
    members = leaders | {rest[i] for i in chosen}
    young_members = sorted(
        (i for i in members if i not in leaders),
        key=lambda i: (officers[i].joined_on, i),
        reverse=True,
    )
    probationary = set(young_members[: round(target * PROBATIONARY_SHARE)])
    for index, officer in enumerate(officers):
        if index in probationary:
            officer.party_status = PartyStatus.PROBATIONARY
        elif index in members:
            officer.party_status = PartyStatus.MEMBER
        elif _age(officer.birth_date) < 28 and rng.random() < 0.6:
            officer.party_status = PartyStatus.LEAGUE
        elif rng.random() < 0.01:
            officer.party_status = PartyStatus.DEMOCRATIC
        else:
            officer.party_status = PartyStatus.MASSES


def _plan_families(rng: random.Random, officers: list[OfficerPlan], province: bool) -> None:
    """Married officers get a spouse's place of work; about 3% of them live apart (两地分居)."""
    married = []
    for index, officer in enumerate(officers):
        age = _age(officer.birth_date)
        chance = 0.92 if age >= 30 else 0.6 if age >= 26 else 0.15
        if rng.random() < chance:
            married.append(index)
    apart_count = round(len(married) * LIVING_APART_SHARE)
    if not province:
        apart_count = max(apart_count, 6)  # enough for the reunion programme's demo
    apart = set(rng.sample(married, apart_count))
    for index in married:
        officer = officers[index]
        officer.spouse_work_region = (
            _other_region(rng, officer.home_region) if index in apart else officer.home_region
        )


def build_plan(scale: str, rng: random.Random) -> OrgPlan:
    units = plan_units(scale, rng)
    return OrgPlan(scale=scale, units=units, officers=plan_officers(scale, rng, units))


# ---------------------------------------------------------------------------------------------
# Writing


def _pick_officer(
    plan: OrgPlan, unit: UnitPlan, demo_user: DemoUser, taken: set[int]
) -> int | None:
    """Index in ``plan.officers`` of the best unused officer for a demo user, if any."""
    subtree = plan.subtree_pks(unit)
    candidates = [
        i
        for i, o in enumerate(plan.officers)
        if i not in taken
        and o.unit_pk in subtree
        and (not demo_user.party_member or o.party_status == PartyStatus.MEMBER)
    ]
    for post in demo_user.officer_posts:
        for i in candidates:
            if plan.officers[i].post == post:
                return i
    return candidates[0] if candidates else None


def _create_users(
    ctx: SeedContext, plan: OrgPlan, units_by_code: dict[str, Unit], officers: list[Officer]
) -> dict[str, User]:
    password_hash = make_password(DEMO_PASSWORD)  # argon2 is slow on purpose: hash once
    groups = ctx.data["roles"]
    unit_plans = {u.code: u for u in plan.units}
    taken: set[int] = set()
    users = {}
    for demo_user in DEMO_USERS:
        officer = None
        if demo_user.officer_unit:
            index = _pick_officer(plan, unit_plans[demo_user.officer_unit], demo_user, taken)
            if index is not None:
                taken.add(index)
                officer = officers[index]
        superuser = not demo_user.role
        user = User.objects.create(
            username=demo_user.username,
            password=password_hash,
            last_name=officer.name[0] if officer else "",
            first_name=officer.name[1:] if officer else "系统管理员",
            officer=officer,
            is_staff=superuser,
            is_superuser=superuser,
            must_change_password=True,
        )
        if demo_user.role:
            user.groups.add(groups[demo_user.role])
        if demo_user.scope:
            user.scope_units.set([units_by_code[code] for code in demo_user.scope])
        users[demo_user.username] = user
    return users


def generate(ctx: SeedContext) -> None:
    """Write the unit tree, officers and demo users; leave them in ``ctx.data`` for later apps."""
    timings: dict[str, float] = ctx.data.setdefault("timings", {})
    started = time.perf_counter()
    ctx.data["roles"] = roles.sync_roles()
    plan = build_plan(ctx.scale, ctx.fork("org"))
    timings["org.plan"] = time.perf_counter() - started

    started = time.perf_counter()
    units = [
        Unit(
            pk=u.pk,
            code=u.code,
            name=u.name,
            short_name=u.short_name,
            kind=u.kind,
            parent_id=u.parent_pk,
            path=u.path,
            depth=u.depth,
            sort_order=u.sort_order,
        )
        for u in plan.units
    ]
    Unit.objects.bulk_create(units, batch_size=2000)
    reset_sequences(Unit)
    timings["org.units"] = time.perf_counter() - started

    started = time.perf_counter()
    officers = [
        Officer(
            unit_id=o.unit_pk,
            police_number=o.police_number,
            name=o.name,
            gender=o.gender,
            id_number=o.id_number,
            birth_date=o.birth_date,
            post=o.post,
            rank=o.rank,
            phone=o.phone,
            home_region=o.home_region,
            spouse_work_region=o.spouse_work_region,
            party_status=o.party_status,
            joined_on=o.joined_on,
        )
        for o in plan.officers
    ]
    chunk = 2000
    with ctx.progress(len(officers), "民警") as bar:
        for start in range(0, len(officers), chunk):
            Officer.objects.bulk_create(officers[start : start + chunk], batch_size=chunk)
            bar.update(min(chunk, len(officers) - start))
    if officers and officers[0].pk is None:  # a backend that does not return keys
        by_number = dict(Officer.objects.values_list("police_number", "pk"))
        for officer in officers:
            officer.pk = by_number[officer.police_number]
    timings["org.officers"] = time.perf_counter() - started

    units_by_code = {u.code: u for u in units}
    started = time.perf_counter()
    users = _create_users(ctx, plan, units_by_code, officers)
    timings["org.users"] = time.perf_counter() - started

    prisons = [u for u in units if u.kind == UnitKind.PRISON]
    districts = [u for u in units if u.kind == UnitKind.DISTRICT]
    with_subdistricts = {u.parent_id for u in units if u.kind == UnitKind.SUBDISTRICT}
    ctx.data.update(
        {
            "bureau": units_by_code[BUREAU[0]],
            "wuxue": units_by_code[WUXUE[0]],
            "units": units,
            "units_by_code": units_by_code,
            "prisons": prisons,
            "districts": districts,
            # Where prisoners are held: sub-districts, and districts that have none.
            "custody_units": [
                u
                for u in units
                if u.kind == UnitKind.SUBDISTRICT
                or (u.kind == UnitKind.DISTRICT and u.pk not in with_subdistricts)
            ],
            "towns": [u for u in units if u.kind == UnitKind.TOWN],
            "villages": [u for u in units if u.kind == UnitKind.VILLAGE],
            "officers": officers,
            "users": users,
            "demo_password": DEMO_PASSWORD,
        }
    )

    wuxue_count = sum(1 for u in units if u.path.startswith(units_by_code[WUXUE[0]].path))
    women = sum(1 for o in officers if o.gender == "F")
    party = sum(
        1 for o in officers if o.party_status in (PartyStatus.MEMBER, PartyStatus.PROBATIONARY)
    )
    apart = sum(1 for o in officers if o.lives_apart)
    scale_name = "全省规模" if ctx.province else "演示"
    record(
        actor=None,
        action="seed.org",
        summary=(
            f"生成{scale_name}组织数据:单位 {len(units)} 个(监狱 {len(prisons)} 所、"
            f"监区 {len(districts)} 个、武穴市镇村 {wuxue_count} 个),"
            f"民警 {len(officers)} 名(女 {women} 名、党员 {party} 名、两地分居 {apart} 名),"
            f"演示账号 {len(users)} 个"
        ),
    )
