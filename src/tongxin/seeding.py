"""Demo and province-scale data: each app contributes a ``demo.py`` with ``generate(ctx)``.

``run`` calls the generators in ``INSTALLED_APPS`` order, each in its own transaction (a
savepoint inside one outer transaction, so a failure leaves the database as it was). All
randomness comes from the context's seeded ``random.Random``; a generator never calls the
global ``random`` module or reads the clock for data, so the same ``seed`` gives the same data.
Generators share what later ones need through ``ctx.data`` (for example ``ctx.data["prisons"]``).
"""

from __future__ import annotations

import datetime as dt
import importlib
import importlib.util
import random
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.core.management.base import CommandError
from django.db import transaction

SCALES = ("demo", "province")

Generator = Callable[["SeedContext"], None]


class SeedError(CommandError):
    """The seed cannot run (bad arguments, or the database already holds data)."""


@dataclass
class SeedContext:
    """What every generator receives.

    ``today`` is the only clock a generator may read; pass it explicitly to ``run`` when the
    output has to be identical on another day.
    """

    scale: str
    seed: int = 2023
    quiet: bool = False
    today: dt.date | None = None
    rng: random.Random = field(init=False, repr=False)
    data: dict[str, Any] = field(default_factory=dict, repr=False)

    def __post_init__(self) -> None:
        if self.scale not in SCALES:
            raise SeedError(f"未知的数据规模 “{self.scale}”,可选:{'、'.join(SCALES)}")
        self.rng = random.Random(self.seed)
        if self.today is None:
            from django.utils import timezone

            self.today = timezone.localdate()

    @property
    def province(self) -> bool:
        return self.scale == "province"

    def fork(self, name: str) -> random.Random:
        """An independent generator for one app, derived from the seed and ``name`` only.

        An app that draws from its fork keeps producing the same data when another app's
        generator changes how many numbers it draws from ``rng``.
        """
        return random.Random(f"{self.seed}/{name}")

    def progress(self, total: int, desc: str):
        """A tqdm progress bar (silent when ``quiet``); use it as a context manager."""
        from tqdm import tqdm

        return tqdm(total=total, desc=desc, unit="条", disable=self.quiet, leave=False)


def discover_generators() -> list[tuple[str, Generator]]:
    """``(app label, generate)`` for every project app with a ``demo.generate``, in
    ``INSTALLED_APPS`` order.

    Only the project's own apps (package ``tongxin``) are asked: a third-party package that
    happens to ship a ``demo`` module must never write into our database.
    """
    from django.apps import apps

    found = []
    for config in apps.get_app_configs():
        if not config.name.startswith("tongxin."):
            continue
        module_name = f"{config.name}.demo"
        if importlib.util.find_spec(module_name) is None:
            continue
        generate = getattr(importlib.import_module(module_name), "generate", None)
        if callable(generate):
            found.append((config.label, generate))
    return found


def is_seeded() -> bool:
    from tongxin.org.models import Unit

    return Unit.objects.exists()


def execute(ctx: SeedContext) -> dict[str, float]:
    """Run every generator with ``ctx``; seconds taken per app label, in order."""
    if is_seeded():
        raise SeedError(
            "数据库中已有单位数据,不能重复生成演示数据。请先清空数据库"
            "(例如删除 SQLite 文件后重新 migrate)再运行。"
        )
    timings: dict[str, float] = {}
    with transaction.atomic():
        for label, generate in discover_generators():
            started = time.perf_counter()
            with transaction.atomic():
                generate(ctx)
            timings[label] = time.perf_counter() - started
    analyse()
    return timings


def analyse() -> None:
    """Refresh the planner's statistics after a bulk load. Without them SQLite picks poor plans
    on the freshly filled tables (a prisoner's conduct read walked the unique index of
    ``Reward.reverses`` over the whole table: 14 ms instead of 2; see ``bench/screening.py``);
    PostgreSQL's autovacuum would get there, but only later."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")


def run(
    *, scale: str, seed: int = 2023, quiet: bool = False, today: dt.date | None = None
) -> dict[str, float]:
    """Generate the ``demo`` or ``province`` dataset into an empty database."""
    return execute(SeedContext(scale=scale, seed=seed, quiet=quiet, today=today))


def __getattr__(name: str) -> Any:
    # Both need the app registry, so they are computed on first use, not at import time.
    if name == "GENERATORS":
        return discover_generators()
    if name == "DEMO_LOGINS":
        from tongxin.org.demo import DEMO_LOGINS

        return DEMO_LOGINS
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def reset_sequences(*models) -> None:
    """After rows written with explicit keys, let the database hand out the next ones
    (PostgreSQL's sequences; nothing to do on SQLite)."""
    from django.core.management.color import no_style
    from django.db import connection

    statements = connection.ops.sequence_reset_sql(no_style(), list(models))
    if statements:
        with connection.cursor() as cursor:
            for statement in statements:
                cursor.execute(statement)


def apportion(total: int, weights: list[float]) -> list[int]:
    """Largest-remainder apportionment of ``total`` by ``weights``: exact (the shares add up
    to ``total``) and deterministic, for generators that must hit a figure."""
    weight_sum = sum(weights)
    if total <= 0 or weight_sum <= 0:
        return [0] * len(weights)
    quotas = [total * w / weight_sum for w in weights]
    shares = [int(q) for q in quotas]
    by_remainder = sorted(range(len(weights)), key=lambda i: (shares[i] - quotas[i], i))
    for i in by_remainder[: total - sum(shares)]:
        shares[i] += 1
    return shares
