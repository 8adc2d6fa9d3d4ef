from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MembersConfig(AppConfig):
    name = "tongxin.members"
    label = "members"
    verbose_name = _("党员")

    def ready(self) -> None:
        from tongxin.core.registry import dashboard_panel, periodic
        from tongxin.members import panel

        # Transfers whose introduction letter ran out (idempotent).
        periodic("tongxin.members.transfers.expire_transfers", every=3600)
        # 转接 · 双报到 · 党费: three counts, one query each.
        dashboard_panel("members/transfers/_panel.html", order=15)(panel.compute)
        # 我的双报到: for an account that is a member's.
        dashboard_panel("members/dual/_mine_panel.html", order=16)(panel.compute_own_dual)
