"""The shell: sign-in, lockout, idle timeout, password rules, headers, navigation, errors."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.auth.password_validation import validate_password
from django.contrib.sessions.models import Session
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from tests.conftest import PASSWORD, make_user
from tongxin.web.models import Notification
from tongxin.web.services import notify

pytestmark = pytest.mark.django_db


def login(client, username, password=PASSWORD):
    return client.post(reverse("web:login"), {"username": username, "password": password})


def test_login_page_is_chinese_and_has_strict_csp(client):
    response = client.get(reverse("web:login"))
    assert response.status_code == 200
    body = response.content.decode()
    assert "用户名" in body and "密码" in body
    csp = response["Content-Security-Policy"]
    assert "script-src 'self'" in csp
    assert "unsafe-inline" not in csp
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "<script>" not in body  # every script is a file


def test_login_and_logout(client, admin_a):
    response = login(client, "admin_a")
    assert response.status_code == 302 and response["Location"] == reverse("web:home")
    assert client.get(reverse("web:home")).status_code == 200
    client.post(reverse("web:logout"))
    assert client.get(reverse("web:home")).status_code == 302


def test_wrong_password_message_in_chinese(client, admin_a):
    response = login(client, "admin_a", "wrong-password")
    assert response.status_code == 200
    assert "用户名或密码不正确" in response.content.decode()


def test_lockout_after_five_failures_even_with_right_password(client, admin_a):
    for _ in range(5):
        login(client, "admin_a", "wrong-password")
    response = login(client, "admin_a")
    assert response.status_code == 429
    assert "锁定" in response.content.decode()
    assert client.get(reverse("web:home")).status_code == 302  # not signed in


def test_other_account_is_not_locked(client, admin_a, admin_b):
    for _ in range(5):
        login(client, "admin_a", "wrong-password")
    assert login(client, "admin_b").status_code == 302


def test_idle_session_slides_and_expires(client, admin_a, settings):
    login(client, "admin_a")
    client.get(reverse("web:home"))
    session = Session.objects.get()
    remaining = session.expire_date - timezone.now()
    assert dt.timedelta(minutes=29) < remaining <= dt.timedelta(minutes=30)
    # Thirty idle minutes later the session is gone.
    Session.objects.update(expire_date=timezone.now() - dt.timedelta(seconds=1))
    response = client.get(reverse("web:home"))
    assert response.status_code == 302 and reverse("web:login") in response["Location"]


@pytest.mark.parametrize(
    "password",
    ["short1A!", "alllowercaseletters", "1234567890123", "password123", "Admin_a1!x"],
)
def test_weak_passwords_are_refused(admin_a, password):
    with pytest.raises(ValidationError):
        validate_password(password, admin_a)


def test_strong_password_is_accepted(admin_a):
    validate_password("Hubei-Prison-2023", admin_a)


def test_passwords_are_hashed_with_argon2(admin_a):
    admin_a.set_password("Hubei-Prison-2023")
    assert admin_a.password.startswith("argon2")


def test_forced_password_change_in_production(client, roles, tree, settings):
    settings.PRODUCTION = True
    make_user("fresh", "prison_admin", tree.prison_a, must_change_password=True)
    login(client, "fresh")
    response = client.get(reverse("org:officer-list"))
    assert response.status_code == 302 and response["Location"] == reverse("web:password-change")
    assert client.get("/api/units/").status_code == 403
    response = client.post(
        reverse("web:password-change"),
        {
            "old_password": PASSWORD,
            "new_password1": "Hubei-Prison-2023",
            "new_password2": "Hubei-Prison-2023",
        },
    )
    assert response.status_code == 302
    assert client.get(reverse("org:officer-list")).status_code == 200


def test_forced_password_change_refuses_weak_password(client, roles, tree, settings):
    settings.PRODUCTION = True
    make_user("fresh", "prison_admin", tree.prison_a, must_change_password=True)
    login(client, "fresh")
    response = client.post(
        reverse("web:password-change"),
        {"old_password": PASSWORD, "new_password1": "abc", "new_password2": "abc"},
    )
    assert response.status_code == 200
    assert "密码" in response.content.decode()
    assert client.get(reverse("org:officer-list")).status_code == 302


def test_navigation_follows_permissions(client, roles, tree):
    make_user("wuxue", "safety_liaison", tree.wuxue)
    make_user("inspector", "discipline_inspector", tree.bureau)
    login(client, "wuxue")
    body = client.get(reverse("web:home")).content.decode()
    assert reverse("org:unit-list") in body
    assert reverse("org:officer-list") not in body
    assert reverse("audit:entry-list") not in body
    client.post(reverse("web:logout"))
    login(client, "inspector")
    body = client.get(reverse("web:home")).content.decode()
    assert reverse("audit:entry-list") in body
    assert reverse("org:import") not in body


def test_page_without_permission_is_a_friendly_403(client, roles, tree):
    make_user("wuxue", "safety_liaison", tree.wuxue)
    login(client, "wuxue")
    response = client.get(reverse("org:officer-list"))
    assert response.status_code == 403
    assert "没有权限" in response.content.decode()


def test_unknown_page_is_a_friendly_404(client, admin_a):
    login(client, "admin_a")
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    assert "页面不存在" in response.content.decode()


def test_notification_centre(client, admin_a, admin_b):
    notify(recipients=[admin_a], title="三会一课提醒", body="本月支部党员大会尚未召开")
    notify(recipients=[admin_b], title="别人的通知")
    login(client, "admin_a")
    body = client.get(reverse("web:notifications")).content.decode()
    assert "三会一课提醒" in body and "别人的通知" not in body
    assert 'data-testid="unread-count">1<' in body
    client.post(reverse("web:notifications-read"))
    assert Notification.objects.get(recipient=admin_a).read_at is not None
    assert Notification.objects.get(recipient=admin_b).read_at is None


def test_english_is_available(client, admin_a):
    login(client, "admin_a")
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    response = client.get(reverse("web:home"))
    assert response.status_code == 200
    body = response.content.decode()
    assert 'lang="en"' in body
    assert "Sign out" in body and "Organisation" in body and "Serving officers" in body
    assert "退出登录" not in body
