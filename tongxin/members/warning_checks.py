"""预警 checks of the roster: 预备期 ended without 转正, members 失联."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

from django.db.models import Count
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from tongxin.core.alert_checks import Finding, alert_check
from tongxin.members.models import Member, MemberStatus, Standing


def _members_link(org_id: int) -> str:
    return reverse("members:list") + f"?org={org_id}"


@alert_check("members.probation_over", _("预备期满未转正"), unit=_("人"), link=_members_link)
def probation_over(today: dt.date) -> Iterator[Finding]:
    # 《中国共产党章程》第七条: 预备党员的预备期为一年.
    try:
        year_ago = today.replace(year=today.year - 1)
    except ValueError:  # 29 February
        year_ago = today - dt.timedelta(days=365)
    rows = (
        Member.objects.filter(status=MemberStatus.PROBATIONARY, joined_on__lt=year_ago)
        .exclude(standing=Standing.SUSPENDED)
        .order_by()
        .values("org_id")
        .annotate(n=Count("pk"))
        .values_list("org_id", "n")
    )
    for org_id, n in rows:
        yield Finding(org_id, n, str(_("%(n)d 名预备党员预备期已满")) % {"n": n})


@alert_check("members.lost_contact", _("失联党员"), unit=_("人"), link=_members_link)
def lost_contact(today: dt.date) -> Iterator[Finding]:
    rows = (
        Member.objects.filter(is_lost_contact=True)
        .order_by()
        .values("org_id")
        .annotate(n=Count("pk"))
        .values_list("org_id", "n")
    )
    for org_id, n in rows:
        yield Finding(org_id, n, str(_("%(n)d 名党员失联")) % {"n": n})
