"""The registry and ledgers over the API: scoped lists and details (404 outside the scope),
ID masking, writes through the services with Chinese field errors (400), permissions (403),
the ledger action, the schema, and list query counts that do not grow with rows."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.utils import timezone

from tests.conftest import make_user
from tests.prisoners.conftest import base_line, make_prisoner, months_back, this_month
from tongxin.audit.models import AuditEntry
from tongxin.prisoners import services
from tongxin.prisoners.models import (
    PointsEntry,
    Prisoner,
    Punishment,
    Reward,
    SentenceChange,
    SentenceType,
    Violation,
)

pytestmark = pytest.mark.django_db

PRISONERS = "/api/prisoners/"
POINTS = "/api/prisoner-points/"
REWARDS = "/api/prisoner-rewards/"
PUNISHMENTS = "/api/prisoner-punishments/"
VIOLATIONS = "/api/prisoner-violations/"


def post(client, url, data):
    return client.post(url, json.dumps(data), content_type="application/json")


def results(client, url) -> list[dict]:
    response = client.get(url)
    assert response.status_code == 200, response.content
    return response.json()["results"]


def refused(response, field: str) -> list[str]:
    assert response.status_code == 400, response.content
    return response.json()[field]


def base_data(prisoner, officer, month=None, parts=("40", "30", "30")) -> dict:
    supervision, education, labour = parts
    return {
        "prisoner": prisoner.pk,
        "kind": "base",
        "month": f"{month or months_back(1)}",
        "supervision": supervision,
        "education": education,
        "labour": labour,
        "officer": officer.pk,
    }


def adjustment_data(prisoner, officer, points="5", reason="拾金不昧") -> dict:
    return {
        "prisoner": prisoner.pk,
        "kind": "adjustment",
        "month": f"{this_month()}",
        "points": points,
        "reason": reason,
        "officer": officer.pk,
    }


# --- prisoners ----------------------------------------------------------------------------------


def test_list_is_scoped_and_masked(client, people, district_a, penalty_a, penalty_b):
    client.force_login(district_a)
    (row,) = results(client, PRISONERS)
    assert row["name"] == "张某"
    assert row["id_number"] == people.a.masked_id_number
    assert row["sentence_label"] == "有期徒刑 8年6个月"
    assert row["unit_name"] == "一监区"
    assert row["status"] == "in_custody" and row["status_display"] == "在押"
    client.force_login(penalty_a)
    rows = results(client, PRISONERS)
    assert {r["name"] for r in rows} == {"张某", "李某"}
    assert {r["id_number"] for r in rows} == {people.a.id_number, people.a2.id_number}
    client.force_login(penalty_b)
    assert [r["name"] for r in results(client, PRISONERS)] == ["王某"]
    assert client.get(f"{PRISONERS}?under={people.a.unit_id}").status_code == 404


def test_list_filters(client, tree, people, inspector):
    make_prisoner(
        tree.district_b1,
        "赵某某",
        sentence_type=SentenceType.LIFE,
        term_years=0,
        term_months=0,
        categories=["mafia"],
        status="paroled",
    )
    make_prisoner(tree.district_a2, "钱某", is_recidivist=True)
    client.force_login(inspector)

    def names(query):
        return {r["name"] for r in results(client, f"{PRISONERS}?{query}")}

    assert names(f"under={tree.prison_a.pk}") == {"张某", "李某", "钱某"}
    assert names("status=paroled") == {"赵某某"}
    assert names("sentence_type=life") == {"赵某某"}
    assert names("category=mafia") == {"赵某某"}
    assert names("category=recidivist") == {"钱某"}
    assert names("search=钱") == {"钱某"}
    assert names(f"search={people.b.number}") == {"王某"}
    response = client.get(f"{PRISONERS}?category=nonsense")
    assert response.status_code == 400 and "category" in response.json()


def test_retrieve_has_categories_history_and_merit(client, people, penalty_a, district_a):
    p = people.a
    p.categories = ["duty_crime"]
    p.property_able_unfulfilled = True
    p.save()
    ruling = timezone.localdate() - dt.timedelta(days=200)
    SentenceChange.objects.create(
        prisoner=p, kind="reduction", ruling_date=ruling, months=6, court="武汉中院"
    )
    for basis in (600, 1200):
        Reward.objects.create(
            prisoner=p,
            kind="commendation",
            awarded_on=timezone.localdate(),
            reason="x",
            points_basis=basis,
        )
    client.force_login(penalty_a)
    data = client.get(f"{PRISONERS}{p.pk}/").json()
    assert data["id_number"] == p.id_number
    assert data["categories"] == ["duty_crime", "property_unfulfilled"]
    assert data["category_labels"] == ["职务犯罪", "确有履行能力而不履行财产性判项"]
    (change,) = data["changes"]
    assert change["kind"] == "reduction" and change["months"] == 6 and change["court"] == "武汉中院"
    assert data["current_sentence"] == "有期徒刑 8年"
    assert data["merit_level"] == "repentance"
    assert data["merit_level_display"] == "确有悔改表现"
    assert f"自{ruling:%Y-%m-%d}起" in data["merit_explanation"]
    client.force_login(district_a)
    assert client.get(f"{PRISONERS}{p.pk}/").json()["id_number"] == p.masked_id_number


def test_detail_and_ledger_outside_the_scope_are_404(client, people, district_a, penalty_b):
    client.force_login(district_a)
    assert client.get(f"{PRISONERS}{people.a2.pk}/").status_code == 404
    client.force_login(penalty_b)
    assert client.get(f"{PRISONERS}{people.a.pk}/").status_code == 404
    assert client.get(f"{PRISONERS}{people.a.pk}/ledger/").status_code == 404


def test_ledger_action(client, people, district_a, officer_a):
    base_line(people.a, months_back(2), "100", officer_a)
    base_line(people.a, months_back(1), "90", officer_a)
    wrong = services.record_adjustment(
        user=district_a,
        prisoner=people.a,
        month=months_back(1),
        points="-5",
        reason="顶撞",
        officer=officer_a,
    )
    reversal = services.reverse_points(user=district_a, entry=wrong, reason="误记")
    client.force_login(district_a)
    months = client.get(f"{PRISONERS}{people.a.pk}/ledger/").json()
    assert [m["month"] for m in months] == [f"{months_back(1)}", f"{months_back(2)}"]
    assert [m["running_total"] for m in months] == ["190.0", "100.0"]
    latest = months[0]
    assert (latest["base"], latest["deductions"], latest["reversals"]) == ("90.0", "-5.0", "5.0")
    entries = {e["id"]: e for e in latest["entries"]}
    assert entries[wrong.pk]["reversed_by"] == reversal.pk
    assert entries[reversal.pk]["reverses"] == wrong.pk
    assert entries[reversal.pk]["reason"] == "误记"
    assert entries[wrong.pk]["officer_name"] == "李娜"


# --- points ---------------------------------------------------------------------------------


def test_create_base_line_and_adjustment(client, people, district_a, officer_a):
    client.force_login(district_a)
    response = post(client, POINTS, base_data(people.a, officer_a))
    assert response.status_code == 201, response.content
    data = response.json()
    assert data["kind"] == "base" and data["points"] == "100.0"
    assert (data["supervision"], data["education"], data["labour"]) == ("40.0", "30.0", "30.0")
    response = post(client, POINTS, adjustment_data(people.a, officer_a, "-2.5", "内务"))
    assert response.status_code == 201
    assert response.json()["kind"] == "deduction"
    assert AuditEntry.objects.filter(action="prisoners.points.create").count() == 2


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"month": "future"}, "month", "不能考核未来的月份。"),
        ({"month": "before"}, "month", "入监,此前的月份不能考核"),
        ({"supervision": "100.5"}, "supervision", "须在0到100之间。"),
        ({"labour": "31"}, "labour", "三项合计101.0分,超过月基础分100分。"),
        ({"education": None}, "education", "请填写此项。"),
        ({"officer": "other"}, "officer", "考核民警须为本监狱民警。"),
    ],
)
def test_base_line_refusals(
    client, people, district_a, officer_a, officer_b, change, field, message
):
    data = base_data(people.a, officer_a)
    for key, value in change.items():
        if value is None:
            del data[key]
        else:
            data[key] = {
                "future": f"{this_month() + dt.timedelta(days=40)}",
                "before": f"{months_back(40)}",
                "other": officer_b.pk,
            }.get(value, value)
    client.force_login(district_a)
    errors = refused(post(client, POINTS, data), field)
    assert any(message in e for e in errors), errors
    assert not PointsEntry.objects.exists()


def test_second_base_line_is_refused(client, people, district_a, officer_a):
    client.force_login(district_a)
    assert post(client, POINTS, base_data(people.a, officer_a)).status_code == 201
    errors = refused(post(client, POINTS, base_data(people.a, officer_a)), "month")
    assert "已录入" in errors[0]
    assert PointsEntry.objects.count() == 1


@pytest.mark.parametrize(
    ("points", "reason", "field", "message"),
    [
        ("0", "有", "points", "加扣分不能为0。"),
        ("101", "有", "points", "单次加扣分不得超过100分。"),
        ("5", "", "reason", "请填写加扣分事由。"),
        (None, "有", "points", "请填写此项。"),
    ],
)
def test_adjustment_refusals(client, people, district_a, officer_a, points, reason, field, message):
    data = adjustment_data(people.a, officer_a, points, reason)
    if points is None:
        del data["points"]
    client.force_login(district_a)
    assert refused(post(client, POINTS, data), field) == [message]


def test_points_writes_need_permission_and_scope(
    client, people, district_a, district_b, reviewer_a, officer_a
):
    client.force_login(reviewer_a)
    response = post(client, POINTS, base_data(people.a, officer_a))
    assert response.status_code == 403
    assert response.json()["detail"] == "您没有执行此操作的权限"
    client.force_login(district_b)
    # A prisoner outside the scope cannot be named: the same answer as one that does not exist.
    errors = refused(post(client, POINTS, base_data(people.a, officer_a)), "prisoner")
    assert errors and "不存在" in errors[0]
    client.force_login(district_a)
    assert refused(post(client, POINTS, base_data(people.a2, officer_a)), "prisoner")
    assert not PointsEntry.objects.exists() and not AuditEntry.objects.exists()


def test_points_list_is_scoped_and_filtered(client, people, district_a, district_b, officer_a):
    base_line(people.a, months_back(2), officer=officer_a)
    base_line(people.a, months_back(1), officer=officer_a)
    base_line(people.a2, months_back(1))
    client.force_login(district_a)
    assert len(results(client, POINTS)) == 2
    assert len(results(client, f"{POINTS}?prisoner={people.a.pk}&month={months_back(1)}")) == 1
    assert results(client, f"{POINTS}?prisoner={people.a2.pk}") == []
    client.force_login(district_b)
    assert results(client, POINTS) == []
    assert client.get(f"{POINTS}{PointsEntry.objects.first().pk}/").status_code == 404


def test_reverse_action(client, people, district_a, district_b, officer_a):
    entry = base_line(people.a, months_back(1), officer=officer_a)
    url = f"{POINTS}{entry.pk}/reverse/"
    client.force_login(district_b)
    assert post(client, url, {"reason": "x"}).status_code == 404
    client.force_login(district_a)
    assert refused(post(client, url, {"reason": " "}), "reason") == ["请填写冲正原因。"]
    assert refused(post(client, url, {}), "reason") == ["请填写冲正原因。"]
    response = post(client, url, {"reason": "考核有误"})
    assert response.status_code == 201
    data = response.json()
    assert data["kind"] == "reversal" and data["points"] == "-100.0"
    assert data["reverses"] == entry.pk
    assert refused(post(client, url, {"reason": "再冲"}), "entry") == ["该条目已冲正。"]
    again = f"{POINTS}{data['id']}/reverse/"
    assert refused(post(client, again, {"reason": "反冲"}), "entry") == ["冲正条目不能再冲正。"]
    original = client.get(f"{POINTS}{entry.pk}/").json()
    assert original["points"] == "100.0" and original["reversed_by"] == data["id"]


# --- rewards, punishments, violations ------------------------------------------------------------


def test_rewards(client, people, district_a, officer_a):
    today = f"{timezone.localdate()}"
    data = {
        "prisoner": people.a.pk,
        "kind": "merit",
        "awarded_on": today,
        "reason": "检举他犯",
        "officer": officer_a.pk,
    }
    client.force_login(district_a)
    assert refused(post(client, REWARDS, data), "evidence") == ["立功、重大立功须附证据材料。"]
    assert refused(post(client, REWARDS, {**data, "kind": "commendation"}), "kind") == [
        "表扬由计分考核累计分自动获得,不能手工录入。"
    ]
    response = post(client, REWARDS, {**data, "evidence": "查证属实", "rests_on_invention": True})
    assert response.status_code == 201
    created = response.json()
    assert created["rests_on_invention"] and created["kind_display"] == "立功"
    url = f"{REWARDS}{created['id']}/revoke/"
    assert refused(post(client, url, {"reason": ""}), "reason") == ["请填写撤销原因。"]
    revocation = post(client, url, {"reason": "证据不足"}).json()
    assert revocation["reverses"] == created["id"]
    assert refused(post(client, url, {"reason": "again"}), "entry") == ["该记录已撤销。"]
    rows = results(client, f"{REWARDS}?prisoner={people.a.pk}")
    assert {r["id"]: r["reversed_by"] for r in rows} == {
        created["id"]: revocation["id"],
        revocation["id"]: None,
    }


@pytest.mark.parametrize(
    ("url", "model", "data", "bad_field", "bad_value", "message"),
    [
        (
            PUNISHMENTS,
            Punishment,
            {"kind": "warning", "decided_on": "today", "reason": "私藏违禁品"},
            "reason",
            "",
            "请填写处罚事由。",
        ),
        (
            VIOLATIONS,
            Violation,
            {"severity": "serious", "occurred_on": "today", "description": "殴打他犯"},
            "occurred_on",
            "tomorrow",
            "发生日期不能晚于今天。",
        ),
    ],
)
def test_punishments_and_violations(
    client, people, district_a, officer_a, url, model, data, bad_field, bad_value, message
):
    days = {
        "today": f"{timezone.localdate()}",
        "tomorrow": f"{timezone.localdate() + dt.timedelta(days=1)}",
    }
    data = {k: days.get(v, v) for k, v in data.items()}
    data.update(prisoner=people.a.pk, officer=officer_a.pk)
    client.force_login(district_a)
    bad = {**data, bad_field: days.get(bad_value, bad_value)}
    assert refused(post(client, url, bad), bad_field) == [message]
    response = post(client, url, data)
    assert response.status_code == 201, response.content
    created = response.json()
    revoke = f"{url}{created['id']}/revoke/"
    assert post(client, revoke, {"reason": "复查撤销"}).status_code == 201
    assert refused(post(client, revoke, {"reason": "again"}), "entry") == ["该记录已撤销。"]
    assert model.objects.count() == 2
    assert len(results(client, f"{url}?prisoner={people.a.pk}")) == 2


@pytest.mark.parametrize("url", [REWARDS, PUNISHMENTS, VIOLATIONS])
def test_ledger_lists_and_writes_are_scoped(client, people, district_a, district_b, officer_a, url):
    today = timezone.localdate()
    rows = {
        REWARDS: lambda: Reward.objects.create(
            prisoner=people.a, kind="material", awarded_on=today, reason="x"
        ),
        PUNISHMENTS: lambda: Punishment.objects.create(
            prisoner=people.a, kind="warning", decided_on=today, reason="x"
        ),
        VIOLATIONS: lambda: Violation.objects.create(
            prisoner=people.a, severity="ordinary", occurred_on=today, description="x"
        ),
    }
    row = rows[url]()
    client.force_login(district_a)
    assert len(results(client, url)) == 1
    client.force_login(district_b)
    assert results(client, url) == []
    assert client.get(f"{url}{row.pk}/").status_code == 404
    assert post(client, f"{url}{row.pk}/revoke/", {"reason": "x"}).status_code == 404
    assert type(row).objects.count() == 1


def test_readers_cannot_write(client, people, reviewer_a, officer_a):
    client.force_login(reviewer_a)
    today = f"{timezone.localdate()}"
    reward = Reward.objects.create(
        prisoner=people.a, kind="material", awarded_on=timezone.localdate(), reason="x"
    )
    assert results(client, REWARDS)  # may read
    for url, data in (
        (REWARDS, {"kind": "material", "awarded_on": today, "reason": "x"}),
        (PUNISHMENTS, {"kind": "warning", "decided_on": today, "reason": "x"}),
        (VIOLATIONS, {"severity": "ordinary", "occurred_on": today, "description": "x"}),
        (f"{REWARDS}{reward.pk}/revoke/", {"reason": "x"}),
    ):
        payload = {**data, "prisoner": people.a.pk, "officer": officer_a.pk}
        assert post(client, url, payload).status_code == 403, url
    assert Reward.objects.count() == 1


def test_the_schema_documents_the_endpoints(client, district_a):
    client.force_login(district_a)
    schema = client.get("/api/schema/?format=json").json()
    paths = schema["paths"]
    for path in (
        "/api/prisoners/",
        "/api/prisoners/{id}/",
        "/api/prisoners/{id}/ledger/",
        "/api/prisoner-points/",
        "/api/prisoner-points/{id}/reverse/",
        "/api/prisoner-rewards/{id}/revoke/",
        "/api/prisoner-punishments/{id}/revoke/",
        "/api/prisoner-violations/{id}/revoke/",
    ):
        assert path in paths, path
    create = paths["/api/prisoner-points/"]["post"]["requestBody"]["content"]
    ref = create["application/json"]["schema"]["$ref"]
    assert ref.endswith("/PointsCreateRequest")
    components = schema["components"]["schemas"]
    assert components["PointsCreateKindEnum"]["enum"] == ["base", "adjustment"]
    assert components["RewardCreateKindEnum"]["enum"] == [
        "commendation",
        "material",
        "merit",
        "major_merit",
    ]


# --- query counts ---------------------------------------------------------------------------

# 5 plumbing + scope + count + page + 2 permissions (the view's, then ID masking from cache)
PINNED = {
    PRISONERS: 10,
    POINTS: 10,
    REWARDS: 10,
    PUNISHMENTS: 10,
    VIOLATIONS: 10,
}


def _grow(tree, user, officer, total):
    today = timezone.localdate()
    for i in range(Prisoner.objects.count(), total):
        p = make_prisoner(tree.district_a1 if i % 2 else tree.district_a2, f"罪犯{i:02d}")
        entry = base_line(p, months_back(1), officer=officer)
        if i % 2:
            services.reverse_points(user=user, entry=entry, reason="冲正")
        else:
            base_line(p, months_back(2), officer=officer)
        for model, values in (
            (Reward, {"kind": "material", "awarded_on": today, "reason": "x"}),
            (Punishment, {"kind": "warning", "decided_on": today, "reason": "x"}),
            (Violation, {"severity": "ordinary", "occurred_on": today, "description": "x"}),
        ):
            model.objects.create(prisoner=p, officer=officer, **values)


@pytest.mark.parametrize("url", list(PINNED))
def test_api_list_query_counts_are_pinned(
    client, roles, tree, officer_a, url, django_assert_num_queries
):
    # A district officer whose scope is the whole prison: every list is readable.
    reader = make_user("reader", "district_officer", tree.prison_a)
    _grow(tree, reader, officer_a, 3)
    client.force_login(reader)
    with django_assert_num_queries(PINNED[url]):
        response = client.get(url)
    assert response.status_code == 200 and response.json()["count"] >= 3
    _grow(tree, reader, officer_a, 30)
    with django_assert_num_queries(PINNED[url]):
        response = client.get(url)
    assert response.status_code == 200 and len(response.json()["results"]) >= 30
