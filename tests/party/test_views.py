"""The 智慧党建 pages: who may open what, the data scope, recording a meeting end to end with
its attendance rows, the rules' refusals shown in Chinese with nothing written, stale edits,
QR check-in on the phone page, the member's own page, exports and pinned query counts."""

from __future__ import annotations

import datetime as dt
import io
import re
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from tests.conftest import make_user
from tests.party.conftest import make_member, make_org
from tongxin.audit.models import AuditEntry
from tongxin.party import services
from tongxin.party.models import (
    Activity,
    ActivityKind,
    Attendance,
    AttendanceStatus,
    DuesPayment,
    OrgKind,
    StudyLevel,
    StudyRecord,
)
from tongxin.party.services import Presence

pytestmark = pytest.mark.django_db

DAY = dt.date(2023, 3, 15)


def record(user, org, kind=ActivityKind.GENERAL_MEETING, held_on=DAY, **extra):
    extra.setdefault("topic", "学习贯彻党的二十大精神")
    return services.record_activity(
        user=user, organization=org, kind=kind, held_on=held_on, **extra
    )


@pytest.fixture
def secretary_b1(roles, tree, party):
    return make_user(
        "secretary_b", "branch_secretary", tree.district_b1, officer=party.b1[0].officer
    )


@pytest.fixture
def meetings(secretary_a1, secretary_b1, party):
    """One meeting in 洪山一监区 and one in 襄南 with a distinctive topic."""
    return {
        "a": record(
            secretary_a1, party.branch_a1, topic="洪山主题党日", kind=ActivityKind.THEMED_DAY
        ),
        "b": record(
            secretary_b1, party.branch_b1, topic="襄南主题党日", kind=ActivityKind.THEMED_DAY
        ),
    }


def text(response) -> str:
    return response.content.decode()


# --- who may open what --------------------------------------------------------------------


def _pages(party, meetings):
    a = meetings["a"]
    return [
        reverse("party:home"),
        reverse("party:org-detail", args=[party.branch_a1.pk]),
        reverse("party:member-list"),
        reverse("party:activity-list"),
        reverse("party:activity-create"),
        reverse("party:activity-detail", args=[a.pk]),
        reverse("party:activity-edit", args=[a.pk]),
        reverse("party:compliance"),
        reverse("party:statistics"),
        reverse("party:me"),
    ]


def test_every_page_renders_for_the_branch_secretary(client, secretary_a1, party, meetings):
    client.force_login(secretary_a1)
    for url in _pages(party, meetings):
        response = client.get(url)
        assert response.status_code == 200, url


def test_an_ordinary_member_sees_only_their_own_pages(client, member_a1, party, meetings):
    client.force_login(member_a1)
    for url in _pages(party, meetings):
        response = client.get(url)
        if url == reverse("party:me"):
            assert response.status_code == 200
        elif url == reverse("party:home"):
            assert response.status_code == 302 and response.url == reverse("party:me")
        else:
            assert response.status_code == 403, url
    for url in (reverse("party:activity-export"), reverse("party:statistics-export")):
        assert client.get(url).status_code == 403


def test_a_prison_admin_may_read_but_not_record(client, admin_a, party, meetings):
    client.force_login(admin_a)
    assert client.get(reverse("party:activity-list")).status_code == 200
    assert client.get(reverse("party:org-detail", args=[party.committee_a.pk])).status_code == 200
    assert client.get(reverse("party:activity-create")).status_code == 403
    edit = reverse("party:activity-edit", args=[meetings["a"].pk])
    assert client.get(edit).status_code == 403


def test_pages_need_a_login(client, party):
    response = client.get(reverse("party:activity-list"))
    assert response.status_code == 302 and "/login/" in response.url


# --- scope --------------------------------------------------------------------------------


def test_a_secretary_of_hongshan_sees_nothing_of_xiangnan(client, secretary_a1, party, meetings):
    client.force_login(secretary_a1)
    b = meetings["b"]
    for url in (
        reverse("party:org-detail", args=[party.branch_b1.pk]),
        reverse("party:org-detail", args=[party.committee_b.pk]),
        reverse("party:activity-detail", args=[b.pk]),
        reverse("party:activity-edit", args=[b.pk]),
        f"{reverse('party:activity-list')}?org={party.branch_b1.pk}",
        f"{reverse('party:activity-export')}?org={party.branch_b1.pk}",
        f"{reverse('party:activity-create')}?org={party.branch_b1.pk}",
        f"{reverse('party:member-list')}?org={party.branch_b1.pk}",
        f"{reverse('party:compliance')}?org={party.committee_b.pk}",
        f"{reverse('party:compliance-export')}?org={party.committee_b.pk}",
        f"{reverse('party:statistics')}?org={party.committee_b.pk}",
        f"{reverse('party:statistics-export')}?org={party.committee_b.pk}",
    ):
        assert client.get(url).status_code == 404, url
    for url in (
        reverse("party:home"),
        reverse("party:activity-list"),
        reverse("party:member-list"),
        reverse("party:compliance"),
        reverse("party:statistics"),
    ):
        body = text(client.get(url))
        assert "襄南" not in body, url
        assert "冯书记" not in body and "蒋党员" not in body, url
    # Not even the 洪山 committee above the secretary's branch.
    assert "洪山监狱委员会" not in text(client.get(reverse("party:compliance")))
    export = client.get(reverse("party:activity-export"))
    sheet = load_workbook(io.BytesIO(export.content)).active
    topics = [row[3] for row in sheet.iter_rows(min_row=2, values_only=True)]
    assert topics == ["洪山主题党日"]


def test_recording_for_an_organisation_outside_the_scope_is_refused(
    client, secretary_a1, party, meetings
):
    client.force_login(secretary_a1)
    before = Activity.objects.count()
    response = client.post(
        reverse("party:activity-create"),
        {
            "organization": party.branch_b1.pk,
            "kind": ActivityKind.THEMED_DAY,
            "held_on": "2023-03-20",
            "topic": "越权记录",
            "attendance_member": [party.b1[0].pk],
            f"status-{party.b1[0].pk}": "present",
        },
    )
    assert response.status_code == 200
    assert "选择一个有效的选项" in text(response) or "有效" in text(response)
    assert Activity.objects.count() == before


# --- recording through the page ------------------------------------------------------------


def _post_data(party, **overrides):
    a1 = party.a1
    data = {
        "organization": party.branch_a1.pk,
        "kind": ActivityKind.GENERAL_MEETING,
        "held_on": DAY.isoformat(),
        "topic": "第一季度支部党员大会",
        "host": a1[0].pk,
        "location": "一监区会议室",
        "minutes": "传达学习文件精神。",
        "starts_at": "",
        "ends_at": "",
        "attendance_member": [m.pk for m in a1],
    }
    for m in a1:
        data[f"status-{m.pk}"] = "present"
        data[f"reason-{m.pk}"] = ""
    data[f"status-{a1[3].pk}"] = "excused"
    data[f"reason-{a1[3].pk}"] = "值班"
    data[f"status-{a1[4].pk}"] = "absent"
    data.update(overrides)
    return data


def test_the_attendance_rows_load_for_the_chosen_organisation(client, secretary_a1, party):
    client.force_login(secretary_a1)
    url = reverse("party:attendance-rows")
    response = client.get(
        url,
        {
            "organization": party.branch_a1.pk,
            "kind": ActivityKind.GENERAL_MEETING,
            "held_on": DAY.isoformat(),
        },
        headers={"HX-Request": "true"},
    )
    body = text(response)
    assert response.status_code == 200
    assert body.count('name="attendance_member"') == 5
    assert 'id="host-field" hx-swap-oob="true"' in body
    # A group meeting expects only the group; the committee meeting only the committee.
    group = client.get(
        url,
        {
            "organization": party.group_a1.pk,
            "kind": ActivityKind.GROUP_MEETING,
            "held_on": "2023-03-15",
        },
    )
    assert text(group).count('name="attendance_member"') == 3
    committee = client.get(
        url,
        {
            "organization": party.branch_a1.pk,
            "kind": ActivityKind.COMMITTEE_MEETING,
            "held_on": "2023-03-15",
        },
    )
    assert text(committee).count('name="attendance_member"') == 3
    # Another prison's branch is not a choice: no rows.
    other = client.get(url, {"organization": party.branch_b1.pk, "kind": "themed_day"})
    assert 'name="attendance_member"' not in text(other)


def test_the_form_reloads_the_rows_with_htmx_and_no_inline_script(client, secretary_a1, party):
    client.force_login(secretary_a1)
    body = text(client.get(f"{reverse('party:activity-create')}?org={party.branch_a1.pk}"))
    assert body.count(f'hx-get="{reverse("party:attendance-rows")}"') == 3
    assert 'hx-include="closest form"' in body
    assert "<script>" not in body and "style=" not in body and " onchange" not in body
    assert body.count('name="attendance_member"') == 0  # no kind chosen yet
    assert f'value="{party.branch_a1.pk}" selected' in body


def test_recording_a_meeting_through_the_page(client, secretary_a1, party):
    client.force_login(secretary_a1)
    response = client.post(reverse("party:activity-create"), _post_data(party))
    activity = Activity.objects.get()
    assert response.status_code == 302
    assert response.url == reverse("party:activity-detail", args=[activity.pk])
    assert (activity.expected_count, activity.present_count, activity.excused_count) == (5, 3, 1)
    assert activity.host == party.a1[0] and activity.by_secretary
    excused = Attendance.objects.get(activity=activity, status=AttendanceStatus.EXCUSED)
    assert excused.member == party.a1[3] and excused.reason == "值班"
    assert AuditEntry.objects.filter(action="party.activity.create").count() == 1
    detail = text(client.get(response.url))
    assert "第一季度支部党员大会" in detail and "值班" in detail
    assert "不足应到" in detail  # 3 of 5 present: below two thirds


@pytest.mark.parametrize(
    ("change", "words"),
    [
        ("future", "会议日期不能晚于今天"),
        ("outsider", "以下人员不是本次活动应参加的党员:郑党员"),
        ("no_reason", "请假须填写事由"),
        ("bad_window", "结束时间须晚于开始时间"),
        ("wrong_kind", "不召开"),
    ],
)
def test_bad_input_rerenders_with_the_reason_and_writes_nothing(
    client, secretary_a1, party, change, words
):
    client.force_login(secretary_a1)
    outsider = party.a2[1]
    overrides = {
        "future": {"held_on": (timezone.localdate() + dt.timedelta(days=3)).isoformat()},
        "outsider": {
            "attendance_member": [*(m.pk for m in party.a1), outsider.pk],
            f"status-{outsider.pk}": "present",
        },
        "no_reason": {f"reason-{party.a1[3].pk}": "  "},
        "bad_window": {"starts_at": "2023-03-15T15:00", "ends_at": "2023-03-15T14:00"},
        "wrong_kind": {"kind": ActivityKind.CORE_GROUP_STUDY},
    }[change]
    response = client.post(reverse("party:activity-create"), _post_data(party, **overrides))
    assert response.status_code == 200
    assert words in text(response)
    assert not Activity.objects.exists() and not Attendance.objects.exists()
    assert not AuditEntry.objects.exists()
    # The rows come back for what the form says (a core-group study expects the committee).
    rows = 3 if change == "wrong_kind" else 5
    assert text(response).count('name="attendance_member"') == rows


def test_a_garbled_attendance_row_is_a_form_error(client, secretary_a1, party):
    client.force_login(secretary_a1)
    data = _post_data(party, attendance_member=["abc"])
    response = client.post(reverse("party:activity-create"), data)
    assert "出席名单有误" in text(response)
    data = _post_data(party, **{f"status-{party.a1[0].pk}": "sleeping"})
    assert "出席情况只能是" in text(client.post(reverse("party:activity-create"), data))
    assert not Activity.objects.exists()


def test_editing_a_record(client, secretary_a1, party):
    activity = record(secretary_a1, party.branch_a1, presences=[Presence(m.pk) for m in party.a1])
    client.force_login(secretary_a1)
    url = reverse("party:activity-edit", args=[activity.pk])
    form_page = text(client.get(url))
    assert activity.updated_at.isoformat() in form_page
    assert form_page.count('name="attendance_member"') == 5
    data = _post_data(party, topic="改过的主题", version=activity.updated_at.isoformat())
    response = client.post(url, data)
    assert response.status_code == 302
    activity.refresh_from_db()
    assert activity.topic == "改过的主题" and activity.present_count == 3


def test_a_stale_edit_is_refused(client, secretary_a1, party):
    activity = record(secretary_a1, party.branch_a1)
    seen = activity.updated_at.isoformat()
    services.update_activity(
        user=secretary_a1, activity=activity, expected_updated_at=None, topic="别人改的"
    )
    client.force_login(secretary_a1)
    url = reverse("party:activity-edit", args=[activity.pk])
    response = client.post(url, _post_data(party, topic="我改的", version=seen))
    assert response.status_code == 200
    assert "该记录已被他人修改" in text(response)
    activity.refresh_from_db()
    assert activity.topic == "别人改的"


# --- detail, QR and check-in ---------------------------------------------------------------


@pytest.fixture
def open_meeting(secretary_a1, party):
    now = timezone.now()
    return record(
        secretary_a1,
        party.branch_a1,
        kind=ActivityKind.THEMED_DAY,
        held_on=timezone.localdate(),
        topic="扫码签到的主题党日",
        starts_at=now,
        ends_at=now + dt.timedelta(minutes=90),
    )


def test_the_detail_shows_an_inline_qr_code_the_csp_allows(client, secretary_a1, open_meeting):
    client.force_login(secretary_a1)
    body = text(client.get(reverse("party:activity-detail", args=[open_meeting.pk])))
    svg = re.search(r"<svg.*?</svg>", body, re.S).group(0)
    assert "style" not in svg and "<script" not in svg
    assert reverse("party:checkin", args=[open_meeting.checkin_token]) in body
    assert "正在签到" in body


def test_checking_in_on_the_phone_page(client, member_a1, open_meeting):
    url = reverse("party:checkin", args=[open_meeting.checkin_token])
    anonymous = client.get(url)
    assert anonymous.status_code == 302 and f"next={url}" in anonymous.url.replace("%2F", "/")
    client.force_login(member_a1)
    page = text(client.get(url))
    assert "扫码签到的主题党日" in page and "正在签到" in page and "确认签到" in page
    done = client.post(url)
    assert "签到成功" in text(done)
    attendance = Attendance.objects.get(activity=open_meeting, member__officer=member_a1.officer)
    assert attendance.status == "present" and attendance.checked_in_at is not None


def test_check_in_refusals_are_shown_in_chinese(roles, tree, client, secretary_a1, party):
    later = timezone.now() + dt.timedelta(hours=3)
    meeting = record(
        secretary_a1,
        party.branch_a1,
        kind=ActivityKind.THEMED_DAY,
        held_on=timezone.localdate(),
        starts_at=later,
        ends_at=later + dt.timedelta(hours=1),
    )
    url = reverse("party:checkin", args=[meeting.checkin_token])
    outsider = make_user("zheng", "member", tree.district_a2, officer=party.a2[1].officer)
    client.force_login(outsider)
    page = text(client.get(url))
    assert "签到尚未开始" in page and "确认签到" not in page
    assert "签到尚未开始" in text(client.post(url))
    meeting.starts_at = timezone.now()
    meeting.save()
    assert "您不是本次活动应参加的党员" in text(client.post(url))
    assert client.get(reverse("party:checkin", args=["no-such-token"])).status_code == 404


# --- the member's own page -----------------------------------------------------------------


def test_the_member_page(client, member_a1, secretary_a1, party, open_meeting):
    me = party.a1[4]
    me.mentor = party.a1[1]
    me.save()
    year = timezone.localdate().year
    study = StudyRecord.objects.create(
        level=StudyLevel.BRANCH,
        organization=party.branch_a1,
        held_on=timezone.localdate(),
        title="专题学习",
        hours=Decimal("2.5"),
    )
    study.participants.add(me)
    DuesPayment.objects.create(
        member=me,
        month=dt.date(year, 1, 1),
        base=6000,
        amount_due=90,
        amount_paid=90,
        paid_on=dt.date(year, 1, 5),
    )
    client.force_login(member_a1)
    body = text(client.get(reverse("party:me")))
    assert "洪山监狱一监区党支部" in body and "一监区第一党小组" in body
    assert "刘副书记" in body  # the mentor
    assert "扫码签到的主题党日" in body and "去签到" in body  # open for check-in now
    assert re.search(r'data-testid="study-hours">2.5<', body)
    assert "90.00" in body


def test_the_member_page_without_a_membership(client, admin_a, party):
    client.force_login(admin_a)
    assert "没有关联党员信息" in text(client.get(reverse("party:me")))


# --- home, organisation, compliance, statistics, exports ------------------------------------


def test_home_shows_the_tops_with_counts_and_reminders(client, admin_a, party):
    client.force_login(admin_a)
    body = text(client.get(reverse("party:home")))
    assert "中共湖北省洪山监狱委员会" in body
    assert re.search(r'data-testid="member-count">7<', body)  # 5 + 2 members under it
    assert "本月到期提醒" in body


def test_the_organisation_page(client, secretary_a1, party):
    party.branch_a1.is_pilot = True
    party.branch_a1.save()
    record(secretary_a1, party.branch_a1, kind=ActivityKind.THEMED_DAY, topic="三月主题党日")
    client.force_login(secretary_a1)
    body = text(client.get(reverse("party:org-detail", args=[party.branch_a1.pk]) + "?year=2023"))
    assert "规范化建设试点" in body and "陈书记" in body and "一监区第一党小组" in body
    assert "三月主题党日" in body
    # The March cell of the themed day is done, with the engine's explanation as its title.
    assert 'title="2023年3月应开展主题党日至少1次，实际1次，已完成"' in body
    assert 'colspan="3"' in body and 'colspan="12"' in body  # quarters and years span months
    assert "洪山监狱委员会" not in body  # the committee above is outside the secretary's scope


def test_compliance_overview_sorts_by_rate_and_exports(client, admin_a, secretary_a1, party):
    record(secretary_a1, party.branch_a1, kind=ActivityKind.THEMED_DAY)
    client.force_login(admin_a)
    url = reverse("party:compliance")
    body = text(client.get(url, {"year": 2023}))
    assert "洪山监狱一监区党支部" in body and "tx-tree-indent-1" in body
    assert "襄南" not in body
    by_rate = text(client.get(url, {"year": 2023, "sort": "-rate"}))
    assert "tx-tree-indent" not in by_rate
    export = client.get(reverse("party:compliance-export"), {"year": 2023})
    sheet = load_workbook(io.BytesIO(export.content)).active
    names = [row[0].strip("\u3000") for row in sheet.iter_rows(min_row=2, values_only=True)]
    assert names[0] == "中共湖北省洪山监狱委员会" and len(names) == 4
    assert AuditEntry.objects.filter(action="party.compliance.export").exists()


def test_statistics_with_change_and_a_breakdown(client, admin_a, secretary_a1, party):
    record(secretary_a1, party.branch_a1, kind=ActivityKind.THEMED_DAY)
    record(secretary_a1, party.branch_a1, kind=ActivityKind.LECTURE, held_on=dt.date(2022, 5, 1))
    client.force_login(admin_a)
    body = text(client.get(reverse("party:statistics"), {"year": 2023}))
    assert "主题党日" in body and "洪山监狱一监区党支部" in body and "洪山监狱二监区党支部" in body
    assert "-100.0%" in body  # one lecture in 2022, none in 2023
    export = client.get(reverse("party:statistics-export"), {"year": 2023})
    rows = list(load_workbook(io.BytesIO(export.content)).active.iter_rows(values_only=True))
    assert rows[1][:2] == ("全部", "2023年")
    assert [r[0] for r in rows[4:]] == ["洪山监狱一监区党支部", "洪山监狱二监区党支部"]
    assert AuditEntry.objects.filter(action="party.statistics.export").exists()


def test_the_activity_export_is_audited(client, secretary_a1, party, meetings):
    client.force_login(secretary_a1)
    response = client.get(reverse("party:activity-export"))
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    entry = AuditEntry.objects.get(action="party.activity.export")
    assert entry.actor_id == secretary_a1.pk


def test_activity_list_filters_and_flags_quorum(client, secretary_a1, party):
    record(secretary_a1, party.branch_a1, topic="人少的大会", presences=[Presence(party.a1[0].pk)])
    record(secretary_a1, party.branch_a1, kind=ActivityKind.THEMED_DAY, topic="主题党日")
    client.force_login(secretary_a1)
    url = reverse("party:activity-list")
    body = text(client.get(url, {"kind": ActivityKind.GENERAL_MEETING}))
    assert "人少的大会" in body and "主题党日</a>" not in body
    assert 'data-testid="quorum"' in body and "1/5" in body
    assert "截止日期不能早于起始日期" in text(
        client.get(url, {"date_from": "2023-05-01", "date_to": "2023-01-01"})
    )


# --- query counts ---------------------------------------------------------------------------

SMALL, LARGE = 3, 30

# 5 plumbing (session, user, session save) + 2 permissions (navigation) + scope paths + count
# + page + the organisation select of the filter form + unread count + the user's officer
# (display name in the navbar); the member list adds the "1+N" coverage table (1).
PINNED = {"party:activity-list": 13, "party:member-list": 14}


class PartyRows:
    """Activities and members in 洪山一监区, added straight to the tables (fast)."""

    def __init__(self, tree, party):
        self.tree, self.party, self.made = tree, party, 0

    def grow_to(self, total: int) -> None:
        branch = make_org(
            f"ZB-X-{total}",
            f"第{total}支部",
            OrgKind.BRANCH,
            self.tree.district_a1,
            self.party.committee_a,
        )
        for i in range(self.made, total):
            member = make_member(self.tree.district_a1, f"党员{i + 1:02d}", branch)
            member.mentor = self.party.a1[0]
            member.save()
            Activity.objects.create(
                organization=self.party.branch_a1,
                kind=ActivityKind.THEMED_DAY,
                held_on=DAY,
                topic=f"第{i + 1:02d}次主题党日",
                host=member,
                expected_count=5,
                present_count=2 + i % 3,
            )
        self.made = total


@pytest.mark.parametrize("name", list(PINNED))
def test_list_query_counts_are_pinned(
    client, secretary_a1, tree, party, name, django_assert_num_queries
):
    rows = PartyRows(tree, party)
    rows.grow_to(SMALL)
    client.force_login(secretary_a1)
    url = reverse(name)
    pattern = r"第\d\d次主题党日</a>" if name == "party:activity-list" else r"<td>党员\d\d</td>"
    with django_assert_num_queries(PINNED[name]):
        response = client.get(url)
    assert len(re.findall(pattern, text(response))) == SMALL
    rows.grow_to(LARGE)
    with django_assert_num_queries(PINNED[name]):
        response = client.get(url)
    assert len(re.findall(pattern, text(response))) == LARGE
