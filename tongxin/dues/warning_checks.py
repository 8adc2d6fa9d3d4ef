"""预警 checks of 党费 (registered with core.alert_checks)."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterator

from django.db.models import Max, Min
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from tongxin.core.alert_checks import Finding, alert_check
from tongxin.core.months import add_months, month_start
from tongxin.dues.models import DuesBase, DuesPayment


def _months_between(a: dt.date, b: dt.date) -> int:
    return (b.year - a.year) * 12 + b.month - a.month


@alert_check(
    "dues.arrears_months",
    _("党费欠缴"),
    unit=_("个月"),
    link=lambda org_id: reverse("dues:arrears") + f"?org={org_id}",
)
def arrears_months(today: dt.date) -> Iterator[Finding]:
    """Per organization, the longest run of unpaid months among its members who owe dues
    (those with a base): months after the last paid month, before the current one. Two
    grouped queries. 党章第三十二条: six months unpaid without reason → treated as leaving."""
    month = month_start(today)
    first = dict(
        DuesBase.objects.order_by()
        .values("member_id")
        .annotate(first=Min("effective_from"))
        .values_list("member_id", "first")
    )
    last = dict(
        DuesPayment.objects.filter(reversal__isnull=True)
        .order_by()
        .values("member_id")
        .annotate(last=Max("month"))
        .values_list("member_id", "last")
    )
    orgs = dict(
        DuesBase.objects.order_by()
        .values_list("member_id", "member__org_id")
        .filter(member__standing="normal")
        .distinct()
    )
    worst: dict[int, int] = defaultdict(int)
    owing: dict[int, int] = defaultdict(int)
    for member_id, org_id in orgs.items():
        paid = last.get(member_id) or add_months(first[member_id], -1)
        months = _months_between(paid, month) - 1
        if months >= 1:
            worst[org_id] = max(worst[org_id], months)
            if months >= 3:
                owing[org_id] += 1
    for org_id, months in worst.items():
        yield Finding(org_id, months, str(_("%(n)d 名党员欠缴3个月以上")) % {"n": owing[org_id]})
