from __future__ import annotations

from typing import Any

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class AppraisalConfig(AppConfig):
    name = "tongxin.appraisal"
    label = "appraisal"
    verbose_name = _("考评")

    def ready(self) -> None:
        # Imported here, not at module level: models are not loaded when apps.py is imported.
        from tongxin.appraisal.selectors import STORED_KEYS, dashboard, stored_dashboard
        from tongxin.core.registry import dashboard_panel, nav

        nav(
            "appraisal:index",
            pgettext_lazy("nav", "考评"),
            "appraisal",
            perms=("orgs.manage",),
            order=55,
        )

        @dashboard_panel(
            "appraisal/_panel.html", order=60, metrics=STORED_KEYS, stored=stored_dashboard
        )
        def appraisal_panel(request: Any, scope: Any) -> dict[str, Any] | None:
            return dashboard(scope)

        # 消息中心: what waits for someone here reaches their inbox (each event once).
        from tongxin.core.registry import periodic as _deliveries

        _deliveries("tongxin.appraisal.notify.deliver_appraisal_reminders", every=900)
