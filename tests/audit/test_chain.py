"""The audit chain: every kind of tampering is caught; PostgreSQL refuses UPDATE and DELETE."""

from __future__ import annotations

import itertools

import pytest
from django.db import DatabaseError, connection, transaction

from tongxin.audit import chain
from tongxin.audit.models import AuditEntry
from tongxin.audit.services import record, verify
from tongxin.cli import main as tongxin

pytestmark = pytest.mark.django_db(transaction=True)

on_postgres = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="PostgreSQL trigger; runs in CI's PostgreSQL pass"
)


@pytest.fixture
def entries(tree, admin_a):
    for i in range(6):
        record(
            actor=admin_a,
            action="test.write",
            object_type="test",
            object_id=str(i),
            unit=tree.prison_a,
            summary=f"第{i}次写入",
            before={"n": i},
            after={"n": i + 1},
        )
    return list(AuditEntry.objects.order_by("id"))


def raw(sql: str, params=()) -> None:
    """Write behind the application's back, with triggers disabled on PostgreSQL."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET session_replication_role = replica")
        cursor.execute(sql, params)
        if connection.vendor == "postgresql":
            cursor.execute("SET session_replication_role = DEFAULT")


def test_whole_chain_verifies(entries):
    result = verify()
    assert result.ok and result.entries == len(entries)


def test_links_and_digests(entries):
    assert entries[0].prev_hash == chain.GENESIS
    for previous, current in itertools.pairwise(entries):
        assert current.prev_hash == previous.hash
    assert entries[0].before_digest == chain.digest({"n": 0})
    assert entries[0].changes == {"n": [0, 1]}


def test_changed_entry_is_named(entries):
    raw("UPDATE audit_auditentry SET summary = %s WHERE id = %s", ["篡改", entries[3].pk])
    result = verify()
    assert not result.ok and result.broken.entry_id == entries[3].pk
    assert "修改" in result.broken.reason


def test_deleted_entry_is_caught_at_its_successor(entries):
    raw("DELETE FROM audit_auditentry WHERE id = %s", [entries[2].pk])
    assert verify().broken.entry_id == entries[3].pk


def test_inserted_entry_is_caught(entries):
    """A forged entry with a correct hash of its own still breaks the next link."""
    forged = {
        name: getattr(entries[2], name)
        for name in (
            "actor_id",
            "actor_name",
            "action",
            "object_type",
            "object_id",
            "object_repr",
            "unit_path",
            "unit_name",
            "before_digest",
            "after_digest",
            "changes",
        )
    }
    forged.update(
        summary="伪造",
        prev_hash=entries[2].hash,
        created_at=entries[2].created_at.isoformat(timespec="microseconds"),
    )
    forged_hash = chain.entry_hash(forged)
    # Slip it in between entries 2 and 3 by giving it a free id between them.
    raw("UPDATE audit_auditentry SET id = id + 1000 WHERE id > %s", [entries[2].pk])
    AuditEntry.objects.create(
        id=entries[2].pk + 1,
        hash=forged_hash,
        **{**forged, "created_at": entries[2].created_at},
    )
    result = verify()
    assert result.broken.entry_id == entries[3].pk + 1000


def test_reordered_entries_are_caught(entries):
    a, b = entries[1], entries[4]
    raw("UPDATE audit_auditentry SET id = -1 WHERE id = %s", [a.pk])
    raw("UPDATE audit_auditentry SET id = %s WHERE id = %s", [a.pk, b.pk])
    raw("UPDATE audit_auditentry SET id = %s WHERE id = -1", [b.pk])
    assert verify().broken.entry_id == a.pk


def test_cli_names_the_first_broken_entry(entries, capsys):
    assert tongxin(["audit", "verify"]) == 0
    assert "审计链完整" in capsys.readouterr().out
    raw("UPDATE audit_auditentry SET actor_name = %s WHERE id = %s", ["某人", entries[1].pk])
    assert tongxin(["audit", "verify"]) == 1
    assert f"#{entries[1].pk}" in capsys.readouterr().err


def test_sensitive_values_are_withheld(tree, admin_a):
    entry = record(
        actor=admin_a,
        action="test",
        before={"id_number": "A", "name": "x"},
        after={"id_number": "B", "name": "y"},
        sensitive=("id_number",),
    )
    assert entry.changes == {"id_number": ["***", "***"], "name": ["x", "y"]}


@on_postgres
def test_trigger_refuses_update(entries):
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        AuditEntry.objects.filter(pk=entries[0].pk).update(summary="改")
    assert AuditEntry.objects.get(pk=entries[0].pk).summary == "第0次写入"


@on_postgres
def test_trigger_refuses_delete(entries):
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        AuditEntry.objects.filter(pk=entries[0].pk).delete()
    assert AuditEntry.objects.count() == len(entries)
