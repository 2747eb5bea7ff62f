"""Forms of the registry pages: the list's filters, the conduct records and the import.

The forms check only the shape of the input (a number, a date); every rule is the services'
(future months, parts above 100, evidence for a merit …), whose reasons are put back on the
fields by ``tongxin.web.pages.add_service_errors``.
"""

from __future__ import annotations

from django import forms
from django.db.models import QuerySet

from tongxin.org.models import Officer, Unit

from .models import (
    Category,
    CustodyStatus,
    JobAssignment,
    PunishmentKind,
    RewardKind,
    SentenceType,
    ViolationSeverity,
)

MONTH_FORMATS = ["%Y-%m", "%Y-%m-%d"]


class _Styled:
    """Bootstrap classes on every widget (as in org.forms)."""

    def _style(self) -> None:
        for field in self.fields.values():
            widget = field.widget
            css = "form-select" if isinstance(widget, forms.Select) else "form-control"
            if isinstance(widget, forms.CheckboxInput):
                css = "form-check-input"
            widget.attrs.setdefault("class", css)


class UnitChoiceField(forms.ModelChoiceField):
    """Units indented by depth, so a long select still reads as a tree."""

    def label_from_instance(self, obj: Unit) -> str:
        return "\u3000" * obj.depth + obj.name


class OfficerChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Officer) -> str:
        return f"{obj.name}({obj.police_number},{obj.unit.name})"


class MonthField(forms.DateField):
    widget = forms.DateInput(attrs={"type": "month"}, format="%Y-%m")

    def __init__(self, **kwargs):
        super().__init__(input_formats=MONTH_FORMATS, **kwargs)


def _date_field(label: str, **kwargs) -> forms.DateField:
    return forms.DateField(
        label=label,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        **kwargs,
    )


def _text(label: str, max_length: int = 300, **kwargs) -> forms.CharField:
    # Not required at the form: an empty reason reaches the service, which says why it is
    # needed in the words of the rule.
    return forms.CharField(label=label, max_length=max_length, required=False, **kwargs)


class PrisonerFilterForm(_Styled, forms.Form):
    q = forms.CharField(label="姓名/罪犯编号", required=False)
    under = UnitChoiceField(label="单位", queryset=None, required=False, empty_label="全部")
    status = forms.ChoiceField(
        label="状态", required=False, choices=[("", "全部"), *CustodyStatus.choices]
    )
    sentence_type = forms.ChoiceField(
        label="刑种", required=False, choices=[("", "全部"), *SentenceType.choices]
    )
    category = forms.ChoiceField(
        label="从严类别", required=False, choices=[("", "全部"), *Category.choices]
    )

    def __init__(self, *args, units: QuerySet[Unit], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["under"].queryset = units
        self._style()


class _ConductForm(_Styled, forms.Form):
    """A record about one prisoner, proposed or made by an officer of the prisoner's prison
    (``officers``: ``selectors.prison_officers``)."""

    officer_label = "考核民警"
    officer = OfficerChoiceField(label="民警", queryset=Officer.objects.none())

    def __init__(self, *args, officers: QuerySet[Officer], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["officer"].queryset = officers
        self.fields["officer"].label = self.officer_label
        self._style()


class BaseScoreForm(_ConductForm):
    field_order = ["month", "supervision", "education", "labour", "officer"]
    month = MonthField(label="考核月份")
    supervision = forms.DecimalField(label="监管改造分", max_digits=5, decimal_places=1)
    education = forms.DecimalField(label="教育改造分", max_digits=5, decimal_places=1)
    labour = forms.DecimalField(label="劳动改造分", max_digits=5, decimal_places=1)


class AdjustmentForm(_ConductForm):
    field_order = ["month", "points", "reason", "officer"]
    month = MonthField(label="考核月份")
    points = forms.DecimalField(
        label="加扣分", max_digits=6, decimal_places=1, help_text="加分填正数,扣分填负数"
    )
    reason = _text("事由", 200)


class ReverseForm(_Styled, forms.Form):
    reason = _text("冲正原因", 200)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._style()


class RevokeForm(ReverseForm):
    reason = _text("撤销原因", 300)


class RewardForm(_ConductForm):
    officer_label = "呈报民警"
    field_order = ["kind", "awarded_on", "reason", "evidence", "rests_on_invention", "officer"]
    kind = forms.ChoiceField(
        label="奖励类别",
        choices=[c for c in RewardKind.choices if c[0] != RewardKind.COMMENDATION],
        help_text="表扬由计分考核累计分自动获得,不在此录入。",
    )
    awarded_on = _date_field("奖励日期")
    reason = _text("事由")
    evidence = forms.CharField(
        label="证据材料",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="立功、重大立功须填写。",
    )
    rests_on_invention = forms.BooleanField(
        label="以专利或发明创造为依据",
        required=False,
        help_text="内控风险点:须评审员书面处置。",
    )


class PunishmentForm(_ConductForm):
    officer_label = "呈报民警"
    field_order = ["kind", "decided_on", "reason", "officer"]
    kind = forms.ChoiceField(label="处罚类别", choices=PunishmentKind.choices)
    decided_on = _date_field("决定日期")
    reason = _text("事由")


class ViolationForm(_ConductForm):
    officer_label = "记录民警"
    field_order = ["severity", "occurred_on", "description", "officer"]
    severity = forms.ChoiceField(label="违规性质", choices=ViolationSeverity.choices)
    occurred_on = _date_field("发生日期")
    description = _text("违规情况")


class JobForm(_ConductForm):
    officer_label = "安排民警"
    field_order = ["post", "intensity", "started_on", "officer"]
    post = _text("劳动岗位", 50)
    intensity = forms.TypedChoiceField(
        label="劳动强度",
        coerce=int,
        choices=JobAssignment.Intensity.choices,
        initial=JobAssignment.Intensity.NORMAL,
    )
    started_on = _date_field("起始日期")


class ImportForm(forms.Form):
    file = forms.FileField(label="Excel 文件(.xlsx)")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["file"].widget.attrs.update({"class": "form-control", "accept": ".xlsx"})

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > 20 * 1024 * 1024:
            raise forms.ValidationError("文件不能超过 20 MB")
        if not upload.name.lower().endswith(".xlsx"):
            raise forms.ValidationError("请上传 .xlsx 格式的 Excel 文件")
        return upload
