"""Calendar months as dates: 党费 months (the first day of a month) and a transfer letter's three
months."""

from __future__ import annotations

import calendar
import datetime as dt

from django.utils import timezone


def month_start(d: dt.date) -> dt.date:
    return d.replace(day=1)


def this_month() -> dt.date:
    """The first day of today's month (Beijing time)."""
    return month_start(timezone.localdate())


def add_months(d: dt.date, months: int) -> dt.date:
    """The same day `months` later (or earlier), clipped to the end of a shorter month."""
    month0 = d.month - 1 + months
    year, month = d.year + month0 // 12, month0 % 12 + 1
    return dt.date(year, month, min(d.day, calendar.monthrange(year, month)[1]))
