"""Writes behind the configuration pages: the bureau's organisational-life requirements and
activity attachments. Each checks permission (and scope) itself, runs in a transaction and
is audited, like every service in ``services``."""

from __future__ import annotations

import os

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from tongxin.audit.services import record, snapshot
from tongxin.org import scope

from . import compliance
from .models import Activity, ActivityAttachment, RequirementSetting

RULES_PERM = "party.manage_party_rules"
RULES_DENIED = "您没有配置组织生活要求的权限"

MAX_ATTACHMENT_BYTES = 10 * 1024 * 1024
ATTACHMENT_EXTENSIONS = ("pdf", "doc", "docx", "xls", "xlsx", "jpg", "jpeg", "png")

_REQUIREMENT_FIELDS = ["frequency", "minimum", "is_active"]


def _require_rules(user) -> None:
    """The requirements bind the whole province: only a user whose scope is the bureau's whole
    tree may change them, whatever role a prison-level user has been given."""
    if not user.has_perm(RULES_PERM):
        raise PermissionDenied(RULES_DENIED)
    if not scope.covers_bureau(user):
        raise PermissionDenied("组织生活要求由省局统一配置,您的数据范围不是全省")


@transaction.atomic
def initialise_requirements(*, user) -> list[RequirementSetting]:
    """Write the rules' defaults (``compliance.DEFAULT_REQUIREMENTS``) into an empty table."""
    _require_rules(user)
    if RequirementSetting.objects.exists():
        raise ValidationError("组织生活要求已配置,无需再次初始化。")
    created = []
    for req in compliance.DEFAULT_REQUIREMENTS:
        setting = RequirementSetting.objects.create(
            kind=str(req.kind),
            org_kind=str(req.org_kind),
            frequency=str(req.frequency),
            minimum=req.minimum,
            needs_committee=req.needs_committee,
            by_secretary=req.by_secretary,
            basis=req.basis,
            is_active=True,
        )
        record(
            actor=user,
            action="party.requirement.update",
            obj=setting,
            after=snapshot(setting),
            summary=f"按制度默认值初始化组织生活要求:{setting}",
        )
        created.append(setting)
    return created


@transaction.atomic
def update_requirement(
    *, user, setting: RequirementSetting, frequency: str, minimum, is_active: bool
) -> RequirementSetting:
    _require_rules(user)
    errors: dict[str, list[str]] = {}
    if frequency not in {f.value for f in compliance.Frequency}:
        errors["frequency"] = ["请选择有效的频次。"]
    try:
        minimum = int(minimum)
    except (TypeError, ValueError):
        errors["minimum"] = ["每期至少次数须为整数。"]
    else:
        if minimum < 1:
            errors["minimum"] = ["每期至少次数须不小于1。"]
    if errors:
        raise ValidationError(errors)
    setting = RequirementSetting.objects.select_for_update().get(pk=setting.pk)
    before = snapshot(setting, _REQUIREMENT_FIELDS)
    setting.frequency = frequency
    setting.minimum = minimum
    setting.is_active = bool(is_active)
    setting.save(update_fields=_REQUIREMENT_FIELDS)
    record(
        actor=user,
        action="party.requirement.update",
        obj=setting,
        before=before,
        after=snapshot(setting, _REQUIREMENT_FIELDS),
        summary=(
            f"修改组织生活要求:{setting},每期至少{setting.minimum}次"
            f"{'' if setting.is_active else '(停用)'}"
        ),
    )
    return setting


def _extension(name: str) -> str:
    return os.path.splitext(name)[1].lower().lstrip(".")


@transaction.atomic
def add_attachment(*, user, activity: Activity, upload) -> ActivityAttachment:
    """Attach an uploaded file (≤ 10 MB, office documents, PDF or pictures) to an activity."""
    if not user.has_perm("party.change_activity"):
        raise PermissionDenied("您没有上传活动附件的权限")
    if not scope.can_see_unit(user, activity.organization.unit):
        raise PermissionDenied("该党组织不在您的数据范围内")
    name = os.path.basename(getattr(upload, "name", "") or "")[:200]
    errors: list[str] = []
    if not name:
        errors.append("请选择要上传的文件。")
    elif _extension(name) not in ATTACHMENT_EXTENSIONS:
        errors.append("仅允许上传 " + "、".join(ATTACHMENT_EXTENSIONS) + " 格式的文件。")
    if upload is not None and upload.size > MAX_ATTACHMENT_BYTES:
        errors.append("文件不得超过10MB。")
    elif upload is not None and upload.size == 0:
        errors.append("文件为空。")
    if errors:
        raise ValidationError({"file": errors})
    attachment = ActivityAttachment(activity=activity, name=name, uploaded_by=user)
    attachment.file.save(name, upload, save=False)
    # The file is on disk before the row is written: if the row or its audit entry fails, the
    # transaction rolls back and the file must not stay behind as an orphan.
    stored = attachment.file.name
    storage = attachment.file.storage
    try:
        attachment.save()
        record(
            actor=user,
            action="party.attachment.create",
            obj=attachment,
            unit=activity.organization.unit,
            after=snapshot(attachment),
            summary=f"上传附件 {name}:{activity.organization.name} {activity.topic}",
        )
    except BaseException:
        storage.delete(stored)
        raise
    return attachment
