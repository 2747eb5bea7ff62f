"""The review procedure in a real browser (Debian's Chromium, Playwright, the live server), as
the people of 洪山 prison take a reduction from the district's proposal to the court's ruling,
each at their own browser (one context, one login per person):

the district officer finds the prisoner, reads the engine's verdict and the legal maximum,
proposes one month too many (the Chinese reason appears beside the field), then the maximum;
the section officer approves from 我的待办 (two reviewers are drawn); each drawn reviewer
disposes of the risk alert (the first tries to agree before disposing and is told why not) and
agrees; the committee approves; the clerk publishes the notice, which the prison's public
notice page then lists, and cannot close it before its five working days have passed; the
warden decides, the clerk submits to the court and records the ruling.

No console error, no uncaught exception, no CSP violation on any of the pages. Screenshots land
in ``var/screenshots/`` (sentencing-*.png).
"""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.urls import reverse

from tests.web.test_browser import _open, _screenshot, browser, login  # noqa: F401
from tongxin.prisoners.models import SentenceChange
from tongxin.sentencing import services
from tongxin.sentencing.models import Case, CaseStatus, ReviewerAssignment

pytestmark = pytest.mark.browser


@pytest.fixture
def site(transactional_db, live_server, staff, prisoner):
    # A duty-crime prisoner: a special category, so the proposal raises a risk alert that the
    # reviewers must dispose of. Six years, three served, two commendations: reducible now.
    prisoner.name = "周某"
    prisoner.crimes = "受贿罪"
    prisoner.categories = ["duty_crime"]
    prisoner.save()
    return {"url": live_server.url, "staff": staff, "prisoner": prisoner}


class People:
    """One browser context per person, opened on first use and closed at the end; the console
    of every page any of them saw is checked."""

    def __init__(self, browser, base: str):  # noqa: F811
        self.browser, self.base = browser, base
        self.open: dict[str, tuple] = {}
        self.refusals: set[str] = set()

    def page(self, username: str):
        if username not in self.open:
            context, page, watch = _open(self.browser)
            login(page, self.base, username)
            self.open[username] = (context, page, watch)
        return self.open[username][1]

    def refused(self, page) -> None:
        """The page now shows a refusal we provoked: a 400 document, which Chromium reports
        on the console ("Failed to load resource"); that one line is expected."""
        self.refusals.add(
            f"Failed to load resource: the server responded with a status of 400 (Bad Request)"
            f" @ {page.url}"
        )

    def assert_clean(self) -> None:
        for _, page, watch in self.open.values():
            watch.console_errors = [e for e in watch.console_errors if e not in self.refusals]
            if not page.is_closed():
                watch.assert_clean()

    def close(self) -> None:
        for context, _, _ in self.open.values():
            context.close()


@pytest.fixture
def people(browser, site):  # noqa: F811
    crowd = People(browser, site["url"])
    yield crowd
    crowd.close()


def _open_from_tasks(page, base: str, case: Case) -> None:
    """From the case list, 我的待办, then the case's number."""
    page.goto(f"{base}{reverse('sentencing:case-list')}")
    page.get_by_test_id("sentencing-nav").get_by_role("link", name="我的待办").click()
    page.get_by_role("heading", name="我的待办").wait_for()
    with page.expect_navigation():
        page.get_by_test_id("case-table").get_by_role("link", name=case.number).click()
    page.get_by_test_id("actions").wait_for()


def _decide(page, opinion: str) -> None:
    form = page.get_by_test_id("act-decide")
    form.get_by_label("同意", exact=True).check()
    form.get_by_label("意见内容").fill(opinion)
    with page.expect_navigation():
        form.get_by_role("button", name="提交").click()
    page.get_by_text("已提交审批意见。").wait_for()


def _case(pk: int) -> Case:
    return Case.objects.get(pk=pk)


def test_a_reduction_from_proposal_to_ruling(site, people):
    base, staff, prisoner = site["url"], site["staff"], site["prisoner"]

    # --- the district officer proposes --------------------------------------------------------
    page = people.page("district")
    page.goto(f"{base}{reverse('sentencing:propose-start')}")
    page.get_by_label("罪犯姓名或编号").fill(prisoner.number)
    with page.expect_navigation():
        page.get_by_role("button", name="查找").click()
    with page.expect_navigation():
        page.get_by_test_id("prisoner-table").get_by_role("link", name="提请").click()
    verdict = page.get_by_test_id("verdict-reduction")
    assert verdict.locator("h3 .badge").inner_text() == "符合条件"  # not 暂不符合条件
    maximum = int(re.fullmatch(r"(\d+)个月", page.get_by_test_id("max-months").inner_text())[1])
    assert maximum > 0
    assert f"依法本次最多可减{maximum}个月" in page.get_by_test_id("propose-form").inner_text()
    assert "确有悔改表现" in page.get_by_test_id("merit").inner_text()

    form = page.get_by_test_id("propose-form")
    form.get_by_label("减刑", exact=True).check()
    months = form.get_by_label("建议减刑幅度(月)")
    months.fill(str(maximum + 1))
    form.get_by_label("提请理由").fill("监区集体研究:该犯认罪悔罪,确有悔改表现,提请减刑。")
    with page.expect_navigation():
        form.get_by_role("button", name="提请", exact=True).click()
    field = page.locator(".tx-invalid").filter(has=page.get_by_label("建议减刑幅度(月)"))
    message = f"建议幅度{maximum + 1}个月超过依法可减的最大幅度{maximum}个月。"
    assert field.locator(".invalid-feedback").inner_text() == message
    assert not Case.objects.exists()
    people.refused(page)
    _screenshot(page, "sentencing-propose-error.png")

    page.get_by_label("建议减刑幅度(月)").fill(str(maximum))
    with page.expect_navigation():
        page.get_by_role("button", name="提请", exact=True).click()
    case = Case.objects.get()
    page.get_by_text(f"已提请,案件编号 {case.number}。").wait_for()
    assert page.get_by_test_id("amount").inner_text() == f"减刑{maximum}个月"
    assert case.alerts.count() >= 1  # the special category

    # --- the section officer approves from 我的待办 ------------------------------------------
    page = people.page("section")
    _open_from_tasks(page, base, case)
    _screenshot(page, "sentencing-section.png")
    _decide(page, "材料齐全,符合减刑条件,同意提请。")
    assert _case(case.pk).status == CaseStatus.SECTION_REVIEWED
    drawn = list(
        ReviewerAssignment.objects.filter(case=case).select_related("reviewer").order_by("id")
    )
    assert len(drawn) == 2
    for name in (a.reviewer.username for a in drawn):
        assert name in {u.username for u in staff.reviewers}

    # --- each drawn reviewer disposes of the alerts and agrees -------------------------------
    for n, assignment in enumerate(drawn):
        page = people.page(assignment.reviewer.username)
        _open_from_tasks(page, base, case)
        review = page.get_by_test_id("act-review")
        if n == 0:
            # Agreeing with an alert open is refused, with the reason above the form.
            review.get_by_label("同意", exact=True).check()
            review.get_by_label("评审理由").fill("符合条件,同意。")
            with page.expect_navigation():
                review.get_by_role("button", name="提交").click()
            errors = page.get_by_test_id("act-review").get_by_test_id("form-errors")
            assert "尚有风险预警未处置" in errors.inner_text()
            assert "从严类别罪犯" in errors.inner_text()
            people.refused(page)
            _screenshot(page, "sentencing-review-refused.png")
        for _ in range(page.get_by_test_id("dispose-form").count()):
            dispose = page.get_by_test_id("dispose-form").first
            dispose.get_by_label("处置意见").fill("已核实:受贿罪属从严类别,已按从严标准审查幅度。")
            with page.expect_navigation():
                dispose.get_by_role("button", name="提交处置意见").click()
            page.get_by_text("已处置风险预警。").wait_for()
        review = page.get_by_test_id("act-review")
        review.get_by_label("同意", exact=True).check()
        review.get_by_label("评审理由").fill("改造表现属实,幅度在依法范围内,同意提请。")
        with page.expect_navigation():
            review.get_by_role("button", name="提交").click()
        page.get_by_text("已提交评审意见。").wait_for()
    assert _case(case.pk).status == CaseStatus.CENTRE_REVIEWED
    assert not case.alerts.filter(disposed_at__isnull=True).exists()

    # --- the committee approves ---------------------------------------------------------------
    page = people.page("committee")
    _open_from_tasks(page, base, case)
    _decide(page, "经评审委员会评审,同意提请减刑。")
    assert _case(case.pk).status == CaseStatus.COMMITTEE_APPROVED

    # --- the clerk publishes the notice; the prison's notice page lists the case ------------
    page = people.page("clerk")
    _open_from_tasks(page, base, case)
    with page.expect_navigation():
        page.get_by_test_id("act-publish-notice").get_by_role("button", name="提交").click()
    page.get_by_text("已开始狱内公示。").wait_for()
    case = _case(case.pk)
    assert case.status == CaseStatus.IN_NOTICE
    with page.expect_navigation():
        page.get_by_role("link", name="狱内公示", exact=True).click()
    sheet = page.get_by_test_id("notice-table")
    row = sheet.locator("tbody tr").filter(has_text=prisoner.name)
    assert row.count() == 1
    text = row.inner_text()
    assert f"减刑{maximum}个月" in text and "受贿罪" in text
    assert f"{case.notice_start:%Y-%m-%d}至{case.notice_end:%Y-%m-%d}" in text
    assert prisoner.number not in text  # masked on a public notice
    _screenshot(page, "sentencing-notice.png")

    # Closing before five working days have passed is refused.
    page.goto(f"{base}{reverse('sentencing:case-detail', args=[case.pk])}")
    with page.expect_navigation():
        page.get_by_test_id("act-close-notice").get_by_role("button", name="提交").click()
    refusal = page.get_by_test_id("act-close-notice").get_by_test_id("form-errors")
    assert "期满后方可结束公示" in refusal.inner_text()
    people.refused(page)
    # A browser cannot move the calendar: the notice is closed through the service, as on the
    # first day after its period (``today=``), by the same clerk.
    services.close_notice(
        user=staff.clerk,
        case=case,
        expected_version=_case(case.pk).version,
        today=case.notice_end + dt.timedelta(days=1),
    )

    # --- the warden decides, the clerk submits and records the ruling ------------------------
    page = people.page("warden")
    _open_from_tasks(page, base, case)
    _decide(page, "监狱长办公会研究,同意提请人民法院裁定。")
    assert _case(case.pk).status == CaseStatus.DIRECTOR_APPROVED

    page = people.page("clerk")
    _open_from_tasks(page, base, case)
    with page.expect_navigation():
        page.get_by_test_id("act-submit").get_by_role("button", name="提交").click()
    page.get_by_text("案件已提请。").wait_for()
    assert _case(case.pk).status == CaseStatus.SUBMITTED

    ruling = page.get_by_test_id("act-ruling")
    ruling.get_by_label("裁定(批准)").check()
    ruling.get_by_label("裁定书号").fill("(2026)鄂01刑更321号")
    ruling.get_by_label("裁定减刑(月)").fill(str(maximum))
    with page.expect_navigation():
        ruling.get_by_role("button", name="提交").click()
    page.get_by_text("已登记裁定。").wait_for()
    case = _case(case.pk)
    assert case.status == CaseStatus.CLOSED and case.outcome == "granted"
    assert "(2026)鄂01刑更321号" in page.get_by_test_id("ruling").inner_text()
    assert page.get_by_test_id("no-actions").is_visible()
    change = SentenceChange.objects.get(prisoner=prisoner)
    assert change.months == maximum and change.case_id == case.pk
    _screenshot(page, "sentencing-case-closed.png")

    page.goto(f"{base}{reverse('sentencing:case-list')}")
    page.get_by_test_id("case-table").get_by_role("link", name=case.number).wait_for()
    _screenshot(page, "sentencing-case-list.png")
    people.assert_clean()
