"""Compliance and statistics of organisational life, computed from the records.

Reads only (selectors), always within the user's scope: the database gives plain facts in a
handful of aggregate queries, the pure ``compliance`` engine judges them.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, DecimalField, Q, Sum
from django.db.models.functions import Coalesce

from tongxin.org import scope
from tongxin.org.tree import path_q
from tongxin.periods import year_on_year, year_spans

from . import compliance
from .models import (
    THREE_MEETINGS_ONE_LECTURE,
    Activity,
    ActivityKind,
    CommitteeSeat,
    DuesPayment,
    PartyMember,
    PartyOrganization,
    RequirementSetting,
    StudyRecord,
)


def requirements() -> tuple[compliance.Requirement, ...]:
    """The bureau's configured requirements; the rules' defaults until it configures any."""
    if not RequirementSetting.objects.exists():
        return compliance.DEFAULT_REQUIREMENTS
    rows = list(RequirementSetting.objects.filter(is_active=True))
    return tuple(
        compliance.Requirement(
            kind=row.kind,
            org_kind=row.org_kind,
            frequency=row.frequency,
            minimum=row.minimum,
            needs_committee=row.needs_committee,
            by_secretary=row.by_secretary,
            basis=row.basis,
        )
        for row in rows
    )


def committee_spans(seats) -> dict[int, tuple[tuple[dt.date, dt.date | None], ...]]:
    """Per organisation, the spans during which at least ``COMMITTEE_MIN_SEATS`` seats were
    filled, swept from the seats' start and end dates."""
    events: dict[int, list[tuple[dt.date, int]]] = defaultdict(list)
    for org_id, started_on, ended_on in seats:
        events[org_id].append((started_on, 1))
        if ended_on is not None:
            events[org_id].append((ended_on + dt.timedelta(days=1), -1))
    spans: dict[int, tuple] = {}
    for org_id, changes in events.items():
        changes.sort()
        filled, opened, result = 0, None, []
        for day, delta in changes:
            filled += delta
            if filled >= compliance.COMMITTEE_MIN_SEATS and opened is None:
                opened = day
            elif filled < compliance.COMMITTEE_MIN_SEATS and opened is not None:
                result.append((opened, day - dt.timedelta(days=1)))
                opened = None
        if opened is not None:
            result.append((opened, None))
        spans[org_id] = tuple(result)
    return spans


@dataclass
class ComplianceReport:
    root: PartyOrganization | None
    start: dt.date
    end: dt.date
    organizations: list[PartyOrganization]
    statuses: list[compliance.Status]
    rollup: dict[int, dict[str, int]] = field(default_factory=dict)

    def rate_of(self, org_id: int) -> float | None:
        counts = self.rollup.get(org_id, {})
        judged = counts.get("done", 0) + counts.get("overdue", 0)
        return counts.get("done", 0) / judged if judged else None

    @property
    def rate(self) -> float | None:
        return compliance.rate(self.statuses)

    def statuses_of(self, org_id: int) -> list[compliance.Status]:
        return [s for s in self.statuses if s.org_id == org_id]


def compliance_report(
    user,
    *,
    root: PartyOrganization | None,
    start: dt.date,
    end: dt.date,
    today: dt.date,
) -> ComplianceReport:
    """Every requirement of every organisation under ``root`` (all the user sees when
    ``None``) for the periods overlapping ``[start, end]``, with roll-ups up the tree."""
    orgs_qs = scope.scoped(PartyOrganization.objects.all(), user, "unit__path")
    if root is not None:
        orgs_qs = orgs_qs.filter(path_q("path", root.path))
    orgs = list(
        orgs_qs.order_by("path").only(
            "id", "name", "kind", "path", "depth", "established_on", "dissolved_on", "unit_id"
        )
    )
    spans = committee_spans(
        CommitteeSeat.objects.filter(organization__in=orgs_qs).values_list(
            "organization_id", "started_on", "ended_on"
        )
    )
    facts = [
        compliance.OrgFacts(
            id=o.pk,
            kind=o.kind,
            established_on=o.established_on,
            dissolved_on=o.dissolved_on,
            committee_spans=spans.get(o.pk, ()),
        )
        for o in orgs
    ]
    first = min(p.start for f in compliance.Frequency for p in compliance.periods(f, start, end))
    last = max(p.end for f in compliance.Frequency for p in compliance.periods(f, start, end))
    activities = (
        compliance.ActivityFact(org_id, kind, held_on, by_secretary)
        for org_id, kind, held_on, by_secretary in Activity.objects.filter(
            organization__in=orgs_qs, held_on__range=(first, last)
        ).values_list("organization_id", "kind", "held_on", "by_secretary")
    )
    statuses = compliance.evaluate(
        facts, activities, requirements(), start=start, end=end, today=today
    )
    # Roll each status up to the organisation and all its ancestors in view.
    by_path = {o.path: o.pk for o in orgs}
    ancestors = {o.pk: [by_path[p] for p in o.ancestor_paths() if p in by_path] for o in orgs}
    rollup: dict[int, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for status in statuses:
        for org_id in ancestors.get(status.org_id, ()):
            rollup[org_id][str(status.state)] += 1
    return ComplianceReport(root, start, end, orgs, statuses, rollup)


# The figures' names on pages, exports and the command line, in the order they are shown.
FIGURE_LABELS = {
    "three_meetings_one_lecture": "“三会一课”",
    "general_meeting": "支部党员大会",
    "committee_meeting": "支委会",
    "group_meeting": "党小组会",
    "lecture": "党课",
    "themed_day": "主题党日",
    "life_meeting": "组织生活会",
    "appraisal": "民主评议党员",
    "core_group_study": "中心组学习",
    "leader_lecture_main": "党委主要负责同志讲党课",
    "leader_lecture_member": "党委班子成员讲党课",
    "participation_rate": "参会率",
    "study_sessions": "学习场次",
    "study_person_hours": "学习人次学时",
    "dues_collected": "党费收缴(元)",
    "organizations": "党组织数(现有)",
    "members": "党员数(现有)",
}


@dataclass(frozen=True)
class PartyFigures:
    """The figures of one period; JSON keys are the field names (English)."""

    core_group_study: int
    leader_lecture_main: int
    leader_lecture_member: int
    themed_day: int
    three_meetings_one_lecture: int
    general_meeting: int
    committee_meeting: int
    group_meeting: int
    lecture: int
    life_meeting: int
    appraisal: int
    participation_rate: float | None
    study_sessions: int
    study_person_hours: float
    dues_collected: float
    organizations: int
    members: int


def party_figures(
    user, *, root: PartyOrganization | None, start: dt.date, end: dt.date
) -> PartyFigures:
    """Counts and rates for the organisations under ``root`` in ``[start, end]``: one grouped
    query per kind of record."""
    orgs = scope.scoped(PartyOrganization.objects.all(), user, "unit__path")
    if root is not None:
        orgs = orgs.filter(path_q("path", root.path))
    activities = Activity.objects.filter(organization__in=orgs, held_on__range=(start, end))
    by_kind = dict(activities.values_list("kind").annotate(n=Count("id")).order_by())
    attendance = activities.aggregate(
        expected=Coalesce(Sum("expected_count"), 0), present=Coalesce(Sum("present_count"), 0)
    )
    study = StudyRecord.objects.filter(organization__in=orgs, held_on__range=(start, end))
    study_totals = study.aggregate(sessions=Count("id", distinct=True))
    person_hours = StudyRecord.participants.through.objects.filter(studyrecord__in=study).aggregate(
        total=Coalesce(Sum("studyrecord__hours"), Decimal(0), output_field=DecimalField())
    )["total"]
    dues = DuesPayment.objects.filter(
        member__organization__in=orgs, month__range=(start.replace(day=1), end)
    ).aggregate(total=Coalesce(Sum("amount_paid"), Decimal(0), output_field=DecimalField()))
    kinds = {k: by_kind.get(k, 0) for k in ActivityKind}
    return PartyFigures(
        core_group_study=kinds[ActivityKind.CORE_GROUP_STUDY],
        leader_lecture_main=kinds[ActivityKind.LEADER_LECTURE_MAIN],
        leader_lecture_member=kinds[ActivityKind.LEADER_LECTURE_MEMBER],
        themed_day=kinds[ActivityKind.THEMED_DAY],
        three_meetings_one_lecture=sum(kinds[k] for k in THREE_MEETINGS_ONE_LECTURE),
        general_meeting=kinds[ActivityKind.GENERAL_MEETING],
        committee_meeting=kinds[ActivityKind.COMMITTEE_MEETING],
        group_meeting=kinds[ActivityKind.GROUP_MEETING],
        lecture=kinds[ActivityKind.LECTURE],
        life_meeting=kinds[ActivityKind.LIFE_MEETING],
        appraisal=kinds[ActivityKind.APPRAISAL],
        participation_rate=(
            attendance["present"] / attendance["expected"] if attendance["expected"] else None
        ),
        study_sessions=study_totals["sessions"],
        study_person_hours=float(person_hours),
        dues_collected=float(dues["total"]),
        organizations=orgs.count(),
        members=PartyMember.objects.filter(organization__in=orgs, is_active=True).count(),
    )


def figures_with_change(user, *, root, year: int, today: dt.date | None = None) -> dict:
    """Each figure of ``year`` with the previous year's and the change between them. For the
    year in progress both sides run to the same day (1 January to ``today``, and the same
    span a year before), so the change compares like with like."""
    (start, end), (last_start, last_end) = year_spans(year, today)
    this = party_figures(user, root=root, start=start, end=end)
    last = party_figures(user, root=root, start=last_start, end=last_end)
    return {
        name: {
            "value": value,
            "previous": getattr(last, name),
            "change": year_on_year(value, getattr(last, name)),
        }
        for name, value in vars(this).items()
    }


# Members whose mentor is missing, per branch ("1+N" coverage).
def mentoring_coverage(user, *, root: PartyOrganization | None) -> list[dict]:
    members = scope.scoped(
        PartyMember.objects.filter(is_active=True), user, "organization__unit__path"
    )
    if root is not None:
        members = members.filter(path_q("organization__path", root.path))
    seated = CommitteeSeat.objects.filter(ended_on__isnull=True).values("member_id")
    rows = (
        members.exclude(pk__in=seated)
        .values("organization_id", "organization__name")
        .annotate(total=Count("id"), mentored=Count("id", filter=Q(mentor__isnull=False)))
        .order_by("organization__path")
    )
    return [
        {**row, "coverage": row["mentored"] / row["total"] if row["total"] else None}
        for row in rows
    ]


def standardisation_ranking(user, *, year: int, root: PartyOrganization | None = None):
    """Branches ranked by their assessment total for ``year``, pilots marked."""
    from .models import BranchAssessment

    qs = scope.scoped(
        BranchAssessment.objects.filter(year=year).select_related("branch__unit"),
        user,
        "branch__unit__path",
    )
    if root is not None:
        qs = qs.filter(path_q("branch__path", root.path))
    return list(qs.order_by("-total", "branch__path"))


def monthly_activity_counts(
    user, *, root: PartyOrganization | None, year: int, kinds
) -> dict[int, list[int]]:
    """Activities of ``kinds`` per month (index 0 = January) for ``year`` and the year
    before, keyed by year: one grouped query."""
    from django.db.models.functions import ExtractMonth, ExtractYear

    orgs = scope.scoped(PartyOrganization.objects.all(), user, "unit__path")
    if root is not None:
        orgs = orgs.filter(path_q("path", root.path))
    rows = (
        Activity.objects.filter(
            organization__in=orgs,
            kind__in=list(kinds),
            held_on__range=(dt.date(year - 1, 1, 1), dt.date(year, 12, 31)),
        )
        .annotate(y=ExtractYear("held_on"), m=ExtractMonth("held_on"))
        .values("y", "m")
        .annotate(n=Count("id"))
        .order_by()
    )
    counts = {year - 1: [0] * 12, year: [0] * 12}
    for row in rows:
        counts[row["y"]][row["m"] - 1] = row["n"]
    return counts
