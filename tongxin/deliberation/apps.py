from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DeliberationConfig(AppConfig):
    name = "tongxin.deliberation"
    label = "deliberation"
    verbose_name = _("协商议事")

    def ready(self) -> None:
        # Imported here, not at module level: models are not loaded when apps.py is imported.
        from tongxin.core.registry import dashboard_panel, nav, periodic
        from tongxin.deliberation.selectors import STORED_KEYS, VIEW, figures, stored_figures

        nav("deliberation:forums", _("议事"), "deliberation", perms=(VIEW,), order=75)
        dashboard_panel(
            "deliberation/_panel.html", order=62, metrics=STORED_KEYS, stored=stored_figures
        )(lambda request, scope: figures(scope))
        periodic("tongxin.deliberation.tasks.close_due_votes", every=300)

        # 消息中心: what waits for someone here reaches their inbox (each event once).
        from tongxin.core.registry import periodic as _deliveries

        _deliveries("tongxin.deliberation.notify.deliver_overdue_actions", every=900)
