"""Uploaded roster files: checked by content, stored under UPLOAD_ROOT/rosters/, read row by row
(python-calamine for xlsx, xls and ods; the csv module for CSV, UTF-8 or GB18030)."""

from __future__ import annotations

import codecs
import csv
import hashlib
import secrets
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext

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
    rel = f"rosters/{secrets.token_hex(16)}.{kind}"
    path = Path(settings.UPLOAD_ROOT) / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    digest = hashlib.sha256()
    size = 0
    with path.open("wb") as out:
        for chunk in f.chunks():
            size += len(chunk)
            if size > limit:
                out.close()
                path.unlink(missing_ok=True)
                raise too_big(original)
            digest.update(chunk)
            out.write(chunk)
    return StoredRoster(rel, kind, size, digest.hexdigest(), original)


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


def rows(path: Path, file_format: str, original_name: str) -> tuple[int, Rows]:
    """(number of rows, iterator of (row number as the spreadsheet shows it, cells)) for the
    first sheet. For CSV the number counts line breaks (a cell may hold one): an estimate."""
    if file_format == "csv":
        encoding = _csv_encoding(path)
        total = 0
        with path.open("rb") as fb:
            while chunk := fb.read(1 << 20):
                total += chunk.count(b"\n")

        def csv_rows() -> Rows:
            with path.open(encoding=encoding, errors="replace", newline="") as f:
                for i, row in enumerate(csv.reader(f), start=1):
                    yield i, list(row)

        return total, csv_rows()
    from python_calamine import CalamineWorkbook

    try:
        wb = CalamineWorkbook.from_path(str(path))
        sheet = wb.get_sheet_by_index(0)
        total = sheet.total_height
        it = sheet.iter_rows()  # from the sheet's first row, empty rows included
    except Exception:  # calamine raises its own error types for every kind of damage
        raise not_a_spreadsheet(original_name) from None

    def sheet_rows() -> Rows:
        try:
            yield from enumerate(it, start=1)
        finally:
            wb.close()

    return total, sheet_rows()


def header_key(value: object) -> str:
    """A column title made comparable: half-width, no spaces, no '*', no remark in brackets."""
    import re

    s = unicodedata.normalize("NFKC", str(value or "")).replace("*", "").replace("＊", "")
    s = re.sub(r"[(（\[【].*?[)）\]】]", "", s)
    return re.sub(r"[\s:：]", "", s)
