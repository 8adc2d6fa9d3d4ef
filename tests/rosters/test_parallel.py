"""A large commit reads and checks in a forked child while this process writes
(rosters.member_parallel.run_parallel). The child looks numbers up on a connection of its own,
so it sees only committed rows: these tests commit their data (transactional) and run on
PostgreSQL in the two-process path. SQLite's test database lives in memory, where a second
connection would see an empty database: there the same tests check that the import stays in
one process and gives the same results."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.db import connection, transaction

from tests import factories
from tests.rosters import sheets
from tongxin.core.audit import audit
from tongxin.core.errors import ServiceError
from tongxin.core.scope import scope_for_user
from tongxin.members.models import Member, OrgRelationChange
from tongxin.rosters import importer, member_parallel, selectors
from tongxin.rosters.importer import MemberImport, Rollback

FORKS = connection.vendor == "postgresql"


@pytest.fixture
def committed_world(transactional_db, settings):
    settings.ROSTER_PARALLEL_BYTES = 0  # every commit takes the two-process path where it can
    return factories.make_world()


def _commit(user, rows, tmp_path: Path, name: str = "roster.xlsx"):
    path = tmp_path / name
    path.write_bytes(sheets.xlsx(rows))
    imp = MemberImport(scope=scope_for_user(user))
    with transaction.atomic():
        out = imp.run(path, "xlsx", name, commit=True)
        audit(actor=user, action="rosters.import_members", diff={"rows": out.rows})
    return imp, out


def test_two_process_commit_creates_updates_and_writes_history(committed_world, tmp_path):
    alice = committed_world["alice"]
    rows = [sheets.person(), sheets.person(org="紫金社区第二党支部"), sheets.person()]
    before = Member.objects.count()
    imp, out = _commit(alice, rows, tmp_path)
    assert imp.parallel is FORKS
    assert (out.rows, out.created, out.updated, out.error_rows) == (3, 3, 0, 0)
    assert Member.objects.count() == before + 3
    m = Member.objects.get(name=rows[1]["姓名"])
    assert m.org == committed_world["branch_a2"]
    assert m.reveal_id_number() == rows[1]["身份证号码"]
    assert m.reveal_phone() == rows[1]["手机号码"]
    assert m.relation_history.get().to_org == committed_world["branch_a2"]
    # Re-import: the child finds the committed members on its own connection and updates them.
    rows[0]["学历"] = "研究生"
    imp, out = _commit(alice, rows, tmp_path, "again.xlsx")
    assert imp.parallel is FORKS
    assert (out.created, out.updated, out.unchanged) == (0, 1, 2)
    assert Member.objects.count() == before + 3
    assert Member.objects.get(name=rows[0]["姓名"]).education == "postgraduate"


def test_two_process_commit_with_a_bad_last_row_writes_nothing(committed_world, tmp_path):
    alice = committed_world["alice"]
    rows = [sheets.person() for _ in range(5)] + [sheets.person(学历="博士后以上")]
    counts = (Member.objects.count(), OrgRelationChange.objects.count())
    path = tmp_path / "bad.xlsx"
    path.write_bytes(sheets.xlsx(rows))
    imp = MemberImport(scope=scope_for_user(alice))
    with pytest.raises(Rollback), transaction.atomic():
        imp.run(path, "xlsx", path.name, commit=True)
    assert imp.parallel is FORKS
    out = imp.last_outcome
    assert out is not None and out.error_rows == 1
    [err] = out.errors
    assert err["row"] == 7 and err["field"] == "education" and "博士后以上" in err["message"]
    assert (Member.objects.count(), OrgRelationChange.objects.count()) == counts


def test_two_process_commit_refuses_a_file_that_is_not_a_spreadsheet(committed_world, tmp_path):
    path = tmp_path / "notes.xlsx"
    path.write_bytes(b"this is not a spreadsheet at all" * 100)
    imp = MemberImport(scope=scope_for_user(committed_world["alice"]))
    before = Member.objects.count()
    with pytest.raises(ServiceError) as e, transaction.atomic():
        imp.run(path, "xlsx", "notes.xlsx", commit=True)
    assert "不是" in e.value.message or "无法" in e.value.message, e.value.message
    assert Member.objects.count() == before


def test_raw_lookup_gives_what_the_selector_gives(world):
    """The child's lookup (driver SQL) returns the same dicts as selectors.members_by_index."""
    zhang = world["m_a1"]  # lives in a compound: the residence path comes through the join
    indexes = [zhang.id_number_index, world["m_b1"].id_number_index, "0" * 32]
    connection.ensure_connection()
    raw = member_parallel.members_by_index_raw(connection.connection, indexes)
    orm = selectors.members_by_index(indexes)
    key = lambda d: d["id"]  # noqa: E731
    assert sorted(raw, key=key) == sorted(orm, key=key)
    assert len(raw) == 2


def test_in_memory_sqlite_never_forks(world, settings, tmp_path):
    settings.ROSTER_PARALLEL_BYTES = 0
    path = tmp_path / "x.xlsx"
    path.write_bytes(sheets.xlsx([sheets.person()]))
    assert member_parallel.parallel_possible(path) is FORKS
    settings.ROSTER_PARALLEL_BYTES = 10**9
    assert member_parallel.parallel_possible(path) is False


def test_a_failed_write_stops_the_check_process_and_writes_nothing(
    committed_world, tmp_path, monkeypatch
):
    """The importing process fails on the first chunk while the check process is still
    sending (blocked on the full pipe): it is stopped and reaped, and nothing is kept."""
    import multiprocessing

    rows = [sheets.person() for _ in range(importer.CHUNK * 3)]
    before = Member.objects.count()

    def failing_write(self, creates, updates):
        raise RuntimeError("the database refused the chunk")

    monkeypatch.setattr(MemberImport, "_write", failing_write)
    path = tmp_path / "big.xlsx"
    path.write_bytes(sheets.xlsx(rows))
    imp = MemberImport(scope=scope_for_user(committed_world["alice"]))
    with pytest.raises(RuntimeError, match="refused the chunk"), transaction.atomic():
        imp.run(path, "xlsx", path.name, commit=True)
    assert imp.parallel is FORKS
    assert multiprocessing.active_children() == []
    assert Member.objects.count() == before


@pytest.mark.skipif(
    not FORKS, reason="the two-process path needs a database a second connection sees"
)
def test_a_check_process_that_dies_fails_the_import(committed_world, tmp_path, monkeypatch):
    import os

    def dies(self, *args):
        os._exit(3)

    monkeypatch.setattr(MemberImport, "_child_pass", dies)
    path = tmp_path / "x.xlsx"
    path.write_bytes(sheets.xlsx([sheets.person()]))
    before = Member.objects.count()
    imp = MemberImport(scope=scope_for_user(committed_world["alice"]))
    with pytest.raises(RuntimeError, match="ended without a result"), transaction.atomic():
        imp.run(path, "xlsx", path.name, commit=True)
    assert Member.objects.count() == before


def test_no_fork_from_a_request_thread(settings, tmp_path, db):
    """Threaded web servers run requests off the main thread: no fork there."""
    import threading

    settings.ROSTER_PARALLEL_BYTES = 0
    path = tmp_path / "x.xlsx"
    path.write_bytes(sheets.xlsx([sheets.person()]))
    seen: list[bool] = []
    t = threading.Thread(target=lambda: seen.append(member_parallel.parallel_possible(path)))
    t.start()
    t.join()
    assert seen == [False]
    assert member_parallel.parallel_possible(path) is FORKS


def test_the_chosen_org_and_the_warnings_cross_the_pipe(committed_world, tmp_path):
    """A secretary's file without 所在党组织, one 预备党员 past the year: the child resolves
    rows to the organization chosen at upload and sends the warning back with the outcome."""
    w = committed_world
    header = ["姓名", "公民身份号码", "入党时间", "转正时间", "人员类别"]
    rows = [
        {
            "姓名": "并行甲",
            "公民身份号码": sheets.new_id(),
            "入党时间": "2012-06-01",
            "转正时间": "2013-06-01",
            "人员类别": "正式党员",
        },
        {
            "姓名": "并行乙",
            "公民身份号码": sheets.new_id(),
            "入党时间": "2019-07-01",
            "转正时间": "",
            "人员类别": "预备党员",
        },
    ]
    path = tmp_path / "branch.xlsx"
    path.write_bytes(sheets.xlsx(rows, header))
    imp = MemberImport(scope=scope_for_user(w["bob"]), target_org_id=w["branch_a1"].pk)
    with transaction.atomic():
        out = imp.run(path, "xlsx", "branch.xlsx", commit=True)
    assert imp.parallel == FORKS
    assert out.target == (w["branch_a1"].pk, "紫金社区第一党支部") and out.target_rows == 2
    assert out.warning_rows == 1 and out.warnings[0]["name"] == "并行乙"
    assert set(Member.objects.filter(name__startswith="并行").values_list("org", flat=True)) == {
        w["branch_a1"].pk
    }
