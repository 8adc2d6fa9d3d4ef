"""The organization roster import pages and /api/v1/rosters/org-imports: who may use them,
what they show, and that a stranger sees nothing of anyone else's."""

from __future__ import annotations

import io

import pytest
from django.urls import reverse
from python_calamine import CalamineWorkbook

from tests import factories
from tests.helpers import is_chinese, texts
from tests.rosters import sheets
from tests.rosters.conftest import check as check_members
from tests.rosters.conftest import check_orgs as check
from tests.rosters.test_api import bearer
from tongxin.orgs.models import Organization
from tongxin.rosters.models import ImportJob, JobStatus


def body(response) -> bytes:
    return b"".join(response.streaming_content)


ROWS = [
    sheets.org("第三党支部第一党小组", "紫金社区第三党支部", "党小组"),
    sheets.org("紫金社区第三党支部", "紫金社区党委"),
]


# ---- pages -----------------------------------------------------------------------------------


def test_upload_check_and_commit_through_the_pages(world, client_for):
    c = client_for(world["alice"])
    page = c.get(reverse("rosters:orgs"))
    assert page.status_code == 200 and "导入党组织名册" in texts(page)
    bad = [*ROWS, sheets.org("坏党小组", "紫金社区第一党小组", "党小组")]
    r = c.post(reverse("rosters:orgs"), {"file": sheets.upload(sheets.org_xlsx(bad))})
    job = ImportJob.objects.get()
    assert job.kind == "orgs"
    assert r.status_code == 302 and r["Location"] == reverse("rosters:job", args=[job.pk])
    page = texts(c.get(r["Location"]))
    assert "第4行" in page and "党小组只能设在党支部之下" in page and "确认导入" not in page
    assert reverse("rosters:orgs") in page, "重新上传 leads back to the organization import"

    r = c.post(reverse("rosters:orgs"), {"file": sheets.upload(sheets.org_xlsx(ROWS))})
    page = texts(c.get(r["Location"]))
    assert "全部 2 行检查通过" in page and "确认导入" in page
    job = ImportJob.objects.order_by("-id").first()
    assert job is not None
    n = Organization.objects.count()
    r = c.post(reverse("rosters:commit", args=[job.pk]))
    page = texts(c.get(r["Location"]))
    assert "导入完成：新增 2 个党组织" in page and Organization.objects.count() == n + 2
    assert reverse("orgs:tree") in page


def test_upload_refusals_show_on_the_form(world, client_for):
    c = client_for(world["alice"])
    png = sheets.upload(b"\x89PNG\r\n\x1a\n" + b"0" * 100, "组织.xlsx")
    r = c.post(reverse("rosters:orgs"), {"file": png})
    assert r.status_code == 200 and "不是可以读取的电子表格" in texts(r)
    assert ImportJob.objects.count() == 0


def test_template_has_starred_chinese_headers_and_instructions(world, client_for):
    r = client_for(world["alice"]).get(reverse("rosters:org_template"))
    assert r.status_code == 200 and "attachment" in r["Content-Disposition"]
    content = body(r)
    wb = CalamineWorkbook.from_filelike(io.BytesIO(content))
    assert wb.sheet_names == ["党组织名册", "填写说明"]
    rows = wb.get_sheet_by_index(0).to_python()
    assert rows[0][:4] == ["组织名称*", "上级党组织*", "组织类别*", "建制类型"]
    assert len(rows) == 1, "no example row to import by mistake"
    notes = str(wb.get_sheet_by_index(1).to_python())
    assert "上级组织名称/本组织名称" in notes and "党小组只能设在党支部之下" in notes
    job = check(world["alice"], content)
    assert job.status == JobStatus.FAILED and "只有表头" in job.message


def test_each_import_page_lists_its_own_kind(world, client_for):
    orgs_job = check(world["alice"], sheets.org_xlsx(ROWS), "党组织名册甲.xlsx")
    members_job = check_members(world["alice"], sheets.xlsx([sheets.person()]), "党员名册乙.xlsx")
    c = client_for(world["alice"])
    page = texts(c.get(reverse("rosters:orgs")))
    assert orgs_job.original_name in page and members_job.original_name not in page
    page = texts(c.get(reverse("rosters:index")))
    assert members_job.original_name in page and orgs_job.original_name not in page
    assert reverse("rosters:orgs") in page, "the member import links to the organization one"
    assert reverse("rosters:orgs") in texts(c.get(reverse("orgs:tree")))


def test_stranger_sees_none_of_alices_jobs(world, client_for):
    job = check(world["alice"], sheets.org_xlsx(ROWS))
    dave = factories.user("dave", "street_secretary", org=world["street_b"])
    for stranger in (dave, world["charlie"]):
        c = client_for(stranger)
        for name in ("rosters:job", "rosters:progress"):
            assert c.get(reverse(name, args=[job.pk])).status_code == 404
        assert c.post(reverse("rosters:commit", args=[job.pk])).status_code == 404
    page = texts(client_for(dave).get(reverse("rosters:orgs")))
    assert job.original_name not in page
    job.refresh_from_db()
    assert job.status == JobStatus.READY


def test_a_user_without_orgs_manage_gets_404(world, client_for):
    for user in (world["bob"], world["auditor"]):
        c = client_for(user)
        assert c.get(reverse("rosters:orgs")).status_code == 404
        assert c.get(reverse("rosters:org_template")).status_code == 404
        r = c.post(reverse("rosters:orgs"), {"file": sheets.upload(sheets.org_xlsx(ROWS))})
        assert r.status_code == 404
        assert reverse("rosters:orgs") not in texts(c.get(reverse("orgs:tree")))
    assert ImportJob.objects.count() == 0


def test_anonymous_is_sent_to_login(client, world):
    for name in ("rosters:orgs", "rosters:org_template"):
        r = client.get(reverse(name))
        assert r.status_code == 302 and "/accounts/login/" in r["Location"]


@pytest.mark.parametrize("n", [3, 30])
def test_import_list_queries_are_constant(world, client_for, django_assert_num_queries, n):
    alice = world["alice"]
    for i in range(n):
        ImportJob.objects.create(
            kind="orgs",
            created_by=alice,
            file_name=f"x{i}",
            original_name=f"{i}.xlsx",
            file_format="xlsx",
        )
    c = client_for(alice)
    c.get(reverse("rosters:orgs"))
    # session, user, role assignments (scope); the count and the page of jobs (the session is
    # not saved again within the minute)
    with django_assert_num_queries(5):
        r = c.get(reverse("rosters:orgs"))
    assert r.status_code == 200


# ---- API -------------------------------------------------------------------------------------


def test_api_upload_report_and_commit(world, client):
    auth = bearer(world["alice"])
    bad = [*ROWS, sheets.org("乙党支部", "不存在党委")]
    r = client.post(
        "/api/v1/rosters/org-imports", {"file": sheets.upload(sheets.org_xlsx(bad))}, **auth
    )
    assert r.status_code == 201, r.content
    data = r.json()
    assert data["status"] == "invalid" and data["error_rows"] == 1
    [err] = data["errors"]
    assert err["row"] == 4 and err["field"] == "parent" and is_chinese(err["message"])

    r = client.post(
        "/api/v1/rosters/org-imports", {"file": sheets.upload(sheets.org_xlsx(ROWS))}, **auth
    )
    job_id = r.json()["id"]
    assert r.json()["status"] == "ready" and r.json()["to_create"] == 2
    assert client.get(f"/api/v1/rosters/org-imports/{job_id}", **auth).json()["status"] == "ready"
    n = Organization.objects.count()
    r = client.post(f"/api/v1/rosters/org-imports/{job_id}/commit", **auth)
    assert r.status_code == 200 and r.json()["status"] == "done"
    assert Organization.objects.count() == n + 2
    r = client.post(f"/api/v1/rosters/org-imports/{job_id}/commit", **auth)
    assert r.status_code == 409 and is_chinese(r.json()["message"])
    assert Organization.objects.count() == n + 2


def test_api_stranger_gets_404_and_row_errors(world, client):
    r = client.post(
        "/api/v1/rosters/org-imports",
        {"file": sheets.upload(sheets.org_xlsx(ROWS))},
        **bearer(world["alice"]),
    )
    job_id = r.json()["id"]
    dave = factories.user("dave", "street_secretary", org=world["street_b"])
    auth = bearer(dave)
    assert client.get(f"/api/v1/rosters/org-imports/{job_id}", **auth).status_code == 404
    assert client.post(f"/api/v1/rosters/org-imports/{job_id}/commit", **auth).status_code == 404
    assert ImportJob.objects.get().status == "ready"
    r = client.post(
        "/api/v1/rosters/org-imports", {"file": sheets.upload(sheets.org_xlsx(ROWS))}, **auth
    )
    data = r.json()
    assert data["status"] == "invalid"
    assert any("找不到“紫金社区党委”" in e["message"] for e in data["errors"])


def test_api_member_jobs_are_not_organization_jobs(world, client):
    job = check_members(world["alice"], sheets.xlsx([sheets.person()]))
    auth = bearer(world["alice"])
    assert client.get(f"/api/v1/rosters/org-imports/{job.pk}", **auth).status_code == 404
    assert client.post(f"/api/v1/rosters/org-imports/{job.pk}/commit", **auth).status_code == 404


def test_api_user_without_orgs_manage_cannot_upload(world, client):
    r = client.post(
        "/api/v1/rosters/org-imports",
        {"file": sheets.upload(sheets.org_xlsx(ROWS))},
        **bearer(world["bob"]),
    )
    assert r.status_code == 404 and ImportJob.objects.count() == 0
    assert client.post("/api/v1/rosters/org-imports").status_code == 401
