from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _


class MixedCharactersValidator:
    """Passwords must mix letters and digits."""

    def validate(self, password: str, user=None) -> None:  # type: ignore[no-untyped-def]
        if not (any(c.isalpha() for c in password) and any(c.isdigit() for c in password)):
            raise ValidationError(_("密码必须同时包含字母和数字。"), code="password_not_mixed")

    def get_help_text(self) -> str:
        return _("密码必须同时包含字母和数字。")
