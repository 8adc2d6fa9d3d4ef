from __future__ import annotations

from typing import Any

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AppraisalConfig(AppConfig):
    name = "tongxin.appraisal"
    label = "appraisal"
    verbose_name = _("考评")

    def ready(self) -> None:
        # Imported here, not at module level: models are not loaded when apps.py is imported.
        from tongxin.appraisal.selectors import dashboard
        from tongxin.core.registry import dashboard_panel

        # The top navigation's 考评 entry (shared with the points ledger) is left to the
        # integration, with its English label: see the branch's report.

        @dashboard_panel("appraisal/_panel.html", order=60)
        def appraisal_panel(request: Any, scope: Any) -> dict[str, Any] | None:
            return dashboard(scope)
