from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TransfersConfig(AppConfig):
    name = "tongxin.transfers"
    label = "transfers"
    verbose_name = _("组织关系转接")

    def ready(self) -> None:
        # Imported here, not at module level: models are not loaded when apps.py is imported.
        from tongxin.core.registry import dashboard_figures, periodic
        from tongxin.transfers import selectors

        # Transfers whose introduction letter ran out (idempotent).
        periodic("tongxin.transfers.tasks.expire_transfers", every=3600)
        # The count of transfers waiting for the user, on the 转接 · 双报到 · 党费 card.
        dashboard_figures(selectors.todo_figure)
