"""Case figures read by the evaluation modules (千分制, 部门向基层述职评议): per agency and per
area subtree, each a fixed number of GROUP BY queries whatever the number of agencies or areas.
The callers decide who may see them (the figures hold counts, never a case)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Count, F, Q
from django.db.models.functions import Substr

from tongxin.cases.models import Case, CaseEvent, EventKind, State


@dataclass(frozen=True)
class CaseFigures:
    claimed: int  # cases the agency reported for (部门报到) in the period
    closed: int
    on_time: int  # closed by the deadline
    returned: int  # cases the agency sent back (退回)
    rated: int
    satisfied: int  # rated 4 or 5

    @property
    def on_time_pct(self) -> int | None:
        return round(100 * self.on_time / self.closed) if self.closed else None

    @property
    def satisfaction_pct(self) -> int | None:
        return round(100 * self.satisfied / self.rated) if self.rated else None


EMPTY = CaseFigures(0, 0, 0, 0, 0, 0)
_CLOSED = Q(state=State.CLOSED)
_RATES = {
    "closed": Count("id", filter=_CLOSED),
    "on_time": Count("id", filter=_CLOSED & Q(closed_at__lte=F("deadline_at"))),
    "rated": Count("rating"),
    "satisfied": Count("id", filter=Q(rating__gte=4)),
}


def agency_figures(
    agency_ids: list[int], start: dt.datetime, end: dt.datetime
) -> dict[int, CaseFigures]:
    """Per agency, over cases reported in [start, end): claims and returns from the case
    history, closings, on-time closings and residents' ratings. Two queries."""
    if not agency_ids:
        return {}
    events = (
        CaseEvent.objects.filter(
            kind__in=(EventKind.CLAIM, EventKind.RETURN),
            at__gte=start,
            at__lt=end,
            case__agency_id__in=agency_ids,
        )
        .order_by()
        .values("case__agency_id")
        .annotate(
            claimed=Count("case_id", filter=Q(kind=EventKind.CLAIM), distinct=True),
            returned=Count("id", filter=Q(kind=EventKind.RETURN)),
        )
        .values_list("case__agency_id", "claimed", "returned")
    )
    steps = {pk: (claimed, returned) for pk, claimed, returned in events}
    cases = (
        Case.objects.filter(agency_id__in=agency_ids, reported_at__gte=start, reported_at__lt=end)
        .order_by()
        .values("agency_id")
        .annotate(**_RATES)
        .values_list("agency_id", *_RATES)
    )
    rates = {pk: rest for pk, *rest in cases}
    out = {}
    for pk in agency_ids:
        claimed, returned = steps.get(pk, (0, 0))
        closed, on_time, rated, satisfied = rates.get(pk, [0, 0, 0, 0])
        out[pk] = CaseFigures(claimed, closed, on_time, returned, rated, satisfied)
    return out


def area_figures(
    area_paths: list[str], start: dt.datetime, end: dt.datetime
) -> dict[str, CaseFigures]:
    """Per area subtree (paths of one length: the areas of one level), over cases reported in
    [start, end). One query per distinct path length."""
    out: dict[str, CaseFigures] = {}
    by_len: dict[int, list[str]] = {}
    for p in area_paths:
        by_len.setdefault(len(p), []).append(p)
    for n, paths in by_len.items():
        rows = (
            Case.objects.filter(reported_at__gte=start, reported_at__lt=end)
            .annotate(p=Substr("area_path", 1, n))
            .filter(p__in=paths)
            .order_by()
            .values("p")
            .annotate(**_RATES)
            .values_list("p", *_RATES)
        )
        for p, closed, on_time, rated, satisfied in rows:
            out[p] = CaseFigures(0, closed, on_time, 0, rated, satisfied)
    return {p: out.get(p, EMPTY) for p in area_paths}
