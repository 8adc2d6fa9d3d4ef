"""The 工作台 card of transfers, 双报到 and dues: this app computes the dues figures; the
transfers count (``transfers_todo``) and the 双报到 count (``dual_waiting``) come from their apps
through the 工作台's figures."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from tongxin.core.scope import Scope
from tongxin.members import dues


def compute(request: HttpRequest, scope: Scope) -> dict[str, Any] | None:
    if not scope.has("members.view"):
        return None
    month = dues.this_month()
    n, fen = dues.dues_paid_in_month(scope, month)
    return {
        "month": month,
        "paid_count": n,
        "paid_text": dues.fen_text(fen),
    }


def compute_own_dues(request: HttpRequest) -> dict[str, Any] | None:
    """This month's dues of a member, on their phone home: two queries."""
    member = getattr(request.user, "member", None)
    if member is None:
        return None
    month = dues.this_month()
    line = dues.dues_member_history(member, month, span=1)[0]
    return {"month": month, "line": line}
