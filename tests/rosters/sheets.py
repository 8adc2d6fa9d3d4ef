"""Roster files for the tests, written as a person's spreadsheet program would."""

from __future__ import annotations

import csv
import datetime as dt
import io
import itertools
from typing import Any

import xlsxwriter
from django.core.files.uploadedfile import SimpleUploadedFile

from tests import factories
from tongxin.core import idnumber

_ids = itertools.count(1)


def new_id() -> str:
    """A valid number never made by factories.id_number (another district code)."""
    k = next(_ids)
    return idnumber.make("330206", dt.date(1955, 1, 1) + dt.timedelta(days=k // 1000), k % 1000)


HEADER = [
    "姓名",
    "身份证号码",
    "所在党组织",
    "党员类别",
    "入党日期",
    "转正日期",
    "学历",
    "民族",
    "手机号码",
]


def person(org: str = "紫金社区第一党支部", **over: Any) -> dict[str, Any]:
    row: dict[str, Any] = {
        "姓名": f"导入党员{next(factories._seq)}",
        "身份证号码": new_id(),
        "所在党组织": org,
        "党员类别": "正式党员",
        "入党日期": "2010-07-01",
        "转正日期": "2011-07-01",
        "学历": "本科",
        "民族": "汉族",
        "手机号码": f"139{next(factories._seq):08d}",
    }
    row.update(over)
    return row


def xlsx(
    rows: list[dict[str, Any]] | list[list[Any]],
    header: list[str] | None = None,
    *,
    raw_numbers: bool = False,
) -> bytes:
    """An xlsx file: dict rows under `header` (HEADER by default), or literal list rows.
    Cells are written as their Python type: str as text, numbers as numbers, dates as dates."""
    out = io.BytesIO()
    wb = xlsxwriter.Workbook(out, {"in_memory": True, "strings_to_numbers": raw_numbers})
    ws = wb.add_worksheet()
    date_fmt = wb.add_format({"num_format": "yyyy-mm-dd"})
    table: list[list[Any]]
    if rows and isinstance(rows[0], dict):
        cols = header or HEADER
        table = [cols] + [[r.get(c, "") for c in cols] for r in rows]
    else:
        table = ([header] if header else []) + list(rows)
    for i, row in enumerate(table):
        for j, v in enumerate(row):
            if isinstance(v, dt.date):
                # an Excel cell has no time zone: the naive midnight of the day
                ws.write_datetime(i, j, dt.datetime(v.year, v.month, v.day), date_fmt)  # noqa: DTZ001
            elif isinstance(v, (int, float)) and not isinstance(v, bool):
                ws.write_number(i, j, v)
            elif v is None or v == "":
                continue
            else:
                ws.write_string(i, j, str(v))
    wb.close()
    return out.getvalue()


def csv_bytes(
    rows: list[dict[str, Any]], header: list[str] | None = None, encoding: str = "utf-8-sig"
) -> bytes:
    cols = header or HEADER
    out = io.StringIO()
    w = csv.writer(out)
    w.writerow(cols)
    for r in rows:
        w.writerow([r.get(c, "") for c in cols])
    return out.getvalue().encode(encoding)


def upload(content: bytes, name: str = "名册.xlsx") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="application/octet-stream")


def ods(rows: list[dict[str, Any]], header: list[str] | None = None) -> bytes:
    """A minimal OpenDocument spreadsheet (what WPS and LibreOffice save as .ods)."""
    import zipfile
    from xml.sax.saxutils import escape

    cols = header or HEADER

    def row_xml(values: list[Any]) -> str:
        cells = "".join(
            '<table:table-cell office:value-type="string"><text:p>'
            f"{escape(str(v))}</text:p></table:table-cell>"
            for v in values
        )
        return f"<table:table-row>{cells}</table:table-row>"

    body = row_xml(cols) + "".join(row_xml([r.get(c, "") for c in cols]) for r in rows)
    content = (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0"'
        ' xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0"'
        ' xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" office:version="1.2">'
        '<office:body><office:spreadsheet><table:table table:name="Sheet1">'
        f"{body}</table:table></office:spreadsheet></office:body></office:document-content>"
    )
    manifest = (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0"'
        ' manifest:version="1.2"><manifest:file-entry manifest:full-path="/"'
        ' manifest:media-type="application/vnd.oasis.opendocument.spreadsheet"/>'
        '<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/>'
        "</manifest:manifest>"
    )
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        z.writestr(zipfile.ZipInfo("mimetype"), "application/vnd.oasis.opendocument.spreadsheet")
        z.writestr("META-INF/manifest.xml", manifest, compress_type=zipfile.ZIP_DEFLATED)
        z.writestr("content.xml", content, compress_type=zipfile.ZIP_DEFLATED)
    return out.getvalue()


# ---- organization rosters --------------------------------------------------------------------

ORG_HEADER = ["组织名称", "上级党组织", "组织类别", "建制类型", "所属领域", "所在区域", "成立日期"]


def org(name: str, parent: str, kind: str = "党支部", **over: Any) -> dict[str, Any]:
    """One row of an organization roster under ORG_HEADER."""
    return {"组织名称": name, "上级党组织": parent, "组织类别": kind, **over}


def org_xlsx(rows: list[dict[str, Any]], header: list[str] | None = None) -> bytes:
    return xlsx(rows, header or ORG_HEADER)
