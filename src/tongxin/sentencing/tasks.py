"""Background jobs of the sentencing app (Celery; in process when no broker is configured)."""

from __future__ import annotations

from celery import shared_task
from django.utils import timezone

from . import screening
from .models import ScreeningRun

RESULT_ROWS = 5000  # rows kept on the run for the page and the export (the rest are counted)


@shared_task(name="sentencing.run_screening")
def run_screening(run_id: int) -> dict:
    """Screen the run's subtree, writing progress as it goes."""
    run = ScreeningRun.objects.select_related("unit").get(pk=run_id)
    ScreeningRun.objects.filter(pk=run_id).update(status="running")

    def progress(done: int, total: int) -> None:
        ScreeningRun.objects.filter(pk=run_id).update(done=done, total=total)

    try:
        result = screening.screen(
            run.unit, on=run.on_date, horizon_days=run.horizon_days, progress=progress
        )
    except Exception as error:  # the page must show a failed run, not spin forever
        ScreeningRun.objects.filter(pk=run_id).update(
            status="failed", error=str(error)[:2000], finished_at=timezone.now()
        )
        raise
    eligible, due = result.eligible_now, result.due_soon
    ScreeningRun.objects.filter(pk=run_id).update(
        status="done",
        total=result.total,
        done=result.total,
        finished_at=timezone.now(),
        result={
            "eligible_count": len(eligible),
            "due_count": len(due),
            "eligible": [r.to_json() for r in eligible[:RESULT_ROWS]],
            "due": [r.to_json() for r in due[:RESULT_ROWS]],
        },
    )
    return {"eligible": len(eligible), "due": len(due)}
