from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class RedmapConfig(AppConfig):
    name = "tongxin.redmap"
    label = "redmap"
    verbose_name = _("初心图谱")

    def ready(self) -> None:
        # Imported here, not at module level: models are not loaded when apps.py is imported.
        from tongxin.core.registry import activity_source, dashboard_panel, nav, phone_card
        from tongxin.redmap import activity, panel

        nav("redmap:index", pgettext_lazy("nav", "初心图谱"), "redmap", order=60)
        dashboard_panel(
            "redmap/_panel.html", order=60, metrics=panel.STORED_KEYS, stored=panel.stored
        )(panel.compute)
        phone_card("redmap/_mine_card.html", order=60)(panel.compute_own)
        activity_source("redsite_checkin", ("redsite_checkin",))(activity.checkins_between)
