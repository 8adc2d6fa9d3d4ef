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
        from tongxin.volunteering.selectors import volunteering_counts

        @dashboard_panel("volunteering/_panel.html", order=41)
        def volunteering_panel(request: Any, scope: Any) -> dict[str, Any] | None:
            return volunteering_counts(scope)
