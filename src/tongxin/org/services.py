"""Every write to units and officers: scoped, validated, in one transaction, audited."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

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
    unit.rehang(new_parent)
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


def _user_state(target) -> dict:
    return {
        "username": target.username,
        "is_active": target.is_active,
        "groups": sorted(target.groups.values_list("name", flat=True)),
        "scope_units": sorted(target.scope_units.values_list("code", flat=True)),
        "officer": target.officer_id,
    }


@transaction.atomic
def save_user_access(
    *,
    user,
    target=None,
    username: str,
    officer: Officer | None,
    groups,
    scope_units,
    is_active: bool = True,
    initial_password: str = "",
):
    """Create a login or change one's roles, data scope and link; only provincial
    administrators may (``org.change_user``), and only within their own scope."""
    from django.contrib.auth import get_user_model
    from django.contrib.auth.password_validation import validate_password

    _require(user, "org.change_user")
    for unit in scope_units:
        _require_unit_in_scope(user, unit, what=f"数据范围 {unit.name} ")
    if officer is not None:
        _require_unit_in_scope(user, officer.unit, what="所关联民警")
    User = get_user_model()
    creating = target is None
    if creating:
        if not initial_password:
            raise ValidationError({"initial_password": "新建账号须设置初始密码"})
        target = User(username=username, must_change_password=True)
        validate_password(initial_password, target)
        target.set_password(initial_password)
        before = None
    else:
        target = User.objects.select_for_update().get(pk=target.pk)
        before = _user_state(target)
        if target.pk == user.pk and not is_active:
            raise ValidationError({"is_active": "不能停用自己的账号"})
    target.username, target.officer, target.is_active = username, officer, is_active
    target.full_clean(exclude=["password"])
    target.save()
    target.groups.set(groups)
    target.scope_units.set(scope_units)
    scope.forget(target)
    record(
        actor=user,
        action="org.user.create" if creating else "org.user.update",
        obj=target,
        before=before,
        after=_user_state(target),
        summary=f"{'新建' if creating else '修改'}账号 {target.username} 的角色与数据范围",
    )
    return target


def record_party_status(*, actor, officer: Officer, party_status: str, reason: str) -> None:
    """Called by the party services when admission or full membership is recorded: they have
    checked the permission; this keeps the officer's record in step and audits it."""
    before = {"party_status": officer.party_status}
    Officer.objects.filter(pk=officer.pk).update(party_status=party_status)
    officer.party_status = party_status
    record(
        actor=actor,
        action="org.officer.party_status",
        obj=officer,
        unit=officer.unit,
        before=before,
        after={"party_status": party_status},
        summary=f"{officer.name} 政治面貌变更:{reason}",
    )
