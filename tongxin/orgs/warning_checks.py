"""预警 checks of the organization tree: 换届 due, a branch without a secretary."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

from django.db.models import Exists, Max, OuterRef
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from tongxin.core.alert_checks import Finding, alert_check
from tongxin.orgs.models import Leadership, LeadershipRole, Organization, OrgKind

# DESIGN §4.1: term end → 换届 reminder 90 and 30 days before. The value counts the days
# since the 90-day window opened: 1…60 is within 90 days, 61…90 within 30, above 90 overdue.
WINDOW = 90


def _detail(days_left: int) -> str:
    if days_left < 0:
        return str(_("任期已届满 %(d)d 天，应及时换届")) % {"d": -days_left}
    return str(_("距任期届满 %(d)d 天")) % {"d": days_left}


@alert_check(
    "orgs.term_due",
    _("换届提醒"),
    unit=_("天"),
    link=lambda org_id: reverse("orgs:detail", args=[org_id]),
)
def term_due(today: dt.date) -> Iterator[Finding]:
    """The secretary's term end of every organization (one grouped query)."""
    rows = (
        Leadership.objects.filter(role=LeadershipRole.SECRETARY)
        .order_by()
        .values("org_id")
        .annotate(end=Max("term_end"))
        .values_list("org_id", "end")
    )
    for org_id, end in rows:
        left = (end - today).days
        value = WINDOW - left + 1
        if value > 0:
            yield Finding(org_id, value, _detail(left))


@alert_check(
    "orgs.no_secretary",
    _("党支部未配备书记"),
    unit=_("个"),
    link=lambda org_id: reverse("orgs:leader_add", args=[org_id]),
)
def no_secretary(today: dt.date) -> Iterator[Finding]:
    secretary = Leadership.objects.filter(org=OuterRef("pk"), role=LeadershipRole.SECRETARY)
    for pk in (
        Organization.objects.filter(kind=OrgKind.BRANCH, is_temporary=False)
        .filter(~Exists(secretary))
        .values_list("pk", flat=True)
    ):
        yield Finding(pk, 1, str(_("没有书记")))
