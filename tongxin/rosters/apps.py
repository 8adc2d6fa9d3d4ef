from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RostersConfig(AppConfig):
    name = "tongxin.rosters"
    label = "rosters"
    verbose_name = _("名册导入导出")

    def ready(self) -> None:
        # Imported here, not at module level: models are not loaded when apps.py is imported.
        from tongxin.core.registry import periodic

        # A job whose worker died shows as failed within a minute (jobs.py).
        periodic("tongxin.rosters.tasks.sweep_import_jobs", every=60)
