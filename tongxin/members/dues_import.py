"""党费基数导入: a branch's or a street's finance person uploads the monthly bases of many
members at once (姓名, 身份证号码, 起始月份, 人员类别, 月工资收入基数).

Two steps, as the roster import:
- check (``dues_import_check``): read the file (rosters.reading: content sniffing, the size
  limit, xlsx/xls/ods/csv), clean the cells (rosters.cells: Excel-mangled ID numbers refused),
  find each member by the ID number's blind index *within the importer's scope*
  (members.manage), apply the rules of ``dues.dues_base_set`` to every row, and report every
  problem by row and column. Nothing is written. A clean file gives a signed token carrying
  the checked rows.
- commit (``dues_import_commit``): the token back, the members' scope and the rules checked
  again, then every base written in one transaction (all or nothing) and one audit row.

A member out of scope and an unknown ID number get the same message: the import says nothing
about members the importer may not see."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from typing import Any

from django.core import signing
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext, gettext_lazy

from tongxin.core import idnumber, pii
from tongxin.core.audit import audit
from tongxin.core.dbstats import refresh_statistics
from tongxin.core.errors import ServiceError
from tongxin.core.scope import STEPLEN, Scope
from tongxin.members import dues
from tongxin.members.models import DuesBase, DuesCategory, Member
from tongxin.rosters import cells, reading
from tongxin.rosters.header import Column, Header, SheetSpec
from tongxin.rosters.header import find_header as header_find

MAX_ROWS = 10_000
MAX_REPORTED_ERRORS = 1000
LOOKUP_CHUNK = 2000
TOKEN_SALT = "tongxin.members.dues_import"
TOKEN_MAX_AGE = 3600  # seconds between the check and the commit
EARLIEST_MONTH = dt.date(2008, 4, 1)  # the 2008 rules (DESIGN §4.4) apply from April 2008


COLUMNS = [
    Column("name", gettext_lazy("姓名"), True, ("姓名", "党员姓名", "名字"), "张红"),
    Column(
        "id_number",
        gettext_lazy("身份证号码"),
        True,
        (
            "身份证号码",
            "身份证号",
            "公民身份号码",
            "公民身份证号码",
            "公民身份证号",
            "身份证",
            "证件号码",
            "身份证件号码",
        ),
        "330203198001010016",
        gettext_lazy("18位，单元格格式须为“文本”"),
    ),
    Column(
        "month",
        gettext_lazy("起始月份"),
        True,
        (
            "起始月份",
            "月份",
            "生效月份",
            "所属月份",
            "起缴月份",
            "执行月份",
            "开始月份",
            "年月",
            "基数月份",
            "起始年月",
        ),
        "2026-11",
        gettext_lazy("写成2026-11或2026年11月；从该月起按此基数计算"),
    ),
    Column(
        "category",
        gettext_lazy("人员类别"),
        False,
        ("人员类别", "收入类别", "缴费类别", "人员类型", "身份类别", "类别"),
        "在职",
        gettext_lazy("在职、离退休、学生、下岗失业或低保；空白时沿用该党员已登记的类别"),
    ),
    Column(
        "base",
        gettext_lazy("月工资收入基数"),
        True,
        (
            "月工资收入基数",
            "缴费基数",
            "月工资基数",
            "工资收入基数",
            "工资基数",
            "党费基数",
            "缴纳基数",
            "月收入基数",
            "基数",
            "税后工资",
            "月工资收入",
            "月工资",
        ),
        "4500.00",
        gettext_lazy("单位元，税后固定收入，可写3,500.00；学生、下岗失业、低保可空白"),
    ),
]
BY_FIELD = {c.field: c for c in COLUMNS}
DUES_SHEET = SheetSpec(
    columns=COLUMNS,
    keys=("name", "id_number"),
    template=gettext_lazy("党费基数导入模板"),
    empty_hint=gettext_lazy("请把党费基数填在第一个工作表中再上传。"),
    rows_hint=gettext_lazy("每行一名党员"),
)

E, R = DuesCategory.EMPLOYED, DuesCategory.RETIRED
S, U, L = DuesCategory.STUDENT, DuesCategory.UNEMPLOYED, DuesCategory.SUBSISTENCE
CATEGORY_WORDS: dict[str, str] = {
    "在职": E,
    "在职党员": E,
    "在职人员": E,
    "在岗": E,
    "在职(按月工资收入)": E,
    "职工": E,
    "离退休": R,
    "退休": R,
    "离休": R,
    "离退休党员": R,
    "退休党员": R,
    "离退休人员": R,
    "退休人员": R,
    "离退休干部": R,
    "学生": S,
    "学生党员": S,
    "在校学生": S,
    "下岗失业": U,
    "失业": U,
    "下岗": U,
    "失业党员": U,
    "下岗失业党员": U,
    "待业": U,
    "失业人员": U,
    "低保": L,
    "享受最低生活保障": L,
    "最低生活保障": L,
    "低保户": L,
    "享受低保": L,
    "低保党员": L,
    "低保人员": L,
}


# ---- cells -------------------------------------------------------------------------------------

_YM = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*月?(?:份)?$")
_YM_COMPACT = re.compile(r"^(\d{4})(\d{2})$")


def _bad_month(raw: object) -> cells.CellError:
    return cells.CellError(
        gettext("“%(value)s”不是有效的月份，请写成“2026-11”或“2026年11月”的格式。")
        % {"value": cells.text(raw)[:30]}
    )


def month_cell(value: object) -> dt.date:
    """The first day of the month a cell names: a date cell (Excel turns 2026-11 into
    2026-11-01), 2026-11, 2026/11, 2026.11 as text, 2026年11月, 202611 or a full date."""
    if value is None or value == "":
        raise cells.CellError(gettext("请填写起始月份，例如“2026-11”。"))
    if isinstance(value, bool):
        raise _bad_month(value)
    if isinstance(value, float) and not value.is_integer():
        # 2026.11 typed into a number cell: 2026.10 would have become 2026.1 — ambiguous.
        raise cells.CellError(
            gettext(
                "月份“%(value)s”被当成了小数，无法分辨是几月。请把这一列的单元格格式设为“文本”，"
                "再写成“2026-11”的格式。"
            )
            % {"value": cells.text(value)}
        )
    if isinstance(value, (dt.date, dt.datetime)):
        month = dues.month_start(value.date() if isinstance(value, dt.datetime) else value)
    else:
        s = cells.text(value).replace(" ", "")
        m = _YM.match(s) or _YM_COMPACT.match(s)
        if m:
            try:
                month = dt.date(int(m[1]), int(m[2]), 1)
            except ValueError:
                raise _bad_month(value) from None
        else:
            try:
                day = cells.date(s)
            except cells.CellError:
                raise _bad_month(value) from None
            if day is None:
                raise _bad_month(value)
            month = dues.month_start(day)
    if month < EARLIEST_MONTH:
        raise cells.CellError(
            gettext("起始月份%(month)s早于2008年4月（现行党费收缴规定施行之时），请核对年份。")
            % {"month": f"{month:%Y-%m}"}
        )
    return month


_CURRENCY = re.compile(r"^(?:¥|￥|RMB|人民币)|元$")


def base_cell(value: object) -> int | None:
    """A base in yuan → fen; None for an empty cell (the rules decide whether that is fine)."""
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        raise cells.CellError(gettext("请填写金额（元），例如 4500.00。"))
    s = _CURRENCY.sub("", cells.text(value).replace(" ", ""))
    if not s:
        return None
    try:
        return dues.parse_yuan(s, "base")
    except ServiceError as e:
        raise cells.CellError(
            gettext("“%(value)s”不是有效的金额。") % {"value": s[:20]} + e.fields["base"]
        ) from None


def category_cell(value: object) -> str:
    """The stored category, "" for an empty cell; a word not understood is refused."""
    s = cells.text(value).replace(" ", "")
    if not s:
        return ""
    found = cells.choice(s, CATEGORY_WORDS, DuesCategory.values)
    if not found:
        raise cells.CellError(
            gettext("人员类别“%(value)s”无法识别，请填写在职、离退休、学生、下岗失业或低保。")
            % {"value": s[:20]}
        )
    return found


def id_cell(value: object, today: dt.date) -> str:
    if value is None or value == "":
        raise cells.CellError(gettext("请填写身份证号码。"))
    number = cells.id_number(value)
    try:
        return idnumber.parse(number, today=today).number
    except idnumber.IdNumberError as e:
        raise cells.CellError(str(e)) from None


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
        return "—" if self.category in dues.FIXED_CATEGORIES else dues.fen_text(self.base_fen)

    @property
    def monthly_due_fen(self) -> int:
        return dues.dues_amount_fen(self.category, self.base_fen)

    @property
    def monthly_due_text(self) -> str:
        return dues.fen_text(self.monthly_due_fen)


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


def _chunks(items: list[Any], size: int = LOOKUP_CHUNK) -> Any:
    for i in range(0, len(items), size):
        yield items[i : i + size]


def _members_in_reach(scope: Scope, indexes: list[str]) -> dict[str, dict[str, Any]]:
    """Members the importer manages holding any of these blind indexes: one query per 2,000
    numbers. Members elsewhere are not looked up at all."""
    found: dict[str, dict[str, Any]] = {}
    for chunk in _chunks(indexes):
        for m in Member.objects.filter(
            scope.members_q("members.manage"), id_number_index__in=chunk
        ).values("id", "name", "id_number_index", "org_path", "org__name"):
            found[str(m["id_number_index"])] = dict(m)
    return found


def _bases_of(member_ids: list[int]) -> dict[int, list[tuple[dt.date, str, int]]]:
    """Every base of these members, oldest first: one query per 2,000 members."""
    out: dict[int, list[tuple[dt.date, str, int]]] = {}
    for chunk in _chunks(member_ids):
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
            rule_errors, base = dues.dues_base_errors(
                effective_from=month or dues.this_month(),
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


# ---- commit ------------------------------------------------------------------------------------


def _token(scope: Scope, report: Report) -> str:
    rows = [[p.row, p.member_id, f"{p.month:%Y-%m}", p.category, p.base_fen] for p in report.plan]
    return signing.dumps(
        {"u": scope.user_id, "f": report.file_name, "h": report.sha256, "r": rows},
        salt=TOKEN_SALT,
        compress=True,
    )


def _untoken(scope: Scope, token: str) -> dict[str, Any]:
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


def _common_path(paths: list[str]) -> str:
    """The deepest organization above all these (the audit row's place in the tree)."""
    if not paths:
        return ""
    low, high = min(paths), max(paths)  # the common prefix of all is that of these two
    n = 0
    while n < min(len(low), len(high)) and low[n] == high[n]:
        n += 1
    return low[: n // STEPLEN * STEPLEN]


@transaction.atomic
def dues_import_commit(*, actor: Any, scope: Scope, token: str) -> ImportResult:
    """Write the rows a check passed: every member still in the importer's scope and every
    row still within the rules, or nothing is written."""
    data = _untoken(scope, token)
    rows = [
        (int(n), int(mid), dues.parse_month(m), str(c), int(b)) for n, mid, m, c, b in data["r"]
    ]
    ids = sorted({r[1] for r in rows})
    members: dict[int, tuple[str, str]] = {}
    for chunk in _chunks(ids):
        for pk, name, org_path in Member.objects.filter(
            scope.members_q("members.manage"), pk__in=chunk
        ).values_list("id", "name", "org_path"):
            members[pk] = (name, org_path)
    for number, member_id, month, category, base in rows:
        if member_id not in members:
            raise ServiceError(
                gettext(
                    "第%(row)d行的党员在检查之后已不在您的管辖范围内，没有写入任何数据。请重新上传文件检查。"
                )
                % {"row": number}
            )
        assert month is not None
        errors, _base = dues.dues_base_errors(
            effective_from=month, category=category, base_fen=base
        )
        if errors:
            raise ServiceError(
                gettext("第%(row)d行：%(msg)s没有写入任何数据，请改正后重新上传。")
                % {"row": number, "msg": next(iter(errors.values()))}
            )
    existing: dict[tuple[int, dt.date], DuesBase] = {}
    for chunk in _chunks(ids):
        for row in DuesBase.objects.filter(member_id__in=chunk).only(
            "id", "member_id", "effective_from", "category", "base_fen"
        ):
            existing[(row.member_id, row.effective_from)] = row
    user = actor if getattr(actor, "pk", None) else None
    creates: list[DuesBase] = []
    updates: list[DuesBase] = []
    for _n, member_id, month, category, base in rows:
        assert month is not None
        b = existing.get((member_id, month))
        if b is None:
            creates.append(
                DuesBase(
                    member_id=member_id,
                    effective_from=month,
                    category=category,
                    base_fen=base,
                    entered_by=user,
                )
            )
        elif (b.category, b.base_fen) != (category, base):
            b.category, b.base_fen, b.entered_by = category, base, user
            updates.append(b)
    try:
        with transaction.atomic():
            DuesBase.objects.bulk_create(creates, batch_size=1000)
    except IntegrityError:
        raise ServiceError(
            gettext(
                "检查之后有人同时登记了其中一些党员的党费基数，没有写入任何数据。请重新上传文件检查。"
            )
        ) from None
    DuesBase.objects.bulk_update(updates, ["category", "base_fen", "entered_by"], batch_size=500)
    result = ImportResult(
        str(data.get("f", "")),
        len(rows),
        len(creates),
        len(updates),
        len(rows) - len(creates) - len(updates),
    )
    audit(
        actor=actor,
        action="members.dues_import",
        object_type="members.duesbase",
        org_path=_common_path([members[i][1] for i in ids]),
        diff={
            "file": result.file_name,
            "sha256": data.get("h", ""),
            "rows": result.rows,
            "created": result.created,
            "updated": result.updated,
            "unchanged": result.unchanged,
            "bases": [[mid, f"{m:%Y-%m}", c, b] for _n, mid, m, c, b in rows],
        },
    )
    written = len(creates) + len(updates)
    transaction.on_commit(lambda: refresh_statistics([DuesBase._meta.db_table], written))
    return result


# ---- the template --------------------------------------------------------------------------------

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def template_file() -> Any:
    """The import template: Chinese headers (required ones marked *), the ID number and month
    columns formatted as text so Excel keeps them as typed, and a sheet of notes."""
    from tongxin.rosters.exports import TemplateSheet, template_workbook

    return template_workbook(
        TemplateSheet(
            sheet=gettext("党费基数"),
            columns=COLUMNS,
            notes_width=90,
            label=lambda c: str(c.label) + (gettext("（元）") if c.field == "base" else ""),
            text_fields=("id_number", "month"),
            money_fields=("base",),
            widths={"id_number": 22, "base": 22},
            notes=[
                (
                    gettext("说明"),
                    gettext(
                        "党费基数填在第一个工作表：第一行是列名，请勿修改；从第二行起每行一名党员的一个起始月份。带*的列必填。"
                    ),
                ),
                (
                    gettext("身份证号码"),
                    gettext(
                        "用来找到党员，须是您管理的党组织中已登记的党员。该列已设为“文本”格式；如果号码显示为3.30203E+17或末尾变成000，请把单元格格式设为“文本”后重新输入。"
                    ),
                ),
                (
                    gettext("起始月份"),
                    gettext(
                        "写成2026-11或2026年11月。从该月起按此基数计算，直到下一次登记的基数；同一党员同一月份再次导入会替换原来的基数。"
                    ),
                ),
                (
                    gettext("人员类别"),
                    gettext("在职、离退休、学生、下岗失业、低保。空白时沿用该党员此前登记的类别。"),
                ),
                (
                    gettext("月工资收入基数"),
                    gettext(
                        "单位为元，税后固定收入，可以写3500、3,500.00。学生、下岗失业、低保党员每月交0.2元，基数可空白。"
                    ),
                ),
                (
                    gettext("比例"),
                    gettext(
                        "在职：3000元及以下0.5%，3000至5000元1%，5000至10000元1.5%，10000元以上2%；离退休：5000元及以下0.5%，以上1%。"
                    ),
                ),
                (
                    gettext("检查和导入"),
                    gettext("上传后先逐行检查，不写入任何数据；全部通过后再确认导入，一次性写入。"),
                ),
            ],
        )
    )
