"""The 工作台 panel: compliance and attendance rates per subtree, cached briefly per user."""

from __future__ import annotations

from typing import Any

from django.core.cache import cache
from django.http import HttpRequest
from django.utils import translation

from tongxin.core.scope import Scope
from tongxin.meetings import member_selectors, selectors

CACHE_SECONDS = 60


def compute(request: HttpRequest, scope: Scope) -> dict[str, Any] | None:
    if not scope.has("meetings.view"):
        return None
    # The figures carry translated period names: one entry per language.
    language = translation.get_language()
    key = f"meetings:panel:{scope.user_id}:{language}:{selectors.local_today():%Y%m%d}"
    data = cache.get(key) if scope.user_id else None
    if data is None:
        data = selectors.compliance_summary(scope) or {}
        if scope.user_id:
            cache.set(key, data, CACHE_SECONDS)
    return data or None


def compute_own(request: HttpRequest) -> dict[str, Any] | None:
    """我的组织生活 on a member's phone home: their branch's next meetings, their attendance."""
    member = getattr(request.user, "member", None)
    if member is None:
        return None
    return member_selectors.own_meetings(member)
