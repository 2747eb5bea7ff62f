"""Notifications and the user's own account changes."""

from __future__ import annotations

from collections.abc import Iterable

from django.contrib.auth.password_validation import validate_password
from django.db import transaction
from django.utils import timezone

from tongxin.audit.services import record

from .models import Notification, NotificationLevel


def notify(
    *,
    recipients: Iterable,
    title: str,
    body: str = "",
    link: str = "",
    level: str = NotificationLevel.INFO,
) -> list[Notification]:
    return Notification.objects.bulk_create(
        Notification(recipient=user, title=title, body=body, link=link, level=level)
        for user in recipients
    )


def mark_read(*, user, notification_ids: Iterable[int] | None = None) -> int:
    """Mark the user's notifications read (all unread ones when no ids are given)."""
    qs = Notification.objects.filter(recipient=user, read_at__isnull=True)
    if notification_ids is not None:
        qs = qs.filter(pk__in=list(notification_ids))
    return qs.update(read_at=timezone.now())


@transaction.atomic
def change_own_password(*, user, new_password: str) -> None:
    validate_password(new_password, user)
    user.set_password(new_password)
    user.must_change_password = False
    user.save(update_fields=["password", "must_change_password"])
    record(actor=user, action="auth.password.change", obj=user, summary="修改本人密码")
