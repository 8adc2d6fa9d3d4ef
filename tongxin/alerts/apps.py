from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AlertsConfig(AppConfig):
    name = "tongxin.alerts"
    label = "alerts"
    verbose_name = _("预警")

    def ready(self) -> None:
        # Imported here, not at module level: models are not loaded when apps.py is imported.
        from django.utils.module_loading import autodiscover_modules

        from tongxin.alerts import panel
        from tongxin.core.registry import dashboard_panel, nav, periodic

        # Each module's checks (tongxin/<app>/warning_checks.py) register themselves with
        # core.alert_checks on import; the engine never imports them by name.
        autodiscover_modules("warning_checks")
        nav("alerts:list", _("预警"), "alerts", perms=("orgs.view",), order=90)
        dashboard_panel("alerts/_panel.html", order=5)(panel.compute)
        # Hourly: the conditions change with the day, escalation counts days.
        periodic("tongxin.alerts.tasks.sweep", every=3600)
