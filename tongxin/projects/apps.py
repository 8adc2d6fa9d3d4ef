from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProjectsConfig(AppConfig):
    name = "tongxin.projects"
    label = "projects"
    verbose_name = _("微项目")

    def ready(self) -> None:
        # Imported here, not at module level: models are not loaded when apps.py is imported.
        from tongxin.core.registry import dashboard_panel
        from tongxin.projects.selectors import STORED_KEYS, project_figures, stored_panel

        # 服务 in the top navigation is the centres' hub page (centers:hub), which links here.
        dashboard_panel(
            "projects/_panel.html",
            order=61,
            metrics=STORED_KEYS,
            stored=stored_panel,
        )(lambda request, scope: project_figures(scope))
