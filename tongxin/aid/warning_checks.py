"""预警 checks of 党员互助金: applications waiting too long for the branch or the committee,
and a fund whose available money does not cover the applications before it."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

from django.db.models import Min, Sum
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tongxin.aid.models import AccountCode, AidApplication, AidFund, LedgerPeriod, Status
from tongxin.core.alert_checks import Finding, alert_check
from tongxin.orgs.models import Organization

WAITING = (Status.SUBMITTED, Status.REVIEWED)


@alert_check(
    "aid.applications_waiting",
    _("互助金申请久未审批"),
    unit=_("天"),
    link=lambda org_id: reverse("aid:applications"),
)
def applications_waiting(today: dt.date) -> Iterator[Finding]:
    """Days the oldest waiting application has waited, at the organization that must act:
    the member's branch while it waits for review, the fund's organization while it waits
    for the committee. Three grouped queries."""
    oldest: dict[str, dt.datetime] = dict(
        AidApplication.objects.filter(status=Status.SUBMITTED)
        .order_by()
        .values("org_path")
        .annotate(t=Min("created_at"))
        .values_list("org_path", "t")
    )
    for path, first in (
        AidApplication.objects.filter(status=Status.REVIEWED)
        .order_by()
        .values("fund__org_path")
        .annotate(t=Min("reviewed_at"))
        .values_list("fund__org_path", "t")
    ):
        if first is not None and (path not in oldest or first < oldest[path]):
            oldest[path] = first
    if not oldest:
        return
    for pk, path in Organization.objects.filter(path__in=list(oldest)).values_list("pk", "path"):
        days = (today - timezone.localdate(oldest[path])).days
        if days > 0:
            yield Finding(pk, days, str(_("最早一份申请已等待 %(d)d 天")) % {"d": days})


@alert_check(
    "aid.fund_shortfall",
    _("互助金可用资金不足"),
    unit=_("元"),
    link=lambda org_id: reverse("aid:funds"),
)
def fund_shortfall(today: dt.date) -> Iterator[Finding]:
    """How many yuan the applications waiting for review or approval exceed the fund's
    available money by (a fund running low before it can pay). Two grouped queries."""
    cash = dict(
        LedgerPeriod.objects.filter(code=AccountCode.CASH)
        .order_by()
        .values("fund_id")
        .annotate(t=Sum("total_fen"))
        .values_list("fund_id", "t")
    )
    asked = (
        AidApplication.objects.filter(status__in=WAITING)
        .order_by()
        .values("fund_id")
        .annotate(t=Sum("amount_fen"))
        .values_list("fund_id", "t")
    )
    orgs = dict(AidFund.objects.values_list("pk", "org_id"))
    for fund_id, fen in asked:
        short = (int(fen or 0) - int(cash.get(fund_id) or 0)) // 100
        if short > 0 and fund_id in orgs:
            yield Finding(
                orgs[fund_id], short, str(_("待审批申请超出可用资金 %(y)d 元")) % {"y": short}
            )
