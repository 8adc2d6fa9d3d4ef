"""rollup_refresh: recomputing every rollup (today's figures and the current month) for the
whole tree. Ours: insights.rollups.rollup_refresh (every registered metric's grouped query,
the prefix sums, the territorial mapping of area figures, the ratios, the delete and bulk
insert in one transaction). Baseline: the same aggregates as hand-written SQL — the SELECT
statements the metrics run, replayed through a raw cursor, without the sums and the writes."""

from __future__ import annotations

import time

from django.db import connection
from django.test.utils import CaptureQueriesContext

from bench.benchmarks import ensure_demo
from bench.util import Context, report
from tongxin.insights.models import Rollup
from tongxin.insights.rollups import rollup_refresh


def run(ctx: Context) -> None:
    ensure_demo(ctx)
    with CaptureQueriesContext(connection) as cq:
        rollup_refresh(months=1)
    selects = [
        q["sql"]
        for q in cq.captured_queries
        if q["sql"].lstrip().upper().startswith("SELECT") and "insights_" not in q["sql"]
    ]

    def baseline() -> int:
        n = 0
        with connection.cursor() as cur:
            for sql in selects:
                cur.execute(sql)
                n += len(cur.fetchall())
        return n

    runs = 3
    ours_t, base_t = [], []
    for _ in range(runs):
        t0 = time.perf_counter()
        baseline()
        base_t.append(time.perf_counter() - t0)
        t0 = time.perf_counter()
        rollup_refresh(months=1)
        ours_t.append(time.perf_counter() - t0)
    ours_t.sort()
    base_t.sort()
    report(
        ctx,
        "rollup_refresh",
        n=Rollup.objects.count(),
        ours=ours_t[runs // 2],
        baseline=base_t[runs // 2],
        unit="s",
        target=("ratio", 1.5),
        runs=runs,
        queries=len(selects),
        note="rollup_refresh(months=1): every metric for today and the current month, all "
        "subtrees; baseline: the same aggregate SELECTs by raw cursor, no sums or writes",
    )
