"""Shared fixtures: a small two-prison tree, officers, and users of each role.

The tests run on whatever ``DATABASE_URL`` names (SQLite by default, PostgreSQL in CI's
second pass).
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass

import pytest
from django.contrib.auth.hashers import make_password

from tongxin.org import idcard
from tongxin.org.models import Officer, Unit, UnitKind, User
from tongxin.org.roles import role_group, sync_roles

PASSWORD = "Tongxin@2023"
_serial = itertools.count(1)


@dataclass
class Tree:
    bureau: Unit
    prison_a: Unit
    district_a1: Unit
    district_a2: Unit
    prison_b: Unit
    district_b1: Unit
    wuxue: Unit
    town: Unit


def make_unit(name: str, kind: str, parent: Unit | None = None, code: str = "") -> Unit:
    return Unit.objects.create(
        code=code or f"T{next(_serial):05d}", name=name, kind=kind, parent=parent
    )


def make_officer(unit: Unit, name: str = "张伟", gender: str = "M", **extra) -> Officer:
    import datetime as dt

    n = next(_serial)
    sequence = (n * 2 + (1 if gender == "M" else 0)) % 1000
    return Officer.objects.create(
        police_number=f"42{n:05d}",
        name=name,
        gender=gender,
        id_number=idcard.make("420106", dt.date(1985, 5, 17), sequence),
        birth_date=dt.date(1985, 5, 17),
        unit=unit,
        **extra,
    )


_HASH = None


def make_user(username: str, role: str | None, *scope: Unit, **extra) -> User:
    global _HASH
    if _HASH is None:
        _HASH = make_password(PASSWORD)
    user = User.objects.create(username=username, password=_HASH, **extra)
    if role:
        user.groups.add(role_group(role))
    user.scope_units.set(scope)
    return user


@pytest.fixture
def roles(db):
    return sync_roles()


@pytest.fixture
def tree(db) -> Tree:
    bureau = make_unit("湖北省监狱管理局", UnitKind.BUREAU, code="HBJ")
    prison_a = make_unit("湖北省洪山监狱", UnitKind.PRISON, bureau, code="P01")
    prison_b = make_unit("湖北省襄南监狱", UnitKind.PRISON, bureau, code="P07")
    wuxue = make_unit("武穴市", UnitKind.CITY, code="WX")
    return Tree(
        bureau=bureau,
        prison_a=prison_a,
        district_a1=make_unit("一监区", UnitKind.DISTRICT, prison_a, code="P01D01"),
        district_a2=make_unit("二监区", UnitKind.DISTRICT, prison_a, code="P01D02"),
        prison_b=prison_b,
        district_b1=make_unit("一监区", UnitKind.DISTRICT, prison_b, code="P07D01"),
        wuxue=wuxue,
        town=make_unit("梅川镇", UnitKind.TOWN, wuxue, code="WX04"),
    )


@pytest.fixture
def province_admin(roles, tree) -> User:
    return make_user("admin", "provincial_admin", tree.bureau, tree.wuxue)


@pytest.fixture
def admin_a(roles, tree) -> User:
    return make_user("admin_a", "prison_admin", tree.prison_a)


@pytest.fixture
def admin_b(roles, tree) -> User:
    return make_user("admin_b", "prison_admin", tree.prison_b)


@pytest.fixture
def officers(tree) -> dict[str, Officer]:
    return {
        "a1": make_officer(tree.district_a1, "李娜", "F", post="民警"),
        "a2": make_officer(tree.district_a2, "王强", "M", post="监区长"),
        "b1": make_officer(tree.district_b1, "赵敏", "F", post="教导员"),
        "b2": make_officer(tree.prison_b, "孙刚", "M", post="科长"),
    }
