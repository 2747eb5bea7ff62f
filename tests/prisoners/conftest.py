"""Prisoners over the two-prison tree of tests/conftest.py, and users of the prisoner roles.

洪山 (prison A): 张某 (``a``) in 一监区, admitted 36 months ago; 李某 (``a2``) in 二监区.
襄南 (prison B): 王某 (``b``) in 一监区.
Dates are relative to today, so the rules about future months and admission hold whenever the
tests run.
"""

from __future__ import annotations

import datetime as dt
import itertools
from dataclasses import dataclass
from decimal import Decimal

import pytest
from django.utils import timezone

from tests.conftest import make_user
from tongxin.org import idcard
from tongxin.org.models import Officer, Unit, User
from tongxin.prisoners import services
from tongxin.prisoners.models import PointsEntry, PointsKind, Prisoner, SentenceType

_serial = itertools.count(1)


def this_month() -> dt.date:
    return timezone.localdate().replace(day=1)


def months_back(n: int) -> dt.date:
    """The first day of the month ``n`` months before this one."""
    month = this_month()
    for _ in range(n):
        month = (month - dt.timedelta(days=1)).replace(day=1)
    return month


def make_prisoner(
    unit: Unit,
    name: str = "张某",
    *,
    gender: str = "M",
    admitted_months_ago: int = 36,
    **extra,
) -> Prisoner:
    n = next(_serial)
    birth = dt.date(1980 + n % 20, 1 + n % 12, 1 + n % 28)
    sequence = (n * 2 + (1 if gender == "M" else 0)) % 1000
    admitted_on = months_back(admitted_months_ago) + dt.timedelta(days=9)
    values = {
        "number": f"42{n:08d}",
        "name": name,
        "gender": gender,
        "id_number": idcard.make("420106", birth, sequence),
        "birth_date": birth,
        "unit": unit,
        "crimes": "盗窃罪",
        "sentence_type": SentenceType.FIXED_TERM,
        "term_years": 8,
        "term_months": 6,
        "execution_start": admitted_on - dt.timedelta(days=30),
        "detention_days": 120,
        "admitted_on": admitted_on,
    }
    values.update(extra)
    return Prisoner.objects.create(**values)


def base_line(prisoner: Prisoner, month: dt.date, points="100", officer=None) -> PointsEntry:
    """A base line written straight to the table (for reading tests: no service rules)."""
    third = Decimal(points) / 4
    return PointsEntry.objects.create(
        prisoner=prisoner,
        month=month,
        kind=PointsKind.BASE,
        supervision=third * 2,
        education=third,
        labour=Decimal(points) - third * 3,
        points=Decimal(points),
        reason="月度基础分",
        officer=officer,
    )


def record_base(user, prisoner, month, officer, parts=("40", "30", "30")) -> PointsEntry:
    supervision, education, labour = parts
    return services.record_monthly_base(
        user=user,
        prisoner=prisoner,
        month=month,
        supervision=supervision,
        education=education,
        labour=labour,
        officer=officer,
    )


@dataclass
class People:
    a: Prisoner
    a2: Prisoner
    b: Prisoner


@pytest.fixture
def people(tree) -> People:
    return People(
        a=make_prisoner(tree.district_a1, "张某"),
        a2=make_prisoner(tree.district_a2, "李某", gender="F"),
        b=make_prisoner(tree.district_b1, "王某"),
    )


@pytest.fixture
def district_a(roles, tree, officers) -> User:
    """A district officer (监区民警) of 洪山 一监区, linked to officer 李娜."""
    return make_user("district_a", "district_officer", tree.district_a1, officer=officers["a1"])


@pytest.fixture
def district_b(roles, tree, officers) -> User:
    return make_user("district_b", "district_officer", tree.district_b1, officer=officers["b1"])


@pytest.fixture
def penalty_a(roles, tree) -> User:
    """A penalty-execution officer (刑罚执行民警) of 洪山 prison: registry, IDs, export."""
    return make_user("penalty_a", "penalty_officer", tree.prison_a)


@pytest.fixture
def penalty_b(roles, tree) -> User:
    return make_user("penalty_b", "penalty_officer", tree.prison_b)


@pytest.fixture
def reviewer_a(roles, tree) -> User:
    return make_user("reviewer_a", "reviewer", tree.prison_a)


@pytest.fixture
def inspector(roles, tree) -> User:
    return make_user("inspector", "discipline_inspector", tree.bureau)


@pytest.fixture
def officer_a(officers) -> Officer:
    return officers["a1"]


@pytest.fixture
def officer_b(officers) -> Officer:
    return officers["b1"]
