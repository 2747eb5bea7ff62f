"""Reading the audit log within the user's scope.

An entry belongs to the unit it was written for (``unit_path``); entries tied to no unit
(sign-ins, seeding, bureau-wide settings) are visible only to users who see everything.
"""

from __future__ import annotations

import datetime as dt

from django.db.models import Q, QuerySet

from tongxin.org import scope

from .models import AuditEntry


def entries_for(
    user,
    *,
    q: str = "",
    action: str = "",
    actor: str = "",
    object_type: str = "",
    date_from: dt.date | None = None,
    date_to: dt.date | None = None,
) -> QuerySet[AuditEntry]:
    qs = scope.scoped(AuditEntry.objects.all(), user, "unit_path")
    if q:
        qs = qs.filter(
            Q(summary__icontains=q) | Q(object_repr__icontains=q) | Q(unit_name__icontains=q)
        )
    if action:
        qs = qs.filter(action__startswith=action)
    if actor:
        qs = qs.filter(actor_name__icontains=actor)
    if object_type:
        qs = qs.filter(object_type=object_type)
    if date_from:
        qs = qs.filter(created_at__date__gte=date_from)
    if date_to:
        qs = qs.filter(created_at__date__lte=date_to)
    return qs.order_by("-id")


def object_history(user, obj) -> QuerySet[AuditEntry]:
    return entries_for(user).filter(object_type=obj._meta.label_lower, object_id=str(obj.pk))
