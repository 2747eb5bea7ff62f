"""Every write of the review procedure: proposing a case, each step, reviewers drawn at random,
alerts disposed, objections answered, the ruling recorded.

Each function locks the case row, checks the version the actor saw (two people acting on one
case at once cannot both succeed), the permission, the data scope, the separation of duties and
the law (the engine's verdict), writes the step and an audit entry, and bumps the version.
"""

from __future__ import annotations

import datetime as dt
import itertools
import random
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count, Q, Sum
from django.utils import timezone

from tongxin.audit.services import record, snapshot
from tongxin.org import scope
from tongxin.prisoners import selectors as prisoner_selectors
from tongxin.prisoners import services as prisoner_services
from tongxin.prisoners.models import (
    CustodyStatus,
    JobAssignment,
    PointsEntry,
    PointsKind,
    Prisoner,
    Reward,
    RewardKind,
    SentenceChangeKind,
    SentenceType,
)

from . import judge, risks, workflow
from .models import (
    Case,
    CaseKind,
    CaseOutcome,
    CaseStatus,
    CaseStep,
    Objection,
    ReviewerAssignment,
    RiskAlert,
    WorkCalendarDay,
)

REVIEWERS_PER_CASE = 2
CONFLICT_MONTHS = 12
APPROVE, REJECT = "approve", "reject"
DENIED = "您没有办理此环节的权限"
OUT_OF_SCOPE = "该案件不在您的数据范围内"
STALE = "该案件已被他人处理,请刷新后查看最新状态再办理。"

KIND_CODES = {CaseKind.REDUCTION: "JX", CaseKind.PAROLE: "JS", CaseKind.TEMPORARY: "ZJ"}


# --- helpers ------------------------------------------------------------------------------------


def _next_number(unit, kind: str, day: dt.date) -> str:
    prison = prisoner_selectors.prison_of(unit)
    prefix = f"{prison.code if prison else unit.code}-{day.year}-{KIND_CODES[kind]}-"
    last = (
        Case.objects.filter(number__startswith=prefix)
        .order_by("-number")
        .values_list("number", flat=True)
        .first()
    )
    serial = int(last.rsplit("-", 1)[1]) + 1 if last else 1
    return f"{prefix}{serial:04d}"


def _lock(case: Case, expected_version: int | None) -> Case:
    current = (
        Case.objects.select_for_update().select_related("prisoner__unit", "unit").get(pk=case.pk)
    )
    if expected_version is not None and current.version != expected_version:
        raise ValidationError(STALE, code="stale")
    return current


def _require(user, perm: str, case: Case) -> None:
    if not user.has_perm(perm):
        raise PermissionDenied(DENIED)
    if not scope.can_see_unit(user, case.unit):
        raise PermissionDenied(OUT_OF_SCOPE)


def _past_acts(case: Case) -> list[workflow.PastAct]:
    return [
        workflow.PastAct(step, actor_id)
        for step, actor_id in case.steps.values_list("step", "actor_id")
    ]


def _check_separation(user, case: Case, code: str) -> None:
    problem = workflow.separation_problem(code, user.pk, _past_acts(case))
    if problem:
        raise PermissionDenied(problem)


def _step(case: Case, *, code: str, decision: str, source: str, user, opinion: str) -> CaseStep:
    return CaseStep.objects.create(
        case=case,
        step=code,
        decision=decision,
        from_status=source,
        to_status=case.status,
        opinion=opinion,
        actor=user,
        acted_at=timezone.now(),
    )


def _verb(decision: str) -> str:
    return "同意" if decision == APPROVE else "不同意"


def _save(case: Case, fields: list[str]) -> None:
    case.version += 1
    case.save(update_fields=[*fields, "version", "updated_at"])


def is_working_day_function():
    exceptions = dict(WorkCalendarDay.objects.values_list("day", "is_working"))
    return workflow.weekday_calendar(exceptions)


# --- proposal -----------------------------------------------------------------------------------


def _risk_inputs(prisoner: Prisoner, *, proposed_on: dt.date, proposed_months, categories):
    year_ago = proposed_on - dt.timedelta(days=365)
    monthly = dict(
        PointsEntry.objects.filter(
            prisoner=prisoner, month__gte=(proposed_on - dt.timedelta(days=400)).replace(day=1)
        )
        .values_list("month")
        .annotate(t=Sum("points"))
        .values_list("month", "t")
    )
    additions = (
        PointsEntry.objects.filter(
            prisoner=prisoner,
            kind=PointsKind.ADDITION,
            month__gte=year_ago.replace(day=1),
            reversed_by__isnull=True,
        )
        .values_list("officer__name", "officer__police_number")
        .annotate(total=Sum("points"), entries=Count("id"))
    )
    by_officer = {f"{name}({number})": total for name, number, total, _ in additions}
    entries = sum(n for *_, n in additions)
    inventions = prisoner_selectors.live(
        Reward.objects.filter(
            prisoner=prisoner,
            kind__in=[RewardKind.MERIT, RewardKind.MAJOR_MERIT],
            rests_on_invention=True,
        ),
        Reward,
    ).count()
    jobs = list(JobAssignment.objects.filter(prisoner=prisoner).order_by("started_on", "id"))
    changes = tuple(
        (new.started_on, old.intensity, new.intensity) for old, new in itertools.pairwise(jobs)
    )
    comparable = ()
    if proposed_months is not None:
        comparable = tuple(
            Case.objects.filter(
                kind=CaseKind.REDUCTION,
                outcome__in=[CaseOutcome.GRANTED, CaseOutcome.PARTLY_GRANTED],
                ruling_months__isnull=False,
                prisoner__sentence_type=prisoner.sentence_type,
                prisoner__term_years__gte=(prisoner.term_years // 5) * 5,
                prisoner__term_years__lt=(prisoner.term_years // 5) * 5 + 5,
                ruling_date__gte=proposed_on - dt.timedelta(days=730),
            ).values_list("ruling_months", flat=True)[:2000]
        )
    outstanding = Decimal(0)
    if prisoner.property_amount > prisoner.property_paid:
        outstanding = prisoner.property_amount - prisoner.property_paid
    return risks.RiskInputs(
        proposed_on=proposed_on,
        monthly_points=monthly,
        additions_by_officer=by_officer,
        addition_entries=entries,
        invention_merits=inventions,
        categories=tuple(categories),
        job_changes=changes,
        proposed_months=proposed_months,
        comparable_months=comparable,
        property_outstanding=outstanding,
    )


def _law_problems(case_kind: str, verdict: dict, prisoner: Prisoner, months, to_years) -> dict:
    """Field errors when the law does not allow the case or the amount proposed."""
    errors: dict[str, list[str]] = {}
    if case_kind == CaseKind.TEMPORARY:
        if not verdict["temporary"]["applicable"]:
            errors["kind"] = ["依法不符合暂予监外执行的条件:" + judge.why(verdict["temporary"])]
        return errors
    part = verdict["reduction" if case_kind == CaseKind.REDUCTION else "parole"]
    if not part["eligible"]:
        errors["kind"] = [f"依法不能提请{CaseKind(case_kind).label}:" + judge.why(part)]
        return errors
    if case_kind != CaseKind.REDUCTION:
        return errors
    if part.get("commute_to") == "life":
        if months or to_years:
            errors["proposed_to_years"] = ["死刑缓期执行期满依法减为无期徒刑,不填写幅度。"]
    elif part.get("commute_to_years"):
        low, high = part["commute_to_years"]
        if to_years is None:
            errors["proposed_to_years"] = [f"请填写建议减为有期徒刑的年数({low}至{high}年)。"]
        elif not low <= to_years <= high:
            errors["proposed_to_years"] = [f"依法只能减为{low}至{high}年有期徒刑。"]
    else:
        largest = part["max_months"]
        if not months:
            errors["proposed_months"] = [f"请填写建议减刑幅度(依法最多{largest}个月)。"]
        elif months > largest:
            errors["proposed_months"] = [
                f"建议幅度{months}个月超过依法可减的最大幅度{largest}个月。"
            ]
    return errors


@transaction.atomic
def propose_case(
    *,
    user,
    prisoner: Prisoner,
    kind: str,
    reasons: str,
    proposed_on: dt.date | None = None,
    proposed_months: int | None = None,
    proposed_to_years: int | None = None,
    risk_assessment: str = "",
    medical_assessment: str = "",
    temporary_grounds: dict | None = None,
) -> Case:
    """The district's proposal after its collective discussion (监区集体研究提请)."""
    prisoner = Prisoner.objects.select_for_update().select_related("unit").get(pk=prisoner.pk)
    if not user.has_perm("sentencing.propose_case"):
        raise PermissionDenied(DENIED)
    if not scope.can_see_unit(user, prisoner.unit):
        raise PermissionDenied("该罪犯不在您的数据范围内")
    today = timezone.localdate()
    proposed_on = proposed_on or today
    errors: dict[str, list[str]] = {}
    if kind not in CaseKind.values:
        raise ValidationError({"kind": ["请选择案件类别。"]})
    if proposed_on > today:
        errors["proposed_on"] = ["提请日期不能晚于今天。"]
    if prisoner.status != CustodyStatus.IN_CUSTODY:
        errors["prisoner"] = [f"该犯当前状态为“{prisoner.get_status_display()}”,不能提请。"]
    if Case.objects.filter(prisoner=prisoner).exclude(status=CaseStatus.CLOSED).exists():
        errors["prisoner"] = ["该犯已有正在办理的案件,办结前不能再次提请。"]
    if not reasons.strip():
        errors["reasons"] = ["请填写监区集体研究的提请理由。"]
    if kind == CaseKind.PAROLE and not risk_assessment.strip():
        errors["risk_assessment"] = ["假释案件须附再犯罪危险评估意见。"]
    grounds = judge.temporary_grounds(temporary_grounds or {})
    if (
        kind == CaseKind.TEMPORARY
        and grounds.get("serious_illness")
        and not medical_assessment.strip()
    ):
        errors["medical_assessment"] = ["保外就医须附省级人民政府指定医院的诊断证明。"]
    if errors:
        raise ValidationError(errors)
    merit, merit_basis = prisoner_selectors.merit_of(prisoner, public=True)
    verdict, version = judge.verdict_for(prisoner, on=proposed_on, merit=merit, grounds=grounds)
    if kind != CaseKind.TEMPORARY and merit is None:
        raise ValidationError(
            {"kind": [f"改造表现不足以提请:{merit_basis}(无确有悔改表现或立功表现)。"]}
        )
    errors = _law_problems(kind, verdict, prisoner, proposed_months, proposed_to_years)
    if errors:
        raise ValidationError(errors)
    if kind != CaseKind.REDUCTION:
        proposed_months = proposed_to_years = None
    case = Case.objects.create(
        number=_next_number(prisoner.unit, kind, proposed_on),
        kind=kind,
        prisoner=prisoner,
        unit=prisoner.unit,
        proposed_on=proposed_on,
        merit=merit or "",
        merit_basis=merit_basis,
        proposed_months=proposed_months,
        proposed_to_years=proposed_to_years,
        reasons=reasons.strip(),
        risk_assessment=risk_assessment.strip(),
        medical_assessment=medical_assessment.strip(),
        temporary_grounds=grounds,
        verdict=verdict,
        ruleset_version=version,
        created_by=user,
    )
    _step(case, code="propose", decision=APPROVE, source="", user=user, opinion=reasons.strip())
    inputs = _risk_inputs(
        prisoner,
        proposed_on=proposed_on,
        proposed_months=proposed_months,
        categories=prisoner.engine_categories(),
    )
    now = timezone.now()
    RiskAlert.objects.bulk_create(
        RiskAlert(case=case, kind=a.kind, detail=a.detail[:400], raised_at=now)
        for a in risks.detect(inputs)
    )
    record(
        actor=user,
        action="sentencing.case.propose",
        obj=case,
        unit=case.unit,
        after=snapshot(
            case, ["number", "kind", "prisoner", "proposed_months", "proposed_to_years"]
        ),
        summary=f"提请{case.get_kind_display()}:{prisoner}",
    )
    return case


@transaction.atomic
def withdraw_case(*, user, case: Case, expected_version: int | None, reason: str) -> Case:
    """The proposer withdraws the case before the section has reviewed it."""
    case = _lock(case, expected_version)
    _require(user, "sentencing.propose_case", case)
    if case.status != CaseStatus.PROPOSED:
        raise ValidationError("案件已进入审查环节,不能撤回。")
    if case.created_by_id != user.pk:
        raise PermissionDenied("只有提请人可以撤回案件。")
    if not reason.strip():
        raise ValidationError({"opinion": ["请填写撤回原因。"]})
    source = case.status
    case.status, case.outcome, case.closed_on = (
        CaseStatus.CLOSED,
        CaseOutcome.WITHDRAWN,
        timezone.localdate(),
    )
    _save(case, ["status", "outcome", "closed_on"])
    _step(case, code="withdraw", decision=REJECT, source=source, user=user, opinion=reason.strip())
    record(
        actor=user,
        action="sentencing.case.withdraw",
        obj=case,
        unit=case.unit,
        summary=reason.strip(),
    )
    return case


# --- reviewers ----------------------------------------------------------------------------------


def eligible_reviewers(case: Case) -> tuple[list, dict[int, list[str]]]:
    """Reviewers who may be drawn for ``case`` and, for the others in scope, why not.

    Excluded: anyone who acted on the case; anyone whose officer record awarded this prisoner
    points or rewards in the last 12 months; anyone serving in the case's district."""
    User = get_user_model()
    perm = Permission.objects.get(content_type__app_label="sentencing", codename="review_centre")
    candidates = (
        User.objects.filter(is_active=True)
        .filter(Q(groups__permissions=perm) | Q(user_permissions=perm))
        .select_related("officer__unit")
        .distinct()
    )
    since = timezone.localdate() - dt.timedelta(days=CONFLICT_MONTHS * 31)
    awarding = set(
        PointsEntry.objects.filter(
            prisoner=case.prisoner, month__gte=since.replace(day=1), officer__isnull=False
        ).values_list("officer_id", flat=True)
    ) | set(
        Reward.objects.filter(
            prisoner=case.prisoner, awarded_on__gte=since, officer__isnull=False
        ).values_list("officer_id", flat=True)
    )
    acted = set(case.steps.values_list("actor_id", flat=True))
    eligible, excluded = [], {}
    for user in candidates:
        if not scope.can_see_unit(user, case.unit):
            continue
        why = []
        if user.pk in acted:
            why.append("已在本案其他环节履职")
        if user.officer_id and user.officer_id in awarding:
            why.append("近12个月曾为该犯考核计分或呈报奖励")
        if user.officer_id and _same_district(user.officer.unit, case.unit):
            why.append("与该犯同一监区任职")
        if why:
            excluded[user.pk] = why
        else:
            eligible.append(user)
    return eligible, excluded


def _same_district(officer_unit, case_unit) -> bool:
    """The officer serves in the prisoner's district (or in one of its sub-districts, or in the
    district a sub-district belongs to)."""
    if officer_unit.path.startswith(case_unit.path):
        return True
    return officer_unit.kind in ("district", "subdistrict") and case_unit.path.startswith(
        officer_unit.path
    )


def _draw_reviewers(case: Case, rng: random.Random | None) -> list[ReviewerAssignment]:
    eligible, excluded = eligible_reviewers(case)
    if len(eligible) < REVIEWERS_PER_CASE:
        raise ValidationError(
            f"回避后可抽取的评审员只有{len(eligible)}名,少于每案{REVIEWERS_PER_CASE}名,"
            "请联系评审中心增补评审员。"
        )
    rng = rng or random.SystemRandom()
    drawn = rng.sample(sorted(eligible, key=lambda u: u.pk), REVIEWERS_PER_CASE)
    now = timezone.now()
    notes = [f"{uid}:{'、'.join(why)}" for uid, why in sorted(excluded.items())]
    return ReviewerAssignment.objects.bulk_create(
        ReviewerAssignment(case=case, reviewer=u, assigned_at=now, excluded=notes) for u in drawn
    )


# --- steps --------------------------------------------------------------------------------------


def _transition(case: Case, code: str):
    transition = workflow.BY_CODE.get(code)
    if transition is None or case.kind not in transition.kinds:
        raise ValidationError("该类案件没有此办理环节。")
    if case.status != transition.source:
        raise ValidationError(
            f"案件当前为“{case.get_status_display()}”,不能办理“{transition.label}”。"
        )
    return transition


def _close_rejected(case: Case, fields: list[str]) -> None:
    case.status, case.outcome, case.closed_on = (
        CaseStatus.CLOSED,
        CaseOutcome.REJECTED,
        timezone.localdate(),
    )
    fields += ["status", "outcome", "closed_on"]


@transaction.atomic
def decide(
    *,
    user,
    case: Case,
    step: str,
    decision: str,
    opinion: str,
    expected_version: int | None,
    rng: random.Random | None = None,
) -> Case:
    """A decision step: section review, committee, director's meeting or the bureau's approval
    (the review centre's reviewers use ``review``). ``reject`` closes the case."""
    case = _lock(case, expected_version)
    if step == "centre_review":
        raise ValidationError("评审中心评审由抽取的评审员逐一办理。")
    transition = _transition(case, step)
    if not transition.decision:
        raise ValidationError("该环节不是审批环节。")
    _require(user, transition.permission, case)
    _check_separation(user, case, step)
    if decision not in (APPROVE, REJECT):
        raise ValidationError({"decision": ["请选择同意或不同意。"]})
    if not opinion.strip():
        raise ValidationError({"opinion": ["请填写意见。"]})
    source = case.status
    fields: list[str] = []
    if decision == REJECT:
        _close_rejected(case, fields)
    else:
        case.status = transition.target
        fields.append("status")
        if step == "bureau_approval":
            case.outcome, case.closed_on = CaseOutcome.GRANTED, timezone.localdate()
            case.ruling_date = timezone.localdate()
            fields += ["outcome", "closed_on", "ruling_date"]
            prisoner = case.prisoner
            prisoner.status = CustodyStatus.TEMPORARY_OUTSIDE
            prisoner.save(update_fields=["status", "updated_at"])
    _save(case, fields)
    _step(case, code=step, decision=decision, source=source, user=user, opinion=opinion.strip())
    if step == "section_review" and decision == APPROVE:
        _draw_reviewers(case, rng)
    record(
        actor=user,
        action=f"sentencing.case.{step}",
        obj=case,
        unit=case.unit,
        summary=f"{transition.label}:{_verb(decision)}。{opinion.strip()[:200]}",
    )
    return case


@transaction.atomic
def dispose_alert(
    *, user, alert: RiskAlert, disposition: str, expected_version: int | None = None
) -> RiskAlert:
    """A reviewer drawn for the case writes what was checked and found."""
    case = _lock(Case(pk=alert.case_id), expected_version)
    _require(user, "sentencing.review_centre", case)
    if not case.reviewers.filter(reviewer=user).exists():
        raise PermissionDenied("只有抽取到本案的评审员可以处置风险预警。")
    if case.status != CaseStatus.SECTION_REVIEWED:
        raise ValidationError("只能在评审中心评审环节处置风险预警。")
    if not disposition.strip():
        raise ValidationError({"disposition": ["请填写处置意见。"]})
    alert = RiskAlert.objects.get(pk=alert.pk)
    alert.disposition, alert.disposed_by, alert.disposed_at = (
        disposition.strip(),
        user,
        timezone.now(),
    )
    alert.save(update_fields=["disposition", "disposed_by", "disposed_at"])
    _save(case, [])
    record(
        actor=user,
        action="sentencing.alert.dispose",
        obj=case,
        unit=case.unit,
        summary=f"处置风险预警“{alert.get_kind_display()}”:{disposition.strip()[:200]}",
    )
    return alert


@transaction.atomic
def review(*, user, case: Case, decision: str, opinion: str, expected_version: int | None) -> Case:
    """One drawn reviewer's opinion. The case leaves the centre when every drawn reviewer has
    agreed and every alert is disposed; one disagreement closes it."""
    case = _lock(case, expected_version)
    transition = _transition(case, "centre_review")
    _require(user, transition.permission, case)
    assignment = case.reviewers.filter(reviewer=user).first()
    if assignment is None:
        raise PermissionDenied("您未被抽取为本案评审员。")
    if assignment.decided_at:
        raise ValidationError("您已提交评审意见。")
    if decision not in (APPROVE, REJECT):
        raise ValidationError({"decision": ["请选择同意或不同意。"]})
    if not opinion.strip():
        raise ValidationError({"opinion": ["请填写评审理由。"]})
    open_alerts = case.alerts.filter(disposed_at__isnull=True)
    if decision == APPROVE and open_alerts.exists():
        names = "、".join(a.get_kind_display() for a in open_alerts)
        raise ValidationError(f"尚有风险预警未处置:{names}。处置后方可评审同意。")
    assignment.decision, assignment.opinion, assignment.decided_at = (
        decision,
        opinion.strip(),
        timezone.now(),
    )
    assignment.save(update_fields=["decision", "opinion", "decided_at"])
    source = case.status
    fields: list[str] = []
    if decision == REJECT:
        _close_rejected(case, fields)
    elif not case.reviewers.filter(decided_at__isnull=True).exists():
        case.status = transition.target
        fields.append("status")
    _save(case, fields)
    _step(
        case,
        code="centre_review",
        decision=decision,
        source=source,
        user=user,
        opinion=opinion.strip(),
    )
    record(
        actor=user,
        action="sentencing.case.centre_review",
        obj=case,
        unit=case.unit,
        summary=f"评审中心评审:{_verb(decision)}。{opinion.strip()[:200]}",
    )
    return case


@transaction.atomic
def publish_notice(*, user, case: Case, start: dt.date, expected_version: int | None) -> Case:
    case = _lock(case, expected_version)
    transition = _transition(case, "publish_notice")
    _require(user, transition.permission, case)
    _check_separation(user, case, "publish_notice")
    if start < timezone.localdate():
        raise ValidationError({"notice_start": ["公示开始日期不能早于今天。"]})
    is_working = is_working_day_function()
    case.notice_start = start
    case.notice_end = workflow.working_days_after(start, workflow.NOTICE_WORKING_DAYS, is_working)
    source, case.status = case.status, transition.target
    _save(case, ["notice_start", "notice_end", "status"])
    _step(
        case,
        code="publish_notice",
        decision=APPROVE,
        source=source,
        user=user,
        opinion=f"公示期{case.notice_start}至{case.notice_end}",
    )
    record(
        actor=user,
        action="sentencing.case.publish_notice",
        obj=case,
        unit=case.unit,
        summary=f"狱内公示{case.notice_start}至{case.notice_end}",
    )
    return case


@transaction.atomic
def record_objection(
    *, user, case: Case, received_on: dt.date, objector: str, content: str
) -> Objection:
    case = _lock(case, None)
    _require(user, "sentencing.review_section", case)
    if case.status != CaseStatus.IN_NOTICE:
        raise ValidationError("只能在公示期内登记异议。")
    errors = {}
    if not content.strip():
        errors["content"] = ["请填写异议内容。"]
    if not case.notice_start <= received_on <= max(case.notice_end, timezone.localdate()):
        errors["received_on"] = [f"收到日期须在公示期{case.notice_start}之后。"]
    if errors:
        raise ValidationError(errors)
    objection = Objection.objects.create(
        case=case,
        received_on=received_on,
        objector=objector.strip(),
        content=content.strip(),
        recorded_by=user,
    )
    _save(case, [])
    record(
        actor=user,
        action="sentencing.objection.create",
        obj=case,
        unit=case.unit,
        summary=f"公示异议:{content.strip()[:200]}",
    )
    return objection


@transaction.atomic
def answer_objection(*, user, objection: Objection, answer: str) -> Objection:
    case = _lock(objection.case, None)
    _require(user, "sentencing.review_section", case)
    if not answer.strip():
        raise ValidationError({"answer": ["请填写核查答复。"]})
    objection = Objection.objects.get(pk=objection.pk)
    if objection.answered_on:
        raise ValidationError("该异议已答复。")
    objection.answer, objection.answered_by, objection.answered_on = (
        answer.strip(),
        user,
        timezone.localdate(),
    )
    objection.save(update_fields=["answer", "answered_by", "answered_on"])
    _save(case, [])
    record(
        actor=user,
        action="sentencing.objection.answer",
        obj=case,
        unit=case.unit,
        summary=f"答复公示异议:{answer.strip()[:200]}",
    )
    return objection


@transaction.atomic
def close_notice(
    *, user, case: Case, expected_version: int | None, today: dt.date | None = None
) -> Case:
    case = _lock(case, expected_version)
    transition = _transition(case, "close_notice")
    _require(user, transition.permission, case)
    _check_separation(user, case, "close_notice")
    today = today or timezone.localdate()
    if today <= case.notice_end:
        raise ValidationError(f"公示期至{case.notice_end}(满5个工作日),期满后方可结束公示。")
    unanswered = case.objections.filter(answered_on__isnull=True).count()
    if unanswered:
        raise ValidationError(f"尚有{unanswered}件公示异议未答复。")
    source, case.status = case.status, transition.target
    _save(case, ["status"])
    count = case.objections.count()
    _step(
        case,
        code="close_notice",
        decision=APPROVE,
        source=source,
        user=user,
        opinion=f"公示期满,收到异议{count}件,均已答复" if count else "公示期满,未收到异议",
    )
    record(
        actor=user,
        action="sentencing.case.close_notice",
        obj=case,
        unit=case.unit,
        summary=f"公示结束,异议{count}件",
    )
    return case


def _recheck_law(case: Case, on: dt.date, months, to_years) -> dict:
    merit = case.merit or None
    verdict, _version = judge.verdict_for(
        case.prisoner, on=on, merit=merit, grounds=case.temporary_grounds
    )
    errors = _law_problems(case.kind, verdict, case.prisoner, months, to_years)
    if errors:
        raise ValidationError(errors)
    return verdict


@transaction.atomic
def submit(*, user, case: Case, expected_version: int | None) -> Case:
    """Send the case to the court (copy to the procuratorate), or to the bureau for temporary
    execution. The law is checked again on this day: an amount above the legal maximum is
    never sent."""
    case = _lock(case, expected_version)
    code = "submit_bureau" if case.kind == CaseKind.TEMPORARY else "submit_court"
    transition = _transition(case, code)
    _require(user, transition.permission, case)
    _check_separation(user, case, code)
    today = timezone.localdate()
    case.verdict = _recheck_law(case, today, case.proposed_months, case.proposed_to_years)
    if case.kind == CaseKind.TEMPORARY:
        case.submitted_to = "湖北省监狱管理局"
    elif (
        case.prisoner.sentence_type != SentenceType.FIXED_TERM
        and not case.prisoner.changes.filter(to_years__isnull=False).exists()
    ):
        case.submitted_to = "经湖北省监狱管理局报湖北省高级人民法院(抄送人民检察院)"
    else:
        case.submitted_to = "中级人民法院(抄送人民检察院)"
    source, case.status, case.submitted_on = case.status, transition.target, today
    _save(case, ["status", "submitted_on", "submitted_to", "verdict"])
    _step(
        case,
        code=code,
        decision=APPROVE,
        source=source,
        user=user,
        opinion=f"提请{case.submitted_to}",
    )
    record(
        actor=user,
        action=f"sentencing.case.{code}",
        obj=case,
        unit=case.unit,
        summary=f"提请{case.submitted_to}",
    )
    return case


@transaction.atomic
def record_ruling(
    *,
    user,
    case: Case,
    ruling_date: dt.date,
    granted: bool,
    months: int | None = None,
    to_years: int | None = None,
    ruling_number: str = "",
    expected_version: int | None,
) -> Case:
    """The court's ruling; a granted reduction or parole updates the prisoner's sentence."""
    case = _lock(case, expected_version)
    transition = _transition(case, "record_ruling")
    _require(user, transition.permission, case)
    _check_separation(user, case, "record_ruling")
    errors: dict[str, list[str]] = {}
    if ruling_date > timezone.localdate():
        errors["ruling_date"] = ["裁定日期不能晚于今天。"]
    elif ruling_date < case.submitted_on:
        errors["ruling_date"] = [f"裁定日期不能早于提请日期{case.submitted_on}。"]
    if not ruling_number.strip():
        errors["ruling_number"] = ["请填写裁定书号。"]
    if errors:
        raise ValidationError(errors)
    prisoner = Prisoner.objects.select_for_update().get(pk=case.prisoner_id)
    outcome = CaseOutcome.DENIED
    if granted and case.kind == CaseKind.REDUCTION:
        commute = case.verdict.get("reduction", {}).get("commute_to")
        if commute == "life":
            months, to_years = None, None
        elif commute == "fixed_term":
            months = None
            if to_years is None:
                raise ValidationError({"ruling_to_years": ["请填写裁定减为有期徒刑的年数。"]})
        elif not months:
            raise ValidationError({"ruling_months": ["请填写裁定减刑幅度。"]})
        _recheck_law(case, ruling_date, months, to_years)
        if commute:
            prisoner_services.record_sentence_change(
                user=user,
                prisoner=prisoner,
                kind=SentenceChangeKind.COMMUTATION,
                ruling_date=ruling_date,
                to_years=to_years,
                ruling_number=ruling_number.strip(),
                case_id=case.pk,
            )
            partial = commute == "fixed_term" and to_years > (case.proposed_to_years or to_years)
        else:
            prisoner_services.record_sentence_change(
                user=user,
                prisoner=prisoner,
                kind=SentenceChangeKind.REDUCTION,
                ruling_date=ruling_date,
                months=months,
                ruling_number=ruling_number.strip(),
                case_id=case.pk,
            )
            partial = months < (case.proposed_months or months)
        outcome = CaseOutcome.PARTLY_GRANTED if partial else CaseOutcome.GRANTED
    elif granted and case.kind == CaseKind.PAROLE:
        prisoner.status = CustodyStatus.PAROLED
        prisoner.save(update_fields=["status", "updated_at"])
        outcome = CaseOutcome.GRANTED
    source = case.status
    case.status, case.outcome, case.closed_on = CaseStatus.CLOSED, outcome, timezone.localdate()
    case.ruling_date, case.ruling_months, case.ruling_to_years = ruling_date, months, to_years
    case.ruling_number = ruling_number.strip()
    _save(
        case,
        [
            "status",
            "outcome",
            "closed_on",
            "ruling_date",
            "ruling_months",
            "ruling_to_years",
            "ruling_number",
        ],
    )
    _step(
        case,
        code="record_ruling",
        decision=APPROVE if granted else REJECT,
        source=source,
        user=user,
        opinion=f"{ruling_number.strip()} {case.get_outcome_display()}",
    )
    record(
        actor=user,
        action="sentencing.case.record_ruling",
        obj=case,
        unit=case.unit,
        summary=f"登记裁定 {ruling_number.strip()}:{case.get_outcome_display()}",
    )
    return case
