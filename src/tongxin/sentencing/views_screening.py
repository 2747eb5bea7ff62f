"""Batch screening pages: start a run for a prison or the province, watch its progress, read
and export the result (eligible now; eligible within the horizon)."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.db import transaction
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from tongxin.audit.services import record
from tongxin.org import scope
from tongxin.org.models import Unit, UnitKind
from tongxin.prisoners.conduct import MERIT_LABELS
from tongxin.web.pages import int_or_404, xlsx_response

from . import screening, tasks
from .models import ScreeningRun

PERM = "sentencing.screen_eligibility"


def _runs_for(user):
    return scope.scoped(ScreeningRun.objects.select_related("unit", "requested_by"), user)


def _choices(user) -> list[Unit]:
    units = scope.scoped(
        Unit.objects.filter(kind__in=[UnitKind.BUREAU, UnitKind.PRISON]), user, "path"
    )
    return list(units.order_by("path"))


@login_required
@permission_required(PERM, raise_exception=True)
def screening_home(request):
    return render(
        request,
        "sentencing/screening_home.html",
        {
            "units": _choices(request.user),
            "runs": _runs_for(request.user)[:20],
            "today": timezone.localdate(),
        },
    )


@login_required
@permission_required(PERM, raise_exception=True)
@require_POST
def screening_start(request):
    unit = get_object_or_404(
        scope.visible_units(request.user), pk=int_or_404(request.POST.get("unit"))
    )
    try:
        on = dt.date.fromisoformat(request.POST.get("on") or timezone.localdate().isoformat())
        horizon = int(request.POST.get("horizon") or 90)
    except ValueError:
        messages.error(request, "筛查日期或预测天数格式不正确。")
        return redirect("sentencing_screening:home")
    if not 1 <= horizon <= 365:
        messages.error(request, "预测天数须在1到365之间。")
        return redirect("sentencing_screening:home")
    with transaction.atomic():
        run = ScreeningRun.objects.create(
            unit=unit, on_date=on, horizon_days=horizon, requested_by=request.user
        )
        record(
            actor=request.user,
            action="sentencing.screening.start",
            obj=run,
            unit=unit,
            summary=f"减刑假释条件筛查:{unit.name},{on},预测{horizon}天",
        )
        transaction.on_commit(lambda: tasks.run_screening.delay(run.pk))
    return redirect("sentencing_screening:run", pk=run.pk)


def _run_for(user, pk: int) -> ScreeningRun:
    run = _runs_for(user).filter(pk=pk).first()
    if run is None:
        raise Http404
    return run


@login_required
@permission_required(PERM, raise_exception=True)
def screening_run(request, pk: int):
    run = _run_for(request.user, pk)
    template = (
        "sentencing/_screening_progress.html" if request.htmx else "sentencing/screening_run.html"
    )
    return render(request, template, {"run": run, "merit_labels": MERIT_LABELS})


@login_required
@permission_required(PERM, raise_exception=True)
def screening_export(request, pk: int):
    run = _run_for(request.user, pk)
    if run.status != "done":
        raise Http404
    record(
        actor=request.user,
        action="sentencing.screening.export",
        obj=run,
        unit=run.unit,
        summary=f"导出条件筛查结果:{run.unit.name} {run.on_date}",
    )
    return xlsx_response(
        screening.screening_workbook(run), f"减刑假释条件筛查-{run.unit.name}-{run.on_date}.xlsx"
    )
