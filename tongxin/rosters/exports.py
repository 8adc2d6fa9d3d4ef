"""xlsx files written with xlsxwriter: the import template and the roster export.

The export streams: rows are read in chunks and written in constant_memory mode to a temporary
file, which is then sent; 561,000 rows never sit in memory at once."""

from __future__ import annotations

import tempfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from dataclasses import field as dc_field
from typing import Any

import xlsxwriter
from django.utils import timezone
from django.utils.translation import gettext

from tongxin.core import idnumber
from tongxin.core.scope import Scope
from tongxin.members.models import Member
from tongxin.rosters.header import Column
from tongxin.rosters.member_columns import COLUMNS
from tongxin.rosters.org_columns import ORG_COLUMNS

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@dataclass
class TemplateSheet:
    """An import template: the data sheet's headers (required ones starred and red, a comment
    with each column's note), column formats and widths, drop-down lists, and a 填写说明 sheet
    of notes followed by an example."""

    sheet: str
    columns: list[Column]
    notes: list[tuple[str, str]]
    text_fields: tuple[str, ...] = ()  # formatted as text, so Excel keeps what is typed
    money_fields: tuple[str, ...] = ()
    widths: dict[str, int] = dc_field(default_factory=dict)
    lists: dict[str, list[str]] = dc_field(default_factory=dict)
    label: Callable[[Column], str] = lambda c: str(c.label)
    notes_width: int = 80
    all_text: bool = False  # every column formatted as text
    # The example under 示例: rows of cells; by default one line per column with its example.
    example_rows: list[list[str]] | None = None


def template_workbook(t: TemplateSheet) -> Any:
    out = tempfile.TemporaryFile()  # noqa: SIM115 -- returned open; the FileResponse closes it
    wb = xlsxwriter.Workbook(out, {"in_memory": True})
    ws = wb.add_worksheet(t.sheet)
    head = wb.add_format({"bold": True, "bg_color": "#F8E1E1", "border": 1})
    head_required = wb.add_format(
        {"bold": True, "bg_color": "#F8E1E1", "border": 1, "font_color": "#B71C1C"}
    )
    text_fmt = wb.add_format({"num_format": "@"})
    money = wb.add_format({"num_format": "#,##0.00"})
    example = wb.add_format({"font_color": "#888888", "num_format": "@"})
    for i, c in enumerate(t.columns):
        label = t.label(c)
        ws.write_string(
            0, i, f"{label}*" if c.required else label, head_required if c.required else head
        )
        fmt = (
            text_fmt
            if t.all_text or c.field in t.text_fields
            else money
            if c.field in t.money_fields
            else None
        )
        ws.set_column(i, i, t.widths.get(c.field, 12), fmt)
        if c.note:
            ws.write_comment(0, i, str(c.note))
        if c.field in t.lists:
            ws.data_validation(
                1,
                i,
                20000,
                i,
                {"validate": "list", "source": t.lists[c.field], "error_type": "warning"},
            )
    ws.freeze_panes(1, 0)
    notes = wb.add_worksheet(gettext("填写说明"))
    notes.set_column(0, 0, 16)
    notes.set_column(1, 1, t.notes_width)
    for r, (k, v) in enumerate(t.notes):
        notes.write_string(r, 0, k)
        notes.write_string(r, 1, v)
    r = len(t.notes) + 1
    notes.write_string(r, 0, gettext("示例"), head)
    if t.example_rows is not None:
        for i, row in enumerate(t.example_rows):
            for j, v in enumerate(row):
                notes.write_string(r + 1 + i, j, v, head if i == 0 else example)
    else:
        for i, c in enumerate(t.columns):
            notes.write_string(r + 1 + i, 0, f"{c.label}*" if c.required else str(c.label))
            notes.write_string(r + 1 + i, 1, c.example or "—", example)
    wb.close()
    out.seek(0)
    return out


def template_file() -> Any:
    """The member import template: Chinese headers, required ones marked, the ID and phone
    columns formatted as text (so Excel keeps all 18 digits), one example row and notes."""
    return template_workbook(
        TemplateSheet(
            sheet=gettext("党员名册"),
            columns=COLUMNS,
            text_fields=("id_number", "phone", "joined_on", "confirmed_on"),
            widths={"id_number": 22, "org": 22},
            notes=[
                (
                    gettext("说明"),
                    gettext(
                        "名册填在第一个工作表：第一行是列名，请勿修改；从第二行起每行一名党员。"
                    ),
                ),
                (
                    gettext("必填的列"),
                    gettext(
                        "带*的列必填：%(cols)s；正式党员还须填写转正日期。其余的列可以留空，也可以删去。"
                    )
                    % {"cols": gettext("、").join(str(c.label) for c in COLUMNS if c.required)},
                ),
                (
                    gettext("身份证号码"),
                    gettext(
                        "该列已设为“文本”格式。如果号码显示为3.30203E+17或末尾变成000，说明被当成了数字：请把单元格格式设为“文本”后重新输入。"
                    ),
                ),
                (
                    gettext("性别"),
                    gettext(
                        "可以不填，按身份证号码登记；填写的须与身份证号码一致，不一致的行会指出来请您核对。"
                    ),
                ),
                (gettext("日期"), gettext("写成2021-11-11、2021/11/11或2021年11月11日均可。")),
                (
                    gettext("所在党组织"),
                    gettext(
                        "可以不填：没有这一列或留空的行，导入到上传时选择的党组织。填写的须与系统中的名称完全一致，且在您的管辖范围内；有重名时写“上级组织名称/本组织名称”。"
                    ),
                ),
                (
                    gettext("学历、民族"),
                    gettext("可以不填，空白时不登记（不会默认为汉族），以后可在党员信息中补充。"),
                ),
                (
                    gettext("预备党员"),
                    gettext(
                        "入党已满一年、仍未填写转正日期的预备党员可以导入，检查结果会提示核实，并列入应建尽建检查的“预备期满未转正”。"
                    ),
                ),
                (
                    gettext("再次导入"),
                    gettext(
                        "身份证号码已登记的党员会按表格更新，不会重复登记；表格中留空的手机号码、学历、民族不会清除已登记的内容。"
                    ),
                ),
            ],
        )
    )


def org_template_file() -> Any:
    """The organization roster template: Chinese headers (required ones starred and red), lists
    to choose the category, establishment and sector from, and a 填写说明 sheet with an
    example of three levels."""
    yes_no = [gettext("是"), gettext("否")]
    return template_workbook(
        TemplateSheet(
            sheet=gettext("党组织名册"),
            columns=ORG_COLUMNS,
            all_text=True,
            notes_width=90,
            widths={"name": 28, "parent": 28, "area": 16, "unit": 24},
            lists={
                "kind": [
                    gettext("党委"),
                    gettext("党工委"),
                    gettext("党总支"),
                    gettext("党支部"),
                    gettext("党小组"),
                ],
                "establishment": [gettext("建制性"), gettext("功能性")],
                "sector": [
                    gettext("企业"),
                    gettext("机关事业单位"),
                    gettext("社会组织"),
                    gettext("农村"),
                    gettext("城市社区"),
                    gettext("其他"),
                ],
                "is_joint": yes_no,
                "is_temporary": yes_no,
            },
            notes=[
                (
                    gettext("说明"),
                    gettext(
                        "名册填在第一个工作表：第一行是列名，请勿修改；从第二行起每行一个党组织。带*的列必填。"
                    ),
                ),
                (
                    gettext("上级党组织"),
                    gettext(
                        "可以是系统中已有、并由您管理的党组织，也可以是本表中的另一行（写在前面或后面都可以）。名称须与系统中的完全一致；有重名时写“上级组织名称/本组织名称”。"
                    ),
                ),
                (
                    gettext("组织类别"),
                    gettext(
                        "党委、党工委、党总支、党支部或党小组；也可写“联合党支部”“临时党支部”“功能型党支部”。党小组只能设在党支部之下，党支部设在党委、党工委或党总支之下，党总支设在党委或党工委之下。"
                    ),
                ),
                (
                    gettext("所属领域、所在区域"),
                    gettext(
                        "留空时与上级党组织相同。所在区域须是上级党组织所在区域内的街道、社区或小区。"
                    ),
                ),
                (gettext("日期"), gettext("写成2021-11-11、2021/11/11或2021年11月11日均可。")),
                (
                    gettext("再次导入"),
                    gettext(
                        "同一上级党组织下名称相同的党组织会按表格更新，不会重复建立；留空的格子不会清除已有的内容。"
                    ),
                ),
                (
                    gettext("书记和任期"),
                    gettext(
                        "书记、委员和任期（换届日期）请在导入后到党组织页面的“班子成员”中登记。"
                    ),
                ),
            ],
            example_rows=[
                [
                    gettext("组织名称"),
                    gettext("上级党组织"),
                    gettext("组织类别"),
                    gettext("建制类型"),
                ],
                [
                    gettext("紫金社区党委"),
                    gettext("南门街道党工委"),
                    gettext("党委"),
                    gettext("建制性"),
                ],
                [
                    gettext("紫金社区第三党支部"),
                    gettext("紫金社区党委"),
                    gettext("党支部"),
                    gettext("建制性"),
                ],
                [
                    gettext("第三党支部第一党小组"),
                    gettext("紫金社区第三党支部"),
                    gettext("党小组"),
                    "",
                ],
            ],
        )
    )


EXPORT_HEADERS = [
    ("name", 10),
    ("gender", 6),
    ("ethnicity", 8),
    ("id_number", 22),
    ("birth_date", 12),
    ("education", 10),
    ("status", 10),
    ("joined_on", 12),
    ("confirmed_on", 12),
    ("org", 28),
    ("phone", 14),
    ("standing", 10),
    ("residence", 16),
    ("is_floating", 8),
    ("floating_to", 16),
    ("is_lost_contact", 8),
    ("is_model_post", 10),
    ("is_party_household", 10),
]


def _labels() -> dict[str, str]:
    return {
        "name": gettext("姓名"),
        "gender": gettext("性别"),
        "ethnicity": gettext("民族"),
        "id_number": gettext("身份证号码"),
        "birth_date": gettext("出生日期"),
        "education": gettext("学历"),
        "status": gettext("党员类别"),
        "joined_on": gettext("入党日期"),
        "confirmed_on": gettext("转正日期"),
        "org": gettext("所在党组织"),
        "phone": gettext("手机号码"),
        "standing": gettext("党籍状态"),
        "residence": gettext("居住地"),
        "is_floating": gettext("流动党员"),
        "floating_to": gettext("流动去向"),
        "is_lost_contact": gettext("失联党员"),
        "is_model_post": gettext("党员示范岗"),
        "is_party_household": gettext("共产党员户"),
    }


def members_file(scope: Scope, members: Iterable[Member], *, reveal: bool) -> tuple[Any, int, int]:
    """(open temporary file, rows written, rows written with whole numbers). Whole ID and
    phone numbers only when asked (reveal) and only for members the user may reveal; the
    others stay masked."""
    out = tempfile.TemporaryFile()  # noqa: SIM115 -- returned open; the FileResponse closes it
    wb = xlsxwriter.Workbook(out, {"constant_memory": True, "tmpdir": tempfile.gettempdir()})
    ws = wb.add_worksheet(gettext("党员名册"))
    head = wb.add_format({"bold": True, "bg_color": "#F8E1E1", "border": 1})
    labels = _labels()
    ws.freeze_panes(1, 0)
    for i, (key, width) in enumerate(EXPORT_HEADERS):
        ws.set_column(i, i, width)
        ws.write_string(0, i, labels[key], head)
    yes, no = gettext("是"), gettext("否")
    r = 0
    revealed = 0
    for m in members:
        r += 1
        residence = m.residence.path if m.residence is not None else None
        clear = reveal and scope.reaches_org("members.reveal_pii", m.org_path, residence)
        if clear:
            revealed += 1
            id_text = m.reveal_id_number()
            phone = m.reveal_phone()
        else:
            id_text = m.id_number_masked or idnumber.mask("")
            phone = m.phone_masked
        values = (
            m.name,
            m.get_gender_display(),
            m.ethnicity,
            id_text,
            m.birth_date.isoformat(),
            m.get_education_display(),
            m.get_status_display(),
            m.joined_on.isoformat(),
            m.confirmed_on.isoformat() if m.confirmed_on else "",
            m.org.name,
            phone,
            m.get_standing_display(),
            m.residence.name if m.residence is not None else "",
            yes if m.is_floating else no,
            m.floating_to,
            yes if m.is_lost_contact else no,
            yes if m.is_model_post else no,
            yes if m.is_party_household else no,
        )
        for c, v in enumerate(values):
            ws.write_string(r, c, str(v))
    wb.close()
    out.seek(0)
    return out, r, revealed


def export_name() -> str:
    return gettext("党员名册") + timezone.localdate().strftime("-%Y%m%d") + ".xlsx"
