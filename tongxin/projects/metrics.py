"""The 微项目 figures of the 数据驾驶舱 (core.metrics): projects by status, keyed by the lead
organization's path (大掌柜)."""

from __future__ import annotations

import datetime as dt

from django.db.models import Count, Sum
from django.utils.translation import gettext_lazy as _

from tongxin.core.metrics import Metric, register, sum_rows
from tongxin.projects.models import MicroProject, ProjectActivity, ProjectStatus, Suggestion

GROUP = _("微项目")


def _projects(status: str | None):
    def compute(start: dt.date, end: dt.date) -> dict[str, float]:
        qs = MicroProject.objects.all()
        if status is not None:
            qs = qs.filter(status=status)
        return sum_rows(qs.order_by().values_list("lead_org_path").annotate(n=Count("id")))

    return compute


register(
    Metric(
        "projects.total",
        _("微项目"),
        unit=_("个"),
        group=GROUP,
        compute=_projects(None),
        historical=False,
        headline=True,
        order=110,
    ),
    *(
        Metric(
            f"projects.status.{s.value}",
            s.label,
            unit=_("个"),
            group=GROUP,
            compute=_projects(s.value),
            historical=False,
            order=111,
        )
        for s in ProjectStatus
    ),
)


def participants(start: dt.date, end: dt.date) -> dict[str, float]:
    """人次 recorded on the projects' activities (all time)."""
    return sum_rows(
        ProjectActivity.objects.order_by()
        .values_list("project__lead_org_path")
        .annotate(n=Sum("participants"))
    )


def suggestions(start: dt.date, end: dt.date) -> dict[str, float]:
    """Residents' suggestions (all time), keyed by their area."""
    return sum_rows(Suggestion.objects.order_by().values_list("area_path").annotate(n=Count("id")))


register(
    Metric(
        "projects.participants",
        _("参与人次"),
        unit=_("人次"),
        group=GROUP,
        compute=participants,
        historical=False,
        order=112,
    ),
    Metric(
        "projects.suggestions",
        _("居民建议"),
        unit=_("条"),
        group=GROUP,
        tree="area",
        compute=suggestions,
        historical=False,
        order=113,
    ),
)
