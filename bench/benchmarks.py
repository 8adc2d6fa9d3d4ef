"""The benchmarks. Imported after django.setup(); each takes a Context and reports."""

from __future__ import annotations

import re
import time
from collections import defaultdict
from typing import Any

from django.db import connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from bench.util import Context, report, save_plans, timed_pair
from tongxin.accounts.models import User
from tongxin.core.permissions import DEFAULT_ROLES
from tongxin.core.scope import _PATH_MAX, Grant, Scope
from tongxin.demo import loader
from tongxin.demo.generator import build_plan
from tongxin.demo.tree import buildings_index
from tongxin.members.selectors import LIST_COLUMNS, member_count_in_subtree
from tongxin.orgs.models import Organization
from tongxin.rosters.member_writing import MEMBER_INSERT

SEED = 1
COPY_TABLE = "bench_member"
COUNT_SQL = "SELECT COUNT(*) FROM members_member WHERE org_path >= {p} AND org_path <= {p}"
# The roster's columns (the selector's LIST_COLUMNS: "org__name" is o.name), by hand.
ROWS_SQL = (
    "SELECT "
    + ", ".join(c.replace("org__", "o.") if "__" in c else f"m.{c}" for c in LIST_COLUMNS)
    + " FROM members_member m JOIN orgs_organization o ON o.id = m.org_id"
    " WHERE m.org_path >= {p} AND m.org_path <= {p} ORDER BY m.org_path, m.id LIMIT 20"
)


def raw_sql(sql: str) -> str:
    """Hand-written SQL with the raw driver's placeholder (sqlite3: ?, psycopg: %s)."""
    return sql.format(p="?" if connection.vendor == "sqlite" else "%s")


def raw_fetch(sql: str, params: tuple[Any, ...]) -> list[tuple[Any, ...]]:
    cur = connection.connection.cursor()
    try:
        cur.execute(sql, params)
        return cur.fetchall()
    finally:
        cur.close()


def bounds(path: str) -> tuple[str, str]:
    """The same range as tongxin.core.scope.subtree_q."""
    return path, path + "Z" * (_PATH_MAX - len(path))


def ensure_demo(ctx: Context) -> None:
    if loader.domain_is_empty():
        loader.load(scale=ctx.scale, seed=SEED)


def org_dept_scope(root_path: str) -> Scope:
    """What scope_for_user gives a user with role org_dept at the city root."""
    grant = Grant(kind="org", path=root_path, subtree=True)
    grants: dict[str, list[Grant]] = defaultdict(list)
    for perm in DEFAULT_ROLES["org_dept"][1]:
        grants[perm].append(grant)
    return Scope(user_id=None, grants=grants)


def explain(sql: str) -> str:
    with connection.cursor() as cur:
        if connection.vendor == "sqlite":
            cur.execute("EXPLAIN QUERY PLAN " + sql)
            return "\n".join(row[-1] for row in cur.fetchall())
        cur.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql)
        return "\n".join(row[0] for row in cur.fetchall())


# ---- 1. demo_city ---------------------------------------------------------------------------


def create_copy_table() -> None:
    """An empty table shaped like members_member: same columns and indexes, no foreign keys
    (PostgreSQL's LIKE ... INCLUDING ALL never copies them; SQLite's are stripped to match)."""
    with connection.cursor() as cur:
        cur.execute(f"DROP TABLE IF EXISTS {COPY_TABLE}")
        if connection.vendor == "postgresql":
            cur.execute(f"CREATE TABLE {COPY_TABLE} (LIKE members_member INCLUDING ALL)")
            return
        cur.execute(
            "SELECT type, sql FROM sqlite_master WHERE tbl_name = 'members_member' "
            "AND sql IS NOT NULL ORDER BY type = 'index'"
        )
        for kind, sql in cur.fetchall():
            sql = sql.replace('"members_member"', f'"{COPY_TABLE}"')
            if kind == "table":
                sql = re.sub(r' REFERENCES "\w+" \("\w+"\) DEFERRABLE INITIALLY DEFERRED', "", sql)
            else:
                sql = sql.replace('INDEX "', f'INDEX "{COPY_TABLE}_', 1)
            cur.execute(sql)


def drop_copy_table() -> None:
    with connection.cursor() as cur:
        cur.execute(f"DROP TABLE IF EXISTS {COPY_TABLE}")


def plain_insert(rows: list[tuple[Any, ...]]) -> int:
    """The physical limit: one executemany (SQLite) or one COPY (PostgreSQL), one transaction."""
    cols = ", ".join(connection.ops.quote_name(c) for c in MEMBER_INSERT)
    raw = connection.connection
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with raw.cursor() as cur, cur.copy(f"COPY {COPY_TABLE} ({cols}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
        else:
            marks = ", ".join("?" * len(MEMBER_INSERT))
            raw.executemany(f"INSERT INTO {COPY_TABLE} ({cols}) VALUES ({marks})", rows)
    return len(rows)


def wipe_if_loaded() -> None:
    if not loader.domain_is_empty():
        loader.wipe()


def demo_city(ctx: Context) -> None:
    t0 = time.perf_counter()
    gen, _plan, areas, _orgs, holders = build_plan(scale=ctx.scale, seed=SEED)
    by_area, region = buildings_index(areas)
    rows = list(gen.member_rows(holders, by_area, region))
    generate = time.perf_counter() - t0
    runs = 3 if ctx.scale == "town" else 1
    ours, baseline, stats, inserted = timed_pair(
        lambda: loader.load(scale=ctx.scale, seed=SEED),
        lambda: plain_insert(rows),
        runs=runs,
        before_ours=wipe_if_loaded,
        before_baseline=create_copy_table,
    )
    drop_copy_table()
    assert stats["members"] == inserted == len(rows), (stats["members"], inserted)
    report(
        ctx,
        "demo_city",
        n=len(rows),
        ours=ours,
        baseline=baseline,
        unit="s",
        target=("ours", 120),
        runs=runs,
        orgs=stats["orgs"],
        generate_s=round(generate, 2),
        note="target is the issue's, for city scale; ours: the whole demo (plan, encrypt, "
        "all tables, ANALYZE); baseline: the member rows only, generated beforehand "
        "(generate_s: planning and generating those rows, untimed)",
    )


# ---- 2. subtree_count -----------------------------------------------------------------------


def subtree_count(ctx: Context, name: str = "subtree_count") -> None:
    ensure_demo(ctx)
    city = Organization.objects.get(depth=1)
    district = Organization.objects.filter(depth=2).order_by("path").first()
    assert district is not None
    scopes = {"superuser": Scope.everything(), "org_dept": org_dept_scope(city.path)}
    sql = raw_sql(COUNT_SQL)
    runs = 15
    for org, where in ((district, "district"), (city, "city root")):
        for scope_name, scope in scopes.items():
            ours, baseline, n, raw_n = timed_pair(
                lambda org=org, scope=scope: member_count_in_subtree(scope, org),
                lambda org=org: raw_fetch(sql, bounds(org.path))[0][0],
                runs=runs,
                warmup=2,
            )
            assert n == raw_n, (n, raw_n)
            main = where == "city root" and scope_name == "org_dept"
            report(
                ctx,
                name,
                n=n,
                ours=ours * 1000,
                baseline=baseline * 1000,
                unit="ms",
                target=("ratio", 1.5),
                runs=runs,
                write=main,
                note=f"{where} ({org.name}), {scope_name} scope",
            )
    with CaptureQueriesContext(connection) as cq:
        member_count_in_subtree(scopes["org_dept"], city)
    save_plans(
        ctx,
        name,
        {
            "member_count_in_subtree, org_dept scope, city root": explain(
                cq.captured_queries[-1]["sql"]
            )
        },
    )


# ---- 3. roster_page -------------------------------------------------------------------------


def roster_page(ctx: Context, name: str = "roster_page") -> None:
    ensure_demo(ctx)
    city = Organization.objects.get(depth=1)
    client = Client()
    client.force_login(User.objects.get(username="zuzhibu"))  # org_dept at the city root
    url = reverse("members:list")

    def ours() -> bytes:
        response = client.get(url)
        assert response.status_code == 200, response.status_code
        return response.content

    params = bounds(city.path)
    rows_sql, count_sql = raw_sql(ROWS_SQL), raw_sql(COUNT_SQL)

    def baseline() -> tuple[int, list[tuple[Any, ...]]]:
        return raw_fetch(count_sql, params)[0][0], raw_fetch(rows_sql, params)

    runs = 15
    ours_s, base_s, html, (n, rows) = timed_pair(ours, baseline, runs=runs, warmup=2)
    assert len(rows) == 20 and all(f"/members/{r[0]}/".encode() in html for r in rows)
    with CaptureQueriesContext(connection) as cq:
        ours()
    report(
        ctx,
        name,
        n=n,
        ours=ours_s * 1000,
        baseline=base_s * 1000,
        unit="ms",
        target=("ours", 150),
        runs=runs,
        queries=len(cq.captured_queries),
        note="GET /members/ as org_dept at the city root, full request via django.test.Client",
    )
    member_queries = [q["sql"] for q in cq.captured_queries if "members_member" in q["sql"]]
    count_q = next(q for q in member_queries if "COUNT(" in q)
    rows_q = next(q for q in member_queries if "LIMIT" in q)
    save_plans(ctx, name, {"roster count": explain(count_q), "roster rows": explain(rows_q)})


# ---- 4. the same pages right after a city-scale import ------------------------------------
# Run after member_import, which writes the scale's whole roster again and removes it: the
# tables then hold as many dead rows as live ones, and the planner sees them only if the
# write refreshed its statistics. Same targets as the first measurements.


def subtree_count_after_import(ctx: Context) -> None:
    subtree_count(ctx, name="subtree_count_after_import")


def roster_page_after_import(ctx: Context) -> None:
    roster_page(ctx, name="roster_page_after_import")
