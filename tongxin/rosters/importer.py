"""The member roster import: header mapping, row checks and the bulk write.

One pass over the file, in chunks of CHUNK rows: read the cells, look the chunk's ID numbers up
in one query, apply the member rules (rules.py), and (when committing) write the chunk with
executemany (SQLite) or COPY (PostgreSQL). A commit runs inside one transaction: any error
rolls everything back."""

from __future__ import annotations

import base64
import datetime as dt
import gc
import hashlib
import logging
import multiprocessing
import os
import threading
import traceback
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from itertools import islice
from typing import Any

from django.db import connection
from django.utils import timezone
from django.utils.translation import gettext, gettext_lazy

from tongxin.core import idnumber, pii
from tongxin.core.bulk import bulk_insert
from tongxin.core.errors import ServiceError
from tongxin.core.scope import Scope
from tongxin.geo.models import Area
from tongxin.members.models import Gender, Member, MemberStatus, OrgRelationChange, Standing
from tongxin.members.services import DUPLICATE_ID, MemberInput, _add_years
from tongxin.orgs.models import Organization, OrgKind
from tongxin.rosters import cells, reading, rules, selectors
from tongxin.rosters.header import Column, Header, SheetSpec
from tongxin.rosters.header import find_header as header_find

logger = logging.getLogger(__name__)

CHUNK = 2000
MAX_REPORTED_ERRORS = 1000


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
class Outcome:
    rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    error_rows: int = 0
    errors: list[dict[str, Any]] = field(default_factory=list)
    duplicates_out_of_reach: list[int] = field(default_factory=list)
    header: Header | None = None
    # Rows that import but deserve a look (预备期满未转正): shown on the check page, never
    # blocking the import.
    warnings: list[dict[str, Any]] = field(default_factory=list)
    warning_rows: int = 0
    target: tuple[int, str] | None = None  # (id, name) of the organization chosen at upload
    target_rows: int = 0  # rows without 所在党组织 that go to it
    # The paths of the organizations whose members the file creates or changes.
    org_paths: set[str] = field(default_factory=set)

    def add_errors(self, row: int, name: str, errs: dict[str, str], titles: dict[str, str]) -> None:
        self.error_rows += 1
        for f, msg in errs.items():
            if len(self.errors) >= MAX_REPORTED_ERRORS:
                return
            column = titles.get(f) or str(BY_FIELD[f].label if f in BY_FIELD else f)
            self.errors.append(
                {"row": row, "name": name[:50], "field": f, "column": column, "message": str(msg)}
            )

    def add_warning(self, row: int, name: str, f: str, msg: str, titles: dict[str, str]) -> None:
        self.warning_rows += 1
        if len(self.warnings) < MAX_REPORTED_ERRORS:
            column = titles.get(f) or str(BY_FIELD[f].label)
            self.warnings.append(
                {"row": row, "name": name[:50], "field": f, "column": column, "message": msg}
            )


class Rollback(Exception):
    """Raised inside the commit's transaction when a row is wrong: nothing is kept."""


@dataclass
class _Row:
    number: int
    values: dict[str, Any]
    errors: dict[str, str]
    id_number: str = ""
    index: str = ""
    parsed: idnumber.IdInfo | idnumber.IdNumberError | None = None


class Sealer:
    """pii.encrypt and pii.blind_index for many values: the same format and keys, with the
    nonces drawn from the OS in one call per few thousand values, and the HMAC one-shot.
    tests/rosters/test_rules.py checks that pii.decrypt reads what this writes."""

    POOL = 12 * 4096

    def __init__(self) -> None:
        from django.conf import settings

        self.aes, idx = pii._keys(settings.PII_KEY)
        self.prefix = f"{settings.PII_KEY_ID}:"
        self.pool = b""
        self.at = 0
        # HMAC-SHA256 (RFC 2104) with the key's inner and outer pads hashed once: each value
        # then costs two hash copies instead of a full HMAC set-up.
        block = idx.ljust(64, b"\0")
        self.inner = hashlib.sha256(bytes(b ^ 0x36 for b in block))
        self.outer = hashlib.sha256(bytes(b ^ 0x5C for b in block))

    def encrypt(self, value: str) -> str:
        if self.at + 12 > len(self.pool):
            self.pool, self.at = os.urandom(self.POOL), 0
        nonce = self.pool[self.at : self.at + 12]
        self.at += 12
        return (
            self.prefix
            + base64.b64encode(nonce + self.aes.encrypt(nonce, value.encode(), None)).decode()
        )

    def index(self, value: str) -> str:
        inner = self.inner.copy()
        inner.update(value.encode())
        outer = self.outer.copy()
        outer.update(inner.digest())
        return outer.hexdigest()[:32]


MEMBER_INSERT = [
    "id",
    "name",
    "gender",
    "ethnicity",
    "education",
    "id_number_enc",
    "id_number_index",
    "phone_enc",
    "phone_index",
    "id_number_masked",
    "phone_masked",
    "birth_date",
    "joined_on",
    "confirmed_on",
    "status",
    "standing",
    "org_id",
    "org_path",
    "residence_id",
    "work_unit_id",
    "is_floating",
    "floating_to",
    "is_lost_contact",
    "is_model_post",
    "is_party_household",
    "created_at",
    "updated_at",
]
HISTORY_INSERT = [
    "member_id",
    "kind",
    "from_org_id",
    "to_org_id",
    "from_org_name",
    "to_org_name",
    "on",
    "note",
]


class IdAllocator:
    """Member ids for the rows a commit inserts, so their history rows can point at them.
    SQLite: the transaction holds the write lock (transaction_mode IMMEDIATE), so the next ids
    after the largest ever used are ours. PostgreSQL: drawn from the column's sequence."""

    def __init__(self) -> None:
        self.next_id: int | None = None

    def take(self, n: int) -> list[int]:
        table = Member._meta.db_table
        with connection.cursor() as cur:
            if connection.vendor == "postgresql":
                cur.execute(
                    f"SELECT nextval(pg_get_serial_sequence('{table}', 'id')) "
                    "FROM generate_series(1, %s)",
                    [n],
                )
                return [r[0] for r in cur.fetchall()]
            if self.next_id is None:
                cur.execute(f"SELECT COALESCE(MAX(id), 0) FROM {table}")
                top = cur.fetchone()[0]
                cur.execute("SELECT seq FROM sqlite_sequence WHERE name = %s", [table])
                seq = cur.fetchone()
                self.next_id = max(top, seq[0] if seq else 0) + 1
        first = self.next_id
        self.next_id += n
        return list(range(first, first + n))


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
        self.parallel = commit and parallel_possible(path)
        if self.parallel:
            return self._run_parallel(path, file_format, original_name)
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

    # ---- the pass in two processes -----------------------------------------------------------

    def _run_parallel(self, path: Any, file_format: str, original_name: str) -> Outcome:
        """A large commit on two cores: a forked child reads the file, checks every row (looking
        ID numbers up on a connection of its own) and encrypts, chunk by chunk; this process
        writes each chunk in the caller's transaction as it arrives. The pipe between them
        holds a few chunks, so neither runs far ahead. The child sees the database as it was
        when the import began: a number written twice in the file is caught by the file's own
        duplicate check, and a member registered by someone else meanwhile fails the unique
        index and rolls the whole import back."""
        ctx = multiprocessing.get_context("fork")
        receive, send = ctx.Pipe(duplex=False)
        child = ctx.Process(
            target=_child_main,
            args=(self, path, file_format, original_name, send, receive),
            daemon=True,
        )
        # The child's garbage collector would touch every object it inherited and so copy the
        # parent's whole heap page by page; frozen objects are left alone.
        gc.freeze()
        try:
            child.start()
        finally:
            gc.unfreeze()
        send.close()
        out: Outcome | None = None
        finished = False
        try:
            with bulk_cache(enabled=True):
                while out is None:
                    message = self._receive(receive, child)
                    kind = message[0]
                    if kind == "chunk":
                        if message[1] or message[2]:
                            self._write(message[1], message[2])
                    elif kind == "done":
                        out = message[1]
                    elif kind == "refused":
                        raise ServiceError(message[1], fields=message[2])
                    else:
                        logger.error("roster check process failed:\n%s", message[1])
                        raise RuntimeError("roster check process failed")
                if out.error_rows == 0:
                    self._write_history()
            finished = True
        finally:
            receive.close()
            if not finished:
                # This process failed while the child may still be checking or blocked on the
                # full pipe: stop it now, before the caller's transaction rolls back.
                child.kill()
            child.join()
        self.last_outcome = out
        if out.error_rows:
            raise Rollback()
        return out

    @staticmethod
    def _receive(receive: Any, child: Any) -> Any:
        """The child's next message. A child that dies or falls silent for CHILD_SILENCE
        seconds (a chunk takes well under one) fails the import instead of holding the
        transaction open."""
        waited = 0.0
        while not receive.poll(1.0):
            waited += 1.0
            if not child.is_alive() and not receive.poll(0):
                raise RuntimeError("roster check process ended without a result")
            if waited >= CHILD_SILENCE:
                raise RuntimeError("roster check process stopped answering")
        try:
            return receive.recv()
        except EOFError:
            raise RuntimeError("roster check process ended without a result") from None

    def _child_pass(self, path: Any, file_format: str, original_name: str, send: Any) -> None:
        """In the child: the whole check, sending each chunk's rows while the file has no
        error (after the first error only the report matters)."""
        raw = connection.get_new_connection(connection.get_connection_params())
        try:
            self.lookup = lambda indexes: members_by_index_raw(raw, indexes)
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
                        hit = memo[key] = (True, self._convert(f, raw))
                    except cells.CellError as e:
                        hit = memo[key] = (False, str(e))
                if hit[0]:
                    values[f] = hit[1]
                else:
                    errors[f] = hit[1]
                continue
            try:
                values[f] = self._convert(f, raw)
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

    @staticmethod
    def _convert(f: str, raw: object) -> Any:
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
                f"UPDATE {Member._meta.db_table} SET {sets}, {phone}, updated_at = %s WHERE id = %s"
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
            f"INSERT INTO {OrgRelationChange._meta.db_table} ({cols}) "
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


BULK_CACHE_KIB = 256 * 1024


@contextmanager
def bulk_cache(*, enabled: bool) -> Iterator[None]:
    """A large SQLite page cache while a commit writes: members_member's indexes (ID and phone
    blind indexes land at random places) are far larger than the connection's usual cache, and
    with it each insert reads pages back from the file. The connection's own size returns after."""
    if not enabled or connection.vendor != "sqlite":
        yield
        return
    with connection.cursor() as cur:
        cur.execute("PRAGMA cache_size")
        before = cur.fetchone()[0]
        cur.execute(f"PRAGMA cache_size = -{BULK_CACHE_KIB}")
    try:
        yield
    finally:
        with connection.cursor() as cur:
            cur.execute(f"PRAGMA cache_size = {int(before)}")


def no_data_rows() -> str:
    return gettext("表格中只有表头，没有党员数据：请从表头下一行起每行填写一名党员。")


PARALLEL_BYTES_DEFAULT = 2 * 1024 * 1024  # about 35,000 rows of xlsx
CHILD_SILENCE = 300  # seconds without a message from the check process before giving up


def parallel_possible(path: Any) -> bool:
    """Whether a commit of this file reads and checks in a second process: a large file,
    where fork exists, and a database a second connection can open (not SQLite in memory,
    as the test database is)."""
    from django.conf import settings

    limit = int(getattr(settings, "ROSTER_PARALLEL_BYTES", PARALLEL_BYTES_DEFAULT))
    if "fork" not in multiprocessing.get_all_start_methods():
        return False
    if threading.current_thread() is not threading.main_thread():
        # A request thread of a threaded web server: another thread may hold a lock (logging,
        # imports) at the fork, which the child would never see released. The task worker and
        # single-threaded servers run imports on their main thread.
        return False
    if connection.vendor == "sqlite" and connection.is_in_memory_db():  # type: ignore[attr-defined]
        return False
    try:
        return os.path.getsize(path) >= limit
    except OSError:
        return False


def _child_main(
    importer: MemberImport, path: Any, file_format: str, original_name: str, send: Any, receive: Any
) -> None:
    """The forked child's whole life. It never touches the connections it inherited (they
    belong to the parent's transaction) and leaves through os._exit, as multiprocessing's
    fork does, so no finalizer closes them either. It closes its copy of the pipe's reading
    end first: once the parent stops reading, sending fails instead of blocking."""
    receive.close()
    try:
        try:
            importer._child_pass(path, file_format, original_name, send)
        except ServiceError as e:
            send.send(("refused", e.message, e.fields))
        except Exception as e:
            # Where it failed, not the message: messages can quote cell values (ID numbers).
            where = "".join(traceback.format_tb(e.__traceback__))
            send.send(("failed", f"{where}{type(e).__name__}"))
    except OSError:
        pass  # the parent stopped listening: it has failed already and rolls back
    finally:
        send.close()


MATCH_SQL_COLUMNS = [
    ("id", "m.id"),
    ("id_number_index", "m.id_number_index"),
    ("org_id", "m.org_id"),
    ("org_path", "m.org_path"),
    ("residence__path", "a.path"),
    ("name", "m.name"),
    ("ethnicity", "m.ethnicity"),
    ("education", "m.education"),
    ("status", "m.status"),
    ("standing", "m.standing"),
    ("joined_on", "m.joined_on"),
    ("confirmed_on", "m.confirmed_on"),
    ("is_floating", "m.is_floating"),
    ("floating_to", "m.floating_to"),
    ("is_lost_contact", "m.is_lost_contact"),
    ("is_model_post", "m.is_model_post"),
    ("is_party_household", "m.is_party_household"),
    ("phone_enc", "m.phone_enc"),
]
_DATE_KEYS = ("joined_on", "confirmed_on")
_BOOL_KEYS = ("is_floating", "is_lost_contact", "is_model_post", "is_party_household")


def members_by_index_raw(raw: Any, indexes: list[str]) -> list[dict[str, Any]]:
    """selectors.members_by_index on a driver connection of the child's own, as the same
    dicts (dates as dates, flags as booleans). tests/rosters/test_parallel.py compares both."""
    if not indexes:
        return []
    cols = ", ".join(expr for _k, expr in MATCH_SQL_COLUMNS)
    keys = [k for k, _e in MATCH_SQL_COLUMNS]
    base = (
        f"SELECT {cols} FROM {Member._meta.db_table} m LEFT JOIN {Area._meta.db_table} a "
        f"ON a.id = m.residence_id WHERE "
    )
    cur = raw.cursor()
    try:
        if connection.vendor == "postgresql":
            cur.execute(base + "m.id_number_index = ANY(%s)", [indexes])
        else:
            cur.execute(base + f"m.id_number_index IN ({', '.join('?' * len(indexes))})", indexes)
        out = []
        for row in cur.fetchall():
            d = dict(zip(keys, row, strict=True))
            for k in _DATE_KEYS:
                if isinstance(d[k], str):
                    d[k] = dt.date.fromisoformat(d[k])
            for k in _BOOL_KEYS:
                d[k] = bool(d[k])
            out.append(d)
        return out
    finally:
        cur.close()


def pii_rotating() -> bool:
    from django.conf import settings

    return bool(settings.PII_OLD_KEYS)
