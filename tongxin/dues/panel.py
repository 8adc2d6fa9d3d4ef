"""The 工作台 card of 党费 (this month's payments in the scope, one query) and a member's own
dues on their phone home."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from tongxin.core.registry import StoredFigures
from tongxin.core.scope import Scope
from tongxin.dues.rules import fen_text, this_month
from tongxin.dues.selectors import dues_member_history, dues_paid_in_month


def compute(request: HttpRequest, scope: Scope) -> dict[str, Any] | None:
    if not scope.has("members.view"):
        return None
    month = this_month()
    n, fen = dues_paid_in_month(scope, month)
    return {"month": month, "paid_count": n, "paid_text": fen_text(fen)}


def compute_own_dues(request: HttpRequest) -> dict[str, Any] | None:
    """This month's dues of a member, on their phone home: two queries."""
    member = getattr(request.user, "member", None)
    if member is None:
        return None
    month = this_month()
    line = dues_member_history(member, month, span=1)[0]
    return {"month": month, "line": line}


STORED_KEYS = ("dues.month_paid", "dues.month_paid_yuan")


def stored(request: HttpRequest, scope: Scope, f: StoredFigures) -> dict[str, Any] | None:
    """``compute``'s card from the stored figures of the user's top of scope."""
    if not scope.has("members.view"):
        return None
    fen = round((f.values.get("dues.month_paid_yuan") or 0) * 100)
    return {
        "month": this_month(),
        "paid_count": f.count("dues.month_paid"),
        "paid_text": fen_text(fen),
    }
