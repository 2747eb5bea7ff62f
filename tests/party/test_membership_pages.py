"""发展党员 and 组织关系转接 pages: render, refuse a step out of order without writing,
show the next step's date, move a member on acceptance, and keep other prisons' cases out."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from tests.conftest import make_officer, make_user
from tongxin.party import development
from tongxin.party.models import DevelopmentCase, DevelopmentStep, MembershipTransfer


@pytest.fixture
def party_affairs(roles, tree, party):
    return make_user("party", "party_affairs", tree.bureau)


@pytest.fixture
def activist_case(tree, party):
    """An activist of 洪山一监区 whose year of education ends in ten days."""
    today = timezone.localdate()
    officer = make_officer(tree.district_a1, "王申请")
    activist_on = development.add_months(today, -12) + dt.timedelta(days=10)
    case = DevelopmentCase.objects.create(
        officer=officer,
        branch=party.branch_a1,
        stage=development.Stage.ACTIVIST,
        applied_on=activist_on - dt.timedelta(days=60),
        activist_on=activist_on,
    )
    case.contacts.set([party.a1[0]])
    DevelopmentStep.objects.create(case=case, stage="applicant", on=case.applied_on)
    DevelopmentStep.objects.create(case=case, stage="activist", on=activist_on)
    return case


def test_pages_render_for_party_affairs(client, party_affairs, activist_case):
    client.force_login(party_affairs)
    for name in ("development-list", "development-create", "transfer-list", "transfer-create"):
        response = client.get(reverse(f"party_membership:{name}"))
        assert response.status_code == 200, name
    detail = reverse("party_membership:development-detail", args=[activist_case.pk])
    response = client.get(detail)
    assert response.status_code == 200
    assert "王申请" in response.content.decode()
    assert 'data-testid="step-form"' in response.content.decode()


def test_list_shows_next_step_date_and_due_section(client, party_affairs, activist_case):
    client.force_login(party_affairs)
    response = client.get(
        reverse("party_membership:development-list"), {"org": activist_case.branch_id}
    )
    html = response.content.decode()
    earliest = development.format_date(timezone.localdate() + dt.timedelta(days=10))
    assert f"下一步:发展对象,最早可于{earliest}" in html
    assert "第十三条" in html  # the reason it is not allowed yet
    due = html.split('data-testid="due-list"')[1].split("</ul>")[0]
    assert "王申请" in due


def test_list_queries_do_not_grow_with_cases(
    client, party_affairs, activist_case, tree, party, django_assert_max_num_queries
):
    client.force_login(party_affairs)
    url = reverse("party_membership:development-list")
    client.get(url)
    for i in range(5):
        officer = make_officer(tree.district_a1, f"申请人{i}")
        case = DevelopmentCase.objects.create(
            officer=officer,
            branch=party.branch_a1,
            stage="activist",
            applied_on=dt.date(2024, 1, 1),
            activist_on=dt.date(2024, 2, 1),
        )
        case.contacts.set([party.a1[1]])
    with django_assert_max_num_queries(20):
        assert client.get(url).status_code == 200


def test_step_out_of_order_is_refused_and_writes_nothing(client, party_affairs, activist_case):
    client.force_login(party_affairs)
    url = reverse("party_membership:development-detail", args=[activist_case.pk])
    steps = DevelopmentStep.objects.count()
    response = client.post(
        url,
        {
            "to": "probationary",
            "on": timezone.localdate().isoformat(),
            "contacts": [activist_case.contacts.get().pk],
            "training_hours": 30,
            "political_review_done": "on",
        },
    )
    assert response.status_code == 200
    assert "下一步只能是" in response.content.decode()
    activist_case.refresh_from_db()
    assert activist_case.stage == "activist"
    assert activist_case.training_hours == 0
    assert not activist_case.political_review_done
    assert DevelopmentStep.objects.count() == steps


def test_step_too_early_names_the_date(client, party_affairs, activist_case):
    client.force_login(party_affairs)
    url = reverse("party_membership:development-detail", args=[activist_case.pk])
    response = client.post(
        url,
        {
            "to": "candidate",
            "on": timezone.localdate().isoformat(),
            "contacts": [activist_case.contacts.get().pk],
        },
    )
    earliest = development.format_date(timezone.localdate() + dt.timedelta(days=10))
    assert f"最早可于{earliest}进行" in response.content.decode()
    activist_case.refresh_from_db()
    assert activist_case.stage == "activist"


def test_open_case_through_page(client, party_affairs, tree, party):
    client.force_login(party_affairs)
    officer = make_officer(tree.district_a2, "李申请")
    response = client.post(
        reverse("party_membership:development-create"),
        {
            "police_number": officer.police_number,
            "branch": party.branch_a2.pk,
            "applied_on": "2024-03-01",
        },
    )
    case = DevelopmentCase.objects.get(officer=officer)
    assert response.status_code == 302
    assert case.stage == "applicant"
    # A member cannot apply again.
    response = client.post(
        reverse("party_membership:development-create"),
        {
            "police_number": party.a1[3].officer.police_number,
            "branch": party.branch_a1.pk,
            "applied_on": "2024-03-01",
        },
    )
    assert response.status_code == 200
    assert "已是党员" in response.content.decode()


def test_transfer_issue_and_accept_moves_member(client, party_affairs, party):
    client.force_login(party_affairs)
    member = party.a1[4]
    response = client.post(
        reverse("party_membership:transfer-create"),
        {
            "member": member.pk,
            "to_branch": party.branch_b1.pk,
            "letter_number": "HS-2026-001",
            "valid_days": 30,
        },
    )
    assert response.status_code == 302
    transfer = MembershipTransfer.objects.get(letter_number="HS-2026-001")
    member.refresh_from_db()
    assert member.organization == party.branch_a1  # stays until accepted
    listing = client.get(reverse("party_membership:transfer-list")).content.decode()
    assert "HS-2026-001" in listing and 'data-testid="decide-form"' in listing
    response = client.post(
        reverse("party_membership:transfer-decide", args=[transfer.pk]),
        {"decision": "accept", "note": "同意接收"},
    )
    assert response.status_code == 302
    member.refresh_from_db()
    transfer.refresh_from_db()
    assert member.organization == party.branch_b1
    assert transfer.status == "accepted"


def test_sender_outside_receiving_scope_sees_no_buttons(client, roles, tree, party):
    sender = make_user("sender", "party_affairs", tree.prison_a)
    client.force_login(sender)
    client.post(
        reverse("party_membership:transfer-create"),
        {
            "member": party.a1[4].pk,
            "to_branch": party.branch_b1.pk,
            "letter_number": "HS-2026-002",
            "valid_days": 30,
        },
    )
    transfer = MembershipTransfer.objects.get(letter_number="HS-2026-002")
    listing = client.get(reverse("party_membership:transfer-list")).content.decode()
    assert "HS-2026-002" in listing and 'data-testid="decide-form"' not in listing
    client.post(
        reverse("party_membership:transfer-decide", args=[transfer.pk]), {"decision": "accept"}
    )
    transfer.refresh_from_db()
    assert transfer.status == "pending"


def test_secretary_of_another_prison_gets_404(client, roles, tree, activist_case):
    secretary = make_user("sec_b", "branch_secretary", tree.district_b1)
    client.force_login(secretary)
    url = reverse("party_membership:development-detail", args=[activist_case.pk])
    assert client.get(url).status_code == 404
    listing = client.get(reverse("party_membership:development-list")).content.decode()
    assert "王申请" not in listing
