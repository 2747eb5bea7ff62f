"""The prisoner pages in a real browser (Debian's Chromium, Playwright, the live server): the
recording forms open in place with htmx, show the service's reason by the field, and return
to the detail page when done — with no console error and no CSP violation.

Screenshots land in ``var/screenshots/`` (prisoner-list.png, prisoner-detail.png).
"""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests.conftest import make_user
from tests.prisoners.conftest import base_line, make_prisoner, months_back, this_month
from tests.web.test_browser import _screenshot, browser, desktop, login  # noqa: F401
from tongxin.prisoners.models import PointsEntry

pytestmark = pytest.mark.browser


@pytest.fixture
def ward(transactional_db, live_server, roles, tree, officers):
    prisoner = make_prisoner(tree.district_a1, "张某", categories=["duty_crime"])
    for back in (3, 2, 1):
        base_line(prisoner, months_back(back), "100", officers["a1"])
    make_user("district", "district_officer", tree.district_a1, officer=officers["a1"])
    return {"url": live_server.url, "prisoner": prisoner}


def test_adjustment_in_place_with_htmx(desktop, ward):  # noqa: F811
    page, watch = desktop
    base, prisoner = ward["url"], ward["prisoner"]
    login(page, base, "district")
    page.goto(f"{base}{reverse('prisoners:list')}")
    page.get_by_test_id("prisoner-link").first.wait_for()
    _screenshot(page, "prisoner-list.png")
    watch.assert_clean()

    detail = reverse("prisoners:detail", args=[prisoner.pk])
    page.goto(f"{base}{detail}")
    assert page.get_by_test_id("points-total").inner_text() == "300.0"
    page.get_by_role("link", name="加分 / 扣分").click()
    card = page.get_by_test_id("action-card")
    card.wait_for()
    assert page.url == f"{base}{detail}"  # opened in place, not a new page

    card.get_by_label("加扣分").fill("150")
    card.get_by_label("事由").fill("劳动竞赛第一名")
    card.get_by_role("button", name="保存").click()
    page.get_by_text("单次加扣分不得超过100分。").wait_for()
    assert not PointsEntry.objects.filter(kind="addition").exists()

    page.get_by_test_id("action-card").get_by_label("加扣分").fill("5")
    with page.expect_navigation():
        page.get_by_test_id("action-card").get_by_role("button", name="保存").click()
    assert page.url == f"{base}{detail}"
    page.get_by_text(f"已录入{this_month():%Y年%m月}加分 +5 分。").wait_for()
    assert page.get_by_test_id("points-total").inner_text() == "305.0"
    _screenshot(page, "prisoner-detail.png")
    watch.assert_clean()
