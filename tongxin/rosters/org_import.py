"""The organization roster import (党组织名册导入): header mapping, parent resolution, the rules
of tongxin.orgs.services row by row, and the write through those same services. The sheet (columns, cells, the
row read) is in org_columns.

A row names its parent: an organization the importer manages (orgs.manage), or another row of
the same file, earlier or later ("上级/本级" where a name repeats). The rows are first resolved
into a tree (a cycle or a parent found nowhere is an error on the row), then checked parents
first with the organization rules (legal nesting, a kind change against the existing children,
the area under the parent's area, as the organization form offers it), and written parents
first with org_create and org_update: every organization gets the audit row it would get on
its own page. A re-import updates the organization of the same name under the same parent
(the model has no code). The commit runs in the caller's transaction: one error, nothing kept.
"""

from __future__ import annotations

from collections.abc import Callable
from itertools import islice
from typing import Any

from django.utils.translation import gettext

from tongxin.accounts.models import User
from tongxin.core.errors import ServiceError
from tongxin.core.scope import STEPLEN, Scope
from tongxin.geo.selectors import ANCHOR_LEVELS
from tongxin.orgs import services as org_services
from tongxin.orgs.models import Establishment, Organization, OrgKind
from tongxin.rosters import cells, org_columns, reading, selectors
from tongxin.rosters.header import Header
from tongxin.rosters.org_columns import (
    MAX_LEVELS,
    Existing,
    KindCell,
    OrgOutcome,
    OrgRow,
    find_header,
    key,
    node_key,
    row_label,
    split_path,
)
from tongxin.rosters.outcome import Rollback


class OrgImport:
    def __init__(self, *, scope: Scope, actor: User | None = None):
        self.scope = scope
        self.actor = actor
        self.by_path: dict[str, Existing] = {}
        self.by_name: dict[str, list[Existing]] = {}
        for o in selectors.orgs_for_org_import(scope):
            o["key"] = name_key = key(o["name"])
            self.by_path[str(o["path"])] = o
            self.by_name.setdefault(name_key, []).append(o)
        self.rows: list[OrgRow] = []
        self.rows_by_name: dict[str, list[OrgRow]] = {}
        self.updater: dict[int, OrgRow] = {}  # existing id -> the row updating it
        self.last_outcome: OrgOutcome | None = None

    # ---- the pass ----------------------------------------------------------------------------

    def run(
        self,
        path: Any,
        file_format: str,
        original_name: str,
        *,
        commit: bool,
        progress: Callable[[int, int], None] | None = None,
    ) -> OrgOutcome:
        total, it = reading.rows(path, file_format, original_name)
        header = find_header(it)
        self.titles = header.titles
        out = OrgOutcome(header=header)
        self.last_outcome = out
        while chunk := list(islice(it, 2000)):
            for number, cells_ in chunk:
                r = self._cells(number, cells_, header)
                if r is not None:
                    self.rows.append(r)
                    self.rows_by_name.setdefault(r.key, []).append(r)
            if progress is not None:
                progress(len(self.rows), total)
        out.rows = len(self.rows)
        if not self.rows:
            raise ServiceError(
                gettext("表格中只有表头，没有党组织数据：请从表头下一行起每行填写一个党组织。"),
                fields={"file": gettext("没有数据行。")},
            )
        self._load_names()
        self._resolve_all()
        self._duplicates()
        order = self._order()
        self._load_places()
        for r in order:
            self._check(r, out)
        for r in self.rows:
            if r.errors:
                out.add_errors(r.number, r.name, r.errors, header.titles)
        if commit:
            if out.error_rows:
                raise Rollback()
            self._write(order, out)
        return out

    def _cells(self, number: int, row: list[object], header: Header) -> OrgRow | None:
        given: dict[str, Any] = {}
        errors: dict[str, str] = {}
        for i, f in header.columns.items():
            raw = row[i] if i < len(row) else None
            if raw is None or cells.text(raw) == "":
                continue
            try:
                given[f] = org_columns.convert(f, raw)
            except cells.CellError as e:
                errors[f] = str(e)
                given[f] = None
        if not given:
            return None  # empty rows (often many formatted ones at the end) are skipped
        name = given.get("name") or ""
        r = OrgRow(number, name, given.get("parent") or "", given, errors)
        if isinstance(given.get("kind"), KindCell):
            r.kind = given["kind"]
        if not name and "name" not in errors:
            errors["name"] = org_services.org_field_errors({"name": ""}).get("name", "")
        elif len(name) > 200:
            errors["name"] = gettext("组织名称不能超过200个字。")
        if "kind" not in given:
            errors["kind"] = gettext("请填写组织类别（党委、党工委、党总支、党支部或党小组）。")
        return r

    # ---- parents -----------------------------------------------------------------------------

    def _load_names(self) -> None:
        """Same-named children of the parents in reach, out of reach too (see _match)."""
        self.named_children: dict[tuple[str, str], list[tuple[int, str]]] = {}
        step = STEPLEN
        names = sorted({r.name for r in self.rows if r.name})
        for pk, path, name in selectors.orgs_named(names):
            self.named_children.setdefault((path[:-step], key(name)), []).append((pk, path))

    def _resolve_all(self) -> None:
        """Rows are resolved once the rows their parent's name may mean are: repeated until
        nothing moves. What is left hangs on a cycle, or on a row hanging on one."""
        pending = list(self.rows)
        while pending:
            moved = False
            for r in pending:
                if self._try(r):
                    moved = True
            pending = [r for r in pending if not r.done]
            if not moved:
                break
        cycle_rows = self._cycles(pending)
        for r in pending:
            if r in cycle_rows:
                continue
            if r.tentative is not None:
                r.parent = r.tentative  # a row in error: its own message says what to fix
            else:
                r.errors.setdefault("parent", self._ambiguous(r.parent_parts[-1], 2))
            r.done = True

    def _try(self, r: OrgRow) -> bool:
        """Resolve the row's parent if the rows it may mean are resolved (False: not yet)."""
        parts = r.parent_parts
        if not parts:
            if "parent" not in r.errors:
                r.errors["parent"] = gettext("请填写上级党组织。")
            r.done = True
            return True
        last = parts[-1]
        existing = self.by_name.get(last, [])
        rows = [c for c in self.rows_by_name.get(last, []) if c is not r]
        # "上级/本级": those whose own parent has that name, else any organization above. A
        # name above the user's reach (a street's district) says nothing here: it is skipped.
        known = [p for p in parts[:-1] if p in self.by_name or p in self.rows_by_name]
        parts = [*known, last]
        if len(parts) > 1:
            direct_rows = [c for c in rows if c.parent_parts[-1:] == parts[-2:-1]]
            direct = [o for o in existing if self._parent_key(o) == parts[-2]]
            if direct_rows or direct:
                rows, existing = direct_rows, direct
        if any(not c.done for c in rows):
            r.tentative = rows[0] if len(rows) == 1 and not existing else None
            return False
        cands: dict[tuple[str, int], Existing | OrgRow] = {}
        for o in existing:
            cands[("o", o["id"])] = o
        for c in rows:
            cands[c.node_key()] = c.match or c
        for ancestor in reversed(parts[:-1]):
            cands = {k: n for k, n in cands.items() if self._has_ancestor(n, ancestor)}
        if len(cands) == 1:
            self._finish(r, next(iter(cands.values())))
        elif cands:
            r.errors["parent"] = self._ambiguous(last, len(cands))
            r.done = True
        elif last == r.key and not existing and not rows:
            r.errors["parent"] = gettext("上级党组织不能是本组织自己，请填写它的上级党组织。")
            r.done = True
        else:
            r.errors["parent"] = gettext(
                "在您管理的党组织和本表中都找不到“%(name)s”，请核对名称（应与系统中的名称完全一致），"
                "或在本表中增加这个党组织。"
            ) % {"name": r.parent_raw[:60]}
            r.done = True
        return True

    @staticmethod
    def _ambiguous(name: str, n: int) -> str:
        return gettext(
            "名为“%(name)s”的党组织有%(n)d个（在您管理的党组织或本表中），"
            "请写成“上级组织名称/%(name)s”以区分。"
        ) % {"name": name[:60], "n": n}

    def _parent_key(self, node: Existing | OrgRow) -> str | None:
        if isinstance(node, OrgRow) and node.match is not None:
            node = node.match
        if isinstance(node, OrgRow):
            p = node.parent
            return None if p is None else p.key if isinstance(p, OrgRow) else p["key"]
        parent = self.by_path.get(str(node["path"])[:-STEPLEN])
        return parent["key"] if parent is not None else None

    def _has_ancestor(self, node: Existing | OrgRow, name: str) -> bool:
        """Whether an organization named `name` is above the node: through the rows of the
        file up to an existing organization, then up its path."""
        for _ in range(MAX_LEVELS + 2):
            if isinstance(node, OrgRow):
                if node.match is not None:
                    node = node.match
                    continue
                if node.parent is None:
                    return False
                node = node.parent
                if (node.key if isinstance(node, OrgRow) else node["key"]) == name:
                    return True
                continue
            path = str(node["path"])
            return any(
                (a := self.by_path.get(path[:i])) is not None and a["key"] == name
                for i in range(STEPLEN, len(path), STEPLEN)
            )
        return False

    def _finish(self, r: OrgRow, parent: Existing | OrgRow) -> None:
        r.parent, r.done = parent, True
        parent_org = parent.match if isinstance(parent, OrgRow) else parent
        if parent_org is None or not r.name:
            return  # under a new organization: new as well
        parent_path = str(parent_org["path"])
        found = dict(self.named_children.get((parent_path, r.key), []))
        for o in self.by_name.get(r.key, []):  # also when the stored name is spelled oddly
            if str(o["path"])[:-STEPLEN] == parent_path:
                found[o["id"]] = str(o["path"])
        if len(found) > 1:
            r.errors["name"] = gettext(
                "上级党组织“%(parent)s”下已有%(n)d个名为“%(name)s”的组织，无法确定要更新哪一个；"
                "请先在系统中为它们改名后再导入。"
            ) % {"parent": parent_org["name"], "n": len(found), "name": r.name}
        elif found:
            match = self.by_path.get(next(iter(found.values())))
            if match is None:
                r.errors["name"] = gettext(
                    "上级党组织“%(parent)s”下已有名为“%(name)s”的组织，但不在您的管理范围内，"
                    "不能通过导入修改；请改用其他名称，或联系上级组织办理。"
                ) % {"parent": parent_org["name"], "name": r.name}
            else:
                r.match = match

    def _cycles(self, pending: list[OrgRow]) -> set[OrgRow]:
        """Rows whose only possible parents lead back to themselves: each gets the message
        naming the rows of its cycle."""
        on_cycle: set[OrgRow] = set()
        state: dict[int, int] = {}  # id(row) -> 1 on the walk, 2 finished
        for start in pending:
            walk: list[OrgRow] = []
            r: OrgRow | None = start
            while r is not None and not r.done and state.get(id(r)) is None:
                state[id(r)] = 1
                walk.append(r)
                r = r.tentative
            if r is not None and state.get(id(r)) == 1:
                loop = walk[walk.index(r) :]
                names = " → ".join(row_label(c) for c in [*loop, loop[0]])
                for c in loop:
                    on_cycle.add(c)
                    c.errors["parent"] = (
                        gettext("上级党组织不能是本组织自己，请填写它的上级党组织。")
                        if len(loop) == 1
                        else gettext("上级党组织形成了循环：%(rows)s。请改正其中一行的上级党组织。")
                        % {"rows": names}
                    )
                    c.done = True
            for c in walk:
                state[id(c)] = 2
        return on_cycle

    def _duplicates(self) -> None:
        first: dict[tuple[tuple[str, int], str], OrgRow] = {}
        for r in self.rows:
            if r.parent is None or not r.name or "name" in r.errors:
                continue
            k = (node_key(r.parent), r.key)
            other = first.get(k)
            if other is None and r.match is not None:
                # The same organization named through another spelling of its parent.
                other = self.updater.get(r.match["id"])
            if other is not None:
                r.errors["name"] = gettext(
                    "与第%(row)d行重复：同一上级党组织下只能有一个“%(name)s”，请删除重复的行或改名。"
                ) % {"row": other.number, "name": r.name}
                r.match = None
                continue
            first[k] = r
            if r.match is not None:
                self.updater[r.match["id"]] = r

    def _parent_row(self, r: OrgRow) -> OrgRow | None:
        p = r.parent
        if isinstance(p, OrgRow):
            return p
        return self.updater.get(p["id"]) if p is not None else None

    def _order(self) -> list[OrgRow]:
        """Parents before children, then in file order."""
        level: dict[int, int] = {}

        def depth(r: OrgRow) -> int:
            chain: list[OrgRow] = []
            node: OrgRow | None = r
            while node is not None and id(node) not in level and len(chain) <= len(self.rows):
                chain.append(node)
                node = self._parent_row(node)
            base = level.get(id(node), 0) if node is not None else 0
            for n in reversed(chain):
                base += 1
                level[id(n)] = base
            return level[id(r)]

        return sorted(self.rows, key=lambda r: (depth(r), r.number))

    # ---- the organization rules --------------------------------------------------------------

    def _load_places(self) -> None:
        names: set[str] = set()
        for r in self.rows:
            if r.given.get("area"):
                names.update(split_path(str(r.given["area"])))
        self.areas_by_name: dict[str, list[tuple[int, str, str]]] = {}
        self.area_names: dict[str, str] = {}
        for pk, path, name, level in selectors.areas_named(sorted(names)):
            self.area_names[path] = key(name)
            if level in ANCHOR_LEVELS:
                self.areas_by_name.setdefault(key(name), []).append((pk, path, name))
        units = sorted({str(r.given["unit"]) for r in self.rows if r.given.get("unit")})
        self.units: dict[str, list[int]] = {}
        for pk, name, code in selectors.units_for_org_import(self.scope, units):
            self.units.setdefault(key(name), []).append(pk)
            if code:
                self.units.setdefault(code, []).append(pk)

    def _effective(self, node: Existing | OrgRow) -> dict[str, Any]:
        """A parent's kind, sector and area once its row (if any) is written."""
        if isinstance(node, OrgRow):
            return {**node.data, "area_path": node.area_path}
        row = self.updater.get(node["id"])
        if row is not None and row.data:
            return {**row.data, "area_path": row.area_path}
        return {
            "kind": node["kind"],
            "sector": node["sector"],
            "area_id": node["area_id"],
            "area_path": node["area__path"],
        }

    def _check(self, r: OrgRow, out: OrgOutcome) -> None:
        """The values to write (r.data, and r.changes for an update) and the row's errors.
        An empty cell keeps what an existing organization has, and gives a new one the
        default: formal, the parent's sector and area."""
        g, errors, m, kc = r.given, r.errors, r.match, r.kind
        parent = self._effective(r.parent) if r.parent is not None else None
        new: dict[str, Any] = {}
        if kc is not None:
            new["kind"] = kc.kind
        if "establishment" in g:
            new["establishment"] = g["establishment"]
        elif kc is not None and kc.functional:
            new["establishment"] = Establishment.FUNCTIONAL
        if "sector" in g:
            new["sector"] = g["sector"]
        for flag in ("is_joint", "is_temporary"):
            if flag in g:
                new[flag] = g[flag]
            elif kc is not None and getattr(kc, flag):
                new[flag] = True
        if "founded_on" in g:
            new["founded_on"] = g["founded_on"]
        area_path = m["area__path"] if m else None
        if g.get("area"):
            found = self._area(str(g["area"]), parent)
            if isinstance(found, str):
                errors.setdefault("area", found)
            elif m is None or found[0] != m["area_id"]:
                new["area_id"], area_path = found
        if g.get("unit"):
            found_unit = self._unit(str(g["unit"]))
            if isinstance(found_unit, str):
                errors.setdefault("unit", found_unit)
            else:
                new["unit_id"] = found_unit
        if m is None:
            p = parent or {}
            defaults = {
                "kind": "",
                "establishment": Establishment.FORMAL,
                "sector": p.get("sector") or "",
                "is_joint": False,
                "is_temporary": False,
                "area_id": p.get("area_id"),
                "unit_id": None,
                "founded_on": None,
            }
            if "area_id" not in new:
                area_path = p.get("area_path")
            r.data = {"name": r.name, **defaults, **new}
            r.changes = {}
        else:
            r.changes = {k: v for k, v in new.items() if m.get(k) != v}
            r.data = {
                f: m[f]
                for f in (
                    "kind",
                    "establishment",
                    "sector",
                    "is_joint",
                    "is_temporary",
                    "area_id",
                    "unit_id",
                    "founded_on",
                )
            }
            r.data.update(r.changes)
        r.area_path = area_path
        if isinstance(r.parent, OrgRow):
            r.depth = r.parent.depth + 1
        elif r.parent is not None:
            r.depth = int(r.parent["depth"]) + 1
        if r.depth > MAX_LEVELS and "parent" not in errors:
            errors["parent"] = gettext(
                "上级党组织的层级超过了%(n)d级，请检查“上级党组织”一列是否把下级组织写成了上级。"
            ) % {"n": MAX_LEVELS}
        kind = r.data["kind"]
        # the rules of org_create and org_update
        rules = org_services.org_field_errors(
            {"name": r.name, "kind": kind or OrgKind.BRANCH, "founded_on": r.data["founded_on"]}
        )
        for f, msg in rules.items():
            errors.setdefault(f, msg)
        parent_failed = r.parent is None or (isinstance(r.parent, OrgRow) and r.parent.errors)
        if not r.data["sector"] and "sector" not in errors and not parent_failed:
            # (after a parent row in error, that row says what to fix)
            errors["sector"] = gettext(
                "请填写所属领域（企业、机关事业单位、社会组织、农村、城市社区或其他）。"
            )
        parent_kind = (parent or {}).get("kind") or ""
        if (
            kind
            and parent_kind in OrgKind.values
            and "kind" not in errors
            and (m is None or kind != m["kind"])
        ):
            reason = org_services.nesting_error(kind, parent_kind)
            if reason is None and m is not None:
                children = selectors.org_child_kinds(str(m["path"]), int(m["depth"]))
                reason = org_services.children_error(kind, children)
            if reason:
                errors["kind"] = reason
        if errors:
            return
        if m is None:
            out.created += 1
        elif r.changes:
            out.updated += 1
        else:
            out.unchanged += 1

    def _unit(self, raw: str) -> int | str:
        units = self.units.get(key(raw)) or self.units.get(raw.replace(" ", "").upper(), [])
        if len(units) == 1:
            return units[0]
        if units:
            return gettext("有%(n)d个单位名为“%(name)s”，请改填该单位的统一社会信用代码。") % {
                "n": len(units),
                "name": raw[:60],
            }
        return gettext(
            "在您可查看的单位名录中找不到“%(name)s”，请核对单位名称或统一社会信用代码，"
            "或先在单位名录中登记该单位。"
        ) % {"name": raw[:60]}

    def _area(self, raw: str, parent: dict[str, Any] | None) -> tuple[int, str] | str:
        parts = split_path(raw)
        base = (parent or {}).get("area_path")
        if parent is None:
            return gettext("上级党组织有误，无法核对所在区域；请先改正上级党组织。")
        if not base:
            return gettext(
                "上级党组织没有设置所在区域，本组织的所在区域无法核对；"
                "请先为上级党组织设置所在区域，或把这一格留空。"
            )
        cands = [a for a in self.areas_by_name.get(parts[-1], []) if a[1].startswith(base)]
        for ancestor in reversed(parts[:-1]):
            cands = [
                a
                for a in cands
                if any(
                    self.area_names.get(a[1][:i]) == ancestor
                    for i in range(STEPLEN, len(a[1]), STEPLEN)
                )
            ]
        if len(cands) == 1:
            return cands[0][0], cands[0][1]
        if cands:
            return gettext(
                "上级党组织所在区域内有%(n)d个区域名为“%(name)s”，请写成“上级区域/%(name)s”以区分。"
            ) % {"n": len(cands), "name": parts[-1]}
        return gettext(
            "在上级党组织所在区域内找不到“%(name)s”，请填写该区域内的街道、社区或小区的名称"
            "（与系统中的名称一致），或把这一格留空。"
        ) % {"name": raw[:60]}

    # ---- writing -----------------------------------------------------------------------------

    def _write(self, order: list[OrgRow], out: OrgOutcome) -> None:
        """Parents first, each through the organization services; a refusal there (the data
        changed since the check) is the row's error and rolls everything back."""
        ids = {o["id"] for r in order for o in (r.match, r.parent) if isinstance(o, dict)}
        objs = Organization.objects.select_related("area", "unit").in_bulk(sorted(ids))
        made: dict[int, Organization] = {}  # row number -> organization written
        for r in order:
            try:
                if r.match is not None:
                    org = objs[r.match["id"]]
                    if r.changes:
                        org_services.org_update(
                            actor=self.actor, org=org, scope=self.scope, **r.changes
                        )
                    made[r.number] = org
                    continue
                p = r.parent
                if isinstance(p, OrgRow):
                    parent = made[p.number]
                else:
                    assert p is not None
                    parent = objs[p["id"]]
                made[r.number] = org_services.org_create(
                    actor=self.actor, parent=parent, scope=self.scope, **r.data
                )
            except ServiceError as e:
                field_name = next(iter(e.fields), "name")
                message = (
                    e.message if field_name == "kind" else e.fields.get(field_name) or e.message
                )
                out.add_errors(r.number, r.name, {field_name: message}, self.titles)
                raise Rollback() from e
