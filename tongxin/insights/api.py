"""/api/v1/insights: the cockpit's figures for a 大屏 vendor or a mobile app — the metrics,
the figures of a node and its children, a node's monthly trends. Read from the rollups; a node
outside the caller's reach is a 404."""

from __future__ import annotations

import datetime as dt

from django.http import Http404, HttpRequest
from django.utils.translation import gettext
from ninja import Field, Query, Router, Schema
from ninja.decorators import decorate_view

from tongxin.core.metrics import all_metrics, get_metric
from tongxin.core.replica import reads_from_replica
from tongxin.core.scope import request_scope
from tongxin.insights import pages, selectors

router = Router(tags=["数据驾驶舱"])


class MetricOut(Schema):
    key: str
    label: str
    unit: str
    group: str
    people: bool
    ratio: bool


class FigureOut(Schema):
    metric: str
    value: float | None
    hidden: bool  # fewer than five persons below the caller's top level


class NodeOut(Schema):
    id: int
    name: str
    path: str
    kind: str
    has_children: bool
    figures: list[FigureOut]


class NodeFigures(Schema):
    as_of: dt.datetime | None
    node: NodeOut | None
    children: list[NodeOut]


class TrendQuery(Schema):
    metric: list[str] = Field(default_factory=list, max_length=20)
    months: int = Field(12, ge=1, le=24)


class TrendSeries(Schema):
    metric: str
    values: list[float | None]


class TrendOut(Schema):
    as_of: dt.datetime | None
    months: list[str]
    series: list[TrendSeries]


def _node(row: selectors.NodeRow) -> NodeOut:
    return NodeOut(
        id=row.org.pk,
        name=row.org.name,
        path=row.org.path,
        kind=row.org.kind,
        has_children=bool(row.org.numchild),
        figures=[FigureOut(metric=k, value=c.value, hidden=c.hidden) for k, c in row.cells.items()],
    )


def _view(request: HttpRequest, pk: int | None) -> pages.View:
    scope = request_scope(request)
    if not scope.has(selectors.PERM):
        raise Http404(gettext("您没有可查看的党组织。"))
    return pages.build(scope, pk, full=True)


@router.get("/metrics", response=list[MetricOut], summary="指标目录")
def metric_list(request: HttpRequest):
    _view_allowed = request_scope(request).has(selectors.PERM)
    if not _view_allowed:
        raise Http404(gettext("您没有可查看的党组织。"))
    return [
        MetricOut(
            key=m.key,
            label=str(m.label),
            unit=str(m.unit),
            group=str(m.group),
            people=m.people,
            ratio=m.is_ratio,
        )
        for m in all_metrics()
    ]


@router.get("/nodes", response=NodeFigures, summary="我的管辖范围顶层及其下级的指标")
@decorate_view(reads_from_replica())
def top_figures(request: HttpRequest):
    return _figures(_view(request, None))


@router.get("/nodes/{pk}", response=NodeFigures, summary="某一党组织及其下级的指标")
@decorate_view(reads_from_replica())
def node_figures(request: HttpRequest, pk: int):
    return _figures(_view(request, pk))


def _figures(view: pages.View) -> NodeFigures:
    return NodeFigures(
        as_of=view.as_of,
        node=_node(view.own) if view.own is not None else None,
        children=[_node(r) for r in view.rows],
    )


@router.get("/nodes/{pk}/trends", response=TrendOut, summary="某一党组织的月度趋势")
@decorate_view(reads_from_replica())
def node_trends(request: HttpRequest, pk: int, query: Query[TrendQuery]):
    view = _view(request, pk)
    keys = [k for k in query.metric if get_metric(k) is not None] or [pages.DEFAULT_METRIC]
    assert view.node is not None  # a pk always names a node
    last = view.run.day if view.run is not None else pages.today()
    values = selectors.trends(view.scope, view.node, keys, last, query.months)
    return TrendOut(
        as_of=view.as_of,
        months=selectors.month_labels(last, query.months),
        series=[TrendSeries(metric=k, values=v) for k, v in values.items()],
    )
