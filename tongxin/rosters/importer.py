"""The member roster import: the pass over the file, the row checks and the write. The sheet's
columns are in member_columns, the bulk write's pieces in member_writing, the two-process
commit in member_parallel, the report in outcome.

One pass over the file, in chunks of CHUNK rows: read the cells, look the chunk's ID numbers up
in one query, apply the member rules (rules.py), and (when committing) write the chunk with
executemany (SQLite) or COPY (PostgreSQL). A commit runs inside one transaction: any error
rolls everything back."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from itertools import islice
from typing import Any

from django.db import connection
from django.utils import timezone
from django.utils.translation import gettext

from tongxin.core import idnumber, pii
from tongxin.core.bulk import bulk_insert
from tongxin.core.errors import ServiceError
from tongxin.core.scope import Scope
from tongxin.members.models import Gender, Member, MemberStatus, OrgRelationChange, Standing
from tongxin.members.services import DUPLICATE_ID, MemberInput, _add_years
from tongxin.orgs.models import Organization, OrgKind
from tongxin.rosters import cells, member_columns, member_parallel, reading, rules, selectors
from tongxin.rosters.header import Header
from tongxin.rosters.member_columns import (
    GENDER_NAMES,
    MEMO_FIELDS,
    UPDATE_FIELDS,
    find_header,
    no_data_rows,
)
from tongxin.rosters.member_writing import (
    HISTORY_INSERT,
    MEMBER_INSERT,
    IdAllocator,
    Sealer,
    bulk_cache,
)
from tongxin.rosters.outcome import Outcome, Rollback

CHUNK = 2000


class OrgIndex:
    """The organizations the importer may register members in, found by name, by
    "上级/本级" names, or by tree path."""

    def __init__(self, rows: list[tuple[int, str, str, str]]):
        self.by_id: dict[int, tuple[int, str, str, str]] = {r[0]: r for r in rows}
        self.by_path: dict[str, tuple[int, str, str, str]] = {r[1]: r for r in rows}
        self.by_name: dict[str, list[tuple[int, str, str, str]]] = {}
        for r in rows:
            self.by_name.setdefault(cells.text(r[2]), []).append(r)
        self.memo: dict[str, tuple[int, str, str, str] | str] = {}

    def resolve(self, raw: str) -> tuple[int, str, str, str] | str:
        """The organization row, or the message saying why none was found."""
        if raw in self.memo:
            return self.memo[raw]
        found = self._resolve(raw)
        self.memo[raw] = found
        return found

    def _resolve(self, raw: str) -> tuple[int, str, str, str] | str:
        if not raw:
            return gettext("请填写所在党组织，或在上传时选择导入到哪个党组织。")
        if raw in self.by_path:
            return self.by_path[raw]
        parts = [p.strip() for p in raw.replace("／", "/").split("/") if p.strip()]
        candidates = list(self.by_name.get(parts[-1], [])) if parts else []
        for ancestor in reversed(parts[:-1]):
            candidates = [c for c in candidates if self._has_ancestor(c[1], ancestor)]
        if len(candidates) == 1:
            return candidates[0]
        if not candidates:
            return gettext(
                "在您的管辖范围内找不到党组织“%(name)s”，请核对名称（应与系统中的名称完全一致）。"
            ) % {"name": raw[:60]}
        return gettext(
            "您的管辖范围内有%(n)d个党组织名为“%(name)s”，请写成“上级组织名称/%(name)s”以区分。"
        ) % {"n": len(candidates), "name": parts[-1][:60]}

    def _has_ancestor(self, path: str, name: str) -> bool:
        step = 4
        for i in range(step, len(path), step):
            row = self.by_path.get(path[:i])
            if row is not None and cells.text(row[2]) == name:
                return True
        return False


@dataclass
class _Row:
    number: int
    values: dict[str, Any]
    errors: dict[str, str]
    id_number: str = ""
    index: str = ""
    parsed: idnumber.IdInfo | idnumber.IdNumberError | None = None


class MemberImport:
    def __init__(
        self, *, scope: Scope, today: dt.date | None = None, target_org_id: int | None = None
    ):
        """`target_org_id`: the organization chosen at upload, where rows that name none go."""
        self.scope = scope
        self.today = today or timezone.localdate()
        self.orgs = OrgIndex(selectors.orgs_for_import(scope))
        self.target_org_id = target_org_id
        self.target: tuple[int, str, str, str] | None = None
        self.seen: dict[str, int] = {}  # blind index -> first row number
        self.ids = IdAllocator()
        self.lookup: Callable[[list[str]], list[dict[str, Any]]] = selectors.members_by_index
        self.parallel = False  # whether the last run read and checked in a second process
        self.created_ids: list[Any] = []  # SQLite: (first, last) id ranges; PostgreSQL: id lists
        self.sealer = Sealer()
        self.memo: dict[tuple[str, object], tuple[bool, Any]] = {}
        self.rotating = pii_rotating()  # earlier keys' indexes are looked up too
        self.now = timezone.now()
        self.now_db: Any = (
            connection.ops.adapt_datetimefield_value(self.now)
            if connection.vendor == "sqlite"
            else self.now
        )
        self.last_outcome: Outcome | None = None

    # ---- the pass ----------------------------------------------------------------------------

    def run(
        self,
        path: Any,
        file_format: str,
        original_name: str,
        *,
        commit: bool,
        progress: Callable[[int, int], None] | None = None,
    ) -> Outcome:
        self._resolve_target()
        self.parallel = commit and member_parallel.parallel_possible(path)
        if self.parallel:
            return member_parallel.run_parallel(self, path, file_format, original_name)
        total, it = reading.rows(path, file_format, original_name)
        header = self._header(it)
        out = self._outcome(header)
        self.last_outcome = out
        with bulk_cache(enabled=commit):
            while chunk := list(islice(it, CHUNK)):
                self._chunk(chunk, header, out, write=commit and out.error_rows == 0)
                if progress is not None:
                    progress(out.rows, total)
            if commit and out.error_rows == 0:
                self._write_history()
        if out.rows == 0:
            raise ServiceError(no_data_rows(), fields={"file": gettext("没有数据行。")})
        self.last_outcome = out
        if commit and out.error_rows:
            raise Rollback()
        return out

    def _resolve_target(self) -> None:
        """The chosen organization, which must still be in reach when the job runs (the
        importer's roles may have changed since the upload)."""
        if self.target_org_id is None:
            return
        target = self.orgs.by_id.get(self.target_org_id)
        if target is None or target[3] == OrgKind.GROUP:
            raise ServiceError(
                gettext(
                    "上传时选择的党组织已不在您的管辖范围内，没有写入任何数据。"
                    "请重新上传，并选择您管理的党组织。"
                ),
                fields={"org": gettext("请选择您管理的党组织。")},
            )
        self.target = target

    def _header(self, it: Iterator[tuple[int, list[object]]]) -> Header:
        """The header row; without a 所在党组织 column the rows need the chosen organization."""
        header = find_header(it)
        if "org" not in header.titles and self.target is None:
            raise ServiceError(
                gettext(
                    "表格中没有“所在党组织”列：请在上传时选择导入到哪个党组织，"
                    "或在表格中加上“所在党组织”列后再上传。"
                ),
                fields={"org": gettext("请选择导入到哪个党组织。")},
            )
        return header

    def _outcome(self, header: Header) -> Outcome:
        out = Outcome(header=header)
        if self.target is not None:
            out.target = (self.target[0], cells.text(self.target[2]))
        return out

    def _chunk(
        self, chunk: list[tuple[int, list[object]]], header: Header, out: Outcome, *, write: bool
    ) -> None:
        creates, updates = self._check_chunk(chunk, header, out)
        if write and out.error_rows == 0:
            self._write(creates, updates)

    def _check_chunk(
        self, chunk: list[tuple[int, list[object]]], header: Header, out: Outcome
    ) -> tuple[list[tuple[Any, ...]], list[tuple[Any, ...]]]:
        """The chunk's rows to insert and to update; errors go to ``out``."""
        parsed = [r for r in (self._cells(n, row, header) for n, row in chunk) if r is not None]
        out.rows += len(parsed)
        lookup: dict[str, list[str]] = {}
        for r in parsed:
            if r.index:
                lookup[r.index] = pii.blind_indexes(r.id_number) if self.rotating else [r.index]
        found: dict[str, dict[str, Any]] = {}
        all_indexes = [i for idx in lookup.values() for i in idx]
        for m in self.lookup(all_indexes):
            found[str(m["id_number_index"])] = m
        creates: list[tuple[Any, ...]] = []
        updates: list[tuple[Any, ...]] = []
        for r in parsed:
            existing = None
            if r.index:
                existing = next((found[i] for i in lookup[r.index] if i in found), None)
            row_out = self._check(r, existing, header, out)
            if row_out is None:
                continue
            kind, payload = row_out
            if kind == "create":
                creates.append(payload)
            elif kind == "update":
                updates.append(payload)
        out.created += len(creates)
        out.updated += len(updates)
        return creates, updates

    def _child_pass(self, path: Any, file_format: str, original_name: str, send: Any) -> None:
        """In the child: the whole check, sending each chunk's rows while the file has no
        error (after the first error only the report matters)."""
        raw = connection.get_new_connection(connection.get_connection_params())
        try:
            self.lookup = lambda indexes: member_parallel.members_by_index_raw(raw, indexes)
            _total, it = reading.rows(path, file_format, original_name)
            header = self._header(it)
            out = self._outcome(header)
            while chunk := list(islice(it, CHUNK)):
                creates, updates = self._check_chunk(chunk, header, out)
                if out.error_rows == 0:
                    send.send(("chunk", creates, updates))
            if out.rows == 0:
                raise ServiceError(no_data_rows(), fields={"file": gettext("没有数据行。")})
            send.send(("done", out))
        finally:
            raw.close()

    def _cells(self, number: int, row: list[object], header: Header) -> _Row | None:
        values: dict[str, Any] = {}
        errors: dict[str, str] = {}
        blank = True
        memo = self.memo
        for i, f in header.columns.items():
            raw = row[i] if i < len(row) else None
            if raw is not None and raw != "":
                blank = False
            if f in MEMO_FIELDS:
                # Few distinct values (organizations, categories, dates): converted once each.
                key = (f, raw)
                hit = memo.get(key)
                if hit is None:
                    if len(memo) > 200_000:
                        memo.clear()
                    try:
                        hit = memo[key] = (True, member_columns.convert(f, raw))
                    except cells.CellError as e:
                        hit = memo[key] = (False, str(e))
                if hit[0]:
                    values[f] = hit[1]
                else:
                    errors[f] = hit[1]
                continue
            try:
                values[f] = member_columns.convert(f, raw)
            except cells.CellError as e:
                errors[f] = str(e)
        if blank:
            return None  # empty rows (often hundreds of formatted ones at the end) are skipped
        r = _Row(number, values, errors)
        if "id_number" not in errors:
            r.id_number = values.get("id_number", "")
            if not r.id_number:
                errors["id_number"] = gettext("请填写身份证号码。")
            else:
                r.parsed = rules.parse_id(r.id_number, self.today)
                if isinstance(r.parsed, idnumber.IdInfo):
                    r.id_number = r.parsed.number
                    r.index = self.sealer.index(r.parsed.number)
        return r

    def _check(
        self, r: _Row, existing: dict[str, Any] | None, header: Header, out: Outcome
    ) -> tuple[str, Any] | None:
        v = r.values
        errors = dict(r.errors)
        if r.index:
            first = self.seen.get(r.index)
            if first is not None:
                errors["id_number"] = gettext(
                    "与第%(row)d行的身份证号码相同：同一名党员只能出现一次，请删除重复的行。"
                ) % {"row": first}
            else:
                self.seen[r.index] = r.number
        to_target = not v.get("org") and self.target is not None
        resolved = self.target if to_target else self.orgs.resolve(v.get("org", ""))
        assert resolved is not None
        org: tuple[int, str, str, str] | None = None
        if isinstance(resolved, str):
            errors.setdefault("org", resolved)
        else:
            org = resolved
        base = existing or {}
        # 学历 and 民族 are optional: a blank cell registers nothing (an update keeps what is
        # stored), never a guess.
        education = (
            cells.choice(v["education"], cells.EDUCATION_WORDS, rules.EDUCATIONS)
            if v.get("education")
            else base.get("education", "")
        )
        status = (
            cells.choice(v["status"], cells.STATUS_WORDS, rules.STATUSES)
            if "status" in v
            else base.get("status", "")
        )
        standing = (
            cells.choice(v["standing"], cells.STANDING_WORDS, rules.STANDINGS)
            if "standing" in v
            else base.get("standing", Standing.NORMAL)
        )
        if "standing" in v and existing is not None and v["standing"] == "":
            standing = existing["standing"]
        joined = v.get("joined_on") or (None if "joined_on" in v else base.get("joined_on"))
        confirmed = v.get("confirmed_on") if "confirmed_on" in v else base.get("confirmed_on")
        if (
            existing is not None
            and "confirmed_on" in v
            and confirmed is None
            and "confirmed_on" not in errors
        ):
            confirmed = existing["confirmed_on"]  # an empty cell keeps what is stored
        ethnicity = v.get("ethnicity", "") or base.get("ethnicity") or ""
        phone = v.get("phone", "")
        data = MemberInput(
            name=v.get("name", ""),
            id_number=r.id_number,
            education=education,
            joined_on=joined or self.today,
            status=status,
            org=None,  # type: ignore[arg-type]
            ethnicity=ethnicity,
            phone=phone,
            confirmed_on=confirmed,
            standing=standing,
            is_floating=v.get("is_floating", base.get("is_floating", False)),
            floating_to=v.get("floating_to", base.get("floating_to", "")),
            is_lost_contact=v.get("is_lost_contact", base.get("is_lost_contact", False)),
            is_model_post=v.get("is_model_post", base.get("is_model_post", False)),
            is_party_household=v.get("is_party_household", base.get("is_party_household", False)),
        )
        rule_errors, info, phone = rules.member_errors(
            data, today=self.today, org_kind=org[3] if org else "", parsed=r.parsed
        )
        if joined is None:
            rule_errors.pop("confirmed_on", None)
            rule_errors["joined_on"] = gettext("请填写入党日期。")
        if v.get("education") and not education:  # written, but none of the list
            rule_errors["education"] = gettext(
                "学历“%(value)s”无法识别，请填写小学及以下、初中、高中、中专、大专、本科或研究生。"
            ) % {"value": v["education"][:20]}
        gender = v.get("gender", "")
        if gender and info is not None and gender != info.gender:
            # The ID number decides the stored sex: a file that says otherwise is wrong in
            # one of the two, and only the secretary knows which.
            rule_errors["gender"] = gettext(
                "性别填写为“%(written)s”，但身份证号码显示为%(id_gender)s，请核对。"
            ) % {"written": Gender(gender).label, "id_gender": GENDER_NAMES[info.gender]}
        if "status" in rule_errors:
            rule_errors["status"] = (
                gettext("党员类别“%(value)s”无法识别，请填写“正式党员”或“预备党员”。")
                % {"value": v["status"][:20]}
                if v.get("status")
                else gettext("请填写党员类别（正式党员或预备党员）。")
            )
        if "standing" in rule_errors:
            rule_errors["standing"] = gettext(
                "党籍状态“%(value)s”无法识别，请填写正常、保留党籍或停止党籍。"
            ) % {"value": v.get("standing", "")[:20]}
        if len(data.name) > 50:
            rule_errors["name"] = gettext("姓名不能超过50个字。")
        if len(data.floating_to) > 200:
            rule_errors["floating_to"] = gettext("流动去向不能超过200个字。")
        if len(data.ethnicity) > 20:
            rule_errors["ethnicity"] = gettext("民族不能超过20个字。")
        for k, msg in rule_errors.items():
            errors.setdefault(k, msg)
        if not errors and existing is not None:
            residence = existing["residence__path"]
            if not self.scope.reaches_org("members.manage", str(existing["org_path"]), residence):
                errors["id_number"] = str(DUPLICATE_ID)
                out.duplicates_out_of_reach.append(int(existing["id"]))
            elif org is not None and existing["org_id"] != org[0]:
                current = self.orgs.by_path.get(str(existing["org_path"]))
                errors["org"] = gettext(
                    "该党员现在的组织关系在“%(org)s”：导入不能变更所在党组织，"
                    "如需转出转入，请办理组织关系转接。"
                ) % {"org": current[2] if current else gettext("其他党组织")}
        if errors:
            out.add_errors(r.number, data.name, errors, header.titles)
            return None
        assert info is not None and org is not None
        if to_target:
            out.target_rows += 1
        if (
            data.status == MemberStatus.PROBATIONARY
            and data.confirmed_on is None
            and _add_years(data.joined_on, 1) < self.today
        ):
            # 《党章》第七条: 预备期为一年 (extendable once, by up to a year): a 预备党员
            # whose year has passed is either 转正 unrecorded, extended, or overdue.
            out.add_warning(
                r.number,
                data.name,
                "status",
                gettext(
                    "预备期已于%(due)s期满（%(joined)s入党），尚未登记转正。已转正的请改为“正式党员”"
                    "并填写转正日期；延长预备期的请核实。导入后列入应建尽建检查的“预备期满未转正”。"
                )
                % {
                    "due": _add_years(data.joined_on, 1).isoformat(),
                    "joined": data.joined_on.isoformat(),
                },
                header.titles,
            )
        if existing is not None:
            result = self._update_row(existing, data, phone, out)
            if result is not None and result[0] == "update":
                out.org_paths.add(org[1])
            return result
        out.org_paths.add(org[1])
        return "create", self._create_row(data, info, r.index, phone, org)

    def _create_row(
        self,
        d: MemberInput,
        info: idnumber.IdInfo,
        id_index: str,
        phone: str,
        org: tuple[int, str, str, str],
    ) -> tuple[Any, ...]:
        """The row in MEMBER_INSERT order but the id (given when written), dates as ISO text."""
        seal = self.sealer
        now = self.now_db
        return (
            d.name.strip(),
            info.gender,
            d.ethnicity.strip(),
            d.education,
            seal.encrypt(info.number),
            id_index,
            seal.encrypt(phone) if phone else "",
            seal.index(phone) if phone else "",
            idnumber.mask(info.number),
            pii.mask_phone(phone) if phone else "",
            info.birth_date.isoformat(),
            d.joined_on.isoformat(),
            d.confirmed_on.isoformat() if d.confirmed_on else None,
            d.status,
            d.standing,
            org[0],
            org[1],
            None,
            None,
            d.is_floating,
            d.floating_to.strip(),
            d.is_lost_contact,
            d.is_model_post,
            d.is_party_household,
            now,
            now,
        )

    def _update_row(
        self, existing: dict[str, Any], d: MemberInput, phone: str, out: Outcome
    ) -> tuple[str, Any] | None:
        new = {f: getattr(d, f) for f in UPDATE_FIELDS}
        new["name"] = d.name.strip()
        new["ethnicity"] = d.ethnicity.strip()
        new["floating_to"] = d.floating_to.strip()
        changed = any(existing[f] != new[f] for f in UPDATE_FIELDS)
        stored_phone = pii.decrypt(existing["phone_enc"]) if existing["phone_enc"] else ""
        phone = phone or stored_phone  # an empty cell keeps the stored number
        phone_changed = phone != stored_phone
        if not changed and not phone_changed:
            out.unchanged += 1
            return "unchanged", None
        phone_cols: tuple[str | None, ...] = (None, None, None)
        if phone_changed:
            phone_cols = (pii.encrypt(phone), pii.blind_index(phone), pii.mask_phone(phone))
        return "update", (*[new[f] for f in UPDATE_FIELDS], *phone_cols, self.now, existing["id"])

    # ---- writing -----------------------------------------------------------------------------

    def _write(self, creates: list[tuple[Any, ...]], updates: list[tuple[Any, ...]]) -> None:
        if creates:
            ids = self.ids.take(len(creates))
            bulk_insert(
                Member._meta.db_table,
                MEMBER_INSERT,
                [(i, *row) for i, row in zip(ids, creates, strict=True)],
            )
            self.created_ids.append((ids[0], ids[-1]) if connection.vendor == "sqlite" else ids)
        if updates:
            sets = ", ".join(f"{connection.ops.quote_name(f)} = %s" for f in UPDATE_FIELDS)
            phone = (
                "phone_enc = COALESCE(%s, phone_enc), phone_index = COALESCE(%s, phone_index),"
                " phone_masked = COALESCE(%s, phone_masked)"
            )
            sql = (
                # (SQL names from model metadata and constants; every value is a parameter)
                f"UPDATE {Member._meta.db_table} SET {sets}, {phone}, updated_at = %s WHERE id = %s"  # noqa: S608
            )
            with connection.cursor() as cur:
                cur.executemany(sql, updates)

    def _write_history(self) -> None:
        """登记入册 history for every member created, as member_create writes it: built by the
        database from the rows just written (the organization's name joined there), in one
        statement per id range after all members are in, not sent row by row."""
        if not self.created_ids:
            return
        q = connection.ops.quote_name
        cols = ", ".join(q(c) for c in HISTORY_INSERT)
        sql = (
            # (SQL names from model metadata and constants; every value is a parameter)
            f"INSERT INTO {OrgRelationChange._meta.db_table} ({cols}) "  # noqa: S608
            f"SELECT m.id, 'joined', NULL, m.org_id, '', o.name, m.joined_on, %s "
            f"FROM {Member._meta.db_table} m JOIN {Organization._meta.db_table} o "
            f"ON o.id = m.org_id WHERE "
        )
        note = gettext("名册导入")
        with connection.cursor() as cur:
            if connection.vendor == "sqlite":
                # The allocator hands out one unbroken run of ids: one range for the whole file.
                first, last = self.created_ids[0][0], self.created_ids[-1][-1]
                cur.execute(sql + "m.id BETWEEN %s AND %s", [note, first, last])
            else:
                ids = [i for chunk in self.created_ids for i in chunk]
                cur.execute(sql + "m.id = ANY(%s)", [note, ids])
        self.created_ids = []


def pii_rotating() -> bool:
    from django.conf import settings

    return bool(settings.PII_OLD_KEYS)
