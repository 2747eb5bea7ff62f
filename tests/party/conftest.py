"""A small party tree over the two-prison unit tree of tests/conftest.py.

洪山 (prison A): 党委 → 一监区党支部 (5 members, a committee of 3) → 第一党小组 (3 members);
                 二监区党支部 (2 members, a secretary only, no committee).
襄南 (prison B): 党委 → 一监区党支部 (2 members).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pytest

from tests.conftest import make_officer, make_user
from tongxin.party.models import (
    CommitteePost,
    CommitteeSeat,
    MemberStatus,
    OrgKind,
    PartyMember,
    PartyOrganization,
)

FOUNDED = dt.date(2015, 7, 1)


def make_org(code, name, kind, unit, parent=None, established_on=FOUNDED):
    return PartyOrganization.objects.create(
        code=code, name=name, kind=kind, unit=unit, parent=parent, established_on=established_on
    )


def make_member(unit, name, org, gender="M", group=None, status=MemberStatus.FULL):
    officer = make_officer(unit, name, gender, party_status="member")
    return PartyMember.objects.create(
        officer=officer,
        organization=org,
        group=group,
        status=status,
        joined_on=dt.date(2010, 7, 1),
        full_on=dt.date(2011, 7, 1),
        dues_base=6000,
    )


def seat(org, member, post, started_on=FOUNDED, ended_on=None):
    return CommitteeSeat.objects.create(
        organization=org, member=member, post=post, started_on=started_on, ended_on=ended_on
    )


@dataclass
class Party:
    committee_a: PartyOrganization
    branch_a1: PartyOrganization
    group_a1: PartyOrganization
    branch_a2: PartyOrganization
    committee_b: PartyOrganization
    branch_b1: PartyOrganization
    a1: list[PartyMember]
    a2: list[PartyMember]
    b1: list[PartyMember]


@pytest.fixture
def party(tree) -> Party:
    committee_a = make_org("DW-P01", "中共湖北省洪山监狱委员会", OrgKind.COMMITTEE, tree.prison_a)
    branch_a1 = make_org(
        "ZB-P01-D01", "洪山监狱一监区党支部", OrgKind.BRANCH, tree.district_a1, committee_a
    )
    group_a1 = make_org(
        "XZ-P01-D01-1", "一监区第一党小组", OrgKind.GROUP, tree.district_a1, branch_a1
    )
    branch_a2 = make_org(
        "ZB-P01-D02", "洪山监狱二监区党支部", OrgKind.BRANCH, tree.district_a2, committee_a
    )
    committee_b = make_org("DW-P07", "中共湖北省襄南监狱委员会", OrgKind.COMMITTEE, tree.prison_b)
    branch_b1 = make_org(
        "ZB-P07-D01", "襄南监狱一监区党支部", OrgKind.BRANCH, tree.district_b1, committee_b
    )
    names = ["陈书记", "刘副书记", "杨委员", "黄党员", "周党员"]
    a1 = [
        make_member(tree.district_a1, name, branch_a1, group=group_a1 if i >= 2 else None)
        for i, name in enumerate(names)
    ]
    seat(branch_a1, a1[0], CommitteePost.SECRETARY)
    seat(branch_a1, a1[1], CommitteePost.DEPUTY)
    seat(branch_a1, a1[2], CommitteePost.MEMBER)
    a2 = [make_member(tree.district_a2, n, branch_a2) for n in ("吴书记", "郑党员")]
    seat(branch_a2, a2[0], CommitteePost.SECRETARY)
    b1 = [make_member(tree.district_b1, n, branch_b1) for n in ("冯书记", "蒋党员")]
    seat(branch_b1, b1[0], CommitteePost.SECRETARY)
    return Party(committee_a, branch_a1, group_a1, branch_a2, committee_b, branch_b1, a1, a2, b1)


@pytest.fixture
def secretary_a1(roles, tree, party):
    return make_user("secretary", "branch_secretary", tree.district_a1, officer=party.a1[0].officer)


@pytest.fixture
def member_a1(roles, tree, party):
    return make_user("member", "member", tree.district_a1, officer=party.a1[4].officer)
