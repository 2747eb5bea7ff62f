"""Provincial administrators manage logins: roles and data scopes, audited."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse

from tests.conftest import make_user
from tongxin.audit.models import AuditEntry
from tongxin.org import selectors
from tongxin.org.models import User
from tongxin.org.roles import ROLES, role_group

pytestmark = pytest.mark.django_db


def form_data(tree, **extra):
    data = {
        "username": "zhang_xf",
        "police_number": "",
        "groups": [role_group("penalty_officer").pk],
        "scope_units": [tree.prison_a.pk],
        "is_active": "on",
        "initial_password": "Hubei-Prison-2023",
    }
    data.update(extra)
    return data


def test_province_admin_creates_a_login_that_sees_only_its_scope(
    client, province_admin, tree, officers
):
    client.force_login(province_admin)
    data = form_data(tree, police_number=officers["a2"].police_number)
    response = client.post(reverse("org:user-create"), data)
    assert response.status_code == 302
    created = User.objects.get(username="zhang_xf")
    assert created.must_change_password and created.officer == officers["a2"]
    assert list(created.groups.all()) == [role_group("penalty_officer")]
    assert set(selectors.officers_for(created).values_list("name", flat=True)) == {"李娜", "王强"}
    entry = AuditEntry.objects.get(action="org.user.create")
    assert entry.actor_id == province_admin.pk


def test_changing_scope_is_audited_with_before_and_after(client, province_admin, tree):
    target = make_user("someone", "penalty_officer", tree.prison_a)
    client.force_login(province_admin)
    data = form_data(tree, username="someone", scope_units=[tree.prison_b.pk], initial_password="")
    assert client.post(reverse("org:user-edit", args=[target.pk]), data).status_code == 302
    entry = AuditEntry.objects.get(action="org.user.update")
    assert entry.changes["scope_units"] == [["P01"], ["P07"]]


def test_weak_initial_password_is_refused_in_chinese(client, province_admin, tree):
    client.force_login(province_admin)
    response = client.post(reverse("org:user-create"), form_data(tree, initial_password="abc"))
    assert response.status_code == 200
    assert "密码" in response.content.decode()
    assert not User.objects.filter(username="zhang_xf").exists()


def test_unknown_police_number_is_refused(client, province_admin, tree):
    client.force_login(province_admin)
    response = client.post(reverse("org:user-create"), form_data(tree, police_number="0000000"))
    assert "该警号的民警不存在" in response.content.decode()


def test_admin_cannot_deactivate_self(client, province_admin, tree):
    client.force_login(province_admin)
    data = form_data(
        tree,
        username="admin",
        is_active="",
        initial_password="",
        groups=[role_group("provincial_admin").pk],
    )
    response = client.post(reverse("org:user-edit", args=[province_admin.pk]), data)
    assert "不能停用自己的账号" in response.content.decode()
    province_admin.refresh_from_db()
    assert province_admin.is_active


def test_prison_admin_cannot_manage_logins(client, admin_a):
    client.force_login(admin_a)
    assert client.get(reverse("org:user-list")).status_code == 403
    assert client.post(reverse("org:user-create"), {}).status_code == 403


def test_user_list_shows_roles_and_scopes(client, province_admin, admin_a, admin_b):
    client.force_login(province_admin)
    body = client.get(reverse("org:user-list")).content.decode()
    assert "admin_a" in body and "admin_b" in body and "洪山监狱" in body
    assert Group.objects.count() == len(ROLES)


def test_user_list_query_count_does_not_grow(
    client, province_admin, tree, django_assert_num_queries
):
    client.force_login(province_admin)
    url = reverse("org:user-list")

    def add(n, start):
        for i in range(start, start + n):
            make_user(f"u{i:03d}", "penalty_officer", tree.prison_a, tree.district_b1)

    add(3, 0)
    # 5 session/auth + scope + count + page + groups + scope units (prefetched) + permissions (2)
    # + unread count
    with django_assert_num_queries(13):
        client.get(url)
    add(27, 3)
    with django_assert_num_queries(13):
        assert "u029" in client.get(url).content.decode()
