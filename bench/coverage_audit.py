"""coverage_audit: the 应建尽建 audit of the whole city (every category's count and the first
page of every category) against the same aggregate queries written by hand in raw SQL.

Target (issue 3): the city-scale audit for the whole city ≤ 5 s on SQLite."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from bench.benchmarks import bounds, ensure_demo, org_dept_scope, raw_fetch, raw_sql
from bench.util import Context, report, timed_pair
from tongxin.grids.coverage import CATEGORY_KEYS, MIN_MEMBERS, TERM_WARNING_DAYS, CoverageAudit
from tongxin.grids.models import Grid
from tongxin.orgs.models import Organization

PLACES = (
    "SELECT id, path, name, level FROM geo_area WHERE path BETWEEN {p} AND {p} "
    "AND level IN ('compound', 'building')"
)
RESIDENCE_COUNTS = (
    "SELECT residence_id, COUNT(*) FROM members_member WHERE residence_id IS NOT NULL "
    "GROUP BY residence_id"
)
FORMAL_IN_COMPOUNDS = (
    "SELECT a.path FROM orgs_organization o JOIN geo_area a ON a.id = o.area_id "
    "WHERE a.path BETWEEN {p} AND {p} AND o.kind = 'branch' AND o.establishment = 'formal' "
    "AND a.level IN ('compound', 'building')"
)
GRID_FORMAL = (
    "SELECT a.path FROM grids_grid_compounds gc JOIN geo_area a ON a.id = gc.area_id "
    "JOIN grids_grid g ON g.id = gc.grid_id JOIN orgs_organization o ON o.id = g.serving_branch_id "
    "WHERE a.path BETWEEN {p} AND {p} AND o.establishment = 'formal'"
)
UNITS = (
    "SELECT work_unit_id, COUNT(*) FROM members_member WHERE work_unit_id IS NOT NULL "
    "GROUP BY work_unit_id HAVING COUNT(*) >= {p}"
)
# A unit is covered by a 建制性 branch, 党总支 or 党委 it hosts.
UNITS_COVERED = (
    "SELECT DISTINCT unit_id FROM orgs_organization WHERE unit_id IS NOT NULL "
    "AND kind IN ('branch', 'general_branch', 'committee') AND establishment = 'formal'"
)
# Units of the subtree: hosting one of its organizations, or located in its area.
UNITS_IN_SUBTREE = (
    "SELECT unit_id FROM orgs_organization WHERE path BETWEEN {p} AND {p} "
    "AND unit_id IS NOT NULL UNION "
    "SELECT u.id FROM orgs_unit u JOIN geo_area a ON a.id = u.area_id "
    "WHERE a.path BETWEEN {p} AND {p}"
)
FUNCTIONAL = (
    "SELECT COUNT(*) FROM (SELECT o.id FROM orgs_organization o "
    "JOIN members_member m ON m.org_id = o.id WHERE o.path BETWEEN {p} AND {p} "
    "AND o.kind = 'branch' AND o.establishment = 'functional' GROUP BY o.id "
    "HAVING COUNT(*) >= {p}) t"
)
UNGRIDDED = (
    "SELECT COUNT(*) FROM members_member m WHERE m.org_path BETWEEN {p} AND {p} "
    "AND m.standing = 'normal' AND NOT EXISTS "
    "(SELECT 1 FROM grids_gridmembership gm WHERE gm.member_id = m.id)"
)
UNGRIDDED_PAGE = (
    "SELECT m.id, m.name, o.name, a.name FROM members_member m "
    "JOIN orgs_organization o ON o.id = m.org_id LEFT JOIN geo_area a ON a.id = m.residence_id "
    "WHERE m.org_path BETWEEN {p} AND {p} AND m.standing = 'normal' AND NOT EXISTS "
    "(SELECT 1 FROM grids_gridmembership gm WHERE gm.member_id = m.id) "
    "ORDER BY m.org_path, m.id LIMIT 20"
)
MULTIGRID = "SELECT member_id FROM grids_gridmembership GROUP BY member_id HAVING COUNT(*) > 1"
NO_INSTRUCTOR = (
    "SELECT COUNT(*) FROM grids_grid g JOIN orgs_organization o ON o.id = g.serving_branch_id "
    "JOIN geo_area a ON a.id = g.community_id WHERE g.instructor_id IS NULL "
    "AND (o.path BETWEEN {p} AND {p} OR a.path BETWEEN {p} AND {p})"
)
NO_SECRETARY = (
    "SELECT COUNT(*) FROM orgs_organization o WHERE o.path BETWEEN {p} AND {p} "
    "AND o.kind <> 'group' AND NOT EXISTS (SELECT 1 FROM orgs_leadership l "
    "WHERE l.org_id = o.id AND l.role = 'secretary' AND l.term_start <= {p})"
)
TERMS = (
    "SELECT COUNT(*) FROM (SELECT l.org_id FROM orgs_leadership l "
    "JOIN orgs_organization o ON o.id = l.org_id WHERE o.path BETWEEN {p} AND {p} "
    "AND l.role = 'secretary' GROUP BY l.org_id HAVING MAX(l.term_end) <= {p}) t"
)

OVERDUE_PROBATION = (
    "SELECT COUNT(*) FROM members_member m WHERE m.org_path BETWEEN {p} AND {p} "
    "AND m.status = 'probationary' AND m.confirmed_on IS NULL AND m.joined_on < {p}"
)


def baseline_audit(root: Organization, today: dt.date) -> dict[str, int]:
    org = bounds(root.path)
    area = bounds(root.area.path)  # type: ignore[union-attr]
    limit = (today + dt.timedelta(days=TERM_WARNING_DAYS)).isoformat()
    try:  # 预备期 of a year: joined before this day a year ago
        year_ago = today.replace(year=today.year - 1).isoformat()
    except ValueError:  # 29 February
        year_ago = today.replace(year=today.year - 1, day=28).isoformat()
    compounds: dict[str, int] = {}
    path_of: dict[int, str] = {}
    for pk, path, _name, level in raw_fetch(raw_sql(PLACES), area):
        path_of[pk] = path
        if level == "compound":
            compounds[path] = pk
    lengths = sorted({len(p) for p in compounds})
    totals: dict[str, int] = {}
    for residence, n in raw_fetch(RESIDENCE_COUNTS, ()):
        path = path_of.get(residence)
        if path is None:
            continue
        for length in lengths:
            if path[:length] in compounds:
                totals[path[:length]] = totals.get(path[:length], 0) + n
                break
    counts = {p: n for p, n in totals.items() if n >= MIN_MEMBERS}
    covered = {
        p
        for (path,) in raw_fetch(raw_sql(FORMAL_IN_COMPOUNDS), area)
        for p in counts
        if path.startswith(p)
    }
    covered |= {path for (path,) in raw_fetch(raw_sql(GRID_FORMAL), area)}
    covered_units = {pk for (pk,) in raw_fetch(UNITS_COVERED, ())}
    # The city root is territorial (anchored in an area, hosted by no unit), as the selector
    # requires for the area half of the rule.
    assert root.unit_id is None and root.area is not None
    units_in = {pk for (pk,) in raw_fetch(raw_sql(UNITS_IN_SUBTREE), (*org, *area))}
    units = [
        pk
        for pk, _n in raw_fetch(raw_sql(UNITS), (MIN_MEMBERS,))
        if pk not in covered_units and pk in units_in
    ]
    out = {
        "compound": len([p for p in counts if p not in covered]),
        "unit": len(units),
        "functional": raw_fetch(raw_sql(FUNCTIONAL), (*org, MIN_MEMBERS))[0][0],
        "ungridded": raw_fetch(raw_sql(UNGRIDDED), org)[0][0],
        "multigrid": len(raw_fetch(MULTIGRID, ())),
        "no_instructor": raw_fetch(raw_sql(NO_INSTRUCTOR), (*org, *area))[0][0],
        "no_secretary": raw_fetch(raw_sql(NO_SECRETARY), (*org, today.isoformat()))[0][0],
        "term": raw_fetch(raw_sql(TERMS), (*org, limit))[0][0],
        "overdue_probation": raw_fetch(raw_sql(OVERDUE_PROBATION), (*org, year_ago))[0][0],
    }
    raw_fetch(raw_sql(UNGRIDDED_PAGE), org)  # the page the audit shows
    return out


def run(ctx: Context) -> None:
    ensure_demo(ctx)
    root = Organization.objects.select_related("area").get(depth=1)
    scope = org_dept_scope(root.path)
    today = timezone.localdate()

    def ours() -> dict[str, int]:
        audit = CoverageAudit(scope, root, today)
        counts = audit.counts()
        audit.rows("ungridded")[0:20]
        return counts

    def baseline() -> dict[str, Any]:
        return baseline_audit(root, today)

    runs = 3
    t_ours, t_base, got, expected = timed_pair(ours, baseline, runs=runs, warmup=1)
    assert got == expected, (got, expected)
    report(
        ctx,
        "coverage_audit",
        n=Grid.objects.count(),
        ours=t_ours,
        baseline=t_base,
        unit="s",
        target=("ours", 5.0),
        runs=runs,
        counts=got,
        categories=len(CATEGORY_KEYS),
    )
