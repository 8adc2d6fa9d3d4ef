"""overdue_sweep: 催办/督办 over 2,000,000 cases (city; 200,000 at town scale).

The cases are generated inside the database (generate_series / a recursive CTE): about 6% are
open, a third of those past their deadline. Ours is ``services.sweep_overdue`` (per level an
INSERT ... SELECT of events and an UPDATE, over the partial index on open cases' deadlines);
the baseline is hand-written SQL doing the same work in the fewest statements (PostgreSQL: one
``WITH ... UPDATE ... RETURNING`` feeding the INSERT per level). Every run is rolled back, so
each starts from the same data. The plan of our UPDATE is written to
bench/results/overdue_sweep.plan.txt.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import connection, transaction
from django.utils import timezone

from bench.util import Context, report, save_plans, timed_pair

N = {"town": 200_000, "city": 2_000_000}
RUNS = 3


def _fixture_ids() -> tuple[int, int, list[tuple[int, str]]]:
    """A category, an agency and up to 200 places to hang the cases on (made if missing)."""
    from tongxin.cases.models import Agency, Category
    from tongxin.geo.models import Area, AreaLevel

    category = Category.objects.order_by("pk").first()
    agency = Agency.objects.order_by("pk").first()
    assert category is not None and agency is not None  # the data migration made them
    places = list(
        Area.objects.filter(level=AreaLevel.COMPOUND)
        .order_by("path")
        .values_list("id", "path")[:200]
    )
    if not places:
        root = Area.add_root(name="基准市", level=AreaLevel.CITY)
        street = root.add_child(name="基准街道", level=AreaLevel.STREET)
        comm = street.add_child(name="基准社区", level=AreaLevel.COMMUNITY)
        for i in range(50):
            comm = Area.objects.get(pk=comm.pk)
            a = comm.add_child(name=f"基准小区{i}", level=AreaLevel.COMPOUND)
            places.append((a.pk, a.path))
    return category.pk, agency.pk, places


def generate(n: int, now: dt.datetime) -> None:
    """n cases, written by the database itself. Every 16th case is open (6%); its deadline
    lies between 30 days ago and 30 days ahead, so a third-ish are overdue."""
    from tongxin.cases.models import Case

    category, agency, places = _fixture_ids()
    table = Case._meta.db_table
    k = len(places)
    area_case = " ".join(f"WHEN {i} THEN {pk}" for i, (pk, _p) in enumerate(places))
    path_case = " ".join(f"WHEN {i} THEN '{p}'" for i, (_pk, p) in enumerate(places))
    cols = (
        "tracking_code, category_id, area_id, area_path, address, title, description, source, "
        "priority, state, agency_id, reporter_name, reporter_phone_enc, reporter_phone_masked, "
        "reported_at, deadline_at, updated_at, overdue_level, escalations, rating_note, "
        "reopened, status_note"
    )
    with connection.cursor() as cur:
        if connection.vendor == "postgresql":
            # The rows point at existing ids by construction: skip the 6 million deferred
            # foreign-key checks at COMMIT (minutes on a busy machine). Needs a superuser;
            # without one the checks simply run.
            cur.execute("SAVEPOINT fk_off")
            try:
                cur.execute("SET LOCAL session_replication_role = replica")
                cur.execute("RELEASE SAVEPOINT fk_off")
            except Exception:
                cur.execute("ROLLBACK TO SAVEPOINT fk_off")
            cur.execute(
                f"INSERT INTO {table} ({cols}) SELECT 'B' || lpad(g::text, 9, '0'), %s, "
                f"CASE g %% {k} {area_case} END, CASE g %% {k} {path_case} END, '', '基准事件', "
                "'基准事件描述', 'grid', 'normal', "
                "CASE WHEN g %% 16 = 0 THEN 'dispatched' ELSE 'closed' END, %s, '', '', '', "
                "%s - (g %% 365) * interval '1 day', "
                "%s + (((g %% 1009) * 7919) %% 60 - 30) * interval '1 day', %s, 0, 0, '', false, '' "
                "FROM generate_series(1, %s) g",
                [category, agency, now, now, now, n],
            )
            cur.execute(f"ANALYZE {table}")
        else:
            at = connection.ops.adapt_datetimefield_value(now)
            cur.execute(
                f"WITH RECURSIVE s(g) AS (SELECT 1 UNION ALL SELECT g + 1 FROM s WHERE g < %s) "
                f"INSERT INTO {table} ({cols}) SELECT 'B' || printf('%%09d', g), %s, "
                f"CASE g %% {k} {area_case} END, CASE g %% {k} {path_case} END, '', '基准事件', "
                "'基准事件描述', 'grid', 'normal', "
                "CASE WHEN g %% 16 = 0 THEN 'dispatched' ELSE 'closed' END, %s, '', '', '', "
                "datetime(%s, '-' || (g %% 365) || ' days'), "
                "datetime(%s, (((g %% 1009) * 7919) %% 60 - 30) || ' days'), %s, 0, 0, '', 0, '' FROM s",
                [n, category, agency, at, at, at],
            )
            cur.execute("ANALYZE")


def baseline_sql(now: dt.datetime) -> int:
    """The same work by hand: per level, the events and the update."""
    from tongxin.cases.models import OPEN_STATES, Case, CaseEvent

    case_t, ev_t = Case._meta.db_table, CaseEvent._meta.db_table
    states = ", ".join(f"'{s}'" for s in OPEN_STATES)
    total = 0
    at = connection.ops.adapt_datetimefield_value(now)
    with connection.cursor() as cur:
        for level, kind, note in ((2, "supervise", "督办"), (1, "urge", "催办")):
            span = ""
            params: list[Any] = [level, at, at]
            if level == 2:
                span = (
                    " AND deadline_at + (deadline_at - reported_at) < %s"
                    if connection.vendor == "postgresql"
                    else " AND julianday(deadline_at) * 2 - julianday(reported_at) < julianday(%s)"
                )
                params.append(at)
            where = (
                f"state IN ({states}) AND deadline_at < %s AND overdue_level = {level - 1}{span}"
            )
            if connection.vendor == "postgresql":
                cur.execute(
                    f"WITH up AS (UPDATE {case_t} SET overdue_level = %s, updated_at = %s "
                    f"WHERE {where} RETURNING id, state) "
                    f"INSERT INTO {ev_t} (case_id, kind, actor_id, at, from_state, to_state, note, public) "
                    f"SELECT id, %s, NULL, %s, state, state, %s, true FROM up",
                    [*params, kind, at, note],
                )
            else:
                cur.execute(
                    f"INSERT INTO {ev_t} (case_id, kind, actor_id, at, from_state, to_state, note, public) "
                    f"SELECT id, %s, NULL, %s, state, state, %s, 1 FROM {case_t} WHERE {where}",
                    [kind, at, note, *params[2:]],
                )
                cur.execute(
                    f"UPDATE {case_t} SET overdue_level = %s, updated_at = %s WHERE {where}", params
                )
            total += cur.rowcount
    return total


def _rolled_back(fn):  # type: ignore[no-untyped-def]
    def run() -> Any:
        with transaction.atomic():
            if connection.vendor == "postgresql":
                # Django's foreign keys are checked at COMMIT; check them inside the timing.
                with connection.cursor() as cur:
                    cur.execute("SET CONSTRAINTS ALL IMMEDIATE")
            out = fn()
            transaction.set_rollback(True)
        return out

    return run


def explain_plan(now: dt.datetime) -> str:
    from tongxin.cases.services import sweep_statements

    _insert, update = sweep_statements(1)
    at = connection.ops.adapt_datetimefield_value(now)
    with transaction.atomic(), connection.cursor() as cur:
        if connection.vendor == "postgresql":
            cur.execute("EXPLAIN (ANALYZE, BUFFERS) " + update, [1, at, at])
            plan = "\n".join(r[0] for r in cur.fetchall())
        else:
            cur.execute("EXPLAIN QUERY PLAN " + update, [1, at, at])
            plan = "\n".join(str(r[-1]) for r in cur.fetchall())
        transaction.set_rollback(True)
    return plan


def run(ctx: Context) -> None:
    from tongxin.cases.models import Case
    from tongxin.cases.services import sweep_overdue

    n = N[ctx.scale]
    now = timezone.now().replace(microsecond=0)
    if Case.objects.count() < n:
        with transaction.atomic():
            generate(n - Case.objects.count(), now)
    total = Case.objects.count()
    ours, base, out_ours, out_base = timed_pair(
        _rolled_back(lambda: sweep_overdue(now=now)),
        _rolled_back(lambda: baseline_sql(now)),
        runs=RUNS,
    )
    assert sum(out_ours.values()) == out_base, (out_ours, out_base)
    save_plans(ctx, "overdue_sweep", {"sweep UPDATE (level 1, 催办)": explain_plan(now)})
    report(
        ctx,
        "overdue_sweep",
        n=total,
        ours=ours,
        baseline=base,
        unit="s",
        target=("ours", 30.0),
        runs=RUNS,
        swept=out_ours,
    )
