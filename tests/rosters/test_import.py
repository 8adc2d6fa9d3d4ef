"""Importing a member roster: what a messy real spreadsheet does, and that a refused import
writes nothing."""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile, TemporaryUploadedFile
from django.utils import timezone

from tests import factories
from tests.helpers import is_chinese
from tests.rosters import sheets
from tests.rosters.conftest import check, commit, messages
from tongxin.core import idnumber
from tongxin.core.errors import ConflictError, ServiceError
from tongxin.core.models import AuditLog
from tongxin.core.scope import scope_for_user
from tongxin.members.models import Member, OrgRelationChange
from tongxin.rosters import services
from tongxin.rosters.models import ImportJob, JobStatus


def db_state() -> tuple[int, int, int, int]:
    return (
        Member.objects.count(),
        OrgRelationChange.objects.count(),
        AuditLog.objects.exclude(action__startswith="rosters.").count(),
        ImportJob.objects.count(),
    )


def uploads_left(settings) -> list[Path]:
    root = Path(settings.UPLOAD_ROOT) / "rosters"
    return list(root.iterdir()) if root.exists() else []


# ---- the happy path --------------------------------------------------------------------------


def test_import_creates_members_with_history_and_one_audit_row(world, settings):
    alice = world["alice"]
    rows = [sheets.person(), sheets.person(org="紫金社区第二党支部")]
    before = Member.objects.count()
    job = check(alice, sheets.xlsx(rows))
    assert job.status == JobStatus.READY, job.report
    assert (job.rows_total, job.to_create, job.to_update, job.error_rows) == (2, 2, 0, 0)
    assert Member.objects.count() == before, "the check writes nothing"
    job = commit(alice, job)
    assert job.status == JobStatus.DONE
    assert Member.objects.count() == before + 2
    m = Member.objects.get(name=rows[1]["姓名"])
    assert m.org == world["branch_a2"] and m.org_path == world["branch_a2"].path
    assert m.reveal_id_number() == rows[1]["身份证号码"]
    assert m.reveal_phone() == rows[1]["手机号码"]
    assert m.id_number_masked == idnumber.mask(rows[1]["身份证号码"])
    assert m.joined_on == dt.date(2010, 7, 1) and m.confirmed_on == dt.date(2011, 7, 1)
    assert m.education == "bachelor" and m.status == "full"
    assert m.relation_history.get().to_org == world["branch_a2"]
    log = AuditLog.objects.get(action="rosters.import_members")
    assert log.actor == alice and log.diff["created"] == 2 and log.diff["rows"] == 2
    assert uploads_left(settings) == [], "the file is removed once imported"


def test_reimport_updates_instead_of_duplicating(world):
    alice = world["alice"]
    row = sheets.person()
    commit(alice, check(alice, sheets.xlsx([row])))
    n = Member.objects.count()
    row.update({"学历": "研究生", "手机号码": "13700001111"})
    # An existing member from make_world, found by the number, updated in place.
    zhang = world["m_a1"]
    existing = {
        **sheets.person(),
        "姓名": "张红",
        "身份证号码": zhang.reveal_id_number(),
        "学历": "大专",
        "手机号码": "",
    }
    job = check(alice, sheets.xlsx([row, existing]))
    assert (job.to_create, job.to_update) == (0, 2), job.report
    commit(alice, job)
    assert Member.objects.count() == n
    m = Member.objects.get(name=row["姓名"])
    assert m.education == "postgraduate" and m.reveal_phone() == "13700001111"
    zhang.refresh_from_db()
    assert zhang.education == "college"
    assert zhang.reveal_phone() != "", "an empty phone cell keeps the stored number"
    # The same file again changes nothing.
    job = check(alice, sheets.xlsx([row, existing]))
    assert (job.to_create, job.to_update, job.unchanged) == (0, 0, 2)


def test_reimport_cannot_move_a_member_to_another_branch(world):
    alice = world["alice"]
    row = {
        **sheets.person(org="紫金社区第二党支部"),
        "姓名": "张红",
        "身份证号码": world["m_a1"].reveal_id_number(),
    }
    job = check(alice, sheets.xlsx([row]))
    assert job.status == JobStatus.INVALID
    [msg] = messages(job, "org")
    assert "组织关系转接" in msg and "紫金社区第一党支部" in msg and is_chinese(msg)


# ---- messy cells -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "joined",
    [
        dt.date(2012, 3, 4),
        40972,
        "2012-03-04",
        "2012/3/4",
        "2012年3月4日",
        "2012.03.04",
        "20120304",
        "２０１２－０３－０４",
        " 2012-03-04 ",
    ],
)
def test_dates_in_every_usual_form(world, joined):
    alice = world["alice"]
    row = sheets.person(入党日期=joined, 转正日期="2013年3月5日")
    job = commit(alice, check(alice, sheets.xlsx([row])))
    assert job.status == JobStatus.DONE, job.report
    m = Member.objects.get(name=row["姓名"])
    assert m.joined_on == dt.date(2012, 3, 4) and m.confirmed_on == dt.date(2013, 3, 5)


def test_a_date_that_is_not_one(world):
    alice = world["alice"]
    job = check(
        alice,
        sheets.xlsx([sheets.person(入党日期="2012年13月1日"), sheets.person(入党日期="去年")]),
    )
    assert job.status == JobStatus.INVALID
    msgs = messages(job, "joined_on")
    assert len(msgs) == 2 and all("2021-11-11" in m and is_chinese(m) for m in msgs)


def test_full_width_characters_and_stray_spaces(world):
    alice = world["alice"]
    number = factories.id_number()
    wide = number.translate(str.maketrans("0123456789", "０１２３４５６７８９"))
    row = sheets.person(
        姓名=" 王  小明 ",
        身份证号码=f" {wide[:6]} {wide[6:]}　",
        手机号码="１３９ ００００ １２３４",
        所在党组织=" 紫金社区第一党支部 ",
        党员类别="正式党员 ",
        学历="大学本科",
    )
    job = commit(alice, check(alice, sheets.xlsx([row])))
    assert job.status == JobStatus.DONE, job.report
    m = Member.objects.get(name="王小明")
    assert m.reveal_id_number() == number and m.reveal_phone() == "13900001234"
    assert m.education == "bachelor"


def test_header_variants_are_recognized(world):
    alice = world["alice"]
    header = [
        "序号",
        "党员姓名",
        "公民身份号码",
        "党组织",
        "人员类别",
        "入党时间",
        "转正时间",
        "文化程度",
        "联系电话",
        "性别",
    ]
    p = sheets.person()
    row = {
        "序号": 1,
        "党员姓名": p["姓名"],
        "公民身份号码": p["身份证号码"],
        "党组织": p["所在党组织"],
        "人员类别": "预备党员",
        "入党时间": (timezone.localdate() - dt.timedelta(days=30)).isoformat(),
        "转正时间": "",
        "文化程度": "高中",
        "联系电话": "",
        "性别": "男" if idnumber.parse(p["身份证号码"]).gender == "M" else "女",
    }
    job = commit(alice, check(alice, sheets.xlsx([row], header)))
    assert job.status == JobStatus.DONE, job.report
    assert set(job.report["unused_columns"]) == {"序号"}
    m = Member.objects.get(name=p["姓名"])
    assert m.status == "probationary" and m.education == "senior" and m.phone_enc == ""


@pytest.mark.parametrize(
    "cell, expect",
    [
        (330203196001010016, "显示为3.30203E+17"),  # typed into a General cell: a number
        ("3.30203E+17", "显示为3.30203E+17"),  # saved to CSV from such a cell
        ("330203196001010000", "末三位都是0"),  # 15 significant digits kept, then zeros
    ],
)
def test_id_numbers_excel_turned_into_numbers_are_explained(world, cell, expect):
    alice = world["alice"]
    before = db_state()
    job = check(alice, sheets.xlsx([sheets.person(身份证号码=cell)]))
    assert job.status == JobStatus.INVALID
    [msg] = messages(job, "id_number")
    assert expect in msg and "文本" in msg and is_chinese(msg)
    assert db_state()[:3] == before[:3]


def test_an_id_number_that_fails_the_checksum_gets_the_member_rule_message(world):
    alice = world["alice"]
    # Sequence 123: the wrong check digit can never make the last three "000" (that case has its own message).
    good = idnumber.make("330203", dt.date(1975, 5, 6), 123)
    bad = good[:17] + ("0" if good[17] != "0" else "1")
    job = check(alice, sheets.xlsx([sheets.person(身份证号码=bad)]))
    assert messages(job, "id_number") == ["身份证号码校验位不正确，请逐位核对后重新填写。"]


def test_duplicates_inside_the_file(world):
    alice = world["alice"]
    a = sheets.person()
    b = sheets.person(身份证号码=a["身份证号码"])
    job = check(alice, sheets.xlsx([a, sheets.person(), b]))
    assert job.status == JobStatus.INVALID and job.error_rows == 1
    [err] = job.report["errors"]
    assert err["row"] == 4 and err["field"] == "id_number" and "第2行" in err["message"]


def test_rows_report_every_wrong_field(world):
    alice = world["alice"]
    row = sheets.person(姓名="", 学历="幼儿园", 党员类别="积极分子", 手机号码="12345", 转正日期="")
    job = check(alice, sheets.xlsx([row]))
    fields = {e["field"] for e in job.report["errors"]}
    assert fields == {"name", "education", "status", "phone"}, job.report["errors"]
    assert all(is_chinese(m) for m in messages(job))
    assert next(e for e in job.report["errors"] if e["field"] == "education")["column"] == "学历"


def test_joined_before_18_is_refused_like_the_form(world):
    alice = world["alice"]
    number = idnumber.make("330203", dt.date(2000, 1, 1), 11)
    job = check(
        alice,
        sheets.xlsx(
            [sheets.person(身份证号码=number, 入党日期="2015-01-01", 转正日期="2016-01-01")]
        ),
    )
    assert messages(job, "joined_on") == ["入党时应年满18周岁，请核对入党日期和身份证号码。"]


def test_a_group_is_not_a_place_for_members(world):
    alice = world["alice"]
    job = check(alice, sheets.xlsx([sheets.person(org="紫金社区第一党小组")]))
    assert messages(job, "org") == ["党员的组织关系应在党支部，不能直接编入党小组。"]


def test_ambiguous_org_name_asks_for_the_parent(world):
    alice = world["alice"]
    factories.org("第一党支部", "branch", world["comm_a_org"])
    factories.org("第一党支部", "branch", world["street_a"])
    job = check(
        alice,
        sheets.xlsx(
            [sheets.person(org="第一党支部"), sheets.person(org="紫金社区党委/第一党支部")]
        ),
    )
    assert job.error_rows == 1
    [msg] = messages(job, "org")
    assert "上级组织名称/第一党支部" in msg


# ---- scope -----------------------------------------------------------------------------------


def test_an_org_out_of_reach_is_a_row_error_that_reveals_nothing(world):
    """Charlie names branch A1 (alice's) and an invented branch: the same message for both."""
    charlie = world["charlie"]
    before = db_state()
    job = check(
        charlie,
        sheets.xlsx([sheets.person(org="紫金社区第一党支部"), sheets.person(org="不存在的党支部")]),
    )
    assert job.status == JobStatus.INVALID and job.error_rows == 2
    a, b = messages(job, "org")
    assert a.replace("紫金社区第一党支部", "X") == b.replace("不存在的党支部", "X")
    assert "管辖范围内找不到" in a
    assert db_state()[:3] == before[:3]


def test_a_number_registered_out_of_reach_is_refused_and_audited(world):
    """Charlie's file holds the number of alice's member: "already registered", nothing about
    where, and the record's auditors see the confirmation."""
    charlie = world["charlie"]
    row = sheets.person(org="孝闻社区党支部", 身份证号码=world["m_a1"].reveal_id_number())
    job = check(charlie, sheets.xlsx([row]))
    [msg] = messages(job, "id_number")
    assert "不能重复登记" in msg and "紫金" not in msg
    log = AuditLog.objects.get(action="members.duplicate_refused")
    assert log.object_id == str(world["m_a1"].pk) and log.actor == charlie


def test_a_user_without_members_manage_cannot_import(world):
    auditor = world["auditor"]
    with pytest.raises(ServiceError) as exc:
        check(auditor, sheets.xlsx([sheets.person()]))
    assert is_chinese(exc.value.message)
    assert ImportJob.objects.count() == 0


# ---- files that are not rosters --------------------------------------------------------------


PNG = b"\x89PNG\r\n\x1a\n" + os.urandom(200)


@pytest.mark.parametrize(
    "content, name",
    [
        (PNG, "名册.xlsx"),
        (os.urandom(3000), "名册.xlsx"),
        (b"PK\x03\x04" + os.urandom(500), "名册.xlsx"),
        (b"%PDF-1.4 hello", "名册.pdf"),
        (b"\x00\x01binary", "名册.csv"),
    ],
)
def test_a_file_that_is_not_a_spreadsheet(world, settings, content, name):
    alice = world["alice"]
    before = db_state()
    try:
        job = check(alice, content, name)
    except ServiceError as e:  # refused at the door, by content
        assert "不是可以读取的电子表格" in e.message and is_chinese(e.message)
        assert db_state() == before
    else:  # looked like a zip: refused when read
        assert job.status == JobStatus.FAILED and "不是可以读取的电子表格" in job.message
        assert db_state()[:3] == before[:3]
    assert uploads_left(settings) == []


def test_an_empty_sheet(world):
    job = check(world["alice"], sheets.xlsx([]))
    assert job.status == JobStatus.FAILED and "表格是空的" in job.message


def test_an_empty_file(world):
    with pytest.raises(ServiceError) as exc:
        check(world["alice"], b"")
    assert "是空的" in exc.value.message


def test_a_header_without_rows(world):
    job = check(world["alice"], sheets.xlsx([], sheets.HEADER))
    assert job.status == JobStatus.FAILED and "只有表头" in job.message


def test_a_wrong_header_row(world):
    rows = [["张红", "330203196001010016", "紫金社区第一党支部"]]
    job = check(world["alice"], sheets.xlsx(rows, ["名单", "号码", "单位"]))
    assert job.status == JobStatus.FAILED and "没有找到表头" in job.message
    assert is_chinese(job.message)


def test_a_header_missing_required_columns(world):
    job = check(world["alice"], sheets.xlsx([sheets.person()], ["姓名", "身份证号", "手机"]))
    assert job.status == JobStatus.FAILED
    assert "“党员类别”" in job.message and "“入党日期”" in job.message
    # 所在党组织 (the organization chosen at upload stands in), 学历 and 民族 are optional
    assert "所在党组织" not in job.message and "学历" not in job.message


def test_a_title_row_above_the_header_is_fine(world):
    rows = [["2026年紫金社区党员名册"], sheets.HEADER, [sheets.person()[c] for c in sheets.HEADER]]
    job = check(world["alice"], sheets.xlsx(rows))
    assert job.status == JobStatus.READY, job.report
    assert job.report["header_row"] == 2


def test_100_mb_of_junk_is_refused_without_reading_it(world, settings, tmp_path):
    """The declared size is checked first: the 100 MB never pass through memory."""
    big = TemporaryUploadedFile("名册.xlsx", "application/octet-stream", 100 * 1024 * 1024, None)
    big.file.truncate(100 * 1024 * 1024)  # sparse: 100 MB without writing them
    before = db_state()
    with pytest.raises(ServiceError) as exc:
        services.job_create(actor=world["alice"], scope=scope_for_user(world["alice"]), upload=big)
    assert "超过80 MB" in exc.value.message and is_chinese(exc.value.message)
    assert db_state() == before and uploads_left(settings) == []


def test_a_file_larger_than_declared_is_cut_off(world, settings):
    settings.ROSTER_MAX_BYTES = 1024 * 1024
    f = SimpleUploadedFile("名册.csv", b"a" * (2 * 1024 * 1024))
    f.size = 10  # a client may lie about the size: the copy stops at the limit anyway
    with pytest.raises(ServiceError) as exc:
        services.job_create(actor=world["alice"], scope=scope_for_user(world["alice"]), upload=f)
    assert "超过1 MB" in exc.value.message
    assert uploads_left(settings) == [] and ImportJob.objects.count() == 0


# ---- CSV -------------------------------------------------------------------------------------


@pytest.mark.parametrize("encoding", ["utf-8-sig", "utf-8", "gb18030"])
def test_csv_in_the_encodings_excel_and_wps_write(world, encoding):
    alice = world["alice"]
    row = sheets.person()
    job = commit(alice, check(alice, sheets.csv_bytes([row], encoding=encoding), "名册.csv"))
    assert job.status == JobStatus.DONE, (job.message, job.report)
    assert Member.objects.filter(name=row["姓名"]).exists()


# ---- all or nothing --------------------------------------------------------------------------


def test_a_commit_failing_at_the_last_row_leaves_the_database_as_it_was(world):
    """3,000 rows pass the check; before the commit someone registers the last row's number
    in street B. The commit meets it at the last row and writes nothing at all."""
    alice = world["alice"]
    rows = [sheets.person(手机号码="") for _ in range(3000)]
    job = check(alice, sheets.xlsx(rows))
    assert job.status == JobStatus.READY and job.to_create == 3000, [
        e["message"] for e in job.report["errors"][:3]
    ]
    factories.member(world["branch_b1"], id_number=rows[-1]["身份证号码"])
    before = db_state()
    job = commit(alice, job)
    assert job.status == JobStatus.INVALID and job.error_rows == 1
    assert job.report["errors"][0]["row"] == 3001
    assert "没有写入任何数据" in job.message
    assert db_state()[:2] == before[:2]
    assert AuditLog.objects.filter(action="rosters.import_members").count() == 0


def test_a_job_is_committed_once(world):
    alice = world["alice"]
    job = commit(alice, check(alice, sheets.xlsx([sheets.person()])))
    with pytest.raises(ConflictError):
        services.job_commit_request(actor=alice, job=job)
    bad = check(alice, sheets.xlsx([sheets.person(学历="幼儿园")]))
    with pytest.raises(ConflictError) as exc:
        services.job_commit_request(actor=alice, job=bad)
    assert is_chinese(exc.value.message)


def test_large_files_go_through_the_task_queue(world, settings, django_capture_on_commit_callbacks):
    settings.ROSTER_INLINE_BYTES = 0  # every file is "large"
    alice = world["alice"]
    rows = [sheets.person() for _ in range(5)]
    with django_capture_on_commit_callbacks(execute=True) as queued:
        job = check(alice, sheets.xlsx(rows))  # immediate backend: runs when enqueued
    assert len(queued) == 1
    assert job.status == JobStatus.QUEUED
    job.refresh_from_db()
    assert job.status == JobStatus.READY and job.rows_done == 5
    with django_capture_on_commit_callbacks(execute=True):
        job = commit(alice, job)
    job.refresh_from_db()
    assert job.status == JobStatus.DONE and job.to_create == 5


def test_ods_from_wps_or_libreoffice(world):
    alice = world["alice"]
    row = sheets.person()
    job = check(alice, sheets.ods([row]), "名册.ods")
    assert job.file_format == "ods"
    job = commit(alice, job)
    assert job.status == JobStatus.DONE, (job.message, job.report)
    assert Member.objects.filter(name=row["姓名"]).exists()


def test_a_queue_that_does_not_take_the_job_fails_it_with_a_message(
    world, settings, django_capture_on_commit_callbacks, monkeypatch
):
    # Redis down under TONGXIN_TASK_BACKEND=rq: the enqueue raises; the job must not wait.
    from types import SimpleNamespace

    import redis

    from tongxin.rosters import jobs, tasks

    def down(*args, **kwargs):
        raise redis.ConnectionError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")

    monkeypatch.setattr(tasks, "run_import_job", SimpleNamespace(enqueue=down))
    settings.ROSTER_INLINE_BYTES = 0
    alice = world["alice"]
    with django_capture_on_commit_callbacks(execute=True):
        job = check(alice, sheets.xlsx([sheets.person()]))
    job.refresh_from_db()
    assert job.status == JobStatus.FAILED
    assert job.message == jobs.queue_down_message()
    assert is_chinese(job.message)
