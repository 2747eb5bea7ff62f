"""Data scope: every selector narrows its rows to the subtrees the user may see.

A user acts within the subtrees of their ``scope_units``; a superuser sees everything.
Provincial roles are given both roots (the bureau and the Wuxue contact point).
"""

from __future__ import annotations

from functools import reduce
from operator import or_

from django.db.models import Q, QuerySet

from .models import Unit, path_q

_CACHE_ATTR = "_tongxin_scope_paths"


class _WholeProvince:
    """Who the command line and background jobs act for: no request, the whole province.
    Never a web user; nothing logs in as this."""

    is_authenticated = True
    is_active = True
    is_superuser = True
    pk = None

    def has_perm(self, perm: str, obj=None) -> bool:
        return True

    def __str__(self) -> str:
        return "系统"


WHOLE_PROVINCE = _WholeProvince()


def scope_paths(user) -> list[str] | None:
    """Path prefixes the user may see; ``None`` means no restriction. Cached on the user."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return []
    if user.is_superuser:
        return None
    cached = getattr(user, _CACHE_ATTR, None)
    if cached is None:
        paths = sorted(user.scope_units.values_list("path", flat=True))
        # Drop paths already covered by a shorter one, so the OR stays small.
        cached = [p for i, p in enumerate(paths) if not any(p.startswith(q) for q in paths[:i])]
        setattr(user, _CACHE_ATTR, cached)
    return cached


def forget(user) -> None:
    """Drop the cached scope after the user's scope units change."""
    if hasattr(user, _CACHE_ATTR):
        delattr(user, _CACHE_ATTR)


def scope_q(user, path_lookup: str) -> Q:
    """A condition on ``path_lookup`` (e.g. ``"unit__path"``) admitting only the user's rows."""
    paths = scope_paths(user)
    if paths is None:
        return Q()
    if not paths:
        return Q(pk__in=[])
    return reduce(or_, (path_q(path_lookup, p) for p in paths))


def scoped(queryset: QuerySet, user, path_lookup: str = "unit__path") -> QuerySet:
    return queryset.filter(scope_q(user, path_lookup))


def sees_all(user) -> bool:
    return scope_paths(user) is None


def covers_bureau(user) -> bool:
    """The user's scope includes the whole bureau tree (province-wide work and settings)."""
    paths = scope_paths(user)
    if paths is None:
        return True
    return Unit.objects.filter(path__in=paths, parent__isnull=True, kind="bureau").exists()


def can_see_unit(user, unit: Unit | None) -> bool:
    if unit is None:
        return sees_all(user)
    paths = scope_paths(user)
    return paths is None or any(unit.path.startswith(p) for p in paths)


def visible_units(user) -> QuerySet[Unit]:
    return scoped(Unit.objects.all(), user, "path")


def top_units(user) -> list[Unit]:
    """The roots of what the user sees (for tree pages and filters)."""
    if sees_all(user):
        return list(Unit.objects.filter(parent__isnull=True).order_by("sort_order", "path"))
    return list(Unit.objects.filter(path__in=scope_paths(user)).order_by("path"))
