"""The 工作台 panel: compliance and attendance rates per subtree, cached briefly per user."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.cache import cache
from django.http import HttpRequest
from django.utils import timezone, translation
from django.utils.translation import gettext

from tongxin.core.registry import StoredFigures, SubtreeFigures
from tongxin.core.scope import Scope
from tongxin.meetings import member_selectors, selectors

CACHE_SECONDS = 60
RULES_SECONDS = 300  # the rules' periods (a setting) for the card's period names
SHOWN = 12  # subtrees listed; the rest are counted in the footer

STORED_KEYS = (
    "meetings.branches",
    "meetings.met_open",
    "meetings.met_closed",
    "meetings.overdue",
    "meetings.expected",
    "meetings.present",
)


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


def rule_periods() -> set[str]:
    """The periods of the active 三会一课 rules (kept five minutes in the cache)."""
    found = cache.get_or_set(
        "meetings:rule_periods",
        lambda: sorted({r.period for r in selectors.active_rules()}),
        RULES_SECONDS,
    )
    return set(found or ())


def _rate(name: str, values: SubtreeFigures | StoredFigures) -> selectors.SubtreeRate:
    branches, met, overdue = (
        values.count("meetings.branches"),
        values.count("meetings.met_open"),
        values.count("meetings.overdue"),
    )
    return selectors.SubtreeRate(
        name,
        branches,
        met,
        branches - met - overdue,
        overdue,
        values.count("meetings.expected"),
        values.count("meetings.present"),
        values.count("meetings.met_closed"),
    )


def stored(request: HttpRequest, scope: Scope, f: StoredFigures) -> dict[str, Any] | None:
    """``compute``'s card from the stored figures of the day (the rollups of the user's top,
    and of the subtrees below it for the table): ``selectors.compliance_summary``'s context."""
    if not scope.has("meetings.view"):
        return None
    total = _rate(gettext("合计"), f)
    if not total.branches:
        return None
    today = timezone.localtime(f.as_of).date()
    subtrees = [_rate(s.name, s) for s in f.below(STORED_KEYS, holding="meetings.branches")]
    ordered = sorted(subtrees, key=lambda g: (g.compliance_pct or 0, g.name))
    return {
        "total": total,
        "subtrees": ordered[:SHOWN],
        "more": max(0, len(ordered) - SHOWN),
        "periods": selectors.period_labels(rule_periods(), today),
        "since": today - dt.timedelta(days=365),
        "today": today,
    }
