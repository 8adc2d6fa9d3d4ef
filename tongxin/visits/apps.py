from typing import Any

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class VisitsConfig(AppConfig):
    name = "tongxin.visits"
    label = "visits"
    verbose_name = _("三访")

    def ready(self) -> None:
        # Imported here, not at module level: models are not loaded when apps.py is imported.
        from tongxin.core.registry import dashboard_panel
        from tongxin.visits.panel import STORED_KEYS, stored_panel
        from tongxin.visits.selectors import panel_stats

        # No nav item of our own: 事件 (key "cases|visits") is registered by cases.

        @dashboard_panel("visits/_panel.html", order=35, metrics=STORED_KEYS, stored=stored_panel)
        def visits_panel(request: Any, scope: Any) -> dict[str, Any] | None:
            if not scope.has("visits.view"):
                return None
            return panel_stats(scope)

        # Visits made by members, for the points ledger (锋领指数).
        from tongxin.core.registry import activity_source
        from tongxin.visits import activity

        activity_source("visits", activity.KINDS)(activity.visit_activities)
