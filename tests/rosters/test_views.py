"""The import and export pages: who may use them, what they show, what they log."""

from __future__ import annotations

import io

import pytest
from django.urls import reverse
from python_calamine import CalamineWorkbook

from tests import factories
from tests.helpers import texts
from tests.rosters import sheets
from tests.rosters.conftest import check
from tongxin.core.models import AuditLog
from tongxin.members.models import Member
from tongxin.rosters.models import ImportJob, JobStatus


def read_xlsx(content: bytes) -> list[list[object]]:
    wb = CalamineWorkbook.from_filelike(io.BytesIO(content))
    return wb.get_sheet_by_index(0).to_python()


def body(response) -> bytes:
    return b"".join(response.streaming_content)


# ---- import pages ----------------------------------------------------------------------------


def test_upload_check_and_commit_through_the_pages(world, client_for):
    c = client_for(world["alice"])
    page = c.get(reverse("rosters:index"))
    assert page.status_code == 200 and "下载导入模板" in texts(page)
    good, bad = sheets.person(), sheets.person(身份证号码="3.30203E+17")
    r = c.post(reverse("rosters:index"), {"file": sheets.upload(sheets.xlsx([good, bad]))})
    job = ImportJob.objects.get()
    assert r.status_code == 302 and r["Location"] == reverse("rosters:job", args=[job.pk])
    page = texts(c.get(r["Location"]))
    assert "第3行" in page and "单元格格式设置为“文本”" in page and "有错误" in page
    assert "确认导入" not in page

    r = c.post(reverse("rosters:index"), {"file": sheets.upload(sheets.xlsx([good]))})
    page = texts(c.get(r["Location"]))
    assert "检查通过" in page and "确认导入" in page
    job = ImportJob.objects.order_by("-id").first()
    assert job is not None
    n = Member.objects.count()
    r = c.post(reverse("rosters:commit", args=[job.pk]))
    assert r.status_code == 302
    page = texts(c.get(r["Location"]))
    assert "导入完成" in page and Member.objects.count() == n + 1
    # committing again is refused with a message, nothing written
    r = c.post(reverse("rosters:commit", args=[job.pk]), follow=True)
    assert "只有检查通过且尚未导入的名册才能导入" in texts(r) and Member.objects.count() == n + 1


def test_upload_refusals_show_on_the_form(world, client_for):
    c = client_for(world["alice"])
    png = sheets.upload(b"\x89PNG\r\n\x1a\n" + b"0" * 100, "photo.xlsx")
    r = c.post(reverse("rosters:index"), {"file": png})
    assert r.status_code == 200 and "不是可以读取的电子表格" in texts(r)
    assert ImportJob.objects.count() == 0


def test_upload_over_the_limit_is_refused_with_a_message(world, client_for, settings):
    settings.ROSTER_MAX_BYTES = 1024 * 1024
    c = client_for(world["alice"])
    junk = sheets.upload(b"\x00" * (2 * 1024 * 1024), "junk.xlsx")
    r = c.post(reverse("rosters:index"), {"file": junk})
    assert r.status_code == 200 and "超过1 MB" in texts(r)
    assert ImportJob.objects.count() == 0


def test_progress_polls_while_running_and_reloads_when_done(world, client_for):
    c = client_for(world["alice"])
    job = ImportJob.objects.create(
        kind="members",
        created_by=world["alice"],
        file_name="x",
        original_name="a.xlsx",
        file_format="xlsx",
        status=JobStatus.CHECKING,
        rows_total=200,
        rows_done=50,
    )
    page = texts(c.get(reverse("rosters:job", args=[job.pk])))
    assert 'hx-trigger="every 1s"' in page and "已检查 50 / 200 行" in page
    r = c.get(reverse("rosters:progress", args=[job.pk]))
    assert r.status_code == 200 and "HX-Refresh" not in r
    ImportJob.objects.filter(pk=job.pk).update(status=JobStatus.READY)
    r = c.get(reverse("rosters:progress", args=[job.pk]))
    assert r["HX-Refresh"] == "true"


def test_template_has_chinese_headers_and_text_id_column(world, client_for):
    r = client_for(world["alice"]).get(reverse("rosters:template"))
    assert r.status_code == 200 and "attachment" in r["Content-Disposition"]
    content = body(r)
    rows = read_xlsx(content)
    # Required columns are starred: 所在党组织 (the organization chosen at upload stands in),
    # 性别 (read from the ID number), 学历 and 民族 are not.
    assert rows[0][:9] == [
        "姓名*",
        "身份证号码*",
        "性别",
        "所在党组织",
        "党员类别*",
        "入党日期*",
        "转正日期",
        "学历",
        "民族",
    ]
    assert len(rows) == 1, "no example row to import by mistake"
    sheet = CalamineWorkbook.from_filelike(io.BytesIO(content)).get_sheet_by_name("填写说明")
    lines = sheet.to_python()
    notes = {r[0]: r[1] for r in lines[: [r[0] for r in lines].index("示例")] if r[0]}
    assert notes["必填的列"].startswith("带*的列必填：姓名、身份证号码、党员类别、入党日期；")
    assert "导入到上传时选择的党组织" in notes["所在党组织"]
    assert "不会默认为汉族" in notes["学历、民族"]
    assert "须与身份证号码一致" in notes["性别"]
    # The blank template is read, and says there are no rows yet.
    job = check(world["alice"], content)
    assert job.status == JobStatus.FAILED and "只有表头" in job.message


def test_stranger_sees_none_of_alices_jobs(world, client_for):
    job = check(world["alice"], sheets.xlsx([sheets.person()]))
    c = client_for(world["charlie"])
    for name in ("rosters:job", "rosters:progress"):
        assert c.get(reverse(name, args=[job.pk])).status_code == 404
    assert c.post(reverse("rosters:commit", args=[job.pk])).status_code == 404
    job.refresh_from_db()
    assert job.status == JobStatus.READY
    page = texts(c.get(reverse("rosters:index")))
    assert job.original_name not in page


def test_a_user_without_members_manage_gets_404(world, client_for):
    c = client_for(world["auditor"])
    assert c.get(reverse("rosters:index")).status_code == 404
    assert c.get(reverse("rosters:template")).status_code == 404
    r = c.post(reverse("rosters:index"), {"file": sheets.upload(sheets.xlsx([sheets.person()]))})
    assert r.status_code == 404 and ImportJob.objects.count() == 0


def test_anonymous_is_sent_to_login(client, world):
    r = client.get(reverse("rosters:index"))
    assert r.status_code == 302 and "/accounts/login/" in r["Location"]
    assert client.get(reverse("rosters:export")).status_code == 302


@pytest.mark.parametrize("n", [3, 30])
def test_import_list_queries_are_constant(world, client_for, django_assert_num_queries, n):
    alice = world["alice"]
    for i in range(n):
        ImportJob.objects.create(
            kind="members",
            created_by=alice,
            file_name=f"x{i}",
            original_name=f"{i}.xlsx",
            file_format="xlsx",
        )
    c = client_for(alice)
    c.get(reverse("rosters:index"))  # warm the session
    # session, user, role assignments (scope); the default organization to import into and
    # the organizations to choose from; the count and the page of jobs (the session is not
    # saved again within the minute)
    with django_assert_num_queries(7):
        r = c.get(reverse("rosters:index"))
    assert r.status_code == 200


def test_roster_page_links_to_import_and_export(world, client_for):
    page = texts(client_for(world["alice"]).get(reverse("members:list")))
    assert reverse("rosters:index") in page and reverse("rosters:export") in page
    page = texts(client_for(world["auditor"]).get(reverse("members:list")))
    assert 'href="/rosters/"' not in page and reverse("rosters:export") in page


# ---- export ----------------------------------------------------------------------------------


def test_export_is_scoped_masked_and_audited(world, client_for):
    r = client_for(world["alice"]).get(reverse("rosters:export"))
    assert r.status_code == 200 and r["Content-Disposition"].startswith("attachment")
    rows = read_xlsx(body(r))
    assert rows[0][:4] == ["姓名", "性别", "民族", "身份证号码"]
    names = {row[0] for row in rows[1:]}
    assert names == {"张红", "李明", "王芳"}, "street A only"
    zhang = next(row for row in rows if row[0] == "张红")
    assert zhang[3] == world["m_a1"].id_number_masked and "*" in zhang[3]
    assert world["m_a1"].reveal_id_number() not in str(rows)
    log = AuditLog.objects.get(action="rosters.export_members")
    assert log.actor == world["alice"] and log.diff["rows"] == 3 and log.diff["revealed"] is False


def test_export_reveals_only_on_request_and_only_with_the_permission(world, client_for):
    r = client_for(world["alice"]).get(reverse("rosters:export") + "?reveal=1")
    rows = read_xlsx(body(r))
    zhang = next(row for row in rows if row[0] == "张红")
    assert zhang[3] == world["m_a1"].reveal_id_number()
    assert zhang[10] == world["m_a1"].reveal_phone()
    assert AuditLog.objects.get(action="rosters.export_members").diff["revealed"] is True
    viewer = factories.user("viewer", "grid_worker", org=world["branch_a1"])
    r = client_for(viewer).get(reverse("rosters:export") + "?reveal=1")
    rows = read_xlsx(body(r))
    assert {row[0] for row in rows[1:]} == {"张红", "李明"}
    assert world["m_a1"].reveal_id_number() not in str(rows)


def test_export_follows_the_roster_filters(world, client_for):
    factories.member(world["branch_a2"], name="预备甲", status="probationary", confirmed_on=None)
    c = client_for(world["alice"])
    url = reverse("rosters:export")
    rows = read_xlsx(body(c.get(f"{url}?org={world['branch_a2'].pk}")))
    assert {row[0] for row in rows[1:]} == {"王芳", "预备甲"}
    rows = read_xlsx(body(c.get(f"{url}?status=probationary")))
    assert {row[0] for row in rows[1:]} == {"预备甲"}
    rows = read_xlsx(body(c.get(f"{url}?q=王")))
    assert {row[0] for row in rows[1:]} == {"王芳"}
    # a whole ID number in a URL is not a search: dropped, the export is the whole roster
    rows = read_xlsx(body(c.get(f"{url}?q={world['m_a1'].reveal_id_number()}")))
    assert len(rows) == 5


def test_stranger_cannot_export_branch_a1(world, client_for):
    c = client_for(world["charlie"])
    r = c.get(reverse("rosters:export") + f"?org={world['branch_a1'].pk}")
    assert r.status_code == 404
    assert AuditLog.objects.filter(action="rosters.export_members").count() == 0
    rows = read_xlsx(body(c.get(reverse("rosters:export"))))
    assert {row[0] for row in rows[1:]} == {"赵刚"}


@pytest.mark.parametrize("n", [3, 30])
def test_export_queries_are_constant(world, client_for, django_assert_num_queries, n):
    for _ in range(n):
        factories.member(world["branch_a1"])
    c = client_for(world["alice"])
    c.get(reverse("members:list"))
    # session, user, role assignments; the members (org and residence joined); the audit row
    # (savepoint, the exporter's home: her role assignments' anchors, insert, release); the
    # session is not saved again within the minute
    with django_assert_num_queries(8):
        r = c.get(reverse("rosters:export"))
    assert len(read_xlsx(body(r))) == n + 4
