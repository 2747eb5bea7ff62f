"""Query counts of list pages and API lists, pinned NetBox-style.

Each page is asked with a few rows and again with ten times as many: the number of queries
must be the same (no N+1), and it must be exactly the number pinned here, so that a change
which adds a query per row — or just one more query per page — fails loudly. When a change
adds a query on purpose, re-measure and update the pin in the same commit.

Every count includes the session and authentication plumbing: loading the session (1), the
user (1), and saving the session on every request (``SESSION_SAVE_EVERY_REQUEST``: savepoint,
UPDATE, release = 3), i.e. 5 queries before the page's own work.
"""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from tests.conftest import make_officer, make_unit
from tongxin.audit.models import AuditEntry
from tongxin.audit.services import record
from tongxin.org.models import Officer, UnitKind
from tongxin.web.models import Notification
from tongxin.web.services import mark_read, notify

pytestmark = pytest.mark.django_db

SMALL, LARGE = 3, 30
PAGE_ROWS = {"web:notifications": 20, "web:home": 5}  # page size / rows on the home card

# name or path -> queries measured (the same with 3 and with 30 rows of each kind)
PINNED = {
    # 5 plumbing + scope paths + count + page of units (parent joined) + the tops + permissions
    # (2: the user's own and their groups', then cached on the user) + unread count
    "org:unit-list": 12,
    # 5 plumbing + scope + count + page (unit joined) + 2 permissions + unread count
    "org:officer-list": 11,
    # 5 plumbing + scope + count + page + 2 permissions + unread count
    "audit:entry-list": 11,
    # 5 plumbing + count + page + 2 permissions (navigation) + unread count
    "web:notifications": 10,
    # 5 plumbing + scope + top units + 4 counts for the one card + 2 permissions + the user's
    # roles + unread count + latest notifications + recent audit entries
    "web:home": 17,
    # 5 plumbing + scope + count + page
    "/api/units/": 8,
    # 5 plumbing + scope + count + page (unit joined) + 2 permissions (may see ID numbers?)
    "/api/officers/": 10,
    # 5 plumbing + count + page
    "/api/notifications/": 7,
}


def _url(name: str) -> str:
    return name if name.startswith("/") else reverse(name)


class Rows:
    """Adds units, officers, audit entries and notifications under prison A, for one user."""

    def __init__(self, tree, user):
        self.tree, self.user, self.made = tree, user, 0

    def grow_to(self, total: int) -> None:
        for i in range(self.made, total):
            district = self.tree.district_a1 if i % 2 else self.tree.district_a2
            unit = make_unit(f"{i + 1}分监区", UnitKind.SUBDISTRICT, district)
            officer = make_officer(
                unit,
                f"民警{i + 1:02d}",
                "F" if i % 3 == 0 else "M",
                post="民警",
                party_status="member" if i % 2 else "masses",
            )
            record(
                actor=self.user,
                action="org.officer.create",
                obj=officer,
                unit=unit,
                summary=f"新增民警 {officer.name}",
            )
            notify(
                recipients=[self.user],
                title=f"第{i + 1}号通知",
                body="请按时完成。",
                link=reverse("org:officer-detail", args=[officer.pk]) if i % 2 else "",
            )
        self.made = max(self.made, total)
        # Some notifications read, some not: both kinds render.
        first_half = Notification.objects.filter(recipient=self.user).order_by("id")[: total // 2]
        mark_read(user=self.user, notification_ids=first_half.values_list("id", flat=True))


ROW_PATTERNS = {
    "org:unit-list": r">\d+分监区</a>",
    "org:officer-list": r">民警\d\d</a>",
    "audit:entry-list": r"新增民警 民警\d\d",
    "web:notifications": r"第\d+号通知",
    "web:home": r"第\d+号通知",
    "/api/units/": r'"name":"\d+分监区"',
    "/api/officers/": r'"name":"民警\d\d"',
    "/api/notifications/": r'"title":"第\d+号通知"',
}


def _rows_shown(name: str, response) -> int:
    """How many of our rows the response shows (to prove the page really lists them)."""
    return len(re.findall(ROW_PATTERNS[name], response.content.decode()))


@pytest.mark.parametrize("name", list(PINNED))
def test_query_count_is_pinned_and_does_not_grow_with_rows(
    client, admin_a, tree, name, django_assert_num_queries
):
    rows = Rows(tree, admin_a)
    rows.grow_to(SMALL)
    client.force_login(admin_a)
    url = _url(name)

    with django_assert_num_queries(PINNED[name]):
        response = client.get(url)
    assert response.status_code == 200
    assert _rows_shown(name, response) == SMALL

    rows.grow_to(LARGE)
    assert Officer.objects.count() == LARGE
    assert AuditEntry.objects.count() == LARGE

    with django_assert_num_queries(PINNED[name]):
        response = client.get(url)
    assert response.status_code == 200
    # More rows are on the page now, for the same number of queries.
    assert _rows_shown(name, response) == min(LARGE, PAGE_ROWS.get(name, LARGE))


@pytest.mark.parametrize("name", ["org:officer-list", "/api/officers/", "/api/units/"])
def test_filtered_lists_keep_their_count(client, admin_a, tree, name, django_assert_num_queries):
    """A filter under a unit adds exactly one query (fetching that unit), whatever the rows."""
    rows = Rows(tree, admin_a)
    rows.grow_to(SMALL)
    client.force_login(admin_a)
    param = "unit" if name == "org:officer-list" else "under"
    url = f"{_url(name)}?{param}={tree.district_a1.pk}"
    with django_assert_num_queries(PINNED[name] + 1):
        assert client.get(url).status_code == 200
    rows.grow_to(LARGE)
    with django_assert_num_queries(PINNED[name] + 1):
        assert client.get(url).status_code == 200
