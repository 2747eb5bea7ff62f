from __future__ import annotations

from django import forms

from .models import Gender, Officer, PartyStatus, UnitKind


class _Styled:
    """Bootstrap classes on every widget."""

    def _style(self) -> None:
        for field in self.fields.values():
            widget = field.widget
            css = "form-select" if isinstance(widget, forms.Select) else "form-control"
            if isinstance(widget, forms.CheckboxInput):
                css = "form-check-input"
            widget.attrs.setdefault("class", css)


class OfficerFilterForm(_Styled, forms.Form):
    q = forms.CharField(label="姓名/警号/职务", required=False)
    gender = forms.ChoiceField(
        label="性别", required=False, choices=[("", "全部"), *Gender.choices]
    )
    party_status = forms.ChoiceField(
        label="政治面貌", required=False, choices=[("", "全部"), *PartyStatus.choices]
    )
    unit = forms.IntegerField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._style()


class UnitFilterForm(_Styled, forms.Form):
    q = forms.CharField(label="名称/代码", required=False)
    kind = forms.ChoiceField(
        label="类别", required=False, choices=[("", "全部"), *UnitKind.choices]
    )
    under = forms.IntegerField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._style()


class OfficerForm(_Styled, forms.ModelForm):
    """Edits an officer; ``updated_at`` travels with the form to detect concurrent edits."""

    version = forms.CharField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = Officer
        fields = [
            "police_number",
            "name",
            "gender",
            "id_number",
            "unit",
            "post",
            "rank",
            "phone",
            "home_region",
            "spouse_work_region",
            "party_status",
            "joined_on",
            "is_active",
        ]
        widgets = {"joined_on": forms.DateInput(attrs={"type": "date"})}

    def __init__(self, *args, units=None, **kwargs):
        super().__init__(*args, **kwargs)
        if units is not None:
            self.fields["unit"].queryset = units
        if self.instance.pk:
            self.fields["version"].initial = self.instance.updated_at.isoformat()
        self._style()

    def clean_id_number(self) -> str:
        return self.cleaned_data["id_number"].strip().upper()


class ImportForm(forms.Form):
    KIND_CHOICES = [("officers", "民警"), ("units", "单位")]
    kind = forms.ChoiceField(label="导入内容", choices=KIND_CHOICES)
    file = forms.FileField(label="Excel 文件(.xlsx)")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kind"].widget.attrs["class"] = "form-select"
        self.fields["file"].widget.attrs.update({"class": "form-control", "accept": ".xlsx"})

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > 20 * 1024 * 1024:
            raise forms.ValidationError("文件不能超过 20 MB")
        if not upload.name.lower().endswith(".xlsx"):
            raise forms.ValidationError("请上传 .xlsx 格式的 Excel 文件")
        return upload
