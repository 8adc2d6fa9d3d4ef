"""The header row of an uploaded sheet, shared by every import (党员名册, 党组织名册, 党费基数):
the columns an import knows with the titles people write for them, and the search for the row
that names them."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from itertools import islice
from typing import Any

from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext

from tongxin.core.errors import ServiceError
from tongxin.rosters import cells, reading

HEADER_SEARCH_ROWS = 10


@dataclass(frozen=True)
class Column:
    field: str
    label: Any  # lazy translation: the template's header
    required: bool
    variants: tuple[str, ...]
    example: str = ""
    note: Any = ""


@dataclass
class Header:
    row: int
    columns: dict[int, str]  # cell index -> field
    titles: dict[str, str]  # field -> the title as written in the file
    unused: list[str]


@dataclass(frozen=True)
class SheetSpec:
    """What one import expects of its sheet, and the words its messages use."""

    columns: list[Column]
    keys: tuple[str, str]  # the two fields whose titles mark the header row
    template: Any  # the template's name: "导入模板", "党组织名册导入模板" …
    empty_hint: Any  # what to do with an empty first sheet
    rows_hint: Any  # what each row holds: "每行一名党员" …

    def index(self) -> dict[str, str]:
        # The template's headers are in its downloader's language: a template downloaded in
        # English is read back by its English labels, whichever language reads it (a background
        # job runs in the default one). The Chinese titles people write win a clash.
        out: dict[str, str] = {}
        for code, _name in settings.LANGUAGES:
            with translation.override(code):
                out.update({reading.header_key(str(c.label)): c.field for c in self.columns})
        out.update({reading.header_key(v): c.field for c in self.columns for v in c.variants})
        return out


def find_header(it: Iterator[tuple[int, list[object]]], spec: SheetSpec) -> Header:
    """The first row (of the first ten) naming both key columns; a refusal that says how to
    fix the sheet when there is none, or when it lacks a required column."""
    index = spec.index()
    seen_any = False
    for number, row in islice(it, HEADER_SEARCH_ROWS):
        if any(cells.text(v) for v in row):
            seen_any = True
        columns: dict[int, str] = {}
        titles: dict[str, str] = {}
        unused: list[str] = []
        for i, v in enumerate(row):
            key = reading.header_key(v)
            f = index.get(key)
            if f and f not in titles:
                columns[i], titles[f] = f, " ".join(str(v).split())  # as the file writes it
            elif key:
                unused.append(cells.text(v))
        if all(k in titles for k in spec.keys):
            missing = [c for c in spec.columns if c.required and c.field not in titles]
            if missing:
                raise ServiceError(
                    gettext(
                        "第%(row)d行的表头缺少必填的列：%(cols)s。请使用%(template)s，或补上这些列后再上传。"
                    )
                    % {
                        "row": number,
                        "cols": gettext("、").join(f"“{c.label}”" for c in missing),
                        "template": spec.template,
                    },
                    fields={"file": gettext("表头缺少必填的列。")},
                )
            return Header(number, columns, titles, unused)
    if not seen_any:
        raise ServiceError(
            gettext("表格是空的：第一个工作表中没有任何内容。%(hint)s") % {"hint": spec.empty_hint},
            fields={"file": gettext("表格是空的。")},
        )
    by_field = {c.field: c for c in spec.columns}
    raise ServiceError(
        gettext(
            "没有找到表头：前10行中没有同时含“%(a)s”和“%(b)s”两列的行。"
            "请使用%(template)s，第一行写列名，从第二行起%(rows)s。"
        )
        % {
            "a": by_field[spec.keys[0]].label,
            "b": by_field[spec.keys[1]].label,
            "template": spec.template,
            "rows": spec.rows_hint,
        },
        fields={"file": gettext("没有找到表头。")},
    )
