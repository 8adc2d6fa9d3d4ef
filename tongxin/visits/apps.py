from typing import Any

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class VisitsConfig(AppConfig):
    name = "tongxin.visits"
    label = "visits"
    verbose_name = _("三访")

    def ready(self) -> None:
        # No nav item of our own: 事件 (key "cases|visits") is registered by cases.
        from tongxin.core.registry import dashboard_panel

        @dashboard_panel("visits/_panel.html", order=35)
        def visits_panel(request: Any, scope: Any) -> dict[str, Any] | None:
            if not scope.has("visits.view"):
                return None
            from tongxin.visits.selectors import panel_stats

            return panel_stats(scope)
