"""Reads for the party pages that ``selectors`` does not offer: a member's own figures for the
phone view, subtree head counts, and the activity a check-in token names.

A member's own rows need no data scope (the member is the signed-in user); the counts are
scoped like every other selector.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, DecimalField, Q, QuerySet, Sum
from django.db.models.functions import Coalesce
from django.http import Http404

from tongxin.org import scope

from . import dues
from .models import Activity, DuesPayment, PartyMember, PartyOrganization, StudyRecord
from .services import CHECKIN_OPENS_BEFORE


def member_counts_by_subtree(user, orgs: list[PartyOrganization]) -> dict[int, int]:
    """Active members under each of ``orgs`` (its whole subtree), within the user's scope:
    one grouped query by branch, summed up by path prefix in Python."""
    if not orgs:
        return {}
    rows = (
        scope.scoped(PartyMember.objects.filter(is_active=True), user, "organization__unit__path")
        .values("organization__path")
        .annotate(n=Count("id"))
        .order_by()
    )
    by_path = {row["organization__path"]: row["n"] for row in rows}
    return {
        org.pk: sum(n for path, n in by_path.items() if path.startswith(org.path)) for org in orgs
    }


def activity_by_token(token: str) -> Activity:
    """The activity a QR check-in code names. The token is the capability: a member scanning
    it need not hold any party permission, only be expected at the meeting to check in."""
    activity = (
        Activity.objects.select_related("organization", "host__officer")
        .filter(checkin_token=token)
        .first()
    )
    if activity is None:
        raise Http404("签到码无效")
    return activity


def open_checkins(member: PartyMember, now: dt.datetime) -> QuerySet[Activity]:
    """Meetings of the member's branch or group whose check-in window contains ``now``
    (it opens ``CHECKIN_OPENS_BEFORE`` the start and closes at the end)."""
    orgs = [member.organization_id] + ([member.group_id] if member.group_id else [])
    return (
        Activity.objects.filter(
            organization_id__in=orgs,
            starts_at__lte=now + CHECKIN_OPENS_BEFORE,
            ends_at__gte=now,
        )
        .select_related("organization")
        .order_by("starts_at")
    )


def study_hours(member: PartyMember, year: int) -> Decimal:
    """Hours of the study sessions of ``year`` the member took part in ("五学")."""
    return StudyRecord.objects.filter(participants=member, held_on__year=year).aggregate(
        total=Coalesce(Sum("hours"), Decimal(0), output_field=DecimalField())
    )["total"]


@dataclass
class DuesSummary:
    """A member's dues for the phone view: this year's payments, the months of this year not
    paid yet, and the six-month flag (党章 art. 9)."""

    payments: list[DuesPayment]
    paid_total: Decimal
    months_unpaid: list[dt.date] = field(default_factory=list)
    flagged: bool = False

    @property
    def months_unpaid_labels(self) -> list[str]:
        return [dues.format_month(month) for month in self.months_unpaid]


def dues_summary(member: PartyMember, today: dt.date) -> DuesSummary:
    """One query for all the member's paid months; the rules are ``dues``'s.

    The six-month flag is judged from the later of joining and the member's first payment on
    record: months before the platform's ledger began were kept on paper, and a member whose
    paper record is not imported must not be flagged for them.
    """
    rows = list(DuesPayment.objects.filter(member=member).order_by("month"))
    paid_months = [row.month for row in rows]
    this_year = [row for row in rows if row.month.year == today.year]
    since = max(dt.date(today.year, 1, 1), dues.month_start(member.joined_on))
    until = dues.last_completed_month(today)
    unpaid = dues.months_in_arrears(paid_months, since=since, until=until) if since <= until else []
    ledger_start = dues.ledger_start(member.joined_on, paid_months)
    return DuesSummary(
        payments=this_year,
        paid_total=sum((row.amount_paid for row in this_year), Decimal(0)),
        months_unpaid=unpaid,
        flagged=dues.six_month_flag(paid_months, joined=ledger_start, today=today),
    )


def attendance_summary(member: PartyMember, year: int) -> dict[str, int]:
    """How many of this year's meetings the member was expected at, came to, was excused from."""
    return member.attendance.filter(activity__held_on__year=year).aggregate(
        expected=Count("id"),
        present=Count("id", filter=Q(status="present")),
        excused=Count("id", filter=Q(status="excused")),
    )
