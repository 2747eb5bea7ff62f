"""Forms of the review pages: the list's filters, the proposal, and one form per act on a
case. Every act on a case carries the version the user saw (``expected_version``, hidden): the
service refuses it when someone else acted meanwhile."""

from __future__ import annotations

import datetime as dt

from django import forms
from django.db.models import QuerySet
from django.utils import timezone

from tongxin.org.models import Unit

from .models import CaseKind, CaseStatus

DATE_WIDGET = {"type": "date"}
DECISIONS = [("approve", "同意"), ("reject", "不同意")]
TEMPORARY_GROUNDS = (
    ("serious_illness", "有严重疾病需要保外就医"),
    ("pregnant_or_nursing", "怀孕或者正在哺乳自己的婴儿"),
    ("unable_to_self_care", "生活不能自理"),
    ("may_endanger_society", "可能有社会危险性"),
    ("self_harm_to_obtain", "自伤自残以取得保外就医"),
)


class _Styled:
    """Bootstrap classes on every widget (as in the other apps' forms)."""

    def _style(self) -> None:
        for field in self.fields.values():
            widget = field.widget
            if isinstance(widget, forms.HiddenInput):
                continue
            if isinstance(widget, forms.CheckboxInput | forms.RadioSelect):
                css = "form-check-input"
            elif isinstance(widget, forms.Select):
                css = "form-select"
            else:
                css = "form-control"
            widget.attrs.setdefault("class", css)
            if isinstance(widget, forms.Textarea):
                widget.attrs["rows"] = "3"


class UnitChoiceField(forms.ModelChoiceField):
    """Units indented by depth, so a long select still reads as a tree."""

    def label_from_instance(self, obj: Unit) -> str:
        return "\u3000" * obj.depth + obj.name


def year_choices(today: dt.date, back: int = 6) -> list[tuple[str, str]]:
    return [("", "全部")] + [(str(y), f"{y}年") for y in range(today.year, today.year - back, -1)]


class CaseFilterForm(_Styled, forms.Form):
    q = forms.CharField(label="姓名/罪犯编号/案件编号", required=False)
    kind = forms.ChoiceField(
        label="类别", required=False, choices=[("", "全部"), *CaseKind.choices]
    )
    status = forms.ChoiceField(
        label="状态", required=False, choices=[("", "全部"), *CaseStatus.choices]
    )
    year = forms.TypedChoiceField(label="提请年度", required=False, coerce=int, empty_value=None)
    under = UnitChoiceField(label="单位", queryset=None, required=False, empty_label="全部")

    def __init__(self, *args, units: QuerySet[Unit], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["under"].queryset = units
        self.fields["year"].choices = year_choices(timezone.localdate())
        self._style()
        for name in ("kind", "status", "year", "under"):
            self.fields[name].widget.attrs["data-autosubmit"] = ""


class ProposeForm(_Styled, forms.Form):
    kind = forms.ChoiceField(label="案件类别", choices=CaseKind.choices, widget=forms.RadioSelect)
    proposed_months = forms.IntegerField(
        label="建议减刑幅度(月)",
        required=False,
        min_value=1,
        max_value=36,
        help_text="有期徒刑减刑填写月数",
    )
    proposed_to_years = forms.IntegerField(
        label="建议减为有期徒刑(年)",
        required=False,
        min_value=1,
        max_value=25,
        help_text="无期徒刑(或死缓减为无期后)减为有期徒刑时填写年数",
    )
    reasons = forms.CharField(label="提请理由(监区集体研究意见)", widget=forms.Textarea)
    risk_assessment = forms.CharField(
        label="再犯罪危险评估", required=False, widget=forms.Textarea, help_text="假释案件必填"
    )
    medical_assessment = forms.CharField(
        label="病情诊断或检查证明",
        required=False,
        widget=forms.Textarea,
        help_text="保外就医须附省级人民政府指定医院的诊断证明",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name, label in TEMPORARY_GROUNDS:
            self.fields[f"ground_{name}"] = forms.BooleanField(label=label, required=False)
        self._style()

    def ground_fields(self):
        return [self[f"ground_{name}"] for name, _ in TEMPORARY_GROUNDS]

    def temporary_grounds(self) -> dict[str, bool]:
        return {
            name: bool(self.cleaned_data.get(f"ground_{name}")) for name, _ in TEMPORARY_GROUNDS
        }


class _CaseActForm(_Styled, forms.Form):
    expected_version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)

    def __init__(self, *args, version: int | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        if version is not None:
            self.fields["expected_version"].initial = version
        self._style()


class DecisionForm(_CaseActForm):
    """A decision step: section review, committee, director's meeting, the bureau's
    approval (the step is the one the case waits for, kept hidden)."""

    step = forms.CharField(widget=forms.HiddenInput)
    decision = forms.ChoiceField(label="意见", choices=DECISIONS, widget=forms.RadioSelect)
    opinion = forms.CharField(label="意见内容", widget=forms.Textarea)


class ReviewForm(_CaseActForm):
    """A drawn reviewer's opinion (评审中心)."""

    decision = forms.ChoiceField(label="评审意见", choices=DECISIONS, widget=forms.RadioSelect)
    opinion = forms.CharField(label="评审理由", widget=forms.Textarea)


class WithdrawForm(_CaseActForm):
    opinion = forms.CharField(label="撤回原因", widget=forms.Textarea)


class NoticeForm(_CaseActForm):
    notice_start = forms.DateField(
        label="公示开始日期",
        widget=forms.DateInput(attrs=DATE_WIDGET, format="%Y-%m-%d"),
        help_text="公示不少于5个工作日,截止日按工作日历计算",
    )


class CloseNoticeForm(_CaseActForm):
    pass


class SubmitForm(_CaseActForm):
    pass


class RulingForm(_CaseActForm):
    granted = forms.TypedChoiceField(
        label="裁定结果",
        choices=[("1", "裁定(批准)"), ("0", "裁定不予减刑、假释")],
        coerce=lambda v: v == "1",
        widget=forms.RadioSelect,
    )
    ruling_date = forms.DateField(
        label="裁定日期", widget=forms.DateInput(attrs=DATE_WIDGET, format="%Y-%m-%d")
    )
    ruling_number = forms.CharField(label="裁定书号", max_length=60)
    ruling_months = forms.IntegerField(
        label="裁定减刑(月)", required=False, min_value=1, max_value=36
    )
    ruling_to_years = forms.IntegerField(
        label="裁定减为有期徒刑(年)", required=False, min_value=1, max_value=25
    )


class DisposeForm(_CaseActForm):
    disposition = forms.CharField(label="处置意见", widget=forms.Textarea)


class ObjectionForm(_Styled, forms.Form):
    received_on = forms.DateField(
        label="收到日期", widget=forms.DateInput(attrs=DATE_WIDGET, format="%Y-%m-%d")
    )
    objector = forms.CharField(label="反映人", max_length=100, required=False)
    content = forms.CharField(label="异议内容", widget=forms.Textarea)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._style()


class AnswerForm(_Styled, forms.Form):
    answer = forms.CharField(label="核查答复", widget=forms.Textarea)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._style()
