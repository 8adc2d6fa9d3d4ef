"""三访 figures read by the evaluation modules (千分制): per organization subtree, the active
assignments (三访责任) and how many of them met their quota on a day (every linked unit and
household visited in the quarter, the month's home visits). One query for all the subtrees
(the progress query, limited to them), whatever their number. Counts only."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import reduce
from operator import or_

from tongxin.core.scope import Scope, subtree_q
from tongxin.visits.selectors import assignment_progress, progress_rows, quota_rules


@dataclass(frozen=True)
class QuotaFigures:
    assignments: int
    complete: int

    @property
    def complete_pct(self) -> int | None:
        return round(100 * self.complete / self.assignments) if self.assignments else None


def quota_figures(org_paths: list[str], day: dt.date) -> dict[str, QuotaFigures]:
    """Per organization subtree, the assignments active now and those complete for the quarter
    and month holding ``day``."""
    if not org_paths:
        return {}
    rows = list(
        assignment_progress(Scope.everything(), day).filter(
            reduce(or_, (subtree_q("org_path", p) for p in org_paths))
        )
    )
    done = [(p.assignment.org_path, p.complete) for p in progress_rows(rows, quota_rules())]
    return {
        path: QuotaFigures(
            sum(1 for own, _c in done if own.startswith(path)),
            sum(1 for own, c in done if c and own.startswith(path)),
        )
        for path in org_paths
    }
