"""规范化建设 (checklists, assessments, ranking), 现场观摩 and the bureau's 组织生活要求 over the
API: scoped lists, writes through the services with the Chinese reason on the right field,
refusals that write nothing, and list query counts that do not grow with rows."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal

import pytest
from django.utils import timezone

from tests.conftest import make_user
from tests.party.conftest import make_org
from tongxin.audit.models import AuditEntry
from tongxin.party import compliance
from tongxin.party.models import (
    Activity,
    ActivityKind,
    BranchAssessment,
    Checklist,
    ChecklistItem,
    Observation,
    OrgKind,
    RequirementSetting,
)
from tongxin.party.standards import ensure_default_checklists

pytestmark = pytest.mark.django_db

EVIDENCE = "支部工作手册、会议记录"


def post(client, url, data):
    return client.post(url, json.dumps(data), content_type="application/json")


def patch(client, url, data):
    return client.patch(url, json.dumps(data), content_type="application/json")


def results(client, url):
    response = client.get(url)
    assert response.status_code == 200, response.content
    return response.json()["results"]


@pytest.fixture
def office(roles, tree, party):
    """The party affairs office of 洪山 prison (may assess, observe and set the rules)."""
    return make_user("office_a", "party_affairs", tree.prison_a)


@pytest.fixture
def bureau_office(roles, tree, party):
    """The bureau's party affairs office: the requirements bind the province, so only a
    province-wide scope may set them."""
    return make_user("office_hbj", "party_affairs", tree.bureau)


@pytest.fixture
def office_b(roles, tree, party):
    return make_user("office_b", "party_affairs", tree.prison_b)


@pytest.fixture
def outsider(roles, tree):
    """A signed-in user of 洪山 prison with no party permission at all."""
    return make_user("penalty_a", "penalty_officer", tree.prison_a)


def scores(percent=100, evidence=EVIDENCE, **overrides):
    rows = []
    for item in ChecklistItem.objects.order_by("id"):
        row = {"item": item.pk, "percent": percent, "evidence": evidence}
        row.update(overrides.get(item.title, {}))
        rows.append(row)
    return rows


def assess(client, branch, year=2023, rows=None):
    return post(
        client,
        "/api/party/assessments/",
        {"branch": branch.pk, "year": year, "scores": scores() if rows is None else rows},
    )


def themed_day(org, topic="主题党日", held_on=None, kind=ActivityKind.THEMED_DAY):
    return Activity.objects.create(
        organization=org, kind=kind, held_on=held_on or timezone.localdate(), topic=topic
    )


def observe(client, activity, **extra):
    data = {
        "activity": activity.pk,
        "observers": "局机关各党支部书记",
        "comments": "重温入党誓词环节庄重规范。",
        "score": "92.5",
    }
    data.update(extra)
    return post(client, "/api/party/observations/", data)


def quarter_of(day: dt.date) -> str:
    return f"{day.year}Q{(day.month - 1) // 3 + 1}"


# --- checklists ---------------------------------------------------------------------------


def test_checklists_with_items_and_weights(client, office):
    client.force_login(office)
    body = results(client, "/api/party/checklists/")  # an empty database gets the defaults
    assert [c["name"] for c in body] == ["五个基本", "七个体系", "九个规范"]
    assert [len(c["items"]) for c in body] == [5, 7, 9]
    assert sum(c["total_weight"] for c in body) == 100
    assert body[0]["items"][0]["weight"] == "8.0"
    Checklist.objects.filter(name="九个规范").update(is_active=False)
    assert [c["name"] for c in results(client, "/api/party/checklists/")] == [
        "五个基本",
        "七个体系",
    ]
    one = client.get(f"/api/party/checklists/{body[0]['id']}/").json()
    assert one["name"] == "五个基本" and len(one["items"]) == 5


def test_checklists_are_not_written_for_a_reader(client, secretary_a1):
    client.force_login(secretary_a1)
    assert results(client, "/api/party/checklists/") == []
    assert not Checklist.objects.exists()


def test_checklists_need_a_party_permission(client, outsider):
    client.force_login(outsider)
    assert client.get("/api/party/checklists/").status_code == 403


# --- assessments --------------------------------------------------------------------------


def test_assessment_recorded_read_and_redone(client, office, party):
    ensure_default_checklists()
    first = ChecklistItem.objects.order_by("id").first()
    client.force_login(office)
    rows = scores(**{first.title: {"percent": 50, "evidence": "换届材料不全"}})
    response = assess(client, party.branch_a1, rows=rows)
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["branch_name"] == "洪山监狱一监区党支部" and body["year"] == 2023
    assert body["total"] == "96.00"
    assert len(body["scores"]) == 21
    assert body["scores"][0] == {
        "item": first.pk,
        "title": first.title,
        "checklist": first.checklist_id,
        "checklist_name": "五个基本",
        "weight": "8.0",
        "percent": 50,
        "earned": 4.0,
        "evidence": "换届材料不全",
    }
    assert AuditEntry.objects.filter(action="party.standardisation.assess").count() == 1

    detail = client.get(f"/api/party/assessments/{body['id']}/").json()
    assert detail["total"] == "96.00" and len(detail["scores"]) == 21

    again = assess(client, party.branch_a1)
    assert again.status_code == 200, again.content
    assert again.json()["total"] == "100.00" and again.json()["id"] == body["id"]
    assert BranchAssessment.objects.get().scores.count() == 21


def test_assessment_list_filters_by_year_and_subtree(client, office, party):
    ensure_default_checklists()
    client.force_login(office)
    assert assess(client, party.branch_a1, 2022).status_code == 201
    assert assess(client, party.branch_a1, 2023).status_code == 201
    assert assess(client, party.branch_a2, 2023).status_code == 201
    assert len(results(client, "/api/party/assessments/")) == 3
    assert len(results(client, "/api/party/assessments/?year=2023")) == 2
    only_a1 = results(client, f"/api/party/assessments/?org={party.branch_a1.pk}")
    assert {a["year"] for a in only_a1} == {2022, 2023}
    under = results(client, f"/api/party/assessments/?year=2023&org={party.committee_a.pk}")
    assert len(under) == 2
    assert client.get("/api/party/assessments/?year=abc").status_code == 400


def test_a_bad_percent_is_400_on_scores(client, office, party):
    ensure_default_checklists()
    item = ChecklistItem.objects.order_by("id").last()
    client.force_login(office)
    response = assess(client, party.branch_a1, rows=scores(**{item.title: {"percent": 120}}))
    assert response.status_code == 400
    assert response.json()["scores"] == [f"“{item.title}”的得分率须在0到100之间。"]
    assert not BranchAssessment.objects.exists()


def test_missing_evidence_and_a_missing_item_are_400_on_scores(client, office, party):
    ensure_default_checklists()
    first, last = ChecklistItem.objects.order_by("id")[:1].get(), ChecklistItem.objects.last()
    rows = scores(**{last.title: {"evidence": "  "}})
    rows = [r for r in rows if r["item"] != first.pk]
    client.force_login(office)
    response = assess(client, party.branch_a1, rows=rows)
    assert response.status_code == 400
    errors = response.json()["scores"]
    assert f"“{first.title}”未评分。" in errors
    assert f"“{last.title}”须填写佐证材料。" in errors
    assert not BranchAssessment.objects.exists()


def test_an_item_scored_twice_is_400_on_scores(client, office, party):
    ensure_default_checklists()
    rows = scores()
    client.force_login(office)
    response = assess(client, party.branch_a1, rows=[*rows, rows[0]])
    assert response.status_code == 400
    assert response.json()["scores"] == ["同一项目只能评分一次。"]


def test_a_committee_is_not_assessed(client, office, party):
    ensure_default_checklists()
    client.force_login(office)
    response = assess(client, party.committee_a)
    assert response.status_code == 400
    assert response.json()["branch"] == ["规范化建设评定的对象是党支部。"]
    assert not BranchAssessment.objects.exists()


def test_a_future_year_is_400_on_year(client, office, party):
    ensure_default_checklists()
    client.force_login(office)
    response = assess(client, party.branch_a1, year=timezone.localdate().year + 1)
    assert response.status_code == 400
    assert response.json()["year"] == ["不能评定未来年度。"]
    assert not BranchAssessment.objects.exists()


def test_a_secretary_cannot_assess(client, secretary_a1, party):
    ensure_default_checklists()
    client.force_login(secretary_a1)
    assert assess(client, party.branch_a1).status_code == 403
    assert not BranchAssessment.objects.exists()


def test_another_prisons_branch_is_refused(client, office, office_b, party):
    ensure_default_checklists()
    client.force_login(office_b)
    assert assess(client, party.branch_b1).status_code == 201
    theirs = BranchAssessment.objects.get()
    client.force_login(office)
    response = assess(client, party.branch_b1)
    assert response.status_code == 400 and "branch" in response.json()
    assert BranchAssessment.objects.count() == 1
    assert results(client, "/api/party/assessments/") == []
    assert client.get(f"/api/party/assessments/{theirs.pk}/").status_code == 404
    assert client.get(f"/api/party/assessments/?org={party.committee_b.pk}").status_code == 404


def test_ranking_is_the_pages_ranking_with_pending_branches(client, office, office_b, party):
    ensure_default_checklists()
    party.branch_a2.is_pilot = True
    party.branch_a2.save()
    item = ChecklistItem.objects.order_by("id").first()
    client.force_login(office)
    assess(client, party.branch_a1, rows=scores(**{item.title: {"percent": 0}}))
    client.force_login(office_b)
    assess(client, party.branch_b1)
    client.force_login(office)
    response = client.get("/api/party/assessments/ranking/?year=2023")
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["year"] == 2023 and body["root"] is None
    assert [(r["rank"], r["branch_name"], r["total"]) for r in body["ranking"]] == [
        (1, "洪山监狱一监区党支部", "92.00")
    ]
    assert body["pending"] == [
        {"id": party.branch_a2.pk, "name": "洪山监狱二监区党支部", "is_pilot": True}
    ]

    client.force_login(office_b)
    body = client.get("/api/party/assessments/ranking/?year=2023").json()
    assert [r["branch_name"] for r in body["ranking"]] == ["襄南监狱一监区党支部"]
    assert body["ranking"][0]["total"] == "100.00" and body["pending"] == []
    ranking = f"/api/party/assessments/ranking/?year=2023&org={party.committee_a.pk}"
    assert client.get(ranking).status_code == 404
    assert client.get("/api/party/assessments/ranking/?year=1999").status_code == 400


def test_ranking_under_an_organisation(client, office, party):
    ensure_default_checklists()
    client.force_login(office)
    assess(client, party.branch_a1)
    url = f"/api/party/assessments/ranking/?year=2023&org={party.branch_a2.pk}"
    body = client.get(url).json()
    assert body["root"] == party.branch_a2.pk
    assert body["ranking"] == [] and [b["id"] for b in body["pending"]] == [party.branch_a2.pk]


# --- observations -------------------------------------------------------------------------


def test_observation_recorded_and_listed(client, office, party):
    day = themed_day(party.branch_a1, "重温入党誓词")
    client.force_login(office)
    response = observe(client, day)
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["quarter"] == quarter_of(day.held_on)
    assert body["organization_name"] == "洪山监狱一监区党支部"
    assert body["activity_topic"] == "重温入党誓词" and body["score"] == "92.5"
    assert Observation.objects.get().recorded_by == office
    assert [o["id"] for o in results(client, "/api/party/observations/")] == [body["id"]]
    assert client.get(f"/api/party/observations/{body['id']}/").status_code == 200


def test_a_second_observation_in_a_quarter_is_400_on_activity(client, office, party):
    client.force_login(office)
    assert observe(client, themed_day(party.branch_a1)).status_code == 201
    response = observe(client, themed_day(party.branch_a2))
    assert response.status_code == 400
    quarter = quarter_of(timezone.localdate())
    assert response.json()["activity"] == [f"{quarter}已安排现场观摩,每季度一次。"]
    assert Observation.objects.count() == 1


def test_only_a_themed_day_is_observed(client, office, party):
    meeting = themed_day(party.branch_a1, kind=ActivityKind.GENERAL_MEETING)
    client.force_login(office)
    response = observe(client, meeting)
    assert response.status_code == 400
    assert response.json()["activity"] == ["现场观摩的对象是主题党日。"]
    assert not Observation.objects.exists()


def test_observation_needs_comments_and_a_score_in_range(client, office, party):
    client.force_login(office)
    response = observe(client, themed_day(party.branch_a1), comments=" ", score="120")
    assert response.status_code == 400
    body = response.json()
    assert body["comments"] == ["请填写点评意见。"] and body["score"] == ["评分须在0到100之间。"]
    assert not Observation.objects.exists()


def test_an_old_themed_day_is_400_on_activity(client, office, party):
    old = themed_day(party.branch_a1, held_on=timezone.localdate() - dt.timedelta(days=200))
    client.force_login(office)
    response = observe(client, old)
    assert response.status_code == 400
    assert response.json()["activity"] == ["请选择近120天内的主题党日。"]


def test_a_secretary_cannot_record_an_observation(client, secretary_a1, party):
    client.force_login(secretary_a1)
    assert observe(client, themed_day(party.branch_a1)).status_code == 403
    assert not Observation.objects.exists()


def test_observations_are_scoped(client, office, office_b, party):
    ours = Observation.objects.create(
        activity=themed_day(party.branch_a1, "洪山主题党日"),
        quarter="2023Q1",
        observers="局机关",
        comments="好",
        score=Decimal("90"),
    )
    theirs = Observation.objects.create(
        activity=themed_day(party.branch_b1, "襄南主题党日"),
        quarter="2023Q2",
        observers="局机关",
        comments="好",
        score=Decimal("95"),
    )
    client.force_login(office)
    assert [o["id"] for o in results(client, "/api/party/observations/")] == [ours.pk]
    assert client.get(f"/api/party/observations/{theirs.pk}/").status_code == 404
    assert client.get(f"/api/party/observations/?org={party.committee_b.pk}").status_code == 404
    response = observe(client, theirs.activity, score="80")
    assert response.status_code == 400 and "activity" in response.json()
    client.force_login(office_b)
    assert [o["id"] for o in results(client, "/api/party/observations/")] == [theirs.pk]
    assert results(client, "/api/party/observations/?quarter=2023Q1") == []


# --- requirements -------------------------------------------------------------------------


def test_requirements_initialised_read_and_edited(client, bureau_office, secretary_a1):
    client.force_login(secretary_a1)
    assert results(client, "/api/party/requirements/") == []
    client.force_login(bureau_office)
    response = post(client, "/api/party/requirements/initialise/", {})
    assert response.status_code == 201, response.content
    assert len(response.json()) == len(compliance.DEFAULT_REQUIREMENTS)
    again = post(client, "/api/party/requirements/initialise/", {})
    assert again.status_code == 400
    assert again.json()["non_field_errors"] == ["组织生活要求已配置,无需再次初始化。"]
    assert RequirementSetting.objects.count() == len(compliance.DEFAULT_REQUIREMENTS)

    setting = RequirementSetting.objects.get(
        kind=ActivityKind.GENERAL_MEETING, org_kind=OrgKind.BRANCH, by_secretary=False
    )
    url = f"/api/party/requirements/{setting.pk}/"
    response = patch(client, url, {"frequency": "bimonthly", "minimum": 2})
    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["frequency"], body["frequency_display"], body["minimum"]) == (
        "bimonthly",
        "每两个月",
        2,
    )
    assert body["is_active"] is True
    setting.refresh_from_db()
    assert (setting.frequency, setting.minimum) == ("bimonthly", 2)
    assert AuditEntry.objects.filter(
        action="party.requirement.update", summary__startswith="修改组织生活要求"
    ).exists()

    client.force_login(secretary_a1)
    listed = results(client, "/api/party/requirements/")
    assert len(listed) == len(compliance.DEFAULT_REQUIREMENTS)
    assert next(r for r in listed if r["id"] == setting.pk)["minimum"] == 2


def test_requirement_refusals_are_400_on_the_field(client, bureau_office):
    client.force_login(bureau_office)
    post(client, "/api/party/requirements/initialise/", {})
    setting = RequirementSetting.objects.first()
    url = f"/api/party/requirements/{setting.pk}/"
    response = patch(client, url, {"minimum": 0})
    assert response.status_code == 400
    assert response.json()["minimum"] == ["每期至少次数须不小于1。"]
    response = patch(client, url, {"frequency": "weekly"})
    assert response.status_code == 400 and "frequency" in response.json()
    after = RequirementSetting.objects.get(pk=setting.pk)
    assert (after.frequency, after.minimum) == (setting.frequency, setting.minimum)
    assert client.put(url, json.dumps({}), content_type="application/json").status_code == 405


def test_requirements_need_the_rules_permission_to_write(client, bureau_office, secretary_a1):
    client.force_login(secretary_a1)
    assert post(client, "/api/party/requirements/initialise/", {}).status_code == 403
    assert not RequirementSetting.objects.exists()
    client.force_login(bureau_office)
    post(client, "/api/party/requirements/initialise/", {})
    setting = RequirementSetting.objects.first()
    client.force_login(secretary_a1)
    response = patch(client, f"/api/party/requirements/{setting.pk}/", {"minimum": 3})
    assert response.status_code == 403
    assert RequirementSetting.objects.get(pk=setting.pk).minimum == setting.minimum


def test_requirements_need_a_party_permission_to_read(client, outsider):
    client.force_login(outsider)
    assert client.get("/api/party/requirements/").status_code == 403


# --- query counts -------------------------------------------------------------------------

SMALL, LARGE = 3, 9


def _rows_checklists(tree, party, office, start, stop):
    for i in range(start, stop):
        checklist = Checklist.objects.create(name=f"清单{i:02d}", sort_order=i)
        for j in range(2):
            ChecklistItem.objects.create(
                checklist=checklist, title=f"项目{i}-{j}", weight=Decimal("5"), sort_order=j
            )


def _branch(tree, party, i):
    return make_org(
        f"ZB-S-{i}", f"第{i:02d}号支部", OrgKind.BRANCH, tree.district_a1, party.committee_a
    )


def _rows_assessments(tree, party, office, start, stop):
    for i in range(start, stop):
        BranchAssessment.objects.create(
            branch=_branch(tree, party, i),
            year=2023,
            total=Decimal(50 + i),
            assessed_by=office if i % 2 else None,
            assessed_on=dt.date(2023, 12, 1),
        )
        _branch(tree, party, 100 + i)  # one not assessed (pending in the ranking)


def _rows_observations(tree, party, office, start, stop):
    for i in range(start, stop):
        Observation.objects.create(
            activity=themed_day(_branch(tree, party, i), f"第{i:02d}次主题党日"),
            quarter=f"{2000 + i}Q{1 + i % 4}",
            observers="局机关",
            comments="规范",
            score=Decimal("90"),
            recorded_by=office if i % 2 else None,
        )


def _rows_requirements(tree, party, office, start, stop):
    combos = [
        (kind, org_kind, by_secretary)
        for kind in ActivityKind
        for org_kind in OrgKind
        for by_secretary in (False, True)
    ]
    for kind, org_kind, by_secretary in combos[start:stop]:
        RequirementSetting.objects.create(
            kind=kind,
            org_kind=org_kind,
            frequency="quarterly",
            minimum=1,
            by_secretary=by_secretary,
        )


def _count_checklists(body):
    return len(body["results"])


def _count_ranking(body):
    assert len(body["pending"]) == len(body["ranking"]) + 2  # the fixture's a2 and the 100s
    return len(body["ranking"])


# url -> (rows, how many rows the response shows, queries). Every count: 5 of session and
# authentication plumbing + 2 permissions (the user's and their groups').
PINNED = {
    # + does any checklist exist (the user may assess) + count + page + items
    "/api/party/checklists/": (_rows_checklists, _count_checklists, 11),
    # + scope paths + count + page (branch and assessor joined)
    "/api/party/assessments/": (_rows_assessments, _count_checklists, 10),
    # + scope paths + the ranking + the pending branches
    "/api/party/assessments/ranking/?year=2023": (_rows_assessments, _count_ranking, 10),
    # + scope paths + count + page (activity, organisation and recorder joined)
    "/api/party/observations/": (_rows_observations, _count_checklists, 10),
    # + count + page
    "/api/party/requirements/": (_rows_requirements, _count_checklists, 9),
}


@pytest.mark.parametrize("url", list(PINNED))
def test_list_queries_do_not_grow_with_rows(
    client, django_assert_num_queries, office, tree, party, url
):
    make_rows, shown, queries = PINNED[url]
    client.force_login(office)
    make_rows(tree, party, office, 0, SMALL)
    with django_assert_num_queries(queries):
        response = client.get(url)
    assert response.status_code == 200, response.content
    assert shown(response.json()) == SMALL
    make_rows(tree, party, office, SMALL, LARGE)
    with django_assert_num_queries(queries):
        response = client.get(url)
    assert shown(response.json()) == LARGE
