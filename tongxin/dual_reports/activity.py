"""双报到 hours served in the community, for the points ledger (锋领指数):
``dual_report_hours``. Hours copied from a volunteering activity are left out: the volunteering
source already counts them."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

from tongxin.core.registry import Activity
from tongxin.dual_reports.models import DualReportHours

KINDS = ("dual_report_hours",)


def dual_report_activities(start: dt.date, end: dt.date) -> Iterator[Activity]:
    """One query over the hours served in [start, end)."""
    rows = (
        DualReportHours.objects.filter(served_on__gte=start, served_on__lt=end)
        .exclude(source="volunteering")
        .values_list("id", "dual_report__member_id", "served_on", "minutes", "note")
        .order_by()
    )
    for pk, member_id, on, minutes, note in rows.iterator(chunk_size=5000):
        yield Activity(
            f"dual_reports.hours:{pk}", member_id, "dual_report_hours", on, minutes / 60, note[:200]
        )
