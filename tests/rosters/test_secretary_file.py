"""A secretary's own 花名册: one branch, no 所在党组织, 学历 or 民族 column, a 性别 column, a
预备党员 whose year ran out. The upload chooses the organization the rows go to; the file's
性别 must agree with the ID number; 学历 and 民族 stay blank; the overdue 预备党员 comes in
with a warning."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.urls import reverse

from tests import factories
from tests.helpers import is_chinese, texts, today
from tests.rosters import sheets
from tests.rosters.conftest import commit, messages
from tongxin.accounts.models import RoleAssignment
from tongxin.accounts.services import api_token_create
from tongxin.core import idnumber
from tongxin.core.errors import ServiceError
from tongxin.core.models import AuditLog
from tongxin.core.scope import scope_for_user
from tongxin.grids.coverage import CoverageAudit, get_audit_root_for
from tongxin.members.models import Member
from tongxin.rosters import selectors, services
from tongxin.rosters.models import ImportJob, JobStatus

# The secretary's own columns, as written in the branch's register.
SECRETARY_HEADER = ["姓名", "公民身份号码", "性别", "入党时间", "转正时间", "人员类别", "联系电话"]


def sex_of(number: str) -> str:
    return "男" if idnumber.parse(number).gender == "M" else "女"


def other_sex(number: str) -> str:
    return "女" if sex_of(number) == "男" else "男"


def row(**over: Any) -> dict[str, Any]:
    number = sheets.new_id()
    r = {
        "姓名": f"书记名册{next(factories._seq)}",
        "公民身份号码": number,
        "性别": sex_of(number),
        "入党时间": "2012-06-01",
        "转正时间": "2013-06-01",
        "人员类别": "正式党员",
        "联系电话": f"137{next(factories._seq):08d}",
    }
    r.update(over)
    return r


def secretary_file(rows: list[dict[str, Any]], header: list[str] | None = None) -> bytes:
    return sheets.xlsx(rows, header or SECRETARY_HEADER)


def check_into(user: Any, content: bytes, org: Any = None) -> ImportJob:
    job = services.job_create(
        actor=user, scope=scope_for_user(user), upload=sheets.upload(content), org=org
    )
    services.start(job, "check")
    job.refresh_from_db()
    return job


def bearer(user: Any) -> dict[str, str]:
    _, key = api_token_create(actor=user, user=user, name="名册")
    return {"HTTP_AUTHORIZATION": f"Bearer {key}"}


def db_state() -> tuple[int, int]:
    return Member.objects.count(), ImportJob.objects.count()


# ---- the organization chosen at upload -------------------------------------------------------


def test_the_secretarys_own_file_imports_into_the_chosen_branch(world):
    bob, branch = world["bob"], world["branch_a1"]
    rows = [row(), row(联系电话="")]
    job = check_into(bob, secretary_file(rows), org=branch)
    assert job.status == JobStatus.READY, job.report
    assert job.report["target"] == {"id": branch.pk, "name": "紫金社区第一党支部"}
    assert job.report["target_rows"] == 2
    job = commit(bob, job)
    assert job.status == JobStatus.DONE, job.message
    for r in rows:
        m = Member.objects.get(name=r["姓名"])
        assert m.org == branch and m.org_path == branch.path
        # 学历 and 民族 were not in the file: blank, never a guessed 汉族
        assert m.education == "" and m.ethnicity == ""
        assert m.get_gender_display() == r["性别"]
        assert m.relation_history.get().to_org_name == "紫金社区第一党支部"


def test_a_file_without_the_column_and_no_chosen_org_is_refused_saying_what_to_do(world):
    alice = world["alice"]  # a street: no branch of her own, so no default
    before = Member.objects.count()
    job = check_into(alice, secretary_file([row()]))
    assert job.status == JobStatus.FAILED
    assert "没有“所在党组织”列" in job.message and "选择导入到哪个党组织" in job.message
    assert is_chinese(job.message) and Member.objects.count() == before


def test_a_column_when_present_wins_and_a_blank_cell_goes_to_the_chosen_org(world):
    alice = world["alice"]
    header = [*SECRETARY_HEADER, "所在党组织"]
    named, blank = row(所在党组织="紫金社区第一党支部"), row(所在党组织="")
    job = check_into(alice, secretary_file([named, blank], header), org=world["branch_a2"])
    assert job.status == JobStatus.READY and job.report["target_rows"] == 1
    commit(alice, job)
    assert Member.objects.get(name=named["姓名"]).org == world["branch_a1"]
    assert Member.objects.get(name=blank["姓名"]).org == world["branch_a2"]


def test_a_column_naming_an_org_out_of_reach_is_a_row_error(world):
    charlie = world["charlie"]
    header = [*SECRETARY_HEADER, "所在党组织"]
    before = db_state()
    job = check_into(
        charlie,
        secretary_file([row(), row(所在党组织="紫金社区第一党支部")], header),
        org=world["branch_b1"],
    )
    assert job.status == JobStatus.INVALID and job.error_rows == 1
    [msg] = messages(job, "org")
    assert "管辖范围内找不到党组织" in msg
    assert Member.objects.count() == before[0]


def test_a_chosen_org_out_of_reach_is_refused_and_nothing_is_stored(world):
    charlie = world["charlie"]
    before = db_state()
    with pytest.raises(ServiceError) as exc:
        check_into(charlie, secretary_file([row()]), org=world["branch_a1"])
    assert "不在您的管辖范围内" in exc.value.message and is_chinese(exc.value.message)
    assert exc.value.fields == {"org": "请选择您管理的党组织。"}
    assert db_state() == before


def test_a_group_is_not_an_org_to_import_into(world):
    bob = world["bob"]
    before = db_state()
    with pytest.raises(ServiceError) as exc:
        check_into(bob, secretary_file([row()]), org=world["group_a1"])
    assert "不在您的管辖范围内" in exc.value.message
    assert db_state() == before


def test_an_org_no_longer_in_reach_when_the_job_runs_fails_it_and_writes_nothing(world):
    bob = world["bob"]
    job = services.job_create(
        actor=bob,
        scope=scope_for_user(bob),
        upload=sheets.upload(secretary_file([row()])),
        org=world["branch_a1"],
    )
    RoleAssignment.objects.filter(user=bob).update(org=world["branch_a2"])  # moved meanwhile
    before = Member.objects.count()
    services.start(job, "check")
    job.refresh_from_db()
    assert job.status == JobStatus.FAILED
    assert "已不在您的管辖范围内" in job.message and "没有写入任何数据" in job.message
    assert Member.objects.count() == before


def test_the_default_is_the_importers_own_branch(world):
    # a branch secretary: the branch their role is anchored in
    assert (
        selectors.default_import_target(scope_for_user(world["bob"]), world["bob"])
        == world["branch_a1"]
    )
    # a street secretary: a 党工委 holds no members' relationships, so no default
    alice = world["alice"]
    assert selectors.default_import_target(scope_for_user(alice), alice) is None
    # a community secretary who is a member of branch A2: their own branch
    carol = factories.user(
        "carol", "street_secretary", org=world["comm_a_org"], member=world["m_a2"]
    )
    assert selectors.default_import_target(scope_for_user(carol), carol) == world["branch_a2"]


# ---- 性别, 学历, 民族 --------------------------------------------------------------------------


def test_a_sex_contradicting_the_id_number_is_a_row_error_naming_both(world):
    bob = world["bob"]
    wrong = row()
    wrong["性别"] = other_sex(wrong["公民身份号码"])
    before = Member.objects.count()
    job = check_into(
        bob, secretary_file([row(), row(性别=""), wrong, row(性别="未知")]), org=world["branch_a1"]
    )
    assert job.status == JobStatus.INVALID and job.error_rows == 2
    by_row = {e["row"]: e for e in job.report["errors"]}
    id_sex = "男性" if sex_of(wrong["公民身份号码"]) == "男" else "女性"
    assert by_row[4]["message"] == (
        f"性别填写为“{wrong['性别']}”，但身份证号码显示为{id_sex}，请核对。"
    )
    assert by_row[4]["column"] == "性别" and by_row[4]["name"] == wrong["姓名"]
    assert by_row[5]["message"].startswith("性别“未知”无法识别，请填写“男”或“女”")
    assert Member.objects.count() == before


def test_education_and_ethnicity_are_optional_and_a_blank_cell_keeps_what_is_stored(world):
    alice = world["alice"]
    first = sheets.person(学历="", 民族="")
    commit(alice, check_into(alice, sheets.xlsx([first])))
    m = Member.objects.get(name=first["姓名"])
    assert m.education == "" and m.ethnicity == ""
    commit(alice, check_into(alice, sheets.xlsx([{**first, "学历": "大专", "民族": "回族"}])))
    m.refresh_from_db()
    assert m.education == "college" and m.ethnicity == "回族"
    job = commit(alice, check_into(alice, sheets.xlsx([{**first, "学历": "", "民族": ""}])))
    assert job.unchanged == 1
    m.refresh_from_db()
    assert m.education == "college" and m.ethnicity == "回族"
    # a 学历 written but not one of the list is still an error
    job = check_into(alice, sheets.xlsx([sheets.person(学历="幼儿园")]))
    assert messages(job, "education")[0].startswith("学历“幼儿园”无法识别")


# ---- 预备期满未转正 ----------------------------------------------------------------------------


def test_an_overdue_probationary_member_imports_with_a_warning(world, client_for):
    bob = world["bob"]
    overdue = row(人员类别="预备党员", 入党时间="2019-07-01", 转正时间="")
    recent = row(
        人员类别="预备党员", 入党时间=(today() - dt.timedelta(days=100)).isoformat(), 转正时间=""
    )
    job = check_into(bob, secretary_file([row(), overdue, recent]), org=world["branch_a1"])
    assert job.status == JobStatus.READY and job.error_rows == 0
    assert job.report["warning_rows"] == 1
    [w] = job.report["warnings"]
    assert w["row"] == 3 and w["name"] == overdue["姓名"] and w["column"] == "人员类别"
    assert "预备期已于2020-07-01期满（2019-07-01入党），尚未登记转正" in w["message"]
    page = texts(client_for(bob).get(reverse("rosters:job", args=[job.pk])))
    assert 'data-testid="row-warnings"' in page and "需要核实的 1 行（不影响导入）" in page
    assert "确认导入" in page and "预备期已于2020-07-01期满" in page
    job = commit(bob, job)
    assert job.status == JobStatus.DONE
    m = Member.objects.get(name=overdue["姓名"])
    assert m.status == "probationary" and m.confirmed_on is None


# ---- the upload page and the API -------------------------------------------------------------


def test_the_page_offers_the_orgs_in_reach_with_the_own_branch_chosen(world, client_for):
    page = texts(client_for(world["bob"]).get(reverse("rosters:index")))
    assert 'data-testid="import-org"' in page
    assert f'<option value="{world["branch_a1"].pk}" selected>紫金社区第一党支部</option>' in page
    assert "紫金社区第一党小组" not in page  # a group holds no members
    assert "孝闻" not in page and "紫金社区第二党支部" not in page  # out of bob's reach


def test_upload_through_the_page_into_the_chosen_org(world, client_for):
    c = client_for(world["alice"])
    r = c.post(
        reverse("rosters:index"),
        {"file": sheets.upload(secretary_file([row()])), "org": world["branch_a2"].pk},
    )
    job = ImportJob.objects.get()
    assert r.status_code == 302 and job.report["target"]["id"] == world["branch_a2"].pk
    page = texts(c.get(r["Location"]))
    assert "导入到：紫金社区第二党支部（1 行没有填写所在党组织" in page and "检查通过" in page


def test_a_stranger_choosing_alices_branch_on_the_page_gets_a_message(world, client_for):
    c = client_for(world["charlie"])
    before = db_state()
    r = c.post(
        reverse("rosters:index"),
        {"file": sheets.upload(secretary_file([row()])), "org": world["branch_a1"].pk},
    )
    body = texts(r)
    assert r.status_code == 200 and 'data-testid="org-error"' in body
    assert "所选党组织不在您的管辖范围内" in body
    assert "紫金" not in body  # nothing of street A is shown
    assert db_state() == before
    r = c.post(
        reverse("rosters:index"), {"file": sheets.upload(secretary_file([row()])), "org": "abc"}
    )
    assert r.status_code == 200 and db_state() == before


def test_api_chooses_the_org_and_reports_warnings(world, client):
    auth = bearer(world["bob"])
    overdue = row(人员类别="预备党员", 入党时间="2019-07-01", 转正时间="")
    r = client.post(
        "/api/v1/rosters/imports", {"file": sheets.upload(secretary_file([overdue]))}, **auth
    )
    assert r.status_code == 201, r.content
    body = r.json()  # no org_id: bob's own branch
    assert body["status"] == "ready" and body["org_id"] == world["branch_a1"].pk
    assert body["org_name"] == "紫金社区第一党支部" and body["org_rows"] == 1
    assert body["warning_rows"] == 1 and body["warnings"][0]["field"] == "status"
    r = client.post(
        "/api/v1/rosters/imports",
        {"file": sheets.upload(secretary_file([row()])), "org_id": world["branch_a1"].pk},
        **auth,
    )
    assert r.status_code == 201 and r.json()["org_id"] == world["branch_a1"].pk


def test_api_stranger_naming_an_org_out_of_reach_learns_nothing(world, client):
    auth = bearer(world["charlie"])
    before = db_state()
    answers = []
    for org_id in (world["branch_a1"].pk, 999999):
        r = client.post(
            "/api/v1/rosters/imports",
            {"file": sheets.upload(secretary_file([row()])), "org_id": org_id},
            **auth,
        )
        assert r.status_code == 400
        answers.append(r.json())
        assert is_chinese(r.json()["message"]) and "org_id" in r.json()["fields"]
    assert answers[0] == answers[1]  # the same words for alice's branch and for none
    assert db_state() == before
    assert not AuditLog.objects.filter(action="rosters.upload").exists()


def test_the_overdue_member_is_confirmed_on_the_form_without_inventing_education(world, client_for):
    """The coverage audit's link leads to the member's form: 转正 is recorded there while
    学历 and 民族, which the branch's register lacked, stay blank."""
    bob = world["bob"]
    overdue = row(人员类别="预备党员", 入党时间="2019-07-01", 转正时间="")
    commit(bob, check_into(bob, secretary_file([overdue]), org=world["branch_a1"]))
    m = Member.objects.get(name=overdue["姓名"])
    scope = scope_for_user(bob)
    [gap] = CoverageAudit(scope, get_audit_root_for(scope, None)).rows("overdue_probation")[0:5]
    assert gap.url == f"/members/{m.pk}/edit/"
    c = client_for(bob)
    data = {
        "name": m.name,
        "id_number": "",
        "phone": "",
        "ethnicity": "",
        "education": "",
        "status": "full",
        "standing": "normal",
        "joined_on": "2019-07-01",
        "confirmed_on": "2020-07-01",
    }
    r = c.post(gap.url, data)
    assert r.status_code == 302, texts(r)
    m.refresh_from_db()
    assert (m.status, m.confirmed_on, m.education, m.ethnicity) == (
        "full",
        dt.date(2020, 7, 1),
        "",
        "",
    )
    assert CoverageAudit(scope, get_audit_root_for(scope, None)).counts()["overdue_probation"] == 0
    # the record says what is missing instead of showing nothing
    page = texts(c.get(f"/members/{m.pk}/"))
    assert page.count("未登记") == 2
