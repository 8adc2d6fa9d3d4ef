"""党建工作月报 of a subtree: every figure of one month beside the month before, and the
headline figures of each child, from the month rollups (one query)."""

from __future__ import annotations

import datetime as dt
import tempfile
from dataclasses import dataclass, field
from typing import IO

import xlsxwriter
from django.utils import timezone
from django.utils.translation import gettext

from tongxin.core.metrics import MIN_PEOPLE, Metric, all_metrics
from tongxin.core.months import add_months
from tongxin.insights import pages
from tongxin.insights.models import PeriodKind, Rollup, Tree


@dataclass
class ReportLine:
    metric: Metric
    this: str
    before: str


@dataclass
class Report:
    title: str
    month: dt.date
    as_of: dt.datetime | None
    notice: str = ""
    groups: dict[str, list[ReportLine]] = field(default_factory=dict)
    columns: list[Metric] = field(default_factory=list)
    children: list[tuple[str, list[str]]] = field(default_factory=list)


def parse_month(text: str | None) -> tuple[dt.date, str]:
    """The month asked for (YYYY-MM), else the last closed month with a notice."""
    last_closed = add_months(timezone.localdate().replace(day=1), -1)
    if not text:
        return last_closed, ""
    try:
        year, mon = (int(x) for x in text.split("-"))
        month = dt.date(year, mon, 1)
    except ValueError:
        return last_closed, gettext("月份应写作“年-月”，如 2026-11；已显示上月的月报。")
    if month > timezone.localdate():
        return last_closed, gettext("该月份尚未开始；已显示上月的月报。")
    return month, ""


def _text(m: Metric, values: dict[str, float], hide_small: bool, stored: bool) -> str:
    if not stored:
        return "—"
    if m.ratio is not None:
        if m.people and hide_small and 0 < values.get(m.ratio[1], 0) < MIN_PEOPLE:
            return f"<{MIN_PEOPLE}"
        v = values.get(m.key)
        return "—" if v is None else f"{v:,.1f}"
    v = values.get(m.key, 0.0)
    if m.people and hide_small and 0 < v < MIN_PEOPLE:
        return f"<{MIN_PEOPLE}"
    return f"{v:,.1f}" if v != int(v) else f"{int(v):,}"


def monthly(view: pages.View, month_text: str | None) -> Report:
    month, notice = parse_month(month_text)
    before = add_months(month, -1)
    nodes = ([view.own.org] if view.own is not None else []) + [r.org for r in view.rows]
    values: dict[tuple[str, dt.date], dict[str, float]] = {}
    for path, start, metric, value in Rollup.objects.filter(
        tree=Tree.ORG,
        period=PeriodKind.MONTH,
        start__in=[month, before],
        path__in=[n.path for n in nodes],
    ).values_list("path", "start", "metric", "value"):
        values.setdefault((path, start), {})[metric] = value
    scope = view.scope
    metrics = [
        m
        for m in all_metrics()
        if m.shown
        if not m.people
        or scope.is_superuser
        or all(scope.covers_org_subtree("members.view", n.path) for n in nodes)
    ]
    data = Report(view.title, month, view.as_of, notice)
    # A month's stocks (人数, 组织数 …) exist only if they were computed while the month was
    # current; a past month's flows, recomputed later, do not make its missing stocks zero.
    stock_keys = {m.key for m in all_metrics() if not m.historical}

    def has_stocks(vals: dict[str, float]) -> bool:
        return any(k in stock_keys for k in vals)

    own = view.own.org if view.own is not None else None
    if own is not None:
        hide = own.path not in view.tops
        this_v = values.get((own.path, month), {})
        before_v = values.get((own.path, before), {})
        for m in metrics:
            stored_this = m.historical or has_stocks(this_v)
            stored_before = m.historical or has_stocks(before_v)
            data.groups.setdefault(str(m.group), []).append(
                ReportLine(
                    m, _text(m, this_v, hide, stored_this), _text(m, before_v, hide, stored_before)
                )
            )
    data.columns = [m for m in metrics if m.headline]
    for r in view.rows:
        v = values.get((r.org.path, month), {})
        data.children.append(
            (
                r.org.name,
                [
                    _text(m, v, r.org.path not in view.tops, m.historical or has_stocks(v))
                    for m in data.columns
                ],
            )
        )
    return data


def xlsx(data: Report) -> IO[bytes]:
    out = tempfile.TemporaryFile()  # noqa: SIM115 -- returned open; the FileResponse closes it
    wb = xlsxwriter.Workbook(out, {"in_memory": True})
    head = wb.add_format({"bold": True, "bg_color": "#F8E1E1", "border": 1})
    ws = wb.add_worksheet(gettext("月报"))
    ws.write_string(
        0, 0, gettext("%(t)s 党建工作月报（%(m)s）") % {"t": data.title, "m": f"{data.month:%Y-%m}"}
    )
    ws.write_string(1, 0, gettext("分类"), head)
    ws.write_string(1, 1, gettext("指标"), head)
    ws.write_string(1, 2, gettext("本月"), head)
    ws.write_string(1, 3, gettext("上月"), head)
    ws.set_column(0, 1, 20)
    ws.set_column(2, 3, 14)
    r = 2
    for group, lines in data.groups.items():
        for line in lines:
            unit = f"（{line.metric.unit}）" if line.metric.unit else ""
            for c, v in enumerate((group, f"{line.metric.label}{unit}", line.this, line.before)):
                ws.write_string(r, c, str(v))
            r += 1
    if data.children:
        ws2 = wb.add_worksheet(gettext("下级"))
        ws2.write_string(0, 0, gettext("党组织"), head)
        ws2.set_column(0, 0, 32)
        for c, m in enumerate(data.columns, start=1):
            ws2.write_string(0, c, str(m.label), head)
        for i, (name, texts) in enumerate(data.children, start=1):
            ws2.write_string(i, 0, name)
            for c, t in enumerate(texts, start=1):
                ws2.write_string(i, c, t)
    wb.close()
    out.seek(0)
    return out


def file_name(data: Report) -> str:
    return gettext("党建工作月报") + f"-{data.month:%Y%m}.xlsx"
