"""Pure hashing of audit entries: canonical JSON, SHA-256, chain verification."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

GENESIS = "0" * 64

# The columns an entry's hash covers, in order. ``id`` is excluded: order is proven by links.
HASHED_FIELDS = (
    "created_at",
    "actor_id",
    "actor_name",
    "action",
    "object_type",
    "object_id",
    "object_repr",
    "unit_path",
    "unit_name",
    "summary",
    "before_digest",
    "after_digest",
    "changes",
    "prev_hash",
)


def canonical(value: Any) -> str:
    return json.dumps(value, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str)


def digest(state: Mapping[str, Any] | None) -> str:
    """SHA-256 of an object's state; empty when there is no state (created or deleted)."""
    if state is None:
        return ""
    return hashlib.sha256(canonical(state).encode()).hexdigest()


def entry_hash(fields: Mapping[str, Any]) -> str:
    payload = [fields[name] for name in HASHED_FIELDS]
    return hashlib.sha256(canonical(payload).encode()).hexdigest()


@dataclass(frozen=True)
class Break:
    entry_id: int
    reason: str


def first_break(rows: Iterable[Mapping[str, Any]]) -> tuple[Break | None, int]:
    """Walk rows in id order; return the first broken entry (or None) and how many were read."""
    previous = GENESIS
    count = 0
    for row in rows:
        count += 1
        if row["prev_hash"] != previous:
            return Break(row["id"], "前一条哈希不符:之前的记录被删除、插入或调换了顺序"), count
        if entry_hash(row) != row["hash"]:
            return Break(row["id"], "内容与哈希不符:该记录被修改"), count
        previous = row["hash"]
    return None, count
