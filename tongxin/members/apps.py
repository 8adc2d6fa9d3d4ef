from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MembersConfig(AppConfig):
    name = "tongxin.members"
    label = "members"
    verbose_name = _("党员")

    def ready(self) -> None:
        # Imported here, not at module level: models are not loaded when apps.py is imported.
        from tongxin.core.registry import dashboard_figures, dashboard_panel, periodic, phone_card
        from tongxin.members import panel, selectors, services
        from tongxin.members.models import COLLEGE_OR_ABOVE, Member
        from tongxin.orgs.hooks import MemberReader, org_moved, provide_member_reader

        org_moved.connect(services.member_paths_follow_org, dispatch_uid="members.org_path")
        provide_member_reader(
            MemberReader(
                in_subtree=selectors.org_page_members,
                candidates=selectors.leadership_candidates,
                none=Member.objects.none,
                college_or_above=frozenset(COLLEGE_OR_ABOVE),
            )
        )

        dashboard_figures(selectors.dashboard_member_figures)
        # Transfers whose introduction letter ran out (idempotent).
        periodic("tongxin.members.transfers.expire_transfers", every=3600)
        # 转接 · 双报到: two counts, one query each.
        dashboard_panel("members/transfers/_panel.html", order=15)(panel.compute)
        # 我的双报到: for an account that is a member's.
        dashboard_panel("members/dual/_mine_panel.html", order=16)(panel.compute_own_dual)
        # A member's phone home: their own 双报到.
        phone_card("members/dual/_mine_panel.html", order=30)(panel.compute_own_dual)
