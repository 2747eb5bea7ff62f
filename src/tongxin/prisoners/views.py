"""Pages of the prisoner registry and the conduct ledgers; thin: they read through the
selectors (scoped: a prisoner outside the user's scope is a 404) and write through the
services, which check permission and scope again, validate and audit.

The recording forms (points, rewards, punishments, violations, jobs, reversals and
revocations) are one generic view each, parameterised by a small table of actions. On the
detail page they open in place with htmx; without JavaScript they are ordinary pages.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods
from django_htmx.http import HttpResponseClientRedirect

from tongxin.audit.services import record
from tongxin.web.pages import add_service_errors, query_without_page, xlsx_response

from . import excel, exports, imports, selectors, services
from .forms import (
    AdjustmentForm,
    BaseScoreForm,
    ImportForm,
    JobForm,
    PrisonerFilterForm,
    PunishmentForm,
    ReverseForm,
    RevokeForm,
    RewardForm,
    ViolationForm,
)
from .models import (
    CustodyStatus,
    PointsEntry,
    PointsKind,
    Prisoner,
    Punishment,
    Reward,
    Violation,
)

# --- the registry ---------------------------------------------------------------------------


def _filtered(request):
    """The list's filters from the query string: an ``under`` outside the scope is a 404;
    any other bad value is ignored (the form shows it)."""
    form = PrisonerFilterForm(request.GET or None, units=selectors.filter_units(request.user))
    filters = {}
    if form.is_bound:
        form.is_valid()
        if "under" in form.errors:
            raise Http404("单位不存在或不在您的数据范围内")
        filters = {k: v for k, v in form.cleaned_data.items() if v}
    rows = selectors.prisoners_for(
        request.user,
        under=filters.get("under"),
        search=filters.get("q", "").strip(),
        status=filters.get("status", ""),
        sentence_type=filters.get("sentence_type", ""),
        category=filters.get("category", ""),
    )
    return form, filters.get("under"), rows


@login_required
@permission_required("prisoners.view_prisoner", raise_exception=True)
def prisoner_list(request):
    form, under, rows = _filtered(request)
    page = Paginator(rows, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "prisoners/prisoner_list.html",
        {
            "form": form,
            "under": under,
            "page_obj": page,
            "query": query_without_page(request),
            "show_id": selectors.can_see_id_numbers(request.user),
        },
    )


@login_required
@permission_required("prisoners.export_prisoners", raise_exception=True)
def prisoner_export(request):
    _, under, rows = _filtered(request)
    show_id = selectors.can_see_id_numbers(request.user)
    content, count = exports.prisoners_workbook(rows, show_id=show_id)
    record(
        actor=request.user,
        action="prisoners.prisoner.export",
        unit=under,
        summary=f"导出罪犯名册 {count} 人{'(含完整身份证号)' if show_id else ''}",
    )
    return xlsx_response(content, f"罪犯名册-{timezone.localdate():%Y%m%d}.xlsx")


@login_required
@permission_required("prisoners.view_prisoner", raise_exception=True)
def prisoner_detail(request, pk: int):
    user = request.user
    prisoner = selectors.prisoner_for(user, pk)
    changes = list(prisoner.changes.select_related("recorded_by"))
    ledger = selectors.ledger(prisoner)
    level, explanation = selectors.merit_of(prisoner, changes=changes)
    return render(
        request,
        "prisoners/prisoner_detail.html",
        {
            "prisoner": prisoner,
            "show_id": selectors.can_see_id_numbers(user),
            "changes": changes,
            "current_sentence": prisoner.current_sentence_label(changes),
            "jobs": list(prisoner.jobs.select_related("assigned_by")),
            "ledger": ledger,
            "points_total": ledger[0].running_total if ledger else 0,
            "rewards": selectors.with_revocations(selectors.rewards_of(prisoner)),
            "punishments": selectors.with_revocations(selectors.punishments_of(prisoner)),
            "violations": selectors.with_revocations(selectors.violations_of(prisoner)),
            "merit_level": level,
            "merit_label": selectors.merit_label(level),
            "merit_explanation": explanation,
            "eligibility": _eligibility(prisoner, changes, level),
        },
    )


def _eligibility(prisoner, changes, merit: str | None) -> dict | None:
    """The rule engine's verdict for today and the term's end, read through the sentencing
    app (which owns the law); ``None`` for a prisoner no longer in custody."""
    from tongxin.sentencing import engine, judge

    if prisoner.status != CustodyStatus.IN_CUSTODY:
        return None
    try:
        verdict, version = judge.verdict_for(
            prisoner, on=timezone.localdate(), merit=merit, changes=changes
        )
    except engine.HistoryError as error:
        return {"error": str(error)}
    return {
        "verdict": verdict,
        "version": version,
        "term_end": judge.term_end(prisoner, changes),
    }


# --- recording --------------------------------------------------------------------------------


def _previous_month(today: dt.date) -> dt.date:
    return (today.replace(day=1) - dt.timedelta(days=1)).replace(day=1)


@dataclass(frozen=True)
class RecordAction:
    """One kind of record made on a prisoner's page: its form, permission and service."""

    title: str
    perm: str
    form: type
    save: Callable
    done: Callable[[object], str]
    initial: Callable[[dt.date], dict] = lambda today: {}


RECORD_ACTIONS: dict[str, RecordAction] = {
    "base": RecordAction(
        "录入月度基础分",
        "prisoners.add_pointsentry",
        BaseScoreForm,
        lambda user, prisoner, data: services.record_monthly_base(
            user=user, prisoner=prisoner, **data
        ),
        lambda entry: f"已录入{entry.month:%Y年%m月}基础分 {entry.points} 分。",
        lambda today: {"month": _previous_month(today)},
    ),
    "adjustment": RecordAction(
        "加分 / 扣分",
        "prisoners.add_pointsentry",
        AdjustmentForm,
        lambda user, prisoner, data: services.record_adjustment(
            user=user, prisoner=prisoner, **data
        ),
        lambda entry: (
            f"已录入{entry.month:%Y年%m月}{entry.get_kind_display()} {entry.points:+} 分。"
        ),
        lambda today: {"month": today.replace(day=1)},
    ),
    "reward": RecordAction(
        "录入奖励(物质奖励、立功、重大立功)",
        "prisoners.add_reward",
        RewardForm,
        lambda user, prisoner, data: services.award(user=user, prisoner=prisoner, **data),
        lambda reward: f"已录入{reward.get_kind_display()}。",
        lambda today: {"awarded_on": today},
    ),
    "punishment": RecordAction(
        "录入处罚",
        "prisoners.add_punishment",
        PunishmentForm,
        lambda user, prisoner, data: services.punish(user=user, prisoner=prisoner, **data),
        lambda punishment: f"已录入{punishment.get_kind_display()}处罚。",
        lambda today: {"decided_on": today},
    ),
    "violation": RecordAction(
        "录入违规",
        "prisoners.add_violation",
        ViolationForm,
        lambda user, prisoner, data: services.record_violation(
            user=user, prisoner=prisoner, **data
        ),
        lambda violation: f"已录入{violation.get_severity_display()}记录。",
        lambda today: {"occurred_on": today},
    ),
    "job": RecordAction(
        "调整劳动岗位",
        "prisoners.add_jobassignment",
        JobForm,
        lambda user, prisoner, data: services.assign_job(user=user, prisoner=prisoner, **data),
        lambda job: f"劳动岗位已调整为{job.post}。",
        lambda today: {"started_on": today},
    ),
}


@dataclass(frozen=True)
class CancelAction:
    """Cancelling a ledger line (冲正) or revoking a reward, punishment or violation."""

    title: str
    perm: str
    model: type
    form: type
    save: Callable
    done: str


CANCEL_ACTIONS: dict[str, CancelAction] = {
    "points": CancelAction(
        "冲正计分条目",
        "prisoners.add_pointsentry",
        PointsEntry,
        ReverseForm,
        lambda user, row, reason: services.reverse_points(user=user, entry=row, reason=reason),
        "已冲正该计分条目。",
    ),
    "reward": CancelAction(
        "撤销奖励",
        "prisoners.add_reward",
        Reward,
        RevokeForm,
        lambda user, row, reason: services.revoke_reward(user=user, reward=row, reason=reason),
        "已撤销该奖励。",
    ),
    "punishment": CancelAction(
        "撤销处罚",
        "prisoners.add_punishment",
        Punishment,
        RevokeForm,
        lambda user, row, reason: services.revoke_punishment(
            user=user, punishment=row, reason=reason
        ),
        "已撤销该处罚。",
    ),
    "violation": CancelAction(
        "撤销违规记录",
        "prisoners.add_violation",
        Violation,
        RevokeForm,
        lambda user, row, reason: services.revoke_violation(
            user=user, violation=row, reason=reason
        ),
        "已撤销该违规记录。",
    ),
}


def _prisoner_and_perm(request, pk: int, perm: str) -> Prisoner:
    """The prisoner (404 outside the scope), then the permission (403)."""
    prisoner = selectors.prisoner_for(request.user, pk)
    if not request.user.has_perm(perm):
        raise PermissionDenied("您没有执行此操作的权限")
    return prisoner


def _done(request, prisoner: Prisoner, message: str):
    messages.success(request, message)
    url = reverse("prisoners:detail", args=[prisoner.pk])
    if request.htmx:
        return HttpResponseClientRedirect(url)
    return redirect(url)


def _form_page(request, context: dict):
    template = "prisoners/_action_form.html" if request.htmx else "prisoners/action_form.html"
    return render(request, template, context)


@login_required
@permission_required("prisoners.view_prisoner", raise_exception=True)
@require_http_methods(["GET", "POST"])
def record_form(request, pk: int, action: str):
    spec = RECORD_ACTIONS.get(action)
    if spec is None:
        raise Http404("参数有误")
    prisoner = _prisoner_and_perm(request, pk, spec.perm)
    officers = selectors.prison_officers(prisoner)
    initial = spec.initial(timezone.localdate())
    if request.user.officer_id:
        initial["officer"] = request.user.officer_id
    form = spec.form(request.POST or None, officers=officers, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            saved = spec.save(request.user, prisoner, form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            return _done(request, prisoner, spec.done(saved))
    return _form_page(
        request,
        {
            "prisoner": prisoner,
            "form": form,
            "title": spec.title,
            "action_url": reverse("prisoners:record", args=[prisoner.pk, action]),
        },
    )


@login_required
@permission_required("prisoners.view_prisoner", raise_exception=True)
@require_http_methods(["GET", "POST"])
def cancel_form(request, pk: int, what: str, item: int):
    spec = CANCEL_ACTIONS.get(what)
    if spec is None:
        raise Http404("参数有误")
    prisoner = _prisoner_and_perm(request, pk, spec.perm)
    row = get_object_or_404(spec.model, pk=item, prisoner=prisoner)
    form = spec.form(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            spec.save(request.user, row, form.cleaned_data["reason"])
        except ValidationError as exc:
            # "Already reversed" names the entry, not a field: it goes above the form.
            add_service_errors(form, exc)
        else:
            return _done(request, prisoner, spec.done)
    return _form_page(
        request,
        {
            "prisoner": prisoner,
            "form": form,
            "title": spec.title,
            "subject": row,
            "subject_is_points": isinstance(row, PointsEntry),
            "base_kind": PointsKind.BASE,
            "action_url": reverse("prisoners:cancel", args=[prisoner.pk, what, row.pk]),
        },
    )


# --- import -----------------------------------------------------------------------------------


@login_required
@permission_required("prisoners.add_prisoner", raise_exception=True)
@require_http_methods(["GET", "POST"])
def import_page(request):
    form = ImportForm(request.POST or None, request.FILES or None)
    report = None
    if request.method == "POST" and form.is_valid():
        report = imports.import_prisoners(user=request.user, data=form.cleaned_data["file"].read())
        if report.ok:
            messages.success(request, f"导入成功:新增罪犯 {report.created} 人。")
            return redirect("prisoners:import")
        messages.error(request, f"文件中有 {len(report.errors)} 处错误,未导入任何数据。")
    return render(request, "prisoners/import.html", {"form": form, "report": report})


@login_required
@permission_required("prisoners.add_prisoner", raise_exception=True)
def import_template(request):
    return xlsx_response(excel.template(), "罪犯名册导入模板.xlsx")
