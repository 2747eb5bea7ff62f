"""The review procedure end to end, through the services."""

from __future__ import annotations

import datetime as dt
import random

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from tests.sentencing.conftest import make_prisoner
from tongxin.audit.models import AuditEntry
from tongxin.prisoners.models import SentenceChange
from tongxin.sentencing import services
from tongxin.sentencing.models import Case, CaseOutcome, CaseStatus

pytestmark = pytest.mark.django_db


def _propose(staff, prisoner, months=6):
    return services.propose_case(
        user=staff.district,
        prisoner=prisoner,
        kind="reduction",
        proposed_months=months,
        reasons="监区集体研究:该犯确有悔改表现,提请减刑。",
    )


def _through_centre(staff, case):
    case = services.decide(
        user=staff.section,
        case=case,
        step="section_review",
        decision="approve",
        opinion="材料齐全,符合条件。",
        expected_version=case.version,
        rng=random.Random(1),
    )
    for assignment in case.reviewers.all():
        for alert in case.alerts.filter(disposed_at__isnull=True):
            services.dispose_alert(user=assignment.reviewer, alert=alert, disposition="已核实。")
        case.refresh_from_db()
        case = services.review(
            user=assignment.reviewer,
            case=case,
            decision="approve",
            opinion="同意提请。",
            expected_version=case.version,
        )
    return case


def test_a_reduction_case_goes_from_proposal_to_ruling(staff, prisoner):
    case = _propose(staff, prisoner)
    assert case.status == CaseStatus.PROPOSED
    assert case.verdict["reduction"]["eligible"] is True
    assert case.number.startswith(f"P01-{timezone.localdate().year}-JX-")
    case = _through_centre(staff, case)
    assert case.status == CaseStatus.CENTRE_REVIEWED
    case = services.decide(
        user=staff.committee,
        case=case,
        step="committee",
        decision="approve",
        opinion="评审委员会同意。",
        expected_version=case.version,
    )
    start = timezone.localdate()
    case = services.publish_notice(
        user=staff.clerk, case=case, start=start, expected_version=case.version
    )
    assert case.status == CaseStatus.IN_NOTICE
    assert case.notice_end >= start + dt.timedelta(days=4)
    with pytest.raises(ValidationError, match="期满后方可结束公示"):
        services.close_notice(user=staff.clerk, case=case, expected_version=case.version)
    objection = services.record_objection(
        user=staff.clerk, case=case, received_on=start, objector="罪犯张某", content="加分不公"
    )
    case.refresh_from_db()
    after_notice = case.notice_end + dt.timedelta(days=1)
    with pytest.raises(ValidationError, match="未答复"):
        services.close_notice(
            user=staff.clerk, case=case, expected_version=case.version, today=after_notice
        )
    services.answer_objection(user=staff.clerk, objection=objection, answer="经核查,加分有据。")
    case.refresh_from_db()
    case = services.close_notice(
        user=staff.clerk, case=case, expected_version=case.version, today=after_notice
    )
    case = services.decide(
        user=staff.warden,
        case=case,
        step="director",
        decision="approve",
        opinion="监狱长办公会同意。",
        expected_version=case.version,
    )
    case = services.submit(user=staff.clerk, case=case, expected_version=case.version)
    assert case.status == CaseStatus.SUBMITTED
    assert "中级人民法院" in case.submitted_to
    case = services.record_ruling(
        user=staff.clerk,
        case=case,
        ruling_date=timezone.localdate(),
        granted=True,
        months=5,
        ruling_number="(2026)鄂01刑更100号",
        expected_version=case.version,
    )
    assert case.status == CaseStatus.CLOSED
    assert case.outcome == CaseOutcome.PARTLY_GRANTED
    change = SentenceChange.objects.get(prisoner=prisoner)
    assert change.months == 5 and change.case_id == case.pk
    actions = set(AuditEntry.objects.values_list("action", flat=True))
    assert {"sentencing.case.propose", "sentencing.case.record_ruling"} <= actions


def test_the_law_decides_what_can_be_proposed(staff, tree):
    too_early = make_prisoner(
        tree.district_a1, execution_start=timezone.localdate() - dt.timedelta(days=200)
    )
    from tests.sentencing.conftest import commend

    commend(too_early)
    with pytest.raises(ValidationError) as refused:
        _propose(staff, too_early)
    assert "kind" in refused.value.message_dict
    assert not Case.objects.exists()

    eligible = make_prisoner(tree.district_a1)
    commend(eligible)
    with pytest.raises(ValidationError) as refused:
        _propose(staff, eligible, months=24)
    assert "超过依法可减的最大幅度" in refused.value.message_dict["proposed_months"][0]

    no_evidence = make_prisoner(tree.district_a1)
    with pytest.raises(ValidationError, match="改造表现不足"):
        _propose(staff, no_evidence)
    assert not Case.objects.exists()


def test_one_open_case_per_prisoner(staff, prisoner):
    _propose(staff, prisoner)
    with pytest.raises(ValidationError, match="正在办理"):
        _propose(staff, prisoner)


def test_a_step_out_of_order_is_refused(staff, prisoner):
    case = _propose(staff, prisoner)
    with pytest.raises(ValidationError, match="不能办理"):
        services.decide(
            user=staff.committee,
            case=case,
            step="committee",
            decision="approve",
            opinion="同意",
            expected_version=case.version,
        )
    with pytest.raises(ValidationError, match="不能办理"):
        services.submit(user=staff.clerk, case=case, expected_version=case.version)


def test_a_step_needs_its_role_and_scope(staff, prisoner):
    case = _propose(staff, prisoner)
    with pytest.raises(PermissionDenied):
        services.decide(
            user=staff.committee,
            case=case,
            step="section_review",
            decision="approve",
            opinion="同意",
            expected_version=case.version,
        )
    with pytest.raises(PermissionDenied):
        services.propose_case(
            user=staff.district_b,
            prisoner=prisoner,
            kind="reduction",
            proposed_months=3,
            reasons="x",
        )


def test_no_one_acts_at_two_steps_of_one_case(staff, prisoner):
    case = _propose(staff, prisoner)
    staff.district.groups.add(staff.section.groups.first())
    district = type(staff.district).objects.get(pk=staff.district.pk)  # fresh permission cache
    with pytest.raises(PermissionDenied, match="分权"):
        services.decide(
            user=district,
            case=case,
            step="section_review",
            decision="approve",
            opinion="同意",
            expected_version=case.version,
        )
    case = _through_centre(staff, case)
    case = services.decide(
        user=staff.committee,
        case=case,
        step="committee",
        decision="approve",
        opinion="同意",
        expected_version=case.version,
    )
    with pytest.raises(PermissionDenied, match="分权"):
        services.publish_notice(
            user=staff.section, case=case, start=timezone.localdate(), expected_version=case.version
        )


def test_a_stale_version_is_refused(staff, prisoner):
    case = _propose(staff, prisoner)
    seen = case.version
    services.decide(
        user=staff.section,
        case=case,
        step="section_review",
        decision="reject",
        opinion="材料不全",
        expected_version=seen,
    )
    other = staff.clerk
    with pytest.raises(ValidationError, match="已被他人处理"):
        services.decide(
            user=other,
            case=case,
            step="section_review",
            decision="approve",
            opinion="同意",
            expected_version=seen,
        )
    case.refresh_from_db()
    assert case.outcome == CaseOutcome.REJECTED
    assert case.steps.filter(step="section_review").count() == 1


def test_reviewers_with_a_conflict_are_never_drawn(staff, prisoner, tree):
    from tongxin.prisoners.models import PointsEntry

    conflicted = staff.reviewers[0]
    PointsEntry.objects.create(
        prisoner=prisoner,
        month=timezone.localdate().replace(day=1),
        kind="addition",
        points=10,
        reason="协助管理",
        officer=conflicted.officer,
    )
    for seed in range(20):
        case = _propose(staff, prisoner)
        case = services.decide(
            user=staff.section,
            case=case,
            step="section_review",
            decision="approve",
            opinion="同意",
            expected_version=case.version,
            rng=random.Random(seed),
        )
        drawn = set(case.reviewers.values_list("reviewer_id", flat=True))
        assert conflicted.pk not in drawn
        assert len(drawn) == services.REVIEWERS_PER_CASE
        Case.objects.filter(pk=case.pk).update(status=CaseStatus.CLOSED)


def test_too_few_reviewers_after_exclusion_refuses_the_step(staff, prisoner):
    staff.reviewers[0].is_active = False
    staff.reviewers[0].save()
    staff.reviewers[1].is_active = False
    staff.reviewers[1].save()
    case = _propose(staff, prisoner)
    with pytest.raises(ValidationError, match="评审员只有1名"):
        services.decide(
            user=staff.section,
            case=case,
            step="section_review",
            decision="approve",
            opinion="同意",
            expected_version=case.version,
        )
    case.refresh_from_db()
    assert case.status == CaseStatus.PROPOSED
    assert not case.steps.filter(step="section_review").exists()


def test_alerts_must_be_disposed_before_the_centre_agrees(staff, tree):
    from tests.sentencing.conftest import commend

    risky = make_prisoner(
        tree.district_a1, property_amount=5000, property_paid=1000, categories=["financial"]
    )
    commend(risky)
    case = _propose(staff, risky)
    kinds = set(case.alerts.values_list("kind", flat=True))
    assert {"property_unfulfilled", "special_category"} <= kinds
    case = services.decide(
        user=staff.section,
        case=case,
        step="section_review",
        decision="approve",
        opinion="同意",
        expected_version=case.version,
        rng=random.Random(3),
    )
    reviewer = case.reviewers.first().reviewer
    with pytest.raises(ValidationError, match="风险预警未处置"):
        services.review(
            user=reviewer, case=case, decision="approve", opinion="同意", expected_version=None
        )
    outsider = next(r for r in staff.reviewers if not case.reviewers.filter(reviewer=r).exists())
    with pytest.raises(PermissionDenied):
        services.dispose_alert(user=outsider, alert=case.alerts.first(), disposition="看过")


def test_the_case_carries_the_plain_record_for_its_public_notice(staff, prisoner):
    """The notice shows what the merit rests on, not the province's internal thresholds."""
    case = _propose(staff, prisoner)
    assert "表扬2次" in case.merit_basis
    assert "需" not in case.merit_basis


def test_the_proposer_may_withdraw_their_own_proposal():
    from tongxin.sentencing import workflow

    proposed = [workflow.PastAct("propose", 7)]
    assert workflow.separation_problem("withdraw", 7, proposed) is None
    assert workflow.separation_problem("section_review", 7, proposed) is not None
