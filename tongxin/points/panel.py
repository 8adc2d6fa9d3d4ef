"""The 工作台 card (pending approvals, the year's points in reach) and the member's phone card
(their score, tier and rank in the branch)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from tongxin.core.scope import Scope
from tongxin.members.selectors import own_member
from tongxin.points.selectors import my_points, panel_counts


def compute(request: HttpRequest, scope: Scope) -> dict[str, Any] | None:
    if not scope.has("members.view"):
        return None
    return {**panel_counts(scope), "can_manage": scope.has("members.manage")}


def compute_own(request: HttpRequest) -> dict[str, Any] | None:
    member = own_member(request.user)
    if member is None:
        return None
    return {"mine": my_points(member)}
