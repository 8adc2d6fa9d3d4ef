"""党员捐助导入: the fund's accountant uploads many donations at once (姓名, 身份证号码, 捐助金额,
捐助日期) through the rosters' reading path (content sniffing, size limits, the guarded child
reader, Excel-mangled ID numbers refused). This module is the check: every row is read, the
member found by ID number among the fund's members, the amount and date judged, and every
problem reported by row and column; nothing is written. A clean file gives a signed token;
``services.imports.donation_import_commit`` writes all of it in one transaction or nothing."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.core import signing
from django.core.files.uploadedfile import UploadedFile
from django.utils import timezone
from django.utils.translation import gettext, gettext_lazy

from tongxin.aid.models import AidFund, fen_text
from tongxin.aid.rules import MAX_DONATION_FEN, amount_error, date_error, parse_yuan
from tongxin.core import idnumber, pii
from tongxin.core.errors import ServiceError
from tongxin.core.scope import Scope, subtree_q
from tongxin.members.models import Member
from tongxin.rosters import cells, reading
from tongxin.rosters.header import Column, SheetSpec, find_header
from tongxin.rosters.member_columns import ID_NUMBER_COLUMN, NAME_COLUMN

MAX_ROWS = 5000
TOKEN_SALT = "tongxin.aid.donation_import"  # noqa: S105 - a signing namespace, not a secret
TOKEN_MAX_AGE = 3600

COLUMNS = [
    NAME_COLUMN,
    ID_NUMBER_COLUMN,
    Column(
        "amount",
        gettext_lazy("捐助金额"),
        True,
        (
            "捐助金额",
            "捐款金额",
            "金额",
            "捐助金额（元）",
            "捐助金额(元)",
            "金额（元）",
            "金额(元)",
        ),
        "200.00",
        gettext_lazy("单位元"),
    ),
    Column(
        "donated_on",
        gettext_lazy("捐助日期"),
        True,
        ("捐助日期", "捐款日期", "日期"),
        "2026-07-01",
        gettext_lazy("写成2026-07-01"),
    ),
]
BY_FIELD = {c.field: c for c in COLUMNS}
SHEET = SheetSpec(
    columns=COLUMNS,
    keys=("name", "id_number"),
    template=gettext_lazy("党员捐助导入模板"),
    empty_hint=gettext_lazy("请把捐助记录填在第一个工作表中再上传。"),
    rows_hint=gettext_lazy("每行一笔捐助"),
)


@dataclass
class PlanRow:
    row: int
    member_id: int
    name: str
    amount_fen: int
    donated_on: dt.date

    @property
    def amount_text(self) -> str:
        return fen_text(self.amount_fen)


@dataclass
class Report:
    file_name: str
    rows: int = 0
    errors: list[dict[str, Any]] = field(default_factory=list)
    plan: list[PlanRow] = field(default_factory=list)
    token: str = ""

    @property
    def total_text(self) -> str:
        return fen_text(sum(p.amount_fen for p in self.plan))


def _cell(f: str, raw: object, today: dt.date) -> object:
    if f == "name":
        return cells.name_text(raw)
    if f == "id_number":
        if raw is None or raw == "":
            raise cells.CellError(gettext("请填写身份证号码。"))
        try:
            return idnumber.parse(cells.id_number(raw), today=today).number
        except idnumber.IdNumberError as e:
            raise cells.CellError(str(e)) from None
    if f == "amount":
        fen = parse_yuan(raw) if not isinstance(raw, bool) else None
        if isinstance(raw, float):
            fen = parse_yuan(f"{raw:.2f}") if raw == round(raw, 2) else None
        if fen is None:
            raise cells.CellError(
                gettext("“%(v)s”不是有效的金额，请写成200或200.00（单位元）。")
                % {"v": cells.text(raw)[:20]}
            )
        if msg := amount_error(fen, MAX_DONATION_FEN, gettext("捐助")):
            raise cells.CellError(msg)
        return fen
    day = cells.date(raw)
    if msg := date_error(day, gettext("捐助日期")):
        raise cells.CellError(msg)
    return day


def donation_import_check(*, scope: Scope, fund: AidFund, upload: UploadedFile) -> Report:
    """Check a file of donations against the fund's members; nothing is written."""
    stored = reading.store(upload)
    today = timezone.localdate()
    parsed: list[tuple[int, dict[str, Any], dict[str, str]]] = []
    try:
        _total, it = reading.rows(
            reading.full_path(stored.name), stored.file_format, stored.original_name
        )
        header = find_header(it, SHEET)
        for number, row in it:
            values: dict[str, Any] = {}
            errors: dict[str, str] = {}
            if all(v is None or v == "" for v in row):
                continue
            for i, f in header.columns.items():
                raw = row[i] if i < len(row) else None
                try:
                    values[f] = _cell(f, raw, today)
                except cells.CellError as e:
                    errors[f] = str(e)
            parsed.append((number, values, errors))
            if len(parsed) > MAX_ROWS:
                raise ServiceError(
                    gettext("表格超过%(n)d行，请拆成几个文件分批导入。") % {"n": MAX_ROWS}
                )
    finally:
        reading.delete(stored.name)
    if not parsed:
        raise ServiceError(
            gettext("表格中只有表头，没有捐助记录：请从表头下一行起每行填写一笔捐助。")
        )
    report = Report(file_name=stored.original_name, rows=len(parsed))
    indexes = [
        i for _n, v, _e in parsed if v.get("id_number") for i in pii.blind_indexes(v["id_number"])
    ]
    found: dict[str, tuple[int, str]] = {}
    for start in range(0, len(indexes), 2000):
        for pk, name, index in Member.objects.filter(
            subtree_q("org_path", fund.org_path), id_number_index__in=indexes[start : start + 2000]
        ).values_list("id", "name", "id_number_index"):
            found[str(index)] = (pk, name)
    for number, values, errors in parsed:
        member = None
        if values.get("id_number"):
            member = next(
                (found[i] for i in pii.blind_indexes(values["id_number"]) if i in found), None
            )
            if member is None:
                errors["id_number"] = gettext(
                    "%(org)s中没有身份证号码为%(id)s的党员，请核对号码。"
                ) % {"org": fund.org.name, "id": idnumber.mask(values["id_number"])}
        if member and values.get("name") and cells.name_text(member[1]) != values["name"]:
            errors["name"] = gettext(
                "身份证号码对应的党员是“%(m)s”，与表中的姓名“%(n)s”不一致，请核对是否填错了行。"
            ) % {"m": member[1], "n": str(values["name"])[:20]}
        if errors:
            for f, msg in errors.items():
                column = header.titles.get(f) or str(BY_FIELD[f].label)
                report.errors.append({"row": number, "column": column, "field": f, "message": msg})
            continue
        assert member is not None
        report.plan.append(
            PlanRow(number, member[0], member[1], values["amount"], values["donated_on"])
        )
    if not report.errors:
        report.token = signing.dumps(
            {
                "u": scope.user_id,
                "fund": fund.pk,
                "f": report.file_name,
                "r": [
                    [p.row, p.member_id, p.amount_fen, p.donated_on.isoformat()]
                    for p in report.plan
                ],
            },
            salt=TOKEN_SALT,
            compress=True,
        )
    return report


def untoken(scope: Scope, fund: AidFund, token: str) -> dict[str, Any]:
    stale = ServiceError(
        gettext(
            "检查结果已过期或无效（检查后须在1小时内确认导入），没有写入任何数据。请重新上传文件检查。"
        ),
        fields={"token": gettext("请重新上传文件检查。")},
    )
    try:
        data = signing.loads(token or "", salt=TOKEN_SALT, max_age=TOKEN_MAX_AGE)
    except signing.BadSignature:
        raise stale from None
    if not isinstance(data, dict) or data.get("u") != scope.user_id or data.get("fund") != fund.pk:
        raise stale
    return data
