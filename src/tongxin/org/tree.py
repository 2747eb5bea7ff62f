"""Materialised-path trees: the unit tree and the party-organisation tree share this base.

A node's ``path`` is its ancestors' ids and its own, fixed width and slash-terminated
(``0000001/0000007/``), so "everything under X" is one indexed prefix condition (``path_q``).
"""

from __future__ import annotations

from django.db import connection, models
from django.db.models import F, Q, Value
from django.db.models.functions import Concat, Length, Substr
from django.utils.translation import gettext_lazy as _

PATH_SEGMENT_WIDTH = 7  # up to 9,999,999 nodes; fixed width keeps prefix ordering sound


def path_segment(pk: int) -> str:
    return f"{pk:0{PATH_SEGMENT_WIDTH}d}/"


def path_q(lookup: str, prefix: str) -> Q:
    """Rows whose materialised path ``lookup`` lies under ``prefix`` — one indexed condition.

    PostgreSQL answers ``LIKE 'prefix%'`` from the ``varchar_pattern_ops`` index whatever the
    collation. SQLite's LIKE is case-insensitive and cannot use an index, so there the same set
    is asked as a range: every path under ``…/`` sorts between ``…/`` and ``…0`` because '/'
    and '0' are neighbours in ASCII and paths hold only digits and slashes.
    """
    if connection.vendor == "postgresql":
        return Q(**{f"{lookup}__startswith": prefix})
    return Q(**{f"{lookup}__gte": prefix, f"{lookup}__lt": prefix[:-1] + "0"})


class PathQuerySet(models.QuerySet):
    def under(self, node: PathNode, *, include_self: bool = True) -> PathQuerySet:
        qs = self.filter(path_q("path", node.path))
        return qs if include_self else qs.exclude(pk=node.pk)


class PathNode(models.Model):
    """Abstract tree node; concrete models declare the path index in their own Meta."""

    parent = models.ForeignKey(
        "self",
        verbose_name=_("上级"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    path = models.CharField(_("路径"), max_length=255, editable=False)
    depth = models.PositiveSmallIntegerField(_("层级"), default=0, editable=False)

    class Meta:
        abstract = True

    def save(self, *args, **kwargs) -> None:
        """Keep ``path`` and ``depth`` consistent with ``parent`` (a single-row invariant)."""
        parent_path = self.parent.path if self.parent_id else ""
        self.depth = self.parent.depth + 1 if self.parent_id else 0
        if self.pk is None:
            super().save(*args, **kwargs)
            self.path = parent_path + path_segment(self.pk)
            type(self).objects.filter(pk=self.pk).update(path=self.path, depth=self.depth)
            return
        self.path = parent_path + path_segment(self.pk)
        super().save(*args, **kwargs)

    def ancestor_paths(self) -> list[str]:
        step = PATH_SEGMENT_WIDTH + 1
        return [self.path[: i + step] for i in range(0, len(self.path), step)]

    def ancestors(self):
        return type(self).objects.filter(path__in=self.ancestor_paths()[:-1]).order_by("depth")

    def is_under(self, other: PathNode) -> bool:
        return self.path.startswith(other.path)

    def rehang(self, new_parent: PathNode) -> None:
        """Move this subtree under ``new_parent``: every descendant's path in one UPDATE.
        The caller checks permissions, cycles and audits."""
        old_path, depth_shift = self.path, new_parent.depth + 1 - self.depth
        self.parent = new_parent
        self.save()
        type(self).objects.filter(path__startswith=old_path).exclude(pk=self.pk).update(
            path=Concat(Value(self.path), Substr("path", Length(Value(old_path)) + 1)),
            depth=F("depth") + depth_shift,
        )
