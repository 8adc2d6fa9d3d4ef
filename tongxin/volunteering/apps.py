from __future__ import annotations

from typing import Any

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class VolunteeringConfig(AppConfig):
    name = "tongxin.volunteering"
    label = "volunteering"
    verbose_name = _("志愿服务")

    def ready(self) -> None:
        # Imported here, not at module level: models are not loaded when apps.py is imported.
        from tongxin.core.registry import dashboard_panel
        from tongxin.volunteering.selectors import stored_panel, volunteering_counts

        @dashboard_panel(
            "volunteering/_panel.html",
            order=41,
            metrics=("volunteering.teams", "volunteering.minutes"),
            stored=stored_panel,
        )
        def volunteering_panel(request: Any, scope: Any) -> dict[str, Any] | None:
            return volunteering_counts(scope)

        # Members' hours, for the points ledger (锋领指数).
        from tongxin.core.registry import activity_source
        from tongxin.volunteering import activity

        activity_source("volunteering", activity.KINDS)(activity.volunteer_activities)
