"""Batch screening: the set-based answer equals the per-prisoner one; pages, job, export, scope."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from tests.conftest import make_user
from tests.sentencing.conftest import commend, make_prisoner
from tongxin.prisoners import selectors as prisoner_selectors
from tongxin.prisoners.models import RewardKind, SentenceChange
from tongxin.sentencing import judge, screening
from tongxin.sentencing.models import ScreeningRun

pytestmark = pytest.mark.django_db


@pytest.fixture
def population(tree):
    today = timezone.localdate()
    ready = make_prisoner(tree.district_a1, name="甲某")  # 3 years into 6: eligible
    commend(ready)
    no_evidence = make_prisoner(tree.district_a1, name="乙某")  # dates met, no commendations
    soon = make_prisoner(
        tree.district_a2,
        name="丙某",
        execution_start=today - dt.timedelta(days=18 * 30 - 40),
        admitted_on=today - dt.timedelta(days=18 * 30 - 50),
    )  # first threshold (18 months for 6 years) within 90 days
    commend(soon)
    reduced = make_prisoner(tree.district_a1, name="丁某")
    commend(reduced, kind=RewardKind.MERIT)
    SentenceChange.objects.create(
        prisoner=reduced, kind="reduction", ruling_date=today - dt.timedelta(days=100), months=6
    )
    other_prison = make_prisoner(tree.district_b1, name="戊某")
    commend(other_prison)
    return {
        "ready": ready,
        "no_evidence": no_evidence,
        "soon": soon,
        "reduced": reduced,
        "other": other_prison,
    }


def test_set_based_screening_equals_the_per_prisoner_verdict(tree, population):
    today = timezone.localdate()
    result = screening.screen(tree.bureau, on=today, horizon_days=90)
    assert result.total == 5
    by_name = {row.name: row for row in result.rows}
    for prisoner in population.values():
        merit, _ = prisoner_selectors.merit_of(prisoner)
        verdict, _ = judge.verdict_for(prisoner, on=today, merit=merit)
        row = by_name.get(prisoner.name)
        reduction_now = verdict["reduction"]["eligible"]
        parole_now = verdict["parole"]["eligible"]
        if row is None:
            assert not reduction_now and not parole_now
            continue
        assert row.reduction_eligible == reduction_now
        assert row.parole_eligible == parole_now
        assert row.merit == merit
        if merit:
            assert (row.reduction_earliest or None) == (
                dt.date.fromisoformat(verdict["reduction"]["earliest_date"])
                if verdict["reduction"]["earliest_date"]
                else None
            )
    assert by_name["甲某"] in result.eligible_now
    assert "乙某" not in {r.name for r in result.eligible_now}
    assert by_name["丙某"] in result.due_soon
    assert "丁某" not in {r.name for r in result.eligible_now}  # 100 days since a ruling


def test_screening_a_prison_leaves_out_the_others(tree, population):
    result = screening.screen(tree.prison_a, on=timezone.localdate())
    assert result.total == 4
    assert "戊某" not in {r.name for r in result.rows}


@pytest.fixture
def penalty_a(roles, tree):
    return make_user("penalty_a", "penalty_officer", tree.prison_a)


def test_the_page_runs_the_job_and_exports(
    client, penalty_a, tree, population, django_capture_on_commit_callbacks
):
    client.force_login(penalty_a)
    page = client.get(reverse("sentencing_screening:home"))
    assert page.status_code == 200
    assert "湖北省洪山监狱" in page.content.decode()
    assert "湖北省襄南监狱" not in page.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("sentencing_screening:start"),
            {"unit": tree.prison_a.pk, "on": timezone.localdate().isoformat(), "horizon": 90},
        )
    run = ScreeningRun.objects.get()
    assert response.status_code == 302
    page = client.get(reverse("sentencing_screening:run", args=[run.pk]))
    body = page.content.decode()
    run.refresh_from_db()
    assert run.status == "done" and run.total == 4 and run.done == 4
    assert "甲某" in body and "戊某" not in body
    export = client.get(reverse("sentencing_screening:export", args=[run.pk]))
    sheet = load_workbook(io.BytesIO(export.content)).active
    names = [row[2] for row in sheet.iter_rows(min_row=2, values_only=True)]
    assert "甲某" in names and "丙某" in names and "戊某" not in names


def test_a_prison_user_cannot_screen_or_read_another_prison(client, penalty_a, tree, population):
    client.force_login(penalty_a)
    response = client.post(
        reverse("sentencing_screening:start"), {"unit": tree.prison_b.pk, "horizon": 90}
    )
    assert response.status_code == 404
    other = ScreeningRun.objects.create(unit=tree.prison_b, on_date=timezone.localdate())
    assert client.get(reverse("sentencing_screening:run", args=[other.pk])).status_code == 404
    assert client.get(reverse("sentencing_screening:export", args=[other.pk])).status_code == 404


def test_screening_needs_the_permission(client, roles, tree):
    reviewer = make_user("rev", "reviewer", tree.prison_a)
    client.force_login(reviewer)
    assert client.get(reverse("sentencing_screening:home")).status_code == 403


def test_bad_horizon_is_refused_with_a_message(client, penalty_a, tree):
    client.force_login(penalty_a)
    response = client.post(
        reverse("sentencing_screening:start"),
        {"unit": tree.prison_a.pk, "horizon": 900},
        follow=True,
    )
    assert "预测天数须在1到365之间" in response.content.decode()
    assert not ScreeningRun.objects.exists()
