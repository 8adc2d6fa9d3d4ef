from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DuesConfig(AppConfig):
    name = "tongxin.dues"
    label = "dues"
    verbose_name = _("党费")

    def ready(self) -> None:
        # Imported here, not at module level: models are not loaded when apps.py is imported.
        from tongxin.core.registry import dashboard_panel, phone_card
        from tongxin.dues import panel

        # This month's payments in the user's scope, beside the transfers' card.
        dashboard_panel(
            "dues/_panel.html", order=17, metrics=panel.STORED_KEYS, stored=panel.stored
        )(panel.compute)
        # A member's phone home: this month's dues.
        phone_card("dues/_mine_card.html", order=20)(panel.compute_own_dues)
        # Dues paid on time and arrears, for the points ledger (锋领指数).
        from tongxin.core.registry import activity_source
        from tongxin.dues import activity

        activity_source("dues", activity.KINDS)(activity.dues_activities)
