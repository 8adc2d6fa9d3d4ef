"""党费基数导入: a branch's or a street's finance person uploads the monthly bases of many
members at once (姓名, 身份证号码, 起始月份, 人员类别, 月工资收入基数). This module holds the
check; the commit, the only write, is ``services.dues_import_commit``.

Two steps, as the roster import:
- check (``dues_import_check``): read the file (rosters.reading: content sniffing, the size
  limit, xlsx/xls/ods/csv), clean the cells (rosters.cells: Excel-mangled ID numbers refused),
  find each member by the ID number's blind index *within the importer's scope*
  (members.manage), apply the rules of ``services.dues_base_set`` to every row, and report every
  problem by row and column. Nothing is written. A clean file gives a signed token carrying
  the checked rows.
- commit (``services.dues_import_commit``): the token back, the members' scope and the rules checked
  again, then every base written in one transaction (all or nothing) and one audit row.

A member out of scope and an unknown ID number get the same message: the import says nothing
about members the importer may not see."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from django.core import signing
from django.core.files.uploadedfile import UploadedFile
from django.utils import timezone
from django.utils.translation import gettext

from tongxin.core import idnumber, pii
from tongxin.core.errors import ServiceError
from tongxin.core.scope import STEPLEN, Scope
from tongxin.dues.models import DuesBase, DuesCategory
from tongxin.dues.rules import (
    FIXED_CATEGORIES,
    dues_amount_fen,
    dues_base_errors,
    fen_text,
    this_month,
)
from tongxin.dues.sheet import (
    BY_FIELD,
    DUES_SHEET,
    base_cell,
    category_cell,
    id_cell,
    month_cell,
)
from tongxin.members.models import Member
from tongxin.rosters import cells, reading
from tongxin.rosters.header import Header
from tongxin.rosters.header import find_header as header_find

MAX_ROWS = 10_000
MAX_REPORTED_ERRORS = 1000
LOOKUP_CHUNK = 2000
TOKEN_SALT = "tongxin.members.dues_import"  # noqa: S105 - a signing namespace, not a secret
TOKEN_MAX_AGE = 3600  # seconds between the check and the commit


# ---- the report ----------------------------------------------------------------------------------


@dataclass
class PlanRow:
    """One checked row: what the commit will write."""

    row: int
    member_id: int
    name: str
    org_name: str
    month: dt.date
    category: str
    base_fen: int
    action: str  # create | update | unchanged

    @property
    def category_label(self) -> str:
        return str(DuesCategory(self.category).label)

    @property
    def base_text(self) -> str:
        return "—" if self.category in FIXED_CATEGORIES else fen_text(self.base_fen)

    @property
    def monthly_due_fen(self) -> int:
        return dues_amount_fen(self.category, self.base_fen)

    @property
    def monthly_due_text(self) -> str:
        return fen_text(self.monthly_due_fen)


@dataclass
class Report:
    file_name: str
    sha256: str = ""
    rows: int = 0
    error_rows: int = 0
    errors: list[dict[str, Any]] = field(default_factory=list)
    errors_truncated: bool = False
    plan: list[PlanRow] = field(default_factory=list)
    unused_columns: list[str] = field(default_factory=list)
    token: str = ""

    def count(self, action: str) -> int:
        return sum(1 for p in self.plan if p.action == action)

    to_create = property(lambda self: self.count("create"))
    to_update = property(lambda self: self.count("update"))
    unchanged = property(lambda self: self.count("unchanged"))

    def add_errors(self, row: int, name: str, errs: dict[str, str], titles: dict[str, str]) -> None:
        self.error_rows += 1
        for f, msg in errs.items():
            if len(self.errors) >= MAX_REPORTED_ERRORS:
                self.errors_truncated = True
                return
            column = titles.get(f) or str(BY_FIELD[f].label)
            self.errors.append(
                {"row": row, "name": name[:50], "field": f, "column": column, "message": str(msg)}
            )


@dataclass
class _Row:
    number: int
    values: dict[str, Any]
    errors: dict[str, str]
    indexes: list[str] = field(default_factory=list)


def _read(upload: UploadedFile) -> tuple[reading.StoredRoster, Header, list[_Row]]:
    """The upload checked by content and size, its data rows converted cell by cell. The file
    lives on disk only while it is read."""
    stored = reading.store(upload)
    try:
        _total, it = reading.rows(
            reading.full_path(stored.name), stored.file_format, stored.original_name
        )
        header = header_find(it, DUES_SHEET)
        today = timezone.localdate()
        out: list[_Row] = []
        for number, row in it:
            r = _convert(number, row, header, today)
            if r is None:
                continue
            out.append(r)
            if len(out) > MAX_ROWS:
                raise ServiceError(
                    gettext("表格超过%(n)d行，无法一次导入。请按党支部拆成几个文件分批导入。")
                    % {"n": MAX_ROWS},
                    fields={"file": gettext("行数太多。")},
                )
    finally:
        reading.delete(stored.name)
    if not out:
        raise ServiceError(
            gettext("表格中只有表头，没有党费基数：请从表头下一行起每行填写一名党员。"),
            fields={"file": gettext("没有数据行。")},
        )
    return stored, header, out


def _convert(number: int, row: list[object], header: Header, today: dt.date) -> _Row | None:
    values: dict[str, Any] = {}
    errors: dict[str, str] = {}
    blank = True
    for i, f in header.columns.items():
        raw = row[i] if i < len(row) else None
        if raw is not None and raw != "":
            blank = False
        try:
            if f == "name":
                values[f] = cells.name_text(raw)
            elif f == "id_number":
                values[f] = id_cell(raw, today)
            elif f == "month":
                values[f] = month_cell(raw)
            elif f == "category":
                values[f] = category_cell(raw)
            else:
                values[f] = base_cell(raw)
        except cells.CellError as e:
            errors[f] = str(e)
    if blank:
        return None  # formatted but empty rows at the end of a sheet
    r = _Row(number, values, errors)
    if values.get("id_number"):
        r.indexes = pii.blind_indexes(values["id_number"])
    if not values.get("name") and "name" not in errors:
        errors["name"] = gettext("请填写姓名。")
    return r


def chunks(items: list[Any], size: int = LOOKUP_CHUNK) -> Iterator[list[Any]]:
    for i in range(0, len(items), size):
        yield items[i : i + size]


def _members_in_reach(scope: Scope, indexes: list[str]) -> dict[str, dict[str, Any]]:
    """Members the importer manages holding any of these blind indexes: one query per 2,000
    numbers. Members elsewhere are not looked up at all."""
    found: dict[str, dict[str, Any]] = {}
    for chunk in chunks(indexes):
        for m in Member.objects.filter(
            scope.members_q("members.manage"), id_number_index__in=chunk
        ).values("id", "name", "id_number_index", "org_path", "org__name"):
            found[str(m["id_number_index"])] = dict(m)
    return found


def _bases_of(member_ids: list[int]) -> dict[int, list[tuple[dt.date, str, int]]]:
    """Every base of these members, oldest first: one query per 2,000 members."""
    out: dict[int, list[tuple[dt.date, str, int]]] = {}
    for chunk in chunks(member_ids):
        for member_id, eff, category, base in (
            DuesBase.objects.filter(member_id__in=chunk)
            .order_by("member_id", "effective_from")
            .values_list("member_id", "effective_from", "category", "base_fen")
        ):
            out.setdefault(member_id, []).append((eff, category, base))
    return out


RULE_FIELDS = {"effective_from": "month", "base": "base", "category": "category"}


def dues_import_check(*, scope: Scope, upload: UploadedFile) -> Report:
    """Check a file of bases; nothing is written. Raises ServiceError when the file as a whole
    cannot be read (not a spreadsheet, empty, no header); row problems are in the report."""
    stored, header, rows = _read(upload)
    report = Report(
        file_name=stored.original_name,
        sha256=stored.sha256,
        rows=len(rows),
        unused_columns=header.unused,
    )
    found = _members_in_reach(scope, [i for r in rows for i in r.indexes])
    bases = _bases_of(sorted({int(m["id"]) for m in found.values()}))
    seen: dict[tuple[int, dt.date], int] = {}
    for r in rows:
        v, errors = r.values, dict(r.errors)
        member = next((found[i] for i in r.indexes if i in found), None)
        if r.indexes and member is None:
            errors["id_number"] = gettext(
                "在您管理的党组织中没有身份证号码为%(id)s的党员。请核对号码；"
                "组织关系不在您这里的党员，请由其所在党组织导入。"
            ) % {"id": idnumber.mask(v["id_number"])}
        if member is not None and v.get("name") and "name" not in errors:
            registered = cells.name_text(member["name"])
            if v["name"] != registered:
                errors["name"] = gettext(
                    "身份证号码对应的党员是“%(member)s”，与表中的姓名“%(name)s”不一致，"
                    "请核对是否填错了行。"
                ) % {"member": registered, "name": v["name"][:20]}
        month = v.get("month")
        category = v.get("category", "")
        base = 0
        history = bases.get(int(member["id"]), []) if member else []
        if member is not None and month is not None and "category" not in errors and not category:
            earlier = [c for eff, c, _b in history if eff <= month]
            if earlier:
                category = earlier[-1]  # an empty cell keeps the member's category
            else:
                errors["category"] = gettext(
                    "该党员在这个月份之前没有登记过党费基数，请填写人员类别"
                    "（在职、离退休、学生、下岗失业或低保）。"
                )
        if member is not None and month is not None:
            key = (int(member["id"]), month)
            if key in seen:
                errors["month"] = gettext(
                    "与第%(row)d行是同一名党员的同一起始月份，请删除重复的行或改正月份。"
                ) % {"row": seen[key]}
            else:
                seen[key] = r.number
        if category and "base" not in errors:
            # An unreadable month still lets the base be judged (against this month).
            rule_errors, base = dues_base_errors(
                effective_from=month or this_month(),
                category=category,
                base_fen=v.get("base"),
            )
            for k, msg in rule_errors.items():
                errors.setdefault(RULE_FIELDS[k], msg)
        if errors:
            report.add_errors(r.number, v.get("name", ""), errors, header.titles)
            continue
        assert member is not None and month is not None
        same = next(((c, b) for eff, c, b in history if eff == month), None)
        action = "create" if same is None else "unchanged" if same == (category, base) else "update"
        report.plan.append(
            PlanRow(
                r.number,
                int(member["id"]),
                str(member["name"]),
                str(member["org__name"]),
                month,
                category,
                base,
                action,
            )
        )
    if not report.error_rows:
        report.token = _token(scope, report)
    return report


# ---- the token, between the check and the commit ------------------------------------------------------------------------------------


def _token(scope: Scope, report: Report) -> str:
    rows = [[p.row, p.member_id, f"{p.month:%Y-%m}", p.category, p.base_fen] for p in report.plan]
    return signing.dumps(
        {"u": scope.user_id, "f": report.file_name, "h": report.sha256, "r": rows},
        salt=TOKEN_SALT,
        compress=True,
    )


def untoken(scope: Scope, token: str) -> dict[str, Any]:
    stale = ServiceError(
        gettext(
            "检查结果已过期或无效（检查后须在1小时内确认导入），没有写入任何数据。请重新上传文件检查。"
        ),
        fields={"token": gettext("请重新上传文件检查。")},
    )
    try:
        data = signing.loads(token or "", salt=TOKEN_SALT, max_age=TOKEN_MAX_AGE)
    except signing.BadSignature:  # SignatureExpired is one too
        raise stale from None
    if not isinstance(data, dict) or data.get("u") != scope.user_id:
        raise stale
    return data


@dataclass
class ImportResult:
    file_name: str
    rows: int
    created: int
    updated: int
    unchanged: int


def common_path(paths: list[str]) -> str:
    """The deepest organization above all these (the audit row's place in the tree)."""
    if not paths:
        return ""
    low, high = min(paths), max(paths)  # the common prefix of all is that of these two
    n = 0
    while n < min(len(low), len(high)) and low[n] == high[n]:
        n += 1
    return low[: n // STEPLEN * STEPLEN]
