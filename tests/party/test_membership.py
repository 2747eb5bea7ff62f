"""Mentoring, dues, study, development and transfers: each refusal names its reason and
writes nothing."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from tests.conftest import make_officer, make_user
from tongxin.audit.models import AuditEntry
from tongxin.party import services
from tongxin.party.models import (
    DevelopmentCase,
    DuesPayment,
    MembershipTransfer,
    PartyMember,
    StudyRecord,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def office(roles, tree):
    """The party affairs office of the bureau (sees all)."""
    return make_user("party", "party_affairs", tree.bureau)


# --- 1+N --------------------------------------------------------------------------------------


def test_mentor_must_sit_on_the_same_branch_committee(office, party):
    a1 = party.a1
    services.assign_mentor(user=office, member=a1[4], mentor=a1[1])
    assert PartyMember.objects.get(pk=a1[4].pk).mentor == a1[1]
    with pytest.raises(ValidationError, match="不是本支部现任支委"):
        services.assign_mentor(user=office, member=a1[3], mentor=a1[4])
    with pytest.raises(ValidationError, match="同一党支部"):
        services.assign_mentor(user=office, member=a1[3], mentor=party.a2[0])


def test_a_second_mentor_is_refused_unless_replacing(office, party):
    a1 = party.a1
    services.assign_mentor(user=office, member=a1[4], mentor=a1[1])
    with pytest.raises(ValidationError, match="只能有一名联系支委"):
        services.assign_mentor(user=office, member=a1[4], mentor=a1[2])
    assert PartyMember.objects.get(pk=a1[4].pk).mentor == a1[1]
    services.assign_mentor(user=office, member=a1[4], mentor=a1[2], replace=True)
    assert PartyMember.objects.get(pk=a1[4].pk).mentor == a1[2]


# --- dues --------------------------------------------------------------------------------------


def test_dues_payment_at_the_bracket_rate(secretary_a1, party):
    month = timezone.localdate().replace(day=1)
    payment = services.record_dues_payment(
        user=secretary_a1, member=party.a1[3], month=month, amount_paid="90.00"
    )
    assert payment.base == Decimal("6000.00") and payment.amount_due == Decimal("90.00")


def test_dues_for_a_closed_month_is_refused(office, secretary_a1, party):
    closed = (timezone.localdate().replace(day=1) - dt.timedelta(days=1)).replace(day=1)
    services.close_dues_month(user=office, committee=party.committee_a, month=closed)
    with pytest.raises(ValidationError, match="已结账"):
        services.record_dues_payment(
            user=secretary_a1, member=party.a1[3], month=closed, amount_paid="90"
        )
    assert not DuesPayment.objects.exists()


def test_dues_twice_for_one_month_is_refused(secretary_a1, party):
    month = timezone.localdate().replace(day=1)
    services.record_dues_payment(
        user=secretary_a1, member=party.a1[3], month=month, amount_paid="90"
    )
    with pytest.raises(ValidationError, match="不能重复登记"):
        services.record_dues_payment(
            user=secretary_a1, member=party.a1[3], month=month, amount_paid="90"
        )


def test_dues_next_year_is_refused(secretary_a1, party):
    next_year = dt.date(timezone.localdate().year + 1, 1, 1)
    with pytest.raises(ValidationError, match="不能预缴"):
        services.record_dues_payment(
            user=secretary_a1, member=party.a1[3], month=next_year, amount_paid="90"
        )


# --- study -------------------------------------------------------------------------------------


def test_study_of_outsiders_is_refused(secretary_a1, party):
    with pytest.raises(ValidationError, match="郑党员"):
        services.record_study(
            user=secretary_a1,
            organization=party.branch_a1,
            level="branch",
            held_on=dt.date(2023, 5, 1),
            title="习近平法治思想",
            hours=2,
            participants=[party.a1[0], party.a2[1]],
        )
    study = services.record_study(
        user=secretary_a1,
        organization=party.branch_a1,
        level="branch",
        held_on=dt.date(2023, 5, 1),
        title="习近平法治思想",
        hours="2.5",
        participants=party.a1,
    )
    assert StudyRecord.objects.get().participants.count() == 5 and study.hours == Decimal("2.5")


# --- development -------------------------------------------------------------------------------


def test_development_from_application_to_full_membership(office, tree, party):
    today = timezone.localdate()
    officer = make_officer(tree.district_a1, "新同志", "F")
    start = today - dt.timedelta(days=3 * 365)
    case = services.open_development_case(
        user=office, officer=officer, branch=party.branch_a1, applied_on=start
    )
    services.advance_development(
        user=office,
        case=case,
        to="activist",
        on=start + dt.timedelta(days=30),
        contacts=party.a1[:2],
    )
    case.refresh_from_db()
    # Candidate before a year of education: refused with the date it becomes possible.
    with pytest.raises(ValidationError) as early:
        services.advance_development(
            user=office, case=case, to="candidate", on=case.activist_on + dt.timedelta(days=200)
        )
    assert "最早可于" in str(early.value)
    candidate_on = case.activist_on + dt.timedelta(days=400)
    services.advance_development(
        user=office,
        case=case,
        to="candidate",
        on=candidate_on,
        political_review_done=True,
        training_hours=24,
    )
    services.advance_development(
        user=office, case=case, to="probationary", on=candidate_on + dt.timedelta(days=10)
    )
    member = PartyMember.objects.get(officer=officer)
    assert member.status == "probationary" and member.organization == party.branch_a1
    officer.refresh_from_db()
    assert officer.party_status == "probationary"
    case.refresh_from_db()
    services.advance_development(
        user=office, case=case, to="full", on=case.probationary_on + dt.timedelta(days=366)
    )
    member.refresh_from_db()
    assert member.status == "full"
    assert case.steps.count() == 5
    assert AuditEntry.objects.filter(action="party.development.step").count() == 4


def test_development_step_out_of_order_is_refused(office, tree, party):
    officer = make_officer(tree.district_a1, "新同志", "F")
    case = services.open_development_case(
        user=office, officer=officer, branch=party.branch_a1, applied_on=dt.date(2023, 1, 5)
    )
    with pytest.raises(ValidationError, match="下一步只能是"):
        services.advance_development(
            user=office, case=case, to="probationary", on=dt.date(2023, 6, 1)
        )
    case.refresh_from_db()
    assert case.stage == "applicant" and case.steps.count() == 1
    assert not PartyMember.objects.filter(officer=officer).exists()


def test_application_of_a_member_is_refused(office, party):
    with pytest.raises(ValidationError, match="已是党员"):
        services.open_development_case(
            user=office,
            officer=party.a1[0].officer,
            branch=party.branch_a1,
            applied_on=dt.date(2023, 1, 5),
        )
    assert not DevelopmentCase.objects.exists()


# --- transfers ---------------------------------------------------------------------------------


def test_transfer_moves_the_member_on_acceptance(office, party):
    services.assign_mentor(user=office, member=party.a1[4], mentor=party.a1[1])
    transfer = services.issue_transfer(
        user=office,
        member=party.a1[1],
        to_branch=party.branch_b1,
        letter_number="鄂狱党转〔2023〕1号",
    )
    assert PartyMember.objects.get(pk=party.a1[1].pk).organization == party.branch_a1
    with pytest.raises(ValidationError, match="尚未办结"):
        services.issue_transfer(
            user=office,
            member=party.a1[1],
            to_branch=party.branch_a2,
            letter_number="鄂狱党转〔2023〕2号",
        )
    services.decide_transfer(user=office, transfer=transfer, accept=True)
    moved = PartyMember.objects.get(pk=party.a1[1].pk)
    assert moved.organization == party.branch_b1
    assert PartyMember.objects.get(pk=party.a1[4].pk).mentor is None  # mentee freed
    assert not moved.seats.filter(ended_on__isnull=True).exists()  # seat on the old committee
    with pytest.raises(ValidationError, match="已办结"):
        services.decide_transfer(user=office, transfer=transfer, accept=True)


def test_expired_letter_cannot_be_accepted(office, party):
    transfer = services.issue_transfer(
        user=office,
        member=party.a1[3],
        to_branch=party.branch_b1,
        letter_number="X-1",
        valid_days=5,
    )
    MembershipTransfer.objects.filter(pk=transfer.pk).update(
        valid_until=timezone.localdate() - dt.timedelta(days=1)
    )
    with pytest.raises(ValidationError, match="过期"):
        services.decide_transfer(user=office, transfer=transfer, accept=True)
    assert PartyMember.objects.get(pk=party.a1[3].pk).organization == party.branch_a1
