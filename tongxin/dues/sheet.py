"""The 党费基数 spreadsheet: its columns (the headers each is found by), the cells of a row
turned into values (a month, a base in fen, a category), and the template to download. The
reading itself (content sniffing, size limits, the guarded child reader) is the rosters'."""

from __future__ import annotations

import datetime as dt
import re
from typing import IO

from django.utils.translation import gettext, gettext_lazy

from tongxin.core import idnumber
from tongxin.core.errors import ServiceError
from tongxin.dues.models import DuesCategory
from tongxin.dues.rules import month_start, parse_yuan
from tongxin.rosters import cells
from tongxin.rosters.exports import TemplateSheet, template_workbook
from tongxin.rosters.header import Column, SheetSpec
from tongxin.rosters.member_columns import ID_NUMBER_COLUMN, NAME_COLUMN

EARLIEST_MONTH = dt.date(2008, 4, 1)  # the 2008 rules (DESIGN §4.4) apply from April 2008

COLUMNS = [
    NAME_COLUMN,
    ID_NUMBER_COLUMN,
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
        month = month_start(value.date() if isinstance(value, dt.datetime) else value)
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
            month = month_start(day)
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
        return parse_yuan(s, "base")
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


# ---- the template --------------------------------------------------------------------------------

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def template_file() -> IO[bytes]:
    """The import template: Chinese headers (required ones marked *), the ID number and month
    columns formatted as text so Excel keeps them as typed, and a sheet of notes."""
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
