"""党费 for the points ledger (锋领指数): ``dues_paid`` when a month's dues were paid within the
month (once per member and month, dated the day paid), ``dues_arrears`` when a month with a base
is still unpaid at the end of the following month (dated the first day after that)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

from django.db.models import Exists, OuterRef

from tongxin.core.months import add_months, month_start
from tongxin.core.registry import Activity
from tongxin.dues.models import DuesBase, DuesPayment

KINDS = ("dues_paid", "dues_arrears")


def dues_activities(start: dt.date, end: dt.date) -> Iterator[Activity]:
    """One query for the payments made in [start, end), one per month whose arrears fall due
    in it."""
    seen: set[tuple[int, dt.date]] = set()
    paid = (
        DuesPayment.objects.filter(paid_on__gte=start, paid_on__lt=end, reversal__isnull=True)
        .values_list("member_id", "month", "paid_on")
        .order_by("paid_on", "id")
    )
    for member_id, month, paid_on in paid.iterator(chunk_size=5000):
        if paid_on >= add_months(month, 1) or (member_id, month) in seen:
            continue
        seen.add((member_id, month))
        yield Activity(f"dues.paid:{member_id}:{month:%Y-%m}", member_id, "dues_paid", paid_on)
    # Arrears of month M fall due on the first day of M+2.
    due = month_start(start)
    if due < start:
        due = add_months(due, 1)
    while due < end:
        month = add_months(due, -2)
        unpaid = (
            DuesBase.objects.filter(effective_from__lte=month)
            .exclude(
                Exists(
                    DuesPayment.objects.filter(
                        member_id=OuterRef("member_id"), month=month, reversal__isnull=True
                    )
                )
            )
            .values_list("member_id", flat=True)
            .distinct()
            .order_by()
        )
        for member_id in unpaid.iterator(chunk_size=5000):
            yield Activity(
                f"dues.arrears:{member_id}:{month:%Y-%m}",
                member_id,
                "dues_arrears",
                due,
                1.0,
                f"{month:%Y-%m}",
            )
        due = add_months(due, 1)
