"""Secretaries are reminded, once a day, of required activities falling due within a week."""

from __future__ import annotations

import datetime as dt

import pytest

from tests.party.test_services import record
from tongxin.party import services
from tongxin.party.models import ActivityKind
from tongxin.web.models import Notification

pytestmark = pytest.mark.django_db


def test_the_secretary_is_reminded_of_what_is_still_due(secretary_a1, party):
    today = dt.date(2023, 3, 27)  # the month and the quarter end on the 31st
    record(secretary_a1, party.branch_a1, kind=ActivityKind.THEMED_DAY, held_on=dt.date(2023, 3, 3))
    sent = services.send_due_reminders(today=today)
    titles = set(
        Notification.objects.filter(recipient=secretary_a1).values_list("title", flat=True)
    )
    assert sent == len(titles) > 0
    assert any("支部党员大会" in t for t in titles)  # not held this quarter
    assert not any("主题党日" in t for t in titles)  # held this month
    assert (
        Notification.objects.filter(level="reminder").exclude(recipient=secretary_a1).count() == 0
    )
    # the next day again: nothing new
    assert services.send_due_reminders(today=today + dt.timedelta(days=1)) == 0


def test_nothing_is_due_far_from_a_period_end(secretary_a1, party):
    # On 2 March no period of any requirement ends within a week.
    assert services.send_due_reminders(today=dt.date(2023, 3, 2), within_days=7) == 0
    assert not Notification.objects.exists()


def test_every_periodic_job_names_a_registered_task():
    from django.conf import settings

    import tongxin.audit.tasks
    import tongxin.party.tasks  # noqa: F401
    from tongxin.celery import app

    for job in settings.CELERY_BEAT_SCHEDULE.values():
        assert job["task"] in app.tasks, job["task"]


def test_recent_copies_job_runs(party):
    from tongxin.party.tasks import detect_recently_copied_minutes

    assert detect_recently_copied_minutes.delay().get() == {"flags": 0}
