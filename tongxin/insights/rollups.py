"""Recomputing the rollups: every registered metric (core.metrics) once per period with its
one grouped query, added up over every path prefix in memory, then written in bulk. The
figures of every subtree come out of one pass, whatever the number of nodes.

Area figures (cases, grids, 共享小区) are also stored under the organization that stands for
the area (its territorial organization: the shallowest one anchored there and hosted by no
unit — the district committee for the district, the street 党工委 for the street), so that the
cockpit, which walks the organization tree, reads them like any other figure."""

from __future__ import annotations

import datetime as dt
import time
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from tongxin.core.bulk import bulk_insert
from tongxin.core.metrics import Metric, all_metrics, shared_reads
from tongxin.core.months import add_months
from tongxin.core.scope import STEPLEN
from tongxin.insights.models import PeriodKind, Rollup, RollupRun, Tree
from tongxin.orgs.models import Organization, OrgKind

COLUMNS = ["tree", "path", "metric", "period", "start", "value", "as_of"]
AREA_DEPTH = 4  # 市, 区县, 街道, 社区/村
KEEP_DAYS = 40  # day rows older than this are dropped: trends read the month rows
KIND_RANK = {OrgKind.COMMITTEE: 0, OrgKind.WORKING_COMMITTEE: 0, OrgKind.GENERAL_BRANCH: 1}


# The day's figures: stocks as they stand that day, flows (visits, hours, cases) over the
# twelve months up to it — a day's own flows say little on the first screen.
FLOW_DAYS = 366  # [today - 365 days, today]: the 工作台's attendance window


@dataclass(frozen=True)
class Period:
    kind: str
    start: dt.date  # the stored key: the day, or the month's first day
    end: dt.date  # exclusive

    @property
    def window(self) -> tuple[dt.date, dt.date]:
        """The [start, end) the metrics are asked about."""
        if self.kind == PeriodKind.DAY:
            return self.end - dt.timedelta(days=FLOW_DAYS), self.end
        return self.start, self.end

    @property
    def current(self) -> bool:
        return self.start <= timezone.localdate() < self.end or self.kind == PeriodKind.DAY


def periods_for(day: dt.date, months: int) -> list[Period]:
    """The day and the ``months`` calendar months up to and including ``day``'s (the current
    month counted up to ``day``)."""
    out = [Period(PeriodKind.DAY, day, day + dt.timedelta(days=1))]
    first = day.replace(day=1)
    for i in range(months):
        start = add_months(first, -i)
        end = min(add_months(start, 1), day + dt.timedelta(days=1))
        out.append(Period(PeriodKind.MONTH, start, end))
    return out


def prefix_totals(own: dict[str, float]) -> dict[str, float]:
    """``{path: value}`` keyed by the rows' own paths → the total of every subtree."""
    totals: dict[str, float] = defaultdict(float)
    for path, value in own.items():
        for i in range(STEPLEN, len(path) + 1, STEPLEN):
            totals[path[:i]] += value
    return totals


def territorial_orgs() -> dict[str, str]:
    """area path → the path of the organization standing for it (one query)."""
    rows = (
        Organization.objects.filter(unit__isnull=True, area__isnull=False)
        .exclude(kind=OrgKind.GROUP)
        .values_list("area__path", "depth", "kind", "path")
    )
    best: dict[str, tuple[int, int, str]] = {}
    for area_path, depth, kind, path in rows:
        key = (depth, KIND_RANK.get(kind, 2), path)
        if area_path not in best or key < best[area_path]:
            best[area_path] = key
    return {area: key[2] for area, key in best.items()}


def compute_period(
    period: Period, metrics: list[Metric], anchors: dict[str, str]
) -> dict[tuple[str, str], dict[str, float]]:
    """(tree, metric key) → {subtree path: value} for one period."""
    out: dict[tuple[str, str], dict[str, float]] = {}
    for m in metrics:
        if m.compute is None:
            continue
        if not m.historical and period.kind == PeriodKind.MONTH and not period.current:
            continue  # a past month's stock is the rollup stored in that month
        totals = prefix_totals(m.compute(*period.window))
        if m.tree == Tree.AREA:
            out[(Tree.ORG, m.key)] = {anchors[p]: v for p, v in totals.items() if p in anchors}
            # stored down to the communities (the map's levels), not every compound
            totals = {p: v for p, v in totals.items() if len(p) <= AREA_DEPTH * STEPLEN}
        out[(m.tree, m.key)] = totals
    for m in metrics:
        if m.ratio is None:
            continue
        num_key, den_key = m.ratio
        for tree in (Tree.ORG, Tree.AREA):
            num, den = out.get((tree, num_key)), out.get((tree, den_key))
            if num is None or den is None:
                continue
            out[(tree, m.key)] = {
                p: round(m.scale * num.get(p, 0.0) / d, 1) for p, d in den.items() if d
            }
    return out


def _rows(
    period: Period, figures: dict[tuple[str, str], dict[str, float]], as_of: dt.datetime
) -> Iterator[tuple[object, ...]]:
    for (tree, key), values in figures.items():
        for path, value in values.items():
            if value:
                yield (tree, path, key, period.kind, period.start, float(value), as_of)


def rollup_refresh(*, day: dt.date | None = None, months: int = 1) -> RollupRun:
    """Recompute the day's figures and the last ``months`` months (1: the current one; the
    demo load and ``manage.py rollup_refresh --months 12`` fill a year of trends). The old
    rows of every recomputed period are replaced in one transaction: readers see the former
    figures or the new ones, never half."""
    t0 = time.perf_counter()
    started = timezone.now()
    day = day or timezone.localdate()
    metrics = all_metrics()
    anchors = territorial_orgs()
    with shared_reads():
        computed = [(p, compute_period(p, metrics, anchors)) for p in periods_for(day, months)]
    as_of = timezone.now()
    n = 0
    with transaction.atomic():
        for period, figures in computed:
            stale = Rollup.objects.filter(period=period.kind, start=period.start)
            if period.kind == PeriodKind.MONTH and not period.current:
                # a past month keeps the stocks stored while it was current
                stale = stale.filter(metric__in=list(_recomputed_keys(figures)))
            stale.delete()
            n += bulk_insert(Rollup._meta.db_table, COLUMNS, _rows(period, figures, as_of))
        Rollup.objects.filter(
            period=PeriodKind.DAY, start__lt=day - dt.timedelta(days=KEEP_DAYS)
        ).delete()
        run = RollupRun.objects.create(
            day=day,
            months=months,
            started_at=started,
            finished_at=timezone.now(),
            rows=n,
            seconds=round(time.perf_counter() - t0, 3),
        )
    return run


def _recomputed_keys(figures: dict[tuple[str, str], dict[str, float]]) -> set[str]:
    return {key for _tree, key in figures}
