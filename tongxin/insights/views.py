"""数据驾驶舱 pages: the cockpit (drill-down, children side by side, trends, map), the 大屏
screen, the children table as xlsx and the monthly 党建工作月报. Every figure is read from
the rollups (pages.build); a node outside the user's reach is a 404."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import FileResponse, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import render
from django.urls import reverse

from tongxin.core.metrics import all_metrics
from tongxin.core.replica import reads_from_replica
from tongxin.core.scope import request_scope
from tongxin.insights import exports, pages, report
from tongxin.insights import selectors as sel

TREND_KEYS = ["meetings.closed_pct", "meetings.attendance_pct", "cases.reported", "visits.total"]


def _node_url(pk: int | None, name: str = "insights:node") -> str:
    return reverse(name, args=[pk]) if pk is not None else reverse("insights:cockpit")


def _chart(view: pages.View) -> dict[str, Any]:
    key = view.metric.key
    return {
        "metric": str(view.metric.label),
        "unit": str(view.metric.unit),
        "bars": [
            {
                "name": r.org.name,
                "value": r.cells[key].value,
                "url": _node_url(r.org.pk) + f"?m={key}",
            }
            for r in view.rows
            if r.cells[key].value is not None
        ],
    }


def _regions(view: pages.View) -> dict[str, Any]:
    if view.node is None:
        return {"regions": []}
    outlines = sel.map_regions(view.node, [r.org for r in view.rows])
    key = view.metric.key
    return {
        "metric": str(view.metric.label),
        "regions": [
            {
                "name": r.org.name,
                "value": r.cells[key].value,
                "text": r.cells[key].text,
                "url": _node_url(r.org.pk) + f"?m={key}",
                "geometry": outlines[r.org.pk],
            }
            for r in view.rows
            if r.org.pk in outlines
        ],
    }


def _context(request: HttpRequest, view: pages.View) -> dict[str, Any]:
    sort = request.GET.get("sort") or ""
    desc = request.GET.get("dir", "desc") != "asc"
    groups: dict[str, list[sel.Cell]] = {}
    if view.own is not None:
        for m in all_metrics():
            if not m.shown:
                continue
            groups.setdefault(str(m.group), []).append(view.own.cells[m.key])
    return {
        "view": view,
        "rows": pages.sort_rows(view.rows, sort, desc),
        "sort": sort,
        "desc": desc,
        "groups": groups,
        "metrics": [m for m in all_metrics() if m.shown],
        "chart": _chart(view),
        "regions": _regions(view),
        "trend": pages.trend_data(view, [view.metric.key, *TREND_KEYS]),
        "pk": view.node.pk if view.node is not None else None,
    }


@login_required
@reads_from_replica()
def cockpit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    scope = request_scope(request)
    if pk is None and not sel.cockpit_roots(scope):
        # grants on single organizations (a member's own branch) reach no subtree to sum
        return render(request, "insights/empty.html")
    view = pages.build(scope, pk, request.GET.get("m"))
    return render(request, "insights/cockpit.html", _context(request, view))


@login_required
@reads_from_replica()
def screen(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    """大屏: 1920×1080, reloads itself every five minutes; figures only, no person named."""
    view = pages.build(request_scope(request), pk, request.GET.get("m"))
    return render(request, "insights/screen.html", _context(request, view))


@login_required
@reads_from_replica()
def export_table(request: HttpRequest, pk: int | None = None) -> FileResponse:
    view = pages.build(request_scope(request), pk, full=True)
    out = exports.table_file(view)
    return FileResponse(out, as_attachment=True, filename=exports.table_name(view))


@login_required
@reads_from_replica()
def monthly_report(request: HttpRequest, pk: int | None = None) -> HttpResponseBase:
    view = pages.build(request_scope(request), pk, full=True)
    data = report.monthly(view, request.GET.get("month"))
    if request.GET.get("format") == "xlsx":
        return FileResponse(report.xlsx(data), as_attachment=True, filename=report.file_name(data))
    return render(request, "insights/report.html", {"view": view, "report": data, "pk": pk})
