"""The organization roster's sheet (党组织名册): its columns, the words a file may use for the
category, establishment and sector, the conversion of one cell, and a read row."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext, gettext_lazy

from tongxin.orgs.models import Establishment, OrgKind, Sector
from tongxin.rosters import cells
from tongxin.rosters.header import Column, Header, SheetSpec
from tongxin.rosters.header import find_header as header_find
from tongxin.rosters.outcome import Outcome

MAX_LEVELS = 60  # treebeard's paths (255 characters, 4 per level) hold 63 levels

ORG_COLUMNS = [
    Column(
        "name",
        gettext_lazy("组织名称"),
        True,
        ("组织名称", "党组织名称", "名称", "党组织全称", "组织全称", "党组织"),
        "紫金社区第三党支部",
    ),
    Column(
        "parent",
        gettext_lazy("上级党组织"),
        True,
        (
            "上级党组织",
            "上级组织",
            "隶属党组织",
            "上级党组织名称",
            "上级组织名称",
            "隶属组织",
            "所属上级党组织",
            "上级党委",
            "隶属关系",
            "上级",
        ),
        "紫金社区党委",
        gettext_lazy("系统中已有的组织或本表中的另一行；重名时写“上级组织/本组织”"),
    ),
    Column(
        "kind",
        gettext_lazy("组织类别"),
        True,
        ("组织类别", "组织类型", "党组织类别", "党组织类型", "类别", "类型", "组织形式"),
        "党支部",
        gettext_lazy("党委/党工委/党总支/党支部/党小组"),
    ),
    Column(
        "establishment",
        gettext_lazy("建制类型"),
        False,
        ("建制类型", "设置方式", "建制", "建制性质", "组建方式", "组织建制"),
        "建制性",
        gettext_lazy("建制性/功能性，空白为建制性"),
    ),
    Column(
        "sector",
        gettext_lazy("所属领域"),
        False,
        ("所属领域", "领域", "行业领域", "所在领域", "单位类别", "单位性质"),
        "城市社区",
        gettext_lazy("企业/机关事业单位/社会组织/农村/城市社区/其他，空白同上级组织"),
    ),
    Column(
        "area",
        gettext_lazy("所在区域"),
        False,
        ("所在区域", "所在社区", "小区", "所在小区", "区域", "所属区域", "所在地区", "所在村"),
        "紫金社区",
        gettext_lazy("上级组织所在区域内的街道、社区或小区，空白同上级组织"),
    ),
    Column(
        "unit",
        gettext_lazy("所在单位"),
        False,
        ("所在单位", "依托单位", "单位名称", "单位", "所属单位"),
        "",
        gettext_lazy("单位名录中的名称或统一社会信用代码"),
    ),
    Column(
        "is_joint",
        gettext_lazy("联合党组织"),
        False,
        ("联合党组织", "是否联合党组织", "联合", "是否联合"),
        "否",
        gettext_lazy("是/否"),
    ),
    Column(
        "is_temporary",
        gettext_lazy("临时党组织"),
        False,
        ("临时党组织", "是否临时党组织", "临时", "是否临时"),
        "否",
        gettext_lazy("是/否"),
    ),
    Column(
        "founded_on",
        gettext_lazy("成立日期"),
        False,
        ("成立日期", "成立时间", "建立日期", "组建日期", "成立年月日"),
        "2021-07-01",
    ),
]
BY_FIELD = {c.field: c for c in ORG_COLUMNS}
ORG_SHEET = SheetSpec(
    columns=ORG_COLUMNS,
    keys=("name", "parent"),
    template=gettext_lazy("党组织名册导入模板"),
    empty_hint=gettext_lazy("请把党组织名册放在第一个工作表中再上传。"),
    rows_hint=gettext_lazy("每行一个党组织"),
)

KIND_WORDS: dict[str, str] = {
    "党委": OrgKind.COMMITTEE,
    "党委员会": OrgKind.COMMITTEE,
    "基层党委": OrgKind.COMMITTEE,
    "党的委员会": OrgKind.COMMITTEE,
    "党的基层委员会": OrgKind.COMMITTEE,
    "委员会": OrgKind.COMMITTEE,
    "党工委": OrgKind.WORKING_COMMITTEE,
    "党的工作委员会": OrgKind.WORKING_COMMITTEE,
    "工作委员会": OrgKind.WORKING_COMMITTEE,
    "工委": OrgKind.WORKING_COMMITTEE,
    "党总支": OrgKind.GENERAL_BRANCH,
    "党总支部": OrgKind.GENERAL_BRANCH,
    "总支": OrgKind.GENERAL_BRANCH,
    "总支部": OrgKind.GENERAL_BRANCH,
    "党总支部委员会": OrgKind.GENERAL_BRANCH,
    "党支部": OrgKind.BRANCH,
    "支部": OrgKind.BRANCH,
    "党支部委员会": OrgKind.BRANCH,
    "支部委员会": OrgKind.BRANCH,
    "党小组": OrgKind.GROUP,
    "小组": OrgKind.GROUP,
}
ESTABLISHMENT_WORDS: dict[str, str] = {
    "建制性": Establishment.FORMAL,
    "建制型": Establishment.FORMAL,
    "建制": Establishment.FORMAL,
    "功能性": Establishment.FUNCTIONAL,
    "功能型": Establishment.FUNCTIONAL,
    "功能": Establishment.FUNCTIONAL,
}
SECTOR_WORDS: dict[str, str] = {
    "企业": Sector.ENTERPRISE,
    "国有企业": Sector.ENTERPRISE,
    "国企": Sector.ENTERPRISE,
    "非公企业": Sector.ENTERPRISE,
    "非公有制企业": Sector.ENTERPRISE,
    "民营企业": Sector.ENTERPRISE,
    "机关事业单位": Sector.PUBLIC_INSTITUTION,
    "机关": Sector.PUBLIC_INSTITUTION,
    "事业单位": Sector.PUBLIC_INSTITUTION,
    "党政机关": Sector.PUBLIC_INSTITUTION,
    "机关事业": Sector.PUBLIC_INSTITUTION,
    "社会组织": Sector.SOCIAL_ORG,
    "社会团体": Sector.SOCIAL_ORG,
    "农村": Sector.VILLAGE,
    "村": Sector.VILLAGE,
    "行政村": Sector.VILLAGE,
    "城市社区": Sector.COMMUNITY,
    "社区": Sector.COMMUNITY,
    "其他": Sector.OTHER,
    "其它": Sector.OTHER,
}
# Words written before a kind: "联合党支部", "临时党支部", "功能型党支部".
KIND_PREFIXES = {
    "联合": "is_joint",
    "临时": "is_temporary",
    "功能性": "functional",
    "功能型": "functional",
}


def key(value: object) -> str:
    """A name made comparable: half-width, invisible characters and the spaces typed between
    Chinese characters dropped."""
    return cells.name_text(value)


def split_path(raw: str) -> list[str]:
    return [p for p in (key(s) for s in raw.replace("／", "/").split("/")) if p]


@dataclass(frozen=True)
class KindCell:
    kind: str
    is_joint: bool = False
    is_temporary: bool = False
    functional: bool = False


def parse_kind(raw: object) -> KindCell:
    s = cells.text(raw).replace(" ", "")
    flags: dict[str, bool] = {}
    changed = True
    while changed:
        changed = False
        for word, flag in KIND_PREFIXES.items():
            if s.startswith(word) and len(s) > len(word):
                s, flags[flag], changed = s[len(word) :], True, True
    s = s.removeprefix("中共").removeprefix("中国共产党")
    found = KIND_WORDS.get(s) or (s if s in OrgKind.values else "")
    if not found:
        raise cells.CellError(
            gettext("组织类别“%(value)s”无法识别，请填写党委、党工委、党总支、党支部或党小组。")
            % {"value": cells.text(raw)[:20]}
        )
    return KindCell(found, **flags)


def parse_choice(raw: object, words: dict[str, str], values: list[str], message: str) -> str:
    s = cells.text(raw).replace(" ", "")
    for suffix in ("党组织", "党支部", "领域"):
        if s.endswith(suffix) and s[: -len(suffix)] in words:
            s = s[: -len(suffix)]
    found = words.get(s) or (s if s in values else "")
    if not found:
        raise cells.CellError(message % {"value": cells.text(raw)[:20]})
    return found


def find_header(it: Iterator[tuple[int, list[object]]]) -> Header:
    """The first row (of the first ten) naming the organization and its parent."""
    return header_find(it, ORG_SHEET)


def convert(f: str, raw: object) -> Any:
    """One cell of column ``f`` as the import reads it (a name made comparable, a kind, a
    choice, a date), or a cells.CellError saying what is wrong with it."""
    if f == "name":
        return key(raw)
    if f == "parent":
        return cells.text(raw)
    if f == "kind":
        return parse_kind(raw)
    if f == "establishment":
        return parse_choice(
            raw,
            ESTABLISHMENT_WORDS,
            Establishment.values,
            gettext("建制类型“%(value)s”无法识别，请填写“建制性”或“功能性”。"),
        )
    if f == "sector":
        return parse_choice(
            raw,
            SECTOR_WORDS,
            Sector.values,
            gettext(
                "所属领域“%(value)s”无法识别，请填写企业、机关事业单位、社会组织、农村、城市社区或其他。"
            ),
        )
    if f in ("is_joint", "is_temporary"):
        return cells.yes_no(raw)
    if f == "founded_on":
        return cells.date(raw)
    return cells.text(raw)  # area, unit: resolved once the parent is known


class OrgOutcome(Outcome):
    def add_errors(self, row: int, name: str, errs: dict[str, str], titles: dict[str, str]) -> None:
        self.error_rows += 1
        for f in sorted(errs, key=lambda f: list(BY_FIELD).index(f) if f in BY_FIELD else 99):
            if len(self.errors) >= 1000:
                return
            column = titles.get(f) or str(BY_FIELD[f].label if f in BY_FIELD else f)
            self.errors.append(
                {
                    "row": row,
                    "name": name[:50],
                    "field": f,
                    "column": column,
                    "message": str(errs[f]),
                }
            )


Existing = dict[str, Any]  # an organization the importer manages (selectors.ORG_IMPORT_COLUMNS)


@dataclass(eq=False)
class OrgRow:
    number: int
    name: str
    parent_raw: str
    given: dict[str, Any]  # field -> converted value, for the cells not blank
    errors: dict[str, str]
    kind: KindCell | None = None
    done: bool = False
    parent: Existing | OrgRow | None = None
    tentative: OrgRow | None = None  # the only row of the parent's name, while pending
    match: Existing | None = None  # the organization this row updates
    data: dict[str, Any] = field(default_factory=dict)  # the values it will have
    changes: dict[str, Any] = field(default_factory=dict)  # for an update: what changes
    area_path: str | None = None
    depth: int = 0  # in the tree, once written
    _parts: list[str] | None = None

    @property
    def key(self) -> str:
        return self.name  # already made comparable (key()) when read

    @property
    def parent_parts(self) -> list[str]:
        if self._parts is None:
            self._parts = split_path(self.parent_raw)
        return self._parts

    def node_key(self) -> tuple[str, int]:
        return ("o", self.match["id"]) if self.match else ("r", self.number)


def node_key(node: Existing | OrgRow) -> tuple[str, int]:
    return node.node_key() if isinstance(node, OrgRow) else ("o", node["id"])


def row_label(r: OrgRow) -> str:
    return gettext("第%(row)d行“%(name)s”") % {"row": r.number, "name": r.name[:30]}
