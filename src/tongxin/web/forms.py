from __future__ import annotations

from django import forms
from django.contrib.auth.forms import AuthenticationForm, PasswordChangeForm


class LoginForm(AuthenticationForm):
    error_messages = {
        "invalid_login": "用户名或密码不正确。连续多次输错将锁定账号 30 分钟。",
        "inactive": "该账号已停用。",
    }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["username"].label = "用户名"
        self.fields["password"].label = "密码"
        self.fields["username"].widget.attrs.update({"autofocus": True, "class": "form-control"})
        self.fields["password"].widget.attrs.update({"class": "form-control"})


class OwnPasswordChangeForm(PasswordChangeForm):
    """Django's form for validation; the save goes through ``services.change_own_password``."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["old_password"].label = "当前密码"
        self.fields["new_password1"].label = "新密码"
        self.fields["new_password2"].label = "确认新密码"
        for field in self.fields.values():
            field.widget.attrs["class"] = "form-control"


class MarkReadForm(forms.Form):
    ids = forms.CharField(required=False)
