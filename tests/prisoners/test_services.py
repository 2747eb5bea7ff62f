"""Every write of the registry's ledgers: what it records, what it audits, and every refusal
(with the Chinese reason on its field and nothing written)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from tests.conftest import make_officer, make_user
from tests.prisoners.conftest import months_back, record_base, this_month
from tongxin.audit.models import AuditEntry
from tongxin.audit.services import snapshot
from tongxin.prisoners import services
from tongxin.prisoners.models import (
    JobAssignment,
    PointsEntry,
    PointsKind,
    PointsSetting,
    Punishment,
    Reward,
    RewardKind,
    SentenceChange,
    Violation,
)

pytestmark = pytest.mark.django_db


def refusal(call, **kwargs) -> dict[str, list[str]]:
    """The field errors of a refused write; also checks nothing reached the audit chain."""
    before = AuditEntry.objects.count()
    with pytest.raises(ValidationError) as caught:
        call(**kwargs)
    assert AuditEntry.objects.count() == before
    return caught.value.message_dict


def commendations(prisoner) -> list[Reward]:
    """Live commendations earned by points."""
    return [
        r
        for r in Reward.objects.filter(prisoner=prisoner, kind=RewardKind.COMMENDATION)
        if r.reverses_id is None and not Reward.objects.filter(reverses=r).exists()
    ]


def adjust(user, prisoner, officer, points, reason="劳动竞赛第一名", month=None):
    return services.record_adjustment(
        user=user,
        prisoner=prisoner,
        month=month or this_month(),
        points=points,
        reason=reason,
        officer=officer,
    )


# --- monthly base points ----------------------------------------------------------------------


def test_base_line_records_the_three_parts_and_is_audited(district_a, people, officer_a):
    entry = record_base(district_a, people.a, months_back(1) + dt.timedelta(days=14), officer_a)
    assert entry.month == months_back(1)  # any day of the month is its first
    assert (entry.supervision, entry.education, entry.labour) == (40, 30, 30)
    assert entry.points == Decimal("100") and entry.kind == PointsKind.BASE
    assert entry.officer == officer_a and entry.recorded_by == district_a
    audit = AuditEntry.objects.get(action="prisoners.points.create")
    assert audit.object_id == str(entry.pk)
    assert audit.actor == district_a
    assert "基础分100" in audit.summary


def test_this_month_may_be_recorded(district_a, people, officer_a):
    assert record_base(district_a, people.a, this_month(), officer_a).month == this_month()


def test_an_officer_of_another_district_of_the_same_prison_may_be_named(
    district_a, people, officers
):
    entry = record_base(district_a, people.a, months_back(1), officers["a2"])
    assert entry.officer == officers["a2"]


@pytest.mark.parametrize(
    ("month", "parts", "field", "reason"),
    [
        ("next", ("40", "30", "30"), "month", "不能考核未来的月份"),
        ("before", ("40", "30", "30"), "month", "入监,此前的月份不能考核"),
        ("last", ("100.5", "0", "0"), "supervision", "须在0到100之间"),
        ("last", ("40", "-1", "30"), "education", "须在0到100之间"),
        ("last", ("40", "30", "101"), "labour", "须在0到100之间"),
        ("last", ("40", "三十", "30"), "education", "须为数字"),
        ("last", ("40", None, "30"), "education", "须为数字"),
        ("last", ("40", "NaN", "30"), "education", "须为数字"),
        ("last", ("40.25", "30", "29"), "supervision", "最多保留一位小数"),
        ("last", ("40", "40", "30"), "labour", "三项合计110分,超过月基础分100分"),
    ],
)
def test_base_line_refusals(district_a, people, officer_a, month, parts, field, reason):
    day = {
        "next": this_month() + dt.timedelta(days=40),
        "before": months_back(40),
        "last": months_back(1),
    }[month]
    errors = refusal(
        record_base, user=district_a, prisoner=people.a, month=day, officer=officer_a, parts=parts
    )
    assert any(reason in message for message in errors[field]), errors
    assert not PointsEntry.objects.exists()


def test_the_monthly_base_follows_the_setting(district_a, people, officer_a):
    PointsSetting.objects.create(monthly_base=90)
    errors = refusal(
        record_base,
        user=district_a,
        prisoner=people.a,
        month=months_back(1),
        officer=officer_a,
        parts=("40", "30", "30"),
    )
    assert "超过月基础分90分" in errors["labour"][0]
    assert record_base(district_a, people.a, months_back(1), officer_a, ("40", "30", "20"))


def test_a_second_base_line_for_a_month_is_refused(district_a, people, officer_a):
    record_base(district_a, people.a, months_back(2), officer_a)
    errors = refusal(
        record_base, user=district_a, prisoner=people.a, month=months_back(2), officer=officer_a
    )
    assert errors["month"] == [f"{months_back(2):%Y年%m月}的基础分已录入;如有错误请先冲正。"]
    assert PointsEntry.objects.count() == 1


def test_a_reversed_base_line_may_be_entered_again_once(district_a, people, officer_a):
    """The refusal says "reverse first": after the reversal the month takes a new base line
    (the next revision), and then again only one."""
    first = record_base(district_a, people.a, months_back(2), officer_a, ("40", "30", "30"))
    services.reverse_points(user=district_a, entry=first, reason="劳动改造分录错")
    second = record_base(district_a, people.a, months_back(2), officer_a, ("40", "30", "25"))
    assert (first.revision, second.revision) == (0, 1)
    assert second.points == Decimal("95")
    errors = refusal(
        record_base, user=district_a, prisoner=people.a, month=months_back(2), officer=officer_a
    )
    assert "已录入" in errors["month"][0]
    net = sum(e.points for e in PointsEntry.objects.filter(prisoner=people.a))
    assert net == Decimal("95")


@pytest.mark.parametrize("who", ["other prison", "none", "retired"])
def test_the_officer_must_serve_in_the_prisoners_prison(district_a, people, officers, tree, who):
    officer = {
        "other prison": officers["b1"],
        "none": None,
        "retired": make_officer(tree.district_a1, "退休民警", is_active=False),
    }[who]
    errors = refusal(
        record_base, user=district_a, prisoner=people.a, month=months_back(1), officer=officer
    )
    expected = {
        "other prison": "考核民警须为本监狱民警。",
        "none": "请选择考核民警。",
        "retired": "该民警已不在职。",
    }[who]
    assert errors["officer"] == [expected]


def test_an_officer_of_the_bureau_is_not_of_the_prison(district_a, people, tree):
    """The bureau is above every prison: being under the same root is not enough."""
    bureau_officer = make_officer(tree.bureau, "局机关民警")
    errors = refusal(
        record_base,
        user=district_a,
        prisoner=people.a,
        month=months_back(1),
        officer=bureau_officer,
    )
    assert errors["officer"] == ["考核民警须为本监狱民警。"]


def test_every_reason_at_once(district_a, people, officer_b):
    errors = refusal(
        record_base,
        user=district_a,
        prisoner=people.a,
        month=this_month() + dt.timedelta(days=40),
        officer=officer_b,
        parts=("x", "30", "300"),
    )
    assert set(errors) == {"month", "supervision", "labour", "officer"}


# --- additions and deductions -----------------------------------------------------------------


def test_addition_and_deduction(district_a, people, officer_a):
    plus = adjust(district_a, people.a, officer_a, "5", "拾金不昧")
    minus = adjust(district_a, people.a, officer_a, "-2.5", "内务不整")
    assert (plus.kind, plus.points, plus.reason) == (PointsKind.ADDITION, Decimal("5"), "拾金不昧")
    assert (minus.kind, minus.points) == (PointsKind.DEDUCTION, Decimal("-2.5"))
    assert AuditEntry.objects.filter(action="prisoners.points.create").count() == 2


@pytest.mark.parametrize(
    ("points", "reason", "field", "message"),
    [
        ("0", "有事由", "points", "加扣分不能为0。"),
        ("0.0", "有事由", "points", "加扣分不能为0。"),
        ("100.5", "有事由", "points", "单次加扣分不得超过100分。"),
        ("-1000", "有事由", "points", "单次加扣分不得超过100分。"),
        ("1e9", "有事由", "points", "单次加扣分不得超过100分。"),
        ("Infinity", "有事由", "points", "须为数字。"),
        ("5", "", "reason", "请填写加扣分事由。"),
        ("5", "   ", "reason", "请填写加扣分事由。"),
    ],
)
def test_adjustment_refusals(district_a, people, officer_a, points, reason, field, message):
    errors = refusal(
        adjust, user=district_a, prisoner=people.a, officer=officer_a, points=points, reason=reason
    )
    assert errors[field] == [message]
    assert not PointsEntry.objects.exists()


def test_adjustment_month_and_officer_are_checked(district_a, people, officer_b):
    errors = refusal(
        adjust,
        user=district_a,
        prisoner=people.a,
        officer=officer_b,
        points="3",
        month=this_month() + dt.timedelta(days=40),
    )
    assert errors["month"] == ["不能考核未来的月份。"]
    assert errors["officer"] == ["考核民警须为本监狱民警。"]


# --- reversal ------------------------------------------------------------------------------------


def test_reversal_cancels_by_the_exact_negative_and_never_edits_the_line(
    district_a, people, officer_a
):
    entry = adjust(district_a, people.a, officer_a, "-7.5", "打架")
    before = snapshot(PointsEntry.objects.get(pk=entry.pk))
    reversal = services.reverse_points(user=district_a, entry=entry, reason="经核实不属实")
    assert snapshot(PointsEntry.objects.get(pk=entry.pk)) == before
    assert reversal.kind == PointsKind.REVERSAL
    assert reversal.points == Decimal("7.5")
    assert reversal.month == entry.month
    assert reversal.reverses == entry
    assert reversal.reason == "经核实不属实"
    assert sum(e.points for e in PointsEntry.objects.all()) == 0
    audit = AuditEntry.objects.get(action="prisoners.points.reverse")
    assert audit.object_id == str(reversal.pk) and "经核实不属实" in audit.summary


def test_reversing_twice_is_refused(district_a, people, officer_a):
    entry = adjust(district_a, people.a, officer_a, "3")
    services.reverse_points(user=district_a, entry=entry, reason="录错")
    errors = refusal(services.reverse_points, user=district_a, entry=entry, reason="再次")
    assert errors["entry"] == ["该条目已冲正。"]
    assert PointsEntry.objects.count() == 2


def test_a_reversal_cannot_be_reversed(district_a, people, officer_a):
    entry = adjust(district_a, people.a, officer_a, "3")
    reversal = services.reverse_points(user=district_a, entry=entry, reason="录错")
    errors = refusal(services.reverse_points, user=district_a, entry=reversal, reason="反冲")
    assert errors["entry"] == ["冲正条目不能再冲正。"]


@pytest.mark.parametrize("reason", ["", "  "])
def test_a_reversal_needs_a_reason(district_a, people, officer_a, reason):
    entry = adjust(district_a, people.a, officer_a, "3")
    errors = refusal(services.reverse_points, user=district_a, entry=entry, reason=reason)
    assert errors["reason"] == ["请填写冲正原因。"]
    assert PointsEntry.objects.count() == 1


# --- commendations -------------------------------------------------------------------------------


def _six_months(user, prisoner, officer, first_back: int):
    for back in range(first_back, first_back - 6, -1):
        record_base(user, prisoner, months_back(back), officer)


def test_a_commendation_exactly_at_600_and_at_1200(district_a, people, officer_a):
    for back in range(20, 15, -1):
        record_base(district_a, people.a, months_back(back), officer_a)
    adjust(district_a, people.a, officer_a, "99.9", month=months_back(16))
    assert commendations(people.a) == []  # 599.9
    adjust(district_a, people.a, officer_a, "0.1", month=months_back(16))
    (first,) = commendations(people.a)  # 600
    assert first.points_basis == Decimal("600")
    assert first.awarded_on == timezone.localdate()
    assert "累计达到600分" in first.reason
    assert AuditEntry.objects.filter(action="prisoners.reward.create").count() == 1
    for back in range(15, 10, -1):
        record_base(district_a, people.a, months_back(back), officer_a)
    assert len(commendations(people.a)) == 1  # 1100
    record_base(district_a, people.a, months_back(10), officer_a)
    assert [c.points_basis for c in commendations(people.a)] == [Decimal(600), Decimal(1200)]


def test_no_second_commendation_for_the_same_600_after_a_reversal(district_a, people, officer_a):
    """600 reached once earns one commendation. A reversal that takes the total below 600 and
    a later line that brings it back do not earn another: each commendation consumes 600
    points of the net total, so the next is due at 1200."""
    _six_months(district_a, people.a, officer_a, 20)
    assert len(commendations(people.a)) == 1
    wrong = PointsEntry.objects.filter(prisoner=people.a, month=months_back(15)).get()
    services.reverse_points(user=district_a, entry=wrong, reason="该月考核有误")  # 500
    assert len(commendations(people.a)) == 1  # not taken away automatically either
    record_base(district_a, people.a, months_back(15), officer_a)  # 600 again
    assert len(commendations(people.a)) == 1
    _six_months(district_a, people.a, officer_a, 14)  # 1200
    assert [c.points_basis for c in commendations(people.a)] == [Decimal(600), Decimal(1200)]


def test_reversing_a_deduction_may_earn_the_commendation(district_a, people, officer_a):
    for back in range(20, 14, -1):
        record_base(district_a, people.a, months_back(back), officer_a)
        if back == 20:
            deduction = adjust(district_a, people.a, officer_a, "-50", month=months_back(20))
    assert commendations(people.a) == []  # 550
    services.reverse_points(user=district_a, entry=deduction, reason="扣分依据不足")  # 600
    (earned,) = commendations(people.a)
    assert earned.points_basis == Decimal("600")


def test_a_revoked_commendation_is_earned_again_when_the_points_are(district_a, people, officer_a):
    """A commendation revoked because the points under it were wrong is earned again once the
    net total reaches the threshold again."""
    _six_months(district_a, people.a, officer_a, 20)
    (first,) = commendations(people.a)
    wrong = PointsEntry.objects.filter(prisoner=people.a, month=months_back(20)).get()
    services.reverse_points(user=district_a, entry=wrong, reason="未实际参加劳动")
    services.revoke_reward(user=district_a, reward=first, reason="所依据的计分已冲正")
    assert commendations(people.a) == []
    record_base(district_a, people.a, months_back(14), officer_a)  # 600 again
    (again,) = commendations(people.a)
    assert again.pk != first.pk


def test_a_commendation_the_points_still_support_cannot_be_revoked(district_a, people, officer_a):
    """The points are the record: while they support the commendation, revoking it by hand is
    refused (it would only be earned again by the next entry)."""
    _six_months(district_a, people.a, officer_a, 20)
    (earned,) = commendations(people.a)
    errors = refusal(services.revoke_reward, user=district_a, reward=earned, reason="误发")
    assert "请先冲正相应计分条目" in errors["entry"][0]
    assert commendations(people.a) == [earned]


def test_a_commendation_cannot_be_given_by_hand(district_a, people, officer_a):
    errors = refusal(
        services.award,
        user=district_a,
        prisoner=people.a,
        kind=RewardKind.COMMENDATION,
        awarded_on=timezone.localdate(),
        reason="表现好",
        officer=officer_a,
    )
    assert errors["kind"] == ["表扬由计分考核累计分自动获得,不能手工录入。"]
    assert not Reward.objects.exists()


# --- rewards -----------------------------------------------------------------------------------


def award(
    user, prisoner, officer, kind=RewardKind.MERIT, evidence="检举他犯脱逃,经查属实", **extra
):
    values = {
        "user": user,
        "prisoner": prisoner,
        "kind": kind,
        "awarded_on": timezone.localdate() - dt.timedelta(days=3),
        "reason": "检举他犯",
        "evidence": evidence,
        "officer": officer,
    }
    values.update(extra)
    return services.award(**values)


def test_merit_with_evidence_and_invention_flag(district_a, people, officer_a):
    reward = award(
        district_a,
        people.a,
        officer_a,
        kind=RewardKind.MAJOR_MERIT,
        evidence="国家知识产权局发明专利证书",
        rests_on_invention=True,
    )
    assert reward.kind == RewardKind.MAJOR_MERIT and reward.rests_on_invention
    assert AuditEntry.objects.filter(action="prisoners.reward.create").count() == 1


def test_a_material_reward_needs_no_evidence(district_a, people, officer_a):
    assert award(district_a, people.a, officer_a, kind=RewardKind.MATERIAL, evidence="")


@pytest.mark.parametrize("kind", [RewardKind.MERIT, RewardKind.MAJOR_MERIT])
@pytest.mark.parametrize("evidence", ["", "   "])
def test_a_merit_needs_evidence(district_a, people, officer_a, kind, evidence):
    errors = refusal(
        award, user=district_a, prisoner=people.a, officer=officer_a, kind=kind, evidence=evidence
    )
    assert errors["evidence"] == ["立功、重大立功须附证据材料。"]


@pytest.mark.parametrize(
    ("extra", "field", "message"),
    [
        ({"kind": "bonus"}, "kind", "请选择有效的奖励类别。"),
        ({"awarded_on": "tomorrow"}, "awarded_on", "奖励日期不能晚于今天。"),
        ({"awarded_on": "before"}, "awarded_on", "奖励日期不能早于入监日期。"),
        ({"reason": " "}, "reason", "请填写奖励事由。"),
    ],
)
def test_reward_refusals(district_a, people, officer_a, extra, field, message):
    dates = {
        "tomorrow": timezone.localdate() + dt.timedelta(days=1),
        "before": people.a.admitted_on - dt.timedelta(days=1),
    }
    extra = {k: dates.get(v, v) for k, v in extra.items()}
    errors = refusal(award, user=district_a, prisoner=people.a, officer=officer_a, **extra)
    assert errors[field] == [message]


def test_reward_officer_of_another_prison(district_a, people, officer_b):
    errors = refusal(award, user=district_a, prisoner=people.a, officer=officer_b)
    assert errors["officer"] == ["考核民警须为本监狱民警。"]


# --- revocations -------------------------------------------------------------------------------


def _punishment(user, prisoner, officer, **extra):
    values = {
        "user": user,
        "prisoner": prisoner,
        "kind": "warning",
        "decided_on": timezone.localdate(),
        "reason": "私藏违禁品",
        "officer": officer,
    }
    values.update(extra)
    return services.punish(**values)


def _violation(user, prisoner, officer, **extra):
    values = {
        "user": user,
        "prisoner": prisoner,
        "severity": "serious",
        "occurred_on": timezone.localdate(),
        "description": "殴打他犯",
        "officer": officer,
    }
    values.update(extra)
    return services.record_violation(**values)


REVOCABLE = {
    "reward": (lambda u, p, o: award(u, p, o), services.revoke_reward, "reward", Reward),
    "punishment": (_punishment, services.revoke_punishment, "punishment", Punishment),
    "violation": (_violation, services.revoke_violation, "violation", Violation),
}


@pytest.mark.parametrize("what", list(REVOCABLE))
def test_revocation_adds_a_row_and_leaves_the_original(district_a, people, officer_a, what):
    make, revoke, argument, model = REVOCABLE[what]
    original = make(district_a, people.a, officer_a)
    before = snapshot(model.objects.get(pk=original.pk))
    revocation = revoke(user=district_a, **{argument: original}, reason="复查撤销")
    assert snapshot(model.objects.get(pk=original.pk)) == before
    assert revocation.reverses == original
    assert revocation.recorded_by == district_a
    text = revocation.description if model is Violation else revocation.reason
    assert text == "复查撤销"
    assert AuditEntry.objects.filter(action=f"prisoners.{what}.revoke").count() == 1


@pytest.mark.parametrize("what", list(REVOCABLE))
def test_revoking_twice_and_revoking_a_revocation_are_refused(district_a, people, officer_a, what):
    make, revoke, argument, model = REVOCABLE[what]
    original = make(district_a, people.a, officer_a)
    revocation = revoke(user=district_a, **{argument: original}, reason="复查撤销")
    errors = refusal(revoke, user=district_a, **{argument: original}, reason="再次撤销")
    assert errors["entry"] == ["该记录已撤销。"]
    errors = refusal(revoke, user=district_a, **{argument: revocation}, reason="撤销撤销")
    assert errors["entry"] == ["撤销记录不能再撤销。"]
    errors = refusal(revoke, user=district_a, **{argument: original}, reason="")
    assert errors["reason"] == ["请填写撤销原因。"]
    assert model.objects.count() == 2


# --- punishments, violations, jobs -------------------------------------------------------------


def test_punishment_and_violation_are_recorded_and_audited(district_a, people, officer_a):
    punishment = _punishment(district_a, people.a, officer_a, kind="confinement")
    violation = _violation(district_a, people.a, officer_a)
    assert punishment.get_kind_display() == "禁闭"
    assert violation.get_severity_display() == "严重违规"
    actions = set(AuditEntry.objects.values_list("action", flat=True))
    assert {"prisoners.punishment.create", "prisoners.violation.create"} <= actions


@pytest.mark.parametrize(
    ("extra", "field", "message"),
    [
        ({"kind": "flogging"}, "kind", "请选择有效的处罚类别。"),
        ({"decided_on": "tomorrow"}, "decided_on", "决定日期不能晚于今天。"),
        ({"reason": ""}, "reason", "请填写处罚事由。"),
        ({"officer": "other"}, "officer", "考核民警须为本监狱民警。"),
    ],
)
def test_punishment_refusals(district_a, people, officer_a, officer_b, extra, field, message):
    swap = {"tomorrow": timezone.localdate() + dt.timedelta(days=1), "other": officer_b}
    values = {"officer": officer_a, **{k: swap.get(v, v) for k, v in extra.items()}}
    errors = refusal(_punishment, user=district_a, prisoner=people.a, **values)
    assert errors[field] == [message]


@pytest.mark.parametrize(
    ("extra", "field", "message"),
    [
        ({"severity": "minor"}, "severity", "请选择违规性质。"),
        ({"occurred_on": "tomorrow"}, "occurred_on", "发生日期不能晚于今天。"),
        ({"description": " "}, "description", "请填写违规情况。"),
        ({"officer": "other"}, "officer", "考核民警须为本监狱民警。"),
    ],
)
def test_violation_refusals(district_a, people, officer_a, officer_b, extra, field, message):
    swap = {"tomorrow": timezone.localdate() + dt.timedelta(days=1), "other": officer_b}
    values = {"officer": officer_a, **{k: swap.get(v, v) for k, v in extra.items()}}
    errors = refusal(_violation, user=district_a, prisoner=people.a, **values)
    assert errors[field] == [message]


def _job(user, prisoner, officer, **extra):
    values = {
        "user": user,
        "prisoner": prisoner,
        "post": "缝纫",
        "intensity": JobAssignment.Intensity.NORMAL,
        "started_on": timezone.localdate() - dt.timedelta(days=30),
        "officer": officer,
    }
    values.update(extra)
    return services.assign_job(**values)


def test_job_change_and_its_refusals(district_a, people, officer_a, officer_b):
    first = _job(district_a, people.a, officer_a)
    assert AuditEntry.objects.filter(action="prisoners.job.assign").count() == 1
    earlier = first.started_on - dt.timedelta(days=1)
    errors = refusal(
        _job, user=district_a, prisoner=people.a, officer=officer_a, started_on=earlier
    )
    assert "不能早于现岗位的起始日期" in errors["started_on"][0]
    errors = refusal(
        _job,
        user=district_a,
        prisoner=people.a,
        officer=officer_b,
        post=" ",
        intensity=9,
        started_on=timezone.localdate() + dt.timedelta(days=1),
    )
    assert set(errors) == {"post", "intensity", "started_on", "officer"}
    light = _job(
        district_a, people.a, None, post="保洁", intensity=1, started_on=timezone.localdate()
    )
    assert light.get_intensity_display() == "轻体力"


# --- permission and scope ----------------------------------------------------------------------


def _writes(people, officer):
    """Every write, as a function of the user, on prisoner ``a`` (or a row of his)."""
    today = timezone.localdate()
    entry = PointsEntry.objects.create(
        prisoner=people.a,
        month=this_month(),
        kind="addition",
        points=5,
        reason="x",
        officer=officer,
    )
    reward = Reward.objects.create(
        prisoner=people.a, kind="material", awarded_on=today, reason="x", officer=officer
    )
    punishment = Punishment.objects.create(
        prisoner=people.a, kind="warning", decided_on=today, reason="x", officer=officer
    )
    violation = Violation.objects.create(
        prisoner=people.a, severity="ordinary", occurred_on=today, description="x", officer=officer
    )
    p = people.a
    return {
        "base": lambda u: record_base(u, p, months_back(1), officer),
        "adjustment": lambda u: adjust(u, p, officer, "3"),
        "reverse": lambda u: services.reverse_points(user=u, entry=entry, reason="r"),
        "award": lambda u: award(u, p, officer),
        "revoke reward": lambda u: services.revoke_reward(user=u, reward=reward, reason="r"),
        "punish": lambda u: _punishment(u, p, officer),
        "revoke punishment": lambda u: services.revoke_punishment(
            user=u, punishment=punishment, reason="r"
        ),
        "violation": lambda u: _violation(u, p, officer),
        "revoke violation": lambda u: services.revoke_violation(
            user=u, violation=violation, reason="r"
        ),
        "job": lambda u: _job(u, p, officer),
    }


WRITES = [
    "base",
    "adjustment",
    "reverse",
    "award",
    "revoke reward",
    "punish",
    "revoke punishment",
    "violation",
    "revoke violation",
    "job",
]


@pytest.mark.parametrize("write", WRITES)
@pytest.mark.parametrize("who", ["reviewer_a", "penalty_a", "inspector"])
def test_readers_cannot_write(request, people, officer_a, write, who):
    user = request.getfixturevalue(who)
    call = _writes(people, officer_a)[write]
    rows = [m.objects.count() for m in (PointsEntry, Reward, Punishment, Violation, JobAssignment)]
    with pytest.raises(PermissionDenied) as caught:
        call(user)
    assert str(caught.value) == "您没有执行此操作的权限"
    after = [m.objects.count() for m in (PointsEntry, Reward, Punishment, Violation, JobAssignment)]
    assert after == rows
    assert not AuditEntry.objects.exists()


@pytest.mark.parametrize("write", WRITES)
@pytest.mark.parametrize("who", ["district_b", "other_district"])
def test_no_write_outside_the_scope(request, roles, tree, people, officer_a, write, who):
    user = (
        request.getfixturevalue("district_b")
        if who == "district_b"
        else make_user("district_a2", "district_officer", tree.district_a2)
    )
    call = _writes(people, officer_a)[write]
    with pytest.raises(PermissionDenied) as caught:
        call(user)
    assert str(caught.value) == "该罪犯不在您的数据范围内"
    assert not AuditEntry.objects.exists()


def test_sentence_change_is_recorded_and_audited(penalty_a, people):
    change = services.record_sentence_change(
        user=penalty_a,
        prisoner=people.a,
        kind="reduction",
        ruling_date=timezone.localdate(),
        months=8,
        court="武汉市中级人民法院",
    )
    assert SentenceChange.objects.get() == change
    assert AuditEntry.objects.filter(action="prisoners.sentence.change").count() == 1
    with pytest.raises(ValidationError):
        services.record_sentence_change(
            user=penalty_a, prisoner=people.a, kind="reduction", ruling_date=timezone.localdate()
        )
    with pytest.raises(ValidationError):
        services.record_sentence_change(
            user=penalty_a,
            prisoner=people.a,
            kind="commutation",
            ruling_date=timezone.localdate(),
            to_years=20,
        )


@pytest.mark.parametrize(
    ("call", "day_field", "label", "extra"),
    [
        (services.punish, "decided_on", "决定日期", {"kind": "warning", "reason": "打架"}),
        (
            services.record_violation,
            "occurred_on",
            "发生日期",
            {"severity": "ordinary", "description": "私藏物品"},
        ),
        (services.assign_job, "started_on", "起始日期", {"post": "缝纫", "intensity": 2}),
    ],
    ids=["punishment", "violation", "job"],
)
def test_conduct_dates_lie_between_admission_and_today(
    district_a, people, officer_a, call, day_field, label, extra
):
    """As for rewards: nothing is recorded before the prisoner arrived or in the future."""
    before = people.a.admitted_on - dt.timedelta(days=1)
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    for day, message in (
        (before, f"{label}不能早于入监日期。"),
        (tomorrow, f"{label}不能晚于今天。"),
    ):
        errors = refusal(
            call, user=district_a, prisoner=people.a, officer=officer_a, **{day_field: day}, **extra
        )
        assert errors[day_field] == [message]
