"""Pages for units and officers: thin, they call selectors and services."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from tongxin.audit.selectors import object_history
from tongxin.audit.services import record
from tongxin.web.pages import add_service_errors, query_without_page, xlsx_response

from . import excel, exports, imports, scope, selectors, services
from .forms import ImportForm, OfficerFilterForm, OfficerForm, UnitFilterForm, UserAccessForm
from .models import Officer


@login_required
@permission_required("org.view_unit", raise_exception=True)
def unit_list(request):
    form = UnitFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    under = selectors.unit_for(request.user, filters["under"]) if filters.get("under") else None
    units = selectors.units_for(
        request.user, under=under, kind=filters.get("kind", ""), q=filters.get("q", "")
    )
    page = Paginator(units, 100).get_page(request.GET.get("page"))
    return render(
        request,
        "org/unit_list.html",
        {
            "form": form,
            "under": under,
            "page_obj": page,
            "query": query_without_page(request),
            "tops": scope.top_units(request.user),
        },
    )


@login_required
@permission_required("org.view_unit", raise_exception=True)
def unit_detail(request, pk: int):
    unit = selectors.unit_for(request.user, pk)
    return render(
        request,
        "org/unit_detail.html",
        {
            "unit": unit,
            "ancestors": [a for a in unit.ancestors() if scope.can_see_unit(request.user, a)],
            "children": selectors.unit_children_with_counts(request.user, unit),
            "counts": selectors.subtree_counts(request.user, unit),
        },
    )


@login_required
@permission_required("org.view_unit", raise_exception=True)
def unit_export(request):
    form = UnitFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    under = selectors.unit_for(request.user, filters["under"]) if filters.get("under") else None
    units = selectors.units_for(
        request.user, under=under, kind=filters.get("kind", ""), q=filters.get("q", "")
    )
    content, count = exports.units_workbook(units)
    record(actor=request.user, action="org.unit.export", unit=under, summary=f"导出单位 {count} 个")
    return xlsx_response(content, f"单位-{dt.date.today():%Y%m%d}.xlsx")


def _officer_filters(request):
    form = OfficerFilterForm(request.GET or None)
    filters = dict(form.cleaned_data) if form.is_valid() else {}
    unit_id = filters.pop("unit", None)
    under = selectors.unit_for(request.user, unit_id) if unit_id else None
    return form, under, {k: v for k, v in filters.items() if v}


@login_required
@permission_required("org.view_officer", raise_exception=True)
def officer_list(request):
    form, under, filters = _officer_filters(request)
    officers = selectors.officers_for(request.user, under=under, **filters)
    page = Paginator(officers, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "org/officer_list.html",
        {
            "form": form,
            "under": under,
            "page_obj": page,
            "query": query_without_page(request),
            "show_id": selectors.can_see_id_numbers(request.user),
        },
    )


@login_required
@permission_required("org.export_officers", raise_exception=True)
def officer_export(request):
    _, under, filters = _officer_filters(request)
    officers = selectors.officers_for(request.user, under=under, **filters)
    show_id = selectors.can_see_id_numbers(request.user)
    content, count = exports.officers_workbook(officers, show_id=show_id)
    record(
        actor=request.user,
        action="org.officer.export",
        unit=under,
        summary=f"导出民警 {count} 人{'(含完整身份证号)' if show_id else ''}",
    )
    return xlsx_response(content, f"民警名单-{dt.date.today():%Y%m%d}.xlsx")


@login_required
@permission_required("org.view_officer", raise_exception=True)
def officer_detail(request, pk: int):
    officer = selectors.officer_for(request.user, pk)
    return render(
        request,
        "org/officer_detail.html",
        {
            "officer": officer,
            "show_id": selectors.can_see_id_numbers(request.user),
            "history": object_history(request.user, officer)[:20]
            if request.user.has_perm("audit.view_auditentry")
            else None,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def officer_edit(request, pk: int | None = None):
    officer = selectors.officer_for(request.user, pk) if pk else Officer()
    perm = "org.change_officer" if pk else "org.add_officer"
    if not request.user.has_perm(perm):
        raise PermissionDenied("您没有编辑民警信息的权限")
    units = scope.visible_units(request.user)
    form = OfficerForm(request.POST or None, instance=officer, units=units)
    if request.method == "POST" and form.is_valid():
        fields = {k: v for k, v in form.cleaned_data.items() if k != "version"}
        try:
            if pk:
                version = form.cleaned_data.get("version")
                saved = services.update_officer(
                    user=request.user,
                    officer=officer,
                    expected_updated_at=dt.datetime.fromisoformat(version) if version else None,
                    **fields,
                )
            else:
                saved = services.create_officer(user=request.user, **fields)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, f"已保存民警 {saved.name} 的信息。")
            return redirect("org:officer-detail", saved.pk)
    return render(request, "org/officer_form.html", {"form": form, "officer": officer})


@login_required
def import_page(request):
    if not (
        request.user.has_perm("org.import_units") or request.user.has_perm("org.import_officers")
    ):
        raise PermissionDenied("您没有导入数据的权限")
    form = ImportForm(request.POST or None, request.FILES or None)
    report = None
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data["file"].read()
        run = (
            imports.import_units
            if form.cleaned_data["kind"] == "units"
            else (imports.import_officers)
        )
        report = run(user=request.user, data=data)
        if report.ok:
            messages.success(
                request, f"导入成功:新增 {report.created} 条,更新 {report.updated} 条。"
            )
            return redirect("org:import")
        messages.error(request, f"文件中有 {len(report.errors)} 处错误,未导入任何数据。")
    return render(request, "org/import.html", {"form": form, "report": report})


@login_required
def import_template(request, kind: str):
    if kind == "units":
        content = excel.template_workbook(
            excel.UNIT_COLUMNS, ["P01D09", "九监区", "", "监区", "P01", 9], "单位"
        )
    else:
        content = excel.template_workbook(
            excel.OFFICER_COLUMNS,
            [
                "4200001",
                "张三",
                "男",
                "420106199001011231",
                "P01D01",
                "民警",
                "二级警督",
                "13800000000",
                "武汉",
                "武汉",
                "中共党员",
                "2012-08-01",
            ],
            "民警",
        )
    name = "单位导入模板" if kind == "units" else "民警导入模板"
    return xlsx_response(content, f"{name}.xlsx")


@login_required
@permission_required("org.change_user", raise_exception=True)
def user_list(request):
    q = request.GET.get("q", "").strip()
    page = Paginator(selectors.users_for(request.user, q=q), 50).get_page(request.GET.get("page"))
    return render(
        request,
        "org/user_list.html",
        {"page_obj": page, "q": q, "query": query_without_page(request)},
    )


@login_required
@permission_required("org.change_user", raise_exception=True)
@require_http_methods(["GET", "POST"])
def user_edit(request, pk: int | None = None):
    target = selectors.user_for(request.user, pk) if pk else None
    initial = {"is_active": True}
    if target is not None:
        initial = {
            "username": target.username,
            "police_number": target.officer.police_number if target.officer_id else "",
            "groups": list(target.groups.all()),
            "scope_units": list(target.scope_units.all()),
            "is_active": target.is_active,
        }
    form = UserAccessForm(
        request.POST or None,
        initial=initial,
        units=scope.visible_units(request.user),
        officers=selectors.officers_for(request.user, active=None),
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            saved = services.save_user_access(
                user=request.user,
                target=target,
                username=data["username"],
                officer=data["police_number"],
                groups=data["groups"],
                scope_units=data["scope_units"],
                is_active=data["is_active"],
                initial_password=data["initial_password"],
            )
        except ValidationError as exc:
            add_service_errors(form, exc, fallback="initial_password" if target is None else None)
        else:
            messages.success(request, f"已保存账号 {saved.username}。")
            return redirect("org:user-list")
    return render(request, "org/user_form.html", {"form": form, "target": target})
