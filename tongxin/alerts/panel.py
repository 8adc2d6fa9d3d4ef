"""The 工作台 card of 预警: live warnings in the user's scope by level (one query)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from tongxin.alerts.selectors import PERM, live_counts
from tongxin.core.scope import Scope


def compute(request: HttpRequest, scope: Scope) -> dict[str, Any] | None:
    if not scope.has(PERM):
        return None
    return live_counts(scope)
