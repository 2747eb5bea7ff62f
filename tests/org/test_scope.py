"""A user of one prison sees nothing of another: pages, details, search, API, export, counts."""

from __future__ import annotations

import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from tests.conftest import PASSWORD, make_user
from tongxin.audit.services import record
from tongxin.org import scope, selectors
from tongxin.org.models import Unit

pytestmark = pytest.mark.django_db


@pytest.fixture
def client_a(client, admin_a):
    client.force_login(admin_a)
    return client


def test_subtree_query_is_exact(tree):
    under_a = set(Unit.objects.under(tree.prison_a).values_list("code", flat=True))
    assert under_a == {"P01", "P01D01", "P01D02"}
    assert set(Unit.objects.under(tree.bureau).values_list("code", flat=True)) == {
        "HBJ",
        "P01",
        "P01D01",
        "P01D02",
        "P07",
        "P07D01",
    }
    assert not Unit.objects.under(tree.wuxue).filter(code="HBJ").exists()


def test_subtree_of_unit_whose_id_is_a_prefix_of_another(tree):
    """Unit 1's path must not match unit 10's: segments are fixed width and slash-terminated."""
    units = [
        Unit.objects.create(code=f"X{i}", name=f"单位{i}", kind="department", parent=tree.prison_b)
        for i in range(12)
    ]
    first = units[0]
    assert list(Unit.objects.under(first)) == [first]


def test_selectors_scope_officers(admin_a, officers):
    names = set(selectors.officers_for(admin_a).values_list("name", flat=True))
    assert names == {"李娜", "王强"}


def test_province_admin_sees_all(province_admin, officers):
    assert selectors.officers_for(province_admin).count() == 4


def test_user_without_scope_sees_nothing(roles, tree, officers):
    user = make_user("nobody", "prison_admin")
    assert selectors.officers_for(user).count() == 0
    assert scope.visible_units(user).count() == 0


def test_officer_list_page_shows_only_own_prison(client_a, officers):
    body = client_a.get(reverse("org:officer-list")).content.decode()
    assert "李娜" in body and "王强" in body
    assert "赵敏" not in body and "孙刚" not in body


def test_search_does_not_cross_prisons(client_a, officers):
    body = client_a.get(reverse("org:officer-list"), {"q": "赵敏"}).content.decode()
    assert "共 0 人" in body and "没有符合条件的民警" in body


def test_detail_of_other_prison_is_404(client_a, officers, tree):
    assert client_a.get(reverse("org:officer-detail", args=[officers["b1"].pk])).status_code == 404
    assert client_a.get(reverse("org:unit-detail", args=[tree.prison_b.pk])).status_code == 404
    assert client_a.get(reverse("org:officer-edit", args=[officers["b1"].pk])).status_code == 404


def test_filter_by_foreign_unit_is_404(client_a, tree, officers):
    response = client_a.get(reverse("org:officer-list"), {"unit": tree.prison_b.pk})
    assert response.status_code == 404


def test_unit_pages_stay_in_scope(client_a, tree):
    body = client_a.get(reverse("org:unit-list")).content.decode()
    assert "洪山监狱" in body and "襄南监狱" not in body and "武穴市" not in body


def test_export_contains_only_own_prison_and_masks_ids(client, roles, tree, officers):
    client.force_login(make_user("exporter", "prison_admin", tree.prison_a))
    response = client.get(reverse("org:officer-export"))
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(min_row=2, values_only=True))
    assert sorted(r[1] for r in rows) == ["李娜", "王强"]
    # prison admins hold view_id_number: the full number is exported
    assert rows[0][3] in {officers["a1"].id_number, officers["a2"].id_number}


def test_export_masks_ids_without_permission(client, roles, tree, officers):
    from django.contrib.auth.models import Permission

    user = make_user("masked", None, tree.prison_a)
    user.user_permissions.add(
        Permission.objects.get(codename="export_officers"),
        Permission.objects.get(codename="view_officer"),
    )
    client.force_login(user)
    sheet = load_workbook(io.BytesIO(client.get(reverse("org:officer-export")).content)).active
    ids = [r[3] for r in sheet.iter_rows(min_row=2, values_only=True)]
    assert ids and all("*" in i for i in ids)


def test_api_lists_and_details_are_scoped(client_a, officers, tree):
    data = client_a.get("/api/officers/").json()
    assert data["count"] == 2
    assert {o["name"] for o in data["results"]} == {"李娜", "王强"}
    assert client_a.get(f"/api/officers/{officers['b1'].pk}/").status_code == 404
    assert client_a.get("/api/officers/", {"search": "赵敏"}).json()["count"] == 0
    units = client_a.get("/api/units/").json()
    assert {u["code"] for u in units["results"]} == {"P01", "P01D01", "P01D02"}
    assert client_a.get("/api/units/", {"under": tree.prison_b.pk}).status_code == 404


def test_api_cannot_create_officer_in_other_prison(client_a, tree):
    response = client_a.post(
        "/api/officers/",
        {
            "police_number": "4299999",
            "name": "新人",
            "gender": "M",
            "id_number": "420106199001011232",
            "unit": tree.district_b1.pk,
        },
        content_type="application/json",
    )
    assert response.status_code == 400
    assert "unit" in response.json()


def test_counts_on_home_page_are_scoped(client_a, officers):
    body = client_a.get(reverse("web:home")).content.decode()
    assert "洪山监狱" in body and "襄南监狱" not in body


def test_audit_log_is_scoped(client, roles, tree, officers, admin_a, admin_b):
    record(
        actor=admin_b,
        action="org.officer.update",
        obj=officers["b1"],
        unit=tree.district_b1,
        summary="修改襄南民警",
    )
    record(
        actor=admin_a,
        action="org.officer.update",
        obj=officers["a1"],
        unit=tree.district_a1,
        summary="修改洪山民警",
    )
    client.force_login(admin_a)
    body = client.get(reverse("audit:entry-list")).content.decode()
    assert "修改洪山民警" in body and "修改襄南民警" not in body


def test_token_authentication(client, admin_a, officers):
    response = client.post("/api/token/", {"username": "admin_a", "password": PASSWORD})
    token = response.json()["token"]
    data = client.get("/api/officers/", HTTP_AUTHORIZATION=f"Token {token}").json()
    assert data["count"] == 2


def test_unit_subtree_listing(client_a, tree):
    body = client_a.get(reverse("org:unit-list"), {"under": tree.district_a1.pk}).content.decode()
    assert "共 1 个单位" in body
    assert client_a.get(reverse("org:unit-list"), {"under": tree.prison_b.pk}).status_code == 404
