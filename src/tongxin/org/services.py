"""Every write to units and officers: scoped, validated, in one transaction, audited."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F, Value
from django.db.models.functions import Concat, Length, Substr

from tongxin.audit.services import record, snapshot

from . import scope
from .models import Officer, Unit

OFFICER_SENSITIVE = ("id_number", "phone")


def _require(user, perm: str) -> None:
    if not user.has_perm(perm):
        raise PermissionDenied("您没有执行此操作的权限")


def _require_unit_in_scope(user, unit: Unit | None, *, what: str = "该单位") -> None:
    if not scope.can_see_unit(user, unit):
        raise PermissionDenied(f"{what}不在您的数据范围内")


@transaction.atomic
def create_unit(
    *,
    user,
    code: str,
    name: str,
    kind: str,
    parent: Unit | None,
    short_name: str = "",
    sort_order: int = 0,
) -> Unit:
    _require(user, "org.add_unit")
    _require_unit_in_scope(user, parent, what="上级单位")
    unit = Unit(
        code=code, name=name, kind=kind, parent=parent, short_name=short_name, sort_order=sort_order
    )
    unit.full_clean(exclude=["path"])
    unit.save()
    record(
        actor=user,
        action="org.unit.create",
        obj=unit,
        unit=unit,
        after=snapshot(unit),
        summary=f"新建单位 {unit.name}",
    )
    return unit


@transaction.atomic
def update_unit(*, user, unit: Unit, **changes) -> Unit:
    """Change a unit's own fields (not its place in the tree: see ``move_unit``)."""
    _require(user, "org.change_unit")
    unit = Unit.objects.select_for_update().get(pk=unit.pk)
    _require_unit_in_scope(user, unit)
    before = snapshot(unit)
    for field in ("code", "name", "short_name", "kind", "sort_order", "is_active"):
        if field in changes:
            setattr(unit, field, changes[field])
    unit.full_clean(exclude=["path", "parent"])
    unit.save()
    record(
        actor=user,
        action="org.unit.update",
        obj=unit,
        unit=unit,
        before=before,
        after=snapshot(unit),
        summary=f"修改单位 {unit.name}",
    )
    return unit


@transaction.atomic
def move_unit(*, user, unit: Unit, new_parent: Unit) -> Unit:
    """Re-hang a subtree: every descendant's path is rewritten in one UPDATE."""
    _require(user, "org.change_unit")
    unit = Unit.objects.select_for_update().get(pk=unit.pk)
    _require_unit_in_scope(user, unit)
    _require_unit_in_scope(user, new_parent, what="新的上级单位")
    if new_parent.is_under(unit):
        raise ValidationError({"parent": "不能把单位移到它自己或它的下级单位之下"})
    before = snapshot(unit)
    old_path, depth_shift = unit.path, new_parent.depth + 1 - unit.depth
    unit.parent = new_parent
    unit.save()
    Unit.objects.filter(path__startswith=old_path).exclude(pk=unit.pk).update(
        path=Concat(Value(unit.path), Substr("path", Length(Value(old_path)) + 1)),
        depth=F("depth") + depth_shift,
    )
    record(
        actor=user,
        action="org.unit.move",
        obj=unit,
        unit=unit,
        before=before,
        after=snapshot(unit),
        summary=f"调整单位 {unit.name} 的上级为 {new_parent.name}",
    )
    return unit


OFFICER_FIELDS = (
    "police_number",
    "name",
    "gender",
    "id_number",
    "birth_date",
    "unit",
    "post",
    "rank",
    "phone",
    "home_region",
    "spouse_work_region",
    "party_status",
    "joined_on",
    "is_active",
)


@transaction.atomic
def create_officer(*, user, **fields) -> Officer:
    _require(user, "org.add_officer")
    _require_unit_in_scope(user, fields.get("unit"), what="所在单位")
    officer = Officer(**{k: v for k, v in fields.items() if k in OFFICER_FIELDS})
    officer.full_clean()
    officer.save()
    record(
        actor=user,
        action="org.officer.create",
        obj=officer,
        unit=officer.unit,
        after=snapshot(officer),
        sensitive=OFFICER_SENSITIVE,
        summary=f"新增民警 {officer.name}",
    )
    return officer


@transaction.atomic
def update_officer(*, user, officer: Officer, expected_updated_at=None, **fields) -> Officer:
    """Change an officer; ``expected_updated_at`` detects an edit made meanwhile by someone else."""
    _require(user, "org.change_officer")
    current = Officer.objects.select_for_update().select_related("unit").get(pk=officer.pk)
    _require_unit_in_scope(user, current.unit)
    if expected_updated_at is not None and current.updated_at != expected_updated_at:
        raise ValidationError("该民警信息已被他人修改,请刷新后重试。", code="stale")
    if "unit" in fields:
        _require_unit_in_scope(user, fields["unit"], what="新的所在单位")
    before = snapshot(current)
    for key, value in fields.items():
        if key in OFFICER_FIELDS:
            setattr(current, key, value)
    current.full_clean()
    current.save()
    record(
        actor=user,
        action="org.officer.update",
        obj=current,
        unit=current.unit,
        before=before,
        after=snapshot(current),
        sensitive=OFFICER_SENSITIVE,
        summary=f"修改民警 {current.name}",
    )
    return current
