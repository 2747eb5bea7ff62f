"""Writes of the rule table's versions: the province tightens a number of the national rule
from a date on. The law's numbers themselves live in ``rules.py``; a version stores only the
whole table as JSON, checked by ``RuleSet.with_overrides`` (which refuses any loosening)."""

from __future__ import annotations

import dataclasses
import datetime as dt

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from tongxin.audit.services import record
from tongxin.org import scope

from .models import RuleSetVersion
from .rules import DEFAULT_RULESET, RuleSet

PERM = "sentencing.manage_rules"


def scalar_numbers(ruleset: RuleSet = DEFAULT_RULESET) -> list[tuple[str, str, int]]:
    """(name, Chinese label, value) of every single-number rule, in the table's order."""
    return [
        (spec.name, spec.metadata["label"], getattr(ruleset, spec.name))
        for spec in dataclasses.fields(ruleset)
        if "stricter" in spec.metadata and not spec.metadata.get("per_merit")
    ]


@transaction.atomic
def create_version(
    *, user, version: str, effective_from: dt.date, numbers: dict[str, int], note: str = ""
) -> RuleSetVersion:
    """A new version: the national rule with ``numbers`` tightened, in force from
    ``effective_from``. A looser number is refused with the name of the number."""
    if not user.has_perm(PERM):
        raise PermissionDenied("您没有配置规则版本的权限")
    if not scope.covers_bureau(user):
        raise PermissionDenied("规则版本由省局统一配置,您的数据范围不是全省")
    errors: dict[str, list[str]] = {}
    version = version.strip()
    if not version:
        errors["version"] = ["请填写版本名称。"]
    elif RuleSetVersion.objects.filter(version=version).exists():
        errors["version"] = ["该版本名称已存在。"]
    changed = {
        name: value
        for name, value in numbers.items()
        if value is not None and value != getattr(DEFAULT_RULESET, name, value)
    }
    if not changed:
        errors.setdefault("__all__", []).append("与全国规则相比没有收紧任何数值,无需新建版本。")
    if errors:
        raise ValidationError(errors)
    try:
        ruleset = DEFAULT_RULESET.with_overrides(
            version=version, effective_from=effective_from, **changed
        )
    except ValueError as error:
        # "name（label）：message": the number's name leads, so the error lands on its field.
        head, _, message = str(error).partition("：")
        name = head.partition("（")[0]
        field = name if name in numbers else "__all__"
        raise ValidationError({field: [message or str(error)]}) from None
    row = RuleSetVersion.objects.create(
        version=version,
        effective_from=effective_from,
        numbers=ruleset.to_dict(),
        note=note.strip(),
        created_by=user,
    )
    labels = {name: label for name, label, _ in scalar_numbers()}
    record(
        actor=user,
        action="sentencing.ruleset.create",
        obj=row,
        summary=f"新建规则版本 {version}({effective_from}起):"
        + ";".join(
            f"{labels.get(n, n)} {getattr(DEFAULT_RULESET, n)}→{v}" for n, v in changed.items()
        ),
    )
    return row


@transaction.atomic
def set_active(*, user, row: RuleSetVersion, active: bool) -> RuleSetVersion:
    if not user.has_perm(PERM):
        raise PermissionDenied("您没有配置规则版本的权限")
    if not scope.covers_bureau(user):
        raise PermissionDenied("规则版本由省局统一配置,您的数据范围不是全省")
    row = RuleSetVersion.objects.select_for_update().get(pk=row.pk)
    row.is_active = active
    row.save(update_fields=["is_active"])
    record(
        actor=user,
        action="sentencing.ruleset.activate" if active else "sentencing.ruleset.deactivate",
        obj=row,
        summary=f"{'启用' if active else '停用'}规则版本 {row.version}",
    )
    return row
