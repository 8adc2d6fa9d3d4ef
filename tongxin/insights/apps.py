from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class InsightsConfig(AppConfig):
    name = "tongxin.insights"
    label = "insights"
    verbose_name = _("数据驾驶舱")

    def ready(self) -> None:
        # Imported here, not at module level: models are not loaded when apps.py is imported.
        from django.utils.module_loading import autodiscover_modules

        from tongxin.core.registry import dashboard_source, figure_store, nav, periodic
        from tongxin.insights import dashboard, receivers
        from tongxin.rosters.hooks import members_imported

        # Every app's figures: tongxin/<app>/metrics.py registers them in core.metrics.
        autodiscover_modules("metrics")
        nav(
            "insights:cockpit",
            pgettext_lazy("nav", "数据"),
            "insights",
            perms=("orgs.view",),
            order=90,
        )
        # Recompute every rollup every 15 minutes (set-based; idempotent).
        periodic("tongxin.insights.tasks.refresh_rollups", every=900)
        members_imported.connect(receivers.refresh_after_import, dispatch_uid="insights.import")
        # The 工作台's head figures from the rollups (its template's keys kept).
        figure_store(dashboard.stored_figures)
        dashboard_source(dashboard.head_figures)
