"""rollup_refresh: recomputing every rollup (today's figures and the current month) for the
whole tree. Ours: insights.rollups.rollup_refresh (every registered metric's grouped query,
the prefix sums, the territorial mapping of area figures, the ratios, the read of the stored
rows and the write of what changed, in one transaction). Baseline: the same work by hand —
the SELECT statements the metrics run, replayed through a raw cursor, the same read of the
periods' stored rows (on PostgreSQL the same query grouping them by figure), then, in one
transaction, the rows that changed written by hand-written SQL (a binary COPY on
PostgreSQL; on SQLite a staging table and one INSERT … SELECT, the fastest plain write
measured). The baseline is given the subtree sums, the
ratios and the comparison for free (its rows are the ones ours wrote), so it is a lower
bound.

Two cases, two lines: ``rollup_refresh``, a refresh with the figures already stored (every
quarter of an hour but the first of the day: the common case, little or nothing changed), and
``rollup_refresh_newday``, the day's first refresh (the day's rows not stored yet: all of them
written; before each run, untimed, the day's rows are deleted).

A third line, ``rollup_refresh_12m``, times the refresh the demo load runs (the day and
twelve months) against the same kind of baseline."""

from __future__ import annotations

import datetime as dt
import json
import os
import time
from statistics import median
from typing import Any

import psycopg
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from bench.benchmarks import ensure_demo
from bench.util import Context, report
from tongxin.insights.models import PeriodKind, Rollup, RollupRun
from tongxin.insights.rollups import COLUMN_TYPES, COLUMNS, periods_for, rollup_refresh

TABLE = Rollup._meta.db_table


def _captured(months: int) -> tuple[list[str], list[tuple[Any, ...]]]:
    """The aggregate SELECTs one refresh runs, and the rows it writes."""
    with CaptureQueriesContext(connection) as cq:
        rollup_refresh(months=months)
    selects = [
        q["sql"]
        for q in cq.captured_queries
        if q["sql"].lstrip().upper().startswith("SELECT") and "insights_" not in q["sql"]
    ]
    starts = [(p.kind, p.start) for p in periods_for(timezone.localdate(), months)]
    rows = [
        tuple(r)
        for kind, start in starts
        for r in Rollup.objects.filter(period=kind, start=start)
        .order_by("tree", "period", "start", "path", "metric")
        .values_list(*COLUMNS)
    ]
    return selects, rows


def _stored_rows(months: int) -> int:
    """The raw read of the periods' stored rows that a comparison needs, as ours reads them:
    on PostgreSQL grouped by figure into arrays sent in binary, on SQLite row by row."""
    n = 0
    periods = periods_for(timezone.localdate(), months)
    if connection.vendor == "postgresql":
        connection.ensure_connection()
        with psycopg.Cursor(connection.connection) as pg:
            for p in periods:
                pg.execute(
                    "SELECT tree, metric, array_agg(id), array_agg(path), array_agg(value)"
                    f" FROM {TABLE} WHERE tree IN ('org', 'area') AND period = %s"
                    " AND start = %s GROUP BY tree, metric",
                    [str(p.kind), p.start],
                    binary=True,
                )
                n += sum(len(paths) for _t, _m, _ids, paths, _v in pg.fetchall())
        return n
    with connection.cursor() as cur:
        for p in periods:
            cur.execute(
                f"SELECT id, tree, metric, path, value FROM {TABLE}"
                " WHERE tree IN ('org', 'area') AND period = %s AND start = %s",
                [p.kind, connection.ops.adapt_datefield_value(p.start)],
            )
            n += len(cur.fetchall())
    return n


def _baseline(selects: list[str], rows: list[tuple[Any, ...]], months: int) -> int:
    """The same SELECTs, the same read of the stored rows, and ``rows`` (those that are not
    stored) written by hand."""
    n = 0
    raw_quoted = ", ".join(COLUMNS)
    with connection.cursor() as cur:
        for sql in selects:
            cur.execute(sql)
            n += len(cur.fetchall())
    n += _stored_rows(months)
    # the dates and times as the database's own values, as ours binds them
    now = connection.ops.adapt_datetimefield_value(timezone.now())
    day = {r[4]: connection.ops.adapt_datefield_value(r[4]) for r in rows}
    fresh = [(*r[:4], day[r[4]], r[5], now) for r in rows]
    with transaction.atomic(), connection.cursor() as cur:
        raw = connection.connection
        if not fresh:
            pass
        elif connection.vendor == "postgresql":
            copy_sql = f"COPY {TABLE} ({raw_quoted}) FROM STDIN (FORMAT BINARY)"
            with raw.cursor() as pg, pg.copy(copy_sql) as copy:
                copy.set_types(COLUMN_TYPES)
                for r in fresh:
                    copy.write_row(r)
        else:
            cur.execute(f"CREATE TEMP TABLE bench_rollup ({raw_quoted})")
            lite = raw.cursor()
            lite.executemany(f"INSERT INTO temp.bench_rollup VALUES ({', '.join('?' * 7)})", fresh)
            lite.close()
            cur.execute(
                f"INSERT INTO {TABLE} ({raw_quoted}) SELECT {raw_quoted} FROM temp.bench_rollup"
            )
            cur.execute("DROP TABLE temp.bench_rollup")
        cur.execute(
            f"DELETE FROM {TABLE} WHERE tree IN ('org', 'area') AND period = 'day' AND start < %s",
            [timezone.localdate() - dt.timedelta(days=40)],
        )
    return n


def _drop_day() -> None:
    """Untimed: the day's rows deleted, as before the day's first refresh."""
    with transaction.atomic():
        Rollup.objects.filter(period=PeriodKind.DAY, start=timezone.localdate()).delete()


def _measure(ctx: Context, name: str, months: int, runs: int, note: str, new_day: bool) -> None:
    selects, rows = _captured(months)
    # what the baseline writes: nothing when the figures are stored, the day's rows when not
    written = [r for r in rows if r[3] == PeriodKind.DAY] if new_day else []
    ours_t, base_t, ours_cpu, base_cpu, changed = [], [], [], [], []
    for _ in range(runs):
        if new_day:
            _drop_day()
        t0, c0 = time.perf_counter(), time.process_time()
        _baseline(selects, written, months)
        base_t.append(time.perf_counter() - t0)
        base_cpu.append(time.process_time() - c0)
        if new_day:
            _drop_day()
        t0, c0 = time.perf_counter(), time.process_time()
        run = rollup_refresh(months=months)
        ours_t.append(time.perf_counter() - t0)
        ours_cpu.append(time.process_time() - c0)
        changed.append(run.changed)
    report(
        ctx,
        name,
        n=len(rows),
        ours=median(ours_t),
        baseline=median(base_t),
        unit="s",
        target=("ratio", 1.5),
        runs=runs,
        queries=len(selects),
        # the rows each of our runs inserted, updated or deleted
        written=changed,
        # this process's CPU seconds (on SQLite the whole work; a loaded machine stretches
        # the wall clock of either side unevenly)
        ours_cpu=round(median(ours_cpu), 4),
        baseline_cpu=round(median(base_cpu), 4),
        load=[round(x, 2) for x in os.getloadavg()],
        note=note,
    )


def run(ctx: Context) -> None:
    ensure_demo(ctx)
    city = ctx.scale == "city"
    _measure(
        ctx,
        "rollup_refresh",
        1,
        2 if city else 5,
        "rollup_refresh(months=1), the figures already stored: every metric for today and "
        "the current month, all subtrees; baseline: the same aggregate SELECTs and read of "
        "the stored rows by raw cursor, the changed rows (none) written by hand (given the "
        "sums and the comparison for free)",
        new_day=False,
    )
    _measure(
        ctx,
        "rollup_refresh_newday",
        1,
        2 if city else 5,
        "rollup_refresh(months=1), the day's first (its rows deleted before each run, "
        "untimed); baseline: the same SELECTs and read by raw cursor, the day's rows written "
        "by a hand-written binary COPY (SQLite: INSERT … SELECT)",
        new_day=True,
    )
    if city:
        # Twelve months of a city take minutes a run: the line reports the demo load's own
        # twelve-month refresh (RollupRun), with no baseline beside it.
        last = RollupRun.objects.filter(months=12).order_by("pk").first()
        print(
            json.dumps(
                {
                    "name": "rollup_refresh_12m",
                    "scale": ctx.scale,
                    "db": ctx.db,
                    "n": last.rows if last else 0,
                    "ours": round(last.seconds, 2) if last else None,
                    "unit": "s",
                    "note": "the city demo load's own twelve-month refresh (RollupRun); "
                    "not repeated, no baseline at city scale",
                },
                ensure_ascii=False,
            ),
            flush=True,
        )
        return
    _measure(
        ctx,
        "rollup_refresh_12m",
        12,
        3,
        "rollup_refresh(months=12), as the demo load runs it, the figures stored; baseline "
        "as above",
        new_day=False,
    )
    assert Rollup.objects.filter(period=PeriodKind.DAY).exists()
