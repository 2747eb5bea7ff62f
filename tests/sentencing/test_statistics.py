"""Case statistics from the case rows: figures and their change, by month, by prison, time at
each step, alerts; the page, the export, the chart and `tongxin stats cases`; scope."""

from __future__ import annotations

import datetime as dt
import io
import json

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from tests.conftest import make_user
from tests.sentencing.conftest import make_prisoner
from tongxin.cli import main
from tongxin.org.scope import WHOLE_PROVINCE
from tongxin.sentencing import reports
from tongxin.sentencing.models import Case, CaseStep, RiskAlert

pytestmark = pytest.mark.django_db

_numbers = iter(range(1, 100_000))


def _case(unit, kind, proposed_on, outcome="granted", steps=(), **extra):
    prisoner = make_prisoner(unit)
    case = Case.objects.create(
        number=f"T-{next(_numbers):05d}",
        kind=kind,
        prisoner=prisoner,
        unit=unit,
        proposed_on=proposed_on,
        status="closed" if outcome else "proposed",
        outcome=outcome,
        reasons="监区集体研究",
        verdict={},
        ruleset_version="test",
        **extra,
    )
    for step, day in steps:
        CaseStep.objects.create(
            case=case,
            step=step,
            decision="approve",
            from_status="",
            to_status="",
            actor=extra.get("created_by") or _actor(),
            acted_at=dt.datetime.combine(day, dt.time(10), tzinfo=dt.UTC),
        )
    return case


_ACTOR = {}


def _actor():
    if "user" not in _ACTOR or not type(_ACTOR["user"]).objects.filter(pk=_ACTOR["user"].pk):
        _ACTOR["user"] = make_user(f"actor{next(_numbers)}", None)
    return _ACTOR["user"]


@pytest.fixture
def history(tree):
    """2022: 3 reductions in prison A, 2 in B; 2023: 5 in A, 2 in B (+40%), one parole, one
    temporary; outcomes and steps in 2023."""
    _ACTOR.clear()
    a, b = tree.district_a1, tree.district_b1
    for day in (dt.date(2022, 1, 10), dt.date(2022, 3, 5), dt.date(2022, 11, 30)):
        _case(a, "reduction", day)
    for day in (dt.date(2022, 2, 1), dt.date(2022, 6, 1)):
        _case(b, "reduction", day)
    first = _case(
        a,
        "reduction",
        dt.date(2023, 1, 5),
        steps=[
            ("propose", dt.date(2023, 1, 5)),
            ("section_review", dt.date(2023, 1, 9)),
            ("centre_review", dt.date(2023, 1, 12)),
            ("centre_review", dt.date(2023, 1, 15)),
            ("committee", dt.date(2023, 1, 20)),
        ],
    )
    _case(
        a,
        "reduction",
        dt.date(2023, 1, 25),
        steps=[("propose", dt.date(2023, 1, 25)), ("section_review", dt.date(2023, 2, 4))],
    )
    _case(a, "reduction", dt.date(2023, 3, 1), outcome="partly_granted")
    _case(a, "reduction", dt.date(2023, 3, 2), outcome="rejected")
    _case(a, "reduction", dt.date(2023, 12, 31), outcome="")
    _case(b, "reduction", dt.date(2023, 5, 1), outcome="denied")
    _case(b, "reduction", dt.date(2023, 5, 2))
    _case(a, "parole", dt.date(2023, 7, 1))
    _case(b, "temporary", dt.date(2023, 8, 1))
    now = timezone.now()
    RiskAlert.objects.create(case=first, kind="points_surge", detail="x", raised_at=now)
    RiskAlert.objects.create(
        case=first, kind="special_category", detail="y", raised_at=now, disposed_at=now
    )
    return first


def test_figures_and_the_change_on_the_year_before(history):
    figures = reports.figures_with_change(
        WHOLE_PROVINCE, root=None, year=2023, today=dt.date(2026, 11, 25)
    )
    assert figures["reduction_cases"] == {"value": 7, "previous": 5, "change": pytest.approx(0.4)}
    assert figures["parole_cases"]["value"] == 1
    assert figures["parole_cases"]["change"] is None  # no base in 2022
    assert figures["temporary_cases"]["value"] == 1
    assert figures["partly_granted"]["value"] == 1
    assert figures["rejected_in_prison"]["value"] == 1
    assert figures["denied"]["value"] == 1
    assert figures["open"]["value"] == 1
    assert figures["granted"]["value"] == 5
    assert figures["alerts_raised"]["value"] == 2
    assert figures["alerts_disposed"]["value"] == 1


def test_the_year_in_progress_compares_the_same_span(history, tree):
    _case(tree.district_a1, "reduction", dt.date(2024, 1, 20))
    figures = reports.figures_with_change(
        WHOLE_PROVINCE, root=None, year=2024, today=dt.date(2024, 1, 31)
    )
    # 1 January to 31 January of each year: 1 case in 2024, 2 in 2023.
    assert figures["reduction_cases"]["value"] == 1
    assert figures["reduction_cases"]["previous"] == 2
    assert figures["reduction_cases"]["change"] == pytest.approx(-0.5)


def test_by_month_and_by_prison(history, tree):
    months = reports.by_month(WHOLE_PROVINCE, root=None, year=2023)
    assert len(months) == 12
    assert months[0]["reduction_cases"] == 2 and months[2]["reduction_cases"] == 2
    assert months[6]["parole_cases"] == 1 and months[7]["temporary_cases"] == 1
    rows = {r["prison"]: r for r in reports.by_prison(WHOLE_PROVINCE, root=None, year=2023)}
    a, b = rows["湖北省洪山监狱"], rows["湖北省襄南监狱"]
    assert (a["reduction_cases"], a["parole_cases"], b["temporary_cases"]) == (5, 1, 0 + 1)
    # Decided in A: 3 granted (2 reductions with steps + the parole) and 1 partly granted.
    assert a["granted_share"] == pytest.approx(1.0)
    assert b["denied"] == 1 and b["granted_share"] == pytest.approx(2 / 3)


def test_time_at_each_step_ends_with_the_last_reviewer(history):
    steps = {s.step: s for s in reports.time_at_steps(WHOLE_PROVINCE, root=None, year=2023)}
    assert steps["section_review"].cases == 2
    assert steps["section_review"].mean_days == pytest.approx((4 + 10) / 2)
    assert steps["centre_review"].cases == 1
    assert steps["centre_review"].mean_days == pytest.approx(6)  # 01-09 → the last, 01-15
    assert steps["committee"].mean_days == pytest.approx(5)
    assert "propose" not in steps  # nothing before the proposal


def test_alerts_by_kind(history):
    alerts = {a["kind"]: a for a in reports.alerts_by_kind(WHOLE_PROVINCE, root=None, year=2023)}
    assert alerts["points_surge"] == {**alerts["points_surge"], "raised": 1, "disposed": 0}
    assert alerts["special_category"]["disposed"] == 1
    assert alerts["lighter_job"]["raised"] == 0


@pytest.fixture
def viewer_a(roles, tree):
    return make_user("stat_a", "prison_admin", tree.prison_a)


def test_a_prison_sees_only_its_own_cases_on_page_export_and_chart(client, history, viewer_a):
    client.force_login(viewer_a)
    html = client.get(reverse("sentencing_statistics:page"), {"year": 2023}).content.decode()
    assert "湖北省洪山监狱" in html and "湖北省襄南监狱" not in html
    assert 'data-figure="reduction_cases"><td>减刑案件</td><td class="text-end">5<' in html
    assert 'data-testid="change-reduction_cases">+66.67%<' in html  # 5 against 3
    export = client.get(reverse("sentencing_statistics:export"), {"year": 2023})
    book = load_workbook(io.BytesIO(export.content))
    assert book.sheetnames == ["总体", "按月", "按监狱", "环节用时", "风险预警"]
    rows = list(book["按监狱"].iter_rows(min_row=2, values_only=True))
    assert [r[0] for r in rows] == ["湖北省洪山监狱"]
    chart = client.get(reverse("sentencing_statistics:chart"), {"year": 2023})
    assert chart["Content-Type"].startswith("image/svg+xml")
    assert "减刑" in chart.content.decode()
    other = client.get(reverse("sentencing_statistics:page"), {"unit": history.unit.pk + 999})
    assert other.status_code == 404


def test_a_unit_outside_the_scope_is_a_404(client, history, viewer_a, tree):
    client.force_login(viewer_a)
    response = client.get(reverse("sentencing_statistics:page"), {"unit": tree.prison_b.pk})
    assert response.status_code == 404


def test_statistics_need_the_permission(client, roles, tree, history):
    member = make_user("plain", "member", tree.district_a1)
    client.force_login(member)
    assert client.get(reverse("sentencing_statistics:page")).status_code == 403


def test_command_prints_the_figures_as_json(history, capsys):
    assert main(["stats", "cases", "--year", "2023", "--json"]) == 0
    body = json.loads(capsys.readouterr().out)
    assert body["figures"]["reduction_cases"]["value"] == 7
    assert body["figures"]["reduction_cases"]["change"] == pytest.approx(0.4)
    assert body["step_days"]["committee"] == pytest.approx(5)
    assert main(["stats", "cases", "--year", "2023", "--unit", "P07"]) == 0
    text = capsys.readouterr().out
    assert "湖北省襄南监狱 2023 年" in text and "+0.00%" in text  # 2 against 2 in B
    assert main(["stats", "cases", "--year", "2023", "--unit", "NOPE"]) == 2
    assert "不存在" in capsys.readouterr().err
