"""What members did at red sites, for the points ledger (锋领指数): one ``redsite_checkin``
activity per 打卡 (kind ``redsite_checkin``, quantity 1), keyed ``redmap.checkin:<id>``."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

from tongxin.core.registry import Activity
from tongxin.redmap.models import CheckIn


def checkins_between(start: dt.date, end: dt.date) -> Iterator[Activity]:
    rows = (
        CheckIn.objects.filter(on__gte=start, on__lt=end)
        .order_by("id")
        .values_list("id", "member_id", "on", "site__name")
    )
    for pk, member_id, on, site_name in rows.iterator(chunk_size=2000):
        yield Activity(
            key=f"redmap.checkin:{pk}",
            member_id=member_id,
            kind="redsite_checkin",
            on=on,
            note=site_name,
        )
