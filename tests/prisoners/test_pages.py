"""The registry pages: the list with its filters and export, the detail page with the ledger,
the recording forms (errors in Chinese next to their fields, nothing written), scope (404),
ID masking, no inline script or style, and pinned query counts."""

from __future__ import annotations

import datetime as dt
import io
import re

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from tests.conftest import make_user
from tests.prisoners.conftest import base_line, make_prisoner, months_back, this_month
from tongxin.audit.models import AuditEntry
from tongxin.prisoners import services
from tongxin.prisoners.models import (
    JobAssignment,
    PointsEntry,
    Prisoner,
    Punishment,
    Reward,
    SentenceChange,
    SentenceType,
    Violation,
)

pytestmark = pytest.mark.django_db

LIST = reverse("prisoners:list")
EXPORT = reverse("prisoners:export")


def detail(prisoner) -> str:
    return reverse("prisoners:detail", args=[prisoner.pk])


def record(prisoner, action: str) -> str:
    return reverse("prisoners:record", args=[prisoner.pk, action])


def cancel(prisoner, what: str, item) -> str:
    return reverse("prisoners:cancel", args=[prisoner.pk, what, item.pk])


def page(client, url, status=200) -> str:
    response = client.get(url)
    assert response.status_code == status, response.content[:500]
    return response.content.decode()


def field_errors(html: str) -> list[str]:
    return re.findall(r'<div class="invalid-feedback d-block">([^<]+)</div>', html)


def assert_no_inline_script_or_style(html: str) -> None:
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html), "inline script"
    assert not re.search(r"\sstyle=", html), "inline style"
    assert not re.search(r"\son[a-z]+=", html), "inline event handler"


def workbook_rows(content: bytes) -> list[list]:
    sheet = load_workbook(io.BytesIO(content)).worksheets[0]
    return [list(row) for row in sheet.iter_rows(values_only=True)]


# --- the list -----------------------------------------------------------------------------------


def test_list_shows_the_registry_columns(client, tree, people, penalty_a):
    make_prisoner(
        tree.district_a1,
        "赵某某",
        crimes="受贿罪",
        categories=["duty_crime"],
        is_recidivist=True,
        sentence_type=SentenceType.LIFE,
        term_years=0,
        term_months=0,
        status="temporary_outside",
    )
    client.force_login(penalty_a)
    html = page(client, LIST)
    assert "罪犯名册" in html
    assert people.a.number in html and "张某" in html and "李某" in html
    assert "一监区" in html and "二监区" in html
    assert "盗窃罪" in html and "受贿罪" in html
    assert "有期徒刑 8年6个月" in html and "无期徒刑" in html
    assert f"{people.a.execution_start:%Y-%m-%d}" in html
    assert re.search(r'data-testid="category">职务犯罪<', html)
    assert re.search(r'data-testid="category">累犯<', html)
    assert "在押" in html and "暂予监外执行" in html
    assert "王某" not in html  # prison B
    assert_no_inline_script_or_style(html)


def test_list_is_scoped(client, people, district_a, penalty_b):
    client.force_login(district_a)
    html = page(client, LIST)
    assert "张某" in html and "李某" not in html and "王某" not in html
    client.force_login(penalty_b)
    html = page(client, LIST)
    assert "王某" in html and "张某" not in html and "李某" not in html
    # Naming a unit of prison A does not open it: a 404, not an empty list.
    page(client, f"{LIST}?under={people.a.unit_id}", status=404)


def test_list_filters(client, tree, people, penalty_a):
    make_prisoner(tree.district_a2, "钱某", categories=["financial"], status="paroled")
    client.force_login(penalty_a)

    def shown(query):
        html = page(client, f"{LIST}?{query}")
        return {n for n in ("张某", "李某", "钱某") if f">{n}</a>" in html}

    assert shown("q=张") == {"张某"}
    assert shown(f"q={people.a2.number[:6]}") == {"张某", "李某", "钱某"}
    assert shown(f"q={people.a2.number}") == {"李某"}
    assert shown(f"under={tree.district_a2.pk}") == {"李某", "钱某"}
    assert shown("status=paroled") == {"钱某"}
    assert shown("category=financial") == {"钱某"}
    assert shown("sentence_type=life") == set()
    assert shown("status=nonsense") == {"张某", "李某", "钱某"}  # a bad choice is ignored


def test_list_paginates_and_keeps_the_filters(client, tree, penalty_a):
    for i in range(55):
        make_prisoner(tree.district_a1, f"犯{i:02d}")
    client.force_login(penalty_a)
    html = page(client, f"{LIST}?under={tree.district_a1.pk}")
    assert "共 55 人" in html and "第 1 / 2 页" in html
    assert f"under={tree.district_a1.pk}&amp;page=2" in html
    html = page(client, f"{LIST}?under={tree.district_a1.pk}&page=2")
    assert html.count('data-testid="prisoner-link"') == 5


def test_id_numbers_are_masked_without_the_permission(client, people, district_a, penalty_a):
    client.force_login(district_a)
    for html in (page(client, LIST), page(client, detail(people.a))):
        assert people.a.id_number not in html
        assert people.a.masked_id_number in html
    client.force_login(penalty_a)
    for html in (page(client, LIST), page(client, detail(people.a))):
        assert people.a.id_number in html


# --- export -------------------------------------------------------------------------------------


def test_export_is_filtered_scoped_full_and_audited(client, tree, people, penalty_a):
    make_prisoner(tree.district_a2, "钱某", categories=["financial"], is_recidivist=True)
    client.force_login(penalty_a)
    response = client.get(f"{EXPORT}?under={tree.district_a2.pk}")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    rows = workbook_rows(response.content)
    header, body = rows[0], rows[1:]
    assert header[:4] == ["罪犯编号", "姓名", "性别", "身份证号"]
    assert {r[1] for r in body} == {"李某", "钱某"}
    qian = next(r for r in body if r[1] == "钱某")
    assert qian[header.index("从严类别")] == "破坏金融管理秩序和金融诈骗犯罪、累犯"
    li = next(r for r in body if r[1] == "李某")
    assert li[3] == people.a2.id_number
    assert li[header.index("状态")] == "在押"
    entry = AuditEntry.objects.get(action="prisoners.prisoner.export")
    assert entry.actor == penalty_a
    assert entry.summary == "导出罪犯名册 2 人(含完整身份证号)"
    assert entry.unit_name == "二监区"


def test_export_masks_ids_without_the_permission(client, roles, tree, people):
    clerk = make_user("clerk", "reviewer", tree.prison_a)
    clerk.user_permissions.add(Permission.objects.get(codename="export_prisoners"))
    client.force_login(clerk)
    response = client.get(EXPORT)
    body = workbook_rows(response.content)[1:]
    assert {r[3] for r in body} == {people.a.masked_id_number, people.a2.masked_id_number}
    assert AuditEntry.objects.get().summary == "导出罪犯名册 2 人"


def test_export_needs_the_permission_and_stays_in_scope(client, people, district_a, penalty_b):
    client.force_login(district_a)
    assert client.get(EXPORT).status_code == 403
    assert not AuditEntry.objects.exists()
    client.force_login(penalty_b)
    body = workbook_rows(client.get(EXPORT).content)[1:]
    assert [r[1] for r in body] == ["王某"]
    assert client.get(f"{EXPORT}?under={people.a.unit_id}").status_code == 404


# --- detail ----------------------------------------------------------------------------------


@pytest.fixture
def full_record(people, district_a, officer_a):
    """张某 with a ledger (one reversed line), a reward revoked, a punishment, a violation, a
    job history and a sentence change."""
    p = people.a
    today = timezone.localdate()
    p.health = "高血压"
    p.property_amount, p.property_paid = 20000, 5000
    p.categories = ["duty_crime"]
    p.save()
    base_line(p, months_back(2), "100", officer_a)
    base_line(p, months_back(1), "95", officer_a)
    wrong = services.record_adjustment(
        user=district_a,
        prisoner=p,
        month=months_back(1),
        points="-10",
        reason="顶撞民警",
        officer=officer_a,
    )
    services.reverse_points(user=district_a, entry=wrong, reason="经核实系误记")
    reward = services.award(
        user=district_a,
        prisoner=p,
        kind="merit",
        awarded_on=today,
        reason="检举他犯",
        evidence="检举材料",
        rests_on_invention=True,
        officer=officer_a,
    )
    services.revoke_reward(user=district_a, reward=reward, reason="证据不足,予以撤销")
    services.punish(
        user=district_a,
        prisoner=p,
        kind="warning",
        decided_on=today,
        reason="私藏香烟",
        officer=officer_a,
    )
    services.record_violation(
        user=district_a,
        prisoner=p,
        severity="ordinary",
        occurred_on=today,
        description="出工迟到",
        officer=officer_a,
    )
    services.assign_job(
        user=district_a,
        prisoner=p,
        post="缝纫",
        intensity=2,
        started_on=today - dt.timedelta(days=60),
        officer=officer_a,
    )
    services.assign_job(
        user=district_a, prisoner=p, post="保洁", intensity=1, started_on=today, officer=officer_a
    )
    SentenceChange.objects.create(
        prisoner=p, kind="reduction", ruling_date=today - dt.timedelta(days=100), months=7
    )
    return p


def test_detail_shows_the_whole_record(client, full_record, district_a):
    client.force_login(district_a)
    html = page(client, detail(full_record))
    for text in (
        "身份信息",
        "高血压",
        "有期徒刑 8年6个月",  # the original sentence
        "有期徒刑 7年11个月",  # after the reduction
        "减刑 7 个月",
        "职务犯罪",
        "20000.00 元",
        "未履行 15000.00 元",
        "缝纫",
        "保洁",
        "轻体力",
        "检举他犯",
        "以专利或发明创造为依据",
        "证据不足,予以撤销",
        "私藏香烟",
        "出工迟到",
    ):
        assert text in html, text
    # The ledger: months newest first with the running total; the reversed line struck through
    # with the reversal's reason.
    totals = re.findall(r'data-testid="running-total">([^<]+)<', html)
    assert totals == ["195.0", "100.0"]
    assert re.search(r'text-decoration-line-through">顶撞民警<', html)
    assert "已冲正:经核实系误记" in html
    assert html.count('data-testid="reversed-entry"') == 1
    assert 'data-testid="revoked"' in html
    # The merit level and what it rests on.
    assert "尚不足以认定" in html
    assert "表扬0次(认定确有悔改表现需2次)" in html
    # The engine's verdict for today, with the reasons and their articles.
    assert 'data-testid="eligibility"' in html
    assert 'data-testid="verdict-reduction"' in html and 'data-testid="verdict-parole"' in html
    assert "规定第" in html
    assert_no_inline_script_or_style(html)


def test_detail_outside_the_scope_is_a_404(client, people, district_a, penalty_b):
    client.force_login(district_a)
    page(client, detail(people.a2), status=404)  # another district of the same prison
    client.force_login(penalty_b)
    page(client, detail(people.a), status=404)


def test_detail_buttons_follow_permissions(client, full_record, district_a, reviewer_a):
    client.force_login(district_a)
    html = page(client, detail(full_record))
    assert record(full_record, "base") in html
    assert 'hx-get="' + record(full_record, "reward") in html
    client.force_login(reviewer_a)
    html = page(client, detail(full_record))
    assert record(full_record, "base") not in html
    assert "冲正</a>" not in html and "撤销</a>" not in html


def test_eligibility_shows_the_term_end_and_links_the_proposal(
    client, full_record, district_a, reviewer_a
):
    """A district officer may propose from the page; a reviewer sees the verdict only."""
    from tongxin.sentencing import judge

    client.force_login(district_a)
    html = page(client, detail(full_record))
    end = judge.term_end(full_record)
    assert f'data-testid="term-end">{end:%Y-%m-%d}<' in html
    assert reverse("sentencing:propose", args=[full_record.pk]) in html
    client.force_login(reviewer_a)
    html = page(client, detail(full_record))
    assert 'data-testid="eligibility"' in html
    assert reverse("sentencing:propose", args=[full_record.pk]) not in html


# --- recording forms --------------------------------------------------------------------------


def test_base_form_offers_the_prisons_officers(client, people, district_a, officers):
    client.force_login(district_a)
    html = page(client, record(people.a, "base"))
    assert "李娜" in html and "王强" in html  # 一监区 and 二监区 of 洪山
    assert "赵敏" not in html and "孙刚" not in html  # 襄南
    assert f'value="{months_back(1):%Y-%m}"' in html  # last month by default
    assert re.search(rf'<option value="{officers["a1"].pk}" selected>', html)
    assert_no_inline_script_or_style(html)


def test_base_form_records_and_returns_to_the_detail(client, people, district_a, officer_a):
    client.force_login(district_a)
    response = client.post(
        record(people.a, "base"),
        {
            "month": f"{months_back(1):%Y-%m}",
            "supervision": "40",
            "education": "30",
            "labour": "28.5",
            "officer": officer_a.pk,
        },
        follow=True,
    )
    assert response.redirect_chain == [(detail(people.a), 302)]
    entry = PointsEntry.objects.get()
    assert entry.points == 98.5 and entry.month == months_back(1)
    assert f"已录入{months_back(1):%Y年%m月}基础分 98.5 分" in response.content.decode()


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"month": "next"}, "month", "不能考核未来的月份。"),
        ({"labour": "40"}, "labour", "三项合计110分,超过月基础分100分。"),
        ({"supervision": "120"}, "supervision", "须在0到100之间。"),
    ],
)
def test_base_form_shows_the_services_reasons_by_the_fields(
    client, people, district_a, officer_a, data, field, message
):
    values = {
        "month": f"{months_back(1):%Y-%m}",
        "supervision": "40",
        "education": "30",
        "labour": "30",
        "officer": officer_a.pk,
    }
    if data.get("month") == "next":
        data = {"month": f"{this_month() + dt.timedelta(days=40):%Y-%m}"}
    values.update(data)
    client.force_login(district_a)
    response = client.post(record(people.a, "base"), values)
    assert response.status_code == 200
    html = response.content.decode()
    # The reason sits inside the field's own block.
    blocks = html.split('<div class="mb-3')
    block = next(b for b in blocks if f'name="{field}"' in b)
    assert " tx-invalid" in block and message in block, field_errors(html)
    assert not PointsEntry.objects.exists()


def test_second_base_line_is_refused_on_the_page(client, people, district_a, officer_a):
    base_line(people.a, months_back(1), "100", officer_a)
    client.force_login(district_a)
    response = client.post(
        record(people.a, "base"),
        {
            "month": f"{months_back(1):%Y-%m}",
            "supervision": "40",
            "education": "30",
            "labour": "30",
            "officer": officer_a.pk,
        },
    )
    assert f"{months_back(1):%Y年%m月}的基础分已录入;如有错误请先冲正。" in field_errors(
        response.content.decode()
    )
    assert PointsEntry.objects.count() == 1


def test_adjustment_form(client, people, district_a, officer_a):
    client.force_login(district_a)
    url = record(people.a, "adjustment")
    month = f"{this_month():%Y-%m}"
    response = client.post(url, {"month": month, "points": "0", "officer": officer_a.pk})
    errors = field_errors(response.content.decode())
    assert "加扣分不能为0。" in errors and "请填写加扣分事由。" in errors
    response = client.post(
        url, {"month": month, "points": "-3", "reason": "内务不整", "officer": officer_a.pk}
    )
    assert response.status_code == 302
    assert PointsEntry.objects.get().kind == "deduction"


def test_htmx_forms_open_in_place_and_redirect_when_done(client, people, district_a, officer_a):
    client.force_login(district_a)
    url = record(people.a, "adjustment")
    html = client.get(url, HTTP_HX_REQUEST="true").content.decode()
    assert "<html" not in html and 'id="action-card"' in html and f'hx-post="{url}"' in html
    response = client.post(
        url,
        {"month": f"{this_month():%Y-%m}", "points": "200", "officer": officer_a.pk},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 200 and "<html" not in response.content.decode()
    assert "单次加扣分不得超过100分。" in field_errors(response.content.decode())
    response = client.post(
        url,
        {"month": f"{this_month():%Y-%m}", "points": "2", "reason": "好人好事"},
        HTTP_HX_REQUEST="true",
    )
    assert "该字段是必填项。" in field_errors(response.content.decode())
    response = client.post(
        url,
        {
            "month": f"{this_month():%Y-%m}",
            "points": "2",
            "reason": "好人好事",
            "officer": officer_a.pk,
        },
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 200
    assert response["HX-Redirect"] == detail(people.a)


def test_reversal_on_the_page(client, people, district_a, officer_a):
    entry = base_line(people.a, months_back(1), "100", officer_a)
    client.force_login(district_a)
    url = cancel(people.a, "points", entry)
    html = page(client, url)
    assert "冲正计分条目" in html and "100" in html
    response = client.post(url, {"reason": "  "})
    assert "请填写冲正原因。" in field_errors(response.content.decode())
    assert client.post(url, {"reason": "考核有误"}).status_code == 302
    reversal = PointsEntry.objects.get(reverses=entry)
    assert reversal.points == -100
    # Again: the reason names the entry, shown above the form.
    html = client.post(url, {"reason": "再冲正"}).content.decode()
    assert re.search(r'class="alert alert-danger"[^>]*>\s*<div>该条目已冲正。</div>', html)
    html = client.post(cancel(people.a, "points", reversal), {"reason": "x"}).content.decode()
    assert "冲正条目不能再冲正。" in html
    assert PointsEntry.objects.count() == 2


def test_reward_form(client, people, district_a, officer_a):
    client.force_login(district_a)
    url = record(people.a, "reward")
    html = page(client, url)
    assert 'value="commendation"' not in html  # earned by points, never entered
    assert "以专利或发明创造为依据" in html
    today = f"{timezone.localdate():%Y-%m-%d}"
    data = {"kind": "merit", "awarded_on": today, "reason": "检举", "officer": officer_a.pk}
    response = client.post(url, data)
    assert "立功、重大立功须附证据材料。" in field_errors(response.content.decode())
    assert not Reward.objects.exists()
    data.update(evidence="监狱侦查科查证属实", rests_on_invention="on")
    assert client.post(url, data).status_code == 302
    reward = Reward.objects.get()
    assert reward.rests_on_invention and reward.evidence == "监狱侦查科查证属实"
    # Commendation posted by hand anyway: not a choice.
    data["kind"] = "commendation"
    response = client.post(url, data)
    assert field_errors(response.content.decode())
    assert Reward.objects.count() == 1


def test_punishment_violation_job_and_revocations(client, people, district_a, officer_a):
    client.force_login(district_a)
    today = f"{timezone.localdate():%Y-%m-%d}"
    assert (
        client.post(
            record(people.a, "punishment"),
            {"kind": "demerit", "decided_on": today, "reason": "打架", "officer": officer_a.pk},
        ).status_code
        == 302
    )
    assert (
        client.post(
            record(people.a, "violation"),
            {
                "severity": "serious",
                "occurred_on": today,
                "description": "脱逃未遂",
                "officer": officer_a.pk,
            },
        ).status_code
        == 302
    )
    assert (
        client.post(
            record(people.a, "job"),
            {"post": "炊事", "intensity": "3", "started_on": today, "officer": officer_a.pk},
        ).status_code
        == 302
    )
    assert JobAssignment.objects.get().post == "炊事"
    punishment, violation = Punishment.objects.get(), Violation.objects.get()
    html = client.post(cancel(people.a, "punishment", punishment), {"reason": ""}).content
    assert "请填写撤销原因。" in field_errors(html.decode())
    for what, row in (("punishment", punishment), ("violation", violation)):
        assert client.post(cancel(people.a, what, row), {"reason": "复查撤销"}).status_code == 302
    assert Punishment.objects.filter(reverses=punishment).exists()
    assert Violation.objects.filter(reverses=violation).exists()
    html = page(client, detail(people.a))
    assert html.count('data-testid="revoked"') == 2


def test_forms_need_the_permission_and_the_scope(
    client, people, district_a, district_b, reviewer_a, officer_a
):
    entry = base_line(people.a, months_back(1), "100", officer_a)
    data = {"month": f"{this_month():%Y-%m}", "points": "5", "reason": "x", "officer": officer_a.pk}
    client.force_login(reviewer_a)
    assert client.get(record(people.a, "adjustment")).status_code == 403
    assert client.post(record(people.a, "adjustment"), data).status_code == 403
    assert client.post(cancel(people.a, "points", entry), {"reason": "x"}).status_code == 403
    client.force_login(district_b)
    assert client.get(record(people.a, "adjustment")).status_code == 404
    assert client.post(record(people.a, "adjustment"), data).status_code == 404
    assert client.post(cancel(people.a, "points", entry), {"reason": "x"}).status_code == 404
    client.force_login(district_a)
    assert client.get(record(people.a, "nonsense")).status_code == 404
    # A row of another prisoner, named under this one: not found.
    other = base_line(people.a2, months_back(1))
    assert client.get(cancel(people.a, "points", other)).status_code == 404
    assert PointsEntry.objects.count() == 2
    assert not AuditEntry.objects.exists()


# --- query counts -------------------------------------------------------------------------------

# 5 plumbing (session, user, session save ×3) + scope paths + the filter's unit options
# + count + page (unit and its parent joined) + 2 permissions + unread notifications
LIST_QUERIES = 12
# 5 plumbing + 2 permissions + scope + prisoner + changes + ledger + merit (setting, rewards,
# serious violations, points) + jobs + rewards + punishments + violations + unread
# notifications + the user's officer (the name in the menu) + the rule version in force (the
# engine's verdict reuses the changes already read)
DETAIL_QUERIES = 22


def _grow_registry(tree, total):
    for i in range(Prisoner.objects.count(), total):
        make_prisoner(
            tree.district_a1 if i % 2 else tree.district_a2,
            f"罪犯{i:02d}",
            categories=["duty_crime"] if i % 3 == 0 else [],
            is_recidivist=i % 4 == 0,
        )


def test_list_query_count_is_pinned(client, tree, penalty_a, django_assert_num_queries):
    _grow_registry(tree, 3)
    client.force_login(penalty_a)
    with django_assert_num_queries(LIST_QUERIES):
        html = page(client, LIST)
    assert html.count('data-testid="prisoner-link"') == 3
    _grow_registry(tree, 30)
    with django_assert_num_queries(LIST_QUERIES):
        html = page(client, LIST)
    assert html.count('data-testid="prisoner-link"') == 30
    # A unit filter adds the one query that checks the unit.
    with django_assert_num_queries(LIST_QUERIES + 1):
        page(client, f"{LIST}?under={tree.district_a1.pk}&category=duty_crime")


def _grow_record(prisoner, user, officer, months):
    today = timezone.localdate()
    for back in range(months, 0, -1):
        if not PointsEntry.objects.filter(prisoner=prisoner, month=months_back(back)).exists():
            base_line(prisoner, months_back(back), "100", officer)
            entry = services.record_adjustment(
                user=user,
                prisoner=prisoner,
                month=months_back(back),
                points="-2",
                reason=f"扣分{back}",
                officer=officer,
            )
            if back % 2:
                services.reverse_points(user=user, entry=entry, reason=f"冲正{back}")
            reward = Reward.objects.create(
                prisoner=prisoner, kind="material", awarded_on=today, reason="x", officer=officer
            )
            if back % 3 == 0:
                services.revoke_reward(user=user, reward=reward, reason="撤销")
            Punishment.objects.create(
                prisoner=prisoner, kind="warning", decided_on=today, reason="x", officer=officer
            )
            Violation.objects.create(
                prisoner=prisoner,
                severity="ordinary",
                occurred_on=today,
                description="x",
                officer=officer,
            )
            JobAssignment.objects.create(
                prisoner=prisoner, post=f"岗位{back}", started_on=today, assigned_by=officer
            )
            SentenceChange.objects.create(
                prisoner=prisoner, kind="reduction", ruling_date=months_back(back), months=1
            )


def test_detail_query_count_is_pinned(
    client, people, district_a, officer_a, django_assert_num_queries
):
    _grow_record(people.a, district_a, officer_a, 3)
    client.force_login(district_a)
    with django_assert_num_queries(DETAIL_QUERIES):
        html = page(client, detail(people.a))
    assert html.count('data-testid="ledger-month"') == 3
    _grow_record(people.a, district_a, officer_a, 30)
    with django_assert_num_queries(DETAIL_QUERIES):
        html = page(client, detail(people.a))
    assert html.count('data-testid="ledger-month"') == 30
    assert html.count('data-testid="reversed-entry"') == 15
