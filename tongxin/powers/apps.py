from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class PowersConfig(AppConfig):
    name = "tongxin.powers"
    label = "powers"
    verbose_name = _("小微权力清单")

    def ready(self) -> None:
        # Imported here, not at module level: models are not loaded when apps.py is imported.
        from tongxin.core.registry import dashboard_panel, nav
        from tongxin.powers.selectors import STORED_KEYS, power_figures, stored_power_figures

        nav(
            "powers:index",
            pgettext_lazy("nav", "小微权力"),
            "powers",
            perms=("powers.view",),
            order=45,
        )
        dashboard_panel(
            "powers/_panel.html", order=65, metrics=STORED_KEYS, stored=stored_power_figures
        )(lambda request, scope: power_figures(scope))

        # 消息中心: what waits for someone here reaches their inbox (each event once).
        from tongxin.core.registry import periodic as _deliveries

        _deliveries("tongxin.powers.notify.deliver_open_objections", every=300)
