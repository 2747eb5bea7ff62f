"""党费, 学习, 发展党员 and 组织关系转接 over the API: scoped lists, writes through the services
with the Chinese reason on the right field, and list query counts that do not grow with rows."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal

import pytest
from django.utils import timezone

from tests.conftest import make_officer, make_user
from tongxin.party import services
from tongxin.party.models import (
    DevelopmentCase,
    DuesPayment,
    MembershipTransfer,
    PartyMember,
    StudyRecord,
)

pytestmark = pytest.mark.django_db


def post(client, url, data):
    return client.post(url, json.dumps(data), content_type="application/json")


@pytest.fixture
def office(roles, tree):
    """The party affairs office of 洪山 prison."""
    return make_user("office_a", "party_affairs", tree.prison_a)


@pytest.fixture
def secretary_b(roles, tree, party):
    return make_user("sec_b", "branch_secretary", tree.district_b1)


@pytest.fixture
def office_b(roles, tree, party):
    return make_user("office_b", "party_affairs", tree.prison_b)


def this_month() -> dt.date:
    return timezone.localdate().replace(day=1)


def months_back(n: int) -> dt.date:
    month = this_month()
    for _ in range(n):
        month = (month - dt.timedelta(days=1)).replace(day=1)
    return month


def pay(member, month):
    return DuesPayment.objects.create(
        member=member,
        month=month,
        base=Decimal("6000"),
        amount_due=Decimal("90"),
        amount_paid=Decimal("90"),
        paid_on=timezone.localdate(),
    )


def study(org, members, n=0):
    record = StudyRecord.objects.create(
        level="branch",
        organization=org,
        held_on=timezone.localdate() - dt.timedelta(days=n),
        title=f"学习{n}",
        hours=Decimal("2"),
    )
    record.participants.set(members)
    return record


def case(tree, branch, name, contacts=()):
    officer = make_officer(tree.district_a1, name, "F")
    applied = timezone.localdate() - dt.timedelta(days=400)
    created = DevelopmentCase.objects.create(
        officer=officer, branch=branch, stage="activist", applied_on=applied, activist_on=applied
    )
    created.contacts.set(contacts)
    return created


def transfer(member, to_branch, number):
    today = timezone.localdate()
    # One pending letter a member: an earlier one is settled first.
    MembershipTransfer.objects.filter(member=member, status="pending").update(status="rejected")
    return MembershipTransfer.objects.create(
        member=member,
        from_branch=member.organization,
        to_branch=to_branch,
        letter_number=number,
        issued_on=today,
        valid_until=today + dt.timedelta(days=30),
    )


def results(client, url):
    response = client.get(url)
    assert response.status_code == 200, response.content
    return response.json()["results"]


# --- scope --------------------------------------------------------------------------------


def test_lists_are_scoped(client, tree, party, secretary_a1, secretary_b):
    pay(party.a1[0], this_month())
    study(party.branch_a1, party.a1)
    a_case = case(tree, party.branch_a1, "新同志", party.a1[:1])
    transfer(party.a1[3], party.branch_a2, "T-1")
    for url in (
        "/api/party/dues/",
        "/api/party/study/",
        "/api/party/development/",
        "/api/party/transfers/",
    ):
        client.force_login(secretary_b)
        assert results(client, url) == [], url
        client.force_login(secretary_a1)
        assert len(results(client, url)) == 1, url
    client.force_login(secretary_b)
    assert client.get(f"/api/party/development/{a_case.pk}/").status_code == 404


def test_a_transfer_is_seen_by_both_branches(client, party, secretary_a1, secretary_b):
    transfer(party.a1[3], party.branch_b1, "T-2")
    for user in (secretary_a1, secretary_b):
        client.force_login(user)
        assert [t["letter_number"] for t in results(client, "/api/party/transfers/")] == ["T-2"]


def test_dues_filters(client, party, secretary_a1):
    pay(party.a1[0], this_month())
    pay(party.a1[1], this_month())
    pay(party.a1[0], months_back(1))
    client.force_login(secretary_a1)
    assert len(results(client, f"/api/party/dues/?member={party.a1[0].pk}")) == 2
    month = this_month()
    assert len(results(client, f"/api/party/dues/?month={month:%Y-%m}")) == 2
    assert len(results(client, f"/api/party/dues/?year={month.year}&month={month.month}")) == 2
    assert client.get("/api/party/dues/?month=abc").status_code == 400


# --- dues ---------------------------------------------------------------------------------


def test_dues_payment_is_recorded(client, party, secretary_a1):
    client.force_login(secretary_a1)
    response = post(
        client,
        "/api/party/dues/",
        {"member": party.a1[3].pk, "month": f"{this_month():%Y-%m-%d}", "amount_paid": "90.00"},
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["member_name"] == "黄党员" and body["amount_due"] == "90.00"
    assert DuesPayment.objects.get().recorded_by == secretary_a1


def test_dues_for_a_closed_month_is_400_on_month(client, office, party, secretary_a1):
    closed = months_back(1)
    services.close_dues_month(user=office, committee=party.committee_a, month=closed)
    client.force_login(secretary_a1)
    response = post(
        client,
        "/api/party/dues/",
        {"member": party.a1[3].pk, "month": f"{closed:%Y-%m-%d}", "amount_paid": "90"},
    )
    assert response.status_code == 400
    assert "已结账" in response.json()["month"][0]
    assert not DuesPayment.objects.exists()


def test_dues_of_a_member_outside_the_scope_is_400(client, party, secretary_a1):
    client.force_login(secretary_a1)
    response = post(
        client,
        "/api/party/dues/",
        {"member": party.b1[1].pk, "month": f"{this_month():%Y-%m-%d}", "amount_paid": "90"},
    )
    assert response.status_code == 400 and "member" in response.json()


# --- study --------------------------------------------------------------------------------


def test_study_is_recorded(client, party, secretary_a1):
    client.force_login(secretary_a1)
    response = post(
        client,
        "/api/party/study/",
        {
            "organization": party.branch_a1.pk,
            "level": "branch",
            "held_on": f"{timezone.localdate():%Y-%m-%d}",
            "title": "学习党章",
            "hours": "2.5",
            "participants": [m.pk for m in party.a1],
        },
    )
    assert response.status_code == 201, response.content
    assert response.json()["participant_count"] == 5
    assert StudyRecord.objects.get().participants.count() == 5


def test_study_with_an_outsider_is_400_on_participants(client, office, party):
    client.force_login(office)
    response = post(
        client,
        "/api/party/study/",
        {
            "organization": party.branch_a1.pk,
            "level": "branch",
            "held_on": f"{timezone.localdate():%Y-%m-%d}",
            "title": "学习党章",
            "hours": "2",
            "participants": [party.a1[0].pk, party.a2[1].pk],
        },
    )
    assert response.status_code == 400
    assert response.json()["participants"] == ["以下人员不是本组织党员:郑党员。"]
    assert not StudyRecord.objects.exists()


# --- development --------------------------------------------------------------------------


def test_development_case_opens_and_advances(client, tree, office, party):
    officer = make_officer(tree.district_a1, "新同志", "F")
    applied = timezone.localdate() - dt.timedelta(days=30)
    client.force_login(office)
    response = post(
        client,
        "/api/party/development/",
        {
            "officer": officer.pk,
            "branch": party.branch_a1.pk,
            "applied_on": f"{applied:%Y-%m-%d}",
        },
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["stage"] == "applicant"
    step = body["next_step"]
    assert step["stage_to"] == "activist" and step["earliest_on"] == f"{applied:%Y-%m-%d}"
    assert step["allowed_now"] is False
    assert [r["rule"] for r in step["reasons"]] == ["contact_persons"]
    assert set(step["reasons"][0]) == {"rule", "basis", "text"}

    response = post(
        client,
        f"/api/party/development/{body['id']}/advance/",
        {
            "to": "activist",
            "on": f"{timezone.localdate():%Y-%m-%d}",
            "contacts": [party.a1[0].pk, party.a1[1].pk],
            "note": "支委会研究确定",
        },
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["stage"] == "activist" and len(body["contacts"]) == 2
    assert body["next_step"]["stage_to"] == "candidate"
    assert "最早可于" in body["next_step"]["reasons"][0]["text"]
    assert [s["stage"] for s in body["steps"]] == ["applicant", "activist"]

    detail = client.get(f"/api/party/development/{body['id']}/").json()
    assert detail["next_step"]["allowed_now"] is False


def test_a_step_out_of_order_is_400_on_to(client, tree, office, party):
    officer = make_officer(tree.district_a1, "新同志", "F")
    opened = services.open_development_case(
        user=office, officer=officer, branch=party.branch_a1, applied_on=dt.date(2023, 1, 5)
    )
    client.force_login(office)
    response = post(
        client,
        f"/api/party/development/{opened.pk}/advance/",
        {"to": "probationary", "on": "2023-06-01"},
    )
    assert response.status_code == 400
    assert "下一步只能是" in response.json()["to"][0]
    opened.refresh_from_db()
    assert opened.stage == "applicant"
    assert not PartyMember.objects.filter(officer=officer).exists()


def test_a_branch_secretary_cannot_open_a_case(client, tree, secretary_a1, party):
    officer = make_officer(tree.district_a1, "新同志", "F")
    client.force_login(secretary_a1)
    response = post(
        client,
        "/api/party/development/",
        {"officer": officer.pk, "branch": party.branch_a1.pk, "applied_on": "2023-01-05"},
    )
    assert response.status_code == 403
    assert not DevelopmentCase.objects.exists()


# --- transfers ----------------------------------------------------------------------------


def test_transfer_issued_and_accepted_by_the_receiver(client, office, office_b, party):
    client.force_login(office)
    response = post(
        client,
        "/api/party/transfers/",
        {"member": party.a1[3].pk, "to_branch": party.branch_b1.pk, "letter_number": "鄂1"},
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["status"] == "pending" and body["to_branch_name"] == "襄南监狱一监区党支部"

    again = post(
        client,
        "/api/party/transfers/",
        {"member": party.a1[3].pk, "to_branch": party.branch_a2.pk, "letter_number": "鄂2"},
    )
    assert again.status_code == 400 and "尚未办结" in again.json()["member"][0]

    client.force_login(office_b)
    response = post(client, f"/api/party/transfers/{body['id']}/decide/", {"accept": True})
    assert response.status_code == 200, response.content
    assert response.json()["status"] == "accepted"
    assert PartyMember.objects.get(pk=party.a1[3].pk).organization == party.branch_b1

    response = post(client, f"/api/party/transfers/{body['id']}/decide/", {"accept": True})
    assert response.status_code == 400
    assert "已办结" in response.json()["non_field_errors"][0]


def test_transfer_to_a_committee_is_400_on_to_branch(client, office, party):
    client.force_login(office)
    response = post(
        client,
        "/api/party/transfers/",
        {"member": party.a1[3].pk, "to_branch": party.committee_b.pk, "letter_number": "鄂3"},
    )
    assert response.status_code == 400
    assert response.json()["to_branch"] == ["组织关系只能转入党支部。"]


# --- query counts -------------------------------------------------------------------------


def _rows_dues(party, tree, start, stop):
    members = party.a1 + party.a2
    for i in range(start, stop):
        pay(members[i % len(members)], months_back(i // len(members)))


def _rows_study(party, tree, start, stop):
    for i in range(start, stop):
        study(party.branch_a1, party.a1[: 1 + i % 5], i)


def _rows_development(party, tree, start, stop):
    for i in range(start, stop):
        case(tree, party.branch_a1, f"同志{i}", party.a1[: 1 + i % 2])


def _rows_transfers(party, tree, start, stop):
    members = party.a1 + party.a2
    for i in range(start, stop):
        member = members[i % len(members)]
        to_branch = party.branch_b1 if member.organization == party.branch_a1 else party.branch_a1
        transfer(member, to_branch, f"L-{i}")


@pytest.mark.parametrize(
    ("url", "make_rows", "queries"),
    [
        ("/api/party/dues/", _rows_dues, 10),
        ("/api/party/study/", _rows_study, 11),
        ("/api/party/development/", _rows_development, 11),
        ("/api/party/transfers/", _rows_transfers, 10),
    ],
)
def test_list_queries_do_not_grow_with_rows(
    client, django_assert_num_queries, office, party, tree, url, make_rows, queries
):
    client.force_login(office)
    make_rows(party, tree, 0, 3)
    with django_assert_num_queries(queries):
        assert len(results(client, url)) == 3
    make_rows(party, tree, 3, 10)
    with django_assert_num_queries(queries):
        assert len(results(client, url)) == 10
