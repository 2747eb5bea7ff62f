"""Every write to the prisoner registry and the conduct ledgers.

Each function checks permission and scope, runs in one transaction, and appends an audit entry.
Ledger rows are never updated or deleted: ``reverse_points`` / ``revoke_reward`` /
``revoke_punishment`` / ``revoke_violation`` add a row that cancels an earlier one.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Sum
from django.utils import timezone

from tongxin.audit.services import record, snapshot
from tongxin.org import scope
from tongxin.org.models import Officer

from . import conduct, selectors
from .models import (
    JobAssignment,
    PointsEntry,
    PointsKind,
    PointsSetting,
    Prisoner,
    Punishment,
    PunishmentKind,
    Reward,
    RewardKind,
    SentenceChange,
    SentenceChangeKind,
    SentenceType,
    Violation,
    ViolationSeverity,
)

DENIED = "您没有执行此操作的权限"
OUT_OF_SCOPE = "该罪犯不在您的数据范围内"
MAX_BASE_PART = Decimal(100)


def _require(user, perm: str, prisoner: Prisoner) -> None:
    if not user.has_perm(perm):
        raise PermissionDenied(DENIED)
    if not scope.can_see_unit(user, prisoner.unit):
        raise PermissionDenied(OUT_OF_SCOPE)


def _locked(prisoner: Prisoner) -> Prisoner:
    """Lock the prisoner's row: ledger writes for one prisoner are serialised, so the running
    total that awards commendations is never computed from a stale sum."""
    return Prisoner.objects.select_for_update().select_related("unit").get(pk=prisoner.pk)


def _decimal(value, field: str, errors: dict) -> Decimal | None:
    try:
        number = Decimal(str(value))
    except (InvalidOperation, TypeError, ValueError):
        errors[field] = ["须为数字。"]
        return None
    if not number.is_finite():
        errors[field] = ["须为数字。"]
        return None
    if number != number.quantize(Decimal("0.1")):
        errors[field] = ["最多保留一位小数。"]
        return None
    return number


def _first_of_month(day: dt.date) -> dt.date:
    return day.replace(day=1)


def _check_month(prisoner: Prisoner, month: dt.date, errors: dict) -> dt.date:
    month = _first_of_month(month)
    today = timezone.localdate()
    if month > _first_of_month(today):
        errors["month"] = ["不能考核未来的月份。"]
    elif month < _first_of_month(prisoner.admitted_on):
        errors["month"] = [f"该犯{prisoner.admitted_on:%Y年%m月%d日}入监,此前的月份不能考核。"]
    return month


def _officer(officer: Officer | None, prisoner: Prisoner, errors: dict) -> None:
    """The officer must serve in the prisoner's prison (the path's first segment is the
    bureau, shared by every prison: the prison is looked up, not guessed from the path)."""
    if officer is None:
        errors["officer"] = ["请选择考核民警。"]
        return
    prison = selectors.prison_of(prisoner.unit)
    root = prison.path if prison is not None else prisoner.unit.path
    if not officer.unit.path.startswith(root):
        errors["officer"] = ["考核民警须为本监狱民警。"]
    elif not officer.is_active:
        errors["officer"] = ["该民警已不在职。"]


def _check_day(prisoner: Prisoner, day: dt.date, field: str, label: str, errors: dict) -> None:
    """A conduct record's date lies between admission and today."""
    if day > timezone.localdate():
        errors[field] = [f"{label}不能晚于今天。"]
    elif day < prisoner.admitted_on:
        errors[field] = [f"{label}不能早于入监日期。"]


def _create_audited(model, *, user, prisoner: Prisoner, action: str, summary: str, **fields):
    """Write one conduct row and its audit entry (inside the caller's transaction)."""
    row = model.objects.create(prisoner=prisoner, **fields)
    record(
        actor=user,
        action=action,
        obj=row,
        unit=prisoner.unit,
        after=snapshot(row),
        summary=summary,
    )
    return row


def ledger_total(prisoner: Prisoner) -> Decimal:
    return PointsEntry.objects.filter(prisoner=prisoner).aggregate(t=Sum("points"))["t"] or Decimal(
        0
    )


def _points_commendations(prisoner: Prisoner) -> int:
    """Live commendations earned by points (neither revoked nor revocations)."""
    return Reward.objects.filter(
        prisoner=prisoner,
        kind=RewardKind.COMMENDATION,
        points_basis__isnull=False,
        reverses__isnull=True,
        reversed_by__isnull=True,
    ).count()


def _award_commendations(*, user, prisoner: Prisoner, day: dt.date) -> list[Reward]:
    """Award the commendations the ledger has earned and not yet received."""
    setting = PointsSetting.current()
    total = ledger_total(prisoner)
    awarded = _points_commendations(prisoner)
    due = conduct.commendations_due(total, awarded, setting.commendation_threshold)
    created = []
    for n in range(due):
        basis = Decimal(setting.commendation_threshold * (awarded + n + 1))
        reward = Reward.objects.create(
            prisoner=prisoner,
            kind=RewardKind.COMMENDATION,
            awarded_on=day,
            reason=f"计分考核累计达到{basis}分(每{setting.commendation_threshold}分一次表扬)",
            points_basis=basis,
            recorded_by=user if getattr(user, "pk", None) else None,
        )
        record(
            actor=user,
            action="prisoners.reward.create",
            obj=reward,
            unit=prisoner.unit,
            after=snapshot(reward),
            summary=f"{prisoner} 计分累计{basis}分,获表扬",
        )
        created.append(reward)
    return created


@transaction.atomic
def record_monthly_base(
    *,
    user,
    prisoner: Prisoner,
    month: dt.date,
    supervision,
    education,
    labour,
    officer: Officer | None,
) -> PointsEntry:
    """The month's base points in their three parts (one base line per prisoner and month)."""
    prisoner = _locked(prisoner)
    _require(user, "prisoners.add_pointsentry", prisoner)
    errors: dict[str, list[str]] = {}
    month = _check_month(prisoner, month, errors)
    parts = {}
    for field, value in (
        ("supervision", supervision),
        ("education", education),
        ("labour", labour),
    ):
        number = _decimal(value, field, errors)
        if number is not None and not 0 <= number <= MAX_BASE_PART:
            errors[field] = ["须在0到100之间。"]
        parts[field] = number
    _officer(officer, prisoner, errors)
    # Earlier base lines of the month: each must have been reversed before a new one is
    # entered; the new line takes the next revision (the constraint's guard).
    earlier = PointsEntry.objects.filter(prisoner=prisoner, month=month, kind=PointsKind.BASE)
    revision = 0
    if "month" not in errors:
        revision = earlier.count()
        if earlier.filter(reversed_by__isnull=True).exists():
            errors["month"] = [f"{month:%Y年%m月}的基础分已录入;如有错误请先冲正。"]
    if errors:
        raise ValidationError(errors)
    total = parts["supervision"] + parts["education"] + parts["labour"]
    setting = PointsSetting.current()
    if total > setting.monthly_base:
        raise ValidationError(
            {"labour": [f"三项合计{total}分,超过月基础分{setting.monthly_base}分。"]}
        )
    entry = PointsEntry.objects.create(
        prisoner=prisoner,
        month=month,
        kind=PointsKind.BASE,
        points=total,
        reason="月度基础分" if not revision else "月度基础分(冲正后重新录入)",
        revision=revision,
        officer=officer,
        recorded_by=user,
        **parts,
    )
    record(
        actor=user,
        action="prisoners.points.create",
        obj=entry,
        unit=prisoner.unit,
        after=snapshot(entry),
        summary=f"{prisoner} {month:%Y年%m月}基础分{total}",
    )
    _award_commendations(user=user, prisoner=prisoner, day=timezone.localdate())
    return entry


@transaction.atomic
def record_adjustment(
    *, user, prisoner: Prisoner, month: dt.date, points, reason: str, officer: Officer | None
) -> PointsEntry:
    """An addition (positive) or a deduction (negative) with its reason and officer."""
    prisoner = _locked(prisoner)
    _require(user, "prisoners.add_pointsentry", prisoner)
    errors: dict[str, list[str]] = {}
    month = _check_month(prisoner, month, errors)
    number = _decimal(points, "points", errors)
    if number is not None and number == 0:
        errors["points"] = ["加扣分不能为0。"]
    elif number is not None and abs(number) > 100:
        errors["points"] = ["单次加扣分不得超过100分。"]
    if not reason.strip():
        errors["reason"] = ["请填写加扣分事由。"]
    _officer(officer, prisoner, errors)
    if errors:
        raise ValidationError(errors)
    kind = PointsKind.ADDITION if number > 0 else PointsKind.DEDUCTION
    entry = PointsEntry.objects.create(
        prisoner=prisoner,
        month=month,
        kind=kind,
        points=number,
        reason=reason.strip(),
        officer=officer,
        recorded_by=user,
    )
    record(
        actor=user,
        action="prisoners.points.create",
        obj=entry,
        unit=prisoner.unit,
        after=snapshot(entry),
        summary=f"{prisoner} {month:%Y年%m月}{entry.get_kind_display()}{number:+}:{reason.strip()}",
    )
    if number > 0:
        _award_commendations(user=user, prisoner=prisoner, day=timezone.localdate())
    return entry


@transaction.atomic
def reverse_points(*, user, entry: PointsEntry, reason: str) -> PointsEntry:
    """Cancel a ledger line by its exact negative; the line itself stays as it was."""
    prisoner = _locked(entry.prisoner)
    _require(user, "prisoners.add_pointsentry", prisoner)
    entry = PointsEntry.objects.get(pk=entry.pk)
    errors: dict[str, list[str]] = {}
    if entry.kind == PointsKind.REVERSAL:
        errors["entry"] = ["冲正条目不能再冲正。"]
    elif PointsEntry.objects.filter(reverses=entry).exists():
        errors["entry"] = ["该条目已冲正。"]
    if not reason.strip():
        errors["reason"] = ["请填写冲正原因。"]
    if errors:
        raise ValidationError(errors)
    reversal = PointsEntry.objects.create(
        prisoner=prisoner,
        month=entry.month,
        kind=PointsKind.REVERSAL,
        points=-entry.points,
        reason=reason.strip(),
        officer=entry.officer,
        reverses=entry,
        recorded_by=user,
    )
    record(
        actor=user,
        action="prisoners.points.reverse",
        obj=reversal,
        unit=prisoner.unit,
        after=snapshot(reversal),
        summary=f"{prisoner} 冲正{entry}:{reason.strip()}",
    )
    if reversal.points > 0:
        # Cancelling a deduction raises the total: it may reach the next threshold.
        _award_commendations(user=user, prisoner=prisoner, day=timezone.localdate())
    return reversal


@transaction.atomic
def award(
    *,
    user,
    prisoner: Prisoner,
    kind: str,
    awarded_on: dt.date,
    reason: str,
    evidence: str = "",
    rests_on_invention: bool = False,
    officer: Officer | None,
) -> Reward:
    """A material reward or a merit. Commendations come from the points, never by hand."""
    prisoner = _locked(prisoner)
    _require(user, "prisoners.add_reward", prisoner)
    errors: dict[str, list[str]] = {}
    if kind == RewardKind.COMMENDATION:
        errors["kind"] = ["表扬由计分考核累计分自动获得,不能手工录入。"]
    elif kind not in RewardKind.values:
        errors["kind"] = ["请选择有效的奖励类别。"]
    _check_day(prisoner, awarded_on, "awarded_on", "奖励日期", errors)
    if not reason.strip():
        errors["reason"] = ["请填写奖励事由。"]
    if kind in (RewardKind.MERIT, RewardKind.MAJOR_MERIT) and not evidence.strip():
        errors["evidence"] = ["立功、重大立功须附证据材料。"]
    _officer(officer, prisoner, errors)
    if errors:
        raise ValidationError(errors)
    return _create_audited(
        Reward,
        user=user,
        prisoner=prisoner,
        action="prisoners.reward.create",
        summary=f"{prisoner} {RewardKind(kind).label}:{reason.strip()}",
        kind=kind,
        awarded_on=awarded_on,
        reason=reason.strip(),
        evidence=evidence.strip(),
        rests_on_invention=rests_on_invention,
        officer=officer,
        recorded_by=user,
    )


def _revoke(*, user, model, original, reason: str, perm: str, date_field: str, action: str):
    prisoner = _locked(original.prisoner)
    _require(user, perm, prisoner)
    original = model.objects.get(pk=original.pk)
    errors: dict[str, list[str]] = {}
    if original.reverses_id:
        errors["entry"] = ["撤销记录不能再撤销。"]
    elif model.objects.filter(reverses=original).exists():
        errors["entry"] = ["该记录已撤销。"]
    if not reason.strip():
        errors["reason"] = ["请填写撤销原因。"]
    if errors:
        raise ValidationError(errors)
    copy = {
        f.name: getattr(original, f.name)
        for f in model._meta.concrete_fields
        if f.name not in {"id", "reverses", "recorded_by", "recorded_at", "reason", "description"}
    }
    copy[date_field] = timezone.localdate()
    text_field = "description" if model is Violation else "reason"
    revocation = model.objects.create(
        **copy, reverses=original, recorded_by=user, **{text_field: reason.strip()}
    )
    record(
        actor=user,
        action=action,
        obj=revocation,
        unit=prisoner.unit,
        after=snapshot(revocation),
        summary=f"{prisoner} 撤销{original}:{reason.strip()}",
    )
    return revocation


@transaction.atomic
def revoke_reward(*, user, reward: Reward, reason: str) -> Reward:
    """Revoke a reward. A commendation earned by points stands while the ledger supports it:
    the points are the record, so the wrong points are reversed instead (revoking it by hand
    would only see it earned again by the next entry)."""
    if reward.kind == RewardKind.COMMENDATION and reward.points_basis is not None:
        prisoner = _locked(reward.prisoner)
        threshold = PointsSetting.current().commendation_threshold
        others = _points_commendations(prisoner) - 1
        if conduct.commendations_due(ledger_total(prisoner), others, threshold):
            raise ValidationError(
                {
                    "entry": [
                        "该表扬由计分累计获得,累计分仍足以支持;如计分有误,请先冲正相应计分条目。"
                    ]
                }
            )
    return _revoke(
        user=user,
        model=Reward,
        original=reward,
        reason=reason,
        perm="prisoners.add_reward",
        date_field="awarded_on",
        action="prisoners.reward.revoke",
    )


@transaction.atomic
def punish(
    *, user, prisoner: Prisoner, kind: str, decided_on: dt.date, reason: str, officer
) -> Punishment:
    prisoner = _locked(prisoner)
    _require(user, "prisoners.add_punishment", prisoner)
    errors: dict[str, list[str]] = {}
    if kind not in PunishmentKind.values:
        errors["kind"] = ["请选择有效的处罚类别。"]
    _check_day(prisoner, decided_on, "decided_on", "决定日期", errors)
    if not reason.strip():
        errors["reason"] = ["请填写处罚事由。"]
    _officer(officer, prisoner, errors)
    if errors:
        raise ValidationError(errors)
    return _create_audited(
        Punishment,
        user=user,
        prisoner=prisoner,
        action="prisoners.punishment.create",
        summary=f"{prisoner} {PunishmentKind(kind).label}:{reason.strip()}",
        kind=kind,
        decided_on=decided_on,
        reason=reason.strip(),
        officer=officer,
        recorded_by=user,
    )


@transaction.atomic
def revoke_punishment(*, user, punishment: Punishment, reason: str) -> Punishment:
    return _revoke(
        user=user,
        model=Punishment,
        original=punishment,
        reason=reason,
        perm="prisoners.add_punishment",
        date_field="decided_on",
        action="prisoners.punishment.revoke",
    )


@transaction.atomic
def record_violation(
    *, user, prisoner: Prisoner, severity: str, occurred_on: dt.date, description: str, officer
) -> Violation:
    prisoner = _locked(prisoner)
    _require(user, "prisoners.add_violation", prisoner)
    errors: dict[str, list[str]] = {}
    if severity not in ViolationSeverity.values:
        errors["severity"] = ["请选择违规性质。"]
    _check_day(prisoner, occurred_on, "occurred_on", "发生日期", errors)
    if not description.strip():
        errors["description"] = ["请填写违规情况。"]
    _officer(officer, prisoner, errors)
    if errors:
        raise ValidationError(errors)
    return _create_audited(
        Violation,
        user=user,
        prisoner=prisoner,
        action="prisoners.violation.create",
        summary=f"{prisoner} {ViolationSeverity(severity).label}:{description.strip()}",
        severity=severity,
        occurred_on=occurred_on,
        description=description.strip(),
        officer=officer,
        recorded_by=user,
    )


@transaction.atomic
def revoke_violation(*, user, violation: Violation, reason: str) -> Violation:
    return _revoke(
        user=user,
        model=Violation,
        original=violation,
        reason=reason,
        perm="prisoners.add_violation",
        date_field="occurred_on",
        action="prisoners.violation.revoke",
    )


@transaction.atomic
def assign_job(
    *, user, prisoner: Prisoner, post: str, intensity: int, started_on: dt.date, officer
) -> JobAssignment:
    prisoner = _locked(prisoner)
    _require(user, "prisoners.add_jobassignment", prisoner)
    errors: dict[str, list[str]] = {}
    if not post.strip():
        errors["post"] = ["请填写劳动岗位。"]
    if intensity not in JobAssignment.Intensity.values:
        errors["intensity"] = ["请选择劳动强度。"]
    _check_day(prisoner, started_on, "started_on", "起始日期", errors)
    latest = prisoner.jobs.order_by("-started_on").first()
    if latest and started_on < latest.started_on:
        errors["started_on"] = [f"起始日期不能早于现岗位的起始日期{latest.started_on}。"]
    if officer is not None:
        _officer(officer, prisoner, errors)
    if errors:
        raise ValidationError(errors)
    return _create_audited(
        JobAssignment,
        user=user,
        prisoner=prisoner,
        action="prisoners.job.assign",
        summary=(
            f"{prisoner} 调整劳动岗位为{post.strip()}({JobAssignment.Intensity(intensity).label})"
        ),
        post=post.strip(),
        intensity=intensity,
        started_on=started_on,
        assigned_by=officer,
    )


def record_sentence_change(
    *,
    user,
    prisoner: Prisoner,
    kind: str,
    ruling_date: dt.date,
    months: int = 0,
    to_years: int | None = None,
    court: str = "",
    ruling_number: str = "",
    case_id: int | None = None,
) -> SentenceChange:
    """A court ruling that changes the sentence. Called inside the sentencing workflow's
    transaction (the ruling of a case); the caller has checked permission and the law."""
    if kind not in SentenceChangeKind.values:
        raise ValidationError({"kind": ["无效的刑期变动类别。"]})
    if kind == SentenceChangeKind.REDUCTION and months <= 0:
        raise ValidationError({"months": ["减刑幅度须大于0。"]})
    if kind == SentenceChangeKind.COMMUTATION and prisoner.sentence_type == SentenceType.FIXED_TERM:
        raise ValidationError({"kind": ["有期徒刑只能减刑,不能减为其他刑种。"]})
    change = SentenceChange.objects.create(
        prisoner=prisoner,
        kind=kind,
        ruling_date=ruling_date,
        months=months,
        to_years=to_years,
        court=court,
        ruling_number=ruling_number,
        case_id=case_id,
        recorded_by=user if getattr(user, "pk", None) else None,
    )
    record(
        actor=user,
        action="prisoners.sentence.change",
        obj=change,
        unit=prisoner.unit,
        after=snapshot(change),
        summary=f"{prisoner} {change}",
    )
    return change
