"""Writes of organisational life: recording a meeting with its attendance, QR check-in.

Each function checks permission and scope, validates against the party rules, writes in one
transaction and appends an audit entry.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone

from tongxin.audit.services import record, snapshot
from tongxin.org import scope

from . import compliance, selectors
from .models import (
    Activity,
    ActivityKind,
    Attendance,
    AttendanceStatus,
    CommitteePost,
    OrgKind,
    PartyMember,
    PartyOrganization,
)

# Which kinds of organisational life each kind of organisation holds.
KINDS_BY_ORG = {
    OrgKind.COMMITTEE: {
        ActivityKind.CORE_GROUP_STUDY,
        ActivityKind.LEADER_LECTURE_MAIN,
        ActivityKind.LEADER_LECTURE_MEMBER,
        ActivityKind.COMMITTEE_MEETING,
    },
    OrgKind.GENERAL_BRANCH: {
        ActivityKind.GENERAL_MEETING,
        ActivityKind.COMMITTEE_MEETING,
        ActivityKind.LECTURE,
        ActivityKind.THEMED_DAY,
        ActivityKind.LIFE_MEETING,
        ActivityKind.APPRAISAL,
    },
    OrgKind.BRANCH: {
        ActivityKind.GENERAL_MEETING,
        ActivityKind.COMMITTEE_MEETING,
        ActivityKind.LECTURE,
        ActivityKind.THEMED_DAY,
        ActivityKind.LIFE_MEETING,
        ActivityKind.APPRAISAL,
    },
    OrgKind.GROUP: {ActivityKind.GROUP_MEETING},
}

CHECKIN_OPENS_BEFORE = dt.timedelta(minutes=30)


@dataclass(frozen=True)
class Presence:
    """One expected member's attendance as recorded by the secretary."""

    member_id: int
    status: str = AttendanceStatus.PRESENT
    reason: str = ""


def _require(user, perm: str, organization: PartyOrganization) -> None:
    if not user.has_perm(perm):
        raise PermissionDenied("您没有执行此操作的权限")
    if not scope.can_see_unit(user, organization.unit):
        raise PermissionDenied("该党组织不在您的数据范围内")


def has_committee(organization: PartyOrganization, day: dt.date) -> bool:
    return selectors.seats_active_on(organization, day).count() >= compliance.COMMITTEE_MIN_SEATS


def _holds_seat(member: PartyMember | None, organization, day, *, secretary: bool) -> bool:
    if member is None:
        return False
    seats = selectors.seats_active_on(organization, day).filter(member=member)
    if secretary:
        seats = seats.filter(post=CommitteePost.SECRETARY)
    return seats.exists()


def _validate(
    *,
    organization: PartyOrganization,
    kind: str,
    held_on: dt.date,
    host: PartyMember | None,
    starts_at: dt.datetime | None,
    ends_at: dt.datetime | None,
    presences: list[Presence],
) -> dict[int, PartyMember]:
    """All the reasons a record is refused at once, per field; returns the expected members."""
    errors: dict[str, list[str]] = {}

    def refuse(field: str, message: str) -> None:
        errors.setdefault(field, []).append(message)

    today = timezone.localdate()
    if held_on > today:
        refuse("held_on", "会议日期不能晚于今天:组织生活须在召开后记录。")
    if held_on < organization.established_on:
        founded = f"{organization.established_on:%Y年%m月%d日}"
        refuse("held_on", f"该组织于{founded}成立,日期不能早于成立日期。")
    if organization.dissolved_on and held_on > organization.dissolved_on:
        refuse("held_on", "该组织已撤销。")
    if kind not in KINDS_BY_ORG[organization.kind]:
        refuse(
            "kind",
            f"{organization.get_kind_display()}不召开“{ActivityKind(kind).label}”。",
        )
    elif kind == ActivityKind.COMMITTEE_MEETING and not has_committee(organization, held_on):
        refuse("kind", "该组织当日未设委员会(委员不足3人),不能记录支委会。")
    if kind == ActivityKind.LEADER_LECTURE_MAIN and not _holds_seat(
        host, organization, held_on, secretary=True
    ):
        refuse("host", "“主要负责同志讲党课”的主讲人须为该党委书记。")
    if kind == ActivityKind.LEADER_LECTURE_MEMBER and not _holds_seat(
        host, organization, held_on, secretary=False
    ):
        refuse("host", "“班子成员讲党课”的主讲人须为该党委委员。")
    if (starts_at is None) != (ends_at is None):
        refuse("ends_at", "签到时段须同时填写开始与结束时间。")
    elif starts_at and ends_at and ends_at <= starts_at:
        refuse("ends_at", "结束时间须晚于开始时间。")

    expected = {m.pk: m for m in selectors.expected_members(organization, kind, held_on)}
    if (
        host is not None
        and host.pk not in expected
        and kind
        not in (
            ActivityKind.LEADER_LECTURE_MAIN,
            ActivityKind.LEADER_LECTURE_MEMBER,
            ActivityKind.LECTURE,
        )
    ):
        refuse("host", f"{host.officer.name}不是本组织的党员。")
    seen: set[int] = set()
    outsiders = []
    for presence in presences:
        if presence.member_id in seen:
            refuse("attendance", "同一名党员不能重复登记。")
        seen.add(presence.member_id)
        if presence.member_id not in expected:
            outsiders.append(presence.member_id)
        if presence.status == AttendanceStatus.EXCUSED and not presence.reason.strip():
            refuse("attendance", "请假须填写事由。")
    if outsiders:
        names = PartyMember.objects.filter(pk__in=outsiders).values_list("officer__name", flat=True)
        shown = "、".join(names) or "、".join(str(i) for i in outsiders)
        refuse("attendance", f"以下人员不是本次活动应参加的党员:{shown}。")
    if errors:
        raise ValidationError(errors)
    return expected


def _write_attendance(activity: Activity, expected: dict, presences: list[Presence]) -> None:
    given = {p.member_id: p for p in presences}
    activity.attendance.all().delete()
    Attendance.objects.bulk_create(
        Attendance(
            activity=activity,
            member_id=member_id,
            status=given[member_id].status if member_id in given else AttendanceStatus.ABSENT,
            reason=given[member_id].reason.strip() if member_id in given else "",
        )
        for member_id in expected
    )
    _refresh_counts(activity)


def _refresh_counts(activity: Activity) -> None:
    counts = activity.attendance.aggregate(
        expected=Count("id"),
        present=Count("id", filter=Q(status=AttendanceStatus.PRESENT)),
        excused=Count("id", filter=Q(status=AttendanceStatus.EXCUSED)),
    )
    activity.expected_count = counts["expected"]
    activity.present_count = counts["present"]
    activity.excused_count = counts["excused"]
    activity.save(update_fields=["expected_count", "present_count", "excused_count", "updated_at"])


@transaction.atomic
def record_activity(
    *,
    user,
    organization: PartyOrganization,
    kind: str,
    held_on: dt.date,
    topic: str,
    host: PartyMember | None = None,
    location: str = "",
    minutes: str = "",
    starts_at: dt.datetime | None = None,
    ends_at: dt.datetime | None = None,
    presences: list[Presence] = (),
) -> Activity:
    """Record a meeting, lecture, themed day or study session with who came."""
    _require(user, "party.add_activity", organization)
    presences = list(presences)
    expected = _validate(
        organization=organization,
        kind=kind,
        held_on=held_on,
        host=host,
        starts_at=starts_at,
        ends_at=ends_at,
        presences=presences,
    )
    activity = Activity(
        organization=organization,
        kind=kind,
        held_on=held_on,
        topic=topic.strip(),
        host=host,
        location=location.strip(),
        minutes=minutes.strip(),
        starts_at=starts_at,
        ends_at=ends_at,
        by_secretary=_holds_seat(host, organization, held_on, secretary=True),
        created_by=user,
    )
    activity.full_clean()
    activity.save()
    _write_attendance(activity, expected, presences)
    record(
        actor=user,
        action="party.activity.create",
        obj=activity,
        unit=organization.unit,
        after=snapshot(activity, ["kind", "held_on", "topic", "organization", "present_count"]),
        summary=f"{organization.name} 记录{activity.get_kind_display()}:{activity.topic}",
    )
    return activity


@transaction.atomic
def update_activity(
    *,
    user,
    activity: Activity,
    expected_updated_at: dt.datetime | None,
    presences: list[Presence] | None = None,
    **fields,
) -> Activity:
    """Correct a record; an edit made meanwhile by someone else is refused."""
    current = (
        Activity.objects.select_for_update()
        .select_related("organization__unit")
        .get(pk=activity.pk)
    )
    _require(user, "party.change_activity", current.organization)
    if expected_updated_at is not None and current.updated_at != expected_updated_at:
        raise ValidationError("该记录已被他人修改,请刷新后重试。", code="stale")
    before = snapshot(current)
    for name in ("kind", "held_on", "topic", "host", "location", "minutes", "starts_at", "ends_at"):
        if name in fields:
            setattr(current, name, fields[name])
    if presences is None:
        presences = [
            Presence(a.member_id, a.status, a.reason)
            for a in current.attendance.exclude(status=AttendanceStatus.ABSENT)
        ]
    expected = _validate(
        organization=current.organization,
        kind=current.kind,
        held_on=current.held_on,
        host=current.host,
        starts_at=current.starts_at,
        ends_at=current.ends_at,
        presences=presences,
    )
    current.by_secretary = _holds_seat(
        current.host, current.organization, current.held_on, secretary=True
    )
    current.full_clean()
    current.save()
    _write_attendance(current, expected, presences)
    record(
        actor=user,
        action="party.activity.update",
        obj=current,
        unit=current.organization.unit,
        before=before,
        after=snapshot(current),
        summary=f"修改{current.get_kind_display()}记录:{current.topic}",
    )
    return current


def checkin_window(activity: Activity) -> tuple[dt.datetime, dt.datetime] | None:
    if activity.starts_at is None or activity.ends_at is None:
        return None
    return activity.starts_at - CHECKIN_OPENS_BEFORE, activity.ends_at


@transaction.atomic
def check_in(*, user, token: str, now: dt.datetime | None = None) -> Attendance:
    """A member scans the meeting's QR code on a phone: present, if within the window."""
    now = now or timezone.now()
    activity = (
        Activity.objects.select_for_update()
        .select_related("organization__unit")
        .filter(checkin_token=token)
        .first()
    )
    if activity is None:
        raise ValidationError("签到码无效。")
    member = selectors.member_of_user(user)
    if member is None:
        raise ValidationError("您的账号未关联党员信息,不能签到。")
    window = checkin_window(activity)
    if window is None:
        raise ValidationError("本次活动未开放扫码签到。")
    opens, closes = window
    if now < opens:
        raise ValidationError(f"签到尚未开始,{timezone.localtime(opens):%H:%M} 起可签到。")
    if now > closes:
        raise ValidationError("签到已结束。")
    attendance = activity.attendance.filter(member=member).first()
    if attendance is None:
        raise ValidationError("您不是本次活动应参加的党员。")
    if attendance.status != AttendanceStatus.PRESENT or attendance.checked_in_at is None:
        attendance.status = AttendanceStatus.PRESENT
        attendance.reason = ""
        attendance.checked_in_at = now
        attendance.save(update_fields=["status", "reason", "checked_in_at"])
        _refresh_counts(activity)
        record(
            actor=user,
            action="party.activity.checkin",
            obj=activity,
            unit=activity.organization.unit,
            summary=f"{member.officer.name} 扫码签到:{activity.topic}",
        )
    return attendance
