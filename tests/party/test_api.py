"""智慧党建 over the API: scoped lists, recording through the services with field errors,
optimistic concurrency, QR check-in, the member's summary, compliance and statistics, and
pinned query counts of the lists."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.utils import timezone

from tests.conftest import make_user
from tests.party.conftest import make_member, make_org
from tongxin.party import services
from tongxin.party.models import Activity, ActivityKind, Attendance, OrgKind
from tongxin.party.services import Presence

pytestmark = pytest.mark.django_db

DAY = dt.date(2023, 3, 15)


def record(user, org, kind=ActivityKind.THEMED_DAY, held_on=DAY, **extra):
    extra.setdefault("topic", "主题党日")
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
    return {
        "a": record(secretary_a1, party.branch_a1, topic="洪山主题党日"),
        "b": record(secretary_b1, party.branch_b1, topic="襄南主题党日"),
    }


def post(client, url, data):
    return client.post(url, json.dumps(data), content_type="application/json")


def patch(client, url, data):
    return client.patch(url, json.dumps(data), content_type="application/json")


# --- scope and permissions -----------------------------------------------------------------


def test_lists_are_scoped(client, secretary_a1, party, meetings):
    client.force_login(secretary_a1)
    orgs = client.get("/api/party/organizations/").json()["results"]
    assert {o["name"] for o in orgs} == {"洪山监狱一监区党支部", "一监区第一党小组"}
    members = client.get("/api/party/members/").json()["results"]
    assert len(members) == 5 and "冯书记" not in {m["name"] for m in members}
    assert "dues_base" not in members[0]
    activities = client.get("/api/party/activities/").json()["results"]
    assert [a["topic"] for a in activities] == ["洪山主题党日"]
    for url in (
        f"/api/party/organizations/{party.branch_b1.pk}/",
        f"/api/party/members/{party.b1[0].pk}/",
        f"/api/party/activities/{meetings['b'].pk}/",
        f"/api/party/organizations/?under={party.committee_b.pk}",
        f"/api/party/members/?organization={party.branch_b1.pk}",
        f"/api/party/activities/?organization={party.branch_b1.pk}",
        f"/api/party/compliance/?org={party.committee_b.pk}",
        f"/api/party/statistics/?org={party.committee_b.pk}",
    ):
        assert client.get(url).status_code == 404, url
    response = patch(client, f"/api/party/activities/{meetings['b'].pk}/", {"topic": "改"})
    assert response.status_code == 404


def test_filters(client, admin_a, party, meetings):
    client.force_login(admin_a)
    under = client.get(f"/api/party/organizations/?under={party.branch_a1.pk}").json()
    assert under["count"] == 2
    group = client.get(f"/api/party/members/?organization={party.group_a1.pk}").json()
    assert group["count"] == 3
    committee = client.get(f"/api/party/members/?organization={party.committee_a.pk}").json()
    assert committee["count"] == 7
    kinds = client.get("/api/party/activities/?kind=lecture").json()
    assert kinds["count"] == 0


def test_an_ordinary_member_reads_only_their_own(client, member_a1, party, meetings):
    client.force_login(member_a1)
    for url in (
        "/api/party/organizations/",
        "/api/party/members/",
        "/api/party/activities/",
        "/api/party/compliance/",
        "/api/party/statistics/",
    ):
        assert client.get(url).status_code == 403, url
    response = post(
        client,
        "/api/party/activities/",
        {
            "organization": party.branch_a1.pk,
            "kind": "themed_day",
            "held_on": "2023-03-01",
            "topic": "x",
        },
    )
    assert response.status_code == 403
    assert client.get("/api/party/me/").status_code == 200


def test_anonymous_is_401(client):
    assert client.get("/api/party/activities/").status_code == 401


# --- recording ------------------------------------------------------------------------------


def _payload(party, **extra):
    a1 = party.a1
    data = {
        "organization": party.branch_a1.pk,
        "kind": "general_meeting",
        "held_on": DAY.isoformat(),
        "topic": "第一季度支部党员大会",
        "host": a1[0].pk,
        "presences": [
            {"member": a1[0].pk},
            {"member": a1[1].pk, "status": "present"},
            {"member": a1[2].pk},
            {"member": a1[3].pk},
            {"member": a1[4].pk, "status": "excused", "reason": "病假"},
        ],
    }
    data.update(extra)
    return data


def test_create_records_through_the_service(client, secretary_a1, party):
    client.force_login(secretary_a1)
    response = post(client, "/api/party/activities/", _payload(party))
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["expected_count"], body["present_count"], body["excused_count"]) == (5, 4, 1)
    assert body["below_quorum"] is False and body["by_secretary"] is True
    assert {a["status"] for a in body["attendance"]} == {"present", "excused"}
    assert body["checkin_url"] is None


@pytest.mark.parametrize(
    ("case", "field", "words"),
    [
        ("future", "held_on", "不能晚于今天"),
        ("wrong_kind", "kind", "不召开"),
        ("outsider", "attendance", "不是本次活动应参加的党员:郑党员"),
        ("no_reason", "attendance", "请假须填写事由"),
        ("unknown_kind", "kind", ""),
    ],
)
def test_bad_input_is_400_with_field_errors(client, secretary_a1, party, case, field, words):
    extra = {
        "future": {"held_on": "2999-01-01"},
        "wrong_kind": {"kind": "group_meeting"},
        "outsider": {"presences": [{"member": party.a2[1].pk}]},
        "no_reason": {"presences": [{"member": party.a1[1].pk, "status": "excused"}]},
        "unknown_kind": {"kind": "nonsense"},
    }[case]
    client.force_login(secretary_a1)
    response = post(client, "/api/party/activities/", _payload(party, **extra))
    assert response.status_code == 400
    errors = response.json()
    assert any(words in message for message in errors[field]), errors
    assert not Activity.objects.exists()


def test_create_for_an_organisation_outside_the_scope_is_400(client, secretary_a1, party):
    client.force_login(secretary_a1)
    response = post(
        client, "/api/party/activities/", _payload(party, organization=party.branch_b1.pk)
    )
    assert response.status_code == 400 and "organization" in response.json()
    assert not Activity.objects.exists()


def test_patch_with_the_version_read(client, secretary_a1, party):
    activity = record(secretary_a1, party.branch_a1, presences=[Presence(m.pk) for m in party.a1])
    client.force_login(secretary_a1)
    url = f"/api/party/activities/{activity.pk}/"
    seen = client.get(url).json()["updated_at"]
    ok = patch(client, url, {"topic": "新主题", "expected_updated_at": seen})
    assert ok.status_code == 200 and ok.json()["topic"] == "新主题"
    assert ok.json()["present_count"] == 5  # attendance kept when not given
    stale = patch(client, url, {"topic": "再改", "expected_updated_at": seen})
    assert stale.status_code == 400
    assert "已被他人修改" in stale.json()["non_field_errors"][0]
    activity.refresh_from_db()
    assert activity.topic == "新主题"


# --- check-in, the member's summary ----------------------------------------------------------


@pytest.fixture
def open_meeting(secretary_a1, party):
    now = timezone.now()
    return record(
        secretary_a1,
        party.branch_a1,
        held_on=timezone.localdate(),
        topic="扫码签到",
        starts_at=now,
        ends_at=now + dt.timedelta(hours=1),
    )


def test_checkin(client, member_a1, open_meeting):
    client.force_login(member_a1)
    response = post(client, "/api/party/activities/checkin/", {"token": open_meeting.checkin_token})
    assert response.status_code == 200
    assert response.json()["status"] == "present" and response.json()["checked_in_at"]
    assert Attendance.objects.get(
        activity=open_meeting, member__officer=member_a1.officer
    ).checked_in_at
    bad = post(client, "/api/party/activities/checkin/", {"token": "nope"})
    assert bad.status_code == 400 and "签到码无效" in bad.json()["non_field_errors"][0]
    assert post(client, "/api/party/activities/checkin/", {}).status_code == 400


def test_me(client, member_a1, admin_a, party, open_meeting):
    client.force_login(member_a1)
    body = client.get("/api/party/me/").json()
    assert body["member"]["branch"]["name"] == "洪山监狱一监区党支部"
    assert body["member"]["group"]["name"] == "一监区第一党小组"
    assert [o["topic"] for o in body["open_checkins"]] == ["扫码签到"]
    assert body["recent"][0]["topic"] == "扫码签到"
    assert body["study_hours"] == 0 and "six_month_flag" in body["dues"]
    client.force_login(admin_a)
    assert client.get("/api/party/me/").json() == {"member": None}


# --- compliance and statistics ---------------------------------------------------------------


def test_compliance(client, secretary_a1, party):
    for month in (1, 2, 3):
        record(secretary_a1, party.branch_a1, held_on=dt.date(2023, month, 10))
    client.force_login(secretary_a1)
    body = client.get("/api/party/compliance/?year=2023").json()
    assert body["year"] == 2023
    rows = {row["name"]: row for row in body["organizations"]}
    assert set(rows) == {"洪山监狱一监区党支部", "一监区第一党小组"}
    assert rows["洪山监狱一监区党支部"]["done"] >= 3
    assert 0 <= rows["洪山监狱一监区党支部"]["rate"] < 1
    assert client.get("/api/party/compliance/?year=abc").status_code == 400


def test_statistics(client, admin_a, secretary_a1, party):
    record(secretary_a1, party.branch_a1)
    record(secretary_a1, party.branch_a1, held_on=dt.date(2022, 3, 1))
    record(secretary_a1, party.branch_a1, held_on=dt.date(2022, 4, 1))
    client.force_login(admin_a)
    body = client.get(f"/api/party/statistics/?year=2023&org={party.committee_a.pk}").json()
    themed = body["figures"]["themed_day"]
    assert (themed["value"], themed["previous"], themed["change"]) == (1, 2, -0.5)
    assert body["root"] == party.committee_a.pk


# --- query counts -----------------------------------------------------------------------------

SMALL, LARGE = 3, 30

# 5 plumbing + 2 permissions (the view's permission class) + scope paths + count + page
PINNED = {
    "/api/party/activities/": 10,
    "/api/party/members/": 10,
    "/api/party/organizations/": 10,
}


def _grow(tree, party, made: int, total: int) -> None:
    for i in range(made, total):
        branch = make_org(
            f"ZB-Q-{i}", f"第{i + 1:02d}号支部", OrgKind.BRANCH, tree.district_a1, party.committee_a
        )
        member = make_member(tree.district_a1, f"党员{i + 1:02d}", branch)
        member.mentor = party.a1[0]
        member.save()
        Activity.objects.create(
            organization=branch,
            kind=ActivityKind.THEMED_DAY,
            held_on=DAY,
            topic=f"第{i + 1:02d}次主题党日",
            host=member,
        )


@pytest.mark.parametrize("url", list(PINNED))
def test_api_list_query_counts_are_pinned(
    client, secretary_a1, tree, party, url, django_assert_num_queries
):
    _grow(tree, party, 0, SMALL)
    client.force_login(secretary_a1)
    with django_assert_num_queries(PINNED[url]):
        small = client.get(url).json()
    _grow(tree, party, SMALL, LARGE)
    with django_assert_num_queries(PINNED[url]):
        large = client.get(url).json()
    assert large["count"] - small["count"] == LARGE - SMALL
