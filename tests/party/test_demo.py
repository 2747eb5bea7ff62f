"""The party part of the demo / province data generator.

The demo scale is seeded into the database once for the module (inside a transaction that
is rolled back at the end); the province scale is checked on the pure plan only — a
province-scale seed takes a minute or more, see ``bench/seed_party.py``.
"""

from __future__ import annotations

import datetime as dt
import random
import time
from collections import Counter, defaultdict
from decimal import Decimal

import pytest
from django.db import transaction
from django.db.models import Count, Q

from tongxin import seeding
from tongxin.audit.models import AuditEntry
from tongxin.org import demo as org_demo
from tongxin.org.models import Officer, PartyStatus, UnitKind, User
from tongxin.party import compliance, dues, similarity
from tongxin.party import demo as party_demo
from tongxin.party.models import (
    Activity,
    ActivityKind,
    Attendance,
    CommitteePost,
    CommitteeSeat,
    DuesPayment,
    MemberStatus,
    OrgKind,
    PartyMember,
    PartyOrganization,
    StudyRecord,
)

TODAY = dt.date(2024, 6, 30)
SEED_2023 = {
    ActivityKind.CORE_GROUP_STUDY: 296,
    ActivityKind.LEADER_LECTURE_MAIN: 111,
    ActivityKind.LEADER_LECTURE_MEMBER: 431,
    ActivityKind.THEMED_DAY: 6_315,
    ActivityKind.LIFE_MEETING: 1_161,
}
SEED_2023_THREE_MEETINGS = 14_285


class _Rollback(Exception):
    pass


@pytest.fixture(scope="module")
def seeded(django_db_setup, django_db_blocker):
    """The demo scale, seeded once for this module and rolled back afterwards."""
    with django_db_blocker.unblock():
        try:
            with transaction.atomic():
                ctx = seeding.SeedContext(scale="demo", seed=2023, quiet=True, today=TODAY)
                org_demo.generate(ctx)
                started = time.perf_counter()
                party_demo.generate(ctx)
                ctx.data["party_seconds"] = time.perf_counter() - started
                yield ctx
                raise _Rollback
        except _Rollback:
            pass


def _seats_on(day: dt.date):
    return CommitteeSeat.objects.filter(started_on__lte=day).filter(
        Q(ended_on__isnull=True) | Q(ended_on__gte=day)
    )


def _three(counts: Counter) -> int:
    return sum(counts[k] for k in party_demo.THREE_MEETINGS_KINDS)


# --- demo scale, in the database -------------------------------------------------------------


@pytest.mark.django_db
def test_demo_scale_seeds_in_seconds(seeded):
    assert seeded.data["party_seconds"] < 30
    for model in (
        PartyOrganization,
        PartyMember,
        CommitteeSeat,
        Activity,
        Attendance,
        StudyRecord,
        DuesPayment,
    ):
        assert model.objects.exists(), model.__name__
    kinds = Counter(PartyOrganization.objects.values_list("kind", flat=True))
    assert kinds[OrgKind.COMMITTEE] == 19  # the bureau, its organ, 17 prisons
    assert kinds[OrgKind.GENERAL_BRANCH] == 2 * 17
    assert kinds[OrgKind.BRANCH] > 17 and kinds[OrgKind.GROUP] > 0
    assert PartyOrganization.objects.filter(is_pilot=True).count() == party_demo.PILOT_BRANCHES
    assert PartyOrganization.objects.get(code="ZB-P07-D02").is_pilot


@pytest.mark.django_db
def test_tree_paths_follow_parents(seeded):
    orgs = {o.pk: o for o in PartyOrganization.objects.all()}
    parent_kinds = {
        OrgKind.GENERAL_BRANCH: {OrgKind.COMMITTEE},
        OrgKind.BRANCH: {OrgKind.COMMITTEE, OrgKind.GENERAL_BRANCH},
        OrgKind.GROUP: {OrgKind.BRANCH},
    }
    for org in orgs.values():
        parent = orgs.get(org.parent_id)
        assert org.path == (parent.path if parent else "") + f"{org.pk:07d}/"
        if parent is None:
            assert org.code == "DW-HBJ"
        else:
            assert org.kind == OrgKind.COMMITTEE or parent.kind in parent_kinds[org.kind]
            assert org.established_on >= parent.established_on
    assert orgs[PartyOrganization.objects.get(code="DW-HBJ-JGDW").parent_id].code == "DW-HBJ"


@pytest.mark.django_db
def test_every_party_officer_is_a_member_of_exactly_one_branch(seeded):
    party_officers = Officer.objects.filter(
        party_status__in=[PartyStatus.MEMBER, PartyStatus.PROBATIONARY]
    )
    members = PartyMember.objects.select_related("officer", "organization", "group")
    assert members.count() == party_officers.count()
    assert set(members.values_list("officer_id", flat=True)) == set(
        party_officers.values_list("pk", flat=True)
    )
    branch_by_unit = seeded.data["branch_by_unit"]
    for member in members:
        assert member.organization.kind == OrgKind.BRANCH
        assert branch_by_unit[member.officer.unit_id].pk == member.organization_id
        expected_status = (
            MemberStatus.FULL
            if member.officer.party_status == PartyStatus.MEMBER
            else MemberStatus.PROBATIONARY
        )
        assert member.status == expected_status
        assert member.joined_on >= org_demo._add_years(member.officer.birth_date, 18)
        assert member.joined_on <= TODAY
        if member.status == MemberStatus.FULL:
            assert member.full_on == org_demo._add_years(member.joined_on, 1)
            assert member.full_on <= TODAY
        else:
            assert member.full_on is None
            assert member.joined_on > TODAY - dt.timedelta(days=366)
        assert Decimal(4000) <= member.dues_base <= Decimal(12000)
        if member.group_id is not None:
            assert member.group.kind == OrgKind.GROUP
            assert member.group.parent_id == member.organization_id
    for group in PartyOrganization.objects.filter(kind=OrgKind.GROUP):
        assert group.group_members.count() >= 3


@pytest.mark.django_db
def test_committee_seats_are_consistent(seeded):
    members = {m.pk: m for m in PartyMember.objects.all()}
    orgs = {o.pk: o for o in PartyOrganization.objects.all()}
    seats = list(CommitteeSeat.objects.all())
    current: defaultdict[int, list[CommitteeSeat]] = defaultdict(list)
    for seat in seats:
        org, member = orgs[seat.organization_id], members[seat.member_id]
        assert seat.started_on >= org.established_on
        assert seat.ended_on is None or seat.ended_on >= seat.started_on
        assert member.full_on is not None and member.full_on <= seat.started_on
        if org.kind == OrgKind.BRANCH:
            assert member.organization_id == org.pk
        if seat.ended_on is None:
            current[org.pk].append(seat)
    for org_id, org_seats in current.items():
        posts = Counter(seat.post for seat in org_seats)
        assert posts[CommitteePost.SECRETARY] == 1, orgs[org_id].code
        assert posts[CommitteePost.DEPUTY] <= 1
    for branch in (o for o in orgs.values() if o.kind == OrgKind.BRANCH):
        size = sum(1 for m in members.values() if m.organization_id == branch.pk)
        count = len(current[branch.pk])
        if size >= party_demo.COMMITTEE_MIN_MEMBERS:
            assert 3 <= count <= 5, branch.code
        else:
            assert count == 1, branch.code  # a secretary, no 支委会
    for committee in (o for o in orgs.values() if o.kind == OrgKind.COMMITTEE):
        assert 5 <= len(current[committee.pk]) <= 7, committee.code
    assert party_demo.COMMITTEE_MIN_SEATS == compliance.COMMITTEE_MIN_SEATS == 3


@pytest.mark.django_db
def test_mentors_are_committee_members_of_the_same_branch(seeded):
    sitting = defaultdict(set)
    for org_id, member_id in _seats_on(TODAY).values_list("organization_id", "member_id"):
        sitting[org_id].add(member_id)
    mentored = 0
    for member in PartyMember.objects.exclude(mentor=None).select_related("mentor"):
        assert member.mentor.organization_id == member.organization_id
        assert member.mentor_id in sitting[member.organization_id]
        assert len(sitting[member.organization_id]) >= party_demo.COMMITTEE_MIN_SEATS
        assert member.pk not in sitting[member.organization_id]
        mentored += 1
    should = sum(
        1
        for member in PartyMember.objects.all()
        if len(sitting[member.organization_id]) >= party_demo.COMMITTEE_MIN_SEATS
        and member.pk not in sitting[member.organization_id]
    )
    assert should and 0.9 * should <= mentored <= should


@pytest.mark.django_db
def test_demo_users_hold_their_party_roles(seeded):
    branch = PartyOrganization.objects.get(code="ZB-P01-D01")
    assert branch.name == "洪山监狱一监区党支部"
    assert branch.is_pilot
    secretary = User.objects.get(username="secretary").officer.party_member
    assert secretary.organization == branch
    assert (
        _seats_on(TODAY)
        .filter(organization=branch, member=secretary, post=CommitteePost.SECRETARY)
        .exists()
    )
    member = User.objects.get(username="member").officer.party_member
    assert member.organization == branch
    party = User.objects.get(username="party").officer.party_member
    organ = PartyOrganization.objects.get(code="DW-HBJ-JGDW")
    assert party.organization.parent == organ


@pytest.mark.django_db
def test_activities_fall_inside_their_organisations_lives(seeded):
    late = Activity.objects.filter(held_on__gt=TODAY)
    assert not late.exists()
    for held_on, established_on in Activity.objects.values_list(
        "held_on", "organization__established_on"
    ):
        assert held_on >= established_on
    assert not StudyRecord.objects.filter(held_on__gt=TODAY).exists()
    last_month = dues.last_completed_month(TODAY)
    assert not DuesPayment.objects.filter(month__gt=last_month).exists()
    assert not DuesPayment.objects.filter(paid_on__gt=TODAY).exists()
    years = set(Activity.objects.dates("held_on", "year").values_list("held_on__year", flat=True))
    assert years == {2022, 2023, 2024}


@pytest.mark.django_db
def test_hosts_seats_and_secretary_lectures_agree(seeded):
    seats = defaultdict(list)
    for seat in CommitteeSeat.objects.all():
        seats[seat.organization_id].append(seat)

    def holds(org_id, member_id, day, post=None):
        return any(
            s.member_id == member_id
            and s.started_on <= day
            and (s.ended_on is None or s.ended_on >= day)
            and (post is None or s.post == post)
            for s in seats[org_id]
        )

    def sitting(org_id, day):
        return sum(
            1
            for s in seats[org_id]
            if s.started_on <= day and (s.ended_on is None or s.ended_on >= day)
        )

    activities = Activity.objects.values_list(
        "organization_id", "kind", "held_on", "host_id", "by_secretary"
    )
    for org_id, kind, held_on, host_id, by_secretary in activities:
        assert host_id is not None
        is_secretary = holds(org_id, host_id, held_on, CommitteePost.SECRETARY)
        assert by_secretary == is_secretary
        if kind == ActivityKind.COMMITTEE_MEETING:
            assert sitting(org_id, held_on) >= party_demo.COMMITTEE_MIN_SEATS
        if kind == ActivityKind.LEADER_LECTURE_MAIN:
            assert is_secretary
        if kind == ActivityKind.LEADER_LECTURE_MEMBER:
            assert holds(org_id, host_id, held_on) and not is_secretary
    # Every branch had its secretary's lecture in 2023.
    branches = PartyOrganization.objects.filter(
        kind=OrgKind.BRANCH, established_on__lt="2023-06-01"
    )
    lectured = set(
        Activity.objects.filter(
            kind=ActivityKind.LECTURE, by_secretary=True, held_on__year=2023
        ).values_list("organization_id", flat=True)
    )
    assert len(lectured) >= 0.9 * branches.count()


@pytest.mark.django_db
def test_attendance_rows_agree_with_the_counts(seeded):
    activities = Activity.objects.annotate(
        rows=Count("attendance"),
        present=Count("attendance", filter=Q(attendance__status="present")),
        excused=Count("attendance", filter=Q(attendance__status="excused")),
    ).values_list("rows", "expected_count", "present", "present_count", "excused", "excused_count")
    assert activities
    for rows, expected, present, present_count, excused, excused_count in activities:
        # Demo scale: every activity has its rows.
        assert rows == expected > 0
        assert (present, excused) == (present_count, excused_count)
        assert present + excused <= expected
    assert Attendance.objects.filter(status="excused").exclude(reason="").exists()
    assert not Attendance.objects.filter(status="excused", reason="").exists()
    assert Attendance.objects.exclude(checked_in_at=None).exists()


@pytest.mark.django_db
def test_attendance_rows_are_the_expected_members(seeded):
    members = {m.pk: m for m in PartyMember.objects.all()}
    seats = defaultdict(list)
    for seat in CommitteeSeat.objects.all():
        seats[seat.organization_id].append(seat)
    activities = {a.pk: a for a in Activity.objects.select_related("organization")}
    rows = defaultdict(set)
    for activity_id, member_id in Attendance.objects.values_list("activity_id", "member_id"):
        rows[activity_id].add(member_id)
    for pk, activity in activities.items():
        org, day = activity.organization, activity.held_on
        who = rows[pk]
        assert all(members[m].joined_on <= day for m in who)
        if activity.kind in (ActivityKind.COMMITTEE_MEETING, ActivityKind.CORE_GROUP_STUDY):
            sitting = {
                s.member_id
                for s in seats[org.pk]
                if s.started_on <= day and (s.ended_on is None or s.ended_on >= day)
            }
            assert who == sitting
        elif activity.kind == ActivityKind.GROUP_MEETING:
            assert all(members[m].group_id == org.pk for m in who)
        elif org.kind == OrgKind.BRANCH:
            expected = {m.pk for m in members.values() if m.organization_id == org.pk}
            assert who == {m for m in expected if members[m].joined_on <= day}


@pytest.mark.django_db
def test_study_records_link_participants(seeded):
    levels = Counter(StudyRecord.objects.values_list("level", flat=True))
    assert set(levels) == {"core_group", "organ", "branch", "group", "member"}
    empty = StudyRecord.objects.annotate(n=Count("participants")).filter(n=0)
    assert not empty.exists()
    assert StudyRecord.objects.filter(hours__lt=Decimal("1.5")).count() == 0
    assert StudyRecord.objects.filter(hours__gt=Decimal("4")).count() == 0
    member = User.objects.get(username="member").officer.party_member
    assert member.study_records.exists()


@pytest.mark.django_db
def test_dues_follow_the_brackets_and_some_are_flagged(seeded):
    for base, due, paid in DuesPayment.objects.values_list("base", "amount_due", "amount_paid"):
        assert due == dues.monthly_dues(base) == paid
    paid = defaultdict(list)
    for member_id, month in DuesPayment.objects.values_list("member_id", "month"):
        paid[member_id].append(month)
    flagged = [
        member
        for member in PartyMember.objects.all()
        if paid[member.pk]
        and dues.six_month_flag(
            paid[member.pk], joined=max(member.joined_on, min(paid[member.pk])), today=TODAY
        )
    ]
    assert len(flagged) == party_demo.DUES_SIX_MONTH_MEMBERS["demo"]
    # Every member has a ledger from January 2022 (demo scale) or the month of joining.
    assert set(paid) == set(PartyMember.objects.values_list("pk", flat=True))
    assert min(min(months) for months in paid.values()) == dt.date(2022, 1, 1)


@pytest.mark.django_db
def test_later_generators_find_the_party_in_ctx_data(seeded):
    orgs = seeded.data["party_orgs"]
    assert orgs["DW-HBJ"].name == "中共湖北省监狱管理局委员会"
    assert orgs["DW-P01"].name == "中共湖北省洪山监狱委员会"
    assert orgs["ZZ-P01-1"].name == "洪山监狱第一党总支"
    members = seeded.data["party_members"]
    assert len(members) == PartyMember.objects.count()
    officer = User.objects.get(username="secretary").officer
    assert members[officer.pk].organization_id == orgs["ZB-P01-D01"].pk
    district = seeded.data["units_by_code"]["P01-D01"]
    assert seeded.data["branch_by_unit"][district.pk].code == "ZB-P01-D01"


@pytest.mark.django_db
def test_one_audit_entry_summarises_the_seed(seeded):
    entry = AuditEntry.objects.get(action="seed.party")
    assert entry.actor_id is None
    assert f"党员 {PartyMember.objects.count()} 名" in entry.summary


# --- pure planning ---------------------------------------------------------------------------


@pytest.fixture(scope="module")
def demo_structure() -> party_demo.Structure:
    plan = org_demo.build_plan("demo", random.Random("2023/org"))
    units, people = party_demo.inputs_from_org_plan(plan)
    return party_demo.plan_structure("demo", random.Random("2023/party"), units, people, TODAY)


def test_the_plan_is_deterministic(demo_structure):
    plan = org_demo.build_plan("demo", random.Random("2023/org"))
    units, people = party_demo.inputs_from_org_plan(plan)
    again = party_demo.plan_structure("demo", random.Random("2023/party"), units, people, TODAY)
    assert [(o.code, o.established_on) for o in again.orgs] == [
        (o.code, o.established_on) for o in demo_structure.orgs
    ]
    assert [(m.officer_key, m.joined_on) for m in again.members] == [
        (m.officer_key, m.joined_on) for m in demo_structure.members
    ]
    first = party_demo.plan_year(demo_structure, 2023)
    second = party_demo.plan_year(again, 2023)
    assert [(a.org_pk, a.held_on, a.minutes) for a in first] == [
        (a.org_pk, a.held_on, a.minutes) for a in second
    ]


def test_planted_copies_are_found_and_little_else(demo_structure):
    activities = party_demo.plan_year(demo_structure, 2023)
    planted = {
        (min(i, a.copied_from), max(i, a.copied_from))
        for i, a in enumerate(activities)
        if a.copied_from is not None
    }
    assert len(planted) == round(len(activities) * party_demo.DUPLICATE_MINUTES_SHARE)
    lengths = [len(a.minutes) for a in activities]
    assert min(lengths) >= 150 and max(lengths) <= 700
    result = similarity.search_near_duplicates(
        [similarity.Document(i, a.org_pk, a.minutes) for i, a in enumerate(activities)]
    )
    found = {(m.a_id, m.b_id) for m in result.matches}
    assert planted <= found
    assert len(found - planted) <= len(planted) // 2


def test_a_few_branches_were_established_in_mid_2023(demo_structure):
    new = [o for o in demo_structure.orgs if o.established_on.year == 2023]
    assert new
    assert all(dt.date(2023, 5, 1) <= o.established_on <= dt.date(2023, 8, 31) for o in new)


@pytest.fixture(scope="module")
def province():
    plan = org_demo.build_plan("province", random.Random("2023/org"))
    units, people = party_demo.inputs_from_org_plan(plan)
    structure = party_demo.plan_structure(
        "province", random.Random("2023/party"), units, people, TODAY
    )
    return plan, structure


@pytest.fixture(scope="module")
def province_years(province):
    _, structure = province
    return {year: party_demo.plan_year(structure, year) for year in (2022, 2023)}


def test_province_plan_has_exactly_915_organisations(province):
    plan, structure = province
    orgs = structure.orgs
    assert len(orgs) == party_demo.PROVINCE_ORGANIZATIONS == 915
    assert len({o.code for o in orgs}) == 915
    kinds = Counter(o.kind for o in orgs)
    assert kinds[OrgKind.COMMITTEE] == 19
    assert kinds[OrgKind.GENERAL_BRANCH] == 34
    branch_units = Counter(u.kind for u in plan.units)
    assert kinds[OrgKind.BRANCH] == (
        branch_units[UnitKind.DISTRICT]
        + branch_units[UnitKind.SUBDISTRICT]
        + branch_units[UnitKind.DEPARTMENT]
        + branch_units[UnitKind.BUREAU_DEPARTMENT]
    )
    assert kinds[OrgKind.GROUP] == 915 - 19 - 34 - kinds[OrgKind.BRANCH] > 0
    for group in structure.of_kind(OrgKind.GROUP):
        assert group.parent.kind == OrgKind.BRANCH and len(group.members) >= 3
    by_code = structure.by_code
    assert by_code["DW-HBJ"].parent is None
    assert by_code["DW-HBJ-JGDW"].parent is by_code["DW-HBJ"]
    assert by_code["ZB-HBJ-JW"].name == "省监狱管理局纪委监察专员办党支部"
    assert by_code["ZB-HBJ-JW"].parent is by_code["DW-HBJ-JGDW"]
    assert by_code["ZB-P01-BGS"].parent is by_code["DW-P01"]
    assert by_code["ZB-P01-D01"].parent is by_code["ZZ-P01-1"]
    first_groups = [o for o in orgs if o.code.startswith("XZ-") and o.code.endswith("-1")]
    for group in first_groups:
        assert group.code == "XZ-" + group.parent.code.removeprefix("ZB-") + "-1"
        assert group.name == group.parent.name + "第一党小组"
    pilots = [o for o in orgs if o.is_pilot]
    assert len(pilots) == 6 and by_code["ZB-P07-D02"] in pilots
    assert by_code["ZB-P07-D02"].name == "襄南监狱二监区党支部"
    assert all(o.kind == OrgKind.BRANCH for o in pilots)


def test_province_members_are_the_party_officers(province):
    plan, structure = province
    party = [
        i + 1
        for i, o in enumerate(plan.officers)
        if o.party_status in (PartyStatus.MEMBER, PartyStatus.PROBATIONARY)
    ]
    assert sorted(m.officer_key for m in structure.members) == party
    assert len(party) == pytest.approx(14_000, rel=0.01)
    branches = structure.of_kind(OrgKind.BRANCH)
    assert sum(len(b.members) for b in branches) == len(party)
    with_committee = [b for b in branches if len(b.current_seats) >= 3]
    assert all(len(b.members) >= 7 for b in with_committee)
    mentees = [m for b in with_committee for m in b.members if m.mentor is not None]
    assert len(mentees) > 0.9 * sum(len(b.members) - len(b.current_seats) for b in with_committee)


def test_province_2023_totals_are_the_seed_figures(province_years):
    counts = Counter(a.kind for a in province_years[2023])
    for kind, figure in SEED_2023.items():
        assert counts[kind] == figure, kind
    assert _three(counts) == SEED_2023_THREE_MEETINGS
    assert counts[ActivityKind.APPRAISAL] > 0
    assert all(a.held_on.year == 2023 for a in province_years[2023])


def test_province_2022_is_lower_than_2023_by_kind(province_years):
    before = Counter(a.kind for a in province_years[2022])
    after = Counter(a.kind for a in province_years[2023])
    targets = party_demo.TARGETS[2022]
    for kind in SEED_2023:
        assert before[kind] == targets[kind] < after[kind]
        assert 0.08 <= 1 - before[kind] / after[kind] <= 0.12
    assert _three(before) == targets[party_demo.THREE_MEETINGS] < _three(after)


def test_province_2023_shows_realistic_non_compliance(province, province_years):
    _, structure = province
    activities = province_years[2023]
    statuses = compliance.evaluate(
        [o.facts for o in structure.orgs],
        [compliance.ActivityFact(a.org_pk, a.kind, a.held_on, a.by_secretary) for a in activities],
        start=dt.date(2023, 1, 1),
        end=dt.date(2023, 12, 31),
        today=TODAY,
    )
    overdue = Counter(s.requirement.kind for s in statuses if s.state == "overdue")
    assert overdue[ActivityKind.THEMED_DAY] > 0 and overdue[ActivityKind.COMMITTEE_MEETING] > 0
    assert 0.95 < compliance.rate(statuses) < 0.995
    below_quorum = [
        a
        for a in activities
        if a.kind == ActivityKind.GENERAL_MEETING and a.present * 3 < a.expected * 2
    ]
    assert (
        0
        < len(below_quorum)
        < 0.03 * sum(a.kind == ActivityKind.GENERAL_MEETING for a in activities)
    )
    for activity in activities:
        assert activity.present + activity.excused <= activity.expected
        if activity.kind != ActivityKind.GENERAL_MEETING:
            assert activity.present >= 0.8 * activity.expected - 1
