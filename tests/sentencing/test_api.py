"""The review procedure over the API: scoped lists and details, the proposal, every act with
its refusals (403 wrong role, 400 wrong step, 404 out of scope, 409 stale), alerts and
objections, the pinned query count of the list, and the schema."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from tests.conftest import make_user
from tests.sentencing.conftest import commend, make_prisoner
from tests.sentencing.test_pages import district_a2_officer, drive, propose, risky_prisoner
from tongxin.audit.models import AuditEntry
from tongxin.prisoners.models import PointsEntry, SentenceChange
from tongxin.sentencing.models import Case, CaseStatus, CaseStep, Objection, RiskAlert

pytestmark = pytest.mark.django_db

CASES = "/api/sentencing/cases/"
STALE = "该案件已被他人处理,请刷新后查看最新状态再办理。"


def act(client, case, action, **data):
    return client.post(f"{CASES}{case.pk}/{action}/", data, content_type="application/json")


@pytest.fixture
def b_viewer(roles, tree):
    return make_user("section_b", "penalty_officer", tree.prison_b)


# --- reads ----------------------------------------------------------------------------------


def test_the_list_is_scoped_and_filtered_like_the_page(client, staff, tree, prisoner, b_viewer):
    case = propose(staff, prisoner)
    other = make_prisoner(tree.district_a2, name="周某")
    commend(other)
    parole = propose(
        staff, other, kind="parole", risk_assessment="评估:低。", by=district_a2_officer(tree)
    )
    client.force_login(staff.section)

    def numbers(**params):
        body = client.get(CASES, params).json()
        return {row["number"] for row in body["results"]}

    assert numbers() == {case.number, parole.number}
    assert numbers(kind="parole") == {parole.number}
    assert numbers(search="周某") == {parole.number}
    assert numbers(search=prisoner.number) == {case.number}
    assert numbers(under=tree.district_a1.pk) == {case.number}
    assert numbers(year=timezone.localdate().year) == {case.number, parole.number}
    assert numbers(status="closed") == set()
    assert numbers(mine="true") == {case.number, parole.number}
    row = client.get(CASES, {"kind": "reduction"}).json()["results"][0]
    assert row["amount_text"] == "减刑6个月" and row["open_alerts"] == 0
    assert row["status_display"] == "监区已提请" and row["version"] == 1
    assert client.get(CASES, {"under": tree.district_b1.pk}).status_code == 404
    client.force_login(staff.committee)
    assert numbers(mine="true") == set()

    client.force_login(b_viewer)
    assert client.get(CASES).json()["count"] == 0
    assert client.get(f"{CASES}{case.pk}/").status_code == 404


def test_the_detail_has_the_verdict_alerts_reviewers_steps_and_actions(client, staff, tree):
    risky = risky_prisoner(tree, name="陈某")
    PointsEntry.objects.create(
        prisoner=risky,
        month=timezone.localdate().replace(day=1),
        kind="addition",
        points=5,
        reason="协助管理",
        officer=staff.reviewers[0].officer,
    )
    case = drive(staff, propose(staff, risky, months=4), CaseStatus.SECTION_REVIEWED)
    drawn = case.reviewers.first().reviewer
    client.force_login(drawn)
    body = client.get(f"{CASES}{case.pk}/").json()
    assert body["verdict"]["reduction"]["eligible"] is True
    assert body["verdict"]["reduction"]["max_months"] == 9
    reasons = body["verdict"]["reduction"]["reasons"]
    assert all({"rule", "basis", "text", "passes"} <= set(r) for r in reasons)
    assert {a["kind"] for a in body["alerts"]} >= {"special_category", "property_unfulfilled"}
    assert {r["reviewer"] for r in body["reviewers"]} == set(
        case.reviewers.values_list("reviewer_id", flat=True)
    )
    assert body["excluded"] == [
        {
            "user_id": staff.reviewers[0].pk,
            "name": str(staff.reviewers[0]),
            "reasons": "近12个月曾为该犯考核计分或呈报奖励",
        }
    ]
    assert [s["step"] for s in body["steps"]] == ["propose", "section_review"]
    assert body["steps"][1]["label"] == "刑罚执行科审查"
    assert body["actions"]["steps"] == ["centre_review"]
    assert set(body["actions"]["alerts"]) == set(case.alerts.values_list("pk", flat=True))
    assert body["term_end"] and body["current_sentence"] == "有期徒刑 6年"


# --- the proposal ---------------------------------------------------------------------------


def test_propose_through_the_api(client, staff, prisoner, tree):
    client.force_login(staff.district)
    data = {"prisoner": prisoner.pk, "kind": "reduction", "reasons": "集体研究同意。"}
    response = client.post(CASES, {**data, "proposed_months": 24}, content_type="application/json")
    assert response.status_code == 400
    assert "超过依法可减的最大幅度9个月" in response.json()["proposed_months"][0]
    response = client.post(CASES, {**data, "proposed_months": 6}, content_type="application/json")
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["status"] == "proposed" and body["actions"]["withdraw"] is True
    assert Case.objects.get().created_by == staff.district
    # Outside the scope, the prisoner is not a choice; without the role, 403.
    stranger = make_prisoner(tree.district_b1)
    response = client.post(
        CASES, {**data, "prisoner": stranger.pk}, content_type="application/json"
    )
    assert response.status_code == 400 and "prisoner" in response.json()
    client.force_login(staff.section)
    assert client.post(CASES, data, content_type="application/json").status_code == 403


def test_a_temporary_case_goes_to_the_bureau(client, staff, tree):
    p = make_prisoner(tree.district_a1)
    client.force_login(staff.district)
    response = client.post(
        CASES,
        {
            "prisoner": p.pk,
            "kind": "temporary",
            "reasons": "该犯患严重疾病。",
            "medical_assessment": "省人民医院诊断:尿毒症晚期。",
            "temporary_grounds": {"serious_illness": True},
        },
        content_type="application/json",
    )
    assert response.status_code == 201, response.content
    case = drive(staff, Case.objects.get(), CaseStatus.DIRECTOR_APPROVED)
    client.force_login(staff.clerk)
    body = act(client, case, "submit", expected_version=case.version).json()
    assert body["status"] == "submitted_to_bureau" and "监狱管理局" in body["submitted_to"]
    client.force_login(staff.bureau)
    body = act(
        client,
        case,
        "decide",
        step="bureau_approval",
        decision="approve",
        opinion="同意。",
        expected_version=body["version"],
    ).json()
    assert body["status"] == "closed" and body["outcome"] == "granted"


# --- every act ------------------------------------------------------------------------------


def test_the_whole_procedure_through_the_api(client, staff, tree):
    case = propose(staff, risky_prisoner(tree, name="陈某"), months=4)
    client.force_login(staff.section)
    body = act(
        client,
        case,
        "decide",
        step="section_review",
        decision="approve",
        opinion="材料齐全。",
        expected_version=case.version,
    ).json()
    assert body["status"] == "section_reviewed"
    version = body["version"]
    reviewers = [r["reviewer"] for r in body["reviewers"]]
    users = {u.pk: u for u in staff.reviewers}
    client.force_login(users[reviewers[0]])
    response = act(
        client, case, "review", decision="approve", opinion="同意", expected_version=version
    )
    assert response.status_code == 400
    assert "尚有风险预警未处置" in response.json()["non_field_errors"][0]
    for alert_id in case.alerts.values_list("pk", flat=True):
        response = client.post(
            f"/api/sentencing/alerts/{alert_id}/dispose/",
            {"disposition": "已核实。", "expected_version": version},
            content_type="application/json",
        )
        assert response.status_code == 200, response.content
        assert response.json()["disposition"] == "已核实。"
        version += 1
    for reviewer in reviewers:
        client.force_login(users[reviewer])
        body = act(
            client, case, "review", decision="approve", opinion="同意", expected_version=version
        ).json()
        version = body["version"]
    assert body["status"] == "centre_reviewed"
    client.force_login(staff.committee)
    body = act(
        client,
        case,
        "decide",
        step="committee",
        decision="approve",
        opinion="同意。",
        expected_version=version,
    ).json()
    client.force_login(staff.clerk)
    today = timezone.localdate()
    body = act(
        client,
        case,
        "publish-notice",
        notice_start=today.isoformat(),
        expected_version=body["version"],
    ).json()
    assert body["status"] == "in_notice" and body["notice_start"] == today.isoformat()
    response = client.post(
        "/api/sentencing/objections/",
        {"case": case.pk, "received_on": today.isoformat(), "objector": "张某", "content": "不公"},
        content_type="application/json",
    )
    assert response.status_code == 201, response.content
    objection = response.json()["id"]
    case.refresh_from_db()
    response = act(client, case, "close-notice", expected_version=case.version)
    assert response.status_code == 400
    Case.objects.filter(pk=case.pk).update(
        notice_start=today - dt.timedelta(days=10), notice_end=today - dt.timedelta(days=1)
    )
    response = act(client, case, "close-notice", expected_version=case.version)
    assert "未答复" in response.json()["non_field_errors"][0]
    response = client.post(
        f"/api/sentencing/objections/{objection}/answer/",
        {"answer": "经核查,加分有据。"},
        content_type="application/json",
    )
    assert response.status_code == 200 and response.json()["answered_on"] == today.isoformat()
    case.refresh_from_db()
    body = act(client, case, "close-notice", expected_version=case.version).json()
    assert body["status"] == "notice_closed"
    client.force_login(staff.warden)
    body = act(
        client,
        case,
        "decide",
        step="director",
        decision="approve",
        opinion="同意。",
        expected_version=body["version"],
    ).json()
    client.force_login(staff.clerk)
    body = act(client, case, "submit", expected_version=body["version"]).json()
    assert body["status"] == "submitted" and "中级人民法院" in body["submitted_to"]
    body = act(
        client,
        case,
        "ruling",
        ruling_date=today.isoformat(),
        granted=True,
        months=4,
        ruling_number="(2026)鄂01刑更9号",
        expected_version=body["version"],
    ).json()
    assert body["status"] == "closed" and body["outcome"] == "granted"
    assert SentenceChange.objects.get(prisoner=case.prisoner).months == 4


def test_withdraw_through_the_api(client, staff, prisoner):
    case = propose(staff, prisoner)
    client.force_login(staff.district)
    body = act(client, case, "withdraw", reason="材料需补充。", expected_version=1).json()
    assert body["status"] == "closed" and body["outcome"] == "withdrawn"


# (action, status the case is at, payload, person who may act, person whose role may not)
ACTS = [
    (
        "decide",
        "proposed",
        {"step": "section_review", "decision": "approve", "opinion": "同意"},
        "section",
        "committee",
    ),
    (
        "review",
        "section_reviewed",
        {"decision": "reject", "opinion": "不同意"},
        "drawn",
        "committee",
    ),
    (
        "decide",
        "centre_reviewed",
        {"step": "committee", "decision": "approve", "opinion": "同意"},
        "committee",
        "warden",
    ),
    ("publish-notice", "committee_approved", {"notice_start": "TODAY"}, "clerk", "committee"),
    ("close-notice", "in_notice", {}, "clerk", "warden"),
    (
        "decide",
        "notice_closed",
        {"step": "director", "decision": "approve", "opinion": "同意"},
        "warden",
        "committee",
    ),
    ("submit", "director_approved", {}, "clerk", "warden"),
    (
        "ruling",
        "submitted",
        {"ruling_date": "TODAY", "granted": False, "ruling_number": "(2026)鄂01刑更1号"},
        "clerk",
        "warden",
    ),
    ("withdraw", "proposed", {"reason": "撤回"}, "district", "section"),
]


def _payload(data, version):
    today = timezone.localdate().isoformat()
    return {
        **{k: today if v == "TODAY" else v for k, v in data.items()},
        "expected_version": version,
    }


def _user(staff, case, who):
    if who == "drawn":
        return case.reviewers.first().reviewer
    return getattr(staff, who)


@pytest.mark.parametrize(("action", "status", "data", "allowed", "refused"), ACTS)
def test_every_act_refuses_the_wrong_role_the_wrong_step_and_other_prisons(
    client, staff, prisoner, b_viewer, action, status, data, allowed, refused
):
    case = drive(staff, propose(staff, prisoner), status)
    if status == "in_notice":
        Case.objects.filter(pk=case.pk).update(
            notice_end=timezone.localdate() - dt.timedelta(days=1)
        )
    payload = _payload(data, case.version)
    before = (case.version, CaseStep.objects.filter(case=case).count())

    client.force_login(getattr(staff, refused))
    response = act(client, case, action, **payload)
    assert response.status_code == 403, response.content
    client.force_login(b_viewer)
    assert act(client, case, action, **payload).status_code == 404
    # The right person, on a case at another step: 400 with the reason.
    other = make_prisoner(prisoner.unit)
    commend(other)
    elsewhere = drive(
        staff, propose(staff, other), "closed" if status == "proposed" else "proposed"
    )
    client.force_login(_user(staff, case, allowed))
    response = act(client, elsewhere, action, **_payload(data, elsewhere.version))
    assert response.status_code == 400, response.content
    assert "non_field_errors" in response.json()
    case.refresh_from_db()
    assert (case.version, CaseStep.objects.filter(case=case).count()) == before

    response = act(client, case, action, **payload)
    assert response.status_code == 200, response.content
    assert response.json()["version"] == case.version + 1


@pytest.mark.parametrize(("action", "status", "data", "allowed", "refused"), ACTS)
def test_two_people_acting_at_once_the_second_gets_409(
    client, staff, prisoner, action, status, data, allowed, refused
):
    case = drive(staff, propose(staff, prisoner), status)
    if status == "in_notice":
        Case.objects.filter(pk=case.pk).update(
            notice_end=timezone.localdate() - dt.timedelta(days=1)
        )
    payload = _payload(data, case.version)
    client.force_login(_user(staff, case, allowed))
    assert act(client, case, action, **payload).status_code == 200
    case.refresh_from_db()
    before = (case.version, case.status, CaseStep.objects.count(), AuditEntry.objects.count())
    # The same request again, as someone acting on what they saw before the first.
    response = act(client, case, action, **payload)
    assert response.status_code == 409
    assert response.json() == {"detail": STALE, "code": "stale"}
    case.refresh_from_db()
    after = (case.version, case.status, CaseStep.objects.count(), AuditEntry.objects.count())
    assert after == before


def test_acts_need_the_expected_version(client, staff, prisoner):
    case = propose(staff, prisoner)
    client.force_login(staff.section)
    response = act(
        client, case, "decide", step="section_review", decision="approve", opinion="同意"
    )
    assert response.status_code == 400 and "expected_version" in response.json()


# --- alerts and objections ------------------------------------------------------------------


def test_alerts_are_scoped_and_disposed_only_by_a_drawn_reviewer(client, staff, tree, b_viewer):
    case = drive(staff, propose(staff, risky_prisoner(tree), months=4), "section_reviewed")
    drawn = set(case.reviewers.values_list("reviewer_id", flat=True))
    outsider = next(r for r in staff.reviewers if r.pk not in drawn)
    alert = case.alerts.first()
    url = f"/api/sentencing/alerts/{alert.pk}/dispose/"
    client.force_login(outsider)
    assert client.get("/api/sentencing/alerts/", {"case": case.pk}).json()["count"] >= 2
    response = client.post(
        url,
        {"disposition": "看过", "expected_version": case.version},
        content_type="application/json",
    )
    assert response.status_code == 403
    client.force_login(staff.committee)  # no reviewer's role
    response = client.post(
        url,
        {"disposition": "看过", "expected_version": case.version},
        content_type="application/json",
    )
    assert response.status_code == 403
    client.force_login(b_viewer)
    assert client.get("/api/sentencing/alerts/").json()["count"] == 0
    assert client.get(f"/api/sentencing/alerts/{alert.pk}/").status_code == 404
    first = case.reviewers.first().reviewer
    client.force_login(first)
    seen = case.version
    ok = client.post(
        url, {"disposition": "甲", "expected_version": seen}, content_type="application/json"
    )
    assert ok.status_code == 200
    stale = client.post(
        url, {"disposition": "乙", "expected_version": seen}, content_type="application/json"
    )
    assert stale.status_code == 409 and stale.json()["detail"] == STALE
    assert RiskAlert.objects.get(pk=alert.pk).disposition == "甲"


def test_objections_outside_the_notice_or_the_scope_are_refused(client, staff, prisoner, b_viewer):
    case = propose(staff, prisoner)
    data = {"case": case.pk, "received_on": timezone.localdate().isoformat(), "content": "不公"}
    client.force_login(staff.clerk)
    response = client.post("/api/sentencing/objections/", data, content_type="application/json")
    assert response.status_code == 400 and "公示期内" in response.json()["non_field_errors"][0]
    client.force_login(staff.district)
    response = client.post("/api/sentencing/objections/", data, content_type="application/json")
    assert response.status_code == 403
    client.force_login(b_viewer)
    response = client.post("/api/sentencing/objections/", data, content_type="application/json")
    assert response.status_code == 400 and "case" in response.json()
    assert not Objection.objects.exists()


# --- query count and schema -----------------------------------------------------------------

# 5 plumbing + 2 permissions + scope paths + count + page (prisoner and unit joined, open
# alerts and the last step as subqueries)
PINNED_LIST = 10


def test_the_list_has_a_pinned_query_count(client, staff, tree, django_assert_num_queries):
    from tests.sentencing.test_pages import grow

    grow(staff, tree, 0, 3)
    client.force_login(staff.section)
    with django_assert_num_queries(PINNED_LIST):
        body = client.get(CASES).json()
    assert body["count"] == 3
    grow(staff, tree, 3, 9)
    with django_assert_num_queries(PINNED_LIST):
        body = client.get(CASES).json()
    assert len(body["results"]) == 9
    with django_assert_num_queries(PINNED_LIST):
        assert client.get(CASES, {"mine": "true"}).json()["count"] == 9


def test_the_schema_documents_the_endpoints_without_warnings(client, admin_a):
    from drf_spectacular.drainage import GENERATOR_STATS
    from drf_spectacular.generators import SchemaGenerator
    from drf_spectacular.validation import validate_schema

    GENERATOR_STATS.reset()
    schema = SchemaGenerator().get_schema(request=None, public=True)
    validate_schema(schema)
    ours = [w for w in GENERATOR_STATS._warn_cache if "sentencing" in w]
    assert ours == []
    paths = schema["paths"]
    for path in (
        "/api/sentencing/cases/",
        "/api/sentencing/cases/{id}/",
        "/api/sentencing/cases/{id}/decide/",
        "/api/sentencing/cases/{id}/review/",
        "/api/sentencing/cases/{id}/publish-notice/",
        "/api/sentencing/cases/{id}/close-notice/",
        "/api/sentencing/cases/{id}/submit/",
        "/api/sentencing/cases/{id}/ruling/",
        "/api/sentencing/cases/{id}/withdraw/",
        "/api/sentencing/alerts/{id}/dispose/",
        "/api/sentencing/objections/",
        "/api/sentencing/objections/{id}/answer/",
    ):
        assert path in paths, path
    assert "409" in paths["/api/sentencing/cases/{id}/decide/"]["post"]["responses"]
    body = paths["/api/sentencing/cases/{id}/decide/"]["post"]["requestBody"]
    ref = body["content"]["application/json"]["schema"]["$ref"].rsplit("/", 1)[1]
    assert "expected_version" in schema["components"]["schemas"][ref]["required"]


def test_objections_are_listed_within_the_scope(client, staff, prisoner, b_viewer):
    case = drive(staff, propose(staff, prisoner), "in_notice")
    from tongxin.sentencing import services

    objection = services.record_objection(
        user=staff.clerk,
        case=case,
        received_on=timezone.localdate(),
        objector="张某",
        content="加分不公",
    )
    client.force_login(staff.district)
    body = client.get("/api/sentencing/objections/", {"case": case.pk}).json()
    assert [o["id"] for o in body["results"]] == [objection.pk]
    assert client.get(f"/api/sentencing/objections/{objection.pk}/").json()["content"] == "加分不公"
    client.force_login(b_viewer)
    assert client.get("/api/sentencing/objections/").json()["count"] == 0
    assert client.get(f"/api/sentencing/objections/{objection.pk}/").status_code == 404
    response = client.post(
        f"/api/sentencing/objections/{objection.pk}/answer/",
        {"answer": "已核查"},
        content_type="application/json",
    )
    assert response.status_code == 404
