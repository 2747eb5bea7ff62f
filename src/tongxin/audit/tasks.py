"""Background verification of the audit chain (run nightly by a scheduler, or on demand)."""

from __future__ import annotations

from celery import shared_task
from django.contrib.auth import get_user_model
from django.db.models import Q

from tongxin.web.models import NotificationLevel
from tongxin.web.services import notify

from .services import verify


def chain_guardians():
    """Users who may read the whole log: superusers, and holders of the audit permission whose
    scope includes a root of the unit tree."""
    User = get_user_model()
    holds = Q(groups__permissions__codename="view_auditentry") | Q(
        user_permissions__codename="view_auditentry"
    )
    return (
        User.objects.filter(is_active=True)
        .filter(Q(is_superuser=True) | (holds & Q(scope_units__parent__isnull=True)))
        .distinct()
    )


@shared_task(name="audit.verify_chain")
def verify_chain() -> dict:
    """Recompute the chain; when it is broken, warn everyone responsible for the whole log."""
    result = verify()
    if not result.ok:
        notify(
            recipients=chain_guardians(),
            title=f"审计链校验失败:记录 #{result.broken.entry_id} 异常",
            body=f"{result.broken.reason}。请立即核查数据库访问记录。",
            link="/audit/",
            level=NotificationLevel.WARNING,
        )
    return {
        "entries": result.entries,
        "broken_entry": result.broken.entry_id if result.broken else None,
    }
