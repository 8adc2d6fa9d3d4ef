"""预警 check of 协商议事: action items (办) past their deadline and not done, at the forum's
host organization."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

from django.db.models import Count
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from tongxin.core.alert_checks import Finding, alert_check
from tongxin.deliberation.models import ActionItem
from tongxin.orgs.models import Organization


@alert_check(
    "deliberation.actions_overdue",
    _("议事事项逾期未办结"),
    unit=_("项"),
    link=lambda org_id: reverse("deliberation:forums"),
)
def actions_overdue(today: dt.date) -> Iterator[Finding]:
    """Open action items past their deadline, per host organization: two grouped queries."""
    rows = dict(
        ActionItem.objects.filter(done_at__isnull=True, deadline__lt=today)
        .order_by()
        .values("topic__host_org_path")
        .annotate(n=Count("pk"))
        .values_list("topic__host_org_path", "n")
    )
    if not rows:
        return
    for pk, path in Organization.objects.filter(path__in=list(rows)).values_list("pk", "path"):
        n = rows[path]
        yield Finding(pk, n, str(_("%(n)d 项议事办理事项逾期未办结")) % {"n": n})
