"""Recording organisational life: the rules refuse bad input with reasons, nothing half-written;
QR check-in only in its window; compliance and statistics computed from the records."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from tests.conftest import make_user
from tongxin.audit.models import AuditEntry
from tongxin.org.scope import WHOLE_PROVINCE
from tongxin.party import reports, services
from tongxin.party.models import Activity, ActivityKind, Attendance, AttendanceStatus
from tongxin.party.services import Presence

pytestmark = pytest.mark.django_db

DAY = dt.date(2023, 3, 15)


def record(user, org, kind=ActivityKind.GENERAL_MEETING, held_on=DAY, **extra):
    extra.setdefault("topic", "学习贯彻党的二十大精神")
    return services.record_activity(
        user=user, organization=org, kind=kind, held_on=held_on, **extra
    )


def test_record_meeting_with_attendance(secretary_a1, party):
    a1 = party.a1
    activity = record(
        secretary_a1,
        party.branch_a1,
        host=a1[0],
        presences=[
            Presence(a1[0].pk),
            Presence(a1[1].pk),
            Presence(a1[2].pk),
            Presence(a1[3].pk, AttendanceStatus.EXCUSED, "值班"),
        ],
    )
    assert (activity.expected_count, activity.present_count, activity.excused_count) == (5, 3, 1)
    assert activity.by_secretary
    assert Attendance.objects.get(activity=activity, member=a1[4]).status == "absent"
    assert activity.below_quorum  # 3 of 5 is less than two thirds
    entry = AuditEntry.objects.get(action="party.activity.create")
    assert entry.unit_path == party.branch_a1.unit.path


def test_quorum_reached_at_two_thirds(secretary_a1, party):
    activity = record(
        secretary_a1, party.branch_a1, presences=[Presence(m.pk) for m in party.a1[:4]]
    )
    assert not activity.below_quorum


@pytest.mark.parametrize(
    ("change", "field", "words"),
    [
        ({"held_on": timezone.localdate() + dt.timedelta(days=1)}, "held_on", "不能晚于今天"),
        ({"held_on": dt.date(2014, 1, 1)}, "held_on", "成立"),
        ({"kind": ActivityKind.GROUP_MEETING}, "kind", "不召开"),
        ({"kind": ActivityKind.CORE_GROUP_STUDY}, "kind", "不召开"),
    ],
)
def test_bad_input_is_refused_with_a_reason(secretary_a1, party, change, field, words):
    with pytest.raises(ValidationError) as error:
        record(secretary_a1, party.branch_a1, **change)
    assert any(words in m for m in error.value.message_dict[field])
    assert not Activity.objects.exists() and not AuditEntry.objects.exists()


def test_attendance_of_people_outside_the_organisation_is_refused(secretary_a1, party):
    outsider = party.a2[1]
    with pytest.raises(ValidationError) as error:
        record(secretary_a1, party.branch_a1, presences=[Presence(outsider.pk)])
    assert "郑党员" in error.value.message_dict["attendance"][0]
    assert not Activity.objects.exists() and not Attendance.objects.exists()


def test_excused_needs_a_reason(secretary_a1, party):
    with pytest.raises(ValidationError, match="请假须填写事由"):
        record(
            secretary_a1,
            party.branch_a1,
            presences=[Presence(party.a1[1].pk, AttendanceStatus.EXCUSED, " ")],
        )


def test_committee_meeting_needs_a_committee(roles, tree, party):
    secretary_a2 = make_user("sec2", "branch_secretary", tree.district_a2)
    with pytest.raises(ValidationError, match="未设委员会"):
        record(secretary_a2, party.branch_a2, kind=ActivityKind.COMMITTEE_MEETING)
    # The branch with three seats may hold one; only its committee is expected.
    secretary = make_user("sec1", "branch_secretary", tree.district_a1)
    meeting = record(secretary, party.branch_a1, kind=ActivityKind.COMMITTEE_MEETING)
    assert meeting.expected_count == 3


def test_group_meeting_expects_the_group(secretary_a1, party):
    meeting = record(secretary_a1, party.group_a1, kind=ActivityKind.GROUP_MEETING)
    assert meeting.expected_count == 3


def test_secretary_of_another_prison_cannot_record(roles, tree, party):
    other = make_user("sec_b", "branch_secretary", tree.district_b1)
    with pytest.raises(PermissionDenied):
        record(other, party.branch_a1)


def test_member_role_cannot_record(member_a1, party):
    with pytest.raises(PermissionDenied):
        record(member_a1, party.branch_a1)


def test_stale_update_is_refused(secretary_a1, party):
    activity = record(secretary_a1, party.branch_a1)
    seen = activity.updated_at
    services.update_activity(
        user=secretary_a1, activity=activity, expected_updated_at=seen, topic="新的主题"
    )
    with pytest.raises(ValidationError, match="已被他人修改"):
        services.update_activity(
            user=secretary_a1, activity=activity, expected_updated_at=seen, topic="另一个主题"
        )
    activity.refresh_from_db()
    assert activity.topic == "新的主题"


def checkin_meeting(secretary, party, minutes_from_now=0):
    now = timezone.now()
    return record(
        secretary,
        party.branch_a1,
        kind=ActivityKind.THEMED_DAY,
        held_on=timezone.localdate(),
        starts_at=now + dt.timedelta(minutes=minutes_from_now),
        ends_at=now + dt.timedelta(minutes=minutes_from_now + 90),
    )


def test_member_checks_in_during_the_window(secretary_a1, member_a1, party):
    activity = checkin_meeting(secretary_a1, party)
    attendance = services.check_in(user=member_a1, token=activity.checkin_token)
    assert attendance.status == "present" and attendance.checked_in_at
    activity.refresh_from_db()
    assert activity.present_count == 1
    services.check_in(user=member_a1, token=activity.checkin_token)  # twice is harmless
    activity.refresh_from_db()
    assert activity.present_count == 1


def test_check_in_outside_the_window_is_refused(secretary_a1, member_a1, party):
    activity = checkin_meeting(secretary_a1, party, minutes_from_now=120)
    with pytest.raises(ValidationError, match="签到尚未开始"):
        services.check_in(user=member_a1, token=activity.checkin_token)
    later = timezone.now() + dt.timedelta(hours=5)
    with pytest.raises(ValidationError, match="签到已结束"):
        services.check_in(user=member_a1, token=activity.checkin_token, now=later)


def test_check_in_by_a_non_member_of_the_branch_is_refused(roles, tree, secretary_a1, party):
    activity = checkin_meeting(secretary_a1, party)
    outsider = make_user("out", "member", tree.district_a2, officer=party.a2[1].officer)
    with pytest.raises(ValidationError, match="不是本次活动应参加的党员"):
        services.check_in(user=outsider, token=activity.checkin_token)
    with pytest.raises(ValidationError, match="签到码无效"):
        services.check_in(user=outsider, token="nonsense")


def test_compliance_rolls_up_and_stays_in_scope(secretary_a1, party):
    for month in (1, 2, 3):
        record(
            secretary_a1,
            party.branch_a1,
            kind=ActivityKind.THEMED_DAY,
            held_on=dt.date(2023, month, 10),
        )
    report = reports.compliance_report(
        WHOLE_PROVINCE,
        root=None,
        start=dt.date(2023, 1, 1),
        end=dt.date(2023, 3, 31),
        today=dt.date(2023, 6, 1),
    )
    themed = [
        s
        for s in report.statuses_of(party.branch_a1.pk)
        if s.requirement.kind == ActivityKind.THEMED_DAY
    ]
    assert [s.state for s in themed] == ["done", "done", "done"]
    no_committee = [
        s
        for s in report.statuses_of(party.branch_a2.pk)
        if s.requirement.kind == ActivityKind.COMMITTEE_MEETING
    ]
    assert {s.state for s in no_committee} == {"not_applicable"}
    # the committee's roll-up covers both its branches, and only them
    assert report.rate_of(party.committee_a.pk) is not None
    a1 = report.rollup[party.branch_a1.pk]
    a2 = report.rollup[party.branch_a2.pk]
    total = report.rollup[party.committee_a.pk]
    group = report.rollup[party.group_a1.pk]
    assert group["overdue"] == 3  # no group meeting in three months
    for state in ("done", "overdue", "upcoming"):  # the branch's figures include its group's
        assert total.get(state, 0) == a1.get(state, 0) + a2.get(state, 0) + (
            len([s for s in report.statuses_of(party.committee_a.pk) if s.state == state])
        )
    scoped = reports.compliance_report(
        secretary_a1,
        root=None,
        start=dt.date(2023, 1, 1),
        end=dt.date(2023, 3, 31),
        today=dt.date(2023, 6, 1),
    )
    assert {o.pk for o in scoped.organizations} == {party.branch_a1.pk, party.group_a1.pk}


def test_figures_count_records_and_stay_in_scope(roles, tree, secretary_a1, party):
    record(
        secretary_a1,
        party.branch_a1,
        kind=ActivityKind.THEMED_DAY,
        presences=[Presence(m.pk) for m in party.a1[:4]],
    )
    record(secretary_a1, party.branch_a1, kind=ActivityKind.LECTURE)
    record(secretary_a1, party.group_a1, kind=ActivityKind.GROUP_MEETING)
    other = make_user("sec_b", "branch_secretary", tree.district_b1)
    record(other, party.branch_b1, kind=ActivityKind.THEMED_DAY)
    everything = reports.party_figures(
        WHOLE_PROVINCE, root=None, start=dt.date(2023, 1, 1), end=dt.date(2023, 12, 31)
    )
    assert everything.themed_day == 2 and everything.three_meetings_one_lecture == 2
    mine = reports.party_figures(
        secretary_a1, root=None, start=dt.date(2023, 1, 1), end=dt.date(2023, 12, 31)
    )
    assert mine.themed_day == 1
    assert mine.participation_rate == pytest.approx(4 / (5 + 5 + 3))
    b = reports.party_figures(
        other, root=None, start=dt.date(2023, 1, 1), end=dt.date(2023, 12, 31)
    )
    assert b.themed_day == 1 and b.lecture == 0
