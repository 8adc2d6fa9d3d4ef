"""The inputs of the red-site services and the checks behind them: a site's fields, and whether
a booking falls inside the site's opening hours (the centres' rules and their messages,
tongxin.centers.hours, applied to a site). Nothing here writes."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext as _

from tongxin.centers.hours import (
    DAY_NAMES,
    hours_label,
    validate_closed_dates,
    validate_opening_hours,
)
from tongxin.centers.models import WEEKDAYS
from tongxin.core.errors import ServiceError
from tongxin.geo.models import Area
from tongxin.orgs.models import Organization
from tongxin.redmap.models import RedSite, SiteKind

MAX_CAPACITY = 5000
MAX_RADIUS_M = 5000
BOOK_AHEAD_DAYS = 180


@dataclass
class SiteInput:
    name: str
    kind: str
    address: str
    area: Area
    org: Organization
    latitude: float
    longitude: float
    capacity: int
    radius_m: int = 200
    story: str = ""
    opening_hours: dict[str, Any] = field(default_factory=dict)
    closed_dates: list[Any] = field(default_factory=list)


def validate_site(data: SiteInput) -> tuple[dict[str, list[list[str]]], list[dict[str, str]]]:
    """Field by field, every message naming what to fix; the cleaned hours and closed dates."""
    errors: dict[str, str] = {}
    if not data.name.strip():
        errors["name"] = _("请填写红色基地名称。")
    if data.kind not in SiteKind.values:
        errors["kind"] = _("请选择类型：红色示范基地、党章学堂或初心学堂。")
    if not data.address.strip():
        errors["address"] = _("请填写地址。")
    if not -90 <= data.latitude <= 90 or data.latitude == 0:
        errors["latitude"] = _("纬度应在-90到90之间（如29.87），请核对坐标。")
    if not -180 <= data.longitude <= 180 or data.longitude == 0:
        errors["longitude"] = _("经度应在-180到180之间（如121.55），请核对坐标。")
    if not 1 <= data.capacity <= MAX_CAPACITY:
        errors["capacity"] = _("接待人数应在1到%(n)s之间。") % {"n": MAX_CAPACITY}
    if not 10 <= data.radius_m <= MAX_RADIUS_M:
        errors["radius_m"] = _("打卡半径应在10到%(n)s米之间。") % {"n": MAX_RADIUS_M}
    if data.org.area_id and data.org.area and not data.area.path.startswith(data.org.area.path):
        errors["area"] = _("所在区域应在管理党组织所在区域之内，请重新选择。")
    hours: dict[str, list[list[str]]] = {}
    closed: list[dict[str, str]] = []
    try:
        hours = validate_opening_hours(data.opening_hours)
    except ServiceError as e:
        errors.update(e.fields)
    try:
        closed = validate_closed_dates(data.closed_dates)
    except ServiceError as e:
        errors.update(e.fields)
    if errors:
        raise ServiceError(_("请按提示修改后再提交。"), fields=errors)
    return hours, closed


def check_open(site: RedSite, on: dt.date, start: dt.time, end: dt.time) -> None:
    """A visit lies inside one of the opening spans of its day, on a day the site is open (a
    site that declares no hours receives at any time): the centres' booking rule."""
    hours = site.opening_hours or {}
    if not any(hours.get(d) for d in WEEKDAYS):
        return
    closed = {r["date"]: r.get("note", "") for r in site.closed_dates or []}
    if on.isoformat() in closed:
        note = closed[on.isoformat()]
        msg = _("该基地%(day)s%(note)s闭馆，请选择其他日期。") % {
            "day": f"{on:%Y-%m-%d}",
            "note": f"（{note}）" if note else "",
        }
        raise ServiceError(msg, fields={"date": msg}, code="closed")
    weekday = WEEKDAYS[on.weekday()]
    spans = hours.get(weekday) or []
    if not spans:
        msg = _("该基地%(day)s不开放，请选择其他日期。") % {"day": DAY_NAMES[weekday]}
        raise ServiceError(msg, fields={"date": msg}, code="closed")
    begin, finish = start.strftime("%H:%M"), end.strftime("%H:%M")
    if not any(a <= begin and finish <= b for a, b in spans):
        msg = _("该基地%(day)s的开放时间为 %(hours)s，请在开放时间内预约。") % {
            "day": DAY_NAMES[weekday],
            "hours": hours_label(spans),
        }
        raise ServiceError(msg, fields={"start_time": msg}, code="outside_hours")


def hours_rows(site: RedSite) -> list[tuple[str, str]]:
    """(day name, spans) for the site page; closed days say so."""
    hours = site.opening_hours or {}
    return [(DAY_NAMES[d], hours_label(hours[d]) if hours.get(d) else _("闭馆")) for d in WEEKDAYS]
