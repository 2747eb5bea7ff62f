"""Reads of the review procedure, always scoped to the requesting user (by the case's
``unit__path``, the district that proposed it).

The case list stays one page query at province scale: the open-alert count and the time of
the last step are correlated subqueries (no GROUP BY over the joined rows, no query per row),
and the paginator's count drops them. ``my_tasks`` is the same kind of query: which cases wait
for this user is decided in SQL from the workflow's table, and ``actions_for`` (one case, in
Python) applies the same rules, so that the task list and the detail page never disagree.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.db.models import (
    Count,
    Exists,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
)
from django.db.models.functions import Coalesce
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils import timezone

from tongxin.org import scope
from tongxin.org.models import Unit, UnitKind, path_q
from tongxin.prisoners import selectors as prisoner_selectors
from tongxin.prisoners.models import (
    PointsEntry,
    Reward,
    RewardKind,
    Violation,
    ViolationSeverity,
)

from . import judge, workflow
from .models import Case, CaseKind, CaseStatus, CaseStep, Objection, ReviewerAssignment, RiskAlert

#: Steps that are decisions (the proposal counts): whoever took one acts at no other step.
DECISION_STEPS = ("propose", *(t.code for t in workflow.TRANSITIONS if t.decision))

#: Every step a case may show, with its Chinese name.
STEP_LABELS = {
    "propose": "监区集体研究提请",
    "withdraw": "撤回",
    **{t.code: t.label for t in workflow.TRANSITIONS},
}
DECISION_LABELS = {"approve": "同意", "reject": "不同意"}

STATUS_BADGES = {
    CaseStatus.PROPOSED: "text-bg-secondary",
    CaseStatus.SECTION_REVIEWED: "text-bg-info",
    CaseStatus.CENTRE_REVIEWED: "text-bg-info",
    CaseStatus.COMMITTEE_APPROVED: "text-bg-primary",
    CaseStatus.IN_NOTICE: "text-bg-warning",
    CaseStatus.NOTICE_CLOSED: "text-bg-primary",
    CaseStatus.DIRECTOR_APPROVED: "text-bg-primary",
    CaseStatus.SUBMITTED: "text-bg-dark",
    CaseStatus.SUBMITTED_TO_BUREAU: "text-bg-dark",
    CaseStatus.CLOSED: "text-bg-success",
}


# --- lists ----------------------------------------------------------------------------------


def _annotated(rows: QuerySet[Case]) -> QuerySet[Case]:
    open_alerts = (
        RiskAlert.objects.filter(case=OuterRef("pk"), disposed_at__isnull=True)
        .order_by()
        .values("case")
        .annotate(n=Count("id"))
        .values("n")
    )
    last_step = (
        CaseStep.objects.filter(case=OuterRef("pk")).order_by("-acted_at", "-id").values("acted_at")
    )
    return rows.annotate(
        open_alerts=Coalesce(Subquery(open_alerts, output_field=IntegerField()), Value(0)),
        step_since=Subquery(last_step[:1]),
    )


def filter_cases(
    rows: QuerySet[Case],
    *,
    kind: str = "",
    status: str = "",
    under: Unit | None = None,
    search: str = "",
    year: int | None = None,
) -> QuerySet[Case]:
    """The list's filters (page, export and API share them)."""
    if kind:
        rows = rows.filter(kind=kind)
    if status:
        rows = rows.filter(status=status)
    if under is not None:
        rows = rows.filter(path_q("unit__path", under.path))
    search = (search or "").strip()
    if search:
        rows = rows.filter(
            Q(prisoner__name__contains=search)
            | Q(prisoner__number__startswith=search)
            | Q(number__icontains=search)
        )
    if year:
        year = int(year)
        if not 1 <= year < 9999:
            return rows.none()
        rows = rows.filter(
            proposed_on__gte=dt.date(year, 1, 1), proposed_on__lt=dt.date(year + 1, 1, 1)
        )
    return rows


def cases_for(
    user,
    *,
    kind: str = "",
    status: str = "",
    under: Unit | None = None,
    search: str = "",
    year: int | None = None,
) -> QuerySet[Case]:
    """Cases proposed by districts in the user's scope, with ``open_alerts`` and
    ``step_since`` (when the current step began), newest first."""
    rows = scope.scoped(Case.objects.select_related("prisoner", "unit"), user, "unit__path")
    rows = filter_cases(rows, kind=kind, status=status, under=under, search=search, year=year)
    return _annotated(rows).order_by("-proposed_on", "-id")


def case_for(user, pk: int) -> Case:
    """One case in the user's scope, or 404."""
    rows = scope.scoped(
        Case.objects.select_related("prisoner__unit", "unit", "created_by__officer"),
        user,
        "unit__path",
    )
    return get_object_or_404(rows, pk=pk)


def filter_units(user) -> QuerySet[Unit]:
    """Units the list may be narrowed to: the prison side of the tree in the scope."""
    return prisoner_selectors.filter_units(user)


def unit_for(user, pk: int) -> Unit:
    """A unit of the filter (``?under=``); 404 outside the scope."""
    return get_object_or_404(filter_units(user), pk=pk)


def task_q(user) -> Q:
    """Cases at a step this user may take now (the workflow's table, in SQL)."""
    acts = CaseStep.objects.filter(case=OuterRef("pk"), actor_id=user.pk)
    decided = Exists(acts.filter(step__in=DECISION_STEPS))
    waiting = Q(pk__in=[])
    for transition in workflow.TRANSITIONS:
        if not user.has_perm(transition.permission):
            continue
        condition = Q(status=transition.source, kind__in=transition.kinds)
        if transition.code == "centre_review":
            drawn = ReviewerAssignment.objects.filter(
                case=OuterRef("pk"), reviewer_id=user.pk, decided_at__isnull=True
            )
            condition &= Exists(drawn)
        elif transition.decision:
            condition &= ~Exists(acts.exclude(step=transition.code))
        else:
            condition &= ~decided
        waiting |= condition
    return waiting


def my_tasks(user) -> QuerySet[Case]:
    """Cases in the user's scope that wait for this user now (the same rules as
    ``actions_for``; withdrawing one's own proposal is an option, not a task)."""
    rows = cases_for(user).filter(task_q(user))
    return rows.order_by("step_since", "id")


def notice_prison_for(user, pk: int) -> Unit:
    """A prison whose notice the user may read: the user sees the prison or part of it."""
    prison = get_object_or_404(Unit, pk=pk, kind=UnitKind.PRISON)
    paths = scope.scope_paths(user)
    if paths is not None and not any(
        prison.path.startswith(p) or p.startswith(prison.path) for p in paths
    ):
        raise Http404("单位不存在或不在您的数据范围内")
    return prison


def notice_prisons(user) -> list[Unit]:
    """The prisons whose notice the user may read (see ``notice_prison_for``): one query."""
    prisons = Unit.objects.filter(kind=UnitKind.PRISON).order_by("sort_order", "path")
    paths = scope.scope_paths(user)
    if paths is None:
        return list(prisons)
    return [
        prison
        for prison in prisons
        if any(prison.path.startswith(p) or p.startswith(prison.path) for p in paths)
    ]


def notice_cases(prison: Unit) -> QuerySet[Case]:
    """The cases of a prison in their public notice (公示), oldest notice first. The caller
    narrows them to the user's scope."""
    return (
        Case.objects.filter(path_q("unit__path", prison.path), status=CaseStatus.IN_NOTICE)
        .select_related("prisoner", "unit")
        .order_by("notice_start", "unit__path", "number")
    )


def prison_of_case(case: Case) -> Unit | None:
    return prisoner_selectors.prison_of(case.unit)


# --- one case -------------------------------------------------------------------------------


@dataclass
class CaseActions:
    """What one user may do on one case now. ``notes`` say why a step the user's role could
    take is closed to them (separation of duties)."""

    steps: list[workflow.Transition] = field(default_factory=list)
    review: bool = False
    withdraw: bool = False
    alerts: list[RiskAlert] = field(default_factory=list)
    record_objection: bool = False
    objections: list[Objection] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def codes(self) -> list[str]:
        """The transitions open to the user (``centre_review`` when a drawn reviewer)."""
        return [t.code for t in self.steps] + (["centre_review"] if self.review else [])

    @property
    def any(self) -> bool:
        return bool(
            self.codes or self.withdraw or self.alerts or self.record_objection or self.objections
        )


def actions_for(
    user,
    case: Case,
    *,
    steps: list[CaseStep] | None = None,
    reviewers: list[ReviewerAssignment] | None = None,
    alerts: list[RiskAlert] | None = None,
    objections: list[Objection] | None = None,
) -> CaseActions:
    """The forms to offer ``user`` on ``case`` (the services check everything again). Pass
    the case's rows when the caller has them already, to spare the queries."""
    actions = CaseActions()
    if not scope.can_see_unit(user, case.unit):
        return actions
    if steps is None:
        steps = list(case.steps.all())
    past = [workflow.PastAct(s.step, s.actor_id) for s in steps]
    for transition in workflow.available(case.kind, case.status):
        if not user.has_perm(transition.permission):
            continue
        if transition.code == "centre_review":
            if reviewers is None:
                reviewers = list(case.reviewers.all())
            mine = next((r for r in reviewers if r.reviewer_id == user.pk), None)
            if mine is not None and mine.decided_at is None:
                actions.review = True
            if mine is not None:
                if alerts is None:
                    alerts = list(case.alerts.all())
                actions.alerts = [a for a in alerts if a.disposed_at is None]
            continue
        problem = workflow.separation_problem(transition, user.pk, past)
        if problem:
            actions.notes.append(f"{transition.label}:{problem}")
        else:
            actions.steps.append(transition)
    actions.withdraw = (
        case.status == CaseStatus.PROPOSED
        and case.created_by_id == user.pk
        and user.has_perm("sentencing.propose_case")
    )
    if case.status == CaseStatus.IN_NOTICE and user.has_perm("sentencing.review_section"):
        actions.record_objection = True
        if objections is None:
            objections = list(case.objections.all())
        actions.objections = [o for o in objections if o.answered_on is None]
    return actions


@dataclass
class CaseDossier:
    """Everything the detail page, the API and the documents show about one case."""

    case: Case
    steps: list[CaseStep]
    reviewers: list[ReviewerAssignment]
    excluded: list[dict]
    alerts: list[RiskAlert]
    objections: list[Objection]
    changes: list
    term_end: dt.date | None
    current_sentence: str


def dossier(case: Case) -> CaseDossier:
    """The rows of one case, each list in one query."""
    steps = list(case.steps.select_related("actor__officer").order_by("acted_at", "id"))
    for step in steps:
        step.label = STEP_LABELS.get(step.step, step.step)
        step.decision_label = DECISION_LABELS.get(step.decision, step.decision)
    reviewers = list(case.reviewers.select_related("reviewer__officer").order_by("id"))
    alerts = list(case.alerts.select_related("disposed_by__officer").order_by("id"))
    objections = list(
        case.objections.select_related("answered_by__officer", "recorded_by__officer").order_by(
            "received_on", "id"
        )
    )
    changes = list(case.prisoner.changes.order_by("ruling_date", "id"))
    return CaseDossier(
        case=case,
        steps=steps,
        reviewers=reviewers,
        excluded=excluded_reviewers(reviewers),
        alerts=alerts,
        objections=objections,
        changes=changes,
        term_end=judge.term_end(case.prisoner, changes),
        current_sentence=case.prisoner.current_sentence_label(changes),
    )


def excluded_reviewers(reviewers: list[ReviewerAssignment]) -> list[dict]:
    """Who was not drawn and why: the ``excluded`` notes (``"<user id>:<reasons>"``) of the
    draw, with the names resolved in one query."""
    notes = reviewers[0].excluded if reviewers else []
    parsed = []
    for note in notes:
        uid, _, why = str(note).partition(":")
        parsed.append((int(uid) if uid.isdigit() else None, why))
    ids = [uid for uid, _ in parsed if uid is not None]
    users = {u.pk: u for u in get_user_model().objects.filter(pk__in=ids).select_related("officer")}
    return [
        {"user_id": uid, "name": str(users[uid]) if uid in users else "—", "reasons": why}
        for uid, why in parsed
    ]


@dataclass
class ConductRecord:
    """The conduct behind a case: from the last ruling before the proposal (or the
    judgment's execution) to the day of the proposal."""

    start: dt.date
    end: dt.date
    rewards: list
    commendations: int
    merits: int
    major_merits: int
    serious_violations: int
    points: Decimal


def conduct_of(case: Case, changes: list | None = None) -> ConductRecord:
    """Rewards, points and serious violations of the period the proposal rests on (live
    entries only: revoked ones and revocations are left out)."""
    prisoner = case.prisoner
    if changes is None:
        changes = list(prisoner.changes.all())
    earlier = [
        c.ruling_date for c in changes if c.ruling_date <= case.proposed_on and c.case_id != case.pk
    ]
    start = max(earlier) if earlier else prisoner.execution_start
    end = case.proposed_on
    rewards = list(
        prisoner_selectors.live(
            Reward.objects.filter(prisoner=prisoner, awarded_on__gte=start, awarded_on__lte=end),
            Reward,
        ).order_by("awarded_on", "id")
    )
    serious = prisoner_selectors.live(
        Violation.objects.filter(
            prisoner=prisoner,
            occurred_on__gte=start,
            occurred_on__lte=end,
            severity=ViolationSeverity.SERIOUS,
        ),
        Violation,
    ).count()
    points = PointsEntry.objects.filter(
        prisoner=prisoner, month__gte=start.replace(day=1), month__lte=end
    ).aggregate(t=Sum("points"))["t"] or Decimal(0)
    kinds = [r.kind for r in rewards]
    return ConductRecord(
        start=start,
        end=end,
        rewards=rewards,
        commendations=kinds.count(RewardKind.COMMENDATION),
        merits=kinds.count(RewardKind.MERIT),
        major_merits=kinds.count(RewardKind.MAJOR_MERIT),
        serious_violations=serious,
        points=points,
    )


# --- presentation helpers (plain values, shared by pages, API and documents) ---------------


def amount_text(case: Case) -> str:
    """The proposal in words: 减刑6个月 / 减为有期徒刑21年 / 减为无期徒刑 / 假释 …"""
    if case.kind == CaseKind.REDUCTION:
        if case.proposed_to_years:
            return f"减为有期徒刑{case.proposed_to_years}年"
        if case.proposed_months:
            return f"减刑{case.proposed_months}个月"
        if (case.verdict or {}).get("reduction", {}).get("commute_to") == "life":
            return "减为无期徒刑"
        return "减刑"
    return str(case.get_kind_display())


def ruling_text(case: Case) -> str:
    if not case.ruling_date:
        return ""
    if case.ruling_to_years:
        amount = f"减为有期徒刑{case.ruling_to_years}年"
    elif case.ruling_months:
        amount = f"减刑{case.ruling_months}个月"
    else:
        amount = ""
    return " ".join(p for p in (case.ruling_number, case.get_outcome_display(), amount) if p)


def days_in_step(case: Case, today: dt.date | None = None) -> int | None:
    """Whole days since the current step began (``None`` once the case is closed)."""
    since = getattr(case, "step_since", None)
    if since is None or case.status == CaseStatus.CLOSED:
        return None
    today = today or timezone.localdate()
    return max((today - timezone.localtime(since).date()).days, 0)


def decorate(cases) -> list[Case]:
    """Rows of a list page with ``amount_text``, ``days_in_step`` and ``badge`` (no query)."""
    today = timezone.localdate()
    rows = list(cases)
    for case in rows:
        case.amount_text = amount_text(case)
        case.days_in_step = days_in_step(case, today)
        case.badge = STATUS_BADGES.get(case.status, "text-bg-secondary")
    return rows


def verdict_part(case_kind: str, verdict: dict) -> dict:
    """The part of a verdict the case rests on (reduction, parole or temporary)."""
    return (verdict or {}).get(case_kind, {}) or {}


def passing_reasons(case: Case) -> list[dict]:
    """The verdict's reasons that held: the legal basis of the proposal."""
    return [r for r in verdict_part(case.kind, case.verdict).get("reasons", []) if r.get("passes")]


def mask_number(number: str) -> str:
    """A prisoner number partly masked for a public notice: 4200000123 → 420*****23."""
    if len(number) <= 5:
        return number[:1] + "*" * (len(number) - 1)
    return number[:3] + "*" * (len(number) - 5) + number[-2:]
