"""What the cockpit's pages, exports and API share: the figures of one node (or of the user's
top when they hold several subtrees) and its children, in a fixed number of queries:

1. the latest rollup run (its day and "as of"),
2. the node (by id, with its area) or the user's top organizations,
3. the breadcrumbs' ancestors,
4. the children,
5. the rollups of the node and its children (one ``path IN`` lookup),
6. the node's monthly trend,
7. the children's map outlines.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext

from tongxin.core.metrics import Metric, all_metrics, get_metric
from tongxin.core.scope import Scope
from tongxin.insights import selectors
from tongxin.insights.models import RollupRun
from tongxin.orgs.models import Organization

DEFAULT_METRIC = "members.total"


@dataclass
class View:
    scope: Scope
    node: Organization | None  # None: the user's several tops, side by side
    run: RollupRun | None
    crumbs: list[Organization]
    own: selectors.NodeRow | None
    rows: list[selectors.NodeRow]
    tops: set[str]
    metric: Metric
    columns: list[Metric] = field(default_factory=list)

    @property
    def as_of(self) -> dt.datetime | None:
        return self.run.finished_at if self.run is not None else None

    @property
    def title(self) -> str:
        return self.node.name if self.node is not None else gettext("我的管辖范围")


def headline_columns(chosen: Metric) -> list[Metric]:
    cols = [m for m in all_metrics() if m.headline]
    if chosen not in cols:
        cols.insert(0, chosen)
    return cols


def chosen_metric(key: str | None) -> Metric:
    m = get_metric(key or "") if key else None
    if m is not None and not m.shown:
        m = None
    return m or get_metric(DEFAULT_METRIC) or all_metrics()[0]


def build(
    scope: Scope, pk: object | None, metric_key: str | None = None, *, full: bool = False
) -> View:
    """The node's page (404 outside scope); pk None: the user's top of scope. The children
    carry the table's columns only, unless ``full`` (exports, the API)."""
    run = selectors.latest_run()
    metric = chosen_metric(metric_key)
    columns = headline_columns(metric)
    keys = None if full else {m.key for m in columns}
    if pk is None:
        tops_list = selectors.cockpit_roots(scope)
        if not tops_list:
            raise Http404(gettext("您没有可查看的党组织。"))
        if len(tops_list) == 1:
            pk = tops_list[0].pk
        else:
            tops = {o.path for o in tops_list}
            rows = selectors.figures(scope, tops_list, run, tops, keys)
            return View(scope, None, run, [], None, rows, tops, metric, columns)
    node = selectors.get_node_for(scope, pk)
    tops = (
        {o.path for o in selectors.cockpit_roots(scope)}
        if not scope.is_superuser
        else {node.path[: Organization.steplen]}
    )
    crumbs = selectors.breadcrumbs(scope, node)
    kids = selectors.children(node)
    found = selectors.figures(scope, [node, *kids], run, tops, keys, frozenset([node.path]))
    return View(scope, node, run, crumbs, found[0], found[1:], tops, metric, columns)


def sort_rows(
    rows: list[selectors.NodeRow], key: str | None, desc: bool
) -> list[selectors.NodeRow]:
    if not key or get_metric(key) is None:
        return rows
    return sorted(rows, key=lambda r: r.cells[key].sort_value, reverse=desc)


def trend_data(view: View, keys: list[str]) -> dict[str, object]:
    if view.node is None or view.run is None:
        return {"months": [], "series": []}
    last = view.run.day
    values = selectors.trends(view.scope, view.node, keys, last)
    series = []
    for k, v in values.items():
        m = get_metric(k)
        if m is not None:
            series.append({"key": k, "name": str(m.label), "unit": str(m.unit), "data": v})
    return {"months": selectors.month_labels(last), "series": series}


def today() -> dt.date:
    return timezone.localdate()
