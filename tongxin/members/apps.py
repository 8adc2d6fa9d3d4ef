from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MembersConfig(AppConfig):
    name = "tongxin.members"
    label = "members"
    verbose_name = _("党员")

    def ready(self) -> None:
        # Imported here, not at module level: models are not loaded when apps.py is imported.
        from tongxin.core.registry import dashboard_figures, dashboard_panel
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

        dashboard_figures(selectors.dashboard_member_figures, storable=True)
        # 转接 · 双报到: the counts come from tongxin.transfers and tongxin.dual_reports through
        # the 工作台's figures; this card shows them to users who see members.
        dashboard_panel("members/transfers/_panel.html", order=15)(panel.compute)
