"""A service centre's opening hours and closed dates: the form's text parsed and formatted,
the stored shape validated, and whether a booking falls inside the hours."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext

from tongxin.centers.models import WEEKDAYS, ServiceCenter
from tongxin.core.errors import ServiceError

_HHMM = re.compile(r"^([01]\d|2[0-3]):[0-5]\d$")


def validate_opening_hours(hours: Any) -> dict[str, list[list[str]]]:
    """``{"mon": [["08:30", "12:00"], ["14:00", "17:30"]], ...}``; days left out are closed."""
    if not isinstance(hours, dict) or any(k not in WEEKDAYS for k in hours):
        raise ServiceError(
            gettext("开放时间格式不正确：请按星期（mon至sun）填写开始和结束时间。"),
            fields={"opening_hours": gettext("开放时间格式不正确，请按星期填写。")},
        )
    out: dict[str, list[list[str]]] = {}
    for day in WEEKDAYS:
        spans = hours.get(day) or []
        clean = []
        for span in spans:
            if (
                not isinstance(span, list | tuple)
                or len(span) != 2
                or not all(isinstance(t, str) and _HHMM.match(t) for t in span)
                or span[0] >= span[1]
            ):
                msg = gettext("开放时间应写成“08:30-17:30”，结束须晚于开始，请核对。")
                raise ServiceError(msg, fields={"opening_hours": msg})
            clean.append([span[0], span[1]])
        out[day] = clean
    return out


def parse_opening_hours(text: str) -> dict[str, list[list[str]]]:
    """The form's text: one line per day group, e.g. ``mon-fri 08:30-12:00 14:00-17:30`` or
    ``sat 09:00-12:00``; ``周一``…``周日`` are accepted for mon…sun."""
    names = {
        "周一": "mon",
        "周二": "tue",
        "周三": "wed",
        "周四": "thu",
        "周五": "fri",
        "周六": "sat",
        "周日": "sun",
    }
    hours: dict[str, list[list[str]]] = {}
    for line in text.splitlines():
        parts = line.replace("～", "-").replace("~", "-").split()
        if not parts:
            continue
        days = parts[0]
        for zh, en in names.items():
            days = days.replace(zh, en)
        if "-" in days:
            a, _sep, b = days.partition("-")
            if a not in WEEKDAYS or b not in WEEKDAYS:
                return validate_opening_hours({"bad": []})
            selected = WEEKDAYS[WEEKDAYS.index(a) : WEEKDAYS.index(b) + 1]
        else:
            selected = days.split(",")
        spans = [p.split("-") for p in parts[1:]]
        for d in selected:
            hours.setdefault(d, []).extend(spans)
    return validate_opening_hours(hours)


def format_opening_hours(hours: dict[str, list[list[str]]]) -> str:
    return "\n".join(
        f"{day} " + " ".join(f"{a}-{b}" for a, b in spans)
        for day in WEEKDAYS
        if (spans := hours.get(day))
    )


MAX_CLOSED_DATES = 400
DAY_NAMES = {
    "mon": "周一",
    "tue": "周二",
    "wed": "周三",
    "thu": "周四",
    "fri": "周五",
    "sat": "周六",
    "sun": "周日",
}


def parse_closed_dates(text: str) -> list[dict[str, str]]:
    """The form's text: one line per date or range with an optional note, e.g.
    ``2026-10-01~2026-10-07 国庆节`` or ``2026-12-31 盘点``."""
    out: dict[str, str] = {}
    for line in text.splitlines():
        parts = line.replace("～", "~").replace("至", "~").split(maxsplit=1)
        if not parts:
            continue
        note = parts[1].strip()[:50] if len(parts) > 1 else ""
        first, _sep, last = parts[0].partition("~")
        try:
            a = dt.date.fromisoformat(first)
            b = dt.date.fromisoformat(last) if last else a
        except ValueError:
            msg = gettext(
                "休息日“%(line)s”格式不正确，请写成“2026-10-01 国庆节”或"
                "“2026-10-01~2026-10-07 国庆节”。"
            ) % {"line": line.strip()[:40]}
            raise ServiceError(msg, fields={"closed_text": msg}) from None
        if b < a or (b - a).days > 60:
            msg = gettext(
                "休息日“%(line)s”的起止日期有误（结束不能早于开始，一段最长60天），请核对。"
            ) % {"line": line.strip()[:40]}
            raise ServiceError(msg, fields={"closed_text": msg})
        d = a
        while d <= b:
            out[d.isoformat()] = note
            d += dt.timedelta(days=1)
    return validate_closed_dates([{"date": k, "note": v} for k, v in out.items()])


def validate_closed_dates(rows: Any) -> list[dict[str, str]]:
    msg = gettext('休息日应为日期列表，例如 [{"date": "2026-10-01", "note": "国庆节"}]。')
    if not isinstance(rows, list):
        raise ServiceError(msg, fields={"closed_dates": msg})
    out: dict[str, str] = {}
    for row in rows:
        if not isinstance(row, dict) or not isinstance(row.get("date"), str):
            raise ServiceError(msg, fields={"closed_dates": msg})
        try:
            day = dt.date.fromisoformat(row["date"])
        except ValueError:
            raise ServiceError(msg, fields={"closed_dates": msg}) from None
        out[day.isoformat()] = str(row.get("note") or "").strip()[:50]
    if len(out) > MAX_CLOSED_DATES:
        too_many = gettext("休息日最多登记%(n)s天，请删去已经过去的日期。") % {
            "n": MAX_CLOSED_DATES
        }
        raise ServiceError(too_many, fields={"closed_dates": too_many})
    return [{"date": k, "note": out[k]} for k in sorted(out)]


def format_closed_dates(rows: list[dict[str, str]]) -> str:
    return "\n".join(f"{r['date']} {r['note']}".strip() for r in rows)


def hours_label(spans: list[list[str]]) -> str:
    return "、".join(f"{a}–{b}" for a, b in spans)


def check_open(center: ServiceCenter, start: dt.datetime, end: dt.datetime) -> None:
    """A booking lies inside one of the opening spans of its day, on a day the centre is open.
    A centre that declares no hours at all takes bookings at any time."""
    hours = center.opening_hours or {}
    if not any(hours.get(d) for d in WEEKDAYS):
        return
    s, e = timezone.localtime(start), timezone.localtime(end)
    day = s.date()
    closed = {r["date"]: r.get("note", "") for r in center.closed_dates or []}
    if day.isoformat() in closed:
        note = closed[day.isoformat()]
        msg = gettext("该站点%(day)s%(note)s休息，请选择其他日期。") % {
            "day": f"{day:%Y-%m-%d}",
            "note": f"（{note}）" if note else "",
        }
        raise ServiceError(msg, fields={"start": msg}, code="closed")
    weekday = WEEKDAYS[day.weekday()]
    spans = hours.get(weekday) or []
    if not spans:
        msg = gettext("该站点%(day)s休息，请选择其他日期。") % {"day": DAY_NAMES[weekday]}
        raise ServiceError(msg, fields={"start": msg}, code="closed")
    begin, finish = s.strftime("%H:%M"), e.strftime("%H:%M")
    inside = e.date() == day and any(a <= begin and finish <= b for a, b in spans)
    if not inside:
        msg = gettext("开放时间为 %(hours)s，请重新选择时间。") % {"hours": hours_label(spans)}
        raise ServiceError(msg, fields={"start": msg}, code="outside_hours")
