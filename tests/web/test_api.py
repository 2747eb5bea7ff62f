"""The REST API: OpenAPI schema, offline docs, the current user, authentication, optimistic
concurrency on officers, Chinese field errors and pagination."""

from __future__ import annotations

import datetime as dt
import json
import re

import pytest

from tests.conftest import make_officer, make_user
from tongxin.audit.models import AuditEntry
from tongxin.org import idcard
from tongxin.org.models import Officer

pytestmark = pytest.mark.django_db

API_PATHS = ("/api/units/", "/api/officers/", "/api/me/", "/api/notifications/")


def _has_chinese(text: str) -> bool:
    return re.search(r"[\u4e00-\u9fff]", text) is not None


# --- schema and docs -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "headers"),
    [
        ("?format=json", {}),
        ("", {"HTTP_ACCEPT": "application/json"}),
        ("", {"HTTP_ACCEPT": "application/vnd.oai.openapi+json"}),
    ],
    ids=["format-param", "accept-json", "accept-openapi-json"],
)
def test_schema_is_openapi_3_json_with_the_main_paths(client, admin_a, query, headers):
    client.force_login(admin_a)
    response = client.get(f"/api/schema/{query}", **headers)
    assert response.status_code == 200
    assert "json" in response["Content-Type"]
    schema = json.loads(response.content)
    assert schema["openapi"].startswith("3.")
    assert schema["info"]["title"] == "同心 Tongxin API"
    for path in API_PATHS:
        assert path in schema["paths"], path
    # The stale-edit guard is documented on the officer PATCH.
    patch = schema["paths"]["/api/officers/{id}/"]["patch"]
    assert "requestBody" in patch


def test_docs_load_only_local_assets(client, admin_a):
    client.force_login(admin_a)
    response = client.get("/api/docs/")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/html")
    html = response.content.decode()
    scripts = re.findall(r"<script[^>]*\bsrc=\"([^\"]+)\"", html)
    styles = re.findall(r"<link[^>]*\bhref=\"([^\"]+)\"", html)
    assert scripts and styles
    for url in scripts + styles:
        assert url.startswith(("/static/", "/api/docs/")), url
    assert any(u.endswith("swagger-ui-bundle.js") for u in scripts)
    assert any(u.endswith("swagger-ui.css") for u in styles)
    # No URL to any other host anywhere in the page (no CDN, nothing fetched from outside).
    assert not re.search(r"https?://", html), re.findall(r"https?://\S+", html)
    assert not re.search(r"(?<![:\w])//[a-z0-9-]+\.[a-z]", html, re.IGNORECASE)
    # Every asset the page names is actually served locally.
    for url in scripts + styles:
        asset = client.get(url)
        assert asset.status_code == 200, url
        # Consuming the stream closes the file (the test client's own closing wrapper, which
        # does not close the database connection as a bare ``close()`` would on PostgreSQL).
        content = b"".join(asset.streaming_content) if asset.streaming else asset.content
        assert content


def test_docs_script_is_served_from_our_origin(client, admin_a):
    """The split view's settings script is a file of ours (no inline script under the CSP)."""
    client.force_login(admin_a)
    response = client.get("/api/docs/?script=")
    assert response.status_code == 200
    assert "javascript" in response["Content-Type"]
    body = response.content.decode()
    assert "/api/schema/" in body
    assert not re.search(r"https?://", body)


# --- the current user --------------------------------------------------------------------------


def test_me_returns_roles_scope_and_permissions(client, admin_a, tree):
    client.force_login(admin_a)
    response = client.get("/api/me/")
    assert response.status_code == 200
    data = response.json()
    assert data["username"] == "admin_a"
    assert data["roles"] == ["监狱系统管理员"]
    assert data["scope"] == [
        {"id": tree.prison_a.pk, "code": "P01", "name": "湖北省洪山监狱"},
    ]
    assert "org.view_officer" in data["permissions"]
    assert data["must_change_password"] is False


def test_me_for_a_liaison_of_wuxue(client, roles, tree):
    liaison = make_user("liaison", "safety_liaison", tree.wuxue)
    client.force_login(liaison)
    data = client.get("/api/me/").json()
    assert data["roles"] == ["平安建设联络员"]
    assert [s["code"] for s in data["scope"]] == ["WX"]
    assert data["permissions"] == ["org.view_unit"]


# --- authentication ----------------------------------------------------------------------------


@pytest.mark.parametrize("path", [*API_PATHS, "/api/officers/1/", "/api/notifications/mark-read/"])
def test_anonymous_requests_are_refused(client, officers, path):
    method = client.post if path.endswith("mark-read/") else client.get
    response = method(path)
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Token"
    assert "results" not in response.json()


def test_anonymous_write_is_refused_and_changes_nothing(client, tree, officers):
    before = Officer.objects.count()
    response = client.post(
        "/api/officers/",
        {"police_number": "4299990", "name": "匿名", "gender": "M"},
        content_type="application/json",
    )
    assert response.status_code == 401
    assert Officer.objects.count() == before


def test_token_authentication(client, admin_a, officers):
    from rest_framework.authtoken.models import Token

    token = Token.objects.create(user=admin_a)
    response = client.get("/api/officers/", HTTP_AUTHORIZATION=f"Token {token.key}")
    assert response.status_code == 200
    assert response.json()["count"] == 2
    bad = client.get("/api/officers/", HTTP_AUTHORIZATION="Token not-a-real-token")
    assert bad.status_code == 401


# --- officers: optimistic concurrency and Chinese field errors --------------------------------


def test_patch_with_current_version_succeeds(client, admin_a, officers):
    client.force_login(admin_a)
    officer = officers["a1"]
    current = client.get(f"/api/officers/{officer.pk}/").json()
    response = client.patch(
        f"/api/officers/{officer.pk}/",
        {"post": "副监区长", "expected_updated_at": current["updated_at"]},
        content_type="application/json",
    )
    assert response.status_code == 200, response.json()
    assert response.json()["post"] == "副监区长"
    officer.refresh_from_db()
    assert officer.post == "副监区长"
    assert AuditEntry.objects.filter(action="org.officer.update").count() == 1


def test_patch_with_stale_version_is_refused_and_changes_nothing(client, admin_a, officers):
    client.force_login(admin_a)
    officer = officers["a1"]
    seen = client.get(f"/api/officers/{officer.pk}/").json()["updated_at"]
    # Someone else edits the officer meanwhile.
    Officer.objects.filter(pk=officer.pk).update(
        post="教导员", updated_at=officer.updated_at + dt.timedelta(seconds=5)
    )
    audit_before = AuditEntry.objects.count()

    response = client.patch(
        f"/api/officers/{officer.pk}/",
        {"name": "李娜娜", "post": "监区长", "expected_updated_at": seen},
        content_type="application/json",
    )
    assert response.status_code == 400
    body = response.json()
    messages = json.dumps(body, ensure_ascii=False)
    assert "已被他人修改" in messages, body
    assert _has_chinese(messages)

    officer.refresh_from_db()
    assert officer.name == "李娜"
    assert officer.post == "教导员"
    assert AuditEntry.objects.count() == audit_before


def test_patch_outside_scope_is_not_found(client, admin_a, officers):
    client.force_login(admin_a)
    response = client.patch(
        f"/api/officers/{officers['b1'].pk}/", {"post": "x"}, content_type="application/json"
    )
    assert response.status_code == 404
    officers["b1"].refresh_from_db()
    assert officers["b1"].post == "教导员"


def _new_officer_payload(tree, **overrides):
    payload = {
        "police_number": "4299991",
        "name": "周杰",
        "gender": "M",
        "id_number": idcard.make("420106", dt.date(1990, 1, 1), 123),
        "unit": tree.district_a1.pk,
        "post": "民警",
    }
    payload.update(overrides)
    return payload


def test_post_creates_an_officer_with_birth_date_from_id(client, admin_a, tree):
    client.force_login(admin_a)
    response = client.post(
        "/api/officers/", _new_officer_payload(tree), content_type="application/json"
    )
    assert response.status_code == 201, response.json()
    data = response.json()
    assert data["birth_date"] == "1990-01-01"
    assert data["unit_name"] == "一监区"
    assert Officer.objects.filter(police_number="4299991").exists()


@pytest.mark.parametrize(
    ("id_number", "message"),
    [
        # A valid number with its check character changed.
        (None, "校验位"),
        ("42010619900101123", "18位"),
        ("420106199002301234", "出生日期"),
    ],
    ids=["checksum", "length", "date"],
)
def test_post_with_invalid_id_number_is_400_in_chinese(client, admin_a, tree, id_number, message):
    client.force_login(admin_a)
    if id_number is None:
        good = idcard.make("420106", dt.date(1990, 1, 1), 123)
        id_number = good[:17] + ("0" if good[17] != "0" else "1")
    before = Officer.objects.count()
    response = client.post(
        "/api/officers/",
        _new_officer_payload(tree, id_number=id_number),
        content_type="application/json",
    )
    assert response.status_code == 400
    errors = response.json()
    assert "id_number" in errors, errors
    assert any(message in e for e in errors["id_number"]), errors
    assert all(_has_chinese(e) for e in errors["id_number"])
    assert Officer.objects.count() == before


def test_post_into_a_unit_outside_scope_is_refused(client, admin_a, tree):
    client.force_login(admin_a)
    response = client.post(
        "/api/officers/",
        _new_officer_payload(tree, unit=tree.district_b1.pk),
        content_type="application/json",
    )
    assert response.status_code == 400
    assert "unit" in response.json()
    assert not Officer.objects.filter(police_number="4299991").exists()


# --- lists: scope and pagination -----------------------------------------------------------


def test_lists_are_scoped(client, admin_a, officers):
    client.force_login(admin_a)
    names = {o["name"] for o in client.get("/api/officers/").json()["results"]}
    assert names == {"李娜", "王强"}
    codes = {u["code"] for u in client.get("/api/units/").json()["results"]}
    assert codes == {"P01", "P01D01", "P01D02"}


def test_id_numbers_are_masked_without_the_permission(client, roles, tree, officers):
    officer_user = make_user("reviewer_a", "reviewer", tree.prison_a)
    client.force_login(officer_user)
    results = client.get("/api/officers/").json()["results"]
    assert results
    for row in results:
        assert "*" in row["id_number"]
        assert row["id_number"] == idcard.mask(Officer.objects.get(pk=row["id"]).id_number)


def test_pagination_with_page_size(client, admin_a, tree):
    client.force_login(admin_a)
    for i in range(7):
        make_officer(tree.district_a1, f"民警{i}", "M" if i % 2 else "F")

    first = client.get("/api/officers/?page_size=3").json()
    assert first["count"] == 7
    assert len(first["results"]) == 3
    assert first["previous"] is None
    assert "page=2" in first["next"] and "page_size=3" in first["next"]

    last = client.get("/api/officers/?page_size=3&page=3").json()
    assert len(last["results"]) == 1
    assert last["next"] is None

    seen = [o["id"] for p in (1, 2, 3) for o in _page(client, p)]
    assert len(seen) == len(set(seen)) == 7

    assert client.get("/api/officers/?page_size=3&page=4").status_code == 404
    default = client.get("/api/officers/").json()
    assert default["count"] == 7 and len(default["results"]) == 7


def _page(client, number):
    return client.get(f"/api/officers/?page_size=3&page={number}").json()["results"]


def test_page_size_is_capped(client, admin_a, tree):
    client.force_login(admin_a)
    response = client.get("/api/units/?page_size=100000")
    assert response.status_code == 200
    assert response.json()["count"] == 3


def test_notifications_are_the_users_own_and_paginated(client, admin_a, admin_b):
    from tongxin.web.services import notify

    for i in range(5):
        notify(recipients=[admin_a], title=f"通知{i}")
    notify(recipients=[admin_b], title="别人的通知")
    client.force_login(admin_a)
    data = client.get("/api/notifications/?page_size=2").json()
    assert data["count"] == 5
    assert len(data["results"]) == 2
    assert data["results"][0]["title"] == "通知4"  # newest first
    assert all("别人" not in n["title"] for n in data["results"])

    marked = client.post(
        "/api/notifications/mark-read/", {"ids": []}, content_type="application/json"
    )
    assert marked.status_code == 200 and marked.json() == {"marked": 0}
    marked = client.post("/api/notifications/mark-read/", {}, content_type="application/json")
    assert marked.json() == {"marked": 5}
    assert client.get("/api/notifications/?unread=1").json()["count"] == 0
