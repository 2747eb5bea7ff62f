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
    """Replace the attendance rows; a check-in time survives while the member stays present."""
    given = {p.member_id: p for p in presences}
    checked_in = dict(
        activity.attendance.filter(checked_in_at__isnull=False).values_list(
            "member_id", "checked_in_at"
        )
    )
    activity.attendance.all().delete()
    rows = []
    for member_id in expected:
        status = given[member_id].status if member_id in given else AttendanceStatus.ABSENT
        rows.append(
            Attendance(
                activity=activity,
                member_id=member_id,
                status=status,
                reason=given[member_id].reason.strip() if member_id in given else "",
                checked_in_at=(
                    checked_in.get(member_id) if status == AttendanceStatus.PRESENT else None
                ),
            )
        )
    Attendance.objects.bulk_create(rows)
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


# --- "1+N" mentoring -------------------------------------------------------------------------


@transaction.atomic
def assign_mentor(
    *, user, member: PartyMember, mentor: PartyMember | None, replace: bool = False
) -> PartyMember:
    """One committee member of the same branch mentors each member ("1+N"). A member has
    exactly one mentor: a second one is refused unless the change is meant (``replace``)."""
    member = (
        PartyMember.objects.select_for_update()
        .select_related("organization__unit")
        .get(pk=member.pk)
    )
    _require(user, "party.change_partymember", member.organization)
    today = timezone.localdate()
    errors = []
    if mentor is not None:
        if mentor.pk == member.pk:
            errors.append("党员不能联系自己。")
        if mentor.organization_id != member.organization_id:
            errors.append("联系人须为同一党支部的支委。")
        elif (
            not selectors.seats_active_on(member.organization, today).filter(member=mentor).exists()
        ):
            errors.append(f"{mentor.officer.name}不是本支部现任支委,不能作为联系人。")
        if member.mentor_id and member.mentor_id != mentor.pk and not replace:
            errors.append(
                f"{member.officer.name}已由{member.mentor.officer.name}联系,"
                "每名党员只能有一名联系支委;如需更换请选择“更换联系人”。"
            )
    if errors:
        raise ValidationError({"mentor": errors})
    before = {"mentor": member.mentor_id}
    member.mentor = mentor
    member.save(update_fields=["mentor", "updated_at"])
    record(
        actor=user,
        action="party.member.mentor",
        obj=member,
        unit=member.organization.unit,
        before=before,
        after={"mentor": member.mentor_id},
        summary=f"{member.officer.name} 的联系支委设为 {mentor.officer.name if mentor else '无'}",
    )
    return member


# --- dues --------------------------------------------------------------------------------------


def committee_of(organization: PartyOrganization) -> PartyOrganization | None:
    """The nearest 党委 at or above ``organization`` (it keeps the dues ledger)."""
    return (
        PartyOrganization.objects.filter(
            path__in=organization.ancestor_paths(), kind=OrgKind.COMMITTEE
        )
        .order_by("-depth")
        .first()
    )


def dues_closed_through(organization: PartyOrganization):
    from .models import DuesClosing

    committee = committee_of(organization)
    if committee is None:
        return None
    return (
        DuesClosing.objects.filter(organization=committee)
        .order_by("-month")
        .values_list("month", flat=True)
        .first()
    )


@transaction.atomic
def record_dues_payment(
    *, user, member: PartyMember, month: dt.date, amount_paid, paid_on: dt.date | None = None
):
    """Record one month's dues at the rate of the member's base; a closed month, a month too
    far ahead or a second payment for the same month is refused."""
    from decimal import Decimal

    from . import dues
    from .models import DuesPayment

    member = PartyMember.objects.select_related("organization__unit", "officer").get(pk=member.pk)
    _require(user, "party.add_duespayment", member.organization)
    today = timezone.localdate()
    month = dues.month_start(month)
    try:
        dues.check_payment(
            month,
            today=today,
            closed_through=dues_closed_through(member.organization),
            joined=member.joined_on,
        )
    except dues.DuesError as exc:
        raise ValidationError({"month": [str(exc)]}) from exc
    if DuesPayment.objects.filter(member=member, month=month).exists():
        raise ValidationError({"month": [f"{dues.format_month(month)}的党费已登记,不能重复登记。"]})
    amount_paid = Decimal(amount_paid)
    if amount_paid <= 0:
        raise ValidationError({"amount_paid": ["缴纳金额须大于0。"]})
    payment = DuesPayment.objects.create(
        member=member,
        month=month,
        base=member.dues_base,
        amount_due=dues.monthly_dues(member.dues_base, retired=member.retired),
        amount_paid=amount_paid,
        paid_on=paid_on or today,
        recorded_by=user,
    )
    record(
        actor=user,
        action="party.dues.pay",
        obj=payment,
        unit=member.organization.unit,
        after=snapshot(payment),
        summary=f"登记 {member.officer.name} {dues.format_month(month)}党费 {amount_paid} 元",
    )
    return payment


@transaction.atomic
def close_dues_month(*, user, committee: PartyOrganization, month: dt.date):
    """Close a committee's ledger through ``month``: payments for it and every month before
    it are refused from now on (the books are closed in order)."""
    from . import dues
    from .models import DuesClosing

    _require(user, "party.add_duesclosing", committee)
    if committee.kind != OrgKind.COMMITTEE:
        raise ValidationError({"organization": ["党费由党委结账。"]})
    month = dues.month_start(month)
    if month > dues.last_completed_month(timezone.localdate()):
        raise ValidationError({"month": ["只能对已结束的月份结账。"]})
    closing, created = DuesClosing.objects.get_or_create(
        organization=committee, month=month, defaults={"closed_by": user}
    )
    if created:
        record(
            actor=user,
            action="party.dues.close",
            obj=closing,
            unit=committee.unit,
            summary=f"{committee.name} {dues.format_month(month)}党费结账",
        )
    return closing


# --- study ("五学") ----------------------------------------------------------------------------


@transaction.atomic
def record_study(
    *,
    user,
    organization: PartyOrganization,
    level: str,
    held_on: dt.date,
    title: str,
    hours,
    participants: list[PartyMember],
    material: str = "",
):
    from decimal import Decimal, InvalidOperation

    from .models import StudyRecord

    _require(user, "party.add_studyrecord", organization)
    errors: dict[str, list[str]] = {}
    if held_on > timezone.localdate():
        errors["held_on"] = ["学习日期不能晚于今天。"]
    try:
        hours = Decimal(str(hours))
        if not Decimal("0.5") <= hours <= Decimal("24"):
            errors["hours"] = ["学时须在0.5到24之间。"]
    except InvalidOperation:
        errors["hours"] = ["学时须为数字。"]
    allowed = set(
        selectors.expected_members(organization, ActivityKind.THEMED_DAY, held_on).values_list(
            "pk", flat=True
        )
    )
    outsiders = [m.officer.name for m in participants if m.pk not in allowed]
    if outsiders:
        errors["participants"] = [f"以下人员不是本组织党员:{'、'.join(outsiders)}。"]
    if errors:
        raise ValidationError(errors)
    study = StudyRecord.objects.create(
        level=level,
        organization=organization,
        held_on=held_on,
        title=title.strip(),
        hours=hours,
        material=material.strip(),
    )
    study.participants.set(participants)
    record(
        actor=user,
        action="party.study.create",
        obj=study,
        unit=organization.unit,
        summary=f"{organization.name} 学习记录:{study.title}({len(participants)}人)",
    )
    return study


# --- member development (发展党员) ---------------------------------------------------------------


def case_facts(case, **changes):
    """The pure engine's view of a case, with proposed ``changes`` applied."""
    from . import development

    values = {
        "birth_date": case.officer.birth_date,
        "applied_on": case.applied_on,
        "stage": development.Stage(case.stage),
        "activist_on": case.activist_on,
        "candidate_on": case.candidate_on,
        "probationary_on": case.probationary_on,
        "full_on": case.full_on,
        "training_hours_as_candidate": case.training_hours,
        "contact_persons": case.contacts.count() if case.pk else 0,
        "political_review_done": case.political_review_done,
        "probation_extended_months": case.probation_extended_months,
    }
    values.update(changes)
    return development.CaseFacts(**values)


def _refuse(reasons, field: str = "stage") -> None:
    if reasons:
        raise ValidationError({field: [f"{r.text}(依据:{r.basis})" for r in reasons]})


@transaction.atomic
def open_development_case(*, user, officer, branch: PartyOrganization, applied_on: dt.date):
    """Record an application to join the party (入党申请)."""
    from . import development
    from .models import DevelopmentCase, DevelopmentStep

    _require(user, "party.change_partymember", branch)
    if branch.kind != OrgKind.BRANCH:
        raise ValidationError({"branch": ["入党申请由党支部受理。"]})
    if PartyMember.objects.filter(officer=officer).exists():
        raise ValidationError({"officer": [f"{officer.name}已是党员。"]})
    if (
        DevelopmentCase.objects.filter(officer=officer)
        .exclude(stage__in=[development.Stage.FULL, development.Stage.WITHDRAWN])
        .exists()
    ):
        raise ValidationError({"officer": [f"{officer.name}已在发展程序中。"]})
    if applied_on > timezone.localdate():
        raise ValidationError({"applied_on": ["申请日期不能晚于今天。"]})
    _refuse(
        development.check_application(birth_date=officer.birth_date, applied_on=applied_on),
        "applied_on",
    )
    case = DevelopmentCase.objects.create(
        officer=officer, branch=branch, stage=development.Stage.APPLICANT, applied_on=applied_on
    )
    DevelopmentStep.objects.create(
        case=case, stage=case.stage, on=applied_on, recorded_by=user, note="递交入党申请书"
    )
    record(
        actor=user,
        action="party.development.open",
        obj=case,
        unit=branch.unit,
        summary=f"{officer.name} 递交入党申请",
    )
    return case


_STAGE_DATE = {
    "activist": "activist_on",
    "candidate": "candidate_on",
    "probationary": "probationary_on",
    "full": "full_on",
}


@transaction.atomic
def advance_development(
    *,
    user,
    case,
    to: str,
    on: dt.date,
    contacts: list[PartyMember] | None = None,
    training_hours: int | None = None,
    political_review_done: bool | None = None,
    note: str = "",
):
    """Record the next step of a case. A step out of order, before its period has passed or
    with a condition missing is refused with every reason and the date it becomes possible."""
    from . import development
    from .models import DevelopmentCase, DevelopmentStep, MemberStatus

    case = (
        DevelopmentCase.objects.select_for_update()
        .select_related("officer__unit", "branch__unit")
        .get(pk=case.pk)
    )
    _require(user, "party.change_partymember", case.branch)
    if on > timezone.localdate():
        raise ValidationError({"on": ["日期不能晚于今天。"]})
    to = development.Stage(to)
    changes = {}
    if contacts is not None:
        strangers = [c.officer.name for c in contacts if c.organization_id != case.branch_id]
        if strangers:
            raise ValidationError(
                {"contacts": [f"培养联系人须为本支部党员:{'、'.join(strangers)}"]}
            )
        changes["contact_persons"] = len(contacts)
    if training_hours is not None:
        changes["training_hours_as_candidate"] = training_hours
    if political_review_done is not None:
        changes["political_review_done"] = political_review_done
    facts = case_facts(case, **changes)
    _refuse(development.check_step(facts, to, on))
    before = snapshot(case)
    if contacts is not None:
        case.contacts.set(contacts)
    if training_hours is not None:
        case.training_hours = training_hours
    if political_review_done is not None:
        case.political_review_done = political_review_done
    case.stage = to
    if to in _STAGE_DATE:
        setattr(case, _STAGE_DATE[to], on)
    case.save()
    DevelopmentStep.objects.create(case=case, stage=to, on=on, note=note, recorded_by=user)
    from tongxin.org.services import record_party_status

    if to == development.Stage.PROBATIONARY:
        PartyMember.objects.create(
            officer=case.officer,
            organization=case.branch,
            status=MemberStatus.PROBATIONARY,
            joined_on=on,
        )
        record_party_status(
            actor=user, officer=case.officer, party_status="probationary", reason="接收为预备党员"
        )
    elif to == development.Stage.FULL:
        PartyMember.objects.filter(officer=case.officer).update(
            status=MemberStatus.FULL, full_on=on
        )
        record_party_status(
            actor=user, officer=case.officer, party_status="member", reason="预备党员转正"
        )
    record(
        actor=user,
        action="party.development.step",
        obj=case,
        unit=case.branch.unit,
        before=before,
        after=snapshot(case),
        summary=f"{case.officer.name}:{to.label}({on:%Y-%m-%d})",
    )
    return case


# --- transfer of membership (组织关系转接) -------------------------------------------------------


@transaction.atomic
def issue_transfer(
    *,
    user,
    member: PartyMember,
    to_branch: PartyOrganization,
    letter_number: str,
    valid_days: int = 30,
    note: str = "",
):
    """The sending branch issues a letter; the member stays in it until the receiver accepts."""
    from .models import MembershipTransfer

    member = (
        PartyMember.objects.select_for_update()
        .select_related("organization__unit")
        .get(pk=member.pk)
    )
    _require(user, "party.change_partymember", member.organization)
    errors = {}
    if to_branch.kind != OrgKind.BRANCH:
        errors["to_branch"] = ["组织关系只能转入党支部。"]
    elif to_branch.pk == member.organization_id:
        errors["to_branch"] = ["转入支部不能与当前支部相同。"]
    if not 1 <= valid_days <= 90:
        errors["valid_days"] = ["介绍信有效期须为1至90天。"]
    if MembershipTransfer.objects.filter(member=member, status="pending").exists():
        errors["member"] = ["该党员已有尚未办结的转接,请先办结或撤销。"]
    if MembershipTransfer.objects.filter(letter_number=letter_number).exists():
        errors["letter_number"] = ["介绍信编号已存在。"]
    if errors:
        raise ValidationError(errors)
    today = timezone.localdate()
    transfer = MembershipTransfer.objects.create(
        member=member,
        from_branch=member.organization,
        to_branch=to_branch,
        letter_number=letter_number,
        issued_on=today,
        valid_until=today + dt.timedelta(days=valid_days),
        note=note,
        issued_by=user,
    )
    record(
        actor=user,
        action="party.transfer.issue",
        obj=transfer,
        unit=member.organization.unit,
        summary=f"{member.officer.name} 组织关系转往 {to_branch.name}(介绍信 {letter_number})",
    )
    return transfer


@transaction.atomic
def decide_transfer(*, user, transfer, accept: bool, note: str = ""):
    """The receiving branch accepts (the member moves) or returns the letter."""
    from .models import MembershipTransfer, TransferStatus

    transfer = (
        MembershipTransfer.objects.select_for_update()
        .select_related("member", "to_branch__unit")
        .get(pk=transfer.pk)
    )
    _require(user, "party.change_partymember", transfer.to_branch)
    if transfer.status != TransferStatus.PENDING:
        raise ValidationError("该转接已办结,不能重复办理。", code="decided")
    today = timezone.localdate()
    if accept and today > transfer.valid_until:
        raise ValidationError(
            f"介绍信已于{transfer.valid_until:%Y年%m月%d日}过期,请转出支部重新开具。",
            code="expired",
        )
    transfer.status = TransferStatus.ACCEPTED if accept else TransferStatus.REJECTED
    transfer.decided_on, transfer.decided_by, transfer.note = today, user, note or transfer.note
    transfer.save()
    if accept:
        # The member leaves the old branch wholly: its group, mentor, seats and mentees.
        PartyMember.objects.filter(pk=transfer.member_id).update(
            organization=transfer.to_branch, group=None, mentor=None
        )
        PartyMember.objects.filter(mentor_id=transfer.member_id).update(mentor=None)
        transfer.member.seats.filter(
            organization=transfer.from_branch, ended_on__isnull=True
        ).update(ended_on=today)
    record(
        actor=user,
        action="party.transfer.accept" if accept else "party.transfer.reject",
        obj=transfer,
        unit=transfer.to_branch.unit,
        summary=f"{'接收' if accept else '退回'}组织关系(介绍信 {transfer.letter_number})",
    )
    return transfer


# --- copy-paste detection of minutes -------------------------------------------------------------


def _secretary_above(organization: PartyOrganization):
    """The login of the secretary of the organisation above, if there is one."""
    from django.contrib.auth import get_user_model

    parent = organization.parent
    if parent is None:
        return []
    officer_ids = (
        selectors.seats_active_on(parent, timezone.localdate())
        .filter(post=CommitteePost.SECRETARY)
        .values("member__officer_id")
    )
    return list(get_user_model().objects.filter(officer_id__in=officer_ids, is_active=True))


@transaction.atomic
def detect_copied_minutes(*, start: dt.date, end: dt.date, threshold: float | None = None) -> int:
    """Flag records in ``[start, end]`` whose minutes nearly repeat another record's (the
    later one is flagged against the earlier); notify the secretary above. Returns the number
    of new flags. Runs for the whole province (a background job, no user)."""
    from tongxin.web.models import NotificationLevel
    from tongxin.web.services import notify

    from . import similarity
    from .models import MinutesFlag

    rows = list(
        Activity.objects.filter(held_on__range=(start, end))
        .exclude(minutes="")
        .values_list("pk", "organization_id", "minutes", "held_on")
    )
    held = {pk: (held_on, pk) for pk, _, _, held_on in rows}
    matches = similarity.find_near_duplicates(
        (similarity.Document(pk, org_id, text) for pk, org_id, text, _ in rows),
        threshold=threshold or similarity.DEFAULT_THRESHOLD,
    )
    existing = set(MinutesFlag.objects.values_list("activity_id", "similar_to_id"))
    new_flags = []
    for match in matches:
        later, earlier = sorted((match.a_id, match.b_id), key=held.__getitem__, reverse=True)
        if (later, earlier) in existing:
            continue
        new_flags.append(
            MinutesFlag(
                activity_id=later,
                similar_to_id=earlier,
                similarity=match.similarity,
                same_org=match.same_org,
            )
        )
    MinutesFlag.objects.bulk_create(new_flags)
    flagged = Activity.objects.select_related("organization__parent").in_bulk(
        [f.activity_id for f in new_flags]
    )
    for flag in new_flags:
        activity = flagged[flag.activity_id]
        notify(
            recipients=_secretary_above(activity.organization),
            title=f"会议记录疑似雷同:{activity.organization.name}",
            body=(
                f"{activity.held_on:%Y-%m-%d}“{activity.topic}”的会议记录与另一份记录"
                f"相似度 {flag.similarity:.0%},请核查。"
            ),
            link=f"/party/activities/{activity.pk}/",
            level=NotificationLevel.WARNING,
        )
    return len(new_flags)


@transaction.atomic
def review_minutes_flag(*, user, flag, note: str):
    """The secretary above records what the check found."""
    from .models import MinutesFlag

    flag = (
        MinutesFlag.objects.select_for_update()
        .select_related("activity__organization__unit")
        .get(pk=flag.pk)
    )
    _require(user, "party.change_activity", flag.activity.organization)
    if not note.strip():
        raise ValidationError({"review_note": ["请填写核查意见。"]})
    flag.reviewed_by, flag.reviewed_at, flag.review_note = user, timezone.now(), note.strip()
    flag.save()
    record(
        actor=user,
        action="party.minutes.review",
        obj=flag.activity,
        unit=flag.activity.organization.unit,
        summary=f"核查雷同会议记录:{note.strip()[:80]}",
    )
    return flag


# --- branch standardisation ---------------------------------------------------------------------


@transaction.atomic
def assess_branch(
    *, user, branch: PartyOrganization, year: int, scores: dict[int, tuple[int, str]]
):
    """Record (or redo) a branch's yearly assessment: ``scores`` maps every active checklist
    item to (percent earned, evidence). Every item needs a score and evidence."""
    from decimal import Decimal

    from .models import AssessmentScore, BranchAssessment, ChecklistItem

    _require(user, "party.change_partyorganization", branch)
    items = {i.pk: i for i in ChecklistItem.objects.filter(checklist__is_active=True)}
    errors = []
    if branch.kind != OrgKind.BRANCH:
        errors.append("规范化建设评定的对象是党支部。")
    if year > timezone.localdate().year:
        errors.append("不能评定未来年度。")
    for item_id, item in items.items():
        if item_id not in scores:
            errors.append(f"“{item.title}”未评分。")
            continue
        percent, evidence = scores[item_id]
        if not 0 <= percent <= 100:
            errors.append(f"“{item.title}”的得分率须在0到100之间。")
        if not evidence.strip():
            errors.append(f"“{item.title}”须填写佐证材料。")
    unknown = set(scores) - set(items)
    if unknown:
        errors.append("评分中含有不在清单内的项目。")
    if errors:
        raise ValidationError({"scores": errors})
    total = sum((items[i].weight * Decimal(p) / 100 for i, (p, _) in scores.items()), Decimal(0))
    assessment, _ = BranchAssessment.objects.update_or_create(
        branch=branch,
        year=year,
        defaults={"total": total, "assessed_by": user, "assessed_on": timezone.localdate()},
    )
    assessment.scores.all().delete()
    AssessmentScore.objects.bulk_create(
        AssessmentScore(assessment=assessment, item_id=i, percent=p, evidence=e.strip())
        for i, (p, e) in scores.items()
    )
    record(
        actor=user,
        action="party.standardisation.assess",
        obj=assessment,
        unit=branch.unit,
        summary=f"{branch.name} {year}年规范化建设评定:{total:.1f}分",
    )
    return assessment


@transaction.atomic
def record_observation(*, user, activity: Activity, observers: str, comments: str, score):
    """Record the quarter's on-site observation (现场观摩) of a themed party day."""
    from decimal import Decimal, InvalidOperation

    from .models import Observation

    _require(user, "party.change_partyorganization", activity.organization)
    errors: dict[str, list[str]] = {}
    if activity.kind != ActivityKind.THEMED_DAY:
        errors["activity"] = ["现场观摩的对象是主题党日。"]
    try:
        score = Decimal(str(score))
        if not 0 <= score <= 100:
            errors["score"] = ["评分须在0到100之间。"]
    except InvalidOperation:
        errors["score"] = ["评分须为数字。"]
    if not comments.strip():
        errors["comments"] = ["请填写点评意见。"]
    quarter = f"{activity.held_on.year}Q{(activity.held_on.month - 1) // 3 + 1}"
    if Observation.objects.filter(quarter=quarter).exists():
        errors.setdefault("activity", []).append(f"{quarter}已安排现场观摩,每季度一次。")
    if errors:
        raise ValidationError(errors)
    observation = Observation.objects.create(
        activity=activity,
        quarter=quarter,
        observers=observers.strip(),
        comments=comments.strip(),
        score=score,
        recorded_by=user,
    )
    record(
        actor=user,
        action="party.observation.create",
        obj=activity,
        unit=activity.organization.unit,
        summary=f"{quarter}现场观摩 {activity.organization.name}:{score}分",
    )
    return observation


# --- reminders ----------------------------------------------------------------------------------


def _active_secretaries(day: dt.date, org_ids) -> list[tuple[int, int]]:
    """(organisation id, officer id) of each sitting secretary on ``day``: one query."""
    from .models import CommitteeSeat

    return list(
        CommitteeSeat.objects.filter(
            organization_id__in=org_ids, post=CommitteePost.SECRETARY, started_on__lte=day
        )
        .filter(Q(ended_on__isnull=True) | Q(ended_on__gte=day))
        .values_list("organization_id", "member__officer_id")
    )


def send_due_reminders(*, today: dt.date, within_days: int = 7) -> int:
    """Tell each organisation's secretary (their login) which required activities of the
    current periods are still to be held and fall due within ``within_days``. Run daily by a
    scheduler; each item is reminded once."""
    from django.contrib.auth import get_user_model

    from tongxin.org.scope import WHOLE_PROVINCE
    from tongxin.web.models import Notification, NotificationLevel
    from tongxin.web.services import notify

    from . import reports

    report = reports.compliance_report(
        WHOLE_PROVINCE,
        root=None,
        start=today,
        end=today + dt.timedelta(days=within_days),
        today=today,
    )
    due = compliance.due_reminders(report.statuses, today, within_days)
    if not due:
        return 0
    secretaries = dict(_active_secretaries(today, {s.org_id for s in due}))
    logins = {
        user.officer_id: user
        for user in get_user_model().objects.filter(
            officer_id__in=secretaries.values(), is_active=True
        )
    }
    # The title names the organisation, the requirement and the due date: one reminder each.
    already = set(
        Notification.objects.filter(
            level=NotificationLevel.REMINDER, recipient__in=logins.values()
        ).values_list("recipient_id", "title")
    )
    names = {o.pk: o.name for o in report.organizations}
    sent = 0
    for status in due:
        user = logins.get(secretaries.get(status.org_id))
        if user is None:
            continue
        title = f"{names[status.org_id]}:{status.requirement.label}将于{status.due_on:%m月%d日}到期"
        if (user.pk, title) in already:
            continue
        notify(
            recipients=[user],
            title=title,
            body=compliance.explain(status),
            link=f"/party/orgs/{status.org_id}/",
            level=NotificationLevel.REMINDER,
        )
        already.add((user.pk, title))
        sent += 1
    return sent
