from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class InboxConfig(AppConfig):
    name = "tongxin.inbox"
    label = "inbox"
    verbose_name = _("消息中心")

    def ready(self) -> None:
        # Imported here, not at module level: models are not loaded when apps.py is imported.
        from tongxin.core.registry import periodic

        # Email and SMS copies that are due (retries, the end of quiet hours): every minute.
        periodic("tongxin.inbox.tasks.dispatch", every=60)
        # The daily digest; idempotent per user and day, so an hourly run sends it once a day.
        periodic("tongxin.inbox.tasks.digest", every=3600)
