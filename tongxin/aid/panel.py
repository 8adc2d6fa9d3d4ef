"""The 工作台 card of the 互助金 (the balance of the funds in scope and this year's aid, one
query) and a member's own applications on their phone home."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from tongxin.aid import selectors
from tongxin.aid.models import fen_text
from tongxin.aid.roles import VIEW
from tongxin.core.registry import StoredFigures
from tongxin.core.scope import Scope


def compute(request: HttpRequest, scope: Scope) -> dict[str, Any] | None:
    if not scope.has(VIEW):
        return None
    balance, n, paid = selectors.aid_this_year(scope)
    return {"balance_text": fen_text(balance), "paid_count": n, "paid_text": fen_text(paid)}


def compute_mine(request: HttpRequest) -> dict[str, Any] | None:
    """The member's latest applications: one query (none without a member record)."""
    if not getattr(request.user, "member_id", None):
        return None
    return {"applications": list(selectors.own_applications(request.user)[:3])}


STORED_KEYS = ("aid.balance", "aid.paid_year", "aid.paid_year_yuan")


def stored(request: HttpRequest, scope: Scope, f: StoredFigures) -> dict[str, Any] | None:
    """``compute``'s card from the stored figures of the user's top of scope."""
    if not scope.has(VIEW):
        return None

    def fen(key: str) -> int:
        return round((f.values.get(key) or 0) * 100)

    return {
        "balance_text": fen_text(fen("aid.balance")),
        "paid_count": f.count("aid.paid_year"),
        "paid_text": fen_text(fen("aid.paid_year_yuan")),
    }
