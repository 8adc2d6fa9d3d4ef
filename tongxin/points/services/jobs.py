"""Installation-wide jobs of 锋领指数: collecting every registered activity source into the
ledger, recomputing monthly scores. A system task (``actor=None``) or a superuser."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils.translation import gettext

from tongxin.accounts.models import User
from tongxin.core.audit import audit
from tongxin.core.errors import ServiceError
from tongxin.core.registry import activities_between
from tongxin.core.scope import Scope, require
from tongxin.points import ledger, scores
from tongxin.points.rules import seed_default_rule_sets

MANAGE = "members.manage"
EVIDENCE_MAX = 10 * 1024 * 1024
MAX_SPAN_DAYS = 400


def _require_installation(scope: Scope) -> None:
    require(scope.is_superuser, gettext("只有系统管理员可以执行全市范围的积分作业。"))


@transaction.atomic
def points_collect(
    *, actor: User | None, scope: Scope, start: dt.date, end: dt.date
) -> dict[str, int]:
    """Read every registered activity source for [start, end) and append the entries not yet
    in the ledger (set-based: one bulk insert; a second run writes nothing), then recompute the
    months they count for."""
    _require_installation(scope)
    if end <= start or (end - start).days > MAX_SPAN_DAYS:
        msg = gettext("统计区间应在1天到400天之间，请缩短起止日期。")
        raise ServiceError(msg, fields={"end": msg})
    seed_default_rule_sets()
    events = (
        ledger.Event(a.key, a.member_id, a.kind, a.on, a.quantity, a.note)
        for a in activities_between(start, end)
    )
    outcome = ledger.write(events)
    months = {e.period for e in outcome.entries}
    if months:
        scores.recompute(months)
    result = {
        "written": len(outcome.entries),
        "known": outcome.known,
        "skipped": outcome.skipped,
    }
    audit(
        actor=actor,
        action="points.collect",
        object_type="points.pointentry",
        installation_wide=True,
        diff={"start": start.isoformat(), "end": end.isoformat(), **result},
    )
    return result


@transaction.atomic
def points_recompute(*, actor: User | None, scope: Scope, year: int) -> int:
    """Rebuild every member's monthly scores of a year from the ledger (one grouped query)."""
    _require_installation(scope)
    months = [dt.date(year, m, 1) for m in range(1, 13)]
    n = scores.recompute(months)
    audit(
        actor=actor,
        action="points.recompute",
        object_type="points.monthlyscore",
        installation_wide=True,
        diff={"year": year, "rows": n},
    )
    return n
