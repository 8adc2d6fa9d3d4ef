"""The 党群服务中心 figures of the 数据驾驶舱 (core.metrics): centres and the bookings of the
period, keyed by the running organization's path."""

from __future__ import annotations

import datetime as dt

from django.db.models import Count
from django.utils.translation import gettext_lazy as _

from tongxin.centers.models import Booking, BookingStatus, ServiceCenter
from tongxin.core.metrics import Metric, register, sum_rows

GROUP = _("党群服务")


def centers(start: dt.date, end: dt.date) -> dict[str, float]:
    return sum_rows(
        ServiceCenter.objects.order_by().values_list("org_path").annotate(n=Count("id"))
    )


def bookings(start: dt.date, end: dt.date) -> dict[str, float]:
    tz = dt.timezone(dt.timedelta(hours=8))
    a = dt.datetime.combine(start, dt.time(), tzinfo=tz)
    b = dt.datetime.combine(end, dt.time(), tzinfo=tz)
    return sum_rows(
        Booking.objects.filter(status=BookingStatus.CONFIRMED, start__gte=a, start__lt=b)
        .order_by()
        .values_list("center__org_path")
        .annotate(n=Count("id"))
    )


register(
    Metric(
        "centers.total",
        _("党群服务中心"),
        unit=_("个"),
        group=GROUP,
        compute=centers,
        historical=False,
        order=80,
    ),
    Metric(
        "centers.bookings",
        _("场地预约"),
        unit=_("次"),
        group=GROUP,
        compute=bookings,
        headline=True,
        order=81,
    ),
)


def bookings_whole_month(start: dt.date, end: dt.date) -> dict[str, float]:
    """Confirmed bookings of the whole calendar month of the period's last day (the coming
    days' bookings too: the 工作台's figure)."""
    first = (end - dt.timedelta(days=1)).replace(day=1)
    following = (first + dt.timedelta(days=32)).replace(day=1)
    return bookings(first, following)


register(
    Metric(
        "centers.bookings_month",
        _("本月场地预约（全月）"),
        unit=_("次"),
        group=GROUP,
        compute=bookings_whole_month,
        historical=False,
        order=82,
    ),
)
