"""Org services: scope and permission checks, audit entries, subtree moves, stale edits."""

from __future__ import annotations

import datetime as dt
import threading

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection

from tests.conftest import make_user
from tongxin.audit.models import AuditEntry
from tongxin.org import idcard, services
from tongxin.org.models import Officer, Unit

pytestmark = pytest.mark.django_db


def test_create_unit_is_audited_and_placed(admin_a, tree):
    unit = services.create_unit(
        user=admin_a, code="P01D03", name="三监区", kind="district", parent=tree.prison_a
    )
    assert unit.path == tree.prison_a.path + f"{unit.pk:07d}/" and unit.depth == 2
    entry = AuditEntry.objects.get(action="org.unit.create")
    assert entry.unit_path == unit.path and entry.actor_id == admin_a.pk


def test_create_unit_outside_scope_is_refused(admin_a, tree):
    with pytest.raises(PermissionDenied):
        services.create_unit(
            user=admin_a, code="P07D09", name="九监区", kind="district", parent=tree.prison_b
        )
    assert not Unit.objects.filter(code="P07D09").exists()


def test_move_unit_rewrites_the_whole_subtree(province_admin, tree):
    sub = Unit.objects.create(
        code="S1", name="一分监区", kind="subdistrict", parent=tree.district_a1
    )
    services.move_unit(user=province_admin, unit=tree.district_a1, new_parent=tree.prison_b)
    sub.refresh_from_db()
    tree.district_a1.refresh_from_db()
    assert sub.path.startswith(tree.prison_b.path) and sub.depth == 3
    assert set(Unit.objects.under(tree.prison_b).values_list("code", flat=True)) == {
        "P07",
        "P07D01",
        "P01D01",
        "S1",
    }
    assert set(Unit.objects.under(tree.prison_a).values_list("code", flat=True)) == {
        "P01",
        "P01D02",
    }


def test_move_under_own_descendant_is_refused(province_admin, tree):
    with pytest.raises(ValidationError):
        services.move_unit(user=province_admin, unit=tree.prison_a, new_parent=tree.district_a1)


def officer_fields(tree, **extra):
    fields = {
        "police_number": "4288888",
        "name": "钱进",
        "gender": "M",
        "id_number": idcard.make("420106", dt.date(1990, 2, 3), 11),
        "unit": tree.district_a1,
    }
    fields.update(extra)
    return fields


def test_create_officer_derives_birth_date_and_audits_without_id(admin_a, tree):
    officer = services.create_officer(user=admin_a, **officer_fields(tree))
    assert officer.birth_date == dt.date(1990, 2, 3)
    entry = AuditEntry.objects.get(action="org.officer.create")
    assert entry.changes == {}  # a creation stores digests only
    assert officer.id_number not in str(entry.changes) + entry.summary


@pytest.mark.parametrize(
    ("extra", "field"),
    [({"gender": "F"}, "gender"), ({"id_number": "420106199002030118"}, "id_number")],
)
def test_create_officer_refuses_bad_input(admin_a, tree, extra, field):
    with pytest.raises(ValidationError) as error:
        services.create_officer(user=admin_a, **officer_fields(tree, **extra))
    assert field in error.value.message_dict
    assert not Officer.objects.filter(police_number="4288888").exists()
    assert not AuditEntry.objects.exists()


def test_update_officer_masks_sensitive_changes(admin_a, officers):
    officer = officers["a1"]
    services.update_officer(user=admin_a, officer=officer, phone="13912345678", post="副监区长")
    entry = AuditEntry.objects.get(action="org.officer.update")
    assert entry.changes["phone"] == ["***", "***"]
    assert entry.changes["post"] == ["民警", "副监区长"]


def test_stale_edit_is_refused(admin_a, officers):
    officer = officers["a1"]
    seen = officer.updated_at
    services.update_officer(user=admin_a, officer=officer, post="副监区长")
    with pytest.raises(ValidationError, match="已被他人修改"):
        services.update_officer(user=admin_a, officer=officer, expected_updated_at=seen, post="x")
    officer.refresh_from_db()
    assert officer.post == "副监区长"


def test_update_officer_cannot_move_into_another_prison(admin_a, officers, tree):
    with pytest.raises(PermissionDenied):
        services.update_officer(user=admin_a, officer=officers["a1"], unit=tree.district_b1)


def test_role_without_change_permission_is_refused(roles, tree, officers):
    member = make_user("member", "member", tree.district_a1)
    with pytest.raises(PermissionDenied):
        services.update_officer(user=member, officer=officers["a1"], post="x")


@pytest.mark.django_db(transaction=True)
def test_two_concurrent_edits_of_one_officer_cannot_both_win(admin_a, officers):
    """Both editors read the same version; exactly one save succeeds."""
    officer = officers["a1"]
    seen = officer.updated_at
    results: list[str] = []
    barrier = threading.Barrier(2)

    def edit(post):
        barrier.wait()
        try:
            services.update_officer(
                user=admin_a, officer=officer, expected_updated_at=seen, post=post
            )
            results.append("ok")
        except ValidationError:
            results.append("stale")
        finally:
            connection.close()

    threads = [threading.Thread(target=edit, args=(p,)) for p in ("甲", "乙")]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(results) == ["ok", "stale"]
    assert AuditEntry.objects.filter(action="org.officer.update").count() == 1
