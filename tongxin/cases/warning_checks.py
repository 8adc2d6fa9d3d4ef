"""预警 check of 事件: overdue (督办) cases, at the community's Party organization."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from datetime import time

from django.db.models import Count
from django.db.models.functions import Substr
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tongxin.cases.models import OPEN_STATES, Case
from tongxin.core.alert_checks import Finding, alert_check
from tongxin.orgs.models import Organization

COMMUNITY_PATH = 16  # 市/区县/街道/社区: four steps of the area path


@alert_check(
    "cases.overdue",
    _("事件逾期督办"),
    unit=_("件"),
    link=lambda org_id: reverse("cases:index") + "?overdue=1",
)
def overdue(today: dt.date) -> Iterator[Finding]:
    """Open cases past their deadline, per community; owned by the highest organization
    anchored in that community (its 社区党委). Two grouped queries."""
    now = timezone.make_aware(dt.datetime.combine(today, time(0)))
    rows = dict(
        Case.objects.filter(state__in=OPEN_STATES, deadline_at__lt=now)
        .annotate(comm=Substr("area_path", 1, COMMUNITY_PATH))
        .order_by()
        .values("comm")
        .annotate(n=Count("pk"))
        .values_list("comm", "n")
    )
    if not rows:
        return
    owner: dict[str, tuple[int, str]] = {}
    for pk, path, area in Organization.objects.filter(area__path__in=list(rows)).values_list(
        "pk", "path", "area__path"
    ):
        if area not in owner or len(path) < len(owner[area][1]):
            owner[area] = (pk, path)
    for comm, n in rows.items():
        if comm in owner:
            yield Finding(owner[comm][0], n, str(_("%(n)d 件事件逾期未办结")) % {"n": n})
