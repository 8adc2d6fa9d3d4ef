from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class GridsConfig(AppConfig):
    name = "tongxin.grids"
    label = "grids"
    verbose_name = _("网格")

    def ready(self) -> None:
        # Imported here, not at module level: models are not loaded when apps.py is imported.
        from django.utils.translation import pgettext_lazy

        from tongxin.core.registry import dashboard_panel, nav
        from tongxin.grids.panel import STORED_KEYS, coverage_panel, stored_panel

        nav(
            "grids:list",
            pgettext_lazy("nav", "网格"),
            "grids",
            perms=("geo.view", "grids.manage"),
            order=10,
        )
        dashboard_panel("grids/_panel.html", order=30, metrics=STORED_KEYS, stored=stored_panel)(
            coverage_panel
        )
