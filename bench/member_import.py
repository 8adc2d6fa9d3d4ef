"""member_import: a generated roster of N members (the scale's member count) imported through
our import path vs plain executemany (SQLite) / COPY (PostgreSQL) of the same members.

Ours: read the xlsx with python-calamine, map the headers, normalize and check every cell and
row (the member rules, the organization by name within the importer's scope, duplicates in the
file and in the database by blind index), encrypt ID and phone numbers, compute their blind
indexes and masks, and write members and their relation history in one transaction, with the
audit row. Baseline ("the same schema"): the member rows only, encrypted beforehand (untimed),
written with one executemany / COPY into members_member itself, with its indexes and foreign
keys, committed (and removed before the next step). Also reported: the same rows into a copy
of members_member without foreign keys (copy_table), the baseline of earlier figures; on
PostgreSQL the foreign keys are deferred triggers checked row by row at commit, which is most
of the difference. The roster file and the baseline rows are generated once, untimed.

Files from 2 MB up are committed by two processes (rosters.member_parallel.run_parallel): a
forked child reads and checks while this process writes; the figures say which path ran.

Peak memory: the process's peak RSS (VmHWM) during our import, after resetting it
(/proc/self/clear_refs), and that peak minus the RSS just before (what the import itself
added; the baseline's pre-built rows and the demo plan live in the same process); with two
processes, also the check process's peak private memory."""

from __future__ import annotations

import datetime as dt
import os
import random
import tempfile
import threading
import time
from pathlib import Path
from statistics import median
from typing import Any

import xlsxwriter
from django.db import connection, transaction
from django.utils import timezone

from bench.benchmarks import COPY_TABLE, create_copy_table, drop_copy_table, ensure_demo
from bench.util import Context, report
from tongxin.core import idnumber, pii
from tongxin.core.audit import audit
from tongxin.core.scope import Scope
from tongxin.members.models import Member, OrgRelationChange
from tongxin.orgs.models import Organization, OrgKind
from tongxin.rosters.importer import MemberImport
from tongxin.rosters.member_writing import MEMBER_INSERT

REGION = "540102"  # not used by the demo city: every generated number is new
HEADER = [
    "姓名",
    "身份证号码",
    "所在党组织",
    "党员类别",
    "入党日期",
    "转正日期",
    "学历",
    "民族",
    "手机号码",
    "流动党员",
]
EDU = ["本科", "大专", "高中", "初中", "研究生", "小学"]
EDU_VALUE = {
    "本科": "bachelor",
    "大专": "college",
    "高中": "senior",
    "初中": "junior",
    "研究生": "postgraduate",
    "小学": "primary",
}


def _status(name: str) -> int:
    out = {}
    for line in Path("/proc/self/status").read_text().splitlines():
        key, _, value = line.partition(":")
        if key in ("VmRSS", "VmHWM"):
            out[key] = int(value.split()[0]) // 1024
    return out.get(name, 0)


def _reset_peak() -> bool:
    try:
        Path("/proc/self/clear_refs").write_text("5")
        return True
    except OSError:
        return False


class ChildMemory:
    """The largest private memory (Private_Clean + Private_Dirty of smaps_rollup) of any child
    process, sampled every 0.2 s on a thread until stop()."""

    def __init__(self) -> None:
        self.peak_kb = 0
        self.done = threading.Event()
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def _run(self) -> None:
        pid = os.getpid()
        while not self.done.wait(0.2):
            try:
                children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
            except OSError:
                return
            for child in children:
                try:
                    text = Path(f"/proc/{child}/smaps_rollup").read_text()
                except OSError:
                    continue
                kb = sum(
                    int(line.split()[1])
                    for line in text.splitlines()
                    if line.startswith(("Private_Clean:", "Private_Dirty:"))
                )
                self.peak_kb = max(self.peak_kb, kb)

    def stop(self) -> int:
        self.done.set()
        self.thread.join()
        return self.peak_kb // 1024


def branch_labels() -> list[tuple[int, str, str]]:
    """(id, path, what the roster writes in 所在党组织) for every branch: its name, or
    "上级/本级" when the name is not unique in the city."""
    rows = list(Organization.objects.values_list("id", "path", "name", "kind"))
    by_path = {p: n for _i, p, n, _k in rows}
    counts: dict[str, int] = {}
    for _i, _p, n, _k in rows:
        counts[n] = counts.get(n, 0) + 1
    pair_counts: dict[tuple[str, str], int] = {}
    for _i, p, n, _k in rows:
        key = (by_path.get(p[:-4], ""), n)
        pair_counts[key] = pair_counts.get(key, 0) + 1
    out = []
    for i, p, n, k in rows:
        if k != OrgKind.BRANCH:
            continue
        if counts[n] == 1:
            out.append((i, p, n))
        elif pair_counts[(by_path.get(p[:-4], ""), n)] == 1:
            out.append((i, p, f"{by_path.get(p[:-4], '')}/{n}"))
        else:
            out.append((i, p, p))
    return out


def generate(n: int, branches: list[tuple[int, str, str]], path: Path) -> list[tuple[Any, ...]]:
    """Write the roster xlsx (text cells, as the template asks) and return the same members
    as rows for the baseline, already encrypted."""
    rng = random.Random(7)
    today = timezone.localdate()
    wb = xlsxwriter.Workbook(str(path), {"constant_memory": True})
    ws = wb.add_worksheet("党员名册")
    ws.write_row(0, 0, HEADER)
    rows: list[tuple[Any, ...]] = []
    now = timezone.now().isoformat(" ")
    first_id = 10_000_000
    day0 = dt.date(1950, 1, 1)
    for k in range(n):
        birth = day0 + dt.timedelta(days=k // 1000 % 18000)
        number = idnumber.make(REGION, birth, k % 1000)
        org_id, org_path, label = branches[k % len(branches)]
        joined = dt.date(birth.year + 20, birth.month, min(birth.day, 28))
        probationary = rng.random() < 0.04 or (today - joined).days < 400
        if probationary:
            joined = today - dt.timedelta(days=rng.randint(30, 300))
        # a year of probation and a day more (also across 29 February)
        confirmed = None if probationary else joined + dt.timedelta(days=367)
        edu = EDU[k % len(EDU)]
        phone = f"1{rng.choice('35789')}{rng.randint(0, 999999999):09d}"
        name = f"测试{k:06d}"
        ws.write_row(
            k + 1,
            0,
            [
                name,
                number,
                label,
                "预备党员" if probationary else "正式党员",
                joined.isoformat(),
                confirmed.isoformat() if confirmed else "",
                edu,
                "汉族",
                phone,
                "否",
            ],
        )
        gender = "M" if int(number[16]) % 2 else "F"
        rows.append(
            (
                first_id + k,
                name,
                gender,
                "汉族",
                EDU_VALUE[edu],
                pii.encrypt(number),
                pii.blind_index(number),
                pii.encrypt(phone),
                pii.blind_index(phone),
                idnumber.mask(number),
                pii.mask_phone(phone),
                birth.isoformat(),
                joined.isoformat(),
                confirmed.isoformat() if confirmed else None,
                "probationary" if probationary else "full",
                "normal",
                org_id,
                org_path,
                None,
                None,
                False,
                "",
                False,
                False,
                False,
                now,
                now,
            )
        )
    wb.close()
    return rows


def run(ctx: Context) -> None:
    ensure_demo(ctx)
    city = Organization.objects.get(depth=1)
    n = Member.objects.count()
    demo_max = Member.objects.order_by("-id").values_list("id", flat=True).first() or 0
    hist_max = OrgRelationChange.objects.order_by("-id").values_list("id", flat=True).first() or 0
    branches = branch_labels()
    tmp = Path(tempfile.mkdtemp(prefix="member-import-"))
    path = tmp / "roster.xlsx"
    t0 = time.perf_counter()
    base_rows = generate(n, branches, path)
    generate_s = time.perf_counter() - t0
    file_mb = round(path.stat().st_size / 1e6, 1)
    # The importer acts for an org_dept user at the city root (members.manage on everything).
    from bench.benchmarks import org_dept_scope

    scope: Scope = org_dept_scope(city.path)
    memory: dict[str, Any] = {}

    def ours() -> int:
        importer = MemberImport(scope=scope)
        sampler = ChildMemory()
        before = _status("VmRSS")
        reset = _reset_peak()
        with transaction.atomic():
            out = importer.run(path, "xlsx", path.name, commit=True)
            audit(
                actor=None,
                action="rosters.import_members",
                object_type="rosters.importjob",
                org_path=city.path,  # as the import service files it: where the roster lands
                diff={"rows": out.rows, "created": out.created},
            )
        if reset:
            peak = _status("VmHWM")
            memory["peak_rss_mb"] = max(memory.get("peak_rss_mb", 0), peak)
            memory["import_added_mb"] = max(memory.get("import_added_mb", 0), peak - before)
        if importer.parallel:
            # The forked check process: its memory of its own (private pages, sampled), not
            # the pages it shares with this process, which its RSS counts too.
            memory["check_process_private_peak_mb"] = max(
                memory.get("check_process_private_peak_mb", 0), sampler.stop()
            )
        else:
            sampler.stop()
        memory["two_processes"] = importer.parallel
        assert out.error_rows == 0, out.errors[:5]
        return out.created

    def undo_ours() -> None:
        with transaction.atomic(), connection.cursor() as cur:
            cur.execute(f"DELETE FROM {OrgRelationChange._meta.db_table} WHERE id > %s", [hist_max])
            cur.execute(f"DELETE FROM {Member._meta.db_table} WHERE id > %s", [demo_max])

    def baseline() -> int:
        """The target's baseline: the same rows, pre-encrypted, into members_member itself
        (its indexes and foreign keys, committed), with one executemany / COPY."""
        return table_insert(Member._meta.db_table, base_rows)

    def copy_table_insert() -> int:
        """The same into a copy of members_member without foreign keys (PostgreSQL's
        LIKE ... INCLUDING ALL does not copy them), as earlier figures were measured."""
        return loader_insert(base_rows)

    def before_copy_table() -> None:
        undo_ours()
        create_copy_table()
        with transaction.atomic(), connection.cursor() as cur:
            cols = ", ".join(connection.ops.quote_name(c) for c in MEMBER_INSERT)
            cur.execute(
                f"INSERT INTO {COPY_TABLE} ({cols}) SELECT {cols} FROM "
                f"{Member._meta.db_table} WHERE id <= %s",
                [demo_max],
            )

    runs = 3 if ctx.scale == "town" else 1
    times: dict[str, list[float]] = {"ours": [], "baseline": [], "copy_table": []}
    results: dict[str, int] = {}
    steps = (
        ("baseline", baseline, undo_ours),
        ("copy_table", copy_table_insert, before_copy_table),
        ("ours", ours, undo_ours),
    )
    try:
        for _ in range(runs):
            for key, fn, before in steps:
                before()
                t = time.perf_counter()
                results[key] = fn()
                times[key].append(time.perf_counter() - t)
                if key == "copy_table":
                    drop_copy_table()
    finally:
        undo_ours()
        drop_copy_table()
        path.unlink(missing_ok=True)
        tmp.rmdir()
    assert results["ours"] == results["baseline"] == results["copy_table"] == n, results
    ours_s, base_s, copy_s = (median(times[k]) for k in ("ours", "baseline", "copy_table"))
    report(
        ctx,
        "member_import",
        n=n,
        ours=ours_s,
        baseline=base_s,
        unit="s",
        target=("ratio", 2.0),
        runs=runs,
        rows_per_s_ours=round(n / ours_s),
        rows_per_s_baseline=round(n / base_s),
        generate_s=round(generate_s, 1),
        file_mb=file_mb,
        copy_table_s=round(copy_s, 4),
        ratio_to_copy_table=round(ours_s / copy_s, 2),
        memory_target="import_added_mb + check_process_private_peak_mb < 1024",
        **memory,
        note="ours: xlsx read + checks + encryption + blind index + members and their "
        "history rows + audit, one transaction; baseline: the member rows only, "
        "pre-encrypted, one executemany/COPY into members_member itself, committed; "
        "copy_table: the same into a foreign-key-less copy of members_member holding "
        "the same demo members",
    )


def table_insert(table: str, rows: list[tuple[Any, ...]]) -> int:
    cols = ", ".join(connection.ops.quote_name(c) for c in MEMBER_INSERT)
    raw = connection.connection
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with raw.cursor() as cur, cur.copy(f"COPY {table} ({cols}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
        else:
            marks = ", ".join("?" * len(MEMBER_INSERT))
            raw.executemany(f"INSERT INTO {table} ({cols}) VALUES ({marks})", rows)
    return len(rows)


def loader_insert(rows: list[tuple[Any, ...]]) -> int:
    from bench.benchmarks import plain_insert

    return plain_insert(rows)
