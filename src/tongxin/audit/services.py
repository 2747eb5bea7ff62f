"""Writing and verifying the audit chain. Every service that writes calls ``record``."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import connection, models, transaction
from django.utils import timezone

from . import chain
from .models import AuditEntry

# Any constant will do: it names the lock that serialises appends on PostgreSQL.
_CHAIN_LOCK_KEY = 0x7458_6175  # "tXau"


def _plain(value: Any) -> Any:
    if isinstance(value, dt.datetime | dt.date | dt.time | Decimal):
        return value.isoformat() if not isinstance(value, Decimal) else str(value)
    if isinstance(value, models.Model):
        return value.pk
    return value


def snapshot(obj: models.Model, fields: list[str] | None = None) -> dict[str, Any]:
    """The concrete field values of ``obj`` as plain JSON values (FKs by id)."""
    data = {}
    for field in obj._meta.concrete_fields:
        if fields is not None and field.name not in fields:
            continue
        data[field.attname] = _plain(getattr(obj, field.attname))
    return data


def _changed(before: dict | None, after: dict | None) -> dict[str, list]:
    if before is None or after is None:
        return {}
    return {
        key: [before.get(key), after.get(key)]
        for key in sorted(set(before) | set(after))
        if before.get(key) != after.get(key)
    }


def record(
    *,
    actor,
    action: str,
    obj: models.Model | None = None,
    object_type: str = "",
    object_id: str = "",
    object_repr: str = "",
    unit=None,
    before: dict | None = None,
    after: dict | None = None,
    summary: str = "",
    sensitive: tuple[str, ...] = (),
) -> AuditEntry:
    """Append one entry to the chain inside the caller's transaction.

    ``before``/``after`` are stored only as digests; the names of the changed fields and their
    values (except ``sensitive`` ones, whose values are withheld) go into ``changes``.
    """
    if obj is not None:
        object_type = object_type or obj._meta.label_lower
        object_id = object_id or str(obj.pk)
        object_repr = object_repr or str(obj)[:200]
    changes = _changed(before, after)
    for key in sensitive:
        if key in changes:
            changes[key] = ["***", "***"]
    user = actor if getattr(actor, "is_authenticated", False) else None
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_CHAIN_LOCK_KEY])
        last = AuditEntry.objects.order_by("-id").values_list("hash", flat=True).first()
        fields = {
            "created_at": timezone.now().isoformat(timespec="microseconds"),
            "actor_id": user.pk if user else None,
            "actor_name": str(user)[:150] if user else "系统",
            "action": action,
            "object_type": object_type,
            "object_id": object_id,
            "object_repr": object_repr,
            "unit_path": unit.path if unit is not None else "",
            "unit_name": unit.name if unit is not None else "",
            "summary": summary[:500],
            "before_digest": chain.digest(before),
            "after_digest": chain.digest(after),
            "changes": changes,
            "prev_hash": last or chain.GENESIS,
        }
        fields["hash"] = chain.entry_hash(fields)
        created_at = dt.datetime.fromisoformat(fields.pop("created_at"))
        return AuditEntry.objects.create(created_at=created_at, **fields)


@dataclass(frozen=True)
class VerifyResult:
    entries: int
    broken: chain.Break | None

    @property
    def ok(self) -> bool:
        return self.broken is None


def _rows():
    columns = ["id", "hash", *chain.HASHED_FIELDS]
    for row in AuditEntry.objects.order_by("id").values(*columns).iterator(chunk_size=5000):
        row["created_at"] = row["created_at"].astimezone(dt.UTC).isoformat(timespec="microseconds")
        yield row


def verify() -> VerifyResult:
    """Recompute the whole chain; name the first broken entry."""
    broken, count = chain.first_break(_rows())
    return VerifyResult(entries=count, broken=broken)
