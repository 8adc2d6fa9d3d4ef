"""班子 figures read by the evaluation modules (千分制): per organization subtree, the
organizations with a secretary seat and those whose latest secretary's term has run out with
no next term registered (换届 overdue) on a day. One query for all the subtrees. Counts only."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import reduce
from operator import or_

from django.db.models import Max

from tongxin.core.scope import subtree_q
from tongxin.orgs.models import Leadership, LeadershipRole


@dataclass(frozen=True)
class TermFigures:
    seated: int  # organizations with a secretary seat begun by the day
    overdue: int  # of those, the latest term ended before the day

    @property
    def on_time_pct(self) -> int | None:
        return round(100 * (self.seated - self.overdue) / self.seated) if self.seated else None


def term_figures(org_paths: list[str], day: dt.date) -> dict[str, TermFigures]:
    """Per organization subtree: a seat that starts later than ``day`` (a next term registered
    ahead) does not count, so 换届 is judged as it stood on the day."""
    if not org_paths:
        return {}
    ends = list(
        Leadership.objects.filter(
            reduce(or_, (subtree_q("org__path", p) for p in org_paths)),
            role=LeadershipRole.SECRETARY,
            term_start__lte=day,
        )
        .order_by()
        .values("org__path")
        .annotate(end=Max("term_end"))
        .values_list("org__path", "end")
    )
    return {
        path: TermFigures(
            sum(1 for own, _e in ends if own.startswith(path)),
            sum(1 for own, end in ends if end < day and own.startswith(path)),
        )
        for path in org_paths
    }
