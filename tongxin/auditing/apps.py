from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class AuditingConfig(AppConfig):
    """审计日志: the page and its export. The log itself (AuditLog, audit()) is core's."""

    name = "tongxin.auditing"
    label = "auditing"
    verbose_name = _("审计")

    def ready(self) -> None:
        # Imported here, not at module level: the registry is filled once apps are loaded.
        from tongxin.core.registry import nav

        # The last item of the navigation, for auditors.
        nav(
            "auditing:audit",
            pgettext_lazy("nav", "审计"),
            "auditing",
            perms=("audit.view",),
            order=1000,
        )
