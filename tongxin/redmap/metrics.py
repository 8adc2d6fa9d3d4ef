"""The 初心图谱 (red map) figures of the 数据驾驶舱 (core.metrics): red sites by the managing
organization, members' check-ins in the period and the members who checked in (keyed by the
member's organization path), and branch visits counted as 主题党日."""

from __future__ import annotations

import datetime as dt

from django.db.models import Count
from django.utils.translation import gettext_lazy as _

from tongxin.core.metrics import Metric, register, sum_rows
from tongxin.redmap.models import CheckIn, GroupVisit, RedSite, VisitStatus

GROUP = _("初心图谱")


def sites(start: dt.date, end: dt.date) -> dict[str, float]:
    return sum_rows(RedSite.objects.order_by().values_list("org_path").annotate(n=Count("id")))


def checkins(start: dt.date, end: dt.date) -> dict[str, float]:
    return sum_rows(
        CheckIn.objects.filter(on__gte=start, on__lt=end)
        .order_by()
        .values_list("member_org_path")
        .annotate(n=Count("id"))
    )


def checkin_people(start: dt.date, end: dt.date) -> dict[str, float]:
    return sum_rows(
        CheckIn.objects.filter(on__gte=start, on__lt=end)
        .order_by()
        .values_list("member_org_path")
        .annotate(n=Count("member_id", distinct=True))
    )


def counted_visits(start: dt.date, end: dt.date) -> dict[str, float]:
    return sum_rows(
        GroupVisit.objects.filter(status=VisitStatus.COUNTED, date__gte=start, date__lt=end)
        .order_by()
        .values_list("branch_path")
        .annotate(n=Count("id"))
    )


register(
    Metric(
        "redmap.sites",
        _("红色基地"),
        unit=_("个"),
        group=GROUP,
        compute=sites,
        historical=False,
        order=150,
    ),
    Metric(
        "redmap.checkins",
        _("打卡"),
        unit=_("次"),
        group=GROUP,
        compute=checkins,
        headline=True,
        order=151,
    ),
    Metric(
        "redmap.checkin_people",
        _("打卡党员"),
        unit=_("人"),
        group=GROUP,
        people=True,
        compute=checkin_people,
        order=152,
    ),
    Metric(
        "redmap.counted_visits",
        _("计入主题党日的参观"),
        unit=_("次"),
        group=GROUP,
        compute=counted_visits,
        order=153,
    ),
)
