"""The 工作台's 三访 card from the stored figures (insights' rollups of the user's top of
scope): the same context as ``selectors.panel_stats``, the month being the one the figures
were computed in."""

from __future__ import annotations

from typing import Any

from django.core.cache import cache
from django.http import HttpRequest
from django.utils import timezone

from tongxin.core.registry import StoredFigures
from tongxin.core.scope import Scope
from tongxin.visits.models import ProblemStatus, VisitKind
from tongxin.visits.selectors import pct, quota_rules

STORED_KEYS = (
    *(f"visits.kind.{k.value}" for k in VisitKind),
    *(f"visits.problems.{s.value}" for s in ProblemStatus),
    "visits.home_duty",
    "visits.home_duty_met",
)


def home_quota() -> int:
    """The monthly home-visit minimum (a setting: kept five minutes in the cache)."""
    found = cache.get_or_set("visits:home_quota", lambda: quota_rules()["home_visits"].minimum, 300)
    return int(found or 0)


def stored_panel(request: HttpRequest, scope: Scope, f: StoredFigures) -> dict[str, Any] | None:
    if not scope.has("visits.view"):
        return None
    by_kind = [(str(k.label), f.month_count(f"visits.kind.{k.value}")) for k in VisitKind]
    total, met = f.count("visits.home_duty"), f.count("visits.home_duty_met")
    return {
        "month": timezone.localtime(f.as_of).date().replace(day=1),
        "by_kind": by_kind,
        "visits_total": sum(n for _label, n in by_kind),
        "problems": {s.value: f.count(f"visits.problems.{s.value}") for s in ProblemStatus},
        "home_quota": home_quota(),
        "cadres_total": total,
        "cadres_met": met,
        "cadres_pct": pct(met, total) if total else None,
    }
