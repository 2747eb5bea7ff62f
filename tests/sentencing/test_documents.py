"""The official documents as PDF, read back with pdfminer: the proposal to the court, the
approval form of temporary execution and the notice carry the Chinese facts; downloads are
scoped and audited."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.urls import reverse
from django.utils import timezone
from pdfminer.high_level import extract_text

from tests.conftest import make_user
from tests.sentencing.conftest import commend, make_prisoner
from tests.sentencing.test_pages import drive, propose
from tongxin.audit.models import AuditEntry
from tongxin.prisoners.models import PointsEntry, SentenceChange
from tongxin.sentencing.models import CaseStatus

pytestmark = pytest.mark.django_db

LONG_REASONS = "监区集体研究认为:该犯认罪悔罪,遵守监规,积极参加思想、文化、职业技术教育," * 8


def text_of(response) -> str:
    """The PDF's text with every blank removed (wrapping breaks lines anywhere)."""
    assert response["Content-Type"] == "application/pdf"
    return "".join(extract_text(io.BytesIO(response.content)).split())


def squeeze(value) -> str:
    return "".join(str(value).split())


@pytest.fixture
def recorded(tree):
    """A prisoner with a court, a judgment, a previous reduction, points and commendations."""
    today = timezone.localdate()
    p = make_prisoner(
        tree.district_a1,
        name="刘某某",
        crimes="盗窃罪、诈骗罪",
        court="武汉市中级人民法院",
        judgment_number="(2023)鄂01刑初88号",
    )
    SentenceChange.objects.create(
        prisoner=p,
        kind="reduction",
        ruling_date=today - dt.timedelta(days=400),
        months=3,
        court="武汉市中级人民法院",
        ruling_number="(2025)鄂01刑更5号",
    )
    PointsEntry.objects.create(
        prisoner=p,
        month=(today - dt.timedelta(days=60)).replace(day=1),
        kind="base",
        supervision=35,
        education=35,
        labour=30,
        points=100,
        reason="月度考核",
    )
    commend(p)
    return p


def test_the_reduction_proposal_carries_the_facts(client, staff, recorded, tree):
    case = propose(staff, recorded, months=5, reasons=LONG_REASONS)
    case = drive(staff, case, CaseStatus.SUBMITTED)
    client.force_login(staff.section)
    response = client.get(reverse("sentencing:case-pdf", args=[case.pk]))
    assert response.status_code == 200
    assert "attachment" in response["Content-Disposition"]
    text = text_of(response)
    p = recorded
    for needle in (
        "湖北省洪山监狱",
        "提请减刑建议书",
        case.number,
        p.name,
        p.number,
        "男",
        "1980年3月14日",
        "盗窃罪、诈骗罪",
        "武汉市中级人民法院",
        "(2023)鄂01刑初88号",
        "有期徒刑6年",
        f"{p.execution_start.year}年{p.execution_start.month}月{p.execution_start.day}日",
        "(2025)鄂01刑更5号",
        "减刑3个月",
        "确有悔改表现",
        "获表扬2次",
        "累计考核得分100",
        "计分考核累计达到600分",
        f"建议对罪犯{p.name}减刑5个月",
        "规定第六条第三款",  # the interval since the previous reduction
        "刑法第七十八条第二款",
        "材料齐全,符合条件。",
        "评审委员会同意。",
        "监狱长办公会同意。",
        "狱内公示",
        "中级人民法院(抄送人民检察院)",
        squeeze(LONG_REASONS),  # the long reasons wrap and are all there
    ):
        assert squeeze(needle) in text, needle
    assert (
        text.endswith(
            squeeze(
                f"(公章){case.submitted_on.year}年{case.submitted_on.month}月{case.submitted_on.day}日"
            )
        )
        or "(公章)" in text
    )
    entry = AuditEntry.objects.get(action="sentencing.case.document")
    assert entry.object_id == str(case.pk) and "提请减刑建议书" in entry.summary


def test_the_term_end_after_rulings_is_printed(client, staff, recorded):
    from tongxin.sentencing import judge

    case = propose(staff, recorded, months=5)
    end = judge.term_end(recorded)
    client.force_login(staff.section)
    text = text_of(client.get(reverse("sentencing:case-pdf", args=[case.pk])))
    assert f"{end.year}年{end.month}月{end.day}日" in text


def test_the_parole_proposal_has_its_risk_assessment(client, staff, tree):
    p = make_prisoner(tree.district_a1, name="赵某")
    commend(p)
    case = propose(staff, p, kind="parole", risk_assessment="经评估,该犯再犯罪危险低。")
    client.force_login(staff.district)
    text = text_of(client.get(reverse("sentencing:case-pdf", args=[case.pk])))
    assert "提请假释建议书" in text and "建议对罪犯赵某予以假释" in text
    assert "经评估,该犯再犯罪危险低。" in text


def test_the_temporary_approval_form(client, staff, tree):
    p = make_prisoner(tree.district_a1, name="孙某")
    case = propose(
        staff,
        p,
        kind="temporary",
        reasons="该犯患严重疾病,监区集体研究提请保外就医。",
        medical_assessment="湖北省人民医院诊断:尿毒症晚期,需长期透析。",
        temporary_grounds={"serious_illness": True},
    )
    case = drive(staff, case, CaseStatus.CLOSED)
    client.force_login(staff.section)
    text = text_of(client.get(reverse("sentencing:case-pdf", args=[case.pk])))
    for needle in (
        "暂予监外执行审批表",
        "孙某",
        "有严重疾病需要保外就医",
        "湖北省人民医院诊断:尿毒症晚期,需长期透析。",
        "刑罚执行科意见",
        "评审中心意见",
        "省监狱管理局审批意见",
        "同意暂予监外执行。",
        "刑事诉讼法",
    ):
        assert squeeze(needle) in text, needle


def test_the_notice_pdf(client, staff, recorded, tree):
    case = drive(staff, propose(staff, recorded, months=5), CaseStatus.IN_NOTICE)
    client.force_login(staff.clerk)
    response = client.get(reverse("sentencing:notice-pdf", args=[tree.prison_a.pk]))
    assert response.status_code == 200
    text = text_of(response)
    for needle in (
        "湖北省洪山监狱",
        "减刑、假释、暂予监外执行案件公示",
        "刘某某",
        recorded.number[:3],
        "盗窃罪、诈骗罪",
        "有期徒刑6年",
        "减刑5个月",
        "表扬2次",
        f"{case.notice_start:%Y-%m-%d}至{case.notice_end:%Y-%m-%d}",
        "驻监检察室",
    ):
        assert squeeze(needle) in text, needle
    assert recorded.number not in text  # masked
    assert AuditEntry.objects.filter(action="sentencing.notice.document").count() == 1


def test_documents_are_scoped(client, staff, prisoner, roles, tree):
    case = drive(staff, propose(staff, prisoner), CaseStatus.IN_NOTICE)
    outsider = make_user("section_b", "penalty_officer", tree.prison_b)
    client.force_login(outsider)
    assert client.get(reverse("sentencing:case-pdf", args=[case.pk])).status_code == 404
    assert client.get(reverse("sentencing:notice-pdf", args=[tree.prison_a.pk])).status_code == 404
    # Prison B's own notice has nothing of prison A.
    text = text_of(client.get(reverse("sentencing:notice-pdf", args=[tree.prison_b.pk])))
    assert "湖北省襄南监狱" in text and prisoner.name not in text
    assert not AuditEntry.objects.filter(action="sentencing.case.document").exists()
