from __future__ import annotations

from typing import Any

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class CentersConfig(AppConfig):
    name = "tongxin.centers"
    label = "centers"
    verbose_name = _("党群服务中心")

    def ready(self) -> None:
        # Imported here, not at module level: models are not loaded when apps.py is imported.
        from tongxin.centers.selectors import center_counts, stored_panel
        from tongxin.core.registry import dashboard_panel, nav

        # Every signed-in user: the hub shows what each may use.
        nav(
            "centers:hub",
            pgettext_lazy("nav", "服务"),
            "centers|volunteering|sharing|projects",
            order=40,
        )

        @dashboard_panel(
            "centers/_panel.html",
            order=40,
            metrics=("centers.total", "centers.bookings_month"),
            stored=stored_panel,
        )
        def centers_panel(request: Any, scope: Any) -> dict[str, Any] | None:
            return center_counts(scope)
