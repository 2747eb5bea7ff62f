"""The review pages: the case list and its export, my tasks, a case with the forms of the acts
open to the user, the proposal, a prison's public notice.

``propose`` and ``drive`` (a case taken through the services to a given status) are shared
with the API, document and selector tests."""

from __future__ import annotations

import datetime as dt
import io
import random
import re

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from tests.conftest import make_user
from tests.sentencing.conftest import commend, make_prisoner
from tongxin.audit.models import AuditEntry
from tongxin.prisoners.models import PointsEntry
from tongxin.sentencing import services
from tongxin.sentencing.models import Case, CaseStatus, CaseStep, Objection, RiskAlert

pytestmark = pytest.mark.django_db

ORDER = [
    CaseStatus.PROPOSED,
    CaseStatus.SECTION_REVIEWED,
    CaseStatus.CENTRE_REVIEWED,
    CaseStatus.COMMITTEE_APPROVED,
    CaseStatus.IN_NOTICE,
    CaseStatus.NOTICE_CLOSED,
    CaseStatus.DIRECTOR_APPROVED,
    CaseStatus.SUBMITTED,
    CaseStatus.CLOSED,
]
TEMPORARY_ORDER = [*ORDER[:7], CaseStatus.SUBMITTED_TO_BUREAU, CaseStatus.CLOSED]


def propose(staff, prisoner, months=6, *, by=None, **extra):
    fields = {
        "kind": "reduction",
        "proposed_months": months,
        "reasons": "监区集体研究:该犯确有悔改表现,提请减刑。",
    }
    fields.update(extra)
    return services.propose_case(user=by or staff.district, prisoner=prisoner, **fields)


def district_a2_officer(tree):
    return make_user("district_a2", "district_officer", tree.district_a2)


def drive(staff, case: Case, to: str) -> Case:
    """Take ``case`` through the services, each step by its own person, up to ``to``."""

    def version() -> int:
        case.refresh_from_db()
        return case.version

    def centre():
        for assignment in case.reviewers.select_related("reviewer"):
            for alert in case.alerts.filter(disposed_at__isnull=True):
                services.dispose_alert(
                    user=assignment.reviewer, alert=alert, disposition="已核实,情况属实。"
                )
            services.review(
                user=assignment.reviewer,
                case=case,
                decision="approve",
                opinion="同意提请。",
                expected_version=version(),
            )

    def decide(user, step, opinion):
        return lambda: services.decide(
            user=user,
            case=case,
            step=step,
            decision="approve",
            opinion=opinion,
            expected_version=version(),
            rng=random.Random(1),
        )

    acts = {
        CaseStatus.SECTION_REVIEWED: decide(staff.section, "section_review", "材料齐全,符合条件。"),
        CaseStatus.CENTRE_REVIEWED: centre,
        CaseStatus.COMMITTEE_APPROVED: decide(staff.committee, "committee", "评审委员会同意。"),
        CaseStatus.IN_NOTICE: lambda: services.publish_notice(
            user=staff.clerk, case=case, start=timezone.localdate(), expected_version=version()
        ),
        CaseStatus.NOTICE_CLOSED: lambda: services.close_notice(
            user=staff.clerk,
            case=case,
            expected_version=version(),
            today=case.notice_end + dt.timedelta(days=1),
        ),
        CaseStatus.DIRECTOR_APPROVED: decide(staff.warden, "director", "监狱长办公会同意。"),
        CaseStatus.SUBMITTED: lambda: services.submit(
            user=staff.clerk, case=case, expected_version=version()
        ),
        CaseStatus.SUBMITTED_TO_BUREAU: lambda: services.submit(
            user=staff.clerk, case=case, expected_version=version()
        ),
    }
    order = TEMPORARY_ORDER if case.kind == "temporary" else ORDER
    for status in order[order.index(case.status) + 1 : order.index(to) + 1]:
        if status == CaseStatus.CLOSED and case.kind == "temporary":
            decide(staff.bureau, "bureau_approval", "同意暂予监外执行。")()
        elif status == CaseStatus.CLOSED:
            services.record_ruling(
                user=staff.clerk,
                case=case,
                ruling_date=timezone.localdate(),
                granted=True,
                months=5,
                ruling_number="(2026)鄂01刑更100号",
                expected_version=version(),
            )
        else:
            acts[status]()
        case.refresh_from_db()
    return case


def risky_prisoner(tree, **extra):
    """A prisoner whose proposal raises alerts (special category, property unpaid)."""
    p = make_prisoner(
        tree.district_a1,
        property_amount=5000,
        property_paid=1000,
        categories=["financial"],
        **extra,
    )
    commend(p)
    return p


def detail_url(case) -> str:
    return reverse("sentencing:case-detail", args=[case.pk])


def act_url(case, action) -> str:
    return reverse("sentencing:case-act", args=[case.pk, action])


def post_decide(client, case, step, *, version=None, decision="approve", opinion="同意。"):
    return client.post(
        act_url(case, "decide"),
        {
            "decide-expected_version": case.version if version is None else version,
            "decide-step": step,
            "decide-decision": decision,
            "decide-opinion": opinion,
        },
    )


@pytest.fixture
def b_viewer(roles, tree):
    """襄南 prison's penalty-execution officer: nothing of 洪山 is in scope."""
    return make_user("section_b", "penalty_officer", tree.prison_b)


# --- the list -------------------------------------------------------------------------------


def test_the_list_shows_the_columns_and_narrows_by_every_filter(client, staff, tree, prisoner):
    case = propose(staff, prisoner)
    risky = propose(staff, risky_prisoner(tree, name="陈某"), months=4)
    other = make_prisoner(tree.district_a2, name="周某")
    commend(other)
    parole = propose(
        staff,
        other,
        kind="parole",
        risk_assessment="评估:再犯罪危险低。",
        by=district_a2_officer(tree),
    )
    client.force_login(staff.section)
    url = reverse("sentencing:case-list")

    html = client.get(url).content.decode()
    for c in (case, risky, parole):
        assert c.number in html
    assert "减刑6个月" in html and "假释" in html and "监区已提请" in html
    open_alerts = risky.alerts.count()
    assert open_alerts >= 2
    assert f'text-bg-danger">{open_alerts}</span>' in html

    def numbers(query):
        page = client.get(url, query).content.decode()
        return {c.number for c in (case, risky, parole) if c.number in page}

    assert numbers({"kind": "parole"}) == {parole.number}
    assert numbers({"q": "陈某"}) == {risky.number}
    assert numbers({"q": prisoner.number}) == {case.number}
    assert numbers({"q": case.number[-4:]}) >= {case.number}
    assert numbers({"under": tree.district_a2.pk}) == {parole.number}
    assert numbers({"year": timezone.localdate().year}) == {
        case.number,
        risky.number,
        parole.number,
    }
    assert numbers({"year": timezone.localdate().year - 1}) == set()
    assert numbers({"status": "closed"}) == set()
    # A unit outside the scope is not a filter: 404.
    assert client.get(url, {"under": tree.district_b1.pk}).status_code == 404


def test_the_list_counts_days_in_the_current_step(client, staff, prisoner):
    case = propose(staff, prisoner)
    CaseStep.objects.filter(case=case).update(acted_at=timezone.now() - dt.timedelta(days=7))
    client.force_login(staff.section)
    html = client.get(reverse("sentencing:case-list")).content.decode()
    assert '<td class="text-end">7</td>' in html


def test_export_is_the_filtered_list_and_is_audited(client, staff, tree, prisoner):
    propose(staff, prisoner)
    other = make_prisoner(tree.district_a2, name="周某")
    commend(other)
    propose(
        staff,
        other,
        kind="parole",
        risk_assessment="评估:再犯罪危险低。",
        by=district_a2_officer(tree),
    )
    client.force_login(staff.section)
    response = client.get(reverse("sentencing:case-export"), {"kind": "parole"})
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][0] == "案件编号"
    assert [r[2] for r in rows[1:]] == ["周某"]
    entry = AuditEntry.objects.get(action="sentencing.case.export")
    assert "1 件" in entry.summary


def test_a_user_of_another_prison_sees_nothing(client, staff, prisoner, b_viewer, tree):
    case = drive(staff, propose(staff, prisoner), CaseStatus.IN_NOTICE)
    client.force_login(b_viewer)
    html = client.get(reverse("sentencing:case-list")).content.decode()
    assert case.number not in html and "共 0 件" in html
    export = client.get(reverse("sentencing:case-export"))
    rows = list(load_workbook(io.BytesIO(export.content)).active.iter_rows(values_only=True))
    assert len(rows) == 1
    assert case.number not in client.get(reverse("sentencing:tasks")).content.decode()
    assert client.get(detail_url(case)).status_code == 404
    assert client.get(reverse("sentencing:case-pdf", args=[case.pk])).status_code == 404
    assert client.get(reverse("sentencing:notice", args=[tree.prison_a.pk])).status_code == 404
    assert client.get(reverse("sentencing:notice-pdf", args=[tree.prison_a.pk])).status_code == 404
    assert (
        client.get(reverse("sentencing:propose", args=[prisoner.pk])).status_code == 403
    )  # no proposing role at all
    assert post_decide(client, case, "committee").status_code == 404


def test_pages_need_the_view_permission(client, roles, tree, staff, prisoner):
    case = propose(staff, prisoner)
    nobody = make_user("nobody", "member", tree.prison_a)
    client.force_login(nobody)
    for url in (
        reverse("sentencing:case-list"),
        reverse("sentencing:tasks"),
        detail_url(case),
        reverse("sentencing:case-export"),
    ):
        assert client.get(url).status_code == 403, url


# --- my tasks -------------------------------------------------------------------------------


def test_my_tasks_follow_the_case_from_person_to_person(client, staff, prisoner):
    case = propose(staff, prisoner)
    url = reverse("sentencing:tasks")

    def waiting_for(user) -> bool:
        client.force_login(user)
        return case.number in client.get(url).content.decode()

    assert waiting_for(staff.section) and waiting_for(staff.clerk)
    assert not waiting_for(staff.district)  # withdrawing is an option, not a task
    assert not waiting_for(staff.committee)
    case = drive(staff, case, CaseStatus.SECTION_REVIEWED)
    drawn = set(case.reviewers.values_list("reviewer_id", flat=True))
    for reviewer in staff.reviewers:
        assert waiting_for(reviewer) == (reviewer.pk in drawn)
    assert not waiting_for(staff.section)
    case = drive(staff, case, CaseStatus.CENTRE_REVIEWED)
    assert waiting_for(staff.committee)
    case = drive(staff, case, CaseStatus.COMMITTEE_APPROVED)
    assert waiting_for(staff.clerk)
    assert not waiting_for(staff.section)  # decided at the section review
    case = drive(staff, case, CaseStatus.NOTICE_CLOSED)
    assert waiting_for(staff.warden)
    case = drive(staff, case, CaseStatus.CLOSED)
    for user in (staff.section, staff.clerk, staff.warden, staff.committee):
        assert not waiting_for(user)


# --- the case page --------------------------------------------------------------------------


def test_the_case_page_explains_the_case(client, staff, tree):
    risky = risky_prisoner(tree, name="陈某", crimes="集资诈骗罪")
    conflicted = staff.reviewers[0]
    PointsEntry.objects.create(
        prisoner=risky,
        month=timezone.localdate().replace(day=1),
        kind="addition",
        points=5,
        reason="协助管理",
        officer=conflicted.officer,
    )
    case = drive(staff, propose(staff, risky, months=4), CaseStatus.SECTION_REVIEWED)
    client.force_login(staff.committee)
    html = client.get(detail_url(case)).content.decode()
    assert "陈某" in html and "集资诈骗罪" in html and "有期徒刑 6年" in html
    assert reverse("prisoners:detail", args=[risky.pk]) in html
    assert "减刑4个月" in html
    # The verdict with every reason and its article; the merit and its basis.
    assert "〔规定第七条第一款〕" in html and "〔刑法第七十八条第二款〕" in html
    assert "本次最多可减" in html and "9个月" in html
    assert "确有悔改表现" in html and "表扬2次" in html
    # Alerts, drawn reviewers, who was excluded and why, the steps.
    assert "从严类别" in html and "财产性判项尚有" in html and "尚未处置" in html
    assert "回避情况" in html and f"{conflicted}:近12个月曾为该犯考核计分或呈报奖励" in html
    assert "刑罚执行科审查" in html and "材料齐全,符合条件。" in html
    # The committee can do nothing yet.
    assert 'data-testid="no-actions"' in html


def test_a_failing_reason_is_marked(client, staff, tree):
    """A case judged eligible shows every reason as holding; the proposal page of a prisoner
    not yet eligible marks the failing one."""
    early = make_prisoner(
        tree.district_a1, execution_start=timezone.localdate() - dt.timedelta(days=200)
    )
    commend(early)
    client.force_login(staff.district)
    html = client.get(reverse("sentencing:propose", args=[early.pk])).content.decode()
    assert 'data-passes="0"' in html and "不符合" in html and "暂不符合条件" in html


def test_forms_are_offered_only_to_who_may_act(client, staff, prisoner):
    case = propose(staff, prisoner)
    client.force_login(staff.section)
    html = client.get(detail_url(case)).content.decode()
    assert 'data-testid="act-decide"' in html
    assert f'name="decide-expected_version" value="{case.version}"' in html
    assert 'value="section_review"' in html
    client.force_login(staff.district)
    html = client.get(detail_url(case)).content.decode()
    assert 'data-testid="act-decide"' not in html and 'data-testid="act-withdraw"' in html
    case = drive(staff, case, CaseStatus.COMMITTEE_APPROVED)
    client.force_login(staff.section)
    html = client.get(detail_url(case)).content.decode()
    assert 'data-testid="act-publish-notice"' not in html
    assert "分权" in html and 'data-testid="separation-note"' in html
    client.force_login(staff.clerk)
    assert 'data-testid="act-publish-notice"' in client.get(detail_url(case)).content.decode()


def test_the_whole_procedure_through_the_pages(client, staff, tree):
    risky = risky_prisoner(tree, name="陈某")
    case = propose(staff, risky, months=4)
    client.force_login(staff.section)
    response = post_decide(client, case, "section_review", opinion="材料齐全。")
    assert response.status_code == 302 and response["Location"] == detail_url(case)
    case.refresh_from_db()
    assert case.status == CaseStatus.SECTION_REVIEWED
    first, second = [a.reviewer for a in case.reviewers.select_related("reviewer")]

    # A reviewer may not agree while an alert is open: 400 with the reason.
    client.force_login(first)
    review = {"review-decision": "approve", "review-opinion": "同意。"}
    response = client.post(
        act_url(case, "review"), {**review, "review-expected_version": case.version}
    )
    assert response.status_code == 400
    assert "尚有风险预警未处置" in response.content.decode()
    html = client.get(detail_url(case)).content.decode()
    assert 'data-testid="dispose-form"' in html
    for alert in case.alerts.all():
        case.refresh_from_db()
        url = reverse("sentencing:alert-dispose", args=[case.pk, alert.pk])
        prefix = f"alert-{alert.pk}"
        response = client.post(
            url,
            {f"{prefix}-expected_version": case.version, f"{prefix}-disposition": "已核实。"},
        )
        assert response.status_code == 302
    assert not RiskAlert.objects.filter(case=case, disposed_at__isnull=True).exists()
    for reviewer in (first, second):
        client.force_login(reviewer)
        case.refresh_from_db()
        response = client.post(
            act_url(case, "review"), {**review, "review-expected_version": case.version}
        )
        assert response.status_code == 302
    case.refresh_from_db()
    assert case.status == CaseStatus.CENTRE_REVIEWED

    client.force_login(staff.committee)
    assert post_decide(client, case, "committee").status_code == 302
    case.refresh_from_db()
    client.force_login(staff.clerk)
    today = timezone.localdate()
    response = client.post(
        act_url(case, "publish-notice"),
        {"notice-expected_version": case.version, "notice-notice_start": today.isoformat()},
    )
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.status == CaseStatus.IN_NOTICE
    response = client.post(
        act_url(case, "objection"),
        {
            "objection-received_on": today.isoformat(),
            "objection-objector": "罪犯张某",
            "objection-content": "加分不公",
        },
    )
    assert response.status_code == 302
    objection = Objection.objects.get(case=case)
    response = client.post(
        reverse("sentencing:objection-answer", args=[case.pk, objection.pk]),
        {f"answer-{objection.pk}-answer": "经核查,加分有据。"},
    )
    assert response.status_code == 302
    objection.refresh_from_db()
    assert objection.answered_on == today
    # Closing the notice before its end is refused with the reason.
    case.refresh_from_db()
    response = client.post(act_url(case, "close-notice"), {"close-expected_version": case.version})
    assert response.status_code == 400
    assert "期满后方可结束公示" in response.content.decode()


def test_withdraw_through_the_page(client, staff, prisoner):
    case = propose(staff, prisoner)
    client.force_login(staff.district)
    response = client.post(
        act_url(case, "withdraw"),
        {"withdraw-expected_version": case.version, "withdraw-opinion": "材料需补充。"},
    )
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.status == CaseStatus.CLOSED and case.outcome == "withdrawn"


def test_forbidden_acts_through_the_pages(client, staff, prisoner, b_viewer):
    case = propose(staff, prisoner)
    steps = CaseStep.objects.count()
    # Wrong role: the committee at the section's step.
    client.force_login(staff.committee)
    assert post_decide(client, case, "section_review").status_code == 403
    # Wrong step: the committee's own step before the case reached it.
    response = post_decide(client, case, "committee")
    assert response.status_code == 400
    assert "不能办理" in response.content.decode()
    # Out of scope.
    client.force_login(b_viewer)
    assert post_decide(client, case, "section_review").status_code == 404
    # Not the proposer: withdrawing someone else's case.
    other = make_user("district2", "district_officer", staff.district.scope_units.first())
    client.force_login(other)
    response = client.post(
        act_url(case, "withdraw"),
        {"withdraw-expected_version": case.version, "withdraw-opinion": "撤回"},
    )
    assert response.status_code == 403
    # Unknown act, GET on an act.
    client.force_login(staff.section)
    assert client.post(act_url(case, "explode"), {}).status_code == 404
    assert client.get(act_url(case, "decide")).status_code == 405
    case.refresh_from_db()
    assert case.status == CaseStatus.PROPOSED and CaseStep.objects.count() == steps


def test_errors_are_in_chinese_beside_their_field(client, staff, prisoner):
    case = drive(staff, propose(staff, prisoner), CaseStatus.COMMITTEE_APPROVED)
    client.force_login(staff.clerk)
    response = client.post(
        act_url(case, "publish-notice"), {"notice-expected_version": case.version}
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "tx-invalid" in html and "该字段是必填项。" in html
    yesterday = timezone.localdate() - dt.timedelta(days=1)
    response = client.post(
        act_url(case, "publish-notice"),
        {"notice-expected_version": case.version, "notice-notice_start": yesterday.isoformat()},
    )
    assert response.status_code == 400
    html = response.content.decode()
    start = html.index('id="id_notice-notice_start"')
    assert "公示开始日期不能早于今天。" in html[start : start + 600]


def test_two_people_acting_at_once_the_second_is_told(client, staff, prisoner):
    case = propose(staff, prisoner)
    seen = case.version
    client.force_login(staff.section)
    assert (
        post_decide(client, case, "section_review", version=seen, decision="reject").status_code
        == 302
    )
    steps, audits = CaseStep.objects.count(), AuditEntry.objects.count()
    client.force_login(staff.clerk)
    response = post_decide(client, case, "section_review", version=seen)
    assert response.status_code == 409
    html = response.content.decode()
    assert "该案件已被他人处理,请刷新后查看最新状态再办理。" in html
    assert 'data-testid="stale"' in html
    case.refresh_from_db()
    assert case.outcome == "rejected"
    assert CaseStep.objects.count() == steps and AuditEntry.objects.count() == audits


def test_a_stale_alert_disposal_is_refused(client, staff, tree):
    case = drive(staff, propose(staff, risky_prisoner(tree), months=4), "section_reviewed")
    first, second = [a.reviewer for a in case.reviewers.select_related("reviewer")]
    alert = case.alerts.first()
    seen = case.version
    url = reverse("sentencing:alert-dispose", args=[case.pk, alert.pk])
    prefix = f"alert-{alert.pk}"
    client.force_login(first)
    response = client.post(
        url, {f"{prefix}-expected_version": seen, f"{prefix}-disposition": "甲的意见"}
    )
    assert response.status_code == 302
    client.force_login(second)
    response = client.post(
        url, {f"{prefix}-expected_version": seen, f"{prefix}-disposition": "乙的意见"}
    )
    assert response.status_code == 409
    alert.refresh_from_db()
    assert alert.disposition == "甲的意见" and alert.disposed_by == first


# --- the proposal ---------------------------------------------------------------------------


def test_the_proposal_page_shows_the_legal_maximum_and_proposes(client, staff, prisoner):
    url = reverse("sentencing:propose", args=[prisoner.pk])
    client.force_login(staff.district)
    html = client.get(url).content.decode()
    assert "依法本次最多可减9个月" in html and "确有悔改表现" in html
    assert 'data-testid="verdict-reduction"' in html and 'data-testid="verdict-parole"' in html

    too_much = {"kind": "reduction", "proposed_months": 24, "reasons": "集体研究同意。"}
    response = client.post(url, too_much)
    assert response.status_code == 400
    html = response.content.decode()
    start = html.index('id="id_proposed_months"')
    assert "超过依法可减的最大幅度9个月" in html[start : start + 600]
    assert not Case.objects.exists()

    response = client.post(url, {**too_much, "proposed_months": 6})
    case = Case.objects.get()
    assert response.status_code == 302 and response["Location"] == detail_url(case)
    assert case.proposed_months == 6 and case.created_by == staff.district
    assert 'data-testid="open-case"' in client.get(url).content.decode()


def test_a_parole_needs_its_risk_assessment_and_a_temporary_case_its_grounds(client, staff, tree):
    p = make_prisoner(tree.district_a1)
    commend(p)
    url = reverse("sentencing:propose", args=[p.pk])
    client.force_login(staff.district)
    response = client.post(url, {"kind": "parole", "reasons": "集体研究同意。"})
    html = response.content.decode()
    start = html.index('id="id_risk_assessment"')
    assert "假释案件须附再犯罪危险评估意见。" in html[start : start + 600]
    response = client.post(
        url,
        {
            "kind": "temporary",
            "reasons": "该犯患严重疾病。",
            "ground_serious_illness": "on",
            "medical_assessment": "省人民医院诊断:尿毒症晚期。",
        },
    )
    assert response.status_code == 302
    case = Case.objects.get()
    assert case.kind == "temporary" and case.temporary_grounds["serious_illness"] is True


def test_the_proposal_is_scoped_and_needs_the_role(client, staff, tree, prisoner):
    client.force_login(staff.district_b)
    assert client.get(reverse("sentencing:propose", args=[prisoner.pk])).status_code == 404
    client.force_login(staff.section)
    assert client.get(reverse("sentencing:propose", args=[prisoner.pk])).status_code == 403
    client.force_login(staff.district)
    html = client.get(reverse("sentencing:propose-start"), {"q": prisoner.name}).content.decode()
    assert reverse("sentencing:propose", args=[prisoner.pk]) in html


# --- the notice -----------------------------------------------------------------------------


def test_the_notice_page_lists_the_cases_in_notice(client, staff, prisoner, tree):
    case = drive(staff, propose(staff, prisoner), CaseStatus.IN_NOTICE)
    waiting = make_prisoner(tree.district_a1, name="未公示")
    commend(waiting)
    propose(staff, waiting)
    url = reverse("sentencing:notice", args=[tree.prison_a.pk])
    client.force_login(staff.district)  # a district's officer reads the prison's notice
    html = client.get(url).content.decode()
    assert "湖北省洪山监狱" in html and "刘某" in html and "盗窃罪" in html
    assert prisoner.number not in html and prisoner.number[:3] in html  # masked
    assert "减刑6个月" in html and "表扬2次" in html
    assert f"{case.notice_start:%Y-%m-%d}至{case.notice_end:%Y-%m-%d}" in html
    assert "驻监检察室" in html
    assert "未公示" not in html
    # Only prisons: a district's id is not a notice.
    assert client.get(reverse("sentencing:notice", args=[tree.district_a1.pk])).status_code == 404


# --- query counts ---------------------------------------------------------------------------

SMALL, LARGE = 3, 9
ROW = r"P01-\d{4}-JX-\d{4}</a>"

# 5 plumbing (session, user, session saved: savepoint, UPDATE, release) + 2 permissions
# (the user's and their groups', then cached) + scope paths + unread notifications + the
# user's officer (the name in the navbar): 10 before the page's own work.
PINNED_PAGES = {
    # + count + the page's ids + its rows (prisoner and unit joined; open alerts and the last
    # step as subqueries) + the prisons of the notice menu + the units of the filter
    "sentencing:case-list": 15,
    # + count + page (the same query, narrowed by the task conditions)
    "sentencing:tasks": 12,
}


def grow(staff, tree, start, stop):
    for i in range(start, stop):
        if i % 3 == 0:
            p = risky_prisoner(tree, name=f"罪犯{i:02d}")
        else:
            p = make_prisoner(tree.district_a1, name=f"罪犯{i:02d}")
            commend(p)
        case = propose(staff, p, months=3)
        if i % 2:
            CaseStep.objects.filter(case=case).update(
                acted_at=timezone.now() - dt.timedelta(days=i)
            )


@pytest.mark.parametrize("name", list(PINNED_PAGES))
def test_list_pages_have_a_pinned_query_count(client, staff, tree, name, django_assert_num_queries):
    grow(staff, tree, 0, SMALL)
    client.force_login(staff.section)
    url = reverse(name)
    with django_assert_num_queries(PINNED_PAGES[name]):
        response = client.get(url)
    assert len(re.findall(ROW, response.content.decode())) == SMALL
    grow(staff, tree, SMALL, LARGE)
    with django_assert_num_queries(PINNED_PAGES[name]):
        response = client.get(url)
    assert len(re.findall(ROW, response.content.decode())) == LARGE


def test_after_a_409_the_form_keeps_the_text_against_the_latest_state(client, staff, tree):
    case = drive(staff, propose(staff, risky_prisoner(tree), months=4), "section_reviewed")
    first, second = [a.reviewer for a in case.reviewers.select_related("reviewer")]
    one, two = list(case.alerts.all())[:2]
    seen = case.version

    def dispose(alert, version, text):
        prefix = f"alert-{alert.pk}"
        return client.post(
            reverse("sentencing:alert-dispose", args=[case.pk, alert.pk]),
            {f"{prefix}-expected_version": version, f"{prefix}-disposition": text},
        )

    client.force_login(first)
    assert dispose(one, seen, "甲的意见").status_code == 302
    client.force_login(second)
    response = dispose(two, seen, "乙的意见")
    assert response.status_code == 409
    html = response.content.decode()
    assert "乙的意见" in html and "该案件已被他人处理" in html
    assert f'name="alert-{two.pk}-expected_version" value="{seen + 1}"' in html
    assert dispose(two, seen + 1, "乙的意见").status_code == 302


def test_the_ruling_is_recorded_through_the_page(client, staff, prisoner):
    case = drive(staff, propose(staff, prisoner), CaseStatus.SUBMITTED)
    client.force_login(staff.clerk)
    html = client.get(detail_url(case)).content.decode()
    assert 'data-testid="act-ruling"' in html and "裁定书号" in html
    today = timezone.localdate().isoformat()
    data = {
        "ruling-expected_version": case.version,
        "ruling-granted": "1",
        "ruling-ruling_date": today,
        "ruling-ruling_months": "",
        "ruling-ruling_number": "(2026)鄂01刑更7号",
    }
    response = client.post(act_url(case, "ruling"), data)
    assert response.status_code == 400
    html = response.content.decode()
    start = html.index('id="id_ruling-ruling_months"')
    assert "请填写裁定减刑幅度。" in html[start : start + 600]
    response = client.post(act_url(case, "ruling"), {**data, "ruling-ruling_months": "5"})
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.status == CaseStatus.CLOSED and case.outcome == "partly_granted"
    html = client.get(detail_url(case)).content.decode()
    assert "(2026)鄂01刑更7号 部分裁定 减刑5个月" in html
