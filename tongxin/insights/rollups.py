"""Recomputing the rollups: every registered metric (core.metrics) once per period with its
one grouped query, added up over every path prefix in memory, then compared with the rows
stored for the period (one read) and written in one transaction: only the figures that
changed — the rows of figures now zero deleted by key, the changed values updated by key, the
new figures appended with one statement (a binary COPY on PostgreSQL, an INSERT … SELECT from
a staging table on SQLite) in the order of the table's unique index. The figures of every
subtree come out of one pass, whatever the number of nodes.

Area figures (cases, grids, 共享小区) are also stored under the organization that stands for
the area (its territorial organization: the shallowest one anchored there and hosted by no
unit — the district committee for the district, the street 党工委 for the street), so that the
cockpit, which walks the organization tree, reads them like any other figure."""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Iterator
from dataclasses import dataclass
from operator import itemgetter

from django.db import connection, transaction
from django.utils import timezone

from tongxin.core.bulk import bulk_insert
from tongxin.core.metrics import Metric, all_metrics, shared_reads
from tongxin.core.months import add_months
from tongxin.core.scope import STEPLEN
from tongxin.insights.models import PeriodKind, Rollup, RollupRun, Tree
from tongxin.orgs.models import Organization, OrgKind

COLUMNS = ["tree", "path", "metric", "period", "start", "value", "as_of"]
# PostgreSQL's types of COLUMNS, for a binary COPY
COLUMN_TYPES = ["varchar", "varchar", "varchar", "varchar", "date", "float8", "timestamptz"]
STAGING = "insights_rollup_staging"  # SQLite: the new rows before they are appended
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
    """``{path: value}`` keyed by the rows' own paths → the total of every subtree.

    Level by level from the deepest: each node's total is its own value plus its children's
    totals, handed up once to its parent. A row is touched once, not once per ancestor (the
    refresh's Python time went mostly to adding every row to each of its prefixes)."""
    levels: dict[int, dict[str, float]] = {}
    for path, value in own.items():
        level = levels.get(len(path))
        if level is None:
            level = levels[len(path)] = {}
        level[path] = value
    totals: dict[str, float] = {}
    if not levels:
        return totals
    deepest = max(levels)
    if any(n % STEPLEN for n in levels):
        raise ValueError("a path is not made of whole steps")
    carry: dict[str, float] = {}
    for n in range(deepest, 0, -STEPLEN):
        level = levels.get(n, {})
        for path, value in carry.items():
            level[path] = level.get(path, 0.0) + value
        totals.update(level)
        carry = {}
        if n > STEPLEN:
            get = carry.get
            for path, value in level.items():
                parent = path[:-STEPLEN]
                carry[parent] = get(parent, 0.0) + value
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
    period: Period,
    metrics: list[Metric],
    anchors: dict[str, str],
    summed: dict[int, tuple[dict[str, float], dict[str, float]]] | None = None,
) -> dict[tuple[str, str], dict[str, float]]:
    """(tree, metric key) → {subtree path: value} for one period.

    ``summed`` keeps the subtree totals of every computed figure by the identity of its own
    values: a stock read once for the day and the current month (``core.metrics.stock``) is
    added up once too."""
    out: dict[tuple[str, str], dict[str, float]] = {}
    summed = {} if summed is None else summed
    for m in metrics:
        if m.compute is None:
            continue
        if not m.historical and period.kind == PeriodKind.MONTH and not period.current:
            continue  # a past month's stock is the rollup stored in that month
        own = m.compute(*period.window)
        done = summed.get(id(own))
        if done is None or done[0] is not own:
            # (the own values are kept beside their totals, so that their id stays theirs)
            done = summed[id(own)] = (own, prefix_totals(own))
        totals = done[1]
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


@dataclass
class Changes:
    """What one period's write does to the stored rows: the rows whose figure is gone (now
    zero or not computed), the rows whose value changed, and the figures with no row yet."""

    deleted: list[int]
    updated: list[tuple[int, float]]
    inserted: list[tuple[object, ...]]  # rows of COLUMNS

    @property
    def count(self) -> int:
        return len(self.deleted) + len(self.updated) + len(self.inserted)


def _changes(
    period: Period, figures: dict[tuple[str, str], dict[str, float]], as_of: object
) -> tuple[Changes, int]:
    """The period's stored rows compared with its new figures (one query), and the number of
    its non-zero figures. A past month's rows of figures it does not recompute (its stocks)
    are not read, so they stay.

    The stored rows come one (tree, metric) at a time, and a figure whose stored rows equal
    its new values (one dict comparison) is done with; only a figure that differs is
    compared row by row. Every quarter of an hour almost every figure is unchanged."""
    fresh = {figure: _non_zero(values) for figure, values in figures.items()}
    total = sum(len(values) for values in fresh.values())
    only = None
    if period.kind == PeriodKind.MONTH and not period.current:
        only = sorted(_recomputed_keys(figures))
    kind, start = period.kind, connection.ops.adapt_datefield_value(period.start)
    changes = Changes([], [], [])
    for tree, metric, pks, paths, values in _stored_figures(period, only):
        new = fresh.pop((tree, metric), None) or {}
        stored = dict(zip(paths, values, strict=True))
        if stored == new:
            continue
        get = new.get
        for pk, path, value in zip(pks, paths, values, strict=True):
            now = get(path)
            if now is None:
                changes.deleted.append(pk)
            elif now != value:
                changes.updated.append((pk, now))
        changes.inserted += [
            (tree, path, metric, kind, start, value, as_of)
            for path, value in new.items()
            if path not in stored
        ]
    # The figures with no stored row at all. The date goes in as the database's own value,
    # adapted once (not once a row by the driver).
    changes.inserted += [
        (tree, path, key, kind, start, value, as_of)
        for (tree, key), values in fresh.items()
        for path, value in values.items()
    ]
    return changes, total


def _non_zero(values: dict[str, float]) -> dict[str, float]:
    """A figure's values without its zeros (a zero is not stored): the dict itself when it
    holds none, as most do (two scans in C instead of a copy of every value)."""
    held = values.values()
    if 0 not in held and None not in held:
        return values
    return {path: value for path, value in values.items() if value}


StoredFigure = tuple[str, str, list[int], list[str], list[float]]


def _stored_figures(period: Period, metrics: list[str] | None) -> Iterator[StoredFigure]:
    """The period's stored rows as (tree, metric, ids, paths, values), one figure at a time.

    On PostgreSQL the database groups them (``array_agg``) and sends each figure's arrays in
    binary: a few hundred rows instead of two million at a city, which the driver decodes
    without a Python object per row. Django's own cursor binds on the client side, which
    cannot receive binary results, so the read runs on a plain driver cursor of the same
    connection and transaction. On SQLite the ORM's rows are grouped here."""
    table = Rollup._meta.db_table
    trees = [Tree.ORG, Tree.AREA]  # named, so that the read walks the unique index
    if connection.vendor == "postgresql":
        import psycopg  # only on PostgreSQL

        sql = (
            "SELECT tree, metric, array_agg(id), array_agg(path), array_agg(value)"  # noqa: S608
            f" FROM {table} WHERE tree = ANY(%s) AND period = %s AND start = %s"
        )
        # plain strings: the driver would send an enum member by its name
        params: list[object] = [[str(t.value) for t in trees], str(period.kind), period.start]
        if metrics is not None:
            sql += " AND metric = ANY(%s)"
            params.append(metrics)
        connection.ensure_connection()
        with psycopg.Cursor(connection.connection) as cur:
            cur.execute(sql + " GROUP BY tree, metric", params, binary=True)
            yield from cur
        return
    stored = Rollup.objects.filter(tree__in=trees, period=period.kind, start=period.start)
    if metrics is not None:
        stored = stored.filter(metric__in=metrics)
    groups: dict[tuple[str, str], tuple[list[int], list[str], list[float]]] = {}
    for pk, tree, metric, path, value in stored.values_list(
        "pk", "tree", "metric", "path", "value"
    ):
        group = groups.get((tree, metric))
        if group is None:
            group = groups[(tree, metric)] = ([], [], [])
        group[0].append(pk)
        group[1].append(path)
        group[2].append(value)
    for (tree, metric), (pks, paths, values) in groups.items():
        yield tree, metric, pks, paths, values


def rollup_refresh(*, day: dt.date | None = None, months: int = 1) -> RollupRun:
    """Recompute the day's figures and the last ``months`` months (1: the current one; the
    demo load and ``manage.py rollup_refresh --months 12`` fill a year of trends).

    Only what changed is written, in one transaction: a figure's row is updated when its
    value changed, deleted when the figure is now zero, inserted when it is new; the rows of
    unchanged figures are left as they are (every quarter of an hour most are, and rewriting
    the two million rows of a city took most of the refresh). Readers see the former figures
    or the new ones, never half. A row's ``as_of`` is when its value was last written; the
    figures' "数据截至" is the latest RollupRun's ``finished_at``."""
    t0 = time.perf_counter()
    started = timezone.now()
    day = day or timezone.localdate()
    metrics = all_metrics()
    anchors = territorial_orgs()
    with shared_reads():
        summed: dict[int, tuple[dict[str, float], dict[str, float]]] = {}
        computed = [
            (p, compute_period(p, metrics, anchors, summed)) for p in periods_for(day, months)
        ]
        del summed
    as_of = connection.ops.adapt_datetimefield_value(timezone.now())
    trees = [Tree.ORG, Tree.AREA]  # named, so that the delete walks the unique index
    with transaction.atomic():
        _serialize_refreshes()
        stored = changed = 0
        deleted: list[int] = []
        updated: list[tuple[int, float]] = []
        inserted: list[tuple[object, ...]] = []
        for period, figures in computed:
            changes, total = _changes(period, figures, as_of)
            stored += total
            changed += changes.count
            deleted += changes.deleted
            updated += changes.updated
            inserted += changes.inserted
        _delete(deleted)
        _update(updated, as_of)
        # in the order of the unique index (tree, period, start, path, metric): appended in
        # that order, the index grows at its end instead of splitting pages all over it
        inserted.sort(key=itemgetter(0, 3, 4, 1, 2))
        _write(inserted)
        Rollup.objects.filter(
            tree__in=trees, period=PeriodKind.DAY, start__lt=day - dt.timedelta(days=KEEP_DAYS)
        ).delete()
        run = RollupRun.objects.create(
            day=day,
            months=months,
            started_at=started,
            finished_at=timezone.now(),
            rows=stored,
            changed=changed,
            seconds=round(time.perf_counter() - t0, 3),
        )
    return run


def _serialize_refreshes() -> None:
    """Two refreshes at once would both insert a figure neither found stored: on PostgreSQL
    the second waits here for the first to commit, then reads what it wrote. (SQLite lets one
    writer in at a time anyway.)"""
    if connection.vendor == "postgresql":
        with connection.cursor() as cur:
            cur.execute("SELECT pg_advisory_xact_lock(hashtext(%s))", [Rollup._meta.db_table])


def _delete(pks: list[int]) -> None:
    table = Rollup._meta.db_table
    with connection.cursor() as cur:
        if connection.vendor == "postgresql":
            if pks:
                cur.execute(f"DELETE FROM {table} WHERE id = ANY(%s::bigint[])", [pks])  # noqa: S608
        else:
            cur.executemany(f"DELETE FROM {table} WHERE id = %s", [(pk,) for pk in pks])  # noqa: S608


def _update(values: list[tuple[int, float]], as_of: dt.datetime | str | None) -> None:
    """The new ``value`` (and ``as_of``, the database's own value: a datetime on PostgreSQL,
    text on SQLite) of rows by primary key: one statement on PostgreSQL (the pairs as two
    arrays), one prepared statement run per row on SQLite."""
    table = Rollup._meta.db_table
    with connection.cursor() as cur:
        if connection.vendor == "postgresql":
            if values:
                cur.execute(
                    f"UPDATE {table} SET value = u.value, as_of = %s"  # noqa: S608
                    " FROM unnest(%s::bigint[], %s::float8[]) AS u(id, value)"
                    f" WHERE {table}.id = u.id",
                    [as_of, [pk for pk, _ in values], [v for _, v in values]],
                )
        else:
            cur.executemany(
                f"UPDATE {table} SET value = %s, as_of = %s WHERE id = %s",  # noqa: S608
                [(v, as_of, pk) for pk, v in values],
            )


def _write(rows: list[tuple[object, ...]]) -> int:
    """Append ``rows`` to the rollup table in one statement. On PostgreSQL that is a COPY
    in binary (the driver formats no text). On SQLite the rows go into a temporary table
    first and from there in one INSERT … SELECT: the table's AUTOINCREMENT key updates
    sqlite_sequence at the end of every INSERT statement, which made an executemany of one
    INSERT per row several times slower."""
    table = Rollup._meta.db_table
    if not rows:
        return 0
    if connection.vendor != "sqlite":
        return bulk_insert(table, COLUMNS, rows, types=COLUMN_TYPES)
    quoted = ", ".join(connection.ops.quote_name(c) for c in COLUMNS)
    with connection.cursor() as cur:
        cur.execute(f"CREATE TEMP TABLE {STAGING} ({quoted})")
        try:
            n = bulk_insert(f"temp.{STAGING}", COLUMNS, rows)
            # (names from model metadata and constants)
            append = f"INSERT INTO {table} ({quoted}) SELECT {quoted} FROM temp.{STAGING}"  # noqa: S608
            cur.execute(f"{append} ORDER BY rowid")
        finally:
            cur.execute(f"DROP TABLE temp.{STAGING}")
    return n


def _recomputed_keys(figures: dict[tuple[str, str], dict[str, float]]) -> set[str]:
    return {key for _tree, key in figures}
