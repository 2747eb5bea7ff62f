"""案件统计: cases by type, prison, month and outcome, the change on the year before, the time
spent at each step, and the risk alerts with their dispositions — for the user's scope or a
prison in it; an Excel export and a monthly chart."""

from __future__ import annotations

from csp.constants import UNSAFE_INLINE
from csp.decorators import csp_update
from django.contrib.auth.decorators import login_required, permission_required
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils import timezone

from tongxin.audit.services import record
from tongxin.org import excel, scope
from tongxin.org.models import Unit, UnitKind
from tongxin.web import charts
from tongxin.web.pages import int_or_404, xlsx_response

from . import reports

PERM = "sentencing.view_case_statistics"
FIRST_YEAR = 2017  # the 规定 (法释〔2016〕23号) is in force from 2017-01-01


def _year_and_root(request) -> tuple[int, Unit | None, list[Unit]]:
    """``?year=&unit=``: a year from 2017 to this one (anything else: this year) and a prison
    of the user's scope (outside it: 404)."""
    today = timezone.localdate()
    try:
        year = int(request.GET.get("year", today.year))
    except ValueError:
        year = today.year
    if not FIRST_YEAR <= year <= today.year:
        year = today.year
    prisons = list(
        scope.visible_units(request.user)
        .filter(kind=UnitKind.PRISON)
        .order_by("sort_order", "path")
    )
    root = None
    if request.GET.get("unit"):
        root = get_object_or_404(
            scope.visible_units(request.user), pk=int_or_404(request.GET["unit"])
        )
    return year, root, prisons


@login_required
@permission_required(PERM, raise_exception=True)
def statistics(request):
    year, root, prisons = _year_and_root(request)
    today = timezone.localdate()
    figures = reports.figures_with_change(request.user, root=root, year=year, today=today)
    return render(
        request,
        "sentencing/statistics.html",
        {
            "year": year,
            "years": range(today.year, FIRST_YEAR - 1, -1),
            "root": root,
            "prisons": prisons,
            "figures": [
                {
                    "key": key,
                    "label": label,
                    **figures[key],
                    "change_text": _change(figures[key]["change"]),
                }
                for key, label in reports.FIGURE_LABELS.items()
            ],
            "months": reports.by_month(request.user, root=root, year=year),
            "by_prison": reports.by_prison(request.user, root=root, year=year),
            "steps": reports.time_at_steps(request.user, root=root, year=year),
            "alerts": reports.alerts_by_kind(request.user, root=root, year=year),
            "query": request.GET.urlencode(),
        },
    )


@login_required
@permission_required(PERM, raise_exception=True)
@csp_update({"style-src": [UNSAFE_INLINE]})  # the SVG's own stylesheet; images run no script
def statistics_chart(request):
    year, root, _ = _year_and_root(request)
    months = reports.by_month(request.user, root=root, year=year)
    svg = charts.monthly_bars(
        f"{year}年案件(按提请月份){' · ' + root.name if root else ''}",
        {label: [m[key] for m in months] for key, label in _KIND_SERIES},
    )
    return HttpResponse(svg, content_type="image/svg+xml; charset=utf-8")


_KIND_SERIES = (
    ("reduction_cases", "减刑"),
    ("parole_cases", "假释"),
    ("temporary_cases", "暂予监外执行"),
)


@login_required
@permission_required(PERM, raise_exception=True)
def statistics_export(request):
    year, root, _ = _year_and_root(request)
    today = timezone.localdate()
    user = request.user
    figures = reports.figures_with_change(user, root=root, year=year, today=today)
    sheets = [
        (
            "总体",
            ("指标", f"{year}年", f"{year - 1}年同期", "同比"),
            [
                [label, figures[k]["value"], figures[k]["previous"], _change(figures[k]["change"])]
                for k, label in reports.FIGURE_LABELS.items()
            ],
        ),
        (
            "按月",
            ("月份", "减刑", "假释", "暂予监外执行"),
            [
                [f"{m['month']}月", m["reduction_cases"], m["parole_cases"], m["temporary_cases"]]
                for m in reports.by_month(user, root=root, year=year)
            ],
        ),
        (
            "按监狱",
            (
                "监狱",
                "减刑",
                "假释",
                "暂予监外执行",
                "裁定(批准)",
                "部分裁定",
                "不予",
                "狱内未通过",
                "撤回",
                "在办",
            ),
            [
                [
                    r["prison"],
                    r["reduction_cases"],
                    r["parole_cases"],
                    r["temporary_cases"],
                    r["granted"],
                    r["partly_granted"],
                    r["denied"],
                    r["rejected_in_prison"],
                    r["withdrawn"],
                    r["open"],
                ]
                for r in reports.by_prison(user, root=root, year=year)
            ],
        ),
        (
            "环节用时",
            ("环节", "案件数", "平均天数", "最长天数"),
            [
                [s.label, s.cases, round(s.mean_days, 1), round(s.max_days, 1)]
                for s in reports.time_at_steps(user, root=root, year=year)
            ],
        ),
        (
            "风险预警",
            ("风险类型", "预警", "已处置"),
            [
                [a["label"], a["raised"], a["disposed"]]
                for a in reports.alerts_by_kind(user, root=root, year=year)
            ],
        ),
    ]
    content = excel.write_sheets(sheets)
    record(
        actor=user,
        action="sentencing.statistics.export",
        unit=root,
        summary=f"导出{year}年案件统计{'(' + root.name + ')' if root else ''}",
    )
    return xlsx_response(content, f"案件统计-{year}.xlsx")


def _change(change: float | None) -> str:
    return "" if change is None else f"{change:+.2%}"
