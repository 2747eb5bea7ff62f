"""Reads of the prisoner registry and ledgers, always scoped to the requesting user."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Exists, OuterRef, Q, QuerySet, Sum
from django.shortcuts import get_object_or_404

from tongxin.org import scope
from tongxin.org.models import Officer, Unit, UnitKind, path_q

from . import conduct
from .models import (
    PointsEntry,
    PointsKind,
    PointsSetting,
    Prisoner,
    Punishment,
    Reward,
    RewardKind,
    SentenceChange,
    Violation,
    ViolationSeverity,
)


def prisoners_for(
    user,
    *,
    under=None,
    search: str = "",
    status: str = "",
    sentence_type: str = "",
    category: str = "",
) -> QuerySet[Prisoner]:
    rows = scope.scoped(Prisoner.objects.select_related("unit", "unit__parent"), user)
    if under is not None:
        rows = rows.filter(path_q("unit__path", under.path))
    if search:
        rows = rows.filter(Q(name__contains=search) | Q(number__startswith=search))
    if status:
        rows = rows.filter(status=status)
    if sentence_type:
        rows = rows.filter(sentence_type=sentence_type)
    return with_category(rows, category)


def with_category(rows: QuerySet[Prisoner], category: str) -> QuerySet[Prisoner]:
    """Prisoners of a special category (``Category``), the personal facts included."""
    if not category:
        return rows
    # JSON containment is not portable to SQLite; a quoted substring of the JSON list is.
    listed = Q(categories__icontains=f'"{category}"')
    if category == "recidivist":
        return rows.filter(listed | Q(is_recidivist=True))
    if category == "property_unfulfilled":
        return rows.filter(listed | Q(property_able_unfulfilled=True))
    return rows.filter(listed)


def prisoner_for(user, pk: int) -> Prisoner:
    return get_object_or_404(prisoners_for(user), pk=pk)


def can_see_id_numbers(user) -> bool:
    return user.has_perm("prisoners.view_prisoner_id_number")


PRISONER_TREE_KINDS = (UnitKind.BUREAU, UnitKind.PRISON, UnitKind.DISTRICT, UnitKind.SUBDISTRICT)


def filter_units(user) -> QuerySet[Unit]:
    """Units a registry list may be narrowed to (``?under=``): the bureau, prisons, districts
    and sub-districts in the user's scope (no sections, no Wuxue: no prisoner is there)."""
    return scope.visible_units(user).filter(kind__in=PRISONER_TREE_KINDS).order_by("path")


def prison_of(unit: Unit) -> Unit | None:
    """The prison a unit belongs to: itself or its nearest ancestor of kind 监狱."""
    return (
        Unit.objects.filter(path__in=unit.ancestor_paths(), kind=UnitKind.PRISON)
        .order_by("-depth")
        .first()
    )


def prison_officers(prisoner: Prisoner) -> QuerySet[Officer]:
    """The serving officers of the prisoner's prison: who may propose or record an entry.
    (Not narrowed to the user's scope: a district officer may name a colleague of another
    district of the same prison.)"""
    prison = prison_of(prisoner.unit)
    root = prison.path if prison is not None else prisoner.unit.path
    return (
        Officer.objects.filter(path_q("unit__path", root), is_active=True)
        .select_related("unit")
        .order_by("unit__path", "police_number")
    )


def points_for(user) -> QuerySet[PointsEntry]:
    """Ledger lines of prisoners in the user's scope (with what reverses them)."""
    return scope.scoped(
        PointsEntry.objects.select_related("prisoner", "officer", "reversed_by"),
        user,
        "prisoner__unit__path",
    ).order_by("prisoner_id", "month", "id")


def rewards_for(user) -> QuerySet[Reward]:
    return scope.scoped(
        Reward.objects.select_related("prisoner", "officer", "reversed_by"),
        user,
        "prisoner__unit__path",
    ).order_by("prisoner_id", "awarded_on", "id")


def punishments_for(user) -> QuerySet[Punishment]:
    return scope.scoped(
        Punishment.objects.select_related("prisoner", "officer", "reversed_by"),
        user,
        "prisoner__unit__path",
    ).order_by("prisoner_id", "decided_on", "id")


def violations_for(user) -> QuerySet[Violation]:
    return scope.scoped(
        Violation.objects.select_related("prisoner", "officer", "reversed_by"),
        user,
        "prisoner__unit__path",
    ).order_by("prisoner_id", "occurred_on", "id")


def with_revocations(rows) -> list:
    """The original records of a ledger, each with ``revocation`` (the row that revoked it,
    or ``None``); revocation rows are not listed on their own. In memory: no query."""
    rows = list(rows)
    revocation_of = {row.reverses_id: row for row in rows if row.reverses_id}
    originals = []
    for row in rows:
        if row.reverses_id:
            continue
        row.revocation = revocation_of.get(row.pk)
        originals.append(row)
    return originals


def live(queryset: QuerySet, model) -> QuerySet:
    """Entries neither revoked nor themselves revocations."""
    revoked = model.objects.filter(reverses=OuterRef("pk"))
    return queryset.filter(reverses__isnull=True).exclude(Exists(revoked))


@dataclass
class LedgerMonth:
    month: dt.date
    base: Decimal = Decimal(0)
    additions: Decimal = Decimal(0)
    deductions: Decimal = Decimal(0)
    reversals: Decimal = Decimal(0)
    entries: list[PointsEntry] = field(default_factory=list)
    running_total: Decimal = Decimal(0)

    @property
    def net(self) -> Decimal:
        return self.base + self.additions + self.deductions + self.reversals


def ledger(prisoner: Prisoner) -> list[LedgerMonth]:
    """The points ledger month by month, newest first, with the running total: one query.

    Each entry carries ``reversal`` (the line that cancelled it, or ``None``) and
    ``is_reversed``; a reversal sits in the month of the line it cancels."""
    months: dict[dt.date, LedgerMonth] = {}
    entries = list(
        PointsEntry.objects.filter(prisoner=prisoner)
        .select_related("officer", "reverses", "reversed_by", "recorded_by__officer")
        .order_by("month", "id")
    )
    reversal_of = {entry.reverses_id: entry for entry in entries if entry.reverses_id}
    for entry in entries:
        row = months.setdefault(entry.month, LedgerMonth(entry.month))
        entry.reversal = reversal_of.get(entry.pk)
        entry.is_reversed = entry.reversal is not None
        row.entries.append(entry)
        bucket = {
            PointsKind.BASE: "base",
            PointsKind.ADDITION: "additions",
            PointsKind.DEDUCTION: "deductions",
            PointsKind.REVERSAL: "reversals",
        }[entry.kind]
        setattr(row, bucket, getattr(row, bucket) + entry.points)
    total = Decimal(0)
    for row in months.values():
        total += row.net
        row.running_total = total
    return list(reversed(months.values()))


def conduct_window(prisoner: Prisoner, since: dt.date) -> conduct.ConductWindow:
    """Commendations, merits, serious violations and points from ``since`` on (live entries):
    the screening's set-based reading applied to one prisoner, so the two never disagree."""
    return bulk_conduct([prisoner.pk], {prisoner.pk: since})[prisoner.pk]


def window_start(prisoner: Prisoner, changes: list[SentenceChange] | None = None) -> dt.date:
    """The period a new case looks at: since the last ruling, or since the judgment's execution."""
    if changes is None:
        changes = list(prisoner.changes.all())
    if changes:
        return max(c.ruling_date for c in changes)
    return prisoner.execution_start


def merit_of(
    prisoner: Prisoner, changes: list[SentenceChange] | None = None, *, public: bool = False
) -> tuple[str | None, str]:
    """The merit level the record supports now, with the sentence explaining it
    (``changes``: the prisoner's sentence changes when the caller has them already;
    ``public``: without the provincial threshold, as a case's notice shows it)."""
    setting = PointsSetting.current()
    window = conduct_window(prisoner, window_start(prisoner, changes))
    needed = setting.commendations_for_repentance
    return (
        conduct.merit_level(window, commendations_for_repentance=needed),
        conduct.merit_explanation(window, commendations_for_repentance=None if public else needed),
    )


def merit_label(level: str | None) -> str:
    """The Chinese name of a merit level; empty when the record supports none."""
    return conduct.MERIT_LABELS.get(level, "") if level else ""


def bulk_conduct(
    prisoner_ids: list[int], starts: dict[int, dt.date]
) -> dict[int, conduct.ConductWindow]:
    """Conduct windows for many prisoners in a few set-based queries (for screening)."""
    counts: dict[int, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    # ``.order_by()``: the models' default ordering would join the prisoner and its unit.
    reward_rows = (
        live(Reward.objects.filter(prisoner_id__in=prisoner_ids), Reward)
        .order_by()
        .values_list("prisoner_id", "kind", "awarded_on")
    )
    for pid, kind, day in reward_rows.iterator(chunk_size=5000):
        if day >= starts[pid]:
            counts[pid][kind] += 1
    violation_rows = (
        live(
            Violation.objects.filter(
                prisoner_id__in=prisoner_ids, severity=ViolationSeverity.SERIOUS
            ),
            Violation,
        )
        .order_by()
        .values_list("prisoner_id", "occurred_on")
    )
    serious: dict[int, int] = defaultdict(int)
    for pid, day in violation_rows.iterator(chunk_size=5000):
        if day >= starts[pid]:
            serious[pid] += 1
    points: dict[int, Decimal] = defaultdict(Decimal)
    point_rows = (
        PointsEntry.objects.filter(prisoner_id__in=prisoner_ids)
        .order_by()
        .values_list("prisoner_id", "month")
        .annotate(t=Sum("points"))
        .values_list("prisoner_id", "month", "t")
    )
    for pid, month, total in point_rows.iterator(chunk_size=5000):
        if month >= starts[pid].replace(day=1):
            points[pid] += total
    return {
        pid: conduct.ConductWindow(
            start=starts[pid],
            commendations=counts[pid][RewardKind.COMMENDATION],
            merits=counts[pid][RewardKind.MERIT],
            major_merits=counts[pid][RewardKind.MAJOR_MERIT],
            serious_violations=serious[pid],
            points=points[pid],
        )
        for pid in prisoner_ids
    }


def punishments_of(prisoner: Prisoner) -> QuerySet[Punishment]:
    return prisoner.punishments.select_related("officer", "reverses").annotate(
        revoked=Exists(Punishment.objects.filter(reverses=OuterRef("pk")))
    )


def rewards_of(prisoner: Prisoner) -> QuerySet[Reward]:
    return prisoner.rewards.select_related("officer", "reverses").annotate(
        revoked=Exists(Reward.objects.filter(reverses=OuterRef("pk")))
    )


def violations_of(prisoner: Prisoner) -> QuerySet[Violation]:
    return prisoner.violations.select_related("officer", "reverses").annotate(
        revoked=Exists(Violation.objects.filter(reverses=OuterRef("pk")))
    )
