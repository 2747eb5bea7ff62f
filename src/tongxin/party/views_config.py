"""Configuration pages: the bureau's organisational-life requirements, the quarterly on-site
observations (现场观摩) and activity attachments. Thin, like the other party pages: reads go
through scoped selectors, writes through ``config_services``/``services`` (which check
permission and scope again, validate and audit). Anything outside the user's scope is a 404.
"""

from __future__ import annotations

import datetime as dt

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from tongxin.org import scope
from tongxin.web.pages import add_service_errors, int_or_404, query_without_page

from . import config_services, reports, selectors, services
from .compliance import Frequency
from .forms import _Styled
from .models import ActivityAttachment, ActivityKind, Observation, RequirementSetting

OBSERVABLE_DAYS = 120
FREQUENCY_CHOICES = [(f.value, f.label) for f in Frequency]


# --- forms --------------------------------------------------------------------------------


class RequirementForm(_Styled, forms.Form):
    frequency = forms.ChoiceField(label="频次", choices=FREQUENCY_CHOICES)
    # No min_value here: the service gives the reason, in Chinese, and writes nothing.
    minimum = forms.IntegerField(label="每期至少次数")
    is_active = forms.BooleanField(label="启用", required=False)

    def __init__(self, *args, setting: RequirementSetting, **kwargs):
        super().__init__(
            *args,
            prefix=f"r{setting.pk}",
            initial={
                "frequency": setting.frequency,
                "minimum": setting.minimum,
                "is_active": setting.is_active,
            },
            **kwargs,
        )
        self.setting = setting
        self._style()
        self.fields["frequency"].widget.attrs["class"] = "form-select form-select-sm"
        self.fields["minimum"].widget.attrs.update(
            {"class": "form-control form-control-sm", "min": "1"}
        )
        # The row's inputs sit in table cells; ``form=`` ties them to the row's <form>.
        for field in self.fields.values():
            field.widget.attrs["form"] = f"req-{setting.pk}"


class ActivityChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj) -> str:
        return f"{obj.held_on:%Y-%m-%d} {obj.organization.name} · {obj.topic}"


class ObservationForm(_Styled, forms.Form):
    activity = ActivityChoiceField(label="观摩的主题党日", queryset=None)
    observers = forms.CharField(label="观摩人员", max_length=300)
    comments = forms.CharField(label="点评意见", widget=forms.Textarea, required=False)
    score = forms.DecimalField(label="评分", max_digits=5, decimal_places=1)

    def __init__(self, *args, user, today: dt.date, **kwargs):
        super().__init__(*args, prefix="obs", **kwargs)
        self.fields["activity"].queryset = selectors.activities_for(
            user,
            kind=ActivityKind.THEMED_DAY,
            date_from=today - dt.timedelta(days=OBSERVABLE_DAYS),
            date_to=today,
        )
        self.fields["activity"].error_messages["invalid_choice"] = (
            "请选择近120天内、您数据范围内的主题党日。"
        )
        self._style()
        self.fields["comments"].widget.attrs["rows"] = "4"


# --- requirements -------------------------------------------------------------------------


@login_required
@permission_required("party.manage_party_rules", raise_exception=True)
@require_http_methods(["GET", "POST"])
def requirements(request):
    user = request.user
    settings = list(RequirementSetting.objects.order_by("org_kind", "kind", "by_secretary", "id"))
    action = request.POST.get("action") if request.method == "POST" else None
    if action == "initialise":
        try:
            created = config_services.initialise_requirements(user=user)
        except ValidationError as exc:
            for message in exc.messages:
                messages.error(request, message)
        else:
            messages.success(request, f"已按制度默认值初始化 {len(created)} 项组织生活要求。")
        return redirect("party_config:requirements")
    edited = None
    if action == "update":
        pk = int_or_404(request.POST.get("setting"))
        edited = next((s for s in settings if s.pk == pk), None)
        if edited is None:
            raise Http404("要求不存在")
    elif request.method == "POST":
        raise Http404("参数有误")
    rows = []
    for setting in settings:
        bound = request.POST if setting is edited else None
        form = RequirementForm(bound, setting=setting)
        if bound is not None and form.is_valid():
            data = form.cleaned_data
            try:
                config_services.update_requirement(
                    user=user,
                    setting=setting,
                    frequency=data["frequency"],
                    minimum=data["minimum"],
                    is_active=data["is_active"],
                )
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, f"已保存:{setting}。")
                return redirect("party_config:requirements")
        rows.append({"setting": setting, "form": form})
    return render(
        request,
        "party/config_requirements.html",
        {
            "effective": reports.requirements(),
            "configured": bool(settings),
            "rows": rows,
        },
    )


# --- observations -------------------------------------------------------------------------


@login_required
@permission_required("party.view_activity", raise_exception=True)
@require_http_methods(["GET", "POST"])
def observations(request):
    user = request.user
    today = timezone.localdate()
    rows = scope.scoped(
        Observation.objects.select_related("activity__organization", "recorded_by"),
        user,
        "activity__organization__unit__path",
    ).order_by("-quarter", "-id")
    can_record = user.has_perm("party.change_partyorganization")
    form = None
    if can_record:
        form = ObservationForm(
            request.POST if request.method == "POST" else None, user=user, today=today
        )
    if request.method == "POST":
        if form is None:
            raise PermissionDenied("您没有登记现场观摩的权限")
        if form.is_valid():
            data = form.cleaned_data
            try:
                observation = services.record_observation(
                    user=user,
                    activity=data["activity"],
                    observers=data["observers"],
                    comments=data["comments"],
                    score=data["score"],
                )
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(
                    request,
                    f"已登记{observation.quarter}现场观摩:"
                    f"{observation.activity.organization.name}。",
                )
                return redirect("party_config:observations")
    page = Paginator(rows, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "party/config_observations.html",
        {"page_obj": page, "query": query_without_page(request), "form": form},
    )


# --- attachments --------------------------------------------------------------------------


@login_required
@permission_required("party.change_activity", raise_exception=True)
@require_POST
def attachment_upload(request, pk: int):
    user = request.user
    activity = selectors.activity_for(user, pk)
    upload = request.FILES.get("file")
    try:
        attachment = config_services.add_attachment(user=user, activity=activity, upload=upload)
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    else:
        messages.success(request, f"已上传附件:{attachment.name}。")
    return redirect("party:activity-detail", activity.pk)


@login_required
@permission_required("party.view_activity", raise_exception=True)
@require_GET
def attachment_download(request, pk: int):
    try:
        attachment = scope.scoped(
            ActivityAttachment.objects.select_related("activity__organization__unit"),
            request.user,
            "activity__organization__unit__path",
        ).get(pk=pk)
    except ActivityAttachment.DoesNotExist as exc:
        raise Http404("附件不存在或不在您的数据范围内") from exc
    try:
        handle = attachment.file.open("rb")
    except FileNotFoundError as exc:
        raise Http404("附件文件已丢失") from exc
    return FileResponse(handle, as_attachment=True, filename=attachment.name)
