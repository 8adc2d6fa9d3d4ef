"""预警 check of 述职评议: 整改 items past their deadline and not closed, at the reporting
organization (a department's items at the organization that ran the review)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

from django.db.models import Count
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from tongxin.appraisal.models import ItemStatus, RectificationItem
from tongxin.core.alert_checks import Finding, alert_check


@alert_check(
    "appraisal.rectify_overdue",
    _("述职评议整改逾期"),
    unit=_("项"),
    link=lambda org_id: reverse("appraisal:index"),
)
def rectify_overdue(today: dt.date) -> Iterator[Finding]:
    """Open 整改 items past their deadline, per organization: one grouped query."""
    rows = (
        RectificationItem.objects.filter(status=ItemStatus.OPEN, deadline__lt=today)
        .annotate(owner_org=Coalesce("reporter__org_id", "reporter__session__org_id"))
        .order_by()
        .values("owner_org")
        .annotate(n=Count("pk"))
        .values_list("owner_org", "n")
    )
    for org_id, n in rows:
        if org_id is not None:
            yield Finding(org_id, n, str(_("%(n)d 项整改事项逾期未销号")) % {"n": n})
