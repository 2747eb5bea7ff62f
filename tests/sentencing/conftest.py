"""Fixtures of the review procedure: a prisoner of 洪山 prison who may be reduced now, and one
user for every step (each step by a different person, as the separation of duties needs)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pytest
from django.utils import timezone

from tests.conftest import make_officer, make_unit, make_user
from tongxin.org import idcard
from tongxin.org.models import UnitKind, User
from tongxin.prisoners.models import Prisoner, Reward, RewardKind


@dataclass
class Staff:
    district: User
    section: User
    clerk: User
    reviewers: list[User]
    committee: User
    warden: User
    bureau: User
    district_b: User


_serial = iter(range(1, 10_000))


def make_prisoner(unit, **extra) -> Prisoner:
    n = next(_serial)
    birth = dt.date(1980, 3, 14)
    fields = {
        "number": f"420{n:07d}",
        "name": extra.pop("name", "刘某"),
        "gender": "M",
        "id_number": idcard.make("420106", birth, (n * 2 + 1) % 1000),
        "birth_date": birth,
        "unit": unit,
        "crimes": "盗窃罪",
        "sentence_type": "fixed_term",
        "term_years": 6,
        "term_months": 0,
        "execution_start": timezone.localdate() - dt.timedelta(days=3 * 365),
        "detention_days": 90,
        "admitted_on": timezone.localdate() - dt.timedelta(days=3 * 365 - 20),
    }
    fields.update(extra)
    return Prisoner.objects.create(**fields)


def commend(prisoner: Prisoner, times: int = 2, kind: str = RewardKind.COMMENDATION) -> None:
    for i in range(times):
        Reward.objects.create(
            prisoner=prisoner,
            kind=kind,
            awarded_on=timezone.localdate() - dt.timedelta(days=30 * (i + 1)),
            reason="计分考核累计达到600分",
            evidence="证据" if kind != RewardKind.COMMENDATION else "",
            points_basis=600 * (i + 1) if kind == RewardKind.COMMENDATION else None,
        )


@pytest.fixture
def staff(roles, tree) -> Staff:
    centre = make_unit("刑罚执行评审中心", UnitKind.DEPARTMENT, tree.prison_a, code="P01PSZX")
    office = make_unit("办公室", UnitKind.DEPARTMENT, tree.prison_a, code="P01BGS")
    section_unit = make_unit("刑罚执行科", UnitKind.DEPARTMENT, tree.prison_a, code="P01XFZX")

    def user(name, role, scope, unit):
        return make_user(name, role, scope, officer=make_officer(unit, name))

    return Staff(
        district=user("district", "district_officer", tree.district_a1, tree.district_a1),
        section=user("section", "penalty_officer", tree.prison_a, section_unit),
        clerk=user("clerk", "penalty_officer", tree.prison_a, section_unit),
        reviewers=[user(f"reviewer{i}", "reviewer", tree.prison_a, centre) for i in range(1, 4)],
        committee=user("committee", "review_committee", tree.prison_a, office),
        warden=user("warden", "warden", tree.prison_a, office),
        bureau=make_user("bureau", "bureau_penalty", tree.bureau),
        district_b=user("district_b", "district_officer", tree.district_b1, tree.district_b1),
    )


@pytest.fixture
def prisoner(tree) -> Prisoner:
    p = make_prisoner(tree.district_a1)
    commend(p)
    return p
