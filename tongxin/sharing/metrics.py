"""The 共享小区 figures of the 数据驾驶舱 (core.metrics), keyed by the need's compound path
(area tree): listings posted and matches completed in the period."""

from __future__ import annotations

import datetime as dt

from django.db.models import Count
from django.utils.translation import gettext_lazy as _

from tongxin.core.metrics import Metric, register, sum_rows
from tongxin.sharing.models import Direction, Listing, ListingStatus, Match, MatchStatus

GROUP = _("共享小区")
TZ = dt.timezone(dt.timedelta(hours=8))


def _bounds(start: dt.date, end: dt.date) -> tuple[dt.datetime, dt.datetime]:
    return (
        dt.datetime.combine(start, dt.time(), tzinfo=TZ),
        dt.datetime.combine(end, dt.time(), tzinfo=TZ),
    )


def listings(start: dt.date, end: dt.date) -> dict[str, float]:
    a, b = _bounds(start, end)
    return sum_rows(
        Listing.objects.filter(created_at__gte=a, created_at__lt=b)
        .order_by()
        .values_list("compound_path")
        .annotate(n=Count("id"))
    )


def matches_done(start: dt.date, end: dt.date) -> dict[str, float]:
    a, b = _bounds(start, end)
    return sum_rows(
        Match.objects.filter(
            status__in=[MatchStatus.COMPLETED, MatchStatus.CLOSED],
            completed_at__gte=a,
            completed_at__lt=b,
        )
        .order_by()
        .values_list("need__compound_path")
        .annotate(n=Count("id"))
    )


def matches_open(start: dt.date, end: dt.date) -> dict[str, float]:
    return sum_rows(
        Match.objects.filter(status__in=[MatchStatus.PROPOSED, MatchStatus.CONFIRMED])
        .order_by()
        .values_list("need__compound_path")
        .annotate(n=Count("id"))
    )


register(
    Metric(
        "sharing.listings",
        _("需求与服务发布"),
        unit=_("条"),
        group=GROUP,
        tree="area",
        compute=listings,
        order=100,
    ),
    Metric(
        "sharing.matches_done",
        _("完成对接"),
        unit=_("个"),
        group=GROUP,
        tree="area",
        compute=matches_done,
        headline=True,
        order=101,
    ),
    Metric(
        "sharing.matches_open",
        _("对接中"),
        unit=_("个"),
        group=GROUP,
        tree="area",
        compute=matches_open,
        historical=False,
        order=102,
    ),
)


def _listings(direction: str | None, status: str):
    def compute(start: dt.date, end: dt.date) -> dict[str, float]:
        qs = Listing.objects.filter(status=status)
        if direction is not None:
            qs = qs.filter(direction=direction)
        return sum_rows(qs.order_by().values_list("compound_path").annotate(n=Count("id")))

    return compute


def _matches(*statuses: str):
    def compute(start: dt.date, end: dt.date) -> dict[str, float]:
        return sum_rows(
            Match.objects.filter(status__in=statuses)
            .order_by()
            .values_list("need__compound_path")
            .annotate(n=Count("id"))
        )

    return compute


standing: dict[str, object] = {"group": GROUP, "tree": "area", "historical": False}
register(
    Metric(
        "sharing.needs_open",
        _("发布中的需求"),
        unit=_("条"),
        compute=_listings(Direction.NEED, ListingStatus.OPEN),
        order=103,
        **standing,  # type: ignore[arg-type]
    ),
    Metric(
        "sharing.offers_open",
        _("发布中的服务"),
        unit=_("条"),
        compute=_listings(Direction.OFFER, ListingStatus.OPEN),
        order=103,
        **standing,  # type: ignore[arg-type]
    ),
    Metric(
        "sharing.hidden",
        _("待审核举报"),
        unit=_("条"),
        compute=_listings(None, ListingStatus.HIDDEN),
        order=104,
        **standing,  # type: ignore[arg-type]
    ),
    Metric(
        "sharing.matches_confirmed",
        _("进行中的对接"),
        unit=_("个"),
        compute=_matches(MatchStatus.CONFIRMED, MatchStatus.COMPLETED),
        order=104,
        **standing,  # type: ignore[arg-type]
    ),
    Metric(
        "sharing.matches_closed",
        _("已完成对接（累计）"),
        unit=_("个"),
        compute=_matches(MatchStatus.CLOSED),
        order=104,
        **standing,  # type: ignore[arg-type]
    ),
)
