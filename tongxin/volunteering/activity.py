"""Volunteering hours of party members, for the points ledger (锋领指数): ``volunteer_hours``
per ledger row (a reversing row comes with negative hours)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

from tongxin.core.registry import Activity
from tongxin.volunteering.models import VolunteerHours

KINDS = ("volunteer_hours",)


def volunteer_activities(start: dt.date, end: dt.date) -> Iterator[Activity]:
    """One query over the hours rows dated in [start, end)."""
    rows = (
        VolunteerHours.objects.filter(member__isnull=False, on__gte=start, on__lt=end)
        .values_list("id", "member_id", "on", "minutes", "activity__title")
        .order_by()
    )
    for pk, member_id, on, minutes, title in rows.iterator(chunk_size=5000):
        yield Activity(
            f"volunteering.hours:{pk}",
            member_id,
            "volunteer_hours",
            on,
            minutes / 60,
            (title or "")[:200],
        )
