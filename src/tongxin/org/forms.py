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


class UserAccessForm(_Styled, forms.Form):
    """A login's roles and data scope; the officer is found by police number."""

    username = forms.CharField(label="用户名", max_length=150)
    police_number = forms.CharField(label="关联民警警号", required=False)
    groups = forms.ModelMultipleChoiceField(
        label="角色", queryset=None, required=False, widget=forms.CheckboxSelectMultiple
    )
    scope_units = forms.ModelMultipleChoiceField(
        label="数据范围", queryset=None, help_text="可多选;选中单位及其全部下级单位可见。"
    )
    is_active = forms.BooleanField(label="启用", required=False, initial=True)
    initial_password = forms.CharField(
        label="初始密码",
        required=False,
        widget=forms.PasswordInput(render_value=False),
        help_text="仅新建账号时填写;首次登录须修改。",
    )

    def __init__(self, *args, units=None, officers=None, **kwargs):
        from django.contrib.auth.models import Group

        super().__init__(*args, **kwargs)
        self.officers = officers
        self.fields["groups"].queryset = Group.objects.order_by("name")
        self.fields["scope_units"].queryset = units.exclude(
            kind__in=["department", "subdistrict", "village"]
        )
        self.fields["scope_units"].widget.attrs["size"] = 12
        self._style()
        self.fields["groups"].widget.attrs["class"] = "form-check-input"

    def clean_police_number(self):
        number = self.cleaned_data["police_number"].strip()
        if not number:
            return None
        officer = self.officers.filter(police_number=number).first()
        if officer is None:
            raise forms.ValidationError("该警号的民警不存在或不在您的数据范围内")
        return officer
