"""Every read of the 数据驾驶舱: lookups in the rollup table, filtered by the user's scope.

A node is an organization the user reaches with a subtree grant (``orgs.view``); anything else
is a 404. Figures about people (``Metric.people``) need ``members.view`` on the subtree, and
below the user's own top level a count under five persons (or a ratio over fewer than five) is
shown as "<5": it would point at individuals (the 工作台's rule)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.http import Http404
from django.utils.translation import gettext

from tongxin.core.metrics import MIN_PEOPLE, Metric, all_metrics, get_metric
from tongxin.core.months import add_months
from tongxin.core.scope import Scope, subtree_q
from tongxin.insights.models import Boundary, PeriodKind, Rollup, RollupRun, Tree
from tongxin.orgs.models import Organization

PERM = "orgs.view"
PEOPLE_PERM = "members.view"
NODE_FIELDS = ("id", "path", "depth", "name", "kind", "numchild", "area_id", "area__path")


def cockpit_roots(scope: Scope) -> list[Organization]:
    """The user's top of scope: the organizations of their subtree grants whose parent they do
    not reach (for a superuser, the roots of the tree). One query."""
    if scope.is_superuser:
        return list(Organization.objects.filter(depth=1).only(*NODE_FIELDS).order_by("path"))
    paths = [g.path for g in scope.grants.get(PERM, []) if g.kind == "org" and g.subtree]
    tops = sorted(p for p in set(paths) if not any(p != q and p.startswith(q) for q in paths))
    if not tops:
        return []
    return list(Organization.objects.filter(path__in=tops).only(*NODE_FIELDS).order_by("path"))


def reaches(scope: Scope, path: str) -> bool:
    return scope.covers_org_subtree(PERM, path)


def get_node_for(scope: Scope, pk: object) -> Organization:
    """An organization whose whole subtree the user reaches, or 404."""
    try:
        org = Organization.objects.select_related("area").get(pk=int(str(pk)))
    except (Organization.DoesNotExist, ValueError, OverflowError):
        raise Http404(gettext("该党组织不存在或不在您的管辖范围内。")) from None
    if not reaches(scope, org.path):
        raise Http404(gettext("该党组织不存在或不在您的管辖范围内。"))
    return org


def breadcrumbs(scope: Scope, node: Organization) -> list[Organization]:
    """The node's ancestors the user reaches, then the node (one query)."""
    step = Organization.steplen
    prefixes = [node.path[:i] for i in range(step, len(node.path), step)]
    prefixes = [p for p in prefixes if reaches(scope, p)]
    above = list(Organization.objects.filter(path__in=prefixes).only("id", "path", "name"))
    return [*sorted(above, key=lambda o: o.path), node]


def children(node: Organization) -> list[Organization]:
    return list(
        Organization.objects.filter(subtree_q("path", node.path), depth=node.depth + 1)
        .select_related("area")
        .only(*NODE_FIELDS)
        .order_by("path")
    )


def latest_run() -> RollupRun | None:
    return RollupRun.objects.order_by("-finished_at").first()


@dataclass
class Cell:
    metric: Metric
    value: float | None  # None: nothing to divide (a ratio) or not shown
    hidden: bool = False  # a small count of people

    @property
    def text(self) -> str:
        if self.hidden:
            return f"<{MIN_PEOPLE}"
        if self.value is None:
            return "—"
        if self.metric.is_ratio or self.value != int(self.value):
            return f"{self.value:,.1f}"
        return f"{int(self.value):,}"

    @property
    def sort_value(self) -> float:
        return -1.0 if self.hidden or self.value is None else self.value


@dataclass
class NodeRow:
    org: Organization
    cells: dict[str, Cell] = field(default_factory=dict)

    def cell(self, key: str) -> Cell:
        return self.cells[key]


def _stored(paths: list[str], day: dt.date) -> dict[str, dict[str, float]]:
    """path → metric → value of the day's rollups (one query)."""
    out: dict[str, dict[str, float]] = {p: {} for p in paths}
    rows = Rollup.objects.filter(
        tree=Tree.ORG, period=PeriodKind.DAY, start=day, path__in=paths
    ).values_list("path", "metric", "value")
    for path, metric, value in rows:
        out[path][metric] = value
    return out


def figures(
    scope: Scope,
    nodes: list[Organization],
    run: RollupRun | None,
    tops: set[str],
    keys: set[str] | None = None,
    full_for: frozenset[str] = frozenset(),
) -> list[NodeRow]:
    """Every metric's cell (or those of ``keys``, except at the paths ``full_for``) for each
    node, from the day's rollups (one query). ``tops``: the paths of the user's top level,
    where small counts are shown."""
    every = all_metrics()
    some = [m for m in every if keys is None or m.key in keys]
    stored = _stored([n.path for n in nodes], run.day) if run is not None else {}
    out = []
    for node in nodes:
        values = stored.get(node.path, {})
        people_ok = scope.is_superuser or scope.covers_org_subtree(PEOPLE_PERM, node.path)
        small_hidden = node.path not in tops
        row = NodeRow(node)
        for m in every if node.path in full_for else some:
            row.cells[m.key] = _cell(m, values, run is not None, people_ok, small_hidden)
        out.append(row)
    return out


def _cell(
    m: Metric, values: dict[str, float], stored: bool, people_ok: bool, small_hidden: bool
) -> Cell:
    if not stored or (m.people and not people_ok):
        return Cell(m, None)
    if m.ratio is not None:
        value = values.get(m.key)
        if m.people and small_hidden and 0 < values.get(m.ratio[1], 0.0) < MIN_PEOPLE:
            return Cell(m, None, hidden=True)
        return Cell(m, value)
    value = values.get(m.key, 0.0)
    if m.people and small_hidden and 0 < value < MIN_PEOPLE:
        return Cell(m, None, hidden=True)
    return Cell(m, value)


def trends(
    scope: Scope, node: Organization, keys: list[str], last: dt.date, months: int = 12
) -> dict[str, list[float | None]]:
    """The monthly values of ``keys`` at ``node`` for the ``months`` months up to ``last``'s
    (one query). A month without a row is 0 for a count and None for a ratio."""
    first = add_months(last.replace(day=1), -(months - 1))
    month_list = [add_months(first, i) for i in range(months)]
    found: dict[tuple[str, dt.date], float] = {
        (metric, start): value
        for metric, start, value in Rollup.objects.filter(
            tree=Tree.ORG,
            period=PeriodKind.MONTH,
            path=node.path,
            metric__in=keys,
            start__gte=first,
        ).values_list("metric", "start", "value")
    }
    people_ok = scope.is_superuser or scope.covers_org_subtree(PEOPLE_PERM, node.path)
    out: dict[str, list[float | None]] = {}
    for key in keys:
        m = get_metric(key)
        if m is None or (m.people and not people_ok):
            continue
        # a past month of a stock not stored then is unknown, not zero
        default = None if m.is_ratio or not m.historical else 0.0
        out[key] = [found.get((key, month), default) for month in month_list]
    return out


def month_labels(last: dt.date, months: int = 12) -> list[str]:
    """ "2026-01" …; the current month, counted up to ``last``, says so ("2026-12（至7日）")."""
    first = add_months(last.replace(day=1), -(months - 1))
    out = [f"{add_months(first, i):%Y-%m}" for i in range(months)]
    out[-1] += gettext("（至%(d)d日）") % {"d": last.day}
    return out


def map_regions(node: Organization, nodes: list[Organization]) -> dict[int, dict[str, object]]:
    """child id → the GeoJSON geometry of the area it stands for (one query). A child stands
    for an area below the node's own (a street 党工委 under a district committee); of several
    children anchored in one area, the committee first."""
    base = node.area.path if node.area is not None else ""
    rank = {"committee": 0, "working_committee": 0, "general_branch": 1}
    by_area: dict[int, Organization] = {}
    for n in sorted(nodes, key=lambda o: (rank.get(o.kind, 2), o.path)):
        area_path = getattr(n.area, "path", "") if n.area_id is not None else ""
        if n.area_id is None or len(area_path) <= len(base) or not area_path.startswith(base):
            continue
        by_area.setdefault(n.area_id, n)
    if not by_area:
        return {}
    return {
        by_area[area_id].pk: geometry
        for area_id, geometry in Boundary.objects.filter(area_id__in=list(by_area)).values_list(
            "area_id", "geometry"
        )
    }
