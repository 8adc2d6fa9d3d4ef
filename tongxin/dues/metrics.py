"""The 党费 figures of the 数据驾驶舱 (core.metrics): payments and amounts of the period, and
members in arrears of 3 and of 6 months (党章第三十条: six months unpaid without reason)."""

from __future__ import annotations

import datetime as dt

from django.db.models import Count, Exists, OuterRef, Sum
from django.utils.translation import gettext_lazy as _

from tongxin.core.metrics import Metric, register, shared, stock, sum_rows
from tongxin.core.months import add_months
from tongxin.dues.models import DuesBase, DuesPayment
from tongxin.members.models import Member

GROUP = _("党费")


def _payments(start: dt.date, end: dt.date):
    return DuesPayment.objects.filter(
        paid_on__gte=start, paid_on__lt=end, reversal__isnull=True
    ).order_by()


@shared
def _paid(start: dt.date, end: dt.date) -> tuple[dict[str, float], dict[str, float]]:
    """(payments, fen) per org path in [start, end): one grouped read, shared within a
    recomputation."""
    rows = list(
        _payments(start, end).values_list("org_path").annotate(n=Count("id"), fen=Sum("amount_fen"))
    )
    return sum_rows((p, n) for p, n, _fen in rows), sum_rows((p, fen) for p, _n, fen in rows)


def paid_count(start: dt.date, end: dt.date) -> dict[str, float]:
    return _paid(start, end)[0]


def paid_yuan(start: dt.date, end: dt.date) -> dict[str, float]:
    return {p: round(v / 100, 2) for p, v in _paid(start, end)[1].items()}


def _arrears(months: int):
    def compute(end: dt.date) -> dict[str, float]:
        """Members with a dues base who paid for none of the last ``months`` months."""
        last = (end - dt.timedelta(days=1)).replace(day=1)
        first = add_months(last, -(months - 1))
        base = DuesBase.objects.filter(member=OuterRef("pk"), effective_from__lte=first)
        paid = DuesPayment.objects.filter(
            member=OuterRef("pk"), month__gte=first, month__lte=last, reversal__isnull=True
        )
        return sum_rows(
            Member.objects.filter(Exists(base), ~Exists(paid))
            .order_by()
            .values_list("org_path")
            .annotate(n=Count("id"))
        )

    return stock(compute)


register(
    Metric("dues.paid", _("缴纳笔数"), unit=_("笔"), group=GROUP, compute=paid_count, order=40),
    Metric(
        "dues.paid_yuan",
        _("缴纳金额"),
        unit=_("元"),
        group=GROUP,
        compute=paid_yuan,
        headline=True,
        order=41,
    ),
    Metric(
        "dues.arrears_3m",
        _("欠缴3个月以上"),
        unit=_("人"),
        group=GROUP,
        people=True,
        compute=_arrears(3),
        historical=False,
        order=42,
    ),
    Metric(
        "dues.arrears_6m",
        _("欠缴6个月以上"),
        unit=_("人"),
        group=GROUP,
        people=True,
        compute=_arrears(6),
        historical=False,
        order=43,
    ),
)


def _dues_month(end: dt.date):
    """Payments recorded for the dues month of the period's last day (the 工作台's figure)."""
    month = (end - dt.timedelta(days=1)).replace(day=1)
    return DuesPayment.objects.filter(month=month, reversal__isnull=True).order_by()


@shared
def _month_paid(end: dt.date) -> tuple[dict[str, float], dict[str, float]]:
    rows = list(
        _dues_month(end).values_list("org_path").annotate(n=Count("id"), fen=Sum("amount_fen"))
    )
    return sum_rows((p, n) for p, n, _fen in rows), sum_rows((p, fen) for p, _n, fen in rows)


def month_paid(start: dt.date, end: dt.date) -> dict[str, float]:
    return _month_paid(end)[0]


def month_paid_yuan(start: dt.date, end: dt.date) -> dict[str, float]:
    return {p: round(v / 100, 2) for p, v in _month_paid(end)[1].items()}


register(
    Metric(
        "dues.month_paid",
        _("本月党费已缴笔数"),
        unit=_("笔"),
        group=GROUP,
        compute=month_paid,
        historical=False,
        order=44,
    ),
    Metric(
        "dues.month_paid_yuan",
        _("本月党费已缴金额"),
        unit=_("元"),
        group=GROUP,
        compute=month_paid_yuan,
        historical=False,
        order=45,
    ),
)
