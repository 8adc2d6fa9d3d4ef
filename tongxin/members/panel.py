"""The 工作台 card for transfers, 双报到 and dues: three counts, one query each."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from tongxin.core.scope import Scope
from tongxin.members import dual_report, dues, transfers
from tongxin.members.models import DualReportStatus


def compute(request: HttpRequest, scope: Scope) -> dict[str, Any] | None:
    if not scope.has("members.view"):
        return None
    month = dues.this_month()
    n, fen = dues.dues_paid_in_month(scope, month)
    return {
        "todo": transfers.transfer_list(scope, "todo").count(),
        "dual_waiting": dual_report.dual_report_list(scope, "community")
        .filter(status=DualReportStatus.REPORTED)
        .count()
        if scope.has(dual_report.COMMUNITY_PERM)
        else None,
        "month": month,
        "paid_count": n,
        "paid_text": dues.fen_text(fen),
    }
