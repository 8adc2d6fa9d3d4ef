"""The 工作台's 事件 card from the stored figures (insights' rollups of the user's top of
scope): the twelve months up to the day the figures were computed (the day's flows), the
same context as ``selectors.dashboard_figures`` but the areas' ranking (the
数据驾驶舱 compares the children); the categories are the standard ones and "other"
(cases.metrics)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext

from tongxin.cases.defaults import CATEGORIES as DEFAULT_CATEGORIES
from tongxin.cases.models import State
from tongxin.core.registry import StoredFigures
from tongxin.core.scope import Scope

CATEGORY_NAMES = {code: name for code, name, *_rest in DEFAULT_CATEGORIES}
STORED_KEYS = (
    *(f"cases.category.{code}" for code in (*CATEGORY_NAMES, "other")),
    "cases.reported",
    "cases.on_time_pct",
    "cases.satisfaction_pct",
    "cases.year.escalated",
    "cases.year.overdue",
)


def _whole(rate: float | None) -> int | None:
    return None if rate is None else round(rate)


def _by_category(f: StoredFigures) -> list[dict[str, Any]]:
    """The six largest categories, as ``selectors.dashboard_figures`` lists them."""
    names = {**CATEGORY_NAMES, "other": gettext("其他类别")}
    counts = [(names[code], f.count(f"cases.category.{code}")) for code in names]
    top = sorted((c for c in counts if c[1]), key=lambda c: -c[1])[:6]
    return [{"category__name": name, "n": n} for name, n in top]


def stored_panel(request: HttpRequest, scope: Scope, f: StoredFigures) -> dict[str, Any] | None:
    if not scope.has("cases.view"):
        return None
    total = f.count("cases.reported")
    if not total:
        return {"total": 0}
    states = [(s.label, f.count(f"cases.year.state.{s.value}")) for s in State]
    return {
        "total": total,
        "states": [(label, n) for label, n in states if n],
        "by_category": _by_category(f),
        "by_area": [],
        "on_time_rate": _whole(f.rate("cases.on_time_pct")),
        "satisfaction": _whole(f.rate("cases.satisfaction_pct")),
        "escalated": f.count("cases.year.escalated"),
        "overdue": f.count("cases.year.overdue"),
    }
