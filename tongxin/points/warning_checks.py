"""预警 check of 锋领指数: last month's points not closed (分时考评) after the month ended, at
each organization whose members scored that month and that no close covers."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from tongxin.core.alert_checks import Finding, alert_check
from tongxin.orgs.models import Organization
from tongxin.points.models import MonthlyScore, PeriodClose


def _covered(path: str, closed: set[str]) -> bool:
    return any(path[:end] in closed for end in range(4, len(path) + 1, 4))


@alert_check(
    "points.month_not_closed",
    _("积分月度未结账"),
    unit=_("天"),
    link=lambda org_id: reverse("points:close"),
)
def month_not_closed(today: dt.date) -> Iterator[Finding]:
    """The value is the days since last month ended. Three queries: the organizations with
    scores last month, the closes of that month, their ids."""
    first = today.replace(day=1)
    period = (first - dt.timedelta(days=1)).replace(day=1)
    days = (today - first).days + 1
    scored = set(
        MonthlyScore.objects.filter(period=period)
        .order_by()
        .values_list("member_org_path", flat=True)
        .distinct()
    )
    if not scored:
        return
    closed = set(PeriodClose.objects.filter(period=period).values_list("org_path", flat=True))
    open_paths = [p for p in scored if not _covered(p, closed)]
    label = f"{period:%Y-%m}"
    for pk in Organization.objects.filter(path__in=open_paths).values_list("pk", flat=True):
        yield Finding(pk, days, str(_("%(month)s 积分尚未结账")) % {"month": label})
