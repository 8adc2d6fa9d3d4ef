"""Spreadsheet bombs for the tests, small on disk: what an attacker (or a broken program)
uploads to make a reader allocate far more than the file's size."""

from __future__ import annotations

import io
import os
import re
import zipfile

import xlsxwriter

from tests.rosters import sheets

INLINE_LINE = 512 * 1024  # services.INLINE_BYTES_DEFAULT: above it the task worker reads


def rezip(content: bytes, replace: dict[str, bytes] | None = None, *, pad_to: int = 0) -> bytes:
    """The same workbook with some parts replaced and, when `pad_to` is given, an unused part
    of random (incompressible) bytes making the file at least that large."""
    replace = replace or {}
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(content)) as src,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst,
    ):
        for info in src.infolist():
            dst.writestr(info.filename, replace.get(info.filename, src.read(info.filename)))
        if pad_to:
            dst.writestr("docProps/padding.bin", os.urandom(pad_to), zipfile.ZIP_STORED)
    return out.getvalue()


def sized(content: bytes, big: bool) -> bytes:
    """Under the 512 KB line (read within the request) or over it (read by the task worker)."""
    return rezip(content, pad_to=INLINE_LINE + 1024) if big else content


def sparse(*, declared: bool = True) -> bytes:
    """A roster header at A1 and one cell at XFD1048576: the reader would allocate the whole
    rectangle between them (17 billion cells). Without `declared`, the sheet's <dimension>
    is taken out, so only the cells themselves give it away."""
    out = io.BytesIO()
    wb = xlsxwriter.Workbook(out, {"in_memory": True})
    ws = wb.add_worksheet()
    for j, title in enumerate(sheets.HEADER):
        ws.write_string(0, j, title)
    ws.write_string(1_048_575, 16_383, "x")
    wb.close()
    content = out.getvalue()
    if declared:
        return content
    sheet = _part(content, "xl/worksheets/sheet1.xml")
    return rezip(content, {"xl/worksheets/sheet1.xml": re.sub(rb"<dimension[^>]*/>", b"", sheet)})


def whitespace(run: int, *, runs: int = 1) -> bytes:
    """A valid roster whose sheet XML carries `runs` runs of `run` spaces between its rows
    (deflate makes megabytes of spaces a few kilobytes)."""
    content = sheets.xlsx([sheets.person()])
    sheet = _part(content, "xl/worksheets/sheet1.xml")
    pad = (b" " * run + b"<!---->") * runs
    return rezip(
        content, {"xl/worksheets/sheet1.xml": sheet.replace(b"<sheetData>", b"<sheetData>" + pad)}
    )


def huge_cell(chars: int) -> bytes:
    """A valid roster whose member's name is `chars` characters long."""
    content = sheets.xlsx([sheets.person(姓名="PLACEHOLDER")])
    strings = _part(content, "xl/sharedStrings.xml")
    return rezip(content, {"xl/sharedStrings.xml": strings.replace(b"PLACEHOLDER", b"x" * chars)})


def _part(content: bytes, name: str) -> bytes:
    with zipfile.ZipFile(io.BytesIO(content)) as z:
        return z.read(name)
