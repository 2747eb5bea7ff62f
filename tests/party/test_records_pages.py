"""党费, 学习, 规范化建设 and 雷同会议记录 pages: render in scope, write through the services,
refuse in Chinese without writing, and keep other prisons' branches out (404)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from tests.conftest import make_user
from tongxin.party import dues, standards
from tongxin.party.models import (
    Activity,
    ActivityKind,
    AssessmentScore,
    BranchAssessment,
    ChecklistItem,
    DuesClosing,
    DuesPayment,
    MinutesFlag,
    StudyLevel,
    StudyRecord,
)


@pytest.fixture
def party_affairs(roles, tree, party):
    return make_user("party", "party_affairs", tree.bureau)


@pytest.fixture
def secretary_b(roles, tree, party):
    return make_user("sec_b", "branch_secretary", tree.district_b1)


def _month_str(month: dt.date) -> str:
    return f"{month:%Y-%m}"


# --- dues ---------------------------------------------------------------------------------


def test_dues_page_renders_grid_and_six_month_flag(client, party_affairs, party):
    today = timezone.localdate()
    # One member paid every completed month of the last year; the others never paid.
    payer = party.a1[0]
    for month in dues.months_between(today - dt.timedelta(days=365), today):
        DuesPayment.objects.create(
            member=payer,
            month=month,
            base=payer.dues_base,
            amount_due=Decimal("90.00"),
            amount_paid=Decimal("90.00"),
            paid_on=today,
        )
    client.force_login(party_affairs)
    response = client.get(
        reverse("party_records:dues"), {"org": party.branch_a1.pk, "year": today.year}
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert 'data-testid="dues-grid"' in html
    assert "90.00" in html  # 6000 × 1.5%
    assert "1.5%" in html
    flagged = [r for r in response.context["rows"] if r["run"]]
    assert payer.pk not in {r["member"].pk for r in flagged}
    assert len(flagged) == 4
    assert 'data-testid="pay-form"' in html and 'data-testid="close-form"' in html


def test_dues_payment_through_the_page(client, secretary_a1, party):
    today = timezone.localdate()
    client.force_login(secretary_a1)
    url = f"{reverse('party_records:dues')}?org={party.branch_a1.pk}"
    page = client.get(url)
    assert page.status_code == 200
    assert 'data-testid="close-form"' not in page.content.decode()  # not a committee role
    response = client.post(
        url,
        {
            "action": "pay",
            "pay-member": party.a1[3].pk,
            "pay-month": _month_str(today),
            "pay-amount_paid": "90.00",
        },
    )
    assert response.status_code == 302
    payment = DuesPayment.objects.get()
    assert (payment.member, payment.month, payment.amount_paid) == (
        party.a1[3],
        today.replace(day=1),
        Decimal("90.00"),
    )
    assert payment.amount_due == Decimal("90.00")
    # A secretary cannot close the books.
    assert client.post(url, {"action": "close", "close-month": "2020-01"}).status_code == 403
    assert not DuesClosing.objects.exists()


def test_closed_month_is_refused_in_chinese_with_nothing_written(client, party_affairs, party):
    closed = dues.last_completed_month(timezone.localdate())
    client.force_login(party_affairs)
    url = f"{reverse('party_records:dues')}?org={party.branch_a1.pk}"
    response = client.post(url, {"action": "close", "close-month": _month_str(closed)})
    assert response.status_code == 302
    closing = DuesClosing.objects.get()
    assert (closing.organization, closing.month) == (party.committee_a, closed)
    response = client.post(
        url,
        {
            "action": "pay",
            "pay-member": party.a1[3].pk,
            "pay-month": _month_str(closed),
            "pay-amount_paid": "90.00",
        },
    )
    assert response.status_code == 200
    assert "已结账" in response.content.decode()
    assert not DuesPayment.objects.exists()
    grid = response.context["rows"][0]["cells"]
    if closed.year == timezone.localdate().year:
        assert grid[closed.month - 1]["state"] == "closed"


def test_arrears_page_lists_members_with_six_unpaid_months(client, party_affairs, party):
    client.force_login(party_affairs)
    response = client.get(reverse("party_records:arrears"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "连续" in html and "未交纳党费" in html
    names = {row["member"].officer.name for row in response.context["page_obj"]}
    assert {"陈书记", "冯书记"} <= names


def test_arrears_page_for_a_secretary_is_scoped(client, secretary_b, party):
    client.force_login(secretary_b)
    response = client.get(reverse("party_records:arrears"))
    assert response.status_code == 200
    names = {row["member"].officer.name for row in response.context["page_obj"]}
    assert names == {"冯书记", "蒋党员"}


# --- study --------------------------------------------------------------------------------


def test_study_recorded_through_the_page(client, secretary_a1, party):
    client.force_login(secretary_a1)
    url = f"{reverse('party_records:study')}?org={party.branch_a1.pk}"
    page = client.get(url)
    assert page.status_code == 200
    assert 'data-testid="study-form"' in page.content.decode()
    response = client.post(
        url,
        {
            "organization": party.branch_a1.pk,
            "level": StudyLevel.BRANCH,
            "held_on": timezone.localdate().isoformat(),
            "title": "学习党的二十大精神",
            "hours": "2",
            "participants": [m.pk for m in party.a1[:3]],
        },
    )
    assert response.status_code == 302
    study = StudyRecord.objects.get()
    assert study.participants.count() == 3
    listing = client.get(url)
    assert "学习党的二十大精神" in listing.content.decode()


def test_study_with_an_outsider_is_refused(client, party_affairs, party):
    client.force_login(party_affairs)
    response = client.post(
        reverse("party_records:study"),
        {
            "organization": party.branch_a1.pk,
            "level": StudyLevel.BRANCH,
            "held_on": timezone.localdate().isoformat(),
            "title": "学习",
            "hours": "2",
            "participants": [party.a1[0].pk, party.a2[1].pk],
        },
    )
    assert response.status_code == 200
    assert "不是本组织党员" in response.content.decode()
    assert "郑党员" in response.content.decode()
    assert not StudyRecord.objects.exists()


# --- standardisation ------------------------------------------------------------------------


def test_assessment_through_the_page_and_ranking(client, party_affairs, party):
    party.branch_a1.is_pilot = True
    party.branch_a1.save()
    year = timezone.localdate().year
    client.force_login(party_affairs)
    url = reverse("party_records:assess", args=[party.branch_a1.pk, year])
    page = client.get(url)
    assert page.status_code == 200
    items = list(ChecklistItem.objects.all())
    assert items and len(page.context["rows"]) == len(items)
    # One item left without evidence: refused with the reason, nothing written.
    data = {f"percent-{i.pk}": "90" for i in items}
    data |= {f"evidence-{i.pk}": "台账齐全" for i in items[1:]}
    refused = client.post(url, data)
    assert refused.status_code == 200
    assert "须填写佐证材料" in refused.content.decode()
    assert not BranchAssessment.objects.exists()
    data[f"evidence-{items[0].pk}"] = "会议记录"
    response = client.post(url, data)
    assert response.status_code == 302
    assessment = BranchAssessment.objects.get()
    assert assessment.total == Decimal("90.00")
    assert AssessmentScore.objects.count() == len(items)
    ranking = client.get(reverse("party_records:standardisation"), {"year": year})
    assert ranking.status_code == 200
    html = ranking.content.decode()
    assert party.branch_a1.name in html and 'data-testid="pilot-badge"' in html


def test_secretary_sees_ranking_but_cannot_assess(client, secretary_a1, party):
    standards.ensure_default_checklists()
    year = timezone.localdate().year
    client.force_login(secretary_a1)
    assert client.get(reverse("party_records:standardisation")).status_code == 200
    url = reverse("party_records:assess", args=[party.branch_a1.pk, year])
    assert client.get(url).status_code == 200
    assert client.post(url, {}).status_code == 403
    assert not BranchAssessment.objects.exists()


# --- copied minutes -------------------------------------------------------------------------


def _activity(org, topic, day):
    return Activity.objects.create(
        organization=org, kind=ActivityKind.THEMED_DAY, held_on=day, topic=topic
    )


def test_minutes_flags_listed_and_reviewed(client, party_affairs, secretary_a1, party):
    earlier = _activity(party.branch_a1, "三月主题党日", dt.date(2023, 3, 10))
    later = _activity(party.branch_a2, "五月主题党日", dt.date(2023, 5, 10))
    other = _activity(party.branch_b1, "襄南主题党日", dt.date(2023, 6, 10))
    flag = MinutesFlag.objects.create(
        activity=later, similar_to=earlier, similarity=0.93, same_org=False
    )
    MinutesFlag.objects.create(activity=other, similar_to=earlier, similarity=0.9, same_org=False)
    client.force_login(party_affairs)
    page = client.get(reverse("party_records:flags"))
    assert page.status_code == 200
    html = page.content.decode()
    assert "五月主题党日" in html and "三月主题党日" in html and "93%" in html
    refused = client.post(reverse("party_records:flag-review", args=[flag.pk]), {"note": " "})
    assert refused.status_code == 302
    flag.refresh_from_db()
    assert flag.reviewed_at is None
    client.post(reverse("party_records:flag-review", args=[flag.pk]), {"note": "已核实,系模板"})
    flag.refresh_from_db()
    assert flag.review_note == "已核实,系模板" and flag.reviewed_by == party_affairs
    # 洪山一监区's secretary sees neither 二监区's flag nor 襄南's.
    client.force_login(secretary_a1)
    page = client.get(reverse("party_records:flags"))
    assert page.status_code == 200
    assert list(page.context["page_obj"]) == []


# --- scope ----------------------------------------------------------------------------------


def test_xiangnan_secretary_sees_nothing_of_hongshan(client, secretary_b, party):
    client.force_login(secretary_b)
    year = timezone.localdate().year
    a1 = party.branch_a1.pk
    assert client.get(reverse("party_records:dues"), {"org": a1}).status_code == 404
    assert client.get(reverse("party_records:study"), {"org": a1}).status_code == 404
    assert client.get(reverse("party_records:arrears"), {"org": a1}).status_code == 404
    assert client.get(reverse("party_records:assess", args=[a1, year])).status_code == 404
    own = client.get(reverse("party_records:dues"))
    assert own.status_code == 200
    assert own.context["branch"] == party.branch_b1
    html = own.content.decode()
    assert "洪山" not in html and "陈书记" not in html
    response = client.post(
        f"{reverse('party_records:dues')}?org={party.branch_b1.pk}",
        {
            "action": "pay",
            "pay-member": party.a1[0].pk,
            "pay-month": _month_str(timezone.localdate()),
            "pay-amount_paid": "90",
        },
    )
    assert response.status_code == 200
    assert not DuesPayment.objects.exists()
