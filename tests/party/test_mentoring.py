""" "1+N" mentoring page and API: groups and coverage in scope, assigning through the service,
a second mentor refused in Chinese without writing, other prisons' branches a 404 and branch
secretaries (who do not hold party.change_partymember) without a form."""

from __future__ import annotations

import json

import pytest
from django.urls import reverse

from tests.conftest import make_user
from tongxin.party.models import PartyMember

pytestmark = pytest.mark.django_db

ASSIGN_URL = "/api/party/mentoring/assign/"
LIST_URL = "/api/party/mentoring/"


@pytest.fixture
def party_affairs(roles, tree, party):
    return make_user("party", "party_affairs", tree.bureau)


@pytest.fixture
def secretary_b(roles, tree, party):
    return make_user("sec_b", "branch_secretary", tree.district_b1)


def _url(branch) -> str:
    return f"{reverse('party_mentoring:branch')}?org={branch.pk}"


def _mentor_of(member) -> int | None:
    return PartyMember.objects.get(pk=member.pk).mentor_id


def _assign(member, mentor):
    PartyMember.objects.filter(pk=member.pk).update(mentor=mentor)


def post_json(client, url, data):
    return client.post(url, json.dumps(data), content_type="application/json")


# --- page ---------------------------------------------------------------------------------


def test_page_shows_groups_missing_members_and_coverage(client, party_affairs, party):
    _assign(party.a1[3], party.a1[0])
    client.force_login(party_affairs)
    response = client.get(_url(party.branch_a1))
    assert response.status_code == 200
    html = response.content.decode()
    assert "洪山监狱一监区党支部" in html
    groups = response.context["groups"]
    assert [g["mentor"].pk for g in groups] == [m.pk for m in party.a1[:3]]
    assert [m.pk for m in groups[0]["mentees"]] == [party.a1[3].pk]
    rows = {r["member"].pk: r for r in response.context["rows"]}
    assert set(rows) == {party.a1[3].pk, party.a1[4].pk}
    assert rows[party.a1[4].pk]["missing"] and not rows[party.a1[3].pk]["missing"]
    assert html.count('data-testid="missing-row"') == 1
    assert response.context["coverage"]["percent"] == "50%"
    assert html.count('data-testid="mentor-form"') == 2
    assert "更换联系人" in html


def test_page_defaults_to_first_branch_in_scope(client, party_affairs, party):
    client.force_login(party_affairs)
    response = client.get(reverse("party_mentoring:branch"))
    assert response.status_code == 200
    assert response.context["branch"] == party.branch_a1


def test_page_assigns_a_mentor(client, party_affairs, party):
    client.force_login(party_affairs)
    response = client.post(
        _url(party.branch_a1), {"member": party.a1[4].pk, "mentor": party.a1[1].pk}
    )
    assert response.status_code == 302
    assert _mentor_of(party.a1[4]) == party.a1[1].pk
    page = client.get(_url(party.branch_a1))
    assert "已确定由刘副书记联系周党员" in page.content.decode()
    assert page.context["coverage"]["percent"] == "50%"


def test_page_refuses_a_second_mentor_without_replace(client, party_affairs, party):
    _assign(party.a1[3], party.a1[0])
    client.force_login(party_affairs)
    response = client.post(
        _url(party.branch_a1), {"member": party.a1[3].pk, "mentor": party.a1[1].pk}
    )
    assert response.status_code == 200
    assert "只能有一名联系支委" in response.content.decode()
    assert _mentor_of(party.a1[3]) == party.a1[0].pk

    response = client.post(
        _url(party.branch_a1),
        {"member": party.a1[3].pk, "mentor": party.a1[1].pk, "replace": "on"},
    )
    assert response.status_code == 302
    assert _mentor_of(party.a1[3]) == party.a1[1].pk


def test_page_refuses_a_mentor_who_is_not_a_sitting_committee_member(client, party_affairs, party):
    client.force_login(party_affairs)
    response = client.post(
        _url(party.branch_a1), {"member": party.a1[4].pk, "mentor": party.a1[3].pk}
    )
    assert response.status_code == 200
    assert 'data-testid="form-errors"' in response.content.decode()
    assert _mentor_of(party.a1[4]) is None


def test_other_prisons_branch_is_404(client, secretary_b, party):
    client.force_login(secretary_b)
    assert client.get(_url(party.branch_a1)).status_code == 404
    assert client.get(_url(party.branch_b1)).status_code == 200


def test_group_or_garbage_org_is_404(client, party_affairs, party):
    client.force_login(party_affairs)
    assert client.get(_url(party.group_a1)).status_code == 404
    assert client.get(f"{reverse('party_mentoring:branch')}?org=x").status_code == 404


def test_branch_secretary_sees_no_form_and_cannot_post(client, secretary_a1, party):
    client.force_login(secretary_a1)
    response = client.get(_url(party.branch_a1))
    assert response.status_code == 200
    assert 'data-testid="mentor-form"' not in response.content.decode()
    response = client.post(
        _url(party.branch_a1), {"member": party.a1[4].pk, "mentor": party.a1[1].pk}
    )
    assert response.status_code == 403
    assert _mentor_of(party.a1[4]) is None


def test_page_requires_login(client, party):
    assert client.get(_url(party.branch_a1)).status_code == 302


# --- API ----------------------------------------------------------------------------------


def test_api_assigns_a_mentor(client, party_affairs, party):
    client.force_login(party_affairs)
    response = post_json(client, ASSIGN_URL, {"member": party.a1[4].pk, "mentor": party.a1[2].pk})
    assert response.status_code == 200, response.content
    assert response.json()["mentor"] == party.a1[2].pk
    assert response.json()["mentor_name"] == "杨委员"
    assert _mentor_of(party.a1[4]) == party.a1[2].pk


def test_api_refuses_a_second_mentor_without_replace(client, party_affairs, party):
    _assign(party.a1[3], party.a1[0])
    client.force_login(party_affairs)
    data = {"member": party.a1[3].pk, "mentor": party.a1[1].pk, "replace": False}
    response = post_json(client, ASSIGN_URL, data)
    assert response.status_code == 400
    assert any("只能有一名联系支委" in e for e in response.json()["mentor"])
    assert _mentor_of(party.a1[3]) == party.a1[0].pk

    response = post_json(client, ASSIGN_URL, {**data, "replace": True})
    assert response.status_code == 200
    assert _mentor_of(party.a1[3]) == party.a1[1].pk


def test_api_branch_secretary_is_403(client, secretary_a1, party):
    client.force_login(secretary_a1)
    response = post_json(client, ASSIGN_URL, {"member": party.a1[4].pk, "mentor": party.a1[1].pk})
    assert response.status_code == 403
    assert _mentor_of(party.a1[4]) is None


def test_api_lists_coverage_in_scope(client, party_affairs, secretary_b, party):
    _assign(party.a1[3], party.a1[0])
    client.force_login(party_affairs)
    response = client.get(LIST_URL)
    assert response.status_code == 200
    rows = {r["organization_id"]: r for r in response.json()}
    assert rows[party.branch_a1.pk]["total"] == 2
    assert rows[party.branch_a1.pk]["mentored"] == 1
    assert rows[party.branch_a1.pk]["coverage"] == 0.5
    assert party.branch_b1.pk in rows

    response = client.get(LIST_URL, {"org": party.branch_a1.pk})
    assert [r["organization_id"] for r in response.json()] == [party.branch_a1.pk]

    client.force_login(secretary_b)
    rows = client.get(LIST_URL).json()
    assert [r["organization_id"] for r in rows] == [party.branch_b1.pk]
    assert client.get(LIST_URL, {"org": party.branch_a1.pk}).status_code == 404
