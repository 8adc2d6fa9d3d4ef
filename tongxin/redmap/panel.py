"""The 工作台 card (check-ins this month in reach) and the member's phone card."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils import timezone

from tongxin.core.registry import StoredFigures
from tongxin.core.scope import Scope
from tongxin.redmap import selectors


def compute(request: HttpRequest, scope: Scope) -> dict[str, Any] | None:
    figures = selectors.checkin_counts(scope)
    if figures is None:
        return None
    # The group-visit list is read with meetings.view: link to it only for those who hold it.
    return {**figures, "may_see_visits": scope.has("meetings.view")}


def compute_own(request: HttpRequest) -> dict[str, Any] | None:
    member = getattr(request.user, "member", None)
    if member is None:
        return None
    today = selectors.local_today()
    mine = selectors.my_checkins(member)
    return {
        "month": mine.filter(on__gte=today.replace(day=1)).count(),
        "last": mine.first(),
    }


STORED_KEYS = ("redmap.checkins", "redmap.checkin_people", "redmap.counted_visits")


def stored(request: HttpRequest, scope: Scope, f: StoredFigures) -> dict[str, Any] | None:
    """``compute``'s card from the stored figures (the month they were computed in)."""
    if not (scope.is_superuser or scope.has("members.view")):
        return None
    return {
        "checkins": f.month_count("redmap.checkins"),
        "people": f.month_count("redmap.checkin_people"),
        "counted": f.month_count("redmap.counted_visits"),
        "today": timezone.localtime(f.as_of).date(),
        "may_see_visits": scope.has("meetings.view"),
    }
