"""The 互助金 figures of the 数据驾驶舱 (core.metrics), keyed by the fund's organization path:
the funds' balance (available and held for 公示), aid paid in the year up to the period's end
(payments and amount), and applications waiting for a decision."""

from __future__ import annotations

import datetime as dt

from django.db.models import Count, Sum
from django.utils.translation import gettext_lazy as _

from tongxin.aid.models import AccountCode, AidApplication, LedgerPeriod, Status
from tongxin.core.metrics import Metric, register, sum_rows

GROUP = _("互助金")
WAITING = (Status.SUBMITTED, Status.REVIEWED, Status.PUBLICITY)


def _yuan(rows: dict[str, float]) -> dict[str, float]:
    return {p: round(v / 100, 2) for p, v in rows.items()}


def balance(start: dt.date, end: dt.date) -> dict[str, float]:
    return _yuan(
        sum_rows(
            LedgerPeriod.objects.filter(code__in=(AccountCode.CASH, AccountCode.HELD))
            .order_by()
            .values_list("fund__org_path")
            .annotate(n=Sum("total_fen"))
        )
    )


def _paid_this_year(end: dt.date):
    year = (end - dt.timedelta(days=1)).year
    return (
        LedgerPeriod.objects.filter(code=AccountCode.AID_PAID, month__year=year)
        .order_by()
        .values_list("fund__org_path")
    )


def paid_count(start: dt.date, end: dt.date) -> dict[str, float]:
    return sum_rows(_paid_this_year(end).annotate(n=Sum("lines")))


def paid_yuan(start: dt.date, end: dt.date) -> dict[str, float]:
    return _yuan(sum_rows(_paid_this_year(end).annotate(n=Sum("total_fen"))))


def applications_waiting(start: dt.date, end: dt.date) -> dict[str, float]:
    return sum_rows(
        AidApplication.objects.filter(status__in=WAITING)
        .order_by()
        .values_list("org_path")
        .annotate(n=Count("id"))
    )


standing: dict[str, object] = {"group": GROUP, "historical": False}
register(
    Metric(
        "aid.balance",
        _("互助金余额"),
        unit=_("元"),
        compute=balance,
        order=160,
        **standing,  # type: ignore[arg-type]
    ),
    Metric(
        "aid.paid_year",
        _("本年发放笔数"),
        unit=_("笔"),
        compute=paid_count,
        order=161,
        **standing,  # type: ignore[arg-type]
    ),
    Metric(
        "aid.paid_year_yuan",
        _("本年发放金额"),
        unit=_("元"),
        compute=paid_yuan,
        order=162,
        **standing,  # type: ignore[arg-type]
    ),
    Metric(
        "aid.applications_waiting",
        _("待办申请"),
        unit=_("件"),
        compute=applications_waiting,
        order=163,
        **standing,  # type: ignore[arg-type]
    ),
)
