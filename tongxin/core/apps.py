from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "tongxin.core"
    label = "core"
    verbose_name = _("核心")

    def ready(self) -> None:
        # Imported here, not at module level: models are not loaded when apps.py is imported.
        from django import forms
        from django.core import validators

        from tongxin.core.inputs import CONTROL_MESSAGE, no_control_characters

        # Every text field of every form (ours, the admin's, the login form) refuses control
        # characters, with one Chinese message: one place instead of a clean_ per field.
        # Subclasses with their own default_validators (email, URL, slug) refuse them already.
        if no_control_characters not in forms.CharField.default_validators:
            forms.CharField.default_validators = [
                *forms.CharField.default_validators,
                no_control_characters,
            ]
        validators.ProhibitNullCharactersValidator.message = CONTROL_MESSAGE
