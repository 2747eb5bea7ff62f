from __future__ import annotations

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from . import idcard


def validate_id_number(value: str) -> None:
    reason = idcard.problem(value)
    if reason:
        raise ValidationError(reason, code="invalid_id_number")


class CharacterClassValidator:
    """A password needs at least three of: lower case, upper case, digits, other characters."""

    def validate(self, password: str, user=None) -> None:
        classes = [
            any(c.islower() for c in password),
            any(c.isupper() for c in password),
            any(c.isdigit() for c in password),
            any(not c.isalnum() for c in password),
        ]
        if sum(classes) < 3:
            raise ValidationError(
                _("密码须至少包含小写字母、大写字母、数字、符号中的三类。"),
                code="password_too_simple",
            )

    def get_help_text(self) -> str:
        return _("密码须至少包含小写字母、大写字母、数字、符号中的三类。")
