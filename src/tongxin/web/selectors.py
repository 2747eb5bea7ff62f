from __future__ import annotations

from django.db.models import QuerySet

from .models import Notification


def notifications_for(user, *, unread_only: bool = False) -> QuerySet[Notification]:
    qs = Notification.objects.filter(recipient=user)
    if unread_only:
        qs = qs.filter(read_at__isnull=True)
    return qs


def unread_count(user) -> int:
    return notifications_for(user, unread_only=True).count()
