"""compliance_city: met / behind / overdue for every branch of the city (issue 4: ≤ 10 s on
SQLite at city scale). Ours: tongxin.meetings.selectors.compliance for an org_dept user at the
city root. Baseline: the same two reads by hand (the branches, and one GROUP BY over the held
meetings with the same period bounds), without building the per-branch states."""

from __future__ import annotations

from typing import Any

from django.db import connection

from bench.benchmarks import ensure_demo, org_dept_scope, raw_fetch
from bench.util import Context, report, timed_pair
from tongxin.meetings import selectors
from tongxin.orgs.models import Organization


def baseline_sql(today: Any) -> str:
    rules = selectors.active_rules()
    bounds = {r.kind: selectors.period_bounds(r.period, today) for r in rules}
    earliest = min(p for _c, p in bounds.values())
    cur = " ".join(f"WHEN '{k}' THEN '{c.isoformat()}'" for k, (c, _p) in bounds.items())
    prev = " ".join(f"WHEN '{k}' THEN '{p.isoformat()}'" for k, (_c, p) in bounds.items())
    return (
        "SELECT branch_id, kind,"
        f" SUM(CASE WHEN date >= (CASE kind {cur} END) THEN 1 ELSE 0 END),"
        f" SUM(CASE WHEN date < (CASE kind {cur} END) AND date >= (CASE kind {prev} END)"
        " THEN 1 ELSE 0 END)"
        " FROM meetings_meeting WHERE status = 'held' AND branch_id IS NOT NULL"
        f" AND date >= '{earliest.isoformat()}' AND date <= '{today.isoformat()}'"
        " GROUP BY branch_id, kind"
    )


def run(ctx: Context) -> None:
    ensure_demo(ctx)
    city = Organization.objects.get(depth=1)
    scope = org_dept_scope(city.path)
    today = selectors.local_today()
    sql = baseline_sql(today)
    branch_sql = "SELECT id, path, name, numchild FROM orgs_organization WHERE kind = 'branch'"

    def baseline() -> tuple[int, int]:
        branches = raw_fetch(branch_sql, ())
        groups = raw_fetch(sql, ())
        return len(branches), len(groups)

    runs = 5 if ctx.scale == "city" else 9
    ours, base, rows, (n_branches, _groups) = timed_pair(
        lambda: selectors.compliance(scope, today=today), baseline, runs=runs, warmup=1
    )
    assert len(rows) == n_branches, (len(rows), n_branches)
    with connection.cursor() as cur:
        cur.execute("SELECT COUNT(*) FROM meetings_meeting")
        meetings = cur.fetchone()[0]
    states = {s: sum(1 for r in rows if r.state == s) for s in selectors.STATE_LABELS}
    report(
        ctx,
        "compliance_city",
        n=n_branches,
        ours=ours,
        baseline=base,
        unit="s",
        target=("ours", 10),
        runs=runs,
        meetings=meetings,
        states=states,
        note="ours: selectors.compliance (rules, branches, one GROUP BY, states in Python) "
        "as org_dept at the city root; baseline: the branches and a hand-written GROUP "
        "BY branch_id, kind with the same period bounds (raw driver)",
    )
