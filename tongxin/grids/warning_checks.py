"""预警 checks of 网格: a grid without an instructor, members in no grid."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

from django.db.models import Count, Exists, OuterRef
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from tongxin.core.alert_checks import Finding, alert_check
from tongxin.grids.models import Grid, GridMembership
from tongxin.members.models import Member, Standing


@alert_check(
    "grids.no_instructor",
    _("网格未配备党建指导员"),
    unit=_("个"),
    link=lambda org_id: reverse("grids:list") + f"?org={org_id}",
)
def no_instructor(today: dt.date) -> Iterator[Finding]:
    """Per serving branch (DESIGN §4.3: exactly one instructor per grid)."""
    rows = (
        Grid.objects.filter(instructor__isnull=True, serving_branch__isnull=False)
        .order_by()
        .values("serving_branch_id")
        .annotate(n=Count("pk"))
        .values_list("serving_branch_id", "n")
    )
    for org_id, n in rows:
        yield Finding(org_id, n, str(_("%(n)d 个网格没有指导员")) % {"n": n})


@alert_check(
    "grids.members_without_grid",
    _("党员未编入网格"),
    unit=_("人"),
    link=lambda org_id: reverse("grids:coverage") + f"?org={org_id}",
)
def members_without_grid(today: dt.date) -> Iterator[Finding]:
    """DESIGN §4.2: every active member is in exactly one grid."""
    in_grid = GridMembership.objects.filter(member=OuterRef("pk"))
    rows = (
        Member.objects.filter(standing=Standing.NORMAL)
        .filter(~Exists(in_grid))
        .order_by()
        .values("org_id")
        .annotate(n=Count("pk"))
        .values_list("org_id", "n")
    )
    for org_id, n in rows:
        yield Finding(org_id, n, str(_("%(n)d 名党员未编入网格")) % {"n": n})
