"""The shell in a real browser: Debian's Chromium driven by Playwright against the live server.

These tests prove what only a browser can: that the login form works, that the navigation a
user sees follows their role, that htmx, Bootstrap's JS and our own tongxin.js load from
static files under the strict Content-Security-Policy without a single console error, and
that the navbar collapses on a phone and opens again with Bootstrap's JS.

Screenshots of the home page and the phone view land in ``var/screenshots/``.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse

from tests.conftest import PASSWORD, make_officer, make_user
from tongxin.audit.services import record
from tongxin.web.services import notify

pytestmark = pytest.mark.browser

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
SCREENSHOTS = Path(settings.VAR_DIR) / "screenshots"
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}

# Collects CSP violations as the page sees them (in addition to the console errors Chromium
# logs for them). Playwright injects init scripts over CDP, so the CSP does not block this.
_CSP_LISTENER = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (e) => {
  window.__cspViolations.push(`${e.violatedDirective} ${e.blockedURI}`);
});
"""


# --- browser plumbing ----------------------------------------------------------------------


@pytest.fixture(scope="module")
def browser():
    if not (CHROMIUM.exists() and os.access(CHROMIUM, os.X_OK)):
        message = f"{CHROMIUM} is missing: install Debian's chromium to run the browser tests"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    # Playwright's sync API keeps an event loop in this thread; the ORM calls the tests (and
    # pytest-django's flush between transactional tests) make alongside it are safe, as they
    # are not concurrent with it. Set for the life of the browser only.
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    playwright = sync_playwright().start()
    try:
        chromium = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
        )
        try:
            yield chromium
        finally:
            chromium.close()
    finally:
        playwright.stop()
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


class Watch:
    """What a page did wrong: console errors, uncaught exceptions, failed requests, CSP."""

    def __init__(self, page):
        self.page = page
        self.console_errors: list[str] = []
        self.page_errors: list[str] = []
        self.failed: list[str] = []
        self.requests: list[str] = []
        page.on("console", self._console)
        page.on("pageerror", lambda exc: self.page_errors.append(str(exc)))
        page.on("request", lambda request: self.requests.append(request.url))
        page.on("requestfailed", self._request_failed)
        page.on("response", self._response)

    def _console(self, message) -> None:
        if message.type == "error":
            self.console_errors.append(f"{message.text} @ {message.location.get('url', '')}")

    def _request_failed(self, request) -> None:
        if "ERR_ABORTED" not in (request.failure or ""):  # a navigation cancelled it: harmless
            self.failed.append(f"{request.url} {request.failure}")

    def _response(self, response) -> None:
        if "/static/" in response.url and response.status >= 400:
            self.failed.append(f"{response.url} {response.status}")

    def csp_violations(self) -> list[str]:
        return self.page.evaluate("window.__cspViolations || []")

    def _check(self, problems: dict[str, list[str]]) -> None:
        report = "\n".join(
            f"{kind}:\n  " + "\n  ".join(items) for kind, items in problems.items() if items
        )
        assert not report, report

    def assert_no_breakage(self) -> None:
        """No uncaught exception and no static file that failed to load."""
        self._check({"uncaught exceptions": self.page_errors, "failed requests": self.failed})

    def assert_clean(self) -> None:
        """Nothing at all in the console, and no CSP violation on the current page."""
        self._check(
            {
                "console errors": self.console_errors,
                "uncaught exceptions": self.page_errors,
                "failed requests": self.failed,
                "CSP violations (current page)": self.csp_violations(),
            }
        )


def _open(browser, *, viewport=DESKTOP, **options):
    context = browser.new_context(
        viewport=viewport, locale="zh-CN", timezone_id="Asia/Shanghai", **options
    )
    context.set_default_timeout(15_000)
    context.add_init_script(_CSP_LISTENER)
    page = context.new_page()
    return context, page, Watch(page)


@pytest.fixture
def desktop(browser):
    context, page, watch = _open(browser)
    yield page, watch
    context.close()


@pytest.fixture
def phone(browser):
    context, page, watch = _open(
        browser, viewport=PHONE, device_scale_factor=2, is_mobile=True, has_touch=True
    )
    yield page, watch
    context.close()


# --- data ----------------------------------------------------------------------------------


@pytest.fixture
def site(transactional_db, live_server, roles, tree, officers):
    """The two-prison tree with officers, a demo-like prison admin and a Wuxue liaison."""
    make_officer(tree.district_b1, "钱进", "M", post="民警")
    admin = make_user(
        "hongshan_admin",
        "prison_admin",
        tree.prison_a,
        officer=officers["a2"],
    )
    liaison = make_user("wuxue_liaison", "safety_liaison", tree.wuxue)
    record(
        actor=admin,
        action="org.officer.update",
        obj=officers["a1"],
        unit=officers["a1"].unit,
        summary=f"修改民警 {officers['a1'].name}",
    )
    notify(
        recipients=[admin],
        title="请于本周五前完成民警信息年度核对",
        body="各监区对照花名册核对民警信息。",
        link=reverse("org:officer-list"),
    )
    notify(recipients=[admin], title="同心平台已上线", level="info")
    return {"url": live_server.url, "admin": admin, "liaison": liaison, "tree": tree}


def login(page, base_url: str, username: str, password: str = PASSWORD) -> None:
    page.goto(f"{base_url}{reverse('web:login')}")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(password)
    with page.expect_navigation():
        page.get_by_role("button", name="登录").click()


def _nav_sections(page) -> dict[str, list[str]]:
    """The navigation as the user sees it: section -> item labels (opened with Bootstrap)."""
    nav = page.get_by_test_id("main-nav")
    sections = {}
    for toggle in nav.locator(":scope > li > a.dropdown-toggle").all():
        label = toggle.inner_text().strip()
        toggle.click()  # Bootstrap's dropdown JS opens the menu
        menu = toggle.locator("xpath=following-sibling::ul[contains(@class,'dropdown-menu')]")
        menu.wait_for(state="visible")
        sections[label] = [t.strip() for t in menu.locator("a.dropdown-item").all_inner_texts()]
        page.keyboard.press("Escape")
        menu.wait_for(state="hidden")
    return sections


def _screenshot(page, name: str, *, full_page: bool = True) -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / name
    page.screenshot(path=str(path), full_page=full_page)
    return path


# --- (a) sign-in and the navigation of each role -------------------------------------------


def test_prison_admin_signs_in_and_sees_the_navigation_of_the_role(desktop, site):
    page, watch = desktop
    login(page, site["url"], "hongshan_admin")

    assert page.url == f"{site['url']}{reverse('web:home')}"
    assert page.title().startswith("首页")
    page.get_by_role("heading", name=re.compile("您好")).wait_for()
    assert "王强" in page.get_by_test_id("user-menu").inner_text()  # the linked officer's name
    assert page.get_by_test_id("scope-card").count() == 1
    assert "湖北省洪山监狱" in page.get_by_test_id("scope-card").inner_text()
    assert page.get_by_test_id("unread-count").inner_text() == "2"
    _screenshot(page, "home.png")

    sections = _nav_sections(page)
    assert sections["组织机构"] == ["单位", "民警", "导入"]
    assert sections["审计"] == ["审计日志"]
    watch.assert_no_breakage()


def test_safety_liaison_sees_units_only_and_no_audit(desktop, site):
    page, watch = desktop
    login(page, site["url"], "wuxue_liaison")
    assert page.url == f"{site['url']}{reverse('web:home')}"
    assert "武穴市" in page.get_by_test_id("scope-card").inner_text()

    sections = _nav_sections(page)
    assert sections["组织机构"] == ["单位"]
    assert "审计" not in sections
    nav_text = page.get_by_test_id("main-nav").text_content()
    for hidden in ("民警", "导入", "审计"):
        assert hidden not in nav_text

    # The pages behind the missing items are refused too, not only hidden.
    assert page.goto(f"{site['url']}{reverse('audit:entry-list')}").status == 403
    assert page.goto(f"{site['url']}{reverse('org:officer-list')}").status == 403
    watch.assert_no_breakage()


# --- (b) the officer list is scoped --------------------------------------------------------


def test_officer_list_shows_only_the_prisons_officers(desktop, site, officers):
    page, watch = desktop
    login(page, site["url"], "hongshan_admin")

    # Through the navigation, as a user would.
    page.get_by_test_id("main-nav").get_by_role("button", name="组织机构").click()
    with page.expect_navigation():
        page.get_by_role("link", name="民警", exact=True).click()
    assert page.url == f"{site['url']}{reverse('org:officer-list')}"

    table = page.get_by_test_id("officer-table")
    names = {t.strip() for t in table.locator("tbody tr td:nth-child(2)").all_inner_texts()}
    assert names == {"李娜", "王强"}
    units = {t.strip() for t in table.locator("tbody tr td:nth-child(4)").all_inner_texts()}
    assert units == {"一监区", "二监区"}
    body = page.locator("main").inner_text()
    assert "共 2 人" in body
    for other in ("赵敏", "孙刚", "钱进", "襄南"):
        assert other not in body
    # The ID numbers are shown in full to a prison admin (who holds the permission).
    assert officers["a1"].id_number in body

    # Another prison's officer is not found, not even by typing the address.
    other = reverse("org:officer-detail", args=[officers["b1"].pk])
    assert page.goto(f"{site['url']}{other}").status == 404
    assert "赵敏" not in page.content()
    watch.assert_no_breakage()


# --- (c) no console errors and no CSP violations; scripts load from static files -----------


PAGES = [
    "web:home",
    "org:unit-list",
    "org:officer-list",
    "org:import",
    "audit:entry-list",
    "web:notifications",
    "web:password-change",
]


def _assert_scripts_loaded(page, label: str) -> None:
    """htmx and Bootstrap define their globals; all three scripts came from /static/."""
    assert page.evaluate("typeof window.htmx") == "object", label
    assert page.evaluate("typeof window.bootstrap") == "object", label
    loaded = page.evaluate(
        "performance.getEntriesByType('resource').map((e) => new URL(e.name).pathname)"
    )
    for script in ("django_htmx/htmx", "bootstrap/js/bootstrap.bundle", "web/tongxin.js"):
        assert any(p.startswith(f"/static/{script}") for p in loaded), (label, script, loaded)


def test_pages_load_their_scripts_under_the_csp_without_console_errors(desktop, site):
    page, watch = desktop
    base = site["url"]

    # Signed out: the login page, and the page after a failed attempt.
    response = page.goto(f"{base}{reverse('web:login')}")
    assert "script-src 'self'" in response.headers["content-security-policy"]
    _assert_scripts_loaded(page, "login")
    watch.assert_clean()
    login(page, base, "hongshan_admin", "Wrong-Password-1")
    watch.assert_clean()

    login(page, base, "hongshan_admin")
    for name in PAGES:
        response = page.goto(f"{base}{reverse(name)}")
        assert response.status == 200, name
        csp = response.headers["content-security-policy"]
        assert "script-src 'self'" in csp and "style-src 'self'" in csp
        assert "unsafe-inline" not in csp and "unsafe-eval" not in csp
        _assert_scripts_loaded(page, name)
        watch.assert_clean()

    # Nothing was asked of any other origin (no CDN).
    assert [url for url in watch.requests if not url.startswith(base)] == []

    # tongxin.js does its work: htmx requests carry the CSRF token from the meta tag. (A
    # listener on window runs after tongxin.js's on document; cancelling sends nothing.)
    token = page.evaluate(
        """() => new Promise((resolve) => {
            window.addEventListener("htmx:configRequest", (e) => {
              resolve(e.detail.headers["X-CSRFToken"] || null); e.preventDefault();
            }, {once: true});
            htmx.ajax("GET", "/notifications/", {target: "main", swap: "none"});
          })"""
    )
    assert token and token == page.get_attribute('meta[name="csrf-token"]', "content")
    watch.assert_clean()


def test_pages_declare_an_icon(desktop, site):
    """Without one Chromium fetches /favicon.ico, a 404 that shows as a console error."""
    page, _ = desktop
    login(page, site["url"], "hongshan_admin")
    for name in ("web:home", "api-docs"):
        page.goto(f"{site['url']}{reverse(name)}")
        hrefs = page.eval_on_selector_all(
            'link[rel~="icon"]', "links => links.map((link) => link.getAttribute('href'))"
        )
        assert hrefs, f"{name} declares no icon"
        for href in hrefs:
            assert href.startswith(("/static/", "data:")), href


def test_the_csp_is_enforced_and_a_violation_would_be_seen(desktop, site):
    """A control for the test above: an injected inline script is blocked, and reported."""
    page, watch = desktop
    login(page, site["url"], "hongshan_admin")
    violations_before = len(watch.csp_violations())
    page.evaluate(
        """() => { const s = document.createElement("script");
                   s.textContent = "window.__inlineRan = true;";
                   document.head.appendChild(s); }"""
    )
    page.wait_for_function(f"window.__cspViolations.length > {violations_before}")
    assert page.evaluate("window.__inlineRan === true") is False
    assert any(v.startswith("script-src") for v in watch.csp_violations())
    assert any("Content Security Policy" in e for e in watch.console_errors)


def test_api_docs_render_offline_under_the_csp(desktop, site):
    page, watch = desktop
    login(page, site["url"], "hongshan_admin")
    page.goto(f"{site['url']}{reverse('api-docs')}")
    page.locator(".opblock").first.wait_for()
    shown = set(page.locator(".opblock-summary-path").all_inner_texts())
    assert {"/api/units/", "/api/officers/", "/api/me/", "/api/notifications/"} <= shown
    assert [url for url in watch.requests if not url.startswith(site["url"])] == []
    # Swagger UI would otherwise load a badge from validator.swagger.io on any host that is
    # not localhost (it only skips localhost, as here, so the request above cannot show it).
    assert page.evaluate("String(ui.getConfigs().validatorUrl)") in ("null", "none")
    watch.assert_clean()


# --- (d) phone-sized viewport ---------------------------------------------------------------


def test_navbar_collapses_on_a_phone_and_the_toggler_opens_it(phone, site):
    page, watch = phone
    login(page, site["url"], "hongshan_admin")
    assert page.url == f"{site['url']}{reverse('web:home')}"

    toggler = page.locator("button.navbar-toggler")
    menu = page.locator("#tx-nav")
    assert toggler.is_visible()
    assert not menu.is_visible()
    assert not page.get_by_test_id("main-nav").is_visible()
    assert toggler.get_attribute("aria-expanded") == "false"
    # Nothing sticks out sideways on a phone.
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    _screenshot(page, "phone-home.png")

    toggler.tap()  # Bootstrap's collapse JS opens the menu
    page.locator("#tx-nav.collapse.show").wait_for(state="visible")
    assert toggler.get_attribute("aria-expanded") == "true"
    nav = page.get_by_test_id("main-nav")
    assert nav.is_visible()

    # The dropdown works inside the opened menu and leads to a page.
    nav.get_by_role("button", name="组织机构").tap()
    link = page.get_by_role("link", name="民警", exact=True)
    link.wait_for(state="visible")
    _screenshot(page, "phone-menu.png", full_page=False)
    with page.expect_navigation():
        link.tap()
    assert page.url == f"{site['url']}{reverse('org:officer-list')}"
    assert page.get_by_test_id("officer-table").is_visible()
    assert page.locator("button.navbar-toggler").is_visible()
    assert not page.locator("#tx-nav").is_visible()
    watch.assert_no_breakage()


# --- (e) wrong password ---------------------------------------------------------------------


def test_wrong_password_shows_the_chinese_error(desktop, site):
    page, watch = desktop
    login(page, site["url"], "hongshan_admin", "Wrong-Password-1")

    assert page.url.startswith(f"{site['url']}{reverse('web:login')}")
    error = page.get_by_test_id("login-error")
    assert error.is_visible()
    assert "用户名或密码不正确" in error.inner_text()
    assert page.get_by_test_id("main-nav").count() == 0
    # The user is not signed in.
    page.goto(f"{site['url']}{reverse('web:home')}")
    assert page.url.startswith(f"{site['url']}{reverse('web:login')}")
    watch.assert_no_breakage()


# --- the screenshots show Chinese in a CJK font, not tofu -----------------------------------


def _has_cjk_font() -> bool:
    if not shutil.which("fc-list"):
        return False
    out = subprocess.run(["fc-list", ":lang=zh", "family"], capture_output=True, text=True)
    return bool(out.stdout.strip())


def test_chinese_text_is_drawn_with_a_cjk_font_and_bootstrap_styles(desktop, site):
    if not _has_cjk_font():
        message = "no CJK font installed (fonts-noto-cjk): Chinese would render as boxes"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    page, watch = desktop
    login(page, site["url"], "hongshan_admin")
    # Ask Chromium which fonts it really drew the glyphs of each element's own text with.
    cdp = page.context.new_cdp_session(page)
    cdp.send("DOM.enable")
    cdp.send("CSS.enable")
    root = cdp.send("DOM.getDocument")["root"]["nodeId"]
    for selector in ("main h1", ".navbar-brand", "[data-testid=scope-card] dt", "footer"):
        node = cdp.send("DOM.querySelector", {"nodeId": root, "selector": selector})["nodeId"]
        fonts = cdp.send("CSS.getPlatformFontsForNode", {"nodeId": node})["fonts"]
        families = " ".join(f["familyName"] for f in fonts)
        assert re.search(
            r"CJK|Han |WenQuanYi|Droid Sans Fallback|AR PL|Noto (Sans|Serif) SC", families
        ), (
            selector,
            fonts,
        )
    # Bootstrap's stylesheet and ours are applied.
    style = page.evaluate(
        """() => ({
            navbar: getComputedStyle(document.querySelector(".tx-navbar")).backgroundColor,
            card: getComputedStyle(document.querySelector(".card")).borderRadius,
            display: getComputedStyle(document.querySelector(".navbar-collapse")).display,
        })"""
    )
    assert style["navbar"] == "rgb(179, 18, 27)"  # --tx-red from tongxin.css
    assert style["card"] not in ("", "0px")  # Bootstrap's .card
    assert style["display"] == "flex"  # expanded navbar at desktop width (navbar-expand-lg)
    watch.assert_no_breakage()


# --- the real demo data and demo logins ------------------------------------------------------


@pytest.fixture
def demo_site(transactional_db, live_server):
    from tongxin import seeding
    from tongxin.org.demo import DEMO_PASSWORD

    seeding.run(scale="demo", quiet=True)
    return {"url": live_server.url, "password": DEMO_PASSWORD}


PARTY_VIEWER = ["党建首页", "我的党建", "组织生活", "党员", "组织生活达标", "党建统计"]
PENALTY_VIEWER = ["罪犯", "减刑假释案件", "案件统计"]


@pytest.mark.parametrize(
    ("username", "expected"),
    [
        (
            "admin",
            {
                "组织机构": ["单位", "民警", "导入", "账号与权限"],
                "智慧党建": PARTY_VIEWER,
                "刑罚执行": PENALTY_VIEWER,
                "审计": ["审计日志"],
            },
        ),
        (
            "hongshan_admin",
            {
                "组织机构": ["单位", "民警", "导入"],
                "智慧党建": PARTY_VIEWER,
                "刑罚执行": PENALTY_VIEWER,
                "审计": ["审计日志"],
            },
        ),
        (
            "inspector",
            {
                "组织机构": ["单位", "民警"],
                "智慧党建": PARTY_VIEWER,
                "刑罚执行": PENALTY_VIEWER,
                "审计": ["审计日志"],
            },
        ),
        (
            "penalty",
            {
                "组织机构": ["单位", "民警"],
                "智慧党建": ["我的党建"],
                "刑罚执行": ["罪犯", "减刑假释案件", "我的待办", "案件统计", "条件筛查"],
            },
        ),
        ("wuxue", {"组织机构": ["单位"], "智慧党建": ["我的党建"]}),
        ("member", {"智慧党建": ["我的党建"]}),
    ],
)
def test_demo_users_see_the_navigation_of_their_role(desktop, demo_site, username, expected):
    page, watch = desktop
    login(page, demo_site["url"], username, demo_site["password"])
    assert page.url == f"{demo_site['url']}{reverse('web:home')}"
    sections = _nav_sections(page)
    sections.pop("接口", None)  # the API documentation is open to every signed-in user
    assert sections == expected
    watch.assert_clean()


# --- 智慧党建: a secretary records a meeting, a member checks in on a phone ------------------


@pytest.fixture
def party_site(transactional_db, live_server, roles, tree):
    from tests.party.conftest import make_member, make_org, seat
    from tongxin.party.models import CommitteePost, OrgKind

    committee = make_org("DW-P01", "中共湖北省洪山监狱委员会", OrgKind.COMMITTEE, tree.prison_a)
    branch = make_org(
        "ZB-P01-D01", "洪山监狱一监区党支部", OrgKind.BRANCH, tree.district_a1, committee
    )
    members = [
        make_member(tree.district_a1, name, branch)
        for name in ("陈书记", "刘副书记", "杨委员", "黄党员")
    ]
    for member, post in zip(
        members[:3],
        (CommitteePost.SECRETARY, CommitteePost.DEPUTY, CommitteePost.MEMBER),
        strict=True,
    ):
        seat(branch, member, post)
    make_user("secretary", "branch_secretary", tree.district_a1, officer=members[0].officer)
    make_user("member", "member", tree.district_a1, officer=members[3].officer)
    return {"url": live_server.url, "branch": branch, "members": members}


def test_secretary_records_a_meeting_and_a_member_checks_in(browser, party_site):
    from django.utils import timezone

    from tongxin.party.models import Activity, Attendance

    context, page, watch = _open(browser)
    login(page, party_site["url"], "secretary")
    page.goto(f"{party_site['url']}{reverse('party:activity-create')}")
    form = page.get_by_test_id("activity-form")
    form.get_by_label("党组织").select_option(label="洪山监狱一监区党支部")
    form.get_by_label("类型").select_option(label="主题党日")
    now = timezone.localtime()
    form.get_by_label("日期").fill(now.strftime("%Y-%m-%d"))
    form.get_by_label("日期").press("Tab")  # the change event, if filling did not fire it
    # htmx loads one attendance row per member of the branch, again after each of the three
    # changes above: let every reload land before choosing, or a late one resets the choices.
    page.wait_for_load_state("networkidle")
    page.get_by_label("黄党员的出席情况").wait_for()
    form.get_by_label("主题").fill("重温入党誓词 · 学习贯彻党的二十大精神")
    start = (now - dt.timedelta(minutes=5)).strftime("%Y-%m-%dT%H:%M")
    end = (now + dt.timedelta(minutes=85)).strftime("%Y-%m-%dT%H:%M")
    page.locator("input[name=starts_at]").fill(start)
    page.locator("input[name=ends_at]").fill(end)
    page.get_by_label("杨委员的出席情况").select_option(label="请假")
    page.get_by_label("杨委员的请假事由").fill("带班执勤")
    page.get_by_label("黄党员的出席情况").select_option(label="缺席")
    with page.expect_navigation():
        page.get_by_role("button", name="保存").click()
    assert "应到 4 人,实到 2 人,请假 1 人" in page.get_by_test_id("counts").inner_text()
    page.get_by_test_id("qr").locator("svg").wait_for()
    checkin_url = page.locator("a.tx-mono").get_attribute("href")
    _screenshot(page, "party-activity.png")
    watch.assert_clean()
    context.close()

    context, phone_page, phone_watch = _open(
        browser, viewport=PHONE, device_scale_factor=2, is_mobile=True, has_touch=True
    )
    login(phone_page, party_site["url"], "member")
    phone_page.goto(checkin_url)
    with phone_page.expect_navigation():
        phone_page.get_by_role("button", name="确认签到").tap()
    assert "签到成功" in phone_page.get_by_test_id("checkin-success").inner_text()
    _screenshot(phone_page, "party-checkin.png")
    phone_watch.assert_clean()
    context.close()

    activity = Activity.objects.get()
    assert activity.present_count == 3
    member = party_site["members"][3]
    assert Attendance.objects.get(activity=activity, member=member).checked_in_at is not None
