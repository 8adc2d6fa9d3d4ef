from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class CasesConfig(AppConfig):
    name = "tongxin.cases"
    label = "cases"
    verbose_name = _("事件")

    def ready(self) -> None:
        # Imported here, not at module level: models are not loaded when apps.py is imported.
        from tongxin.cases.models import State
        from tongxin.cases.panel import STORED_KEYS, stored_panel
        from tongxin.cases.selectors import dashboard_figures
        from tongxin.core.registry import dashboard_panel, nav, periodic

        nav(
            "cases:index",
            pgettext_lazy("nav", "事件"),
            "cases|visits",
            perms=("cases.view", "visits.view"),
            order=30,
        )
        # 催办/督办 overdue cases (idempotent, set-based).
        periodic("tongxin.cases.tasks.sweep_overdue_cases", every=600)

        @dashboard_panel(
            "cases/_panel.html",
            order=30,
            metrics=(*STORED_KEYS, *(f"cases.year.state.{s}" for s in State.values)),
            stored=stored_panel,
        )
        def cases_panel(request, scope):
            return dashboard_figures(scope)
