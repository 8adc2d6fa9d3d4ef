"""双报到 on the 工作台 and the phone home: the reports waiting for a community the user
manages (a figure of the 转接 · 双报到 · 党费 card), and a member's own 双报到."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from tongxin.core.scope import Scope
from tongxin.dual_reports import selectors
from tongxin.dual_reports.models import OPEN_DUAL_REPORT_STATUSES


def waiting_figure(request: HttpRequest, scope: Scope) -> dict[str, Any]:
    """``dual_waiting`` of the 转接 · 双报到 · 党费 card (members/transfers/_panel.html), which
    shows to users who see members: one query, None for a user who manages no community."""
    if not scope.has("members.view"):
        return {}
    return {"dual_waiting": selectors.waiting_count(scope)}


def compute_own_dual(request: HttpRequest, scope: Scope | None = None) -> dict[str, Any] | None:
    """我的双报到 on the 工作台 of a user whose account is a member's: one query."""
    if not getattr(request.user, "member_id", None):
        return None
    reports = list(selectors.own_dual_reports(request.user)[:20])
    current = next((r for r in reports if r.status in OPEN_DUAL_REPORT_STATUSES), None)
    total = sum(r.total_minutes for r in reports)  # type: ignore[attr-defined]
    return {"current": current, "total": selectors.hours_text(total)}
