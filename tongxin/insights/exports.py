"""The cockpit's children table as xlsx: every metric, one row per child (and the node)."""

from __future__ import annotations

import tempfile
from typing import IO

import xlsxwriter
from django.utils import timezone
from django.utils.translation import gettext

from tongxin.core.metrics import all_metrics
from tongxin.insights import pages


def table_file(view: pages.View) -> IO[bytes]:
    out = tempfile.TemporaryFile()  # noqa: SIM115 -- returned open; the FileResponse closes it
    wb = xlsxwriter.Workbook(out, {"in_memory": True})
    ws = wb.add_worksheet(gettext("下级对比"))
    head = wb.add_format({"bold": True, "bg_color": "#F8E1E1", "border": 1, "text_wrap": True})
    metrics = [m for m in all_metrics() if m.shown]
    as_of = view.as_of
    ws.write_string(
        0,
        0,
        gettext("%(title)s · 数据截至 %(t)s")
        % {
            "title": view.title,
            "t": timezone.localtime(as_of).strftime("%Y-%m-%d %H:%M") if as_of else "—",
        },
    )
    ws.write_string(1, 0, gettext("党组织"), head)
    ws.set_column(0, 0, 32)
    for c, m in enumerate(metrics, start=1):
        label = f"{m.group} · {m.label}" + (f"（{m.unit}）" if m.unit else "")
        ws.write_string(1, c, label, head)
        ws.set_column(c, c, 12)
    ws.freeze_panes(2, 1)
    rows = ([view.own] if view.own is not None else []) + view.rows
    for r, row in enumerate(rows, start=2):
        ws.write_string(r, 0, row.org.name)
        for c, m in enumerate(metrics, start=1):
            cell = row.cells[m.key]
            if cell.value is None or cell.hidden:
                ws.write_string(r, c, cell.text)
            else:
                ws.write_number(r, c, cell.value)
    wb.close()
    out.seek(0)
    return out


def table_name(view: pages.View) -> str:
    return gettext("数据驾驶舱") + timezone.localdate().strftime("-%Y%m%d") + ".xlsx"
