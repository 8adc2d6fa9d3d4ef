"""The 工作台 card (pending approvals, the year's points in reach) and the member's phone card
(their score, tier and rank in the branch)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.http import HttpRequest

from tongxin.core.registry import StoredFigures
from tongxin.core.scope import Scope
from tongxin.members.selectors import own_member
from tongxin.points.models import AwardState
from tongxin.points.selectors import award_queryset, my_points, panel_counts, today_month


def compute(request: HttpRequest, scope: Scope) -> dict[str, Any] | None:
    if not scope.has("members.view"):
        return None
    return {**panel_counts(scope), "can_manage": scope.has("members.manage")}


def compute_own(request: HttpRequest) -> dict[str, Any] | None:
    member = own_member(request.user)
    if member is None:
        return None
    return {"mine": my_points(member)}


STORED_KEYS = ("points.year_total",)


def stored(request: HttpRequest, scope: Scope, f: StoredFigures) -> dict[str, Any] | None:
    """``compute``'s card: the year's points from the stored figures; the awards waiting for
    approval stay live (one indexed count: they wait for this user)."""
    if not scope.has("members.view"):
        return None
    return {
        "pending": award_queryset(scope).filter(state=AwardState.PENDING).count(),
        "points": Decimal(str(f.values.get("points.year_total") or 0)),
        "year": today_month().year,
        "can_manage": scope.has("members.manage"),
    }
