"""The member roster's sheet: its columns (the names a secretary's file may give them, the
template's sample row), the header search, and the conversion of one cell."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from django.utils.translation import gettext, gettext_lazy

from tongxin.rosters import cells
from tongxin.rosters.header import Column, Header, SheetSpec
from tongxin.rosters.header import find_header as header_find

# The two columns every member sheet starts with (the member roster, the dues bases).
NAME_COLUMN = Column("name", gettext_lazy("姓名"), True, ("姓名", "党员姓名", "名字"), "张红")
ID_NUMBER_COLUMN = Column(
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
)

COLUMNS = [
    NAME_COLUMN,
    ID_NUMBER_COLUMN,
    Column(
        "gender",
        gettext_lazy("性别"),
        False,
        ("性别",),
        "男",
        gettext_lazy("男/女，须与身份证号码一致；空白按身份证号码"),
    ),
    Column(
        "org",
        gettext_lazy("所在党组织"),
        False,
        (
            "所在党组织",
            "党组织",
            "所在党支部",
            "党支部",
            "所在支部",
            "所属党组织",
            "党组织名称",
            "支部名称",
            "所属支部",
        ),
        "紫金社区第一党支部",
        gettext_lazy(
            "与系统中的名称一致，重名时写“上级组织/本组织”；"
            "没有这一列或留空的，导入到上传时选择的党组织"
        ),
    ),
    Column(
        "status",
        gettext_lazy("党员类别"),
        True,
        ("党员类别", "人员类别", "党员类型", "类别", "党员身份"),
        "正式党员",
        gettext_lazy("正式党员 / 预备党员"),
    ),
    Column(
        "joined_on",
        gettext_lazy("入党日期"),
        True,
        ("入党日期", "入党时间", "加入党组织日期", "入党年月日"),
        "2010-07-01",
    ),
    Column(
        "confirmed_on",
        gettext_lazy("转正日期"),
        False,
        ("转正日期", "转正时间"),
        "2011-07-01",
        gettext_lazy("正式党员必填"),
    ),
    Column(
        "education",
        gettext_lazy("学历"),
        False,
        ("学历", "文化程度", "最高学历", "全日制学历"),
        "本科",
        gettext_lazy("小学及以下/初中/高中/中专/大专/本科/研究生；空白不登记"),
    ),
    Column("ethnicity", gettext_lazy("民族"), False, ("民族",), "汉族", gettext_lazy("空白不登记")),
    Column(
        "phone",
        gettext_lazy("手机号码"),
        False,
        ("手机号码", "手机号", "手机", "联系电话", "电话", "联系方式", "移动电话"),
        "13800000000",
    ),
    Column(
        "standing",
        gettext_lazy("党籍状态"),
        False,
        ("党籍状态", "党籍"),
        "正常",
        gettext_lazy("正常/保留党籍/停止党籍，空白为正常"),
    ),
    Column(
        "is_floating",
        gettext_lazy("流动党员"),
        False,
        ("流动党员", "是否流动党员"),
        "否",
        gettext_lazy("是/否"),
    ),
    Column("floating_to", gettext_lazy("流动去向"), False, ("流动去向", "外出去向"), ""),
    Column("is_lost_contact", gettext_lazy("失联党员"), False, ("失联党员", "是否失联党员"), "否"),
    Column(
        "is_model_post", gettext_lazy("党员示范岗"), False, ("党员示范岗", "是否党员示范岗"), "否"
    ),
    Column(
        "is_party_household",
        gettext_lazy("共产党员户"),
        False,
        ("共产党员户", "是否共产党员户"),
        "否",
    ),
]
BY_FIELD = {c.field: c for c in COLUMNS}
BOOL_FIELDS = ("is_floating", "is_lost_contact", "is_model_post", "is_party_household")
MEMO_FIELDS = frozenset(
    {
        "org",
        "status",
        "education",
        "ethnicity",
        "standing",
        "joined_on",
        "confirmed_on",
        "floating_to",
        "gender",
        *BOOL_FIELDS,
    }
)
GENDER_WORDS = {
    "男": "M",
    "男性": "M",
    "m": "M",
    "male": "M",
    "女": "F",
    "女性": "F",
    "f": "F",
    "female": "F",
}
GENDER_NAMES = {"M": gettext_lazy("男性"), "F": gettext_lazy("女性")}
# Fields an update may change (the organization is refused: that is a transfer).
UPDATE_FIELDS = (
    "name",
    "ethnicity",
    "education",
    "status",
    "standing",
    "joined_on",
    "confirmed_on",
    "floating_to",
    *BOOL_FIELDS,
)


MEMBER_SHEET = SheetSpec(
    columns=COLUMNS,
    keys=("name", "id_number"),
    template=gettext_lazy("导入模板"),
    empty_hint=gettext_lazy("请把名册放在第一个工作表中再上传。"),
    rows_hint=gettext_lazy("每行一名党员"),
)


def find_header(it: Iterator[tuple[int, list[object]]]) -> Header:
    """The member roster's header row (header.find_header)."""
    return header_find(it, MEMBER_SHEET)


def no_data_rows() -> str:
    return gettext("表格中只有表头，没有党员数据：请从表头下一行起每行填写一名党员。")


def convert(f: str, raw: object) -> Any:
    """One cell of column ``f`` as the importer stores it, or a cells.CellError saying what
    is wrong with it."""
    if f == "gender":
        text = cells.text(raw)
        if not text:
            return ""
        if text.lower() in GENDER_WORDS:
            return GENDER_WORDS[text.lower()]
        raise cells.CellError(
            gettext("性别“%(value)s”无法识别，请填写“男”或“女”（也可留空，按身份证号码登记）。")
            % {"value": text[:20]}
        )
    if f == "id_number":
        return cells.id_number(raw) if raw not in (None, "") else ""
    if f in ("joined_on", "confirmed_on"):
        return cells.date(raw)
    if f in BOOL_FIELDS:
        return cells.yes_no(raw)
    if f == "name":
        return cells.name_text(raw)
    return cells.text(raw)
