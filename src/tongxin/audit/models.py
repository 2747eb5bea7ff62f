"""The append-only, hash-chained audit log."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class AuditEntry(models.Model):
    """One write of consequence. Never updated or deleted (a trigger enforces it on PostgreSQL).

    ``hash`` covers every other column but ``id`` and ``prev_hash`` is the previous entry's
    ``hash``, so a changed, removed, inserted or reordered entry breaks the chain.
    Foreign keys carry no database constraint: deleting a user or unit must never touch the log.
    """

    created_at = models.DateTimeField(_("时间"), db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("操作人"),
        null=True,
        blank=True,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="+",
    )
    actor_name = models.CharField(_("操作人姓名"), max_length=150, blank=True)
    action = models.CharField(_("操作"), max_length=64, db_index=True)
    object_type = models.CharField(_("对象类型"), max_length=100, blank=True)
    object_id = models.CharField(_("对象编号"), max_length=64, blank=True)
    object_repr = models.CharField(_("对象"), max_length=200, blank=True)
    unit_path = models.CharField(_("所属单位路径"), max_length=255, blank=True)
    unit_name = models.CharField(_("所属单位"), max_length=100, blank=True)
    summary = models.CharField(_("摘要"), max_length=500, blank=True)
    before_digest = models.CharField(_("变更前摘要值"), max_length=64, blank=True)
    after_digest = models.CharField(_("变更后摘要值"), max_length=64, blank=True)
    changes = models.JSONField(_("变更字段"), default=dict, blank=True)
    prev_hash = models.CharField(_("前一条哈希"), max_length=64)
    hash = models.CharField(_("哈希"), max_length=64, unique=True)

    class Meta:
        verbose_name = _("审计记录")
        verbose_name_plural = _("审计记录")
        ordering = ["-id"]
        indexes = [
            models.Index(
                fields=["unit_path"], name="audit_unit_path", opclasses=["varchar_pattern_ops"]
            ),
            models.Index(fields=["object_type", "object_id"], name="audit_object"),
        ]
        default_permissions = ("view",)

    def __str__(self) -> str:
        return f"#{self.pk} {self.action} {self.object_repr}"
