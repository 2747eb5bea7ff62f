"""Reads of units and officers, always narrowed to the requesting user's scope."""

from __future__ import annotations

from django.db.models import Count, Q, QuerySet
from django.http import Http404

from . import scope
from .models import Officer, Unit, path_q


def units_for(user, *, under: Unit | None = None, kind: str = "", q: str = "") -> QuerySet[Unit]:
    qs = scope.visible_units(user).select_related("parent")
    if under is not None:
        qs = qs.filter(path_q("path", under.path))
    if kind:
        qs = qs.filter(kind=kind)
    if q:
        qs = qs.filter(Q(name__icontains=q) | Q(code__icontains=q) | Q(short_name__icontains=q))
    return qs.order_by("path")


def unit_for(user, pk: int) -> Unit:
    """One unit the user may see, or 404 (never 403: existence is not disclosed)."""
    try:
        return scope.visible_units(user).select_related("parent").get(pk=pk)
    except Unit.DoesNotExist as exc:
        raise Http404("单位不存在或不在您的数据范围内") from exc


def unit_children_with_counts(user, unit: Unit) -> QuerySet[Unit]:
    return (
        scope.visible_units(user)
        .filter(parent=unit)
        .annotate(child_count=Count("children", distinct=True))
        .order_by("sort_order", "path")
    )


def officers_for(
    user,
    *,
    under: Unit | None = None,
    q: str = "",
    gender: str = "",
    party_status: str = "",
    active: bool | None = True,
) -> QuerySet[Officer]:
    qs = scope.scoped(Officer.objects.select_related("unit"), user)
    if under is not None:
        qs = qs.filter(path_q("unit__path", under.path))
    if q:
        qs = qs.filter(Q(name__icontains=q) | Q(police_number__icontains=q) | Q(post__icontains=q))
    if gender:
        qs = qs.filter(gender=gender)
    if party_status:
        qs = qs.filter(party_status=party_status)
    if active is not None:
        qs = qs.filter(is_active=active)
    return qs.order_by("unit__path", "police_number")


def officer_for(user, pk: int) -> Officer:
    try:
        return scope.scoped(Officer.objects.select_related("unit"), user).get(pk=pk)
    except Officer.DoesNotExist as exc:
        raise Http404("民警不存在或不在您的数据范围内") from exc


def subtree_counts(user, unit: Unit) -> dict[str, int]:
    """Head counts for a unit's subtree within the user's scope (for the home page and cards)."""
    officers = officers_for(user, under=unit)
    return {
        "units": units_for(user, under=unit).count(),
        "officers": officers.count(),
        "women": officers.filter(gender="F").count(),
        "party_members": officers.filter(party_status__in=["member", "probationary"]).count(),
    }


def can_see_id_numbers(user) -> bool:
    return user.has_perm("org.view_id_number")


def users_for(user, *, q: str = ""):
    """Logins whose whole data scope lies inside the requesting user's scope."""
    from django.contrib.auth import get_user_model

    User = get_user_model()
    qs = User.objects.filter(is_superuser=False).select_related("officer__unit")
    paths = scope.scope_paths(user)
    if paths is not None:
        outside = Unit.objects.exclude(scope.scope_q(user, "path"))
        qs = qs.filter(scope_units__isnull=False).exclude(scope_units__in=outside)
    if q:
        qs = qs.filter(Q(username__icontains=q) | Q(officer__name__icontains=q))
    return qs.prefetch_related("groups", "scope_units").distinct().order_by("username")


def user_for(user, pk: int):
    from django.contrib.auth import get_user_model

    try:
        return users_for(user).get(pk=pk)
    except get_user_model().DoesNotExist as exc:
        raise Http404("账号不存在或不在您的数据范围内") from exc
