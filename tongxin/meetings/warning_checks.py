"""预警 checks of 组织生活 (registered with core.alert_checks; the warnings engine reads them)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

from django.db.models import Max, Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from tongxin.core.alert_checks import Finding, alert_check
from tongxin.meetings.models import MeetingKind, MeetingStatus
from tongxin.orgs.models import Organization, OrgKind

# 《中国共产党支部工作条例（试行）》第十九条: 支部委员会一般每月召开1次. A branch whose last
# committee meeting is more than a month old is overdue by the days beyond it.
MONTH_DAYS = 31


@alert_check(
    "meetings.committee_overdue",
    _("三会一课逾期（支部委员会）"),
    unit=_("天"),
    link=lambda org_id: reverse("meetings:index") + f"?org={org_id}",
)
def committee_overdue(today: dt.date) -> Iterator[Finding]:
    """Days beyond a month since each branch's last held 支部委员会 (one grouped query); a
    branch that never held one counts from its founding, else from a year ago."""
    held = Q(meetings__kind=MeetingKind.COMMITTEE, meetings__status=MeetingStatus.HELD)
    held &= Q(meetings__date__lte=today)
    rows = (
        Organization.objects.filter(kind=OrgKind.BRANCH)
        .annotate(last=Max("meetings__date", filter=held))
        .values_list("pk", "last", "founded_on")
    )
    for pk, last, founded in rows:
        since = last or founded or today - dt.timedelta(days=365)
        over = (today - since).days - MONTH_DAYS
        if over <= 0:
            continue
        if last is None:
            detail = str(_("没有召开支部委员会的记录"))
        else:
            detail = str(_("距上次支部委员会 %(d)d 天")) % {"d": over + MONTH_DAYS}
        yield Finding(pk, over, detail)
