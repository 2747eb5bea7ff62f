"""Background jobs of the party app (Celery; in process when no broker is configured)."""

from __future__ import annotations

import datetime as dt

from celery import shared_task

from . import services


@shared_task(name="party.detect_copied_minutes")
def detect_copied_minutes(start: str, end: str) -> dict:
    """Compare every record's minutes in ``[start, end]`` (ISO dates) and flag near-copies."""
    found = services.detect_copied_minutes(
        start=dt.date.fromisoformat(start), end=dt.date.fromisoformat(end)
    )
    return {"flags": found}


@shared_task(name="party.send_due_reminders")
def send_due_reminders() -> dict:
    """Daily: remind secretaries of required activities falling due within a week."""
    from django.utils import timezone

    return {"sent": services.send_due_reminders(today=timezone.localdate())}


@shared_task(name="party.detect_recently_copied_minutes")
def detect_recently_copied_minutes(days: int = 90) -> dict:
    """Daily: compare the minutes of the last ``days`` days (new records against each other
    and against those of the weeks before)."""
    from django.utils import timezone

    today = timezone.localdate()
    found = services.detect_copied_minutes(start=today - dt.timedelta(days=days), end=today)
    return {"flags": found}
