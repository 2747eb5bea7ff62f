"""Reads of the party tree, members and organisational life, narrowed to the user's scope.

A party organisation belongs to the unit it is attached to; a user sees the organisations
attached to units in their scope, and everything recorded for those organisations.
"""

from __future__ import annotations

import datetime as dt

from django.db.models import Count, Prefetch, Q, QuerySet
from django.http import Http404

from tongxin.org import scope
from tongxin.org.tree import path_q

from .models import (
    Activity,
    ActivityKind,
    Attendance,
    CommitteeSeat,
    OrgKind,
    PartyMember,
    PartyOrganization,
)


def organizations_for(user, *, under: PartyOrganization | None = None) -> QuerySet:
    qs = scope.scoped(PartyOrganization.objects.select_related("unit"), user)
    if under is not None:
        qs = qs.filter(path_q("path", under.path))
    return qs.order_by("path")


def organization_for(user, pk: int) -> PartyOrganization:
    try:
        return organizations_for(user).get(pk=pk)
    except PartyOrganization.DoesNotExist as exc:
        raise Http404("党组织不存在或不在您的数据范围内") from exc


def top_organizations(user) -> list[PartyOrganization]:
    """The highest organisations the user sees (roots of their part of the party tree)."""
    orgs = list(organizations_for(user).only("id", "path", "name", "kind", "depth", "unit"))
    paths = [o.path for o in orgs]
    return [o for o in orgs if not any(o.path != p and o.path.startswith(p) for p in paths)]


def members_for(
    user, *, organization: PartyOrganization | None = None, q: str = "", active: bool = True
) -> QuerySet[PartyMember]:
    qs = scope.scoped(
        PartyMember.objects.select_related("officer", "organization", "group", "mentor__officer"),
        user,
        "organization__unit__path",
    )
    if organization is not None:
        lookup = "group" if organization.kind == OrgKind.GROUP else "organization"
        if organization.kind in (OrgKind.BRANCH, OrgKind.GROUP):
            qs = qs.filter(**{lookup: organization})
        else:
            qs = qs.filter(path_q("organization__path", organization.path))
    if q:
        qs = qs.filter(Q(officer__name__icontains=q) | Q(officer__police_number__icontains=q))
    if active:
        qs = qs.filter(is_active=True)
    return qs.order_by("organization__path", "officer__police_number")


def member_of_user(user) -> PartyMember | None:
    """The signed-in user's own membership (the phone view starts here)."""
    if not user.is_authenticated or not user.officer_id:
        return None
    return (
        PartyMember.objects.select_related("organization", "group", "mentor__officer", "officer")
        .filter(officer_id=user.officer_id, is_active=True)
        .first()
    )


def seats_active_on(organization: PartyOrganization, day: dt.date) -> QuerySet[CommitteeSeat]:
    return (
        organization.committee_seats.filter(started_on__lte=day)
        .filter(Q(ended_on__isnull=True) | Q(ended_on__gte=day))
        .select_related("member__officer")
        .order_by("post")
    )


COMMITTEE_KINDS = (ActivityKind.COMMITTEE_MEETING, ActivityKind.CORE_GROUP_STUDY)


def expected_members(organization: PartyOrganization, kind: str, day: dt.date) -> QuerySet:
    """Who may attend an activity: the sitting committee for a committee meeting or core-group
    study, a group's members for a group meeting, a branch's members, or for a committee or
    general branch every member of its subtree."""
    members = PartyMember.objects.filter(is_active=True, joined_on__lte=day).select_related(
        "officer"
    )
    if kind in COMMITTEE_KINDS:
        return members.filter(pk__in=seats_active_on(organization, day).values("member_id"))
    if organization.kind == OrgKind.GROUP:
        return members.filter(group=organization)
    if organization.kind == OrgKind.BRANCH:
        return members.filter(organization=organization)
    return members.filter(path_q("organization__path", organization.path))


def activities_for(
    user,
    *,
    organization: PartyOrganization | None = None,
    kind: str = "",
    date_from: dt.date | None = None,
    date_to: dt.date | None = None,
    q: str = "",
) -> QuerySet[Activity]:
    qs = scope.scoped(
        Activity.objects.select_related("organization", "host__officer"),
        user,
        "organization__unit__path",
    )
    if organization is not None:
        qs = qs.filter(path_q("organization__path", organization.path))
    if kind:
        qs = qs.filter(kind=kind)
    if date_from:
        qs = qs.filter(held_on__gte=date_from)
    if date_to:
        qs = qs.filter(held_on__lte=date_to)
    if q:
        qs = qs.filter(Q(topic__icontains=q) | Q(minutes__icontains=q))
    return qs.order_by("-held_on", "-id")


def activity_for(user, pk: int) -> Activity:
    try:
        return (
            activities_for(user)
            .prefetch_related(
                Prefetch(
                    "attendance",
                    queryset=Attendance.objects.select_related("member__officer").order_by(
                        "status", "member__officer__name"
                    ),
                ),
                "attachments",
            )
            .get(pk=pk)
        )
    except Activity.DoesNotExist as exc:
        raise Http404("记录不存在或不在您的数据范围内") from exc


def member_activities(member: PartyMember, *, limit: int = 20):
    """The member's own meetings: attendance rows newest first."""
    return (
        Attendance.objects.filter(member=member)
        .select_related("activity__organization")
        .order_by("-activity__held_on")[:limit]
    )


def organization_member_counts(orgs) -> dict[int, int]:
    rows = (
        PartyMember.objects.filter(is_active=True, organization__in=orgs)
        .values("organization_id")
        .annotate(n=Count("id"))
    )
    return {r["organization_id"]: r["n"] for r in rows}
