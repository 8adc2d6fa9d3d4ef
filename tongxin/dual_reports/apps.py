from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DualReportsConfig(AppConfig):
    name = "tongxin.dual_reports"
    label = "dual_reports"
    verbose_name = _("双报到")

    def ready(self) -> None:
        # Imported here, not at module level: models are not loaded when apps.py is imported.
        from tongxin.core.registry import dashboard_figures, dashboard_panel, phone_card
        from tongxin.dual_reports import panel

        # The count of reports waiting for my community, on the 转接 · 双报到 · 党费 card.
        dashboard_figures(panel.waiting_figure)
        # 我的双报到: for an account that is a member's, on the 工作台 and the phone home.
        dashboard_panel("dual_reports/_mine_panel.html", order=16)(panel.compute_own_dual)
        phone_card("dual_reports/_mine_panel.html", order=30)(panel.compute_own_dual)
        # Hours served in the community, for the points ledger (锋领指数).
        from tongxin.core.registry import activity_source
        from tongxin.dual_reports import activity

        activity_source("dual_reports", activity.KINDS)(activity.dual_report_activities)
