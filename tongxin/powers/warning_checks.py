"""预警 check of 小微权力清单: uses of a power stuck past the time limit of their current step
(its 公示 and its 办理时限), at the organization that runs them."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

from django.db.models import Count
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from tongxin.core.alert_checks import Finding, alert_check
from tongxin.orgs.models import Organization
from tongxin.powers.models import PowerInstance
from tongxin.powers.selectors import stuck_q


@alert_check(
    "powers.instances_stuck",
    _("小微权力运行超时"),
    unit=_("件"),
    link=lambda org_id: reverse("powers:instances") + "?stuck=1",
)
def instances_stuck(today: dt.date) -> Iterator[Finding]:
    """Running instances past their step's limit, per organization: two grouped queries."""
    rows = dict(
        PowerInstance.objects.filter(stuck_q(today))
        .order_by()
        .values("org_path")
        .annotate(n=Count("pk"))
        .values_list("org_path", "n")
    )
    if not rows:
        return
    for pk, path in Organization.objects.filter(path__in=list(rows)).values_list("pk", "path"):
        n = rows[path]
        yield Finding(pk, n, str(_("%(n)d 件权力事项超过环节时限未办理")) % {"n": n})
