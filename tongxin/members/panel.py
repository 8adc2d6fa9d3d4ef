"""The 工作台 cards: transfers and 双报到 (two counts, one query each); and a member's own
双报到. (党费's card is the dues app's.)"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from tongxin.core.scope import Scope
from tongxin.members import dual_report, transfers
from tongxin.members.models import OPEN_DUAL_REPORT_STATUSES, DualReportStatus


def compute(request: HttpRequest, scope: Scope) -> dict[str, Any] | None:
    if not scope.has("members.view"):
        return None
    return {
        "todo": transfers.transfer_list(scope, "todo").count(),
        "dual_waiting": dual_report.dual_report_list(scope, "community")
        .filter(status=DualReportStatus.REPORTED)
        .count()
        if scope.has(dual_report.COMMUNITY_PERM)
        else None,
    }


def compute_own_dual(request: HttpRequest, scope: Scope | None = None) -> dict[str, Any] | None:
    """我的双报到 on the 工作台 of a user whose account is a member's: one query."""
    if not getattr(request.user, "member_id", None):
        return None
    reports = list(dual_report.own_dual_reports(request.user)[:20])
    current = next((r for r in reports if r.status in OPEN_DUAL_REPORT_STATUSES), None)
    total = sum(r.total_minutes for r in reports)  # type: ignore[attr-defined]
    return {"current": current, "total": dual_report.hours_text(total)}
