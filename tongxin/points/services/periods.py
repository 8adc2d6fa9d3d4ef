"""分时考评: closing a month for a subtree (scores snapshotted, never changed again)."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils.translation import gettext

from tongxin.accounts.models import User
from tongxin.core.audit import audit
from tongxin.core.errors import ConflictError, ServiceError
from tongxin.core.months import month_start, this_month
from tongxin.core.scope import Scope, in_scope, require
from tongxin.orgs.models import Organization
from tongxin.orgs.selectors import org_queryset
from tongxin.points import scores
from tongxin.points.closing import snapshot_rows
from tongxin.points.models import (
    PeriodClose,
    ScoreSnapshot,
)

MANAGE = "members.manage"
EVIDENCE_MAX = 10 * 1024 * 1024
MAX_SPAN_DAYS = 400


@transaction.atomic
def period_close(
    *, actor: User | None, scope: Scope, org: Organization, period: dt.date
) -> PeriodClose:
    """Close a month for an organization's subtree: the scores are recomputed and snapshotted
    (immutable); later events for that month go to the next open month."""
    require(
        in_scope(org_queryset(scope, MANAGE), org),
        gettext("这个党组织不在您的管理范围内，不能结账。"),
    )
    period = month_start(period)
    if period > this_month():
        msg = gettext("还没到%(y)d年%(m)d月，不能提前结账。") % {
            "y": period.year,
            "m": period.month,
        }
        raise ServiceError(msg, fields={"period": msg})
    ancestors = [org.path[:n] for n in range(4, len(org.path) + 1, 4)]
    if PeriodClose.objects.filter(org_path__in=ancestors, period=period).exists():
        msg = gettext("%(y)d年%(m)d月已经结账，结账后的积分不能再改动；更正请记入当前月份。") % {
            "y": period.year,
            "m": period.month,
        }
        raise ConflictError(msg, code="closed")
    close = PeriodClose.objects.create(org=org, org_path=org.path, period=period, closed_by=actor)
    scores.recompute([period], org_path=org.path)
    rows = snapshot_rows(org.path, period)
    ScoreSnapshot.objects.bulk_create(
        (ScoreSnapshot(close=close, **row) for row in rows), batch_size=1000, ignore_conflicts=True
    )
    audit(
        actor=actor,
        action="points.period_close",
        obj=close,
        org_path=org.path,
        diff={"period": period.isoformat(), "members": len(rows)},
    )
    return close
