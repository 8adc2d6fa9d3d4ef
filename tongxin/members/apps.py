from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MembersConfig(AppConfig):
    name = "tongxin.members"
    label = "members"
    verbose_name = _("党员")

    def ready(self) -> None:
        # Imported here, not at module level: models are not loaded when apps.py is imported.
        from tongxin.core.registry import dashboard_figures, dashboard_panel, phone_card
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
        # 转接 · 双报到 · 党费: three counts, one query each.
        dashboard_panel("members/transfers/_panel.html", order=15)(panel.compute)
        # A member's phone home: this month's dues (their own 双报到: tongxin.dual_reports).
        phone_card("members/dues/_mine_card.html", order=20)(panel.compute_own_dues)
