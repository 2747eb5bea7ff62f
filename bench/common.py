"""Plumbing shared by the benchmarks: a throw-away database, and re-inserting a sample of
rows per row and in bulk inside a transaction that is always rolled back."""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path


class _Rollback(Exception):
    pass


def setup_django(workdir: Path) -> None:
    """Django on a fresh SQLite file in ``workdir`` (never the developer's database)."""
    os.environ["TONGXIN_VAR_DIR"] = str(workdir)
    os.environ.pop("DATABASE_URL", None)
    os.environ["DJANGO_SETTINGS_MODULE"] = "tongxin.settings"
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "src"))
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def reinsert_sample(model, *, sample: int, bulk: bool, batch_size: int = 2000) -> float:
    """Delete the last ``sample`` rows of ``model`` and insert them again, per row or in bulk;
    return the seconds of the insert and undo it all.

    The rows are removed with raw SQL so that no other table's references are touched: every
    foreign key is deferred to the commit, which never comes.
    """
    from django.db import connection, transaction

    table = model._meta.db_table
    fields = [f.attname for f in model._meta.concrete_fields if f.attname != "id"]
    rows = list(model.objects.order_by("-id").values("id", *fields)[:sample])
    seconds = 0.0
    try:
        with transaction.atomic():
            with connection.cursor() as cursor:
                marks = ", ".join(["%s"] * len(rows))
                cursor.execute(
                    f"DELETE FROM {table} WHERE id IN ({marks})", [r["id"] for r in rows]
                )
            objects = [model(**{k: v for k, v in row.items() if k != "id"}) for row in rows]
            started = time.perf_counter()
            if bulk:
                model.objects.bulk_create(objects, batch_size=batch_size)
            else:
                for obj in objects:
                    obj.save(force_insert=True)
            seconds = time.perf_counter() - started
            raise _Rollback
    except _Rollback:
        pass
    return seconds
