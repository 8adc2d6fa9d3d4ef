"""Reading an uploaded workbook, run by reading.rows in a guarded child process
(tongxin.core.guarded): no Django here, only the file, the limits and python-calamine.

Before the reader opens the file, its zip container (xlsx, ods) is walked: the number of
entries, their declared and their actual inflated sizes, the longest run of text in any XML
part (a huge cell or a sea of whitespace), and in the first worksheet of an xlsx the declared
<dimension> and the farthest cell holding a value (a cell at XFD1048576 makes the reader
allocate the whole rectangle up to it). Then the sheet's size as the reader sees it, and
each cell's length as the rows go out. A refusal is ("refused", code, params); reading.py
turns the code into a sentence for people."""

from __future__ import annotations

import copy
import re
import zipfile
from collections.abc import Iterator
from typing import Any

BATCH = 500
CHUNK = 1 << 20
TEXT_RUN_BYTES_PER_CHAR = 8  # "&#x4E2D;": the longest way XML writes one character

_TAG = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?(row|c|dimension)\b([^>]*)>")
_FAST_CELL = re.compile(rb'<c r="([A-Za-z]{1,10})(\d{1,15})"')
_DIMENSION = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?dimension\b([^>]*)>")
_ATTR_R = re.compile(rb"""\br\s*=\s*["']([^"']*)["']""")
_ATTR_REF = re.compile(rb"""\bref\s*=\s*["']([^"']*)["']""")
_CELL_REF = re.compile(rb"^\$?([A-Za-z]{1,10})\$?(\d{1,15})$")
_SHEET = re.compile(rb"<(?:[\w.-]+:)?sheet\b[^>]*>")
_RID = re.compile(rb"""\br:id\s*=\s*["']([^"']*)["']|\b[\w.-]+:id\s*=\s*["']([^"']*)["']""")
_REL = re.compile(rb"<(?:[\w.-]+:)?Relationship\b[^>]*>")
_REL_ID = re.compile(rb"""\bId\s*=\s*["']([^"']*)["']""")
_REL_TARGET = re.compile(rb"""\bTarget\s*=\s*["']([^"']*)["']""")


class Refused(Exception):
    def __init__(self, code: str, **params: Any):
        super().__init__(code)
        self.code = code
        self.params = params


def read(path: str, file_format: str, limits: dict[str, int]) -> Iterator[tuple[Any, ...]]:
    """("total", rows) first, then ("rows", [(row number, cells), ...]) batches; or
    ("refused", code, params) at the point the file breaks a limit."""
    try:
        if file_format in ("xlsx", "ods"):
            check_zip(path, file_format, limits)
        yield from _rows(path, limits)
    except Refused as e:
        yield ("refused", e.code, e.params)


def _rows(path: str, limits: dict[str, int]) -> Iterator[tuple[Any, ...]]:
    from python_calamine import CalamineWorkbook

    try:
        wb = CalamineWorkbook.from_path(path)
        sheet = wb.get_sheet_by_index(0)
    except Exception:  # calamine raises its own error types for every kind of damage
        raise Refused("unreadable") from None
    check_box(sheet.height, sheet.width, limits)
    yield ("total", sheet.total_height)
    max_chars = limits["cell_chars"]
    batch: list[tuple[int, list[Any]]] = []
    try:
        for number, row in enumerate(sheet.iter_rows(), start=1):
            for i, value in enumerate(row):
                if isinstance(value, str) and len(value) > max_chars:
                    raise Refused("cell", row=number, column=column_name(i + 1), chars=max_chars)
            batch.append((number, row))
            if len(batch) >= BATCH:
                yield ("rows", batch)
                batch = []
    except Refused:
        raise
    except Exception:
        raise Refused("unreadable") from None
    if batch:
        yield ("rows", batch)
    wb.close()


def check_box(rows: int, columns: int, limits: dict[str, int]) -> None:
    # The rectangle first: a far-off stray cell is the usual cause, and its message says so.
    if rows * columns > limits["cells"]:
        raise Refused("cells", rows=rows, columns=columns, limit=limits["cells"])
    if rows > limits["rows"]:
        raise Refused("rows", rows=rows, limit=limits["rows"])
    if columns > limits["columns"]:
        raise Refused("columns", columns=columns, limit=limits["columns"])


def column_name(n: int) -> str:
    out = ""
    while n > 0:
        n, r = divmod(n - 1, 26)
        out = chr(65 + r) + out
    return out


def column_number(letters: bytes) -> int:
    n = 0
    for ch in letters.upper():
        n = n * 26 + (ch - 64)
    return n


# ---- the zip container -----------------------------------------------------------------------


def check_zip(path: str, file_format: str, limits: dict[str, int]) -> None:
    try:
        zf = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError, ValueError, EOFError):
        raise Refused("unreadable") from None
    with zf:
        infos = zf.infolist()
        if len(infos) > limits["entries"]:
            raise Refused("entries", entries=len(infos), limit=limits["entries"])
        declared = sum(i.file_size for i in infos)
        if declared > limits["uncompressed"]:
            raise Refused("uncompressed", size=declared, limit=limits["uncompressed"])
        first_sheet = _first_sheet(zf) if file_format == "xlsx" else None
        total = 0
        for info in infos:
            if info.is_dir():
                continue
            # When the first sheet cannot be told, every worksheet is held to the limits.
            watched = info.filename == first_sheet or (
                first_sheet is None and info.filename.startswith("xl/worksheets/")
            )
            scan = _SheetScan(limits) if watched else None
            size = _inflate(zf, info, limits, total, scan)
            if size != info.file_size:
                raise Refused("damaged")
            total += size
            if scan is not None:
                scan.finish()


def _inflate(
    zf: zipfile.ZipFile,
    info: zipfile.ZipInfo,
    limits: dict[str, int],
    before: int,
    scan: _SheetScan | None,
) -> int:
    """The entry's real inflated size, read in chunks (never whole), stopping once past the
    limit whatever its header claims. XML parts are looked at for over-long text runs."""
    budget = limits["uncompressed"] - before
    probe = copy.copy(info)
    probe.file_size = budget + 1  # read what is really there, not what the header declares
    xml = info.filename.endswith((".xml", ".rels"))
    too_long = re.compile(rb"[^<]{%d}" % (limits["cell_chars"] * TEXT_RUN_BYTES_PER_CHAR + 1))
    pending = b""  # the chunk's end after its last "<": a run or a tag going on in the next
    size = 0
    try:
        with zf.open(probe) as f:
            while chunk := f.read(CHUNK):
                size += len(chunk)
                if size > budget:
                    raise Refused("uncompressed", size=before + size, limit=limits["uncompressed"])
                if not xml:
                    continue
                data = pending + chunk
                if too_long.search(data):
                    raise Refused("text", limit=limits["cell_chars"])
                cut = data.rfind(b"<")
                if scan is not None and cut > 0:
                    scan.feed(data[:cut])
                pending = data[cut:] if cut >= 0 else data
            if scan is not None and pending:
                scan.feed(pending)
    except Refused:
        raise
    except (zipfile.BadZipFile, OSError, ValueError, EOFError, NotImplementedError, RuntimeError):
        raise Refused("damaged") from None
    except Exception:  # zlib.error and the like
        raise Refused("damaged") from None
    return size


class _SheetScan:
    """The first worksheet's declared dimension and the farthest cell holding a value."""

    def __init__(self, limits: dict[str, int]):
        self.limits = limits
        self.row = 0
        self.col = 0
        self.max_row = 0
        self.max_col = 0

    def feed(self, data: bytes) -> None:
        """Where every cell names itself first (<c r="B7", as Excel, WPS and the libraries
        write), a quick pass over every cell, empty or not; cell by cell, counting positions
        and leaving out empty ones, when that is not so or when the quick pass finds the sheet
        too large."""
        for m in _DIMENSION.finditer(data):
            ref = _ATTR_REF.search(m.group(1))
            if ref:
                self._dimension(ref.group(1))
        cells = _FAST_CELL.findall(data)
        plain = data.count(b"<c ") + data.count(b"<c>") + data.count(b"<c/>")
        if len(cells) != plain or b":c " in data:
            self._feed_slowly(data)
            return
        if not cells:
            return
        col = column_number(max({c.upper() for c, _r in cells}, key=lambda c: (len(c), c)))
        row = int(max({r.lstrip(b"0") or b"0" for _c, r in cells}, key=lambda r: (len(r), r)))
        if max(row, self.max_row) * max(col, self.max_col) > self.limits["cells"] or (
            row > self.limits["rows"] or col > self.limits["columns"]
        ):
            self._feed_slowly(data)
            return
        self.max_row, self.max_col = max(row, self.max_row), max(col, self.max_col)
        self.col, self.row = column_number(cells[-1][0]), int(cells[-1][1])

    def _feed_slowly(self, data: bytes) -> None:
        for m in _TAG.finditer(data):
            tag, attrs = m.group(1), m.group(2)
            if tag == b"row":
                r = _ATTR_R.search(attrs)
                self.row = _int(r.group(1)) if r else self.row + 1
                self.col = 0
            elif tag == b"c":
                r = _ATTR_R.search(attrs)
                ref = _CELL_REF.match(r.group(1).strip()) if r else None
                if ref:
                    self.col = column_number(ref.group(1))
                    self.row = int(ref.group(2))
                else:
                    self.col += 1
                if not attrs.rstrip().endswith(b"/"):  # <c r="B9" s="1"/> holds no value
                    self.max_row = max(self.max_row, self.row)
                    self.max_col = max(self.max_col, self.col)
                    if self.max_row > self.limits["rows"] or self.max_col > self.limits["columns"]:
                        check_box(self.max_row, self.max_col, self.limits)
            else:
                ref_m = _ATTR_REF.search(attrs)
                if ref_m:
                    self._dimension(ref_m.group(1))

    def _dimension(self, ref: bytes) -> None:
        ends = [_CELL_REF.match(p.strip()) for p in ref.split(b":")]
        if not all(ends) or len(ends) > 2:
            return
        cols = [column_number(e.group(1)) for e in ends if e]
        rows = [int(e.group(2)) for e in ends if e]
        check_box(max(rows) - min(rows) + 1, max(cols) - min(cols) + 1, self.limits)

    def finish(self) -> None:
        check_box(self.max_row, self.max_col, self.limits)


def _int(raw: bytes) -> int:
    try:
        return int(raw.strip()[:15])
    except ValueError:
        raise Refused("damaged") from None


def _first_sheet(zf: zipfile.ZipFile) -> str | None:
    """The part name of the workbook's first sheet (the one the reader reads), from
    xl/workbook.xml and its relationships; None when they cannot be followed."""
    try:
        book = _small(zf, "xl/workbook.xml")
        rels = _small(zf, "xl/_rels/workbook.xml.rels")
    except KeyError:
        return None
    if book is None or rels is None:
        return None
    sheet = _SHEET.search(book)
    rid_m = _RID.search(sheet.group(0)) if sheet else None
    if not rid_m:
        return None
    rid = rid_m.group(1) or rid_m.group(2)
    for rel in _REL.finditer(rels):
        id_m, target_m = _REL_ID.search(rel.group(0)), _REL_TARGET.search(rel.group(0))
        if id_m and target_m and id_m.group(1) == rid:
            target = target_m.group(1).decode("utf-8", "replace")
            return target.lstrip("/") if target.startswith("/") else f"xl/{target}"
    return None


def _small(zf: zipfile.ZipFile, name: str) -> bytes | None:
    info = zf.getinfo(name)
    if info.file_size > 4 * CHUNK:
        return None  # an outsized part is left to the scan of every entry
    with zf.open(info) as f:
        return f.read(4 * CHUNK + 1)
