"""Uploaded roster files: checked by content, stored under UPLOAD_ROOT/rosters/, read row by row
(python-calamine for xlsx, xls and ods; the csv module for CSV, UTF-8 or GB18030)."""

from __future__ import annotations

import codecs
import csv
import unicodedata
from collections.abc import Generator, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext

from tongxin.core import guarded, uploads
from tongxin.core.errors import ServiceError

MAX_BYTES_DEFAULT = 80 * 1024 * 1024
ZIP = b"PK\x03\x04"
OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ODS_MIME = b"mimetypeapplication/vnd.oasis.opendocument.spreadsheet"


def max_bytes() -> int:
    return int(getattr(settings, "ROSTER_MAX_BYTES", MAX_BYTES_DEFAULT))


def not_a_spreadsheet(name: str) -> ServiceError:
    return ServiceError(
        gettext(
            "文件“%(name)s”不是可以读取的电子表格。请上传Excel（.xlsx、.xls）、"
            "WPS或LibreOffice表格（.ods）或CSV文件；最好直接使用下载的导入模板。"
        )
        % {"name": name},
        fields={"file": gettext("不是电子表格文件。")},
    )


def too_big(name: str) -> ServiceError:
    return ServiceError(
        gettext(
            "文件“%(name)s”超过%(mb)d MB，无法导入。请删除多余的工作表、图片和空白行，"
            "或把名册拆成几个文件分批导入。"
        )
        % {"name": name, "mb": max_bytes() // (1024 * 1024)},
        fields={"file": gettext("文件太大。")},
    )


def sniff(head: bytes, name: str) -> str | None:
    """xlsx | xls | ods | csv by content (the name only tells CSV from other text)."""
    if head.startswith(ZIP):
        return "ods" if ODS_MIME in head[:120] else "xlsx"
    if head.startswith(OLE):
        return "xls"
    if name.lower().endswith((".csv", ".txt")) and b"\x00" not in head:
        return "csv"
    return None


@dataclass(frozen=True)
class StoredRoster:
    name: str  # relative to UPLOAD_ROOT
    file_format: str
    size: int
    sha256: str
    original_name: str


def store(f: UploadedFile) -> StoredRoster:
    """Check the size and kind, then copy the upload under UPLOAD_ROOT chunk by chunk (never
    all in memory). A file over the limit is refused from its declared size, before reading."""
    original = (f.name or "roster")[:200]
    limit = max_bytes()
    if f.size is not None and f.size > limit:
        raise too_big(original)
    if not f.size:
        raise ServiceError(
            gettext("文件“%(name)s”是空的，请选择填好的名册文件。") % {"name": original},
            fields={"file": gettext("文件是空的。")},
        )
    f.seek(0)
    head = f.read(512)
    f.seek(0)
    kind = sniff(head, original)
    if kind is None:
        raise not_a_spreadsheet(original)
    written = uploads.write(
        f, folder="rosters", ext=kind, max_bytes=limit, too_big=lambda: too_big(original)
    )
    return StoredRoster(written.name, kind, written.size, written.sha256, original)


def delete(name: str) -> None:
    if name:
        (Path(settings.UPLOAD_ROOT) / name).unlink(missing_ok=True)


def full_path(name: str) -> Path:
    return Path(settings.UPLOAD_ROOT) / name


# ---- rows ------------------------------------------------------------------------------------


def _csv_encoding(path: Path) -> str:
    """UTF-8 (with or without BOM) when the whole file decodes as such, else GB18030 (what
    Excel and WPS write for "CSV" on Chinese Windows)."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    with path.open("rb") as f:
        try:
            while chunk := f.read(1 << 20):
                decoder.decode(chunk)
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            return "gb18030"
    return "utf-8-sig"


Rows = Iterator[tuple[int, list[object]]]


def _csv_lines(f: Any, limits: dict[str, int], name: str) -> Iterator[str]:
    """The file's lines, never one longer than four of the longest cells: a file of one
    endless line is refused before it is held in memory."""
    cap = limits["cell_chars"] * 4
    while line := f.readline(cap):
        if len(line) >= cap and not line.endswith(("\n", "\r")):
            raise refused(name, "text", {"limit": limits["cell_chars"]})
        yield line


def _csv_check(number: int, row: list[str], limits: dict[str, int], name: str) -> None:
    if number > limits["rows"]:
        raise refused(name, "rows", {"rows": number, "limit": limits["rows"]})
    if len(row) > limits["columns"]:
        raise refused(name, "columns", {"columns": len(row), "limit": limits["columns"]})
    for i, v in enumerate(row):
        if len(v) > limits["cell_chars"]:
            raise refused(
                name,
                "cell",
                {"row": number, "column": _column_name(i + 1), "chars": limits["cell_chars"]},
            )


def _column_name(n: int) -> str:
    out = ""
    while n > 0:
        n, r = divmod(n - 1, 26)
        out = chr(65 + r) + out
    return out


def rows(path: Path, file_format: str, original_name: str) -> tuple[int, Rows]:
    """(number of rows, iterator of (row number as the spreadsheet shows it, cells)) for the
    first sheet. For CSV the number counts line breaks (a cell may hold one): an estimate."""
    if file_format == "csv":
        encoding = _csv_encoding(path)
        total = 0
        with path.open("rb") as fb:
            while chunk := fb.read(1 << 20):
                total += chunk.count(b"\n")

        limits = sheet_limits()

        def csv_rows() -> Rows:
            with path.open(encoding=encoding, errors="replace", newline="") as f:
                try:
                    for i, row in enumerate(csv.reader(_csv_lines(f, limits, original_name)), 1):
                        _csv_check(i, row, limits, original_name)
                        yield i, list(row)
                except csv.Error:
                    raise not_a_spreadsheet(original_name) from None

        return total, csv_rows()
    items = guarded.run(
        "tongxin.rosters.sheet_read:read",
        str(path),
        file_format,
        sheet_limits(),
        memory=_setting("TONGXIN_SHEET_MAX_MEMORY", MAX_MEMORY_DEFAULT),
        cpu_seconds=_setting("TONGXIN_SHEET_MAX_CPU_SECONDS", MAX_CPU_SECONDS_DEFAULT),
    )
    first = _next_item(items, original_name)
    if first is None or first[0] != "total":
        raise not_a_spreadsheet(original_name)
    total = int(first[1])

    def sheet_rows() -> Rows:
        try:
            while (item := _next_item(items, original_name)) is not None:
                yield from item[1]
        finally:
            items.close()

    return total, sheet_rows()


def _next_item(items: Generator[Any, None, None], original_name: str) -> tuple[Any, ...] | None:
    """The guarded reader's next message; its refusal or death as a ServiceError."""
    try:
        item = next(items, None)
    except guarded.GuardedFailure as e:
        items.close()
        raise reader_failed(original_name, e.reason) from None
    if item is not None and item[0] == "refused":
        items.close()
        raise refused(original_name, item[1], item[2])
    return item


# ---- limits ----------------------------------------------------------------------------------
# Far above any real roster (a 街道's few thousand members, a city of 561,000 in one file), far
# below what takes a worker down. Each is a setting. Rows: a worksheet's own limit in Excel.

MAX_UNCOMPRESSED_DEFAULT = 512 * 1024 * 1024
MAX_ENTRIES_DEFAULT = 10_000
MAX_ROWS_DEFAULT = 1_048_576
MAX_COLUMNS_DEFAULT = 1_000
MAX_CELLS_DEFAULT = 20_000_000  # the reader holds the rectangle up to the farthest cell
MAX_CELL_CHARS_DEFAULT = 32_767  # Excel's own limit for one cell
MAX_MEMORY_DEFAULT = 2 * 1024 * 1024 * 1024
MAX_CPU_SECONDS_DEFAULT = 900


def _setting(name: str, default: int) -> int:
    return int(getattr(settings, name, default))


def sheet_limits() -> dict[str, int]:
    return {
        "uncompressed": _setting("TONGXIN_SHEET_MAX_UNCOMPRESSED", MAX_UNCOMPRESSED_DEFAULT),
        "entries": _setting("TONGXIN_SHEET_MAX_ENTRIES", MAX_ENTRIES_DEFAULT),
        "rows": _setting("TONGXIN_SHEET_MAX_ROWS", MAX_ROWS_DEFAULT),
        "columns": _setting("TONGXIN_SHEET_MAX_COLUMNS", MAX_COLUMNS_DEFAULT),
        "cells": _setting("TONGXIN_SHEET_MAX_CELLS", MAX_CELLS_DEFAULT),
        "cell_chars": _setting("TONGXIN_SHEET_MAX_CELL_CHARS", MAX_CELL_CHARS_DEFAULT),
    }


def _mb(n: int) -> int:
    return max(1, n // (1024 * 1024))


def refused(name: str, code: str, p: dict[str, Any]) -> ServiceError:
    """The guarded reader's refusal as a sentence saying what is wrong with the file."""
    if code == "unreadable":
        return not_a_spreadsheet(name)
    texts = {
        "damaged": gettext(
            "文件“%(name)s”已损坏：压缩包中记录的大小与实际内容不符。请在Excel或WPS中打开后另存为新的.xlsx文件再上传。"
        ),
        "entries": gettext(
            "文件“%(name)s”中包含%(entries)d个部件，超过上限%(limit)d个，不像一份名册。请把名册复制到一个新建的工作簿中再上传。"
        ),
        "uncompressed": gettext(
            "文件“%(name)s”解压后超过%(mb)d MB，远大于任何名册，无法读取。请删除多余的工作表和图片，或把名册复制到一个新建的工作簿中再上传。"
        ),
        "text": gettext(
            "文件“%(name)s”中有一段文字或空白超过%(limit)d个字符，无法读取。请检查是否有单元格粘贴了大段内容，删除后再上传。"
        ),
        "rows": gettext(
            "文件“%(name)s”的第一个工作表有%(rows)d行，超过上限%(limit)d行。请删除末尾多余的行，或把名册拆成几个文件分批导入。"
        ),
        "columns": gettext(
            "文件“%(name)s”的第一个工作表有%(columns)d列，超过上限%(limit)d列。请删除右侧多余的列（包括远处零散的单元格）后再上传。"
        ),
        "cells": gettext(
            "文件“%(name)s”的第一个工作表范围达%(rows)d行×%(columns)d列，超过%(limit)d个单元格的上限，通常是远处有零散的单元格。请删除数据区域以外的内容，或把名册复制到新建的工作簿中再上传。"
        ),
        "cell": gettext(
            "文件“%(name)s”第%(row)d行%(column)s列的单元格超过%(chars)d个字符，无法读取。请改正这个单元格后再上传。"
        ),
    }
    text = texts.get(code)
    if text is None:
        return not_a_spreadsheet(name)
    params = {"name": name, **p}
    if code == "uncompressed":
        params["mb"] = _mb(int(p["limit"]))
    return ServiceError(text % params, fields={"file": gettext("文件不能读取。")})


def reader_failed(name: str, reason: str) -> ServiceError:
    """The guarded reader died (its memory or time limit, or a reader bug): this file only."""
    if reason == "cpu":
        text = gettext(
            "读取文件“%(name)s”用时过长，已停止。请删除多余的内容，或把名册拆成几个文件分批导入。"
        )
    else:
        text = gettext(
            "文件“%(name)s”无法在限定的内存内读取，已停止读取，没有写入任何数据。请在Excel或WPS中打开后另存为新的.xlsx文件，删除数据区域以外的内容后再上传。"
        )
    return ServiceError(text % {"name": name}, fields={"file": gettext("文件不能读取。")})


def header_key(value: object) -> str:
    """A column title made comparable: half-width, no spaces, no '*', no remark in brackets."""
    import re

    s = unicodedata.normalize("NFKC", str(value or "")).replace("*", "").replace("＊", "")
    s = re.sub(r"[(（\[【].*?[)）\]】]", "", s)
    return re.sub(r"[\s:：]", "", s)
