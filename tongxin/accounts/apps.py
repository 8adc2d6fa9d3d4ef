from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "tongxin.accounts"
    label = "accounts"
    verbose_name = _("账号与权限")

    def ready(self) -> None:
        # Imported here, not at module level: models are not loaded when apps.py is imported.
        from django.db.models.signals import post_delete, post_save

        from tongxin.accounts.backends import forget_user
        from tongxin.accounts.models import User
        from tongxin.accounts.scope import grants_for_user
        from tongxin.core.scope import register_grant_loader

        register_grant_loader(grants_for_user)
        post_save.connect(forget_user, sender=User, dispatch_uid="accounts.forget_user")
        post_delete.connect(forget_user, sender=User, dispatch_uid="accounts.forget_user_deleted")
