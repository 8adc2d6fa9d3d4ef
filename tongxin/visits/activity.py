"""Visits made by party members (走访, 家访, 巡访), for the points ledger (锋领指数):
``visit_made``."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

from tongxin.core.registry import Activity
from tongxin.visits.models import Visit

KINDS = ("visit_made",)


def visit_activities(start: dt.date, end: dt.date) -> Iterator[Activity]:
    """One query over the visits made in [start, end) by a member."""
    rows = (
        Visit.objects.filter(
            visitor_member__isnull=False, visited_on__gte=start, visited_on__lt=end
        )
        .values_list("id", "visitor_member_id", "visited_on", "people_met")
        .order_by()
    )
    for pk, member_id, on, met in rows.iterator(chunk_size=5000):
        yield Activity(f"visits.visit:{pk}", member_id, "visit_made", on, 1.0, met[:200])
