from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TransfersConfig(AppConfig):
    name = "tongxin.transfers"
    label = "transfers"
    verbose_name = _("组织关系转接")

    def ready(self) -> None:
        # Imported here, not at module level: models are not loaded when apps.py is imported.
        from tongxin.core.registry import periodic
        from tongxin.members.panel import provide_transfers_todo
        from tongxin.transfers import selectors

        # Transfers whose introduction letter ran out (idempotent).
        periodic("tongxin.transfers.tasks.expire_transfers", every=3600)
        # The members app's 转接 · 双报到 · 党费 card counts the transfers waiting for the user.
        provide_transfers_todo(selectors.transfer_todo_count)
