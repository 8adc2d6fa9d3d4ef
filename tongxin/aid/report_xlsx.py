"""The year report of a fund as an xlsx workbook: income by source, aid by kind, the balance
and the number of people helped. Amounts in 元 as numbers (two decimals), so they add up in
Excel."""

from __future__ import annotations

import io

import xlsxwriter
from django.utils.translation import gettext

from tongxin.aid.selectors import YearReport

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def workbook(r: YearReport) -> io.BytesIO:
    out = io.BytesIO()
    wb = xlsxwriter.Workbook(out, {"in_memory": True})
    ws = wb.add_worksheet(gettext("年度报告"))
    bold = wb.add_format({"bold": True})
    money = wb.add_format({"num_format": "#,##0.00"})
    ws.set_column(0, 0, 28)
    ws.set_column(1, 2, 16)
    ws.write(
        0, 0, gettext("%(fund)s %(year)d年度收支报告") % {"fund": r.fund.name, "year": r.year}, bold
    )
    row = 2
    ws.write(row, 0, gettext("年初余额（元）"))
    ws.write_number(row, 1, r.opening / 100, money)
    row += 2
    ws.write_row(row, 0, [gettext("收入来源"), gettext("金额（元）")], bold)
    for label, fen in r.income:
        row += 1
        ws.write(row, 0, label)
        ws.write_number(row, 1, fen / 100, money)
    row += 1
    ws.write(row, 0, gettext("收入合计"), bold)
    ws.write_number(row, 1, r.income_total / 100, money)
    row += 2
    ws.write_row(row, 0, [gettext("补助类别"), gettext("金额（元）"), gettext("人次")], bold)
    for kind, n, fen in r.aid:
        row += 1
        ws.write(row, 0, kind)
        ws.write_number(row, 1, fen / 100, money)
        ws.write_number(row, 2, n)
    row += 1
    ws.write(row, 0, gettext("支出合计"), bold)
    ws.write_number(row, 1, r.aid_total / 100, money)
    ws.write_number(row, 2, r.payments)
    row += 2
    ws.write(row, 0, gettext("年末余额（元）"))
    ws.write_number(row, 1, r.closing / 100, money)
    row += 1
    ws.write(row, 0, gettext("受助党员（人）"))
    ws.write_number(row, 1, r.people)
    wb.close()
    out.seek(0)
    return out
