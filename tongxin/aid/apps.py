from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AidConfig(AppConfig):
    name = "tongxin.aid"
    label = "aid"
    verbose_name = _("党员互助金")

    def ready(self) -> None:
        # Imported here, not at module level: models are not loaded when apps.py is imported.
        from tongxin.aid import panel
        from tongxin.core.registry import dashboard_panel, nav, phone_card

        nav("aid:funds", _("互助金"), "aid", perms=("aid.view",), order=75)
        # The fund's balance and this year's aid, on the 工作台.
        dashboard_panel(
            "aid/_panel.html", order=40, metrics=panel.STORED_KEYS, stored=panel.stored
        )(panel.compute)
        # A member's own applications on their phone home.
        phone_card("aid/_mine_card.html", order=40)(panel.compute_mine)

        # 消息中心: what waits for someone here reaches their inbox (each event once).
        from tongxin.core.registry import periodic as _deliveries

        _deliveries("tongxin.aid.notify.deliver_waiting_applications", every=300)
