"""The reads of the review procedure: scope, filters, annotations, my tasks agreeing with the
acts offered on a case, the notice, and the small presentation helpers."""

from __future__ import annotations

import datetime as dt

import pytest
from django.http import Http404
from django.utils import timezone

from tests.conftest import make_user
from tests.sentencing.conftest import commend, make_prisoner
from tests.sentencing.test_pages import TEMPORARY_ORDER, drive, propose, risky_prisoner
from tongxin.prisoners.models import PointsEntry, Reward, RewardKind
from tongxin.sentencing import selectors, services
from tongxin.sentencing.models import Case, CaseStatus, CaseStep

pytestmark = pytest.mark.django_db


def test_cases_are_scoped_by_the_proposing_district(staff, prisoner, tree):
    case = propose(staff, prisoner)
    assert list(selectors.cases_for(staff.section)) == [case]
    assert list(selectors.cases_for(staff.district)) == [case]
    assert list(selectors.cases_for(staff.district_b)) == []
    a2 = make_user("a2", "district_officer", tree.district_a2)
    assert list(selectors.cases_for(a2)) == []
    assert list(selectors.cases_for(staff.bureau)) == [case]
    assert selectors.case_for(staff.section, case.pk) == case
    with pytest.raises(Http404):
        selectors.case_for(staff.district_b, case.pk)


def test_open_alerts_and_the_current_step_are_annotated(staff, tree):
    case = drive(staff, propose(staff, risky_prisoner(tree), months=4), "section_reviewed")
    total = case.alerts.count()
    row = selectors.cases_for(staff.section).get()
    assert row.open_alerts == total >= 2
    last = CaseStep.objects.filter(case=case).latest("acted_at", "id")
    assert row.step_since == last.acted_at
    reviewer = case.reviewers.first().reviewer
    services.dispose_alert(user=reviewer, alert=case.alerts.first(), disposition="已核实")
    assert selectors.cases_for(staff.section).get().open_alerts == total - 1
    CaseStep.objects.filter(case=case).update(acted_at=timezone.now() - dt.timedelta(days=3))
    assert selectors.days_in_step(selectors.cases_for(staff.section).get()) == 3


def test_filters(staff, prisoner, tree):
    case = propose(staff, prisoner)
    rows = selectors.cases_for
    user = staff.section
    assert list(rows(user, kind="parole")) == []
    assert list(rows(user, kind="reduction")) == [case]
    assert list(rows(user, status="proposed")) == [case]
    assert list(rows(user, under=tree.district_a2)) == []
    assert list(rows(user, under=tree.district_a1)) == [case]
    assert list(rows(user, search="刘")) == [case]
    assert list(rows(user, search=case.number.lower())) == [case]
    assert list(rows(user, search="张")) == []
    assert list(rows(user, year=case.proposed_on.year)) == [case]
    assert list(rows(user, year=case.proposed_on.year + 1)) == []
    assert list(rows(user, year=99999)) == []
    with pytest.raises(Http404):
        selectors.unit_for(staff.section, tree.district_b1.pk)


def test_my_tasks_agree_with_the_acts_offered_on_each_case(staff, tree):
    """For every person and a case at every step: the case is in their tasks exactly when
    the case page offers them a step."""
    cases = []
    for status in [*[s for s in TEMPORARY_ORDER if s != "closed"], "submitted", "closed"]:
        p = make_prisoner(tree.district_a1)
        commend(p)
        if status == "submitted_to_bureau":
            case = propose(
                staff,
                p,
                kind="temporary",
                medical_assessment="诊断证明",
                temporary_grounds={"serious_illness": True},
            )
        else:
            case = propose(staff, p)
        cases.append(drive(staff, case, status))
    people = [
        staff.district,
        staff.section,
        staff.clerk,
        *staff.reviewers,
        staff.committee,
        staff.warden,
        staff.bureau,
        staff.district_b,
    ]
    for user in people:
        user = type(user).objects.get(pk=user.pk)  # fresh permission cache
        tasks = set(selectors.my_tasks(user).values_list("pk", flat=True))
        offered = {
            c.pk
            for c in Case.objects.select_related("unit").filter(pk__in=[c.pk for c in cases])
            if selectors.actions_for(user, c).codes
        }
        assert tasks == offered, user
    # Someone has a task at every open step.
    everyone = set()
    for user in people:
        everyone |= set(selectors.my_tasks(user).values_list("status", flat=True))
    assert everyone == {c.status for c in cases} - {CaseStatus.CLOSED}


def test_actions_name_the_separation_of_duties(staff, prisoner):
    case = drive(staff, propose(staff, prisoner), "committee_approved")
    actions = selectors.actions_for(staff.section, case)
    assert actions.codes == [] and "分权" in actions.notes[0]
    assert selectors.actions_for(staff.clerk, case).codes == ["publish_notice"]
    assert selectors.actions_for(staff.district_b, case).any is False


def test_the_notice_lists_a_prisons_cases_in_notice(staff, prisoner, tree):
    in_notice = drive(staff, propose(staff, prisoner), "in_notice")
    other = make_prisoner(tree.district_a1)
    commend(other)
    propose(staff, other)
    assert list(selectors.notice_cases(tree.prison_a)) == [in_notice]
    assert list(selectors.notice_cases(tree.prison_b)) == []
    assert selectors.notice_prison_for(staff.district, tree.prison_a.pk) == tree.prison_a
    assert selectors.notice_prisons(staff.district) == [tree.prison_a]
    assert set(selectors.notice_prisons(staff.bureau)) == {tree.prison_a, tree.prison_b}
    for user, pk in (
        (staff.district, tree.prison_b.pk),
        (staff.district, tree.district_a1.pk),
        (staff.district_b, tree.prison_a.pk),
    ):
        with pytest.raises(Http404):
            selectors.notice_prison_for(user, pk)


def test_the_conduct_record_is_the_window_of_the_proposal(staff, prisoner):
    today = timezone.localdate()
    old = Reward.objects.create(
        prisoner=prisoner,
        kind=RewardKind.COMMENDATION,
        awarded_on=prisoner.execution_start - dt.timedelta(days=1),
        reason="执行前",
    )
    revoked = Reward.objects.create(
        prisoner=prisoner, kind=RewardKind.MERIT, awarded_on=today, reason="立功", evidence="e"
    )
    Reward.objects.create(
        prisoner=prisoner,
        kind=RewardKind.MERIT,
        awarded_on=today,
        reason="撤销",
        reverses=revoked,
    )
    PointsEntry.objects.create(
        prisoner=prisoner, month=today.replace(day=1), kind="addition", points=8, reason="加分"
    )
    case = propose(staff, prisoner)
    conduct = selectors.conduct_of(case)
    assert conduct.start == prisoner.execution_start and conduct.end == case.proposed_on
    assert conduct.commendations == 2 and conduct.merits == 0
    assert old not in conduct.rewards and revoked not in conduct.rewards
    assert conduct.points == 8


def test_excluded_reviewers_are_named(staff, prisoner):
    PointsEntry.objects.create(
        prisoner=prisoner,
        month=timezone.localdate().replace(day=1),
        kind="addition",
        points=5,
        reason="协助管理",
        officer=staff.reviewers[1].officer,
    )
    case = drive(staff, propose(staff, prisoner), "section_reviewed")
    dossier = selectors.dossier(case)
    assert dossier.excluded == [
        {
            "user_id": staff.reviewers[1].pk,
            "name": str(staff.reviewers[1]),
            "reasons": "近12个月曾为该犯考核计分或呈报奖励",
        }
    ]
    assert [s.label for s in dossier.steps] == ["监区集体研究提请", "刑罚执行科审查"]


def test_presentation_helpers(staff, prisoner):
    case = propose(staff, prisoner)
    assert selectors.amount_text(case) == "减刑6个月"
    case.proposed_months, case.proposed_to_years = None, 21
    assert selectors.amount_text(case) == "减为有期徒刑21年"
    case.kind = "parole"
    assert selectors.amount_text(case) == "假释"
    assert selectors.mask_number("4200000123") == "420*****23"
    assert selectors.mask_number("1234") == "1***"
    assert [r["rule"] for r in selectors.passing_reasons(case)] == [
        r["rule"] for r in case.verdict["parole"]["reasons"] if r.get("passes")
    ]
