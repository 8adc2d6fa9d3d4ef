"""The 工作台 card of 转接 and 双报到: its two counts (``transfers_todo``, ``dual_waiting``) come
from tongxin.transfers and tongxin.dual_reports through the 工作台's figures; this app decides
who sees the card (users who see members). 党费's card is the dues app's."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from tongxin.core.scope import Scope


def compute(request: HttpRequest, scope: Scope) -> dict[str, Any] | None:
    if not scope.has("members.view"):
        return None
    return {}
