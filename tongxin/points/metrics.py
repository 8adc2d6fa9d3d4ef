"""The 锋领指数 figures of the 数据驾驶舱 (core.metrics), keyed by the member's organization
path: the points earned in the year up to the period's end (the monthly scores), and the
average per member."""

from __future__ import annotations

import datetime as dt

from django.db.models import Count, Sum
from django.utils.translation import gettext_lazy as _

from tongxin.core.metrics import Metric, register, sum_rows
from tongxin.points.models import MonthlyScore

GROUP = _("锋领指数")


def _year(end: dt.date) -> tuple[dt.date, dt.date]:
    eve = end - dt.timedelta(days=1)
    return dt.date(eve.year, 1, 1), end


def year_points(start: dt.date, end: dt.date) -> dict[str, float]:
    """Points of the monthly scores of the year of the period's last day, up to it."""
    first, last = _year(end)
    rows = (
        MonthlyScore.objects.filter(period__gte=first, period__lt=last)
        .order_by()
        .values_list("member_org_path")
        .annotate(n=Sum("total"))
    )
    return {p: round(v, 1) for p, v in sum_rows(rows).items()}


def scored_members(start: dt.date, end: dt.date) -> dict[str, float]:
    """Members with a monthly score in the year of the period's last day."""
    first, last = _year(end)
    return sum_rows(
        MonthlyScore.objects.filter(period__gte=first, period__lt=last)
        .order_by()
        .values_list("member_org_path")
        .annotate(n=Count("member", distinct=True))
    )


register(
    Metric(
        "points.year_total",
        _("本年积分"),
        unit=_("分"),
        group=GROUP,
        compute=year_points,
        historical=False,
        order=140,
    ),
    Metric(
        "points.scored_members",
        _("本年有积分党员"),
        unit=_("人"),
        group=GROUP,
        people=True,
        compute=scored_members,
        historical=False,
        order=141,
    ),
    Metric(
        "points.year_average",
        _("人均积分（本年）"),
        unit=_("分"),
        group=GROUP,
        people=True,
        ratio=("points.year_total", "points.scored_members"),
        scale=1.0,
        headline=True,
        historical=False,
        order=142,
    ),
)
