"""The 志愿服务 figures of the 数据驾驶舱 (core.metrics): hours served in the period, keyed by
the team's organization path, and the number of distinct volunteers credited."""

from __future__ import annotations

import datetime as dt

from django.db.models import Count, Sum
from django.utils.translation import gettext_lazy as _

from tongxin.core.metrics import Metric, register, sum_rows
from tongxin.volunteering.models import VolunteerHours, VolunteerTeam

GROUP = _("志愿服务")


def hours(start: dt.date, end: dt.date) -> dict[str, float]:
    rows = (
        VolunteerHours.objects.filter(on__gte=start, on__lt=end)
        .order_by()
        .values_list("org_path")
        .annotate(n=Sum("minutes"))
    )
    return {p: round(v / 60, 1) for p, v in sum_rows(rows).items()}


def records(start: dt.date, end: dt.date) -> dict[str, float]:
    return sum_rows(
        VolunteerHours.objects.filter(on__gte=start, on__lt=end)
        .order_by()
        .values_list("org_path")
        .annotate(n=Count("id"))
    )


register(
    Metric(
        "volunteering.hours",
        _("志愿服务时长"),
        unit=_("小时"),
        group=GROUP,
        compute=hours,
        headline=True,
        order=90,
    ),
    Metric(
        "volunteering.records",
        _("服务人次"),
        unit=_("人次"),
        group=GROUP,
        compute=records,
        order=91,
    ),
)


def teams(start: dt.date, end: dt.date) -> dict[str, float]:
    return sum_rows(
        VolunteerTeam.objects.order_by().values_list("org_path").annotate(n=Count("id"))
    )


def minutes(start: dt.date, end: dt.date) -> dict[str, float]:
    return sum_rows(
        VolunteerHours.objects.filter(on__gte=start, on__lt=end)
        .order_by()
        .values_list("org_path")
        .annotate(n=Sum("minutes"))
    )


register(
    Metric(
        "volunteering.teams",
        _("志愿服务队"),
        unit=_("支"),
        group=GROUP,
        compute=teams,
        historical=False,
        order=92,
    ),
    Metric(
        "volunteering.minutes",
        _("志愿服务分钟"),
        unit=_("分钟"),
        group=GROUP,
        compute=minutes,
        shown=False,
        order=93,
    ),
)
