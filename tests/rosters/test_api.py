"""/api/v1/rosters: upload a roster (checked, not written), read the report, commit, export."""

from __future__ import annotations

import io

from python_calamine import CalamineWorkbook

from tests.helpers import is_chinese
from tests.rosters import sheets
from tongxin.accounts.services import api_token_create
from tongxin.core.models import AuditLog
from tongxin.members.models import Member
from tongxin.rosters.models import ImportJob


def bearer(user) -> dict[str, str]:
    _, key = api_token_create(actor=user, user=user, name="名册")
    return {"HTTP_AUTHORIZATION": f"Bearer {key}"}


def test_upload_report_and_commit(world, client):
    auth = bearer(world["alice"])
    good, bad = sheets.person(), sheets.person(入党日期="明年")
    r = client.post(
        "/api/v1/rosters/imports", {"file": sheets.upload(sheets.xlsx([good, bad]))}, **auth
    )
    assert r.status_code == 201, r.content
    body = r.json()
    assert body["status"] == "invalid" and body["error_rows"] == 1
    [err] = body["errors"]
    assert err["row"] == 3 and err["field"] == "joined_on" and is_chinese(err["message"])

    r = client.post("/api/v1/rosters/imports", {"file": sheets.upload(sheets.xlsx([good]))}, **auth)
    job_id = r.json()["id"]
    assert r.json()["status"] == "ready" and r.json()["to_create"] == 1
    assert client.get(f"/api/v1/rosters/imports/{job_id}", **auth).json()["status"] == "ready"
    n = Member.objects.count()
    r = client.post(f"/api/v1/rosters/imports/{job_id}/commit", **auth)
    assert r.status_code == 200 and r.json()["status"] == "done"
    assert Member.objects.count() == n + 1
    r = client.post(f"/api/v1/rosters/imports/{job_id}/commit", **auth)
    assert r.status_code == 409 and is_chinese(r.json()["message"])
    assert Member.objects.count() == n + 1


def test_upload_of_a_non_spreadsheet_is_a_chinese_400(world, client):
    png = sheets.upload(b"\x89PNG\r\n\x1a\n" + b"0" * 100, "a.xlsx")
    r = client.post("/api/v1/rosters/imports", {"file": png}, **bearer(world["alice"]))
    assert r.status_code == 400
    assert "不是可以读取的电子表格" in r.json()["message"]
    assert ImportJob.objects.count() == 0


def test_stranger_gets_404_for_alices_job(world, client):
    r = client.post(
        "/api/v1/rosters/imports",
        {"file": sheets.upload(sheets.xlsx([sheets.person()]))},
        **bearer(world["alice"]),
    )
    job_id = r.json()["id"]
    charlie = bearer(world["charlie"])
    assert client.get(f"/api/v1/rosters/imports/{job_id}", **charlie).status_code == 404
    assert client.post(f"/api/v1/rosters/imports/{job_id}/commit", **charlie).status_code == 404
    assert ImportJob.objects.get().status == "ready"


def test_stranger_import_into_branch_a1_gets_row_errors(world, client):
    r = client.post(
        "/api/v1/rosters/imports",
        {"file": sheets.upload(sheets.xlsx([sheets.person()]))},
        **bearer(world["charlie"]),
    )
    body = r.json()
    assert body["status"] == "invalid"
    assert (
        body["errors"][0]["field"] == "org" and "管辖范围内找不到" in body["errors"][0]["message"]
    )


def test_user_without_manage_cannot_upload(world, client):
    r = client.post(
        "/api/v1/rosters/imports",
        {"file": sheets.upload(sheets.xlsx([sheets.person()]))},
        **bearer(world["auditor"]),
    )
    assert r.status_code == 404 and ImportJob.objects.count() == 0


def test_export_scoped_and_audited(world, client):
    r = client.get("/api/v1/rosters/export/members", **bearer(world["charlie"]))
    assert r.status_code == 200
    rows = (
        CalamineWorkbook.from_filelike(io.BytesIO(b"".join(r.streaming_content)))
        .get_sheet_by_index(0)
        .to_python()
    )
    assert [row[0] for row in rows[1:]] == ["赵刚"]
    assert AuditLog.objects.filter(action="rosters.export_members").count() == 1
    r = client.get(
        f"/api/v1/rosters/export/members?org_id={world['branch_a1'].pk}", **bearer(world["charlie"])
    )
    assert r.status_code == 404
    assert AuditLog.objects.filter(action="rosters.export_members").count() == 1


def test_anonymous_gets_401(world, client):
    assert client.get("/api/v1/rosters/export/members").status_code == 401
    assert client.post("/api/v1/rosters/imports").status_code == 401
