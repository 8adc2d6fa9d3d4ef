from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SharingConfig(AppConfig):
    name = "tongxin.sharing"
    label = "sharing"
    verbose_name = _("共享小区")

    def ready(self) -> None:
        # Imported here, not at module level: models are not loaded when apps.py is imported.
        from tongxin.core.registry import dashboard_panel, phone_home
        from tongxin.sharing import views
        from tongxin.sharing.selectors import STORED_KEYS, sharing_stats, stored_panel

        # A resident's home (at /): their compound's board.
        phone_home(order=50)(views.resident_home)

        # 服务 in the top navigation is the centres' hub page (centers:hub), which links here.
        dashboard_panel(
            "sharing/_panel.html",
            order=60,
            metrics=tuple(STORED_KEYS.values()),
            stored=stored_panel,
        )(lambda request, scope: sharing_stats(scope))
