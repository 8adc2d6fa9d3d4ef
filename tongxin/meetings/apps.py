from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class MeetingsConfig(AppConfig):
    name = "tongxin.meetings"
    label = "meetings"
    verbose_name = _("组织生活")

    def ready(self) -> None:
        # Imported here, not at module level: models are not loaded when apps.py is imported.
        from tongxin.core.registry import dashboard_panel, nav, periodic, phone_card
        from tongxin.meetings import panel, receivers
        from tongxin.rosters.hooks import members_imported

        members_imported.connect(receivers.counts_follow_import, dispatch_uid="meetings.counts")

        nav(
            "meetings:index",
            pgettext_lazy("nav", "组织生活"),
            "meetings",
            perms=("meetings.view",),
            order=20,
        )
        dashboard_panel(
            "meetings/_panel.html", order=20, metrics=panel.STORED_KEYS, stored=panel.stored
        )(panel.compute)
        phone_card("meetings/_mine_card.html", order=10)(panel.compute_own)
        # 消息中心: reminders 24 h before a meeting (once per meeting and person).
        periodic("tongxin.meetings.tasks.remind_meetings", every=900)
        # What members did at organizational life, for the points ledger (锋领指数).
        from tongxin.core.registry import activity_source
        from tongxin.meetings import activity

        activity_source("meetings", activity.KINDS)(activity.meeting_activities)
