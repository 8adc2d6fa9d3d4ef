from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class PointsConfig(AppConfig):
    name = "tongxin.points"
    label = "points"
    verbose_name = _("锋领指数")

    def ready(self) -> None:
        # Imported here, not at module level: models are not loaded when apps.py is imported.
        from tongxin.core.registry import dashboard_panel, nav, periodic, phone_card
        from tongxin.points import panel

        nav(
            "points:ranking",
            pgettext_lazy("nav", "锋领指数"),
            "points",
            perms=("members.view",),
            order=45,
        )
        dashboard_panel(
            "points/_panel.html", order=45, metrics=panel.STORED_KEYS, stored=panel.stored
        )(panel.compute)
        phone_card("points/_mine_card.html", order=15)(panel.compute_own)
        # Every hour: the activities of the last 70 days into the ledger (idempotent).
        periodic("tongxin.points.tasks.collect_points", every=3600)

        # 消息中心: what waits for someone here reaches their inbox (each event once).
        from tongxin.core.registry import periodic as _deliveries

        _deliveries("tongxin.points.notify.deliver_waiting_awards", every=300)
